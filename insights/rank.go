package insights

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"

	"legwork/dsp"
)

// Exact null distributions are computed up to these sample sizes; beyond
// them the large-sample normal approximations of Hollander & Wolfe are
// used (R's wilcox.test switches at 50 observations as well).
const (
	maxExactMannWhitney = 50 // per sample
	maxExactSignedRank  = 50
)

// MannWhitneyPMF returns the null distribution of the Mann–Whitney
// statistic U = #{(i, j): y_j > x_i} for samples of sizes m and n without
// ties: element u is P(U = u), u = 0 … mn. The counts of arrangements with
// U = u are the coefficients of the Gaussian binomial coefficient
//
//	[m+n choose n]_q = ∏_{i=1..n} (1 − q^{m+i}) / (1 − q^i)
//
// (Andrews, The Theory of Partitions, 1976, ch. 3; Mann & Whitney,
// Ann Math Stat 18:50–60, 1947), computed here by n polynomial
// multiplications and power-series divisions, O(n·mn) operations. It
// returns nil when m or n is not positive.
func MannWhitneyPMF(m, n int) []float64 {
	if m <= 0 || n <= 0 {
		return nil
	}
	return normalise(mannWhitneyCounts(m, n, m*n))
}

// mannWhitneyCounts returns the number of arrangements with U = u for
// u = 0 … D (D ≤ mn). Truncating the power series at degree D leaves the
// coefficients up to D exact, because every step only carries lower
// degrees into higher ones.
func mannWhitneyCounts(m, n, D int) []float64 {
	if n > m {
		m, n = n, m
	}
	c := make([]float64, D+1)
	c[0] = 1
	for i := 1; i <= n; i++ {
		// × (1 − q^{m+i}).
		s := m + i
		for u := D; u >= s; u-- {
			c[u] -= c[u-s]
		}
		// ÷ (1 − q^i) as the power series 1 + q^i + q^{2i} + …
		for u := i; u <= D; u++ {
			c[u] += c[u-i]
		}
	}
	for u := range c {
		if c[u] < 0 { // rounding; the exact coefficients are ≥ 0
			c[u] = 0
		}
	}
	return c
}

func normalise(c []float64) []float64 {
	var total float64
	for _, v := range c {
		total += v
	}
	for u := range c {
		c[u] /= total
	}
	return c
}

// SignedRankPMF returns the null distribution of the Wilcoxon signed-rank
// statistic T⁺ (sum of the ranks of the positive values) for n values
// without ties or zeros: element t is P(T⁺ = t), t = 0 … n(n+1)/2, from
// the generating function ∏_{i=1..n} (1 + q^i) / 2ⁿ (Wilcoxon, Biometrics
// Bulletin 1:80–83, 1945). It returns nil when n is not positive.
func SignedRankPMF(n int) []float64 {
	if n <= 0 {
		return nil
	}
	c := signedRankCounts(n, n*(n+1)/2)
	scale := math.Ldexp(1, -n)
	for t := range c {
		c[t] *= scale
	}
	return c
}

// signedRankCounts returns the number of sign patterns with T⁺ = t for
// t = 0 … D.
func signedRankCounts(n, D int) []float64 {
	c := make([]float64, D+1)
	c[0] = 1
	top := 0
	for i := 1; i <= n; i++ {
		top = min(top+i, D)
		for t := top; t >= i; t-- {
			c[t] += c[t-i]
		}
	}
	return c
}

// lowerCritical returns the largest u with P(S ≤ u) ≤ tail for the
// distribution pmf, and that probability; u = −1 when even P(S = 0)
// exceeds tail.
func lowerCritical(pmf []float64, tail float64) (int, float64) {
	cum := 0.0
	for u, p := range pmf {
		if cum+p > tail*(1+1e-12) {
			return u - 1, cum
		}
		cum += p
	}
	return len(pmf) - 1, cum
}

