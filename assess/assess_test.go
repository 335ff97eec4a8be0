package assess

import (
	"math"
	"testing"

	"legwork/gait"
	"legwork/insights"
	"legwork/synth"
)

var lowerBack = Options{Placement: gait.LowerBack, Subject: gait.Subject{HeightM: 1.7}}

// concat joins recordings end to end (times shifted).
func concat(recs ...*gait.Recording) *gait.Recording {
	out := &gait.Recording{Gyro: true}
	off := 0.0
	for _, r := range recs {
		out.Gyro = out.Gyro && r.Gyro
		for _, s := range r.Samples {
			s.TimeS += off
			out.Samples = append(out.Samples, s)
		}
		off = out.Samples[len(out.Samples)-1].TimeS + 0.01
	}
	return out
}

// metric checks one metric of an outcome, and that insights knows every
// metric the outcome has (a label, a unit, a direction), so that trends,
// reports and the command line name them in words.
func metric(t *testing.T, o *Outcome, name string, want, tol float64) {
	t.Helper()
	for k := range o.Metrics {
		if _, ok := insights.Metrics[k]; !ok {
			t.Errorf("%s: metric %s is not in insights.Metrics", o.Test, k)
		}
	}
	got, ok := o.Metrics[name]
	if !ok || math.Abs(got-want) > tol {
		t.Errorf("%s = %v (present %v), want %.3f ± %.3f", name, got, ok, want, tol)
	}
}

func TestT25FWTwoTrials(t *testing.T) {
	// Two 25-foot walks, standing still before, between and after.
	// Known answer: each walk's motion lasts from the synthetic onset
	// (first swing) to offset (last contact + a quarter step).
	w1, t1 := synth.Walk(synth.WalkParams{StandBeforeS: 4, WalkS: 6, StandAfterS: 4, CadenceSPM: 110, StepLengthM: 0.7, Seed: 1})
	w2, t2 := synth.Walk(synth.WalkParams{StandBeforeS: 0, WalkS: 7, StandAfterS: 4, CadenceSPM: 100, StepLengthM: 0.65, Seed: 2})
	rec := concat(w1, w2)
	o, err := RunRecording(T25FW, rec, lowerBack)
	if err != nil {
		t.Fatal(err)
	}
	if !o.Valid {
		t.Fatalf("invalid: %+v", o.Problems)
	}
	d := o.Detail.(*T25FWDetail)
	if len(d.Trials) != 2 {
		t.Fatalf("%d trials", len(d.Trials))
	}
	want1, want2 := t1.OffsetS-t1.OnsetS, t2.OffsetS-t2.OnsetS
	// tolerance 0.3 s: the stopwatch semantics of gait's timed walk
	if math.Abs(d.Trials[0].TimeS-want1) > 0.3 || math.Abs(d.Trials[1].TimeS-want2) > 0.3 {
		t.Errorf("trial times %.2f, %.2f; want %.2f, %.2f", d.Trials[0].TimeS, d.Trials[1].TimeS, want1, want2)
	}
	metric(t, o, "t25fw_time_s", (d.Trials[0].TimeS+d.Trials[1].TimeS)/2, 1e-9)
	metric(t, o, "t25fw_speed_mps", 7.62/o.Metrics["t25fw_time_s"], 1e-9)
	if _, ok := o.Metrics["t25fw_trial_difference_pct"]; !ok {
		t.Error("no trial difference")
	}
	// with markers, only the marked walk is scored
	o, _ = RunRecording(T25FW, rec, Options{Placement: gait.LowerBack, Segments: []Segment{{"trial1", 12, 30}}})
	if d := o.Detail.(*T25FWDetail); len(d.Trials) != 1 || d.Trials[0].OnsetS < 12 {
		t.Errorf("marked trial: %+v", d.Trials)
	}
	if !o.hasProblem(ProblemOneTrial) {
		t.Errorf("one trial not noted: %+v", o.Problems)
	}
}

