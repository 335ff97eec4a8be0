package insights

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestDailyValuesMedianAndNight(t *testing.T) {
	obs := []Observation{
		{At: t0.Add(2 * time.Hour), Value: 3},
		{At: t0, Value: 1},
		{At: t0.Add(13 * time.Hour), Value: 2}, // 22:00, night
		{At: t0.AddDate(0, 0, 1), Value: 5},
		{At: t0.AddDate(0, 0, 2), Value: math.NaN()},
	}
	d := DailyValues(obs, time.UTC, 21, 6)
	if len(d) != 2 {
		t.Fatalf("got %d daily values, want 2", len(d))
	}
	// Median of 1, 3, 2 is 2; the first test of the day gives the time.
	if d[0].Value != 2 || d[0].Tests != 3 || !d[0].At.Equal(t0) || !d[0].Night {
		t.Errorf("day 0 = %+v", d[0])
	}
	if d[1].Value != 5 || d[1].Night {
		t.Errorf("day 1 = %+v", d[1])
	}
	// The calendar day follows the location: 23:30 UTC is the same day as
	// 09:00 UTC in UTC, but the next day in UTC+1.
	late := []Observation{{At: t0, Value: 1}, {At: t0.Add(14*time.Hour + 30*time.Minute), Value: 2}}
	if got := DailyValues(late, time.UTC, 21, 6); len(got) != 1 {
		t.Errorf("in UTC got %d days, want 1", len(got))
	}
	if got := DailyValues(late, time.FixedZone("CET", 3600), 21, 6); len(got) != 2 {
		t.Errorf("in UTC+1 got %d days, want 2", len(got))
	}
}

// Hand-computed: the daily values in the first 28 days are 10, 12, 11, 9,
// 50, 10, 11 (every 4 days). Sorted 9 10 10 11 11 12 50: median 11;
// absolute deviations 0 0 1 1 2 2 39: median 1, SD = 1.4826; type-7
// quartiles Q1 = x(1.5) = 10, Q3 = x(4.5) = 11.5. The value on day 28 is
// outside the period.
func TestEstimateBaselineHandExample(t *testing.T) {
	days := DailyValues(series(t0, 4, 10, 12, 11, 9, 50, 10, 11, 99), time.UTC, 0, 0)
	b, ok := EstimateBaseline(days, BaselineOptions{}, time.UTC)
	if !ok {
		t.Fatal("no baseline")
	}
	if b.Days != 7 || b.Median != 11 || b.Q1 != 10 || b.Q3 != 11.5 {
		t.Errorf("baseline %+v", b)
	}
	near(t, "SD", b.SD, MADScale, 1e-12)
	if b.Extended || b.Given {
		t.Error("unexpected flags")
	}
}

func TestEstimateBaselineExtendsAndGiven(t *testing.T) {
	// Tests on days 0, 20 and 35: only 2 in 4 weeks, so the period is
	// extended to day 36 (the third test), within 12 weeks.
	obs := append(series(t0, 20, 6, 7), series(t0.AddDate(0, 0, 35), 1, 8)...)
	days := DailyValues(obs, time.UTC, 0, 0)
	b, ok := EstimateBaseline(days, BaselineOptions{}, time.UTC)
	if !ok || !b.Extended || b.Days != 3 || b.Median != 7 {
		t.Errorf("extended baseline %+v ok=%v", b, ok)
	}
	if want := time.Date(2024, 4, 9, 0, 0, 0, 0, time.UTC); !b.To.Equal(want) {
		t.Errorf("To = %v, want %v", b.To, want)
	}
	// Two tests in 12 weeks: no baseline.
	if _, ok := EstimateBaseline(DailyValues(series(t0, 60, 6, 7, 8), time.UTC, 0, 0), BaselineOptions{}, time.UTC); ok {
		t.Error("baseline from 2 tests in 12 weeks")
	}
	// A given period.
	from, to := t0.AddDate(0, 0, 20), t0.AddDate(0, 0, 40)
	b, ok = EstimateBaseline(days, BaselineOptions{From: &from, To: &to}, time.UTC)
	if ok || !b.Given || b.Days != 2 {
		t.Errorf("given period: %+v ok=%v, want 2 days and not ok", b, ok)
	}
}

