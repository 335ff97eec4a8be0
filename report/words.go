package report

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"legwork"
	"legwork/insights"
)

// mainMetrics are the measures a report shows first, in this order, as
// (metric, test type): the ones a neurologist or physiotherapist reads
// first, then the daily-living summaries of wearables and phones.
var mainMetrics = []struct{ metric, test string }{
	{"t25fw_time_s", "t25fw"},
	{"walk2min_distance_m", "walk2min"},
	{"walking_speed_mps", "walk2min"},
	{"cadence_spm", "walk2min"},
	{"stride_length_m", "walk2min"},
	{"step_time_cv_pct", "walk2min"},
	{"sts5_time_s", "sts5"},
	{"sway_rms_ms2", "balance"},
	{"sway_ec_rms_ms2", "balance"},
	{"walking_speed_mps", "walk"},
	{"steps_per_day", "walk"},
	{"walking_speed_over_10s_mean_mps", "walk"},
	{"apple_walking_speed_mps", "walk"},
	{"apple_walking_steadiness_pct", "walk"},
}

// maxCharts bounds the metric charts of a report.
const maxCharts = 8

func testName(t string) string { return legwork.TestType(t).Words() }

// seriesTitle names a series: "Walking speed (2-minute walk)", with the
// walking aid when there is one.
func seriesTitle(s *insights.SeriesReport) string {
	label := capitalise(s.Info.Label)
	ctx := testName(s.TestType)
	with := legwork.AssistiveDevice(s.Device).With()
	if with != "" {
		ctx += ", " + with
	}
	// The test is already in the label of the T25FW and 2-minute walk
	// measures.
	if strings.Contains(strings.ToLower(label), strings.ToLower(testName(s.TestType))) && with == "" {
		return label
	}
	return label + " (" + ctx + ")"
}

func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// num formats v with d decimals and a true minus sign.
func num(v float64, d int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	if math.Abs(v) < 0.5*math.Pow(10, -float64(d)) {
		v = 0
	}
	if v < 0 {
		return "−" + strconv.FormatFloat(-v, 'f', d, 64)
	}
	return strconv.FormatFloat(v, 'f', d, 64)
}

// amount formats v in the metric's unit.
func amount(info insights.MetricInfo, v float64) string {
	s := num(v, info.Decimals)
	switch info.Unit {
	case "":
		return s
	case "%":
		return s + " %"
	}
	return s + " " + info.Unit
}

// change formats a difference in the metric's unit: in percentage points
// for a metric in percent (step-time variability from 4.7 % to 5.2 % changed
// by 0.5 percentage points, 11 % of 4.7 %), as insights words it.
func change(info insights.MetricInfo, v float64) string {
	s := num(v, info.Decimals)
	return s + info.ChangeUnit(s)
}

// signedAmount formats a change with its sign.
func signedAmount(info insights.MetricInfo, v float64) string {
	if v > 0 && num(v, info.Decimals) != num(0, info.Decimals) {
		return "+" + change(info, v)
	}
	return change(info, v)
}

// pct formats a percentage with its sign: no decimals from 10 % on.
func pct(v float64) string {
	d := 1
	if math.Abs(v) >= 9.95 {
		d = 0
	}
	s := num(v, d)
	if v > 0 && s != num(0, d) {
		s = "+" + s
	}
	return s + " %"
}

// fdate formats a date; fday a date without the year when it is in year.
func fdate(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	return t.Format("2 Jan 2006")
}

// span formats a period of dates, shortening a shared year or month.
func span(from, to time.Time) string {
	switch {
	case from.Year() != to.Year():
		return fdate(from) + " – " + fdate(to)
	case from.Month() != to.Month():
		return from.Format("2 Jan") + "–" + fdate(to)
	case from.Day() != to.Day():
		return from.Format("2") + "–" + fdate(to)
	}
	return fdate(from)
}

// ci formats an estimate with its interval: "+0.12 m/s (0.05 to 0.19)".
func ci(info insights.MetricInfo, e *insights.Estimate) string {
	if e == nil {
		return "–"
	}
	return signedAmount(info, e.Value) + " (" + num(e.Low, insights.BoundDecimals(e.Low, info.Decimals)) + " to " + num(e.High, insights.BoundDecimals(e.High, info.Decimals)) + ")"
}

// direction words of a series.
func directionWords(info insights.MetricInfo) string {
	switch {
	case info.Neutral:
		return "neither direction is better"
	case info.HigherIsBetter:
		return "higher is better"
	}
	return "lower is better"
}

