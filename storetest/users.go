package storetest

import (
	"fmt"
	"testing"
	"time"

	"legwork"
)

func testUsers(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	created := time.Date(2023, 11, 2, 10, 20, 30, 123456789, time.FixedZone("CET", 3600))
	u := &legwork.User{
		Email:         "Anna.Example@Example.org",
		Name:          "Anna Example",
		Role:          legwork.RolePerson,
		Admin:         true,
		CreatedAt:     created,
		HeightM:       1.68,
		SensorHeightM: 0.97,
		TimeZone:      "Europe/Berlin",
		WeeklyPlan:    map[legwork.TestType]int{legwork.TestT25FW: 3, legwork.TestBalance: 0},
		// By nobody known (there is no other account yet to have set it).
		WeeklyPlanChangedAt: ptr(created.Add(time.Hour)),
		PasswordHash:        "$argon2id$v=19$m=65536,t=3,p=4$c2FsdDEyMzQ$aGFzaGhhc2g",
	}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if u.ID == 0 {
		t.Fatal("CreateUser did not set ID")
	}
	if !u.CreatedAt.Equal(created) {
		t.Errorf("CreateUser changed a given CreatedAt to %v", u.CreatedAt)
	}
	got, err := s.User(ctx, u.ID)
	if err != nil {
		t.Fatalf("User: %v", err)
	}
	mustEqual(t, "User", got, u)

	got, err = s.UserByEmail(ctx, "anna.example@EXAMPLE.ORG")
	if err != nil {
		t.Fatalf("UserByEmail with other case: %v", err)
	}
	mustEqual(t, "UserByEmail", got, u)

	// CreatedAt is set when zero.
	before := time.Now().Truncate(TimePrecision)
	c := &legwork.User{Email: "dr.b@example.org", Name: "Dr B", Role: legwork.RoleClinician}
	if err := s.CreateUser(ctx, c); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if c.CreatedAt.Before(before) || c.CreatedAt.After(time.Now()) {
		t.Errorf("CreateUser set CreatedAt %v, want about now", c.CreatedAt)
	}
	if c.ID <= u.ID {
		t.Errorf("second user has id %d, not above %d", c.ID, u.ID)
	}
	got, err = s.User(ctx, c.ID)
	if err != nil {
		t.Fatalf("User: %v", err)
	}
	mustEqual(t, "User with defaults", got, c)

	// UpdateUser saves the profile, not the email nor the weekly plan (nor
	// who changed it when).
	upd := *u
	upd.Email = "changed@example.org"
	upd.Name = "Anna B. Example"
	upd.Role = legwork.RoleClinician
	upd.Admin = false
	upd.HeightM = 1.7
	upd.SensorHeightM = 1.01
	upd.TimeZone = "America/New_York"
	upd.WeeklyPlan = map[legwork.TestType]int{legwork.TestSTS5: 7}
	upd.WeeklyPlanChangedAt, upd.WeeklyPlanChangedByID = ptr(day(9)), ptr(u.ID)
	upd.PasswordHash = "$argon2id$v=19$m=65536,t=3,p=4$bmV3$bmV3aGFzaA"
	if err := s.UpdateUser(ctx, &upd); err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	want := upd
	want.Email = u.Email
	want.WeeklyPlan, want.WeeklyPlanChangedAt, want.WeeklyPlanChangedByID = u.WeeklyPlan, u.WeeklyPlanChangedAt, nil
	got, err = s.User(ctx, u.ID)
	if err != nil {
		t.Fatalf("User after update: %v", err)
	}
	mustEqual(t, "updated user", got, &want)
	if _, err := s.UserByEmail(ctx, "changed@example.org"); err == nil {
		t.Error("UpdateUser changed the email")
	}

	list, err := s.ListUsers(ctx)
	if err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	mustEqual(t, "ListUsers", list, []*legwork.User{&want, c})
}

