package dsp

import "math"

// Autocorr returns the unbiased, normalised autocorrelation of x for lags
// 0…maxLag:
//
//	R(k) = (1/(n−k)) Σ_{i<n−k} (x_i − x̄)(x_{i+k} − x̄) / σ²,
//
// the form used for trunk-acceleration gait regularity by Moe-Nilssen &
// Helbostad, J Biomech 37:121–126 (2004). R(0) = 1. A constant signal gives
// all zeros. dst is reused when large enough.
func Autocorr(dst, x []float64, maxLag int) []float64 {
	n := len(x)
	if maxLag > n-1 {
		maxLag = n - 1
	}
	if maxLag < 0 {
		return dst[:0]
	}
	if cap(dst) < maxLag+1 {
		dst = make([]float64, maxLag+1)
	}
	dst = dst[:maxLag+1]
	m := Mean(x)
	var v float64
	for _, a := range x {
		d := a - m
		v += d * d
	}
	v /= float64(n)
	if v == 0 {
		for i := range dst {
			dst[i] = 0
		}
		return dst
	}
	for k := 0; k <= maxLag; k++ {
		s := 0.0
		for i := 0; i+k < n; i++ {
			s += (x[i] - m) * (x[i+k] - m)
		}
		dst[k] = s / float64(n-k) / v
	}
	return dst
}

// ParabolicPeak refines the position of a local extremum at index i of y by
// fitting a parabola through y[i−1], y[i], y[i+1]; it returns the fractional
// index and the interpolated value. At the ends it returns i and y[i].
func ParabolicPeak(y []float64, i int) (float64, float64) {
	if i <= 0 || i >= len(y)-1 {
		return float64(i), y[i]
	}
	a, b, c := y[i-1], y[i], y[i+1]
	den := a - 2*b + c
	if den == 0 {
		return float64(i), b
	}
	d := 0.5 * (a - c) / den
	if math.Abs(d) > 1 {
		return float64(i), b
	}
	return float64(i) + d, b - 0.25*(a-c)*d
}
