package storetest

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"legwork"
)

// newAssessment stores an assessment of the person without a recording.
func newAssessment(t *testing.T, s legwork.Store, personID int64, tt legwork.TestType, dev legwork.AssistiveDevice, at time.Time, metrics map[string]float64) *legwork.Assessment {
	t.Helper()
	a := &legwork.Assessment{
		PersonID:         personID,
		TestType:         tt,
		Placement:        "lower_back",
		Device:           dev,
		RecordedAt:       at,
		Source:           "legwork",
		AlgorithmVersion: "1.0.0",
		Result:           []byte(`{"ok":true}`),
		Metrics:          metrics,
	}
	if err := s.CreateAssessment(t.Context(), a, nil); err != nil {
		t.Fatalf("CreateAssessment: %v", err)
	}
	return a
}

// recording returns a gzip-compressed CSV recording of n samples.
func recording(t *testing.T, n int) *legwork.Recording {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	fmt.Fprintln(zw, "t,ax,ay,az,gx,gy,gz")
	for i := range n {
		x := float64(i) / 100
		fmt.Fprintf(zw, "%.2f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f\n", x, math.Sin(x), 9.81+math.Cos(3*x), math.Sin(7*x), 0.1*x, -0.2, 0.3)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return &legwork.Recording{Format: "csv", Encoding: "gzip", Data: buf.Bytes(), Samples: n}
}

func testAssessment(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	p := newUser(t, s, legwork.RolePerson, "Pat")
	// Result is kept byte for byte: key order, spacing and number
	// spelling included.
	result := []byte("{\"z\": 1.50,  \"a\": [3, 1e2, -0.0],\n \"nested\": {\"b\": true, \"a\": null}, \"text\": \"Gehstrecke \\u00e4 ✓\"}")
	a := &legwork.Assessment{
		PersonID:         p.ID,
		TestType:         legwork.TestT25FW,
		Placement:        "lower_back",
		Device:           legwork.DeviceCane,
		RecordedAt:       time.Date(2024, 6, 1, 16, 45, 10, 987654321, time.FixedZone("CEST", 2*3600)),
		CreatedAt:        time.Date(2024, 6, 1, 14, 46, 0, 500, time.UTC),
		Context:          "hot day, after lunch",
		Tags:             []string{"hot day", "tired", "ünïcode"},
		UserAgent:        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X)",
		Source:           "legwork",
		AlgorithmVersion: "2.3.1",
		Result:           result,
		Metrics: map[string]float64{
			"t25fw_time_s":      6.123456789012345,
			"walking_speed_mps": 1.2447,
			"cadence_spm":       101,
			"asymmetry":         -0.000001,
			"zero":              0,
			"huge":              1.7976931348623157e308,
		},
		Quality: []string{"short_bout", "sensor_tilt"},
	}
	rec := recording(t, 2000)
	if err := s.CreateAssessment(ctx, a, rec); err != nil {
		t.Fatalf("CreateAssessment: %v", err)
	}
	if a.ID == 0 {
		t.Fatal("CreateAssessment did not set ID")
	}
	if !a.HasRaw {
		t.Error("CreateAssessment with a recording did not set HasRaw")
	}
	if rec.AssessmentID != a.ID {
		t.Errorf("CreateAssessment set rec.AssessmentID %d, want %d", rec.AssessmentID, a.ID)
	}
	got, err := s.Assessment(ctx, a.ID)
	if err != nil {
		t.Fatalf("Assessment: %v", err)
	}
	mustEqual(t, "Assessment", got, a)
	list, err := s.ListAssessments(ctx, legwork.AssessmentFilter{PersonID: p.ID})
	if err != nil {
		t.Fatalf("ListAssessments: %v", err)
	}
	mustEqual(t, "ListAssessments (no Result)", list, listed([]*legwork.Assessment{a}))
	gotRec, err := s.Recording(ctx, a.ID)
	if err != nil {
		t.Fatalf("Recording: %v", err)
	}
	mustEqual(t, "Recording", gotRec, rec)

	// The least: no recording, no result, no tags, no metrics.
	b := &legwork.Assessment{PersonID: p.ID, TestType: legwork.TestBalance, RecordedAt: day(1)}
	if err := s.CreateAssessment(ctx, b, nil); err != nil {
		t.Fatalf("CreateAssessment: %v", err)
	}
	if b.CreatedAt.IsZero() {
		t.Error("CreateAssessment did not set CreatedAt")
	}
	if b.HasRaw {
		t.Error("CreateAssessment without a recording set HasRaw")
	}
	if b.ID <= a.ID {
		t.Errorf("second assessment has id %d, not above %d", b.ID, a.ID)
	}
	got, err = s.Assessment(ctx, b.ID)
	if err != nil {
		t.Fatalf("Assessment: %v", err)
	}
	b.Metrics = map[string]float64{} // read back as an empty map
	mustEqual(t, "minimal Assessment", got, b)
	_, err = s.Recording(ctx, b.ID)
	wantCode(t, err, legwork.ENOTFOUND, "Recording of an assessment without one")
}

