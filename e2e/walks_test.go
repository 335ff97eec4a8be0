package e2e

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"legwork"
	"legwork/assess"
	"legwork/gait"
	"legwork/synth"
)

// longWalk is a synthetic lower-back walk at the browser's 60 Hz that
// starts 4 s after the page starts recording: the scripts of the 2-minute
// walk and the U-turn test (web/static/js/protocols.js) cue "Stand still",
// wait 3 s and say "Go"; the person sets off about a second later.
func longWalk(walkS float64, turns []synth.TurnSpec, seed uint64) (*gait.Recording, synth.Truth) {
	return synth.Walk(synth.WalkParams{SampleRateHz: 60, StandBeforeS: 4, WalkS: walkS, StandAfterS: 8,
		CadenceSPM: 105, StepLengthM: 0.65, SensorHeightM: 0.6 * heightM, StepTimeCV: 0.02,
		NoiseMS2: 0.05, NoiseRPS: 0.01, Turns: turns, Seed: seed})
}

// runInBrowser signs a new person up, runs the guided test from the replayed
// recording and returns the stored assessment.
func runInBrowser(t *testing.T, test, heading, email string, rec *gait.Recording, timeout time.Duration) legwork.Assessment {
	t.Helper()
	root := browsers(t)
	srv := startServer(t)
	b := newTab(t, root, "person", srv.URL)
	signUp(t, b, "Lee", email)
	c := newClient(t, srv.URL)
	c.useCookie("legwork_session", b.cookie())
	var me legwork.User
	c.must("GET", "/api/me", nil, &me, 200)

	b.goTo("#/run/" + test)
	b.wait("h1", heading, 10*time.Second)
	b.tap(".chip", "5 s")
	eval[any](b, motionScriptFromStart(rec))
	b.tap("#start", "")
	// 25 s: the countdown is 15 s should the 5 s choice not have registered
	b.wait("#recording", "", 25*time.Second)
	shown := strings.ReplaceAll(b.wait("#result", "", timeout), "\u00a0", " ")
	b.shot("23-" + test + "-result")

	var as struct{ Items []legwork.Assessment }
	c.must("GET", fmt.Sprintf("/api/people/%d/assessments?test_type=%s", me.ID, test), nil, &as, 200)
	if len(as.Items) != 1 {
		t.Fatalf("%d %s assessments stored", len(as.Items), test)
	}
	var full legwork.Assessment
	c.must("GET", fmt.Sprintf("/api/people/%d/assessments/%d", me.ID, as.Items[0].ID), nil, &full, 200)
	// The result on the screen is the stored one: a figure of it as the
	// app writes it (web/static/js/format.js, screens/run.js).
	var figure string
	switch test {
	case "walk2min":
		figure = fmt.Sprintf("%.0f steps", full.Metrics["walk2min_steps"])
	case "uturn":
		figure = fmt.Sprintf("%.0f turns", full.Metrics["turns"])
	}
	if !strings.Contains(shown, figure) {
		t.Errorf("the result screen does not show %q; it shows:\n%s", figure, shown)
	}
	return full
}

// TestWalk2MinInBrowser runs the whole 2-minute walk — its two minutes of
// cues in real time — from replayed motion to the stored result, and
// compares it with the truth of the synthetic walk.
func TestWalk2MinInBrowser(t *testing.T) {
	rec, tr := longWalk(120, []synth.TurnSpec{{StartS: 44, DurationS: 2, AngleDeg: 180}, {StartS: 84, DurationS: 2, AngleDeg: 180}}, 51)
	a := runInBrowser(t, "walk2min", "2-minute walk", "lee@example.org", rec, 170*time.Second)
	t.Logf("walk2min_steps %v (truth %d), cadence %.1f (truth %.1f), turns %v", a.Metrics["walk2min_steps"], tr.Steps, a.Metrics["cadence_spm"], tr.CadenceSPM, a.Metrics["turns"])
	// the synthetic walk's own steps; the browser's clock and event
	// delivery add jitter, so 3 steps (about 1.5 %) of slack
	if got := a.Metrics["walk2min_steps"]; math.Abs(got-float64(tr.Steps)) > 3 {
		t.Errorf("walk2min_steps = %v, want %d ± 3; result %s", got, tr.Steps, a.Result)
	}
	if got := a.Metrics["cadence_spm"]; math.Abs(got-tr.CadenceSPM) > 2 {
		t.Errorf("cadence_spm = %v, want %.1f ± 2", got, tr.CadenceSPM)
	}
	if got := a.Metrics["turns"]; got != 2 {
		t.Errorf("turns = %v, want 2", got)
	}
}

// TestUTurnInBrowser runs the U-turn test (a minute of walking back and
// forth) from replayed motion, gyroscope included, to the stored result,
// and compares it with the direct analysis of the same recording.
func TestUTurnInBrowser(t *testing.T) {
	var turns []synth.TurnSpec
	for _, at := range []float64{14, 26, 38, 50} {
		turns = append(turns, synth.TurnSpec{StartS: at, DurationS: 2.2, AngleDeg: 180})
	}
	rec, _ := longWalk(57, turns, 52)
	want, err := assess.RunRecording(assess.UTurn, rec, assess.Options{Placement: gait.LowerBack, Subject: gait.Subject{HeightM: heightM}, PhoneFrame: false})
	if err != nil {
		t.Fatal(err)
	}
	a := runInBrowser(t, "uturn", "U-turn", "lee@example.org", rec, 100*time.Second)
	t.Logf("turns %v; turn duration %.3f s (direct %.3f), speed %.3f rad/s (direct %.3f)", a.Metrics["turns"], a.Metrics["turn_duration_s"], want.Metrics["turn_duration_s"], a.Metrics["turn_speed_rps"], want.Metrics["turn_speed_rps"])
	if got := a.Metrics["turns"]; got != 4 {
		t.Fatalf("turns = %v, want 4; result %s", got, a.Result)
	}
	// the browser path against the direct analysis of the same motion;
	// event delivery jitters the timing by a few tens of milliseconds
	if got, exp := a.Metrics["turn_duration_s"], want.Metrics["turn_duration_s"]; math.Abs(got-exp) > 0.2 {
		t.Errorf("turn_duration_s = %.3f, direct analysis %.3f (± 0.2)", got, exp)
	}
	if got, exp := a.Metrics["turn_speed_rps"], want.Metrics["turn_speed_rps"]; math.Abs(got-exp) > 0.1*exp {
		t.Errorf("turn_speed_rps = %.3f, direct analysis %.3f (± 10 %%)", got, exp)
	}
}