// A baseline period chosen by hand that is longer than MaxWeeks (here 20
// weeks of daily tests, a stable period agreed with the clinician) gives
// its noise from all of it: 139 pairs, not the first 12 weeks' 83. The
// values alternate 10, 11 for 12 weeks and then 10, 13, so the noise of
// the whole period is larger than that of its first 12 weeks.
func TestEstimateNoiseLongGivenBaseline(t *testing.T) {
	var vals []float64
	for i := 0; i < 140; i++ {
		switch {
		case i%2 == 0:
			vals = append(vals, 10)
		case i < 84:
			vals = append(vals, 11)
		default:
			vals = append(vals, 13)
		}
	}
	days := DailyValues(series(t0, 1, vals...), time.UTC, 0, 0)
	from, to := t0, t0.AddDate(0, 0, 140)
	b, ok := EstimateBaseline(days, BaselineOptions{From: &from, To: &to}, time.UTC)
	if !ok || b.Days != 140 {
		t.Fatalf("baseline %+v ok=%v", b, ok)
	}
	nz, ok := EstimateNoise(days, b, NoiseOptions{})
	if !ok || nz.Pairs != 139 || !nz.To.Equal(to.Truncate(24*time.Hour)) {
		t.Fatalf("noise %+v ok=%v, want 139 pairs to %v", nz, ok, to)
	}
}

// Hand-computed: daily values 10, 12, 11, 13, 12 give successive
// differences 2, −1, 2, −1 with sample SD √3 (mean 0.5, squared
// deviations 4 × 2.25 = 9, /3). SEM = √3/√2, SDC95 = 1.96·√3. With 4
// pairs (< 10) the sample SD is used and the estimate is low precision.
func TestEstimateNoiseHandExample(t *testing.T) {
	days := DailyValues(series(t0, 1, 10, 12, 11, 13, 12), time.UTC, 0, 0)
	b, _ := EstimateBaseline(days, BaselineOptions{}, time.UTC)
	nz, ok := EstimateNoise(days, b, NoiseOptions{})
	if !ok {
		t.Fatal("no noise")
	}
	near(t, "SDDiff", nz.SDDiff, math.Sqrt(3), 1e-12)
	near(t, "SEM", nz.SEM, math.Sqrt(3)/math.Sqrt2, 1e-12)
	near(t, "SDC95", nz.SDC95, 1.96*math.Sqrt(3), 1e-12)
	near(t, "SDC95Pct", *nz.SDC95Pct, 100*1.96*math.Sqrt(3)/12, 1e-9)
	if nz.Robust || !nz.LowPrecision || nz.Pairs != 4 {
		t.Errorf("flags %+v", nz)
	}
}

// Robust path: 13 daily values whose 12 successive differences are
// +1, −1 alternating (6 × +1, 5 × −1) and one +100 jump. median(d) = 1,
// |d − 1| = 0 ×6, 2 ×5, 99 → median 1, so SD(d) = 1.4826 although the
// sample SD would be about 29: one bad day does not inflate the noise.
func TestEstimateNoiseRobust(t *testing.T) {
	v := []float64{10}
	for i := 0; i < 11; i++ {
		if i%2 == 0 {
			v = append(v, v[len(v)-1]+1)
		} else {
			v = append(v, v[len(v)-1]-1)
		}
	}
	v = append(v, v[len(v)-1]+100)
	days := DailyValues(series(t0, 2, v...), time.UTC, 0, 0)
	b, _ := EstimateBaseline(days, BaselineOptions{}, time.UTC)
	nz, ok := EstimateNoise(days, b, NoiseOptions{})
	if !ok || !nz.Robust || nz.Pairs != 12 {
		t.Fatalf("noise %+v ok=%v", nz, ok)
	}
	near(t, "SDDiff", nz.SDDiff, MADScale, 1e-12)
	if nz.Estimator != "mad" {
		t.Errorf("estimator %q", nz.Estimator)
	}
}

// Rounded data: differences 0.1, 0.1, −0.2 repeating (values 5.9, 6.0,
// 6.1, …) have median 0.1 and absolute deviations 0, 0, 0.3, so the MAD
// is 0; the fallback is 1.2533 × mean(0, 0, 0.3) = 1.2533 × 0.1.
func TestRobustScaleRoundedData(t *testing.T) {
	var d []float64
	for i := 0; i < 12; i++ {
		d = append(d, 0.1, 0.1, -0.2)
	}
	sd, est := RobustScale(d)
	if est != "mean_abs_dev" {
		t.Fatalf("estimator %q", est)
	}
	near(t, "scale", sd, MeanADScale*0.1, 1e-9)
	if sd, est := RobustScale([]float64{2, 2, 2}); sd != 0 || est != "mad" {
		t.Errorf("constant: %v %q", sd, est)
	}
}

