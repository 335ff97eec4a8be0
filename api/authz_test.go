package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"legwork"
	"legwork/api"
)

// endpoint is one route of the authorisation matrix: how to call it on a
// fixture, and the exact status each actor must get.
type endpoint struct {
	route string // the registered pattern
	req   func(f *fixture) request
	want  map[string]int
	// read marks reads of the person's data: each allowed one must leave
	// an audit row naming the reader.
	read bool
}

// Expected statuses by kind of endpoint.
var (
	// A read of the person's data: the person and their clinician.
	readStatus = map[string]int{anonymous: 401, owner: 200, other: 404, clinician: 200, stranger: 404, revoked: 403}
	// A change to the person's data: the person only; clinicians read.
	writeStatus = func(ok int) map[string]int {
		return map[string]int{anonymous: 401, owner: ok, other: 404, clinician: 403, stranger: 404, revoked: 403}
	}
	// Any signed-in user.
	userStatus = func(ok int) map[string]int {
		return map[string]int{anonymous: 401, owner: ok, other: ok, clinician: ok, stranger: ok, revoked: ok}
	}
	everyone = map[string]int{anonymous: 200, owner: 200, other: 200, clinician: 200, stranger: 200, revoked: 200}
)

func (f *fixture) pp(format string, args ...any) string {
	return fmt.Sprintf("/api/people/%d", f.person().ID) + fmt.Sprintf(format, args...)
}

var diaryJSON = jsonBody(map[string]any{"severity": 5, "sensations": []string{"jelly"}, "triggers": []string{"heat"}, "fatigue": 6})
var interventionJSON = jsonBody(map[string]any{"kind": "home_exercise", "name": "Balance exercises", "start_date": "2026-01-10"})

