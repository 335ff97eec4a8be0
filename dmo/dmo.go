// Package dmo turns the analysis of a long, free-living recording (a
// wearable worn for a week) into per-day real-world walking summaries:
// Mobilise-D's "digital mobility outcomes" (DMOs).
//
// The definitions follow the Mobilise-D consortium:
//
//   - Kluge F, Del Din S, Cereatti A, et al. Consensus based framework for
//     digital mobility monitoring. PLoS ONE 16(8):e0256541, 2021 — a walking
//     bout (WB) is a sequence of at least two consecutive strides, and
//     strides separated by a break of up to 3 s belong to the same bout;
//   - Mazzà C, Alcock L, Aminian K, et al. Technical validation of
//     real-world monitoring of gait: a multicentric observational study. BMJ
//     Open 11:e050785, 2021 — the DMOs and their grouping by bout duration;
//   - Micó-Amigo ME, Bonci T, Paraschiv-Ionescu A, et al. Assessing
//     real-world gait with digital technology? Validation, insights and
//     recommendations from the Mobilise-D consortium. J NeuroEng Rehabil
//     20:78, 2023 — the validated pipeline whose aggregation is implemented
//     in mobgap's MobilisedAggregator (github.com/mobilise-d/mobgap,
//     mobgap/aggregation/_mobilised_aggregator.py), which this package
//     mirrors.
//
// Per day, over the walking bouts that start on that day: their number,
// total walking time, total steps and turns; bout duration as median
// ("wbdur_all_avg"), 90th percentile ("wbdur_all_max") and coefficient of
// variation; and the mean, 90th percentile and coefficient of variation of
// cadence, stride duration, walking speed and stride length over every bout
// and over the bouts lasting more than 10 s, 10–30 s, more than 30 s and more
// than 60 s (duration classes as in mobgap: "> 10", "> 10 and ≤ 30", "> 30",
// "> 60"). Means are unweighted means over bouts; percentiles interpolate
// linearly between order statistics (numpy's default, the one mobgap uses);
// the coefficient of variation is the sample standard deviation (n − 1) over
// the mean. Day.Mobilised gives the values under mobgap's names.
//
// The package does no I/O: it takes a *gait.Result and the wall-clock time
// of the Result's t = 0, and the time zone whose midnights separate the
// days.
package dmo

import (
	"math"
	"slices"
	"sort"
	"time"

	"legwork/gait"
)

// MaxBreakS is the longest pause between two bouts found by the analysis
// that still joins them into one walking bout (Kluge et al. 2021: "the
// maximum resting period between consecutive strides" is 3 s).
const MaxBreakS = 3.0

// Options say when the recording started and where its days begin.
type Options struct {
	// Start is the wall-clock instant of t = 0 on the Result's time axis
	// (the first sample, for legwork's readers). A device whose clock has
	// no time zone (Axivity) gives a naive time: place it with Localize.
	Start time.Time
	// Location gives the local midnights that separate the days (nil =
	// UTC). A fixed offset is time.FixedZone; daylight-saving changes are
	// honoured with a zone from time.LoadLocation (a 23- or 25-hour day).
	Location *time.Location
	// MaxBreakS joins bouts separated by at most this pause (default
	// MaxBreakS; negative: never join).
	MaxBreakS float64
}

// Localize reads a naive wall-clock time (a time whose clock fields are the
// device's local time, whatever its location says) as a time in loc.
func Localize(naive time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	return time.Date(naive.Year(), naive.Month(), naive.Day(), naive.Hour(), naive.Minute(), naive.Second(), naive.Nanosecond(), loc)
}

// Stats summarises one parameter over a group of bouts. Values are NA when
// no bout of the group has the parameter (CV also with fewer than two).
type Stats struct {
	N      int        `json:"n"` // bouts with a value
	Mean   gait.Value `json:"mean"`
	Median gait.Value `json:"median"`
	P90    gait.Value `json:"p90"`
	CV     gait.Value `json:"cv"` // sample SD / mean, a fraction
}

// Group holds the bouts of one duration class within a day.
type Group struct {
	// Name is "all", "10", "10_30", "30" or "60" (mobgap's suffixes).
	Name string `json:"name"`
	// MinS < duration ≤ MaxS selects the bouts (MaxS is +Inf for the open
	// classes; "all" has MinS = −Inf).
	MinS float64 `json:"-"`
	MaxS float64 `json:"-"`

	Bouts        int     `json:"bouts"`
	Steps        int     `json:"steps"`
	WalkingTimeS float64 `json:"walking_time_s"`

	DurationS       Stats `json:"duration_s"`
	CadenceSPM      Stats `json:"cadence_spm"`
	StrideTimeS     Stats `json:"stride_time_s"`
	WalkingSpeedMPS Stats `json:"walking_speed_mps"`
	StrideLengthM   Stats `json:"stride_length_m"`
}

