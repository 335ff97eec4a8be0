// Package report renders a clinician report of one person's walking and
// balance over a period, as PDF (fpdf, charts drawn by gonum/plot as PNG)
// or HTML (html/template, the same charts as inline SVG).
//
// The report is made from data the caller has read (package app does, with
// authorisation and audit): the person, the period, the insights report
// computed as of the end of the period, the observations behind it, the
// diary, the interventions and the assessments of the period. The package
// does no I/O besides writing the output, holds no global state, and never
// diagnoses: it states what was measured, how sure that is, and — for a
// confirmed worsening — that the person should contact their clinician.
//
// Contents: a header (person, period, generation time, algorithm
// versions); a one-minute summary (alerts in plain words with the numbers,
// the main measures' latest value against their baseline, falls, test
// adherence); charts of the main measures with intervention periods
// shaded, relapse treatments marked, the baseline band and the MCID line;
// the baseline table (centre, spread, SDC, MCID with its source);
// meaningful changes and alerts; each intervention's effect with its
// confidence interval and the observational caveat; trigger effects;
// symptoms and falls per month; data-quality notes; test adherence (tests
// done against planned, per week); and the methods.
package report

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"legwork"
	"legwork/insights"
)

// Data is what a report is made of.
type Data struct {
	Person *legwork.User
	// From and To are the first and the last day of the period
	// (inclusive); only their calendar dates are used, in Location.
	From, To time.Time
	// Location is the person's time zone (UTC when nil).
	Location *time.Location
	// Generated is when the report was made.
	Generated time.Time
	// Input is what the insights were computed from (every observation
	// of every metric, the diary flags, interventions, falls); Insights
	// the report computed from it as of the end of the period.
	Input    insights.Input
	Insights insights.Report
	// Diary holds the diary entries (any order; those in the period are
	// used), Interventions every intervention, Assessments the
	// assessments recorded in the period (metrics and quality flags; the
	// full results are not needed).
	Diary         []*legwork.DiaryEntry
	Interventions []*legwork.Intervention
	Assessments   []*legwork.Assessment
	// Plan is the number of tests of each type planned per week. When
	// nil, the plan is inferred per test type as the most common weekly
	// number of tests from the first week with such a test, and the
	// report says so.
	Plan map[legwork.TestType]int
	// PlanStored says that Plan is the person's weekly plan as stored in
	// legwork (as it is now), not one given for the report.
	PlanStored bool
	// Versions names the software that made the report (e.g. the current
	// analysis version); the algorithm versions of the assessments in the
	// period are added.
	Versions []string
}

// PDF writes the report as a PDF document.
func PDF(w io.Writer, d *Data) error {
	doc, err := build(d)
	if err != nil {
		return err
	}
	return writePDF(w, doc)
}

// HTML writes the report as a standalone HTML page (no scripts, no
// external resources).
func HTML(w io.Writer, d *Data) error {
	doc, err := build(d)
	if err != nil {
		return err
	}
	return writeHTML(w, doc)
}

// The document model: both renderers draw the same blocks.

type table struct {
	head   []string
	rows   [][]string
	widths []float64 // relative column widths
	right  []bool    // right-aligned columns
	emph   []bool    // rows to emphasise (a meaningful worsening)
}

type alertBox struct {
	title   string
	text    string // for the person: plain words, numbers, "contact your clinician"
	detail  string // for the clinician: method and thresholds
	ongoing bool
}

type blockKind int

const (
	blockPara blockKind = iota
	blockNote           // small print
	blockSub            // a subheading
	blockList
	blockTable
	blockChart
	blockAlert
)

type block struct {
	kind  blockKind
	text  string
	items []string
	table *table
	chart *chartSpec
	alert *alertBox
	// keep asks the renderer to keep the block with the next one on a
	// page (a subheading with its table).
	keep bool
}

type section struct {
	title  string
	blocks []block
}

type document struct {
	title    string
	person   string
	period   string
	meta     []string
	summary  section // the one-minute summary
	sections []section
	footer   string
	when     time.Time
}

func para(s string) block               { return block{kind: blockPara, text: s} }
func note(s string) block               { return block{kind: blockNote, text: s} }
func sub(s string) block                { return block{kind: blockSub, text: s, keep: true} }
func list(items []string) block         { return block{kind: blockList, items: items} }
func tbl(t *table) block                { return block{kind: blockTable, table: t} }
func chartBlock(c *chartSpec) block     { return block{kind: blockChart, chart: c} }
func alertBlock(a alertBox) block       { return block{kind: blockAlert, alert: &a} }
func (s *section) add(bs ...block)      { s.blocks = append(s.blocks, bs...) }
func (t *table) addRow(cells ...string) { t.rows = append(t.rows, cells) }

// builder holds the period and lookups while the document is made.
//
// Dates computed by insights (baseline and change periods) are local
// calendar days written as UTC midnights, so they are formatted as they
// are; instants (tests, alerts, diary entries) are shown in the person's
// zone.
type builder struct {
	d          *Data
	rep        *insights.Report // d.Insights, with labels for imported measures
	loc        *time.Location
	start, end time.Time // [start, end): the period's local midnights
	main       []*insights.SeriesReport
	ivNumber   map[int64]int // intervention id → its number in the report
	ivs        []*legwork.Intervention
	plan       map[legwork.TestType]int
	planGiven  bool
	// opt is d.Input.Options with the defaults filled in, as the insights
	// used them: the method text states them.
	opt insights.Options
}

// Caveats repeated where they apply.
const (
	observational = "These are observational before/after comparisons in the person's own data: other things may have changed at the same time (the natural course, other treatments, season, expectations), so they show an association, not proof that the intervention caused the change."
	associational = "These are associations in the person's own data, not proof of cause."
	notDiagnosis  = "legwork measures and informs; it does not diagnose. Changes and alerts are statements about measurements, to be interpreted by the clinician with the person."
)

func build(d *Data) (*document, error) {
	if d == nil || d.Person == nil {
		return nil, fmt.Errorf("report: no person")
	}
	loc := d.Location
	if loc == nil {
		loc = time.UTC
	}
	b := &builder{d: d, loc: loc, rep: labelled(d.Insights), opt: d.Input.Options.Filled()}
	y, m, dd := d.From.Date()
	b.start = time.Date(y, m, dd, 0, 0, 0, 0, loc)
	y, m, dd = d.To.Date()
	b.end = time.Date(y, m, dd+1, 0, 0, 0, 0, loc)
	if !b.end.After(b.start) {
		return nil, fmt.Errorf("report: the period ends before it starts")
	}
	b.selectMain()
	b.numberInterventions()
	b.inferPlan()

	doc := &document{
		title:  "Walking and balance report",
		person: d.Person.Name,
		period: fmt.Sprintf("%s (%d days)", span(b.start, b.end.AddDate(0, 0, -1)), int(math.Round(b.end.Sub(b.start).Hours()/24))),
		when:   d.Generated,
		footer: "legwork · " + d.Person.Name + " · " + span(b.start, b.end.AddDate(0, 0, -1)) + " · measures and informs, does not diagnose",
	}
	doc.meta = b.meta()
	doc.summary = b.summary()
	doc.sections = []section{
		b.chartsSection(),
		b.baselineSection(),
		b.changesSection(),
		b.interventionsSection(),
		b.triggersSection(),
		b.symptomsSection(),
		b.qualitySection(),
		b.adherenceSection(),
		b.methodsSection(),
	}
	return doc, nil
}

func (b *builder) inPeriod(t time.Time) bool { return !t.Before(b.start) && t.Before(b.end) }

