package dsp

import "math"

// PrincipalAxis returns the direction of largest variance of the points
// (x[i], y[i], z[i]) — the unit eigenvector of their 3×3 covariance matrix
// with the largest eigenvalue, found by power iteration — and the share of
// the total variance along it (λ₁ / trace, from 1/3 for no preferred
// direction to 1 for a line). The sign of the axis is arbitrary. It returns
// a zero vector and 0 when the points do not vary.
func PrincipalAxis(x, y, z []float64) ([3]float64, float64) {
	cols := [3][]float64{x, y, z}
	var m [3]float64
	for k := range 3 {
		m[k] = Mean(cols[k])
	}
	var c [3][3]float64
	for i := range x {
		d := [3]float64{x[i] - m[0], y[i] - m[1], z[i] - m[2]}
		for a := range 3 {
			for b := a; b < 3; b++ {
				c[a][b] += d[a] * d[b]
			}
		}
	}
	for a := range 3 {
		for b := range a {
			c[a][b] = c[b][a]
		}
	}
	trace := c[0][0] + c[1][1] + c[2][2]
	if !(trace > 0) {
		return [3]float64{}, 0
	}
	v := [3]float64{1, 0.7, 0.3} // not orthogonal to any axis-aligned eigenvector
	var lambda float64
	for range 100 {
		var nv [3]float64
		for a := range 3 {
			for b := range 3 {
				nv[a] += c[a][b] * v[b]
			}
		}
		lambda = math.Sqrt(nv[0]*nv[0] + nv[1]*nv[1] + nv[2]*nv[2])
		if lambda == 0 {
			return [3]float64{}, 0
		}
		for a := range 3 {
			v[a] = nv[a] / lambda
		}
	}
	return v, lambda / trace
}
