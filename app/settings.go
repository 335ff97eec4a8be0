package app

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"legwork"
)

// A person's settings that their clinicians see too: the time zone their
// data is read in, and their weekly plan of tests. The person changes both
// (here with UpdatePersonSettings, or with their own profile,
// UpdateProfile); an invited clinician may change the plan but not the
// time zone.

// SettingsUpdate changes a person's settings. A nil field is left as it
// is.
type SettingsUpdate struct {
	// TimeZone is an IANA name such as Europe/Berlin; "" clears it (the
	// person's data is then read in UTC unless a request names a zone).
	TimeZone *string
	// WeeklyPlan replaces the plan whole: tests per week (0 to
	// legwork.MaxPlannedPerWeek) by test type. An empty map is a plan
	// with no tests.
	WeeklyPlan map[legwork.TestType]int
}

// UpdatePersonSettings changes a person's time zone and weekly plan. The
// person may change both; a clinician with access may change the plan
// only (EFORBIDDEN for the time zone). A change of the plan is audited as
// an update of "plan", a change of the time zone as one of "profile".
// It returns the person's account as it is afterwards, with who last
// changed the plan (see planChanger).
func (a *App) UpdatePersonSettings(ctx context.Context, personID int64, up SettingsUpdate) (*legwork.User, error) {
	act, err := a.settingsActor(ctx, personID, up)
	if err != nil {
		return nil, err
	}
	if up.TimeZone == nil && up.WeeklyPlan == nil {
		return nil, legwork.Errorf(legwork.EINVALID, "nothing to change: send time_zone or weekly_plan")
	}
	if up.TimeZone != nil {
		if err := checkTimeZone("time_zone", *up.TimeZone); err != nil {
			return nil, err
		}
	}
	if err := checkWeeklyPlan(up.WeeklyPlan); err != nil {
		return nil, err
	}
	if _, err := a.personOf(ctx, personID); err != nil {
		return nil, err
	}
	var change func(*legwork.User)
	if up.TimeZone != nil {
		change = func(u *legwork.User) { u.TimeZone = *up.TimeZone }
	}
	u, err := a.saveAccount(ctx, act, personID, change, "profile", "time_zone="+deref(up.TimeZone), up.WeeklyPlan)
	if err != nil {
		return nil, err
	}
	a.planChanger(ctx, act, u)
	return u, nil
}

// RefusePersonSettings answers a request to change a person's settings
// whose body could not be read (reason, such as a weekly plan of 2.5 tests
// or a plan that is not an object): the caller is authorised first, as by
// UpdatePersonSettings with up, so that someone without access to the
// person gets the same "no such person" or "access withdrawn" whatever
// they sent; reason is returned to those who have access.
func (a *App) RefusePersonSettings(ctx context.Context, personID int64, up SettingsUpdate, reason error) error {
	if _, err := a.settingsActor(ctx, personID, up); err != nil {
		return err
	}
	return reason
}

// settingsActor authorises a change of the person's settings: the plan
// (audited as "plan") by the person or a clinician with access, the time
// zone (audited as "profile") by the person only.
func (a *App) settingsActor(ctx context.Context, personID int64, up SettingsUpdate) (*Actor, error) {
	object := "plan"
	if up.TimeZone != nil {
		object = "profile"
	}
	act, err := a.authorize(ctx, personID, planAccess, object)
	if err != nil {
		return nil, err
	}
	if up.TimeZone != nil && !act.System && act.User.ID != personID {
		a.deny(ctx, act, personID, "profile", "clinicians may not change the time zone")
		return nil, &legwork.Error{Code: legwork.EFORBIDDEN, Field: "time_zone",
			Message: "only the person can change their time zone; clinicians can change the weekly plan"}
	}
	return act, nil
}