// critical is the order-statistic index k of a rank confidence interval
// [X_(k), X_(N+1−k)]: k = u + 1 for the lower critical value u. ok is
// false when no interval exists at the level.
type critical struct {
	k        int
	coverage float64
	exact    bool
	ok       bool
}

// critKey identifies a critical value: kind 0 is Mann–Whitney (m, n),
// kind 1 signed-rank (n).
type critKey struct {
	kind, m, n int
	level      float64
}

// critCache memoises critical values and t quantiles within one
// computation (a report compares many series over the same windows). It
// is never global; a nil *critCache memoises nothing.
type critCache struct {
	crit map[critKey]critical
	tq   map[tqKey]float64
}

type tqKey struct {
	df int
	p  float64
}

func newCritCache() *critCache {
	return &critCache{crit: map[critKey]critical{}, tq: map[tqKey]float64{}}
}

func (c *critCache) get(k critKey) (critical, bool) {
	if c == nil {
		return critical{}, false
	}
	v, ok := c.crit[k]
	return v, ok
}

func (c *critCache) put(k critKey, v critical) {
	if c != nil {
		c.crit[k] = v
	}
}

// tQuantile returns the p-quantile of Student's t with df degrees of
// freedom.
func (c *critCache) tQuantile(df int, p float64) float64 {
	k := tqKey{df, p}
	if c != nil {
		if v, ok := c.tq[k]; ok {
			return v
		}
	}
	v := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(p)
	if c != nil {
		c.tq[k] = v
	}
	return v
}

// lowerCriticalCounts is lowerCritical for counts truncated at degree
// len(c)−1 with known total; ok is false when the tail was not reached
// within the truncation.
func lowerCriticalCounts(c []float64, total, tail float64) (u int, p float64, ok bool) {
	cum := 0.0
	for i, v := range c {
		q := v / total
		if cum+q > tail*(1+1e-12) {
			return i - 1, cum, true
		}
		cum += q
	}
	return len(c) - 1, cum, false
}

// mwCritical returns the critical index of the Moses interval for
// samples of m and n (see HodgesLehmannShift). The exact lower tail is
// computed only up to one standard deviation below the mean, where the
// critical value of any usual level lies (the full distribution is used
// when it does not), and is normalised by the total C(m+n, n).
func mwCritical(m, n int, level float64, cache *critCache) critical {
	key := critKey{0, min(m, n), max(m, n), level}
	if c, ok := cache.get(key); ok {
		return c
	}
	alpha2 := (1 - level) / 2
	mf, nf := float64(m), float64(n)
	sd := math.Sqrt(mf * nf * (mf + nf + 1) / 12)
	var c critical
	if m <= maxExactMannWhitney && n <= maxExactMannWhitney {
		L := m * n
		D := max(0, min(L, int(mf*nf/2-sd)))
		lg1, _ := math.Lgamma(mf + nf + 1)
		lg2, _ := math.Lgamma(mf + 1)
		lg3, _ := math.Lgamma(nf + 1)
		u, p, ok := lowerCriticalCounts(mannWhitneyCounts(m, n, D), math.Exp(lg1-lg2-lg3), alpha2)
		if !ok {
			u, p = lowerCritical(MannWhitneyPMF(m, n), alpha2)
		}
		c = critical{k: u + 1, coverage: 1 - 2*p, exact: true, ok: u >= 0}
	} else {
		z := distuv.UnitNormal.Quantile(1 - alpha2)
		k := int(math.Floor(mf*nf/2 - z*sd))
		c = critical{k: k, coverage: level, ok: k >= 1}
	}
	cache.put(key, c)
	return c
}

