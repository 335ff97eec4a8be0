package app

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"legwork"
	"legwork/insights"
	"legwork/report"
)

// ReportOptions select a clinician report.
type ReportOptions struct {
	// Insights tune the statistics as for Insights; its AsOf is ignored
	// (the report is computed as of the end of To).
	Insights InsightsOptions
	// From and To are the first and the last day of the report
	// (inclusive); only their calendar dates are used, in the person's
	// time zone (Insights.Location, else the person's stored zone, else
	// UTC). A zero To is today in that zone; a zero From six months
	// before To (To − 6 months + 1 day).
	From, To time.Time
	// Plan is the number of tests of each type planned per week; nil
	// takes the person's stored weekly plan (its tests planned at least
	// once a week), and without one lets the report infer it (and say
	// so).
	Plan map[legwork.TestType]int
}

// Report bounds.
const maxReportDays = 366*10 + 3

func (o *ReportOptions) check() error {
	from, to := dateOf(o.From), dateOf(o.To)
	if from.Year() < 2000 {
		return legwork.FieldErrorf("from", "is before the year 2000")
	}
	if to.Before(from) {
		return legwork.FieldErrorf("to", "must be on or after from")
	}
	if to.Sub(from) > maxReportDays*24*time.Hour {
		return legwork.FieldErrorf("to", "a report covers at most ten years")
	}
	// 0 tests a week is "not planned", as in the stored weekly plan.
	if err := checkPlan("plan", o.Plan, 0); err != nil {
		return err
	}
	if o.Plan != nil {
		planned := maps.Clone(o.Plan) // the caller's map stays as it was
		maps.DeleteFunc(planned, func(_ legwork.TestType, n int) bool { return n == 0 })
		o.Plan = planned
	}
	o.Insights.AsOf = time.Time{}
	return o.Insights.check()
}

// Report gathers everything a clinician report of the person over a
// period is made of: the insights computed as of the end of the period
// (from the whole record before it), every observation, the diary, the
// interventions and the assessments of the period. It records one audit
// event ("read", "report") before returning; render the result with
// report.PDF or report.HTML.
func (a *App) Report(ctx context.Context, personID int64, opt ReportOptions) (*report.Data, error) {
	act, err := a.authorize(ctx, personID, readAccess, "report")
	if err != nil {
		return nil, err
	}
	person, err := a.personOf(ctx, personID)
	if err != nil {
		return nil, err
	}
	opt.Insights.AsOf, opt.Insights.AsOfEndOfDay = time.Time{}, false
	opt.Insights.resolve(a.zoneOf(person))
	loc := opt.Insights.location()
	// By default the last six months up to today, in the person's zone.
	if opt.To.IsZero() {
		y, m, d := a.now().In(loc).Date()
		opt.To = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	if opt.From.IsZero() {
		opt.From = opt.To.AddDate(0, -6, 1)
	}
	if err := opt.check(); err != nil {
		return nil, err
	}
	start := localDate(opt.From, loc)
	end := localDate(opt.To, loc).AddDate(0, 0, 1)
	io := opt.Insights
	io.AsOf = end.Add(-time.Microsecond)
	pd, err := a.gather(ctx, personID, io)
	if err != nil {
		return nil, err
	}
	assessments, err := a.allAssessments(ctx, legwork.AssessmentFilter{PersonID: personID, From: start, To: end})
	if err != nil {
		return nil, err
	}
	detail := fmt.Sprintf("%s..%s", dateOf(opt.From).Format(time.DateOnly), dateOf(opt.To).Format(time.DateOnly))
	if d := insightsDetail(opt.Insights); d != "" {
		detail += " " + d
	}
	if err := a.auditRead(ctx, act, personID, "report", detail); err != nil {
		return nil, err
	}
	planStored := false
	if opt.Plan == nil {
		opt.Plan = storedPlan(person)
		planStored = opt.Plan != nil
	}
	return &report.Data{
		Person: person, From: dateOf(opt.From), To: dateOf(opt.To), Location: loc, Generated: a.now(),
		Input: pd.input, Insights: insights.Compute(pd.input),
		Diary: pd.diary, Interventions: pd.interventions, Assessments: assessments,
		Plan: opt.Plan, PlanStored: planStored, Versions: []string{CurrentAlgorithmVersion()},
	}, nil
}

// allAssessments reads every assessment the filter selects (without
// results), oldest first.
func (a *App) allAssessments(ctx context.Context, f legwork.AssessmentFilter) ([]*legwork.Assessment, error) {
	var out []*legwork.Assessment
	f.Page = legwork.Page{Limit: MaxPageLimit}
	for {
		list, err := a.store.ListAssessments(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, list...)
		if len(list) < f.Page.Limit {
			break
		}
		f.Page.Before = list[len(list)-1].ID
	}
	for _, as := range out {
		as.Result = nil
	}
	slices.SortStableFunc(out, func(x, y *legwork.Assessment) int { return x.RecordedAt.Compare(y.RecordedAt) })
	return out, nil
}

// ParsePlan reads a test plan such as "t25fw=7,walk2min=7,balance=1"
// (tests per week).
func ParsePlan(s string) (map[legwork.TestType]int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	plan := map[legwork.TestType]int{}
	for _, part := range strings.Split(s, ",") {
		name, n, ok := strings.Cut(strings.TrimSpace(part), "=")
		count, err := strconv.Atoi(strings.TrimSpace(n))
		ok = ok && err == nil
		if !ok {
			return nil, legwork.FieldErrorf("plan", "must look like t25fw=7,walk2min=7 (tests per week)")
		}
		plan[legwork.TestType(strings.TrimSpace(name))] = count
	}
	if err := checkPlan("plan", plan, 0); err != nil {
		return nil, err
	}
	return plan, nil
}