// listed returns the assessments as listings return them: without Result.
func listed(list []*legwork.Assessment) []*legwork.Assessment {
	out := make([]*legwork.Assessment, len(list))
	for i, a := range list {
		c := *a
		c.Result = nil
		out[i] = &c
	}
	return out
}

func testAssessmentNotFound(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	p := newUser(t, s, legwork.RolePerson, "Pat")
	a := newAssessment(t, s, p.ID, legwork.TestWalk, legwork.DeviceNone, day(0), map[string]float64{"m": 1})
	missing := a.ID + 1000

	_, err := s.Assessment(ctx, missing)
	wantCode(t, err, legwork.ENOTFOUND, "Assessment(missing)")
	_, err = s.Recording(ctx, missing)
	wantCode(t, err, legwork.ENOTFOUND, "Recording(missing)")
	err = s.UpdateAnalysis(ctx, missing, "2", []byte(`{}`), map[string]float64{"m": 2}, nil)
	wantCode(t, err, legwork.ENOTFOUND, "UpdateAnalysis(missing)")
	wantCode(t, s.DeleteAssessment(ctx, missing), legwork.ENOTFOUND, "DeleteAssessment(missing)")

	orphan := &legwork.Assessment{PersonID: 98765, TestType: legwork.TestWalk, RecordedAt: day(0), Metrics: map[string]float64{"m": 1}}
	err = s.CreateAssessment(ctx, orphan, recording(t, 10))
	wantCode(t, err, legwork.ENOTFOUND, "CreateAssessment for a missing person")
	ids, err := s.AssessmentIDs(ctx, 0, 0)
	if err != nil {
		t.Fatalf("AssessmentIDs: %v", err)
	}
	mustEqual(t, "AssessmentIDs after a failed create", ids, []int64{a.ID})
}

func testAssessmentAtomic(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	p := newUser(t, s, legwork.RolePerson, "Pat")
	fresh := func() *legwork.Assessment {
		return &legwork.Assessment{
			PersonID: p.ID, TestType: legwork.TestWalk2Min, Device: legwork.DeviceNone, RecordedAt: day(0),
			Result: []byte(`{}`), Metrics: map[string]float64{"a_metric": 1, "b_metric": 2, "c_metric": 3},
		}
	}
	// The recording is stored last: when it fails, the assessment and
	// its metrics, already written in the transaction, must go too.
	err := s.CreateAssessment(ctx, fresh(), &legwork.Recording{Format: "csv", Encoding: "gzip"})
	wantCode(t, err, legwork.EINVALID, "CreateAssessment with an empty recording")
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		a := fresh()
		a.Metrics["b_metric"] = bad
		err := s.CreateAssessment(ctx, a, recording(t, 10))
		wantCode(t, err, legwork.EINVALID, fmt.Sprintf("CreateAssessment with metric %v", bad))
	}
	ids, err := s.AssessmentIDs(ctx, 0, 0)
	if err != nil {
		t.Fatalf("AssessmentIDs: %v", err)
	}
	mustEqual(t, "AssessmentIDs after failed creates", ids, []int64{})
	names, err := s.MetricNames(ctx, p.ID)
	if err != nil {
		t.Fatalf("MetricNames: %v", err)
	}
	mustEqual(t, "MetricNames after failed creates", names, []string{})
	list, err := s.ListAssessments(ctx, legwork.AssessmentFilter{PersonID: p.ID})
	if err != nil {
		t.Fatalf("ListAssessments: %v", err)
	}
	mustEqual(t, "ListAssessments after failed creates", list, []*legwork.Assessment{})

	// A failed UpdateAnalysis changes nothing.
	a := fresh()
	if err := s.CreateAssessment(ctx, a, nil); err != nil {
		t.Fatalf("CreateAssessment: %v", err)
	}
	err = s.UpdateAnalysis(ctx, a.ID, "9", []byte(`{"new":1}`), map[string]float64{"a_metric": 5, "b_metric": math.NaN()}, []string{"x"})
	wantCode(t, err, legwork.EINVALID, "UpdateAnalysis with a NaN metric")
	got, err := s.Assessment(ctx, a.ID)
	if err != nil {
		t.Fatalf("Assessment: %v", err)
	}
	mustEqual(t, "Assessment after a failed UpdateAnalysis", got, a)
}