// srCritical returns the critical index of Tukey's interval for n values
// (see HodgesLehmannOneSample), computed like mwCritical with total 2ⁿ.
func srCritical(n int, level float64, cache *critCache) critical {
	key := critKey{1, n, n, level}
	if c, ok := cache.get(key); ok {
		return c
	}
	alpha2 := (1 - level) / 2
	nf := float64(n)
	M := n * (n + 1) / 2
	sd := math.Sqrt(nf * (nf + 1) * (2*nf + 1) / 24)
	var c critical
	if n <= maxExactSignedRank {
		D := max(0, min(M, int(float64(M)/2-sd)))
		t, p, ok := lowerCriticalCounts(signedRankCounts(n, D), math.Ldexp(1, n), alpha2)
		if !ok {
			t, p = lowerCritical(SignedRankPMF(n), alpha2)
		}
		c = critical{k: t + 1, coverage: 1 - 2*p, exact: true, ok: t >= 0}
	} else {
		z := distuv.UnitNormal.Quantile(1 - alpha2)
		k := int(math.Floor(float64(M)/2 - z*sd))
		c = critical{k: k, coverage: level, ok: k >= 1}
	}
	cache.put(key, c)
	return c
}

// Estimate is a point estimate with a confidence interval.
type Estimate struct {
	Value float64 `json:"value"`
	Low   float64 `json:"low"`
	High  float64 `json:"high"`
	// Level is the nominal confidence level (0.95).
	Level float64 `json:"level"`
	// Coverage is the exact coverage of the interval when Exact (at least
	// Level, because rank statistics are discrete), else Level.
	Coverage float64 `json:"coverage"`
	Exact    bool    `json:"exact"`
	Method   string  `json:"method"`
	// N1 and N2 are the sample sizes (N2 = 0 for one-sample estimates).
	N1 int `json:"n1"`
	N2 int `json:"n2,omitempty"`
}

// Excludes reports whether the interval lies entirely on one side of v.
func (e Estimate) Excludes(v float64) bool { return e.Low > v || e.High < v }

// Method names of [Estimate.Method].
const (
	MethodHLShift    = "hodges_lehmann_shift"        // two samples, Moses interval
	MethodHLOneSmp   = "hodges_lehmann_pseudomedian" // one sample, Tukey–Walsh interval
	MethodSegmented  = "segmented_regression"        // level change with common trend
	MethodPreTrend   = "ols_slope"                   // slope in the before window
	MethodRateRatio  = "poisson_rate_ratio"
	MethodSpearmanCI = "spearman_fisher_z"
)

// HodgesLehmannShift estimates the shift Δ = location(y) − location(x)
// by the Hodges–Lehmann estimator, the median of the mn differences
// D_ij = y_j − x_i (Hodges & Lehmann, "Estimates of location based on
// rank tests", Ann Math Stat 34:598–611, 1963), with the distribution-free
// confidence interval of Moses (Hollander, Wolfe & Chicken, Nonparametric
// Statistical Methods, 3rd ed., Wiley 2014, §4.3):
//
//	[D_(k), D_(mn+1−k)],  k = u + 1,
//
// where D_(1) ≤ … ≤ D_(mn) are the ordered differences and u is the
// largest value with P(U ≤ u) ≤ (1 − level)/2 under the null distribution
// of the Mann–Whitney statistic (exact for m, n ≤ 50, see
// [MannWhitneyPMF]). For larger samples k = ⌊mn/2 − z_{(1+level)/2}
// √(mn(m+n+1)/12)⌋ (their large-sample approximation; the floor makes
// the interval slightly conservative). The interval assumes independent
// observations and a pure shift; ties make the exact coverage
// approximate. ok is false when a sample is empty or the samples are too
// small for any interval at this level (e.g. m = n = 3 at 95 %).
//
// Differences are selected without materialising all mn of them when mn
// is large, so the cost is O((m+n) log(m+n)) per order statistic.
func HodgesLehmannShift(x, y []float64, level float64) (Estimate, bool) {
	return hodgesLehmannShift(x, y, level, nil)
}

func hodgesLehmannShift(x, y []float64, level float64, cache *critCache) (Estimate, bool) {
	return hodgesLehmannShiftEffective(x, y, level, 1, cache)
}

