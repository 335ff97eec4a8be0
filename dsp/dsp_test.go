package dsp

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestButterworthCoefficients(t *testing.T) {
	// Reference: scipy.signal.butter(2, 0.2) (cut-off 0.1·fs), which equals
	// the closed-form bilinear biquad with K = tan(π·0.1), Q = 1/√2:
	// b = [0.0674553, 0.1349105, 0.0674553], a = [1, −1.1429805, 0.4128016].
	sos, err := Butterworth(2, 10, 100, LowPass)
	if err != nil {
		t.Fatal(err)
	}
	if len(sos) != 1 {
		t.Fatalf("got %d sections, want 1", len(sos))
	}
	got := sos[0]
	want := Biquad{B0: 0.0674553, B1: 0.1349105, B2: 0.0674553, A1: -1.1429805, A2: 0.4128016}
	for _, c := range []struct {
		name    string
		got, wt float64
	}{{"b0", got.B0, want.B0}, {"b1", got.B1, want.B1}, {"b2", got.B2, want.B2}, {"a1", got.A1, want.A1}, {"a2", got.A2, want.A2}} {
		if math.Abs(c.got-c.wt) > 1e-6 {
			t.Errorf("%s = %.7f, want %.7f", c.name, c.got, c.wt)
		}
	}
}

func TestButterworthResponse(t *testing.T) {
	// A Butterworth filter of any order is −3.01 dB (|H| = 1/√2) at its
	// cut-off, 1 in its pass band reference point and monotonic.
	for _, kind := range []FilterKind{LowPass, HighPass} {
		for order := 1; order <= 6; order++ {
			sos, err := Butterworth(order, 5, 100, kind)
			if err != nil {
				t.Fatal(err)
			}
			if g := cmplx.Abs(sos.Response(5, 100)); math.Abs(g-1/math.Sqrt2) > 1e-9 {
				t.Errorf("kind %d order %d: |H(fc)| = %.6f, want 0.707107", kind, order, g)
			}
			ref, stop := 0.0, 40.0
			if kind == HighPass {
				ref, stop = 50, 0.5
			}
			if g := cmplx.Abs(sos.Response(ref, 100)); math.Abs(g-1) > 1e-9 {
				t.Errorf("kind %d order %d: pass-band gain %.6f, want 1", kind, order, g)
			}
			if g := cmplx.Abs(sos.Response(stop, 100)); g > 0.1 {
				t.Errorf("kind %d order %d: stop-band gain %.3f too high", kind, order, g)
			}
		}
	}
	if _, err := Butterworth(2, 60, 100, LowPass); err == nil {
		t.Error("cut-off above Nyquist accepted")
	}
	if _, err := Butterworth(0, 10, 100, LowPass); err == nil {
		t.Error("order 0 accepted")
	}
}

func TestFiltFiltZeroPhase(t *testing.T) {
	// A 1 Hz sine through a 5 Hz zero-phase low-pass comes out with the
	// same phase and an amplitude of |H(1)|² (filtfilt squares the gain).
	fs := 100.0
	x := make([]float64, 1000)
	for i := range x {
		x[i] = math.Sin(2 * math.Pi * float64(i) / fs)
	}
	sos := MustButterworth(4, 5, fs, LowPass)
	g := cmplx.Abs(sos.Response(1, fs))
	y := sos.FiltFilt(nil, x, nil)
	for i := 200; i < 800; i++ {
		if math.Abs(y[i]-g*g*x[i]) > 1e-3 {
			t.Fatalf("y[%d] = %.5f, want %.5f", i, y[i], g*g*x[i])
		}
	}
	// in place, and a constant passes unchanged (no edge transient)
	c := []float64{3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3}
	sos.FiltFilt(c, c, nil)
	for i, v := range c {
		if math.Abs(v-3) > 1e-9 {
			t.Fatalf("constant became %.6f at %d", v, i)
		}
	}
}