// shortSource returns the first author and year of each source: "Kaufman
// 2000; Hobart 2013".
func shortSource(src string) string {
	parts := strings.Split(src, ";")
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		p = strings.TrimSpace(p)
		name := p
		if i := strings.IndexAny(p, ", "); i > 0 {
			name = p[:i]
		}
		year := ""
		if i := strings.LastIndex(p, ", "); i >= 0 {
			if y := strings.TrimSpace(p[i+2:]); len(y) >= 4 {
				year = y[len(y)-4:]
			}
		}
		out = append(out, strings.TrimSpace(name+" "+year))
	}
	return strings.Join(out, "; ")
}

// thresholdText describes one direction of an MCID at a baseline, with
// that direction's own source. A threshold published in the unit keeps
// its decimals (the 2-minute walk's 2.4 m and 9.6 m, not 2 m and 10 m); a
// relative one is given in percent (16.7 %, not 17 %), with what it
// stands for when it is derived from another threshold (the T25FW time's
// 16.7 % is a 20 % faster speed), and in the unit at the baseline.
func thresholdText(info insights.MetricInfo, t *insights.Threshold, base float64) string {
	if t == nil {
		return "none published"
	}
	s := mcidAmount(info, t, t.Absolute(base))
	if t.Relative {
		s = relPct(100*t.Amount) + equivalent(t) + " = " + s
	}
	if t.Scaled {
		s += ", scaled"
	}
	return s + " (" + shortSource(t.Source) + ")"
}

// mcidAmount formats an MCID v in the metric's unit: with the metric's
// decimals, or for a threshold published in the unit with as many more
// (up to two) as it takes to show the published value.
func mcidAmount(info insights.MetricInfo, t *insights.Threshold, v float64) string {
	if t != nil && !t.Relative {
		info.Decimals = exactDecimals(t.Amount, info.Decimals, info.Decimals+2)
	}
	return change(info, v)
}

// exactDecimals returns the fewest decimals from lo to hi that show v
// without rounding (hi when none does).
func exactDecimals(v float64, lo, hi int) int {
	for d := lo; d < hi; d++ {
		p := math.Pow(10, float64(d))
		if math.Abs(math.Round(v*p)/p-v) <= 1e-9*math.Max(1, math.Abs(v)) {
			return d
		}
	}
	return hi
}

// relPct formats a relative threshold in percent: whole, or with one
// decimal when it is not (16.7 %).
func relPct(v float64) string {
	return num(v, exactDecimals(v, 0, 1)) + " %"
}

// equivalent says what a relative threshold that is not a whole percent
// stands for, from the first part of its note ("a 20 % faster speed
// (Hobart 2013), i.e. a 16.7 % shorter time" → " (a 20 % faster speed)"),
// or "" when the note does not say.
func equivalent(t *insights.Threshold) string {
	if v := 100 * t.Amount; exactDecimals(v, 0, 1) == 0 {
		return ""
	}
	what, _, ok := strings.Cut(t.Note, ", i.e.")
	if !ok {
		return ""
	}
	what = strings.TrimSpace(parenthetical.ReplaceAllString(what, ""))
	if what == "" {
		return ""
	}
	return " (" + what + ")"
}

var parenthetical = regexp.MustCompile(`\s*\([^)]*\)`)

// ratingNum formats a median of 0–10 ratings: whole, or with the one
// decimal of a half (4, 4.5), like the maximum beside it.
func ratingNum(v float64) string {
	return num(v, exactDecimals(v, 0, 1))
}

// classWords says what a change class means, in the change's direction.
func classWords(c *insights.Change) string {
	dir := c.Direction
	switch c.Class {
	case insights.ClassWithinNoise:
		return "no real change (within day-to-day variation)"
	case insights.ClassBeyondSDC:
		if c.MCID == nil {
			return "probably real change, " + dir + " (no published MCID)"
		}
		return "probably real change, " + dir + ", smaller than the MCID"
	case insights.ClassBeyondMCIDOnly:
		return "larger than the MCID (" + dir + ") but within day-to-day variation: uncertain"
	case insights.ClassBeyondBoth:
		if c.MCIDSource != nil && c.MCIDSource.Scaled {
			return "probably real change, " + dir + ", beyond the scaled MCID (a rough guide)"
		}
		return "meaningful change, " + dir
	case insights.ClassNoiseUnknown:
		return "day-to-day variation not known yet"
	}
	return c.Class
}

