package main

import (
	"archive/zip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExportCommand(t *testing.T) {
	data := demoData(t)
	dir := t.TempDir()
	csvDir := filepath.Join(dir, "csv")
	out := mustRun(t, "", "export", "--data", data, "--person", demoPersonEmail, "--format", "csv", "-o", csvDir)
	if !strings.Contains(out, "exported 1 person (csv, identified)") {
		t.Fatalf("output %q", out)
	}
	m, err := os.ReadFile(filepath.Join(csvDir, "metrics.csv"))
	if err != nil || !strings.HasPrefix(string(m), "person_id,assessment_id,recorded_at") || strings.Count(string(m), "\n") < 500 {
		t.Fatalf("metrics.csv: %v, %d lines", err, strings.Count(string(m), "\n"))
	}
	for _, f := range []string{"diary.csv", "interventions.csv"} {
		if st, err := os.Stat(filepath.Join(csvDir, f)); err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v", f, err)
		}
	}
	// Parquet in a zip.
	pq := filepath.Join(dir, "person.zip")
	mustRun(t, "", "export", "--data", data, "--person", demoPersonEmail, "--format", "parquet", "-o", pq)
	zr, err := zip.OpenReader(pq)
	if err != nil || len(zr.File) != 3 || zr.File[0].Name != "metrics.parquet" {
		t.Fatalf("zip: %v", err)
	}
	zr.Close()
	// One person's FHIR bundle as a file.
	js := filepath.Join(dir, "bundle.json")
	mustRun(t, "", "export", "--data", data, "--person", demoPersonEmail, "--format", "fhir", "-o", js)
	var b struct{ ResourceType string }
	if raw, _ := os.ReadFile(js); json.Unmarshal(raw, &b) != nil || b.ResourceType != "Bundle" {
		t.Fatal("bundle.json is not a FHIR Bundle")
	}
	// The cohort, pseudonymised with a kept secret: the same pseudonyms
	// on every run.
	secret := filepath.Join(dir, "export.secret")
	os.WriteFile(secret, []byte("0123456789abcdef0123456789abcdef\n"), 0o600)
	run1 := filepath.Join(dir, "c1")
	run2 := filepath.Join(dir, "c2")
	mustRun(t, "", "export", "--data", data, "--cohort", "--pseudonymise", "--secret-file", secret, "--format", "csv", "-o", run1)
	out = mustRun(t, "", "export", "--data", data, "--cohort", "--pseudonymise", "--secret-file", secret, "--format", "csv", "-o", run2)
	if !strings.Contains(out, "pseudonymised") {
		t.Fatalf("output %q", out)
	}
	a, _ := os.ReadFile(filepath.Join(run1, "metrics.csv"))
	c, _ := os.ReadFile(filepath.Join(run2, "metrics.csv"))
	if string(a) != string(c) || !strings.Contains(string(a), "\np-") || strings.Contains(string(a), "demo@legwork.local") {
		t.Fatal("pseudonymised cohort exports differ, or are not pseudonymised")
	}

	os.WriteFile(filepath.Join(dir, "open.secret"), []byte("0123456789abcdef0123456789abcdef"), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--cohort", "--person", demoPersonEmail, "-o", dir}, "either --person or --cohort"},
		{[]string{"--cohort", "--pseudonymise", "-o", dir}, "go together"},
		{[]string{"--cohort", "--pseudonymise", "--secret-file", filepath.Join(dir, "missing"), "-o", dir}, "does not exist"},
		{[]string{"--cohort", "--pseudonymise", "--secret-file", filepath.Join(dir, "open.secret"), "-o", dir}, "chmod 600"},
		{[]string{"--cohort", "--format", "fhir", "-o", filepath.Join(dir, "x.json")}, "one person's FHIR bundle"},
		{[]string{"--person", demoPersonEmail, "--format", "xml", "-o", dir}, "csv, parquet or fhir"},
	} {
		_, _, err := run(t, "", append([]string{"export", "--data", data}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
		}
	}
}
