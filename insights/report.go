package insights

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Options gathers every option of [Compute]; the zero value means the
// defaults throughout (see DefaultOptions).
type Options struct {
	// Location is the person's time zone: it decides calendar days,
	// months and night-time (UTC when nil).
	Location *time.Location `json:"-"`
	// NightStartHour and NightEndHour: a test at local hour h is at night
	// when h >= NightStartHour or h < NightEndHour (21 and 6; both 0 means
	// the defaults; equal non-zero values turn the clock rule off).
	NightStartHour int             `json:"night_start_hour"`
	NightEndHour   int             `json:"night_end_hour"`
	Baseline       BaselineOptions `json:"baseline"`
	Noise          NoiseOptions    `json:"noise"`
	Change         ChangeOptions   `json:"change"`
	Alert          AlertOptions    `json:"alert"`
	Effect         EffectOptions   `json:"effect"`
	Trigger        TriggerOptions  `json:"trigger"`
	Falls          FallOptions     `json:"falls"`
	// FallMetrics are the metrics falls are related to (walking speed,
	// T25FW time, sway); for each, the (test type, device) series with
	// the most days is used. T25FW speed is left out by default: it is
	// 7.62 m over the time, the same information as the T25FW time (the
	// clinical score), and would only repeat its association inverted.
	FallMetrics []string `json:"fall_metrics"`
}

// DefaultOptions returns the documented defaults.
func DefaultOptions() Options {
	return Options{
		NightStartHour: 21, NightEndHour: 6,
		Baseline: DefaultBaselineOptions(), Noise: DefaultNoiseOptions(),
		Change: ChangeOptions{WindowDays: 7}, Alert: DefaultAlertOptions(),
		Effect: DefaultEffectOptions(), Trigger: DefaultTriggerOptions(),
		Falls:       DefaultFallOptions(),
		FallMetrics: []string{"walking_speed_mps", "t25fw_time_s", "sway_rms_ms2"},
	}
}

// Input is everything known about one person.
type Input struct {
	// Metrics maps a metric name (e.g. "walking_speed_mps") to its
	// observations, any order, any test type and device.
	Metrics       map[string][]Observation `json:"metrics"`
	Interventions []Period                 `json:"interventions,omitempty"`
	Days          []DayContext             `json:"days,omitempty"`
	Falls         []Fall                   `json:"falls,omitempty"`
	// AsOf, when set, ignores everything after it (observations, diary,
	// falls, interventions starting later); zero means "everything".
	AsOf    time.Time `json:"as_of,omitempty"`
	Options Options   `json:"-"`
}

// SeriesReport is everything computed for one metric in one test type
// with one assistive device.
type SeriesReport struct {
	Metric   string     `json:"metric"`
	TestType string     `json:"test_type"`
	Device   string     `json:"assistive_device"`
	Info     MetricInfo `json:"info"`
	Tests    int        `json:"tests"` // observations
	Days     int        `json:"days"`  // daily values
	First    time.Time  `json:"first"`
	Last     time.Time  `json:"last"`
	Baseline *Baseline  `json:"baseline,omitempty"`
	Noise    *Noise     `json:"noise,omitempty"`
	Change   *Change    `json:"change,omitempty"`
	// Alerts lists every confirmed worsening over the history, oldest
	// first.
	Alerts        []Alert              `json:"alerts,omitempty"`
	Interventions []InterventionEffect `json:"interventions,omitempty"`
	Triggers      []TriggerEffect      `json:"triggers,omitempty"`
	// Messages explain what could not be computed and why.
	Messages []string `json:"messages,omitempty"`

	daily []DailyValue
}

// SeriesAlert is an alert with the series it belongs to.
type SeriesAlert struct {
	Metric   string `json:"metric"`
	TestType string `json:"test_type"`
	Device   string `json:"assistive_device"`
	Alert    Alert  `json:"alert"`
}

// Report is the result of [Compute]. It has no NaN or infinite numbers,
// so it can be encoded as JSON as it is.
type Report struct {
	AsOf   time.Time      `json:"as_of"`
	Series []SeriesReport `json:"series"`
	// OngoingAlerts repeats the alerts still in force at the latest test
	// of their series.
	OngoingAlerts []SeriesAlert `json:"ongoing_alerts,omitempty"`
	Falls         *FallsReport  `json:"falls,omitempty"`
	Notes         []string      `json:"notes"`
}

// Notes every report carries.
var reportNotes = []string{
	"legwork measures and informs; it does not diagnose. Talk to your clinician about any change that worries you.",
	"Results are compared only within the same test and the same walking aid.",
	"Effects of interventions and triggers are associations in your own data, not proof of cause.",
}

