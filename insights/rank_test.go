package insights

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"legwork/dsp"
)

func cdfAt(pmf []float64, u int) float64 {
	s := 0.0
	for i := 0; i <= u && i < len(pmf); i++ {
		s += pmf[i]
	}
	return s
}

// Critical values of the Mann–Whitney U for equal sample sizes, two-sided
// α = 0.05 (reject when U ≤ value), as printed in the standard published
// tables (e.g. the appendix tables of Zar, Biostatistical Analysis, and of
// Siegel & Castellan, Nonparametric Statistics for the Behavioral
// Sciences). The critical value is the largest u with P(U ≤ u) ≤ 0.025.
func TestMannWhitneyCriticalValues(t *testing.T) {
	table := []struct{ n, crit int }{
		{4, 0}, {5, 2}, {6, 5}, {7, 8}, {8, 13}, {9, 17}, {10, 23},
		{11, 30}, {12, 37}, {13, 45}, {14, 55}, {15, 64}, {16, 75},
		{17, 87}, {18, 99}, {19, 113}, {20, 127},
	}
	for _, c := range table {
		u, _ := lowerCritical(MannWhitneyPMF(c.n, c.n), 0.025)
		if u != c.crit {
			t.Errorf("n1=n2=%d: critical U = %d, table %d", c.n, u, c.crit)
		}
	}
}

// Critical values of the Wilcoxon signed-rank T, two-sided α = 0.05, from
// the standard published table (e.g. Wilcoxon & Wilcox, Some Rapid
// Approximate Statistical Procedures, 1964, and the appendix of Zar,
// Biostatistical Analysis).
func TestSignedRankCriticalValues(t *testing.T) {
	table := []struct{ n, crit int }{
		{6, 0}, {7, 2}, {8, 3}, {9, 5}, {10, 8}, {11, 10}, {12, 13},
		{13, 17}, {14, 21}, {15, 25}, {16, 29}, {17, 34}, {18, 40},
		{19, 46}, {20, 52},
	}
	for _, c := range table {
		u, _ := lowerCritical(SignedRankPMF(c.n), 0.025)
		if u != c.crit {
			t.Errorf("n=%d: critical T = %d, table %d", c.n, u, c.crit)
		}
	}
	// n = 5: no two-sided 5 % test exists (P(T = 0) = 1/32 > 0.025).
	if u, _ := lowerCritical(SignedRankPMF(5), 0.025); u != -1 {
		t.Errorf("n=5: critical T = %d, want none", u)
	}
}

// The two examples of R's ?wilcox.test, from Hollander & Wolfe (1973):
// permeability constants (p. 69f), W = 35 and exact one-sided p = 0.1272;
// Hamilton depression scores (p. 29f), V = 40 and exact one-sided
// p = 0.01953 (= 10/512). Tolerance: the printed 4 significant digits.
func TestWilcoxonExamplesHollanderWolfe(t *testing.T) {
	x := []float64{0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46}
	y := []float64{1.15, 0.88, 0.90, 0.74, 1.21}
	w := 0
	for _, xi := range x {
		for _, yj := range y {
			if xi > yj {
				w++
			}
		}
	}
	if w != 35 {
		t.Fatalf("W = %d, want 35", w)
	}
	pmf := MannWhitneyPMF(len(x), len(y))
	p := 1 - cdfAt(pmf, w-1)
	if math.Abs(p-0.1272) > 0.00005 {
		t.Errorf("P(W ≥ 35) = %.5f, want 0.1272", p)
	}

	a := []float64{1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30}
	b := []float64{0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29}
	d := make([]float64, len(a))
	for i := range a {
		d[i] = a[i] - b[i]
	}
	// Ranks of |d| and the sum of the positive ones.
	idx := make([]int, len(d))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(i, j int) int {
		if math.Abs(d[i]) < math.Abs(d[j]) {
			return -1
		}
		return 1
	})
	v := 0
	for r, i := range idx {
		if d[i] > 0 {
			v += r + 1
		}
	}
	if v != 40 {
		t.Fatalf("V = %d, want 40", v)
	}
	sp := SignedRankPMF(len(d))
	pv := 1 - cdfAt(sp, v-1)
	if math.Abs(pv-10.0/512) > 1e-12 {
		t.Errorf("P(V ≥ 40) = %.6f, want 10/512 = 0.019531", pv)
	}
}

