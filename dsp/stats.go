package dsp

import (
	"math"
	"sort"
)

// Mean returns the arithmetic mean of x (0 for an empty slice).
func Mean(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

// Std returns the population standard deviation √(Σ(x−x̄)²/n).
func Std(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	m := Mean(x)
	s := 0.0
	for _, v := range x {
		d := v - m
		s += d * d
	}
	return math.Sqrt(s / float64(len(x)))
}

// RMS returns √(Σx²/n).
func RMS(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	s := 0.0
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s / float64(len(x)))
}

// Median returns the median of x without modifying it (NaN when empty).
func Median(x []float64) float64 {
	return Quantile(x, 0.5)
}

// Quantile returns the q-quantile of x by linear interpolation between order
// statistics (type 7 of Hyndman & Fan, 1996, the default of R and NumPy),
// without modifying x. It returns NaN for an empty slice. It runs in
// expected linear time (selection, not a full sort).
func Quantile(x []float64, q float64) float64 {
	n := len(x)
	if n == 0 {
		return math.NaN()
	}
	s := make([]float64, n)
	copy(s, x)
	return QuantileInPlace(s, q)
}

// QuantileInPlace is Quantile that reorders x instead of copying it.
func QuantileInPlace(x []float64, q float64) float64 {
	n := len(x)
	if n == 0 {
		return math.NaN()
	}
	h := q * float64(n-1)
	lo := int(math.Floor(h))
	if lo >= n-1 {
		return Select(x, n-1)
	}
	if lo < 0 {
		return Select(x, 0)
	}
	a := Select(x, lo)
	// after selection, x[lo+1:] holds values ≥ a; the next order statistic
	// is their minimum
	b := x[lo+1]
	for _, v := range x[lo+2:] {
		if v < b {
			b = v
		}
	}
	return a + (h-float64(lo))*(b-a)
}

// Select reorders x so that x[k] is the k-th smallest value (0-based),
// every value before it is ≤ x[k] and every value after it is ≥ x[k]
// (Hoare's selection with median-of-three pivots, expected linear time), and
// returns x[k].
func Select(x []float64, k int) float64 {
	lo, hi := 0, len(x)-1
	for hi > lo {
		if hi-lo < 16 {
			sort.Float64s(x[lo : hi+1])
			return x[k]
		}
		mid := lo + (hi-lo)/2
		// median of three to x[mid]
		if x[mid] < x[lo] {
			x[mid], x[lo] = x[lo], x[mid]
		}
		if x[hi] < x[lo] {
			x[hi], x[lo] = x[lo], x[hi]
		}
		if x[hi] < x[mid] {
			x[hi], x[mid] = x[mid], x[hi]
		}
		p := x[mid]
		i, j := lo, hi
		for i <= j {
			for x[i] < p {
				i++
			}
			for x[j] > p {
				j--
			}
			if i <= j {
				x[i], x[j] = x[j], x[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return x[k]
		}
	}
	return x[k]
}

// QuantileSorted is Quantile for an already sorted slice.
func QuantileSorted(s []float64, q float64) float64 {
	n := len(s)
	if n == 0 {
		return math.NaN()
	}
	h := q * float64(n-1)
	lo := int(math.Floor(h))
	if lo >= n-1 {
		return s[n-1]
	}
	if lo < 0 {
		return s[0]
	}
	return s[lo] + (h-float64(lo))*(s[lo+1]-s[lo])
}

// CV returns the coefficient of variation in percent, 100·sd/mean, with the
// sample standard deviation (n−1); NaN when fewer than two values or mean 0.
func CV(x []float64) float64 {
	n := len(x)
	if n < 2 {
		return math.NaN()
	}
	m := Mean(x)
	if m == 0 {
		return math.NaN()
	}
	s := 0.0
	for _, v := range x {
		d := v - m
		s += d * d
	}
	return 100 * math.Sqrt(s/float64(n-1)) / m
}

// MovingMean writes the centred moving average of x over w samples into dst
// (allocating when dst is nil; dst may be x itself). Near the ends the
// window shrinks to the samples available. It runs in O(n) with a running
// sum.
func MovingMean(dst, x []float64, w int) []float64 {
	n := len(x)
	if dst == nil {
		dst = make([]float64, n)
	}
	dst = dst[:n]
	if n == 0 {
		return dst
	}
	if w < 1 {
		w = 1
	}
	half := w / 2
	// ring keeps the inputs still inside the window, so that dst may alias x
	ring := make([]float64, w)
	lo, hi := 0, 0 // window [lo, hi) of input indices
	rl, rh := 0, 0 // their positions in ring
	sum := 0.0
	for i := 0; i < n; i++ {
		a := max(i-half, 0)
		b := min(i-half+w, n)
		for lo < a {
			sum -= ring[rl]
			lo++
			if rl++; rl == w {
				rl = 0
			}
		}
		for hi < b {
			ring[rh] = x[hi]
			sum += x[hi]
			hi++
			if rh++; rh == w {
				rh = 0
			}
		}
		dst[i] = sum / float64(hi-lo)
	}
	return dst
}

// Detrend subtracts the least-squares line from x in place.
func Detrend(x []float64) {
	n := len(x)
	if n < 2 {
		if n == 1 {
			x[0] = 0
		}
		return
	}
	// t centred on 0
	tm := float64(n-1) / 2
	var sxy, sxx, sy float64
	for i, v := range x {
		t := float64(i) - tm
		sxy += t * v
		sxx += t * t
		sy += v
	}
	slope := sxy / sxx
	mean := sy / float64(n)
	for i := range x {
		x[i] -= mean + slope*(float64(i)-tm)
	}
}

// CumTrapz writes the cumulative trapezoidal integral of x sampled every dt
// seconds into dst, starting at 0.
func CumTrapz(dst, x []float64, dt float64) []float64 {
	n := len(x)
	if dst == nil {
		dst = make([]float64, n)
	}
	dst = dst[:n]
	if n == 0 {
		return dst
	}
	acc := 0.0
	prev := x[0]
	dst[0] = 0
	for i := 1; i < n; i++ {
		v := x[i]
		acc += 0.5 * (prev + v) * dt
		prev = v
		dst[i] = acc
	}
	return dst
}
