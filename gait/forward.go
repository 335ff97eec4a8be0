package gait

import (
	"math"

	"legwork/dsp"
)

// ForwardAxis estimates the walking direction in the sensor's own frame
// from a stretch of walking, so that no sensor axis has to be assumed
// forward (Moe-Nilssen, "A new method for evaluating motor control in gait
// under real-life environmental conditions", Clin Biomech 13:320–327,
// 1998, who also rotated trunk accelerations into the horizontal plane from
// the signal).
//
//  1. The horizontal acceleration (gravity removed, in the sensor frame) is
//     band-passed around the step frequency (0.6–1.6 × 1/step time):
//     forward-backward acceleration oscillates once per step, sideways
//     acceleration once per stride, below the band.
//  2. Its principal axis (largest variance) is the forward-backward line.
//  3. The sign follows the inverted pendulum: the trunk is slowest when it
//     is highest, so forward acceleration is in anti-phase with the vertical
//     velocity; the axis is flipped when their covariance is positive.
//
// It returns the unit forward axis and the share of the band's horizontal
// variance along it (near 1: a clear direction; near 0.5: none), or a zero
// vector when the stretch is too short.
func ForwardAxis(b *Body, i0, i1 int, stepTimeS float64) (Vec3, float64) {
	n := i1 - i0 + 1
	fs := b.SampleRateHz
	if !(stepTimeS > 0) || float64(n) < 4*stepTimeS*fs || i0 < 0 || i1 >= b.Len() {
		return Vec3{}, 0
	}
	f := 1 / stepTimeS
	// The band is far below the analysis rate: work on block means of k
	// samples (about 6 samples per step, so the band's upper edge, 1.6
	// cycles per step, stays below the block rate's Nyquist frequency of 3)
	// to save most of the filtering. Harmonics above 3 cycles per step fold
	// back, attenuated by the block mean (a harmonic at 4.5 folds onto 1.5
	// at about a third of its amplitude); they are small in trunk
	// acceleration, and the estimate is only the walking direction.
	k := max(1, int(stepTimeS*fs/6))
	m := n / k
	fsd := fs / float64(k)
	if m < 16 {
		return Vec3{}, 0
	}
	// one band-pass: a second-order high-pass and low-pass as two sections
	// of one cascade (run in one fused pass)
	band := dsp.SOS{dsp.MustButterworth(2, 0.6*f, fsd, dsp.HighPass)[0], dsp.MustButterworth(2, math.Min(1.6*f, 0.45*fsd), fsd, dsp.LowPass)[0]}
	var h [3][]float64
	buf := b.scratchOf(5*m + 64)
	scratch := buf[4*m:]
	for a := range 3 {
		h[a] = blockMeans(buf[a*m:(a+1)*m], b.HorizMS2[a][i0:i0+m*k], k)
		band.FiltFilt(h[a], h[a], scratch)
	}
	n = m
	axis, share := dsp.PrincipalAxis(h[0], h[1], h[2])
	if share == 0 {
		return Vec3{}, 0
	}
	v := Vec3(axis)
	// sign: forward acceleration against vertical velocity (its drift,
	// removed as a straight line, does not correlate with the band-passed
	// forward acceleration)
	vert := blockMeans(buf[3*m:4*m], b.VertMS2[i0:i0+m*k], k)
	dsp.CumTrapz(vert, vert, 1/fsd)
	dsp.Detrend(vert)
	cov := 0.0
	for i := range n {
		ap := v[0]*h[0][i] + v[1]*h[1][i] + v[2]*h[2][i]
		cov += ap * vert[i]
	}
	if cov > 0 {
		v = Vec3{-v[0], -v[1], -v[2]}
	}
	return v, share
}

// blockMeans writes into dst the means of consecutive blocks of k samples of
// x, the last block possibly shorter (len(dst) = ⌈len(x)/k⌉), and returns
// dst. Decimating by block means before a low cut-off filter costs a
// fraction of filtering at the full rate; what lies above the block rate's
// Nyquist frequency folds back, attenuated by the mean (a sinc), so the
// callers choose blocks short enough for what they keep.
func blockMeans(dst, x []float64, k int) []float64 {
	n := len(x)
	for j := range dst {
		a, c := j*k, min((j+1)*k, n)
		s := 0.0
		for _, v := range x[a:c] {
			s += v
		}
		dst[j] = s / float64(c-a)
	}
	return dst
}
