package dsp

import (
	"math"
	"slices"
)

// Spearman returns Spearman's rank correlation of x and y (Pearson
// correlation of mid-ranks, so ties are handled); ok is false when either
// is constant.
func Spearman(x, y []float64) (float64, bool) {
	rx, ry := midRanks(x), midRanks(y)
	n := float64(len(x))
	var mx, my float64
	for i := range rx {
		mx += rx[i]
		my += ry[i]
	}
	mx /= n
	my /= n
	var sxy, sxx, syy float64
	for i := range rx {
		dx, dy := rx[i]-mx, ry[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return 0, false
	}
	return sxy / math.Sqrt(sxx*syy), true
}

// midRanks returns the ranks of x (1-based), ties getting the mean of
// their ranks.
func midRanks(x []float64) []float64 {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case x[a] < x[b]:
			return -1
		case x[a] > x[b]:
			return 1
		}
		return 0
	})
	r := make([]float64, len(x))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && x[idx[j+1]] == x[idx[i]] {
			j++
		}
		mr := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			r[idx[k]] = mr
		}
		i = j + 1
	}
	return r
}
