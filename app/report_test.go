package app_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"legwork"
	"legwork/app"
	"legwork/report"
)

func TestReport(t *testing.T) {
	e := newEnv(t)
	h := seedHistory(t, e)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	before := len(auditRows(t, e))
	from, to := h.start.AddDate(0, 0, 30), h.start.AddDate(0, 0, 89)
	d, err := e.app.Report(e.as(e.clinician), e.person.ID, app.ReportOptions{From: from, To: to, Insights: app.InsightsOptions{Location: berlin}})
	if err != nil {
		t.Fatal(err)
	}
	evs := auditRows(t, e)
	if len(evs) != before+1 || evs[0].Object != "report" || evs[0].Action != "read" || !strings.HasPrefix(evs[0].Detail, "2025-12-31..2026-02-28 tz=Europe/Berlin") {
		t.Fatalf("audit: %d rows before, %d after, last %+v", before, len(evs), evs[0])
	}
	if d.Person.ID != e.person.ID || d.Location != berlin || !d.From.Equal(time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("data %+v", d)
	}
	// The period's assessments (two a day, days 30–89), oldest first,
	// without results; the insights use the whole record up to the end.
	if len(d.Assessments) != 120 || d.Assessments[0].RecordedAt.After(d.Assessments[1].RecordedAt) || d.Assessments[0].Result != nil {
		t.Fatalf("%d assessments", len(d.Assessments))
	}
	if n := len(d.Input.Metrics["t25fw_time_s"]); n != 90 {
		t.Fatalf("%d T25FW observations, want 90 (the baseline lies before the period)", n)
	}
	if len(d.Insights.OngoingAlerts) == 0 || len(d.Interventions) != 1 {
		t.Fatalf("%d ongoing alerts, %d interventions", len(d.Insights.OngoingAlerts), len(d.Interventions))
	}
	var pdf, html bytes.Buffer
	if err := report.PDF(&pdf, d); err != nil || !bytes.HasPrefix(pdf.Bytes(), []byte("%PDF-")) {
		t.Fatalf("pdf: %v", err)
	}
	if err := report.HTML(&html, d); err != nil || !strings.Contains(html.String(), "contact your clinician") {
		t.Fatalf("html: %v", err)
	}
	// As of the end of the period: a later test is left out.
	d, err = e.app.Report(e.as(e.person), e.person.ID, app.ReportOptions{From: from, To: h.start.AddDate(0, 0, 59)})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Insights.OngoingAlerts) != 0 || len(d.Input.Metrics["t25fw_time_s"]) != 60 {
		t.Fatalf("as of day 59: %d alerts, %d observations", len(d.Insights.OngoingAlerts), len(d.Input.Metrics["t25fw_time_s"]))
	}
}

func TestReportOptionsAndAccess(t *testing.T) {
	e := newEnv(t)
	h := seedHistory(t, e)
	from, to := h.start, h.start.AddDate(0, 0, 89)
	for _, tc := range []struct {
		opt   app.ReportOptions
		field string
	}{
		{app.ReportOptions{From: to, To: from}, "to"},
		{app.ReportOptions{From: time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC), To: to}, "from"},
		{app.ReportOptions{From: e.clock.Now().AddDate(0, 0, 1)}, "to"}, // after today, the default To
		{app.ReportOptions{From: from.AddDate(-11, 0, 0), To: to}, "to"},
		{app.ReportOptions{From: from, To: to, Plan: map[legwork.TestType]int{"jog": 1}}, "plan"},
		{app.ReportOptions{From: from, To: to, Plan: map[legwork.TestType]int{legwork.TestT25FW: 15}}, "plan"},
		{app.ReportOptions{From: from, To: to, Insights: app.InsightsOptions{EffectWeeks: 99}}, "effect_weeks"},
	} {
		_, err := e.app.Report(e.as(e.person), e.person.ID, tc.opt)
		if legwork.ErrorCode(err) != legwork.EINVALID || legwork.ErrorField(err) != tc.field {
			t.Errorf("%+v: %v, want an error about %s", tc.opt, err, tc.field)
		}
	}
	opt := app.ReportOptions{From: from, To: to}
	_, err := e.app.Report(e.as(e.admin), e.person.ID, opt)
	wantCode(t, err, legwork.ENOTFOUND)
	_, err = e.app.Report(context.Background(), e.person.ID, opt)
	wantCode(t, err, legwork.EUNAUTHORIZED)
	if _, err := e.app.Report(app.SystemContext(context.Background()), e.person.ID, opt); err != nil {
		t.Fatalf("the system (command line): %v", err)
	}

	plan, err := app.ParsePlan("t25fw=7, walk2min=1")
	if err != nil || plan[legwork.TestT25FW] != 7 || plan[legwork.TestWalk2Min] != 1 || len(plan) != 2 {
		t.Fatalf("plan %v, %v", plan, err)
	}
	for _, bad := range []string{"t25fw", "t25fw=x", "jog=2", "t25fw=-1", "t25fw=15", "t25fw=7,"} {
		if _, err := app.ParsePlan(bad); legwork.ErrorField(err) != "plan" {
			t.Errorf("plan %q: %v", bad, err)
		}
	}
	// 0 a week is "not planned", as in the stored weekly plan: accepted,
	// and the report leaves that test out of its plan.
	plan, err = app.ParsePlan("t25fw=7,sts5=0")
	if err != nil || plan[legwork.TestSTS5] != 0 {
		t.Fatalf("plan with a 0: %v, %v", plan, err)
	}
	opt.Plan = plan
	rd, err := e.app.Report(app.SystemContext(context.Background()), e.person.ID, opt)
	if err != nil {
		t.Fatalf("report with a 0 in the plan: %v", err)
	}
	if _, ok := rd.Plan[legwork.TestSTS5]; ok || rd.Plan[legwork.TestT25FW] != 7 {
		t.Errorf("report plan %v: want t25fw 7 and no sts5", rd.Plan)
	}
}
