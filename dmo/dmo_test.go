package dmo

import (
	"math"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Berlin for the daylight-saving test, on any machine

	"legwork/gait"
)

func bout(start, end float64, steps int, cad, speed, sl float64) gait.Bout {
	b := gait.Bout{StartS: start, EndS: end}
	b.Steps = steps
	b.CadenceSPM, b.StrideTimeS = gait.Value(cad), gait.Value(120/cad)
	b.WalkingSpeedMPS, b.StrideLengthM = gait.Value(speed), gait.Value(sl)
	if math.IsNaN(speed) {
		b.WalkingSpeedMPS = gait.NA
	}
	if math.IsNaN(sl) {
		b.StrideLengthM = gait.NA
	}
	return b
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestQuantileNumpy(t *testing.T) {
	// numpy.percentile([1, 2, 3, 4, 10], [50, 90]) = 3, 7.6
	x := []float64{1, 2, 3, 4, 10}
	if q := Quantile(x, 0.5); q != 3 {
		t.Errorf("median %v, want 3", q)
	}
	if q := Quantile(x, 0.9); !near(q, 7.6) {
		t.Errorf("p90 %v, want 7.6", q)
	}
	if q := Quantile([]float64{5}, 0.9); q != 5 {
		t.Errorf("single value p90 %v", q)
	}
}

func TestDays(t *testing.T) {
	// The recording starts at 22:00 local (UTC+2) on 1 March; the first
	// local midnight is 2 h in.
	loc := time.FixedZone("UTC+2", 2*3600)
	start := time.Date(2024, 3, 1, 22, 0, 0, 0, loc)
	res := &gait.Result{DurationS: 26 * 3600, HasGyro: true}
	res.Bouts = []gait.Bout{
		bout(600, 605, 10, 100, 1.0, 1.2),      // day 1: 5 s
		bout(3600, 3620, 36, 108, 1.1, 1.22),   // day 1: 20 s
		bout(7300, 7340, 70, 110, 1.2, 1.3),    // day 2 (starts after midnight): 40 s
		bout(7341.5, 7360, 30, 120, 1.4, 1.4),  // 1.5 s later: joined to the previous
		bout(20000, 20100, 180, 112, 1.3, 1.4), // day 2: 100 s
		bout(30000, 30012, 22, 104, math.NaN(), math.NaN()),
	}
	res.Turns = []gait.Turn{{StartS: 20050, EndS: 20052}, {StartS: 25000, EndS: 25002}} // one inside a bout
	res.Sampling.Gaps = []gait.Gap{{StartS: 10000, EndS: 13600}}                        // 1 h lost on day 2
	days := Days(res, Options{Start: start, Location: loc})
	if len(days) != 2 {
		t.Fatalf("%d days, want 2", len(days))
	}
	d1, d2 := days[0], days[1]
	if d1.Date != "2024-03-01" || d2.Date != "2024-03-02" {
		t.Errorf("dates %s %s", d1.Date, d2.Date)
	}
	if !near(d1.RecordedS, 7200) || !near(d2.RecordedS, 23*3600) {
		t.Errorf("coverage %v %v s", d1.RecordedS, d2.RecordedS)
	}
	a1 := d1.Groups[GroupAll]
	if a1.Bouts != 2 || a1.Steps != 46 || !near(a1.WalkingTimeS, 25) {
		t.Errorf("day 1: %+v", a1)
	}
	if !near(float64(a1.DurationS.Median), 12.5) || !near(float64(a1.DurationS.P90), 5+0.9*15) {
		t.Errorf("day 1 durations %+v", a1.DurationS)
	}
	if g := d1.Groups[Group10]; g.Bouts != 1 || !near(float64(g.CadenceSPM.Mean), 108) || g.CadenceSPM.CV.Valid() {
		t.Errorf("day 1 > 10 s: %+v", g)
	}
	if d1.Groups[Group30].Bouts != 0 || d1.Groups[Group30].WalkingSpeedMPS.Mean.Valid() {
		t.Errorf("day 1 > 30 s: %+v", d1.Groups[Group30])
	}
	a2 := d2.Groups[GroupAll]
	// joined: 7300–7360 (60 s, 100 steps), 20000–20100 (100 s), 30000–30012 (12 s)
	if a2.Bouts != 3 || a2.Steps != 100+180+22 || !near(a2.WalkingTimeS, 172) {
		t.Errorf("day 2: %+v", a2)
	}
	joined := (70*110.0 + 30*120) / 100
	if g := d2.Groups[Group30]; g.Bouts != 2 || !near(float64(g.CadenceSPM.Mean), (joined+112)/2) {
		t.Errorf("day 2 > 30 s: %+v", g)
	}
	// speed of the joined bout: distance over time of its parts
	wsJoined := (1.2*40 + 1.4*18.5) / (40 + 18.5)
	g30 := d2.Groups[Group30]
	if !near(float64(g30.WalkingSpeedMPS.Mean), (wsJoined+1.3)/2) || !near(float64(g30.WalkingSpeedMPS.P90), wsJoined+0.9*(1.3-wsJoined)) {
		t.Errorf("day 2 speed %+v (joined bout %v)", g30.WalkingSpeedMPS, wsJoined)
	}
	// the 12-s bout has no speed: n = 2 of 3 bouts over 10 s
	if g := d2.Groups[Group10]; g.Bouts != 3 || g.WalkingSpeedMPS.N != 2 {
		t.Errorf("day 2 > 10 s: %+v", g)
	}
	if g := d2.Groups[Group60]; g.Bouts != 1 {
		t.Errorf("day 2 > 60 s: %d bouts (the 60-s joined bout is not > 60)", g.Bouts)
	}
	if g := d2.Groups[Group10to30]; g.Bouts != 1 || g.WalkingSpeedMPS.Mean.Valid() {
		t.Errorf("day 2 10–30 s: %+v", g)
	}
	if d2.Turns != 1 || d1.Turns != 0 {
		t.Errorf("turns %v %v, want 0 1", d1.Turns, d2.Turns)
	}
	m := d2.Mobilised()
	if m["wb_all_sum"] != 3 || !near(m["walkdur_all_sum"], 172.0/3600) || !near(m["strlen_30_avg"], 100*float64(g30.StrideLengthM.Mean)) || m["wb_60_sum"] != 1 {
		t.Errorf("mobilised %v", m)
	}
	lm := d2.Metrics()
	if lm["steps_per_day"] != 302 || lm["walking_bouts"] != 3 || lm["walking_bouts_over_60s"] != 1 || !near(lm["walking_speed_over_30s_p90_mps"], float64(g30.WalkingSpeedMPS.P90)) ||
		!near(lm["recorded_s"], 23*3600) {
		t.Errorf("metrics %v", lm)
	}
	if _, ok := d1.Metrics()["walking_speed_over_30s_mean_mps"]; ok {
		t.Error("an unavailable value among the metrics")
	}
	// Never joining keeps the two parts apart.
	if n := Days(res, Options{Start: start, Location: loc, MaxBreakS: -1})[1].Groups[GroupAll].Bouts; n != 4 {
		t.Errorf("without joining: %d bouts, want 4", n)
	}
	// Without a gyroscope turns are not available.
	res.HasGyro = false
	if Days(res, Options{Start: start, Location: loc})[1].Turns.Valid() {
		t.Error("turns without a gyroscope")
	}
}

func TestDaysDST(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	// 30 March 2024 00:00 to 1 April 00:00 local: the 31st has 23 hours.
	start := time.Date(2024, 3, 30, 0, 0, 0, 0, berlin)
	res := &gait.Result{DurationS: 24*3600 + 23*3600}
	res.Bouts = []gait.Bout{bout(24*3600+23*3600-100, 24*3600+23*3600-50, 80, 100, 1, 1.2)} // late on the 31st
	days := Days(res, Options{Start: start, Location: berlin})
	if len(days) != 2 || days[1].Date != "2024-03-31" {
		t.Fatalf("days %+v", days)
	}
	if !near(days[1].RecordedS, 23*3600) || days[1].Groups[GroupAll].Bouts != 1 {
		t.Errorf("31 March: recorded %v s, %d bouts", days[1].RecordedS, days[1].Groups[GroupAll].Bouts)
	}
	// A naive Axivity time placed in Berlin.
	naive := time.Date(2024, 3, 30, 9, 0, 0, 0, time.UTC)
	if got := Localize(naive, berlin); got.Hour() != 9 || got.Location() != berlin || !got.Equal(naive.Add(-time.Hour)) {
		t.Errorf("Localize = %v", got)
	}
}

func TestDaysEmpty(t *testing.T) {
	days := Days(&gait.Result{}, Options{Start: time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)})
	if len(days) != 1 || days[0].Groups[GroupAll].Bouts != 0 || days[0].Groups[GroupAll].CadenceSPM.Mean.Valid() {
		t.Errorf("empty result: %+v", days)
	}
}
