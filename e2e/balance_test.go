package e2e

import (
	"fmt"
	"math"
	"testing"
	"time"

	"legwork"
	"legwork/synth"
)

// TestBalanceInBrowser runs the static balance test from replayed motion:
// the page marks the eyes-open and eyes-closed parts on its own clock
// (TESTS.balance in web/static/js/protocols.js), and the stored result must
// score each part with its own sway — twice as much with the eyes closed.
func TestBalanceInBrowser(t *testing.T) {
	b, robin, me := newPerson(t, "Robin", "robin@example.org")

	// The replay starts when the page starts recording (after the placement
	// countdown); the eyes-open part starts about 4 s in and lasts 30 s,
	// then 3 s pass before the eyes-closed part. Sway 0.05 m/s² RMS for the
	// first 35.5 s, 0.10 m/s² after: each part falls inside one of them.
	open := synth.Stand(synth.StandParams{SampleRateHz: 60, DurationS: 35.5, SwayAPMS2: 0.04, SwayMLMS2: 0.03, NoiseMS2: 0.005, Seed: 51})
	closed := synth.Stand(synth.StandParams{SampleRateHz: 60, DurationS: 40, SwayAPMS2: 0.08, SwayMLMS2: 0.06, NoiseMS2: 0.005, Seed: 52})
	rec := join(open, closed)

	b.goTo("#/run/balance")
	b.wait("h1", "Balance", 10*time.Second)
	b.tap(".chip", "5 s")
	eval[any](b, motionScriptFromStart(rec))
	b.tap("#start", "")
	// 25 s: the countdown is 15 s should the 5 s choice not have registered
	b.wait("#recording", "", 25*time.Second)
	b.wait("#cue", "close your eyes", 50*time.Second)
	b.wait("#result", "", 60*time.Second)
	b.shot("23-balance-result")

	var as struct{ Items []legwork.Assessment }
	robin.must("GET", fmt.Sprintf("/api/people/%d/assessments?test_type=balance", me.ID), nil, &as, 200)
	if len(as.Items) != 1 {
		t.Fatalf("%d balance assessments stored", len(as.Items))
	}
	var full legwork.Assessment
	robin.must("GET", fmt.Sprintf("/api/people/%d/assessments/%d", me.ID, as.Items[0].ID), nil, &full, 200)
	eo, ok1 := full.Metrics["sway_rms_ms2"]
	ec, ok2 := full.Metrics["sway_ec_rms_ms2"]
	if !ok1 || !ok2 {
		t.Fatalf("metrics %v, quality %v", full.Metrics, full.Quality)
	}
	// 0.05 and 0.10 m/s² RMS; the 3.5 Hz low-pass and detrending change a
	// 0.4 Hz sway by well under 10 %, the browser's timing a little more
	if math.Abs(eo-0.05) > 0.01 || math.Abs(ec-0.10) > 0.02 {
		t.Errorf("sway eyes open %.3f, closed %.3f; want 0.05 and 0.10", eo, ec)
	}
	if r := full.Metrics["romberg_ratio"]; math.Abs(r-2) > 0.5 {
		t.Errorf("Romberg ratio %.2f, want about 2", r)
	}
}