// qualityWords explain the quality and problem codes of recordings in
// plain words (codes of packages gait and assess; unknown codes are shown
// as they are).
var qualityWords = map[string]string{
	"too_short":              "recording too short",
	"no_walking":             "no walking found",
	"sampling_gaps":          "gaps in the sampling",
	"irregular_sampling":     "irregular sampling",
	"low_sampling_rate":      "sampling rate too low",
	"low_sample_rate":        "sampling rate too low",
	"clipped_signal":         "sensor signal clipped (saturated)",
	"unknown_placement":      "sensor placement unknown",
	"no_height":              "no height given: no stride length or speed",
	"dropped_samples":        "samples dropped by the device",
	"no_gyroscope":           "no gyroscope: turns not measured",
	"timed_walk_unreliable":  "timed walk start or end unclear",
	"placement":              "sensor placement does not suit the test",
	"interrupted":            "the test was interrupted",
	"no_turns":               "no turns found",
	"one_turn":               "only one U-turn found",
	"turned_during_walk":     "turned during the walk (the test is a straight walk)",
	"wrong_distance":         "the steps do not cover the test's distance",
	"motion_during_balance":  "movement during the balance test",
	"too_few_repetitions":    "too few repetitions",
	"one_trial":              "only one trial",
	"not_still":              "not still at the start or end",
	"segments":               "the test's markers do not fit the recording",
	"implausible":            "implausible result",
	"failed_trial":           "a trial was not completed",
	"no_sit_to_stand":        "no sit-to-stand movement found",
	"unknown_test":           "unknown test",
	"no_recording":           "no recording",
	"not_analysed":           "not scored yet (kept for a later analysis)",
	"imported_daily_summary": "daily summary from an imported file",
}

func qualityText(code string) string {
	if w, ok := qualityWords[code]; ok {
		return w
	}
	return strings.ReplaceAll(code, "_", " ")
}

// triggerWords name the diary triggers.
var triggerWords = map[string]string{
	insights.TriggerHeat:         "heat",
	insights.TriggerCold:         "cold",
	insights.TriggerNight:        "night-time",
	insights.TriggerStress:       "stress",
	insights.TriggerPoorSleep:    "poor sleep",
	insights.TriggerInfection:    "fever or infection",
	insights.TriggerOverexertion: "overexertion",
}

func triggerText(t string) string {
	if w, ok := triggerWords[t]; ok {
		return w
	}
	return strings.ReplaceAll(t, "_", " ")
}

// kindWords name the intervention kinds.
var kindWords = map[string]string{
	"physical_therapy":  "physical therapy",
	"home_exercise":     "home exercise",
	"assistive_device":  "walking aid",
	"relapse_treatment": "relapse treatment",
	"medication_change": "medication change",
	"other":             "other",
}

func kindText(k string) string {
	if w, ok := kindWords[k]; ok {
		return w
	}
	return k
}

// plural returns "1 fall", "2 falls".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// importedLabels name the measures of imported data, which package
// insights does not know (it reports them as neutral measures named after
// the metric): label, unit, decimals.
var importedLabels = map[string]struct {
	label, unit string
	decimals    int
}{
	"steps_per_day":                   {"steps per day", "steps", 0},
	"walking_bouts":                   {"walking bouts per day", "", 0},
	"walking_time_per_day_s":          {"walking time per day", "s", 0},
	"recorded_s":                      {"time recorded in the day", "s", 0},
	"bout_duration_median_s":          {"median walking bout", "s", 1},
	"bout_duration_p90_s":             {"longest walking bouts (90th percentile)", "s", 1},
	"walking_speed_over_10s_mean_mps": {"walking speed in bouts over 10 s", "m/s", 2},
	"walking_speed_over_30s_mean_mps": {"walking speed in bouts over 30 s", "m/s", 2},
	"cadence_over_10s_mean_spm":       {"cadence in bouts over 10 s", "steps/min", 0},
	"apple_walking_speed_mps":         {"walking speed (Apple Health)", "m/s", 2},
	"apple_step_length_m":             {"step length (Apple Health)", "m", 2},
	"apple_double_support_pct":        {"double support time (Apple Health)", "%", 1},
	"apple_asymmetry_pct":             {"walking asymmetry (Apple Health)", "%", 1},
	"apple_walking_steadiness_pct":    {"walking steadiness (Apple Health)", "%", 0},
	"apple_six_minute_walk_m":         {"six-minute walk distance estimate (Apple Health)", "m", 0},
	"apple_stair_ascent_speed_mps":    {"stair ascent speed (Apple Health)", "m/s", 2},
	"apple_stair_descent_speed_mps":   {"stair descent speed (Apple Health)", "m/s", 2},
}

// labelled returns the report with labels and units for the imported
// measures insights does not know (the caller's report is not changed).
func labelled(rep insights.Report) *insights.Report {
	rep.Series = slices.Clone(rep.Series)
	for i := range rep.Series {
		info := &rep.Series[i].Info
		if l, ok := importedLabels[info.Name]; ok && info.Label == info.Name {
			info.Label, info.Unit, info.Decimals = l.label, l.unit, l.decimals
		}
	}
	return &rep
}
