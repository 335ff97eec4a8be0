package report

import (
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