func TestPMFsSumToOne(t *testing.T) {
	for _, mn := range [][2]int{{1, 1}, {3, 7}, {50, 50}, {12, 40}} {
		s := 0.0
		for _, p := range MannWhitneyPMF(mn[0], mn[1]) {
			s += p
		}
		if math.Abs(s-1) > 1e-12 {
			t.Errorf("MannWhitneyPMF(%d,%d) sums to %v", mn[0], mn[1], s)
		}
	}
	// Symmetry and a hand-checked value: m = n = 2 has C(4,2) = 6
	// arrangements, U = 0,1,2,3,4 with counts 1,1,2,1,1.
	pmf := MannWhitneyPMF(2, 2)
	want := []float64{1, 1, 2, 1, 1}
	for u := range want {
		if math.Abs(pmf[u]-want[u]/6) > 1e-15 {
			t.Errorf("m=n=2: P(U=%d) = %v, want %v", u, pmf[u], want[u]/6)
		}
	}
}

// A hand-worked example: x = 1…5, y = 3, 5, 7, 9, 11. The 25 differences
// y_j − x_i sorted are −2 −1 0 0 1 1 2 2 2 3 3 4 4 4 5 5 6 6 6 7 7 8 8 9
// 10; the median (13th) is 4. For m = n = 5 the 95 % critical U is 2
// (table above), so k = 3 and the interval is [D_(3), D_(23)] = [0, 8]
// with exact coverage 1 − 2·4/252 (P(U ≤ 2) = (1+1+2)/252).
func TestHodgesLehmannShiftHandExample(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5}
	y := []float64{3, 5, 7, 9, 11}
	e, ok := HodgesLehmannShift(x, y, 0.95)
	if !ok {
		t.Fatal("no interval")
	}
	if e.Value != 4 || e.Low != 0 || e.High != 8 {
		t.Errorf("got %v [%v, %v], want 4 [0, 8]", e.Value, e.Low, e.High)
	}
	if math.Abs(e.Coverage-(1-8.0/252)) > 1e-12 || !e.Exact {
		t.Errorf("coverage %v exact %v, want %v exact", e.Coverage, e.Exact, 1-8.0/252)
	}
	// m = n = 3: P(U = 0) = 1/20 > 0.025, so no 95 % interval exists.
	if _, ok := HodgesLehmannShift([]float64{1, 2, 3}, []float64{4, 5, 6}, 0.95); ok {
		t.Error("m = n = 3 gave a 95 % interval")
	}
}

// Hand example for the one-sample estimator: d = 1, 2, 4 has Walsh
// averages 1, 1.5, 2.5, 2, 3, 4, whose median is (2 + 2.5)/2 = 2.25. For
// n = 6 the 95 % critical T is 0, so the interval is the range of the 21
// Walsh averages, [min d, max d], with coverage 1 − 2/64.
func TestHodgesLehmannOneSampleHandExample(t *testing.T) {
	e, _ := HodgesLehmannOneSample([]float64{4, 1, 2}, 0.95)
	if e.Value != 2.25 {
		t.Errorf("pseudo-median %v, want 2.25", e.Value)
	}
	d := []float64{-1, 3, 0.5, 2, 7, 1}
	e, ok := HodgesLehmannOneSample(d, 0.95)
	if !ok || e.Low != -1 || e.High != 7 || math.Abs(e.Coverage-(1-2.0/64)) > 1e-12 {
		t.Errorf("n=6: got [%v, %v] coverage %v ok %v, want [-1, 7] %v", e.Low, e.High, e.Coverage, ok, 1-2.0/64)
	}
}

