package api_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"mime/multipart"
	"strings"
	"testing"

	"legwork/api"
	"legwork/export"
)

const appleExportXML = `<?xml version="1.0" encoding="UTF-8"?>
<HealthData locale="en_GB">
 <ExportDate value="2026-02-12 10:00:00 +0100"/>
 <Record type="HKQuantityTypeIdentifierWalkingSpeed" sourceName="iPhone" unit="km/hr" creationDate="2026-02-10 08:20:00 +0100" startDate="2026-02-10 08:10:00 +0100" endDate="2026-02-10 08:20:00 +0100" value="4.5"/>
 <Record type="HKQuantityTypeIdentifierStepCount" sourceName="iPhone" unit="count" creationDate="2026-02-11 08:20:00 +0100" startDate="2026-02-11 08:10:00 +0100" endDate="2026-02-11 08:20:00 +0100" value="800"/>
</HealthData>
`

// multipartFiles returns a multipart/form-data body with the files in
// parts named "file", and its content type.
func multipartFiles(files map[string][]byte) ([]byte, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for name, data := range files {
		w, _ := mw.CreateFormFile("file", name)
		w.Write(data)
	}
	mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}

// importRequest is an import of a small Apple Health export.
func importRequest(f *fixture) request {
	body, ct := multipartFiles(map[string][]byte{"export.xml": []byte(appleExportXML)})
	return request{method: "POST", path: f.pp("/imports?tz=Europe/Berlin"), body: body, contentType: ct}
}

const testSecret = "a secret of at least 16 bytes"

func TestImportEndpoint(t *testing.T) {
	f := newFixture(t, api.Options{})
	resp, body := f.do(owner, importRequest(f))
	if resp.StatusCode != 201 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	var res struct {
		Items []struct {
			File, Format, Source, Kind string
			Stored, Skipped            int
			Days                       []string
		}
	}
	if err := json.Unmarshal(body, &res); err != nil || len(res.Items) != 1 {
		t.Fatalf("%v %s", err, body)
	}
	if it := res.Items[0]; it.File != "export.xml" || it.Source != "apple_health" || it.Stored != 2 || strings.Join(it.Days, ",") != "2026-02-10,2026-02-11" {
		t.Fatalf("result %+v", it)
	}
	// Again: skipped.
	resp, body = f.do(owner, importRequest(f))
	if resp.StatusCode != 201 || !strings.Contains(string(body), `"skipped":2`) {
		t.Fatalf("again: %d %s", resp.StatusCode, body)
	}
	// A broken file among good ones: nothing stored, the file named.
	body2, ct := multipartFiles(map[string][]byte{"../../etc/broken.csv": []byte("t,ax,ay,az\n0,0,9.8,0\n0.01,0,oops,0\n")})
	resp, body = f.do(owner, request{method: "POST", path: f.pp("/imports"), body: body2, contentType: ct})
	if e := errorBody(t, body); resp.StatusCode != 400 || e.Field != "file" || !strings.HasPrefix(e.Message, "broken.csv: csv: line 3") {
		t.Fatalf("broken: %d %s", resp.StatusCode, body)
	}
	for _, tc := range []struct {
		rq    request
		field string
	}{
		{request{method: "POST", path: f.pp("/imports"), body: []byte("x"), contentType: "text/csv"}, ""},
		{request{method: "POST", path: f.pp("/imports?placement=knee"), body: body2, contentType: ct}, "placement"},
		{request{method: "POST", path: f.pp("/imports?tz=Atlantis"), body: body2, contentType: ct}, "tz"},
	} {
		resp, body := f.do(owner, tc.rq)
		if resp.StatusCode != 400 || errorBody(t, body).Field != tc.field {
			t.Errorf("%s: %d %s", tc.rq.path, resp.StatusCode, body)
		}
	}
	mw, wct := multipartFiles(nil)
	resp, body = f.do(owner, request{method: "POST", path: f.pp("/imports"), body: mw, contentType: wct})
	if resp.StatusCode != 400 || errorBody(t, body).Field != "file" {
		t.Fatalf("no files: %d %s", resp.StatusCode, body)
	}
}

func TestExportEndpoints(t *testing.T) {
	f := newFixture(t, api.Options{})
	if resp, body := f.do(owner, importRequest(f)); resp.StatusCode != 201 {
		t.Fatalf("import: %d %s", resp.StatusCode, body)
	}
	resp, body := f.do(clinician, request{method: "GET", path: f.pp("/export?format=csv")})
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/zip" || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), `attachment; filename="legwork-`) {
		t.Fatalf("csv: %d %v %s", resp.StatusCode, resp.Header, truncate(body))
	}
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil || len(zr.File) != 3 || zr.File[0].Name != "metrics.csv" {
		t.Fatalf("zip: %v", err)
	}
	rc, _ := zr.File[0].Open()
	rows, err := csv.NewReader(rc).ReadAll()
	if err != nil || len(rows) < 4 {
		t.Fatalf("metrics.csv: %v %d rows", err, len(rows))
	}
	// FHIR: one bundle, pseudonymised with the caller's secret.
	resp, body = f.do(owner, request{method: "GET", path: f.pp("/export?format=fhir&pseudonymise=1"), header: map[string]string{api.SecretHeader: testSecret}})
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/fhir+json" || bytes.Contains(body, []byte(f.person().Email)) {
		t.Fatalf("fhir: %d %s", resp.StatusCode, truncate(body))
	}
	pz, _ := export.NewPseudonymizer([]byte(testSecret))
	if !bytes.Contains(body, []byte(pz.Pseudonym(f.person().ID))) {
		t.Fatal("the bundle lacks the pseudonym")
	}
	for q, field := range map[string]string{"format=xls": "format", "pseudonymise=1": "secret", "pseudonymise=yes": "pseudonymise"} {
		resp, body := f.do(owner, request{method: "GET", path: f.pp("/export?%s", q)})
		if resp.StatusCode != 400 || errorBody(t, body).Field != field {
			t.Errorf("%s: %d %s", q, resp.StatusCode, body)
		}
	}
	// The cohort: administrators only, pseudonymised only.
	admin := f.users[other]
	admin.Admin = true
	if err := f.store.UpdateUser(t.Context(), admin); err != nil {
		t.Fatal(err)
	}
	resp, body = f.do(other, request{method: "GET", path: "/api/export?format=csv"})
	if resp.StatusCode != 400 || errorBody(t, body).Field != "pseudonymise" {
		t.Fatalf("cohort without pseudonyms: %d %s", resp.StatusCode, body)
	}
	resp, body = f.do(other, request{method: "GET", path: "/api/export?format=parquet&pseudonymise=1", header: map[string]string{api.SecretHeader: testSecret}})
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("cohort: %d %s", resp.StatusCode, truncate(body))
	}
	zr, err = zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil || len(zr.File) != 3 || zr.File[0].Name != "metrics.parquet" {
		t.Fatalf("cohort zip: %v", err)
	}
	resp, _ = f.do(owner, request{method: "GET", path: "/api/export?format=csv&pseudonymise=1", header: map[string]string{api.SecretHeader: testSecret}})
	if resp.StatusCode != 403 {
		t.Fatalf("a person's cohort export: %d", resp.StatusCode)
	}
}
