package report

import (
	"strings"
	"testing"
	"time"

	"legwork"
	"legwork/insights"
)

// Changes of a measure in percent are in percentage points, its levels in
// percent; interval ends that are not zero are not shown as 0.
func TestReportChangeWords(t *testing.T) {
	cv := insights.LookupMetric("step_time_cv_pct", "walk2min")
	dist := insights.LookupMetric("walk2min_distance_m", "walk2min")
	for _, c := range []struct{ got, want string }{
		{amount(cv, 4.7), "4.7 %"},
		{signedAmount(cv, 0.5), "+0.5 percentage points"},
		{ci(cv, &insights.Estimate{Value: 0.1, Low: -0.3, High: 0.4}), "+0.1 percentage points (−0.3 to 0.4)"},
		{ci(dist, &insights.Estimate{Value: 6, Low: 0.33, High: 12.2}), "+6 m (0.3 to 12)"},
		{ci(dist, &insights.Estimate{Value: 6, Low: -0.19, High: 12.2}), "+6 m (−0.2 to 12)"},
		{ci(dist, &insights.Estimate{Value: 2, Low: 0, High: 4}), "+2 m (0 to 4)"},
		{seriesTitle(&insights.SeriesReport{Info: insights.LookupMetric("walking_speed_mps", "walk2min"), TestType: "walk2min", Device: "two_canes"}), "Walking speed (2-minute walk, with two canes or crutches)"},
		{seriesTitle(&insights.SeriesReport{Info: insights.LookupMetric("walking_speed_mps", "walk2min"), TestType: "walk2min", Device: "none"}), "Walking speed (2-minute walk)"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// A latest value from a single test day says so (it is not a median of
// days), and a record with too few falls says why it has no association.
func TestReportOneTestDayAndFewFalls(t *testing.T) {
	d := sample(400)
	var s *insights.SeriesReport
	for i := range d.Insights.Series {
		if c := d.Insights.Series[i].Change; c != nil && d.Insights.Series[i].Info.Name == "t25fw_time_s" {
			s = &d.Insights.Series[i]
		}
	}
	if s == nil {
		t.Fatal("the sample has no T25FW change")
	}
	s.Change.Days = 1
	// two falls over six months of daily tests: too few for an association
	start := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	var days []insights.DailyValue
	for i := range 180 {
		at := start.AddDate(0, 0, i)
		days = append(days, insights.DailyValue{Day: insights.DayIndex(at, time.UTC), At: at, Value: 7 + 0.1*float64(i%5), Tests: 1})
	}
	falls := []insights.Fall{{At: start.AddDate(0, 1, 0), Kind: "fall"}, {At: start.AddDate(0, 3, 0), Kind: "fall"}}
	fr := insights.AnalyzeFalls(falls, []insights.FallSeries{{Info: insights.LookupMetric("t25fw_time_s", "t25fw"), TestType: "t25fw", Device: "none", Days: days, Baseline: 7.2}}, time.UTC, insights.FallOptions{})
	if len(fr.Associations) != 1 || !fr.Associations[0].TooLittleData {
		t.Fatalf("falls report %+v: want one association with too little data", fr)
	}
	d.Insights.Falls = &fr
	msg := capitalise(fr.Associations[0].Clinician)
	doc, err := build(d)
	if err != nil {
		t.Fatal(err)
	}
	text := docText(doc)
	if !strings.Contains(text, "(1 test day: "+s.Change.To.Format("2 Jan")) {
		t.Errorf("the latest T25FW value from one test day does not say so")
	}
	if !strings.Contains(text, "Falls and walking") || !strings.Contains(text, msg) || strings.Contains(strings.ToLower(msg), "your") {
		t.Errorf("too few falls: the report does not say why there is no association in clinician words: %q", msg)
	}
}

// A plan given with nothing planned (every test at 0 a week) is said to
// be one, not taken for no plan at all.
func TestReportEmptyPlanGiven(t *testing.T) {
	d := sample(400)
	d.Plan = map[legwork.TestType]int{}
	doc, err := build(d)
	if err != nil {
		t.Fatal(err)
	}
	if text := docText(doc); !strings.Contains(text, "The plan given has no tests planned") || strings.Contains(text, "no plan was given") {
		t.Errorf("an empty plan given is not described as one")
	}
}
