package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"legwork"
	"legwork/api"
	"legwork/app"
	"legwork/insights"
	"legwork/sqlite"
)

// seedDaily stores days of daily tests for the fixture's person directly
// in the store, ending yesterday: a T25FW (time and speed), a 2-minute
// walk (walking speed, cadence, stride length, step-time variability) and
// a balance test (sway) — the seven metrics of insights' own benchmark —,
// a diary entry with a trigger every third day, a fall or near-fall about
// every 50 days, and eight interventions.
func seedDaily(tb testing.TB, store legwork.Store, personID int64, days int) time.Time {
	tb.Helper()
	bg := context.Background()
	y, m, d := time.Now().UTC().Date()
	start := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -days)
	r := rand.New(rand.NewPCG(9, 9))
	for i := 0; i < days; i++ {
		day := start.AddDate(0, 0, i)
		level := 1 + 0.1*math.Sin(float64(i)/120)
		n := func(sd float64) float64 { return 1 + sd*r.NormFloat64() }
		t25 := 6 * level * n(0.05)
		for _, tc := range []struct {
			test legwork.TestType
			at   time.Duration
			m    map[string]float64
		}{
			{legwork.TestT25FW, 9 * time.Hour, map[string]float64{"t25fw_time_s": t25, "t25fw_speed_mps": 7.62 / t25}},
			{legwork.TestWalk2Min, 9*time.Hour + 10*time.Minute, map[string]float64{"walking_speed_mps": 1.1 / level * n(0.04),
				"cadence_spm": 105 / level * n(0.03), "stride_length_m": 1.25 / level * n(0.03), "step_time_cv_pct": 3 * level * n(0.1)}},
			{legwork.TestBalance, 9*time.Hour + 20*time.Minute, map[string]float64{"sway_rms_ms2": 0.1 * level * n(0.1)}},
		} {
			as := &legwork.Assessment{PersonID: personID, TestType: tc.test, Placement: "lower_back", Device: legwork.DeviceNone,
				RecordedAt: day.Add(tc.at), Source: "legwork", AlgorithmVersion: app.CurrentAlgorithmVersion(), Result: []byte(`{}`), Metrics: tc.m}
			if err := store.CreateAssessment(bg, as, nil); err != nil {
				tb.Fatal(err)
			}
		}
		if i%3 == 0 {
			sev := 2 + r.IntN(6)
			e := &legwork.DiaryEntry{PersonID: personID, At: day.Add(19 * time.Hour), CreatedAt: day.Add(19 * time.Hour), Severity: &sev,
				Sensations: []string{legwork.SensationHeavy}, Triggers: []string{legwork.Triggers[r.IntN(len(legwork.Triggers))]}}
			if i%51 == 0 {
				e.Fall = &legwork.Fall{Kind: []string{"fall", "near_fall"}[r.IntN(2)]}
			}
			if err := store.CreateDiaryEntry(bg, e); err != nil {
				tb.Fatal(err)
			}
		}
	}
	for k := 0; k < 8; k++ {
		s := start.AddDate(0, 0, 100+k*days/9)
		end := s.AddDate(0, 0, 42)
		iv := &legwork.Intervention{PersonID: personID, Kind: legwork.InterventionPhysicalTherapy, Name: "Physio", StartDate: s, EndDate: &end, CreatedAt: s}
		if err := store.CreateIntervention(bg, iv); err != nil {
			tb.Fatal(err)
		}
	}
	return start
}

func TestInsightsEndpoint(t *testing.T) {
	f := newFixture(t, api.Options{})
	start := seedDaily(t, f.store, f.person().ID, 120)
	resp, body := f.do(clinician, request{method: "GET", path: f.pp("/insights?tz=America/New_York&effect_weeks=4&baseline_weeks=3")})
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("%d %s", resp.StatusCode, truncate(body))
	}
	var rep insights.Report
	if err := json.Unmarshal(body, &rep); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range rep.Series {
		if s.Metric == "t25fw_time_s" && s.TestType == "t25fw" {
			found = true
			if s.Days < 120 || s.Baseline == nil || s.Baseline.Days != 21 {
				t.Fatalf("T25FW series: %d days, baseline %+v", s.Days, s.Baseline)
			}
		}
		for _, e := range s.Interventions {
			if e.WindowDays != 28 {
				t.Fatalf("window %d days, want 28", e.WindowDays)
			}
		}
	}
	if !found || len(rep.Notes) == 0 {
		t.Fatalf("report %s", truncate(body))
	}
	// A chosen baseline period and an as-of date.
	from, to := start.AddDate(0, 0, 10).Format(time.DateOnly), start.AddDate(0, 0, 40).Format(time.DateOnly)
	resp, body = f.do(owner, request{method: "GET", path: f.pp("%s", "/insights?baseline_from="+from+"&baseline_to="+to+"&as_of="+to)})
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, truncate(body))
	}
	rep = insights.Report{}
	json.Unmarshal(body, &rep)
	if rep.Series[0].Baseline == nil || !rep.Series[0].Baseline.Given || rep.Series[0].Last.After(start.AddDate(0, 0, 41)) {
		t.Fatalf("baseline %+v, last %v", rep.Series[0].Baseline, rep.Series[0].Last)
	}
	for q, field := range map[string]string{
		"tz=Mars/Olympus": "tz", "tz=Local": "tz", "effect_weeks=0": "effect_weeks", "effect_weeks=60": "effect_weeks", "baseline_weeks=x": "baseline_weeks",
		"baseline_from=" + from: "baseline_to", "as_of=yesterday": "as_of",
	} {
		resp, body := f.do(owner, request{method: "GET", path: f.pp("%s", "/insights?"+q)})
		if resp.StatusCode != 400 || errorBody(t, body).Field != field {
			t.Errorf("%s: %d %s, want 400 about %s", q, resp.StatusCode, body, field)
		}
	}
}

