package insights

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// EffectOptions controls before/after comparisons of interventions.
type EffectOptions struct {
	// WindowDays is the length of the before and the after window (42 = 6
	// weeks): before = [start − WindowDays, start), after = [start,
	// start + WindowDays).
	WindowDays int `json:"window_days"`
	// MinPerWindow is the minimum number of daily values in each window
	// (4); with fewer the effect is reported as too little data.
	MinPerWindow int `json:"min_per_window"`
	// Level is the confidence level (0.95).
	Level float64 `json:"level"`
	// AsOf is when the results are read: an intervention's end date after
	// it is still to come. Compute uses the report's as-of time, or this
	// when it is later (a caller reading today's results sets it to now).
	// Zero means the series' latest test.
	AsOf time.Time `json:"-"`
}

// DefaultEffectOptions returns the defaults.
func DefaultEffectOptions() EffectOptions {
	return EffectOptions{WindowDays: 42, MinPerWindow: 4, Level: 0.95}
}

func (o *EffectOptions) fill() {
	d := DefaultEffectOptions()
	if o.WindowDays <= 0 {
		o.WindowDays = d.WindowDays
	}
	if o.MinPerWindow <= 0 {
		o.MinPerWindow = d.MinPerWindow
	}
	if !(o.Level > 0 && o.Level < 1) {
		o.Level = d.Level
	}
}

// InterventionEffect compares one series before and after the start of an
// intervention.
type InterventionEffect struct {
	Intervention Period    `json:"intervention"`
	BeforeFrom   time.Time `json:"before_from"`
	AfterTo      time.Time `json:"after_to"` // exclusive
	WindowDays   int       `json:"window_days"`
	BeforeDays   int       `json:"before_days"` // daily values before
	AfterDays    int       `json:"after_days"`  // daily values after
	// TooLittleData is true when a window has fewer than MinPerWindow
	// daily values; then no estimate is given.
	TooLittleData bool     `json:"too_little_data"`
	BeforeMedian  *float64 `json:"before_median,omitempty"`
	AfterMedian   *float64 `json:"after_median,omitempty"`
	// Shift is the Hodges–Lehmann estimate of after − before with its
	// Moses confidence interval: the primary estimate.
	Shift *Estimate `json:"shift,omitempty"`
	// Percent is Shift relative to the before median.
	Percent *float64 `json:"percent,omitempty"`
	// TrendAdjusted is the level change from segmented regression with a
	// common trend (see [SegmentedLevelChange]).
	TrendAdjusted *Estimate `json:"trend_adjusted,omitempty"`
	// PreTrendPerWeek is the least-squares slope in the before window, per
	// week.
	PreTrendPerWeek *Estimate `json:"pre_trend_per_week,omitempty"`
	// Lag1 is the lag-1 autocorrelation of the daily values around each
	// window's median (absent when fewer than five pairs of consecutive
	// test days exist), and VarianceInflation the factor (1 + r)/(1 − r),
	// r clamped to [0, 0.8], by which the Shift interval's variance was
	// widened for it (see [Lag1Autocorrelation], [VarianceInflation]).
	Lag1              *float64 `json:"lag1_autocorrelation,omitempty"`
	VarianceInflation float64  `json:"variance_inflation"`
	// RegressionLag1 is the lag-1 autocorrelation of the segmented
	// regression's residuals (absent as Lag1 is), and
	// RegressionVarianceInflation the factor by which it widened the
	// variances of TrendAdjusted and PreTrendPerWeek: the regression
	// models a steady trend, which around the window medians would count
	// as correlation and widen them again.
	RegressionLag1              *float64 `json:"regression_lag1_autocorrelation,omitempty"`
	RegressionVarianceInflation float64  `json:"regression_variance_inflation"`
	// Direction of the shift (better, worse, higher, lower, none) and
	// whether its interval excludes no change.
	Direction string `json:"direction,omitempty"`
	Clear     bool   `json:"clear"`
	// MCID for the direction of the shift, in the unit, when published.
	MCID       *float64 `json:"mcid,omitempty"`
	BeyondMCID *bool    `json:"beyond_mcid,omitempty"`
	Notes      []string `json:"notes,omitempty"`
	Message    string   `json:"message"`
	Clinician  string   `json:"clinician"`
}