func testUserEmailCase(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	first := &legwork.User{Email: "Maria@Example.org", Name: "Maria", Role: legwork.RolePerson}
	if err := s.CreateUser(ctx, first); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	for _, email := range []string{"Maria@Example.org", "maria@example.org", "MARIA@EXAMPLE.ORG"} {
		err := s.CreateUser(ctx, &legwork.User{Email: email, Name: "Other", Role: legwork.RoleClinician})
		wantCode(t, err, legwork.ECONFLICT, "CreateUser with duplicate email "+email)
	}

	// Case-insensitive beyond ASCII, the same in every store.
	e := &legwork.User{Email: "ÉLODIE.ÇA@exemple.fr", Name: "Élodie", Role: legwork.RolePerson}
	if err := s.CreateUser(ctx, e); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	err := s.CreateUser(ctx, &legwork.User{Email: "élodie.ça@exemple.fr", Role: legwork.RolePerson})
	wantCode(t, err, legwork.ECONFLICT, "CreateUser with duplicate non-ASCII email")
	got, err := s.UserByEmail(ctx, "élodie.ça@EXEMPLE.FR")
	if err != nil {
		t.Fatalf("UserByEmail: %v", err)
	}
	mustEqual(t, "UserByEmail non-ASCII", got, e)

	list, err := s.ListUsers(ctx)
	if err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	if len(list) != 2 {
		t.Errorf("ListUsers returned %d users after conflicts, want 2", len(list))
	}
}

func testUserNotFound(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	list, err := s.ListUsers(ctx)
	if err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	mustEqual(t, "ListUsers of an empty store", list, []*legwork.User{})

	_, err = s.User(ctx, 12345)
	wantCode(t, err, legwork.ENOTFOUND, "User(missing)")
	_, err = s.UserByEmail(ctx, "nobody@example.org")
	wantCode(t, err, legwork.ENOTFOUND, "UserByEmail(missing)")
	err = s.UpdateUser(ctx, &legwork.User{ID: 12345, Name: "x", Role: legwork.RolePerson})
	wantCode(t, err, legwork.ENOTFOUND, "UpdateUser(missing)")
	err = s.SetWeeklyPlan(ctx, 12345, map[legwork.TestType]int{legwork.TestT25FW: 1}, nil, day(1))
	wantCode(t, err, legwork.ENOTFOUND, "SetWeeklyPlan(missing)")
	err = s.SetWeeklyPlan(ctx, 12345, nil, nil, day(1))
	wantCode(t, err, legwork.ENOTFOUND, "SetWeeklyPlan(missing, nil)")
}