// The duration classes, in Day.Groups order.
const (
	GroupAll = iota
	Group10
	Group10to30
	Group30
	Group60
	numGroups
)

var groupDefs = [numGroups]struct {
	name       string
	minS, maxS float64
}{
	{"all", math.Inf(-1), math.Inf(1)},
	{"10", 10, math.Inf(1)},
	{"10_30", 10, 30},
	{"30", 30, math.Inf(1)},
	{"60", 60, math.Inf(1)},
}

// Day is one calendar day's summary.
type Day struct {
	Date  string    `json:"date"` // YYYY-MM-DD in Options.Location
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// RecordedS is how much of the day the recording covers (gaps in the
	// sampling excluded): a day with little coverage says little.
	RecordedS float64 `json:"recorded_s"`
	// Turns counts the turns that start inside the day's walking bouts (NA
	// without a gyroscope).
	Turns  gait.Value       `json:"turns"`
	Groups [numGroups]Group `json:"groups"`
}

// Bout is a walking bout after joining: what the day summaries are made of.
type Bout struct {
	StartS, EndS    float64
	Steps           int
	CadenceSPM      gait.Value
	StrideTimeS     gait.Value
	WalkingSpeedMPS gait.Value
	StrideLengthM   gait.Value
	Turns           int
}

// DurationS is the bout's duration, first to last initial contact.
func (b *Bout) DurationS() float64 { return b.EndS - b.StartS }

// Bouts joins the Result's bouts separated by at most maxBreakS (a
// negative value joins none) into walking bouts. A joined bout's steps add
// up; its cadence and stride time are step-weighted means of its parts',
// its speed is total distance over total time of the parts that have one,
// and its stride length the step-weighted mean. Turns are counted into the
// bout they start in.
func Bouts(res *gait.Result, maxBreakS float64) []Bout {
	var out []Bout
	var acc struct {
		cadSum, cadW, strSum, strW, distSum, timeSum, slSum, slW float64
	}
	flush := func(b *Bout) {
		b.CadenceSPM, b.StrideTimeS, b.WalkingSpeedMPS, b.StrideLengthM = gait.NA, gait.NA, gait.NA, gait.NA
		if acc.cadW > 0 {
			b.CadenceSPM = gait.Value(acc.cadSum / acc.cadW)
		}
		if acc.strW > 0 {
			b.StrideTimeS = gait.Value(acc.strSum / acc.strW)
		}
		if acc.timeSum > 0 {
			b.WalkingSpeedMPS = gait.Value(acc.distSum / acc.timeSum)
		}
		if acc.slW > 0 {
			b.StrideLengthM = gait.Value(acc.slSum / acc.slW)
		}
		acc = struct{ cadSum, cadW, strSum, strW, distSum, timeSum, slSum, slW float64 }{}
	}
	var cur *Bout
	for i := range res.Bouts {
		gb := &res.Bouts[i]
		if cur != nil && (maxBreakS < 0 || gb.StartS-cur.EndS > maxBreakS) {
			flush(cur)
			cur = nil
		}
		if cur == nil {
			out = append(out, Bout{StartS: gb.StartS, EndS: gb.EndS})
			cur = &out[len(out)-1]
		}
		cur.EndS = max(cur.EndS, gb.EndS)
		cur.Steps += gb.Steps
		w := float64(gb.Steps)
		if gb.CadenceSPM.Valid() {
			acc.cadSum += w * float64(gb.CadenceSPM)
			acc.cadW += w
		}
		if gb.StrideTimeS.Valid() {
			acc.strSum += w * float64(gb.StrideTimeS)
			acc.strW += w
		}
		if d := gb.EndS - gb.StartS; gb.WalkingSpeedMPS.Valid() && d > 0 {
			acc.distSum += float64(gb.WalkingSpeedMPS) * d
			acc.timeSum += d
		}
		if gb.StrideLengthM.Valid() {
			acc.slSum += w * float64(gb.StrideLengthM)
			acc.slW += w
		}
	}
	if cur != nil {
		flush(cur)
	}
	// Turns, into the bout they start in.
	for _, t := range res.Turns {
		k := sort.Search(len(out), func(i int) bool { return out[i].EndS >= t.StartS })
		if k < len(out) && out[k].StartS <= t.StartS {
			out[k].Turns++
		}
	}
	return out
}

