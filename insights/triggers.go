package insights

import (
	"fmt"
	"math"
	"time"
)

// TriggerOptions controls the trigger comparisons.
type TriggerOptions struct {
	// RefDays: each daily value with the trigger is compared with the
	// median of the daily values without it within ±RefDays days (14).
	RefDays int `json:"ref_days"`
	// MinRef is the minimum number of such reference daily values (3).
	MinRef int `json:"min_ref"`
	// MinN is the minimum number of matched trigger days (6, the smallest
	// number for which a 95 % signed-rank interval exists).
	MinN int `json:"min_n"`
	// Level is the confidence level (0.95).
	Level float64 `json:"level"`
}

// DefaultTriggerOptions returns the defaults.
func DefaultTriggerOptions() TriggerOptions {
	return TriggerOptions{RefDays: 14, MinRef: 3, MinN: 6, Level: 0.95}
}

func (o *TriggerOptions) fill() {
	d := DefaultTriggerOptions()
	if o.RefDays <= 0 {
		o.RefDays = d.RefDays
	}
	if o.MinRef <= 0 {
		o.MinRef = d.MinRef
	}
	if o.MinN <= 0 {
		o.MinN = d.MinN
	}
	if !(o.Level > 0 && o.Level < 1) {
		o.Level = d.Level
	}
}

// TriggerEffect compares one series on days with a trigger with nearby
// days without it.
type TriggerEffect struct {
	Trigger string `json:"trigger"`
	// DaysWith is the number of daily values with the trigger, Matched
	// those with enough reference days nearby.
	DaysWith      int  `json:"days_with"`
	Matched       int  `json:"matched"`
	TooLittleData bool `json:"too_little_data"`
	// Effect is the Hodges–Lehmann pseudo-median of the matched
	// differences (trigger day − median of nearby days without it), with
	// its signed-rank interval.
	Effect *Estimate `json:"effect,omitempty"`
	// Lag1 is the lag-1 autocorrelation of the differences on consecutive
	// trigger days (absent with fewer than five such pairs), and
	// VarianceInflation the factor by which the interval was widened for it
	// (see [Lag1Autocorrelation], [VarianceInflation]): a heat wave gives
	// runs of trigger days whose differences share their nearby reference
	// days and the person's slow ups and downs.
	Lag1              *float64 `json:"lag1_autocorrelation,omitempty"`
	VarianceInflation float64  `json:"variance_inflation"`
	// Percent is Effect relative to the median of the reference medians.
	Percent   *float64 `json:"percent,omitempty"`
	Direction string   `json:"direction,omitempty"`
	Clear     bool     `json:"clear"`
	Message   string   `json:"message"`
	Clinician string   `json:"clinician"`
}

var triggerPhrases = map[string][2]string{
	TriggerHeat:         {"On days with heat", "on nearby days without heat"},
	TriggerCold:         {"On cold days", "on nearby days without cold"},
	TriggerNight:        {"In night-time tests", "in daytime tests on nearby days"},
	TriggerStress:       {"On days with stress", "on nearby days without stress"},
	TriggerPoorSleep:    {"On days after poor sleep", "on nearby days without poor sleep"},
	TriggerInfection:    {"On days with fever or infection", "on nearby days without"},
	TriggerOverexertion: {"On days with overexertion", "on nearby days without overexertion"},
}

// TriggerEffects compares, for each trigger in [Triggers], the daily
// values on days with the trigger with nearby days without it. A day has
// the trigger when the diary says so; for "night" also when a test of the
// day was taken at night (see [DailyValues]).
//
// Each daily value v_i with the trigger is matched to r_i, the median of
// the daily values without the trigger within ±opt.RefDays days (at least
// opt.MinRef of them), and the differences d_i = v_i − r_i are summarised
// by the one-sample Hodges–Lehmann estimator with Tukey's signed-rank
// interval ([HodgesLehmannOneSample]). Matching on nearby days removes
// slow trends and seasons (heat comes in summer, and a person may change
// over the years), which a comparison of all days with and without the
// trigger would confound with it. Differences on consecutive trigger days
// are not independent (they share reference days and the person's slow
// ups and downs): their lag-1 autocorrelation widens the interval as for
// AR(1) values ([VarianceInflation]). It is an association, not proof of
// cause.
func TriggerEffects(days []DailyValue, diary []DayContext, info MetricInfo, loc *time.Location, opt TriggerOptions) []TriggerEffect {
	return triggerEffects(days, newDiaryIndex(diary, loc), info, opt, newCritCache())
}