// testUserSettings checks the time zone and the weekly plan: absent on a
// new account, a plan replaced whole by SetWeeklyPlan (nil clears it, an
// empty plan stays empty, not nil) with who changed it when, and
// UpdateUser of an account read before the plan changed leaving the new
// plan, and who changed it when, in place.
func testUserSettings(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	u := newUser(t, s, legwork.RolePerson, "Pat")
	other := newUser(t, s, legwork.RolePerson, "Sam")
	got, err := s.User(ctx, u.ID)
	if err != nil {
		t.Fatalf("User: %v", err)
	}
	if got.TimeZone != "" || got.WeeklyPlan != nil || got.WeeklyPlanChangedAt != nil || got.WeeklyPlanChangedByID != nil {
		t.Errorf("new account: time zone %q, plan %v changed at %v by %v; want none", got.TimeZone, got.WeeklyPlan, got.WeeklyPlanChangedAt, got.WeeklyPlanChangedByID)
	}
	stale := *got

	plan := map[legwork.TestType]int{legwork.TestT25FW: 2, legwork.TestWalk2Min: 1, legwork.TestBalance: 0, legwork.TestSTS5: 14}
	if err := s.SetWeeklyPlan(ctx, u.ID, plan, &u.ID, day(1)); err != nil {
		t.Fatalf("SetWeeklyPlan: %v", err)
	}
	want := *u
	want.WeeklyPlan = map[legwork.TestType]int{legwork.TestT25FW: 2, legwork.TestWalk2Min: 1, legwork.TestBalance: 0, legwork.TestSTS5: 14}
	want.WeeklyPlanChangedByID, want.WeeklyPlanChangedAt = ptr(u.ID), ptr(day(1))
	got, err = s.User(ctx, u.ID)
	if err != nil {
		t.Fatalf("User: %v", err)
	}
	mustEqual(t, "User with a plan", got, &want)
	got, err = s.UserByEmail(ctx, u.Email)
	if err != nil {
		t.Fatalf("UserByEmail: %v", err)
	}
	mustEqual(t, "UserByEmail with a plan", got, &want)

	// A change of the account read before the plan was set keeps the plan.
	stale.Name = "Pat Example"
	stale.TimeZone = "Australia/Adelaide"
	if err := s.UpdateUser(ctx, &stale); err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	want.Name, want.TimeZone = stale.Name, stale.TimeZone
	got, err = s.User(ctx, u.ID)
	if err != nil {
		t.Fatalf("User: %v", err)
	}
	mustEqual(t, "User after UpdateUser of a stale copy", got, &want)

	// A plan is replaced whole: test types left out are gone.
	// The system changes it: no changer.
	if err := s.SetWeeklyPlan(ctx, u.ID, map[legwork.TestType]int{legwork.TestUTurn: 3}, nil, day(2)); err != nil {
		t.Fatalf("SetWeeklyPlan: %v", err)
	}
	want.WeeklyPlan = map[legwork.TestType]int{legwork.TestUTurn: 3}
	want.WeeklyPlanChangedByID, want.WeeklyPlanChangedAt = nil, ptr(day(2))
	list, err := s.ListUsers(ctx)
	if err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	mustEqual(t, "ListUsers", list, []*legwork.User{&want, other})

	// An empty plan is a plan with no tests, not the absence of one.
	if err := s.SetWeeklyPlan(ctx, u.ID, map[legwork.TestType]int{}, &other.ID, day(3)); err != nil {
		t.Fatalf("SetWeeklyPlan(empty): %v", err)
	}
	want.WeeklyPlan = map[legwork.TestType]int{}
	want.WeeklyPlanChangedByID, want.WeeklyPlanChangedAt = ptr(other.ID), ptr(day(3))
	got, err = s.User(ctx, u.ID)
	if err != nil {
		t.Fatalf("User: %v", err)
	}
	mustEqual(t, "User with an empty plan", got, &want)

	// Clearing the plan is a change too.
	if err := s.SetWeeklyPlan(ctx, u.ID, nil, &u.ID, day(4)); err != nil {
		t.Fatalf("SetWeeklyPlan(nil): %v", err)
	}
	want.WeeklyPlan = nil
	want.WeeklyPlanChangedByID, want.WeeklyPlanChangedAt = ptr(u.ID), ptr(day(4))
	got, err = s.User(ctx, u.ID)
	if err != nil {
		t.Fatalf("User: %v", err)
	}
	mustEqual(t, "User with the plan cleared", got, &want)

	// The time zone is cleared with "".
	want.TimeZone = ""
	if err := s.UpdateUser(ctx, &want); err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	got, err = s.User(ctx, u.ID)
	if err != nil {
		t.Fatalf("User: %v", err)
	}
	mustEqual(t, "User with the time zone cleared", got, &want)

	// Nothing of this touched the other account.
	got, err = s.User(ctx, other.ID)
	if err != nil {
		t.Fatalf("User: %v", err)
	}
	mustEqual(t, "other user", got, other)
}

