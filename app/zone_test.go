package app_test

import (
	"maps"
	"strings"
	"testing"
	"time"

	"legwork"
	"legwork/app"
)

// Without a zone in the request, a person's data is read in their stored
// time zone; a zone given still wins.
func TestStoredTimeZoneDefaults(t *testing.T) {
	e := newEnv(t)
	seedHistory(t, e)
	tz := "Europe/Berlin"
	plan := map[legwork.TestType]int{legwork.TestT25FW: 7, legwork.TestWalk2Min: 7, legwork.TestBalance: 0}
	if _, err := e.app.UpdatePersonSettings(e.as(e.person), e.person.ID, app.SettingsUpdate{TimeZone: &tz, WeeklyPlan: plan}); err != nil {
		t.Fatal(err)
	}
	night := func(opt app.InsightsOptions) int {
		t.Helper()
		rep, err := e.app.Insights(e.as(e.clinician), e.person.ID, opt)
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range seriesOf(t, rep, "walking_speed_mps", "walk2min").Triggers {
			if tr.Trigger == "night" {
				return tr.DaysWith
			}
		}
		return -1
	}
	// The 2-minute walks at 20:30 UTC are at night in Berlin.
	if n := night(app.InsightsOptions{}); n != 90 {
		t.Fatalf("stored zone: %d night-time days, want 90", n)
	}
	if ev := lastAudit(t, e); ev.Object != "insights" || ev.Detail != "tz=Europe/Berlin" {
		t.Fatalf("audit %+v", ev)
	}
	if n := night(app.InsightsOptions{Location: time.UTC}); n > 0 {
		t.Fatalf("UTC given: %d night-time days", n)
	}
	// As of a date: the end of that day in the stored zone (23:00 UTC in
	// winter), so the 20:30 UTC walk of that day is in and the next
	// day's 10:00 test is not.
	day := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	rep, err := e.app.Insights(e.as(e.person), e.person.ID, app.InsightsOptions{AsOf: day, AsOfEndOfDay: true})
	if err != nil {
		t.Fatal(err)
	}
	if s := seriesOf(t, rep, "walking_speed_mps", "walk2min"); s.Days != 41 {
		t.Fatalf("as of 2026-01-10 in Berlin: %d days of 2-minute walks, want 41", s.Days)
	}
	if ev := lastAudit(t, e); !strings.Contains(ev.Detail, "as_of=2026-01-10T22:59:59Z") {
		t.Fatalf("audit %+v", ev)
	}

	// The report: the stored zone, the last six months up to today there
	// (the clock says 2026-03-02 09:00 UTC), and the stored plan without
	// the tests planned 0 times.
	d, err := e.app.Report(e.as(e.clinician), e.person.ID, app.ReportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	berlin, _ := time.LoadLocation(tz)
	if d.Location.String() != berlin.String() || !d.To.Equal(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)) || !d.From.Equal(time.Date(2025, 9, 3, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("report %v %v..%v", d.Location, d.From, d.To)
	}
	if !d.PlanStored || !maps.Equal(d.Plan, map[legwork.TestType]int{legwork.TestT25FW: 7, legwork.TestWalk2Min: 7}) {
		t.Fatalf("report plan %v (stored %v)", d.Plan, d.PlanStored)
	}
	if ev := lastAudit(t, e); ev.Detail != "2025-09-03..2026-03-02 tz=Europe/Berlin" {
		t.Fatalf("audit %+v", ev)
	}
	// A plan given for the report wins.
	given := map[legwork.TestType]int{legwork.TestT25FW: 1}
	d, err = e.app.Report(e.as(e.person), e.person.ID, app.ReportOptions{Plan: given, Insights: app.InsightsOptions{Location: time.UTC}})
	if err != nil || d.PlanStored || !maps.Equal(d.Plan, given) || d.Location != time.UTC {
		t.Fatalf("given plan: %v %v, %v", d.Plan, d.PlanStored, err)
	}
	// Late in the evening in Los Angeles it is already tomorrow in UTC:
	// the default last day is the person's today.
	la := "America/Los_Angeles"
	if _, err := e.app.UpdatePersonSettings(e.as(e.person), e.person.ID, app.SettingsUpdate{TimeZone: &la}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(-4 * time.Hour) // 05:00 UTC on 2 March: 21:00 on 1 March in Los Angeles
	d, err = e.app.Report(e.as(e.person), e.person.ID, app.ReportOptions{})
	if err != nil || !d.To.Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("Los Angeles: to %v, %v", d.To, err)
	}
}

// Imports read long recordings' days in the person's stored zone when no
// zone is given.
func TestImportStoredTimeZone(t *testing.T) {
	e := newEnv(t)
	tz := "Europe/Berlin"
	if _, err := e.app.UpdatePersonSettings(e.as(e.person), e.person.ID, app.SettingsUpdate{TimeZone: &tz}); err != nil {
		t.Fatal(err)
	}
	berlin, _ := time.LoadLocation(tz)
	// 40 minutes from 23:40 in Berlin: 20 minutes on each of two Berlin
	// days, but all of it on 1 February in UTC.
	t0 := time.Date(2026, 2, 1, 23, 40, 0, 0, berlin)
	name := writeTotalAcceleration(t, t.TempDir(), freeLiving(40), t0)
	res, err := e.app.ImportFiles(e.as(e.person), app.ImportOptions{PersonID: e.person.ID, MinDayCoverage: 15 * time.Minute}, []string{name}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r := res[0]; r.Kind != "daily" || strings.Join(r.Days, ",") != "2026-02-01,2026-02-02" {
		t.Fatalf("result %+v", r)
	}
}
