package insights

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// AlertOptions controls the worsening-alert rule.
type AlertOptions struct {
	// ConfirmAfter is the minimum time between the first worse test and
	// the confirming one (24 h).
	ConfirmAfter time.Duration `json:"confirm_after"`
	// MaxGapDays: a run of worse tests is broken when two successive
	// daily values are further apart (14).
	MaxGapDays int `json:"max_gap_days"`
	// RelapseQuietDays is the period after the start of a relapse
	// treatment in which alerts are compared with the post-relapse level
	// instead of the baseline (30).
	RelapseQuietDays int `json:"relapse_quiet_days"`
	// RelapseLevelDays is the half-width of the window around the start of
	// a relapse treatment whose median is the post-relapse level (7).
	RelapseLevelDays int `json:"relapse_level_days"`
	// ContextDaysBefore is how many days before the first worse test the
	// diary is searched for pseudo-relapse triggers (3; negative for none).
	ContextDaysBefore int `json:"context_days_before"`
}

// DefaultAlertOptions returns the defaults.
func DefaultAlertOptions() AlertOptions {
	return AlertOptions{ConfirmAfter: 24 * time.Hour, MaxGapDays: 14, RelapseQuietDays: 30, RelapseLevelDays: 7, ContextDaysBefore: 3}
}

func (o *AlertOptions) fill() {
	d := DefaultAlertOptions()
	if o.ConfirmAfter <= 0 {
		o.ConfirmAfter = d.ConfirmAfter
	}
	if o.MaxGapDays <= 0 {
		o.MaxGapDays = d.MaxGapDays
	}
	if o.RelapseQuietDays <= 0 {
		o.RelapseQuietDays = d.RelapseQuietDays
	}
	if o.RelapseLevelDays <= 0 {
		o.RelapseLevelDays = d.RelapseLevelDays
	}
	switch {
	case o.ContextDaysBefore == 0:
		o.ContextDaysBefore = d.ContextDaysBefore
	case o.ContextDaysBefore < 0:
		o.ContextDaysBefore = 0
	}
}

// Reference kinds of an alert.
const (
	RefBaseline     = "baseline"
	RefPostRelapse  = "post_relapse_level"
	pseudoTriggers  = "heat, fever or infection, overexertion or stress"
	contactSentence = "This is a meaningful change; contact your clinician."
)

// AlertValue is one test day of an alert's run.
type AlertValue struct {
	At    time.Time `json:"at"`
	Value float64   `json:"value"`
}

// ContextDay lists the pseudo-relapse triggers the diary shows on a day.
type ContextDay struct {
	Date     time.Time `json:"date"`
	Triggers []string  `json:"triggers"`
}

// Alert is a confirmed meaningful worsening.
type Alert struct {
	// Start is the first worse test of the run, ConfirmedAt the test that
	// confirmed it (at least ConfirmAfter later).
	Start       time.Time    `json:"start"`
	ConfirmedAt time.Time    `json:"confirmed_at"`
	Values      []AlertValue `json:"values"`
	// Reference is the level compared with: the baseline median, or the
	// post-relapse level within RelapseQuietDays of a relapse treatment.
	Reference     float64 `json:"reference"`
	ReferenceKind string  `json:"reference_kind"`
	// Relapse is the relapse treatment whose quiet period the alert fell
	// in, if any.
	Relapse *Period `json:"relapse,omitempty"`
	// Delta is the median of the run's values minus Reference; Percent is
	// relative to Reference.
	Delta   float64  `json:"delta"`
	Percent *float64 `json:"percent,omitempty"`
	// SDC, MCID (in the unit, for this reference) and Threshold =
	// max(SDC, MCID), which every value of the run exceeded in the worse
	// direction.
	SDC        float64    `json:"sdc"`
	MCID       float64    `json:"mcid"`
	MCIDSource *Threshold `json:"mcid_source"`
	Threshold  float64    `json:"threshold"`
	// PossiblePseudoRelapse is true when the diary shows heat, fever or
	// infection, overexertion or stress from ContextDaysBefore days before
	// the run to its confirmation; Context lists those days.
	PossiblePseudoRelapse bool         `json:"possible_pseudo_relapse"`
	Context               []ContextDay `json:"context,omitempty"`
	// Ongoing is true when no later test has come back within the
	// threshold.
	Ongoing   bool   `json:"ongoing"`
	Message   string `json:"message"`
	Clinician string `json:"clinician"`
}

