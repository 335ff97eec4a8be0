package insights

import (
	"math"
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
}

// DefaultBaselineOptions returns the defaults: the first 4 weeks, at least
// 3 days with tests, extended to at most 12 weeks.
func DefaultBaselineOptions() BaselineOptions {
	return BaselineOptions{Weeks: 4, MinDays: 3, MaxWeeks: 12}
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
	var b Baseline
	if len(days) == 0 {
		return b, false
	}
	var from, to int
	if opt.From != nil && opt.To != nil {
		from, to = DayIndex(*opt.From, loc), DayIndex(*opt.To, loc)
		b.Given = true
	} else {
		from = days[0].Day
		to = from + 7*opt.Weeks
		if w := dayWindow(days, from, to); len(w) < opt.MinDays && len(days) >= opt.MinDays {
			need := days[opt.MinDays-1].Day + 1
			if need <= from+7*opt.MaxWeeks {
				to = need
				b.Extended = true
			}
		}
	}
	w := dayWindow(days, from, to)
	b.From, b.To = dayDate(from), dayDate(to)
	b.Days = len(w)
	if len(w) < opt.MinDays || len(w) == 0 {
		return b, false
	}
	v := values(w)
	b.Median = Median(v)
	b.SD, _ = RobustScale(v)
	b.Q1, b.Q3 = Quantile(0.25, v), Quantile(0.75, v)
	return b, true
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
	for i := 1; i < len(all); i++ {
		if all[i].Day >= to && len(d) >= opt.MinPairs {
			break
		}
		if all[i].Day-all[i-1].Day <= opt.MaxGapDays {
			d = append(d, all[i].Value-all[i-1].Value)
		}
		end = max(end, all[i].Day+1)
	}
	nz := Noise{From: dayDate(from), To: dayDate(end), Pairs: len(d)}
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
