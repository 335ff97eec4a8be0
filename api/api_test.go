package api_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"legwork"
	"legwork/api"
	"legwork/app"
	"legwork/imu"
	"legwork/sqlite"
	"legwork/synth"
)

// TestOpenAPIMatchesRoutes keeps the OpenAPI document true: every
// registered route is documented, and every documented operation is
// registered.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	f := newFixture(t, api.Options{})
	resp, body := f.do(anonymous, request{method: "GET", path: "/api/openapi.json"})
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("status %d, type %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	var documented []string
	for path, ops := range doc.Paths {
		for method, op := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
			// Every path parameter is declared.
			for _, m := range regexp.MustCompile(`\{(\w+)\}`).FindAllStringSubmatch(path, -1) {
				if !strings.Contains(string(op), `"name":"`+m[1]+`"`) && !strings.Contains(string(op), `"name": "`+m[1]+`"`) {
					t.Errorf("%s %s: path parameter %s not declared", method, path, m[1])
				}
			}
		}
	}
	routes := f.api.Routes()
	for _, r := range routes {
		if !slices.Contains(documented, r) {
			t.Errorf("route %s is not documented in openapi.json", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(routes, d) {
			t.Errorf("openapi.json documents %s, which is not registered", d)
		}
	}
}

func TestSessionCookie(t *testing.T) {
	for _, tc := range []struct {
		name        string
		behindProxy bool
		proto       string
		secure      bool
	}{
		{"plain http", false, "", false},
		{"proxy header ignored without --behind-proxy", false, "https", false},
		{"behind a TLS proxy", true, "https", true},
		{"behind a plain proxy", true, "http", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, api.Options{BehindProxy: tc.behindProxy})
			hdr := map[string]string{}
			if tc.proto != "" {
				hdr["X-Forwarded-Proto"] = tc.proto
			}
			resp, body := f.do(anonymous, request{method: "POST", path: "/api/login", header: hdr,
				body: jsonBody(map[string]string{"email": f.person().Email, "password": testPassword})})
			if resp.StatusCode != 200 {
				t.Fatalf("login: %d %s", resp.StatusCode, body)
			}
			cs := resp.Cookies()
			if len(cs) != 1 {
				t.Fatalf("cookies %v", cs)
			}
			c := cs[0]
			if c.Name != api.SessionCookie || !c.HttpOnly || c.Secure != tc.secure || c.SameSite != http.SameSiteLaxMode || c.MaxAge <= 0 || c.Path != "/" {
				t.Fatalf("cookie %+v", c)
			}
			if strings.Contains(string(body), c.Value) {
				t.Fatal("the session token is in the body")
			}
			// The cookie works, and logout ends it on the server.
			f.cookies["browser"] = &http.Cookie{Name: c.Name, Value: c.Value}
			if resp, _ := f.do("browser", request{method: "GET", path: "/api/me"}); resp.StatusCode != 200 {
				t.Fatalf("me: %d", resp.StatusCode)
			}
			resp, _ = f.do("browser", request{method: "POST", path: "/api/logout"})
			if resp.StatusCode != 204 || len(resp.Cookies()) != 1 || resp.Cookies()[0].MaxAge >= 0 {
				t.Fatalf("logout: %d %v", resp.StatusCode, resp.Cookies())
			}
			if resp, _ := f.do("browser", request{method: "GET", path: "/api/me"}); resp.StatusCode != 401 {
				t.Fatalf("after logout: %d", resp.StatusCode)
			}
		})
	}
}

func TestTLSSetsSecureAndHSTS(t *testing.T) {
	store := openStore(t)
	a := app.New(app.Config{Store: store, Password: fastPasswords})
	u, err := a.CreateUser(app.SystemContext(context.Background()), app.NewUser{Email: "tls." + randomSuffix() + "@example.org", Name: "T", Role: legwork.RolePerson, Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(api.NewServer(api.Options{App: a}))
	defer srv.Close()
	resp, err := srv.Client().Post(srv.URL+"/api/login", "application/json", bytes.NewReader(jsonBody(map[string]string{"email": u.Email, "password": testPassword})))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || len(resp.Cookies()) != 1 || !resp.Cookies()[0].Secure {
		t.Fatalf("login over TLS: %d %v", resp.StatusCode, resp.Cookies())
	}
	if resp.Header.Get("Strict-Transport-Security") == "" {
		t.Fatal("no HSTS over TLS")
	}
}

func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t, api.Options{})
	resp, _ := f.do(owner, request{method: "GET", path: f.pp("/diary")})
	for _, h := range []string{"X-Content-Type-Options", "X-Frame-Options", "Content-Security-Policy", "Referrer-Policy", "Permissions-Policy"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("no %s header", h)
		}
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q on personal data", resp.Header.Get("Cache-Control"))
	}
	if resp.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS over plain HTTP")
	}
}

