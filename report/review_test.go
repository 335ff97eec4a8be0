package report

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"legwork/insights"
)

// Tests of the clinical review of the report (trend-adjusted results,
// relapse treatments, MCID display, chart ticks and captions, charts left
// out, wording, the summary's scope of alerts, context).

// sectionOf returns the section of doc with the title.
func sectionOf(t *testing.T, doc *document, title string) *section {
	t.Helper()
	for i := range doc.sections {
		if doc.sections[i].title == title {
			return &doc.sections[i]
		}
	}
	if doc.summary.title == title {
		return &doc.summary
	}
	t.Fatalf("no section %q", title)
	return nil
}

// tableAfter returns the first table after the subheading that starts
// with sub in a section (the first table when sub is "").
func tableAfter(t *testing.T, s *section, sub string) *table {
	t.Helper()
	found := sub == ""
	for _, b := range s.blocks {
		if b.kind == blockSub && strings.HasPrefix(b.text, sub) {
			found = true
		}
		if found && b.kind == blockTable {
			return b.table
		}
	}
	t.Fatalf("no table after %q in %q", sub, s.title)
	return nil
}

// rowOf returns the row of a table whose first cell is first.
func rowOf(t *testing.T, tb *table, first string) []string {
	t.Helper()
	for _, r := range tb.rows {
		if r[0] == first {
			return r
		}
	}
	t.Fatalf("no row %q in a table headed %q", first, tb.head)
	return nil
}

func sectionText(s *section) string { return docText(&document{summary: *s}) }

// The Result column of an intervention says when the difference is not
// clear after allowing for a trend (the sample's physiotherapy: T25FW
// −0.3 s (−0.5 to −0.1) but trend-adjusted 0.0 s (−0.3 to 0.4)), and when
// the trend-adjusted change points the other way (cadence +2 (0.3 to 3),
// trend-adjusted −2 (−4 to −0.3)); a difference that remains says nothing
// more.
func TestReportInterventionTrendAdjusted(t *testing.T) {
	d := sample(400)
	doc, err := build(d)
	if err != nil {
		t.Fatal(err)
	}
	tb := tableAfter(t, sectionOf(t, doc, "Interventions"), "1.")
	res := func(measure string) string { r := rowOf(t, tb, measure); return r[len(r)-1] }
	if got := res("Timed 25-Foot Walk time"); !strings.HasPrefix(got, "clear difference, better") || !strings.Contains(got, "not clear after allowing for") {
		t.Errorf("T25FW result %q: want the difference called not clear after allowing for the trend", got)
	}
	if got := res("Cadence (2-minute walk)"); !strings.Contains(got, "; the other way (worse) after allowing for a steady trend") {
		t.Errorf("cadence result %q: want the trend-adjusted change pointing the other way", got)
	}
	// The T25FW effect of the physiotherapy, changed.
	set := func(f func(e *insights.InterventionEffect)) {
		for i := range d.Insights.Series {
			s := &d.Insights.Series[i]
			for j := range s.Interventions {
				if e := &s.Interventions[j]; s.Metric == "t25fw_time_s" && e.Intervention.ID == 1 {
					f(e)
				}
			}
		}
		doc, _ = build(d)
		tb = tableAfter(t, sectionOf(t, doc, "Interventions"), "1.")
	}
	est := func(v, lo, hi float64) *insights.Estimate {
		return &insights.Estimate{Value: v, Low: lo, High: hi, Level: 0.95}
	}
	// Already falling before, the same way as the shift (as insights
	// words it: it may be a trend that started earlier).
	set(func(e *insights.InterventionEffect) { e.PreTrendPerWeek = est(-0.1, -0.15, -0.05) })
	if got, want := res("Timed 25-Foot Walk time"), "clear difference, better; not clear after allowing for the earlier trend (it may be a trend that started before)"; got != want {
		t.Errorf("T25FW result %q, want %q", got, want)
	}
	// A difference that stays after allowing for the trend.
	set(func(e *insights.InterventionEffect) { e.TrendAdjusted = est(-0.3, -0.5, -0.1) })
	if got := res("Timed 25-Foot Walk time"); got != "clear difference, better" {
		t.Errorf("T25FW result %q, want %q", got, "clear difference, better")
	}
	// No clear shift, but a clear level change after allowing for a trend.
	set(func(e *insights.InterventionEffect) {
		e.Shift, e.Clear, e.BeyondMCID = est(0.2, -0.1, 0.5), false, nil
		e.TrendAdjusted = est(0.6, 0.2, 1.0)
	})
	if got, want := res("Timed 25-Foot Walk time"), "no clear difference; clear after allowing for a steady trend (worse)"; got != want {
		t.Errorf("T25FW result %q, want %q", got, want)
	}
}

