package storetest

import (
	"fmt"
	"sync"
	"testing"

	"legwork"
)

// Client keys (idempotency keys of creates) are unique per person and per
// kind of record; records without one (ClientKey "", stored as NULL) may
// be many. A create with a key the person already has a record of that
// kind with is ECONFLICT and stores nothing; the ByClientKey lookups find
// the first record.

func testAssessmentClientKeys(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	p := newUser(t, s, legwork.RolePerson, "Pat")
	other := newUser(t, s, legwork.RolePerson, "Sam")
	const key = "0b6f3d1e-5c9a-4e1f-9d2a-7c3b8e4f1a60"

	first := &legwork.Assessment{PersonID: p.ID, TestType: legwork.TestT25FW, Placement: "lower_back", Device: legwork.DeviceNone,
		RecordedAt: day(0), Source: "legwork", AlgorithmVersion: "1.0.0", Result: []byte(`{"first":true}`),
		Metrics: map[string]float64{"t25fw_time_s": 6.5}, ClientKey: key}
	if err := s.CreateAssessment(ctx, first, recording(t, 100)); err != nil {
		t.Fatalf("CreateAssessment with a client key: %v", err)
	}
	got, err := s.Assessment(ctx, first.ID)
	if err != nil {
		t.Fatalf("Assessment: %v", err)
	}
	mustEqual(t, "Assessment with a client key", got, first)

	// The same key again: a conflict, and nothing of it is stored.
	again := &legwork.Assessment{PersonID: p.ID, TestType: legwork.TestT25FW, RecordedAt: day(0), Result: []byte(`{"again":true}`),
		Metrics: map[string]float64{"t25fw_time_s": 7}, ClientKey: key}
	wantCode(t, s.CreateAssessment(ctx, again, recording(t, 100)), legwork.ECONFLICT, "CreateAssessment with a used client key")
	list, err := s.ListAssessments(ctx, legwork.AssessmentFilter{PersonID: p.ID})
	if err != nil {
		t.Fatalf("ListAssessments: %v", err)
	}
	mustEqual(t, "ListAssessments after the conflict", list, listed([]*legwork.Assessment{first}))
	series, err := s.MetricSeries(ctx, legwork.MetricFilter{PersonID: p.ID, Metric: "t25fw_time_s"})
	if err != nil {
		t.Fatalf("MetricSeries: %v", err)
	}
	if len(series) != 1 || series[0].AssessmentID != first.ID {
		t.Errorf("metric series after the conflict: %+v, want the first assessment's value only", series)
	}

	// The lookup returns the first, result and metrics included.
	got, err = s.AssessmentByClientKey(ctx, p.ID, key)
	if err != nil {
		t.Fatalf("AssessmentByClientKey: %v", err)
	}
	mustEqual(t, "AssessmentByClientKey", got, first)
	_, err = s.AssessmentByClientKey(ctx, p.ID, "no-such-key")
	wantCode(t, err, legwork.ENOTFOUND, "AssessmentByClientKey(unknown key)")
	_, err = s.AssessmentByClientKey(ctx, p.ID, "")
	wantCode(t, err, legwork.ENOTFOUND, "AssessmentByClientKey(empty key)")
	_, err = s.AssessmentByClientKey(ctx, other.ID, key)
	wantCode(t, err, legwork.ENOTFOUND, "AssessmentByClientKey(another person's key)")
	// Keys compare byte for byte.
	_, err = s.AssessmentByClientKey(ctx, p.ID, "0B6F3D1E-5C9A-4E1F-9D2A-7C3B8E4F1A60")
	wantCode(t, err, legwork.ENOTFOUND, "AssessmentByClientKey(the key in upper case)")

	// No key, many times.
	a1 := newAssessment(t, s, p.ID, legwork.TestWalk, legwork.DeviceNone, day(1), nil)
	a2 := newAssessment(t, s, p.ID, legwork.TestWalk, legwork.DeviceNone, day(1), nil)
	if a1.ClientKey != "" || a2.ClientKey != "" || a1.ID == a2.ID {
		t.Errorf("assessments without a key: %+v, %+v", a1, a2)
	}
	// The same key for another person.
	theirs := &legwork.Assessment{PersonID: other.ID, TestType: legwork.TestT25FW, RecordedAt: day(2), ClientKey: key}
	if err := s.CreateAssessment(ctx, theirs, nil); err != nil {
		t.Fatalf("CreateAssessment with another person's key: %v", err)
	}
	got, err = s.AssessmentByClientKey(ctx, other.ID, key)
	if err != nil {
		t.Fatalf("AssessmentByClientKey(other person): %v", err)
	}
	if got.ID != theirs.ID {
		t.Errorf("AssessmentByClientKey(other person) = %d, want %d", got.ID, theirs.ID)
	}
	// Re-analysis keeps the key.
	if err := s.UpdateAnalysis(ctx, first.ID, "2.0.0", []byte(`{}`), nil, nil); err != nil {
		t.Fatalf("UpdateAnalysis: %v", err)
	}
	if got, err = s.AssessmentByClientKey(ctx, p.ID, key); err != nil || got.ID != first.ID || got.AlgorithmVersion != "2.0.0" {
		t.Errorf("AssessmentByClientKey after re-analysis: %v, %+v", err, got)
	}
	// A deleted assessment frees its key.
	if err := s.DeleteAssessment(ctx, first.ID); err != nil {
		t.Fatalf("DeleteAssessment: %v", err)
	}
	_, err = s.AssessmentByClientKey(ctx, p.ID, key)
	wantCode(t, err, legwork.ENOTFOUND, "AssessmentByClientKey after delete")
	again.ID = 0
	if err := s.CreateAssessment(ctx, again, nil); err != nil {
		t.Errorf("CreateAssessment with the key of a deleted assessment: %v", err)
	}
}