func TestCrossOriginProtection(t *testing.T) {
	f := newFixture(t, api.Options{})
	body := diaryJSON
	// A cross-site form post with the person's cookie is refused.
	resp, b := f.do(owner, request{method: "POST", path: f.pp("/diary"), body: body, header: map[string]string{"Sec-Fetch-Site": "cross-site"}})
	if resp.StatusCode != 403 || errorBody(t, b).Code != legwork.EFORBIDDEN {
		t.Fatalf("cross-site: %d %s", resp.StatusCode, b)
	}
	resp, _ = f.do(owner, request{method: "POST", path: f.pp("/diary"), body: body, header: map[string]string{"Origin": "https://evil.example"}})
	if resp.StatusCode != 403 {
		t.Fatalf("foreign origin: %d", resp.StatusCode)
	}
	// The app's own pages, and clients that are not browsers, pass.
	resp, _ = f.do(owner, request{method: "POST", path: f.pp("/diary"), body: body, header: map[string]string{"Sec-Fetch-Site": "same-origin"}})
	if resp.StatusCode != 201 {
		t.Fatalf("same origin: %d", resp.StatusCode)
	}
	// Reads are not state-changing.
	resp, _ = f.do(owner, request{method: "GET", path: f.pp("/diary"), header: map[string]string{"Sec-Fetch-Site": "cross-site"}})
	if resp.StatusCode != 200 {
		t.Fatalf("cross-site read: %d", resp.StatusCode)
	}
	list, _ := f.app.ListDiaryEntries(f.ctx(owner), legwork.DiaryFilter{PersonID: f.person().ID})
	if len(list) != 2 {
		t.Fatalf("%d diary entries, want the fixture's and the same-origin one", len(list))
	}
}

func TestBearerToken(t *testing.T) {
	f := newFixture(t, api.Options{})
	hdr := map[string]string{"Authorization": "Bearer " + f.token.Secret}
	resp, body := f.do(anonymous, request{method: "POST", path: f.pp("/assessments?test_type=t25fw&placement=lower_back"), body: walkCSV(t, 3), contentType: "text/csv", header: hdr})
	if resp.StatusCode != 201 {
		t.Fatalf("upload with a token: %d %s", resp.StatusCode, body)
	}
	for _, bad := range []string{"Bearer lw_nope", "Basic dXNlcjpwdw==", "Bearer "} {
		resp, body := f.do(anonymous, request{method: "GET", path: "/api/me", header: map[string]string{"Authorization": bad}})
		if resp.StatusCode != 401 || errorBody(t, body).Code != legwork.EUNAUTHORIZED {
			t.Errorf("%q: %d %s", bad, resp.StatusCode, body)
		}
	}
}

