package insights

import (
	"fmt"
	"math"
	"sort"
	"time"
)

// BaselineOptions chooses the baseline period.
type BaselineOptions struct {
	// From and To, when both are set, give the baseline period [From, To)
	// explicitly (local calendar days), e.g. a stable period the person or
	// clinician chose.
	From *time.Time `json:"from,omitempty"`
	To   *time.Time `json:"to,omitempty"`
	// Weeks is the default baseline length from the first test (4).
	Weeks int `json:"weeks"`
	// MinDays is the minimum number of daily values (3).
	MinDays int `json:"min_days"`
	// MaxWeeks is how far the default period may be extended to reach
	// MinDays daily values (12).
	MaxWeeks int `json:"max_weeks"`
	// Relapses are the person's relapse treatments (Period.Kind
	// relapse_treatment; other kinds are ignored). A default baseline
	// leaves out the daily values of each one's relapse window, from
	// RelapseDaysBefore days before its start through RelapseDaysAfter − 1
	// days after it, and so does the noise estimate from it
	// ([EstimateNoise]): results in a relapse and its recovery are not
	// the person's usual level, and their large day-to-day swings would
	// make the SDC so wide that a later worsening reads as noise. A
	// baseline given by From and To is kept as given; its Note says when
	// it holds days of a relapse window. Compute passes the relapse
	// treatments of its Input.
	Relapses []Period `json:"-"`
	// RelapseDaysBefore is how many days before a relapse treatment's
	// start its relapse window begins (7: a relapse usually starts some
	// days before it is treated); RelapseDaysAfter is its length from the
	// start (30: the quiet period). Compute uses the alert rule's
	// RelapseLevelDays and RelapseQuietDays when they are 0, so that the
	// baseline leaves out the days the alert rule treats as the relapse.
	RelapseDaysBefore int `json:"relapse_days_before"`
	RelapseDaysAfter  int `json:"relapse_days_after"`
}

// DefaultBaselineOptions returns the defaults: the first 4 weeks, at least
// 3 days with tests, extended to at most 12 weeks; relapse windows from 7
// days before a relapse treatment's start to 30 days after it.
func DefaultBaselineOptions() BaselineOptions {
	return BaselineOptions{Weeks: 4, MinDays: 3, MaxWeeks: 12, RelapseDaysBefore: 7, RelapseDaysAfter: 30}
}

// RelapseWindow is the relapse window of a relapse treatment that
// overlaps a baseline period: [From, To), and the daily values in it that
// lie in the baseline period or, for a default baseline, before it.
type RelapseWindow struct {
	Relapse Period    `json:"relapse"`
	From    time.Time `json:"from"`
	To      time.Time `json:"to"` // exclusive
	Days    int       `json:"days"`
}

// Baseline is a person's usual level of one series: a robust centre and
// spread of the daily values in the baseline period.
type Baseline struct {
	From time.Time `json:"from"` // first day
	To   time.Time `json:"to"`   // day after the last day (exclusive)
	Days int       `json:"days"` // daily values in the period
	// Median is the median of the daily values (the reference for change).
	Median float64 `json:"median"`
	// SD is the robust standard deviation of the daily values
	// ([RobustScale]: 1.4826·MAD, with a fallback for rounded data).
	SD float64 `json:"sd"`
	// Q1 and Q3 are the quartiles (Hyndman–Fan type 7).
	Q1 float64 `json:"q1"`
	Q3 float64 `json:"q3"`
	// Given is true when the caller chose the period.
	Given bool `json:"given,omitempty"`
	// Extended is true when the default period was lengthened to reach
	// the minimum number of days.
	Extended bool `json:"extended,omitempty"`
	// Relapses lists the relapse windows (BaselineOptions.Relapses) that
	// hold daily values of the baseline period, or for a default baseline
	// also before it (a series that began in a relapse): left out of a
	// default baseline (not counted in Days above), kept in a given one.
	// Note says so in words, for the person.
	Relapses []RelapseWindow `json:"relapses,omitempty"`
	Note     string          `json:"note,omitempty"`

	// skip holds every relapse window, [from, to) in local days, whose
	// daily values a default baseline and its noise estimate leave out.
	skip [][2]int
}

// skipped reports whether the day lies in a window b leaves out.
func (b Baseline) skipped(day int) bool {
	for _, w := range b.skip {
		if day >= w[0] && day < w[1] {
			return true
		}
	}
	return false
}

