package gait

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestStepGrouping(t *testing.T) {
	g := StepGrouping{MaxBreakS: 3, MinSteps: 4}
	cases := []struct {
		ics  []float64
		want [][2]int
	}{
		{nil, nil},
		{[]float64{1, 2, 3}, nil}, // too few steps
		{[]float64{1, 2, 3, 4}, [][2]int{{0, 3}}},                           // one bout
		{[]float64{1, 2, 3, 4, 8, 9, 10, 11, 12}, [][2]int{{0, 3}, {4, 8}}}, // a 4 s break splits
		{[]float64{1, 2, 3, 4, 6.9, 8, 9}, [][2]int{{0, 6}}},                // a 2.9 s pause does not
		{[]float64{1, 5, 6, 7, 8, 20}, [][2]int{{1, 4}}},                    // isolated steps dropped
	}
	for i, c := range cases {
		if got := g.Bouts(c.ics, nil); !slices.Equal(got, c.want) {
			t.Errorf("case %d: got %v, want %v", i, got, c.want)
		}
	}
}

func TestRegularity(t *testing.T) {
	fs := 50.0
	sig := func(f func(t float64) float64, n int) []float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = f(float64(i) / fs)
		}
		return x
	}
	// a pure step-frequency sine: step and stride regularity 1, symmetry 1
	x := sig(func(t float64) float64 { return math.Sin(2 * math.Pi * t / 0.5) }, 1000)
	s1, s2, sym := Regularity(x, fs, 0.5)
	if math.Abs(float64(s1)-1) > 0.01 || math.Abs(float64(s2)-1) > 0.01 || math.Abs(float64(sym)-1) > 0.02 {
		t.Errorf("sine: %v %v %v", s1, s2, sym)
	}
	// alternate steps differ (a stride-frequency component): step
	// regularity drops, stride regularity stays
	y := sig(func(t float64) float64 { return math.Sin(2*math.Pi*t/0.5) + 0.6*math.Sin(2*math.Pi*t/1.0) }, 1000)
	s1, s2, sym = Regularity(y, fs, 0.5)
	if !(float64(s1) < 0.6) || !(float64(s2) > 0.95) || !(float64(sym) < 0.6) {
		t.Errorf("asymmetric: step %v stride %v symmetry %v", s1, s2, sym)
	}
	// too short or unknown step time: not available
	if a, _, _ := Regularity(x[:50], fs, 0.5); a.Valid() {
		t.Error("a 1 s signal gave a regularity")
	}
	if a, _, _ := Regularity(x, fs, 0); a.Valid() {
		t.Error("no step time gave a regularity")
	}
}

// pendulumBody builds a body whose vertical acceleration is the inverted
// pendulum's rise and fall: z = −(h/2)cos(2πt/T), so a = (h/2)(2π/T)²cos(…).
func pendulumBody(h, stepT, dur, fs float64) (*Body, []float64) {
	n := int(dur * fs)
	b := &Body{SampleRateHz: fs, VertMS2: make([]float64, n)}
	om := 2 * math.Pi / stepT
	for i := range n {
		t := float64(i) / fs
		b.VertMS2[i] = h / 2 * om * om * math.Cos(om*t)
	}
	var ics []float64
	for t := 2.0; t < dur-2; t += stepT {
		ics = append(ics, t)
	}
	return b, ics
}

func TestZijlstra(t *testing.T) {
	// A sensor at l = 0.9 m rising and falling by h = l − √(l² − (L/2)²)
	// per step of length L. With K = 1 the model returns
	// L' = 2√(2lh' − h'²), where h' = G·h is the excursion after the three
	// zero-phase high-passes at half the step frequency: each passes the
	// step frequency f with |H|² = 1/(1 + (fc/f)⁴) = 1/(1 + 0.5⁴) for a
	// second-order Butterworth, so G = (1/1.0625)³. (The calibrated K
	// absorbs this attenuation along with what the pendulum leaves out.)
	l := 0.9
	gain := math.Pow(1/1.0625, 3)
	for _, L := range []float64{0.4, 0.6, 0.8} {
		h := l - math.Sqrt(l*l-L*L/4)
		hp := gain * h
		want := 2 * math.Sqrt(2*l*hp-hp*hp)
		b, ics := pendulumBody(h, 0.55, 20, 50)
		got := Zijlstra{HighPassHz: 0.1, StepFraction: 0.5, K: 1}.StepLengths(b, ics, l, nil)
		for i, v := range got[2 : len(got)-2] {
			if math.Abs(v-want) > 0.02*want {
				t.Fatalf("L = %.2f: step %d = %.3f, want %.3f", L, i, v, want)
			}
		}
	}
	// no leg length: NaN, never a guess
	b, ics := pendulumBody(0.02, 0.55, 10, 50)
	for _, v := range (Zijlstra{HighPassHz: 0.1, K: 1}).StepLengths(b, ics, 0, nil) {
		if !math.IsNaN(v) {
			t.Fatal("a step length without a leg length")
		}
	}
}