func TestErrorBodies(t *testing.T) {
	f := newFixture(t, api.Options{})
	for _, tc := range []struct {
		rq     request
		status int
		code   string
		field  string
	}{
		{request{method: "GET", path: "/api/nothing/here"}, 404, legwork.ENOTFOUND, ""},
		{request{method: "PUT", path: "/api/me"}, 405, "method_not_allowed", ""},
		{request{method: "GET", path: "/api/people/abc/diary"}, 404, legwork.ENOTFOUND, ""},
		{request{method: "POST", path: f.pp("/diary"), body: []byte(`{"severity": 11}`)}, 400, legwork.EINVALID, "severity"},
		{request{method: "POST", path: f.pp("/diary"), body: []byte(`{"severity": "bad"}`)}, 400, legwork.EINVALID, "severity"},
		{request{method: "POST", path: f.pp("/diary"), body: []byte(`{"mood": 3}`)}, 400, legwork.EINVALID, "mood"},
		{request{method: "POST", path: f.pp("/diary"), body: []byte(`{"severity": 3`)}, 400, legwork.EINVALID, ""},
		{request{method: "POST", path: f.pp("/diary"), body: []byte(`{"fall": {"kind": "slip"}}`)}, 400, legwork.EINVALID, "fall.kind"},
		{request{method: "POST", path: f.pp("/interventions"), body: []byte(`{"kind": "physical_therapy", "name": "PT", "start_date": "soon"}`)}, 400, legwork.EINVALID, "start_date"},
		{request{method: "GET", path: f.pp("/diary?limit=100000")}, 400, legwork.EINVALID, "limit"},
		{request{method: "GET", path: f.pp("/metrics/cadence_spm?from=yesterday")}, 400, legwork.EINVALID, "from"},
		{request{method: "GET", path: f.pp("/metrics/Robert'); DROP TABLE")}, 400, legwork.EINVALID, "metric"},
		{request{method: "GET", path: f.pp("/assessments/999999")}, 404, legwork.ENOTFOUND, ""},
		{request{method: "POST", path: f.pp("/assessments?test_type=walk"), body: []byte("t,ax\n"), contentType: "text/csv"}, 400, legwork.EINVALID, "recording"},
		{request{method: "POST", path: f.pp("/assessments?test_type=walk"), body: []byte("x"), contentType: "image/png"}, 400, legwork.EINVALID, "format"},
		{request{method: "POST", path: f.pp("/assessments?test_type=jog"), body: walkCSV(t, 1), contentType: "text/csv"}, 400, legwork.EINVALID, "test_type"},
		{request{method: "POST", path: f.pp("/assessments?test_type=walk"), body: []byte("t,ax,ay,az\n"), contentType: "text/csv"}, 422, legwork.EUNPROCESSABLE, "recording"},
		{request{method: "POST", path: f.pp("/assessments?test_type=t25fw&segments=trial1"), body: walkCSV(t, 1), contentType: "text/csv"}, 400, legwork.EINVALID, "segments"},
		{request{method: "POST", path: f.pp("/assessments?test_type=t25fw&phone_frame=maybe"), body: walkCSV(t, 1), contentType: "text/csv"}, 400, legwork.EINVALID, "phone_frame"},
	} {
		resp, body := f.do(owner, tc.rq)
		if resp.StatusCode != tc.status {
			t.Errorf("%s %s: status %d, want %d: %s", tc.rq.method, tc.rq.path, resp.StatusCode, tc.status, body)
			continue
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s %s: content type %q", tc.rq.method, tc.rq.path, ct)
		}
		e := errorBody(t, body)
		if e.Code != tc.code || e.Field != tc.field || e.Message == "" {
			t.Errorf("%s %s: error %+v, want code %s field %q", tc.rq.method, tc.rq.path, e, tc.code, tc.field)
		}
	}
}