// Before/after comparisons around a relapse treatment are not judged:
// the relapse itself changes the measures. The numbers stay.
func TestReportRelapseTreatmentNotJudged(t *testing.T) {
	doc, err := build(sample(400))
	if err != nil {
		t.Fatal(err)
	}
	sec := sectionOf(t, doc, "Interventions")
	tb := tableAfter(t, sec, "2.")
	for _, r := range tb.rows {
		res := r[len(r)-1]
		if !strings.HasPrefix(res, "not judged: the relapse itself changes these measures") || strings.Contains(res, "worse") || strings.Contains(res, "better") {
			t.Errorf("%s: result %q", r[0], res)
		}
	}
	if r := rowOf(t, tb, "Timed 25-Foot Walk time"); !strings.Contains(r[3], "+2.5 s (2.3 to 2.6)") {
		t.Errorf("the numbers are gone: %q", r)
	}
	// The physiotherapy, months before, is judged.
	if r := rowOf(t, tableAfter(t, sec, "1."), "Stride length (2-minute walk)"); strings.HasPrefix(r[len(r)-1], "not judged") {
		t.Errorf("physiotherapy not judged: %q", r)
	}
	// A relapse treatment within its after window: not judged either.
	d := sample(400)
	rs := d.Interventions[0].StartDate.AddDate(0, 0, 20)
	d.Interventions[1].StartDate, d.Interventions[1].EndDate = rs, ptr(rs.AddDate(0, 0, 2))
	d.Input.Interventions[1].Start = time.Date(rs.Year(), rs.Month(), rs.Day(), 0, 0, 0, 0, d.Location)
	d.Insights = insights.Compute(d.Input)
	doc, _ = build(d)
	for _, r := range tableAfter(t, sectionOf(t, doc, "Interventions"), "1.").rows {
		if res := r[len(r)-1]; res != "not judged: a relapse treatment started within these weeks" {
			t.Errorf("physiotherapy with a relapse treatment 20 days after its start, %s: %q", r[0], res)
		}
	}
}

// Each direction of an MCID is shown with its own source, and with enough
// decimals not to round away a published value: the 2-minute walk's 2.4 m
// (scaled) and 9.6 m, not 2 m and 10 m; the T25FW time's improvement of a
// 20 % faster speed is 16.7 %, explained.
func TestReportMCIDDisplay(t *testing.T) {
	doc, err := build(sample(400))
	if err != nil {
		t.Fatal(err)
	}
	bt := tableAfter(t, sectionOf(t, doc, "Baselines and measurement noise"), "")
	if got := rowOf(t, bt, "2-minute walk distance")[5]; got != "2.4 m, scaled (Oosterveer 2022) / 9.6 m (Baert 2014)" {
		t.Errorf("2-minute walk MCID %q", got)
	}
	if got := rowOf(t, bt, "Timed 25-Foot Walk time")[5]; !strings.HasSuffix(got, " / 16.7 % (a 20 % faster speed) = 1.1 s (Hobart 2013)") || !strings.HasPrefix(got, "20 % = 1.3 s (Kaufman 2000) / ") {
		t.Errorf("T25FW MCID %q", got)
	}
	ct := tableAfter(t, sectionOf(t, doc, "Changes and alerts"), "Changes beyond")
	if got := rowOf(t, ct, "2-minute walk distance")[4]; got != "2.4 m (Oosterveer 2022)" {
		t.Errorf("2-minute walk MCID in the changes %q", got)
	}
}