// days returns the baseline's local day range [from, to).
func (b Baseline) days() (from, to int) { return DayIndex(b.From, time.UTC), DayIndex(b.To, time.UTC) }

// EstimateBaseline computes the baseline of daily values (oldest first,
// see [DailyValues]). The default period starts at the first daily value
// and lasts opt.Weeks weeks; when it holds fewer than opt.MinDays daily
// values it is extended to the opt.MinDays-th daily value, if that lies
// within opt.MaxWeeks weeks. ok is false when there are not enough daily
// values. Zero options take the defaults.
//
// The default period leaves out the daily values in the relapse window of
// every relapse treatment in opt.Relapses (RelapseDaysBefore days before
// its start to RelapseDaysAfter days after): it starts at the first daily
// value outside them, and only the values outside them count, towards
// MinDays too, so a period that a relapse cuts short is extended past it.
// A period given by From and To is used as given, relapse or not; the
// Note says when it holds days of a relapse window.
//
// The centre is the median and the spread the scaled median absolute
// deviation (Rousseeuw & Croux 1993), so that a single unusual day in the
// baseline weeks does not move it.
func EstimateBaseline(days []DailyValue, opt BaselineOptions, loc *time.Location) (Baseline, bool) {
	def := DefaultBaselineOptions()
	if opt.Weeks <= 0 {
		opt.Weeks = def.Weeks
	}
	if opt.MinDays <= 0 {
		opt.MinDays = def.MinDays
	}
	if opt.MaxWeeks < opt.Weeks {
		opt.MaxWeeks = max(def.MaxWeeks, opt.Weeks)
	}
	if opt.RelapseDaysBefore <= 0 {
		opt.RelapseDaysBefore = def.RelapseDaysBefore
	}
	if opt.RelapseDaysAfter <= 0 {
		opt.RelapseDaysAfter = def.RelapseDaysAfter
	}
	var b Baseline
	if len(days) == 0 {
		return b, false
	}
	// The relapse windows, and the daily values outside them.
	var relapses []Period
	for _, p := range opt.Relapses {
		if p.Kind == KindRelapseTreatment {
			S := DayIndex(p.Start, loc)
			b.skip = append(b.skip, [2]int{S - opt.RelapseDaysBefore, S + opt.RelapseDaysAfter})
			relapses = append(relapses, p)
		}
	}
	given := opt.From != nil && opt.To != nil
	usable := days
	if !given && len(b.skip) > 0 {
		usable = make([]DailyValue, 0, len(days))
		for _, d := range days {
			if !b.skipped(d.Day) {
				usable = append(usable, d)
			}
		}
	}
	var from, to int
	switch {
	case given:
		from, to = DayIndex(*opt.From, loc), DayIndex(*opt.To, loc)
		b.Given = true
	case len(usable) == 0:
		// Every test so far is in a relapse window.
		from, to = days[0].Day, days[0].Day+7*opt.Weeks
	default:
		// From the first usable day; when a relapse window keeps the
		// baseline from its MinDays within MaxWeeks, start again after
		// that window (the person's usual level is then the one after
		// the relapse).
		i := 0
		for {
			from = usable[i].Day
			to = from + 7*opt.Weeks
			if w := dayWindow(usable, from, to); len(w) >= opt.MinDays || len(usable)-i < opt.MinDays {
				break
			}
			if need := usable[i+opt.MinDays-1].Day + 1; need <= from+7*opt.MaxWeeks {
				to = need
				b.Extended = true
				break
			}
			next := -1
			for _, sk := range b.skip {
				if sk[0] > from && sk[0] < from+7*opt.MaxWeeks {
					if k := sort.Search(len(usable), func(k int) bool { return usable[k].Day >= sk[1] }); k < len(usable) && (next < 0 || k < next) {
						next = k
					}
				}
			}
			if next <= i {
				break
			}
			i = next
		}
	}
	// The windows that hold daily values of the period, or (default
	// baselines) before it: those it starts after.
	first := from
	if !given {
		first = min(from, days[0].Day)
	}
	for i, p := range relapses {
		wf, wt := max(b.skip[i][0], first), min(b.skip[i][1], to)
		if n := len(dayWindow(days, wf, wt)); n > 0 {
			b.Relapses = append(b.Relapses, RelapseWindow{Relapse: p, From: dayDate(b.skip[i][0]), To: dayDate(b.skip[i][1]), Days: n})
		}
	}
	if given {
		b.skip = nil
	}
	w := dayWindow(usable, from, to)
	b.From, b.To = dayDate(from), dayDate(to)
	b.Days = len(w)
	b.Note = baselineNote(b, loc)
	if len(w) < opt.MinDays || len(w) == 0 {
		return b, false
	}
	v := values(w)
	b.Median = Median(v)
	b.SD, _ = RobustScale(v)
	b.Q1, b.Q3 = Quantile(0.25, v), Quantile(0.75, v)
	return b, true
}

