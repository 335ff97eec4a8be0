package app_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"legwork"
	"legwork/app"
	"legwork/gait"
	"legwork/synth"
)

// writeTotalAcceleration writes a recording as Sensor Logger's
// TotalAcceleration.csv (time in ns since the epoch, UTC; z, y, x).
func writeTotalAcceleration(t *testing.T, dir string, rec *gait.Recording, t0 time.Time) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("time,seconds_elapsed,z,y,x\n")
	for _, s := range rec.Samples {
		fmt.Fprintf(&b, "%d,%.4f,%.5f,%.5f,%.5f\n", t0.UnixNano()+int64(s.TimeS*1e9+0.5), s.TimeS, s.AccMS2[2], s.AccMS2[1], s.AccMS2[0])
	}
	name := filepath.Join(dir, "TotalAcceleration.csv")
	if err := os.WriteFile(name, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

// freeLiving is minutes of daily life at 50 Hz: four minutes standing,
// then a minute's walk, over and over.
func freeLiving(minutes int) *gait.Recording {
	rec := &gait.Recording{}
	off := 0.0
	for i := 0; i < minutes/5; i++ {
		r, _ := synth.Walk(synth.WalkParams{SampleRateHz: 50, StandBeforeS: 240, WalkS: 60, NoiseMS2: 0.05, NoGyro: true, Seed: uint64(i + 1)})
		n := 300 * 50
		for _, s := range r.Samples[:min(n, len(r.Samples))] {
			s.TimeS += off
			rec.Samples = append(rec.Samples, s)
		}
		off += 300
	}
	return rec
}

func countAssessments(t *testing.T, e *env) int {
	t.Helper()
	list, err := e.store.ListAssessments(context.Background(), legwork.AssessmentFilter{PersonID: e.person.ID, Page: legwork.Page{Limit: 500}})
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

func TestImportShortRecording(t *testing.T) {
	e := newEnv(t)
	// In the phone's axes, as Sensor Logger records them: upright at the
	// back, screen facing out (roll 90°, yaw −90°, as in assess's
	// TestBalancePhoneAxes). In the body's axes the phone would lie flat,
	// which fails the placement check, and a test that is not valid
	// stores no metrics.
	rec, _ := synth.Walk(synth.WalkParams{SampleRateHz: 100, StandBeforeS: 3, WalkS: 20, StandAfterS: 3, NoiseMS2: 0.05, NoGyro: true, RollDeg: 90, YawDeg: -90, Seed: 4})
	t0 := time.Date(2026, 2, 10, 10, 0, 0, 0, time.UTC)
	name := writeTotalAcceleration(t, t.TempDir(), rec, t0)
	ctx := e.as(e.person)
	res, err := e.app.ImportFiles(ctx, app.ImportOptions{PersonID: e.person.ID}, []string{name}, []string{"walk.csv"})
	if err != nil {
		t.Fatal(err)
	}
	r := res[0]
	if r.Kind != "recording" || r.Format != "sensorlogger" || r.Source != "sensor_logger" || r.Stored != 1 || r.File != "walk.csv" {
		t.Fatalf("result %+v", r)
	}
	as, err := e.app.Assessment(ctx, e.person.ID, r.AssessmentIDs[0])
	if err != nil {
		t.Fatal(err)
	}
	if as.TestType != legwork.TestWalk || !as.RecordedAt.Equal(t0) || !as.HasRaw || as.Metrics["steps"] < 20 || as.Source != "sensor_logger" {
		t.Fatalf("assessment %+v", as)
	}
	// The samples are kept (as LWB1) for re-analysis.
	raw, err := e.app.Recording(ctx, e.person.ID, as.ID)
	if err != nil || raw.Format != app.FormatLWB || raw.Samples != len(rec.Samples) {
		t.Fatalf("recording: %v", err)
	}
	// Importing it again adds nothing.
	res, err = e.app.ImportFiles(ctx, app.ImportOptions{PersonID: e.person.ID}, []string{name}, nil)
	if err != nil || res[0].Stored != 0 || res[0].Skipped != 1 {
		t.Fatalf("again: %v %+v", err, res)
	}
}

func TestImportLongRecordingByDay(t *testing.T) {
	e := newEnv(t)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	// 40 minutes from 23:40 in Berlin: 20 minutes on each of two days.
	t0 := time.Date(2026, 2, 1, 23, 40, 0, 0, berlin)
	name := writeTotalAcceleration(t, t.TempDir(), freeLiving(40), t0)
	ctx := e.as(e.person)
	var stages []string
	opt := app.ImportOptions{PersonID: e.person.ID, Location: berlin, MinDayCoverage: 15 * time.Minute,
		Progress: func(p app.ImportProgress) {
			if len(stages) == 0 || stages[len(stages)-1] != p.Stage {
				stages = append(stages, p.Stage)
			}
		}}
	res, err := e.app.ImportFiles(ctx, opt, []string{name}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := res[0]
	if r.Kind != "daily" || r.Stored != 2 || strings.Join(r.Days, ",") != "2026-02-01,2026-02-02" {
		t.Fatalf("result %+v", r)
	}
	if strings.Join(stages, ",") != "reading,storing" {
		t.Fatalf("progress stages %v", stages)
	}
	for i, id := range r.AssessmentIDs {
		as, err := e.app.Assessment(ctx, e.person.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		day := time.Date(2026, 2, 1+i, 12, 0, 0, 0, berlin)
		if !as.RecordedAt.Equal(day) || as.HasRaw || as.TestType != legwork.TestWalk || as.Metrics["steps_per_day"] < 100 || as.Metrics["recorded_s"] < 1100 {
			t.Fatalf("day %d: %+v", i, as)
		}
	}
	// Again: both days are skipped; with the default 12 hours nothing
	// qualifies.
	res, err = e.app.ImportFiles(ctx, opt, []string{name}, nil)
	if err != nil || res[0].Stored != 0 || res[0].Skipped != 2 {
		t.Fatalf("again: %v %+v", err, res)
	}
	opt.MinDayCoverage = 0
	_, err = e.app.ImportFiles(ctx, opt, []string{name}, nil)
	if legwork.ErrorCode(err) != legwork.EUNPROCESSABLE || !strings.Contains(err.Error(), "12 h") {
		t.Fatalf("12 h: %v", err)
	}
}

const appleExport = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary)*)>
]>
<HealthData locale="en_GB">
 <ExportDate value="2026-02-12 10:00:00 +0100"/>
 <Me HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexFemale"/>
 <Record type="HKQuantityTypeIdentifierWalkingSpeed" sourceName="Kim’s iPhone" unit="km/hr" creationDate="2026-02-10 08:20:00 +0100" startDate="2026-02-10 08:10:00 +0100" endDate="2026-02-10 08:20:00 +0100" value="4.5"/>
 <Record type="HKQuantityTypeIdentifierWalkingSpeed" sourceName="Kim’s iPhone" unit="km/hr" creationDate="2026-02-10 18:20:00 +0100" startDate="2026-02-10 18:10:00 +0100" endDate="2026-02-10 18:20:00 +0100" value="3.6"/>
 <Record type="HKQuantityTypeIdentifierWalkingSpeed" sourceName="Kim’s iPhone" unit="km/hr" creationDate="2026-02-10 19:20:00 +0100" startDate="2026-02-10 19:10:00 +0100" endDate="2026-02-10 19:20:00 +0100" value="3.0"/>
 <Record type="HKQuantityTypeIdentifierWalkingDoubleSupportPercentage" sourceName="Kim’s iPhone" unit="%" creationDate="2026-02-11 08:20:00 +0100" startDate="2026-02-11 08:10:00 +0100" endDate="2026-02-11 08:20:00 +0100" value="0.31"/>
 <Record type="HKQuantityTypeIdentifierStepCount" sourceName="Kim’s iPhone" unit="count" creationDate="2026-02-10 08:20:00 +0100" startDate="2026-02-10 08:10:00 +0100" endDate="2026-02-10 08:20:00 +0100" value="1200"/>
 <Record type="HKQuantityTypeIdentifierStepCount" sourceName="Kim’s iPhone" unit="count" creationDate="2026-02-11 08:20:00 +0100" startDate="2026-02-11 08:10:00 +0100" endDate="2026-02-11 08:20:00 +0100" value="800"/>
 <Record type="HKQuantityTypeIdentifierStepCount" sourceName="Kim’s iPhone" unit="count" creationDate="2026-02-12 08:20:00 +0100" startDate="2026-02-12 08:10:00 +0100" endDate="2026-02-12 08:20:00 +0100" value="300"/>
</HealthData>
`

func TestImportAppleHealth(t *testing.T) {
	e := newEnv(t)
	name := filepath.Join(t.TempDir(), "export.xml")
	if err := os.WriteFile(name, []byte(appleExport), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := e.as(e.person)
	res, err := e.app.ImportFiles(ctx, app.ImportOptions{PersonID: e.person.ID}, []string{name}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := res[0]
	// The export's own day (12 Feb) is incomplete and left out.
	if r.Kind != "apple_health" || r.Source != "apple_health" || r.Stored != 2 || strings.Join(r.Days, ",") != "2026-02-10,2026-02-11" || len(r.Notes) != 1 {
		t.Fatalf("result %+v", r)
	}
	as, err := e.app.Assessment(ctx, e.person.ID, r.AssessmentIDs[0])
	if err != nil {
		t.Fatal(err)
	}
	// The day's median speed (4.5, 3.6, 3.0 km/h → 1.0 m/s) and steps.
	if as.Source != "apple_health" || as.HasRaw || as.TestType != legwork.TestWalk || as.RecordedAt.Hour() != 12 ||
		fmt.Sprintf("%.3f", as.Metrics["apple_walking_speed_mps"]) != "1.000" || as.Metrics["steps_per_day"] != 1200 {
		t.Fatalf("10 Feb: %+v", as)
	}
	as, _ = e.app.Assessment(ctx, e.person.ID, r.AssessmentIDs[1])
	if as.Metrics["apple_double_support_pct"] != 31 || as.Metrics["steps_per_day"] != 800 || len(as.Metrics) != 2 {
		t.Fatalf("11 Feb: %+v", as.Metrics)
	}
	// The series sit beside legwork's own.
	names, _ := e.app.MetricNames(ctx, e.person.ID)
	if !strings.Contains(strings.Join(names, ","), "apple_walking_speed_mps") {
		t.Fatalf("metric names %v", names)
	}
	res, err = e.app.ImportFiles(ctx, app.ImportOptions{PersonID: e.person.ID}, []string{name}, nil)
	if err != nil || res[0].Stored != 0 || res[0].Skipped != 2 {
		t.Fatalf("again: %v %+v", err, res)
	}
}

// A file that cannot be read stops the import before anything is stored,
// and the error names it.
func TestImportAllOrNothing(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "export.xml")
	os.WriteFile(good, []byte(appleExport), 0o644)
	bad := filepath.Join(dir, "broken.csv")
	os.WriteFile(bad, []byte("t,ax,ay,az\n0,0,9.8,0\n0.01,0,oops,0\n"), 0o644)
	before := countAssessments(t, e)
	_, err := e.app.ImportFiles(e.as(e.person), app.ImportOptions{PersonID: e.person.ID}, []string{good, bad}, nil)
	if legwork.ErrorCode(err) != legwork.EINVALID || !strings.Contains(legwork.ErrorMessage(err), "broken.csv: csv: line 3") {
		t.Fatalf("error %v", err)
	}
	if n := countAssessments(t, e); n != before {
		t.Fatalf("%d assessments stored", n-before)
	}
	// Not a recording at all.
	other := filepath.Join(dir, "notes.txt")
	os.WriteFile(other, []byte("hello\n"), 0o644)
	_, err = e.app.ImportFiles(e.as(e.person), app.ImportOptions{PersonID: e.person.ID}, []string{other}, nil)
	if legwork.ErrorCode(err) != legwork.EINVALID || !strings.Contains(legwork.ErrorMessage(err), "notes.txt") {
		t.Fatalf("not a recording: %v", err)
	}
	// A long recording without a start time cannot be split into days.
	rec := freeLiving(35)
	var b strings.Builder
	b.WriteString("t,ax,ay,az\n")
	for _, s := range rec.Samples {
		fmt.Fprintf(&b, "%.3f,%.4f,%.4f,%.4f\n", s.TimeS, s.AccMS2[0], s.AccMS2[1], s.AccMS2[2])
	}
	long := filepath.Join(dir, "long.csv")
	os.WriteFile(long, []byte(b.String()), 0o644)
	_, err = e.app.ImportFiles(e.as(e.person), app.ImportOptions{PersonID: e.person.ID}, []string{long}, nil)
	if legwork.ErrorCode(err) != legwork.EUNPROCESSABLE || !strings.Contains(legwork.ErrorMessage(err), "does not say when it started") {
		t.Fatalf("long CSV: %v", err)
	}
	if n := countAssessments(t, e); n != before {
		t.Fatalf("%d assessments stored", n-before)
	}
}

func TestImportAccessAndAudit(t *testing.T) {
	e := newEnv(t)
	name := filepath.Join(t.TempDir(), "export.xml")
	os.WriteFile(name, []byte(appleExport), 0o644)
	opt := app.ImportOptions{PersonID: e.person.ID}
	_, err := e.app.ImportFiles(e.as(e.clinician), opt, []string{name}, nil)
	wantCode(t, err, legwork.EFORBIDDEN)
	_, err = e.app.ImportFiles(e.as(e.admin), opt, []string{name}, nil)
	wantCode(t, err, legwork.ENOTFOUND)
	_, err = e.app.ImportFiles(e.as(e.person), app.ImportOptions{PersonID: e.person.ID, Placement: "knee"}, []string{name}, nil)
	if legwork.ErrorField(err) != "placement" {
		t.Fatalf("placement: %v", err)
	}
	before := len(auditRows(t, e))
	if _, err := e.app.ImportFiles(app.SystemContext(context.Background()), opt, []string{name}, []string{"export.xml"}); err != nil {
		t.Fatal(err)
	}
	evs := auditRows(t, e)
	if len(evs) != before+1 || evs[0].Action != "import" || evs[0].Detail != "export.xml: apple_health, 2 stored, 0 skipped" {
		t.Fatalf("audit %+v", evs[0])
	}
}

// A legwork CSV says nothing of when it was recorded, so each import dates
// it at its own time; importing the same file again is still recognised,
// by its samples, and adds nothing. A different recording is added.
func TestImportUndatedAgain(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	write := func(seed uint64) string {
		rec, _ := synth.Walk(synth.WalkParams{SampleRateHz: 100, StandBeforeS: 3, WalkS: 20, StandAfterS: 3, NoiseMS2: 0.05, Seed: seed})
		var b strings.Builder
		b.WriteString("t,ax,ay,az,gx,gy,gz\n")
		for _, s := range rec.Samples {
			fmt.Fprintf(&b, "%.3f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f\n", s.TimeS, s.AccMS2[0], s.AccMS2[1], s.AccMS2[2], s.GyroRPS[0], s.GyroRPS[1], s.GyroRPS[2])
		}
		name := filepath.Join(dir, fmt.Sprintf("walk%d.csv", seed))
		if err := os.WriteFile(name, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return name
	}
	a, b := write(1), write(2)
	ctx := e.as(e.person)
	opt := app.ImportOptions{PersonID: e.person.ID, Placement: "lower_back"}
	res, err := e.app.ImportFiles(ctx, opt, []string{a}, nil)
	if err != nil || res[0].Stored != 1 {
		t.Fatalf("first import: %v %+v", err, res)
	}
	e.clock.Advance(time.Hour)
	res, err = e.app.ImportFiles(ctx, opt, []string{a, b}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Stored != 0 || res[0].Skipped != 1 || !strings.Contains(strings.Join(res[0].Notes, " "), "imported before") {
		t.Errorf("the same undated file again: %+v", res[0])
	}
	if res[1].Stored != 1 {
		t.Errorf("another undated file: %+v", res[1])
	}
	if n := countAssessments(t, e); n != 2 {
		t.Errorf("%d assessments stored, want 2", n)
	}
}