func TestMovingMean(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5, 6}
	// window 3, centred, shrinking at the ends
	want := []float64{1.5, 2, 3, 4, 5, 5.5}
	got := MovingMean(nil, x, 3)
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Errorf("MovingMean[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	// in place gives the same
	y := slices.Clone(x)
	MovingMean(y, y, 3)
	if !slices.Equal(y, got) {
		t.Errorf("in place %v, want %v", y, got)
	}
	// even window: [i−w/2, i+w/2)
	got = MovingMean(nil, x, 2)
	want = []float64{1, 1.5, 2.5, 3.5, 4.5, 5.5}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Errorf("w=2: [%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestQuantile(t *testing.T) {
	// Type-7 quantiles checked against numpy.quantile([1,2,3,4,10], q).
	x := []float64{10, 1, 4, 2, 3}
	for _, c := range []struct{ q, want float64 }{{0, 1}, {0.25, 2}, {0.5, 3}, {0.75, 4}, {0.9, 7.6}, {1, 10}} {
		if got := Quantile(x, c.q); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("Quantile(%v) = %v, want %v", c.q, got, c.want)
		}
	}
	if !slices.Equal(x, []float64{10, 1, 4, 2, 3}) {
		t.Error("Quantile modified its input")
	}
	if !math.IsNaN(Median(nil)) {
		t.Error("median of nothing is not NaN")
	}
	// selection agrees with sorting on random data, with ties
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 200; trial++ {
		n := 1 + rng.IntN(300)
		v := make([]float64, n)
		for i := range v {
			v[i] = float64(rng.IntN(50))
		}
		q := rng.Float64()
		s := slices.Clone(v)
		slices.Sort(s)
		if got, want := Quantile(v, q), QuantileSorted(s, q); math.Abs(got-want) > 1e-9 {
			t.Fatalf("n=%d q=%.3f: %v, want %v", n, q, got, want)
		}
	}
}

func TestCVAndStats(t *testing.T) {
	x := []float64{2, 4, 4, 4, 5, 5, 7, 9}
	if got := Mean(x); got != 5 {
		t.Errorf("Mean = %v", got)
	}
	if got := Std(x); got != 2 { // population SD of the classic example
		t.Errorf("Std = %v", got)
	}
	// sample SD = √(32/7) = 2.13809; CV = 42.76 %
	if got := CV(x); math.Abs(got-100*math.Sqrt(32.0/7)/5) > 1e-9 {
		t.Errorf("CV = %v", got)
	}
	if !math.IsNaN(CV([]float64{1})) {
		t.Error("CV of one value is not NaN")
	}
	if got := RMS([]float64{3, 4}); math.Abs(got-math.Sqrt(12.5)) > 1e-12 {
		t.Errorf("RMS = %v", got)
	}
	// ∫ 2 dt over 1 s sampled at 10 Hz
	c := CumTrapz(nil, []float64{2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2}, 0.1)
	if math.Abs(c[10]-2) > 1e-12 {
		t.Errorf("CumTrapz end = %v, want 2", c[10])
	}
	d := []float64{1, 3, 5, 7}
	Detrend(d)
	for _, v := range d {
		if math.Abs(v) > 1e-12 {
			t.Errorf("Detrend left %v", d)
		}
	}
}

func TestAutocorr(t *testing.T) {
	// a sine of period 25 samples: R(25) ≈ 1, R(12.5) ≈ −1
	x := make([]float64, 500)
	for i := range x {
		x[i] = math.Sin(2 * math.Pi * float64(i) / 25)
	}
	r := Autocorr(nil, x, 30)
	if math.Abs(r[0]-1) > 1e-12 || r[25] < 0.99 || r[12] > -0.9 {
		t.Errorf("R(0)=%.3f R(12)=%.3f R(25)=%.3f", r[0], r[12], r[25])
	}
	if z := Autocorr(nil, []float64{1, 1, 1, 1}, 2); z[1] != 0 {
		t.Errorf("constant signal: %v", z)
	}
}

func TestPeaks(t *testing.T) {
	x := []float64{0, 1, 0, 3, 0, 2, 2, 0, 5, 0}
	if got := Peaks(nil, x, 0, 1); !slices.Equal(got, []int{1, 3, 5, 8}) {
		t.Errorf("Peaks = %v", got)
	}
	if got := Peaks(nil, x, 2.5, 1); !slices.Equal(got, []int{3, 8}) {
		t.Errorf("with height: %v", got)
	}
	// distance 3: the peak at 3 (height 3) suppresses 1 and 5 (closer than
	// 3 samples); 8 is 5 samples from 3 and stays
	if got := Peaks(nil, x, 0, 3); !slices.Equal(got, []int{3, 8}) {
		t.Errorf("with distance: %v", got)
	}
	i, v := ParabolicPeak([]float64{0, 1, 1}, 1)
	if math.Abs(i-1.5) > 1e-12 || v < 1 {
		t.Errorf("ParabolicPeak = %v, %v", i, v)
	}
}