// testWeeklyPlanChanger checks who changed a weekly plan, and when: kept
// with the plan and read back by every getter, the store's clock when
// the time is zero, an unknown changer ENOTFOUND with nothing changed;
// deleting the changer's account keeps the plan and the time of the
// change and forgets the changer (ON DELETE SET NULL), and deleting a
// person who changed their own plan works.
func testWeeklyPlanChanger(t *testing.T, s Store) {
	ctx := t.Context()
	p := newUser(t, s, legwork.RolePerson, "Pat")
	q := newUser(t, s, legwork.RolePerson, "Quinn")
	c := newUser(t, s, legwork.RoleClinician, "Dr Kim Lee")
	plan := map[legwork.TestType]int{legwork.TestT25FW: 3}
	at := day(3).Add(1500*time.Millisecond + 999*time.Nanosecond)
	if err := s.SetWeeklyPlan(ctx, p.ID, plan, &c.ID, at); err != nil {
		t.Fatalf("SetWeeklyPlan by the clinician: %v", err)
	}
	wantP := *p
	wantP.WeeklyPlan = map[legwork.TestType]int{legwork.TestT25FW: 3}
	wantP.WeeklyPlanChangedByID, wantP.WeeklyPlanChangedAt = ptr(c.ID), ptr(at)
	if err := s.SetWeeklyPlan(ctx, q.ID, map[legwork.TestType]int{legwork.TestBalance: 1}, &q.ID, day(4)); err != nil {
		t.Fatalf("SetWeeklyPlan by the person: %v", err)
	}
	wantQ := *q
	wantQ.WeeklyPlan = map[legwork.TestType]int{legwork.TestBalance: 1}
	wantQ.WeeklyPlanChangedByID, wantQ.WeeklyPlanChangedAt = ptr(q.ID), ptr(day(4))
	check := func(what string) {
		t.Helper()
		got, err := s.User(ctx, p.ID)
		if err != nil {
			t.Fatalf("User: %v", err)
		}
		mustEqual(t, what+": User", got, &wantP)
		got, err = s.UserByEmail(ctx, p.Email)
		if err != nil {
			t.Fatalf("UserByEmail: %v", err)
		}
		mustEqual(t, what+": UserByEmail", got, &wantP)
	}
	check("changed by the clinician")
	list, err := s.ListUsers(ctx)
	if err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	mustEqual(t, "ListUsers", list, []*legwork.User{&wantP, &wantQ, c})

	// A changer who does not exist: nothing changes.
	err = s.SetWeeklyPlan(ctx, p.ID, map[legwork.TestType]int{legwork.TestSTS5: 1}, ptr(int64(98765)), day(5))
	wantCode(t, err, legwork.ENOTFOUND, "SetWeeklyPlan by a missing account")
	check("after a change by a missing account")

	// No time: the store's clock.
	before := time.Now().Truncate(TimePrecision)
	if err := s.SetWeeklyPlan(ctx, c.ID, map[legwork.TestType]int{}, nil, time.Time{}); err != nil {
		t.Fatalf("SetWeeklyPlan without a time: %v", err)
	}
	got, err := s.User(ctx, c.ID)
	if err != nil {
		t.Fatalf("User: %v", err)
	}
	if at := got.WeeklyPlanChangedAt; at == nil || at.Before(before) || at.After(time.Now()) || at.Location() != time.UTC || got.WeeklyPlanChangedByID != nil {
		t.Errorf("SetWeeklyPlan without a time: changed at %v by %v, want about now (UTC) by nobody", at, got.WeeklyPlanChangedByID)
	}

	// The clinician's account is deleted: the plan stays, and when it
	// was changed; who changed it is no longer known.
	if err := s.DeleteUser(ctx, c.ID); err != nil {
		t.Fatalf("DeleteUser(clinician): %v", err)
	}
	wantP.WeeklyPlanChangedByID = nil
	check("after the clinician's account was deleted")
	got, err = s.User(ctx, q.ID)
	if err != nil {
		t.Fatalf("User: %v", err)
	}
	mustEqual(t, "another person's plan after the clinician's account was deleted", got, &wantQ)

	// A person who changed their own plan can be deleted.
	if err := s.DeleteUser(ctx, q.ID); err != nil {
		t.Fatalf("DeleteUser(person who set their plan): %v", err)
	}
	_, err = s.User(ctx, q.ID)
	wantCode(t, err, legwork.ENOTFOUND, "User(deleted)")
	check("after another person was deleted")
}