// hodgesLehmannShiftEffective is hodgesLehmannShift with the Moses
// interval taken at the effective sample sizes m/f and n/f, f the variance
// inflation for autocorrelated values ([VarianceInflation]): the critical
// index k′ of the Mann–Whitney distribution for the effective sizes gives
// the share q = k′ / (m′n′) of the ordered differences left out on each
// side, and the interval is [D_(k), D_(mn+1−k)] with k = max(1, ⌊q·mn⌋)
// over all mn differences. The point estimate is the same. The coverage is
// then approximate (Exact is false). With f ≤ 1, or effective sizes that
// round to m and n, it is the exact interval. ok is false when the
// (effective) sizes are too small for any interval at this level.
func hodgesLehmannShiftEffective(x, y []float64, level, f float64, cache *critCache) (Estimate, bool) {
	m, n := len(x), len(y)
	if m == 0 || n == 0 || !(level > 0 && level < 1) {
		return Estimate{}, false
	}
	xs, ys := slices.Clone(x), slices.Clone(y)
	slices.Sort(xs)
	slices.Sort(ys)
	set := diffSet{x: xs, y: ys}
	est := Estimate{Level: level, Method: MethodHLShift, N1: m, N2: n}
	me, ne := effectiveSize(m, f), effectiveSize(n, f)
	c := mwCritical(me, ne, level, cache)
	k := c.k
	if me == m && ne == n {
		est.Exact, est.Coverage = c.exact, c.coverage
	} else {
		est.Coverage = level
		k = scaledIndex(c.k, me*ne, m*n)
	}
	if !c.ok {
		est.Value = orderStats(&set, medianRanks(m*n))[0]
		return est, false
	}
	est.Value, est.Low, est.High = centreAndInterval(&set, m*n, k)
	return est, true
}

// effectiveSize is n/f rounded, at least 1; n itself when f ≤ 1.
func effectiveSize(n int, f float64) int {
	if !(f > 1) {
		return n
	}
	return max(1, int(math.Round(float64(n)/f)))
}

// scaledIndex carries a critical index k among N ordered values over to
// the same share of M values: max(1, ⌊k·M/N⌋).
func scaledIndex(k, N, M int) int {
	return max(1, int(math.Floor(float64(k)/float64(N)*float64(M))))
}

// medianRanks returns the 1-based ranks whose mean is the median of N
// values.
func medianRanks(N int) []int {
	if N%2 == 1 {
		return []int{(N + 1) / 2}
	}
	return []int{N / 2, N/2 + 1}
}

// centreAndInterval returns the median of the set and its order
// statistics k and N+1−k.
func centreAndInterval(s implicitSet, N, k int) (centre, lo, hi float64) {
	mr := medianRanks(N)
	v := orderStats(s, append([]int{k, N + 1 - k}, mr...))
	centre = v[2]
	if len(mr) == 2 {
		centre = (v[2] + v[3]) / 2
	}
	return centre, v[0], v[1]
}

// HodgesLehmannOneSample estimates the centre (pseudo-median) of d by the
// one-sample Hodges–Lehmann estimator, the median of the n(n+1)/2 Walsh
// averages (d_i + d_j)/2, i ≤ j (Hodges & Lehmann 1963), with Tukey's
// distribution-free confidence interval (Hollander, Wolfe & Chicken 2014,
// §3.3):
//
//	[W_(k), W_(M+1−k)],  M = n(n+1)/2,  k = t + 1,
//
// where t is the largest value with P(T⁺ ≤ t) ≤ (1 − level)/2 under the
// null distribution of the Wilcoxon signed-rank statistic (exact for
// n ≤ 50, see [SignedRankPMF]); for larger n, k = ⌊M/2 − z_{(1+level)/2}
// √(n(n+1)(2n+1)/24)⌋ (their large-sample approximation). It assumes independent values
// symmetric about their centre. ok is false when d is empty or too short
// for an interval at this level (n < 6 at 95 %).
func HodgesLehmannOneSample(d []float64, level float64) (Estimate, bool) {
	return hodgesLehmannOneSample(d, level, nil)
}

