package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"legwork"
)

// newInvitation stores an invitation of the person, valid for a week from
// base.
func newInvitation(t *testing.T, s legwork.Store, personID int64, code string) *legwork.Invitation {
	t.Helper()
	inv := &legwork.Invitation{PersonID: personID, CodeHash: []byte(code), CreatedAt: day(0), ExpiresAt: day(7)}
	if err := s.CreateInvitation(t.Context(), inv); err != nil {
		t.Fatalf("CreateInvitation: %v", err)
	}
	return inv
}

func testInvitations(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	p := newUser(t, s, legwork.RolePerson, "Pat")
	other := newUser(t, s, legwork.RolePerson, "Sam")
	inv := &legwork.Invitation{
		PersonID:  p.ID,
		CodeHash:  []byte{1, 2, 3, 0, 255},
		Note:      "Dr Okafor, neurology — for the March review",
		CreatedAt: day(0).Add(42 * time.Nanosecond),
		ExpiresAt: day(7).Add(999 * time.Nanosecond),
	}
	if err := s.CreateInvitation(ctx, inv); err != nil {
		t.Fatalf("CreateInvitation: %v", err)
	}
	if inv.ID == 0 {
		t.Fatal("CreateInvitation did not set ID")
	}
	got, err := s.InvitationByCode(ctx, inv.CodeHash)
	if err != nil {
		t.Fatalf("InvitationByCode: %v", err)
	}
	mustEqual(t, "Invitation", got, inv)
	_, err = s.InvitationByCode(ctx, []byte("unknown"))
	wantCode(t, err, legwork.ENOTFOUND, "InvitationByCode(unknown)")

	inv2 := &legwork.Invitation{PersonID: p.ID, CodeHash: []byte("second"), ExpiresAt: day(7)}
	if err := s.CreateInvitation(ctx, inv2); err != nil {
		t.Fatalf("CreateInvitation: %v", err)
	}
	if inv2.CreatedAt.IsZero() {
		t.Error("CreateInvitation did not set CreatedAt")
	}
	newInvitation(t, s, other.ID, "other")
	err = s.CreateInvitation(ctx, &legwork.Invitation{PersonID: other.ID, CodeHash: inv.CodeHash, ExpiresAt: day(7)})
	wantCode(t, err, legwork.ECONFLICT, "CreateInvitation with duplicate code")
	err = s.CreateInvitation(ctx, &legwork.Invitation{PersonID: 98765, CodeHash: []byte("orphan"), ExpiresAt: day(7)})
	wantCode(t, err, legwork.ENOTFOUND, "CreateInvitation for a missing person")

	list, err := s.ListInvitations(ctx, p.ID)
	if err != nil {
		t.Fatalf("ListInvitations: %v", err)
	}
	mustEqual(t, "ListInvitations (newest first)", list, []*legwork.Invitation{inv2, inv})

	wantCode(t, s.DeleteInvitation(ctx, other.ID, inv.ID), legwork.ENOTFOUND, "DeleteInvitation of another person's invitation")
	if err := s.DeleteInvitation(ctx, p.ID, inv.ID); err != nil {
		t.Fatalf("DeleteInvitation: %v", err)
	}
	_, err = s.InvitationByCode(ctx, inv.CodeHash)
	wantCode(t, err, legwork.ENOTFOUND, "InvitationByCode after delete")
	wantCode(t, s.DeleteInvitation(ctx, p.ID, inv.ID), legwork.ENOTFOUND, "DeleteInvitation(deleted)")
	list, err = s.ListInvitations(ctx, p.ID)
	if err != nil {
		t.Fatalf("ListInvitations: %v", err)
	}
	mustEqual(t, "ListInvitations after delete", list, []*legwork.Invitation{inv2})
	list, err = s.ListInvitations(ctx, 98765)
	if err != nil {
		t.Fatalf("ListInvitations: %v", err)
	}
	mustEqual(t, "ListInvitations of nobody", list, []*legwork.Invitation{})
}

