package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"testing"

	"legwork"
	"legwork/app"
	"legwork/assess"
	"legwork/imu"
	"legwork/synth"
)

// uploadShortWalk2Min uploads 29 s (2 s standing, 27 s walking) as a
// 2-minute walk for the person: too short for the test.
func uploadShortWalk2Min(t *testing.T, e *env, seed uint64) *legwork.Assessment {
	t.Helper()
	rec, _ := synth.Walk(synth.WalkParams{StandBeforeS: 2, WalkS: 27, NoiseMS2: 0.05, Seed: seed})
	var b bytes.Buffer
	if err := imu.WriteCSV(&b, rec); err != nil {
		t.Fatal(err)
	}
	as, _, err := e.app.CreateAssessment(e.as(e.person), &app.Upload{PersonID: e.person.ID, TestType: legwork.TestWalk2Min, Placement: "lower_back", Format: app.FormatCSV, Data: b.Bytes()})
	if err != nil {
		t.Fatal(err)
	}
	return as
}

// TestInvalidTestFeedsNoTrend uploads a 29 s recording as a 2-minute walk:
// it does not fit the protocol (too short), so it is stored with the
// problem and no metrics (docs/SERVER.md), and none of its values reach
// the metric series, the metric names or a re-analysis.
func TestInvalidTestFeedsNoTrend(t *testing.T) {
	e := newEnv(t)
	ctx := e.as(e.person)
	as := uploadShortWalk2Min(t, e, 61)
	var res struct {
		Valid    bool               `json:"valid"`
		Problems []assess.Problem   `json:"problems"`
		Metrics  map[string]float64 `json:"metrics"`
	}
	check := func(when string, as *legwork.Assessment) {
		t.Helper()
		if err := json.Unmarshal(as.Result, &res); err != nil {
			t.Fatal(err)
		}
		if res.Valid || !slices.ContainsFunc(res.Problems, func(p assess.Problem) bool { return p.Code == assess.ProblemTooShort }) {
			t.Fatalf("%s: valid %v, problems %+v; want not valid, too short", when, res.Valid, res.Problems)
		}
		if len(as.Metrics) != 0 || len(res.Metrics) != 0 {
			t.Errorf("%s: metrics stored for a test that is not valid: %v (result: %v)", when, as.Metrics, res.Metrics)
		}
	}
	check("created", as)
	stored, err := e.app.Assessment(ctx, e.person.ID, as.ID)
	if err != nil {
		t.Fatal(err)
	}
	check("read back", stored)
	for _, m := range []string{"walk2min_distance_m", "walk2min_steps", "cadence_spm"} {
		pts, err := e.app.MetricSeries(e.as(e.clinician), legwork.MetricFilter{PersonID: e.person.ID, Metric: m})
		if err != nil || len(pts) != 0 {
			t.Errorf("%s series: %v %+v", m, err, pts)
		}
	}
	if names, err := e.app.MetricNames(ctx, e.person.ID); err != nil || len(names) != 0 {
		t.Errorf("metric names: %v %v", err, names)
	}
	// A re-analysis of the stored recording stores no metrics either.
	if _, err := e.app.Reanalyze(app.SystemContext(context.Background()), app.ReanalyzeOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	got, err := e.store.Assessment(context.Background(), as.ID)
	if err != nil {
		t.Fatal(err)
	}
	check("re-analysed", got)
}

// TestReanalysisClearsOldInvalidMetrics: an assessment stored by the
// previous scoring (legwork-assess/1), which kept metrics for a test that
// was not valid, loses them when the operator re-analyses after the
// upgrade (docs/SERVER.md, "Re-analysis"): the version changed, so a plain
// `legwork reanalyze` picks it up.
func TestReanalysisClearsOldInvalidMetrics(t *testing.T) {
	e := newEnv(t)
	ctx := e.as(e.person)
	as := uploadShortWalk2Min(t, e, 62)
	// What the previous version stored: not valid, with the distance.
	bg := context.Background()
	old := []byte(`{"test":"walk2min","valid":false,"problems":[{"code":"too_short","message":"…"}],"metrics":{"walk2min_distance_m":18.37}}`)
	if err := e.store.UpdateAnalysis(bg, as.ID, "legwork-assess/1+legwork-gait/1", old, map[string]float64{"walk2min_distance_m": 18.37}, []string{"too_short"}); err != nil {
		t.Fatal(err)
	}
	if pts, _ := e.app.MetricSeries(ctx, legwork.MetricFilter{PersonID: e.person.ID, Metric: "walk2min_distance_m"}); len(pts) != 1 {
		t.Fatalf("set-up: %d points", len(pts))
	}
	st, err := e.app.Reanalyze(app.SystemContext(bg), app.ReanalyzeOptions{})
	if err != nil || st.Updated != 1 {
		t.Fatalf("reanalyze: %v %+v", err, st)
	}
	if pts, err := e.app.MetricSeries(ctx, legwork.MetricFilter{PersonID: e.person.ID, Metric: "walk2min_distance_m"}); err != nil || len(pts) != 0 {
		t.Errorf("after re-analysis: %v %+v", err, pts)
	}
}
