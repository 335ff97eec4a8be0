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

// LegLengthM returns the pendulum length: the sensor height, or 0.53 × body
// height (the greater-trochanter height of Winter, "Biomechanics and Motor
// Control of Human Movement", 4th ed., 2009, table 4.1), or 0 when neither
// is known.
func (s Subject) LegLengthM() float64 {
	if s.SensorHeightM > 0 {
		return s.SensorHeightM
	}
	if s.HeightM > 0 {
		return 0.53 * s.HeightM
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
	K          float64
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
	hp := dsp.MustButterworth(4, z.HighPassHz, fs, dsp.HighPass)
	scratch := make([]float64, 3*n+64)
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
