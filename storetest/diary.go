package storetest

import (
	"slices"
	"testing"
	"time"

	"legwork"
)

func testDiary(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	p := newUser(t, s, legwork.RolePerson, "Pat")
	e := &legwork.DiaryEntry{
		PersonID:       p.ID,
		At:             time.Date(2024, 7, 14, 21, 5, 0, 1234567, time.FixedZone("BST", 3600)),
		CreatedAt:      time.Date(2024, 7, 14, 20, 6, 0, 0, time.UTC),
		Severity:       ptr(7),
		Sensations:     []string{legwork.SensationJelly, legwork.SensationHeavy},
		SensationOther: "like wading through wet concrete",
		Leg:            "left",
		TimeOfDay:      "evening",
		Triggers:       []string{legwork.TriggerHeat, legwork.TriggerOverexertion},
		Fatigue:        ptr(0), // zero, not absent
		Fall:           &legwork.Fall{Kind: "near_fall", Circumstances: "caught my toe on the kerb"},
		Notes:          "Took a cool shower, better after an hour.",
	}
	if err := s.CreateDiaryEntry(ctx, e); err != nil {
		t.Fatalf("CreateDiaryEntry: %v", err)
	}
	if e.ID == 0 {
		t.Fatal("CreateDiaryEntry did not set ID")
	}
	got, err := s.DiaryEntry(ctx, e.ID)
	if err != nil {
		t.Fatalf("DiaryEntry: %v", err)
	}
	mustEqual(t, "DiaryEntry", got, e)

	// The least: every optional field absent.
	bare := &legwork.DiaryEntry{PersonID: p.ID, At: day(1)}
	if err := s.CreateDiaryEntry(ctx, bare); err != nil {
		t.Fatalf("CreateDiaryEntry: %v", err)
	}
	if bare.CreatedAt.IsZero() {
		t.Error("CreateDiaryEntry did not set CreatedAt")
	}
	got, err = s.DiaryEntry(ctx, bare.ID)
	if err != nil {
		t.Fatalf("DiaryEntry: %v", err)
	}
	mustEqual(t, "minimal DiaryEntry", got, bare)

	// Update every field: the person and creation time stay and are
	// filled in.
	upd := &legwork.DiaryEntry{
		ID:         e.ID,
		PersonID:   98765,
		At:         day(2).Add(500 * time.Nanosecond),
		Severity:   nil,
		Sensations: []string{legwork.SensationBuckle},
		Leg:        "both",
		TimeOfDay:  "night",
		Triggers:   nil,
		Fatigue:    ptr(10),
		Fall:       &legwork.Fall{Kind: "fall", Circumstances: "stairs", Injured: true},
		Notes:      "",
	}
	if err := s.UpdateDiaryEntry(ctx, upd); err != nil {
		t.Fatalf("UpdateDiaryEntry: %v", err)
	}
	if upd.PersonID != p.ID || !upd.CreatedAt.Equal(e.CreatedAt) {
		t.Errorf("UpdateDiaryEntry filled person %d, created %v; want %d, %v", upd.PersonID, upd.CreatedAt, p.ID, e.CreatedAt)
	}
	got, err = s.DiaryEntry(ctx, e.ID)
	if err != nil {
		t.Fatalf("DiaryEntry: %v", err)
	}
	mustEqual(t, "updated DiaryEntry", got, upd)

	// Remove the fall again.
	upd.Fall, upd.Severity = nil, ptr(3)
	if err := s.UpdateDiaryEntry(ctx, upd); err != nil {
		t.Fatalf("UpdateDiaryEntry: %v", err)
	}
	got, err = s.DiaryEntry(ctx, e.ID)
	if err != nil {
		t.Fatalf("DiaryEntry: %v", err)
	}
	mustEqual(t, "DiaryEntry with the fall removed", got, upd)

	missing := bare.ID + 1000
	_, err = s.DiaryEntry(ctx, missing)
	wantCode(t, err, legwork.ENOTFOUND, "DiaryEntry(missing)")
	wantCode(t, s.UpdateDiaryEntry(ctx, &legwork.DiaryEntry{ID: missing, At: day(1)}), legwork.ENOTFOUND, "UpdateDiaryEntry(missing)")
	wantCode(t, s.DeleteDiaryEntry(ctx, missing), legwork.ENOTFOUND, "DeleteDiaryEntry(missing)")
	err = s.CreateDiaryEntry(ctx, &legwork.DiaryEntry{PersonID: 98765, At: day(1)})
	wantCode(t, err, legwork.ENOTFOUND, "CreateDiaryEntry for a missing person")

	if err := s.DeleteDiaryEntry(ctx, e.ID); err != nil {
		t.Fatalf("DeleteDiaryEntry: %v", err)
	}
	_, err = s.DiaryEntry(ctx, e.ID)
	wantCode(t, err, legwork.ENOTFOUND, "DiaryEntry after delete")
	wantCode(t, s.DeleteDiaryEntry(ctx, e.ID), legwork.ENOTFOUND, "DeleteDiaryEntry twice")
	got, err = s.DiaryEntry(ctx, bare.ID)
	if err != nil {
		t.Fatalf("DiaryEntry of the other entry after delete: %v", err)
	}
	mustEqual(t, "other DiaryEntry after delete", got, bare)
}

