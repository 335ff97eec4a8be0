package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"testing"
	"time"

	"legwork/assess"
	"legwork/gait"
	"legwork/imu"
	"legwork/synth"
)

const heightM = 1.72

// walk is a synthetic lower-back walk at 60 Hz, the browser's rate,
// covering about 25 feet when walkS is zero.
func walk(standBefore, walkS, standAfter float64, cadence float64, seed uint64) *gait.Recording {
	p := synth.WalkParams{SampleRateHz: 60, StandBeforeS: standBefore, WalkS: walkS, StandAfterS: standAfter,
		CadenceSPM: cadence, StepLengthM: 0.62, SensorHeightM: 0.6 * heightM, StepTimeCV: 0.02,
		NoiseMS2: 0.05, NoiseRPS: 0.01, Seed: seed}
	if walkS == 0 {
		p.WalkS = assess.T25FWDistanceM/(p.StepLengthM*cadence/60) + 0.3
	}
	rec, _ := synth.Walk(p)
	return rec
}

// join puts recordings one after the other on one clock.
func join(parts ...*gait.Recording) *gait.Recording {
	out := &gait.Recording{Gyro: true}
	offset := 0.0
	for _, p := range parts {
		for _, s := range p.Samples {
			s.TimeS += offset
			out.Samples = append(out.Samples, s)
		}
		offset = out.Samples[len(out.Samples)-1].TimeS + 1.0/60
	}
	return out
}

// phoneAtBack turns a body-frame recording (x forward, y left, z up) into
// the axes of a phone upright in a waistband at the small of the back,
// screen facing out (backwards): the phone's x (right of the screen, seen
// from behind) is the body's right, its y (up the screen) is up, and its z
// (out of the screen) is backwards.
func phoneAtBack(v gait.Vec3) gait.Vec3 { return gait.Vec3{-v[1], v[2], -v[0]} }

// motionScript is JavaScript that, once the page listens for motion
// ("legwork:listening"), dispatches the recording as devicemotion events
// at its own timestamps, in the browser's units: m/s² for
// accelerationIncludingGravity and degrees per second for rotationRate
// (alpha about x, beta about y, gamma about z, as the Device Orientation and
// Motion spec and the browsers have it). The recording's time zero is
// when the page starts listening, before its placement countdown.
func motionScript(rec *gait.Recording) string { return replayScript(rec, false) }

// motionScriptFromStart is motionScript with the recording's time zero at
// the moment the page starts recording ("legwork:recording", after the
// countdown): during the countdown it repeats the first sample, so the test's
// timing does not depend on how long the countdown takes in a busy browser.
func motionScriptFromStart(rec *gait.Recording) string { return replayScript(rec, true) }

func replayScript(rec *gait.Recording, fromStart bool) string {
	r4 := func(x float64) float64 { return math.Round(x*1e4) / 1e4 }
	var d struct {
		T, X, Y, Z, A, B, G []float64
	}
	deg := 180 / math.Pi
	for _, s := range rec.Samples {
		a, w := phoneAtBack(s.AccMS2), phoneAtBack(s.GyroRPS)
		d.T = append(d.T, r4(s.TimeS))
		d.X, d.Y, d.Z = append(d.X, r4(a[0])), append(d.Y, r4(a[1])), append(d.Z, r4(a[2]))
		d.A, d.B, d.G = append(d.A, r4(w[0]*deg)), append(d.B, r4(w[1]*deg)), append(d.G, r4(w[2]*deg))
	}
	data, _ := json.Marshal(d)
	return fmt.Sprintf(`(() => {
  const R = %s;
  const fromStart = %t;
  window.__replay = { sent: 0, done: false };
  const send = (i) => dispatchEvent(new DeviceMotionEvent("devicemotion", {
    accelerationIncludingGravity: { x: R.X[i], y: R.Y[i], z: R.Z[i] },
    rotationRate: { alpha: R.A[i], beta: R.B[i], gamma: R.G[i] },
    interval: 16.667,
  }));
  const play = () => {
    const t0 = performance.now();
    let i = 0;
    const tick = () => {
      const now = (performance.now() - t0) / 1000;
      while (i < R.T.length && R.T[i] <= now) {
        send(i);
        i++;
      }
      window.__replay.sent = i;
      if (i < R.T.length) setTimeout(tick, 4); else window.__replay.done = true;
    };
    tick();
  };
  addEventListener("legwork:listening", () => {
    if (!fromStart) { play(); return; }
    let holding = true;
    const hold = () => { if (holding) { send(0); setTimeout(hold, 16); } };
    hold();
    addEventListener("legwork:recording", () => { holding = false; play(); }, { once: true });
  }, { once: true });
})()`, data, fromStart)
}

// t25fwRecording is what the phone records during the guided 25-foot walk
// (see TESTS.t25fw in web/static/js/protocols.js), as the page's clock
// runs: a 5 s placement countdown and 3 s of standing before "Go" (8 s),
// the walk, standing until the page has heard 1.5 s of stillness, walking
// back, standing through the stillness check and the second "Go", the
// second walk, and standing.
func t25fwRecording() *gait.Recording {
	return join(
		walk(9.5, 0, 4.5, 112, 11), // first walk: starts 1.5 s after "Go"
		walk(0, 7, 9, 100, 12),     // walking back, then standing until after the second "Go"
		walk(0, 0, 5, 110, 13),     // second walk
	)
}

// uploadEarlier stores a past 25-foot walk through the API, as the app
// would have, so that the new result has a usual level to compare with.
func uploadEarlier(t *testing.T, c *client, personID int64, at time.Time, cadence float64, seed uint64) {
	t.Helper()
	r1 := walk(3, 0, 3, cadence, seed)
	r2 := walk(3, 0, 3, cadence, seed+1)
	rec := join(r1, r2)
	mid := r1.Samples[len(r1.Samples)-1].TimeS
	segs, _ := json.Marshal([]assess.Segment{{Name: "trial1", StartS: 0, EndS: mid}, {Name: "trial2", StartS: mid + 1.0/60, EndS: rec.Samples[len(rec.Samples)-1].TimeS}})
	var b bytes.Buffer
	if err := imu.WriteCSV(&b, rec); err != nil {
		t.Fatal(err)
	}
	q := url.Values{"test_type": {"t25fw"}, "placement": {"lower_back"}, "assistive_device": {"none"},
		"recorded_at": {at.UTC().Format(time.RFC3339)}, "segments": {string(segs)}}
	c.must("POST", fmt.Sprintf("/api/people/%d/assessments?%s", personID, q.Encode()), b.Bytes(), nil, 201)
}