// Days summarises res day by day, from the day the recording starts to the
// day it ends (days without walking included, with zero counts). A bout
// belongs to the day it starts in.
func Days(res *gait.Result, opt Options) []Day {
	loc := opt.Location
	if loc == nil {
		loc = time.UTC
	}
	maxBreak := opt.MaxBreakS
	if maxBreak == 0 {
		maxBreak = MaxBreakS
	}
	bouts := Bouts(res, maxBreak)
	start := opt.Start.In(loc)
	end := start.Add(time.Duration(res.DurationS * float64(time.Second)))
	var days []Day
	for d := midnight(start); d.Before(end) || len(days) == 0; d = d.AddDate(0, 0, 1) {
		next := d.AddDate(0, 0, 1)
		day := Day{Date: d.Format("2006-01-02"), Start: d, End: next}
		// coverage
		a, b := secondsSince(opt.Start, d), secondsSince(opt.Start, next)
		day.RecordedS = overlap(a, b, 0, res.DurationS)
		for _, g := range res.Sampling.Gaps {
			day.RecordedS -= overlap(a, b, max(g.StartS, 0), min(g.EndS, res.DurationS))
		}
		day.RecordedS = max(day.RecordedS, 0)
		var in []Bout
		turns := 0
		for _, bt := range bouts {
			if bt.StartS >= a && bt.StartS < b {
				in = append(in, bt)
				turns += bt.Turns
			}
		}
		day.Turns = gait.NA
		if res.HasGyro {
			day.Turns = gait.Value(turns)
		}
		for g := range day.Groups {
			day.Groups[g] = summarise(in, g)
		}
		days = append(days, day)
	}
	return days
}

func midnight(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}

func secondsSince(t0, t time.Time) float64 { return t.Sub(t0).Seconds() }

func overlap(a, b, c, d float64) float64 { return max(0, min(b, d)-max(a, c)) }

func summarise(bouts []Bout, g int) Group {
	def := groupDefs[g]
	grp := Group{Name: def.name, MinS: def.minS, MaxS: def.maxS}
	var dur, cad, str, ws, sl []float64
	for i := range bouts {
		b := &bouts[i]
		d := b.DurationS()
		if !(d > def.minS && d <= def.maxS) {
			continue
		}
		grp.Bouts++
		grp.Steps += b.Steps
		grp.WalkingTimeS += d
		dur = append(dur, d)
		cad = appendValid(cad, b.CadenceSPM)
		str = appendValid(str, b.StrideTimeS)
		ws = appendValid(ws, b.WalkingSpeedMPS)
		sl = appendValid(sl, b.StrideLengthM)
	}
	grp.DurationS = stats(dur)
	grp.CadenceSPM = stats(cad)
	grp.StrideTimeS = stats(str)
	grp.WalkingSpeedMPS = stats(ws)
	grp.StrideLengthM = stats(sl)
	return grp
}

func appendValid(x []float64, v gait.Value) []float64 {
	if v.Valid() {
		return append(x, float64(v))
	}
	return x
}

// stats computes the summary of x (which it sorts).
func stats(x []float64) Stats {
	s := Stats{N: len(x), Mean: gait.NA, Median: gait.NA, P90: gait.NA, CV: gait.NA}
	if len(x) == 0 {
		return s
	}
	slices.Sort(x)
	sum := 0.0
	for _, v := range x {
		sum += v
	}
	mean := sum / float64(len(x))
	s.Mean = gait.Value(mean)
	s.Median = gait.Value(Quantile(x, 0.5))
	s.P90 = gait.Value(Quantile(x, 0.9))
	if len(x) > 1 && mean != 0 {
		ss := 0.0
		for _, v := range x {
			ss += (v - mean) * (v - mean)
		}
		s.CV = gait.Value(math.Sqrt(ss/float64(len(x)-1)) / mean)
	}
	return s
}

// Quantile returns the q-quantile of sorted x, interpolating linearly
// between order statistics at position q·(n − 1) (Hyndman & Fan's type 7,
// numpy's and R's default). x must be sorted and non-empty.
func Quantile(sorted []float64, q float64) float64 {
	n := len(sorted)
	pos := q * float64(n-1)
	i := int(math.Floor(pos))
	if i >= n-1 {
		return sorted[n-1]
	}
	if i < 0 {
		return sorted[0]
	}
	f := pos - float64(i)
	return sorted[i] + f*(sorted[i+1]-sorted[i])
}