// A weekly tester has 4 tests and 3 pairs in 4 weeks; with one missed
// week the period is extended past the baseline until 3 pairs exist.
// Results that never change in the baseline weeks (a value a phone
// updates only now and then, e.g. an imported walking steadiness of 85 %
// every day) give no noise estimate, not an SDC of 0 by which a later 1 %
// change would be "probably real": the series says why, and its change is
// "noise unknown". Differences that are all equal but not zero (a steady
// rise of 1 a day) are the same case.
func TestEstimateNoiseNoSpread(t *testing.T) {
	for _, c := range []struct {
		name string
		val  func(i int) float64
	}{
		{"constant", func(int) float64 { return 85 }},
		{"steady rise", func(i int) float64 { return 60 + float64(i) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			var obs []Observation
			for i := 0; i < 28; i++ {
				obs = append(obs, Observation{At: t0.AddDate(0, 0, i), Value: c.val(i), TestType: "walk", Device: "none"})
			}
			obs = append(obs, Observation{At: t0.AddDate(0, 0, 30), Value: 84, TestType: "walk", Device: "none"})
			days := DailyValues(obs, time.UTC, 0, 0)
			b, ok := EstimateBaseline(days, BaselineOptions{}, time.UTC)
			if !ok {
				t.Fatal("no baseline")
			}
			nz, ok := EstimateNoise(days, b, NoiseOptions{})
			if ok || !nz.NoSpread || nz.Pairs < 3 {
				t.Fatalf("noise %+v, ok %v; want no estimate with NoSpread", nz, ok)
			}
			rep := Compute(Input{Metrics: map[string][]Observation{"walking_steadiness_pct": obs}, AsOf: t0.AddDate(0, 0, 31)})
			sr := rep.Series[0]
			if sr.Noise != nil || sr.Change == nil || sr.Change.Class != ClassNoiseUnknown {
				t.Fatalf("series noise %+v, change %+v", sr.Noise, sr.Change)
			}
			if !strings.Contains(strings.Join(sr.Messages, " "), "changed by exactly the same amount") {
				t.Errorf("messages %q", sr.Messages)
			}
		})
	}
}

func TestEstimateNoiseExtendsForWeeklyTesters(t *testing.T) {
	obs := append(series(t0, 7, 6.0, 6.3, 5.9), series(t0.AddDate(0, 0, 35), 7, 6.1, 6.2)...)
	days := DailyValues(obs, time.UTC, 0, 0)
	b, ok := EstimateBaseline(days, BaselineOptions{}, time.UTC)
	if !ok || b.Days != 3 {
		t.Fatalf("baseline %+v", b)
	}
	nz, ok := EstimateNoise(days, b, NoiseOptions{})
	if !ok || nz.Pairs != 3 {
		t.Fatalf("noise %+v ok=%v", nz, ok)
	}
	// Differences 0.3, −0.4 (days 0–14), then 0.1 (days 35–42; the 21-day
	// gap from day 14 to 35 is no pair): sample SD √(0.26/2).
	near(t, "SDDiff", nz.SDDiff, math.Sqrt(0.26/2), 1e-12)
	if !nz.To.After(b.To) {
		t.Errorf("noise period %v–%v not extended past baseline end %v", nz.From, nz.To, b.To)
	}
}

