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
	in0 := x[0]
	if len(s) == 2 {
		// Two sections (order 3 or 4), fused in one pass over the data.
		a, c := s[0], s[1]
		y0a := a.dcGain() * in0
		za1, za2 := y0a-a.B0*in0, a.B2*in0-a.A2*y0a
		y0c := c.dcGain() * y0a
		zc1, zc2 := y0c-c.B0*y0a, c.B2*y0a-c.A2*y0c
		for i, v := range x {
			ya := a.B0*v + za1
			za1 = a.B1*v - a.A1*ya + za2
			za2 = a.B2*v - a.A2*ya
			yc := c.B0*ya + zc1
			zc1 = c.B1*ya - c.A1*yc + zc2
			zc2 = c.B2*ya - c.A2*yc
			dst[i] = yc
		}
		return dst
	}
	copy(dst, x)
	for _, b := range s {
		g := b.dcGain()
		// Steady state for a constant input in0: y = g·in0.
		y0 := g * in0
		z2 := b.B2*in0 - b.A2*y0
		z1 := y0 - b.B0*in0
		b0, b1, b2, a1, a2 := b.B0, b.B1, b.B2, b.A1, b.A2
		for i, v := range dst {
			y := b0*v + z1
			z1 = b1*v - a1*y + z2
			z2 = b2*v - a2*y
			dst[i] = y
		}
		in0 = y0
	}
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
// sample to the first: the same arithmetic as reversing x, filtering and
// reversing again, without the two reversals.
func (s SOS) filterBackward(x []float64) {
	n := len(x)
	if n == 0 {
		return
	}
	in0 := x[n-1]
	if len(s) == 2 {
		a, c := s[0], s[1]
		y0a := a.dcGain() * in0
		za1, za2 := y0a-a.B0*in0, a.B2*in0-a.A2*y0a
		y0c := c.dcGain() * y0a
		zc1, zc2 := y0c-c.B0*y0a, c.B2*y0a-c.A2*y0c
		for i := n - 1; i >= 0; i-- {
			v := x[i]
			ya := a.B0*v + za1
			za1 = a.B1*v - a.A1*ya + za2
			za2 = a.B2*v - a.A2*ya
			yc := c.B0*ya + zc1
			zc1 = c.B1*ya - c.A1*yc + zc2
			zc2 = c.B2*ya - c.A2*yc
			x[i] = yc
		}
		return
	}
	for _, b := range s {
		g := b.dcGain()
		y0 := g * in0
		z2 := b.B2*in0 - b.A2*y0
		z1 := y0 - b.B0*in0
		b0, b1, b2, a1, a2 := b.B0, b.B1, b.B2, b.A1, b.A2
		for i := n - 1; i >= 0; i-- {
			v := x[i]
			y := b0*v + z1
			z1 = b1*v - a1*y + z2
			z2 = b2*v - a2*y
			x[i] = y
		}
		in0 = y0
	}
}