func (b *builder) meta() []string {
	d := b.d
	p := d.Person
	who := p.Name
	if p.Email != "" {
		who += " <" + p.Email + ">"
	}
	who += fmt.Sprintf(" · legwork id %d", p.ID)
	if p.HeightM > 0 {
		who += fmt.Sprintf(" · height %.2f m", p.HeightM)
	}
	gen := "Generated " + d.Generated.In(b.loc).Format("2 Jan 2006 15:04") + " (" + b.loc.String() + "; days and night-time tests in this zone)"
	vers := slices.Clone(d.Versions)
	for _, a := range d.Assessments {
		if a.AlgorithmVersion != "" && !slices.Contains(vers, a.AlgorithmVersion) {
			vers = append(vers, a.AlgorithmVersion)
		}
	}
	slices.Sort(vers)
	vers = slices.Compact(vers)
	lines := []string{who, gen}
	if len(vers) > 0 {
		lines = append(lines, "Algorithms: "+strings.Join(vers, ", ")+"; statistics: legwork insights (docs/INSIGHTS.md)")
	}
	return lines
}

// selectMain picks the main series: the main metrics with a test in the
// period, in mainMetrics order (the walking aid with the most days first).
func (b *builder) selectMain() {
	rep := b.rep
	for _, mm := range mainMetrics {
		var found []*insights.SeriesReport
		for i := range rep.Series {
			s := &rep.Series[i]
			if s.Metric == mm.metric && s.TestType == mm.test && s.Days > 0 && !s.Last.Before(b.start) && s.First.Before(b.end) {
				found = append(found, s)
			}
		}
		slices.SortStableFunc(found, func(x, y *insights.SeriesReport) int { return y.Days - x.Days })
		b.main = append(b.main, found...)
	}
}

// numberInterventions numbers the interventions that matter to the
// period: those overlapping it, or starting at most one effect window
// before it.
func (b *builder) numberInterventions() {
	b.ivNumber = map[int64]int{}
	window := b.opt.Effect.WindowDays
	ivs := slices.Clone(b.d.Interventions)
	slices.SortStableFunc(ivs, func(x, y *legwork.Intervention) int { return x.StartDate.Compare(y.StartDate) })
	for _, iv := range ivs {
		s := b.localDate(iv.StartDate)
		endOK := iv.EndDate == nil || !b.localDate(*iv.EndDate).AddDate(0, 0, 1).Before(b.start)
		if s.Before(b.end) && (endOK || !s.Before(b.start.AddDate(0, 0, -window))) {
			b.ivs = append(b.ivs, iv)
			b.ivNumber[iv.ID] = len(b.ivs)
		}
	}
}

// localDate is local midnight of a stored date (a UTC midnight).
func (b *builder) localDate(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, b.loc)
}

// ivLabel names an intervention: "1. Physical therapy: Neuro-physiotherapy
// (gait and balance training), 22 Jul–1 Sep 2026" (the kind first, so
// that a name with its own brackets does not get a second pair).
func (b *builder) ivLabel(iv *legwork.Intervention) string {
	s := fmt.Sprintf("%d. %s", b.ivNumber[iv.ID], capitalise(kindText(string(iv.Kind))))
	if name := strings.TrimSpace(iv.Name); name != "" {
		s += ": " + name
	}
	start := b.localDate(iv.StartDate)
	if iv.EndDate != nil {
		s += ", " + span(start, b.localDate(*iv.EndDate))
	} else {
		s += ", started " + fdate(start) + ", ongoing"
	}
	return s
}

// dailyInPeriod returns a series' daily values in the period.
func (b *builder) dailyInPeriod(s *insights.SeriesReport) []insights.DailyValue {
	var obs []insights.Observation
	for _, o := range b.d.Input.Metrics[s.Metric] {
		if o.TestType == s.TestType && o.Device == s.Device && b.inPeriod(o.At) {
			obs = append(obs, o)
		}
	}
	return insights.DailyValues(obs, b.loc, b.opt.NightStartHour, b.opt.NightEndHour)
}