func TestClassifyChange(t *testing.T) {
	t25 := LookupMetric("t25fw_time_s", "t25fw")
	speed := LookupMetric("walking_speed_mps", "walk")
	base := Baseline{From: time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC), Days: 20, Median: 6}
	later := t0.AddDate(0, 0, 60)
	cases := []struct {
		name  string
		info  MetricInfo
		base  float64
		sdc   float64
		vals  []float64
		class string
		dir   string
		mcid  float64 // expected absolute MCID, 0 = none
	}{
		// T25FW 6 s → 7.5 s (+25 %): beyond SDC 0.6 and MCID 20 % = 1.2 s.
		{"t25fw worse both", t25, 6, 0.6, []float64{7.4, 7.5, 7.6}, ClassBeyondBoth, DirWorse, 1.2},
		// 6.4 s: within SDC 0.6.
		{"t25fw within", t25, 6, 0.6, []float64{6.3, 6.4, 6.5}, ClassWithinNoise, DirWorse, 1.2},
		// +1.3 s is beyond MCID 1.2 but within a noisy person's SDC 1.5.
		{"t25fw mcid only", t25, 6, 1.5, []float64{7.3}, ClassBeyondMCIDOnly, DirWorse, 1.2},
		// 6 → 5.5 s: better, beyond SDC 0.3, not beyond 16.7 % = 1.0 s.
		{"t25fw better sdc", t25, 6, 0.3, []float64{5.5}, ClassBeyondSDC, DirBetter, 1.0},
		// Walking speed: no MCID, so beyond SDC only.
		{"speed no mcid", speed, 1.0, 0.05, []float64{0.9}, ClassBeyondSDC, DirWorse, 0},
	}
	for _, c := range cases {
		b := base
		b.Median = c.base
		days := DailyValues(series(later, 1, c.vals...), time.UTC, 0, 0)
		ch, ok := ClassifyChange(days, b, &Noise{SDC95: c.sdc, Pairs: 19}, c.info, ChangeOptions{})
		if !ok {
			t.Fatalf("%s: not ok", c.name)
		}
		if ch.Class != c.class || ch.Direction != c.dir {
			t.Errorf("%s: class %s dir %s, want %s %s", c.name, ch.Class, ch.Direction, c.class, c.dir)
		}
		if c.mcid == 0 && ch.MCID != nil {
			t.Errorf("%s: MCID %v, want none", c.name, *ch.MCID)
		}
		if c.mcid != 0 && (ch.MCID == nil || math.Abs(*ch.MCID-c.mcid) > 0.001) {
			t.Errorf("%s: MCID %v, want %v", c.name, ch.MCID, c.mcid)
		}
		if ch.Message == "" || ch.Clinician == "" {
			t.Errorf("%s: empty messages", c.name)
		}
	}
	// Without a noise estimate the class says so.
	days := DailyValues(series(later, 1, 7.5), time.UTC, 0, 0)
	ch, _ := ClassifyChange(days, base, nil, t25, ChangeOptions{})
	if ch.Class != ClassNoiseUnknown || ch.BeyondSDC != nil || ch.BeyondMCID == nil || !*ch.BeyondMCID {
		t.Errorf("noise unknown: %+v", ch)
	}
	if !strings.Contains(ch.Message, "cannot yet tell") {
		t.Errorf("message %q", ch.Message)
	}
	// Only baseline days: no change.
	if _, ok := ClassifyChange(DailyValues(series(t0, 1, 6), time.UTC, 0, 0), base, nil, t25, ChangeOptions{}); ok {
		t.Error("change reported inside the baseline")
	}
}

// Every metric named in docs/METRICS.md that legwork's tests produce has a
// table entry; those with a published MCID are exactly the T25FW and the
// 2-minute walk distance.
func TestMetricTableCoversTestMetrics(t *testing.T) {
	names := []string{"t25fw_time_s", "t25fw_speed_mps", "walking_speed_mps", "walk2min_distance_m", "walk2min_steps", "steps",
		"cadence_spm", "stride_length_m", "step_time_s", "stride_time_s", "step_time_cv_pct", "stride_time_cv_pct",
		"step_regularity", "stride_regularity", "symmetry", "walking_time_s", "sway_rms_ms2", "sway_ap_rms_ms2",
		"sway_ml_rms_ms2", "sway_path_ms2", "sway_jerk_ms3", "sway_ellipse_m2s4", "sway_freq_hz", "romberg_ratio",
		"sts5_time_s", "sts_rep_time_s", "sts_slowing_pct", "sts_power_wkg", "sts_repetitions", "cadence_decline_pct",
		"turn_speed_rps", "turn_speed_median_rps", "turn_duration_s", "steps_per_turn", "turns"}
	for _, n := range names {
		m, ok := Metrics[n]
		if !ok || m.Name != n || m.Label == "" || m.More == "" || m.Less == "" {
			t.Errorf("metric %q: %+v", n, m)
		}
		hasMCID := m.MCID != nil
		want := n == "t25fw_time_s" || n == "t25fw_speed_mps" || n == "walk2min_distance_m"
		if hasMCID != want {
			t.Errorf("metric %q: MCID %v, want %v", n, hasMCID, want)
		}
	}
	// distance_m means the 2-minute walk distance only in that test, and
	// its worsening threshold is labelled as scaled.
	if m := LookupMetric("distance_m", "walk2min"); m.MCID == nil || !m.MCID.Worsening.Scaled || m.MCID.Improvement.Scaled {
		t.Errorf("2MW distance %+v", m.MCID)
	}
	if m := LookupMetric("distance_m", "walk"); m.MCID != nil || !m.Neutral {
		t.Errorf("free-walk distance %+v", m)
	}
	// A report cannot change the table.
	m := LookupMetric("t25fw_time_s", "t25fw")
	m.MCID.Worsening.Amount = 99
	if Metrics["t25fw_time_s"].MCID.Worsening.Amount != 0.20 {
		t.Error("LookupMetric shares the table's thresholds")
	}
}