func endpoints() []endpoint {
	get := func(path func(f *fixture) string) func(f *fixture) request {
		return func(f *fixture) request { return request{method: "GET", path: path(f)} }
	}
	return []endpoint{
		{route: "GET /healthz", req: get(func(f *fixture) string { return "/healthz" }), want: everyone},
		{route: "GET /metrics", req: get(func(f *fixture) string { return "/metrics" }), want: everyone},
		{route: "GET /api/openapi.json", req: get(func(f *fixture) string { return "/api/openapi.json" }), want: everyone},

		{route: "POST /api/login", req: func(f *fixture) request {
			return request{method: "POST", path: "/api/login", body: jsonBody(map[string]string{"email": f.person().Email, "password": testPassword})}
		}, want: everyone},
		{route: "GET /api/signup", req: get(func(f *fixture) string { return "/api/signup" }), want: everyone},
		// Anyone may create a person's account (signed in or not): it is a
		// new account, and the answer signs the caller in as it.
		{route: "POST /api/signup", req: func(f *fixture) request {
			return request{method: "POST", path: "/api/signup", body: jsonBody(map[string]any{"email": "new." + randomSuffix() + "@example.org", "name": "New", "password": testPassword, "height_m": 1.7})}
		}, want: map[string]int{anonymous: 201, owner: 201, other: 201, clinician: 201, stranger: 201, revoked: 201}},
		{route: "POST /api/logout", req: func(f *fixture) request { return request{method: "POST", path: "/api/logout"} }, want: userStatus(204)},
		{route: "GET /api/me", req: get(func(f *fixture) string { return "/api/me" }), want: userStatus(200)},
		{route: "PATCH /api/me", req: func(f *fixture) request {
			return request{method: "PATCH", path: "/api/me", body: jsonBody(map[string]any{"height_m": 1.8})}
		}, want: userStatus(200)},
		{route: "POST /api/me/password", req: func(f *fixture) request {
			return request{method: "POST", path: "/api/me/password", body: jsonBody(map[string]string{"current_password": testPassword, "new_password": "another long password"})}
		}, want: userStatus(204)},
		{route: "GET /api/me/tokens", req: get(func(f *fixture) string { return "/api/me/tokens" }), want: userStatus(200)},
		{route: "POST /api/me/tokens", req: func(f *fixture) request {
			return request{method: "POST", path: "/api/me/tokens", body: jsonBody(map[string]string{"name": "laptop"})}
		}, want: userStatus(201)},
		{route: "DELETE /api/me/tokens/{token_id}", req: func(f *fixture) request {
			return request{method: "DELETE", path: fmt.Sprintf("/api/me/tokens/%d", f.token.Token.ID)}
		}, want: map[string]int{anonymous: 401, owner: 204, other: 404, clinician: 404, stranger: 404, revoked: 404}},
		{route: "GET /api/users", req: get(func(f *fixture) string { return "/api/users" }), want: userStatus(403)},
		{route: "POST /api/users", req: func(f *fixture) request {
			return request{method: "POST", path: "/api/users", body: jsonBody(map[string]any{"email": "new." + randomSuffix() + "@example.org", "name": "New", "role": "person", "password": testPassword})}
		}, want: userStatus(403)},

		{route: "GET /api/people", req: get(func(f *fixture) string { return "/api/people" }), want: userStatus(200)},
		{route: "GET /api/people/{id}", req: get(func(f *fixture) string { return f.pp("") }), want: readStatus, read: true},
		// The weekly plan: the person and their clinicians (who suggest
		// plans) change it.
		{route: "PATCH /api/people/{id}", req: func(f *fixture) request {
			return request{method: "PATCH", path: f.pp(""), body: jsonBody(map[string]any{"weekly_plan": map[string]int{"t25fw": 3, "balance": 1}})}
		}, want: map[string]int{anonymous: 401, owner: 200, other: 404, clinician: 200, stranger: 404, revoked: 403}},
		{route: "GET /api/people/{id}/grants", req: get(func(f *fixture) string { return f.pp("/grants") }), want: writeStatus(200)},
		{route: "DELETE /api/people/{id}/grants/{clinician_id}", req: func(f *fixture) request {
			return request{method: "DELETE", path: f.pp("/grants/%d", f.users[clinician].ID)}
		}, want: writeStatus(204)},
		{route: "GET /api/people/{id}/invitations", req: get(func(f *fixture) string { return f.pp("/invitations") }), want: writeStatus(200)},
		{route: "POST /api/people/{id}/invitations", req: func(f *fixture) request {
			return request{method: "POST", path: f.pp("/invitations"), body: jsonBody(map[string]string{"note": "Dr Who"})}
		}, want: writeStatus(201)},
		{route: "DELETE /api/people/{id}/invitations/{invitation_id}", req: func(f *fixture) request {
			return request{method: "DELETE", path: f.pp("/invitations/%d", f.invitation.Invitation.ID)}
		}, want: writeStatus(204)},
		{route: "POST /api/invitations/accept", req: func(f *fixture) request {
			return request{method: "POST", path: "/api/invitations/accept", body: jsonBody(map[string]string{"code": f.invitation.Code})}
		}, want: map[string]int{anonymous: 401, owner: 403, other: 403, clinician: 200, stranger: 200, revoked: 200}},
		{route: "GET /api/people/{id}/audit", req: get(func(f *fixture) string { return f.pp("/audit") }), want: writeStatus(200)},

		{route: "GET /api/people/{id}/assessments", req: get(func(f *fixture) string { return f.pp("/assessments") }), want: readStatus, read: true},
		{route: "POST /api/people/{id}/assessments", req: func(f *fixture) request {
			return request{method: "POST", path: f.pp("/assessments?test_type=walk&placement=lower_back"), body: walkCSV(f.t, 5), contentType: "text/csv"}
		}, want: writeStatus(201)},
		{route: "GET /api/people/{id}/assessments/{assessment_id}", req: get(func(f *fixture) string { return f.pp("/assessments/%d", f.assessment.ID) }), want: readStatus, read: true},
		{route: "GET /api/people/{id}/assessments/{assessment_id}/recording", req: get(func(f *fixture) string { return f.pp("/assessments/%d/recording", f.assessment.ID) }), want: readStatus, read: true},
		{route: "DELETE /api/people/{id}/assessments/{assessment_id}", req: func(f *fixture) request {
			return request{method: "DELETE", path: f.pp("/assessments/%d", f.assessment.ID)}
		}, want: writeStatus(204)},
		{route: "GET /api/people/{id}/metrics", req: get(func(f *fixture) string { return f.pp("/metrics") }), want: readStatus, read: true},
		{route: "GET /api/people/{id}/metrics/{metric}", req: get(func(f *fixture) string { return f.pp("/metrics/cadence_spm?test_type=t25fw") }), want: readStatus, read: true},
		{route: "GET /api/people/{id}/insights", req: get(func(f *fixture) string { return f.pp("/insights?tz=Europe/Berlin&effect_weeks=4") }), want: readStatus, read: true},
		{route: "GET /api/people/{id}/report", req: get(func(f *fixture) string { return f.pp("/report?format=html") }), want: readStatus, read: true},
		{route: "POST /api/people/{id}/imports", req: importRequest, want: writeStatus(201)},
		{route: "GET /api/people/{id}/export", req: get(func(f *fixture) string { return f.pp("/export?format=csv") }), want: readStatus, read: true},
		{route: "GET /api/export", req: func(f *fixture) request {
			return request{method: "GET", path: "/api/export?format=csv&pseudonymise=1", header: map[string]string{api.SecretHeader: testSecret}}
		}, want: userStatus(403)},

		{route: "GET /api/people/{id}/diary", req: get(func(f *fixture) string { return f.pp("/diary") }), want: readStatus, read: true},
		{route: "POST /api/people/{id}/diary", req: func(f *fixture) request {
			return request{method: "POST", path: f.pp("/diary"), body: diaryJSON}
		}, want: writeStatus(201)},
		{route: "GET /api/people/{id}/diary/{entry_id}", req: get(func(f *fixture) string { return f.pp("/diary/%d", f.diary.ID) }), want: readStatus, read: true},
		{route: "PUT /api/people/{id}/diary/{entry_id}", req: func(f *fixture) request {
			return request{method: "PUT", path: f.pp("/diary/%d", f.diary.ID), body: diaryJSON}
		}, want: writeStatus(200)},
		{route: "DELETE /api/people/{id}/diary/{entry_id}", req: func(f *fixture) request {
			return request{method: "DELETE", path: f.pp("/diary/%d", f.diary.ID)}
		}, want: writeStatus(204)},

		{route: "GET /api/people/{id}/interventions", req: get(func(f *fixture) string { return f.pp("/interventions") }), want: readStatus, read: true},
		{route: "POST /api/people/{id}/interventions", req: func(f *fixture) request {
			return request{method: "POST", path: f.pp("/interventions"), body: interventionJSON}
		}, want: writeStatus(201)},
		{route: "GET /api/people/{id}/interventions/{intervention_id}", req: get(func(f *fixture) string { return f.pp("/interventions/%d", f.intervention.ID) }), want: readStatus, read: true},
		{route: "PUT /api/people/{id}/interventions/{intervention_id}", req: func(f *fixture) request {
			return request{method: "PUT", path: f.pp("/interventions/%d", f.intervention.ID), body: interventionJSON}
		}, want: writeStatus(200)},
		{route: "DELETE /api/people/{id}/interventions/{intervention_id}", req: func(f *fixture) request {
			return request{method: "DELETE", path: f.pp("/interventions/%d", f.intervention.ID)}
		}, want: writeStatus(204)},
	}
}

