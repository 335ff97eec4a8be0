package insights

import "math"

// maxLag1 caps the lag-1 autocorrelation used to widen intervals: above it
// a window of a few weeks holds too little independent information for the
// AR(1) approximation to mean much, and the interval is already very wide.
const maxLag1 = 0.8

// minLag1Pairs is the fewest pairs of consecutive test days from which the
// lag-1 autocorrelation is estimated; with fewer it is taken as 0.
const minLag1Pairs = 5

// Lag1Autocorrelation estimates the lag-1 autocorrelation of daily values
// around their windows' own medians (so that a change between the windows
// does not count as correlation, while a drift within one does), from the
// P pairs of consecutive days inside one window:
//
//	r₁ = Σ e_t·e_{t+1} / √(Σ e_t² · Σ e_{t+1}²)
//
// with e the residuals from the window's median and every sum over the
// pairs. On a complete daily series this is the usual estimator (Box &
// Jenkins, "Time Series Analysis", 1976) up to its end terms; on days with
// gaps it uses only the days that have a neighbour, and it always lies in
// [−1, 1] (Cauchy–Schwarz). ok is false when fewer than minLag1Pairs pairs
// exist (weekly tests, say) or the paired residuals are all zero: then
// nothing can be said about day-to-day correlation.
func Lag1Autocorrelation(windows ...[]DailyValue) (r float64, pairs int, ok bool) {
	return lag1(windows, nil)
}

// lag1 is Lag1Autocorrelation, or with res non-nil the same estimator of
// residuals of a fitted model: e of the k-th day over all windows in
// order is res[k].
func lag1(windows [][]DailyValue, res []float64) (r float64, pairs int, ok bool) {
	var num, a, b float64
	k := 0 // index in res of the window's first day
	for _, w := range windows {
		var med float64
		if res == nil && len(w) >= 2 {
			med = Median(values(w))
		}
		e := func(i int) float64 {
			if res != nil {
				return res[k+i]
			}
			return w[i].Value - med
		}
		for i := 1; i < len(w); i++ {
			if w[i].Day != w[i-1].Day+1 {
				continue
			}
			e0, e1 := e(i-1), e(i)
			num += e0 * e1
			a += e0 * e0
			b += e1 * e1
			pairs++
		}
		k += len(w)
	}
	if pairs < minLag1Pairs || a == 0 || b == 0 {
		return 0, pairs, false
	}
	return num / math.Sqrt(a*b), pairs, true
}

// VarianceInflation is the factor by which positive lag-1 autocorrelation
// r inflates the variance of a mean of many AR(1) values over independent
// ones, (1 + r) / (1 − r) (Bayley & Hammersley, "The 'effective' number of
// independent observations in an autocorrelated time series", J R Stat Soc
// Suppl 8:184–197, 1946): n values carry the information of n / factor
// independent ones. r is clamped to [0, maxLag1], so the factor is at
// least 1 (negative correlation never narrows an interval) and at most 9.
func VarianceInflation(r float64) float64 {
	r = min(max(r, 0), maxLag1)
	return (1 + r) / (1 - r)
}

// widen scales the half-widths of e's interval by √f: the standard error
// of an estimate from AR(1) values with variance inflation f.
func widen(e Estimate, f float64) Estimate {
	if !(f > 1) {
		return e
	}
	s := math.Sqrt(f)
	e.Low = e.Value - s*(e.Value-e.Low)
	e.High = e.Value + s*(e.High-e.Value)
	e.Exact = false
	return e
}

// resized reports whether the effective size n/f of any of the sizes
// differs from the size itself: whether a rank interval taken at the
// effective sizes was actually widened. A slight correlation (f close to
// 1) leaves them, and the interval, as they are.
func resized(f float64, sizes ...int) bool {
	for _, n := range sizes {
		if effectiveSize(n, f) != n {
			return true
		}
	}
	return false
}