// Value ticks are evenly spaced round numbers whose labels say exactly
// where they are: a step of 1, 2 or 5 × 10^k, labels with the decimals
// the step needs (not the metric's: 98/102/108 for ticks at 98, 102.5 and
// 107, or 0.02/0.10/0.17 for a step of 0.075).
func TestValueTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi   float64
		decimals int
	}{
		{95.3, 110.8, 0}, {1.38, 1.67, 2}, {0.004, 0.19, 3}, {0.004, 0.19, 2}, {6.1, 9.2, 1}, {-0.42, 0.37, 2},
		{140, 171, 0}, {3.2, 11.9, 1}, {0.081, 0.135, 3}, {0, 8.8, 0}, {1012, 1355, 0},
	} {
		ticks := valueTicks{decimals: c.decimals}.Ticks(c.lo, c.hi)
		var vals []float64
		dec := -1
		for _, tk := range ticks {
			if tk.Label == "" {
				continue
			}
			v, err := strconv.ParseFloat(strings.Replace(tk.Label, "−", "-", 1), 64)
			if err != nil {
				t.Fatalf("%v: label %q", c, tk.Label)
			}
			if math.Abs(v-tk.Value) > 1e-9*math.Max(1, math.Abs(v)) {
				t.Errorf("%v: tick at %g labelled %q", c, tk.Value, tk.Label)
			}
			d := 0
			if i := strings.IndexByte(tk.Label, '.'); i >= 0 {
				d = len(tk.Label) - i - 1
			}
			if dec >= 0 && d != dec {
				t.Errorf("%v: labels with %d and %d decimals", c, dec, d)
			}
			dec = d
			vals = append(vals, v)
		}
		if len(vals) < 3 || len(vals) > 7 {
			t.Errorf("%v: %d labelled ticks", c, len(vals))
			continue
		}
		step := vals[1] - vals[0]
		if math.Abs(step) < 1e-12 {
			t.Errorf("%v: repeated labels %v", c, vals)
			continue
		}
		m := step / math.Pow(10, math.Floor(math.Log10(step)+1e-9))
		if math.Abs(m-1) > 1e-6 && math.Abs(m-2) > 1e-6 && math.Abs(m-5) > 1e-6 {
			t.Errorf("%v: step %g is not 1, 2 or 5 × 10^k", c, step)
		}
		for i := 2; i < len(vals); i++ {
			if math.Abs(vals[i]-vals[i-1]-step) > 1e-9*math.Max(1, math.Abs(step)) {
				t.Errorf("%v: uneven labels %v", c, vals)
				break
			}
		}
	}
}

// Counts of tests get whole-number ticks, even when the range is small.
func TestValueTicksWhole(t *testing.T) {
	for _, hi := range []float64{1.18, 2.4, 7.4, 15.8} {
		for _, tk := range (valueTicks{whole: true}).Ticks(0, hi) {
			if tk.Value != math.Trunc(tk.Value) || strings.Contains(tk.Label, ".") {
				t.Errorf("0 to %g: tick %g %q", hi, tk.Value, tk.Label)
			}
		}
	}
}

// The chart caption describes what is drawn: dots joined by a line in a
// short period, no running median; the running median only for charts
// with more than trendFrom test days.
func TestReportChartCaption(t *testing.T) {
	caption := func(d *Data) string {
		doc, err := build(d)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range sectionOf(t, doc, "Measures over time").blocks {
			if b.kind == blockNote && strings.HasPrefix(b.text, "Blue dots") {
				return b.text
			}
		}
		t.Fatal("no chart caption")
		return ""
	}
	d := sample(400)
	d.From = d.To.AddDate(0, 0, -59)
	short := caption(d)
	if strings.Contains(short, "running median") || !strings.Contains(short, "joined") {
		t.Errorf("60-day caption: %q", short)
	}
	long := caption(sample(400))
	if !strings.Contains(long, "running median") || !strings.Contains(long, "more than 120 test days") {
		t.Errorf("181-day caption: %q", long)
	}
}

// addDaily adds a metric of a test to the sample, one a week, and
// recomputes the insights.
func addWeekly(d *Data, metric, test string, v float64) {
	for day := d.To.AddDate(0, 0, -399); !day.After(d.To); day = day.AddDate(0, 0, 7) {
		d.Input.Metrics[metric] = append(d.Input.Metrics[metric], insights.Observation{At: day.Add(10 * time.Hour), Value: v * (1 + 0.05*math.Sin(float64(day.Unix()))), TestType: test, Device: "none"})
	}
	d.Insights = insights.Compute(d.Input)
}

// A measure left out by the limit of eight charts is named.
func TestReportChartsLeftOut(t *testing.T) {
	d := sample(400)
	addWeekly(d, "sts5_time_s", "sts5", 12)
	addWeekly(d, "sway_ec_rms_ms2", "balance", 0.17)
	doc, err := build(d)
	if err != nil {
		t.Fatal(err)
	}
	text := sectionText(sectionOf(t, doc, "Measures over time"))
	if !strings.Contains(text, "Not charted (at most 8 charts): Sway with eyes closed (static balance); see the tables.") {
		t.Errorf("charts section does not name the measure left out:\n%s", text)
	}
}

