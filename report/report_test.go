package report

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"legwork"
	"legwork/insights"
)

// sample makes a person's record the way package app assembles it: days
// of daily tests ending on 30 Jun 2026 (T25FW; a 2-minute walk with
// walking speed, cadence, stride length, step-time variability and
// distance; balance), a diary every third day with triggers, falls,
// physiotherapy that helps by 10 %, and a relapse 40 days before the end
// with a 40 % slower T25FW that has not recovered.
func sample(days int) *Data {
	loc, _ := time.LoadLocation("Europe/Berlin")
	end := time.Date(2026, 6, 30, 0, 0, 0, 0, loc)
	start := end.AddDate(0, 0, -days+1)
	r := rand.New(rand.NewPCG(3, 3))
	person := &legwork.User{ID: 7, Name: "Alex Example", Email: "alex@example.org", Role: legwork.RolePerson, HeightM: 1.72}
	ptStart := end.AddDate(0, 0, -120)
	ptEnd := ptStart.AddDate(0, 0, 41)
	relapse := end.AddDate(0, 0, -40)
	relapseEnd := relapse.AddDate(0, 0, 2)
	date := func(t time.Time) time.Time { y, m, d := t.Date(); return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	ivs := []*legwork.Intervention{
		{ID: 1, PersonID: 7, Kind: legwork.InterventionPhysicalTherapy, Name: "Neuro-physiotherapy, twice weekly", StartDate: date(ptStart), EndDate: ptr(date(ptEnd)), Notes: "Gait & balance <training>"},
		{ID: 2, PersonID: 7, Kind: legwork.InterventionRelapseTreatment, Name: "Methylprednisolone 1 g IV × 3 days", StartDate: date(relapse), EndDate: ptr(date(relapseEnd))},
	}
	in := insights.Input{Metrics: map[string][]insights.Observation{}, Options: insights.Options{Location: loc}}
	for _, iv := range ivs {
		y, m, d := iv.StartDate.Date()
		p := insights.Period{ID: iv.ID, Kind: string(iv.Kind), Name: iv.Name, Start: time.Date(y, m, d, 0, 0, 0, 0, loc)}
		in.Interventions = append(in.Interventions, p)
	}
	var diary []*legwork.DiaryEntry
	var assessments []*legwork.Assessment
	id := int64(0)
	add := func(test legwork.TestType, at time.Time, m map[string]float64, quality ...string) {
		id++
		for k, v := range m {
			in.Metrics[k] = append(in.Metrics[k], insights.Observation{At: at, Value: v, TestType: string(test), Device: "none", ID: id})
		}
		assessments = append(assessments, &legwork.Assessment{ID: id, PersonID: 7, TestType: test, RecordedAt: at, Source: "legwork",
			AlgorithmVersion: "legwork-assess/1+legwork-gait/1", Metrics: m, Quality: quality})
	}
	for d := 0; d < days; d++ {
		day := start.AddDate(0, 0, d)
		f := 1.0
		if !day.Before(ptStart) {
			f *= 1 + 0.1*math.Min(day.Sub(ptStart).Hours()/24/42, 1)
		}
		if !day.Before(relapse) {
			f /= 1.4
		}
		heat := d%5 == 0
		if heat {
			f *= 0.93
		}
		n := func(sd float64) float64 { return 1 + sd*r.NormFloat64() }
		at := day.Add(9 * time.Hour)
		if d%11 == 0 {
			at = day.Add(22 * time.Hour) // night-time test
		}
		t25 := 6.5 / f * n(0.04)
		add(legwork.TestT25FW, at, map[string]float64{"t25fw_time_s": t25, "t25fw_speed_mps": 7.62 / t25})
		switch {
		case d%37 == 5:
			add(legwork.TestWalk2Min, at.Add(10*time.Minute), map[string]float64{}, "segments", "too_short")
		default:
			q := []string{}
			if d%13 == 0 {
				q = append(q, "sampling_gaps")
			}
			speed := 1.05 * f * n(0.03)
			add(legwork.TestWalk2Min, at.Add(10*time.Minute), map[string]float64{"walking_speed_mps": speed, "walk2min_distance_m": speed * 115,
				"cadence_spm": 100 * math.Pow(f, 0.4) * n(0.02), "stride_length_m": 1.2 * math.Pow(f, 0.6) * n(0.02), "step_time_cv_pct": 3.5 / f * n(0.1)}, q...)
		}
		if d%7 == 0 {
			add(legwork.TestBalance, at.Add(20*time.Minute), map[string]float64{"sway_rms_ms2": 0.1 / f * n(0.1)})
		}
		if d%3 == 0 || heat {
			sev, fat := 3+r.IntN(3), 4+r.IntN(3)
			e := &legwork.DiaryEntry{ID: int64(len(diary) + 1), PersonID: 7, At: day.Add(19 * time.Hour), Severity: &sev, Fatigue: &fat,
				Sensations: []string{legwork.SensationHeavy}}
			if heat {
				e.Triggers = []string{legwork.TriggerHeat}
				e.Sensations = append(e.Sensations, legwork.SensationJelly)
				in.Days = append(in.Days, insights.DayContext{Date: e.At, Heat: true})
			}
			if d%45 == 0 {
				e.Fall = &legwork.Fall{Kind: "near_fall", Circumstances: "caught the <rail> on the stairs"}
				in.Falls = append(in.Falls, insights.Fall{At: e.At, Kind: "near_fall"})
			}
			diary = append(diary, e)
		}
		if day.Equal(relapse.AddDate(0, 0, -1)) {
			sev := 8
			e := &legwork.DiaryEntry{ID: int64(len(diary) + 1), PersonID: 7, At: day.Add(8 * time.Hour), Severity: &sev, Sensations: []string{legwork.SensationWeak},
				Fall: &legwork.Fall{Kind: "fall", Injured: true, Circumstances: "left leg gave way"}, SensationOther: "foot catches <script>alert(1)</script>"}
			in.Falls = append(in.Falls, insights.Fall{At: e.At, Kind: "fall", Injured: true})
			diary = append(diary, e)
		}
	}
	in.AsOf = end.AddDate(0, 0, 1).Add(-time.Microsecond)
	rep := insights.Compute(in)
	return &Data{Person: person, From: end.AddDate(0, 0, -180), To: end, Location: loc, Generated: time.Date(2026, 7, 1, 10, 30, 0, 0, time.UTC),
		Input: in, Insights: rep, Diary: diary, Interventions: ivs, Assessments: assessments, Versions: []string{"legwork-assess/1+legwork-gait/1"}}
}

func ptr[T any](v T) *T { return &v }

// docText is the document's text, in order, as both renderers draw it.
func docText(doc *document) string {
	var sb strings.Builder
	sb.WriteString(doc.title + "\n" + doc.person + "\n" + doc.period + "\n" + strings.Join(doc.meta, "\n") + "\n")
	for _, s := range append([]section{doc.summary}, doc.sections...) {
		sb.WriteString("## " + s.title + "\n")
		for _, b := range s.blocks {
			if b.text != "" {
				sb.WriteString(b.text + "\n")
			}
			for _, it := range b.items {
				sb.WriteString("- " + it + "\n")
			}
			if b.alert != nil {
				sb.WriteString(b.alert.title + "\n" + b.alert.text + "\n" + b.alert.detail + "\n")
			}
			if b.table != nil {
				sb.WriteString(strings.Join(b.table.head, " | ") + "\n")
				for _, r := range b.table.rows {
					sb.WriteString(strings.Join(r, " | ") + "\n")
				}
			}
		}
	}
	return sb.String()
}

func TestReportContent(t *testing.T) {
	d := sample(400)
	doc, err := build(d)
	if err != nil {
		t.Fatal(err)
	}
	text := docText(doc)
	summary := docText(&document{summary: doc.summary})
	for _, want := range []string{
		"Alex Example", "1 Jan–30 Jun 2026 (181 days)", "Europe/Berlin", "legwork-assess/1+legwork-gait/1",
		// The one-minute summary: the ongoing T25FW alert in plain words
		// with its numbers, and the main measures against baseline. The
		// 2-minute walk distance, whose worsening threshold is scaled from
		// the 6-minute walk, is a real change but raises no alert.
		"confirmed meaningful worsening is still in force", "Timed 25-Foot Walk time: confirmed worsening since 20 Jun 2026",
		"8.3 s on 20 Jun and 8.3 s on 21 Jun", "26 % longer than the baseline (6.6 s)", "SDC 0.7 s", "MCID 1.3 s, Kaufman 2000", "contact your clinician",
		"Main measures: latest against baseline", "meaningful change, worse", "probably real change, worse, beyond the scaled MCID (a rough guide)",
		"Falls in the period: 1 (1 with injury)",
		"Tests done:",
	} {
		if !strings.Contains(summary, want) && !strings.Contains(text[:len(summary)+400], want) {
			t.Errorf("summary lacks %q", want)
		}
	}
	for _, want := range []string{
		"## Measures over time", "1. Physical therapy: Neuro-physiotherapy, twice weekly, 2 Mar–12 Apr 2026", "2. Relapse treatment: Methylprednisolone 1 g IV × 3 days, 21–23 May 2026",
		"## Baselines and measurement noise", "20 % = 1.3 s (Kaufman 2000) / ", "SDC95",
		"## Changes and alerts", "## Interventions", "Moses", "not proof that the intervention caused the change", "clear difference, better",
		"## Triggers", "Heat |", "not proof of cause",
		"## Symptoms and falls", "Jan 2026", "Jun 2026", "heavy", "left leg gave way",
		"## Data quality", "gaps in the sampling", "the test's markers do not fit the recording",
		"## Test adherence", "inferred", "## About this report", "does not diagnose",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// Never a diagnosis: the only mention is that it does not diagnose.
	if n, m := strings.Count(strings.ToLower(text), "diagnos"), strings.Count(text, "does not diagnose")+strings.Count(text, "not diagnose"); n > m {
		t.Errorf("%d mentions of diagnosis, %d of them negations", n, m)
	}
	// Eight charts at most, the main measures first; the adherence chart.
	charts := 0
	for _, s := range doc.sections {
		for _, b := range s.blocks {
			if b.kind == blockChart && len(b.chart.bars) == 0 {
				charts++
				if len(b.chart.points) == 0 {
					t.Error("an empty chart")
				}
			}
		}
	}
	if charts != 7 {
		t.Errorf("%d metric charts, want 7 (T25FW, 2MW distance, speed, cadence, stride length, step-time CV, sway)", charts)
	}
}

func TestReportPDF(t *testing.T) {
	d := sample(400)
	var a bytes.Buffer
	if err := PDF(&a, d); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(a.Bytes(), []byte("%PDF-")) || !bytes.Contains(a.Bytes(), []byte("%%EOF")) {
		t.Fatal("not a PDF")
	}
	pages := len(regexp.MustCompile(`/Type /Page\b[^s]`).FindAll(a.Bytes(), -1))
	if pages < 5 || pages > 14 {
		t.Errorf("%d pages", pages)
	}
	if n := bytes.Count(a.Bytes(), []byte("/Subtype /Image")); n != 8 {
		t.Errorf("%d images, want 8 charts", n)
	}
	if dir := os.Getenv("LEGWORK_REPORT_OUT"); dir != "" {
		os.WriteFile(dir+"/report.pdf", a.Bytes(), 0o644)
	}
}

func TestReportHTML(t *testing.T) {
	d := sample(400)
	var buf bytes.Buffer
	if err := HTML(&buf, d); err != nil {
		t.Fatal(err)
	}
	h := buf.String()
	for _, want := range []string{"<!DOCTYPE html>", "<h1>Walking and balance report</h1>", "contact your clinician", "<h2>Interventions</h2>",
		"Gait &amp; balance &lt;training&gt;", "caught the &lt;rail&gt;", "foot catches &lt;script&gt;"} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if n := strings.Count(h, "<svg"); n != 8 {
		t.Errorf("%d inline SVG charts, want 8", n)
	}
	if strings.Contains(h, "<script") || strings.Contains(h, "<?xml") || strings.Contains(h, "http://") && !strings.Contains(h, "xmlns=\"http://www.w3.org/2000/svg\"") {
		t.Error("script, XML declaration or external reference in the HTML")
	}
	if dir := os.Getenv("LEGWORK_REPORT_OUT"); dir != "" {
		os.WriteFile(dir+"/report.html", buf.Bytes(), 0o644)
	}
}

// A person with no tests, no diary and no interventions still gets a
// report saying so.
func TestReportEmpty(t *testing.T) {
	loc := time.UTC
	d := &Data{Person: &legwork.User{ID: 1, Name: "New Person"}, From: time.Date(2026, 1, 1, 0, 0, 0, 0, loc), To: time.Date(2026, 1, 31, 0, 0, 0, 0, loc),
		Generated: time.Date(2026, 2, 1, 0, 0, 0, 0, loc), Insights: insights.Compute(insights.Input{})}
	doc, err := build(d)
	if err != nil {
		t.Fatal(err)
	}
	text := docText(doc)
	for _, want := range []string{"No confirmed meaningful worsening", "No test results in this period.", "No diary entries in this period.", "No recordings in this period."} {
		if !strings.Contains(text, want) {
			t.Errorf("empty report lacks %q", want)
		}
	}
	var buf bytes.Buffer
	if err := PDF(&buf, d); err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	if err := HTML(&buf, d); err != nil {
		t.Fatal(err)
	}
	if _, err := build(&Data{Person: d.Person, From: d.To, To: d.From}); err == nil {
		t.Error("a period ending before it starts was accepted")
	}
}

// BenchmarkReport5Years renders the report of a five-year period of daily
// tests (the insights are computed beforehand, as the app does).
func BenchmarkReport5Years(b *testing.B) {
	d := sample(5*365 + 1)
	d.From = d.To.AddDate(-5, 0, 1)
	for _, f := range []struct {
		name  string
		write func(*bytes.Buffer, *Data) error
	}{
		{"pdf", func(w *bytes.Buffer, d *Data) error { return PDF(w, d) }},
		{"html", func(w *bytes.Buffer, d *Data) error { return HTML(w, d) }},
	} {
		b.Run(f.name, func(b *testing.B) {
			var buf bytes.Buffer
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				if err := f.write(&buf, d); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(buf.Len())/1e6, "MB")
		})
	}
}

// Imported measures that insights does not know get readable labels and
// units in the report, without changing the caller's report.
func TestImportedLabels(t *testing.T) {
	rep := insights.Report{Series: []insights.SeriesReport{{Metric: "steps_per_day", TestType: "walk", Device: "none", Info: insights.LookupMetric("steps_per_day", "walk")},
		{Metric: "t25fw_time_s", TestType: "t25fw", Device: "none", Info: insights.LookupMetric("t25fw_time_s", "t25fw")}}}
	got := labelled(rep)
	if s := &got.Series[0]; seriesTitle(s) != "Steps per day (free walking / daily life)" || amount(s.Info, 5234) != "5234 steps" {
		t.Errorf("imported: %q, %q", seriesTitle(s), amount(s.Info, 5234))
	}
	if got.Series[1].Info.Label != rep.Series[1].Info.Label || rep.Series[0].Info.Label != "steps_per_day" {
		t.Error("labels of known measures changed, or the caller's report was changed")
	}
}

// An alert that came back within the threshold is listed as resolved in
// the summary, with its days and size, and no alert is said to be in
// force. The sample's T25FW alert (20–21 Jun 2026, +26 %, see
// TestReportContent) is marked resolved here.
func TestReportResolvedAlert(t *testing.T) {
	d := sample(400)
	n := 0
	for i := range d.Insights.Series {
		s := &d.Insights.Series[i]
		for j := range s.Alerts {
			if s.Metric == "t25fw_time_s" && s.Alerts[j].Ongoing {
				s.Alerts[j].Ongoing = false
				n++
			}
		}
	}
	if n != 1 {
		t.Fatalf("%d ongoing T25FW alerts in the sample, want 1", n)
	}
	d.Insights.OngoingAlerts = nil
	doc, err := build(d)
	if err != nil {
		t.Fatal(err)
	}
	summary := docText(&document{summary: doc.summary})
	for _, want := range []string{"No worsening alert is in force at the latest test",
		"Worsening alerts in the period that have since resolved: Timed 25-Foot Walk time, 20–21 Jun 2026 (+26 %)"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary)
		}
	}
	if strings.Contains(summary, "still in force") {
		t.Errorf("summary says an alert is in force:\n%s", summary)
	}
}

// The method text gives the options the insights were computed with, not
// the defaults: night 22:00–05:00, triggers against ±10 days, a 5-day
// current window, confirmation after 36 hours, a 20-day relapse quiet
// period.
func TestReportMethodFollowsOptions(t *testing.T) {
	d := sample(200)
	o := &d.Input.Options
	o.NightStartHour, o.NightEndHour = 22, 5
	o.Trigger.RefDays = 10
	o.Change.WindowDays = 5
	o.Alert.ConfirmAfter = 36 * time.Hour
	o.Alert.RelapseQuietDays = 20
	doc, err := build(d)
	if err != nil {
		t.Fatal(err)
	}
	text := docText(doc)
	for _, want := range []string{"between 22:00 and 05:00", "(within 10 days)", "Latest: median of the last 5 days",
		"in the last 5 days against the baseline", "at least 36 hours apart", "within 20 days of starting a relapse treatment"} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	for _, stale := range []string{"21:00", "within 14 days", "24 hours", "within 30 days"} {
		if strings.Contains(text, stale) {
			t.Errorf("report still says %q", stale)
		}
	}
}
