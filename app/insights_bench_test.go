package app_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"legwork"
	"legwork/app"
	"legwork/sqlite"
)

// seedYears stores years of daily tests for a person directly in the store
// (this measures reading and computing, not years of analysis): each day a
// T25FW (time and speed), a 2-minute walk (walking speed, cadence, stride
// length, step-time variability) and a balance test (sway) — the seven
// metrics of insights' own BenchmarkInsights5Years —, a diary entry with a
// trigger on a third of the days, a fall or near-fall about every 50 days,
// and eight interventions.
func seedYears(tb testing.TB, db legwork.Store, personID int64, years int) time.Time {
	tb.Helper()
	bg := context.Background()
	start := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	r := rand.New(rand.NewPCG(5, 5))
	days := years*365 + 1
	triggers := legwork.Triggers
	for d := 0; d < days; d++ {
		day := start.AddDate(0, 0, d)
		level := 1 + 0.1*math.Sin(float64(d)/120)
		noise := func(sd float64) float64 { return 1 + sd*r.NormFloat64() }
		tests := []struct {
			test legwork.TestType
			at   time.Duration
			m    map[string]float64
		}{
			{legwork.TestT25FW, 9 * time.Hour, map[string]float64{"t25fw_time_s": 6 * level * noise(0.05)}},
			{legwork.TestWalk2Min, 9*time.Hour + 10*time.Minute, map[string]float64{"walking_speed_mps": 1.1 / level * noise(0.04),
				"cadence_spm": 105 / level * noise(0.03), "stride_length_m": 1.25 / level * noise(0.03), "step_time_cv_pct": 3 * level * noise(0.1)}},
			{legwork.TestBalance, 9*time.Hour + 20*time.Minute, map[string]float64{"sway_rms_ms2": 0.1 * level * noise(0.1)}},
		}
		tests[0].m["t25fw_speed_mps"] = 7.62 / tests[0].m["t25fw_time_s"]
		for _, tc := range tests {
			as := &legwork.Assessment{PersonID: personID, TestType: tc.test, Placement: "lower_back", Device: legwork.DeviceNone,
				RecordedAt: day.Add(tc.at), Source: "legwork", AlgorithmVersion: app.CurrentAlgorithmVersion(), Result: []byte(`{}`), Metrics: tc.m}
			if err := db.CreateAssessment(bg, as, nil); err != nil {
				tb.Fatal(err)
			}
		}
		if d%3 == 0 {
			sev := 2 + r.IntN(6)
			e := &legwork.DiaryEntry{PersonID: personID, At: day.Add(19 * time.Hour), CreatedAt: day.Add(19 * time.Hour), Severity: &sev,
				Sensations: []string{legwork.SensationHeavy}, Triggers: []string{triggers[r.IntN(len(triggers))]}}
			if d%51 == 0 {
				e.Fall = &legwork.Fall{Kind: []string{"fall", "near_fall"}[r.IntN(2)]}
			}
			if err := db.CreateDiaryEntry(bg, e); err != nil {
				tb.Fatal(err)
			}
		}
	}
	kinds := legwork.InterventionKinds
	for i := 0; i < 8; i++ {
		s := start.AddDate(0, 0, 100+i*days/9)
		end := s.AddDate(0, 0, 42)
		iv := &legwork.Intervention{PersonID: personID, Kind: kinds[i%len(kinds)], Name: "Intervention", StartDate: s, EndDate: &end, CreatedAt: s}
		if iv.Kind == legwork.InterventionAssistiveDevice {
			iv.Device = legwork.DeviceCane
		}
		if err := db.CreateIntervention(bg, iv); err != nil {
			tb.Fatal(err)
		}
	}
	return start
}

// BenchmarkInsights5Years is GET …/insights without HTTP: read five years
// of daily tests (7 metrics, 12 783 values), the diary and interventions
// from SQLite, audit, and compute the report.
func BenchmarkInsights5Years(b *testing.B) {
	db, err := sqlite.Open(b.TempDir() + "/bench.db")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	bg := context.Background()
	a := app.New(app.Config{Store: db, Password: fastPasswords})
	u, err := a.CreateUser(app.SystemContext(bg), app.NewUser{Email: "b@example.org", Name: "B", Role: legwork.RolePerson, Password: testPassword, HeightM: 1.7})
	if err != nil {
		b.Fatal(err)
	}
	seedYears(b, db, u.ID, 5)
	ctx := app.NewContext(bg, &app.Actor{User: u})
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rep, err := a.Insights(ctx, u.ID, app.InsightsOptions{})
		if err != nil || len(rep.Series) != 7 || rep.Series[0].Days != 5*365+1 {
			b.Fatalf("%v, %d series", err, len(rep.Series))
		}
	}
}
