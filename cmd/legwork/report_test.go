package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"legwork"
	"legwork/sqlite"
)

// demoData makes a data directory with the demo person in it.
func demoData(t *testing.T) string {
	t.Helper()
	data := t.TempDir()
	mustRun(t, "", "demo", "--data", data)
	return data
}

func TestReportCommand(t *testing.T) {
	data := demoData(t)
	dir := t.TempDir()
	from := time.Now().UTC().AddDate(0, -6, 0).Format(time.DateOnly)
	to := time.Now().UTC().Format(time.DateOnly)
	pdf := filepath.Join(dir, "report.pdf")
	out := mustRun(t, "", "report", "--data", data, "--person", demoPersonEmail, "--from", from, "--to", to, "--tz", "Europe/Berlin", "-o", pdf)
	if !strings.Contains(out, "wrote "+pdf+" (PDF") {
		t.Fatalf("output %q", out)
	}
	b, err := os.ReadFile(pdf)
	if err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("report.pdf: %v", err)
	}
	html := filepath.Join(dir, "report.html")
	mustRun(t, "", "report", "--data", data, "--person", demoPersonEmail, "--from", from, "--to", to, "-o", html, "--plan", "t25fw=1,walk2min=1")
	b, _ = os.ReadFile(html)
	for _, want := range []string{"Alex Demo", "Neuro-physiotherapy", "Methylprednisolone", "<svg", "Planned tests per week as given."} {
		if !strings.Contains(string(b), want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	// To standard output; the read is audited as the system's.
	stdout, _, err := run(t, "", "report", "--data", data, "--person", demoPersonEmail, "--from", from, "--to", to, "-o", "-")
	if err != nil || !strings.HasPrefix(stdout, "%PDF-") {
		t.Fatalf("-o -: %v", err)
	}
	db, err := sqlite.Open(filepath.Join(data, sqliteFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	u, _ := db.UserByEmail(context.Background(), demoPersonEmail)
	evs, _ := db.ListAudit(context.Background(), legwork.AuditFilter{PersonID: &u.ID, Page: legwork.Page{Limit: 3}})
	if len(evs) < 3 || evs[0].Object != "report" || evs[0].ActorID != nil || evs[2].Detail != from+".."+to+" tz=Europe/Berlin" {
		for _, e := range evs {
			t.Logf("%+v", *e)
		}
		t.Fatal("audit")
	}
}

// Without --from and --to the report covers the last six months up to
// today, as the API's does, and its file is named after those days.
func TestReportCommandDefaultPeriod(t *testing.T) {
	data := demoData(t)
	t.Chdir(t.TempDir()) // the default file name is in the working folder
	out := mustRun(t, "", "report", "--data", data, "--person", demoPersonEmail)
	y, mo, d := time.Now().UTC().Date()
	today := time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
	// the person's zone may be a day ahead of or behind UTC
	for _, to := range []time.Time{today, today.AddDate(0, 0, -1), today.AddDate(0, 0, 1)} {
		from := to.AddDate(0, -6, 1)
		suffix := "-" + from.Format(time.DateOnly) + "-" + to.Format(time.DateOnly) + ".pdf"
		names, _ := filepath.Glob("legwork-report-*" + suffix)
		if len(names) == 1 && strings.Contains(out, "wrote "+names[0]) && strings.Contains(out, from.Format(time.DateOnly)+" to "+to.Format(time.DateOnly)) {
			return
		}
	}
	t.Errorf("output %q: want a report of the six months up to %s", out, today.Format(time.DateOnly))
}

func TestReportCommandErrors(t *testing.T) {
	data := demoData(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"report", "--data", data, "--from", "2026-01-01", "--to", "2026-02-01"}, "needs --person"},
		{[]string{"report", "--data", data, "--person", "nobody@example.org", "--from", "2026-01-01", "--to", "2026-02-01"}, "no account"},
		{[]string{"report", "--data", data, "--person", demoClinicianEmail, "--from", "2026-01-01", "--to", "2026-02-01"}, "not a person"},
		{[]string{"report", "--data", data, "--person", demoPersonEmail, "--from", "2026-02-01", "--to", "2026-01-01"}, "--to: must be on or after from"},
		{[]string{"report", "--data", data, "--person", demoPersonEmail, "--from", "1 Feb", "--to", "2026-01-01"}, "want a date"},
		{[]string{"report", "--data", data, "--person", demoPersonEmail, "--from", "2026-01-01", "--to", "2026-02-01", "--tz", "Moon/Base"}, "time zone"},
		{[]string{"report", "--data", data, "--person", demoPersonEmail, "--from", "2026-01-01", "--to", "2026-02-01", "--plan", "jog=3"}, "--plan"},
	} {
		_, _, err := run(t, "", tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.args[3:], err, tc.want)
		}
	}
}