// Mobilised returns the day's outcomes under the names mobgap's
// MobilisedAggregator gives them, in its units (walkdur_all_sum in hours,
// stride lengths in cm; counts as numbers). Unavailable values are NaN.
func (d *Day) Mobilised() map[string]float64 {
	all, g10, g1030, g30, g60 := &d.Groups[GroupAll], &d.Groups[Group10], &d.Groups[Group10to30], &d.Groups[Group30], &d.Groups[Group60]
	f := func(v gait.Value) float64 { return float64(v) }
	return map[string]float64{
		"wb_all_sum":      float64(all.Bouts),
		"walkdur_all_sum": all.WalkingTimeS / 3600,
		"steps_all_sum":   float64(all.Steps),
		"turns_all_sum":   f(d.Turns),
		"wbdur_all_avg":   f(all.DurationS.Median),
		"wbdur_all_max":   f(all.DurationS.P90),
		"wbdur_all_var":   f(all.DurationS.CV),
		"cadence_all_avg": f(all.CadenceSPM.Mean),
		"strdur_all_avg":  f(all.StrideTimeS.Mean),
		"cadence_all_var": f(all.CadenceSPM.CV),
		"strdur_all_var":  f(all.StrideTimeS.CV),
		"wb_1030_sum":     float64(g1030.Bouts),
		"ws_1030_avg":     f(g1030.WalkingSpeedMPS.Mean),
		"strlen_1030_avg": f(g1030.StrideLengthM.Mean) * 100,
		"wb_10_sum":       float64(g10.Bouts),
		"ws_10_max":       f(g10.WalkingSpeedMPS.P90),
		"wb_30_sum":       float64(g30.Bouts),
		"ws_30_avg":       f(g30.WalkingSpeedMPS.Mean),
		"strlen_30_avg":   f(g30.StrideLengthM.Mean) * 100,
		"cadence_30_avg":  f(g30.CadenceSPM.Mean),
		"strdur_30_avg":   f(g30.StrideTimeS.Mean),
		"ws_30_max":       f(g30.WalkingSpeedMPS.P90),
		"cadence_30_max":  f(g30.CadenceSPM.P90),
		"ws_30_var":       f(g30.WalkingSpeedMPS.CV),
		"strlen_30_var":   f(g30.StrideLengthM.CV),
		"wb_60_sum":       float64(g60.Bouts),
	}
}

// Metrics returns the day's outcomes under legwork metric names (the
// suffix gives the unit), ready to be stored as the metrics of a
// legwork.Assessment dated at the day's start (test type "walk", source
// the importer) so that trends, exports and FHIR treat them like any other
// metric. Only available values are included; a day without bouts has the
// counts only.
//
//	steps_per_day, walking_bouts, walking_time_per_day_s, recorded_s,
//	bout_duration_median_s, bout_duration_p90_s, and for the bouts over
//	10 s, 30 s and 60 s (N = 10, 30, 60): walking_bouts_over_Ns,
//	cadence_over_Ns_mean_spm, cadence_over_Ns_p90_spm,
//	walking_speed_over_Ns_mean_mps, walking_speed_over_Ns_p90_mps
func (d *Day) Metrics() map[string]float64 {
	all := &d.Groups[GroupAll]
	m := map[string]float64{
		"steps_per_day":          float64(all.Steps),
		"walking_bouts":          float64(all.Bouts),
		"walking_time_per_day_s": all.WalkingTimeS,
		"recorded_s":             d.RecordedS,
	}
	put := func(name string, v gait.Value) {
		if v.Valid() {
			m[name] = float64(v)
		}
	}
	put("bout_duration_median_s", all.DurationS.Median)
	put("bout_duration_p90_s", all.DurationS.P90)
	for _, g := range []struct {
		idx  int
		name string
	}{{Group10, "10"}, {Group30, "30"}, {Group60, "60"}} {
		grp := &d.Groups[g.idx]
		m["walking_bouts_over_"+g.name+"s"] = float64(grp.Bouts)
		put("cadence_over_"+g.name+"s_mean_spm", grp.CadenceSPM.Mean)
		put("cadence_over_"+g.name+"s_p90_spm", grp.CadenceSPM.P90)
		put("walking_speed_over_"+g.name+"s_mean_mps", grp.WalkingSpeedMPS.Mean)
		put("walking_speed_over_"+g.name+"s_p90_mps", grp.WalkingSpeedMPS.P90)
	}
	return m
}