func TestWalkTestsRejectBadRecordings(t *testing.T) {
	stand := synth.Stand(synth.StandParams{DurationS: 20, Seed: 3})
	o, err := RunRecording(T25FW, stand, lowerBack)
	if err != nil {
		t.Fatal(err)
	}
	if o.Valid || !o.hasProblem(ProblemNoWalking) || len(o.Metrics) != 0 {
		t.Errorf("standing still scored as a walk: %+v", o)
	}
	// a phone shifting in a pocket or a bag: its orientation wanders by
	// tens of degrees over a few seconds
	walk, _ := synth.Walk(synth.WalkParams{StandBeforeS: 3, WalkS: 20, StandAfterS: 3, Seed: 4})
	for i := range walk.Samples {
		t := walk.Samples[i].TimeS
		ang := 0.9 * math.Sin(2*math.Pi*0.15*t) // ±52°
		a := walk.Samples[i].AccMS2
		walk.Samples[i].AccMS2 = gait.Vec3{a[0]*math.Cos(ang) - a[2]*math.Sin(ang), a[1], a[0]*math.Sin(ang) + a[2]*math.Cos(ang)}
	}
	o, _ = RunRecording(Walk, walk, lowerBack)
	if !o.hasProblem(ProblemPlacement) || o.Valid {
		t.Errorf("a swinging sensor passed as lower back: %+v", o.Problems)
	}
	// The placement problem makes the test not valid, so it gives no
	// metrics (not even cadence, which does not depend on placement);
	// the gait analysis keeps its cadence, without stride length.
	if len(o.Metrics) != 0 {
		t.Errorf("metrics despite the placement problem: %v", o.Metrics)
	}
	if o.Gait == nil || !o.Gait.Walking.CadenceSPM.Valid() {
		t.Error("the gait result lost its cadence")
	}
	if o, _ := RunRecording(Walk, &gait.Recording{}, lowerBack); o.Valid || !o.hasProblem(ProblemNoRecording) {
		t.Errorf("empty recording: %+v", o)
	}
}

func TestWalk2Min(t *testing.T) {
	rec, tr := synth.Walk(synth.WalkParams{StandBeforeS: 2, WalkS: 120, StandAfterS: 2, CadenceSPM: 105, StepLengthM: 0.65, StepTimeCV: 0.02, Seed: 5,
		Turns: []synth.TurnSpec{{StartS: 40, DurationS: 2, AngleDeg: 180}, {StartS: 80, DurationS: 2, AngleDeg: 180}}})
	o, err := RunRecording(Walk2Min, rec, lowerBack)
	if err != nil {
		t.Fatal(err)
	}
	if !o.Valid {
		t.Fatalf("invalid: %+v", o.Problems)
	}
	metric(t, o, "walk2min_steps", float64(tr.Steps), 3)
	metric(t, o, "cadence_spm", tr.CadenceSPM, 1.5)
	metric(t, o, "turns", 2, 0)
	d := o.Detail.(*Walk2MinDetail)
	if len(d.Windows) != 4 || !d.CadenceDeclinePct.Valid() || math.Abs(float64(d.CadenceDeclinePct)) > 3 {
		t.Errorf("windows %+v, decline %v (steady walk: want about 0)", d.Windows, d.CadenceDeclinePct)
	}
	// a 40-second "2-minute walk" is too short
	short, _ := synth.Walk(synth.WalkParams{StandBeforeS: 2, WalkS: 40, Seed: 6})
	o, _ = RunRecording(Walk2Min, short, lowerBack)
	if !o.hasProblem(ProblemTooShort) || o.Valid {
		t.Errorf("40 s accepted: %+v", o.Problems)
	}
}

func TestUTurn(t *testing.T) {
	// walking back and forth with three 180° turns of 1.5, 2 and 2.5 s
	p := synth.WalkParams{StandBeforeS: 2, WalkS: 40, StandAfterS: 2, Seed: 7, Turns: []synth.TurnSpec{
		{StartS: 10, DurationS: 1.5, AngleDeg: 180}, {StartS: 20, DurationS: 2, AngleDeg: -180}, {StartS: 30, DurationS: 2.5, AngleDeg: 180}}}
	rec, _ := synth.Walk(p)
	o, err := RunRecording(UTurn, rec, lowerBack)
	if err != nil {
		t.Fatal(err)
	}
	if !o.Valid {
		t.Fatalf("invalid: %+v", o.Problems)
	}
	metric(t, o, "turns", 3, 0)
	// mean of π/1.5, π/2, π/2.5 rad/s; detected turns are a little
	// shorter (the edges of the raised-cosine profile fall below 5°/s)
	want := (math.Pi/1.5 + math.Pi/2 + math.Pi/2.5) / 3
	metric(t, o, "turn_speed_rps", want, 0.15*want)
	noGyro := *rec
	noGyro.Gyro = false
	o, _ = RunRecording(UTurn, &noGyro, lowerBack)
	if o.Valid || !o.hasProblem(ProblemNoGyro) {
		t.Errorf("no gyroscope accepted: %+v", o.Problems)
	}
}

