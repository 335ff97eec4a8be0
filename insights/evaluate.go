package insights

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/gonum/stat/distuv"
)

// Scenario is one kind of synthetic person in the alert evaluation.
type Scenario struct {
	Name     string  `json:"name"`
	Schedule string  `json:"schedule"`
	Onset    string  `json:"onset"`
	Size     float64 `json:"size"`
	RampDays int     `json:"ramp_days,omitempty"`
}

// DefaultScenarios are the scenarios of docs/INSIGHTS.md: stable people,
// 25 % step and gradual (90-day) worsenings, and a 10 % step (below the
// 20 % MCID), each with daily and weekly testing.
func DefaultScenarios() []Scenario {
	var s []Scenario
	for _, sch := range []string{ScheduleDaily, ScheduleWeekly} {
		s = append(s,
			Scenario{Name: "stable, " + sch, Schedule: sch, Onset: OnsetNone},
			Scenario{Name: "25 % step, " + sch, Schedule: sch, Onset: OnsetStep, Size: 0.25},
			Scenario{Name: "25 % over 90 days, " + sch, Schedule: sch, Onset: OnsetGradual, Size: 0.25, RampDays: 90},
			Scenario{Name: "10 % step, " + sch, Schedule: sch, Onset: OnsetStep, Size: 0.10},
		)
	}
	return s
}

// EvalConfig configures [EvaluateAlerts].
type EvalConfig struct {
	// Persons per scenario (300).
	Persons int `json:"persons"`
	// Synth is the population; Schedule, Onset, OnsetSize and RampDays are
	// set by each scenario.
	Synth     SynthConfig `json:"synth"`
	Scenarios []Scenario  `json:"scenarios"`
	// DetectWithinDays: an alert confirmed within this many days from the
	// onset counts as a detection (180).
	DetectWithinDays int `json:"detect_within_days"`
	// Options are the analysis options (defaults when zero).
	Options Options `json:"-"`
}

// DefaultEvalConfig returns 300 persons per default scenario of the
// default population, detection within 180 days.
func DefaultEvalConfig() EvalConfig {
	return EvalConfig{Persons: 300, Synth: DefaultSynthConfig(), Scenarios: DefaultScenarios(), DetectWithinDays: 180}
}

// ScenarioResult is the alert rule's performance in one scenario.
type ScenarioResult struct {
	Scenario Scenario `json:"scenario"`
	Persons  int      `json:"persons"`
	// WithNoise is the number of persons whose noise could be estimated
	// (alerts are impossible without).
	WithNoise int `json:"with_noise"`
	// PersonYears monitored for false alerts: from the end of the
	// baseline to the onset (or the end when stable).
	PersonYears float64 `json:"person_years"`
	// FalseAlerts are alerts confirmed before the onset (all alerts when
	// stable); FalseWithDiary those that came with a pseudo-relapse
	// note from the diary.
	FalseAlerts              int     `json:"false_alerts"`
	FalseWithDiary           int     `json:"false_with_diary"`
	FalseAlertsPerPersonYear float64 `json:"false_alerts_per_person_year"`
	// FalseRateLow and FalseRateHigh are the exact 95 % Poisson interval
	// of the false-alert rate (Garwood 1936).
	FalseRateLow  float64 `json:"false_rate_low"`
	FalseRateHigh float64 `json:"false_rate_high"`
	// UnexplainedPerPersonYear counts only false alerts without a diary
	// note.
	UnexplainedPerPersonYear float64 `json:"unexplained_per_person_year"`
	// Onsets, Detected and Sensitivity = Detected/Onsets (nil when
	// stable); delays in days from onset to the confirming test.
	Onsets      int      `json:"onsets"`
	Detected    int      `json:"detected"`
	Sensitivity *float64 `json:"sensitivity,omitempty"`
	// SensitivityLow and SensitivityHigh are the 95 % Wilson score
	// interval (Wilson 1927).
	SensitivityLow  *float64 `json:"sensitivity_low,omitempty"`
	SensitivityHigh *float64 `json:"sensitivity_high,omitempty"`
	MedianDelayDays *float64 `json:"median_delay_days,omitempty"`
	DelayQ1Days     *float64 `json:"delay_q1_days,omitempty"`
	DelayQ3Days     *float64 `json:"delay_q3_days,omitempty"`
}

// AlertEvaluation is the result of [EvaluateAlerts].
type AlertEvaluation struct {
	Seed    uint64           `json:"seed"`
	Config  EvalConfig       `json:"config"`
	Results []ScenarioResult `json:"results"`
}