func TestElGohary(t *testing.T) {
	fs := 50.0
	n := int(20 * fs)
	b := &Body{SampleRateHz: fs, YawRPS: make([]float64, n), VertMS2: make([]float64, n)}
	// a 90° turn over 1 s at t = 5 s, a 30° wobble at 10 s, a −180° turn over 2 s at 14 s
	add := func(start, dur, deg float64) {
		for i := range n {
			x := (float64(i)/fs - start) / dur
			if x >= 0 && x <= 1 {
				b.YawRPS[i] += deg * math.Pi / 180 / dur * (1 - math.Cos(2*math.Pi*x))
			}
		}
	}
	add(5, 1, 90)
	add(10, 0.6, 30)
	add(14, 2, -180)
	e := LowerBackPipeline().Turns.(ElGohary)
	got := e.Turns(b, nil)
	if len(got) != 2 {
		t.Fatalf("got %d turns: %+v", len(got), got)
	}
	for i, want := range []float64{90, -180} {
		if math.Abs(got[i].AngleDeg-want) > 0.08*math.Abs(want) {
			t.Errorf("turn %d: %.1f°, want %.0f°", i, got[i].AngleDeg, want)
		}
	}
	if got[1].PeakSpeedDPS < 150 || got[1].PeakSpeedDPS > 185 {
		t.Errorf("peak speed %.0f°/s, want about 180°/s", got[1].PeakSpeedDPS)
	}
}

func TestMotionBoundsMoving(t *testing.T) {
	fs := 50.0
	n := int(30 * fs)
	b := &Body{SampleRateHz: fs, MagMS2: make([]float64, n), VertMS2: make([]float64, n)}
	// still (tiny noise), moving 5–12 s and 18–25 s, still between
	for i := range n {
		t := float64(i) / fs
		v := 0.01 * math.Sin(float64(i))
		if (t >= 5 && t < 12) || (t >= 18 && t < 25) {
			v = 2 * math.Sin(2*math.Pi*1.8*t)
		}
		b.MagMS2[i] = v
	}
	ics := []float64{6, 7, 8, 9, 10, 11, 19, 20, 21, 22}
	m := LowerBackPipeline().Motion
	got := m.Moving(b, ics, m.MinStillS)
	if len(got) != 2 {
		t.Fatalf("got %v", got)
	}
	for i, want := range [][2]float64{{5, 12}, {18, 25}} {
		if math.Abs(got[i][0]-want[0]) > 0.2 || math.Abs(got[i][1]-want[1]) > 0.2 {
			t.Errorf("stretch %d: %v, want about %v", i, got[i], want)
		}
	}
}