func testListAssessments(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	p := newUser(t, s, legwork.RolePerson, "Pat")
	other := newUser(t, s, legwork.RolePerson, "Sam")
	m := func(v float64) map[string]float64 {
		return map[string]float64{"walking_speed_mps": v, "cadence_spm": 100 + v}
	}
	// Created out of time order: listings are by id.
	a1 := newAssessment(t, s, p.ID, legwork.TestT25FW, legwork.DeviceNone, day(10), m(1))
	a2 := newAssessment(t, s, p.ID, legwork.TestT25FW, legwork.DeviceCane, day(2), m(2))
	a3 := newAssessment(t, s, p.ID, legwork.TestWalk2Min, legwork.DeviceNone, day(5), m(3))
	a4 := newAssessment(t, s, p.ID, legwork.TestT25FW, legwork.DeviceNone, day(5).Add(time.Microsecond), m(4))
	newAssessment(t, s, other.ID, legwork.TestT25FW, legwork.DeviceNone, day(5), m(5))
	a6 := newAssessment(t, s, p.ID, legwork.TestBalance, legwork.DeviceWalker, day(20), nil)
	a6.Metrics = map[string]float64{}

	all := []*legwork.Assessment{a6, a4, a3, a2, a1}
	tests := []struct {
		name string
		f    legwork.AssessmentFilter
		want []*legwork.Assessment
	}{
		{"all", legwork.AssessmentFilter{}, all},
		{"test type", legwork.AssessmentFilter{TestType: legwork.TestT25FW}, []*legwork.Assessment{a4, a2, a1}},
		{"device", legwork.AssessmentFilter{Device: legwork.DeviceNone}, []*legwork.Assessment{a4, a3, a1}},
		{"test type and device", legwork.AssessmentFilter{TestType: legwork.TestT25FW, Device: legwork.DeviceCane}, []*legwork.Assessment{a2}},
		{"from (inclusive)", legwork.AssessmentFilter{From: day(5)}, []*legwork.Assessment{a6, a4, a3, a1}},
		{"to (exclusive)", legwork.AssessmentFilter{To: day(5).Add(time.Microsecond)}, []*legwork.Assessment{a3, a2}},
		{"from and to", legwork.AssessmentFilter{From: day(5), To: day(10)}, []*legwork.Assessment{a4, a3}},
		{"all filters", legwork.AssessmentFilter{TestType: legwork.TestT25FW, Device: legwork.DeviceNone, From: day(3), To: day(11)}, []*legwork.Assessment{a4, a1}},
		{"nothing", legwork.AssessmentFilter{TestType: legwork.TestSTS5}, []*legwork.Assessment{}},
		{"limit", legwork.AssessmentFilter{Page: legwork.Page{Limit: 2}}, []*legwork.Assessment{a6, a4}},
	}
	for _, tt := range tests {
		tt.f.PersonID = p.ID
		got, err := s.ListAssessments(ctx, tt.f)
		if err != nil {
			t.Fatalf("ListAssessments %s: %v", tt.name, err)
		}
		mustEqual(t, "ListAssessments "+tt.name, got, listed(tt.want))
	}
	got, err := s.ListAssessments(ctx, legwork.AssessmentFilter{PersonID: 98765})
	if err != nil {
		t.Fatalf("ListAssessments: %v", err)
	}
	mustEqual(t, "ListAssessments of nobody", got, []*legwork.Assessment{})
}

