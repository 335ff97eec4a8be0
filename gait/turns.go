package gait

import (
	"math"

	"legwork/dsp"
)

// TurnDetector finds turns in the yaw rate of a body signal.
type TurnDetector interface {
	Turns(b *Body, dst []Turn) []Turn
}

// ElGohary detects turns from the angular rate about the vertical axis, after
// El-Gohary et al., "Continuous monitoring of turning in patients with
// movement disability", Sensors 14:356–369, 2014:
//
//  1. ω(t) = LP_CutoffHz(yaw rate), zero-phase Butterworth of order 4;
//  2. every peak of |ω| above PeakDPS seeds a turn, extended on both sides
//     while |ω| stays above EdgeDPS and ω keeps its sign;
//  3. overlapping or touching candidates (gap < MergeGapS, same direction)
//     are merged;
//  4. the angle is ∫ω dt over the turn; turns shorter than MinDurationS or
//     longer than MaxDurationS, or smaller than MinAngleDeg, are dropped.
type ElGohary struct {
	CutoffHz     float64
	PeakDPS      float64
	EdgeDPS      float64
	MergeGapS    float64
	MinDurationS float64
	MaxDurationS float64
	MinAngleDeg  float64
}

// Turns implements TurnDetector.
func (e ElGohary) Turns(b *Body, dst []Turn) []Turn {
	n := len(b.YawRPS)
	if n < 16 {
		return dst
	}
	fs := b.SampleRateHz
	// The low-pass runs on block means of k samples (its cut-off is
	// far below their rate, so nothing aliases) and is interpolated back.
	k := max(1, int(fs/(8*e.CutoffHz)))
	m := (n + k - 1) / k
	buf := b.scratchOf(n + 2*m + 64)
	dec := blockMeans(buf[n:n+m], b.YawRPS, k)
	if m > 8 {
		dsp.MustButterworth(4, e.CutoffHz, fs/float64(k), dsp.LowPass).FiltFilt(dec, dec, buf[n+m:])
	}
	w := buf[:n]
	interpolateBlocks(w, dec, k, n)
	peak := e.PeakDPS * math.Pi / 180
	edge := e.EdgeDPS * math.Pi / 180
	type cand struct{ a, c int } // inclusive sample range
	var cs []cand
	for i := 1; i < n-1; {
		v := math.Abs(w[i])
		if v < peak || v < math.Abs(w[i-1]) || v < math.Abs(w[i+1]) {
			i++
			continue
		}
		sign := math.Signbit(w[i])
		a := i
		for a > 0 && math.Abs(w[a-1]) >= edge && math.Signbit(w[a-1]) == sign {
			a--
		}
		c := i
		for c < n-1 && math.Abs(w[c+1]) >= edge && math.Signbit(w[c+1]) == sign {
			c++
		}
		if len(cs) > 0 && a <= cs[len(cs)-1].c {
			// same excursion as the previous candidate
			last := &cs[len(cs)-1]
			last.c = max(last.c, c)
		} else {
			cs = append(cs, cand{a, c})
		}
		i = c + 1
	}
	// merge same-direction candidates separated by a short gap
	merged := cs[:0]
	for _, c := range cs {
		if len(merged) > 0 {
			last := &merged[len(merged)-1]
			gap := float64(c.a-last.c) / fs
			if gap < e.MergeGapS && math.Signbit(w[c.a]) == math.Signbit(w[last.c]) {
				last.c = c.c
				continue
			}
		}
		merged = append(merged, c)
	}
	for _, c := range merged {
		dur := float64(c.c-c.a) / fs
		if dur < e.MinDurationS || dur > e.MaxDurationS {
			continue
		}
		angle := 0.0
		pk := 0.0
		for k := c.a; k <= c.c; k++ {
			angle += w[k]
			pk = max(pk, math.Abs(w[k]))
		}
		angle = angle / fs * 180 / math.Pi
		if math.Abs(angle) < e.MinAngleDeg {
			continue
		}
		dst = append(dst, Turn{
			StartS:       b.TimeOf(float64(c.a)),
			EndS:         b.TimeOf(float64(c.c)),
			AngleDeg:     angle,
			PeakSpeedDPS: pk * 180 / math.Pi,
			DurationS:    dur,
		})
	}
	return dst
}