// dateOnly returns the UTC midnight of t's local date (how insights
// writes dates).
func dateOnly(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// alertWords says what an alert found, in plain words with its numbers:
// the values, the change against the reference, both thresholds, any
// diary triggers, and that the person should contact their clinician.
func (b *builder) alertWords(s *insights.SeriesReport, a insights.Alert) string {
	info := s.Info
	var vals []string
	for _, v := range a.Values {
		vals = append(vals, amount(info, v.Value)+" on "+v.At.In(b.loc).Format("2 Jan"))
	}
	if len(vals) > 4 {
		vals = append(vals[:2], fmt.Sprintf("%d more", len(vals)-3), vals[len(vals)-1])
	}
	ref := "the baseline"
	if a.ReferenceKind == insights.RefPostRelapse {
		ref = "the level after the relapse treatment started"
	}
	word := info.More
	if a.Delta < 0 {
		word = info.Less
	}
	w := fmt.Sprintf("Worse than usual on %d test days in a row: %s. ", len(a.Values), joinAnd(vals))
	if a.Percent != nil {
		w += fmt.Sprintf("That is %s %s than %s (%s): ", strings.TrimPrefix(strings.TrimPrefix(pct(*a.Percent), "+"), "−"), word, ref, amount(info, a.Reference))
	} else {
		w += fmt.Sprintf("That is %s %s than %s (%s): ", change(info, math.Abs(a.Delta)), word, ref, amount(info, a.Reference))
	}
	w += fmt.Sprintf("beyond the person's day-to-day variation (SDC %s) and the published threshold (MCID %s", change(info, a.SDC), mcidAmount(info, a.MCIDSource, a.MCID))
	if a.MCIDSource != nil {
		w += ", " + shortSource(a.MCIDSource.Source)
		if a.MCIDSource.Scaled {
			w += ", scaled from a longer test"
		}
	}
	w += ")."
	if a.PossiblePseudoRelapse && len(a.Context) > 0 {
		var days []string
		for _, c := range a.Context {
			var tr []string
			for _, t := range c.Triggers {
				tr = append(tr, triggerText(t))
			}
			days = append(days, joinAnd(tr)+" on "+c.Date.Format("2 Jan"))
		}
		w += " The diary shows " + joinAnd(days) + ": these can worsen MS symptoms for a while without new disease activity (pseudo-relapse)."
	}
	if a.Ongoing {
		w += " It has not come back within the threshold. This is a meaningful change: contact your clinician."
	}
	return w
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

// alertsOf lists the alerts to report: those in force at the end and
// those confirmed in the period, without the T25FW speed when the time
// alerts on the same days (one is the other's reciprocal).
func (b *builder) alertsOf() []insights.SeriesAlert {
	var out []insights.SeriesAlert
	for _, s := range b.rep.Series {
		for _, a := range s.Alerts {
			if a.Ongoing || b.inPeriod(a.ConfirmedAt) {
				out = append(out, insights.SeriesAlert{Metric: s.Metric, TestType: s.TestType, Device: s.Device, Alert: a})
			}
		}
	}
	derived := map[string]string{"t25fw_speed_mps": "t25fw_time_s"}
	keep := out[:0]
	seen := map[string]bool{}
	for _, a := range out {
		if base, ok := derived[a.Metric]; ok && slices.ContainsFunc(out, func(o insights.SeriesAlert) bool {
			return o.Metric == base && o.TestType == a.TestType && o.Device == a.Device && o.Alert.ConfirmedAt.Equal(a.Alert.ConfirmedAt)
		}) {
			continue
		}
		// The same measure under two names (distance_m and
		// walk2min_distance_m in the 2-minute walk) alerts once.
		k := fmt.Sprint(insights.LookupMetric(a.Metric, a.TestType).Label, a.TestType, a.Device, a.Alert.ConfirmedAt.Unix())
		if seen[k] {
			continue
		}
		seen[k] = true
		keep = append(keep, a)
	}
	slices.SortStableFunc(keep, func(x, y insights.SeriesAlert) int {
		if x.Alert.Ongoing != y.Alert.Ongoing {
			if x.Alert.Ongoing {
				return -1
			}
			return 1
		}
		return y.Alert.ConfirmedAt.Compare(x.Alert.ConfirmedAt)
	})
	return keep
}

func (b *builder) seriesFor(a insights.SeriesAlert) *insights.SeriesReport {
	for i := range b.rep.Series {
		s := &b.rep.Series[i]
		if s.Metric == a.Metric && s.TestType == a.TestType && s.Device == a.Device {
			return s
		}
	}
	return nil
}

func (b *builder) summary() section {
	sec := section{title: "Summary"}
	alerts := b.alertsOf()
	ongoing := 0
	for _, a := range alerts {
		if a.Alert.Ongoing {
			ongoing++
		}
	}
	switch {
	case ongoing > 0:
		sec.add(para(fmt.Sprintf("%s still in force at the latest test. Contact your clinician: %s", plural(ongoing, "confirmed meaningful worsening is", "confirmed meaningful worsenings are"),
			"a worsening beyond both the person's day-to-day variation and the published threshold, confirmed on a second test day.")))
	case len(alerts) > 0:
		sec.add(para(fmt.Sprintf("No worsening alert is in force at the latest test; %s confirmed in the period and came back within the threshold afterwards.", plural(len(alerts), "worsening was", "worsenings were"))))
	default:
		sec.add(para("No confirmed meaningful worsening in this period (an alert needs a change beyond both the person's day-to-day variation and a published threshold, confirmed on a second test day)."))
	}
	if scope := b.alertScope(); scope != "" {
		sec.add(para(scope))
	}
	var resolved []string
	shown := 0
	for _, a := range alerts {
		s := b.seriesFor(a)
		if s == nil {
			continue
		}
		if !a.Alert.Ongoing {
			r := fmt.Sprintf("%s, %s", seriesTitle(s), span(a.Alert.Start.In(b.loc), a.Alert.ConfirmedAt.In(b.loc)))
			if a.Alert.Percent != nil {
				r += " (" + pct(*a.Alert.Percent) + ")"
			}
			resolved = append(resolved, r)
			continue
		}
		if shown == 3 {
			sec.add(note("More ongoing alerts are listed under “Changes and alerts”."))
			continue
		}
		shown++
		sec.add(alertBlock(alertBox{title: fmt.Sprintf("%s: confirmed worsening since %s", seriesTitle(s), fdate(a.Alert.Start.In(b.loc))),
			text: b.alertWords(s, a.Alert), ongoing: true}))
	}
	if len(resolved) > 0 {
		sec.add(list([]string{"Worsening alerts in the period that have since resolved: " + strings.Join(resolved, "; ") + "."}))
	}

	t := &table{head: []string{"Measure", "Baseline: median (period)", fmt.Sprintf("Latest: median of the last %d days", b.opt.Change.WindowDays), "Change", "Assessment of the change"},
		widths: []float64{2.2, 2.3, 1.5, 1.6, 2.4}}
	for _, s := range b.main {
		row := []string{seriesTitle(s), "–", "–", "–", ""}
		if s.Baseline != nil {
			row[1] = fmt.Sprintf("%s (%s)", amount(s.Info, s.Baseline.Median), span(s.Baseline.From, s.Baseline.To.AddDate(0, 0, -1)))
		}
		emph := false
		switch {
		case s.Change != nil:
			c := s.Change
			row[2] = amount(s.Info, c.Current)
			if c.Days == 1 {
				// one test day is not a median of days: say so, with its date
				d := c.To.Format("2 Jan")
				if c.To.Year() != dateOnly(b.end.AddDate(0, 0, -1)).Year() {
					d = fdate(c.To)
				}
				row[2] += " (1 test day: " + d + ")"
			} else if last := dateOnly(b.end.AddDate(0, 0, -1)); !c.To.Equal(last) {
				if c.To.Year() == last.Year() {
					row[2] += " (to " + c.To.Format("2 Jan") + ")"
				} else {
					row[2] += " (to " + fdate(c.To) + ")"
				}
			}
			row[3] = signedAmount(s.Info, c.Delta)
			if c.Percent != nil {
				row[3] += " (" + pct(*c.Percent) + ")"
			}
			row[4] = classWords(c)
			emph = c.Class == insights.ClassBeyondBoth && c.Direction == insights.DirWorse
		case s.Baseline == nil:
			row[4] = "no baseline yet"
		default:
			row[4] = "all tests are in the baseline period"
		}
		t.rows = append(t.rows, row)
		t.emph = append(t.emph, emph)
	}
	if len(t.rows) > 0 {
		sec.add(sub("Main measures: latest against baseline"), tbl(t))
		if aid := b.aidNote(); aid != "" {
			sec.add(note(aid))
		}
	} else {
		sec.add(para("No test results in this period."))
	}
	var facts []string
	falls, near, injured := 0, 0, 0
	for _, e := range b.d.Diary {
		if e.Fall != nil && b.inPeriod(e.At) {
			if e.Fall.Kind == "fall" {
				falls++
			} else {
				near++
			}
			if e.Fall.Injured {
				injured++
			}
		}
	}
	fs := fmt.Sprintf("Falls in the period: %d", falls)
	if injured > 0 {
		fs += fmt.Sprintf(" (%d with injury)", injured)
	}
	fs += fmt.Sprintf("; near-falls: %d.", near)
	facts = append(facts, fs)
	if done, planned := b.adherenceTotals(); planned > 0 {
		f := fmt.Sprintf("Tests done: %d of %d planned (%.0f %%) in the complete weeks of the period", done, planned, 100*float64(done)/float64(planned))
		if !b.planGiven {
			f += ", against a plan inferred from the same tests (no test schedule is stored), so it shows how regular the testing was rather than adherence to a prescribed plan"
		}
		facts = append(facts, f+".")
	}
	for _, iv := range b.ivs {
		facts = append(facts, "Intervention "+b.ivLabel(iv)+".")
	}
	sec.add(list(facts))
	sec.add(note(notDiagnosis))
	return sec
}

// canAlert reports whether insights raises worsening alerts on a measure
// at all: one with a direction and a published worsening MCID that is not
// scaled from another test (DetectAlerts; in legwork, the T25FW).
func canAlert(info insights.MetricInfo) bool {
	return !info.Neutral && info.MCID != nil && info.MCID.Worsening != nil && !info.MCID.Worsening.Scaled
}

// alertScope says which of the main measures can raise an alert at all,
// and when alerts compared with the post-relapse level instead of the
// baseline, so that "no alert" is not read as "nothing changed".
func (b *builder) alertScope() string {
	var can, noNoise, scaled []string
	others := 0
	for _, s := range b.main {
		switch {
		case canAlert(s.Info) && s.Noise != nil:
			can = append(can, seriesTitle(s))
		case canAlert(s.Info):
			noNoise = append(noNoise, seriesTitle(s))
		default:
			others++
			if !s.Info.Neutral && s.Info.MCID != nil && s.Info.MCID.Worsening != nil {
				scaled = append(scaled, s.Info.Label)
			}
		}
	}
	if len(b.main) == 0 {
		return ""
	}
	scaledWords := ""
	if len(scaled) > 0 {
		scaledWords = " (the " + joinAnd(scaled) + " only one scaled from another test, a rough guide)"
	}
	if len(can) == 0 && len(noNoise) == 0 {
		return "None of these measures can raise an alert: none has a published threshold for a worsening that matters" + scaledWords + ", so their changes are shown in the table below but never alert."
	}
	var out []string
	otherWords := "the other measures have no published threshold for a worsening that matters" + scaledWords + ", so their changes are shown in the table below but never alert"
	switch {
	case len(can) > 0 && others > 0:
		out = append(out, "Only the "+joinAnd(can)+" can raise an alert: "+otherWords+".")
	case len(can) > 0:
		out = append(out, "Alerts can be raised for the "+joinAnd(can)+".")
	}
	if len(noNoise) > 0 {
		w := "The " + joinAnd(noNoise) + " cannot raise an alert yet: the person's day-to-day variation in it is not known"
		if len(can) == 0 && others > 0 {
			w += "; " + otherWords
		}
		out = append(out, w+".")
	}
	quiet := b.opt.Alert.RelapseQuietDays
	ivs := slices.Clone(b.d.Interventions)
	slices.SortStableFunc(ivs, func(x, y *legwork.Intervention) int { return x.StartDate.Compare(y.StartDate) })
	for _, iv := range ivs {
		if iv.Kind != legwork.InterventionRelapseTreatment {
			continue
		}
		start := b.localDate(iv.StartDate)
		end := start.AddDate(0, 0, quiet) // exclusive
		if !start.Before(b.end) || !end.After(b.start) {
			continue
		}
		w := fmt.Sprintf("After the relapse treatment started on %s, alerts compared values with the post-relapse level instead of the baseline for %d days (to %s", fdate(start), quiet, fdate(end.AddDate(0, 0, -1)))
		if end.After(b.end) {
			w += ", beyond the end of this period"
		}
		out = append(out, w+"), so in that time a worsening against the level before the relapse raised no alert; only a further worsening would have.")
	}
	return strings.Join(out, " ")
}

// aidNote says once that the main measures were tested without a walking
// aid (the titles name an aid only when there is one).
func (b *builder) aidNote() string {
	none, with := 0, 0
	for _, s := range b.main {
		if legwork.AssistiveDevice(s.Device).With() == "" {
			none++
		} else {
			with++
		}
	}
	switch {
	case none > 0 && with == 0:
		return "All these tests were done without a walking aid."
	case none > 0:
		return "Measures whose name gives no walking aid were tested without one."
	}
	return ""
}

func (b *builder) chartsSection() section {
	sec := section{title: "Measures over time"}
	var charts []block
	var left []string
	joined, trend := false, false
	for _, s := range b.main {
		days := b.dailyInPeriod(s)
		if len(days) == 0 {
			continue
		}
		if len(charts)/2 == maxCharts {
			left = append(left, seriesTitle(s))
			continue
		}
		c := b.metricChart(s, days)
		if c.trend() {
			trend = true
		} else {
			joined = true
		}
		sub := fmt.Sprintf("%s — %s; unit %s; %s in the period", seriesTitle(s), directionWords(s.Info), unitOr(s.Info.Unit), plural(len(days), "test day", "test days"))
		charts = append(charts, block{kind: blockSub, text: sub, keep: true}, chartBlock(c))
	}
	if len(charts) == 0 {
		sec.add(para("No test results to chart in this period."))
		return sec
	}
	sec.add(note(chartLegend(joined, trend)))
	if len(b.ivs) > 0 {
		var items []string
		for _, iv := range b.ivs {
			items = append(items, b.ivLabel(iv))
		}
		sec.add(list(items))
	}
	sec.add(charts...)
	if len(left) > 0 {
		sec.add(note(fmt.Sprintf("Not charted (at most %d charts): %s; see the tables.", maxCharts, strings.Join(left, "; "))))
	}
	return sec
}

// chartLegend explains the charts as they are drawn: dots joined by a thin
// line, or for charts with more than trendFrom test days paler dots and
// their running median (chartSpec.trend).
func chartLegend(joined, trend bool) string {
	s := "Blue dots: daily values (the median of the day's tests)"
	switch {
	case joined && trend:
		s += fmt.Sprintf(", joined by a thin line; in charts with more than %d test days the dots are paler and the dark blue line is instead their running median over ±14 days.", trendFrom)
	case trend:
		s += fmt.Sprintf(", paler in charts with more than %d test days, where the dark blue line is their running median over ±14 days.", trendFrom)
	default:
		s += ", joined by a thin line in date order."
	}
	return s + " Green line and band: the baseline median and ± the smallest detectable change (the person's own test–retest noise). Red dashed line: worse than the baseline by the published minimal clinically important difference (MCID), where one exists. Red triangles: confirmed worsening alerts. Shaded and numbered: interventions; red dashed vertical lines: relapse treatments."
}

func unitOr(u string) string {
	if u == "" {
		return "none"
	}
	return u
}

func (b *builder) metricChart(s *insights.SeriesReport, days []insights.DailyValue) *chartSpec {
	c := &chartSpec{title: seriesTitle(s), from: b.start, to: b.end, loc: b.loc, unit: s.Info.Unit, decimals: s.Info.Decimals}
	for _, d := range days {
		c.points = append(c.points, point{d.At, d.Value})
	}
	if s.Baseline != nil {
		c.hasMedian, c.median = true, s.Baseline.Median
		if s.Noise != nil {
			c.hasBand, c.bandLo, c.bandHi = true, s.Baseline.Median-s.Noise.SDC95, s.Baseline.Median+s.Noise.SDC95
		}
		if !s.Info.Neutral && s.Info.MCID != nil && s.Info.MCID.Worsening != nil {
			t := s.Info.MCID.Worsening.Absolute(s.Baseline.Median)
			c.hasMCID = true
			if s.Info.HigherIsBetter {
				c.mcid = s.Baseline.Median - t
			} else {
				c.mcid = s.Baseline.Median + t
			}
		}
	}
	for _, iv := range b.ivs {
		n := fmt.Sprint(b.ivNumber[iv.ID])
		start := b.localDate(iv.StartDate)
		if iv.Kind == legwork.InterventionRelapseTreatment {
			c.marks = append(c.marks, mark{at: start, label: n})
			continue
		}
		end := b.end
		if iv.EndDate != nil {
			end = b.localDate(*iv.EndDate).AddDate(0, 0, 1)
		}
		c.shades = append(c.shades, shade{from: start, to: end, label: n})
	}
	for _, a := range s.Alerts {
		if b.inPeriod(a.ConfirmedAt) && len(a.Values) > 0 {
			v := a.Values[len(a.Values)-1]
			c.alerts = append(c.alerts, point{v.At, v.Value})
		}
	}
	return c
}

func (b *builder) baselineSection() section {
	sec := section{title: "Baselines and measurement noise"}
	sec.add(para("The baseline is the person's usual level: by default the first weeks of each measure. Centre = median of the daily values; spread = robust SD (1.4826 × MAD) and the quartiles; SDC = smallest detectable change, 1.96 × the SD of successive daily differences (the person's own test–retest noise); MCID = the published minimal clinically important difference for people with MS, where one exists."))
	t := &table{head: []string{"Measure", "Baseline period", "Centre", "Spread (SD; Q1–Q3)", "SDC95", "MCID worse / better"},
		widths: []float64{2.2, 1.7, 1.0, 1.7, 1.4, 2.6}}
	var notes, noMCID, rough []string
	type msgGroup struct {
		msg    string
		titles []string
	}
	var grouped []msgGroup
	for _, s := range b.main {
		row := []string{seriesTitle(s), "no baseline yet", "–", "–", "–", "–"}
		if bl := s.Baseline; bl != nil {
			row[1] = fmt.Sprintf("%s, %s", span(bl.From, bl.To.AddDate(0, 0, -1)), plural(bl.Days, "day", "days"))
			if bl.Given {
				row[1] += " (chosen)"
			} else if bl.Extended {
				row[1] += " (extended)"
			}
			row[2] = amount(s.Info, bl.Median)
			row[3] = fmt.Sprintf("%s; %s–%s", num(bl.SD, s.Info.Decimals+1), num(bl.Q1, s.Info.Decimals), num(bl.Q3, s.Info.Decimals))
			row[5] = "—"
			if s.Info.MCID != nil && !s.Info.Neutral {
				row[5] = thresholdText(s.Info, s.Info.MCID.Worsening, bl.Median) + " / " + thresholdText(s.Info, s.Info.MCID.Improvement, bl.Median)
			} else {
				row[5] = "none published"
			}
		}
		if nz := s.Noise; nz != nil {
			row[4] = change(s.Info, nz.SDC95)
			if nz.SDC95Pct != nil {
				row[4] += fmt.Sprintf(" (%.0f %%)", *nz.SDC95Pct)
			}
			row[4] += fmt.Sprintf("; %s", plural(nz.Pairs, "pair", "pairs"))
			if nz.LowPrecision {
				row[4] += ", rough"
			}
		} else if s.Baseline != nil {
			row[4] = "not known yet"
		}
		t.rows = append(t.rows, row)
		if s.Noise != nil && s.Noise.LowPrecision {
			rough = append(rough, seriesTitle(s))
		}
		for _, m := range s.Messages {
			switch {
			case strings.HasPrefix(m, "No threshold for a worsening"):
				noMCID = append(noMCID, s.Info.Label)
				continue
			case strings.HasPrefix(m, roughNoiseMessage) && s.Noise != nil && s.Noise.LowPrecision:
				continue // once for all measures, below
			case strings.HasPrefix(m, scaledMessage) && s.Info.MCID != nil && s.Info.MCID.Worsening != nil && s.Info.MCID.Worsening.Scaled:
				w := seriesTitle(s) + ": the worsening threshold is scaled from another test"
				if n := s.Info.MCID.Worsening.Note; n != "" {
					w += " (" + strings.TrimPrefix(n, "scaled ") + ")"
				}
				notes = append(notes, w+"; changes beyond it are reported, but raise no alert.")
				continue
			}
			// Messages written for the person, in the clinician's words.
			m = strings.ReplaceAll(strings.ReplaceAll(m, "Your ", "The person's "), " your ", " the person's ")
			if i := slices.IndexFunc(grouped, func(g msgGroup) bool { return g.msg == m }); i >= 0 {
				grouped[i].titles = append(grouped[i].titles, seriesTitle(s))
			} else {
				grouped = append(grouped, msgGroup{m, []string{seriesTitle(s)}})
			}
		}
	}
	for _, g := range grouped {
		notes = append(notes, strings.Join(g.titles, "; ")+": "+g.msg)
	}
	switch {
	case len(rough) > 1 && len(rough) == len(t.rows):
		notes = append(notes, fmt.Sprintf("Every SDC95 here is rough: from fewer than %d pairs of successive test days; it firms up as tests accrue.", b.robustFrom()))
	case len(rough) > 0:
		notes = append(notes, fmt.Sprintf("Rough SDC95 (from fewer than %d pairs of successive test days; firmer as tests accrue): %s.", b.robustFrom(), joinAnd(rough)))
	}
	if len(noMCID) > 0 {
		notes = append(notes, "No threshold for a worsening that matters is published for: "+joinAnd(noMCID)+". Real changes (beyond the day-to-day variation) are reported for these, but no alerts.")
	}
	if len(t.rows) == 0 {
		sec.add(para("No measures in this period."))
		return sec
	}
	sec.add(tbl(t))
	if len(notes) > 0 {
		sec.add(sub("Notes on the estimates"), list(notes))
	}
	return sec
}

// The starts of insights' messages (SeriesReport.Messages, written for
// the person) that the baseline notes word for the clinician from the
// numbers instead: a rough noise estimate, shown once for all measures,
// and a scaled worsening threshold.
const (
	roughNoiseMessage = "Your day-to-day variation is estimated from only"
	scaledMessage     = "The threshold for a worsening of your"
)

// robustFrom is the number of pairs from which insights calls a noise
// estimate precise (Noise.LowPrecision below it).
func (b *builder) robustFrom() int {
	if n := b.opt.Noise.RobustFrom; n > 0 {
		return n
	}
	return insights.DefaultNoiseOptions().RobustFrom
}

func (b *builder) changesSection() section {
	sec := section{title: "Changes and alerts"}
	alerts := b.alertsOf()
	if len(alerts) > 0 {
		sec.add(sub("Confirmed worsening alerts"))
		var items []string
		for _, a := range alerts {
			state := "resolved"
			if a.Alert.Ongoing {
				state = "ongoing"
			}
			items = append(items, fmt.Sprintf("[%s] %s", state, capitalise(a.Alert.Clinician)))
		}
		sec.add(list(items))
	} else {
		sec.add(para("No confirmed worsening alert in the period."))
	}
	// Real changes of every directional measure, worst first.
	rank := map[string]int{insights.ClassBeyondBoth: 0, insights.ClassBeyondMCIDOnly: 1, insights.ClassBeyondSDC: 2}
	type ch struct {
		s *insights.SeriesReport
		r int
	}
	var chs []ch
	seen := map[string]bool{}
	for i := range b.rep.Series {
		s := &b.rep.Series[i]
		if s.Change == nil || s.Info.Neutral || s.Last.Before(b.start) || seen[seriesTitle(s)] {
			continue
		}
		seen[seriesTitle(s)] = true
		if r, ok := rank[s.Change.Class]; ok {
			chs = append(chs, ch{s, r})
		}
	}
	slices.SortStableFunc(chs, func(x, y ch) int {
		if x.r != y.r {
			return x.r - y.r
		}
		return strings.Compare(x.s.Change.Direction, y.s.Change.Direction) * -1 // worse before better
	})
	sec.add(sub("Changes beyond the person's day-to-day variation"))
	if len(chs) == 0 {
		sec.add(para("None: every measure's latest week is within the person's day-to-day variation of its baseline (or the variation is not known yet)."))
		return sec
	}
	t := &table{head: []string{"Measure", "Baseline → latest", "Change", "SDC95", "MCID (this direction)", "Assessment"},
		widths: []float64{2.3, 1.8, 1.5, 1.0, 1.6, 2.2}}
	for _, c := range chs {
		s := c.s
		cg := s.Change
		row := []string{seriesTitle(s), amount(s.Info, cg.Baseline) + " → " + amount(s.Info, cg.Current), signedAmount(s.Info, cg.Delta), "–", "none published", classWords(cg)}
		if cg.Percent != nil {
			row[2] += " (" + pct(*cg.Percent) + ")"
		}
		if cg.SDC != nil {
			row[3] = change(s.Info, *cg.SDC)
		}
		if cg.MCID != nil {
			row[4] = mcidAmount(s.Info, cg.MCIDSource, *cg.MCID)
			if cg.MCIDSource != nil {
				row[4] += " (" + shortSource(cg.MCIDSource.Source) + ")"
			}
		}
		t.rows = append(t.rows, row)
		t.emph = append(t.emph, cg.Class == insights.ClassBeyondBoth && cg.Direction == insights.DirWorse)
	}
	sec.add(tbl(t))
	return sec
}

func (b *builder) interventionsSection() section {
	sec := section{title: "Interventions"}
	if len(b.ivs) == 0 {
		sec.add(para("No intervention was recorded in or shortly before this period."))
		return sec
	}
	window := b.opt.Effect.WindowDays
	sec.add(para(fmt.Sprintf("For each intervention, the daily values in the %d days before its start are compared with the %d days from its start: the Hodges–Lehmann shift (after − before) with Moses' distribution-free 95 %% confidence interval, and the level change from a segmented regression that allows for a steady trend. Tests with and without a walking aid are never compared. %s", window, window, observational)))
	for _, iv := range b.ivs {
		blocks := []block{sub(b.ivLabel(iv))}
		if iv.Notes != "" {
			blocks = append(blocks, note("Notes: "+iv.Notes))
		}
		t := &table{head: []string{"Measure", "Before: median (days)", "After: median (days)", "Change (95 % CI)", "Trend-adjusted (95 % CI)", "Result"},
			widths: []float64{2.2, 1.4, 1.4, 1.9, 1.9, 1.6}}
		var notes []string
		for _, s := range b.main {
			for _, e := range s.Interventions {
				if e.Intervention.ID != iv.ID || !e.Intervention.Start.Equal(b.localDate(iv.StartDate)) || e.BeforeDays+e.AfterDays == 0 {
					continue
				}
				before, after := fmt.Sprintf("– (%d)", e.BeforeDays), fmt.Sprintf("– (%d)", e.AfterDays)
				if e.BeforeMedian != nil {
					before = fmt.Sprintf("%s (%d)", amount(s.Info, *e.BeforeMedian), e.BeforeDays)
				}
				if e.AfterMedian != nil {
					after = fmt.Sprintf("%s (%d)", amount(s.Info, *e.AfterMedian), e.AfterDays)
				}
				res := effectResult(s.Info, &e, b.notJudged(iv, &e))
				shift := ci(s.Info, e.Shift)
				if e.Shift != nil && e.Percent != nil {
					shift += "\n" + pct(*e.Percent)
				}
				t.addRow(seriesTitle(s), before, after, shift, ci(s.Info, e.TrendAdjusted), res)
				t.emph = append(t.emph, false)
				for _, n := range e.Notes {
					if !slices.Contains(notes, n) {
						notes = append(notes, n)
					}
				}
			}
		}
		if len(t.rows) == 0 {
			blocks = append(blocks, para("None of the main measures has tests around this intervention."))
		} else {
			blocks = append(blocks, tbl(t))
		}
		if iv.Kind == legwork.InterventionRelapseTreatment && len(t.rows) > 0 {
			notes = append(notes, "The shifts around a relapse treatment are shown but not judged: the relapse itself changes these measures, and its course (how low they went and how long they took to recover) is not computed here; the charts show it.")
		}
		if len(notes) > 0 {
			blocks = append(blocks, list(notes))
		}
		sec.add(blocks...)
	}
	return sec
}

// notJudged says why an intervention's before/after shift in a measure is
// not judged, or "": around a relapse treatment the relapse itself changes
// the measures, and so it does for any intervention with a relapse
// treatment starting within its before or after window.
func (b *builder) notJudged(iv *legwork.Intervention, e *insights.InterventionEffect) string {
	if iv.Kind == legwork.InterventionRelapseTreatment {
		return "the relapse itself changes these measures"
	}
	for _, r := range b.d.Interventions {
		if r.ID == iv.ID || r.Kind != legwork.InterventionRelapseTreatment {
			continue
		}
		if d := dateOnly(r.StartDate); !d.Before(e.BeforeFrom) && d.Before(e.AfterTo) {
			return "a relapse treatment started within these weeks"
		}
	}
	return ""
}

// effectResult says what an intervention's before/after shift amounts to:
// clear or not, with what the trend-adjusted level change adds — not
// clear once a trend already under way before is allowed for (as insights
// words it: it may be a trend that started earlier), pointing the other
// way, or clear only after allowing for a trend. notJudged, when not
// empty, says why the shift is not judged at all.
func effectResult(info insights.MetricInfo, e *insights.InterventionEffect, notJudged string) string {
	if e.TooLittleData || e.Shift == nil {
		return "too little data"
	}
	if notJudged != "" {
		return "not judged: " + notJudged
	}
	res := "no clear difference"
	if e.Clear {
		res = "clear difference, " + e.Direction
		if e.BeyondMCID != nil && *e.BeyondMCID {
			res += ", beyond the MCID"
		}
	}
	ta := e.TrendAdjusted
	if ta == nil {
		return res
	}
	sh := e.Shift.Value
	switch {
	case e.Clear && !ta.Excludes(0):
		if pt := e.PreTrendPerWeek; pt != nil && pt.Excludes(0) && math.Signbit(pt.Value) == math.Signbit(sh) {
			res += "; not clear after allowing for the earlier trend (it may be a trend that started before)"
		} else {
			res += "; not clear after allowing for a steady trend"
		}
	case e.Clear && math.Signbit(ta.Value) != math.Signbit(sh):
		res += "; the other way (" + directionOf(info, ta.Value) + ") after allowing for a steady trend"
	case !e.Clear && ta.Excludes(0):
		res += "; clear after allowing for a steady trend (" + directionOf(info, ta.Value) + ")"
	}
	return res
}

// directionOf names the direction of a change v of a measure, as insights
// does: better or worse, higher or lower for a measure without a better
// direction.
func directionOf(info insights.MetricInfo, v float64) string {
	switch {
	case info.Neutral && v > 0:
		return insights.DirHigher
	case info.Neutral:
		return insights.DirLower
	case (v > 0) == info.HigherIsBetter:
		return insights.DirBetter
	}
	return insights.DirWorse
}

func (b *builder) triggersSection() section {
	sec := section{title: "Triggers"}
	opt := b.opt
	sec.add(para(fmt.Sprintf("Each test day with a trigger recorded in the diary (night-time also when a test was taken between %02d:00 and %02d:00) is compared with the median of nearby days without it (within %d days), over the whole record up to the end of the period: the Hodges–Lehmann estimate of the difference with its signed-rank %g %% confidence interval. ",
		opt.NightStartHour, opt.NightEndHour, opt.Trigger.RefDays, 100*opt.Trigger.Level) + associational))
	t := &table{head: []string{"Trigger", "Measure", "Days compared", "Difference (95 % CI)", "Relative", "Result"},
		widths: []float64{1.3, 2.4, 1.1, 2.2, 1.0, 1.7}}
	little := map[string][]string{}
	for _, tr := range insights.Triggers {
		for _, s := range b.main {
			for _, te := range s.Triggers {
				if te.Trigger != tr {
					continue
				}
				if te.Effect == nil {
					if te.DaysWith > 0 {
						little[tr] = append(little[tr], s.Info.Label)
					}
					continue
				}
				rel := "–"
				if te.Percent != nil {
					rel = pct(*te.Percent)
				}
				res := "no clear difference"
				if te.Clear {
					res = "clear difference, " + te.Direction
				}
				t.addRow(capitalise(triggerText(te.Trigger)), seriesTitle(s), fmt.Sprint(te.Matched), ci(s.Info, te.Effect), rel, res)
			}
		}
	}
	if len(t.rows) > 0 {
		sec.add(tbl(t))
	} else {
		sec.add(para("No trigger had enough test days to estimate its effect (at least 6 days with the trigger, each with 3 nearby days without it)."))
	}
	if len(little) > 0 {
		var items []string
		for _, tr := range insights.Triggers {
			if ms, ok := little[tr]; ok {
				items = append(items, fmt.Sprintf("%s: %s", capitalise(triggerText(tr)), strings.Join(ms, ", ")))
			}
		}
		sec.add(sub("Too few test days to estimate"), list(items))
	}
	return sec
}

func (b *builder) symptomsSection() section {
	sec := section{title: "Symptoms and falls"}
	type month struct {
		key                  string
		entries              int
		sev, fat             []float64
		falls, near, injured int
		sens                 map[string]int
	}
	var months []*month
	byKey := map[string]*month{}
	for t := time.Date(b.start.Year(), b.start.Month(), 1, 0, 0, 0, 0, b.loc); t.Before(b.end); t = t.AddDate(0, 1, 0) {
		m := &month{key: t.Format("Jan 2006"), sens: map[string]int{}}
		months = append(months, m)
		byKey[m.key] = m
	}
	sensations := map[string]int{}
	triggers := map[string]int{}
	var own []string
	var fallItems []string
	entries := slices.Clone(b.d.Diary)
	slices.SortStableFunc(entries, func(x, y *legwork.DiaryEntry) int { return x.At.Compare(y.At) })
	total := 0
	for _, e := range entries {
		if !b.inPeriod(e.At) {
			continue
		}
		total++
		m := byKey[e.At.In(b.loc).Format("Jan 2006")]
		if m == nil {
			continue
		}
		m.entries++
		if e.Severity != nil {
			m.sev = append(m.sev, float64(*e.Severity))
		}
		if e.Fatigue != nil {
			m.fat = append(m.fat, float64(*e.Fatigue))
		}
		for _, s := range e.Sensations {
			m.sens[s]++
			sensations[s]++
		}
		for _, t := range e.Triggers {
			triggers[t]++
		}
		if e.SensationOther != "" && !slices.Contains(own, e.SensationOther) {
			own = append(own, e.SensationOther)
		}
		if f := e.Fall; f != nil {
			kind := "Fall"
			if f.Kind == "near_fall" {
				m.near++
				kind = "Near-fall"
			} else {
				m.falls++
			}
			if f.Injured {
				m.injured++
				kind += " with injury"
			}
			item := fdate(e.At.In(b.loc)) + ": " + kind
			if f.Circumstances != "" {
				item += " — " + f.Circumstances
			}
			fallItems = append(fallItems, item)
		}
	}
	if total == 0 {
		sec.add(para("No diary entries in this period."))
	} else {
		sec.add(para(fmt.Sprintf("%s in the period. Leg-symptom severity and fatigue are the person's 0–10 ratings (10 worst).", plural(total, "diary entry", "diary entries"))))
		t := &table{head: []string{"Month", "Entries", "Leg-symptom severity: median (max)", "Fatigue: median", "Falls", "Near-falls", "Injuries", "Most frequent sensations"},
			widths: []float64{1.1, 0.8, 1.5, 1.1, 0.7, 0.9, 0.8, 2.6}, right: []bool{false, true, true, true, true, true, true, false}}
		for _, m := range months {
			sev, fat := "–", "–"
			if len(m.sev) > 0 {
				sev = fmt.Sprintf("%s (%s)", ratingNum(insights.Median(m.sev)), ratingNum(slices.Max(m.sev)))
			}
			if len(m.fat) > 0 {
				fat = ratingNum(insights.Median(m.fat))
			}
			t.addRow(m.key, fmt.Sprint(m.entries), sev, fat, fmt.Sprint(m.falls), fmt.Sprint(m.near), fmt.Sprint(m.injured), topCounts(m.sens, 3))
			t.emph = append(t.emph, m.falls > 0)
		}
		sec.add(tbl(t))
		var items []string
		if len(sensations) > 0 {
			items = append(items, "Sensations: "+topCounts(sensations, 10)+".")
		}
		if len(triggers) > 0 {
			tr := map[string]int{}
			for k, v := range triggers {
				tr[triggerText(k)] = v
			}
			items = append(items, "Triggers noted: "+topCounts(tr, 10)+".")
		}
		if len(own) > 0 {
			if len(own) > 8 {
				own = append(own[:8], fmt.Sprintf("and %d more", len(own)-8))
			}
			items = append(items, "In the person's own words: “"+strings.Join(own, "”; “")+"”.")
		}
		if len(items) > 0 {
			sec.add(list(items))
		}
	}
	if len(fallItems) > 0 {
		sec.add(sub("Falls and near-falls"), list(fallItems))
	}
	if fr := b.rep.Falls; fr != nil {
		var items []string
		var few *insights.FallAssociation
		for i, a := range fr.Associations {
			if !a.TooLittleData {
				items = append(items, capitalise(a.Clinician))
			} else if few == nil {
				few = &fr.Associations[i]
			}
		}
		switch {
		case len(items) > 0:
			sec.add(sub("Falls and walking"), list(items), note("Monthly association over the whole record. "+associational))
		case few != nil:
			// Say why there is no association rather than leave it out.
			sec.add(sub("Falls and walking"), list([]string{capitalise(few.Clinician)}))
		}
	}
	return sec
}

// topCounts formats counts, most frequent first: "heavy 12, jelly 3".
func topCounts(m map[string]int, n int) string {
	type kv struct {
		k string
		v int
	}
	var kvs []kv
	for k, v := range m {
		kvs = append(kvs, kv{k, v})
	}
	slices.SortFunc(kvs, func(x, y kv) int {
		if x.v != y.v {
			return y.v - x.v
		}
		return strings.Compare(x.k, y.k)
	})
	var parts []string
	for i, p := range kvs {
		if i == n {
			break
		}
		parts = append(parts, fmt.Sprintf("%s %d", p.k, p.v))
	}
	if len(parts) == 0 {
		return "–"
	}
	return strings.Join(parts, ", ")
}

// valid reports whether an assessment gave results.
func valid(a *legwork.Assessment) bool {
	return len(a.Metrics) > 0 && !slices.Contains(a.Quality, "not_analysed")
}

func (b *builder) qualitySection() section {
	sec := section{title: "Data quality"}
	var inPeriod []*legwork.Assessment
	for _, a := range b.d.Assessments {
		if b.inPeriod(a.RecordedAt) {
			inPeriod = append(inPeriod, a)
		}
	}
	if len(inPeriod) == 0 {
		sec.add(para("No recordings in this period."))
		return sec
	}
	type row struct{ n, ok, bad, notes int }
	rows := map[string]*row{}
	var keys []string
	flags := map[string]int{}
	var invalid []*legwork.Assessment
	for _, a := range inPeriod {
		k := capitalise(testName(string(a.TestType)))
		if a.Source != "" && a.Source != "legwork" {
			k += " (imported: " + strings.ReplaceAll(a.Source, "_", " ") + ")"
		}
		r := rows[k]
		if r == nil {
			r = &row{}
			rows[k] = r
			keys = append(keys, k)
		}
		r.n++
		if valid(a) {
			r.ok++
		} else {
			r.bad++
			invalid = append(invalid, a)
		}
		if len(a.Quality) > 0 {
			r.notes++
		}
		for _, q := range a.Quality {
			flags[qualityText(q)]++
		}
	}
	slices.Sort(keys)
	t := &table{head: []string{"Test", "Recordings", "Valid", "Not valid", "With quality notes"}, widths: []float64{3, 1, 1, 1, 1.3},
		right: []bool{false, true, true, true, true}}
	for _, k := range keys {
		r := rows[k]
		t.addRow(k, fmt.Sprint(r.n), fmt.Sprint(r.ok), fmt.Sprint(r.bad), fmt.Sprint(r.notes))
		t.emph = append(t.emph, false)
	}
	sec.add(tbl(t))
	if len(flags) > 0 {
		sec.add(sub("Quality notes"), para(topCounts(flags, 20)+" (recordings)."))
	}
	if len(invalid) > 0 {
		sec.add(sub("Recordings that gave no valid result"))
		slices.SortStableFunc(invalid, func(x, y *legwork.Assessment) int { return x.RecordedAt.Compare(y.RecordedAt) })
		it := &table{head: []string{"Date", "Test", "Why"}, widths: []float64{1.2, 1.8, 5}}
		for i, a := range invalid {
			if i == 15 {
				it.addRow("…", fmt.Sprintf("%d more", len(invalid)-15), "")
				break
			}
			var why []string
			for _, q := range a.Quality {
				why = append(why, qualityText(q))
			}
			if len(why) == 0 {
				why = []string{"no measure could be computed"}
			}
			it.addRow(fdate(a.RecordedAt.In(b.loc)), testName(string(a.TestType)), strings.Join(why, "; "))
		}
		sec.add(tbl(it), note("The recordings are kept; they are not used for trends or alerts."))
	}
	return sec
}

// weeks returns the complete Monday–Sunday weeks inside the period.
func (b *builder) weeks() []time.Time {
	t := b.start
	for t.Weekday() != time.Monday {
		t = t.AddDate(0, 0, 1)
	}
	var out []time.Time
	for ; !t.AddDate(0, 0, 7).After(b.end); t = t.AddDate(0, 0, 7) {
		out = append(out, t)
	}
	return out
}

// weeklyCounts counts the person's own guided tests (source legwork) per
// test type and complete week.
func (b *builder) weeklyCounts() (map[legwork.TestType][]int, []time.Time) {
	weeks := b.weeks()
	counts := map[legwork.TestType][]int{}
	for _, a := range b.d.Assessments {
		if a.Source != "" && a.Source != "legwork" {
			continue
		}
		at := a.RecordedAt.In(b.loc)
		for i, w := range weeks {
			if !at.Before(w) && at.Before(w.AddDate(0, 0, 7)) {
				if counts[a.TestType] == nil {
					counts[a.TestType] = make([]int, len(weeks))
				}
				counts[a.TestType][i]++
				break
			}
		}
	}
	return counts, weeks
}

// inferPlan sets the plan: the given one, or per test type the most
// common non-zero weekly count (ties: the larger).
func (b *builder) inferPlan() {
	if b.d.Plan != nil {
		b.plan, b.planGiven = b.d.Plan, true
		return
	}
	b.plan = map[legwork.TestType]int{}
	counts, _ := b.weeklyCounts()
	for tt, c := range counts {
		freq := map[int]int{}
		for _, n := range c {
			if n > 0 {
				freq[n]++
			}
		}
		best, bestF := 0, 0
		for n, f := range freq {
			if f > bestF || (f == bestF && n > best) {
				best, bestF = n, f
			}
		}
		if best > 0 {
			b.plan[tt] = best
		}
	}
}

// adherenceWeeks returns, for a test type, the week indices the plan
// applies to: every complete week for a given plan, from the first week
// with such a test for an inferred one.
func (b *builder) adherenceWeeks(c []int) int {
	if b.planGiven {
		return len(c)
	}
	for i, n := range c {
		if n > 0 {
			return len(c) - i
		}
	}
	return 0
}

func (b *builder) adherenceTotals() (done, planned int) {
	counts, weeks := b.weeklyCounts()
	for tt, per := range b.plan {
		c := counts[tt]
		if c == nil {
			c = make([]int, len(weeks))
		}
		n := b.adherenceWeeks(c)
		for _, x := range c[len(c)-n:] {
			done += min(x, per)
		}
		planned += n * per
	}
	return done, planned
}

func (b *builder) adherenceSection() section {
	sec := section{title: "Test adherence"}
	counts, weeks := b.weeklyCounts()
	if len(weeks) == 0 {
		sec.add(para("The period holds no complete Monday–Sunday week."))
		return sec
	}
	if len(b.plan) == 0 {
		if b.planGiven {
			sec.add(para("The plan given has no tests planned (0 a week for each), so there is no adherence to show."))
		} else {
			sec.add(para("No guided tests in the complete weeks of the period, and no plan was given."))
		}
		return sec
	}
	how := "Planned tests per week as given."
	if b.d.PlanStored {
		how = "Planned tests per week: the person's weekly plan as stored in legwork when the report was made (an earlier plan, changed during the period, is not known)."
	}
	if !b.planGiven {
		how = "No test schedule is stored, so the plan is inferred: for each test, the most common number of tests per week, from the first week with such a test. Adherence is therefore measured against the person's own usual rhythm, taken from the same tests, not against a prescribed plan."
	}
	sec.add(para(fmt.Sprintf("%s Counted over the %s (Monday–Sunday) of the period; imported daily summaries are not counted. A week counts at most the planned number of tests.", how, plural(len(weeks), "complete week", "complete weeks"))))
	t := &table{head: []string{"Test", "Planned per week", "Weeks", "Planned", "Done", "Adherence", "Weeks complete"},
		widths: []float64{2.4, 1.2, 0.9, 1, 0.9, 1.1, 1.3}, right: []bool{false, true, true, true, true, true, true}}
	var types []legwork.TestType
	for tt := range b.plan {
		types = append(types, tt)
	}
	slices.SortFunc(types, func(x, y legwork.TestType) int {
		return slices.Index(legwork.TestTypes, x) - slices.Index(legwork.TestTypes, y)
	})
	weekDone := make([]float64, len(weeks))
	plannedPerWeek := 0
	for _, tt := range types {
		per := b.plan[tt]
		c := counts[tt]
		if c == nil {
			c = make([]int, len(weeks))
		}
		n := b.adherenceWeeks(c)
		done, complete := 0, 0
		for _, x := range c[len(c)-n:] {
			done += min(x, per)
			if x >= per {
				complete++
			}
		}
		for i, x := range c {
			weekDone[i] += float64(x)
		}
		plannedPerWeek += per
		adh := "–"
		if n*per > 0 {
			adh = fmt.Sprintf("%.0f %%", 100*float64(done)/float64(n*per))
		}
		t.addRow(capitalise(testName(string(tt))), fmt.Sprint(per), fmt.Sprint(n), fmt.Sprint(n*per), fmt.Sprint(done), adh, fmt.Sprint(complete))
		t.emph = append(t.emph, false)
	}
	sec.add(tbl(t))
	weeksWords := "the complete weeks of the period"
	if !b.planGiven {
		weeksWords += " from the first week with such a test"
	}
	sec.add(note("Weeks: " + weeksWords + ". Weeks complete: weeks with at least the planned number of tests."))
	c := &chartSpec{title: "Tests per week", from: weeks[0], to: weeks[len(weeks)-1].AddDate(0, 0, 7), loc: b.loc, unit: "tests", planned: float64(plannedPerWeek)}
	for i, w := range weeks {
		c.bars = append(c.bars, bar{from: w, to: w.AddDate(0, 0, 7), v: weekDone[i]})
	}
	sec.add(block{kind: blockSub, text: "Guided tests per week (bars) and the planned total (green dashed line)", keep: true}, chartBlock(c))
	return sec
}

func (b *builder) methodsSection() section {
	sec := section{title: "About this report"}
	opt := b.opt
	items := []string{
		"Daily value: the median of the day's tests of one measure, test and walking aid (days in " + b.loc.String() + "). Results are only compared within the same test and the same walking aid.",
		fmt.Sprintf("Change: the median of the test days in the last %d days against the baseline median, compared with the smallest detectable change (SDC95) and the published MCID.", opt.Change.WindowDays),
		fmt.Sprintf("Alert: two test days at least %g hours apart, each worse than the reference by more than max(SDC95, MCID); within %d days of starting a relapse treatment the reference is the post-relapse level.", opt.Alert.ConfirmAfter.Hours(), opt.Alert.RelapseQuietDays) + " Heat, fever or infection, overexertion and stress in the diary are noted as possible causes of a temporary worsening (pseudo-relapse). Measures without a published MCID, or whose worsening MCID is scaled from another test (the 2-minute walk's, from the 6-minute walk's), get no alerts.",
		"Intervention and trigger effects use rank-based estimates (Hodges–Lehmann) with distribution-free intervals, widened for day-to-day correlation as estimated from the person's own consecutive test days (an AR(1) approximation; with weekly tests it cannot be estimated and the intervals assume independent days).",
	}
	sec.add(list(items), note(notDiagnosis))
	return sec
}
