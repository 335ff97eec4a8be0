package insights

import (
	"math"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/gonum/stat/distuv"
)

// The demo person's walking speed against falls (a reviewer's case): 7
// months, 1 event in the 1 month worse than baseline, 1 in the 6 others.
// Pearson's χ² is 0 + (5/6)²·6 + 5·(1/6)²·6 = 25/6 + 5/6 = 5 over 7 − 2
// = 5 degrees of freedom: φ = 1 exactly, which sums to 1.0000000000000004
// in floating point and used to switch the interval from z to t₅ (0.16 to
// 227 instead of 0.38 to 96). With φ = 1 the interval is the Poisson
// one, 6·exp(±1.959964·√(1/1 + 1/1)) = 0.3753 to 95.92.
func TestRateRatioDispersionRounding(t *testing.T) {
	ev := []float64{0, 0, 1, 0, 0, 0, 1}
	worse := []bool{false, false, false, false, false, false, true}
	z := distuv.UnitNormal.Quantile(0.975)
	e, phi := rateRatio(ev, worse, 1, 1, 1, 6, z, 0.95)
	if phi != 1 {
		t.Errorf("φ = %.17g, want exactly 1", phi)
	}
	near(t, "RR", e.Value, 6, 1e-12)
	near(t, "low", e.Low, 6*math.Exp(-1.959964*math.Sqrt2), 1e-5)
	near(t, "high", e.High, 6*math.Exp(1.959964*math.Sqrt2), 1e-3)
	if w := waldWords(phi, 7); w != "Poisson Wald" {
		t.Errorf("method words %q", w)
	}
	// A dispersion truly above 1 still widens: φ = 1.5 in TestRateRatioHand.
	if got := quasiPoissonDispersion([]float64{0, 6}, func(int) float64 { return 3 }, 0); got != 3 {
		t.Errorf("φ = %v, want 3 ((9 + 9)/3 / 2)", got)
	}
}

// fallMonths makes n months of walking speed from January 2024, four
// test days a month at speed[m], against a baseline of 1.0 m/s.
func fallMonths(speed []float64) FallSeries {
	var days []DailyValue
	for m, v := range speed {
		for d := 1; d <= 20; d += 5 {
			at := time.Date(2024, time.Month(m+1), d, 10, 0, 0, 0, time.UTC)
			days = append(days, DailyValue{Day: DayIndex(at, nil), At: at, Value: v, Tests: 1})
		}
	}
	return FallSeries{Info: LookupMetric("walking_speed_mps", "walk2min"), TestType: "walk2min", Device: "none", Days: days, Baseline: 1.0}
}

// Two events in seven months (the demo) are too few to relate to
// anything: no rate ratio and no correlation, and a message that says how
// many are needed (MinEvents, 5). Five events are enough.
func TestFallsMinEvents(t *testing.T) {
	s := fallMonths([]float64{1.0, 1.0, 1.0, 0.8, 1.0, 1.0, 1.0})
	fall := func(m int) Fall {
		return Fall{At: time.Date(2024, time.Month(m), 10, 12, 0, 0, 0, time.UTC), Kind: FallKindFall}
	}
	rep := AnalyzeFalls([]Fall{fall(4), fall(7)}, []FallSeries{s}, nil, FallOptions{})
	a := rep.Associations[0]
	if !a.TooLittleData || a.RateRatio != nil || a.Spearman != nil || a.Events != 2 {
		t.Fatalf("2 events: %+v", a)
	}
	for _, want := range []string{"7 months with tests and 2 falls or near-falls", "at least 6 months and 5 falls or near-falls are needed"} {
		if !strings.Contains(a.Message, want) {
			t.Errorf("message lacks %q: %q", want, a.Message)
		}
	}
	if !strings.Contains(a.Clinician, "too little data (7 months, 2 events; at least 6 months and 5 events needed)") {
		t.Errorf("clinician %q", a.Clinician)
	}
	rep = AnalyzeFalls([]Fall{fall(4), fall(4), fall(7), fall(2), fall(4)}, []FallSeries{s}, nil, FallOptions{})
	if a := rep.Associations[0]; a.TooLittleData || a.RateRatio == nil || a.Spearman == nil {
		t.Errorf("5 events: %+v", a)
	}
	if d := DefaultFallOptions(); d.MinEvents != 5 {
		t.Errorf("default MinEvents %d, want 5", d.MinEvents)
	}
}

// Rate ratios are shown with two significant digits, correlations with a
// true minus sign.
func TestFallWordsPrecisionAndMinus(t *testing.T) {
	s := FallSeries{Info: LookupMetric("walking_speed_mps", "walk2min"), TestType: "walk2min", Device: "none"}
	a := FallAssociation{Months: 7, MonthsWorse: 1, EventsWorse: 3, MonthsOther: 6, EventsOther: 3, Dispersion: 1,
		RateRatio: &Estimate{Value: 6, Low: 0.16, High: 227.49, Level: 0.95},
		Spearman:  &Estimate{Value: -0.32, Low: -0.87, High: 0.59, Level: 0.95}}
	p, c := fallWords(a, s, "falls or near-falls", -1)
	for _, want := range []string{"rate ratio 6.0, 95 % CI 0.16 to 230", "rank correlation −0.87 to 0.59"} {
		if !strings.Contains(p, want) {
			t.Errorf("person text lacks %q:\n%s", want, p)
		}
	}
	for _, want := range []string{"ρ(monthly median, monthly events) = −0.32 (95 % CI −0.87 to 0.59", ") 6.0 (95 % CI 0.16 to 230, Poisson Wald)"} {
		if !strings.Contains(c, want) {
			t.Errorf("clinician text lacks %q:\n%s", want, c)
		}
	}
	if strings.Contains(p+c, "-0.") || strings.Contains(p+c, "227") {
		t.Errorf("hyphen-minus or too many digits:\n%s\n%s", p, c)
	}
	for v, want := range map[float64]string{6: "6.0", 0.375: "0.38", 95.92: "96", 227.49: "230", 9.96: "10", 0.0123: "0.012", 1: "1.0"} {
		if got := sig2(v); got != want {
			t.Errorf("sig2(%v) = %q, want %q", v, got, want)
		}
	}
}

// T25FW speed is 7.62 m over the T25FW time: by default falls are related
// to the time (the clinical score) and not to the speed as well.
func TestFallsT25FWTimeNotSpeed(t *testing.T) {
	in := personInput(1, 1)
	rep := Compute(in)
	if rep.Falls == nil {
		t.Fatal("no falls report")
	}
	var got []string
	for _, a := range rep.Falls.Associations {
		got = append(got, a.Metric)
	}
	if strings.Join(got, ",") != "walking_speed_mps,t25fw_time_s,sway_rms_ms2" {
		t.Errorf("fall associations for %v", got)
	}
}
