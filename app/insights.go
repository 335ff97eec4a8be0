package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"legwork"
	"legwork/insights"
)

// InsightsOptions tune Insights. The zero value gives the documented
// defaults of package insights (UTC days, a 4-week baseline from the first
// test, 6-week windows before and after an intervention).
type InsightsOptions struct {
	// Location is the person's time zone: it decides calendar days,
	// months and which tests were taken at night. When nil, the zone
	// stored with the person's account (legwork.User.TimeZone), and UTC
	// when they have none.
	Location *time.Location
	// EffectWeeks is the length of the windows before and after the start
	// of an intervention that are compared (1–52; 0 = 6).
	EffectWeeks int
	// BaselineWeeks is the length of the default baseline period from a
	// series' first test (1–52; 0 = 4).
	BaselineWeeks int
	// BaselineFrom and BaselineTo, both set, give the baseline period
	// explicitly as dates: from the first day to the day before
	// BaselineTo (a stable period chosen with the clinician). Only the
	// calendar date of each is used, read in Location.
	BaselineFrom, BaselineTo time.Time
	// AsOf, when set, ignores everything later (a report as it would have
	// been on that day).
	AsOf time.Time
	// AsOfEndOfDay makes AsOf a calendar date (the date it holds, as for
	// BaselineFrom): everything up to the end of that day in Location.
	AsOfEndOfDay bool
}

// Option bounds.
const (
	maxEffectWeeks   = 52
	maxBaselineWeeks = 52
)

func (o InsightsOptions) check() error {
	if o.EffectWeeks < 0 || o.EffectWeeks > maxEffectWeeks {
		return legwork.FieldErrorf("effect_weeks", "must be from 1 to %d weeks", maxEffectWeeks)
	}
	if o.BaselineWeeks < 0 || o.BaselineWeeks > maxBaselineWeeks {
		return legwork.FieldErrorf("baseline_weeks", "must be from 1 to %d weeks", maxBaselineWeeks)
	}
	if o.BaselineFrom.IsZero() != o.BaselineTo.IsZero() {
		if o.BaselineFrom.IsZero() {
			return legwork.FieldErrorf("baseline_from", "is needed with baseline_to")
		}
		return legwork.FieldErrorf("baseline_to", "is needed with baseline_from")
	}
	if !o.BaselineFrom.IsZero() {
		if !dateOf(o.BaselineTo).After(dateOf(o.BaselineFrom)) {
			return legwork.FieldErrorf("baseline_to", "must be after baseline_from")
		}
		if o.BaselineFrom.Year() < 2000 {
			return legwork.FieldErrorf("baseline_from", "is before the year 2000")
		}
	}
	if !o.AsOf.IsZero() && o.AsOf.Year() < 2000 {
		return legwork.FieldErrorf("as_of", "is before the year 2000")
	}
	return nil
}

// location returns o.Location, UTC when nil.
func (o InsightsOptions) location() *time.Location {
	if o.Location == nil {
		return time.UTC
	}
	return o.Location
}

// resolve fills in what depends on the person: the time zone (their
// stored one when o.Location is nil, then UTC) and an AsOf given as a
// date.
func (o *InsightsOptions) resolve(zone *time.Location) {
	if o.Location == nil {
		o.Location = zone
	}
	o.Location = o.location()
	if o.AsOfEndOfDay && !o.AsOf.IsZero() {
		y, m, d := o.AsOf.Date()
		o.AsOf = time.Date(y, m, d+1, 0, 0, 0, 0, o.Location).Add(-time.Microsecond)
	}
	o.AsOfEndOfDay = false
}

// options returns the insights options for o.
func (o InsightsOptions) options() insights.Options {
	loc := o.location()
	opt := insights.Options{Location: loc}
	if o.EffectWeeks > 0 {
		opt.Effect.WindowDays = 7 * o.EffectWeeks
	}
	if o.BaselineWeeks > 0 {
		opt.Baseline.Weeks = o.BaselineWeeks
	}
	if !o.BaselineFrom.IsZero() {
		from, to := localDate(o.BaselineFrom, loc), localDate(o.BaselineTo, loc)
		opt.Baseline.From, opt.Baseline.To = &from, &to
	}
	return opt
}