func TestUploadLimitsAndEncodings(t *testing.T) {
	f := newFixture(t, api.Options{MaxUploadBytes: 200 << 10})
	csv := walkCSV(t, 9)
	if len(csv) < 200<<10 {
		// Make it larger than the limit.
		rec, _ := synth.Walk(synth.WalkParams{StandBeforeS: 2, WalkS: 60, StandAfterS: 2, Seed: 9})
		var b bytes.Buffer
		imu.WriteCSV(&b, rec)
		csv = b.Bytes()
	}
	resp, body := f.do(owner, request{method: "POST", path: f.pp("/assessments?test_type=walk&placement=lower_back"), body: csv, contentType: "text/csv"})
	if resp.StatusCode != 413 || errorBody(t, body).Code != legwork.ETOOLARGE {
		t.Fatalf("too large: %d %s", resp.StatusCode, body)
	}
	// The same, gzip-compressed, is small on the wire but too large
	// unpacked.
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(csv)
	zw.Close()
	resp, body = f.do(owner, request{method: "POST", path: f.pp("/assessments?test_type=walk&placement=lower_back"), body: z.Bytes(), contentType: "text/csv", header: map[string]string{"Content-Encoding": "gzip"}})
	if resp.StatusCode != 413 {
		t.Fatalf("gzip bomb: %d %s", resp.StatusCode, body)
	}
	// A small gzip upload in the binary format works.
	rec, _ := synth.Walk(synth.WalkParams{StandBeforeS: 2, WalkS: 7, StandAfterS: 2, Seed: 4})
	var lwb bytes.Buffer
	imu.WriteLWB(&lwb, rec)
	z.Reset()
	zw = gzip.NewWriter(&z)
	zw.Write(lwb.Bytes())
	zw.Close()
	resp, body = f.do(owner, request{method: "POST", path: f.pp("/assessments?test_type=t25fw&placement=lower_back&assistive_device=cane&tags=hot,evening&recorded_at=2026-01-02T10:00:00Z"),
		body: z.Bytes(), contentType: "application/vnd.legwork.lwb1", header: map[string]string{"Content-Encoding": "gzip"}})
	if resp.StatusCode != 201 {
		t.Fatalf("gzip lwb: %d %s", resp.StatusCode, body)
	}
	var as legwork.Assessment
	json.Unmarshal(body, &as)
	if as.Device != legwork.DeviceCane || len(as.Tags) != 2 || !as.RecordedAt.Equal(time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)) || as.Metrics["t25fw_time_s"] == 0 {
		t.Fatalf("assessment %+v", as)
	}
	if loc := resp.Header.Get("Location"); loc != fmt.Sprintf("/api/people/%d/assessments/%d", f.person().ID, as.ID) {
		t.Fatalf("location %q", loc)
	}
	// The raw recording comes back as sent (uncompressed).
	resp, body = f.do(owner, request{method: "GET", path: f.pp("/assessments/%d/recording", as.ID)})
	if resp.StatusCode != 200 || !bytes.Equal(body, lwb.Bytes()) || resp.Header.Get("Content-Type") != "application/vnd.legwork.lwb1" {
		t.Fatalf("recording: %d, %d bytes, %s", resp.StatusCode, len(body), resp.Header.Get("Content-Type"))
	}
	// JSON bodies are bounded too.
	resp, body = f.do(owner, request{method: "POST", path: f.pp("/diary"), body: []byte(`{"notes": "` + strings.Repeat("a", 2<<20) + `"}`)})
	if resp.StatusCode != 413 {
		t.Fatalf("large JSON: %d %s", resp.StatusCode, truncate(body))
	}
}

