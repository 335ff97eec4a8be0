package gait

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

// TestPushAllMatchesPush: the batch path of the resampler (pushAll, with
// its state in local variables) emits the same samples, gaps and sampling
// statistics as pushing one sample at a time, on input with jitter,
// repeated and earlier timestamps, a NaN time, gaps and clipping, in
// batches of every size, at input rates that average into bins and that
// interpolate.
func TestPushAllMatchesPush(t *testing.T) {
	type out struct {
		T []float64
		V [][6]float64
		G []Gap
	}
	run := func(ss []Sample, batch int) (out, SamplingStats, clipTracker) {
		var o out
		r := newResampler(50, 1.0, func(t float64, v *[6]float64) {
			o.T = append(o.T, t)
			o.V = append(o.V, *v)
		}, func(g Gap) { o.G = append(o.G, g) })
		if batch == 0 {
			for i := range ss {
				r.push(&ss[i])
			}
		} else {
			for i := 0; i < len(ss); i += batch {
				r.pushAll(ss[i:min(i+batch, len(ss))])
			}
		}
		stats := r.finish()
		return o, stats, r.clip
	}
	for _, rateHz := range []float64{100, 128, 60, 25} {
		rng := rand.New(rand.NewPCG(1, uint64(rateHz)))
		var ss []Sample
		tt := 0.0
		for i := range 3000 {
			tt += (1 + 0.2*rng.NormFloat64()) / rateHz
			s := Sample{TimeS: tt}
			for k := range 3 {
				s.AccMS2[k] = math.Round(10*rng.NormFloat64()) / 2 // repeats, so clipping counts
				s.GyroRPS[k] = rng.NormFloat64()
			}
			switch {
			case i == 700:
				tt += 2.5 // a gap
				s.TimeS = tt
			case i > 0 && i%97 == 0:
				s.TimeS = ss[len(ss)-1].TimeS // repeated
			case i%131 == 0:
				s.TimeS -= 0.5 // earlier
			case i == 1500:
				s.TimeS = math.NaN()
			case i%53 == 0:
				s.AccMS2[0] = 39.2 // full scale (4 g)
			}
			// The clipping check counts every sample, also those the
			// resampler drops or splits at: full scale on repeated,
			// earlier and gap samples, and on y a larger value that
			// only such samples carry.
			if i == 700 || (i > 0 && i%97 == 0) || i%131 == 0 {
				s.AccMS2[0] = 39.2
				if i%5 == 0 {
					s.AccMS2[1] = 50
				}
			}
			ss = append(ss, s)
		}
		want, wantStats, wantClip := run(ss, 0)
		if len(want.T) < 100 || len(want.G) == 0 || wantStats.Duplicates == 0 || wantStats.OutOfOrder == 0 || wantStats.ClippedAxes == 0 {
			t.Fatalf("%v Hz: the input does not exercise every path: %d samples, %d gaps, %+v", rateHz, len(want.T), len(want.G), wantStats)
		}
		for _, batch := range []int{1, 2, 7, 256, 257, 1000, len(ss)} {
			got, gotStats, gotClip := run(ss, batch)
			if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotStats, wantStats) || gotClip != wantClip {
				t.Errorf("%v Hz, batches of %d: pushAll differs from push (%d vs %d samples; stats %+v vs %+v; clipping %+v vs %+v)", rateHz, batch, len(got.T), len(want.T), gotStats, wantStats, gotClip, wantClip)
			}
		}
	}
}
