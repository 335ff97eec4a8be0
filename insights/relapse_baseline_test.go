package insights

import (
	"math"
	"strings"
	"testing"
	"time"
)

// stsWeekly is a weekly five-times sit-to-stand series like the demo's
// (a reviewer's case): from 17 Sep 2026, a relapse treated from 4 Oct
// (day 17) with results of 18.8 s on 8 Oct and a recovery over five weeks.
var (
	stsStart = time.Date(2026, 9, 17, 10, 0, 0, 0, time.UTC)
	stsVals  = []float64{14.0, 14.3, 14.1, 18.8, 17.5, 16.5, 15.5, 14.6, 14.2, 14.4, 14.3, 14.5}
	steroids = Period{ID: 7, Kind: KindRelapseTreatment, Name: "Methylprednisolone", Start: time.Date(2026, 10, 4, 0, 0, 0, 0, time.UTC)}
)

func stsObs() []Observation {
	o := series(stsStart, 7, stsVals...)
	for i := range o {
		o[i].TestType = "sts5"
	}
	return o
}

// The default baseline and the noise estimate leave out the relapse
// window, 7 days before the treatment's start to 30 days after (27 Sep –
// 2 Nov: the tests of days 14–42), and the baseline is extended past it to
// its third test day (5 Nov). By hand: baseline values 14.0, 14.3, 14.6,
// median 14.3; noise pairs 14.0→14.3 (+0.3), then, past the baseline,
// 14.6→14.2 (−0.4) and 14.2→14.4 (+0.2): sample SD √(0.28667/2) =
// 0.378594, SDC95 = 1.96·SD = 0.742044 s. Before the fix the baseline was
// 17 Sep–14 Oct with the 18.8 s of 8 Oct in it (median 14.2) and the SDC
// 1.96·SD(0.3, −0.2, 4.7) = 5.3 s, so weeks of worse results read as
// "within day-to-day variation".
func TestBaselineLeavesOutRelapse(t *testing.T) {
	days := DailyValues(stsObs(), time.UTC, 0, 0)
	b, ok := EstimateBaseline(days, BaselineOptions{Relapses: []Period{steroids}}, time.UTC)
	if !ok {
		t.Fatal("no baseline")
	}
	if b.Days != 3 || b.Median != 14.3 || !b.Extended || !b.To.Equal(time.Date(2026, 11, 6, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("baseline %d days, median %v, extended %v, to %v; want 3, 14.3, true, 6 Nov", b.Days, b.Median, b.Extended, b.To)
	}
	if len(b.Relapses) != 1 || b.Relapses[0].Days != 5 || !b.Relapses[0].From.Equal(time.Date(2026, 9, 27, 0, 0, 0, 0, time.UTC)) ||
		!b.Relapses[0].To.Equal(time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("relapse windows %+v", b.Relapses)
	}
	for _, want := range []string{"leave out the 5 test days from 27 Sep 2026 to 2 Nov 2026 around your relapse treatment (Methylprednisolone, started 4 Oct 2026)", "extended to 5 Nov 2026 so that it has 3 test days"} {
		if !strings.Contains(b.Note, want) {
			t.Errorf("note lacks %q: %q", want, b.Note)
		}
	}
	nz, ok := EstimateNoise(days, b, NoiseOptions{})
	if !ok || nz.Pairs != 3 || nz.LeftOut != 5 {
		t.Fatalf("noise %+v ok %v", nz, ok)
	}
	near(t, "SDC95", nz.SDC95, 1.96*math.Sqrt(0.86/3/2), 1e-9)

	// Through Compute, from the interventions: the same numbers, and the
	// note among the series' messages.
	rep := Compute(Input{Metrics: map[string][]Observation{"sts5_time_s": stsObs()}, Interventions: []Period{steroids}})
	sr := rep.Series[0]
	if sr.Baseline == nil || sr.Baseline.Median != 14.3 || sr.Noise == nil || math.Abs(sr.Noise.SDC95-0.742044) > 1e-6 {
		t.Fatalf("series baseline %+v noise %+v", sr.Baseline, sr.Noise)
	}
	if !strings.Contains(strings.Join(sr.Messages, " "), "leave out the 5 test days") {
		t.Errorf("messages %q", sr.Messages)
	}

	// Without relapse treatments nothing changes: the first 4 weeks.
	b, _ = EstimateBaseline(days, BaselineOptions{}, time.UTC)
	if b.Days != 4 || b.Median != 14.2 || b.Note != "" || len(b.Relapses) != 0 {
		t.Errorf("baseline without relapses %+v", b)
	}
}

// A baseline chosen by hand is kept as given, relapse or not, and its note
// says that it holds the relapse's days; the noise keeps them too.
func TestGivenBaselineKeepsRelapse(t *testing.T) {
	days := DailyValues(stsObs(), time.UTC, 0, 0)
	from, to := time.Date(2026, 9, 17, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC)
	b, ok := EstimateBaseline(days, BaselineOptions{From: &from, To: &to, Relapses: []Period{steroids}}, time.UTC)
	if !ok || !b.Given || b.Days != 4 || b.Median != 14.2 || len(b.Relapses) != 1 || b.Relapses[0].Days != 2 {
		t.Fatalf("given baseline %+v", b)
	}
	if !strings.Contains(b.Note, "chosen by hand (17 Sep 2026 to 14 Oct 2026) and holds the 2 test days from 27 Sep 2026 to 2 Nov 2026 around your relapse treatment") {
		t.Errorf("note %q", b.Note)
	}
	nz, ok := EstimateNoise(days, b, NoiseOptions{})
	if !ok || nz.Pairs != 3 || nz.LeftOut != 0 {
		t.Errorf("noise %+v", nz)
	}
	// Given periods away from the relapse say nothing.
	from, to = time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC)
	if b, _ := EstimateBaseline(days, BaselineOptions{From: &from, To: &to, Relapses: []Period{steroids}}, time.UTC); b.Note != "" || len(b.Relapses) != 0 {
		t.Errorf("given baseline after the relapse: %+v", b)
	}
}