// localDate returns local midnight in loc of t's calendar date (read in
// t's own location: dates travel as UTC midnights).
func localDate(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// Insights computes what the person's data says: for every metric, test
// type and walking aid, the baseline, the person's own measurement noise,
// the latest change, confirmed worsening alerts, the effect of each
// intervention and of each diary trigger; and falls. It reads every test
// result, diary entry and intervention of the person and records one
// audit event ("read", "insights") before returning. Days are those of
// opt.Location, or of the person's stored time zone, or UTC.
func (a *App) Insights(ctx context.Context, personID int64, opt InsightsOptions) (*insights.Report, error) {
	act, err := a.authorize(ctx, personID, readAccess, "insights")
	if err != nil {
		return nil, err
	}
	if err := opt.check(); err != nil {
		return nil, err
	}
	person, err := a.personOf(ctx, personID)
	if err != nil {
		return nil, err
	}
	opt.resolve(a.zoneOf(person))
	pd, err := a.gather(ctx, personID, opt)
	if err != nil {
		return nil, err
	}
	if err := a.auditRead(ctx, act, personID, "insights", insightsDetail(opt)); err != nil {
		return nil, err
	}
	rep := insights.Compute(pd.input)
	return &rep, nil
}

// insightsDetail describes the options in the audit log.
func insightsDetail(o InsightsOptions) string {
	var parts []string
	if o.Location != nil && o.Location != time.UTC {
		parts = append(parts, "tz="+o.Location.String())
	}
	if o.EffectWeeks > 0 {
		parts = append(parts, fmt.Sprintf("effect_weeks=%d", o.EffectWeeks))
	}
	if o.BaselineWeeks > 0 {
		parts = append(parts, fmt.Sprintf("baseline_weeks=%d", o.BaselineWeeks))
	}
	if !o.BaselineFrom.IsZero() {
		parts = append(parts, "baseline="+o.BaselineFrom.Format(time.DateOnly)+".."+o.BaselineTo.Format(time.DateOnly))
	}
	if !o.AsOf.IsZero() {
		parts = append(parts, "as_of="+o.AsOf.UTC().Format(time.RFC3339))
	}
	return strings.Join(parts, " ")
}

// personOf returns the person's account, ENOTFOUND when the id is not a
// person's (the system may name any id).
func (a *App) personOf(ctx context.Context, personID int64) (*legwork.User, error) {
	u, err := a.store.User(ctx, personID)
	if err != nil {
		return nil, err
	}
	if u.Role != legwork.RolePerson {
		return nil, legwork.Errorf(legwork.ENOTFOUND, "no such person")
	}
	return u, nil
}

// personData is everything the insights and the clinician report are
// made of.
type personData struct {
	input         insights.Input
	diary         []*legwork.DiaryEntry // oldest first
	interventions []*legwork.Intervention
}

// gather reads the person's metric series, diary and interventions from
// the store (the caller has authorised and audits) and assembles the
// insights input.
func (a *App) gather(ctx context.Context, personID int64, opt InsightsOptions) (*personData, error) {
	loc := opt.location()
	var to time.Time
	if !opt.AsOf.IsZero() {
		to = opt.AsOf.Add(time.Microsecond) // inclusive
	}
	names, err := a.store.MetricNames(ctx, personID)
	if err != nil {
		return nil, err
	}
	in := insights.Input{Metrics: make(map[string][]insights.Observation, len(names)), AsOf: opt.AsOf, Options: opt.options()}
	if opt.AsOf.IsZero() {
		// Read today: an intervention that ended after the latest test
		// has ended, not "is due to end".
		in.Options.Effect.AsOf = a.now()
	}
	for _, name := range names {
		pts, err := a.store.MetricSeries(ctx, legwork.MetricFilter{PersonID: personID, Metric: name, To: to})
		if err != nil {
			return nil, err
		}
		if len(pts) == 0 {
			continue
		}
		obs := make([]insights.Observation, len(pts))
		for i, p := range pts {
			obs[i] = insights.Observation{At: p.At, Value: p.Value, TestType: string(p.TestType), Device: string(p.Device), ID: p.AssessmentID}
		}
		in.Metrics[name] = obs
	}
	diary, err := a.allDiary(ctx, legwork.DiaryFilter{PersonID: personID, To: to})
	if err != nil {
		return nil, err
	}
	for _, e := range diary {
		if dc, ok := dayContext(e); ok {
			in.Days = append(in.Days, dc)
		}
		if e.Fall != nil {
			in.Falls = append(in.Falls, insights.Fall{At: e.At, Kind: e.Fall.Kind, Injured: e.Fall.Injured})
		}
	}
	ivs, err := a.store.ListInterventions(ctx, personID)
	if err != nil {
		return nil, err
	}
	for _, iv := range ivs {
		p := insights.Period{ID: iv.ID, Kind: string(iv.Kind), Name: iv.Name, Start: localDate(iv.StartDate, loc)}
		if iv.EndDate != nil {
			end := localDate(*iv.EndDate, loc)
			p.End = &end
		}
		in.Interventions = append(in.Interventions, p)
	}
	return &personData{input: in, diary: diary, interventions: ivs}, nil
}

// allDiary reads every diary entry the filter selects, oldest first.
func (a *App) allDiary(ctx context.Context, f legwork.DiaryFilter) ([]*legwork.DiaryEntry, error) {
	var out []*legwork.DiaryEntry
	f.Page = legwork.Page{Limit: MaxPageLimit}
	for {
		list, err := a.store.ListDiaryEntries(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, list...)
		if len(list) < f.Page.Limit {
			break
		}
		f.Page.Before = list[len(list)-1].ID
	}
	slices.SortStableFunc(out, func(x, y *legwork.DiaryEntry) int { return x.At.Compare(y.At) })
	return out, nil
}

// dayContext returns the diary flags of an entry; ok is false when it
// names no trigger. The "night" trigger says the symptoms (or a test) were
// at night; night-time tests are also found from their recording time by
// insights itself.
func dayContext(e *legwork.DiaryEntry) (insights.DayContext, bool) {
	dc := insights.DayContext{Date: e.At}
	for _, t := range e.Triggers {
		switch t {
		case legwork.TriggerHeat:
			dc.Heat = true
		case legwork.TriggerCold:
			dc.Cold = true
		case legwork.TriggerNight:
			dc.Night = true
		case legwork.TriggerStress:
			dc.Stress = true
		case legwork.TriggerPoorSleep:
			dc.PoorSleep = true
		case legwork.TriggerInfection:
			dc.Infection = true
		case legwork.TriggerOverexertion:
			dc.Overexertion = true
		}
	}
	return dc, dc != (insights.DayContext{Date: e.At})
}
