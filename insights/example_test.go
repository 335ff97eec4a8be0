package insights_test

import (
	"fmt"
	"time"

	"legwork/insights"
)

// A person does the Timed 25-Foot Walk every morning for six weeks; the
// last two tests are clearly slower. The change (median of the last 7
// days) is still within noise, but the two tests confirm each other and
// raise an alert, with a heat note from the diary.
func ExampleCompute() {
	start := time.Date(2024, 5, 6, 8, 30, 0, 0, time.UTC)
	var obs []insights.Observation
	for d := 0; d < 40; d++ {
		v := 6.0 + 0.1*float64(d%3-1) // 5.9, 6.0, 6.1, …
		obs = append(obs, insights.Observation{At: start.AddDate(0, 0, d), Value: v, TestType: "t25fw", Device: "none"})
	}
	obs = append(obs,
		insights.Observation{At: start.AddDate(0, 0, 40), Value: 7.6, TestType: "t25fw", Device: "none"},
		insights.Observation{At: start.AddDate(0, 0, 41), Value: 7.8, TestType: "t25fw", Device: "none"})
	rep := insights.Compute(insights.Input{
		Metrics: map[string][]insights.Observation{"t25fw_time_s": obs},
		Days:    []insights.DayContext{{Date: start.AddDate(0, 0, 40), Heat: true}},
	})
	s := rep.Series[0]
	fmt.Printf("baseline %.1f s from %d days, SDC95 %.2f s\n", s.Baseline.Median, s.Baseline.Days, s.Noise.SDC95)
	fmt.Println(s.Change.Class, s.Change.Direction)
	fmt.Println(len(rep.OngoingAlerts), "ongoing alert; possible pseudo-relapse:", rep.OngoingAlerts[0].Alert.PossiblePseudoRelapse)
	fmt.Println(rep.OngoingAlerts[0].Alert.Message)
	// Output:
	// baseline 6.0 s from 28 days, SDC95 0.25 s
	// within_noise worse
	// 1 ongoing alert; possible pseudo-relapse: true
	// Your Timed 25-Foot Walk time was worse than usual on 2 test days in a row: 7.6 s on 15 Jun 2024 and 7.8 s on 16 Jun 2024. That is 28 % longer than your usual 6.0 s (your baseline) — more than your day-to-day variation (0.2 s) and more than the 20 % change (1.2 s here) known to matter to people with MS. Your diary shows heat on 15 Jun 2024. Heat, fever or infection, overexertion and stress can make MS symptoms worse for a while without new disease activity (sometimes called a pseudo-relapse), and this usually settles once the cause has passed; only your clinician can tell the difference. This is a meaningful change; contact your clinician.
}

// EvaluateAlerts regenerates the figures of docs/INSIGHTS.md (here with
// fewer people, to keep the example fast).
func ExampleEvaluateAlerts() {
	ev := insights.EvaluateAlerts(insights.EvalConfig{Persons: 50}, 1)
	for _, r := range ev.Results[:2] {
		fmt.Println(r.Scenario.Name, r.Persons, r.Onsets)
	}
	// Output:
	// stable, daily 50 0
	// 25 % step, daily 50 50
}