func testAcceptInvitation(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	p := newUser(t, s, legwork.RolePerson, "Pat Person")
	c := newUser(t, s, legwork.RoleClinician, "Dr Clinician")
	inv := newInvitation(t, s, p.ID, "code-1")

	at := day(2).Add(777 * time.Nanosecond)
	g, err := s.AcceptInvitation(ctx, inv.ID, c.ID, at)
	if err != nil {
		t.Fatalf("AcceptInvitation: %v", err)
	}
	want := &legwork.Grant{
		PersonID: p.ID, ClinicianID: c.ID, GrantedAt: at,
		PersonName: p.Name, ClinicianName: c.Name, ClinicianEmail: c.Email,
	}
	mustEqual(t, "AcceptInvitation grant", g, want)
	got, err := s.Grant(ctx, p.ID, c.ID)
	if err != nil {
		t.Fatalf("Grant: %v", err)
	}
	mustEqual(t, "Grant", got, want)
	gotInv, err := s.InvitationByCode(ctx, inv.CodeHash)
	if err != nil {
		t.Fatalf("InvitationByCode: %v", err)
	}
	inv.AcceptedBy, inv.AcceptedAt = &c.ID, &at
	mustEqual(t, "accepted invitation", gotInv, inv)

	// Accepting a second invitation while the grant is active keeps it as
	// it is.
	inv2 := newInvitation(t, s, p.ID, "code-2")
	g, err = s.AcceptInvitation(ctx, inv2.ID, c.ID, day(3))
	if err != nil {
		t.Fatalf("AcceptInvitation of a second invitation: %v", err)
	}
	mustEqual(t, "grant after a second invitation", g, want)

	// Revoke, then re-activate with a new invitation.
	revoked := day(4)
	if err := s.RevokeGrant(ctx, p.ID, c.ID, revoked); err != nil {
		t.Fatalf("RevokeGrant: %v", err)
	}
	inv3 := newInvitation(t, s, p.ID, "code-3")
	again := day(5).Add(3 * time.Microsecond)
	g, err = s.AcceptInvitation(ctx, inv3.ID, c.ID, again)
	if err != nil {
		t.Fatalf("AcceptInvitation after revocation: %v", err)
	}
	want.GrantedAt = again
	mustEqual(t, "re-activated grant", g, want)
	got, err = s.Grant(ctx, p.ID, c.ID)
	if err != nil {
		t.Fatalf("Grant: %v", err)
	}
	mustEqual(t, "re-activated Grant", got, want)
	if !got.Active() {
		t.Error("re-activated grant is not active")
	}
	grants, err := s.ListGrantsForPerson(ctx, p.ID)
	if err != nil {
		t.Fatalf("ListGrantsForPerson: %v", err)
	}
	if len(grants) != 1 {
		t.Errorf("ListGrantsForPerson: %d grants, want 1 (re-activation must not add one)", len(grants))
	}
}

