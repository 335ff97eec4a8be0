package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"legwork"
	"legwork/app"
	"legwork/assess"
	"legwork/gait"
	"legwork/imu"
	"legwork/synth"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is an App on a fresh SQLite database with a person, a clinician the
// person invited, and an admin.
type env struct {
	app       *app.App
	store     legwork.Store
	clock     *clock
	person    *legwork.User
	clinician *legwork.User
	admin     *legwork.User
}

// fastPasswords keeps argon2id cheap in tests; hashes record their own
// parameters, so nothing else changes.
var fastPasswords = app.PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1}

const testPassword = "correct horse battery"

func newEnv(t *testing.T) *env {
	t.Helper()
	clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	db := openStore(t, clk.Now)
	a := app.New(app.Config{Store: db, Now: clk.Now, Rand: rand.NewChaCha8([32]byte{1}), Password: fastPasswords})
	e := &env{app: a, store: db, clock: clk}
	sys := app.SystemContext(context.Background())
	e.person = e.mustUser(t, sys, "pat@example.org", legwork.RolePerson, false)
	e.clinician = e.mustUser(t, sys, "dr.lee@example.org", legwork.RoleClinician, false)
	e.admin = e.mustUser(t, sys, "admin@example.org", legwork.RolePerson, true)
	inv, err := a.CreateInvitation(e.as(e.person), e.person.ID, "Dr Lee")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.AcceptInvitation(e.as(e.clinician), inv.Code); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) mustUser(t *testing.T, ctx context.Context, email string, role legwork.Role, admin bool) *legwork.User {
	t.Helper()
	u, err := e.app.CreateUser(ctx, app.NewUser{Email: email, Name: strings.Split(email, "@")[0], Role: role, Admin: admin, Password: testPassword, HeightM: 1.72})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// as returns a context signed in as u.
func (e *env) as(u *legwork.User) context.Context {
	return app.NewContext(context.Background(), &app.Actor{User: u, IP: "192.0.2.1"})
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := legwork.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
}

// walkCSV returns a synthetic 25-foot walk as legwork CSV.
func walkCSV(t testing.TB, seed uint64) []byte {
	t.Helper()
	rec, _ := synth.Walk(synth.WalkParams{StandBeforeS: 2, WalkS: 7, StandAfterS: 2, NoiseMS2: 0.05, Seed: seed})
	var b bytes.Buffer
	if err := imu.WriteCSV(&b, rec); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func walkRecording(seed uint64) *gait.Recording {
	rec, _ := synth.Walk(synth.WalkParams{StandBeforeS: 2, WalkS: 7, StandAfterS: 2, NoiseMS2: 0.05, Seed: seed})
	return rec
}

func TestPasswordHashing(t *testing.T) {
	e := newEnv(t)
	u, err := e.store.User(context.Background(), e.person.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(u.PasswordHash, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q is not an argon2id PHC string", u.PasswordHash)
	}
	if strings.Contains(u.PasswordHash, testPassword) {
		t.Fatal("the hash holds the password")
	}
	other, _ := e.store.User(context.Background(), e.clinician.ID)
	if other.PasswordHash == u.PasswordHash {
		t.Fatal("two accounts with one password have the same hash: no salt")
	}
	if _, err := e.app.Login(context.Background(), "pat@example.org", testPassword); err != nil {
		t.Fatalf("login: %v", err)
	}
	_, err = e.app.Login(context.Background(), "PAT@Example.org ", "wrong password!")
	wantCode(t, err, legwork.EUNAUTHORIZED)
}

func TestCreateUserValidation(t *testing.T) {
	e := newEnv(t)
	sys := app.SystemContext(context.Background())
	for _, tc := range []struct {
		nu    app.NewUser
		field string
	}{
		{app.NewUser{Email: "not-an-email", Name: "A", Role: legwork.RolePerson, Password: testPassword}, "email"},
		{app.NewUser{Email: "a@b.org", Name: "", Role: legwork.RolePerson, Password: testPassword}, "name"},
		{app.NewUser{Email: "a@b.org", Name: "A", Role: "nurse", Password: testPassword}, "role"},
		{app.NewUser{Email: "a@b.org", Name: "A", Role: legwork.RolePerson, Password: "short"}, "password"},
		{app.NewUser{Email: "a@b.org", Name: "A", Role: legwork.RolePerson, Password: testPassword, HeightM: 172}, "height_m"},
	} {
		_, err := e.app.CreateUser(sys, tc.nu)
		wantCode(t, err, legwork.EINVALID)
		if f := legwork.ErrorField(err); f != tc.field {
			t.Errorf("%+v: field %q, want %q", tc.nu, f, tc.field)
		}
	}
	_, err := e.app.CreateUser(sys, app.NewUser{Email: "Pat@Example.org", Name: "Pat 2", Role: legwork.RolePerson, Password: testPassword})
	wantCode(t, err, legwork.ECONFLICT)
	_, err = e.app.CreateUser(e.as(e.person), app.NewUser{Email: "x@y.org", Name: "X", Role: legwork.RolePerson, Password: testPassword})
	wantCode(t, err, legwork.EFORBIDDEN)
	if _, err := e.app.CreateUser(e.as(e.admin), app.NewUser{Email: "x@y.org", Name: "X", Role: legwork.RolePerson, Password: testPassword}); err != nil {
		t.Fatalf("admin creates an account: %v", err)
	}
}

func TestLoginRateLimit(t *testing.T) {
	e := newEnv(t)
	ctx := app.NewContext(context.Background(), &app.Actor{IP: "198.51.100.7"})
	for i := 0; i < app.DefaultLoginLimits.Account; i++ {
		_, err := e.app.Login(ctx, "pat@example.org", "wrong password!")
		wantCode(t, err, legwork.EUNAUTHORIZED)
	}
	// Locked now, even with the right password.
	_, err := e.app.Login(ctx, "pat@example.org", testPassword)
	wantCode(t, err, legwork.ETOOMANY)
	var ra app.RetryAfter
	if !errors.As(err, &ra) || time.Duration(ra) <= 0 || time.Duration(ra) > app.DefaultLoginLimits.Window {
		t.Fatalf("retry after %v", time.Duration(ra))
	}
	// Another account from another address is not affected.
	other := app.NewContext(context.Background(), &app.Actor{IP: "198.51.100.8"})
	if _, err := e.app.Login(other, "dr.lee@example.org", testPassword); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(app.DefaultLoginLimits.Window + time.Second)
	if _, err := e.app.Login(ctx, "pat@example.org", testPassword); err != nil {
		t.Fatalf("after the window: %v", err)
	}

	// Per address: many accounts from one address.
	for i := 0; i < app.DefaultLoginLimits.IP; i++ {
		e.app.Login(ctx, "nobody"+string(rune('a'+i))+"@example.org", "wrong password!")
	}
	_, err = e.app.Login(ctx, "dr.lee@example.org", testPassword)
	wantCode(t, err, legwork.ETOOMANY)
	if _, err := e.app.Login(other, "dr.lee@example.org", testPassword); err != nil {
		t.Fatalf("from another address: %v", err)
	}
}

func TestSessions(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	l, err := e.app.Login(ctx, "pat@example.org", testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Token) < 40 {
		t.Fatalf("token %q too short", l.Token)
	}
	act, err := e.app.Authenticate(ctx, l.Token, "192.0.2.1")
	if err != nil || act.User.ID != e.person.ID {
		t.Fatalf("authenticate: %v %+v", err, act)
	}
	// Expiry.
	e.clock.Advance(15 * 24 * time.Hour)
	_, err = e.app.Authenticate(ctx, l.Token, "")
	wantCode(t, err, legwork.EUNAUTHORIZED)

	// Logout ends the session on the server.
	l, _ = e.app.Login(ctx, "pat@example.org", testPassword)
	act, _ = e.app.Authenticate(ctx, l.Token, "")
	if err := e.app.Logout(app.NewContext(ctx, act)); err != nil {
		t.Fatal(err)
	}
	_, err = e.app.Authenticate(ctx, l.Token, "")
	wantCode(t, err, legwork.EUNAUTHORIZED)

	// A password change ends every session.
	l1, _ := e.app.Login(ctx, "pat@example.org", testPassword)
	l2, _ := e.app.Login(ctx, "pat@example.org", testPassword)
	act, _ = e.app.Authenticate(ctx, l1.Token, "")
	err = e.app.ChangePassword(app.NewContext(ctx, act), "wrong", "a new long password")
	wantCode(t, err, legwork.EINVALID)
	if err := e.app.ChangePassword(app.NewContext(ctx, act), testPassword, "a new long password"); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{l1.Token, l2.Token} {
		_, err = e.app.Authenticate(ctx, tok, "")
		wantCode(t, err, legwork.EUNAUTHORIZED)
	}
	if _, err := e.app.Login(ctx, "pat@example.org", "a new long password"); err != nil {
		t.Fatal(err)
	}

	// Guessing the current password through a session is rate limited.
	l3, _ := e.app.Login(ctx, "pat@example.org", "a new long password")
	act, _ = e.app.Authenticate(ctx, l3.Token, "203.0.113.9")
	sctx := app.NewContext(ctx, act)
	for i := 0; i < app.DefaultLoginLimits.Account; i++ {
		wantCode(t, e.app.ChangePassword(sctx, "guess number "+string(rune('a'+i)), "whatever it is now"), legwork.EINVALID)
	}
	wantCode(t, e.app.ChangePassword(sctx, "a new long password", "whatever it is now"), legwork.ETOOMANY)
}

func TestAPITokens(t *testing.T) {
	e := newEnv(t)
	ctx := e.as(e.person)
	nt, err := e.app.CreateAPIToken(ctx, e.person.ID, "phone")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(nt.Secret, "lw_") {
		t.Fatalf("secret %q", nt.Secret)
	}
	act, err := e.app.Authenticate(context.Background(), nt.Secret, "")
	if err != nil || act.User.ID != e.person.ID || act.TokenID != nt.Token.ID {
		t.Fatalf("authenticate: %v %+v", err, act)
	}
	list, err := e.app.ListAPITokens(ctx)
	if err != nil || len(list) != 1 || list[0].Name != "phone" || list[0].LastUsedAt == nil {
		t.Fatalf("list: %v %+v", err, list)
	}
	_, err = e.app.CreateAPIToken(ctx, e.clinician.ID, "not mine")
	wantCode(t, err, legwork.EFORBIDDEN)
	if err := e.app.DeleteAPIToken(ctx, nt.Token.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.app.Authenticate(context.Background(), nt.Secret, "")
	wantCode(t, err, legwork.EUNAUTHORIZED)
}

func TestInvitations(t *testing.T) {
	e := newEnv(t)
	sys := app.SystemContext(context.Background())
	dr2 := e.mustUser(t, sys, "dr.kim@example.org", legwork.RoleClinician, false)
	other := e.mustUser(t, sys, "sam@example.org", legwork.RolePerson, false)

	inv, err := e.app.CreateInvitation(e.as(e.person), e.person.ID, "Dr Kim")
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Code) != 29 {
		t.Fatalf("code %q", inv.Code)
	}
	// Only the person invites; only clinicians accept.
	_, err = e.app.CreateInvitation(e.as(e.clinician), e.person.ID, "")
	wantCode(t, err, legwork.EFORBIDDEN)
	_, err = e.app.CreateInvitation(e.as(other), e.person.ID, "")
	wantCode(t, err, legwork.ENOTFOUND)
	_, err = e.app.AcceptInvitation(e.as(other), inv.Code)
	wantCode(t, err, legwork.EFORBIDDEN)
	_, err = e.app.AcceptInvitation(e.as(dr2), "AAAA-BBBB")
	wantCode(t, err, legwork.ENOTFOUND)

	// Before accepting, Dr Kim sees nothing.
	_, err = e.app.ListDiaryEntries(e.as(dr2), legwork.DiaryFilter{PersonID: e.person.ID})
	wantCode(t, err, legwork.ENOTFOUND)
	// Codes are accepted as typed: lower case, spaces for dashes.
	typed := strings.ToLower(strings.ReplaceAll(inv.Code, "-", " "))
	g, err := e.app.AcceptInvitation(e.as(dr2), typed)
	if err != nil {
		t.Fatal(err)
	}
	if g.PersonID != e.person.ID || g.ClinicianID != dr2.ID {
		t.Fatalf("grant %+v", g)
	}
	_, err = e.app.AcceptInvitation(e.as(e.clinician), inv.Code)
	wantCode(t, err, legwork.ECONFLICT)

	people, err := e.app.People(e.as(dr2))
	if err != nil || len(people) != 1 || people[0].PersonID != e.person.ID {
		t.Fatalf("people: %v %+v", err, people)
	}
	if _, err := e.app.ListDiaryEntries(e.as(dr2), legwork.DiaryFilter{PersonID: e.person.ID}); err != nil {
		t.Fatal(err)
	}
	// The person sees who has access and revokes it.
	grants, err := e.app.ListGrants(e.as(e.person), e.person.ID)
	if err != nil || len(grants) != 2 {
		t.Fatalf("grants: %v %+v", err, grants)
	}
	if err := e.app.RevokeGrant(e.as(e.person), e.person.ID, dr2.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.app.ListDiaryEntries(e.as(dr2), legwork.DiaryFilter{PersonID: e.person.ID})
	wantCode(t, err, legwork.EFORBIDDEN)
	people, _ = e.app.People(e.as(dr2))
	if len(people) != 0 {
		t.Fatalf("revoked clinician still lists %+v", people)
	}

	// Expired invitations cannot be used.
	inv2, _ := e.app.CreateInvitation(e.as(e.person), e.person.ID, "")
	e.clock.Advance(15 * 24 * time.Hour)
	_, err = e.app.AcceptInvitation(e.as(dr2), inv2.Code)
	wantCode(t, err, legwork.ECONFLICT)
	// Withdrawn invitations neither.
	inv3, _ := e.app.CreateInvitation(e.as(e.person), e.person.ID, "")
	if err := e.app.DeleteInvitation(e.as(e.person), e.person.ID, inv3.Invitation.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.app.AcceptInvitation(e.as(dr2), inv3.Code)
	wantCode(t, err, legwork.ENOTFOUND)
	// A new invitation re-activates a revoked clinician.
	inv4, _ := e.app.CreateInvitation(e.as(e.person), e.person.ID, "")
	if _, err := e.app.AcceptInvitation(e.as(dr2), inv4.Code); err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.ListDiaryEntries(e.as(dr2), legwork.DiaryFilter{PersonID: e.person.ID}); err != nil {
		t.Fatalf("after a new invitation: %v", err)
	}
}

func TestAssessmentUpload(t *testing.T) {
	e := newEnv(t)
	ctx := e.as(e.person)
	rec := walkRecording(7)
	var csvData, jsonData, lwbData bytes.Buffer
	imu.WriteCSV(&csvData, rec)
	imu.WriteJSON(&jsonData, rec, "TestPhone/1.0")
	imu.WriteLWB(&lwbData, rec)
	for _, tc := range []struct {
		format string
		data   []byte
	}{{app.FormatCSV, csvData.Bytes()}, {app.FormatJSON, jsonData.Bytes()}, {app.FormatLWB, lwbData.Bytes()}} {
		t.Run(tc.format, func(t *testing.T) {
			as, _, err := e.app.CreateAssessment(ctx, &app.Upload{PersonID: e.person.ID, TestType: legwork.TestT25FW, Placement: "lower_back",
				Format: tc.format, Data: tc.data, Tags: []string{"morning", " morning ", ""}, Context: "cool day"})
			if err != nil {
				t.Fatal(err)
			}
			if as.ID == 0 || as.AlgorithmVersion != app.CurrentAlgorithmVersion() || !as.HasRaw {
				t.Fatalf("assessment %+v", as)
			}
			if v := as.Metrics["t25fw_time_s"]; !(v > 5 && v < 15) {
				t.Errorf("t25fw_time_s = %v", v)
			}
			if v := as.Metrics["cadence_spm"]; !(v > 100 && v < 120) {
				t.Errorf("cadence_spm = %v, want about 110", v)
			}
			if len(as.Tags) != 1 || as.Device != legwork.DeviceNone || as.Source != "legwork" {
				t.Errorf("metadata %+v", as)
			}
			if tc.format == app.FormatJSON && as.UserAgent != "TestPhone/1.0" {
				t.Errorf("user agent %q", as.UserAgent)
			}
			raw, err := e.app.Recording(ctx, e.person.ID, as.ID)
			if err != nil {
				t.Fatal(err)
			}
			if raw.Format != tc.format || !bytes.Equal(raw.Data, tc.data) || raw.Samples != len(rec.Samples) {
				t.Fatalf("raw recording differs: format %s, %d bytes, %d samples", raw.Format, len(raw.Data), raw.Samples)
			}
			stored, err := e.store.Recording(context.Background(), as.ID)
			if err != nil || stored.Encoding != "gzip" || len(stored.Data) >= len(tc.data) {
				t.Fatalf("stored: %v %s %d bytes of %d", err, stored.Encoding, len(stored.Data), len(tc.data))
			}
			got, err := e.app.Assessment(ctx, e.person.ID, as.ID)
			if err != nil || got.Metrics["cadence_spm"] != as.Metrics["cadence_spm"] || len(got.Result) == 0 {
				t.Fatalf("read back: %v %+v", err, got)
			}
		})
	}
	list, err := e.app.ListAssessments(ctx, legwork.AssessmentFilter{PersonID: e.person.ID, TestType: legwork.TestT25FW})
	if err != nil || len(list) != 3 {
		t.Fatalf("list: %v, %d items", err, len(list))
	}
	pts, err := e.app.MetricSeries(e.as(e.clinician), legwork.MetricFilter{PersonID: e.person.ID, Metric: "cadence_spm"})
	if err != nil || len(pts) != 3 {
		t.Fatalf("series: %v %+v", err, pts)
	}
	// A measure legwork knows that the person has no values of yet is an
	// empty series; a name that is neither known nor the person's is
	// refused, with the person's measures to choose from.
	for _, m := range []string{"sts5_time_s", "walking_speed_over_30s_mean_mps", "steps_per_day", "apple_walking_speed_mps"} {
		// of the guided tests, of a wearable's daily summaries, of Apple Health
		pts, err = e.app.MetricSeries(ctx, legwork.MetricFilter{PersonID: e.person.ID, Metric: m})
		if err != nil || len(pts) != 0 {
			t.Errorf("known measure %s without values: %v %+v", m, err, pts)
		}
	}
	_, err = e.app.MetricSeries(ctx, legwork.MetricFilter{PersonID: e.person.ID, Metric: "cadense_spm"})
	wantCode(t, err, legwork.ENOTFOUND)
	if msg := legwork.ErrorMessage(err); !strings.Contains(msg, `"cadense_spm"`) || !strings.Contains(msg, "cadence_spm") {
		t.Errorf("mistyped measure: %q", msg)
	}
}

func TestAssessmentUploadErrors(t *testing.T) {
	e := newEnv(t)
	ctx := e.as(e.person)
	good := walkCSV(t, 1)
	up := func(mod func(*app.Upload)) error {
		u := &app.Upload{PersonID: e.person.ID, TestType: legwork.TestWalk, Placement: "lower_back", Format: app.FormatCSV, Data: good}
		mod(u)
		_, _, err := e.app.CreateAssessment(ctx, u)
		return err
	}
	for _, tc := range []struct {
		name, code, field, msg string
		mod                    func(*app.Upload)
	}{
		{"test type", legwork.EINVALID, "test_type", "", func(u *app.Upload) { u.TestType = "marathon" }},
		{"placement", legwork.EINVALID, "placement", "", func(u *app.Upload) { u.Placement = "forehead" }},
		{"device", legwork.EINVALID, "assistive_device", "", func(u *app.Upload) { u.Device = "skateboard" }},
		{"future", legwork.EINVALID, "recorded_at", "", func(u *app.Upload) { u.RecordedAt = e.clock.Now().Add(48 * time.Hour) }},
		{"format", legwork.EINVALID, "format", "", func(u *app.Upload) { u.Format = "xlsx" }},
		{"empty", legwork.EINVALID, "recording", "", func(u *app.Upload) { u.Data = nil }},
		{"bad csv", legwork.EINVALID, "recording", "line 3", func(u *app.Upload) {
			u.Data = []byte("t,ax,ay,az,gx,gy,gz\n0,0,0,9.8,,,\n0.01,zero,0,9.8,,,\n")
		}},
		{"header only", legwork.EUNPROCESSABLE, "recording", "", func(u *app.Upload) { u.Data = []byte("t,ax,ay,az\n") }},
		{"bad lwb", legwork.EINVALID, "recording", "magic", func(u *app.Upload) { u.Format = app.FormatLWB }},
		{"tags", legwork.EINVALID, "tags", "", func(u *app.Upload) { u.Tags = []string{strings.Repeat("x", 51)} }},
	} {
		err := up(tc.mod)
		if legwork.ErrorCode(err) != tc.code || legwork.ErrorField(err) != tc.field || !strings.Contains(legwork.ErrorMessage(err), tc.msg) {
			t.Errorf("%s: %v (code %q field %q), want %s on %s mentioning %q", tc.name, err, legwork.ErrorCode(err), legwork.ErrorField(err), tc.code, tc.field, tc.msg)
		}
	}
	// Clinicians read; they do not upload.
	_, _, err := e.app.CreateAssessment(e.as(e.clinician), &app.Upload{PersonID: e.person.ID, TestType: legwork.TestWalk, Format: app.FormatCSV, Data: good})
	wantCode(t, err, legwork.EFORBIDDEN)
	list, _ := e.app.ListAssessments(ctx, legwork.AssessmentFilter{PersonID: e.person.ID})
	if len(list) != 0 {
		t.Fatalf("refused uploads were stored: %d", len(list))
	}
}

// TestUnfitRecordingIsKept uploads a walk as a balance test: it does not
// fit the protocol, so it is stored with the problems and no metrics.
func TestUnfitRecordingIsKept(t *testing.T) {
	e := newEnv(t)
	ctx := e.as(e.person)
	as, _, err := e.app.CreateAssessment(ctx, &app.Upload{PersonID: e.person.ID, TestType: legwork.TestBalance, Placement: "lower_back", Format: app.FormatCSV, Data: walkCSV(t, 2)})
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Valid    bool             `json:"valid"`
		Problems []assess.Problem `json:"problems"`
	}
	if err := json.Unmarshal(as.Result, &res); err != nil {
		t.Fatal(err)
	}
	if res.Valid || len(res.Problems) == 0 || len(as.Metrics) != 0 || len(as.Quality) == 0 {
		t.Fatalf("a walk scored as balance: valid %v, problems %+v, metrics %v, quality %v", res.Valid, res.Problems, as.Metrics, as.Quality)
	}
	if !slices.Contains(as.Quality, res.Problems[0].Code) {
		t.Errorf("quality %v lacks the problem %s", as.Quality, res.Problems[0].Code)
	}
	if _, err := e.app.Recording(ctx, e.person.ID, as.ID); err != nil {
		t.Fatalf("recording not kept: %v", err)
	}
}

// TestSegmentsSurviveReanalysis checks that the app's markers are kept
// with the result and given again to a re-analysis.
func TestSegmentsSurviveReanalysis(t *testing.T) {
	e := newEnv(t)
	ctx := e.as(e.person)
	segs := []assess.Segment{{Name: "trial1", StartS: 0, EndS: 11}}
	_, _, err := e.app.CreateAssessment(ctx, &app.Upload{PersonID: e.person.ID, TestType: legwork.TestT25FW, Placement: "lower_back", Format: app.FormatCSV, Data: walkCSV(t, 3),
		Segments: []assess.Segment{{Name: "Trial 1", StartS: 0, EndS: 11}}})
	wantCode(t, err, legwork.EINVALID)
	_, _, err = e.app.CreateAssessment(ctx, &app.Upload{PersonID: e.person.ID, TestType: legwork.TestT25FW, Placement: "lower_back", Format: app.FormatCSV, Data: walkCSV(t, 3),
		Segments: []assess.Segment{{Name: "trial1", StartS: 5, EndS: 1}}})
	wantCode(t, err, legwork.EINVALID)
	as, _, err := e.app.CreateAssessment(ctx, &app.Upload{PersonID: e.person.ID, TestType: legwork.TestT25FW, Placement: "lower_back", Format: app.FormatCSV, Data: walkCSV(t, 3), Segments: segs, PhoneFrame: true})
	if err != nil {
		t.Fatal(err)
	}
	input := func(raw []byte) app.AnalysisInput {
		var r struct {
			Input app.AnalysisInput `json:"input"`
		}
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatal(err)
		}
		return r.Input
	}
	if in := input(as.Result); !in.PhoneFrame || !slices.Equal(in.Segments, segs) {
		t.Fatalf("input %+v", in)
	}
	if _, err := e.app.Reanalyze(app.SystemContext(context.Background()), app.ReanalyzeOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	got, _ := e.store.Assessment(context.Background(), as.ID)
	if in := input(got.Result); !in.PhoneFrame || !slices.Equal(in.Segments, segs) {
		t.Fatalf("after re-analysis: input %+v", in)
	}
}

func TestReanalyze(t *testing.T) {
	e := newEnv(t)
	ctx := e.as(e.person)
	var ids []int64
	for i := range 3 {
		as, _, err := e.app.CreateAssessment(ctx, &app.Upload{PersonID: e.person.ID, TestType: legwork.TestWalk, Placement: "lower_back", Format: app.FormatCSV, Data: walkCSV(t, uint64(10+i))})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, as.ID)
	}
	// Pretend two were analysed by an older algorithm.
	bg := context.Background()
	for _, id := range ids[:2] {
		if err := e.store.UpdateAnalysis(bg, id, "legwork-gait/0", []byte(`{}`), map[string]float64{"cadence_spm": 1}, nil); err != nil {
			t.Fatal(err)
		}
	}
	_, err := e.app.Reanalyze(ctx, app.ReanalyzeOptions{})
	wantCode(t, err, legwork.EFORBIDDEN)
	var calls int
	st, err := e.app.Reanalyze(app.SystemContext(bg), app.ReanalyzeOptions{Progress: func(done, total int) { calls++ }})
	if err != nil {
		t.Fatal(err)
	}
	if st.Total != 3 || st.Updated != 2 || st.Unchanged != 1 || st.Failed != 0 || calls != 3 {
		t.Fatalf("stats %+v, %d progress calls", st, calls)
	}
	for _, id := range ids {
		as, _ := e.store.Assessment(bg, id)
		if as.AlgorithmVersion != app.CurrentAlgorithmVersion() || as.Metrics["cadence_spm"] < 100 {
			t.Fatalf("assessment %d: version %q cadence %v", id, as.AlgorithmVersion, as.Metrics["cadence_spm"])
		}
	}
	st, err = e.app.Reanalyze(app.SystemContext(bg), app.ReanalyzeOptions{All: true})
	if err != nil || st.Updated != 3 {
		t.Fatalf("all: %v %+v", err, st)
	}
}

func intp(i int) *int { return &i }

func TestDiaryValidation(t *testing.T) {
	e := newEnv(t)
	ctx := e.as(e.person)
	now := e.clock.Now()
	for _, tc := range []struct {
		name  string
		entry legwork.DiaryEntry
		field string
	}{
		{"severity high", legwork.DiaryEntry{Severity: intp(11)}, "severity"},
		{"severity low", legwork.DiaryEntry{Severity: intp(-1)}, "severity"},
		{"fatigue", legwork.DiaryEntry{Fatigue: intp(12)}, "fatigue"},
		{"sensation", legwork.DiaryEntry{Sensations: []string{"tingly"}}, "sensations"},
		{"leg", legwork.DiaryEntry{Severity: intp(3), Leg: "middle"}, "leg"},
		{"time of day", legwork.DiaryEntry{Severity: intp(3), TimeOfDay: "noon"}, "time_of_day"},
		{"trigger", legwork.DiaryEntry{Triggers: []string{"moon"}}, "triggers"},
		{"fall kind", legwork.DiaryEntry{Fall: &legwork.Fall{Kind: "trip"}}, "fall.kind"},
		{"future", legwork.DiaryEntry{Severity: intp(3), At: now.Add(72 * time.Hour)}, "at"},
		{"empty", legwork.DiaryEntry{}, "severity"},
		{"own words", legwork.DiaryEntry{SensationOther: strings.Repeat("a", 501)}, "sensation_other"},
		{"control", legwork.DiaryEntry{Notes: "a\x00b"}, "notes"},
	} {
		e2 := tc.entry
		e2.PersonID = e.person.ID
		_, err := e.app.CreateDiaryEntry(ctx, &e2)
		if legwork.ErrorCode(err) != legwork.EINVALID || legwork.ErrorField(err) != tc.field {
			t.Errorf("%s: %v (field %q), want invalid %s", tc.name, err, legwork.ErrorField(err), tc.field)
		}
	}
	entry := &legwork.DiaryEntry{PersonID: e.person.ID, At: now.Add(-time.Hour), Severity: intp(6), Sensations: []string{"jelly", "buckling", "jelly"},
		SensationOther: "like walking through mud", Leg: "left", TimeOfDay: "afternoon", Triggers: []string{"heat"}, Fatigue: intp(7),
		Fall: &legwork.Fall{Kind: "near_fall", Circumstances: "knee gave way on the stairs"}}
	if _, err := e.app.CreateDiaryEntry(ctx, entry); err != nil {
		t.Fatal(err)
	}
	got, err := e.app.DiaryEntry(e.as(e.clinician), e.person.ID, entry.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Sensations) != 2 || got.Fall == nil || got.Fall.Kind != "near_fall" || *got.Severity != 6 {
		t.Fatalf("entry %+v", got)
	}
	err = e.app.UpdateDiaryEntry(e.as(e.clinician), &legwork.DiaryEntry{ID: entry.ID, PersonID: e.person.ID, Severity: intp(1)})
	wantCode(t, err, legwork.EFORBIDDEN)
	entry.Severity = intp(4)
	if err := e.app.UpdateDiaryEntry(ctx, entry); err != nil {
		t.Fatal(err)
	}
	if err := e.app.DeleteDiaryEntry(ctx, e.person.ID, entry.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.app.DiaryEntry(ctx, e.person.ID, entry.ID)
	wantCode(t, err, legwork.ENOTFOUND)
}

func TestInterventionValidation(t *testing.T) {
	e := newEnv(t)
	ctx := e.as(e.person)
	day := time.Date(2026, 1, 5, 15, 0, 0, 0, time.UTC)
	before := day.Add(-48 * time.Hour)
	for _, tc := range []struct {
		name  string
		iv    legwork.Intervention
		field string
	}{
		{"kind", legwork.Intervention{Kind: "magic", Name: "x", StartDate: day}, "kind"},
		{"name", legwork.Intervention{Kind: legwork.InterventionPhysicalTherapy, StartDate: day}, "name"},
		{"start", legwork.Intervention{Kind: legwork.InterventionPhysicalTherapy, Name: "Physio"}, "start_date"},
		{"end before start", legwork.Intervention{Kind: legwork.InterventionPhysicalTherapy, Name: "Physio", StartDate: day, EndDate: &before}, "end_date"},
		{"device missing", legwork.Intervention{Kind: legwork.InterventionAssistiveDevice, Name: "Cane", StartDate: day}, "device"},
		{"device on therapy", legwork.Intervention{Kind: legwork.InterventionPhysicalTherapy, Name: "Physio", Device: legwork.DeviceCane, StartDate: day}, "device"},
	} {
		iv := tc.iv
		iv.PersonID = e.person.ID
		_, err := e.app.CreateIntervention(ctx, &iv)
		if legwork.ErrorCode(err) != legwork.EINVALID || legwork.ErrorField(err) != tc.field {
			t.Errorf("%s: %v (field %q), want invalid %s", tc.name, err, legwork.ErrorField(err), tc.field)
		}
	}
	end := day.Add(42 * 24 * time.Hour)
	iv := &legwork.Intervention{PersonID: e.person.ID, Kind: legwork.InterventionPhysicalTherapy, Name: "Physio, twice weekly", StartDate: day, EndDate: &end}
	if _, err := e.app.CreateIntervention(ctx, iv); err != nil {
		t.Fatal(err)
	}
	if !iv.StartDate.Equal(time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("start date not a date: %v", iv.StartDate)
	}
	list, err := e.app.ListInterventions(e.as(e.clinician), e.person.ID)
	if err != nil || len(list) != 1 || list[0].Name != iv.Name {
		t.Fatalf("list: %v %+v", err, list)
	}
	err = e.app.DeleteIntervention(e.as(e.clinician), e.person.ID, iv.ID)
	wantCode(t, err, legwork.EFORBIDDEN)
}

func TestReadsAreAudited(t *testing.T) {
	e := newEnv(t)
	bg := context.Background()
	before, _ := e.store.ListAudit(bg, legwork.AuditFilter{PersonID: &e.person.ID, Page: legwork.Page{Limit: 500}})
	if _, err := e.app.ListDiaryEntries(e.as(e.clinician), legwork.DiaryFilter{PersonID: e.person.ID}); err != nil {
		t.Fatal(err)
	}
	after, _ := e.store.ListAudit(bg, legwork.AuditFilter{PersonID: &e.person.ID, Page: legwork.Page{Limit: 500}})
	if len(after) != len(before)+1 {
		t.Fatalf("%d audit events before, %d after", len(before), len(after))
	}
	ev := after[0]
	if ev.Action != "read" || ev.Object != "diary" || ev.ActorID == nil || *ev.ActorID != e.clinician.ID || ev.IP != "192.0.2.1" || !ev.At.Equal(e.clock.Now()) {
		t.Fatalf("event %+v", ev)
	}
	// The person sees the event; the clinician cannot read the log.
	evs, err := e.app.ListAudit(e.as(e.person), e.person.ID, legwork.Page{})
	if err != nil || len(evs) == 0 {
		t.Fatalf("audit: %v", err)
	}
	_, err = e.app.ListAudit(e.as(e.clinician), e.person.ID, legwork.Page{})
	wantCode(t, err, legwork.EFORBIDDEN)
	// and is told what they were refused, not a message about sharing
	if msg := legwork.ErrorMessage(err); !strings.Contains(msg, "log of who looked at their data") {
		t.Errorf("clinician reading the audit log: %q", msg)
	}
	// Denied attempts are recorded against the actor.
	stranger := e.mustUser(t, app.SystemContext(bg), "eve@example.org", legwork.RoleClinician, false)
	_, err = e.app.ListDiaryEntries(e.as(stranger), legwork.DiaryFilter{PersonID: e.person.ID})
	wantCode(t, err, legwork.ENOTFOUND)
	denied, _ := e.store.ListAudit(bg, legwork.AuditFilter{ActorID: &stranger.ID})
	if len(denied) != 1 || denied[0].Action != "denied" {
		t.Fatalf("denied events %+v", denied)
	}
}