func testListAssessmentsPaging(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	p := newUser(t, s, legwork.RolePerson, "Pat")
	other := newUser(t, s, legwork.RolePerson, "Sam")
	var mine []*legwork.Assessment
	for i := range 7 {
		tt := legwork.TestWalk
		if i%2 == 0 {
			tt = legwork.TestT25FW
		}
		mine = append(mine, newAssessment(t, s, p.ID, tt, legwork.DeviceNone, day(i), map[string]float64{"m": float64(i)}))
		newAssessment(t, s, other.ID, tt, legwork.DeviceNone, day(i), map[string]float64{"m": float64(i)})
	}
	slices.Reverse(mine) // newest first

	page := func(f legwork.AssessmentFilter) []*legwork.Assessment {
		t.Helper()
		f.PersonID = p.ID
		var all []*legwork.Assessment
		for n := 0; ; n++ {
			got, err := s.ListAssessments(ctx, f)
			if err != nil {
				t.Fatalf("ListAssessments: %v", err)
			}
			if len(got) > f.Page.Limit {
				t.Fatalf("ListAssessments returned %d items, limit %d", len(got), f.Page.Limit)
			}
			all = append(all, got...)
			if len(got) < f.Page.Limit || n > 10 {
				return all
			}
			f.Page.Before = got[len(got)-1].ID
		}
	}
	mustEqual(t, "pages of 3", page(legwork.AssessmentFilter{Page: legwork.Page{Limit: 3}}), listed(mine))
	mustEqual(t, "pages of 7", page(legwork.AssessmentFilter{Page: legwork.Page{Limit: 7}}), listed(mine))
	var t25 []*legwork.Assessment
	for _, a := range mine {
		if a.TestType == legwork.TestT25FW {
			t25 = append(t25, a)
		}
	}
	mustEqual(t, "filtered pages of 2", page(legwork.AssessmentFilter{TestType: legwork.TestT25FW, Page: legwork.Page{Limit: 2}}), listed(t25))

	got, err := s.ListAssessments(ctx, legwork.AssessmentFilter{PersonID: p.ID, Page: legwork.Page{Before: mine[2].ID}})
	if err != nil {
		t.Fatalf("ListAssessments: %v", err)
	}
	mustEqual(t, "Before without a limit", got, listed(mine[3:]))
	got, err = s.ListAssessments(ctx, legwork.AssessmentFilter{PersonID: p.ID, Page: legwork.Page{Before: mine[len(mine)-1].ID, Limit: 5}})
	if err != nil {
		t.Fatalf("ListAssessments: %v", err)
	}
	mustEqual(t, "Before the oldest", got, []*legwork.Assessment{})
}

func testUpdateAnalysis(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	p := newUser(t, s, legwork.RolePerson, "Pat")
	a := &legwork.Assessment{
		PersonID: p.ID, TestType: legwork.TestWalk2Min, Placement: "front_pocket", Device: legwork.DeviceAFO,
		RecordedAt: day(3), Context: "morning", Tags: []string{"t"}, UserAgent: "cli/1", Source: "axivity",
		AlgorithmVersion: "1.0.0", Result: []byte(`{"v":1}`),
		Metrics: map[string]float64{"old_only": 1, "kept": 2}, Quality: []string{"q1"},
	}
	if err := s.CreateAssessment(ctx, a, recording(t, 50)); err != nil {
		t.Fatalf("CreateAssessment: %v", err)
	}
	other := newAssessment(t, s, p.ID, legwork.TestWalk2Min, legwork.DeviceAFO, day(4), map[string]float64{"kept": 7})

	result := []byte(`{"v": 2, "a": "b"}`)
	metrics := map[string]float64{"kept": 2.5, "new_only": 4}
	if err := s.UpdateAnalysis(ctx, a.ID, "2.0.0", result, metrics, []string{"q2", "q3"}); err != nil {
		t.Fatalf("UpdateAnalysis: %v", err)
	}
	want := *a
	want.AlgorithmVersion, want.Result, want.Metrics, want.Quality = "2.0.0", result, metrics, []string{"q2", "q3"}
	got, err := s.Assessment(ctx, a.ID)
	if err != nil {
		t.Fatalf("Assessment: %v", err)
	}
	mustEqual(t, "Assessment after UpdateAnalysis", got, &want)

	series, err := s.MetricSeries(ctx, legwork.MetricFilter{PersonID: p.ID, Metric: "kept"})
	if err != nil {
		t.Fatalf("MetricSeries: %v", err)
	}
	mustEqual(t, "series of an updated metric", series, []legwork.MetricPoint{
		{AssessmentID: a.ID, At: a.RecordedAt, Value: 2.5, TestType: a.TestType, Device: a.Device},
		{AssessmentID: other.ID, At: other.RecordedAt, Value: 7, TestType: other.TestType, Device: other.Device},
	})
	series, err = s.MetricSeries(ctx, legwork.MetricFilter{PersonID: p.ID, Metric: "old_only"})
	if err != nil {
		t.Fatalf("MetricSeries: %v", err)
	}
	mustEqual(t, "series of a metric the update dropped", series, []legwork.MetricPoint{})
	names, err := s.MetricNames(ctx, p.ID)
	if err != nil {
		t.Fatalf("MetricNames: %v", err)
	}
	mustEqual(t, "MetricNames after UpdateAnalysis", names, []string{"kept", "new_only"})

	// Clearing everything.
	if err := s.UpdateAnalysis(ctx, a.ID, "3.0.0", nil, nil, nil); err != nil {
		t.Fatalf("UpdateAnalysis to nothing: %v", err)
	}
	want.AlgorithmVersion, want.Result, want.Metrics, want.Quality = "3.0.0", nil, map[string]float64{}, nil
	got, err = s.Assessment(ctx, a.ID)
	if err != nil {
		t.Fatalf("Assessment: %v", err)
	}
	mustEqual(t, "Assessment after clearing UpdateAnalysis", got, &want)
	if _, err := s.Recording(ctx, a.ID); err != nil {
		t.Errorf("Recording after UpdateAnalysis: %v", err)
	}
}