func testListDiaryEntries(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	p := newUser(t, s, legwork.RolePerson, "Pat")
	other := newUser(t, s, legwork.RolePerson, "Sam")
	var mine []*legwork.DiaryEntry
	// Day 0, 2, 4, 1, 3, 5 (ids do not follow At).
	for _, d := range []int{0, 2, 4, 1, 3, 5} {
		e := &legwork.DiaryEntry{PersonID: p.ID, At: day(d), Severity: ptr(d), Notes: "day"}
		if err := s.CreateDiaryEntry(ctx, e); err != nil {
			t.Fatalf("CreateDiaryEntry: %v", err)
		}
		mine = append(mine, e)
		if err := s.CreateDiaryEntry(ctx, &legwork.DiaryEntry{PersonID: other.ID, At: day(d)}); err != nil {
			t.Fatalf("CreateDiaryEntry: %v", err)
		}
	}
	slices.Reverse(mine) // newest (highest id) first
	filter := func(keep func(e *legwork.DiaryEntry) bool) []*legwork.DiaryEntry {
		out := []*legwork.DiaryEntry{}
		for _, e := range mine {
			if keep(e) {
				out = append(out, e)
			}
		}
		return out
	}
	tests := []struct {
		name string
		f    legwork.DiaryFilter
		want []*legwork.DiaryEntry
	}{
		{"all", legwork.DiaryFilter{}, mine},
		{"from (inclusive)", legwork.DiaryFilter{From: day(3)}, filter(func(e *legwork.DiaryEntry) bool { return !e.At.Before(day(3)) })},
		{"to (exclusive)", legwork.DiaryFilter{To: day(2)}, filter(func(e *legwork.DiaryEntry) bool { return e.At.Before(day(2)) })},
		{"from and to", legwork.DiaryFilter{From: day(1), To: day(4)}, filter(func(e *legwork.DiaryEntry) bool {
			return !e.At.Before(day(1)) && e.At.Before(day(4))
		})},
		{"limit", legwork.DiaryFilter{Page: legwork.Page{Limit: 2}}, mine[:2]},
		{"before", legwork.DiaryFilter{Page: legwork.Page{Before: mine[1].ID, Limit: 3}}, mine[2:5]},
		{"before and range", legwork.DiaryFilter{From: day(2), Page: legwork.Page{Before: mine[1].ID}}, filter(func(e *legwork.DiaryEntry) bool {
			return !e.At.Before(day(2)) && e.ID < mine[1].ID
		})},
		{"nothing", legwork.DiaryFilter{From: day(10)}, []*legwork.DiaryEntry{}},
	}
	for _, tt := range tests {
		tt.f.PersonID = p.ID
		got, err := s.ListDiaryEntries(ctx, tt.f)
		if err != nil {
			t.Fatalf("ListDiaryEntries %s: %v", tt.name, err)
		}
		mustEqual(t, "ListDiaryEntries "+tt.name, got, tt.want)
	}
}

