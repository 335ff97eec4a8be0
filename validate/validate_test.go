package validate

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"legwork/gait"
	"legwork/imu"
	"legwork/synth"
)

func TestMatch(t *testing.T) {
	// one-to-one, nearest first, within the tolerance
	cases := []struct {
		det, ref []float64
		tp       int
		fp, fn   int
	}{
		{[]float64{1, 2, 3}, []float64{1.1, 2.1, 3.1}, 3, 0, 0},
		{[]float64{1, 1.05}, []float64{1}, 1, 1, 0},   // two detections, one reference
		{[]float64{1}, []float64{0.9, 1.05}, 1, 0, 1}, // the nearer reference wins
		{[]float64{1}, []float64{1.3}, 0, 1, 1},       // beyond 0.25 s
		{nil, []float64{1, 2}, 0, 0, 2},
	}
	for i, c := range cases {
		errs, fp, fn := Match(c.det, c.ref, MatchToleranceS)
		if len(errs) != c.tp || fp != c.fp || fn != c.fn {
			t.Errorf("case %d: tp %d fp %d fn %d, want %d %d %d", i, len(errs), fp, fn, c.tp, c.fp, c.fn)
		}
	}
	errs, _, _ := Match([]float64{1}, []float64{0.9, 1.05}, MatchToleranceS)
	if math.Abs(errs[0]+0.05) > 1e-12 {
		t.Errorf("signed error %v, want −0.05", errs[0])
	}
}

func TestLenientJSON(t *testing.T) {
	var v map[string]any
	in := `{"a": NaN, "b": "NaN stays", "c": [Infinity, -Infinity, 1.5], "d": "esc\"NaN"}`
	if err := json.Unmarshal(lenientJSON([]byte(in)), &v); err != nil {
		t.Fatal(err)
	}
	if v["a"] != nil || v["b"] != "NaN stays" || v["d"] != `esc"NaN` {
		t.Errorf("got %v", v)
	}
	if c := v["c"].([]any); c[0] != nil || c[1] != nil || c[2] != 1.5 {
		t.Errorf("array %v", c)
	}
}

// writeCase writes a synthetic walk as a validation folder.
func writeCase(t *testing.T, dir string, p synth.WalkParams, placement string) synth.Truth {
	t.Helper()
	rec, tr := synth.Walk(p)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, "imu.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if err := imu.WriteCSV(f, rec); err != nil {
		t.Fatal(err)
	}
	f.Close()
	meta := map[string]any{"id": "synth/" + filepath.Base(dir), "placement": placement, "participant": map[string]any{"height_m": 1.55}}
	speed := tr.WalkingSpeedMPS
	dist := tr.DistanceM
	truth := map[string]any{
		"reference":          "synthetic",
		"valid_window_s":     nil,
		"initial_contacts_s": tr.InitialContactsS,
		"step_count":         tr.Steps,
		"walking_bouts":      []map[string]any{{"start_s": tr.FirstStepS, "end_s": tr.LastStepS, "cadence_spm": tr.CadenceSPM, "walking_speed_mps": speed, "distance_m": dist}},
		"turns":              []map[string]any{},
	}
	for name, v := range map[string]any{"meta.json": meta, "truth.json": truth} {
		b, _ := json.Marshal(v)
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return tr
}