// DetectAlerts applies legwork's worsening-alert rule to the daily values
// after the baseline period. A daily value v is "worse" when, with s = +1
// if higher is worse and −1 if lower is worse,
//
//	s·(v − R) > T,   T = max(SDC95, MCID_worsening(R)),
//
// where R is the reference: the baseline median, or within
// opt.RelapseQuietDays days from the start of a relapse_treatment period,
// the post-relapse level L (below). A relative MCID is taken of R. An
// alert is raised at the first daily value that is at least
// opt.ConfirmAfter (24 h) after the first value of an unbroken run of
// worse daily values; a run is broken by a value that is not worse, by a
// gap of more than opt.MaxGapDays between successive values, and at the
// start and end of a relapse quiet period. After an alert no new one is
// raised until a daily value is no longer worse (the episode has ended).
//
// Relapse quiet period: for a relapse_treatment starting on day S, days
// S … S+opt.RelapseQuietDays−1. L is the median of the daily values on
// days S−opt.RelapseLevelDays … S+opt.RelapseLevelDays (or, when there are
// none, the first daily value of the quiet period, which then cannot start
// a run). Inside the quiet period an alert therefore means a further
// worsening beyond the post-relapse level by more than the same
// threshold; a worsening that is only relative to the pre-relapse baseline
// does not alert until the quiet period is over.
//
// Metrics without a published worsening MCID, neutral metrics and series
// without a noise estimate get no alerts: an alert needs both a real
// (beyond noise) and a meaningful (beyond MCID) change. A worsening
// threshold scaled from another test (the 2-minute walk's, from the
// 6-minute walk's) is only a rough guide, not evidence that a change
// matters, so it raises no alert either: the bar would then be the
// person's noise alone, and a noise estimated from a few weeks of tests is
// too uncertain to carry "contact your clinician" by itself. days must be
// oldest first; diary may be nil.
func DetectAlerts(days []DailyValue, base Baseline, noise *Noise, info MetricInfo, relapses []Period, diary []DayContext, loc *time.Location, opt AlertOptions) []Alert {
	return detectAlerts(days, base, noise, info, relapses, newDiaryIndex(diary, loc), loc, opt)
}

type quietWindow struct {
	from, to int // days [from, to)
	level    float64
	levelIdx int // index in days of the value used as level, or −1
	period   Period
}

func detectAlerts(days []DailyValue, base Baseline, noise *Noise, info MetricInfo, relapses []Period, diary diaryIndex, loc *time.Location, opt AlertOptions) []Alert {
	opt.fill()
	s := info.worseSign()
	if s == 0 || noise == nil || info.MCID == nil || info.MCID.Worsening == nil || info.MCID.Worsening.Scaled {
		return nil
	}
	mcid := info.MCID.Worsening
	var windows []quietWindow
	for _, p := range relapses {
		if p.Kind != KindRelapseTreatment {
			continue
		}
		S := DayIndex(p.Start, loc)
		q := quietWindow{from: S, to: S + opt.RelapseQuietDays, levelIdx: -1, period: p}
		if lv := dayWindow(days, S-opt.RelapseLevelDays, S+opt.RelapseLevelDays+1); len(lv) > 0 {
			q.level = Median(values(lv))
		} else if in := dayWindow(days, q.from, q.to); len(in) > 0 {
			q.level = in[0].Value
			q.levelIdx = sort.Search(len(days), func(k int) bool { return days[k].Day >= q.from })
		} else {
			continue
		}
		windows = append(windows, q)
	}
	windowOf := func(day int) int {
		w := -1
		for i, q := range windows {
			if day >= q.from && day < q.to && (w < 0 || q.from >= windows[w].from) {
				w = i
			}
		}
		return w
	}

	_, baseEnd := base.days()
	var alerts []Alert
	var run []int
	inAlert := false
	cur := -2
	for i := range days {
		d := days[i]
		if d.Day < baseEnd {
			continue
		}
		w := windowOf(d.Day)
		if w != cur {
			run, inAlert, cur = run[:0], false, w
		}
		ref := base.Median
		if w >= 0 {
			ref = windows[w].level
			if i == windows[w].levelIdx {
				continue
			}
		}
		mc := mcid.Absolute(ref)
		T := math.Max(noise.SDC95, mc)
		worse := s*(d.Value-ref) > T
		if inAlert {
			inAlert = worse
			continue
		}
		if !worse {
			run = run[:0]
			continue
		}
		if len(run) > 0 && d.Day-days[run[len(run)-1]].Day > opt.MaxGapDays {
			run = run[:0]
		}
		run = append(run, i)
		if d.At.Sub(days[run[0]].At) < opt.ConfirmAfter {
			continue
		}
		a := Alert{
			Start: days[run[0]].At, ConfirmedAt: d.At,
			Reference: ref, ReferenceKind: RefBaseline,
			SDC: noise.SDC95, MCID: mc, MCIDSource: mcid, Threshold: T,
		}
		vals := make([]float64, len(run))
		for k, j := range run {
			a.Values = append(a.Values, AlertValue{At: days[j].At, Value: days[j].Value})
			vals[k] = days[j].Value
		}
		a.Delta = Median(vals) - ref
		if ref != 0 {
			a.Percent = fptr(100 * a.Delta / math.Abs(ref))
		}
		if w >= 0 {
			a.ReferenceKind = RefPostRelapse
			p := windows[w].period
			a.Relapse = &p
		}
		for day := days[run[0]].Day - opt.ContextDaysBefore; day <= d.Day; day++ {
			c, ok := diary[day]
			if !ok {
				continue
			}
			var tr []string
			for _, t := range []string{TriggerHeat, TriggerInfection, TriggerOverexertion, TriggerStress} {
				if c.Has(t) {
					tr = append(tr, t)
				}
			}
			if len(tr) > 0 {
				a.Context = append(a.Context, ContextDay{Date: dayDate(day), Triggers: tr})
			}
		}
		a.PossiblePseudoRelapse = len(a.Context) > 0
		alerts = append(alerts, a)
		inAlert = true
		run = run[:0]
	}
	// Only the last alert can be ongoing: when every later daily value is
	// still worse than its reference by more than its threshold.
	if n := len(alerts); n > 0 {
		a := &alerts[n-1]
		a.Ongoing = true
		for _, d := range days {
			if d.At.After(a.ConfirmedAt) && !(s*(d.Value-a.Reference) > a.Threshold) {
				a.Ongoing = false
				break
			}
		}
	}
	for i := range alerts {
		alerts[i].Message, alerts[i].Clinician = alertWords(alerts[i], base, noise, info, loc, opt)
	}
	return alerts
}