var kindWords = map[string]string{
	KindPhysicalTherapy:  "physical therapy",
	KindHomeExercise:     "home exercise",
	KindAssistiveDevice:  "a walking aid",
	KindRelapseTreatment: "relapse treatment",
	KindMedicationChange: "a medication change",
	KindOther:            "a change",
}

func periodWords(p Period) string {
	k, ok := kindWords[p.Kind]
	if !ok {
		k = "a change"
	}
	if p.Name == "" {
		return k
	}
	return fmt.Sprintf("%s (%s)", p.Name, k)
}

// kindNoun names what an intervention is, for "the time of the … itself":
// "treatment" for physio and relapse treatments, "intervention" for a
// walking aid, another change or an unknown kind.
func kindNoun(p Period) string {
	switch p.Kind {
	case KindPhysicalTherapy, KindRelapseTreatment:
		return "treatment"
	case KindHomeExercise:
		return "exercise programme"
	case KindMedicationChange:
		return "medication change"
	}
	return "intervention"
}

func windowWords(days int) string {
	if days%7 == 0 {
		if days == 7 {
			return "week"
		}
		return fmt.Sprintf("%d weeks", days/7)
	}
	return fmt.Sprintf("%d days", days)
}

// InterventionEffects compares each intervention's before and after
// windows in one series of daily values (oldest first).
//
// The primary estimate is the Hodges–Lehmann shift after − before with
// Moses' distribution-free interval ([HodgesLehmannShift]): it is robust
// to the odd bad day and makes no normality assumption, which suits a
// handful of home tests. Because a difference between two windows also
// credits any trend that was already under way, the segmented regression
// level change with a common trend ([SegmentedLevelChange]) and the
// before-window slope are reported beside it, and the message says so
// when the trend may explain the difference. Daily values are not
// independent: a good week follows a good week. The lag-1 autocorrelation
// of the values around their window medians is estimated and the Moses
// interval is widened for it as for AR(1) values (effective sample sizes
// n(1 − r)/(1 + r), see [VarianceInflation]); the regression intervals
// are widened for the lag-1 autocorrelation of the segmented regression's
// residuals, which a steady trend does not inflate. These are
// observational comparisons: other things may have changed at the same
// time.
func InterventionEffects(days []DailyValue, periods []Period, info MetricInfo, loc *time.Location, opt EffectOptions) []InterventionEffect {
	return interventionEffects(days, periods, info, loc, opt, newCritCache())
}

func interventionEffects(days []DailyValue, periods []Period, info MetricInfo, loc *time.Location, opt EffectOptions, cache *critCache) []InterventionEffect {
	opt.fill()
	out := make([]InterventionEffect, 0, len(periods))
	for _, p := range periods {
		out = append(out, interventionEffect(days, p, periods, info, loc, opt, cache))
	}
	return out
}