func testSessions(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	u := newUser(t, s, legwork.RolePerson, "Pat")
	other := newUser(t, s, legwork.RolePerson, "Sam")
	sess := &legwork.Session{
		TokenHash: []byte{0x00, 0x01, 0xfe, 0xff, 'a', 'b'},
		UserID:    u.ID,
		CreatedAt: day(0).Add(123456789 * time.Nanosecond),
		ExpiresAt: day(14),
	}
	if err := s.CreateSession(ctx, sess); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	got, err := s.Session(ctx, sess.TokenHash, day(1))
	if err != nil {
		t.Fatalf("Session: %v", err)
	}
	mustEqual(t, "Session", got, sess)

	// Expiry: valid up to, not at, ExpiresAt.
	if _, err := s.Session(ctx, sess.TokenHash, day(14).Add(-time.Microsecond)); err != nil {
		t.Errorf("Session just before expiry: %v", err)
	}
	_, err = s.Session(ctx, sess.TokenHash, day(14))
	wantCode(t, err, legwork.ENOTFOUND, "Session at ExpiresAt")
	_, err = s.Session(ctx, sess.TokenHash, day(30))
	wantCode(t, err, legwork.ENOTFOUND, "Session after ExpiresAt")
	_, err = s.Session(ctx, []byte("unknown"), day(1))
	wantCode(t, err, legwork.ENOTFOUND, "Session(unknown hash)")

	// CreatedAt is set when zero.
	s2 := &legwork.Session{TokenHash: []byte("second"), UserID: u.ID, ExpiresAt: time.Now().Add(time.Hour)}
	if err := s.CreateSession(ctx, s2); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	if s2.CreatedAt.IsZero() {
		t.Error("CreateSession did not set CreatedAt")
	}
	got, err = s.Session(ctx, s2.TokenHash, time.Now())
	if err != nil {
		t.Fatalf("Session: %v", err)
	}
	mustEqual(t, "Session with default CreatedAt", got, s2)

	err = s.CreateSession(ctx, &legwork.Session{TokenHash: sess.TokenHash, UserID: other.ID, ExpiresAt: day(20)})
	wantCode(t, err, legwork.ECONFLICT, "CreateSession with duplicate hash")
	err = s.CreateSession(ctx, &legwork.Session{TokenHash: []byte("orphan"), UserID: 98765, ExpiresAt: day(20)})
	wantCode(t, err, legwork.ENOTFOUND, "CreateSession for a missing user")

	if err := s.DeleteSession(ctx, sess.TokenHash); err != nil {
		t.Fatalf("DeleteSession: %v", err)
	}
	_, err = s.Session(ctx, sess.TokenHash, day(1))
	wantCode(t, err, legwork.ENOTFOUND, "Session after DeleteSession")
	wantCode(t, s.DeleteSession(ctx, sess.TokenHash), legwork.ENOTFOUND, "DeleteSession(deleted)")

	// DeleteUserSessions deletes the user's sessions only.
	for i, uid := range []int64{u.ID, u.ID, other.ID} {
		err := s.CreateSession(ctx, &legwork.Session{TokenHash: []byte{byte(i), 'x'}, UserID: uid, ExpiresAt: day(20)})
		if err != nil {
			t.Fatalf("CreateSession: %v", err)
		}
	}
	if err := s.DeleteUserSessions(ctx, u.ID); err != nil {
		t.Fatalf("DeleteUserSessions: %v", err)
	}
	for i, h := range [][]byte{{0, 'x'}, {1, 'x'}, s2.TokenHash} {
		_, err := s.Session(ctx, h, day(1))
		wantCode(t, err, legwork.ENOTFOUND, fmt.Sprintf("Session %d after DeleteUserSessions", i))
	}
	if _, err := s.Session(ctx, []byte{2, 'x'}, day(1)); err != nil {
		t.Errorf("DeleteUserSessions deleted another user's session: %v", err)
	}
	if err := s.DeleteUserSessions(ctx, u.ID); err != nil {
		t.Errorf("DeleteUserSessions with no sessions: %v", err)
	}
}

