package gait

import (
	"math"

	"legwork/dsp"
)

// Subject holds the body measurements the stride-length model needs.
type Subject struct {
	HeightM       float64 // body height; used when SensorHeightM is 0
	SensorHeightM float64 // height of the sensor above the floor when standing
}

// SensorHeightRatio is the default height of a lower-back sensor (L4–L5) as
// a fraction of body height, used when only the body height is known. It is
// the measured ratio in the Mobilise-D laboratory example data (sensor
// 0.964 m above the floor for a 1.59 m participant); the greater trochanter,
// sometimes used instead, sits lower, at 0.53 × height (Winter,
// "Biomechanics and Motor Control of Human Movement", 4th ed., 2009).
const SensorHeightRatio = 0.6

// LegLengthM returns the pendulum length: the sensor height, or
// SensorHeightRatio × body height, or 0 when neither is known.
func (s Subject) LegLengthM() float64 {
	if s.SensorHeightM > 0 {
		return s.SensorHeightM
	}
	if s.HeightM > 0 {
		return SensorHeightRatio * s.HeightM
	}
	return 0
}

// StrideLengthEstimator estimates one length per step from the body signal
// and the step times; NaN marks a step it cannot estimate.
type StrideLengthEstimator interface {
	StepLengths(b *Body, ics []float64, legM float64, dst []float64) []float64
}

// Zijlstra is the inverted-pendulum step length model of Zijlstra & Hof
// (Gait Posture 18:1–10, 2003):
//
//	L = K · 2·√(2·l·h − h²)
//
// where h is the vertical excursion of the sensor during the step (the
// range of the position obtained by integrating the vertical acceleration
// twice, with a zero-phase high-pass at HighPassHz after each integration
// to remove drift), l is the pendulum (leg) length and K a correction
// factor for the part of the step the pendulum does not describe (double
// support, foot length). K is a method constant of legwork; its value and
// how it was chosen are in docs/METRICS.md.
type Zijlstra struct {
	HighPassHz float64
	// StepFraction, when positive, raises the high-pass cut-off to this
	// fraction of the bout's step frequency (1 / median step time), so
	// that slow trunk movements other than the pendulum's rise and fall
	// (bending, turning, shifting weight) do not inflate h.
	StepFraction float64
	K            float64
}

// StepLengths implements StrideLengthEstimator. ics must hold times inside
// b; one length is appended per interval between consecutive contacts.
func (z Zijlstra) StepLengths(b *Body, ics []float64, legM float64, dst []float64) []float64 {
	if len(ics) < 2 {
		return dst
	}
	fs := b.SampleRateHz
	i0 := b.IndexOf(ics[0]) - int(2*fs)
	i1 := b.IndexOf(ics[len(ics)-1]) + int(2*fs)
	i0 = max(i0, 0)
	i1 = min(i1, b.Len()-1)
	seg := b.VertMS2[i0 : i1+1]
	n := len(seg)
	if n < 16 {
		for range ics[1:] {
			dst = append(dst, math.NaN())
		}
		return dst
	}
	cut := z.HighPassHz
	if z.StepFraction > 0 {
		st := make([]float64, len(ics)-1)
		for k := range st {
			st[k] = ics[k+1] - ics[k]
		}
		if m := dsp.Median(st); m > 0 {
			cut = max(cut, z.StepFraction/m)
		}
	}
	hp := dsp.MustButterworth(2, cut, fs, dsp.HighPass)
	scratch := b.scratchOf(3*n + 64)
	pos := scratch[:n]
	tmp := scratch[n : 2*n]
	hp.FiltFilt(tmp, seg, scratch[2*n:])
	dsp.CumTrapz(pos, tmp, 1/fs)
	hp.FiltFilt(pos, pos, scratch[2*n:])
	dsp.CumTrapz(tmp, pos, 1/fs)
	hp.FiltFilt(pos, tmp, scratch[2*n:])
	for k := 1; k < len(ics); k++ {
		a := b.IndexOf(ics[k-1]) - i0
		c := b.IndexOf(ics[k]) - i0
		a = max(a, 0)
		c = min(c, n-1)
		if c <= a {
			dst = append(dst, math.NaN())
			continue
		}
		lo, hi := pos[a], pos[a]
		for _, p := range pos[a : c+1] {
			lo = min(lo, p)
			hi = max(hi, p)
		}
		h := hi - lo
		q := 2*legM*h - h*h
		if q <= 0 || legM <= 0 {
			dst = append(dst, math.NaN())
			continue
		}
		dst = append(dst, z.K*2*math.Sqrt(q))
	}
	return dst
}