func testDeleteAssessment(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	p := newUser(t, s, legwork.RolePerson, "Pat")
	other := newUser(t, s, legwork.RolePerson, "Sam")
	keep := newAssessment(t, s, p.ID, legwork.TestWalk, legwork.DeviceNone, day(1), map[string]float64{"shared": 1})
	a := &legwork.Assessment{PersonID: p.ID, TestType: legwork.TestWalk, Device: legwork.DeviceNone, RecordedAt: day(2),
		Metrics: map[string]float64{"shared": 2, "only_here": 3}}
	if err := s.CreateAssessment(ctx, a, recording(t, 20)); err != nil {
		t.Fatalf("CreateAssessment: %v", err)
	}
	theirs := newAssessment(t, s, other.ID, legwork.TestWalk, legwork.DeviceNone, day(2), map[string]float64{"only_here": 9})

	if err := s.DeleteAssessment(ctx, a.ID); err != nil {
		t.Fatalf("DeleteAssessment: %v", err)
	}
	_, err := s.Assessment(ctx, a.ID)
	wantCode(t, err, legwork.ENOTFOUND, "Assessment after delete")
	_, err = s.Recording(ctx, a.ID)
	wantCode(t, err, legwork.ENOTFOUND, "Recording after delete")
	wantCode(t, s.DeleteAssessment(ctx, a.ID), legwork.ENOTFOUND, "DeleteAssessment twice")
	err = s.UpdateAnalysis(ctx, a.ID, "2", nil, map[string]float64{"shared": 1}, nil)
	wantCode(t, err, legwork.ENOTFOUND, "UpdateAnalysis after delete")

	series, err := s.MetricSeries(ctx, legwork.MetricFilter{PersonID: p.ID, Metric: "shared"})
	if err != nil {
		t.Fatalf("MetricSeries: %v", err)
	}
	mustEqual(t, "series after delete", series, []legwork.MetricPoint{
		{AssessmentID: keep.ID, At: keep.RecordedAt, Value: 1, TestType: keep.TestType, Device: keep.Device},
	})
	names, err := s.MetricNames(ctx, p.ID)
	if err != nil {
		t.Fatalf("MetricNames: %v", err)
	}
	mustEqual(t, "MetricNames after delete", names, []string{"shared"})
	ids, err := s.AssessmentIDs(ctx, 0, 0)
	if err != nil {
		t.Fatalf("AssessmentIDs: %v", err)
	}
	mustEqual(t, "AssessmentIDs after delete", ids, []int64{keep.ID, theirs.ID})
	series, err = s.MetricSeries(ctx, legwork.MetricFilter{PersonID: other.ID, Metric: "only_here"})
	if err != nil {
		t.Fatalf("MetricSeries: %v", err)
	}
	if len(series) != 1 {
		t.Errorf("deleting one person's assessment changed another's series: %d points, want 1", len(series))
	}

	// Ids are not reused, not even the highest.
	if err := s.DeleteAssessment(ctx, theirs.ID); err != nil {
		t.Fatalf("DeleteAssessment: %v", err)
	}
	next := newAssessment(t, s, p.ID, legwork.TestWalk, legwork.DeviceNone, day(3), nil)
	if next.ID <= theirs.ID {
		t.Errorf("new assessment got id %d after id %d was deleted: ids are reused", next.ID, theirs.ID)
	}
}

