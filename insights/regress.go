package insights

import (
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
)

// olsFit fits y = Xβ + ε by ordinary least squares, X given as rows. It
// returns β, the estimated covariance σ̂²(XᵀX)⁻¹ with σ̂² = RSS/(n−p), and
// the residual degrees of freedom n−p. ok is false when XᵀX is singular
// or n ≤ p.
func olsFit(rows [][]float64, y []float64) (beta []float64, cov *mat.SymDense, df int, ok bool) {
	n := len(rows)
	if n == 0 {
		return nil, nil, 0, false
	}
	p := len(rows[0])
	if n <= p {
		return nil, nil, 0, false
	}
	X := mat.NewDense(n, p, nil)
	for i, r := range rows {
		X.SetRow(i, r)
	}
	var xtx mat.SymDense
	xtx.SymOuterK(1, X.T())
	var ch mat.Cholesky
	if !ch.Factorize(&xtx) {
		return nil, nil, 0, false
	}
	if c := ch.Cond(); c > 1e12 || math.IsInf(c, 0) {
		return nil, nil, 0, false
	}
	Y := mat.NewVecDense(n, y)
	var xty, b mat.VecDense
	xty.MulVec(X.T(), Y)
	if err := ch.SolveVecTo(&b, &xty); err != nil {
		return nil, nil, 0, false
	}
	var fit mat.VecDense
	fit.MulVec(X, &b)
	var rss float64
	for i := 0; i < n; i++ {
		r := y[i] - fit.AtVec(i)
		rss += r * r
	}
	df = n - p
	var inv mat.SymDense
	if err := ch.InverseTo(&inv); err != nil {
		return nil, nil, 0, false
	}
	inv.ScaleSym(rss/float64(df), &inv)
	beta = make([]float64, p)
	for i := range beta {
		beta[i] = b.AtVec(i)
	}
	return beta, &inv, df, true
}

// tInterval returns the level-confidence interval est ± t_{df,(1+level)/2}·se.
func tInterval(est, se float64, df int, level float64) (lo, hi float64) {
	q := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile((1 + level) / 2)
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
	n := len(tBefore) + len(tAfter)
	rows := make([][]float64, 0, n)
	y := make([]float64, 0, n)
	for i := range tBefore {
		rows = append(rows, []float64{1, tBefore[i], 0})
		y = append(y, yBefore[i])
	}
	for i := range tAfter {
		rows = append(rows, []float64{1, tAfter[i], 1})
		y = append(y, yAfter[i])
	}
	beta, cov, df, ok := olsFit(rows, y)
	if !ok {
		return Estimate{}, false
	}
	se := math.Sqrt(cov.At(2, 2))
	lo, hi := tInterval(beta[2], se, df, level)
	return Estimate{Value: beta[2], Low: lo, High: hi, Level: level, Coverage: level, Method: MethodSegmented, N1: len(tBefore), N2: len(tAfter)}, true
}

// SlopeEstimate fits y = β₀ + β₁·t by least squares and returns β₁ with
// its t interval (df = n−2). ok is false with fewer than 3 points or all
// t equal.
func SlopeEstimate(t, y []float64, level float64) (Estimate, bool) {
	rows := make([][]float64, len(t))
	for i := range t {
		rows[i] = []float64{1, t[i]}
	}
	beta, cov, df, ok := olsFit(rows, y)
	if !ok {
		return Estimate{}, false
	}
	lo, hi := tInterval(beta[1], math.Sqrt(cov.At(1, 1)), df, level)
	return Estimate{Value: beta[1], Low: lo, High: hi, Level: level, Coverage: level, Method: MethodPreTrend, N1: len(t)}, true
}
