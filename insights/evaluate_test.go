package insights

import (
	"math"
	"testing"
)

// TestAlertEvaluation runs the alert rule on the default synthetic
// population (seed 1) and checks sane ranges. It prints the table of
// docs/INSIGHTS.md: go test -run TestAlertEvaluation -v ./insights/
//
// Thresholds and why:
//   - stable people: at most 0.5 false alerts per person-year (at most one
//     every two years, so that alerts keep their meaning), and at most 0.15
//     per person-year without a diary note (an alert with no explanation in
//     the diary is the costly kind);
//   - a 25 % step worsening (beyond the 20 % MCID) must be found in at
//     least 90 % of daily testers within a median of 14 days, and 80 % of
//     weekly testers within a median of 42 days (six weekly tests);
//   - a 25 % worsening spread over 90 days only passes the 20 % MCID after
//     about 72 days: at least 90 % of daily and 70 % of weekly testers
//     within 180 days of its start.
func TestAlertEvaluation(t *testing.T) {
	ev := EvaluateAlerts(DefaultEvalConfig(), 1)
	t.Log("\n" + ev.Markdown())
	get := func(name string) ScenarioResult {
		for _, r := range ev.Results {
			if r.Scenario.Name == name {
				return r
			}
		}
		t.Fatalf("no scenario %q", name)
		return ScenarioResult{}
	}
	for _, name := range []string{"stable, daily", "stable, weekly"} {
		r := get(name)
		if r.FalseAlertsPerPersonYear > 0.5 || r.UnexplainedPerPersonYear > 0.15 {
			t.Errorf("%s: %.3f false alerts/person-year (%.3f without diary note), want ≤ 0.5 (≤ 0.15)", name, r.FalseAlertsPerPersonYear, r.UnexplainedPerPersonYear)
		}
		if r.PersonYears < 0.9*float64(r.Persons)*1.9 {
			t.Errorf("%s: only %.0f person-years monitored", name, r.PersonYears)
		}
	}
	checks := []struct {
		name     string
		minSens  float64
		maxDelay float64
	}{
		{"25 % step, daily", 0.9, 14},
		{"25 % step, weekly", 0.8, 42},
		{"25 % over 90 days, daily", 0.9, 120},
		{"25 % over 90 days, weekly", 0.7, 150},
	}
	for _, c := range checks {
		r := get(c.name)
		if r.Sensitivity == nil || *r.Sensitivity < c.minSens {
			t.Errorf("%s: sensitivity %v, want ≥ %v", c.name, r.Sensitivity, c.minSens)
		}
		if r.MedianDelayDays == nil || *r.MedianDelayDays > c.maxDelay {
			t.Errorf("%s: median delay %v days, want ≤ %v", c.name, r.MedianDelayDays, c.maxDelay)
		}
	}
	// Same seed, same figures.
	again := EvaluateAlerts(EvalConfig{Persons: 20}, 1)
	once := EvaluateAlerts(EvalConfig{Persons: 20}, 1)
	for i := range again.Results {
		a, b := again.Results[i], once.Results[i]
		if a.FalseAlerts != b.FalseAlerts || a.Detected != b.Detected {
			t.Errorf("scenario %d not reproducible", i)
		}
	}
}

// Reference values: Wilson interval for 81/263 at 95 % is 0.255–0.366
// and for 0/10 it is 0–0.278 (Newcombe, Stat Med 17:857–872, 1998,
// Table I, method 3); the exact Poisson interval for 0 events is 0–3.689
// and for 10 events 4.795–18.39 (Garwood 1936; standard tables).
func TestIntervalsReferenceValues(t *testing.T) {
	lo, hi := wilsonInterval(81, 263, 0.95)
	near(t, "wilson lo", lo, 0.2553, 0.0005)
	near(t, "wilson hi", hi, 0.3662, 0.0005)
	lo, hi = wilsonInterval(0, 10, 0.95)
	near(t, "wilson 0/10 lo", lo, 0, 1e-12)
	near(t, "wilson 0/10 hi", hi, 0.2775, 0.0005)
	lo, hi = poissonInterval(0, 0.95)
	near(t, "poisson 0 lo", lo, 0, 1e-12)
	near(t, "poisson 0 hi", hi, 3.689, 0.001)
	lo, hi = poissonInterval(10, 0.95)
	near(t, "poisson 10 lo", lo, 4.795, 0.001)
	near(t, "poisson 10 hi", hi, 18.39, 0.01)
	if math.IsNaN(lo) {
		t.Fatal("NaN")
	}
}