// baselineNote words b.Relapses for the person: what a default baseline
// left out (and why), or that a given one holds days of a relapse window.
func baselineNote(b Baseline, loc *time.Location) string {
	if len(b.Relapses) == 0 {
		return ""
	}
	var parts []string
	for _, r := range b.Relapses {
		what := "started " + flocal(r.Relapse.Start, loc)
		if r.Relapse.Name != "" {
			what = r.Relapse.Name + ", " + what
		}
		parts = append(parts, fmt.Sprintf("%s from %s to %s around your relapse treatment (%s)",
			count(r.Days, "test day", "test days"), fdate(r.From), fdate(r.To.AddDate(0, 0, -1)), what))
	}
	span := fmt.Sprintf("%s to %s", fdate(b.From), fdate(b.To.AddDate(0, 0, -1)))
	if b.Given {
		return fmt.Sprintf("Your baseline was chosen by hand (%s) and holds the %s. They are kept as chosen, so results from a relapse and the recovery from it count in your usual level and in your day-to-day variation.",
			span, joinAnd(parts))
	}
	note := fmt.Sprintf("Your baseline (%s) and your day-to-day variation leave out the %s: results during a relapse and the recovery from it are not your usual level.", span, joinAnd(parts))
	if b.Extended {
		note += fmt.Sprintf(" The baseline was extended to %s so that it has %s outside them.", fdate(b.To.AddDate(0, 0, -1)), count(b.Days, "test day", "test days"))
	}
	return note
}

// NoiseOptions controls the measurement-noise estimate.
type NoiseOptions struct {
	// MinPairs is the minimum number of successive pairs (3).
	MinPairs int `json:"min_pairs"`
	// MaxGapDays: successive daily values further apart do not form a pair
	// (14).
	MaxGapDays int `json:"max_gap_days"`
	// RobustFrom is the number of pairs from which the robust estimator is
	// used instead of the sample SD (10).
	RobustFrom int `json:"robust_from"`
	// MaxWeeks: when the baseline period has fewer than MinPairs pairs,
	// the noise period is extended past it, to at most MaxWeeks weeks from
	// the baseline start (12).
	MaxWeeks int `json:"max_weeks"`
}

// DefaultNoiseOptions returns the defaults.
func DefaultNoiseOptions() NoiseOptions {
	return NoiseOptions{MinPairs: 3, MaxGapDays: 14, RobustFrom: 10, MaxWeeks: 12}
}

// Noise is a person's own test–retest variability of one series and the
// smallest change that exceeds it.
type Noise struct {
	// From and To are the period used, [From, To).
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Pairs is the number of successive daily-value pairs used.
	Pairs int `json:"pairs"`
	// LeftOut is the number of daily values of the period left out
	// because they lie in a relapse window of a default baseline
	// (BaselineOptions.Relapses).
	LeftOut int `json:"left_out,omitempty"`
	// SDDiff is the standard deviation of the successive differences.
	SDDiff float64 `json:"sd_diff"`
	// SEM is the standard error of measurement, SDDiff/√2.
	SEM float64 `json:"sem"`
	// SDC95 is the smallest detectable change, 1.96·√2·SEM.
	SDC95 float64 `json:"sdc95"`
	// SDC95Pct is SDC95 as a percentage of the baseline median.
	SDC95Pct *float64 `json:"sdc95_pct,omitempty"`
	// Robust is true when SDDiff is the robust scale of the differences
	// ([RobustScale]), false when it is their sample SD (fewer than
	// RobustFrom pairs); Estimator names it: "mad", "mean_abs_dev" or
	// "sd".
	Robust    bool   `json:"robust"`
	Estimator string `json:"estimator"`
	// LowPrecision is true when fewer than RobustFrom pairs were
	// available: the estimate is then rough.
	LowPrecision bool `json:"low_precision,omitempty"`
	// NoSpread is true when the differences have no spread at all (most
	// often: every result in the period was the same, as with a value a
	// phone updates only now and then). The noise is then below what the
	// results resolve and cannot be estimated: EstimateNoise reports no
	// estimate rather than an SDC of 0, by which any later change would
	// look real.
	NoSpread bool `json:"no_spread,omitempty"`
}