func hodgesLehmannOneSample(d []float64, level float64, cache *critCache) (Estimate, bool) {
	return hodgesLehmannOneSampleEffective(d, level, 1, cache)
}

// hodgesLehmannOneSampleEffective is hodgesLehmannOneSample with Tukey's
// interval taken at the effective size n/f, the same way as
// [hodgesLehmannShiftEffective]: the share of the ordered Walsh averages
// left out on each side is the one of the effective size.
func hodgesLehmannOneSampleEffective(d []float64, level, f float64, cache *critCache) (Estimate, bool) {
	n := len(d)
	if n == 0 || !(level > 0 && level < 1) {
		return Estimate{}, false
	}
	ds := slices.Clone(d)
	slices.Sort(ds)
	set := walshSet{d: ds}
	M := n * (n + 1) / 2
	est := Estimate{Level: level, Method: MethodHLOneSmp, N1: n}
	ne := effectiveSize(n, f)
	c := srCritical(ne, level, cache)
	k := c.k
	if ne == n {
		est.Exact, est.Coverage = c.exact, c.coverage
	} else {
		est.Coverage = level
		k = scaledIndex(c.k, ne*(ne+1)/2, M)
	}
	if !c.ok {
		v := orderStats(&set, medianRanks(M))
		est.Value = v[0]
		if len(v) == 2 {
			est.Value = (v[0] + v[1]) / 2
		}
		return est, false
	}
	est.Value, est.Low, est.High = centreAndInterval(&set, M, k)
	return est, true
}

// implicitSet is a multiset of N values given implicitly (pairwise
// differences, Walsh averages) that can count and list its members in a
// value range without materialising all of them.
type implicitSet interface {
	size() int
	bounds() (lo, hi float64) // smallest and largest member
	countLE(t float64) int    // members ≤ t
	appendIn(dst []float64, lo, hi float64) []float64
	// appendAll lists every member (used when the set is small).
	appendAll(dst []float64) []float64
}

// smallSet is the size up to which sets are materialised and sorted once
// for all order statistics; larger sets are searched by bisection.
const smallSet = 512

// orderStats returns the order statistics of the given 1-based ranks.
func orderStats(s implicitSet, ks []int) []float64 {
	out := make([]float64, len(ks))
	if N := s.size(); N <= smallSet {
		all := s.appendAll(make([]float64, 0, N))
		slices.Sort(all)
		for i, k := range ks {
			out[i] = all[k-1]
		}
		return out
	}
	// The values counted while searching for one rank narrow the search
	// for the next.
	var probes []probe
	for i, k := range ks {
		out[i] = kthSmallestProbes(s, k, &probes)
	}
	return out
}

// probe is a value and the number of members ≤ it.
type probe struct {
	v float64
	c int
}

// kthSmallest returns the k-th smallest member (1-based) by bisection on
// the value with counting, finished by listing the few members left in
// the bracket. Counting is monotone in the value, because rounded
// subtraction and addition are, so the result is the exact order
// statistic of the floating-point members.
func kthSmallest(s implicitSet, k int) float64 {
	return kthSmallestProbes(s, k, nil)
}