func testAcceptInvitationConflicts(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	p := newUser(t, s, legwork.RolePerson, "Pat")
	c := newUser(t, s, legwork.RoleClinician, "Dr C")
	c2 := newUser(t, s, legwork.RoleClinician, "Dr D")

	inv := newInvitation(t, s, p.ID, "once")
	if _, err := s.AcceptInvitation(ctx, inv.ID, c.ID, day(1)); err != nil {
		t.Fatalf("AcceptInvitation: %v", err)
	}
	_, err := s.AcceptInvitation(ctx, inv.ID, c2.ID, day(2))
	wantCode(t, err, legwork.ECONFLICT, "AcceptInvitation of an accepted invitation")
	_, err = s.AcceptInvitation(ctx, inv.ID, c.ID, day(2))
	wantCode(t, err, legwork.ECONFLICT, "AcceptInvitation twice by the same clinician")
	_, err = s.Grant(ctx, p.ID, c2.ID)
	wantCode(t, err, legwork.ENOTFOUND, "Grant after a refused acceptance")
	got, err := s.InvitationByCode(ctx, inv.CodeHash)
	if err != nil {
		t.Fatalf("InvitationByCode: %v", err)
	}
	if got.AcceptedBy == nil || *got.AcceptedBy != c.ID {
		t.Errorf("invitation accepted by %v, want %d", got.AcceptedBy, c.ID)
	}

	// Expired: at ExpiresAt or later.
	expired := newInvitation(t, s, p.ID, "expired")
	_, err = s.AcceptInvitation(ctx, expired.ID, c2.ID, expired.ExpiresAt)
	wantCode(t, err, legwork.ECONFLICT, "AcceptInvitation at ExpiresAt")
	_, err = s.AcceptInvitation(ctx, expired.ID, c2.ID, expired.ExpiresAt.Add(time.Hour))
	wantCode(t, err, legwork.ECONFLICT, "AcceptInvitation after ExpiresAt")
	_, err = s.Grant(ctx, p.ID, c2.ID)
	wantCode(t, err, legwork.ENOTFOUND, "Grant after accepting an expired invitation")
	got, err = s.InvitationByCode(ctx, expired.CodeHash)
	if err != nil {
		t.Fatalf("InvitationByCode: %v", err)
	}
	mustEqual(t, "expired invitation", got, expired)

	_, err = s.AcceptInvitation(ctx, 98765, c2.ID, day(1))
	wantCode(t, err, legwork.ENOTFOUND, "AcceptInvitation(missing)")

	// A missing clinician: nothing changes (one transaction).
	inv2 := newInvitation(t, s, p.ID, "no clinician")
	_, err = s.AcceptInvitation(ctx, inv2.ID, 98765, day(1))
	wantCode(t, err, legwork.ENOTFOUND, "AcceptInvitation by a missing clinician")
	got, err = s.InvitationByCode(ctx, inv2.CodeHash)
	if err != nil {
		t.Fatalf("InvitationByCode: %v", err)
	}
	mustEqual(t, "invitation after a failed acceptance", got, inv2)
	if _, err := s.AcceptInvitation(ctx, inv2.ID, c2.ID, day(1)); err != nil {
		t.Errorf("AcceptInvitation after a failed acceptance: %v", err)
	}
}

// testAcceptInvitationRace accepts one invitation from several
// goroutines at once: exactly one acceptance wins, the others are
// ECONFLICT.
func testAcceptInvitationRace(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	p := newUser(t, s, legwork.RolePerson, "Pat")
	const n = 8
	clinicians := make([]*legwork.User, n)
	for i := range clinicians {
		clinicians[i] = newUser(t, s, legwork.RoleClinician, fmt.Sprintf("Dr %d", i))
	}
	inv := newInvitation(t, s, p.ID, "contested")
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, c := range clinicians {
		wg.Go(func() { _, errs[i] = s.AcceptInvitation(ctx, inv.ID, c.ID, day(1)) })
	}
	wg.Wait()
	var winner *legwork.User
	for i, err := range errs {
		switch {
		case err == nil && winner != nil:
			t.Errorf("clinicians %d and %d both accepted the invitation", winner.ID, clinicians[i].ID)
		case err == nil:
			winner = clinicians[i]
		default:
			wantCode(t, err, legwork.ECONFLICT, "losing AcceptInvitation")
		}
	}
	if winner == nil {
		t.Fatal("no acceptance succeeded")
	}
	grants, err := s.ListGrantsForPerson(ctx, p.ID)
	if err != nil {
		t.Fatalf("ListGrantsForPerson: %v", err)
	}
	if len(grants) != 1 || grants[0].ClinicianID != winner.ID {
		t.Errorf("grants after the race: %+v, want one for clinician %d", grants, winner.ID)
	}
	got, err := s.InvitationByCode(ctx, inv.CodeHash)
	if err != nil {
		t.Fatalf("InvitationByCode: %v", err)
	}
	if got.AcceptedBy == nil || *got.AcceptedBy != winner.ID {
		t.Errorf("invitation accepted by %v, want %d", got.AcceptedBy, winner.ID)
	}
}

