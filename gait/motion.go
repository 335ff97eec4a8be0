package gait

import (
	"math"

	"legwork/dsp"
)

// MotionBounds finds when trunk motion starts before a bout's first contact
// and settles after its last, the way a clinician's stopwatch brackets a
// timed walk (start on the first movement, stop when the last foot lands).
//
// The motion envelope e(t) is the RMS of the acceleration magnitude (gravity
// removed) over a centred WindowS window. With W the median of e over the bout
// and R the stillest e within SearchS before the first contact (after the
// last contact, for the offset), the onset is the last time before the first
// contact at which e is below R + Fraction·(W − R); the offset is the first
// time after the last contact at which it is. When the person never stands
// still within SearchS, the bound is not available.
type MotionBounds struct {
	WindowS  float64
	Fraction float64
	SearchS  float64
	// MaxRestRatio is the largest R/W accepted as "standing still".
	MaxRestRatio float64
	// OnsetFraction and OffsetFraction place the start and end of a moving
	// stretch (Moving) where the envelope first rises above, and last
	// falls below, R + fraction·(W − R).
	OnsetFraction, OffsetFraction float64
	// MinStillS is how long the envelope must stay low to count as
	// standing still (Moving).
	MinStillS float64
}

// Bounds returns the motion onset and offset around [firstS, lastS].
func (m MotionBounds) Bounds(b *Body, firstS, lastS float64) (onset, offset Value) {
	onset, offset = NA, NA
	fs := b.SampleRateHz
	i0 := max(b.IndexOf(firstS-m.SearchS), 0)
	i1 := min(b.IndexOf(lastS+m.SearchS), b.Len()-1)
	f := b.IndexOf(firstS) - i0
	l := b.IndexOf(lastS) - i0
	if i1-i0 < 8 || l <= f {
		return
	}
	buf := b.scratchOf(2 * (i1 - i0 + 1))
	env := m.envelope(buf[:i1-i0+1], b.MagMS2[i0:i1+1], fs)
	walk := dsp.QuantileInPlace(append(buf[i1-i0+1:i1-i0+1], env[f:l+1]...), 0.5) // a copy: env is read below
	if !(walk > 0) {
		return
	}
	find := func(from, to, step int) Value {
		rest := math.Inf(1)
		for i := from; i != to; i += step {
			rest = min(rest, env[i])
		}
		if rest > m.MaxRestRatio*walk {
			return NA
		}
		thr := rest + m.Fraction*(walk-rest)
		for i := from; i != to; i += step {
			if env[i] < thr {
				// interpolate the crossing between i−step and i
				t := float64(i)
				if prev := i - step; i != from && env[prev] >= thr {
					t -= float64(step) * (thr - env[i]) / (env[prev] - env[i])
				}
				return Value(b.TimeOf(float64(i0) + t))
			}
		}
		return NA
	}
	if f > 0 {
		onset = find(f, -1, -1)
	}
	if l < len(env)-1 {
		offset = find(l, len(env), 1)
	}
	return
}

// Moving splits a body signal into moving stretches separated by standing
// still: stretches where the motion envelope stays below the threshold
// R + Fraction·(W − R) for at least MinStillS seconds, with W the median
// envelope at the given initial contacts and R the envelope's 5th
// percentile over the whole signal. It returns the moving stretches as
// [start, end] times. This is how a stopwatch brackets a walk: from the
// moment the person leaves standing still to the moment they stand still
// again, whatever happens in between (a turn, a hesitation).
func (m MotionBounds) Moving(b *Body, ics []float64, minStillS float64) [][2]float64 {
	n := b.Len()
	if n < 8 || len(ics) == 0 {
		return nil
	}
	fs := b.SampleRateHz
	env := m.envelope(b.scratchOf(n), b.MagMS2, fs)
	at := make([]float64, 0, len(ics))
	for _, t := range ics {
		at = append(at, env[b.IndexOf(t)])
	}
	walk := dsp.Median(at)
	rest := dsp.Quantile(env, 0.05)
	if !(walk > rest) {
		return nil
	}
	thr := rest + m.Fraction*(walk-rest)
	minStill := int(minStillS * fs)
	var out [][2]float64
	start := -1 // start of the current moving stretch
	still := 0  // length of the current run below the threshold
	for i := 0; i <= n; i++ {
		below := i == n || env[i] < thr
		if below {
			still++
			if start >= 0 && (still >= minStill || i == n) {
				end := max(i-still, start)
				// refine both ends on their own thresholds
				on := rest + m.OnsetFraction*(walk-rest)
				off := rest + m.OffsetFraction*(walk-rest)
				a, c := start, end
				for a < end && env[a] < on {
					a++
				}
				for c > a && env[c] < off {
					c--
				}
				out = append(out, [2]float64{b.TimeOf(float64(a)), b.TimeOf(float64(c))})
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
		still = 0
	}
	return out
}

// envelope writes into env (as long as x) the motion envelope of x: its
// RMS over a centred window of WindowS seconds.
func (m MotionBounds) envelope(env, x []float64, fs float64) []float64 {
	for i, v := range x {
		env[i] = v * v
	}
	env = dsp.MovingMean(env, env, max(int(m.WindowS*fs), 1))
	for i := range env {
		env[i] = math.Sqrt(env[i])
	}
	return env
}