// A series that starts inside a relapse window (daily tests from 1 Oct,
// treatment from 4 Oct: window 27 Sep – 2 Nov) has its default baseline
// start after it, on 3 Nov, for 4 weeks, and its note says why.
func TestBaselineStartsAfterRelapse(t *testing.T) {
	vals := make([]float64, 90)
	for i := range vals {
		vals[i] = 14 + 0.1*float64(i%3)
	}
	days := DailyValues(series(time.Date(2026, 10, 1, 10, 0, 0, 0, time.UTC), 1, vals...), time.UTC, 0, 0)
	b, ok := EstimateBaseline(days, BaselineOptions{Relapses: []Period{steroids}}, time.UTC)
	if !ok || !b.From.Equal(time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)) || b.Days != 28 || b.Extended {
		t.Errorf("baseline from %v, %d days, extended %v; want from 3 Nov, 28 days", b.From, b.Days, b.Extended)
	}
	if !strings.Contains(b.Note, "Your baseline (3 Nov 2026 to 30 Nov 2026) and your day-to-day variation leave out the 33 test days from 27 Sep 2026 to 2 Nov 2026") {
		t.Errorf("note %q", b.Note)
	}
}

// A relapse window that keeps a series' first weeks from ever holding
// enough test days moves the baseline past it, instead of leaving the
// series without one for good: two tests (days 0 and 3), a relapse treated
// on day 60 (its window days 53–90) with weekly tests in it, then daily
// tests from day 91.
func TestBaselineAfterBlockingRelapse(t *testing.T) {
	start := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	var obs []Observation
	add := func(day int, v float64) {
		obs = append(obs, Observation{At: start.AddDate(0, 0, day), Value: v})
	}
	add(0, 7.0)
	add(3, 7.1)
	for d := 56; d <= 84; d += 7 {
		add(d, 9.5)
	}
	for d := 91; d < 291; d++ {
		add(d, 7.4+0.1*float64(d%3))
	}
	relapse := Period{Kind: KindRelapseTreatment, Name: "Methylprednisolone", Start: start.AddDate(0, 0, 60)}
	days := DailyValues(obs, time.UTC, 0, 0)
	b, ok := EstimateBaseline(days, BaselineOptions{Relapses: []Period{relapse}}, time.UTC)
	if !ok {
		t.Fatalf("no baseline: %+v", b)
	}
	if want := start.AddDate(0, 0, 91); !b.From.Equal(time.Date(want.Year(), want.Month(), want.Day(), 0, 0, 0, 0, time.UTC)) || b.Days != 28 {
		t.Errorf("baseline from %v with %d days; want from day 91 with 28", b.From, b.Days)
	}
	if len(b.Relapses) != 1 || b.Note == "" {
		t.Errorf("the baseline does not say what it left out: relapses %+v, note %q", b.Relapses, b.Note)
	}
	// Without the relapse the first weeks stand: days 0 and 3, extended to
	// the third test day (day 56) within the 12 weeks.
	if b, ok := EstimateBaseline(days, BaselineOptions{}, time.UTC); !ok || !b.From.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) || !b.Extended {
		t.Errorf("without a relapse: %v, from %v, extended %v", ok, b.From, b.Extended)
	}
}