func interventionEffect(days []DailyValue, p Period, all []Period, info MetricInfo, loc *time.Location, opt EffectOptions, cache *critCache) InterventionEffect {
	S := DayIndex(p.Start, loc)
	W := opt.WindowDays
	e := InterventionEffect{Intervention: p, BeforeFrom: dayDate(S - W), AfterTo: dayDate(S + W), WindowDays: W, VarianceInflation: 1, RegressionVarianceInflation: 1}
	before, after := dayWindow(days, S-W, S), dayWindow(days, S, S+W)
	e.BeforeDays, e.AfterDays = len(before), len(after)
	last := math.MinInt
	switch n := len(days); {
	case !opt.AsOf.IsZero():
		last = DayIndex(opt.AsOf, loc)
	case n > 0:
		last = days[n-1].Day
	}
	e.Notes = effectNotes(p, all, S, W, last, loc)
	what := periodWords(p)
	ww := windowWords(W)
	// aw names the after window: only the days up to the series' latest
	// test when that is still inside it (an intervention started 10 days
	// ago has 10 days of results, not 6 weeks).
	aw := ww
	// bw names the before window: only the days since the series' first
	// test when that falls inside it (someone who began testing 10 days
	// before starting physio has 10 days of results before, not 6 weeks).
	bw := ww
	if len(days) > 0 && days[0].Day > S-W && days[0].Day < S {
		bw = "day"
		if k := S - days[0].Day; k > 1 {
			bw = fmt.Sprintf("%d days", k)
		}
	}
	if n := len(days); n > 0 && days[n-1].Day >= S && days[n-1].Day < S+W-1 {
		aw = "first day"
		if k := days[n-1].Day - S + 1; k > 1 {
			aw = fmt.Sprintf("first %d days", k)
		}
	}
	if len(before) < opt.MinPerWindow || len(after) < opt.MinPerWindow {
		e.TooLittleData = true
		e.Message = fmt.Sprintf("Too little data to compare your %s before and after starting %s on %s: %s in the %s before and %d in the %s after; at least %d in each are needed.",
			info.Label, what, flocal(p.Start, loc), count(len(before), "day with tests", "days with tests"), bw, len(after), aw, opt.MinPerWindow)
		e.Clinician = fmt.Sprintf("%s, %s started %s: too little data (%d vs %d test days in ±%d d windows; minimum %d each).",
			info.Label, what, flocal(p.Start, loc), len(before), len(after), W, opt.MinPerWindow)
		return e
	}
	xb, xa := values(before), values(after)
	e.BeforeMedian, e.AfterMedian = fptr(Median(xb)), fptr(Median(xa))
	if r, _, ok := Lag1Autocorrelation(before, after); ok {
		e.Lag1 = fptr(r)
		e.VarianceInflation = VarianceInflation(r)
	}
	f := e.VarianceInflation
	sh, ok := hodgesLehmannShiftEffective(xb, xa, opt.Level, f, cache)
	if !ok {
		e.TooLittleData = true
		e.Message = fmt.Sprintf("Too little data to compare your %s before and after starting %s.", info.Label, what)
		if f > 1 {
			e.Message = fmt.Sprintf("Too little data to compare your %s before and after starting %s: your results from one day to the next are too much alike for %d and %d days to show a change reliably.", info.Label, what, len(before), len(after))
		}
		e.Clinician = e.Message
		return e
	}
	e.Shift = &sh
	if *e.BeforeMedian != 0 {
		e.Percent = fptr(100 * sh.Value / math.Abs(*e.BeforeMedian))
	}
	e.Direction = info.direction(sh.Value)
	e.Clear = sh.Excludes(0)
	if e.Direction == DirBetter || e.Direction == DirWorse {
		_, e.MCID = info.mcidFor(e.Direction, *e.BeforeMedian)
		if e.MCID != nil {
			e.BeyondMCID = bptr(math.Abs(sh.Value) > *e.MCID)
		}
	}
	// The regression intervals are widened for the autocorrelation of the
	// segmented regression's residuals, which a steady trend does not
	// inflate.
	tb, ta := dayOffsets(before, S), dayOffsets(after, S)
	if seg, res, ok := segmentedFit(tb, xb, ta, xa, opt.Level, cache); ok {
		if r, _, ok := lag1([][]DailyValue{before, after}, res); ok {
			e.RegressionLag1 = fptr(r)
			e.RegressionVarianceInflation = VarianceInflation(r)
		}
		seg = widen(seg, e.RegressionVarianceInflation)
		e.TrendAdjusted = &seg
	}
	if sl, ok := slopeEstimate(tb, xb, opt.Level, cache); ok {
		sl = widen(sl, e.RegressionVarianceInflation)
		sl.Value, sl.Low, sl.High = 7*sl.Value, 7*sl.Low, 7*sl.High
		e.PreTrendPerWeek = &sl
	}
	e.Message, e.Clinician = effectWords(e, info, what, bw, aw, loc)
	return e
}

func dayOffsets(days []DailyValue, S int) []float64 {
	t := make([]float64, len(days))
	for i, d := range days {
		t[i] = float64(d.Day - S)
	}
	return t
}

