package insights

import (
	"strings"
	"testing"
	"time"
)

// A change beyond an SDC estimated from only 3 pairs (a weekly tester's
// first weeks) is "probably" real, in the person's and the clinician's
// texts alike, and both say from how few pairs the SDC came; with a
// robust SDC (19 pairs) the pairs are not mentioned but a change beyond
// it is still only "probably" real (the SDC is a 95 % bound). A reviewer
// found a change beyond both thresholds worded as certain.
func TestChangeProbablyRealWording(t *testing.T) {
	t25 := LookupMetric("t25fw_time_s", "t25fw")
	speed := LookupMetric("walking_speed_mps", "walk")
	base := Baseline{From: time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC), Days: 4, Median: 6}
	later := t0.AddDate(0, 0, 60)
	rough := &Noise{SDC95: 0.6, Pairs: 3, LowPrecision: true}
	firm := &Noise{SDC95: 0.6, Pairs: 19}
	for _, c := range []struct {
		name  string
		info  MetricInfo
		base  float64
		noise *Noise
		vals  []float64
		class string
		few   bool
	}{
		// 6 → 7.5 s: beyond SDC 0.6 and the MCID 1.2 s.
		{"both, rough", t25, 6, rough, []float64{7.4, 7.5, 7.6}, ClassBeyondBoth, true},
		{"both, firm", t25, 6, firm, []float64{7.4, 7.5, 7.6}, ClassBeyondBoth, false},
		// Walking speed 1.0 → 0.2 m/s with an SDC of 0.6: beyond SDC, no MCID.
		{"sdc, rough", speed, 1.0, rough, []float64{0.2}, ClassBeyondSDC, true},
	} {
		b := base
		b.Median = c.base
		ch, ok := ClassifyChange(DailyValues(series(later, 1, c.vals...), time.UTC, 0, 0), b, c.noise, c.info, ChangeOptions{})
		if !ok || ch.Class != c.class {
			t.Fatalf("%s: class %s, want %s", c.name, ch.Class, c.class)
		}
		if !strings.Contains(ch.Message, "probably a real change") || !strings.Contains(ch.Clinician, "probably a real change") {
			t.Errorf("%s: not 'probably':\n%s\n%s", c.name, ch.Message, ch.Clinician)
		}
		hasPairs := strings.Contains(ch.Message, "estimated from only 3 pairs of tests") && strings.Contains(ch.Clinician, "SDC95 estimated from only 3 pairs")
		if hasPairs != c.few || ch.SDCLowPrecision != c.few || ch.SDCPairs != c.noise.Pairs {
			t.Errorf("%s: pairs mentioned %v (want %v), fields %v %d:\n%s\n%s", c.name, hasPairs, c.few, ch.SDCLowPrecision, ch.SDCPairs, ch.Message, ch.Clinician)
		}
	}
}

// A current value from one test day is that day's value, not a median of
// 7 days: the clinician text says "1 test day; last test …" (a weekly
// tester's usual case); with three test days it says the median of them.
func TestChangeCurrentFromOneTestDay(t *testing.T) {
	t25 := LookupMetric("t25fw_time_s", "t25fw")
	base := Baseline{From: time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC), Days: 4, Median: 6}
	nz := &Noise{SDC95: 0.6, Pairs: 19}
	obs := append(series(t0.AddDate(0, 0, 50), 1, 6.1), series(t0.AddDate(0, 0, 60), 1, 6.2)...) // 23 Apr, 3 May 2024
	ch, _ := ClassifyChange(DailyValues(obs, time.UTC, 0, 0), base, nz, t25, ChangeOptions{})
	if ch.Days != 1 || !strings.Contains(ch.Clinician, "current 6.2 s (1 test day; last test 3 May 2024)") || strings.Contains(ch.Clinician, "median of 1") {
		t.Errorf("one day: %d days, %q", ch.Days, ch.Clinician)
	}
	ch, _ = ClassifyChange(DailyValues(series(t0.AddDate(0, 0, 60), 1, 6.1, 6.2, 6.3), time.UTC, 0, 0), base, nz, t25, ChangeOptions{})
	if !strings.Contains(ch.Clinician, "current 6.2 s (median of 3 test days, 29 Apr 2024–5 May 2024)") {
		t.Errorf("three days: %q", ch.Clinician)
	}
}
