package app_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"testing"

	"legwork"
	"legwork/app"
	"legwork/export"
)

// unzip returns the files of a zip.
func unzip(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	return out
}

func exportZip(t *testing.T, e *env, ctx context.Context, opt app.ExportOptions) (map[string][]byte, app.ExportStats) {
	t.Helper()
	ex, err := e.app.Export(ctx, opt)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	st, err := ex.Write(ctx, zw)
	if err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return unzip(t, buf.Bytes()), st
}

func TestExportPerson(t *testing.T) {
	e := newEnv(t)
	seedHistory(t, e)
	before := len(auditRows(t, e))
	files, st := exportZip(t, e, e.as(e.clinician), app.ExportOptions{PersonID: e.person.ID, Format: app.ExportCSV})
	evs := auditRows(t, e)
	if len(evs) != before+1 || evs[0].Object != "export" || evs[0].Detail != "format=csv" || *evs[0].ActorID != e.clinician.ID {
		t.Fatalf("audit %+v", evs[0])
	}
	// 90 days × (2 T25FW metrics + 1 walking speed).
	if st.People != 1 || st.Metrics != 270 || st.Diary != 25 || st.Interventions != 1 || len(files) != 3 {
		t.Fatalf("stats %+v, files %d", st, len(files))
	}
	rows, err := csv.NewReader(bytes.NewReader(files["metrics.csv"])).ReadAll()
	if err != nil || len(rows) != 271 || rows[0][0] != "person_id" || rows[1][0] != itoa(e.person.ID) {
		t.Fatalf("metrics.csv: %v, %d rows, %v", err, len(rows), rows[:2])
	}
	// Parquet: three Parquet files.
	files, _ = exportZip(t, e, e.as(e.person), app.ExportOptions{PersonID: e.person.ID, Format: app.ExportParquet})
	for _, name := range []string{"metrics.parquet", "diary.parquet", "interventions.parquet"} {
		if b := files[name]; !bytes.HasPrefix(b, []byte("PAR1")) || !bytes.HasSuffix(b, []byte("PAR1")) {
			t.Errorf("%s is not Parquet", name)
		}
	}
	// FHIR, pseudonymised: a Bundle without the person's name or email.
	pz, _ := export.NewPseudonymizer([]byte("a secret of at least 16 bytes"))
	files, st = exportZip(t, e, e.as(e.person), app.ExportOptions{PersonID: e.person.ID, Format: app.ExportFHIR, Pseudonymizer: pz})
	name := pz.Pseudonym(e.person.ID) + ".fhir.json"
	var bundle struct {
		ResourceType string `json:"resourceType"`
		Entry        []any  `json:"entry"`
	}
	if err := json.Unmarshal(files[name], &bundle); err != nil || bundle.ResourceType != "Bundle" || len(bundle.Entry) < 270 {
		t.Fatalf("bundle %s: %v, %d entries", name, err, len(bundle.Entry))
	}
	if bytes.Contains(files[name], []byte(e.person.Email)) || st.Metrics != 180 {
		t.Fatalf("pseudonymised bundle names the person, or %d assessments", st.Metrics)
	}

	_, err = e.app.Export(e.as(e.admin), app.ExportOptions{PersonID: e.person.ID, Format: app.ExportCSV})
	wantCode(t, err, legwork.ENOTFOUND)
	_, err = e.app.Export(e.as(e.person), app.ExportOptions{PersonID: e.person.ID, Format: "xlsx"})
	if legwork.ErrorField(err) != "format" {
		t.Fatalf("format: %v", err)
	}
}

func TestExportCohort(t *testing.T) {
	e := newEnv(t)
	seedHistory(t, e)
	_, err := e.app.Export(e.as(e.person), app.ExportOptions{Format: app.ExportCSV})
	wantCode(t, err, legwork.EFORBIDDEN)
	_, err = e.app.Export(e.as(e.admin), app.ExportOptions{Format: app.ExportCSV})
	if legwork.ErrorField(err) != "pseudonymise" {
		t.Fatalf("admin without pseudonyms: %v", err)
	}
	_, err = e.app.Export(context.Background(), app.ExportOptions{Format: app.ExportCSV})
	wantCode(t, err, legwork.EUNAUTHORIZED)

	pz, _ := export.NewPseudonymizer([]byte("a secret of at least 16 bytes"))
	before := len(auditRows(t, e))
	files, st := exportZip(t, e, e.as(e.admin), app.ExportOptions{Format: app.ExportCSV, Pseudonymizer: pz})
	// Two people (the person and the admin, who is a person too); each
	// person's log shows the export.
	evs := auditRows(t, e)
	if st.People != 2 || len(evs) != before+1 || evs[0].Object != "export:cohort" || *evs[0].ActorID != e.admin.ID || evs[0].Detail != "format=csv pseudonymised" {
		t.Fatalf("people %d, audit %+v", st.People, evs[0])
	}
	m := string(files["metrics.csv"])
	if !strings.Contains(m, pz.Pseudonym(e.person.ID)) || strings.Contains(m, "\n"+itoa(e.person.ID)+",") {
		t.Fatal("the cohort's metrics are not pseudonymised")
	}
	// The same secret gives the same pseudonyms on another day.
	pz2, _ := export.NewPseudonymizer([]byte("a secret of at least 16 bytes"))
	if pz2.Pseudonym(e.person.ID) != pz.Pseudonym(e.person.ID) {
		t.Fatal("pseudonyms do not link")
	}
	// The operator (system) may export with identities; FHIR gives a
	// Bundle per person.
	files, _ = exportZip(t, e, app.SystemContext(context.Background()), app.ExportOptions{Format: app.ExportFHIR})
	if len(files) != 2 || files["person-"+itoa(e.person.ID)+".fhir.json"] == nil {
		t.Fatalf("fhir files %v", len(files))
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