func TestPrincipalAxis(t *testing.T) {
	// points spread along (1, 2, 2)/3 with small noise in the other
	// directions: the axis (up to sign) and a share near 1
	rng := rand.New(rand.NewPCG(3, 4))
	var x, y, z []float64
	for range 500 {
		s := rng.NormFloat64()
		x = append(x, s/3+0.01*rng.NormFloat64())
		y = append(y, 2*s/3+0.01*rng.NormFloat64())
		z = append(z, 2*s/3+0.01*rng.NormFloat64())
	}
	v, share := PrincipalAxis(x, y, z)
	if cos := math.Abs(v[0]/3 + 2*v[1]/3 + 2*v[2]/3); cos < 0.999 || share < 0.99 {
		t.Errorf("axis %v (cos %.4f), share %.3f", v, cos, share)
	}
	if v, s := PrincipalAxis([]float64{1, 1}, []float64{2, 2}, []float64{3, 3}); s != 0 || v != [3]float64{} {
		t.Errorf("constant points: %v %v", v, s)
	}
}

// TestFilterBackwardMatchesReversal checks the backward pass of FiltFilt
// against its definition: reverse, filter causally, reverse again. The
// arithmetic is the same, so the results must agree exactly.
func TestFilterBackwardMatchesReversal(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	rev := func(v []float64) {
		for i, j := 0, len(v)-1; i < j; i, j = i+1, j-1 {
			v[i], v[j] = v[j], v[i]
		}
	}
	for _, n := range []int{1, 256, 257} { // odd and even: the pass's last sample is filtered alone when odd
		x := make([]float64, n)
		for i := range x {
			x[i] = 3 + rng.NormFloat64()
		}
		for _, order := range []int{1, 2, 3, 4, 6} {
			for _, kind := range []FilterKind{LowPass, HighPass} {
				s := MustButterworth(order, 5, 50, kind)
				want := append([]float64(nil), x...)
				rev(want)
				s.Filter(want, want)
				rev(want)
				got := append([]float64(nil), x...)
				s.filterBackward(got)
				for i := range got {
					if got[i] != want[i] {
						t.Fatalf("n %d, order %d, kind %d: sample %d: backward %v, by reversal %v", n, order, kind, i, got[i], want[i])
					}
				}
			}
		}
	}
}

// TestFilterMatchesRecursion checks the two-samples-at-a-time loops of
// Filter against the section recursion run one sample at a time (transposed
// direct form II, state started at the steady state of the first input), for
// odd and even lengths, every cascade shape and poles close to the unit
// circle. Only rounding may differ: the tolerance is 1e-9 of the signal's
// scale.
func TestFilterMatchesRecursion(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for _, n := range []int{1, 2, 3, 10, 11, 5000, 5001} {
		x := make([]float64, n)
		for i := range x {
			x[i] = 9.81 + rng.NormFloat64()
		}
		for _, c := range []struct {
			order int
			fc    float64
			kind  FilterKind
		}{{1, 5, LowPass}, {2, 0.1, HighPass}, {2, 3, LowPass}, {3, 0.5, HighPass}, {4, 0.25, LowPass}, {4, 20, HighPass}, {6, 2, LowPass}} {
			s := MustButterworth(c.order, c.fc, 50, c.kind)
			want := append([]float64(nil), x...)
			u := x[0]
			for _, b := range s {
				g := b.dcGain()
				y0 := g * u
				z1, z2 := y0-b.B0*u, b.B2*u-b.A2*y0
				for i, v := range want {
					y := b.B0*v + z1
					z1 = b.B1*v - b.A1*y + z2
					z2 = b.B2*v - b.A2*y
					want[i] = y
				}
				u = y0
			}
			got := s.Filter(nil, x)
			for i := range got {
				if d := math.Abs(got[i] - want[i]); d > 1e-9*10 {
					t.Fatalf("n %d, %+v: sample %d: %v, recursion %v", n, c, i, got[i], want[i])
				}
			}
		}
	}
}
