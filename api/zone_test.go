package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"legwork/api"
)

// Without tz, insights and reports read the person's data in their stored
// time zone; tz still wins.
func TestStoredTimeZoneEndpoints(t *testing.T) {
	f := newFixture(t, api.Options{})
	seedDaily(t, f.store, f.person().ID, 60)
	if resp, body := f.do(owner, request{method: "PATCH", path: "/api/me", body: jsonBody(map[string]any{"time_zone": "Pacific/Auckland"})}); resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	for _, tc := range []struct{ query, detail string }{
		{"", "tz=Pacific/Auckland"},
		{"?tz=UTC", ""},
		{"?tz=Europe/Berlin", "tz=Europe/Berlin"},
		{"?as_of=2026-01-10", "tz=Pacific/Auckland as_of=2026-01-10T10:59:59Z"}, // the end of the day in Auckland (UTC+13)
	} {
		resp, body := f.do(clinician, request{method: "GET", path: f.pp("/insights%s", tc.query)})
		if resp.StatusCode != 200 {
			t.Fatalf("insights%s: %d %s", tc.query, resp.StatusCode, body)
		}
		if ev := lastPersonAudit(t, f); ev.Object != "insights" || ev.Detail != tc.detail {
			t.Errorf("insights%s: audit detail %q, want %q", tc.query, ev.Detail, tc.detail)
		}
	}
	// The report's default period ends today in Auckland.
	auckland, _ := time.LoadLocation("Pacific/Auckland")
	today := f.clock.Now().In(auckland).Format(time.DateOnly)
	resp, body := f.do(clinician, request{method: "GET", path: f.pp("/report?format=html")})
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), "-"+today+".html") {
		t.Fatalf("report: %d %q %.200s", resp.StatusCode, resp.Header.Get("Content-Disposition"), body)
	}
	if ev := lastPersonAudit(t, f); ev.Object != "report" || !strings.HasSuffix(ev.Detail, fmt.Sprintf("..%s tz=Pacific/Auckland", today)) {
		t.Fatalf("report audit %+v", ev)
	}
	// A bad tz is still refused.
	resp, body = f.do(clinician, request{method: "GET", path: f.pp("/insights?tz=Mars/Olympus")})
	if e := errorBody(t, body); resp.StatusCode != 400 || e.Field != "tz" {
		t.Fatalf("bad tz: %d %s", resp.StatusCode, body)
	}
}