// EstimateNoise estimates the measurement noise from the successive
// differences d_i = v_{i+1} − v_i of the daily values in the baseline
// period, taken only between values at most opt.MaxGapDays apart. When
// the baseline period has fewer than opt.MinPairs pairs, the period is
// extended past it, daily value by daily value, up to opt.MaxWeeks weeks
// from the baseline start (a weekly tester has only 3 pairs in 4 weeks).
// In a stable period d_i contains two independent measurement errors, so
//
//	SEM   = SD(d)/√2,
//	SDC95 = 1.96·√2·SEM = 1.96·SD(d)
//
// (de Vet, Terwee, Knol & Bouter, "When to use agreement versus
// reliability measures", J Clin Epidemiol 59:1033–1039, 2006; Beckerman et
// al., "Smallest real difference, a link between reproducibility and
// responsiveness", Qual Life Res 10:571–578, 2001). Successive
// differences are insensitive to a slow drift of the true level (von
// Neumann, Kent, Bellinson & Hart, "The mean square successive
// difference", Ann Math Stat 12:153–162, 1941). SD(d) is the robust
// 1.4826·MAD(d) from opt.RobustFrom pairs on, so that one unusual day
// does not inflate it, and the sample SD below that, where the MAD is too
// unstable. When at least half of the differences are equal (rounded
// values) the MAD is zero, and [RobustScale] falls back to the scaled mean
// absolute deviation. ok is false with fewer than
// opt.MinPairs pairs, and when the differences have no spread (NoSpread).
//
// The daily values a default baseline leaves out for a relapse treatment
// (see [EstimateBaseline]; base must be the Baseline it returned) are left
// out here too, and no pair spans them: a relapse and the recovery from
// it are change, not measurement noise.
func EstimateNoise(days []DailyValue, base Baseline, opt NoiseOptions) (Noise, bool) {
	def := DefaultNoiseOptions()
	if opt.MinPairs <= 0 {
		opt.MinPairs = def.MinPairs
	}
	if opt.MaxGapDays <= 0 {
		opt.MaxGapDays = def.MaxGapDays
	}
	if opt.RobustFrom <= 0 {
		opt.RobustFrom = def.RobustFrom
	}
	if opt.MaxWeeks <= 0 {
		opt.MaxWeeks = def.MaxWeeks
	}
	from, to := base.days()
	// The whole baseline, however long a given one is; past it, up to
	// MaxWeeks from its start when it has too few pairs.
	all := dayWindow(days, from, max(to, from+7*opt.MaxWeeks))
	d := make([]float64, 0, len(all))
	end := to
	leftOut := 0
	prev := -1 // index in all of the previous value not left out, −1 after a left-out one
	for i := range all {
		if all[i].Day >= to && len(d) >= opt.MinPairs {
			break
		}
		if i > 0 {
			end = max(end, all[i].Day+1)
		}
		if base.skipped(all[i].Day) {
			leftOut++
			prev = -1
			continue
		}
		if prev >= 0 && all[i].Day-all[prev].Day <= opt.MaxGapDays {
			d = append(d, all[i].Value-all[prev].Value)
		}
		prev = i
	}
	nz := Noise{From: dayDate(from), To: dayDate(end), Pairs: len(d), LeftOut: leftOut}
	if len(d) < opt.MinPairs || len(d) < 2 {
		return nz, false
	}
	if len(d) >= opt.RobustFrom {
		nz.SDDiff, nz.Estimator = RobustScale(d)
		nz.Robust = true
	} else {
		nz.SDDiff, nz.Estimator = sampleSD(d), "sd"
		nz.LowPrecision = true
	}
	if !(nz.SDDiff > 0) {
		nz.NoSpread = true
		return nz, false
	}
	nz.SEM = nz.SDDiff / math.Sqrt2
	nz.SDC95 = 1.96 * math.Sqrt2 * nz.SEM
	if base.Median != 0 {
		nz.SDC95Pct = fptr(100 * nz.SDC95 / math.Abs(base.Median))
	}
	return nz, true
}
