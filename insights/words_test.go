package insights

import (
	"strings"
	"testing"
)

// A difference between two values in percent is in percentage points;
// levels stay in percent.
func TestChangeInPercentagePoints(t *testing.T) {
	cv := LookupMetric("step_time_cv_pct", "walk2min") // unit %, 1 decimal
	for _, c := range []struct{ got, want string }{
		{cv.amount(4.7), "4.7 %"},
		{cv.change(0.5), "0.5 percentage points"},
		{cv.signed(-0.5), "−0.5 percentage points"},
		{cv.change(1), "1.0 percentage points"},
		{cv.ciWords(Estimate{Value: 0.4, Low: 0.2, High: 0.6}), "0.2 to 0.6 percentage points"},
		{cv.lessThanUnit(), "less than 0.1 percentage points"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	speed := LookupMetric("walking_speed_mps", "walk")
	if got := speed.signed(0.12); got != "+0.12 m/s" {
		t.Errorf("speed change %q, want +0.12 m/s", got)
	}
}

// An interval end that is not zero is never shown as 0: a clear
// difference of 0.33 to 4.2 (whole units) reads "0.3 to 4", and an
// interval from −0.19 to 12 that crosses zero reads "0.2 … to 12 …".
func TestIntervalBoundsKeepTheirSign(t *testing.T) {
	for _, c := range []struct {
		v    float64
		d    int
		want int
	}{
		{0.33, 0, 1}, {-0.19, 0, 1}, {4.2, 0, 0}, {0, 0, 0}, {0.004, 2, 3}, {0.00001, 1, 1}, {-0.06, 1, 1}, {-0.04, 1, 2},
	} {
		if got := BoundDecimals(c.v, c.d); got != c.want {
			t.Errorf("BoundDecimals(%g, %d) = %d, want %d", c.v, c.d, got, c.want)
		}
	}
	dist := LookupMetric("walk2min_distance_m", "walk2min") // whole metres
	if dist.Decimals != 0 {
		t.Fatalf("2-minute walk distance has %d decimals; this test assumes 0", dist.Decimals)
	}
	if got := dist.ciWords(Estimate{Value: 6, Low: 0.33, High: 12}); got != "0.3 to 12 m" {
		t.Errorf("clear interval %q, want \"0.3 to 12 m\"", got)
	}
	if got := dist.ciWords(Estimate{Value: 6, Low: -0.19, High: 12}); got != "0.2 m shorter to 12 m longer" {
		t.Errorf("interval crossing zero %q, want \"0.2 m shorter to 12 m longer\"", got)
	}
}

// The clinician's line about falls names the test and walking aid in
// words and counts events and months with their nouns.
func TestFallWordsNamesTestAndCounts(t *testing.T) {
	s := FallSeries{Info: LookupMetric("walking_speed_mps", "walk2min"), TestType: "walk2min", Device: "cane"}
	a := FallAssociation{MonthsWorse: 1, EventsWorse: 1, MonthsOther: 6, EventsOther: 1,
		RateRatio: &Estimate{Value: 6, Low: 0.16, High: 227, Level: 0.95}, Dispersion: 1}
	_, c := fallWords(a, s, "falls or near-falls", 1)
	for _, want := range []string{"walking speed (2-minute walk, with a cane) vs monthly falls", "1 event in 1 month vs 1 in 6 months"} {
		if !strings.Contains(c, want) {
			t.Errorf("clinician text lacks %q:\n%s", want, c)
		}
	}
	if strings.Contains(c, "events/") || strings.Contains(c, "walk2min") {
		t.Errorf("clinician text keeps raw names or counts:\n%s", c)
	}
}
