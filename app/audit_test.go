package app_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"legwork"
	"legwork/app"
	"legwork/synth"
)

// errAuditRefused is the failure of failingAudit's audit log.
var errAuditRefused = errors.New("the audit log refused the event")

// failingAudit is a store whose audit log refuses new events while fail
// is set, inside transactions too, as a full disk or a damaged table
// would. Everything else works.
type failingAudit struct {
	legwork.Store
	fail atomic.Bool
}

func (s *failingAudit) AppendAudit(ctx context.Context, e *legwork.AuditEvent) error {
	if s.fail.Load() {
		return errAuditRefused
	}
	return s.Store.AppendAudit(ctx, e)
}

func (s *failingAudit) WithTx(ctx context.Context, fn func(tx legwork.Tx) error) error {
	return s.Store.WithTx(ctx, func(tx legwork.Tx) error { return fn(&failingAuditTx{Tx: tx, s: s}) })
}

type failingAuditTx struct {
	legwork.Tx
	s *failingAudit
}

func (tx *failingAuditTx) AppendAudit(ctx context.Context, e *legwork.AuditEvent) error {
	if tx.s.fail.Load() {
		return errAuditRefused
	}
	return tx.Tx.AppendAudit(ctx, e)
}

// state reads what the store holds, the audit log apart: every account
// and, for each, its API tokens, invitations, grants, diary,
// interventions and assessments (with results); and whether the session
// token is still valid.
func (e *env) state(t *testing.T, a *app.App, token string) map[string]any {
	t.Helper()
	ctx := context.Background()
	m := map[string]any{}
	add := func(name string, v any, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("state: %s: %v", name, err)
		}
		m[name] = v
	}
	users, err := e.store.ListUsers(ctx)
	add("users", users, err)
	for _, u := range users {
		k := fmt.Sprintf("user %d: ", u.ID)
		tokens, err := e.store.ListAPITokens(ctx, u.ID)
		add(k+"api tokens", tokens, err)
		invs, err := e.store.ListInvitations(ctx, u.ID)
		add(k+"invitations", invs, err)
		grants, err := e.store.ListGrantsForPerson(ctx, u.ID)
		add(k+"grants", grants, err)
		diary, err := e.store.ListDiaryEntries(ctx, legwork.DiaryFilter{PersonID: u.ID})
		add(k+"diary", diary, err)
		ivs, err := e.store.ListInterventions(ctx, u.ID)
		add(k+"interventions", ivs, err)
		list, err := e.store.ListAssessments(ctx, legwork.AssessmentFilter{PersonID: u.ID})
		add(k+"assessments", list, err)
		for _, as := range list {
			full, err := e.store.Assessment(ctx, as.ID)
			add(fmt.Sprintf("assessment %d", as.ID), full, err)
		}
	}
	_, err = a.Authenticate(ctx, token, "192.0.2.9")
	m["session valid"] = err == nil
	return m
}

