package dsp

import (
	"cmp"
	"slices"
)

// Peaks appends to dst the indices of the local maxima of x that are at least
// minHeight high and at least minDist samples apart; when two peaks are closer
// the higher one wins (the rule of scipy.signal.find_peaks' distance option).
// A plateau counts once, at its first sample.
func Peaks(dst []int, x []float64, minHeight float64, minDist int) []int {
	start := len(dst)
	n := len(x)
	for i := 1; i < n-1; i++ {
		v := x[i]
		if v < minHeight || v <= x[i-1] {
			continue
		}
		j := i + 1
		for j < n-1 && x[j] == v {
			j++
		}
		if x[j] < v {
			dst = append(dst, i)
		}
		i = j - 1
	}
	if minDist <= 1 || len(dst)-start < 2 {
		return dst
	}
	// Greedy suppression, highest first, implemented in two sweeps: a peak is
	// dropped when a higher (or equal, earlier) peak lies within minDist.
	p := dst[start:]
	keep := make([]bool, len(p))
	for i := range keep {
		keep[i] = true
	}
	order := make([]int, len(p))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(x[p[b]], x[p[a]]) })
	for _, k := range order {
		if !keep[k] {
			continue
		}
		for j := k - 1; j >= 0 && p[k]-p[j] < minDist; j-- {
			keep[j] = false
		}
		for j := k + 1; j < len(p) && p[j]-p[k] < minDist; j++ {
			keep[j] = false
		}
	}
	out := dst[:start]
	for i, k := range keep {
		if k {
			out = append(out, p[i])
		}
	}
	return out
}
