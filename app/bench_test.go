package app_test

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"legwork"
	"legwork/app"
	"legwork/imu"
	"legwork/sqlite"
	"legwork/synth"
)

// BenchmarkCreateAssessment is one upload of a 25-foot walk (14 s at
// 100 Hz, LWB1): parse, analyse, compress, store durably, audit.
func BenchmarkCreateAssessment(b *testing.B) {
	db, err := sqlite.Open(b.TempDir() + "/bench.db")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	a := app.New(app.Config{Store: db, Password: fastPasswords})
	u, err := a.CreateUser(app.SystemContext(context.Background()), app.NewUser{Email: "b@example.org", Name: "B", Role: legwork.RolePerson, Password: testPassword, HeightM: 1.7})
	if err != nil {
		b.Fatal(err)
	}
	ctx := app.NewContext(context.Background(), &app.Actor{User: u})
	rec, _ := synth.Walk(synth.WalkParams{StandBeforeS: 3, WalkS: 8, StandAfterS: 3, NoiseMS2: 0.05, Seed: 1})
	var buf bytes.Buffer
	imu.WriteLWB(&buf, rec)
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := a.CreateAssessment(ctx, &app.Upload{PersonID: u.ID, TestType: legwork.TestT25FW, Placement: "lower_back", Format: app.FormatLWB, Data: data}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMetricSeries reads one metric over five years of daily tests
// (1826 points, 15 metrics each), with the p99 of the calls reported.
func BenchmarkMetricSeries(b *testing.B) {
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
	// Stored directly: this measures reading, not five years of analysis.
	start := time.Date(2021, 1, 1, 9, 0, 0, 0, time.UTC)
	names := []string{"cadence_spm", "distance_m", "step_regularity", "step_time_cv_pct", "step_time_s", "steps", "stride_length_m",
		"stride_regularity", "stride_time_cv_pct", "stride_time_s", "symmetry", "t25fw_speed_mps", "t25fw_time_s", "walking_speed_mps", "walking_time_s"}
	for d := 0; d < 5*365+1; d++ {
		m := map[string]float64{}
		for i, n := range names {
			m[n] = float64(i) + float64(d%17)/10
		}
		as := &legwork.Assessment{PersonID: u.ID, TestType: legwork.TestT25FW, Placement: "lower_back", Device: legwork.DeviceNone,
			RecordedAt: start.AddDate(0, 0, d), Source: "legwork", AlgorithmVersion: app.CurrentAlgorithmVersion(), Result: []byte(`{}`), Metrics: m}
		if err := db.CreateAssessment(bg, as, nil); err != nil {
			b.Fatal(err)
		}
	}
	ctx := app.NewContext(bg, &app.Actor{User: u})
	f := legwork.MetricFilter{PersonID: u.ID, Metric: "walking_speed_mps", TestType: legwork.TestT25FW, Device: legwork.DeviceNone}
	var lat []time.Duration
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		pts, err := a.MetricSeries(ctx, f)
		lat = append(lat, time.Since(t0))
		if err != nil || len(pts) != 5*365+1 {
			b.Fatalf("%v, %d points", err, len(pts))
		}
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