// effectNotes lists what else may explain a before/after difference. last
// is the day the results are read on (EffectOptions.AsOf, else the latest
// test): an end date after it is still to come.
//
// An intervention that ends inside the after window (its end date is its
// last day) makes that window, wholly or in part, the time it was under
// way: the comparison then shows the change during it, and whether an
// effect lasts beyond its end is not assessed. The note says so, except
// for one that lasted less than a week (a 3-day steroid course), where it
// would add nothing.
func effectNotes(p Period, all []Period, S, W, last int, loc *time.Location) []string {
	var notes []string
	if p.End != nil {
		if E := DayIndex(*p.End, loc); E < S+W && E-S+1 >= 7 {
			during := E - S + 1 // days of the after window it was under way
			span := fmt.Sprintf("the %s after its start are the time of the %s itself", windowWords(W), kindNoun(p))
			if during < W {
				span = fmt.Sprintf("the first %s of the %s after its start are the time of the %s itself", windowWords(during), windowWords(W), kindNoun(p))
			}
			verb := "It ended on %s, so %s: this shows the change while it was under way; whether an effect lasts beyond its end is not assessed."
			if E > last {
				verb = "It is due to end on %s, so %s: this shows the change while it is under way; whether an effect lasts beyond its end is not assessed."
			}
			notes = append(notes, fmt.Sprintf(verb, flocal(*p.End, loc), span))
		}
	}
	for _, q := range all {
		if q == p || (q.ID != 0 && q.ID == p.ID) {
			continue
		}
		Q := DayIndex(q.Start, loc)
		if Q >= S-W && Q < S+W {
			n := fmt.Sprintf("Another change started within these weeks: %s on %s.", periodWords(q), flocal(q.Start, loc))
			if q.Kind == KindRelapseTreatment {
				n = fmt.Sprintf("A relapse treatment (%s) started on %s, within these weeks, so the comparison mostly reflects the relapse.", q.Name, flocal(q.Start, loc))
			}
			notes = append(notes, n)
		}
	}
	switch p.Kind {
	case KindRelapseTreatment:
		notes = append(notes, "Before-and-after comparisons around a relapse treatment mostly reflect the relapse and its natural recovery, not only the treatment.")
	case KindAssistiveDevice:
		notes = append(notes, "Tests with and without a walking aid are never compared: this compares tests done with the same aid setting before and after.")
	}
	return notes
}

