package gait

import "math"

// Regularity computes step and stride regularity of x (a bout's vertical
// acceleration, sampled at fs Hz) from its unbiased autocorrelation
//
//	R(k) = (1/(n−k)) Σ (x_i − x̄)(x_{i+k} − x̄) / σ²
//
// (Moe-Nilssen & Helbostad, "Estimation of gait cycle characteristics by
// trunk accelerometry", J Biomech 37:121–126, 2004). Ad1 is the largest R
// within ±10 % of the step time, Ad2 within ±10 % of twice the step time
// (searched every second lag, then refined around the best); symmetry is
// Ad1/Ad2. Only those lags are evaluated, which keeps the cost linear in
// the bout length. All three are NA when the bout is shorter than
// three strides or the step time is unknown.
func Regularity(x []float64, fs, stepTimeS float64) (step, stride, symmetry Value) {
	step, stride, symmetry = NA, NA, NA
	n := len(x)
	if !(stepTimeS > 0) || float64(n) < 6*stepTimeS*fs {
		return
	}
	m := 0.0
	for _, v := range x {
		m += v
	}
	m /= float64(n)
	variance := 0.0
	for _, v := range x {
		d := v - m
		variance += d * d
	}
	variance /= float64(n)
	if variance == 0 {
		return
	}
	r := func(k int) float64 { return lagCorrelation(x, m, variance, k) }
	best := func(lagS float64) float64 {
		lo := int(math.Floor(0.9 * lagS * fs))
		hi := int(math.Ceil(1.1 * lagS * fs))
		if hi > n-1 {
			hi = n - 1
		}
		b := math.Inf(-1)
		// coarse pass every 2 samples, then refine around the best
		bk := lo
		for k := lo; k <= hi; k += 2 {
			if v := r(k); v > b {
				b, bk = v, k
			}
		}
		for _, k := range []int{bk - 1, bk + 1} {
			if k >= lo && k <= hi {
				if v := r(k); v > b {
					b = v
				}
			}
		}
		return b
	}
	a1 := best(stepTimeS)
	a2 := best(2 * stepTimeS)
	step, stride = Value(a1), Value(a2)
	if a2 > 0 {
		symmetry = Value(a1 / a2)
	}
	return
}

// lagCorrelation is the unbiased autocorrelation of x at lag k (0 < k < n),
// given its mean m and variance (the mean square deviation). The sum
// Σ(x_i − m)(x_{i+k} − m) over i < n−k expands into the plain lagged
// product Σ x_i·x_{i+k} (one multiply-add per sample, in four independent
// sums) and the sums of x over the two overlapping ranges.
func lagCorrelation(x []float64, m, variance float64, k int) float64 {
	n := len(x)
	a, b := x[:n-k], x[k:n]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	var sumA, sumB float64 // x[:n−k] and x[k:]
	for j := range k {
		sumA -= x[n-k+j]
		sumB -= x[j]
	}
	total := m * float64(n)
	sumA += total
	sumB += total
	nk := float64(n - k)
	s := (s0 + s1) + (s2 + s3) - m*(sumA+sumB) + nk*m*m
	return s / nk / variance
}
