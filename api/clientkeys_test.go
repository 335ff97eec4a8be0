package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"legwork"
	"legwork/api"
)

// doHeader is do with a request header given in full (repeated and empty
// values included).
func (f *fixture) doHeader(actor, method, path string, body []byte, contentType string, hdr http.Header) (*http.Response, []byte) {
	f.t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header = hdr.Clone()
	req.Header.Set("Content-Type", contentType)
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

func keyHeader(key string) map[string]string { return map[string]string{"Idempotency-Key": key} }

// idOf returns the id of a JSON object.
func idOf(t *testing.T, body []byte) int64 {
	t.Helper()
	var v struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal(body, &v); err != nil || v.ID == 0 {
		t.Fatalf("no id in %s", body)
	}
	return v.ID
}

// wantCreated checks a create's answer: 201 without Idempotent-Replayed,
// or 200 with Idempotent-Replayed: true for a replay; both with the
// record's Location.
func wantCreated(t *testing.T, resp *http.Response, body []byte, replayed bool, location string) int64 {
	t.Helper()
	status, header := 201, ""
	if replayed {
		status, header = 200, "true"
	}
	if resp.StatusCode != status || resp.Header.Get("Idempotent-Replayed") != header {
		t.Fatalf("status %d, Idempotent-Replayed %q; want %d, %q: %s", resp.StatusCode, resp.Header.Get("Idempotent-Replayed"), status, header, body)
	}
	id := idOf(t, body)
	if got := resp.Header.Get("Location"); got != fmt.Sprintf(location, id) {
		t.Fatalf("Location %q, want %q", got, fmt.Sprintf(location, id))
	}
	return id
}

func (f *fixture) countAssessments(t *testing.T) int {
	t.Helper()
	list, err := f.store.ListAssessments(context.Background(), legwork.AssessmentFilter{PersonID: f.person().ID})
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

func (f *fixture) countDiary(t *testing.T) int {
	t.Helper()
	list, err := f.store.ListDiaryEntries(context.Background(), legwork.DiaryFilter{PersonID: f.person().ID})
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

func TestAssessmentIdempotencyKey(t *testing.T) {
	f := newFixture(t, api.Options{})
	path := f.pp("/assessments?test_type=t25fw&placement=lower_back")
	loc := f.pp("") + "/assessments/%d"
	csv := walkCSV(t, 5)
	before := f.countAssessments(t)
	const key = "7d9e1f2a-3b4c-4d5e-8f60-718293a4b5c6"

	resp, first := f.do(owner, request{method: "POST", path: path, body: csv, contentType: "text/csv", header: keyHeader(key)})
	id := wantCreated(t, resp, first, false, loc)
	f.clock.mu.Lock()
	f.clock.t = f.clock.t.Add(30e9) // the retry comes later
	f.clock.mu.Unlock()
	resp, again := f.do(owner, request{method: "POST", path: path, body: csv, contentType: "text/csv", header: keyHeader(key)})
	if wantCreated(t, resp, again, true, loc) != id {
		t.Fatalf("the replay answered another assessment: %s", again)
	}
	if !bytes.Equal(again, first) {
		t.Fatalf("the replay's body differs from the create's:\n%s\n%s", again, first)
	}
	if strings.Contains(string(first), key) {
		t.Fatal("the answer shows the key")
	}
	if n := f.countAssessments(t); n != before+1 {
		t.Fatalf("%d assessments after a create and its replay, want %d", n, before+1)
	}

	// Without a key: two assessments.
	resp, b1 := f.do(owner, request{method: "POST", path: path, body: csv, contentType: "text/csv"})
	id1 := wantCreated(t, resp, b1, false, loc)
	resp, b2 := f.do(owner, request{method: "POST", path: path, body: csv, contentType: "text/csv"})
	if id2 := wantCreated(t, resp, b2, false, loc); id2 == id1 {
		t.Fatal("two uploads without a key made one assessment")
	}
	if n := f.countAssessments(t); n != before+3 {
		t.Fatalf("%d assessments, want %d", n, before+3)
	}

	// A clinician is refused as without a key; the same key for another
	// person's own upload is theirs.
	resp, _ = f.do(clinician, request{method: "POST", path: path, body: csv, contentType: "text/csv", header: keyHeader(key)})
	if resp.StatusCode != 403 {
		t.Fatalf("clinician with a key: %d", resp.StatusCode)
	}
	resp, b := f.do(other, request{method: "POST", path: fmt.Sprintf("/api/people/%d/assessments?test_type=t25fw&placement=lower_back", f.users[other].ID),
		body: csv, contentType: "text/csv", header: keyHeader(key)})
	if resp.StatusCode != 201 || idOf(t, b) == id {
		t.Fatalf("another person with the same key: %d %s", resp.StatusCode, b)
	}

	resp, body := f.do(anonymous, request{method: "GET", path: "/metrics"})
	if resp.StatusCode != 200 || !strings.Contains(string(body), `legwork_uploads_total{format="csv",outcome="replayed"} 1`) {
		t.Errorf("metrics do not count the replay")
	}
}

func TestDiaryIdempotencyKey(t *testing.T) {
	f := newFixture(t, api.Options{})
	loc := f.pp("") + "/diary/%d"
	before := f.countDiary(t)
	const key = "checkin-0001"

	resp, first := f.do(owner, request{method: "POST", path: f.pp("/diary"), body: diaryJSON, header: keyHeader(key)})
	id := wantCreated(t, resp, first, false, loc)
	resp, again := f.do(owner, request{method: "POST", path: f.pp("/diary"), body: diaryJSON, header: keyHeader(key)})
	if wantCreated(t, resp, again, true, loc) != id || !bytes.Equal(again, first) {
		t.Fatalf("replay:\n%s\nfirst:\n%s", again, first)
	}
	if n := f.countDiary(t); n != before+1 {
		t.Fatalf("%d diary entries after a create and its replay, want %d", n, before+1)
	}
	// Without a key: two entries.
	for range 2 {
		resp, b := f.do(owner, request{method: "POST", path: f.pp("/diary"), body: diaryJSON})
		wantCreated(t, resp, b, false, loc)
	}
	if n := f.countDiary(t); n != before+3 {
		t.Fatalf("%d diary entries, want %d", n, before+3)
	}
	// Keys are per kind: the diary entry's key creates an intervention,
	// which a retry then replays.
	resp, iv1 := f.do(owner, request{method: "POST", path: f.pp("/interventions"), body: interventionJSON, header: keyHeader(key)})
	ivID := wantCreated(t, resp, iv1, false, f.pp("")+"/interventions/%d")
	resp, iv2 := f.do(owner, request{method: "POST", path: f.pp("/interventions"), body: interventionJSON, header: keyHeader(key)})
	if wantCreated(t, resp, iv2, true, f.pp("")+"/interventions/%d") != ivID || !bytes.Equal(iv1, iv2) {
		t.Fatalf("intervention replay:\n%s\nfirst:\n%s", iv2, iv1)
	}
	// The person's audit log has one creation of the entry; the replay is
	// a read.
	resp, body := f.do(owner, request{method: "GET", path: f.pp("/audit?limit=500")})
	if resp.StatusCode != 200 {
		t.Fatalf("audit: %d %s", resp.StatusCode, body)
	}
	var page struct {
		Items []legwork.AuditEvent `json:"items"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatal(err)
	}
	actions := map[string]int{}
	for _, ev := range page.Items {
		if ev.Object == fmt.Sprintf("diary:%d", id) {
			actions[ev.Action+"/"+ev.Detail]++
		}
	}
	if len(actions) != 2 || actions["create/"] != 1 || actions["read/replay"] != 1 {
		t.Fatalf("audit of the entry: %v, want one create and one read (the replay)", actions)
	}
}

func TestBadIdempotencyKey(t *testing.T) {
	f := newFixture(t, api.Options{})
	csv := walkCSV(t, 6)
	assessments, diary := f.countAssessments(t), f.countDiary(t)
	for _, tc := range []struct {
		name   string
		header http.Header
	}{
		{"too long", http.Header{"Idempotency-Key": {strings.Repeat("k", 101)}}},
		{"not ASCII", http.Header{"Idempotency-Key": {"schlüssel"}}},
		{"empty", http.Header{"Idempotency-Key": {""}}},
		{"twice", http.Header{"Idempotency-Key": {"one", "two"}}},
	} {
		for _, rq := range []struct {
			path, contentType string
			body              []byte
		}{
			{f.pp("/assessments?test_type=t25fw&placement=lower_back"), "text/csv", csv},
			{f.pp("/diary"), "application/json", diaryJSON},
			{f.pp("/interventions"), "application/json", interventionJSON},
		} {
			resp, body := f.doHeader(owner, "POST", rq.path, rq.body, rq.contentType, tc.header)
			if resp.StatusCode != 400 {
				t.Errorf("%s, %s: status %d %s", tc.name, rq.path, resp.StatusCode, body)
				continue
			}
			if e := errorBody(t, body); e.Code != legwork.EINVALID || e.Field != "Idempotency-Key" || e.Message == "" {
				t.Errorf("%s, %s: error %+v", tc.name, rq.path, e)
			}
		}
	}
	if f.countAssessments(t) != assessments || f.countDiary(t) != diary {
		t.Fatal("a refused create stored something")
	}
	// 100 printable ASCII characters are a key.
	resp, body := f.do(owner, request{method: "POST", path: f.pp("/diary"), body: diaryJSON, header: keyHeader(strings.Repeat("~", 100))})
	if resp.StatusCode != 201 {
		t.Fatalf("100-character key: %d %s", resp.StatusCode, body)
	}
}
