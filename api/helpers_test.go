package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"legwork"
	"legwork/api"
	"legwork/app"
	"legwork/imu"
	"legwork/sqlite"
	"legwork/synth"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

const testPassword = "correct horse battery"

// fixture is a running server with a person and the people around them.
type fixture struct {
	t       *testing.T
	srv     *httptest.Server
	api     *api.Server
	app     *app.App
	store   legwork.Store
	clock   *clock
	cookies map[string]*http.Cookie // actor name → session cookie
	users   map[string]*legwork.User

	// The person's data.
	assessment   *legwork.Assessment
	diary        *legwork.DiaryEntry
	intervention *legwork.Intervention
	invitation   *app.NewInvitation
	token        *app.NewToken
}

// Actors of the authorisation matrix.
const (
	anonymous = "anonymous"
	owner     = "owner"
	other     = "another person"
	clinician = "invited clinician"
	stranger  = "clinician not invited"
	revoked   = "revoked clinician"
)

var actors = []string{anonymous, owner, other, clinician, stranger, revoked}

var fastPasswords = app.PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1}

// openStore opens the store the tests run on: SQLite in a temporary
// directory, or PostgreSQL when LEGWORK_TEST_POSTGRES is set (see
// TestMain).
func openStore(t testing.TB) legwork.Store {
	t.Helper()
	if pg := postgresStore(t); pg != nil {
		return pg
	}
	db, err := sqlite.Open(t.TempDir() + "/legwork.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func newFixture(t *testing.T, opt api.Options) *fixture {
	t.Helper()
	store := openStore(t)
	clk := &clock{t: time.Now().UTC().Truncate(time.Second)}
	a := app.New(app.Config{Store: store, Now: clk.Now, Rand: rand.NewChaCha8(seed()), Password: fastPasswords})
	opt.App = a
	s := api.NewServer(opt)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	f := &fixture{t: t, srv: srv, api: s, app: a, store: store, clock: clk, cookies: map[string]*http.Cookie{}, users: map[string]*legwork.User{}}

	sys := app.SystemContext(context.Background())
	add := func(name string, role legwork.Role) *legwork.User {
		email := strings.ReplaceAll(name, " ", ".") + "." + randomSuffix() + "@example.org"
		u, err := a.CreateUser(sys, app.NewUser{Email: email, Name: name, Role: role, Password: testPassword, HeightM: 1.75})
		if err != nil {
			t.Fatal(err)
		}
		f.users[name] = u
		l, err := a.Login(context.Background(), email, testPassword)
		if err != nil {
			t.Fatal(err)
		}
		f.cookies[name] = &http.Cookie{Name: api.SessionCookie, Value: l.Token}
		return u
	}
	p := add(owner, legwork.RolePerson)
	add(other, legwork.RolePerson)
	c := add(clinician, legwork.RoleClinician)
	add(stranger, legwork.RoleClinician)
	r := add(revoked, legwork.RoleClinician)
	pctx := f.ctx(owner)
	for _, cl := range []*legwork.User{c, r} {
		inv, err := a.CreateInvitation(pctx, p.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.AcceptInvitation(app.NewContext(context.Background(), &app.Actor{User: cl}), inv.Code); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.RevokeGrant(pctx, p.ID, r.ID); err != nil {
		t.Fatal(err)
	}
	var err error
	f.assessment, _, err = a.CreateAssessment(pctx, &app.Upload{PersonID: p.ID, TestType: legwork.TestT25FW, Placement: "lower_back", Format: app.FormatCSV, Data: walkCSV(t, 1)})
	if err != nil {
		t.Fatal(err)
	}
	sev := 4
	f.diary = &legwork.DiaryEntry{PersonID: p.ID, Severity: &sev, Sensations: []string{"heavy"}}
	if _, err := a.CreateDiaryEntry(pctx, f.diary); err != nil {
		t.Fatal(err)
	}
	f.intervention = &legwork.Intervention{PersonID: p.ID, Kind: legwork.InterventionPhysicalTherapy, Name: "Physio", StartDate: clk.Now().AddDate(0, -1, 0)}
	if _, err := a.CreateIntervention(pctx, f.intervention); err != nil {
		t.Fatal(err)
	}
	if f.invitation, err = a.CreateInvitation(pctx, p.ID, "for the matrix"); err != nil {
		t.Fatal(err)
	}
	if f.token, err = a.CreateAPIToken(pctx, p.ID, "phone"); err != nil {
		t.Fatal(err)
	}
	return f
}

var suffixRand = rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
var suffixMu sync.Mutex

// seed returns a fresh seed: fixtures that share a PostgreSQL database
// must not make the same secrets.
func seed() [32]byte {
	suffixMu.Lock()
	defer suffixMu.Unlock()
	var s [32]byte
	for i := range s {
		s[i] = byte(suffixRand.Uint32())
	}
	return s
}

// randomSuffix keeps emails unique when tests share a PostgreSQL database.
func randomSuffix() string {
	suffixMu.Lock()
	defer suffixMu.Unlock()
	const letters = "abcdefghijklmnopqrstuvwxyz"
	b := make([]byte, 8)
	for i := range b {
		b[i] = letters[suffixRand.IntN(len(letters))]
	}
	return string(b)
}

func (f *fixture) ctx(actor string) context.Context {
	return app.NewContext(context.Background(), &app.Actor{User: f.users[actor]})
}

func (f *fixture) person() *legwork.User { return f.users[owner] }

// request is an HTTP request to the fixture's server.
type request struct {
	method, path string
	body         []byte
	contentType  string
	header       map[string]string
}

func (f *fixture) do(actor string, rq request) (*http.Response, []byte) {
	f.t.Helper()
	req, err := http.NewRequest(rq.method, f.srv.URL+rq.path, bytes.NewReader(rq.body))
	if err != nil {
		f.t.Fatal(err)
	}
	if rq.body != nil {
		ct := rq.contentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	for k, v := range rq.header {
		req.Header.Set(k, v)
	}
	if c := f.cookies[actor]; c != nil {
		req.AddCookie(c)
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func jsonBody(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
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

// errorBody decodes an error response.
func errorBody(t *testing.T, b []byte) api.ErrorDetail {
	t.Helper()
	var eb api.ErrorBody
	if err := json.Unmarshal(b, &eb); err != nil || eb.Error.Code == "" {
		t.Fatalf("not an error body: %s", b)
	}
	return eb.Error
}

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}