func testAssessmentIDs(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	p := newUser(t, s, legwork.RolePerson, "Pat")
	q := newUser(t, s, legwork.RolePerson, "Sam")
	var ids []int64
	for i := range 5 {
		owner := p
		if i%2 == 1 {
			owner = q
		}
		ids = append(ids, newAssessment(t, s, owner.ID, legwork.TestWalk, legwork.DeviceNone, day(-i), nil).ID)
	}
	tests := []struct {
		after int64
		limit int
		want  []int64
	}{
		{0, 0, ids},
		{0, 100, ids},
		{0, 2, ids[:2]},
		{ids[1], 2, ids[2:4]},
		{ids[3], 2, ids[4:]},
		{ids[4], 10, []int64{}},
	}
	for _, tt := range tests {
		got, err := s.AssessmentIDs(ctx, tt.after, tt.limit)
		if err != nil {
			t.Fatalf("AssessmentIDs(%d, %d): %v", tt.after, tt.limit, err)
		}
		mustEqual(t, fmt.Sprintf("AssessmentIDs(%d, %d)", tt.after, tt.limit), got, tt.want)
	}
}

func testMetricSeries(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	p := newUser(t, s, legwork.RolePerson, "Pat")
	other := newUser(t, s, legwork.RolePerson, "Sam")
	const metric = "walking_speed_mps"
	point := func(a *legwork.Assessment) legwork.MetricPoint {
		return legwork.MetricPoint{AssessmentID: a.ID, At: a.RecordedAt, Value: a.Metrics[metric], TestType: a.TestType, Device: a.Device}
	}
	add := func(tt legwork.TestType, dev legwork.AssistiveDevice, at time.Time, v float64) legwork.MetricPoint {
		return point(newAssessment(t, s, p.ID, tt, dev, at, map[string]float64{metric: v, "other_metric": -v}))
	}
	// Stored out of time order; two at the same time.
	d9 := add(legwork.TestWalk2Min, legwork.DeviceNone, day(9), 1.19)
	d1 := add(legwork.TestT25FW, legwork.DeviceNone, day(1), 1.11)
	d5 := add(legwork.TestT25FW, legwork.DeviceCane, day(5).Add(123*time.Microsecond), 1.15)
	d3 := add(legwork.TestT25FW, legwork.DeviceNone, day(3), 1.13)
	d3b := add(legwork.TestWalk, legwork.DeviceNone, day(3), 1.131)
	d7 := add(legwork.TestT25FW, legwork.DeviceNone, day(7), 1.17)
	newAssessment(t, s, other.ID, legwork.TestT25FW, legwork.DeviceNone, day(4), map[string]float64{metric: 0.5})
	newAssessment(t, s, p.ID, legwork.TestT25FW, legwork.DeviceNone, day(6), map[string]float64{"cadence_spm": 99})

	tests := []struct {
		name string
		f    legwork.MetricFilter
		want []legwork.MetricPoint
	}{
		{"all, oldest first", legwork.MetricFilter{}, []legwork.MetricPoint{d1, d3, d3b, d5, d7, d9}},
		{"test type", legwork.MetricFilter{TestType: legwork.TestT25FW}, []legwork.MetricPoint{d1, d3, d5, d7}},
		{"device", legwork.MetricFilter{Device: legwork.DeviceCane}, []legwork.MetricPoint{d5}},
		{"test type and device", legwork.MetricFilter{TestType: legwork.TestT25FW, Device: legwork.DeviceNone}, []legwork.MetricPoint{d1, d3, d7}},
		{"from (inclusive)", legwork.MetricFilter{From: day(5).Add(123 * time.Microsecond)}, []legwork.MetricPoint{d5, d7, d9}},
		{"to (exclusive)", legwork.MetricFilter{To: day(5).Add(123 * time.Microsecond)}, []legwork.MetricPoint{d1, d3, d3b}},
		{"from and to", legwork.MetricFilter{From: day(3), To: day(7)}, []legwork.MetricPoint{d3, d3b, d5}},
		{"everything", legwork.MetricFilter{TestType: legwork.TestT25FW, Device: legwork.DeviceNone, From: day(2), To: day(8)}, []legwork.MetricPoint{d3, d7}},
		{"empty range", legwork.MetricFilter{From: day(20), To: day(30)}, []legwork.MetricPoint{}},
		{"unknown metric", legwork.MetricFilter{Metric: "no_such_metric"}, []legwork.MetricPoint{}},
	}
	for _, tt := range tests {
		tt.f.PersonID = p.ID
		if tt.f.Metric == "" {
			tt.f.Metric = metric
		}
		got, err := s.MetricSeries(ctx, tt.f)
		if err != nil {
			t.Fatalf("MetricSeries %s: %v", tt.name, err)
		}
		mustEqual(t, "MetricSeries "+tt.name, got, tt.want)
	}
}