func testInterventions(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	p := newUser(t, s, legwork.RolePerson, "Pat")
	other := newUser(t, s, legwork.RolePerson, "Sam")
	date := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	steroids := &legwork.Intervention{
		PersonID:  p.ID,
		Kind:      legwork.InterventionRelapseTreatment,
		Name:      "Methylprednisolone 1 g × 3 days",
		StartDate: date(2024, 2, 10),
		EndDate:   ptr(date(2024, 2, 12)),
		Notes:     "infusion at the day unit",
		CreatedAt: time.Date(2024, 2, 10, 9, 0, 0, 111, time.UTC),
	}
	cane := &legwork.Intervention{
		PersonID:  p.ID,
		Kind:      legwork.InterventionAssistiveDevice,
		Name:      "Cane outdoors",
		Device:    legwork.DeviceCane,
		StartDate: date(2023, 9, 1),
	}
	physio := &legwork.Intervention{
		PersonID:  p.ID,
		Kind:      legwork.InterventionPhysicalTherapy,
		Name:      "Physio, twice weekly",
		StartDate: date(2024, 2, 10),
	}
	for _, iv := range []*legwork.Intervention{steroids, cane, physio} {
		if err := s.CreateIntervention(ctx, iv); err != nil {
			t.Fatalf("CreateIntervention: %v", err)
		}
		if iv.ID == 0 || iv.CreatedAt.IsZero() {
			t.Fatalf("CreateIntervention did not set ID and CreatedAt: %+v", iv)
		}
	}
	if err := s.CreateIntervention(ctx, &legwork.Intervention{PersonID: other.ID, Kind: legwork.InterventionOther, Name: "x", StartDate: date(2020, 1, 1)}); err != nil {
		t.Fatalf("CreateIntervention: %v", err)
	}
	got, err := s.Intervention(ctx, steroids.ID)
	if err != nil {
		t.Fatalf("Intervention: %v", err)
	}
	mustEqual(t, "Intervention", got, steroids)

	list, err := s.ListInterventions(ctx, p.ID)
	if err != nil {
		t.Fatalf("ListInterventions: %v", err)
	}
	mustEqual(t, "ListInterventions (by start date, then id)", list, []*legwork.Intervention{cane, steroids, physio})

	upd := &legwork.Intervention{
		ID:        cane.ID,
		PersonID:  other.ID,
		Kind:      legwork.InterventionAssistiveDevice,
		Name:      "Walker outdoors",
		Device:    legwork.DeviceWalker,
		StartDate: date(2023, 9, 2),
		EndDate:   ptr(date(2024, 1, 31)),
		Notes:     "switched to a rollator",
	}
	if err := s.UpdateIntervention(ctx, upd); err != nil {
		t.Fatalf("UpdateIntervention: %v", err)
	}
	if upd.PersonID != p.ID || !upd.CreatedAt.Equal(cane.CreatedAt) {
		t.Errorf("UpdateIntervention filled person %d, created %v; want %d, %v", upd.PersonID, upd.CreatedAt, p.ID, cane.CreatedAt)
	}
	got, err = s.Intervention(ctx, cane.ID)
	if err != nil {
		t.Fatalf("Intervention: %v", err)
	}
	mustEqual(t, "updated Intervention", got, upd)
	upd.EndDate = nil
	if err := s.UpdateIntervention(ctx, upd); err != nil {
		t.Fatalf("UpdateIntervention: %v", err)
	}
	got, err = s.Intervention(ctx, cane.ID)
	if err != nil {
		t.Fatalf("Intervention: %v", err)
	}
	mustEqual(t, "Intervention with the end date removed", got, upd)

	missing := physio.ID + 1000
	_, err = s.Intervention(ctx, missing)
	wantCode(t, err, legwork.ENOTFOUND, "Intervention(missing)")
	wantCode(t, s.UpdateIntervention(ctx, &legwork.Intervention{ID: missing, Kind: legwork.InterventionOther, StartDate: date(2024, 1, 1)}),
		legwork.ENOTFOUND, "UpdateIntervention(missing)")
	wantCode(t, s.DeleteIntervention(ctx, missing), legwork.ENOTFOUND, "DeleteIntervention(missing)")
	err = s.CreateIntervention(ctx, &legwork.Intervention{PersonID: 98765, Kind: legwork.InterventionOther, StartDate: date(2024, 1, 1)})
	wantCode(t, err, legwork.ENOTFOUND, "CreateIntervention for a missing person")

	if err := s.DeleteIntervention(ctx, steroids.ID); err != nil {
		t.Fatalf("DeleteIntervention: %v", err)
	}
	_, err = s.Intervention(ctx, steroids.ID)
	wantCode(t, err, legwork.ENOTFOUND, "Intervention after delete")
	list, err = s.ListInterventions(ctx, p.ID)
	if err != nil {
		t.Fatalf("ListInterventions: %v", err)
	}
	mustEqual(t, "ListInterventions after delete", list, []*legwork.Intervention{upd, physio})
	list, err = s.ListInterventions(ctx, 98765)
	if err != nil {
		t.Fatalf("ListInterventions: %v", err)
	}
	mustEqual(t, "ListInterventions of nobody", list, []*legwork.Intervention{})
}