func TestReportEndpoint(t *testing.T) {
	f := newFixture(t, api.Options{})
	seedDaily(t, f.store, f.person().ID, 90)
	to := time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
	from := time.Now().UTC().AddDate(0, 0, -60).Format(time.DateOnly)
	id := f.person().ID
	resp, body := f.do(clinician, request{method: "GET", path: f.pp("%s", "/report?from="+from+"&to="+to+"&tz=Europe/Berlin&plan=t25fw=7,walk2min=7,balance=7")})
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(body, []byte("%PDF-")) {
		t.Fatalf("pdf: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), truncate(body))
	}
	want := `attachment; filename="legwork-report-` + strconv.FormatInt(id, 10) + "-" + from + "-" + to + `.pdf"`
	if cd := resp.Header.Get("Content-Disposition"); cd != want {
		t.Fatalf("Content-Disposition %q, want %q", cd, want)
	}
	resp, body = f.do(owner, request{method: "GET", path: f.pp("%s", "/report?format=html&from="+from+"&to="+to)})
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "inline; filename=") {
		t.Fatalf("html: %d %v", resp.StatusCode, resp.Header)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script") {
		t.Fatalf("CSP %q", csp)
	}
	if !strings.Contains(string(body), "<h1>Walking and balance report</h1>") || !strings.Contains(string(body), "<svg") {
		t.Fatalf("html body %s", truncate(body))
	}
	// The default period: the last six months.
	resp, _ = f.do(owner, request{method: "GET", path: f.pp("/report")})
	if resp.StatusCode != 200 || !strings.HasSuffix(resp.Header.Get("Content-Disposition"), time.Now().UTC().Format(time.DateOnly)+`.pdf"`) {
		t.Fatalf("default: %d %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
	for q, field := range map[string]string{
		"format=docx": "format", "from=" + to + "&to=" + from: "to", "plan=t25fw": "plan", "as_of=" + to: "as_of", "tz=Nowhere": "tz",
	} {
		resp, body := f.do(owner, request{method: "GET", path: f.pp("%s", "/report?"+q)})
		if resp.StatusCode != 400 || errorBody(t, body).Field != field {
			t.Errorf("%s: %d %s, want 400 about %s", q, resp.StatusCode, body, field)
		}
	}
	if resp, _ := f.do(other, request{method: "GET", path: f.pp("/report")}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another person: %d", resp.StatusCode)
	}
}

// benchEnv is a server on SQLite with one person and years of daily
// tests, and the person's session cookie.
type benchEnv struct {
	srv    *httptest.Server
	cookie *http.Cookie
	base   string
}

func newBenchEnv(b *testing.B, days int) *benchEnv {
	b.Helper()
	db, err := sqlite.Open(b.TempDir() + "/bench.db")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	a := app.New(app.Config{Store: db, Password: fastPasswords})
	u, err := a.CreateUser(app.SystemContext(context.Background()), app.NewUser{Email: "bench@example.org", Name: "Bench", Role: legwork.RolePerson, Password: testPassword, HeightM: 1.7})
	if err != nil {
		b.Fatal(err)
	}
	l, err := a.Login(context.Background(), u.Email, testPassword)
	if err != nil {
		b.Fatal(err)
	}
	seedDaily(b, db, u.ID, days)
	srv := httptest.NewServer(api.NewServer(api.Options{App: a}))
	b.Cleanup(srv.Close)
	return &benchEnv{srv: srv, cookie: &http.Cookie{Name: api.SessionCookie, Value: l.Token}, base: srv.URL + "/api/people/" + strconv.FormatInt(u.ID, 10)}
}

func (e *benchEnv) get(b *testing.B, path string) int {
	req, _ := http.NewRequest("GET", e.base+path, nil)
	req.AddCookie(e.cookie)
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		b.Fatal(err)
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		b.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
	return int(n)
}

// BenchmarkInsightsRequest5Years is GET /api/people/{id}/insights over
// HTTP for five years of daily tests (7 metrics, 12 782 values) on SQLite:
// authenticate, read, audit, compute, encode.
func BenchmarkInsightsRequest5Years(b *testing.B) {
	e := newBenchEnv(b, 5*365+1)
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		n = e.get(b, "/insights")
	}
	b.ReportMetric(float64(n)/1e3, "kB")
}

// BenchmarkReportRequest5Years is GET /api/people/{id}/report for a
// five-year period of daily tests, as PDF and as HTML.
func BenchmarkReportRequest5Years(b *testing.B) {
	e := newBenchEnv(b, 5*365+1)
	from := time.Now().UTC().AddDate(-5, 0, 0).Format(time.DateOnly)
	for _, format := range []string{"pdf", "html"} {
		b.Run(format, func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				n = e.get(b, "/report?format="+format+"&from="+from)
			}
			b.ReportMetric(float64(n)/1e6, "MB")
		})
	}
}