var triggerWords = map[string]string{
	TriggerHeat:         "heat",
	TriggerCold:         "cold",
	TriggerNight:        "night-time",
	TriggerStress:       "stress",
	TriggerPoorSleep:    "poor sleep",
	TriggerInfection:    "fever or infection",
	TriggerOverexertion: "overexertion",
}

func contextWords(ctx []ContextDay) string {
	// Group days by trigger: "heat on 2 Jul 2024 and 3 Jul 2024; fever or
	// infection on 3 Jul 2024".
	var parts []string
	for _, t := range []string{TriggerHeat, TriggerInfection, TriggerOverexertion, TriggerStress} {
		var ds []string
		for _, c := range ctx {
			for _, x := range c.Triggers {
				if x == t {
					ds = append(ds, fdate(c.Date))
				}
			}
		}
		if len(ds) > 0 {
			parts = append(parts, triggerWords[t]+" on "+joinAnd(ds))
		}
	}
	return strings.Join(parts, "; ")
}

func joinAnd(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

func alertWords(a Alert, base Baseline, noise *Noise, info MetricInfo, loc *time.Location, opt AlertOptions) (person, clinician string) {
	var vs []string
	for _, v := range a.Values {
		vs = append(vs, info.amount(v.Value)+" on "+flocal(v.At, loc))
	}
	refWords := fmt.Sprintf("your usual %s (your baseline)", info.amount(a.Reference))
	if a.ReferenceKind == RefPostRelapse {
		refWords = fmt.Sprintf("%s, your level around the start of your relapse treatment on %s", info.amount(a.Reference), flocal(a.Relapse.Start, loc))
	}
	pc := ""
	if a.Percent != nil {
		pc = pct(*a.Percent) + " "
	}
	person = fmt.Sprintf("Your %s was worse than usual on %d test days in a row: %s. That is %s%s than %s — more than your day-to-day variation (%s) and more than %s.",
		info.Label, len(a.Values), joinAnd(vs), pc, info.moreLess(a.Delta), refWords,
		info.change(a.SDC), info.thresholdWords(a.MCIDSource, a.MCID))
	if a.PossiblePseudoRelapse {
		person += fmt.Sprintf(" Your diary shows %s. Heat, fever or infection, overexertion and stress can make MS symptoms worse for a while without new disease activity (sometimes called a pseudo-relapse), and this usually settles once the cause has passed; only your clinician can tell the difference.", contextWords(a.Context))
	}
	person += " " + contactSentence

	ref := fmt.Sprintf("baseline median %s (%d d, %s–%s)", info.amount(a.Reference), base.Days, fdate(base.From), fdate(base.To.AddDate(0, 0, -1)))
	if a.ReferenceKind == RefPostRelapse {
		ref = fmt.Sprintf("post-relapse level %s (median of daily values within ±%d d of relapse treatment %q started %s; quiet period %d d)",
			info.amount(a.Reference), opt.RelapseLevelDays, a.Relapse.Name, flocal(a.Relapse.Start, loc), opt.RelapseQuietDays)
	}
	clinician = fmt.Sprintf("%s: confirmed worsening, %d consecutive test days beyond threshold (first %s, confirmed %s, ≥%s apart): %s. Reference %s; Δ %s",
		info.Label, len(a.Values), flocal(a.Start, loc), flocal(a.ConfirmedAt, loc), fmtDuration(opt.ConfirmAfter), joinAnd(vs), ref, info.signed(a.Delta))
	if a.Percent != nil {
		clinician += " (" + signedPct(*a.Percent) + ")"
	}
	src := shortSource(a.MCIDSource.Source)
	if a.MCIDSource.Scaled {
		src += ", scaled"
	}
	clinician += fmt.Sprintf("; threshold max(SDC95 %s [%d pairs], MCID %s [%s]) = %s.",
		info.change(a.SDC), noise.Pairs, info.change(a.MCID), src, info.change(a.Threshold))
	if a.PossiblePseudoRelapse {
		clinician += " Diary: " + contextWords(a.Context) + " — consider a pseudo-relapse (e.g. Uhthoff's phenomenon with heat, or infection)."
	}
	if a.Ongoing {
		clinician += " Ongoing at the latest test."
	}
	return person, clinician
}

func fmtDuration(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d h", int(d.Hours()))
	}
	return d.String()
}
