package insights

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// personInput builds a realistic person: years of daily tests from
// 2020-01-01 with a T25FW test (time, speed and gait metrics) and a
// balance test (sway), a diary with triggers on about a third of the
// days, eight interventions and some falls. The T25FW time worsens by
// 30 % in the last 10 days.
func personInput(years int, seed uint64) Input {
	r := rand.New(rand.NewPCG(seed, 11))
	start := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	n := int(365.25 * float64(years))
	in := Input{Metrics: map[string][]Observation{}}
	add := func(metric, test string, at time.Time, v float64, id int64) {
		in.Metrics[metric] = append(in.Metrics[metric], Observation{At: at, Value: v, TestType: test, Device: "none", ID: id})
	}
	for d := 0; d < n; d++ {
		day := start.AddDate(0, 0, d)
		at := day.Add(time.Duration(8*60+r.IntN(14*60)) * time.Minute) // 08:00–22:00
		ctx := DayContext{Date: day}
		f := 1 + 0.05*r.NormFloat64()
		if day.Month() >= 6 && day.Month() <= 8 && r.Float64() < 0.2 {
			ctx.Heat = true
			f *= 1.08
		}
		if r.Float64() < 0.05 {
			ctx.Cold = true
		}
		if r.Float64() < 0.1 {
			ctx.Stress = true
		}
		if r.Float64() < 0.1 {
			ctx.PoorSleep = true
			f *= 1.04
		}
		if r.Float64() < 0.01 {
			ctx.Infection = true
		}
		if ctx != (DayContext{Date: day}) {
			in.Days = append(in.Days, ctx)
		}
		if d >= n-10 {
			f *= 1.3
		}
		t := 7 * f
		id := int64(d + 1)
		add("t25fw_time_s", "t25fw", at, t, id)
		add("t25fw_speed_mps", "t25fw", at, 7.62/t, id)
		add("walking_speed_mps", "t25fw", at, 7.62/t*(1+0.02*r.NormFloat64()), id)
		add("cadence_spm", "t25fw", at, 100/f, id)
		add("stride_length_m", "t25fw", at, 1.1/f*(1+0.02*r.NormFloat64()), id)
		add("step_time_cv_pct", "t25fw", at, 4*f*(1+0.1*r.NormFloat64()), id)
		add("sway_rms_ms2", "balance", at.Add(5*time.Minute), 0.15*f*(1+0.1*r.NormFloat64()), id)
		if r.Float64() < 0.02 {
			kind := FallKindFall
			if r.Float64() < 0.5 {
				kind = FallKindNearFall
			}
			in.Falls = append(in.Falls, Fall{At: at, Kind: kind})
		}
	}
	kinds := []string{KindPhysicalTherapy, KindHomeExercise, KindMedicationChange, KindRelapseTreatment, KindOther, KindPhysicalTherapy, KindAssistiveDevice, KindHomeExercise}
	for i, k := range kinds {
		s := start.AddDate(0, 0, 60+i*n/len(kinds))
		e := s.AddDate(0, 2, 0)
		in.Interventions = append(in.Interventions, Period{ID: int64(i + 1), Kind: k, Name: "intervention " + k, Start: s, End: &e})
	}
	return in
}

func TestComputeReport(t *testing.T) {
	in := personInput(1, 1)
	// A series with a cane must stay separate.
	for i := 0; i < 10; i++ {
		in.Metrics["t25fw_time_s"] = append(in.Metrics["t25fw_time_s"], Observation{At: time.Date(2020, 3, 1+i, 12, 0, 0, 0, time.UTC), Value: 9, TestType: "t25fw", Device: "cane"})
	}
	rep := Compute(in)
	if len(rep.Series) != 8 {
		t.Fatalf("%d series, want 8 (7 metrics + cane)", len(rep.Series))
	}
	var t25, cane *SeriesReport
	for i := range rep.Series {
		s := &rep.Series[i]
		switch {
		case s.Metric == "t25fw_time_s" && s.Device == "none":
			t25 = s
		case s.Metric == "t25fw_time_s" && s.Device == "cane":
			cane = s
		}
	}
	if t25 == nil || cane == nil || cane.Tests != 10 || t25.Days != 365 {
		t.Fatalf("series split wrong: %+v / %+v", t25, cane)
	}
	if t25.Baseline == nil || t25.Noise == nil || t25.Change == nil {
		t.Fatalf("missing parts: %+v", t25)
	}
	// The last 10 days are 30 % slower: the change is beyond both and an
	// ongoing alert exists.
	if t25.Change.Class != ClassBeyondBoth || t25.Change.Direction != DirWorse {
		t.Errorf("change %+v", t25.Change)
	}
	found := false
	for _, a := range rep.OngoingAlerts {
		found = found || (a.Metric == "t25fw_time_s" && a.Device == "none" && a.Alert.Ongoing)
	}
	if !found {
		t.Errorf("no ongoing T25FW alert among %d", len(rep.OngoingAlerts))
	}
	if len(t25.Interventions) == 0 || len(t25.Triggers) != len(Triggers) {
		t.Errorf("effects: %d interventions, %d triggers", len(t25.Interventions), len(t25.Triggers))
	}
	// Walking speed has no MCID: no alerts, and a message says why.
	for _, s := range rep.Series {
		if s.Metric == "walking_speed_mps" {
			if len(s.Alerts) != 0 || !strings.Contains(strings.Join(s.Messages, " "), "raises no alerts") {
				t.Errorf("walking speed: alerts %d, messages %v", len(s.Alerts), s.Messages)
			}
		}
	}
	if rep.Falls == nil || len(rep.Falls.Associations) != 3 {
		t.Errorf("falls %+v", rep.Falls)
	}
	var last time.Time
	for _, s := range rep.Series {
		if s.Last.After(last) {
			last = s.Last
		}
	}
	if !rep.AsOf.Equal(last) {
		t.Errorf("as of %v, latest test %v", rep.AsOf, last)
	}

	// JSON: encodes (json.Marshal fails on NaN and ±Inf) and decodes.
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "NaN") {
		t.Error("NaN in JSON")
	}
	var back map[string]any
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}

	// As of three weeks before the end: the worsening is not seen yet.
	in.AsOf = t25.Last.AddDate(0, 0, -21)
	rep = Compute(in)
	for _, s := range rep.Series {
		if s.Metric == "t25fw_time_s" && s.Device == "none" && (s.Last.After(in.AsOf) || len(rep.OngoingAlerts) != 0) {
			t.Errorf("as-of cut: last %v, ongoing %d", s.Last, len(rep.OngoingAlerts))
		}
	}
}