func testGrants(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	p := newUser(t, s, legwork.RolePerson, "Pat Person")
	p2 := newUser(t, s, legwork.RolePerson, "Quinn Person")
	c := newUser(t, s, legwork.RoleClinician, "Dr Clinician")
	c2 := newUser(t, s, legwork.RoleClinician, "Dr Second")

	accept := func(person, clinician *legwork.User, at time.Time) *legwork.Grant {
		t.Helper()
		inv := newInvitation(t, s, person.ID, person.Email+clinician.Email)
		g, err := s.AcceptInvitation(ctx, inv.ID, clinician.ID, at)
		if err != nil {
			t.Fatalf("AcceptInvitation: %v", err)
		}
		return g
	}
	gpc := accept(p, c, day(1))
	gpc2 := accept(p, c2, day(2))
	gp2c := accept(p2, c, day(3))

	_, err := s.Grant(ctx, p2.ID, c2.ID)
	wantCode(t, err, legwork.ENOTFOUND, "Grant(missing)")
	wantCode(t, s.RevokeGrant(ctx, p2.ID, c2.ID, day(4)), legwork.ENOTFOUND, "RevokeGrant(missing)")

	revokedAt := day(4).Add(1500 * time.Nanosecond)
	if err := s.RevokeGrant(ctx, p.ID, c2.ID, revokedAt); err != nil {
		t.Fatalf("RevokeGrant: %v", err)
	}
	gpc2.RevokedAt = &revokedAt
	// Revoking again keeps the first time.
	if err := s.RevokeGrant(ctx, p.ID, c2.ID, day(6)); err != nil {
		t.Fatalf("RevokeGrant of a revoked grant: %v", err)
	}
	got, err := s.Grant(ctx, p.ID, c2.ID)
	if err != nil {
		t.Fatalf("Grant: %v", err)
	}
	mustEqual(t, "revoked Grant", got, gpc2)
	if got.Active() {
		t.Error("revoked grant is active")
	}

	byPerson, err := s.ListGrantsForPerson(ctx, p.ID)
	if err != nil {
		t.Fatalf("ListGrantsForPerson: %v", err)
	}
	mustEqual(t, "ListGrantsForPerson", byPerson, []*legwork.Grant{gpc, gpc2})
	for _, g := range byPerson {
		if g.ClinicianName == "" || g.ClinicianEmail == "" {
			t.Errorf("ListGrantsForPerson: grant of clinician %d lacks name or email", g.ClinicianID)
		}
	}

	byClinician, err := s.ListGrantsForClinician(ctx, c.ID)
	if err != nil {
		t.Fatalf("ListGrantsForClinician: %v", err)
	}
	mustEqual(t, "ListGrantsForClinician", byClinician, []*legwork.Grant{gpc, gp2c})
	for _, g := range byClinician {
		if g.PersonName == "" {
			t.Errorf("ListGrantsForClinician: grant of person %d lacks the name", g.PersonID)
		}
	}
	byClinician, err = s.ListGrantsForClinician(ctx, c2.ID)
	if err != nil {
		t.Fatalf("ListGrantsForClinician: %v", err)
	}
	mustEqual(t, "ListGrantsForClinician with only a revoked grant", byClinician, []*legwork.Grant{})
	byPerson, err = s.ListGrantsForPerson(ctx, 98765)
	if err != nil {
		t.Fatalf("ListGrantsForPerson: %v", err)
	}
	mustEqual(t, "ListGrantsForPerson of nobody", byPerson, []*legwork.Grant{})
}
