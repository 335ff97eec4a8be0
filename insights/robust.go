package insights

import (
	"math"
	"slices"

	"legwork/dsp"
)

// MADScale is 1/Φ⁻¹(3/4), the factor that makes the median absolute
// deviation a consistent estimator of the standard deviation of a normal
// distribution (Rousseeuw & Croux, "Alternatives to the median absolute
// deviation", JASA 88:1273–1283, 1993).
const MADScale = 1.482602218505602

// Median returns the median of x (the mean of the two middle values when
// len(x) is even), or NaN when x is empty. x is not modified.
func Median(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	return medianInPlace(slices.Clone(x))
}

// medianInPlace sorts x and returns its median.
func medianInPlace(x []float64) float64 {
	n := len(x)
	switch n {
	case 0:
		return math.NaN()
	case 1:
		return x[0]
	}
	slices.Sort(x)
	if n%2 == 1 {
		return x[n/2]
	}
	return (x[n/2-1] + x[n/2]) / 2
}

// MAD returns the median absolute deviation about the median scaled to be
// consistent for the standard deviation of normal data:
//
//	MAD = 1.4826 · median_i |x_i − median(x)|
//
// NaN when x is empty. x is not modified.
func MAD(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	m := Median(x)
	d := make([]float64, len(x))
	for i, v := range x {
		d[i] = math.Abs(v - m)
	}
	return MADScale * medianInPlace(d)
}

// MeanADScale is √(π/2), which makes the mean absolute deviation a
// consistent estimator of the standard deviation of a normal distribution
// (E|X − μ| = σ√(2/π); Geary, Biometrika 27:310–332, 1935).
const MeanADScale = 1.2533141373155001

// RobustScale returns a robust standard deviation of x: 1.4826·MAD, or,
// when the MAD is zero because at least half of the values are equal (as
// happens with rounded data, e.g. a stopwatch read to 0.1 s), 1.2533 times
// the mean absolute deviation about the median. The fallback is less
// robust than the MAD but, unlike the SD, grows only linearly with an
// outlier. It also returns which estimator was used ("mad" or
// "mean_abs_dev"). NaN when x is empty.
func RobustScale(x []float64) (float64, string) {
	if len(x) == 0 {
		return math.NaN(), ""
	}
	m := Median(x)
	d := make([]float64, len(x))
	var sum float64
	for i, v := range x {
		d[i] = math.Abs(v - m)
		sum += d[i]
	}
	mean := MeanADScale * sum / float64(len(x))
	mad := MADScale * medianInPlace(d)
	if mad == 0 && mean > 0 {
		return mean, "mean_abs_dev"
	}
	return mad, "mad"
}

// Quantile returns the p-quantile of x by linear interpolation between
// order statistics, Hyndman & Fan's type 7 (the default of R and NumPy):
// with x sorted and h = (n−1)p, Q(p) = x_⌊h⌋ + (h − ⌊h⌋)(x_⌊h⌋+1 − x_⌊h⌋)
// (Hyndman & Fan, "Sample quantiles in statistical packages", Am Stat
// 50:361–365, 1996). NaN when x is empty. x is not modified.
func Quantile(p float64, x []float64) float64 {
	if len(x) == 0 || p < 0 || p > 1 {
		return math.NaN()
	}
	s := slices.Clone(x)
	slices.Sort(s)
	return quantileSorted(p, s)
}

func quantileSorted(p float64, s []float64) float64 {
	h := float64(len(s)-1) * p
	lo := int(math.Floor(h))
	if lo >= len(s)-1 {
		return s[len(s)-1]
	}
	return s[lo] + (h-float64(lo))*(s[lo+1]-s[lo])
}

// sampleSD returns the sample standard deviation (n−1 denominator).
func sampleSD(x []float64) float64 {
	n := len(x)
	if n < 2 {
		return math.NaN()
	}
	var m float64
	for _, v := range x {
		m += v
	}
	m /= float64(n)
	var ss float64
	for _, v := range x {
		ss += (v - m) * (v - m)
	}
	return math.Sqrt(ss / float64(n-1))
}

// fptr returns a pointer to v, or nil when v is NaN or infinite, so that
// reports never carry NaN into JSON.
func fptr(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// medianSelect returns the median of x, reordering x: Hoare's selection
// (expected O(n)) instead of a full sort.
func medianSelect(x []float64) float64 {
	n := len(x)
	if n <= 16 {
		return medianInPlace(x)
	}
	k := n / 2
	v := dsp.Select(x, k)
	if n%2 == 1 {
		return v
	}
	m := x[0]
	for _, y := range x[1:k] {
		if y > m {
			m = y
		}
	}
	return (m + v) / 2
}
