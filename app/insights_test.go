package app_test

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"legwork"
	"legwork/app"
	"legwork/insights"
)

// history is a person's synthetic record, stored directly (the analysis
// is tested elsewhere): 90 days of T25FW at 10:00 UTC, 6 s with a 3 %
// noise, then 30 % slower from day 70; 2-minute walks at 20:30 UTC
// (21:30 in Berlin: night-time there, not in UTC) with walking speed
// 1.0 m/s, 15 % faster after physiotherapy from day 30 and 10 % slower on
// heat days; heat every 4th day in the diary; a near-fall on day 72 and a
// fall on day 80.
type history struct {
	start time.Time
	ptDay int
}

func seedHistory(t testing.TB, e *env) history {
	t.Helper()
	bg := context.Background()
	h := history{start: time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC), ptDay: 30}
	r := rand.New(rand.NewPCG(7, 7))
	ctx := e.as(e.person)
	for d := 0; d < 90; d++ {
		day := h.start.AddDate(0, 0, d)
		t25 := 6.0 * (1 + 0.03*r.NormFloat64())
		if d >= 70 {
			t25 *= 1.3
		}
		as := &legwork.Assessment{PersonID: e.person.ID, TestType: legwork.TestT25FW, Placement: "lower_back", Device: legwork.DeviceNone,
			RecordedAt: day.Add(10 * time.Hour), Source: "legwork", AlgorithmVersion: app.CurrentAlgorithmVersion(), Result: []byte(`{}`),
			Metrics: map[string]float64{"t25fw_time_s": t25, "t25fw_speed_mps": 7.62 / t25}}
		if err := e.store.CreateAssessment(bg, as, nil); err != nil {
			t.Fatal(err)
		}
		heat := d%4 == 0
		speed := 1.0 * (1 + 0.02*r.NormFloat64())
		if d >= h.ptDay {
			speed *= 1.15
		}
		if heat {
			speed *= 0.9
		}
		as = &legwork.Assessment{PersonID: e.person.ID, TestType: legwork.TestWalk2Min, Placement: "lower_back", Device: legwork.DeviceNone,
			RecordedAt: day.Add(20*time.Hour + 30*time.Minute), Source: "legwork", AlgorithmVersion: app.CurrentAlgorithmVersion(), Result: []byte(`{}`),
			Metrics: map[string]float64{"walking_speed_mps": speed}}
		if err := e.store.CreateAssessment(bg, as, nil); err != nil {
			t.Fatal(err)
		}
		if heat {
			sev := 6
			if _, err := e.app.CreateDiaryEntry(ctx, &legwork.DiaryEntry{PersonID: e.person.ID, At: day.Add(15 * time.Hour), Severity: &sev,
				Sensations: []string{legwork.SensationHeavy}, Triggers: []string{legwork.TriggerHeat}}); err != nil {
				t.Fatal(err)
			}
		}
		if d == 72 || d == 80 {
			kind := map[int]string{72: "near_fall", 80: "fall"}[d]
			if _, err := e.app.CreateDiaryEntry(ctx, &legwork.DiaryEntry{PersonID: e.person.ID, At: day.Add(11 * time.Hour),
				Fall: &legwork.Fall{Kind: kind, Injured: d == 80}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := e.app.CreateIntervention(ctx, &legwork.Intervention{PersonID: e.person.ID, Kind: legwork.InterventionPhysicalTherapy,
		Name: "Physio", StartDate: h.start.AddDate(0, 0, h.ptDay)}); err != nil {
		t.Fatal(err)
	}
	return h
}

func seriesOf(t *testing.T, rep *insights.Report, metric, test string) insights.SeriesReport {
	t.Helper()
	for _, s := range rep.Series {
		if s.Metric == metric && s.TestType == test && s.Device == "none" {
			return s
		}
	}
	t.Fatalf("no series %s/%s in %d series", metric, test, len(rep.Series))
	return insights.SeriesReport{}
}

func auditRows(t *testing.T, e *env) []*legwork.AuditEvent {
	t.Helper()
	evs, err := e.store.ListAudit(context.Background(), legwork.AuditFilter{PersonID: &e.person.ID, Page: legwork.Page{Limit: 500}})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func TestInsights(t *testing.T) {
	e := newEnv(t)
	h := seedHistory(t, e)
	before := len(auditRows(t, e))
	rep, err := e.app.Insights(e.as(e.clinician), e.person.ID, app.InsightsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// One audit row, naming the reader.
	evs := auditRows(t, e)
	if len(evs) != before+1 || evs[0].Action != "read" || evs[0].Object != "insights" || *evs[0].ActorID != e.clinician.ID {
		t.Fatalf("audit: %d rows before, %d after, last %+v", before, len(evs), evs[0])
	}

	// The 30 % slower T25FW from day 70 is a confirmed, ongoing alert.
	t25 := seriesOf(t, rep, "t25fw_time_s", "t25fw")
	if t25.Days != 90 || t25.Baseline == nil || math.Abs(t25.Baseline.Median-6) > 0.2 {
		t.Fatalf("t25fw series: %d days, baseline %+v", t25.Days, t25.Baseline)
	}
	// (and in the speed computed from it).
	if len(rep.OngoingAlerts) != 2 || rep.OngoingAlerts[1].Metric != "t25fw_time_s" || rep.OngoingAlerts[0].Metric != "t25fw_speed_mps" {
		t.Fatalf("ongoing alerts %+v", rep.OngoingAlerts)
	}
	a := rep.OngoingAlerts[1].Alert
	if got := a.Start.Sub(h.start).Hours() / 24; got < 70 || got > 72 {
		t.Fatalf("alert run starts on day %.1f, want 70", got)
	}
	if !strings.Contains(a.Message, "contact your clinician") {
		t.Fatalf("alert message %q", a.Message)
	}
	// The physiotherapy effect on walking speed: +15 %, clear.
	ws := seriesOf(t, rep, "walking_speed_mps", "walk2min")
	if len(ws.Interventions) != 1 || ws.Interventions[0].Shift == nil || !ws.Interventions[0].Clear || ws.Interventions[0].Shift.Value < 0.08 {
		t.Fatalf("intervention effects %+v", ws.Interventions)
	}
	// Heat: slower on heat days.
	var heat *insights.TriggerEffect
	for i := range ws.Triggers {
		if ws.Triggers[i].Trigger == insights.TriggerHeat {
			heat = &ws.Triggers[i]
		}
	}
	if heat == nil || heat.Effect == nil || heat.Effect.Value >= 0 || heat.DaysWith < 20 {
		t.Fatalf("heat effect %+v", heat)
	}
	// Falls from the diary.
	if rep.Falls == nil || rep.Falls.Falls != 1 || rep.Falls.NearFalls != 1 || rep.Falls.Injured != 1 {
		t.Fatalf("falls %+v", rep.Falls)
	}
}

// The time zone decides days and night-time: the 2-minute walks at 20:30
// UTC are night-time tests in Berlin (21:30), not in UTC, and the
// intervention starts at Berlin's midnight.
func TestInsightsTimeZone(t *testing.T) {
	e := newEnv(t)
	h := seedHistory(t, e)
	night := func(rep *insights.Report) int {
		for _, tr := range seriesOf(t, rep, "walking_speed_mps", "walk2min").Triggers {
			if tr.Trigger == insights.TriggerNight {
				return tr.DaysWith
			}
		}
		return -1
	}
	utc, err := e.app.Insights(e.as(e.person), e.person.ID, app.InsightsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	loc, err := e.app.Insights(e.as(e.person), e.person.ID, app.InsightsOptions{Location: berlin})
	if err != nil {
		t.Fatal(err)
	}
	if n := night(utc); n > 0 {
		t.Fatalf("UTC: %d night-time days", n)
	}
	if n := night(loc); n != 90 {
		t.Fatalf("Berlin: %d night-time days, want 90", n)
	}
	iv := seriesOf(t, loc, "walking_speed_mps", "walk2min").Interventions[0].Intervention
	if want := time.Date(2025, 12, 31, 0, 0, 0, 0, berlin); !iv.Start.Equal(want) {
		t.Fatalf("intervention starts %v, want %v", iv.Start, want)
	}
	_ = h
}

func TestInsightsOptions(t *testing.T) {
	e := newEnv(t)
	h := seedHistory(t, e)
	ctx := e.as(e.person)
	// Windows: 2 weeks instead of 6.
	rep, err := e.app.Insights(ctx, e.person.ID, app.InsightsOptions{EffectWeeks: 2})
	if err != nil {
		t.Fatal(err)
	}
	if w := seriesOf(t, rep, "walking_speed_mps", "walk2min").Interventions[0].WindowDays; w != 14 {
		t.Fatalf("window %d days, want 14", w)
	}
	// A given baseline period.
	from, to := h.start.AddDate(0, 0, 10), h.start.AddDate(0, 0, 20)
	rep, err = e.app.Insights(ctx, e.person.ID, app.InsightsOptions{BaselineFrom: from, BaselineTo: to})
	if err != nil {
		t.Fatal(err)
	}
	b := seriesOf(t, rep, "t25fw_time_s", "t25fw").Baseline
	if b == nil || !b.Given || b.Days != 10 || !b.From.Equal(from) {
		t.Fatalf("baseline %+v", b)
	}
	// As of the end of day 60: no alert yet, and no falls.
	rep, err = e.app.Insights(ctx, e.person.ID, app.InsightsOptions{AsOf: h.start.AddDate(0, 0, 61).Add(-time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.OngoingAlerts) != 0 || seriesOf(t, rep, "t25fw_time_s", "t25fw").Days != 61 || (rep.Falls != nil && rep.Falls.Falls+rep.Falls.NearFalls != 0) {
		t.Fatalf("as of day 60: %d alerts, falls %+v", len(rep.OngoingAlerts), rep.Falls)
	}
	// Bad options name their field.
	for _, tc := range []struct {
		opt   app.InsightsOptions
		field string
	}{
		{app.InsightsOptions{EffectWeeks: 53}, "effect_weeks"},
		{app.InsightsOptions{BaselineWeeks: -1}, "baseline_weeks"},
		{app.InsightsOptions{BaselineFrom: from}, "baseline_to"},
		{app.InsightsOptions{BaselineTo: to}, "baseline_from"},
		{app.InsightsOptions{BaselineFrom: to, BaselineTo: from}, "baseline_to"},
	} {
		_, err := e.app.Insights(ctx, e.person.ID, tc.opt)
		if legwork.ErrorCode(err) != legwork.EINVALID || legwork.ErrorField(err) != tc.field {
			t.Errorf("%+v: %v, want an error about %s", tc.opt, err, tc.field)
		}
	}
}

func TestInsightsAccess(t *testing.T) {
	e := newEnv(t)
	seedHistory(t, e)
	_, err := e.app.Insights(context.Background(), e.person.ID, app.InsightsOptions{})
	wantCode(t, err, legwork.EUNAUTHORIZED)
	_, err = e.app.Insights(e.as(e.admin), e.person.ID, app.InsightsOptions{})
	wantCode(t, err, legwork.ENOTFOUND)
	// The system may read any person, but a clinician's id is no person.
	_, err = e.app.Insights(app.SystemContext(context.Background()), e.clinician.ID, app.InsightsOptions{})
	wantCode(t, err, legwork.ENOTFOUND)
	if err := e.app.RevokeGrant(e.as(e.person), e.person.ID, e.clinician.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.app.Insights(e.as(e.clinician), e.person.ID, app.InsightsOptions{})
	wantCode(t, err, legwork.EFORBIDDEN)
	// A person without data gets an empty report, not an error.
	rep, err := e.app.Insights(e.as(e.admin), e.admin.ID, app.InsightsOptions{})
	if err != nil || len(rep.Series) != 0 || len(rep.Notes) == 0 {
		t.Fatalf("empty report: %v, %+v", err, rep)
	}
}