// changed lists the entries of two states that differ.
func changed(before, after map[string]any) []string {
	var keys []string
	for k, v := range after {
		if !reflect.DeepEqual(before[k], v) {
			keys = append(keys, k)
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// TestChangeFailsWithoutItsAuditEvent: every change to a person's data
// or an account is stored in one transaction with its audit event. When
// the event cannot be stored, the change fails with an error that says
// so, and nothing of it is stored; once the audit log works again, the
// same change is stored with its event.
func TestChangeFailsWithoutItsAuditEvent(t *testing.T) {
	e := newEnv(t)
	fs := &failingAudit{Store: e.store}
	a := app.New(app.Config{Store: fs, Now: e.clock.Now, Rand: rand.NewChaCha8([32]byte{3}), Password: fastPasswords,
		Logger: slog.New(slog.DiscardHandler)})
	// A deadline, so that a write that waits for the transaction it is
	// in (SQLite's one writer) fails the test instead of hanging it.
	bg, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	as := func(u *legwork.User) context.Context { return app.NewContext(bg, &app.Actor{User: u, IP: "192.0.2.1"}) }
	sys := app.SystemContext(bg)
	anon := app.NewContext(bg, &app.Actor{IP: "198.51.100.20"})
	person, pid := as(e.person), e.person.ID

	// What the changes work on.
	login, err := a.Login(anon, "pat@example.org", testPassword)
	if err != nil {
		t.Fatal(err)
	}
	upload := func(seed uint64, key string) *app.Upload {
		return &app.Upload{PersonID: pid, TestType: legwork.TestT25FW, Placement: "lower_back", Format: app.FormatCSV, Data: walkCSV(t, seed), ClientKey: key}
	}
	stored, _, err := a.CreateAssessment(person, upload(7, ""))
	if err != nil {
		t.Fatal(err)
	}
	var entries []*legwork.DiaryEntry
	var ivs []*legwork.Intervention
	for i := range 2 {
		d := &legwork.DiaryEntry{PersonID: pid, Severity: intp(i)}
		if _, err := a.CreateDiaryEntry(person, d); err != nil {
			t.Fatal(err)
		}
		iv := &legwork.Intervention{PersonID: pid, Kind: legwork.InterventionHomeExercise, Name: "balance exercises", StartDate: e.clock.Now()}
		if _, err := a.CreateIntervention(person, iv); err != nil {
			t.Fatal(err)
		}
		entries, ivs = append(entries, d), append(ivs, iv)
	}
	withdrawn, err := a.CreateInvitation(person, pid, "not sent")
	if err != nil {
		t.Fatal(err)
	}
	accepted, err := a.CreateInvitation(person, pid, "Dr Okafor")
	if err != nil {
		t.Fatal(err)
	}
	okafor := e.mustUser(t, sys, "dr.okafor@example.org", legwork.RoleClinician, false)
	tok, err := a.CreateAPIToken(person, pid, "old phone")
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := synth.Walk(synth.WalkParams{SampleRateHz: 100, StandBeforeS: 3, WalkS: 20, StandAfterS: 3, NoiseMS2: 0.05, NoGyro: true, Seed: 5})
	importFile := writeTotalAcceleration(t, t.TempDir(), rec, time.Date(2026, 2, 10, 10, 0, 0, 0, time.UTC))

	changes := []struct {
		name  string
		event string // the audit event the change is stored with: action and object (or its start)
		do    func() error
	}{
		{"upload", "create assessment:", func() error {
			_, _, err := a.CreateAssessment(person, upload(8, ""))
			return err
		}},
		{"upload with an idempotency key", "create assessment:", func() error {
			_, _, err := a.CreateAssessment(person, upload(9, "upload-key"))
			return err
		}},
		{"delete an assessment", fmt.Sprintf("delete assessment:%d", stored.ID), func() error {
			return a.DeleteAssessment(person, pid, stored.ID)
		}},
		{"diary entry", "create diary:", func() error {
			_, err := a.CreateDiaryEntry(person, &legwork.DiaryEntry{PersonID: pid, Severity: intp(6), Notes: "heat"})
			return err
		}},
		{"diary entry with an idempotency key", "create diary:", func() error {
			_, err := a.CreateDiaryEntry(person, &legwork.DiaryEntry{PersonID: pid, Fatigue: intp(7), ClientKey: "diary-key"})
			return err
		}},
		{"update a diary entry", fmt.Sprintf("update diary:%d", entries[0].ID), func() error {
			return a.UpdateDiaryEntry(person, &legwork.DiaryEntry{ID: entries[0].ID, PersonID: pid, Severity: intp(9)})
		}},
		{"delete a diary entry", fmt.Sprintf("delete diary:%d", entries[1].ID), func() error {
			return a.DeleteDiaryEntry(person, pid, entries[1].ID)
		}},
		{"intervention", "create intervention:", func() error {
			_, err := a.CreateIntervention(person, &legwork.Intervention{PersonID: pid, Kind: legwork.InterventionOther, Name: "cooling vest", StartDate: e.clock.Now()})
			return err
		}},
		{"update an intervention", fmt.Sprintf("update intervention:%d", ivs[0].ID), func() error {
			return a.UpdateIntervention(person, &legwork.Intervention{ID: ivs[0].ID, PersonID: pid, Kind: legwork.InterventionPhysicalTherapy, Name: "physio", StartDate: e.clock.Now()})
		}},
		{"delete an intervention", fmt.Sprintf("delete intervention:%d", ivs[1].ID), func() error {
			return a.DeleteIntervention(person, pid, ivs[1].ID)
		}},
		{"time zone and plan", "update plan", func() error {
			tz := "Europe/Berlin"
			_, err := a.UpdatePersonSettings(person, pid, app.SettingsUpdate{TimeZone: &tz, WeeklyPlan: map[legwork.TestType]int{legwork.TestT25FW: 3}})
			return err
		}},
		{"plan set by a clinician", "update plan", func() error {
			_, err := a.UpdatePersonSettings(as(e.clinician), pid, app.SettingsUpdate{WeeklyPlan: map[legwork.TestType]int{legwork.TestBalance: 1}})
			return err
		}},
		{"profile", fmt.Sprintf("update user:%d", pid), func() error {
			name := "Pat B."
			_, err := a.UpdateProfile(person, app.ProfileUpdate{Name: &name, WeeklyPlan: map[legwork.TestType]int{legwork.TestWalk2Min: 2}})
			return err
		}},
		{"invitation", "create invitation:", func() error {
			_, err := a.CreateInvitation(person, pid, "Dr Adeyemi")
			return err
		}},
		{"withdraw an invitation", fmt.Sprintf("delete invitation:%d", withdrawn.Invitation.ID), func() error {
			return a.DeleteInvitation(person, pid, withdrawn.Invitation.ID)
		}},
		{"accept an invitation", fmt.Sprintf("grant invitation:%d", accepted.Invitation.ID), func() error {
			_, err := a.AcceptInvitation(as(okafor), accepted.Code)
			return err
		}},
		{"revoke a grant", fmt.Sprintf("revoke grant:%d", e.clinician.ID), func() error {
			return a.RevokeGrant(person, pid, e.clinician.ID)
		}},
		{"import", "import assessments", func() error {
			_, err := a.ImportFiles(person, app.ImportOptions{PersonID: pid}, []string{importFile}, []string{"walk.csv"})
			return err
		}},
		{"create an account", "create user:", func() error {
			_, err := a.CreateUser(as(e.admin), app.NewUser{Email: "sam@example.org", Name: "Sam", Role: legwork.RolePerson, Password: testPassword})
			return err
		}},
		{"change the password", fmt.Sprintf("update user:%d", pid), func() error {
			return a.ChangePassword(person, testPassword, "a new password, long enough")
		}},
		{"reset a password", fmt.Sprintf("update user:%d", e.clinician.ID), func() error {
			return a.SetPassword(sys, e.clinician.ID, "another new password")
		}},
		{"API token", "create api_token:", func() error {
			_, err := a.CreateAPIToken(person, pid, "new phone")
			return err
		}},
		{"delete an API token", fmt.Sprintf("delete api_token:%d", tok.Token.ID), func() error {
			return a.DeleteAPIToken(person, tok.Token.ID)
		}},
		{"sign up", "create user:", func() error {
			_, err := a.SignUp(anon, app.SignUp{Email: "kim@example.org", Name: "Kim", Password: testPassword})
			return err
		}},
	}
	audit := func() []*legwork.AuditEvent {
		t.Helper()
		events, err := e.store.ListAudit(bg, legwork.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return events
	}
	for _, c := range changes {
		t.Run(c.name, func(t *testing.T) {
			before, events := e.state(t, a, login.Token), audit()
			fs.fail.Store(true)
			err := c.do()
			fs.fail.Store(false)
			if !errors.Is(err, errAuditRefused) || legwork.ErrorCode(err) != legwork.EINTERNAL ||
				!strings.Contains(legwork.ErrorMessage(err), "not saved") || !strings.Contains(legwork.ErrorMessage(err), "audit log") {
				t.Errorf("with the audit log failing: error %v (code %q, message %q), want the audit failure, EINTERNAL, saying the change was not saved",
					err, legwork.ErrorCode(err), legwork.ErrorMessage(err))
			}
			if diff := changed(before, e.state(t, a, login.Token)); len(diff) > 0 {
				t.Errorf("with the audit log failing, the change was stored without its audit event: %s changed", strings.Join(diff, ", "))
			}
			if n := len(audit()); n != len(events) {
				t.Errorf("with the audit log failing, %d audit events stored", n-len(events))
			}

			if err := c.do(); err != nil {
				t.Fatalf("with the audit log working: %v", err)
			}
			if len(changed(before, e.state(t, a, login.Token))) == 0 {
				t.Error("with the audit log working, the change stored nothing")
			}
			after := audit()
			var added []string
			for _, ev := range after[:len(after)-len(events)] {
				added = append(added, ev.Action+" "+ev.Object)
			}
			if !slices.ContainsFunc(added, func(s string) bool { return strings.HasPrefix(s, c.event) }) {
				t.Errorf("with the audit log working, audit events %q added, want %q", added, c.event)
			}
		})
	}
}

// TestReanalysisFailsWithoutItsAuditEvent: a re-analysis whose audit
// event cannot be stored keeps the old analysis and counts as failed.
func TestReanalysisFailsWithoutItsAuditEvent(t *testing.T) {
	e := newEnv(t)
	fs := &failingAudit{Store: e.store}
	a := app.New(app.Config{Store: fs, Now: e.clock.Now, Rand: rand.NewChaCha8([32]byte{4}), Password: fastPasswords,
		Logger: slog.New(slog.DiscardHandler)})
	bg := context.Background()
	sys := app.SystemContext(bg)
	as, _, err := a.CreateAssessment(e.as(e.person), &app.Upload{PersonID: e.person.ID, TestType: legwork.TestWalk, Placement: "lower_back", Format: app.FormatCSV, Data: walkCSV(t, 11)})
	if err != nil {
		t.Fatal(err)
	}
	// Analysed by an older algorithm.
	if err := e.store.UpdateAnalysis(bg, as.ID, "legwork-gait/0", []byte(`{}`), map[string]float64{"cadence_spm": 1}, nil); err != nil {
		t.Fatal(err)
	}
	reanalysed := func() int {
		t.Helper()
		events, err := e.store.ListAudit(bg, legwork.AuditFilter{PersonID: &e.person.ID})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, ev := range events {
			if ev.Action == "reanalyze" && ev.Object == fmt.Sprintf("assessment:%d", as.ID) {
				n++
			}
		}
		return n
	}

	fs.fail.Store(true)
	st, err := a.Reanalyze(sys, app.ReanalyzeOptions{})
	fs.fail.Store(false)
	if err != nil || st.Updated != 0 || st.Failed != 1 {
		t.Fatalf("with the audit log failing: %+v, %v; want one failed", st, err)
	}
	got, err := e.store.Assessment(bg, as.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.AlgorithmVersion != "legwork-gait/0" || got.Metrics["cadence_spm"] != 1 || reanalysed() != 0 {
		t.Fatalf("with the audit log failing: version %q, cadence %v, %d audit events; want the old analysis, no event",
			got.AlgorithmVersion, got.Metrics["cadence_spm"], reanalysed())
	}

	st, err = a.Reanalyze(sys, app.ReanalyzeOptions{})
	if err != nil || st.Updated != 1 {
		t.Fatalf("with the audit log working: %+v, %v", st, err)
	}
	if got, _ = e.store.Assessment(bg, as.ID); got.AlgorithmVersion != app.CurrentAlgorithmVersion() || reanalysed() != 1 {
		t.Fatalf("with the audit log working: version %q, %d audit events; want the current one and one", got.AlgorithmVersion, reanalysed())
	}
}