func TestComputeSparseAndEmpty(t *testing.T) {
	rep := Compute(Input{})
	if len(rep.Series) != 0 || rep.Falls != nil || len(rep.Notes) == 0 {
		t.Errorf("empty report %+v", rep)
	}
	// Two tests: no baseline, and the message says why.
	rep = Compute(Input{Metrics: map[string][]Observation{"t25fw_time_s": series(t0, 1, 6, 6.2)}})
	s := rep.Series[0]
	if s.Baseline != nil || !strings.Contains(strings.Join(s.Messages, " "), "Not enough tests yet for a baseline") {
		t.Errorf("sparse series %+v", s)
	}
	if _, err := json.Marshal(rep); err != nil {
		t.Error(err)
	}
	// Non-finite values are dropped.
	rep = Compute(Input{Metrics: map[string][]Observation{"t25fw_time_s": series(t0, 1, 6, math.NaN(), math.Inf(1), 6.1, 6.2, 6.0)}})
	if rep.Series[0].Tests != 4 {
		t.Errorf("tests %d, want 4", rep.Series[0].Tests)
	}
}

// BenchmarkInsights5Years computes the full report for one person with
// five years of daily tests (7 metrics, 1 826 days each), a diary, eight
// interventions and falls. The target is ≤ 10 ms per report; there is no
// bootstrap, so the cost is bounded by sorting and the O(n log n)
// order-statistic selection of the rank intervals.
func BenchmarkInsights5Years(b *testing.B) {
	in := personInput(5, 2)
	b.ResetTimer()
	for b.Loop() {
		Compute(in)
	}
}

// Random small and awkward inputs (ties, single values, odd options) must
// never produce a report that fails to encode as JSON (NaN, ±Inf).
func TestComputeRandomInputsEncode(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 21))
	metrics := []string{"t25fw_time_s", "walking_speed_mps", "walk2min_steps", "symmetry", "unknown_metric"}
	for trial := 0; trial < 60; trial++ {
		in := Input{Metrics: map[string][]Observation{}}
		start := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
		n := r.IntN(120)
		for i := 0; i < n; i++ {
			m := metrics[r.IntN(len(metrics))]
			v := math.Round(r.NormFloat64()*2) + 10 // many ties
			if r.IntN(10) == 0 {
				v = 0
			}
			in.Metrics[m] = append(in.Metrics[m], Observation{At: start.Add(time.Duration(r.IntN(200*24)) * time.Hour), Value: v, TestType: []string{"t25fw", "walk2min"}[r.IntN(2)], Device: []string{"none", "cane"}[r.IntN(2)]})
			if r.IntN(5) == 0 {
				in.Days = append(in.Days, DayContext{Date: start.AddDate(0, 0, r.IntN(200)), Heat: r.IntN(2) == 0, Night: true, Infection: r.IntN(3) == 0})
			}
			if r.IntN(30) == 0 {
				in.Falls = append(in.Falls, Fall{At: start.AddDate(0, 0, r.IntN(200)), Kind: FallKindFall})
			}
		}
		for k := 0; k < r.IntN(4); k++ {
			in.Interventions = append(in.Interventions, Period{Kind: KindRelapseTreatment, Start: start.AddDate(0, 0, r.IntN(200))})
		}
		in.Options = Options{
			Effect:  EffectOptions{MinPerWindow: 1 + r.IntN(3), WindowDays: 1 + r.IntN(30)},
			Trigger: TriggerOptions{MinN: 1, MinRef: 1},
			Falls:   FallOptions{MinMonths: 1},
			Noise:   NoiseOptions{MinPairs: 2, RobustFrom: 2},
		}
		rep := Compute(in)
		if _, err := json.Marshal(rep); err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
	}
}
