package e2e

import (
	"fmt"
	"math"
	"testing"
	"time"

	"legwork"
	"legwork/gait"
	"legwork/synth"
)

// stsRecording is what the phone records during the guided five-times
// sit-to-stand (TESTS.sts5 in web/static/js/protocols.js), from the end of
// the placement countdown: seated and still through the cue and the 3 s
// before "Go", the five repetitions, then seated until the page has heard
// 3 s of stillness.
func stsRecording() (*gait.Recording, synth.STSTruth) {
	rec, tr := synth.SitToStand(synth.SitToStandParams{SampleRateHz: 60, SitBeforeS: 5, SitAfterS: 6, NoiseMS2: 0.03, Seed: 41})
	return rec, tr
}

// TestSitToStandInBrowser runs the five-times sit-to-stand from the phone's
// motion sensors (replayed as devicemotion events) to its stored result:
// a second guided test, with a different script, through the same page,
// upload and analysis as the walk.
func TestSitToStandInBrowser(t *testing.T) {
	b, sam, me := newPerson(t, "Sam", "sam@example.org")

	rec, tr := stsRecording()
	b.goTo("#/run/sts5")
	b.wait("h1", "Five sit-to-stands", 10*time.Second)
	b.tap(".chip", "5 s")
	eval[any](b, motionScriptFromStart(rec))
	b.tap("#start", "")
	// 25 s: the countdown is 15 s should the 5 s choice not have registered
	b.wait("#recording", "", 25*time.Second)
	b.wait("#result", "", 60*time.Second)
	b.shot("22-sts-result")

	var as struct{ Items []legwork.Assessment }
	sam.must("GET", fmt.Sprintf("/api/people/%d/assessments?test_type=sts5", me.ID), nil, &as, 200)
	if len(as.Items) != 1 {
		t.Fatalf("%d sit-to-stand assessments stored", len(as.Items))
	}
	var full legwork.Assessment
	sam.must("GET", fmt.Sprintf("/api/people/%d/assessments/%d", me.ID, as.Items[0].ID), nil, &full, 200)
	got, ok := full.Metrics["sts5_time_s"]
	// the browser's clock and event delivery add jitter to the replay;
	// 0.7 s on a 15 s test
	if !ok || math.Abs(got-tr.TotalS) > 0.7 {
		t.Fatalf("sts5_time_s = %v (present %v), want %.2f ± 0.7; quality %v; result %s", got, ok, tr.TotalS, full.Quality, full.Result)
	}
	if full.Metrics["sts_repetitions"] != 5 {
		t.Errorf("%v repetitions", full.Metrics["sts_repetitions"])
	}
}
