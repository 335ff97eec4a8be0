package app_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // the zones of the tests on any machine

	"legwork"
	"legwork/app"
)

func stored(t *testing.T, e *env, id int64) *legwork.User {
	t.Helper()
	u, err := e.store.User(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func lastAudit(t *testing.T, e *env) *legwork.AuditEvent {
	t.Helper()
	evs := auditRows(t, e)
	if len(evs) == 0 {
		t.Fatal("no audit rows")
	}
	return evs[0]
}

// The person sets their time zone and plan; their clinician reads both
// and changes the plan, but not the time zone; every change is audited.
func TestPersonSettings(t *testing.T) {
	e := newEnv(t)
	if u := stored(t, e, e.person.ID); u.TimeZone != "" || u.WeeklyPlan != nil {
		t.Fatalf("new account: %q %v", u.TimeZone, u.WeeklyPlan)
	}
	tz := "Europe/Berlin"
	plan := map[legwork.TestType]int{legwork.TestT25FW: 3, legwork.TestBalance: 1, legwork.TestSTS5: 0}
	u, err := e.app.UpdatePersonSettings(e.as(e.person), e.person.ID, app.SettingsUpdate{TimeZone: &tz, WeeklyPlan: plan})
	if err != nil {
		t.Fatal(err)
	}
	if u.TimeZone != tz || !maps.Equal(u.WeeklyPlan, plan) || u.Name != e.person.Name || u.HeightM != 1.72 {
		t.Fatalf("answer %+v", u)
	}
	if s := stored(t, e, e.person.ID); s.TimeZone != tz || !maps.Equal(s.WeeklyPlan, plan) {
		t.Fatalf("stored %q %v", s.TimeZone, s.WeeklyPlan)
	}
	evs := auditRows(t, e)
	if evs[0].Action != "update" || evs[0].Object != "plan" || evs[0].Detail != "t25fw=3 balance=1 sts5=0" || *evs[0].ActorID != e.person.ID ||
		evs[1].Action != "update" || evs[1].Object != "profile" || evs[1].Detail != "time_zone=Europe/Berlin" || evs[1].IP != "192.0.2.1" {
		t.Fatalf("audit %+v %+v", evs[0], evs[1])
	}

	// The clinician reads both, audited as a read of the profile.
	p, err := e.app.Person(e.as(e.clinician), e.person.ID)
	if err != nil || p.TimeZone != tz || !maps.Equal(p.WeeklyPlan, plan) {
		t.Fatalf("clinician reads %+v, %v", p, err)
	}
	if ev := lastAudit(t, e); ev.Action != "read" || ev.Object != "profile" || *ev.ActorID != e.clinician.ID {
		t.Fatalf("audit %+v", ev)
	}

	// The clinician suggests another plan: it replaces the plan whole.
	suggested := map[legwork.TestType]int{legwork.TestWalk2Min: 2}
	u, err = e.app.UpdatePersonSettings(e.as(e.clinician), e.person.ID, app.SettingsUpdate{WeeklyPlan: suggested})
	if err != nil || !maps.Equal(u.WeeklyPlan, suggested) || u.TimeZone != tz {
		t.Fatalf("clinician's plan: %+v, %v", u, err)
	}
	if ev := lastAudit(t, e); ev.Action != "update" || ev.Object != "plan" || ev.Detail != "walk2min=2" || *ev.ActorID != e.clinician.ID {
		t.Fatalf("audit %+v", ev)
	}

	// But not the time zone, not even with a plan: nothing changes.
	before := len(auditRows(t, e))
	other := "America/New_York"
	_, err = e.app.UpdatePersonSettings(e.as(e.clinician), e.person.ID, app.SettingsUpdate{TimeZone: &other, WeeklyPlan: plan})
	wantCode(t, err, legwork.EFORBIDDEN)
	if legwork.ErrorField(err) != "time_zone" {
		t.Fatalf("field %q", legwork.ErrorField(err))
	}
	if s := stored(t, e, e.person.ID); s.TimeZone != tz || !maps.Equal(s.WeeklyPlan, suggested) {
		t.Fatalf("after the refusal: %q %v", s.TimeZone, s.WeeklyPlan)
	}
	if n := len(auditRows(t, e)); n != before {
		t.Fatalf("%d audit rows about the person added by a refusal", n-before)
	}

	// An empty plan is a plan with no tests; "" clears the time zone.
	empty := ""
	u, err = e.app.UpdatePersonSettings(e.as(e.person), e.person.ID, app.SettingsUpdate{TimeZone: &empty, WeeklyPlan: map[legwork.TestType]int{}})
	if err != nil || u.TimeZone != "" || u.WeeklyPlan == nil || len(u.WeeklyPlan) != 0 {
		t.Fatalf("cleared: %+v, %v", u, err)
	}
	if ev := lastAudit(t, e); ev.Detail != "no tests" {
		t.Fatalf("audit %+v", ev)
	}
}

func TestPersonSettingsAccess(t *testing.T) {
	e := newEnv(t)
	plan := app.SettingsUpdate{WeeklyPlan: map[legwork.TestType]int{legwork.TestT25FW: 1}}
	_, err := e.app.UpdatePersonSettings(context.Background(), e.person.ID, plan)
	wantCode(t, err, legwork.EUNAUTHORIZED)
	// Another person, an administrator included: as if there were nobody.
	_, err = e.app.UpdatePersonSettings(e.as(e.admin), e.person.ID, plan)
	wantCode(t, err, legwork.ENOTFOUND)
	// A clinician not invited.
	sys := app.SystemContext(context.Background())
	stranger := e.mustUser(t, sys, "dr.who@example.org", legwork.RoleClinician, false)
	_, err = e.app.UpdatePersonSettings(e.as(stranger), e.person.ID, plan)
	wantCode(t, err, legwork.ENOTFOUND)
	// The system (the command line) may, but a clinician is no person.
	if _, err := e.app.UpdatePersonSettings(sys, e.person.ID, plan); err != nil {
		t.Fatal(err)
	}
	_, err = e.app.UpdatePersonSettings(sys, e.clinician.ID, plan)
	wantCode(t, err, legwork.ENOTFOUND)
	// A clinician whose access was withdrawn.
	if err := e.app.RevokeGrant(e.as(e.person), e.person.ID, e.clinician.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.app.UpdatePersonSettings(e.as(e.clinician), e.person.ID, plan)
	wantCode(t, err, legwork.EFORBIDDEN)
	_, err = e.app.Person(e.as(e.clinician), e.person.ID)
	wantCode(t, err, legwork.EFORBIDDEN)
	if s := stored(t, e, e.person.ID); !maps.Equal(s.WeeklyPlan, plan.WeeklyPlan) {
		t.Fatalf("plan %v", s.WeeklyPlan)
	}
}

func TestPersonSettingsValidation(t *testing.T) {
	e := newEnv(t)
	str := func(s string) *string { return &s }
	for _, tc := range []struct {
		name  string
		up    app.SettingsUpdate
		field string
	}{
		{"unknown zone", app.SettingsUpdate{TimeZone: str("Mars/Olympus_Mons")}, "time_zone"},
		{"Local", app.SettingsUpdate{TimeZone: str("Local")}, "time_zone"},
		{"offset", app.SettingsUpdate{TimeZone: str("+01:00")}, "time_zone"},
		{"path", app.SettingsUpdate{TimeZone: str("../../etc/passwd")}, "time_zone"},
		{"long", app.SettingsUpdate{TimeZone: str("Europe/" + strings.Repeat("x", 80))}, "time_zone"},
		{"unknown test", app.SettingsUpdate{WeeklyPlan: map[legwork.TestType]int{"jog": 1}}, "weekly_plan"},
		{"too many", app.SettingsUpdate{WeeklyPlan: map[legwork.TestType]int{legwork.TestT25FW: 15}}, "weekly_plan"},
		{"negative", app.SettingsUpdate{WeeklyPlan: map[legwork.TestType]int{legwork.TestBalance: -1}}, "weekly_plan"},
		{"good zone, bad plan", app.SettingsUpdate{TimeZone: str("Europe/Berlin"), WeeklyPlan: map[legwork.TestType]int{legwork.TestUTurn: 99}}, "weekly_plan"},
		{"nothing", app.SettingsUpdate{}, ""},
	} {
		_, err := e.app.UpdatePersonSettings(e.as(e.person), e.person.ID, tc.up)
		if legwork.ErrorCode(err) != legwork.EINVALID || legwork.ErrorField(err) != tc.field {
			t.Errorf("%s: %v, want an error about %q", tc.name, err, tc.field)
		}
	}
	// Nothing was saved.
	if s := stored(t, e, e.person.ID); s.TimeZone != "" || s.WeeklyPlan != nil {
		t.Fatalf("stored %q %v", s.TimeZone, s.WeeklyPlan)
	}
	// The bounds themselves are fine.
	ok := map[legwork.TestType]int{legwork.TestT25FW: 14, legwork.TestWalk: 0}
	if _, err := e.app.UpdatePersonSettings(e.as(e.person), e.person.ID, app.SettingsUpdate{WeeklyPlan: ok, TimeZone: str("UTC")}); err != nil {
		t.Fatal(err)
	}

	plan, err := app.WeeklyPlanOf(map[string]float64{"t25fw": 3, "balance": 0})
	if err != nil || len(plan) != 2 || plan[legwork.TestT25FW] != 3 {
		t.Fatalf("WeeklyPlanOf: %v %v", plan, err)
	}
	if _, err := app.WeeklyPlanOf(map[string]float64{"t25fw": 2.5}); legwork.ErrorField(err) != "weekly_plan" {
		t.Fatalf("2.5: %v", err)
	}
	if plan, err := app.WeeklyPlanOf(nil); plan != nil || err != nil {
		t.Fatalf("nil: %v %v", plan, err)
	}
}

// The profile (PATCH /api/me) sets the time zone of any account and the
// plan of a person's, checking everything before saving anything.
func TestUpdateProfileSettings(t *testing.T) {
	e := newEnv(t)
	tz, name := "Australia/Adelaide", "Pat Example"
	plan := map[legwork.TestType]int{legwork.TestT25FW: 2}
	u, err := e.app.UpdateProfile(e.as(e.person), app.ProfileUpdate{Name: &name, TimeZone: &tz, WeeklyPlan: plan})
	if err != nil || u.TimeZone != tz || u.Name != name || !maps.Equal(u.WeeklyPlan, plan) {
		t.Fatalf("%+v, %v", u, err)
	}
	evs := auditRows(t, e)
	if evs[0].Object != "plan" || evs[0].Detail != "t25fw=2" || evs[1].Object != fmt.Sprintf("user:%d", e.person.ID) || evs[1].Detail != "profile time_zone=Australia/Adelaide" {
		t.Fatalf("audit %+v %+v", evs[0], evs[1])
	}
	// A change of height keeps the plan and the zone.
	h := 1.8
	if u, err = e.app.UpdateProfile(e.as(e.person), app.ProfileUpdate{HeightM: &h}); err != nil || u.TimeZone != tz || !maps.Equal(u.WeeklyPlan, plan) {
		t.Fatalf("%+v, %v", u, err)
	}
	// A bad plan saves nothing, the name included.
	other := "Someone Else"
	_, err = e.app.UpdateProfile(e.as(e.person), app.ProfileUpdate{Name: &other, WeeklyPlan: map[legwork.TestType]int{"run": 1}})
	if legwork.ErrorField(err) != "weekly_plan" {
		t.Fatalf("bad plan: %v", err)
	}
	bad := "Nowhere/Special"
	_, err = e.app.UpdateProfile(e.as(e.person), app.ProfileUpdate{Name: &other, TimeZone: &bad})
	if legwork.ErrorField(err) != "time_zone" {
		t.Fatalf("bad zone: %v", err)
	}
	if s := stored(t, e, e.person.ID); s.Name != name || s.TimeZone != tz {
		t.Fatalf("stored %+v", s)
	}
	// A clinician's account has a time zone but no plan.
	if u, err := e.app.UpdateProfile(e.as(e.clinician), app.ProfileUpdate{TimeZone: &tz}); err != nil || u.TimeZone != tz {
		t.Fatalf("clinician's zone: %+v, %v", u, err)
	}
	_, err = e.app.UpdateProfile(e.as(e.clinician), app.ProfileUpdate{WeeklyPlan: plan})
	if legwork.ErrorField(err) != "weekly_plan" {
		t.Fatalf("clinician's plan: %v", err)
	}
	// A password change, which rewrites the account, keeps the plan a
	// clinician set after the person signed in.
	suggested := map[legwork.TestType]int{legwork.TestBalance: 5}
	if _, err := e.app.UpdatePersonSettings(e.as(e.clinician), e.person.ID, app.SettingsUpdate{WeeklyPlan: suggested}); err != nil {
		t.Fatal(err)
	}
	if err := e.app.ChangePassword(e.as(e.person), testPassword, "another long password"); err != nil {
		t.Fatal(err)
	}
	if s := stored(t, e, e.person.ID); !maps.Equal(s.WeeklyPlan, suggested) || s.TimeZone != tz {
		t.Fatalf("after a password change: %+v", s)
	}
}

// racingStore stores a new password hash for user just before each
// transaction begins: a change made by another request between the moment
// a settings change read the account and the moment it saves it.
type racingStore struct {
	legwork.Store
	user int64
	n    int
}

func (s *racingStore) WithTx(ctx context.Context, fn func(tx legwork.Tx) error) error {
	u, err := s.Store.User(ctx, s.user)
	if err != nil {
		return err
	}
	s.n++
	u.PasswordHash = fmt.Sprintf("changed meanwhile %d", s.n)
	if err := s.Store.UpdateUser(ctx, u); err != nil {
		return err
	}
	return s.Store.WithTx(ctx, fn)
}

// TestSettingsKeepAChangeMadeMeanwhile checks that saving the profile or
// the settings does not write back an account read before another change
// was stored (here a new password, which would otherwise be undone).
func TestSettingsKeepAChangeMadeMeanwhile(t *testing.T) {
	e := newEnv(t)
	rs := &racingStore{Store: e.store, user: e.person.ID}
	a := app.New(app.Config{Store: rs, Now: e.clock.Now, Password: fastPasswords})
	name, zone := "Pat Q", "Europe/Berlin"
	if _, err := a.UpdateProfile(e.as(e.person), app.ProfileUpdate{Name: &name}); err != nil {
		t.Fatal(err)
	}
	if u := stored(t, e, e.person.ID); u.PasswordHash != "changed meanwhile 1" || u.Name != name {
		t.Errorf("after the profile change: password hash %q, name %q", u.PasswordHash, u.Name)
	}
	if _, err := a.UpdatePersonSettings(e.as(e.person), e.person.ID, app.SettingsUpdate{TimeZone: &zone}); err != nil {
		t.Fatal(err)
	}
	if u := stored(t, e, e.person.ID); u.PasswordHash != "changed meanwhile 2" || u.TimeZone != zone || u.Name != name {
		t.Errorf("after the settings change: password hash %q, zone %q, name %q", u.PasswordHash, u.TimeZone, u.Name)
	}
}

// TestListUsersLeavesOutPeoplesSettings checks that an administrator's
// list of accounts does not show another person's time zone and weekly
// plan (data of their record, which administrators do not read), while the
// command line sees them.
func TestListUsersLeavesOutPeoplesSettings(t *testing.T) {
	e := newEnv(t)
	zone := "Europe/Berlin"
	if _, err := e.app.UpdatePersonSettings(e.as(e.person), e.person.ID, app.SettingsUpdate{TimeZone: &zone, WeeklyPlan: map[legwork.TestType]int{legwork.TestT25FW: 3}}); err != nil {
		t.Fatal(err)
	}
	find := func(list []*legwork.User) *legwork.User {
		for _, u := range list {
			if u.ID == e.person.ID {
				return u
			}
		}
		t.Fatal("the person is not listed")
		return nil
	}
	list, err := e.app.ListUsers(e.as(e.admin))
	if err != nil {
		t.Fatal(err)
	}
	if u := find(list); u.TimeZone != "" || u.WeeklyPlan != nil || u.Email != e.person.Email {
		t.Errorf("administrator's list shows zone %q, plan %v (email %q)", u.TimeZone, u.WeeklyPlan, u.Email)
	}
	list, err = e.app.ListUsers(app.SystemContext(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	if u := find(list); u.TimeZone != zone || u.WeeklyPlan[legwork.TestT25FW] != 3 {
		t.Errorf("command line's list shows zone %q, plan %v", u.TimeZone, u.WeeklyPlan)
	}
}

// TestWeeklyPlanChanger checks who is told who last changed a person's
// weekly plan, and when: the changer is kept with the plan (nobody for the
// system); the person is named to every reader of the record; a
// clinician of now to the person, to themself and to the system, and by
// role only to the person's other clinicians; a clinician who lost
// access and any other account by role only; the administrator's list
// names nobody.
func TestWeeklyPlanChanger(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	sys := app.SystemContext(ctx)
	second := e.mustUser(t, sys, "dr.kim@example.org", legwork.RoleClinician, false)
	inv, err := e.app.CreateInvitation(e.as(e.person), e.person.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.AcceptInvitation(e.as(second), inv.Code); err != nil {
		t.Fatal(err)
	}
	// me reads the person's own account as a request does: freshly
	// stored.
	me := func() *legwork.User {
		t.Helper()
		u, err := e.app.Me(e.as(stored(t, e, e.person.ID)))
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	person := func(reader *legwork.User) *legwork.User {
		t.Helper()
		u, err := e.app.Person(e.as(reader), e.person.ID)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	check := func(what string, u *legwork.User, want *legwork.UserRef, at time.Time) {
		t.Helper()
		if got := u.WeeklyPlanChangedBy; (got == nil) != (want == nil) || got != nil && *got != *want {
			t.Errorf("%s: changed by %+v, want %+v", what, got, want)
		}
		// kept at the stores' precision
		if at = at.Truncate(time.Microsecond); u.WeeklyPlanChangedAt == nil || !u.WeeklyPlanChangedAt.Equal(at) {
			t.Errorf("%s: changed at %v, want %v", what, u.WeeklyPlanChangedAt, at)
		}
	}

	if u := me(); u.WeeklyPlanChangedAt != nil || u.WeeklyPlanChangedBy != nil {
		t.Fatalf("no plan yet: changed at %v by %+v", u.WeeklyPlanChangedAt, u.WeeklyPlanChangedBy)
	}

	// The clinician sets the plan: named to the person, to themself and
	// to the system; the person's other clinician is told the role only
	// (they do not learn whom else the person shares their data with).
	e.clock.Advance(time.Hour + 123456789*time.Nanosecond)
	at := e.clock.Now()
	byClinician := &legwork.UserRef{ID: e.clinician.ID, Name: "dr.lee", Role: legwork.RoleClinician}
	u, err := e.app.UpdatePersonSettings(e.as(e.clinician), e.person.ID, app.SettingsUpdate{WeeklyPlan: map[legwork.TestType]int{legwork.TestT25FW: 3}})
	if err != nil {
		t.Fatal(err)
	}
	check("the clinician's answer", u, byClinician, at)
	if s := stored(t, e, e.person.ID); s.WeeklyPlanChangedByID == nil || *s.WeeklyPlanChangedByID != e.clinician.ID {
		t.Fatalf("stored changer %v", s.WeeklyPlanChangedByID)
	}
	check("the person's Me", me(), byClinician, at)
	check("the person's Person", person(e.person), byClinician, at)
	check("the clinician's Person", person(e.clinician), byClinician, at)
	aClinician := &legwork.UserRef{Role: legwork.RoleClinician}
	check("the other clinician's Person", person(second), aClinician, at)
	sysPerson, err := e.app.Person(sys, e.person.ID)
	if err != nil {
		t.Fatal(err)
	}
	check("the system's Person", sysPerson, byClinician, at)
	l, err := e.app.Login(ctx, e.person.Email, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	check("the sign-in's account", l.User, byClinician, at)

	// The person changes it: named to their clinicians.
	e.clock.Advance(time.Hour)
	at = e.clock.Now()
	byPerson := &legwork.UserRef{ID: e.person.ID, Name: "pat", Role: legwork.RolePerson}
	if u, err = e.app.UpdateProfile(e.as(e.person), app.ProfileUpdate{WeeklyPlan: map[legwork.TestType]int{legwork.TestT25FW: 2}}); err != nil {
		t.Fatal(err)
	}
	check("the person's answer", u, byPerson, at)
	check("the clinician's Person after the person's change", person(e.clinician), byPerson, at)
	// A change of the name alone answers with the new name.
	name := "Pat Q"
	if u, err = e.app.UpdateProfile(e.as(e.person), app.ProfileUpdate{Name: &name}); err != nil {
		t.Fatal(err)
	}
	check("the answer to a change of name", u, &legwork.UserRef{ID: e.person.ID, Name: name, Role: legwork.RolePerson}, at)

	// The administrator's list names nobody and says not when; the
	// command line's list has when.
	list, err := e.app.ListUsers(e.as(e.admin))
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range list {
		if x.ID == e.person.ID && (x.WeeklyPlanChangedAt != nil || x.WeeklyPlanChangedByID != nil || x.WeeklyPlanChangedBy != nil) {
			t.Errorf("administrator's list: changed at %v by %v %+v", x.WeeklyPlanChangedAt, x.WeeklyPlanChangedByID, x.WeeklyPlanChangedBy)
		}
	}
	if list, err = e.app.ListUsers(sys); err != nil {
		t.Fatal(err)
	}
	for _, x := range list {
		if x.ID == e.person.ID && (x.WeeklyPlanChangedAt == nil || !x.WeeklyPlanChangedAt.Equal(at.Truncate(time.Microsecond))) {
			t.Errorf("command line's list: changed at %v", x.WeeklyPlanChangedAt)
		}
	}

	// The clinician changes it again and then loses access: by role only,
	// to the person and to the other clinician.
	e.clock.Advance(time.Hour)
	at = e.clock.Now()
	if _, err := e.app.UpdatePersonSettings(e.as(e.clinician), e.person.ID, app.SettingsUpdate{WeeklyPlan: map[legwork.TestType]int{legwork.TestBalance: 1}}); err != nil {
		t.Fatal(err)
	}
	if err := e.app.RevokeGrant(e.as(e.person), e.person.ID, e.clinician.ID); err != nil {
		t.Fatal(err)
	}
	check("the person's Me after the clinician lost access", me(), aClinician, at)
	check("the other clinician's Person after the clinician lost access", person(second), aClinician, at)

	// An account with no grant at all (only the store could record one):
	// by role only.
	if err := e.store.SetWeeklyPlan(ctx, e.person.ID, map[legwork.TestType]int{}, &e.admin.ID, at); err != nil {
		t.Fatal(err)
	}
	check("an account without a grant", person(second), &legwork.UserRef{Role: legwork.RolePerson}, at)

	// The command line: nobody, but when.
	e.clock.Advance(time.Hour)
	at = e.clock.Now()
	if u, err = e.app.UpdatePersonSettings(sys, e.person.ID, app.SettingsUpdate{WeeklyPlan: map[legwork.TestType]int{legwork.TestSTS5: 1}}); err != nil {
		t.Fatal(err)
	}
	check("the command line's answer", u, nil, at)
	if s := stored(t, e, e.person.ID); s.WeeklyPlanChangedByID != nil || s.WeeklyPlanChangedAt == nil {
		t.Fatalf("stored after the command line: by %v at %v", s.WeeklyPlanChangedByID, s.WeeklyPlanChangedAt)
	}
	check("the person's Me after the command line", me(), nil, at)
	check("the clinician's Person after the command line", person(second), nil, at)

	// A clinician's own account has no plan, so nobody changed it.
	if u, err := e.app.Me(e.as(second)); err != nil || u.WeeklyPlanChangedBy != nil || u.WeeklyPlanChangedAt != nil {
		t.Fatalf("clinician's Me: %+v, %v", u, err)
	}
}

// lookupFailStore fails the lookups of a grant (Grant) and of an account
// by id (User) on the store, when set: from the start, or once a
// transaction has committed (onCommit).
type lookupFailStore struct {
	legwork.Store
	mu          sync.Mutex
	onCommit    bool
	grant, user bool // fail Grant, User
}

var errLookup = errors.New("connection lost")

func (s *lookupFailStore) set(onCommit, grant, user bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onCommit, s.grant, s.user = onCommit, grant, user
}

func (s *lookupFailStore) WithTx(ctx context.Context, fn func(tx legwork.Tx) error) error {
	err := s.Store.WithTx(ctx, fn)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil && s.onCommit {
		s.onCommit, s.grant, s.user = false, true, true
	}
	return err
}

func (s *lookupFailStore) Grant(ctx context.Context, personID, clinicianID int64) (*legwork.Grant, error) {
	s.mu.Lock()
	fail := s.grant
	s.mu.Unlock()
	if fail {
		return nil, errLookup
	}
	return s.Store.Grant(ctx, personID, clinicianID)
}

func (s *lookupFailStore) User(ctx context.Context, id int64) (*legwork.User, error) {
	s.mu.Lock()
	fail := s.user
	s.mu.Unlock()
	if fail {
		return nil, errLookup
	}
	return s.Store.User(ctx, id)
}

// TestPlanChangerLookupFails: when who changed the plan cannot be looked
// up (a store error after the change was committed and audited), the
// change is answered as saved, without weekly_plan_changed_by, and the
// error is logged: a failure would have the phone's outbox send the
// change again (a second change, a second audit event). Reads of the
// account (Me, whose failure signs the web app out; Person; the
// sign-in's answer) are answered the same way.
func TestPlanChangerLookupFails(t *testing.T) {
	e := newEnv(t)
	var logged safeBuffer
	fs := &lookupFailStore{Store: e.store}
	a := app.New(app.Config{Store: fs, Now: e.clock.Now, Rand: rand.NewChaCha8([32]byte{7}), Password: fastPasswords,
		Logger: slog.New(slog.NewTextHandler(&logged, nil))})
	wantLogged := func(what string) {
		t.Helper()
		if s := logged.String(); !strings.Contains(s, "who changed the weekly plan") || !strings.Contains(s, errLookup.Error()) {
			t.Errorf("%s: logged %q, want the lookup's error", what, s)
		}
		logged.Reset()
	}
	answered := func(what string, u *legwork.User, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v, want the account", what, err)
		}
		if u.WeeklyPlanChangedBy != nil || u.WeeklyPlanChangedAt == nil {
			t.Errorf("%s: changed by %+v at %v, want nobody named, and when", what, u.WeeklyPlanChangedBy, u.WeeklyPlanChangedAt)
		}
		wantLogged(what)
	}

	// The clinician changes the plan; the lookups fail after the commit.
	fs.set(true, false, false)
	u, err := a.UpdatePersonSettings(e.as(e.clinician), e.person.ID, app.SettingsUpdate{WeeklyPlan: map[legwork.TestType]int{legwork.TestT25FW: 3}})
	answered("the clinician's change", u, err)
	if s := stored(t, e, e.person.ID); s.WeeklyPlan[legwork.TestT25FW] != 3 || s.WeeklyPlanChangedByID == nil || *s.WeeklyPlanChangedByID != e.clinician.ID {
		t.Errorf("stored plan %v by %v, want the clinician's", s.WeeklyPlan, s.WeeklyPlanChangedByID)
	}
	// The person renames themself.
	fs.set(true, false, false)
	name := "Pat Q"
	u, err = a.UpdateProfile(e.as(stored(t, e, e.person.ID)), app.ProfileUpdate{Name: &name})
	answered("the person's change of name", u, err)
	if u.Name != name || stored(t, e, e.person.ID).Name != name {
		t.Errorf("name %q, stored %q, want %q", u.Name, stored(t, e, e.person.ID).Name, name)
	}
	// Reads, with the grant lookup failing.
	fs.set(false, true, false)
	u, err = a.Me(e.as(stored(t, e, e.person.ID)))
	answered("the person's Me", u, err)
	u, err = a.Person(e.as(e.person), e.person.ID)
	answered("the person's Person", u, err)
	l, err := a.Login(context.Background(), e.person.Email, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	answered("the sign-in", l.User, nil)
	// A changer with no grant (only the store could record one), with
	// the account lookup failing.
	if err := e.store.SetWeeklyPlan(context.Background(), e.person.ID, map[legwork.TestType]int{}, &e.admin.ID, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	fs.set(false, false, true)
	u, err = a.Me(e.as(stored(t, e, e.person.ID)))
	answered("the person's Me, changed by an account without a grant", u, err)
}

// safeBuffer is a bytes.Buffer for a logger.
type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *safeBuffer) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.Reset()
}