func triggerEffects(days []DailyValue, diary diaryIndex, info MetricInfo, opt TriggerOptions, cache *critCache) []TriggerEffect {
	opt.fill()
	out := make([]TriggerEffect, 0, len(Triggers))
	// One diary look-up per day: bit b of mask[i] is Triggers[b].
	mask := make([]uint8, len(days))
	for i, d := range days {
		c, ok := diary[d.Day]
		for b, trig := range Triggers {
			if (ok && c.Has(trig)) || (trig == TriggerNight && d.Night) {
				mask[i] |= 1 << b
			}
		}
	}
	has := make([]bool, len(days))
	var refs, buf []float64
	var diffs []DailyValue // d_i on the trigger's day, for the estimate and its autocorrelation
	for b, trig := range Triggers {
		n := 0
		for i := range days {
			has[i] = mask[i]&(1<<b) != 0
			if has[i] {
				n++
			}
		}
		te := TriggerEffect{Trigger: trig, DaysWith: n, VarianceInflation: 1}
		diffs, refs = diffs[:0], refs[:0]
		if n > 0 {
			lo := 0
			for i, d := range days {
				if !has[i] {
					continue
				}
				for lo < len(days) && days[lo].Day < d.Day-opt.RefDays {
					lo++
				}
				buf = buf[:0]
				for j := lo; j < len(days) && days[j].Day <= d.Day+opt.RefDays; j++ {
					if !has[j] {
						buf = append(buf, days[j].Value)
					}
				}
				if len(buf) < opt.MinRef {
					continue
				}
				r := medianSelect(buf)
				diffs = append(diffs, DailyValue{Day: d.Day, Value: d.Value - r})
				refs = append(refs, r)
			}
		}
		te.Matched = len(diffs)
		if te.Matched < opt.MinN {
			te.TooLittleData = true
			te.Message, te.Clinician = triggerTooLittle(te, info, opt)
			out = append(out, te)
			continue
		}
		if r, _, ok := Lag1Autocorrelation(diffs); ok {
			te.Lag1 = fptr(r)
			te.VarianceInflation = VarianceInflation(r)
		}
		est, ok := hodgesLehmannOneSampleEffective(values(diffs), opt.Level, te.VarianceInflation, cache)
		if !ok {
			te.TooLittleData = true
			te.Message, te.Clinician = triggerTooLittle(te, info, opt)
			out = append(out, te)
			continue
		}
		te.Effect = &est
		if m := Median(refs); m != 0 {
			te.Percent = fptr(100 * est.Value / math.Abs(m))
		}
		te.Direction = info.direction(est.Value)
		te.Clear = est.Excludes(0)
		te.Message, te.Clinician = triggerEffectWords(te, info, opt)
		out = append(out, te)
	}
	return out
}

func triggerTooLittle(te TriggerEffect, info MetricInfo, opt TriggerOptions) (string, string) {
	ph := triggerPhrases[te.Trigger]
	p := fmt.Sprintf("Too little data to tell how your %s differs %s: %s could be compared with nearby days, and at least %d are needed.",
		info.Label, lowerFirst(ph[0]), count(te.Matched, "such day with tests", "such days with tests"), opt.MinN)
	if te.DaysWith == 0 {
		p = fmt.Sprintf("No tests yet %s, so there is nothing to compare for your %s.", lowerFirst(ph[0]), info.Label)
	}
	c := fmt.Sprintf("%s, trigger %s: too little data (%d trigger days, %d matched with ≥%d reference days within ±%d d; minimum %d).",
		info.Label, te.Trigger, te.DaysWith, te.Matched, opt.MinRef, opt.RefDays, opt.MinN)
	if te.VarianceInflation > 1 && te.Matched >= opt.MinN {
		// Enough days, but too few once their autocorrelation is allowed for.
		ne := effectiveSize(te.Matched, te.VarianceInflation)
		days := "days"
		if ne == 1 {
			days = "day"
		}
		p = fmt.Sprintf("Too little data to tell how your %s differs %s: %d such days with tests could be compared with nearby days, but your results on consecutive such days are much alike, so together they count as only about %d independent %s, and at least %d are needed.",
			info.Label, lowerFirst(ph[0]), te.Matched, ne, days, opt.MinN)
		c = fmt.Sprintf("%s, trigger %s: too little data (%d trigger days, %d matched with ≥%d reference days within ±%d d; lag-1 r = %.2f, variance ×%.1f, effective n %d < minimum %d).",
			info.Label, te.Trigger, te.DaysWith, te.Matched, opt.MinRef, opt.RefDays, *te.Lag1, te.VarianceInflation, ne, opt.MinN)
	}
	return p, c
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]+('a'-'A')) + s[1:]
}

func triggerEffectWords(te TriggerEffect, info MetricInfo, opt TriggerOptions) (string, string) {
	ph := triggerPhrases[te.Trigger]
	e := *te.Effect
	lv := levelWords(e.Level)
	var p string
	if te.Clear {
		p = fmt.Sprintf("%s your %s was %s %s (%s CI %s) than %s (%d days compared, each with days within %s).",
			ph[0], info.Label, info.change(math.Abs(e.Value)), info.judged(e.Value), lv, info.ciWords(e), ph[1], te.Matched, windowWords(opt.RefDays))
	} else if info.negligible(e.Value) {
		p = fmt.Sprintf("%s your %s was about the same as %s: the difference was %s, and the %s CI (%s) includes no difference (%d days compared).",
			ph[0], info.Label, ph[1], info.lessThanUnit(), lv, info.ciWords(e), te.Matched)
	} else {
		// An interval that includes no difference does not show that there
		// is none: a large estimate from few days is unclear, not "the
		// same".
		p = fmt.Sprintf("%s your %s was %s %s than %s, but the %s CI (%s) includes no difference, so there is no clear difference (%d days compared).",
			ph[0], info.Label, info.change(math.Abs(e.Value)), info.moreLess(e.Value), ph[1], lv, info.ciWords(e), te.Matched)
	}
	p += " This shows an association, not proof of cause."
	exact := "normal approximation"
	switch {
	case e.Exact:
		exact = fmt.Sprintf("exact, coverage %.1f %%", 100*e.Coverage)
	case resized(te.VarianceInflation, te.Matched):
		exact = fmt.Sprintf("widened for autocorrelation of consecutive trigger days, lag-1 r = %.2f, variance ×%.2f", *te.Lag1, te.VarianceInflation)
	}
	c := fmt.Sprintf("%s, trigger %s: HL pseudo-median of (trigger day − median of non-trigger days within ±%d d) %s (%s CI %s to %s; Tukey/Wilcoxon, %s); %d of %d trigger days matched",
		info.Label, te.Trigger, opt.RefDays, info.signed(e.Value), lv, info.bound(e.Low), info.bound(e.High), exact, te.Matched, te.DaysWith)
	if te.Percent != nil {
		c += " (" + signedPct(*te.Percent) + ")"
	}
	c += ". Association only."
	return p, c
}