func TestDropInitiationShift(t *testing.T) {
	// regular 0.5 s steps from 10 s
	walk := func(t0 float64, n int) []float64 {
		out := make([]float64, n)
		for i := range out {
			out[i] = t0 + 0.5*float64(i)
		}
		return out
	}
	cases := []struct {
		name      string
		ics       []float64
		bouts     [][2]int
		committed float64
		want      []float64
		wantBouts [][2]int
	}{
		{
			// a weight shift 0.3 s before the first heel strike: 0.3 < 0.9 × 0.5
			name:      "shift dropped",
			ics:       append([]float64{9.7}, walk(10, 8)...),
			bouts:     [][2]int{{0, 8}},
			want:      walk(10, 8),
			wantBouts: [][2]int{{0, 7}},
		},
		{
			// a first step slower than the steady ones is a step
			name:      "slow first step kept",
			ics:       append([]float64{9.4}, walk(10, 8)...),
			bouts:     [][2]int{{0, 8}},
			want:      append([]float64{9.4}, walk(10, 8)...),
			wantBouts: [][2]int{{0, 8}},
		},
		{
			// two bouts, the second starting with a shift; contacts
			// between bouts (isolated movements) are kept in place
			name:      "second bout",
			ics:       append(append(walk(0, 7), 6, 19.8), walk(20, 7)...),
			bouts:     [][2]int{{0, 6}, {8, 15}},
			want:      append(append(walk(0, 7), 6), walk(20, 7)...),
			wantBouts: [][2]int{{0, 6}, {8, 14}},
		},
		{
			// too short a bout to know its rhythm
			name:      "short bout",
			ics:       []float64{9.7, 10, 10.5, 11, 11.5},
			bouts:     [][2]int{{0, 4}},
			want:      []float64{9.7, 10, 10.5, 11, 11.5},
			wantBouts: [][2]int{{0, 4}},
		},
		{
			// a bout already emitted from an earlier block is left alone
			name:      "committed",
			ics:       append([]float64{9.7}, walk(10, 8)...),
			bouts:     [][2]int{{0, 8}},
			committed: 12,
			want:      append([]float64{9.7}, walk(10, 8)...),
			wantBouts: [][2]int{{0, 8}},
		},
	}
	for _, c := range cases {
		got, gb := dropInitiationShift(append([]float64(nil), c.ics...), append([][2]int(nil), c.bouts...), 0.9, c.committed)
		if !slices.Equal(got, c.want) || !slices.Equal(gb, c.wantBouts) {
			t.Errorf("%s: got %v %v, want %v %v", c.name, got, gb, c.want, c.wantBouts)
		}
	}
}

func TestGapSteps(t *testing.T) {
	// 0.5 s steps with two steps missing at 12.0 and 12.5 (a turn): the weak
	// candidates there are added, one at 14.2 (not where a step is due) is
	// not; a gap at the edge of the weak list is left alone.
	ics := []float64{10, 10.5, 11, 11.5, 13, 13.5, 14, 14.5, 15}
	weak := []float64{11.8, 12.02, 12.55, 14.2}
	got, bouts := gapSteps(ics, [][2]int{{0, 8}}, weak)
	want := []float64{10, 10.5, 11, 11.5, 12.02, 12.55, 13, 13.5, 14, 14.5, 15}
	if !slices.Equal(got, want) || !slices.Equal(bouts, [][2]int{{0, 10}}) {
		t.Errorf("got %v %v, want %v [[0 10]]", got, bouts, want)
	}
	// no candidate where a step is due: nothing changes
	got, _ = gapSteps(ics, [][2]int{{0, 8}}, []float64{11.6, 12.9})
	if !slices.Equal(got, ics) {
		t.Errorf("got %v, want %v", got, ics)
	}
}

// TestUnitGravity compares the interpolation of the block gravity estimates
// with its definition, evaluated sample by sample: sample i lies at
// p = (i − (k−1)/2) / k in block-centre coordinates, clamped to the first
// and last centres, and takes the linear interpolation of the block values,
// then normalised.
func TestUnitGravity(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for _, k := range []int{1, 2, 3, 10} {
		for _, n := range []int{1, 2, 9, 10, 11, 57, 100} {
			m := (n + k - 1) / k
			var d [3][]float64
			for a := range d {
				d[a] = make([]float64, m)
				for j := range d[a] {
					d[a][j] = rng.NormFloat64()
				}
			}
			var u [3][]float64
			for a := range u {
				u[a] = make([]float64, n)
			}
			mag := make([]float64, n)
			sum := unitGravity(u, mag, d, k, n)
			var want Vec3
			for i := range n {
				p := (float64(i) - float64(k-1)/2) / float64(k)
				var g Vec3
				for a := range 3 {
					switch j := int(math.Floor(p)); {
					case m == 1 || p <= 0:
						g[a] = d[a][0]
					case j >= m-1:
						g[a] = d[a][m-1]
					default:
						g[a] = d[a][j] + (p-float64(j))*(d[a][j+1]-d[a][j])
					}
				}
				norm := g.Norm()
				if math.Abs(mag[i]-norm) > 1e-12 {
					t.Fatalf("k=%d n=%d: |g| at %d = %v, want %v", k, n, i, mag[i], norm)
				}
				for a := range 3 {
					if math.Abs(u[a][i]-g[a]/norm) > 1e-12 {
						t.Fatalf("k=%d n=%d: u[%d] at %d = %v, want %v", k, n, a, i, u[a][i], g[a]/norm)
					}
					want[a] += g[a] / norm
				}
			}
			for a := range 3 {
				if math.Abs(sum[a]-want[a]) > 1e-9 {
					t.Fatalf("k=%d n=%d: sum[%d] = %v, want %v", k, n, a, sum[a], want[a])
				}
			}
		}
	}
}