func TestPagination(t *testing.T) {
	f := newFixture(t, api.Options{})
	for i := range 7 {
		sev := i % 11
		if _, err := f.app.CreateDiaryEntry(f.ctx(owner), &legwork.DiaryEntry{PersonID: f.person().ID, Severity: &sev, At: f.clock.Now().Add(-time.Duration(i) * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	var seen []int64
	path := f.pp("/diary?limit=3")
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		resp, body := f.do(clinician, request{method: "GET", path: path})
		if resp.StatusCode != 200 {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
		var page struct {
			Items      []legwork.DiaryEntry `json:"items"`
			NextBefore *int64               `json:"next_before"`
		}
		json.Unmarshal(body, &page)
		for _, e := range page.Items {
			if len(seen) > 0 && e.ID >= seen[len(seen)-1] {
				t.Fatalf("not newest first: %d after %d", e.ID, seen[len(seen)-1])
			}
			seen = append(seen, e.ID)
		}
		if page.NextBefore == nil {
			break
		}
		path = f.pp("/diary?limit=3&before=%d", *page.NextBefore)
	}
	if len(seen) != 8 {
		t.Fatalf("saw %d entries, want 8", len(seen))
	}
}

func TestHealthAndMetrics(t *testing.T) {
	f := newFixture(t, api.Options{})
	resp, body := f.do(anonymous, request{method: "GET", path: "/healthz"})
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"ok"`) {
		t.Fatalf("healthz: %d %s", resp.StatusCode, body)
	}
	f.do(owner, request{method: "POST", path: f.pp("/assessments?test_type=walk&placement=lower_back"), body: walkCSV(t, 2), contentType: "text/csv"})
	resp, body = f.do(anonymous, request{method: "GET", path: "/metrics"})
	if resp.StatusCode != 200 {
		t.Fatalf("metrics: %d", resp.StatusCode)
	}
	for _, want := range []string{
		`legwork_http_requests_total{code="200",route="GET /healthz"} 1`,
		`legwork_uploads_total{format="csv",outcome="created"} 1`,
		`legwork_http_request_duration_seconds_bucket{route="POST /api/people/{id}/assessments"`,
		`go_goroutines`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(string(body), fmt.Sprintf("/api/people/%d", f.person().ID)) {
		t.Error("metrics name a person's path")
	}
	// A store that does not answer makes the health check fail.
	db, err := sqlite.Open(t.TempDir() + "/closed.db")
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	rr := httptest.NewRecorder()
	api.NewServer(api.Options{App: app.New(app.Config{Store: db}), Logger: slog.New(slog.DiscardHandler)}).ServeHTTP(rr, httptest.NewRequest("GET", "/healthz", nil))
	if rr.Code != 503 {
		t.Fatalf("healthz with a closed store: %d", rr.Code)
	}
}

func TestStaticHandler(t *testing.T) {
	static := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "web app: "+r.URL.Path)
	})
	f := newFixture(t, api.Options{Static: static})
	resp, body := f.do(anonymous, request{method: "GET", path: "/trends"})
	if resp.StatusCode != 200 || string(body) != "web app: /trends" || resp.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("static: %d %q", resp.StatusCode, body)
	}
	// Unknown API paths stay JSON 404s, never the web app.
	resp, body = f.do(anonymous, request{method: "GET", path: "/api/unknown"})
	if resp.StatusCode != 404 || errorBody(t, body).Code != legwork.ENOTFOUND {
		t.Fatalf("api 404: %d %s", resp.StatusCode, body)
	}
	// Without a static handler, other paths are JSON 404s.
	g := newFixture(t, api.Options{})
	resp, body = g.do(anonymous, request{method: "GET", path: "/"})
	if resp.StatusCode != 404 {
		t.Fatalf("no static: %d %s", resp.StatusCode, body)
	}
}

func TestClinicianFlow(t *testing.T) {
	f := newFixture(t, api.Options{})
	// The person invites; a new clinician accepts with the code.
	resp, body := f.do(owner, request{method: "POST", path: f.pp("/invitations"), body: jsonBody(map[string]string{"note": "neuro physio"})})
	if resp.StatusCode != 201 {
		t.Fatalf("invite: %d %s", resp.StatusCode, body)
	}
	var inv struct {
		Code string `json:"code"`
		Link string `json:"link"`
	}
	json.Unmarshal(body, &inv)
	if inv.Code == "" || !strings.Contains(inv.Link, "#invite="+inv.Code) {
		t.Fatalf("invitation %s", body)
	}
	resp, body = f.do(stranger, request{method: "POST", path: "/api/invitations/accept", body: jsonBody(map[string]string{"code": inv.Code})})
	if resp.StatusCode != 200 {
		t.Fatalf("accept: %d %s", resp.StatusCode, body)
	}
	resp, body = f.do(stranger, request{method: "GET", path: "/api/people"})
	if resp.StatusCode != 200 || !strings.Contains(string(body), fmt.Sprintf(`"person_id":%d`, f.person().ID)) {
		t.Fatalf("people: %d %s", resp.StatusCode, body)
	}
	// The person sees who has access, and withdraws it.
	resp, body = f.do(owner, request{method: "GET", path: f.pp("/grants")})
	if resp.StatusCode != 200 || !strings.Contains(string(body), f.users[stranger].Email) {
		t.Fatalf("grants: %d %s", resp.StatusCode, body)
	}
	resp, _ = f.do(owner, request{method: "DELETE", path: f.pp("/grants/%d", f.users[stranger].ID)})
	if resp.StatusCode != 204 {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	resp, _ = f.do(stranger, request{method: "GET", path: f.pp("/assessments")})
	if resp.StatusCode != 403 {
		t.Fatalf("after revoking: %d", resp.StatusCode)
	}
	// The person's audit log shows the clinician's reads.
	resp, body = f.do(owner, request{method: "GET", path: f.pp("/audit?limit=100")})
	if resp.StatusCode != 200 || !strings.Contains(string(body), fmt.Sprintf(`"actor_id":%d`, f.users[stranger].ID)) {
		t.Fatalf("audit: %d %s", resp.StatusCode, body)
	}
}
