package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"legwork/gait"
	"legwork/imu"
	"legwork/synth"
)

func runMain(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb}
	err := m.Run(context.Background(), args)
	return out.String(), errb.String(), err
}

func writeWalk(t *testing.T, p synth.WalkParams) string {
	t.Helper()
	rec, _ := synth.Walk(p)
	path := filepath.Join(t.TempDir(), "walk.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := imu.WriteCSV(f, rec); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestAnalyzeCommand(t *testing.T) {
	path := writeWalk(t, synth.WalkParams{StandBeforeS: 4, WalkS: 8, StandAfterS: 4, CadenceSPM: 100, Seed: 1})
	out, _, err := runMain(t, "", "analyze", path, "--height-m", "1.7", "--distance-m", "7.62")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Walking:", "Cadence:", "Stride length:", "Timed walk: 7.62 m in"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// JSON, flags after the file, from standard input
	b, _ := os.ReadFile(path)
	out, _, err = runMain(t, string(b), "analyze", "-", "--json", "--placement", "hand")
	if err != nil {
		t.Fatal(err)
	}
	var res gait.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if res.Placement != gait.Hand || res.Walking.Steps < 10 || res.Walking.StrideLengthM.Valid() {
		t.Errorf("hand: placement %q, %d steps, stride length %v", res.Placement, res.Walking.Steps, res.Walking.StrideLengthM)
	}
}

func TestAnalyzeErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(bad, []byte("t,ax,ay,az\n0,1,2,3\n0.01,1,oops,3\n"), 0o644)
	_, _, err := runMain(t, "", "analyze", bad)
	if err == nil || !strings.Contains(err.Error(), "line 3") || !strings.Contains(err.Error(), `"ay"`) {
		t.Errorf("malformed file: %v", err)
	}
	var ue usageError
	for _, args := range [][]string{{"analyze"}, {"analyze", bad, "--placement", "ankle"}, {"analyze", bad, "--height-m", "172"}, {"nope"}} {
		if _, _, err := runMain(t, "", args...); err == nil {
			t.Errorf("%v: no error", args)
		} else if args[0] != "analyze" || len(args) > 1 {
			if !errorsAs(err, &ue) {
				t.Errorf("%v: %v is not a usage error", args, err)
			}
		}
	}
	if _, _, err := runMain(t, "", "analyze", filepath.Join(t.TempDir(), "missing.csv")); err == nil {
		t.Error("missing file: no error")
	}
}

func errorsAs(err error, target *usageError) bool {
	u, ok := err.(usageError)
	if ok {
		*target = u
	}
	return ok
}

func TestValidateCommandNeedsData(t *testing.T) {
	if _, _, err := runMain(t, "", "validate", t.TempDir()); err == nil || !strings.Contains(err.Error(), "no recording folders") {
		t.Errorf("empty folder: %v", err)
	}
}

func TestAnalyzeGuidedTest(t *testing.T) {
	rec, _ := synth.SitToStand(synth.SitToStandParams{SitBeforeS: 3, SitAfterS: 3, Seed: 2})
	path := filepath.Join(t.TempDir(), "sts.csv")
	f, _ := os.Create(path)
	imu.WriteCSV(f, rec)
	f.Close()
	out, _, err := runMain(t, "", "analyze", path, "--test", "sts5")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"five-times sit-to-stand (--test sts5)", "Result: valid", "Five-times sit-to-stand time:", "Repetitions:"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if _, _, err := runMain(t, "", "analyze", path, "--test", "jump"); err == nil {
		t.Error("unknown test accepted")
	}
	if _, _, err := runMain(t, "", "analyze", path, "--test", "balance", "--segment", "eyes_open:5"); err == nil {
		t.Error("malformed segment accepted")
	}
}
