package dsp

import (
	"fmt"
	"math"
	"math/cmplx"
)

// Biquad is one second-order section of an IIR filter,
//
//	H(z) = (B0 + B1 z⁻¹ + B2 z⁻²) / (1 + A1 z⁻¹ + A2 z⁻²),
//
// evaluated in transposed direct form II.
type Biquad struct {
	B0, B1, B2 float64
	A1, A2     float64
}

// SOS is a cascade of second-order sections.
type SOS []Biquad

// FilterKind selects a low-pass or high-pass Butterworth response.
type FilterKind int

// The filter kinds.
const (
	LowPass FilterKind = iota
	HighPass
)

// Butterworth designs a digital Butterworth filter of the given order by the
// bilinear transform with frequency pre-warping (Oppenheim & Schafer,
// "Discrete-Time Signal Processing", 3rd ed., §7.1). The analog prototype has
// poles p_k = exp(iπ(2k+n−1)/(2n)), k = 1…n, scaled to the pre-warped cut-off
// Ωc = 2·fs·tan(π·fc/fs); a high-pass uses s → Ωc/s. Odd orders get one
// first-order section (stored as a biquad with B2 = A2 = 0). The gain is 1 at
// DC (low-pass) or at Nyquist (high-pass), and −3 dB at cutoffHz.
func Butterworth(order int, cutoffHz, sampleRateHz float64, kind FilterKind) (SOS, error) {
	if order < 1 || order > 12 {
		return nil, fmt.Errorf("dsp: butterworth order %d out of range 1..12", order)
	}
	if !(cutoffHz > 0) || !(cutoffHz < sampleRateHz/2) {
		return nil, fmt.Errorf("dsp: cut-off %.4g Hz must lie in (0, %.4g) Hz", cutoffHz, sampleRateHz/2)
	}
	fs2 := 2 * sampleRateHz
	wc := fs2 * math.Tan(math.Pi*cutoffHz/sampleRateHz)
	zero := complex(-1, 0) // low-pass zeros at Nyquist
	if kind == HighPass {
		zero = 1
	}
	bilinear := func(s complex128) complex128 { return (complex(fs2, 0) + s) / (complex(fs2, 0) - s) }
	var sos SOS
	for k := 1; k <= order/2; k++ {
		p := cmplx.Exp(complex(0, math.Pi*float64(2*k+order-1)/float64(2*order)))
		var s complex128
		if kind == HighPass {
			s = complex(wc, 0) / p
		} else {
			s = complex(wc, 0) * p
		}
		z := bilinear(s)
		// (1 - z⁻¹·zp)(1 - z⁻¹·conj(zp)) = 1 − 2Re(zp) z⁻¹ + |zp|² z⁻²
		a1 := -2 * real(z)
		a2 := real(z)*real(z) + imag(z)*imag(z)
		b1 := -2 * real(zero)
		sos = append(sos, Biquad{B0: 1, B1: b1, B2: 1, A1: a1, A2: a2})
	}
	if order%2 == 1 {
		// The real prototype pole is −1; both s = −Ωc and s = Ωc/(−1) give −Ωc.
		z := bilinear(complex(-wc, 0))
		sos = append(sos, Biquad{B0: 1, B1: -real(zero), A1: -real(z)})
	}
	// Normalise the gain of each section at the pass-band reference point.
	ref := complex(1, 0)
	if kind == HighPass {
		ref = -1
	}
	for i := range sos {
		g := cmplx.Abs(sos[i].response(ref))
		sos[i].B0 /= g
		sos[i].B1 /= g
		sos[i].B2 /= g
	}
	return sos, nil
}

// MustButterworth is Butterworth for parameters known valid at compile time;
// it panics on an invalid design.
func MustButterworth(order int, cutoffHz, sampleRateHz float64, kind FilterKind) SOS {
	s, err := Butterworth(order, cutoffHz, sampleRateHz, kind)
	if err != nil {
		panic(err)
	}
	return s
}

