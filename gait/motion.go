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
	seg := b.MagMS2[i0 : i1+1]
	sq := make([]float64, len(seg))
	for i, v := range seg {
		sq[i] = v * v
	}
	env := dsp.MovingMean(nil, sq, max(int(m.WindowS*fs), 1))
	for i := range env {
		env[i] = math.Sqrt(env[i])
	}
	walk := dsp.Median(env[f : l+1])
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
				prev := i - step
				t := float64(i)
				if d := env[prev] - env[i]; d != 0 {
					t = float64(i) + float64(-step)*(thr-env[i])/d
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