// Filled returns o with every option left at zero replaced by its
// default, as Compute uses it; a report describing the method reads its
// numbers (night hours, windows, confirmation time) from it.
func (o Options) Filled() Options {
	if o.NightStartHour == 0 && o.NightEndHour == 0 {
		d := DefaultOptions()
		o.NightStartHour, o.NightEndHour = d.NightStartHour, d.NightEndHour
	}
	o.Change.fill()
	ctx := o.Alert.ContextDaysBefore
	o.Alert.fill()
	if ctx < 0 {
		// "none" stays negative, so that the filled options mean the same
		// when given to Compute again (fill reads 0 as the default).
		o.Alert.ContextDaysBefore = ctx
	}
	o.Trigger.fill()
	o.Effect.fill()
	// The baseline leaves out the days the alert rule treats as a relapse.
	if o.Baseline.RelapseDaysBefore <= 0 {
		o.Baseline.RelapseDaysBefore = o.Alert.RelapseLevelDays
	}
	if o.Baseline.RelapseDaysAfter <= 0 {
		o.Baseline.RelapseDaysAfter = o.Alert.RelapseQuietDays
	}
	return o
}

// Compute computes the report for one person: for each metric, test type
// and assistive device, the baseline ([EstimateBaseline]), measurement
// noise ([EstimateNoise]), the latest change ([ClassifyChange]),
// worsening alerts ([DetectAlerts]), intervention effects
// ([InterventionEffects]) and trigger effects ([TriggerEffects]); and
// falls ([AnalyzeFalls]).
func Compute(in Input) Report {
	opt := in.Options.Filled()
	if opt.FallMetrics == nil {
		opt.FallMetrics = DefaultOptions().FallMetrics
	}
	loc := opt.Location
	if loc == nil {
		loc = time.UTC
	}
	asOf := in.AsOf
	cut := func(t time.Time) bool { return !asOf.IsZero() && t.After(asOf) }

	var periods, relapses []Period
	for _, p := range in.Interventions {
		if cut(p.Start) {
			continue
		}
		periods = append(periods, p)
		if p.Kind == KindRelapseTreatment {
			relapses = append(relapses, p)
		}
	}
	slices.SortStableFunc(periods, func(a, b Period) int { return a.Start.Compare(b.Start) })
	opt.Baseline.Relapses = relapses
	var diaryDays []DayContext
	for _, d := range in.Days {
		if !cut(d.Date) {
			diaryDays = append(diaryDays, d)
		}
	}
	diary := newDiaryIndex(diaryDays, loc)
	var falls []Fall
	for _, f := range in.Falls {
		if !cut(f.At) {
			falls = append(falls, f)
		}
	}

	// Group observations into series.
	type key struct{ metric, test, device string }
	keep := func(o Observation) bool { return !cut(o.At) && !math.IsNaN(o.Value) && !math.IsInf(o.Value, 0) }
	sizes := map[key]int{}
	for metric, obs := range in.Metrics {
		for _, o := range obs {
			if keep(o) {
				sizes[key{metric, o.TestType, o.Device}]++
			}
		}
	}
	groups := make(map[key][]Observation, len(sizes))
	for k, n := range sizes {
		groups[k] = make([]Observation, 0, n)
	}
	latest := time.Time{}
	for metric, obs := range in.Metrics {
		for _, o := range obs {
			if !keep(o) {
				continue
			}
			k := key{metric, o.TestType, o.Device}
			groups[k] = append(groups[k], o)
			if o.At.After(latest) {
				latest = o.At
			}
		}
	}
	keys := make([]key, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b key) int {
		return strings.Compare(a.metric+"\x00"+a.test+"\x00"+a.device, b.metric+"\x00"+b.test+"\x00"+b.device)
	})

	rep := Report{AsOf: asOf, Notes: slices.Clone(reportNotes)}
	if rep.AsOf.IsZero() {
		rep.AsOf = latest
	}
	cache := newCritCache()
	// Every series reads intervention end dates against the same day: the
	// report's, or the caller's today (Options.Effect.AsOf) when later.
	if opt.Effect.AsOf.Before(rep.AsOf) {
		opt.Effect.AsOf = rep.AsOf
	}
	for _, k := range keys {
		sr := computeSeries(k.metric, k.test, k.device, groups[k], periods, relapses, diary, loc, opt, cache)
		if !asOf.IsZero() && asOf.Sub(sr.Last) > 30*24*time.Hour {
			sr.Messages = append(sr.Messages, fmt.Sprintf("The latest test for your %s was on %s, more than a month before this report, so these results may be out of date.", sr.Info.Label, flocal(sr.Last, loc)))
		}
		for _, a := range sr.Alerts {
			if a.Ongoing {
				rep.OngoingAlerts = append(rep.OngoingAlerts, SeriesAlert{Metric: sr.Metric, TestType: sr.TestType, Device: sr.Device, Alert: a})
			}
		}
		rep.Series = append(rep.Series, sr)
	}

	// Falls, related to the longest series of each fall metric.
	var fs []FallSeries
	for _, m := range opt.FallMetrics {
		best := -1
		for i, s := range rep.Series {
			if s.Metric == m && (best < 0 || s.Days > rep.Series[best].Days) {
				best = i
			}
		}
		if best < 0 {
			continue
		}
		s := rep.Series[best]
		b := math.NaN()
		if s.Baseline != nil {
			b = s.Baseline.Median
		}
		fs = append(fs, FallSeries{Info: s.Info, TestType: s.TestType, Device: s.Device, Days: s.daily, Baseline: b})
	}
	if len(falls) > 0 || len(fs) > 0 {
		fr := AnalyzeFalls(falls, fs, loc, opt.Falls)
		rep.Falls = &fr
	}
	return rep
}