// response evaluates H at the point z on the unit circle.
func (b Biquad) response(z complex128) complex128 {
	zi := 1 / z
	num := complex(b.B0, 0) + complex(b.B1, 0)*zi + complex(b.B2, 0)*zi*zi
	den := 1 + complex(b.A1, 0)*zi + complex(b.A2, 0)*zi*zi
	return num / den
}

// Response returns the complex frequency response of the cascade at f Hz.
func (s SOS) Response(f, sampleRateHz float64) complex128 {
	z := cmplx.Exp(complex(0, 2*math.Pi*f/sampleRateHz))
	h := complex(1, 0)
	for _, b := range s {
		h *= b.response(z)
	}
	return h
}

// dcGain is the gain of one section at z = 1.
func (b Biquad) dcGain() float64 {
	return (b.B0 + b.B1 + b.B2) / (1 + b.A1 + b.A2)
}

// Filter applies the cascade causally to x, writing into dst (which may be x
// itself) and returning dst. The state starts at the steady state for a
// constant input equal to x[0], so a signal with an offset does not ring at the
// start (the lfilter_zi construction of Gustafsson, IEEE TSP 1996).
func (s SOS) Filter(dst, x []float64) []float64 {
	if dst == nil {
		dst = make([]float64, len(x))
	}
	dst = dst[:len(x)]
	if len(x) == 0 {
		return dst
	}
	copy(dst, x)
	s.run(dst, false)
	return dst
}

// FiltFilt applies the cascade forward then backward, giving zero phase and
// the squared magnitude response. The ends are extended by odd reflection over
// padLen samples (3× the number of filter coefficients, capped at len(x)−1),
// as scipy.signal.filtfilt does, to suppress edge transients. scratch, when
// long enough (len(x)+2·padLen), avoids an allocation; dst may alias x.
func (s SOS) FiltFilt(dst, x, scratch []float64) []float64 {
	n := len(x)
	if dst == nil {
		dst = make([]float64, n)
	}
	dst = dst[:n]
	if n == 0 {
		return dst
	}
	pad := 3 * (2*len(s) + 1)
	if pad > n-1 {
		pad = n - 1
	}
	m := n + 2*pad
	if cap(scratch) < m {
		scratch = make([]float64, m)
	}
	ext := scratch[:m]
	for i := 0; i < pad; i++ {
		ext[i] = 2*x[0] - x[pad-i]
		ext[n+pad+i] = 2*x[n-1] - x[n-2-i]
	}
	copy(ext[pad:], x)
	s.Filter(ext, ext)
	s.filterBackward(ext)
	copy(dst, ext[pad:pad+n])
	return dst
}

// filterBackward applies the cascade to x in place, running from the last
// sample to the first: the same filter as reversing x, filtering and
// reversing again, without the two reversals.
func (s SOS) filterBackward(x []float64) {
	if len(x) == 0 {
		return
	}
	s.run(x, true)
}