// TestAuthorizationMatrix calls every endpoint as each kind of caller, on
// a fresh fixture each time, and checks the exact status; allowed reads of
// the person's data must leave an audit row naming the reader, and
// refused ones must change nothing.
func TestAuthorizationMatrix(t *testing.T) {
	eps := endpoints()
	// The matrix covers every registered route.
	probe := newFixture(t, api.Options{})
	var covered []string
	for _, ep := range eps {
		covered = append(covered, ep.route)
	}
	for _, r := range probe.api.Routes() {
		if !slices.Contains(covered, r) {
			t.Errorf("route %s is not in the authorisation matrix", r)
		}
	}
	for _, ep := range eps {
		if !slices.Contains(probe.api.Routes(), ep.route) {
			t.Errorf("matrix route %s is not registered", ep.route)
		}
		for _, actor := range actors {
			if _, ok := ep.want[actor]; !ok {
				t.Fatalf("%s: no expectation for %s", ep.route, actor)
			}
		}
	}
	for _, ep := range eps {
		t.Run(strings.ReplaceAll(ep.route, "/", "_"), func(t *testing.T) {
			t.Parallel()
			for _, actor := range actors {
				f := newFixture(t, api.Options{})
				rq := ep.req(f)
				personID := f.person().ID
				before := auditCount(t, f, personID)
				resp, body := f.do(actor, rq)
				if want := ep.want[actor]; resp.StatusCode != want {
					t.Errorf("%s as %s: status %d, want %d: %s", ep.route, actor, resp.StatusCode, want, truncate(body))
					continue
				}
				if resp.StatusCode >= 400 {
					errorBody(t, body)
				}
				after := auditCount(t, f, personID)
				if ep.read && resp.StatusCode == 200 {
					evs, err := f.store.ListAudit(context.Background(), legwork.AuditFilter{PersonID: &personID, Page: legwork.Page{Limit: 1}})
					if err != nil {
						t.Fatal(err)
					}
					if after != before+1 || len(evs) != 1 || evs[0].Action != "read" || evs[0].ActorID == nil || *evs[0].ActorID != f.users[actor].ID || evs[0].IP != "127.0.0.1" {
						t.Errorf("%s as %s: %d audit rows before, %d after, last %+v", ep.route, actor, before, after, evs)
					}
				}
				if resp.StatusCode >= 400 && after != before {
					t.Errorf("%s as %s: refused, but %d audit rows about the person were added", ep.route, actor, after-before)
				}
			}
		})
	}
}