// effectWords words an effect; ww names the before window ("6 weeks", or
// "10 days" when the series began inside it) and aw the after window
// ("6 weeks", or "first 10 days" while it is incomplete).
func effectWords(e InterventionEffect, info MetricInfo, what, ww, aw string, loc *time.Location) (person, clinician string) {
	sh := *e.Shift
	lv := levelWords(sh.Level)
	if e.Clear {
		person = fmt.Sprintf("Your %s was %s %s (%s CI %s) in the %s after starting %s than in the %s before.",
			info.Label, info.change(math.Abs(sh.Value)), info.judged(sh.Value), lv, info.ciWords(sh), aw, what, ww)
		if e.MCID != nil && e.BeyondMCID != nil {
			t, _ := info.mcidFor(e.Direction, *e.BeforeMedian)
			if *e.BeyondMCID {
				person += fmt.Sprintf(" That is more than %s.", info.thresholdWords(t, *e.MCID))
			} else {
				person += fmt.Sprintf(" That is less than %s.", info.thresholdWords(t, *e.MCID))
			}
		}
	} else {
		person = fmt.Sprintf("In the %s after starting %s your %s was %s %s than in the %s before, but the %s CI (%s) includes no change, so there is no clear difference.",
			aw, what, info.Label, info.change(math.Abs(sh.Value)), info.moreLess(sh.Value), ww, lv, info.ciWords(sh))
		if info.negligible(sh.Value) {
			person = fmt.Sprintf("Your %s was about the same in the %s after starting %s as in the %s before (a difference of %s; %s CI %s).",
				info.Label, aw, what, ww, info.lessThanUnit(), lv, info.ciWords(sh))
		}
	}
	// Pre-existing trend.
	if e.Clear && e.TrendAdjusted != nil && e.PreTrendPerWeek != nil {
		ta, pt := *e.TrendAdjusted, *e.PreTrendPerWeek
		sameWay := pt.Excludes(0) && math.Signbit(pt.Value) == math.Signbit(sh.Value)
		switch {
		case !ta.Excludes(0) && sameWay:
			person += fmt.Sprintf(" However, it was already changing that way in the %s before (by about %s a week), and after allowing for that trend the difference is not clear, so part or all of it may be a trend that started earlier.",
				ww, info.change(math.Abs(pt.Value)))
		case !ta.Excludes(0):
			person += " After allowing for a steady trend over both periods the difference is not clear, so treat it with caution."
		case math.Signbit(ta.Value) == math.Signbit(sh.Value):
			person += " The difference remains after allowing for any steady trend."
		}
	}
	person += " This is an observational comparison: other things may have changed at the same time."
	for _, n := range e.Notes {
		person += " " + n
	}

	// The Moses interval was widened only when the effective sizes differ
	// from the real ones; the regression intervals whenever f > 1.
	mosesWidened := resized(e.VarianceInflation, e.BeforeDays, e.AfterDays)
	exact := "normal approximation"
	switch {
	case sh.Exact:
		exact = fmt.Sprintf("exact, coverage %.1f %%", 100*sh.Coverage)
	case mosesWidened:
		exact = "at the effective sizes for autocorrelation"
	}
	clinician = fmt.Sprintf("%s, %s started %s: HL shift after−before %s (%s CI %s to %s; Moses, %s); n = %d vs %d test days in ±%d d windows; medians %s → %s",
		info.Label, what, flocal(e.Intervention.Start, loc), info.signed(sh.Value), lv, info.bound(sh.Low), info.bound(sh.High), exact,
		e.BeforeDays, e.AfterDays, e.WindowDays, info.amount(*e.BeforeMedian), info.amount(*e.AfterMedian))
	if e.Percent != nil {
		clinician += fmt.Sprintf(" (%s)", signedPct(*e.Percent))
	}
	if e.TrendAdjusted != nil {
		clinician += fmt.Sprintf("; segmented regression level change with common trend %s (%s CI %s to %s)",
			info.signed(e.TrendAdjusted.Value), lv, info.bound(e.TrendAdjusted.Low), info.bound(e.TrendAdjusted.High))
	}
	if e.PreTrendPerWeek != nil {
		clinician += fmt.Sprintf("; before-window slope %s/week (%s CI %s to %s)",
			info.signed(e.PreTrendPerWeek.Value), lv, info.bound(e.PreTrendPerWeek.Low), info.bound(e.PreTrendPerWeek.High))
	}
	if e.MCID != nil {
		clinician += fmt.Sprintf("; MCID %s %s", e.Direction, info.change(*e.MCID))
	}
	switch {
	case e.Lag1 == nil:
		clinician += ". Observational; day-to-day autocorrelation not estimable (too few consecutive test days), intervals assume independent days"
	case mosesWidened:
		clinician += fmt.Sprintf(". Observational; Moses interval widened for day-to-day autocorrelation around the window medians (lag-1 r = %.2f, variance ×%.2f)", *e.Lag1, e.VarianceInflation)
	case e.VarianceInflation > 1:
		clinician += fmt.Sprintf(". Observational; slight day-to-day autocorrelation around the window medians (lag-1 r = %.3f, variance ×%.3f) leaves the Moses interval at the real sizes", *e.Lag1, e.VarianceInflation)
	default:
		clinician += fmt.Sprintf(". Observational; no positive day-to-day autocorrelation around the window medians (lag-1 r = %.2f)", *e.Lag1)
	}
	if e.TrendAdjusted != nil && e.RegressionLag1 != nil {
		if e.RegressionVarianceInflation > 1 {
			clinician += fmt.Sprintf("; regression intervals widened for the autocorrelation of the segmented-regression residuals (lag-1 r = %.2f, variance ×%.2f)", *e.RegressionLag1, e.RegressionVarianceInflation)
		} else {
			clinician += fmt.Sprintf("; no positive autocorrelation of the segmented-regression residuals (lag-1 r = %.2f)", *e.RegressionLag1)
		}
	}
	clinician += "."
	if len(e.Notes) > 0 {
		clinician += " " + strings.Join(e.Notes, " ")
	}
	return person, clinician
}