// kthSmallestProbes is kthSmallest starting from the tightest bracket the
// earlier probes give, and recording its own probes.
func kthSmallestProbes(s implicitSet, k int, probes *[]probe) float64 {
	N := s.size()
	if N <= smallSet {
		all := s.appendAll(make([]float64, 0, N))
		slices.Sort(all)
		return all[k-1]
	}
	lo, hi := s.bounds()
	if k == 1 {
		return lo
	}
	if probes == nil {
		probes = &[]probe{}
	}
	if len(*probes) == 0 {
		*probes = append(*probes, probe{lo, s.countLE(lo)}, probe{hi, N})
	}
	// Invariant: countLE(lo) < k ≤ countLE(hi).
	clo, chi := -1, N
	for _, p := range *probes {
		if p.c < k && (clo < 0 || p.v > lo) {
			lo, clo = p.v, p.c
		}
		if p.c >= k && p.v < hi {
			hi, chi = p.v, p.c
		}
	}
	if clo < 0 {
		return lo // the smallest member already has rank ≥ k
	}
	const limit = 64
	interp := true
	for {
		if chi-clo <= limit {
			var buf [limit]float64
			in := s.appendIn(buf[:0], lo, hi)
			dsp.Select(in, k-clo-1)
			return in[k-clo-1]
		}
		// Interpolate the value of rank k between the bracket ends (fast
		// for smooth data), falling back to bisection when an
		// interpolation step did not halve the bracket.
		mid := lo + (hi-lo)/2
		if interp {
			if p := lo + (hi-lo)*(float64(k-clo)/float64(chi-clo)); p > lo && p < hi {
				mid = p
			}
		}
		if mid <= lo || mid >= hi {
			return hi // no float between: every member in (lo, hi] equals hi
		}
		before := chi - clo
		c := s.countLE(mid)
		*probes = append(*probes, probe{mid, c})
		if c >= k {
			hi, chi = mid, c
		} else {
			lo, clo = mid, c
		}
		interp = chi-clo <= before/2
	}
}

// diffSet is {y_j − x_i} for sorted x and y.
type diffSet struct{ x, y []float64 }

func (s *diffSet) size() int { return len(s.x) * len(s.y) }

func (s *diffSet) bounds() (float64, float64) {
	return s.y[0] - s.x[len(s.x)-1], s.y[len(s.y)-1] - s.x[0]
}

// countLE counts pairs with y_j − x_i ≤ t. For fixed j the difference
// falls as i rises, so the qualifying i are those from a threshold i*(j)
// on, and i*(j) never decreases as y_j rises.
func (s *diffSet) countLE(t float64) int {
	m := len(s.x)
	c := 0
	i := 0
	for _, yj := range s.y {
		for i < m && yj-s.x[i] > t {
			i++
		}
		c += m - i
	}
	return c
}

func (s *diffSet) appendIn(dst []float64, lo, hi float64) []float64 {
	for _, xi := range s.x {
		j, _ := slices.BinarySearchFunc(s.y, lo, func(yj, lo float64) int {
			if yj-xi > lo {
				return 1
			}
			return -1
		})
		for ; j < len(s.y); j++ {
			d := s.y[j] - xi
			if d > hi {
				break
			}
			dst = append(dst, d)
		}
	}
	return dst
}

func (s *diffSet) appendAll(dst []float64) []float64 {
	for _, xi := range s.x {
		for _, yj := range s.y {
			dst = append(dst, yj-xi)
		}
	}
	return dst
}

// walshSet is {(d_i + d_j)/2 : i ≤ j} for sorted d.
type walshSet struct{ d []float64 }

func (s *walshSet) size() int { n := len(s.d); return n * (n + 1) / 2 }

func (s *walshSet) bounds() (float64, float64) { return s.d[0], s.d[len(s.d)-1] }

func (s *walshSet) countLE(t float64) int {
	n := len(s.d)
	c := 0
	j := n - 1
	for i := 0; i < n; i++ {
		for j >= i && (s.d[i]+s.d[j])/2 > t {
			j--
		}
		if j < i {
			break
		}
		c += j - i + 1
	}
	return c
}

func (s *walshSet) appendIn(dst []float64, lo, hi float64) []float64 {
	n := len(s.d)
	for i := 0; i < n; i++ {
		di := s.d[i]
		if di > hi {
			break
		}
		j, _ := slices.BinarySearchFunc(s.d[i:], lo, func(dj, lo float64) int {
			if (di+dj)/2 > lo {
				return 1
			}
			return -1
		})
		for j += i; j < n; j++ {
			w := (di + s.d[j]) / 2
			if w > hi {
				break
			}
			dst = append(dst, w)
		}
	}
	return dst
}

func (s *walshSet) appendAll(dst []float64) []float64 {
	n := len(s.d)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			dst = append(dst, (s.d[i]+s.d[j])/2)
		}
	}
	return dst
}