func auditCount(t *testing.T, f *fixture, personID int64) int {
	t.Helper()
	n := 0
	var before int64
	for {
		evs, err := f.store.ListAudit(context.Background(), legwork.AuditFilter{PersonID: &personID, Page: legwork.Page{Limit: 500, Before: before}})
		if err != nil {
			t.Fatal(err)
		}
		n += len(evs)
		if len(evs) < 500 {
			return n
		}
		before = evs[len(evs)-1].ID
	}
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

// TestAdminEndpoints checks what an administrator may do: manage accounts,
// but not read anyone's data without an invitation.
func TestAdminEndpoints(t *testing.T) {
	f := newFixture(t, api.Options{})
	admin := f.users[other]
	admin.Admin = true
	if err := f.store.UpdateUser(context.Background(), admin); err != nil {
		t.Fatal(err)
	}
	resp, body := f.do(other, request{method: "GET", path: "/api/users"})
	if resp.StatusCode != 200 || !strings.Contains(string(body), f.person().Email) {
		t.Fatalf("list users: %d %s", resp.StatusCode, body)
	}
	if strings.Contains(string(body), "argon2id") {
		t.Fatal("password hashes in the user list")
	}
	resp, body = f.do(other, request{method: "POST", path: "/api/users", body: jsonBody(map[string]any{"email": "new." + randomSuffix() + "@example.org", "name": "New", "role": "clinician", "password": testPassword})})
	if resp.StatusCode != 201 {
		t.Fatalf("create user: %d %s", resp.StatusCode, body)
	}
	resp, body = f.do(other, request{method: "POST", path: "/api/users", body: jsonBody(map[string]any{"email": f.person().Email, "name": "Dup", "role": "person", "password": testPassword})})
	if resp.StatusCode != 409 || errorBody(t, body).Field != "email" {
		t.Fatalf("duplicate: %d %s", resp.StatusCode, body)
	}
	resp, _ = f.do(other, request{method: "GET", path: f.pp("/diary")})
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("admin reads a person's diary: %d", resp.StatusCode)
	}
}

// A change whose body (or Idempotency-Key) cannot be read is refused after
// the access check:
// someone without access gets the same 404 or 403 as for a good body,
// whatever they sent, and only those with access learn what is wrong with
// it (400).
func TestUnreadBodiesAfterAuthorisation(t *testing.T) {
	f := newFixture(t, api.Options{})
	for _, c := range []struct{ method, path, body, key string }{
		{"POST", f.pp("/diary"), `{"severity": 5}`, strings.Repeat("k", 500)},
		{"POST", f.pp("/interventions"), `{"kind": "home_exercise", "name": "Walks", "start_date": "2026-01-10"}`, "café"},
		{"POST", f.pp("/diary"), `{"severity": "x"}`, ""},
		{"POST", f.pp("/diary"), `{"at": "yesterday"}`, ""},
		{"PUT", f.pp("/diary/%d", f.diary.ID), `[1]`, ""},
		{"POST", f.pp("/interventions"), `{"start_date": 5}`, ""},
		{"PUT", f.pp("/interventions/%d", f.intervention.ID), `{"end_date": "soon"}`, ""},
		{"POST", f.pp("/invitations"), `[1]`, ""},
	} {
		for actor, want := range writeStatus(400) {
			rq := request{method: c.method, path: c.path, body: []byte(c.body)}
			if c.key != "" {
				rq.header = map[string]string{"Idempotency-Key": c.key}
			}
			resp, body := f.do(actor, rq)
			if resp.StatusCode != want {
				t.Errorf("%s %s %s as %s: %d %s, want %d", c.method, c.path, c.body, actor, resp.StatusCode, body, want)
			}
		}
	}
}

// A read with a query parameter that cannot be read (a date, a limit, a
// time zone, a format) is refused after the access check too: those
// without access get 404 or 403, and only those who may read the data
// learn what is wrong (400).
func TestUnreadQueriesAfterAuthorisation(t *testing.T) {
	f := newFixture(t, api.Options{})
	read := map[string]int{anonymous: 401, owner: 400, other: 404, clinician: 400, stranger: 404, revoked: 403}
	for _, c := range []struct {
		path string
		want map[string]int
	}{
		{f.pp("/assessments?from=yesterday"), read},
		{f.pp("/assessments?limit=lots"), read},
		{f.pp("/metrics/walking_speed_mps?to=soon"), read},
		{f.pp("/diary?before=x"), read},
		{f.pp("/insights?tz=Mars/Olympus_Mons"), read},
		{f.pp("/report?format=doc"), read},
		{f.pp("/report?as_of=2026-01-01"), read},
		{f.pp("/export?format=xls"), read},
		{f.pp("/audit?limit=lots"), writeStatus(400)},
	} {
		for actor, want := range c.want {
			resp, body := f.do(actor, request{method: "GET", path: c.path})
			if resp.StatusCode != want {
				t.Errorf("GET %s as %s: %d %s, want %d", c.path, actor, resp.StatusCode, body, want)
			}
		}
	}
}