// Wording: one pair of brackets per intervention label; ratings with the
// same decimals as their maximum; the diary column named as the text
// names it; insights' clinician lines start with a capital; a caveat
// repeated for every measure is shown once, in clinician wording.
func TestReportWording(t *testing.T) {
	d := sample(400)
	d.Interventions[0].Name = "Neuro-physiotherapy, twice weekly (gait and balance training)"
	d.Input.Options.Noise.RobustFrom = 1000 // every noise estimate rough
	d.Insights = insights.Compute(d.Input)
	doc, err := build(d)
	if err != nil {
		t.Fatal(err)
	}
	text := docText(doc)
	if strings.Contains(text, ") (") {
		t.Error("double brackets in the report")
	}
	if !strings.Contains(text, "Physical therapy: Neuro-physiotherapy, twice weekly (gait and balance training)") {
		t.Error("intervention label")
	}
	sym := sectionOf(t, doc, "Symptoms and falls")
	tb := tableAfter(t, sym, "")
	if tb.head[2] != "Leg-symptom severity: median (max)" || !strings.Contains(sectionText(sym), "Leg-symptom severity and fatigue are the person's 0–10 ratings") {
		t.Errorf("severity column %q", tb.head[2])
	}
	for _, r := range tb.rows {
		if strings.Contains(r[2], ".0") || strings.Contains(r[3], ".0") {
			t.Errorf("ratings %q, %q: a whole median has no decimal", r[2], r[3])
		}
	}
	if !strings.Contains(text, "4.5 (5)") {
		t.Error("a half median lost its decimal")
	}
	for _, b := range sym.blocks {
		for _, it := range b.items {
			if r, _ := utf8.DecodeRuneInString(it); unicode.IsLower(r) {
				t.Errorf("item starts in lower case: %q", it)
			}
		}
	}
	if n := strings.Count(text, "day-to-day variation is estimated from only"); n != 0 {
		t.Errorf("the rough-noise message appears %d times", n)
	}
	base := sectionText(sectionOf(t, doc, "Baselines and measurement noise"))
	if !strings.Contains(base, "Every SDC95 here is rough: from fewer than 1000 pairs of successive test days") ||
		strings.Contains(base, "Your ") || strings.Contains(base, " your ") {
		t.Errorf("baseline notes:\n%s", base)
	}
	// Only some rough: they are named (the sample's weekly sway, 3 pairs).
	doc, _ = build(sample(400))
	base = sectionText(sectionOf(t, doc, "Baselines and measurement noise"))
	if !strings.Contains(base, "Rough SDC95 (from fewer than 10 pairs of successive test days; firmer as tests accrue): Sway while standing (static balance).") ||
		strings.Contains(base, "Your ") || strings.Contains(base, " your ") {
		t.Errorf("baseline notes:\n%s", base)
	}
}

// The summary says which measures can raise an alert at all, and that
// after a relapse treatment alerts compare with the post-relapse level.
func TestReportSummaryAlertScope(t *testing.T) {
	d := sample(400)
	for i := range d.Insights.Series {
		d.Insights.Series[i].Alerts = nil
	}
	d.Insights.OngoingAlerts = nil
	doc, err := build(d)
	if err != nil {
		t.Fatal(err)
	}
	summary := sectionText(&doc.summary)
	for _, want := range []string{
		"No confirmed meaningful worsening",
		"Only the Timed 25-Foot Walk time can raise an alert",
		"After the relapse treatment started on 21 May 2026, alerts compared values with the post-relapse level instead of the baseline for 30 days (to 19 Jun 2026)",
	} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary)
		}
	}
}

// Context: the walking aid is stated once when there is none; the
// adherence table's "Weeks complete" is explained; an inferred plan is
// said to be inferred next to the adherence figure.
func TestReportContext(t *testing.T) {
	doc, err := build(sample(400))
	if err != nil {
		t.Fatal(err)
	}
	summary := sectionText(&doc.summary)
	for _, want := range []string{"All these tests were done without a walking aid.", "against a plan inferred from the same tests"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary)
		}
	}
	for _, b := range sectionOf(t, doc, "Measures over time").blocks {
		if b.kind == blockSub && strings.Contains(b.text, "walking aid") {
			t.Errorf("chart title %q names the walking aid", b.text)
		}
	}
	if !strings.Contains(sectionText(sectionOf(t, doc, "Test adherence")), "Weeks complete: weeks with at least the planned number of tests") {
		t.Error("adherence table: Weeks complete not explained")
	}
}

// A value range that is only floating-point rounding is flat: one tick.
// (It used to refine the step for ever, k no longer changing once min/step
// passed 2⁵³: this test then hangs until go test's timeout.)
func TestValueTicksRoundingRange(t *testing.T) {
	ticks := (valueTicks{decimals: 2}).Ticks(1.2, (1.1+1.3)/2+1e-15)
	if len(ticks) != 1 || ticks[0].Label != "1.20" {
		t.Errorf("ticks %+v, want one at 1.20", ticks)
	}
}