func testDiaryClientKeys(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	p := newUser(t, s, legwork.RolePerson, "Pat")
	other := newUser(t, s, legwork.RolePerson, "Sam")
	const key = "checkin-7f3a"

	first := &legwork.DiaryEntry{PersonID: p.ID, At: day(0), Severity: ptr(5), Sensations: []string{legwork.SensationHeavy}, ClientKey: key}
	if err := s.CreateDiaryEntry(ctx, first); err != nil {
		t.Fatalf("CreateDiaryEntry with a client key: %v", err)
	}
	got, err := s.DiaryEntry(ctx, first.ID)
	if err != nil {
		t.Fatalf("DiaryEntry: %v", err)
	}
	mustEqual(t, "DiaryEntry with a client key", got, first)

	wantCode(t, s.CreateDiaryEntry(ctx, &legwork.DiaryEntry{PersonID: p.ID, At: day(0), Severity: ptr(9), ClientKey: key}),
		legwork.ECONFLICT, "CreateDiaryEntry with a used client key")
	list, err := s.ListDiaryEntries(ctx, legwork.DiaryFilter{PersonID: p.ID})
	if err != nil {
		t.Fatalf("ListDiaryEntries: %v", err)
	}
	mustEqual(t, "ListDiaryEntries after the conflict", list, []*legwork.DiaryEntry{first})

	got, err = s.DiaryEntryByClientKey(ctx, p.ID, key)
	if err != nil {
		t.Fatalf("DiaryEntryByClientKey: %v", err)
	}
	mustEqual(t, "DiaryEntryByClientKey", got, first)
	_, err = s.DiaryEntryByClientKey(ctx, p.ID, "no-such-key")
	wantCode(t, err, legwork.ENOTFOUND, "DiaryEntryByClientKey(unknown key)")
	_, err = s.DiaryEntryByClientKey(ctx, p.ID, "")
	wantCode(t, err, legwork.ENOTFOUND, "DiaryEntryByClientKey(empty key)")
	_, err = s.DiaryEntryByClientKey(ctx, other.ID, key)
	wantCode(t, err, legwork.ENOTFOUND, "DiaryEntryByClientKey(another person's key)")

	// No key, many times; the same key for another person.
	for range 2 {
		if err := s.CreateDiaryEntry(ctx, &legwork.DiaryEntry{PersonID: p.ID, At: day(1), Notes: "no key"}); err != nil {
			t.Fatalf("CreateDiaryEntry without a key: %v", err)
		}
	}
	theirs := &legwork.DiaryEntry{PersonID: other.ID, At: day(1), Severity: ptr(2), ClientKey: key}
	if err := s.CreateDiaryEntry(ctx, theirs); err != nil {
		t.Fatalf("CreateDiaryEntry with another person's key: %v", err)
	}
	if got, err = s.DiaryEntryByClientKey(ctx, other.ID, key); err != nil || got.ID != theirs.ID {
		t.Errorf("DiaryEntryByClientKey(other person): %v, %+v; want entry %d", err, got, theirs.ID)
	}

	// An update keeps the key and fills it in.
	upd := &legwork.DiaryEntry{ID: first.ID, At: day(0), Severity: ptr(3)}
	if err := s.UpdateDiaryEntry(ctx, upd); err != nil {
		t.Fatalf("UpdateDiaryEntry: %v", err)
	}
	if upd.ClientKey != key {
		t.Errorf("UpdateDiaryEntry filled client key %q, want %q", upd.ClientKey, key)
	}
	got, err = s.DiaryEntryByClientKey(ctx, p.ID, key)
	if err != nil {
		t.Fatalf("DiaryEntryByClientKey after update: %v", err)
	}
	mustEqual(t, "DiaryEntryByClientKey after update", got, upd)

	// A deleted entry frees its key.
	if err := s.DeleteDiaryEntry(ctx, first.ID); err != nil {
		t.Fatalf("DeleteDiaryEntry: %v", err)
	}
	_, err = s.DiaryEntryByClientKey(ctx, p.ID, key)
	wantCode(t, err, legwork.ENOTFOUND, "DiaryEntryByClientKey after delete")
	if err := s.CreateDiaryEntry(ctx, &legwork.DiaryEntry{PersonID: p.ID, At: day(2), Notes: "again", ClientKey: key}); err != nil {
		t.Errorf("CreateDiaryEntry with the key of a deleted entry: %v", err)
	}
}