// saveAccount stores, in one transaction, a change to the account id and
// its audit events. change (when not nil) is applied to the account as it
// is read inside the transaction, so that a change stored since the caller
// read it (a new password, say) is kept, and is audited as an update of
// object with detail; plan (when not nil) replaces the weekly plan, audited
// by setWeeklyPlan. It returns the account as stored.
func (a *App) saveAccount(ctx context.Context, act *Actor, id int64, change func(*legwork.User), object, detail string, plan map[legwork.TestType]int) (*legwork.User, error) {
	var out *legwork.User
	err := a.store.WithTx(ctx, func(tx legwork.Tx) error {
		u, err := tx.User(ctx, id)
		if err != nil {
			return err
		}
		if change != nil {
			change(u)
			if err := tx.UpdateUser(ctx, u); err != nil {
				return err
			}
			if err := a.auditChange(ctx, tx, auditEvent(act, personOf(u), "update", object, detail)); err != nil {
				return err
			}
		}
		if plan != nil {
			if err := a.setWeeklyPlan(ctx, tx, act, u, plan); err != nil {
				return err
			}
		}
		out = u
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// setWeeklyPlan stores a checked plan for the person u in tx, with who
// changed it (the signed-in actor; nobody for the system) and when, and
// its audit event.
func (a *App) setWeeklyPlan(ctx context.Context, tx legwork.Tx, act *Actor, u *legwork.User, plan map[legwork.TestType]int) error {
	plan = maps.Clone(plan)
	var by *int64
	if act != nil && act.User != nil && !act.System {
		id := act.User.ID
		by = &id
	}
	// At the stores' precision, so that the answer is what a read gives.
	at := a.now().UTC().Truncate(time.Microsecond)
	if err := tx.SetWeeklyPlan(ctx, u.ID, plan, by, at); err != nil {
		return err
	}
	u.WeeklyPlan, u.WeeklyPlanChangedByID, u.WeeklyPlanChangedAt = plan, by, &at
	return a.auditWrite(ctx, tx, act, u.ID, "update", "plan", planDetail(plan))
}

// Who changed a person's weekly plan. The person's record keeps the
// account that last changed it (WeeklyPlanChangedByID: the person or one
// of their clinicians, since nobody else may) and when. Whoever reads the
// record — the person, a clinician they invited — is told as much about
// the changer as they may know, in WeeklyPlanChangedBy:
//
//   - the person changed it: their id, name and role, to every reader
//     (the record is theirs);
//   - a clinician with access to the person now: their id, name and role
//     to the person (who invited them), to that clinician themself and to
//     the system (an operator's command); to any other reader (another
//     clinician of the person) the role only: nothing else in the access
//     model lets a clinician learn who else the person shares their data
//     with (the person's grants are theirs alone), and this does not
//     either;
//   - a clinician whose access was withdrawn, or any other account: the
//     role only, to every reader: they no longer take part in the
//     person's care;
//   - nobody known (the system changed it: an operator's command or
//     generated demo data, though neither sets a plan today; the
//     changer's account was deleted since; or the plan was last changed
//     before this was kept): nil, while WeeklyPlanChangedAt still says
//     when.
//
// The listing of accounts (ListUsers) names no changer.

// planChanger fills u.WeeklyPlanChangedBy, who last changed the weekly
// plan of the person u, as the reader (the actor of the request; the
// person themself for their sign-in) may be told it. The record's change
// stands whatever the answer: when the changer cannot be looked up (a
// store error), it logs the error and leaves WeeklyPlanChangedBy nil
// rather than failing a request whose change is already saved, or a
// read (GET /api/me, whose failure signs the web app out).
func (a *App) planChanger(ctx context.Context, reader *Actor, u *legwork.User) {
	u.WeeklyPlanChangedBy = nil
	if u.Role != legwork.RolePerson || u.WeeklyPlanChangedByID == nil {
		return
	}
	id := *u.WeeklyPlanChangedByID
	if id == u.ID {
		u.WeeklyPlanChangedBy = &legwork.UserRef{ID: u.ID, Name: u.Name, Role: u.Role}
		return
	}
	named := reader != nil && (reader.System || reader.User != nil && (reader.User.ID == u.ID || reader.User.ID == id))
	fail := func(err error) {
		a.log.Error("who changed the weekly plan", "person", u.ID, "err", err)
	}
	g, err := a.store.Grant(ctx, u.ID, id)
	switch {
	case err == nil && g.Active() && named:
		u.WeeklyPlanChangedBy = &legwork.UserRef{ID: id, Name: g.ClinicianName, Role: legwork.RoleClinician}
		return
	case err == nil:
		u.WeeklyPlanChangedBy = &legwork.UserRef{Role: legwork.RoleClinician}
		return
	case legwork.ErrorCode(err) != legwork.ENOTFOUND:
		fail(err)
		return
	}
	// No grant: the role alone, when the account still exists.
	c, err := a.store.User(ctx, id)
	switch {
	case err == nil:
		u.WeeklyPlanChangedBy = &legwork.UserRef{Role: c.Role}
	case legwork.ErrorCode(err) != legwork.ENOTFOUND:
		fail(err)
	}
}

// planDetail describes a plan in the audit log: "t25fw=3 balance=1", in
// the order of legwork.TestTypes, or "no tests".
func planDetail(plan map[legwork.TestType]int) string {
	var parts []string
	for _, tt := range legwork.TestTypes {
		if n, ok := plan[tt]; ok {
			parts = append(parts, fmt.Sprintf("%s=%d", tt, n))
		}
	}
	if len(parts) == 0 {
		return "no tests"
	}
	return strings.Join(parts, " ")
}

// ParseTimeZone reads an IANA time zone name given in field (a stored
// setting, a query parameter, a flag): nil for "" (not given), an invalid
// FieldError for anything that is not a zone name this server knows
// ("Local", the server's own zone, is not one).
func ParseTimeZone(field, name string) (*time.Location, error) {
	if name == "" {
		return nil, nil
	}
	if len(name) > 64 || name == "Local" {
		return nil, legwork.FieldErrorf(field, "must be a time zone name such as Europe/Berlin or America/New_York")
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, legwork.FieldErrorf(field, "%q is not a time zone this server knows: use a name such as Europe/Berlin or America/New_York", name)
	}
	return loc, nil
}

// checkTimeZone checks an IANA time zone name; "" (not set) is fine.
func checkTimeZone(field, name string) error {
	_, err := ParseTimeZone(field, name)
	return err
}

// checkWeeklyPlan checks the test types and counts of a weekly plan to
// store (nil is fine: no change).
func checkWeeklyPlan(plan map[legwork.TestType]int) error {
	return checkPlan("weekly_plan", plan, 0)
}

// checkPlan checks the test types of a plan given in field and that each
// count is from least to legwork.MaxPlannedPerWeek.
func checkPlan(field string, plan map[legwork.TestType]int, least int) error {
	for _, tt := range slices.Sorted(maps.Keys(plan)) {
		if !slices.Contains(legwork.TestTypes, tt) {
			return legwork.FieldErrorf(field, "%q is not a test type (%s)", tt, joinStrings(legwork.TestTypes))
		}
		if n := plan[tt]; n < least || n > legwork.MaxPlannedPerWeek {
			return legwork.FieldErrorf(field, "%s: %d tests a week; it must be from %d to %d", tt, n, least, legwork.MaxPlannedPerWeek)
		}
	}
	return nil
}

// WeeklyPlanOf reads a weekly plan as decoded from JSON (test type →
// number): every number must be a whole number. nil stays nil. The test
// types and the counts are checked where the plan is saved.
func WeeklyPlanOf(m map[string]float64) (map[legwork.TestType]int, error) {
	if m == nil {
		return nil, nil
	}
	plan := make(map[legwork.TestType]int, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v := m[k]
		if v != math.Trunc(v) {
			return nil, legwork.FieldErrorf("weekly_plan", "%s: %v is not a whole number of tests a week", k, v)
		}
		// Beyond any plan, and clamped so that the check names it.
		plan[legwork.TestType(k)] = int(max(-1e6, min(v, 1e6)))
	}
	return plan, nil
}

// zoneOf returns the location of the person's stored time zone, nil when
// they have none (or it no longer loads, which is logged).
func (a *App) zoneOf(u *legwork.User) *time.Location {
	if u == nil || u.TimeZone == "" {
		return nil
	}
	loc, err := ParseTimeZone("time_zone", u.TimeZone)
	if err != nil {
		a.log.Warn("stored time zone does not load; using UTC", "user", u.ID, "time_zone", u.TimeZone, "err", err)
		return nil
	}
	return loc
}

// storedPlan returns the tests of the person's weekly plan that are
// planned at least once a week, nil when there are none.
func storedPlan(u *legwork.User) map[legwork.TestType]int {
	var plan map[legwork.TestType]int
	for tt, n := range u.WeeklyPlan {
		if n > 0 && slices.Contains(legwork.TestTypes, tt) {
			if plan == nil {
				plan = map[legwork.TestType]int{}
			}
			plan[tt] = n
		}
	}
	return plan
}