func TestUTurnsRefinement(t *testing.T) {
	in := []gait.Turn{
		{StartS: 1, EndS: 2, AngleDeg: 100, DurationS: 1},
		{StartS: 3, EndS: 4, AngleDeg: 80, DurationS: 1},    // same direction, 1 s later: merged into 180°
		{StartS: 10, EndS: 11, AngleDeg: -60, DurationS: 1}, // ≤ 90°: dropped
		{StartS: 20, EndS: 22, AngleDeg: 175, DurationS: 2}, // ≥ 170°: kept alone
		{StartS: 23, EndS: 24, AngleDeg: 95, DurationS: 1},  // next to a ≥170° turn: not merged
	}
	out := UTurns(in)
	if len(out) != 3 || out[0].AngleDeg != 180 || out[0].EndS != 4 || out[1].AngleDeg != 175 || out[2].AngleDeg != 95 {
		t.Errorf("got %+v", out)
	}
}

func TestBalance(t *testing.T) {
	// Eyes open: 0.06/0.04 m/s² RMS; eyes closed: twice that.
	eo := synth.Stand(synth.StandParams{DurationS: 30, SwayAPMS2: 0.06, SwayMLMS2: 0.04, Seed: 8})
	ec := synth.Stand(synth.StandParams{DurationS: 30, SwayAPMS2: 0.12, SwayMLMS2: 0.08, Seed: 9})
	rec := concat(eo, ec)
	o, err := RunRecording(Balance, rec, Options{Placement: gait.LowerBack, Segments: []Segment{{"eyes_open", 0, 30}, {"eyes_closed", 30.01, 60.01}}})
	if err != nil {
		t.Fatal(err)
	}
	if !o.Valid {
		t.Fatalf("invalid: %+v", o.Problems)
	}
	// The 3.5 Hz low-pass and detrending change the RMS of the 0.4 Hz
	// sway by well under 10 %; the sensor axes are not phone axes, so AP
	// is the principal axis, which here is the true AP.
	metric(t, o, "sway_rms_ms2", math.Hypot(0.06, 0.04), 0.1*math.Hypot(0.06, 0.04))
	metric(t, o, "sway_ap_rms_ms2", 0.06, 0.01)
	metric(t, o, "sway_ml_rms_ms2", 0.04, 0.01)
	metric(t, o, "sway_ec_rms_ms2", math.Hypot(0.12, 0.08), 0.1*math.Hypot(0.12, 0.08))
	metric(t, o, "romberg_ratio", 2, 0.25)
	// mean frequency near the 0.4–0.52 Hz resonances
	if f := o.Metrics["sway_freq_hz"]; f < 0.3 || f > 0.8 {
		t.Errorf("mean frequency %.2f Hz", f)
	}
	// ellipse area scales with the product of the axes: ×4
	if r := o.Metrics["sway_ec_ellipse_m2s4"] / o.Metrics["sway_ellipse_m2s4"]; r < 3 || r > 5.5 {
		t.Errorf("ellipse ratio %.2f, want about 4", r)
	}
	// a step in the eyes-closed trial: that trial fails and is not scored
	ecStep := synth.Stand(synth.StandParams{DurationS: 30, SwayAPMS2: 0.12, SwayMLMS2: 0.08, StepAtS: 12, Seed: 10})
	o, _ = RunRecording(Balance, concat(eo, ecStep), Options{Placement: gait.LowerBack, Segments: []Segment{{"eyes_open", 0, 30}, {"eyes_closed", 30.01, 60.01}}})
	if !o.hasProblem(ProblemFailedTrial) || !o.Valid {
		t.Errorf("failed eyes-closed trial: valid %v, %+v", o.Valid, o.Problems)
	}
	if _, ok := o.Metrics["sway_ec_rms_ms2"]; ok {
		t.Error("failed trial scored")
	}
	if _, ok := o.Metrics["romberg_ratio"]; ok {
		t.Error("ratio computed from a failed trial")
	}
	if o.Metrics["balance_ec_failed"] != 1 {
		t.Error("failure not recorded as a metric")
	}
	d := o.Detail.(*BalanceDetail)
	if at := float64(d.Conditions[1].FailAtS); at < 41 || at > 43.5 {
		t.Errorf("failure at %.2f s, want about 42–43", at)
	}
	// walking instead of standing: motion, failed, invalid
	walk, _ := synth.Walk(synth.WalkParams{WalkS: 30, Seed: 11})
	o, _ = RunRecording(Balance, walk, lowerBack)
	if o.Valid {
		t.Errorf("walking accepted as balance: %+v", o)
	}
}