// run filters x in place through the cascade, from the first sample to the
// last, or from the last to the first when backward is set. Each section's
// state starts at the steady state for a constant input equal to the
// section's first input.
//
// A section's recursion y[n] = B0·x[n] + z1, z1 ← B1·x[n] − A1·y[n] + z2,
// z2 ← B2·x[n] − A2·y[n] makes each sample wait for the one before (a
// multiply and two additions), so the loops advance two samples per step
// with the recursion composed with itself (see twoStep): the same filter, with
// half as long a chain of dependent operations; results differ from the
// sample-by-sample recursion only by rounding. Two sections (orders 3 and 4)
// run fused in one pass.
func (s SOS) run(x []float64, backward bool) {
	n := len(x)
	// Sample k of the pass is x[o+d·k].
	o, d := 0, 1
	if backward {
		o, d = n-1, -1
	}
	in0 := x[o]
	last := o + d*(n-1) // the pass's last sample, filtered alone when n is odd
	if len(s) == 2 {
		a, c := newTwoStep(s[0]), newTwoStep(s[1])
		za1, za2 := s[0].steadyState(in0)
		zc1, zc2 := s[1].steadyState(s[0].dcGain() * in0)
		for k := 0; k+1 < n; k += 2 {
			i, j := o+d*k, o+d*(k+1)
			ya0, ya1, na1, na2 := a.advance(x[i], x[j], za1, za2)
			yc0, yc1, nc1, nc2 := c.advance(ya0, ya1, zc1, zc2)
			x[i], x[j] = yc0, yc1
			za1, za2, zc1, zc2 = na1, na2, nc1, nc2
		}
		if n%2 == 1 {
			ya, _, _ := a.step(x[last], za1, za2)
			x[last], _, _ = c.step(ya, zc1, zc2)
		}
		return
	}
	for _, b := range s {
		t := newTwoStep(b)
		z1, z2 := b.steadyState(in0)
		for k := 0; k+1 < n; k += 2 {
			i, j := o+d*k, o+d*(k+1)
			var y0, y1 float64
			y0, y1, z1, z2 = t.advance(x[i], x[j], z1, z2)
			x[i], x[j] = y0, y1
		}
		if n%2 == 1 {
			x[last], _, _ = t.step(x[last], z1, z2)
		}
		in0 = b.dcGain() * in0
	}
}

// steadyState returns the section's state (z1, z2) for a constant input u:
// the output is then g·u with g the DC gain.
func (b Biquad) steadyState(u float64) (z1, z2 float64) {
	y := b.dcGain() * u
	return y - b.B0*u, b.B2*u - b.A2*y
}

// twoStep holds one section's coefficients for advancing two samples at a
// time. With c1 = B1 − A1·B0 and c2 = B2 − A2·B0 one step is
//
//	y = B0·x + z1,  z1 ← c1·x − A1·z1 + z2,  z2 ← c2·x − A2·z1,
//
// and two steps from (z1, z2) with inputs x0, x1 are
//
//	y0 = B0·x0 + z1
//	y1 = B0·x1 + c1·x0 − A1·z1 + z2
//	z1 ← c1·x1 + (c2 − A1·c1)·x0 + (A1² − A2)·z1 − A1·z2
//	z2 ← c2·x1 − A2·c1·x0 + A1·A2·z1 − A2·z2.
type twoStep struct {
	b                          Biquad
	c1, c2                     float64
	v1, v2, p11, p12, p21, p22 float64
}

func newTwoStep(b Biquad) twoStep {
	c1 := b.B1 - b.A1*b.B0
	c2 := b.B2 - b.A2*b.B0
	return twoStep{
		b: b, c1: c1, c2: c2,
		v1: c2 - b.A1*c1, v2: -b.A2 * c1,
		p11: b.A1*b.A1 - b.A2, p12: -b.A1,
		p21: b.A1 * b.A2, p22: -b.A2,
	}
}

// advance filters the inputs x0 then x1 from state (z1, z2) and returns the
// two outputs and the state after them.
func (t *twoStep) advance(x0, x1, z1, z2 float64) (y0, y1, n1, n2 float64) {
	y0 = t.b.B0*x0 + z1
	y1 = t.b.B0*x1 + t.c1*x0 + (z2 - t.b.A1*z1)
	n1 = (t.c1*x1 + t.v1*x0) + (t.p11*z1 + t.p12*z2)
	n2 = (t.c2*x1 + t.v2*x0) + (t.p21*z1 + t.p22*z2)
	return
}

// step filters one input x from state (z1, z2).
func (t *twoStep) step(x, z1, z2 float64) (y, n1, n2 float64) {
	y = t.b.B0*x + z1
	return y, t.b.B1*x - t.b.A1*y + z2, t.b.B2*x - t.b.A2*y
}