func testInterventionClientKeys(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	p := newUser(t, s, legwork.RolePerson, "Pat")
	other := newUser(t, s, legwork.RolePerson, "Sam")
	const key = "physio-2024"

	first := &legwork.Intervention{PersonID: p.ID, Kind: legwork.InterventionPhysicalTherapy, Name: "Physio", StartDate: day(0), ClientKey: key}
	if err := s.CreateIntervention(ctx, first); err != nil {
		t.Fatalf("CreateIntervention with a client key: %v", err)
	}
	got, err := s.Intervention(ctx, first.ID)
	if err != nil {
		t.Fatalf("Intervention: %v", err)
	}
	mustEqual(t, "Intervention with a client key", got, first)

	wantCode(t, s.CreateIntervention(ctx, &legwork.Intervention{PersonID: p.ID, Kind: legwork.InterventionOther, Name: "x", StartDate: day(1), ClientKey: key}),
		legwork.ECONFLICT, "CreateIntervention with a used client key")
	list, err := s.ListInterventions(ctx, p.ID)
	if err != nil {
		t.Fatalf("ListInterventions: %v", err)
	}
	mustEqual(t, "ListInterventions after the conflict", list, []*legwork.Intervention{first})

	got, err = s.InterventionByClientKey(ctx, p.ID, key)
	if err != nil {
		t.Fatalf("InterventionByClientKey: %v", err)
	}
	mustEqual(t, "InterventionByClientKey", got, first)
	_, err = s.InterventionByClientKey(ctx, p.ID, "no-such-key")
	wantCode(t, err, legwork.ENOTFOUND, "InterventionByClientKey(unknown key)")
	_, err = s.InterventionByClientKey(ctx, p.ID, "")
	wantCode(t, err, legwork.ENOTFOUND, "InterventionByClientKey(empty key)")
	_, err = s.InterventionByClientKey(ctx, other.ID, key)
	wantCode(t, err, legwork.ENOTFOUND, "InterventionByClientKey(another person's key)")

	for range 2 {
		if err := s.CreateIntervention(ctx, &legwork.Intervention{PersonID: p.ID, Kind: legwork.InterventionOther, Name: "no key", StartDate: day(2)}); err != nil {
			t.Fatalf("CreateIntervention without a key: %v", err)
		}
	}
	theirs := &legwork.Intervention{PersonID: other.ID, Kind: legwork.InterventionOther, Name: "theirs", StartDate: day(2), ClientKey: key}
	if err := s.CreateIntervention(ctx, theirs); err != nil {
		t.Fatalf("CreateIntervention with another person's key: %v", err)
	}
	if got, err = s.InterventionByClientKey(ctx, other.ID, key); err != nil || got.ID != theirs.ID {
		t.Errorf("InterventionByClientKey(other person): %v, %+v; want intervention %d", err, got, theirs.ID)
	}

	upd := &legwork.Intervention{ID: first.ID, Kind: legwork.InterventionPhysicalTherapy, Name: "Physio, weekly", StartDate: day(0)}
	if err := s.UpdateIntervention(ctx, upd); err != nil {
		t.Fatalf("UpdateIntervention: %v", err)
	}
	if upd.ClientKey != key {
		t.Errorf("UpdateIntervention filled client key %q, want %q", upd.ClientKey, key)
	}
	got, err = s.InterventionByClientKey(ctx, p.ID, key)
	if err != nil {
		t.Fatalf("InterventionByClientKey after update: %v", err)
	}
	mustEqual(t, "InterventionByClientKey after update", got, upd)
}