func computeSeries(metric, test, device string, obs []Observation, periods, relapses []Period, diary diaryIndex, loc *time.Location, opt Options, cache *critCache) SeriesReport {
	info := LookupMetric(metric, test)
	days := DailyValues(obs, loc, opt.NightStartHour, opt.NightEndHour)
	sr := SeriesReport{Metric: metric, TestType: test, Device: device, Info: info, Tests: len(obs), Days: len(days), daily: days}
	if len(days) == 0 {
		return sr
	}
	sr.First, sr.Last = days[0].At, days[len(days)-1].At
	base, ok := EstimateBaseline(days, opt.Baseline, loc)
	if !ok {
		bo := opt.Baseline
		if bo.Weeks <= 0 {
			bo = DefaultBaselineOptions()
		}
		msg := fmt.Sprintf("Not enough tests yet for a baseline: it needs at least %d days with tests in the first %d weeks (there are %d).", max(bo.MinDays, 1), bo.Weeks, base.Days)
		if len(base.Relapses) > 0 && !base.Given {
			msg = fmt.Sprintf("Not enough tests yet for a baseline: it needs at least %d days with tests in the first %d weeks, not counting the weeks around a relapse treatment (there are %d).", max(bo.MinDays, 1), bo.Weeks, base.Days)
		}
		sr.Messages = append(sr.Messages, msg)
		sr.Interventions = interventionEffects(days, periods, info, loc, opt.Effect, cache)
		sr.Triggers = triggerEffects(days, diary, info, opt.Trigger, cache)
		return sr
	}
	sr.Baseline = &base
	if base.Note != "" {
		sr.Messages = append(sr.Messages, base.Note)
	}
	var noise *Noise
	if nz, ok := EstimateNoise(days, base, opt.Noise); ok {
		noise = &nz
		sr.Noise = noise
		if nz.LowPrecision {
			sr.Messages = append(sr.Messages, fmt.Sprintf("Your day-to-day variation is estimated from only %d pairs of tests, so it is rough; it becomes firmer with more tests in the baseline weeks.", nz.Pairs))
		}
	} else if nz.NoSpread {
		sr.Messages = append(sr.Messages, fmt.Sprintf("Your %s changed by exactly the same amount from one test to the next in the first weeks (most often: it was the same every time), so legwork cannot tell how much it varies from day to day; it cannot yet separate real changes from noise, and raises no alerts for this measure.", info.Label))
	} else {
		sr.Messages = append(sr.Messages, "There are not enough repeated tests in the first weeks to know how much your results vary from day to day, so legwork cannot yet separate real changes from noise, and raises no alerts for this measure.")
	}
	if c, ok := ClassifyChange(days, base, noise, info, opt.Change); ok {
		sr.Change = &c
	} else {
		sr.Messages = append(sr.Messages, "All tests so far are in the baseline weeks, so there is no change to report yet.")
	}
	switch {
	case info.Neutral:
	case info.MCID == nil || info.MCID.Worsening == nil:
		sr.Messages = append(sr.Messages, fmt.Sprintf("No threshold for a worsening that matters is published for your %s, so legwork reports changes beyond your day-to-day variation (probably real changes) but raises no alerts for it.", info.Label))
	case info.MCID.Worsening.Scaled:
		sr.Messages = append(sr.Messages, fmt.Sprintf("The threshold for a worsening of your %s that matters is scaled from a longer test, so it is only a rough guide: legwork reports changes beyond your day-to-day variation (probably real changes) but raises no alerts for it.", info.Label))
	default:
		sr.Alerts = detectAlerts(days, base, noise, info, relapses, diary, loc, opt.Alert)
	}
	sr.Interventions = interventionEffects(days, periods, info, loc, opt.Effect, cache)
	sr.Triggers = triggerEffects(days, diary, info, opt.Trigger, cache)
	return sr
}
