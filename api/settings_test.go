package api_test

import (
	"context"
	"encoding/json"
	"maps"
	"strings"
	"testing"
	_ "time/tzdata" // the zones of the tests on any machine

	"legwork"
	"legwork/api"
	"legwork/app"
)

// lastPersonAudit returns the newest audit row about the fixture's person.
func lastPersonAudit(t *testing.T, f *fixture) *legwork.AuditEvent {
	t.Helper()
	id := f.person().ID
	evs, err := f.store.ListAudit(context.Background(), legwork.AuditFilter{PersonID: &id, Page: legwork.Page{Limit: 1}})
	if err != nil || len(evs) != 1 {
		t.Fatalf("audit: %v %v", evs, err)
	}
	return evs[0]
}

func decodeUser(t *testing.T, body []byte) legwork.User {
	t.Helper()
	var u legwork.User
	if err := json.Unmarshal(body, &u); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return u
}

// The person sets their time zone and plan on their profile; the
// clinician reads both and changes the plan, not the time zone.
func TestPersonSettingsEndpoints(t *testing.T) {
	f := newFixture(t, api.Options{})
	pp := f.pp("")

	// Nothing set: the members are absent.
	resp, body := f.do(owner, request{method: "GET", path: "/api/me"})
	if resp.StatusCode != 200 || strings.Contains(string(body), "time_zone") || strings.Contains(string(body), "weekly_plan") {
		t.Fatalf("me: %d %s", resp.StatusCode, body)
	}
	resp, body = f.do(owner, request{method: "PATCH", path: "/api/me", body: jsonBody(map[string]any{
		"time_zone": "Europe/Berlin", "weekly_plan": map[string]int{"t25fw": 3, "balance": 1, "sts5": 0}})})
	want := map[legwork.TestType]int{legwork.TestT25FW: 3, legwork.TestBalance: 1, legwork.TestSTS5: 0}
	if u := decodeUser(t, body); resp.StatusCode != 200 || u.TimeZone != "Europe/Berlin" || !maps.Equal(u.WeeklyPlan, want) {
		t.Fatalf("patch me: %d %s", resp.StatusCode, body)
	}
	resp, body = f.do(owner, request{method: "GET", path: "/api/me"})
	if u := decodeUser(t, body); resp.StatusCode != 200 || u.TimeZone != "Europe/Berlin" || !maps.Equal(u.WeeklyPlan, want) {
		t.Fatalf("me: %d %s", resp.StatusCode, body)
	}

	// The clinician reads both (audited) and suggests another plan.
	resp, body = f.do(clinician, request{method: "GET", path: pp})
	if u := decodeUser(t, body); resp.StatusCode != 200 || u.TimeZone != "Europe/Berlin" || !maps.Equal(u.WeeklyPlan, want) {
		t.Fatalf("clinician reads: %d %s", resp.StatusCode, body)
	}
	resp, body = f.do(clinician, request{method: "PATCH", path: pp, body: jsonBody(map[string]any{"weekly_plan": map[string]int{"walk2min": 2}})})
	if u := decodeUser(t, body); resp.StatusCode != 200 || !maps.Equal(u.WeeklyPlan, map[legwork.TestType]int{legwork.TestWalk2Min: 2}) || u.TimeZone != "Europe/Berlin" {
		t.Fatalf("clinician's plan: %d %s", resp.StatusCode, body)
	}
	if ev := lastPersonAudit(t, f); ev.Action != "update" || ev.Object != "plan" || ev.Detail != "walk2min=2" || *ev.ActorID != f.users[clinician].ID || ev.IP != "127.0.0.1" {
		t.Fatalf("audit %+v", ev)
	}
	// The person sees the clinician's plan.
	_, body = f.do(owner, request{method: "GET", path: "/api/me"})
	if u := decodeUser(t, body); !maps.Equal(u.WeeklyPlan, map[legwork.TestType]int{legwork.TestWalk2Min: 2}) {
		t.Fatalf("me after the clinician's plan: %s", body)
	}

	// The time zone is the person's alone.
	resp, body = f.do(clinician, request{method: "PATCH", path: pp, body: jsonBody(map[string]any{"time_zone": "America/New_York"})})
	if e := errorBody(t, body); resp.StatusCode != 403 || e.Code != "forbidden" || e.Field != "time_zone" {
		t.Fatalf("clinician's time zone: %d %s", resp.StatusCode, body)
	}
	resp, body = f.do(owner, request{method: "PATCH", path: pp, body: jsonBody(map[string]any{"time_zone": "America/New_York", "weekly_plan": map[string]int{}})})
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"time_zone":"America/New_York"`) || !strings.Contains(string(body), `"weekly_plan":{}`) {
		t.Fatalf("owner: %d %s", resp.StatusCode, body)
	}
}

// Bad settings are 400 invalid naming the field, and change nothing.
func TestPersonSettingsErrors(t *testing.T) {
	f := newFixture(t, api.Options{})
	pp := f.pp("")
	for _, tc := range []struct {
		actor, method, path, body string
		status                    int
		field                     string
	}{
		{owner, "PATCH", pp, `{"time_zone": "Mars/Olympus_Mons"}`, 400, "time_zone"},
		{owner, "PATCH", "/api/me", `{"time_zone": "Local"}`, 400, "time_zone"},
		{owner, "PATCH", "/api/me", `{"time_zone": 1}`, 400, "time_zone"},
		{owner, "PATCH", pp, `{"weekly_plan": {"t25fw": 2.5}}`, 400, "weekly_plan"},
		{owner, "PATCH", pp, `{"weekly_plan": {"jog": 1}}`, 400, "weekly_plan"},
		{owner, "PATCH", "/api/me", `{"weekly_plan": {"t25fw": 15}}`, 400, "weekly_plan"},
		{owner, "PATCH", pp, `{"weekly_plan": {"balance": -1}}`, 400, "weekly_plan"},
		{owner, "PATCH", pp, `{"weekly_plan": [1, 2]}`, 400, "weekly_plan"},
		{owner, "PATCH", pp, `{"weekly_plan": {"t25fw": "3"}}`, 400, "weekly_plan"},
		{owner, "PATCH", pp, `{"weekly_plan": {"t25fw": 1e300}}`, 400, "weekly_plan"},
		{clinician, "PATCH", pp, `{"weekly_plan": {"t25fw": 99}}`, 400, "weekly_plan"},
		{owner, "PATCH", pp, `{"name": "Someone"}`, 400, "name"},
		{owner, "PATCH", pp, `{}`, 400, ""},
		{clinician, "PATCH", "/api/me", `{"weekly_plan": {"t25fw": 1}}`, 400, "weekly_plan"},
		// Who may not change the plan is told so before the plan is read.
		{stranger, "PATCH", pp, `{"weekly_plan": {"jog": 1}}`, 404, ""},
		{revoked, "PATCH", pp, `{"weekly_plan": {"jog": 1}}`, 403, ""},
		{other, "PATCH", pp, `{"time_zone": "Nowhere"}`, 404, ""},
		// Also when the plan cannot be read at all.
		{stranger, "PATCH", pp, `{"weekly_plan": {"t25fw": 2.5}}`, 404, ""},
		{stranger, "PATCH", pp, `{"weekly_plan": [1, 2]}`, 404, ""},
		{revoked, "PATCH", pp, `{"weekly_plan": {"t25fw": 2.5}}`, 403, ""},
		{revoked, "PATCH", pp, `{"weekly_plan": "often"}`, 403, ""},
		{clinician, "PATCH", pp, `{"weekly_plan": {"t25fw": 2.5}}`, 400, "weekly_plan"},
	} {
		resp, body := f.do(tc.actor, request{method: tc.method, path: tc.path, body: []byte(tc.body)})
		e := errorBody(t, body)
		if resp.StatusCode != tc.status || e.Field != tc.field {
			t.Errorf("%s %s %s as %s: %d %s, want %d about %q", tc.method, tc.path, tc.body, tc.actor, resp.StatusCode, body, tc.status, tc.field)
		}
	}
	u, err := f.store.User(context.Background(), f.person().ID)
	if err != nil || u.TimeZone != "" || u.WeeklyPlan != nil {
		t.Fatalf("after the errors: %+v, %v", u, err)
	}
}

// Who last changed the plan: the person sees the clinician's name, the
// clinician sees the person's (and their own); the person's other
// clinician is told the role only; a clinician whose access was
// withdrawn is given by role only; the system is nobody; an
// administrator's list of accounts shows none of it.
func TestWeeklyPlanChangedBy(t *testing.T) {
	f := newFixture(t, api.Options{})
	pp := f.pp("")
	p, c := f.person(), f.users[clinician]
	changer := func(actor, path string) legwork.User {
		t.Helper()
		resp, body := f.do(actor, request{method: "GET", path: path})
		if resp.StatusCode != 200 {
			t.Fatalf("%s GET %s: %d %s", actor, path, resp.StatusCode, body)
		}
		return decodeUser(t, body)
	}
	wantBy := func(what string, u legwork.User, want *legwork.UserRef) {
		t.Helper()
		if got := u.WeeklyPlanChangedBy; (got == nil) != (want == nil) || got != nil && *got != *want {
			t.Errorf("%s: weekly_plan_changed_by %+v, want %+v", what, got, want)
		}
		if u.WeeklyPlanChangedAt == nil || !u.WeeklyPlanChangedAt.Equal(f.clock.Now()) {
			t.Errorf("%s: weekly_plan_changed_at %v, want %v", what, u.WeeklyPlanChangedAt, f.clock.Now())
		}
	}
	byClinician := &legwork.UserRef{ID: c.ID, Name: "invited clinician", Role: legwork.RoleClinician}
	byPerson := &legwork.UserRef{ID: p.ID, Name: "owner", Role: legwork.RolePerson}

	// The clinician changes the plan.
	resp, body := f.do(clinician, request{method: "PATCH", path: pp, body: jsonBody(map[string]any{"weekly_plan": map[string]int{"t25fw": 3}})})
	if resp.StatusCode != 200 {
		t.Fatalf("clinician's plan: %d %s", resp.StatusCode, body)
	}
	wantBy("the clinician's answer", decodeUser(t, body), byClinician)
	wantBy("the person's GET /api/me", changer(owner, "/api/me"), byClinician)
	wantBy("the person's GET "+pp, changer(owner, pp), byClinician)
	wantBy("the clinician's GET "+pp, changer(clinician, pp), byClinician)
	if _, body := f.do(owner, request{method: "GET", path: "/api/me"}); !strings.Contains(string(body), `"weekly_plan_changed_by":{"id":`) {
		t.Errorf("GET /api/me: %s", body)
	}
	// The person's other clinician is told the role only: not whom else
	// the person shares their data with.
	inv, err := f.app.CreateInvitation(f.ctx(owner), p.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.AcceptInvitation(f.ctx(stranger), inv.Code); err != nil {
		t.Fatal(err)
	}
	wantBy("the other clinician's GET "+pp, changer(stranger, pp), &legwork.UserRef{Role: legwork.RoleClinician})
	if _, body := f.do(stranger, request{method: "GET", path: pp}); !strings.Contains(string(body), `"weekly_plan_changed_by":{"role":"clinician"}`) ||
		strings.Contains(string(body), clinician) || strings.Contains(string(body), c.Email) {
		t.Errorf("the other clinician's GET %s: %s", pp, body)
	}

	// The person changes it (on their profile).
	resp, body = f.do(owner, request{method: "PATCH", path: "/api/me", body: jsonBody(map[string]any{"weekly_plan": map[string]int{"t25fw": 2}})})
	if resp.StatusCode != 200 {
		t.Fatalf("person's plan: %d %s", resp.StatusCode, body)
	}
	wantBy("the person's answer", decodeUser(t, body), byPerson)
	wantBy("the clinician's GET "+pp+" after the person's change", changer(clinician, pp), byPerson)

	// An administrator's list shows neither who nor when.
	admin := f.users[other]
	admin.Admin = true
	if err := f.store.UpdateUser(context.Background(), admin); err != nil {
		t.Fatal(err)
	}
	resp, body = f.do(other, request{method: "GET", path: "/api/users"})
	if resp.StatusCode != 200 || !strings.Contains(string(body), p.Email) || strings.Contains(string(body), "weekly_plan") {
		t.Errorf("administrator's list: %d %s", resp.StatusCode, body)
	}

	// The clinician changes it again, then loses access: the role alone.
	f.do(clinician, request{method: "PATCH", path: pp, body: jsonBody(map[string]any{"weekly_plan": map[string]int{"balance": 1}})})
	if err := f.app.RevokeGrant(f.ctx(owner), p.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	u := changer(owner, "/api/me")
	wantBy("the person's GET /api/me after the clinician lost access", u, &legwork.UserRef{Role: legwork.RoleClinician})
	if _, body := f.do(owner, request{method: "GET", path: "/api/me"}); !strings.Contains(string(body), `"weekly_plan_changed_by":{"role":"clinician"}`) {
		t.Errorf("GET /api/me after the clinician lost access: %s", body)
	}

	// The command line: nobody.
	if _, err := f.app.UpdatePersonSettings(app.SystemContext(context.Background()), p.ID, app.SettingsUpdate{WeeklyPlan: map[legwork.TestType]int{legwork.TestSTS5: 1}}); err != nil {
		t.Fatal(err)
	}
	resp, body = f.do(owner, request{method: "GET", path: "/api/me"})
	if u := decodeUser(t, body); resp.StatusCode != 200 || u.WeeklyPlanChangedBy != nil || u.WeeklyPlanChangedAt == nil || strings.Contains(string(body), "weekly_plan_changed_by") {
		t.Errorf("after the command line's change: %d %s", resp.StatusCode, body)
	}
}