func testMetricNames(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	p := newUser(t, s, legwork.RolePerson, "Pat")
	other := newUser(t, s, legwork.RolePerson, "Sam")
	newAssessment(t, s, p.ID, legwork.TestWalk, legwork.DeviceNone, day(1), map[string]float64{"walking_speed_mps": 1, "cadence_spm": 100})
	newAssessment(t, s, p.ID, legwork.TestT25FW, legwork.DeviceNone, day(2), map[string]float64{"walking_speed_mps": 1.1, "t25fw_time_s": 6})
	newAssessment(t, s, p.ID, legwork.TestBalance, legwork.DeviceNone, day(3), map[string]float64{"Z_upper_case": 1, "sway_area": 2})
	newAssessment(t, s, other.ID, legwork.TestSTS5, legwork.DeviceNone, day(1), map[string]float64{"sts5_time_s": 12})

	got, err := s.MetricNames(ctx, p.ID)
	if err != nil {
		t.Fatalf("MetricNames: %v", err)
	}
	// Byte order: upper case before lower case.
	mustEqual(t, "MetricNames", got, []string{"Z_upper_case", "cadence_spm", "sway_area", "t25fw_time_s", "walking_speed_mps"})
	got, err = s.MetricNames(ctx, 98765)
	if err != nil {
		t.Fatalf("MetricNames: %v", err)
	}
	mustEqual(t, "MetricNames of nobody", got, []string{})
}

// Migration 6 removes the metrics of tests whose result says they are not
// valid (stored by versions before legwork-assess/2), and keeps the
// results, the metrics of valid tests, and results that merely mention
// "valid":false deeper down or are not JSON.
func testMigrationInvalidTestMetrics(t *testing.T, s Store) {
	ctx := t.Context()
	p := newUser(t, s, legwork.RolePerson, "migrated")
	at := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	store := func(result string, i int) *legwork.Assessment {
		a := &legwork.Assessment{PersonID: p.ID, TestType: legwork.TestWalk2Min, Placement: "lower_back", Device: legwork.DeviceNone,
			RecordedAt: at.Add(time.Duration(i) * time.Hour), Source: "legwork", AlgorithmVersion: "legwork-assess/1+legwork-gait/1",
			Result: []byte(result), Metrics: map[string]float64{"walk2min_distance_m": 18.4 + float64(i)}}
		if err := s.CreateAssessment(ctx, a, nil); err != nil {
			t.Fatalf("CreateAssessment: %v", err)
		}
		return a
	}
	invalid := store(`{"test":"walk2min","algorithm_version":"legwork-assess/1+legwork-gait/1","valid":false,"problems":[{"code":"too_short"}]}`, 0)
	valid := store(`{"test":"walk2min","algorithm_version":"legwork-assess/1+legwork-gait/1","valid":true}`, 1)
	nested := store(`{"test":"walk2min","valid":true,"detail":{"trials":[{"valid":false}]}}`, 2)
	notJSON := store(`"valid":false, and then not JSON`, 3)
	if err := s.RedoMigration(ctx, 6); err != nil {
		t.Fatalf("RedoMigration: %v", err)
	}
	pts, err := s.MetricSeries(ctx, legwork.MetricFilter{PersonID: p.ID, Metric: "walk2min_distance_m"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, x := range pts {
		ids = append(ids, x.AssessmentID)
	}
	if want := []int64{valid.ID, nested.ID, notJSON.ID}; !slices.Equal(ids, want) {
		t.Errorf("metric points of assessments %v after the migration, want %v (the invalid test was %d)", ids, want, invalid.ID)
	}
	got, err := s.Assessment(ctx, invalid.ID)
	if err != nil || len(got.Result) == 0 {
		t.Errorf("the invalid test's result must stay: %v", err)
	}
}
