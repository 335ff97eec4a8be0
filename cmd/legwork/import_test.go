package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"legwork"
	"legwork/sqlite"
	"legwork/synth"
)

const testAppleExport = `<?xml version="1.0" encoding="UTF-8"?>
<HealthData locale="en_GB">
 <ExportDate value="2026-02-12 10:00:00 +0100"/>
 <Record type="HKQuantityTypeIdentifierWalkingSpeed" sourceName="iPhone" unit="km/hr" creationDate="2026-02-10 08:20:00 +0100" startDate="2026-02-10 08:10:00 +0100" endDate="2026-02-10 08:20:00 +0100" value="4.5"/>
 <Record type="HKQuantityTypeIdentifierStepCount" sourceName="iPhone" unit="count" creationDate="2026-02-11 08:20:00 +0100" startDate="2026-02-11 08:10:00 +0100" endDate="2026-02-11 08:20:00 +0100" value="800"/>
</HealthData>
`

func TestImportCommand(t *testing.T) {
	data := t.TempDir()
	mustRun(t, "a long passphrase\n", "user", "add", "--data", data, "--email", "kim@example.org", "--name", "Kim", "--role", "person", "--height-m", "1.7", "--password-stdin")
	dir := t.TempDir()
	apple := filepath.Join(dir, "export.xml")
	os.WriteFile(apple, []byte(testAppleExport), 0o644)
	rec, _ := synth.Walk(synth.WalkParams{StandBeforeS: 3, WalkS: 15, StandAfterS: 3, NoiseMS2: 0.05, NoGyro: true, Seed: 2})
	var b strings.Builder
	b.WriteString("time,seconds_elapsed,z,y,x\n")
	t0 := time.Date(2026, 2, 10, 9, 0, 0, 0, time.UTC)
	for _, s := range rec.Samples {
		fmt.Fprintf(&b, "%d,%.4f,%.5f,%.5f,%.5f\n", t0.UnixNano()+int64(s.TimeS*1e9), s.TimeS, s.AccMS2[2], s.AccMS2[1], s.AccMS2[0])
	}
	walk := filepath.Join(dir, "TotalAcceleration.csv")
	os.WriteFile(walk, []byte(b.String()), 0o644)

	out := mustRun(t, "", "import", "--data", data, "--person", "kim@example.org", "--tz", "Europe/Berlin", apple, walk)
	for _, want := range []string{"export.xml: apple_health, apple_health: 2 stored, 0 already imported (days 2026-02-10 to 2026-02-11)",
		"TotalAcceleration.csv: sensorlogger, recording: 1 stored", "imported 2 files for kim@example.org"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	out = mustRun(t, "", "import", "--data", data, "--person", "kim@example.org", "--tz", "Europe/Berlin", "--quiet", apple, walk)
	if !strings.Contains(out, "0 stored, 2 already imported") || !strings.Contains(out, "0 stored, 1 already imported") {
		t.Errorf("again:\n%s", out)
	}
	// A broken file: nothing is stored, and the message names the file.
	bad := filepath.Join(dir, "broken.csv")
	os.WriteFile(bad, []byte("t,ax,ay,az\n0,0,9.8,0\n0.01,0,oops,0\n"), 0o644)
	_, errs, err := run(t, "", "import", "--data", data, "--person", "kim@example.org", apple, bad)
	if err == nil || !strings.Contains(err.Error(), "broken.csv: csv: line 3") || !strings.Contains(errs, "nothing was stored") {
		t.Fatalf("broken: %v\n%s", err, errs)
	}
	if _, _, err := run(t, "", "import", "--data", data, "--person", "kim@example.org"); err == nil || !strings.Contains(err.Error(), "at least one FILE") {
		t.Fatalf("no files: %v", err)
	}
}

// Without --tz, "legwork import" and "legwork report" read the person's
// days in the time zone stored with their account, and the report takes
// their stored weekly plan.
func TestCommandsUseStoredSettings(t *testing.T) {
	data := t.TempDir()
	mustRun(t, "a long passphrase\n", "user", "add", "--data", data, "--email", "kim@example.org", "--name", "Kim", "--role", "person", "--password-stdin")
	db, err := sqlite.Open(filepath.Join(data, sqliteFile))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	u, err := db.UserByEmail(ctx, "kim@example.org")
	if err != nil {
		t.Fatal(err)
	}
	u.TimeZone = "Asia/Tokyo"
	if err := db.UpdateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := db.SetWeeklyPlan(ctx, u.ID, map[legwork.TestType]int{legwork.TestT25FW: 2, legwork.TestBalance: 0}, nil, time.Time{}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	// 23:30 on 10 February in the export's zone (+01:00) is the morning of
	// the 11th in Tokyo.
	export := strings.ReplaceAll(strings.ReplaceAll(testAppleExport, "2026-02-10 08:10:00 +0100", "2026-02-10 23:30:00 +0100"),
		"2026-02-10 08:20:00 +0100", "2026-02-10 23:40:00 +0100")
	apple := filepath.Join(t.TempDir(), "export.xml")
	os.WriteFile(apple, []byte(export), 0o644)
	out := mustRun(t, "", "import", "--data", data, "--person", "kim@example.org", "--quiet", apple)
	// (In the export's own zone, the walking speed would be on the 10th.)
	if !strings.Contains(out, "1 stored, 0 already imported (days 2026-02-11 to 2026-02-11)") {
		t.Fatalf("import without --tz:\n%s", out)
	}

	html := filepath.Join(t.TempDir(), "report.html")
	mustRun(t, "", "report", "--data", data, "--person", "kim@example.org", "--from", "2026-02-01", "--to", "2026-02-28", "-o", html)
	b, err := os.ReadFile(html)
	if err != nil || !strings.Contains(string(b), "weekly plan as stored") || !strings.Contains(string(b), "Asia/Tokyo") {
		t.Fatalf("report: %v\n%.2000s", err, b)
	}
	db, err = sqlite.Open(filepath.Join(data, sqliteFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	evs, err := db.ListAudit(ctx, legwork.AuditFilter{PersonID: &u.ID, Page: legwork.Page{Limit: 1}})
	if err != nil || len(evs) != 1 || evs[0].Object != "report" || evs[0].Detail != "2026-02-01..2026-02-28 tz=Asia/Tokyo" {
		t.Fatalf("audit %+v %v", evs, err)
	}
}