// The implicit order-statistic selection must agree exactly with sorting
// all differences / Walsh averages, including with many ties.
func TestImplicitSelectionMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 20; trial++ {
		m, n := 40+r.IntN(150), 40+r.IntN(150)
		x, y := make([]float64, m), make([]float64, n)
		for i := range x {
			x[i] = r.NormFloat64()
			if trial%3 == 0 {
				x[i] = math.Round(x[i] * 4) // heavy ties
			}
		}
		for i := range y {
			y[i] = r.NormFloat64() + 0.3
			if trial%3 == 0 {
				y[i] = math.Round(y[i] * 4)
			}
		}
		xs, ys := slices.Clone(x), slices.Clone(y)
		slices.Sort(xs)
		slices.Sort(ys)
		set := diffSet{x: xs, y: ys}
		all := set.appendAll(nil)
		slices.Sort(all)
		for _, k := range []int{1, 2, len(all) / 3, len(all) / 2, len(all) - 1, len(all)} {
			if got := kthSmallest(&set, k); got != all[k-1] {
				t.Fatalf("diff trial %d k=%d: %v, want %v", trial, k, got, all[k-1])
			}
		}
		// Several ranks in one call share their probes.
		ks := []int{len(all) / 10, len(all) / 2, len(all)/2 + 1, len(all) - len(all)/10}
		for i, v := range orderStats(&set, ks) {
			if v != all[ks[i]-1] {
				t.Fatalf("orderStats trial %d k=%d: %v, want %v", trial, ks[i], v, all[ks[i]-1])
			}
		}
		ws := walshSet{d: xs}
		wall := ws.appendAll(nil)
		slices.Sort(wall)
		wks := []int{3, len(wall) / 2, len(wall)/2 + 1, len(wall) - 2}
		for i, v := range orderStats(&ws, wks) {
			if v != wall[wks[i]-1] {
				t.Fatalf("walsh orderStats trial %d k=%d: %v, want %v", trial, wks[i], v, wall[wks[i]-1])
			}
		}
		for _, k := range []int{1, 7, len(wall) / 2, len(wall)} {
			if got := kthSmallest(&ws, k); got != wall[k-1] {
				t.Fatalf("walsh trial %d k=%d: %v, want %v", trial, k, got, wall[k-1])
			}
		}
	}
}

// With large samples the normal-approximation interval should cover the
// true shift about 95 % of the time. 400 simulated pairs of samples of
// size 80 and 120 from N(0,1) and N(0.5,1): the coverage count is
// Binomial(400, 0.95), whose 99.9 % range is about 362–392.
func TestHodgesLehmannLargeSampleCoverage(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	covered := 0
	for s := 0; s < 400; s++ {
		x, y := make([]float64, 80), make([]float64, 120)
		for i := range x {
			x[i] = r.NormFloat64()
		}
		for i := range y {
			y[i] = r.NormFloat64() + 0.5
		}
		e, ok := HodgesLehmannShift(x, y, 0.95)
		if !ok || e.Exact {
			t.Fatal("expected a normal-approximation interval")
		}
		if e.Low <= 0.5 && 0.5 <= e.High {
			covered++
		}
	}
	if covered < 362 || covered > 392 {
		t.Errorf("covered %d of 400, want 362–392", covered)
	}
}

// The truncated lower-tail computation of the critical values must agree
// with the full distributions for every sample size up to the exact
// limit, at the usual levels.
func TestCriticalValuesMatchFullDistribution(t *testing.T) {
	for _, level := range []float64{0.8, 0.9, 0.95, 0.99} {
		a2 := (1 - level) / 2
		for m := 1; m <= maxExactMannWhitney; m += 7 {
			for n := 1; n <= maxExactMannWhitney; n += 3 {
				u, p := lowerCritical(MannWhitneyPMF(m, n), a2)
				c := mwCritical(m, n, level, nil)
				if c.ok != (u >= 0) || (c.ok && (c.k != u+1 || math.Abs(c.coverage-(1-2*p)) > 1e-9)) {
					t.Errorf("MW m=%d n=%d level %v: got %+v, full u=%d p=%v", m, n, level, c, u, p)
				}
			}
		}
		for n := 1; n <= maxExactSignedRank; n++ {
			u, p := lowerCritical(SignedRankPMF(n), a2)
			c := srCritical(n, level, nil)
			if c.ok != (u >= 0) || (c.ok && (c.k != u+1 || math.Abs(c.coverage-(1-2*p)) > 1e-9)) {
				t.Errorf("SR n=%d level %v: got %+v, full u=%d p=%v", n, level, c, u, p)
			}
		}
	}
}

func TestMedianSelectMatchesSort(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for trial := 0; trial < 500; trial++ {
		n := 1 + r.IntN(60)
		x := make([]float64, n)
		for i := range x {
			x[i] = math.Round(r.NormFloat64() * 3) // ties
		}
		want := Median(x)
		if got := medianSelect(slices.Clone(x)); got != want {
			t.Fatalf("n=%d: medianSelect %v, Median %v", n, got, want)
		}
		k := r.IntN(n)
		y := slices.Clone(x)
		dsp.Select(y, k)
		s := slices.Clone(x)
		slices.Sort(s)
		if y[k] != s[k] {
			t.Fatalf("Select n=%d k=%d: %v, want %v", n, k, y[k], s[k])
		}
	}
}
