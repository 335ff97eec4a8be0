package report

import (
	"strings"
	"testing"

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
	msg := "Too little data to relate your Timed 25-Foot Walk time to falls or near-falls: 6 months with tests and 2 falls or near-falls in them (at least 5 events are needed)."
	d.Insights.Falls = &insights.FallsReport{Falls: 2, Message: "2 falls and 0 near-falls recorded.",
		Associations: []insights.FallAssociation{{Metric: "t25fw_time_s", TooLittleData: true, Months: 6, Events: 2, Message: msg}}}
	doc, err := build(d)
	if err != nil {
		t.Fatal(err)
	}
	text := docText(doc)
	if !strings.Contains(text, "(1 test day: "+s.Change.To.Format("2 Jan")) {
		t.Errorf("the latest T25FW value from one test day does not say so")
	}
	if !strings.Contains(text, "Falls and walking") || !strings.Contains(text, msg) {
		t.Errorf("too few falls: the report does not say why there is no association")
	}
}
