package insights

import "math"

// olsFit fits y = Xβ + ε by ordinary least squares, X given row by row
// in one slice of n·p values (p ≤ 4 columns), through the normal equations XᵀXβ = Xᵀy solved by a
// Cholesky factorisation (adequate for these few, well-scaled columns;
// times are centred on the intervention start). It returns β, the
// estimated covariance σ̂²(XᵀX)⁻¹ with σ̂² = RSS/(n−p), and the residual
// degrees of freedom n−p. ok is false when XᵀX is (numerically) singular
// or n ≤ p.
func olsFit(X []float64, p int, y []float64) (beta []float64, cov [][]float64, df int, ok bool) {
	n := len(y)
	if n <= p || p < 1 || p > 4 || len(X) != n*p {
		return nil, nil, 0, false
	}
	var A [4][4]float64
	var b [4]float64
	for i := 0; i < n; i++ {
		r := X[i*p : i*p+p]
		for j := 0; j < p; j++ {
			b[j] += r[j] * y[i]
			for k := 0; k <= j; k++ {
				A[j][k] += r[j] * r[k]
			}
		}
	}
	// Cholesky A = LLᵀ (lower triangle).
	var L [4][4]float64
	for j := 0; j < p; j++ {
		d := A[j][j]
		for k := 0; k < j; k++ {
			d -= L[j][k] * L[j][k]
		}
		if !(d > 1e-12*A[j][j]) {
			return nil, nil, 0, false
		}
		L[j][j] = math.Sqrt(d)
		for i := j + 1; i < p; i++ {
			v := A[i][j]
			for k := 0; k < j; k++ {
				v -= L[i][k] * L[j][k]
			}
			L[i][j] = v / L[j][j]
		}
	}
	// Inverse of L (lower triangular), then A⁻¹ = L⁻ᵀL⁻¹.
	var Li [4][4]float64
	for j := 0; j < p; j++ {
		Li[j][j] = 1 / L[j][j]
		for i := j + 1; i < p; i++ {
			var v float64
			for k := j; k < i; k++ {
				v -= L[i][k] * Li[k][j]
			}
			Li[i][j] = v / L[i][i]
		}
	}
	inv := make([][]float64, p)
	for i := range inv {
		inv[i] = make([]float64, p)
		for j := 0; j < p; j++ {
			var v float64
			for k := max(i, j); k < p; k++ {
				v += Li[k][i] * Li[k][j]
			}
			inv[i][j] = v
		}
	}
	beta = make([]float64, p)
	for i := 0; i < p; i++ {
		for j := 0; j < p; j++ {
			beta[i] += inv[i][j] * b[j]
		}
	}
	var rss float64
	for i := 0; i < n; i++ {
		r := X[i*p : i*p+p]
		f := 0.0
		for j := 0; j < p; j++ {
			f += r[j] * beta[j]
		}
		rss += (y[i] - f) * (y[i] - f)
	}
	df = n - p
	s2 := rss / float64(df)
	for i := range inv {
		for j := range inv[i] {
			inv[i][j] *= s2
		}
	}
	return beta, inv, df, true
}

// tInterval returns the level-confidence interval est ± t_{df,(1+level)/2}·se.
func tInterval(est, se float64, df int, level float64, cache *critCache) (lo, hi float64) {
	q := cache.tQuantile(df, (1+level)/2)
	return est - q*se, est + q*se
}

// SegmentedLevelChange fits the segmented (interrupted time series)
// regression with a common trend
//
//	y = β₀ + β₁·t + β₂·post + ε,
//
// where t is the time in days from the intervention start and post = 1
// after it (Wagner, Soumerai, Zhang & Ross-Degnan, "Segmented regression
// analysis of interrupted time series studies in medication use
// research", J Clin Pharm Ther 27:299–309, 2002). β₂ is the change in
// level at the start beyond what the trend of both windows predicts, so a
// trend that was under way before is not credited to the intervention.
// The interval is β̂₂ ± t_{n−3}·SE(β̂₂); it assumes independent, normally
// distributed errors (day-to-day autocorrelation makes it too narrow).
// ok is false when the model cannot be fitted (fewer than 4 points, or
// all times equal).
func SegmentedLevelChange(tBefore, yBefore, tAfter, yAfter []float64, level float64) (Estimate, bool) {
	return segmentedLevelChange(tBefore, yBefore, tAfter, yAfter, level, nil)
}

func segmentedLevelChange(tBefore, yBefore, tAfter, yAfter []float64, level float64, cache *critCache) (Estimate, bool) {
	e, _, ok := segmentedFit(tBefore, yBefore, tAfter, yAfter, level, cache)
	return e, ok
}

// segmentedFit is segmentedLevelChange that also returns the residuals
// y − ŷ, before-window points first.
func segmentedFit(tBefore, yBefore, tAfter, yAfter []float64, level float64, cache *critCache) (Estimate, []float64, bool) {
	n := len(tBefore) + len(tAfter)
	X := make([]float64, 0, 3*n)
	y := make([]float64, 0, n)
	for i := range tBefore {
		X = append(X, 1, tBefore[i], 0)
		y = append(y, yBefore[i])
	}
	for i := range tAfter {
		X = append(X, 1, tAfter[i], 1)
		y = append(y, yAfter[i])
	}
	beta, cov, df, ok := olsFit(X, 3, y)
	if !ok {
		return Estimate{}, nil, false
	}
	res := make([]float64, n)
	for i := range res {
		res[i] = y[i] - beta[0] - beta[1]*X[3*i+1] - beta[2]*X[3*i+2]
	}
	se := math.Sqrt(cov[2][2])
	lo, hi := tInterval(beta[2], se, df, level, cache)
	return Estimate{Value: beta[2], Low: lo, High: hi, Level: level, Coverage: level, Method: MethodSegmented, N1: len(tBefore), N2: len(tAfter)}, res, true
}

// SlopeEstimate fits y = β₀ + β₁·t by least squares and returns β₁ with
// its t interval (df = n−2). ok is false with fewer than 3 points or all
// t equal.
func SlopeEstimate(t, y []float64, level float64) (Estimate, bool) {
	return slopeEstimate(t, y, level, nil)
}

func slopeEstimate(t, y []float64, level float64, cache *critCache) (Estimate, bool) {
	X := make([]float64, 0, 2*len(t))
	for i := range t {
		X = append(X, 1, t[i])
	}
	beta, cov, df, ok := olsFit(X, 2, y)
	if !ok {
		return Estimate{}, false
	}
	lo, hi := tInterval(beta[1], math.Sqrt(cov[1][1]), df, level, cache)
	return Estimate{Value: beta[1], Low: lo, High: hi, Level: level, Coverage: level, Method: MethodPreTrend, N1: len(t)}, true
}