func TestBalancePhoneAxes(t *testing.T) {
	// A phone upright at the back, screen facing backwards: its y axis is
	// up, its z axis points backwards and its x axis to the right: in the
	// body frame (x forward, y left, z up) that is roll 90°, yaw −90°.
	rec := synth.Stand(synth.StandParams{DurationS: 30, SwayAPMS2: 0.1, SwayMLMS2: 0.03, RollDeg: 90, YawDeg: -90, Seed: 12})
	o, _ := RunRecording(Balance, rec, Options{Placement: gait.LowerBack, PhoneFrame: true})
	d := o.Detail.(*BalanceDetail)
	if d.Axes != "phone" {
		t.Fatalf("axes %q", d.Axes)
	}
	metric(t, o, "sway_ap_rms_ms2", 0.1, 0.015)
	metric(t, o, "sway_ml_rms_ms2", 0.03, 0.01)
}

func TestSitToStand(t *testing.T) {
	rec, tr := synth.SitToStand(synth.SitToStandParams{SitBeforeS: 3, SitAfterS: 3, Slowing: 0.1, Seed: 13})
	o, err := RunRecording(STS5, rec, lowerBack)
	if err != nil {
		t.Fatal(err)
	}
	if !o.Valid {
		t.Fatalf("invalid: %+v", o.Problems)
	}
	d := o.Detail.(*STSDetail)
	if len(d.Reps) != 5 {
		t.Fatalf("%d repetitions", len(d.Reps))
	}
	// total time within 0.5 s: the onset is found from the motion
	// envelope and the end at the velocity's return to zero
	metric(t, o, "sts5_time_s", tr.TotalS, 0.5)
	// each repetition 10 % slower than the previous: the last two are
	// about 35 % slower than the first two
	if s := o.Metrics["sts_slowing_pct"]; s < 20 || s > 50 {
		t.Errorf("slowing %.1f %%, want about 35 %%", s)
	}
	if p := o.Metrics["sts_power_wkg"]; p <= 0 || p > 20 {
		t.Errorf("power %.2f W/kg", p)
	}
	// four repetitions only
	four, _ := synth.SitToStand(synth.SitToStandParams{Reps: 4, SitBeforeS: 3, SitAfterS: 3, Seed: 14})
	o, _ = RunRecording(STS5, four, lowerBack)
	if o.Valid || !o.hasProblem(ProblemFewReps) {
		t.Errorf("four repetitions accepted: %+v", o.Problems)
	}
	if _, ok := o.Metrics["sts5_time_s"]; ok {
		t.Error("a five-times time from four repetitions")
	}
	// walking is not standing up
	walk, _ := synth.Walk(synth.WalkParams{StandBeforeS: 2, WalkS: 20, Seed: 15})
	o, _ = RunRecording(STS5, walk, lowerBack)
	if o.Valid {
		t.Errorf("walking accepted as sit-to-stand: %+v", o)
	}
}

// One U-turn is enough to score the test, with a note that says so (not
// the code for no turns at all).
func TestUTurnOneTurnNote(t *testing.T) {
	rec, _ := synth.Walk(synth.WalkParams{StandBeforeS: 2, WalkS: 20, StandAfterS: 2, Seed: 8, Turns: []synth.TurnSpec{{StartS: 10, DurationS: 2, AngleDeg: 180}}})
	o, err := RunRecording(UTurn, rec, lowerBack)
	if err != nil {
		t.Fatal(err)
	}
	if !o.Valid {
		t.Fatalf("invalid: %+v", o.Problems)
	}
	if !o.hasProblem(ProblemOneTurn) || o.hasProblem(ProblemNoTurns) {
		t.Errorf("notes %+v: want %s and not %s", o.Problems, ProblemOneTurn, ProblemNoTurns)
	}
	// 24 s of the 60 the test asks for: scored, with a note that says so
	if !o.hasProblem(ProblemTooShort) {
		t.Errorf("a 24 s U-turn test has no note that it is short: %+v", o.Problems)
	}
}

// A free walk at the lower back is scored with its distance.
func TestFreeWalk(t *testing.T) {
	rec, tr := synth.Walk(synth.WalkParams{StandBeforeS: 2, WalkS: 20, StandAfterS: 2, Seed: 9})
	o, err := RunRecording(Walk, rec, lowerBack)
	if err != nil {
		t.Fatal(err)
	}
	if !o.Valid {
		t.Fatalf("invalid: %+v", o.Problems)
	}
	metric(t, o, "steps", float64(tr.Steps), 2)
	if _, ok := o.Metrics["distance_m"]; !ok {
		t.Errorf("no distance_m in %v", o.Metrics)
	}
}