func TestRunOnSyntheticFolders(t *testing.T) {
	root := t.TempDir()
	writeCase(t, filepath.Join(root, "synth", "a"), synth.WalkParams{StandBeforeS: 3, WalkS: 25, StandAfterS: 3, Seed: 1}, "lower_back")
	writeCase(t, filepath.Join(root, "synth", "b"), synth.WalkParams{StandBeforeS: 3, WalkS: 25, StandAfterS: 3, CadenceSPM: 90, Seed: 2, NoGyro: true}, "front_pocket")
	// a folder with an unsupported placement is skipped, not fatal
	writeCase(t, filepath.Join(root, "synth", "c"), synth.WalkParams{WalkS: 5, Seed: 3}, "foot")
	cases, err := Find(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 3 || cases[0].Source != "synth" {
		t.Fatalf("found %d cases (%+v)", len(cases), cases)
	}
	rep, err := Run(cases, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Recordings != 2 || len(rep.Skipped) != 1 {
		t.Fatalf("recordings %d, skipped %v", rep.Recordings, rep.Skipped)
	}
	if f1 := float64(rep.IC.F1); f1 < 0.95 {
		t.Errorf("F1 %.3f on synthetic walks", f1)
	}
	if mae := float64(rep.Cadence.MAESPM); !(mae < 2) {
		t.Errorf("cadence MAE %.2f", mae)
	}
	if rep.Bouts.FoundShare != 1 {
		t.Errorf("bouts found %v", rep.Bouts.FoundShare)
	}
	// the pocket recording has no stride length: its speed is not scored
	if rep.ByPlacement["front_pocket"].WalkingSpeed.N != 0 {
		t.Errorf("a pocket recording got a speed: %+v", rep.ByPlacement["front_pocket"].WalkingSpeed)
	}
	if rep.TimedWalk.N != 2 {
		t.Errorf("timed walks scored: %d", rep.TimedWalk.N)
	}
	// the JSON has the keys the issue asks for
	b, _ := json.Marshal(rep)
	for _, k := range []string{`"recordings"`, `"ic":{"precision"`, `"timing_mae_s"`, `"step_count":{"mape_pct"`, `"cadence":{"mae_spm"`, `"stride_length":{"mae_m"`, `"walking_speed":{"mae_mps"`, `"bouts":{"found_share"`, `"timed_walk":{"speed_mae_mps"`, `"turns":{"found_share"`, `"angle_mae_deg"`, `"by_source":{"synth"`} {
		if !strings.Contains(string(b), k) {
			t.Errorf("JSON lacks %s", k)
		}
	}
	md := Markdown(rep, []string{root})
	if !strings.Contains(md, "| synth |") || !strings.Contains(md, "synth/c") {
		t.Errorf("markdown lacks the source row or the skipped recording:\n%s", md)
	}
	// each disturbance is scored on the lower-back and the phone
	// recording; a rotated sensor changes nothing
	if len(rep.Robustness) != len(Perturbations()) {
		t.Fatalf("%d robustness rows, want %d", len(rep.Robustness), len(Perturbations()))
	}
	lb, ph := rep.ByPlacement["lower_back"], rep.ByPlacement["front_pocket"]
	for _, x := range rep.Robustness {
		if x.LowerBack.Recordings != 1 || x.Phones.Recordings != 1 || x.LowerBack.IC.TP == 0 || x.Phones.StepCount.N != 1 {
			t.Errorf("%s: scored %d lower-back and %d phone recordings (%d contacts matched)", x.Name, x.LowerBack.Recordings, x.Phones.Recordings, x.LowerBack.IC.TP)
		}
		near := func(a, b gait.Value) bool { return math.Abs(float64(a-b)) < 1e-9 }
		xi := x.LowerBack.IC
		if x.Name == "rotated" && (xi.TP != lb.IC.TP || xi.FP != lb.IC.FP || xi.FN != lb.IC.FN || !near(xi.TimingMAES, lb.IC.TimingMAES) ||
			!near(x.LowerBack.Cadence.MAESPM, lb.Cadence.MAESPM) || !near(x.Phones.StepCount.MAPEPct, ph.StepCount.MAPEPct)) {
			t.Errorf("rotated: IC %+v, cadence %v, step count %v; unrotated %+v, %v, %v", x.LowerBack.IC, x.LowerBack.Cadence.MAESPM, x.Phones.StepCount.MAPEPct, lb.IC, lb.Cadence.MAESPM, ph.StepCount.MAPEPct)
		}
	}
	var txt strings.Builder
	WriteText(&txt, rep)
	if !strings.Contains(txt.String(), "rotated: lower back") || !strings.Contains(txt.String(), "rotated: sensor turned") {
		t.Errorf("text output lacks the robustness columns or their key:\n%s", txt.String())
	}
	if !strings.Contains(md, "## Robustness") || !strings.Contains(md, "the rotated recordings give the same figures as the originals") {
		t.Errorf("markdown lacks the robustness section or its rotation sentence:\n%s", md)
	}
}

// A subset of recordings made as a folder of symbolic links is found
// through the links; a recording reached twice (through the data folder
// and a link) counts once, and a link back up the tree ends.
func TestFindFollowsLinks(t *testing.T) {
	root := t.TempDir()
	data := filepath.Join(root, "data")
	writeCase(t, filepath.Join(data, "src", "a"), synth.WalkParams{WalkS: 8, Seed: 1}, "lower_back")
	writeCase(t, filepath.Join(data, "src", "b"), synth.WalkParams{WalkS: 8, Seed: 2}, "lower_back")
	subset := filepath.Join(root, "subset", "src")
	if err := os.MkdirAll(subset, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, l := range [][2]string{
		{filepath.Join(data, "src", "a"), filepath.Join(subset, "a")},
		{root, filepath.Join(subset, "loop")},
	} {
		if err := os.Symlink(l[0], l[1]); err != nil {
			t.Skipf("no symbolic links here: %v", err)
		}
	}
	cases, err := Find(filepath.Join(root, "subset"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 2 {
		// a through the link, then b through the loop back to root
		t.Fatalf("found %d cases through the links, want 2: %+v", len(cases), cases)
	}
	cases, err = Find(filepath.Join(root, "subset"), data)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 2 || cases[0].Meta.ID != "synth/a" || cases[1].Meta.ID != "synth/b" {
		t.Fatalf("found %+v, want synth/a and synth/b once each", cases)
	}
	only := filepath.Join(root, "only")
	if err := os.MkdirAll(only, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(data, "src", "b"), filepath.Join(only, "b")); err != nil {
		t.Fatal(err)
	}
	if cases, err = Find(only); err != nil || len(cases) != 1 || cases[0].Meta.ID != "synth/b" {
		t.Fatalf("a folder holding one link: %+v, %v", cases, err)
	}
}

// steps returns n contacts from t0, alternating short and long steps
// (a then b seconds).
func steps(t0 float64, n int, a, b float64) []float64 {
	out := make([]float64, n)
	t := t0
	for i := range out {
		out[i] = t
		if i%2 == 0 {
			t += a
		} else {
			t += b
		}
	}
	return out
}

func TestStrideCadence(t *testing.T) {
	// Steps alternating 0.48 and 0.62 s: every stride lasts 1.10 s, so
	// 120 / 1.10 = 109.09 steps/min whichever step the window starts on;
	// 60 / median step time would give 96.8 or 125 depending on which side
	// has more steps.
	ics := steps(10, 21, 0.48, 0.62)
	got := strideCadence(ics, 10, 30)
	if !got.Valid() || math.Abs(float64(got)-120/1.10) > 1e-9 {
		t.Errorf("strideCadence = %v, want %.4f", got, 120/1.10)
	}
	if v := strideCadence(ics[:2], 0, 100); v.Valid() {
		t.Errorf("two contacts gave %v, want NA", v)
	}
}

func TestClockCheck(t *testing.T) {
	ref := steps(5, 33, 0.55, 0.55) // 32 steps of 0.55 s: span 17.6 s
	cases := []struct {
		name     string
		det      []float64
		mismatch bool
	}{
		{"same clock", steps(5.02, 33, 0.55, 0.55), false},
		{"missed last step", steps(5.02, 32, 0.55, 0.55), false},
		{"missed first and extra last", steps(5.57, 33, 0.55, 0.55), false},
		// the same 33 steps by a clock running 15 % fast (samples lost
		// without a gap in the timestamps)
		{"compressed", steps(5, 33, 0.55*0.85, 0.55*0.85), true},
		// a 15 % shorter span because 5 steps were missed: the counts
		// disagree, so it is a detection error, not the clock
		{"missed steps", steps(5, 28, 0.55, 0.55), false},
	}
	for _, c := range cases {
		got := clockCheck(c.det, ref, 0, 40)
		if got == nil {
			t.Fatalf("%s: nil check", c.name)
		}
		if got.Mismatch != c.mismatch {
			t.Errorf("%s: mismatch %v (steps %d/%d, ratio %.3f), want %v", c.name, got.Mismatch, got.Steps, got.RefSteps, got.SpanRatio, c.mismatch)
		}
	}
	if clockCheck(ref[:5], ref, 0, 40) != nil {
		t.Error("a check from 5 contacts, want none")
	}
}

// TestSkdhGaitPeer runs the skdh gait comparison on a synthetic walk whose
// "expected outputs" are written from the generator's truth: contacts on the
// recording's clock (compared), and contacts on another clock (refused by
// the interval check, as for an algorithm that resamples).
func TestSkdhGaitPeer(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "skdh", "walk")
	tr := writeCase(t, dir, synth.WalkParams{StandBeforeS: 3, WalkS: 30, StandAfterS: 3, CadenceSPM: 100, Seed: 4}, "lower_back")
	stepTime := 60 / tr.CadenceSPM
	n := len(tr.InitialContactsS)
	col := func(v float64) []any {
		c := make([]any, n)
		for i := range c {
			c[i] = v
		}
		c[0] = nil // skdh leaves the first rows of some columns empty
		return c
	}
	scaled := make([]float64, n)
	for i, x := range tr.InitialContactsS {
		scaled[i] = x * 0.4
	}
	out := func(ics []float64) map[string]any {
		return map[string]any{
			"per_step_table": map[string]any{
				"cadence": col(tr.CadenceSPM), "step time": col(stepTime), "stride time": col(2 * stepTime),
				"stride length": col(1.3), "gait speed": col(1.1),
			},
			"per_bout_summary":                        []map[string]any{{"bout": 1, "bout_steps": n}},
			"ic_t_s_assuming_absolute_index_at_128hz": ics,
		}
	}
	files := map[string]any{
		"meta.json":         map[string]any{"id": "skdh/walk", "placement": "lower_back", "participant": map[string]any{"height_m": 1.8}},
		"truth.json":        map[string]any{"reference": nil},
		"peer_outputs.json": map[string]any{"outputs": map[string]any{"skdh_GaitLumbar_apcwt": out(tr.InitialContactsS), "skdh_GaitLumbar_vcwt": out(scaled)}},
	}
	for name, v := range files {
		b, _ := json.Marshal(v)
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cases, err := Find(root)
	if err != nil {
		t.Fatal(err)
	}
	pt, err := runPeerTests(cases)
	if err != nil {
		t.Fatal(err)
	}
	if len(pt.Gait) != 2 || pt.Gait[0].Algorithm != "apcwt" || pt.Gait[1].Algorithm != "vcwt" {
		t.Fatalf("rows %+v", pt.Gait)
	}
	a := pt.Gait[0]
	if a.PeerSteps != n || a.PeerCadenceSPM != gait.Value(tr.CadenceSPM) || a.PeerStrideLengthM != 1.3 || a.PeerBouts != 1 {
		t.Errorf("peer values %+v", a)
	}
	// legwork on the synthetic walk: every step within one, cadence within
	// 1 step/min of the generator's
	if d := a.Steps - n; d < -1 || d > 1 || math.Abs(float64(a.CadenceSPM)-tr.CadenceSPM) > 1 {
		t.Errorf("legwork steps %d of %d, cadence %v of %v", a.Steps, n, a.CadenceSPM, tr.CadenceSPM)
	}
	if a.IC == nil || a.IC.F1 < 0.95 {
		t.Errorf("contacts on the recording's clock: %+v", a.IC)
	}
	if pt.Gait[1].IC != nil {
		t.Errorf("contacts on another clock were compared: %+v", pt.Gait[1].IC)
	}
	md := Markdown(&Report{PeerTests: pt}, []string{root})
	if !strings.Contains(md, "| skdh/walk | apcwt |") {
		t.Errorf("markdown lacks the skdh gait table:\n%s", md)
	}
}

// TestTurnRatio checks the rotation ratio: detected turns overlapping each
// reference turn are summed with their signs, then taken absolute; turns
// elsewhere do not count, nor do reference turns outside [lo, hi]; no
// reference or no detected turn gives NA.
func TestTurnRatio(t *testing.T) {
	ref := []TruthTurn{{StartS: 10, EndS: 12, AngleDeg: 180}, {StartS: 30, EndS: 32, AngleDeg: -180}, {StartS: 50, EndS: 52, AngleDeg: 180}}
	det := [][3]float64{{9.5, 11, 100}, {11, 12.5, -44}, {20, 21, 90}, {30.2, 31.8, -180}}
	if got, want := float64(turnRatio(det, ref, 0, 40)), (56.0+180)/360; math.Abs(got-want) > 1e-12 {
		t.Errorf("ratio %v, want %v", got, want)
	}
	if turnRatio(det, nil, 0, 40).Valid() || turnRatio(nil, ref, 0, 40).Valid() {
		t.Error("a ratio without reference or detected turns")
	}
}