// testClientKeysPerKind: one key may name one record of each kind.
func testClientKeysPerKind(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	p := newUser(t, s, legwork.RolePerson, "Pat")
	const key = "same-key-everywhere"
	a := &legwork.Assessment{PersonID: p.ID, TestType: legwork.TestWalk, RecordedAt: day(0), ClientKey: key}
	if err := s.CreateAssessment(ctx, a, nil); err != nil {
		t.Fatalf("CreateAssessment: %v", err)
	}
	e := &legwork.DiaryEntry{PersonID: p.ID, At: day(0), Notes: "n", ClientKey: key}
	if err := s.CreateDiaryEntry(ctx, e); err != nil {
		t.Fatalf("CreateDiaryEntry with an assessment's key: %v", err)
	}
	iv := &legwork.Intervention{PersonID: p.ID, Kind: legwork.InterventionOther, Name: "n", StartDate: day(0), ClientKey: key}
	if err := s.CreateIntervention(ctx, iv); err != nil {
		t.Fatalf("CreateIntervention with an assessment's key: %v", err)
	}
	if got, err := s.AssessmentByClientKey(ctx, p.ID, key); err != nil || got.ID != a.ID {
		t.Errorf("AssessmentByClientKey: %v, %+v", err, got)
	}
	if got, err := s.DiaryEntryByClientKey(ctx, p.ID, key); err != nil || got.ID != e.ID {
		t.Errorf("DiaryEntryByClientKey: %v, %+v", err, got)
	}
	if got, err := s.InterventionByClientKey(ctx, p.ID, key); err != nil || got.ID != iv.ID {
		t.Errorf("InterventionByClientKey: %v, %+v", err, got)
	}
}

// testClientKeyRace: creates with one key at the same time store one
// record; the others are ECONFLICT.
func testClientKeyRace(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	p := newUser(t, s, legwork.RolePerson, "Pat")
	const n = 8
	check := func(kind string, errs []error, stored int) {
		t.Helper()
		won := 0
		for i, err := range errs {
			if err == nil {
				won++
				continue
			}
			wantCode(t, err, legwork.ECONFLICT, fmt.Sprintf("losing create of %s %d", kind, i))
		}
		if won != 1 || stored != 1 {
			t.Errorf("%s: %d creates succeeded and %d records stored, want 1 and 1", kind, won, stored)
		}
	}

	errs := make([]error, n)
	recs := make([]*legwork.Recording, n)
	for i := range recs {
		recs[i] = recording(t, 50)
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			a := &legwork.Assessment{PersonID: p.ID, TestType: legwork.TestT25FW, RecordedAt: day(i),
				Metrics: map[string]float64{"t25fw_time_s": float64(6 + i)}, ClientKey: "race"}
			errs[i] = s.CreateAssessment(ctx, a, recs[i])
		})
	}
	wg.Wait()
	list, err := s.ListAssessments(ctx, legwork.AssessmentFilter{PersonID: p.ID})
	if err != nil {
		t.Fatalf("ListAssessments: %v", err)
	}
	check("assessment", errs, len(list))

	errs = make([]error, n)
	for i := range n {
		wg.Go(func() {
			errs[i] = s.CreateDiaryEntry(ctx, &legwork.DiaryEntry{PersonID: p.ID, At: day(i), Severity: ptr(i), ClientKey: "race"})
		})
	}
	wg.Wait()
	entries, err := s.ListDiaryEntries(ctx, legwork.DiaryFilter{PersonID: p.ID})
	if err != nil {
		t.Fatalf("ListDiaryEntries: %v", err)
	}
	check("diary entry", errs, len(entries))
}