// TestRegularityDefinition checks Regularity against the unbiased
// autocorrelation evaluated term by term, on a noisy rhythmic signal with an
// offset (the expanded sums must not lose the offset's effect).
func TestRegularityDefinition(t *testing.T) {
	const fs, stepS = 50.0, 0.55
	rng := rand.New(rand.NewPCG(9, 1))
	x := make([]float64, 1500)
	for i := range x {
		ts := float64(i) / fs
		x[i] = 3 + math.Sin(2*math.Pi*ts/stepS) + 0.3*math.Sin(math.Pi*ts/stepS) + 0.4*rng.NormFloat64()
	}
	n := len(x)
	m, v := 0.0, 0.0
	for _, a := range x {
		m += a
	}
	m /= float64(n)
	for _, a := range x {
		v += (a - m) * (a - m)
	}
	v /= float64(n)
	r := func(k int) float64 {
		s := 0.0
		for i := 0; i+k < n; i++ {
			s += (x[i] - m) * (x[i+k] - m)
		}
		return s / float64(n-k) / v
	}
	best := func(lagS float64) float64 {
		b := math.Inf(-1)
		for k := int(math.Floor(0.9 * lagS * fs)); k <= int(math.Ceil(1.1*lagS*fs)); k++ {
			b = max(b, r(k))
		}
		return b
	}
	// every lag the search can visit, against the definition
	for k := 1; k <= 61; k++ { // up to 1.1 × the stride lag, 1.1·2·0.55 s·50 Hz
		if got, want := lagCorrelation(x, m, v, k), r(k); math.Abs(got-want) > 1e-9 {
			t.Fatalf("lag %d: %.12f, by definition %.12f", k, got, want)
		}
	}
	s1, s2, _ := Regularity(x, fs, stepS)
	// Regularity searches the lags coarsely then refines around the best, so
	// it can only fall short of the exhaustive maximum, and by little on a
	// smooth autocorrelation.
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"step", float64(s1), best(stepS)}, {"stride", float64(s2), best(2 * stepS)}} {
		if c.got > c.want+1e-9 || c.got < c.want-0.01 {
			t.Errorf("%s regularity %.6f, exhaustive maximum %.6f", c.name, c.got, c.want)
		}
	}
}

// TestInterpolateBlocks compares the block interpolation with its
// definition, evaluated sample by sample: sample i lies at
// p = (i − (k−1)/2) / k in block-centre coordinates, clamped to the first
// and last centres, and takes the linear interpolation of the block values.
func TestInterpolateBlocks(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for _, k := range []int{1, 2, 3, 10} {
		for _, n := range []int{1, 2, 9, 10, 11, 57, 100} {
			m := (n + k - 1) / k
			d := make([]float64, m)
			for j := range d {
				d[j] = rng.NormFloat64()
			}
			got := make([]float64, n)
			interpolateBlocks(got, d, k, n)
			for i := range n {
				p := (float64(i) - float64(k-1)/2) / float64(k)
				var want float64
				switch j := int(math.Floor(p)); {
				case m == 1 || p <= 0:
					want = d[0]
				case j >= m-1:
					want = d[m-1]
				default:
					want = d[j] + (p-float64(j))*(d[j+1]-d[j])
				}
				if math.Abs(got[i]-want) > 1e-12 {
					t.Fatalf("k=%d n=%d: sample %d = %v, want %v", k, n, i, got[i], want)
				}
			}
		}
	}
}