// EvaluateAlerts runs the alert rule ([DetectAlerts] with the baseline and
// noise of [Compute]) on synthetic T25FW timelines ([SyntheticTimeline])
// with known onsets, and reports per scenario the sensitivity, false
// alerts per person-year and detection delay. The same seed gives the
// same figures. Zero fields of cfg take the defaults of
// DefaultEvalConfig.
func EvaluateAlerts(cfg EvalConfig, seed uint64) AlertEvaluation {
	def := DefaultEvalConfig()
	if cfg.Persons <= 0 {
		cfg.Persons = def.Persons
	}
	if cfg.Synth.Days <= 0 {
		cfg.Synth = def.Synth
	}
	if cfg.Scenarios == nil {
		cfg.Scenarios = def.Scenarios
	}
	if cfg.DetectWithinDays <= 0 {
		cfg.DetectWithinDays = def.DetectWithinDays
	}
	opt := cfg.Options
	ev := AlertEvaluation{Seed: seed, Config: cfg}
	info := LookupMetric("t25fw_time_s", "t25fw")
	for si, sc := range cfg.Scenarios {
		r := rand.New(rand.NewPCG(seed, uint64(si)))
		sy := cfg.Synth
		sy.Schedule, sy.Onset, sy.OnsetSize = sc.Schedule, sc.Onset, sc.Size
		if sc.RampDays > 0 {
			sy.RampDays = sc.RampDays
		}
		res := ScenarioResult{Scenario: sc, Persons: cfg.Persons}
		var delays []float64
		for p := 0; p < cfg.Persons; p++ {
			tl := SyntheticTimeline(sy, r)
			days := DailyValues(tl.Observations, time.UTC, 0, 0)
			base, ok := EstimateBaseline(days, opt.Baseline, time.UTC)
			if tl.Onset != nil {
				res.Onsets++
			}
			if !ok {
				continue
			}
			nz, ok := EstimateNoise(days, base, opt.Noise)
			if !ok {
				continue
			}
			res.WithNoise++
			alerts := DetectAlerts(days, base, &nz, info, nil, tl.Diary, time.UTC, opt.Alert)
			end := tl.End
			if tl.Onset != nil {
				end = *tl.Onset
			}
			if y := end.Sub(base.To).Hours() / 24 / 365.25; y > 0 {
				res.PersonYears += y
			}
			detected := false
			for _, a := range alerts {
				if tl.Onset == nil || a.ConfirmedAt.Before(*tl.Onset) {
					res.FalseAlerts++
					if a.PossiblePseudoRelapse {
						res.FalseWithDiary++
					}
					continue
				}
				delay := a.ConfirmedAt.Sub(*tl.Onset).Hours() / 24
				if !detected && delay <= float64(cfg.DetectWithinDays) {
					detected = true
					delays = append(delays, delay)
				}
			}
			if detected {
				res.Detected++
			}
		}
		if res.PersonYears > 0 {
			res.FalseAlertsPerPersonYear = float64(res.FalseAlerts) / res.PersonYears
			res.UnexplainedPerPersonYear = float64(res.FalseAlerts-res.FalseWithDiary) / res.PersonYears
			lo, hi := poissonInterval(res.FalseAlerts, 0.95)
			res.FalseRateLow, res.FalseRateHigh = lo/res.PersonYears, hi/res.PersonYears
		}
		if res.Onsets > 0 {
			res.Sensitivity = fptr(float64(res.Detected) / float64(res.Onsets))
			lo, hi := wilsonInterval(res.Detected, res.Onsets, 0.95)
			res.SensitivityLow, res.SensitivityHigh = fptr(lo), fptr(hi)
		}
		if len(delays) > 0 {
			slices.Sort(delays)
			res.MedianDelayDays = fptr(quantileSorted(0.5, delays))
			res.DelayQ1Days = fptr(quantileSorted(0.25, delays))
			res.DelayQ3Days = fptr(quantileSorted(0.75, delays))
		}
		ev.Results = append(ev.Results, res)
	}
	return ev
}

// wilsonInterval is the Wilson score interval for k successes in n
// trials: (p̂ + z²/2n ± z√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n) (Wilson,
// "Probable inference, the law of succession, and statistical
// inference", JASA 22:209–212, 1927).
func wilsonInterval(k, n int, level float64) (lo, hi float64) {
	z := distuv.UnitNormal.Quantile((1 + level) / 2)
	nf := float64(n)
	p := float64(k) / nf
	c := (p + z*z/(2*nf)) / (1 + z*z/nf)
	h := z * math.Sqrt(p*(1-p)/nf+z*z/(4*nf*nf)) / (1 + z*z/nf)
	return math.Max(0, c-h), math.Min(1, c+h)
}

// poissonInterval is the exact interval for a Poisson count k:
// [χ²_{α/2}(2k)/2, χ²_{1−α/2}(2k+2)/2] (Garwood, "Fiducial limits for the
// Poisson distribution", Biometrika 28:437–442, 1936).
func poissonInterval(k int, level float64) (lo, hi float64) {
	a := (1 - level) / 2
	if k > 0 {
		lo = distuv.ChiSquared{K: float64(2 * k)}.Quantile(a) / 2
	}
	hi = distuv.ChiSquared{K: float64(2*k + 2)}.Quantile(1-a) / 2
	return lo, hi
}

// Markdown renders the evaluation as a Markdown table.
func (e AlertEvaluation) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Seed %d, %d synthetic people per scenario, %d days each, detection within %d days of onset.\n\n",
		e.Seed, e.Config.Persons, e.Config.Synth.Days, e.Config.DetectWithinDays)
	b.WriteString("| scenario | people with noise estimate | sensitivity (95 % CI) | median delay, days (IQR) | false alerts / person-year (95 % CI; count) | without diary note / person-year | person-years |\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	for _, r := range e.Results {
		sens, delay := "—", "—"
		if r.Sensitivity != nil {
			sens = fmt.Sprintf("%.2f (%.2f–%.2f; %d/%d)", *r.Sensitivity, *r.SensitivityLow, *r.SensitivityHigh, r.Detected, r.Onsets)
		}
		if r.MedianDelayDays != nil {
			delay = fmt.Sprintf("%.0f (%.0f–%.0f)", *r.MedianDelayDays, *r.DelayQ1Days, *r.DelayQ3Days)
		}
		fmt.Fprintf(&b, "| %s | %d/%d | %s | %s | %.3f (%.3f–%.3f; %d) | %.3f | %.0f |\n",
			r.Scenario.Name, r.WithNoise, r.Persons, sens, delay, r.FalseAlertsPerPersonYear, r.FalseRateLow, r.FalseRateHigh, r.FalseAlerts,
			r.UnexplainedPerPersonYear, r.PersonYears)
	}
	return b.String()
}
