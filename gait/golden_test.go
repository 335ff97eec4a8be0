package gait_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"legwork/gait"
	"legwork/synth"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// goldenCases are synthetic recordings whose full analysis is kept under
// testdata/golden: any change to the output shows up in review as a diff of
// these files (regenerate with go test ./gait -run TestGolden -update).
var goldenCases = []struct {
	name string
	p    synth.WalkParams
	opt  gait.Options
}{
	{"walk_lower_back", synth.WalkParams{StandBeforeS: 3, WalkS: 30, StandAfterS: 3, StepTimeCV: 0.02, NoiseMS2: 0.1, Seed: 21}, gait.Options{Placement: gait.LowerBack, Subject: gait.Subject{HeightM: 1.68}}},
	{"walk_turns_tilted", synth.WalkParams{StandBeforeS: 3, WalkS: 40, StandAfterS: 3, RollDeg: 20, PitchDeg: 70, Asymmetry: 0.1, Seed: 22, Turns: []synth.TurnSpec{{StartS: 20, DurationS: 2, AngleDeg: 180}}}, gait.Options{Placement: gait.LowerBack, Subject: gait.Subject{SensorHeightM: 0.95}}},
	{"t25fw", synth.WalkParams{StandBeforeS: 4, WalkS: 7, StandAfterS: 4, CadenceSPM: 95, StepLengthM: 0.55, Seed: 23}, gait.Options{Placement: gait.LowerBack, Subject: gait.Subject{HeightM: 1.75}, DistanceM: 7.62}},
	{"phone_pocket_60hz", synth.WalkParams{SampleRateHz: 60, JitterS: 0.002, StandBeforeS: 2, WalkS: 25, StandAfterS: 2, NoGyro: true, Seed: 24}, gait.Options{Placement: gait.FrontPocket}},
}

func TestGolden(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			rec, _ := synth.Walk(c.p)
			res, err := gait.AnalyzeRecording(rec, c.opt)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(res, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "golden", c.name+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			var g, w any
			if err := json.Unmarshal(got, &g); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(want, &w); err != nil {
				t.Fatal(err)
			}
			if d := diffJSON("", g, w); d != "" {
				t.Errorf("analysis differs from %s (run with -update if intended):\n%s", path, d)
			}
		})
	}
}

// diffJSON compares decoded JSON values, numbers with a relative tolerance
// of 1e-6 (so that floating-point differences between platforms do not
// matter), and describes the first differences found.
func diffJSON(path string, got, want any) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: got %T, want object\n", path, got)
		}
		out := ""
		for k, wv := range w {
			out += diffJSON(path+"."+k, g[k], wv)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				out += fmt.Sprintf("%s.%s: unexpected\n", path, k)
			}
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Sprintf("%s: got %v items, want %d\n", path, lenOf(got), len(w))
		}
		out := ""
		for i := range w {
			out += diffJSON(fmt.Sprintf("%s[%d]", path, i), g[i], w[i])
		}
		return out
	case float64:
		g, ok := got.(float64)
		if !ok || math.Abs(g-w) > 1e-6*math.Max(1, math.Abs(w)) {
			return fmt.Sprintf("%s: got %v, want %v\n", path, got, w)
		}
		return ""
	default:
		if fmt.Sprint(got) != fmt.Sprint(want) {
			return fmt.Sprintf("%s: got %v, want %v\n", path, got, want)
		}
		return ""
	}
}

func lenOf(v any) any {
	if a, ok := v.([]any); ok {
		return len(a)
	}
	return fmt.Sprintf("%T", v)
}