func testAPITokens(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	u := newUser(t, s, legwork.RolePerson, "Pat")
	other := newUser(t, s, legwork.RolePerson, "Sam")
	tok := &legwork.APIToken{
		UserID:    u.ID,
		Name:      "phone",
		TokenHash: []byte{0xde, 0xad, 0xbe, 0xef, 0},
		CreatedAt: day(0).Add(987654321 * time.Nanosecond),
	}
	if err := s.CreateAPIToken(ctx, tok); err != nil {
		t.Fatalf("CreateAPIToken: %v", err)
	}
	if tok.ID == 0 {
		t.Fatal("CreateAPIToken did not set ID")
	}
	got, err := s.APITokenByHash(ctx, tok.TokenHash)
	if err != nil {
		t.Fatalf("APITokenByHash: %v", err)
	}
	mustEqual(t, "APIToken", got, tok)

	tok2 := &legwork.APIToken{UserID: u.ID, Name: "cli", TokenHash: []byte("cli-token")}
	if err := s.CreateAPIToken(ctx, tok2); err != nil {
		t.Fatalf("CreateAPIToken: %v", err)
	}
	if tok2.CreatedAt.IsZero() {
		t.Error("CreateAPIToken did not set CreatedAt")
	}
	tok3 := &legwork.APIToken{UserID: other.ID, Name: "other", TokenHash: []byte("other-token")}
	if err := s.CreateAPIToken(ctx, tok3); err != nil {
		t.Fatalf("CreateAPIToken: %v", err)
	}
	err = s.CreateAPIToken(ctx, &legwork.APIToken{UserID: other.ID, Name: "dup", TokenHash: tok.TokenHash})
	wantCode(t, err, legwork.ECONFLICT, "CreateAPIToken with duplicate hash")
	err = s.CreateAPIToken(ctx, &legwork.APIToken{UserID: 98765, Name: "orphan", TokenHash: []byte("orphan")})
	wantCode(t, err, legwork.ENOTFOUND, "CreateAPIToken for a missing user")

	// Touch sets LastUsedAt, and only forward.
	used := day(3).Add(555 * time.Nanosecond)
	if err := s.TouchAPIToken(ctx, tok.ID, used); err != nil {
		t.Fatalf("TouchAPIToken: %v", err)
	}
	if err := s.TouchAPIToken(ctx, tok.ID, day(2)); err != nil {
		t.Fatalf("TouchAPIToken with an earlier time: %v", err)
	}
	tok.LastUsedAt = &used
	got, err = s.APITokenByHash(ctx, tok.TokenHash)
	if err != nil {
		t.Fatalf("APITokenByHash: %v", err)
	}
	mustEqual(t, "touched APIToken", got, tok)
	wantCode(t, s.TouchAPIToken(ctx, 98765, day(3)), legwork.ENOTFOUND, "TouchAPIToken(missing)")

	list, err := s.ListAPITokens(ctx, u.ID)
	if err != nil {
		t.Fatalf("ListAPITokens: %v", err)
	}
	mustEqual(t, "ListAPITokens", list, []*legwork.APIToken{tok, tok2})

	// Delete checks the owner.
	wantCode(t, s.DeleteAPIToken(ctx, other.ID, tok.ID), legwork.ENOTFOUND, "DeleteAPIToken of another user's token")
	if err := s.DeleteAPIToken(ctx, u.ID, tok.ID); err != nil {
		t.Fatalf("DeleteAPIToken: %v", err)
	}
	_, err = s.APITokenByHash(ctx, tok.TokenHash)
	wantCode(t, err, legwork.ENOTFOUND, "APITokenByHash after delete")
	wantCode(t, s.DeleteAPIToken(ctx, u.ID, tok.ID), legwork.ENOTFOUND, "DeleteAPIToken(deleted)")
	list, err = s.ListAPITokens(ctx, u.ID)
	if err != nil {
		t.Fatalf("ListAPITokens: %v", err)
	}
	mustEqual(t, "ListAPITokens after delete", list, []*legwork.APIToken{tok2})
	list, err = s.ListAPITokens(ctx, 98765)
	if err != nil {
		t.Fatalf("ListAPITokens: %v", err)
	}
	mustEqual(t, "ListAPITokens of a user without tokens", list, []*legwork.APIToken{})
}
