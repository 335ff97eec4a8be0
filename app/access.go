package app

import (
	"context"
	"encoding/base32"
	"fmt"
	"io"
	"strings"

	"legwork"
)

// access is what a caller may do with one person's data.
type access int

const (
	readAccess access = iota
	writeAccess
	ownerAccess // manage grants, invitations, read the audit log
	planAccess  // change the weekly plan: the person and their clinicians
)

// authorize checks that the caller of ctx may act on personID's data and
// returns the caller. The rules:
//
//   - nobody signed in: EUNAUTHORIZED;
//   - the system: everything;
//   - the person themself: everything;
//   - a clinician with an active grant: read, and change the weekly plan
//     (EFORBIDDEN for other writes and for managing access: invitations,
//     grants, the audit log);
//   - a clinician whose grant was revoked: EFORBIDDEN;
//   - anyone else, admins included: ENOTFOUND, as if the person did not
//     exist.
//
// Denials of signed-in callers are audited.
func (a *App) authorize(ctx context.Context, personID int64, need access, object string) (*Actor, error) {
	act := ActorFrom(ctx)
	if act == nil || (act.User == nil && !act.System) {
		return nil, legwork.Errorf(legwork.EUNAUTHORIZED, "sign in first")
	}
	if act.System {
		return act, nil
	}
	u := act.User
	if u.ID == personID && u.Role == legwork.RolePerson {
		return act, nil
	}
	notFound := legwork.Errorf(legwork.ENOTFOUND, "no such person")
	if u.Role != legwork.RoleClinician {
		a.deny(ctx, act, personID, object, "not the owner")
		return nil, notFound
	}
	g, err := a.store.Grant(ctx, personID, u.ID)
	if err != nil {
		if legwork.ErrorCode(err) == legwork.ENOTFOUND {
			a.deny(ctx, act, personID, object, "no grant")
			return nil, notFound
		}
		return nil, err
	}
	if !g.Active() {
		a.deny(ctx, act, personID, object, "grant revoked")
		return nil, legwork.Errorf(legwork.EFORBIDDEN, "this person has withdrawn your access")
	}
	switch need {
	case writeAccess:
		a.deny(ctx, act, personID, object, "clinicians have read-only access")
		return nil, legwork.Errorf(legwork.EFORBIDDEN, "clinicians can read a person's data and change their weekly plan, but not change anything else")
	case ownerAccess:
		a.deny(ctx, act, personID, object, "owner only")
		if object == "audit" {
			return nil, legwork.Errorf(legwork.EFORBIDDEN, "only the person can read the log of who looked at their data")
		}
		return nil, legwork.Errorf(legwork.EFORBIDDEN, "only the person can see or change who has access to their data")
	}
	return act, nil
}

func (a *App) deny(ctx context.Context, act *Actor, personID int64, object, why string) {
	// The person id goes in Object, not PersonID: it may not exist.
	a.appendAudit(ctx, &legwork.AuditEvent{ActorID: &act.User.ID, Action: "denied", Object: fmt.Sprintf("person:%d/%s", personID, object), Detail: why, IP: act.IP})
}

// Audit events. A change is stored with its audit event in one
// transaction (legwork.Store.WithTx): either both are stored or neither,
// and when the event cannot be stored the change fails (auditChange,
// auditWrite). A read is audited before the data is returned: when the
// event cannot be stored, the read fails (auditRead). Events that
// accompany no change to stored data, or only to sessions (sign-in,
// sign-out, refusals), are written on their own, and a failure is logged
// (appendAudit).

// auditEvent returns an audit event of the actor act (nil: nobody signed in)
// about person (nil for account actions).
func auditEvent(act *Actor, person *int64, action, object, detail string) *legwork.AuditEvent {
	e := &legwork.AuditEvent{PersonID: person, Action: action, Object: object, Detail: detail}
	if act != nil {
		if act.User != nil {
			e.ActorID = &act.User.ID
		}
		e.IP = act.IP
	}
	return e
}

// audit records an action of the caller of ctx that changed no stored data
// but sessions (a sign-out; person may be nil for account actions).
// Failures are logged.
func (a *App) audit(ctx context.Context, person *int64, action, object, detail string) {
	a.appendAudit(ctx, auditEvent(ActorFrom(ctx), person, action, object, detail))
}

func (a *App) appendAudit(ctx context.Context, e *legwork.AuditEvent) {
	if err := a.auditErr(ctx, e); err != nil {
		a.log.Error("audit", "action", e.Action, "object", e.Object, "err", err)
	}
}

func (a *App) auditErr(ctx context.Context, e *legwork.AuditEvent) error {
	if e.At.IsZero() {
		e.At = a.now().UTC()
	}
	// The audit must be written even when the request was cancelled after
	// the action took effect.
	return a.store.AppendAudit(context.WithoutCancel(ctx), e)
}

// auditRead records a read of a person's data before the data is returned:
// if it cannot be recorded, the read fails.
func (a *App) auditRead(ctx context.Context, act *Actor, personID int64, object, detail string) error {
	return a.auditErr(ctx, auditEvent(act, &personID, "read", object, detail))
}

// auditChange records a change in tx, the transaction that makes it. When
// the event cannot be stored, it returns an error that fails the
// transaction: the change is not stored either.
func (a *App) auditChange(ctx context.Context, tx legwork.AuditStore, e *legwork.AuditEvent) error {
	if e.At.IsZero() {
		e.At = a.now().UTC()
	}
	if err := tx.AppendAudit(ctx, e); err != nil {
		return &legwork.Error{Code: legwork.EINTERNAL, Message: "the change was not saved: it could not be recorded in the audit log", Err: err}
	}
	return nil
}

// auditWrite records a change to a person's data by act in tx, the
// transaction that makes it (see auditChange).
func (a *App) auditWrite(ctx context.Context, tx legwork.AuditStore, act *Actor, personID int64, action, object, detail string) error {
	return a.auditChange(ctx, tx, auditEvent(act, &personID, action, object, detail))
}

// Person returns a person's account (name, profile, settings, who last
// changed the weekly plan: see planChanger), for the owner and their
// clinicians.
func (a *App) Person(ctx context.Context, personID int64) (*legwork.User, error) {
	act, err := a.authorize(ctx, personID, readAccess, "profile")
	if err != nil {
		return nil, err
	}
	u, err := a.store.User(ctx, personID)
	if err != nil {
		return nil, err
	}
	if u.Role != legwork.RolePerson {
		return nil, legwork.Errorf(legwork.ENOTFOUND, "no such person")
	}
	if err := a.auditRead(ctx, act, personID, "profile", ""); err != nil {
		return nil, err
	}
	a.planChanger(ctx, act, u)
	return u, nil
}

// People lists the people whose data the caller may see: themself for a
// person, the people who granted access (and did not revoke it) for a
// clinician.
func (a *App) People(ctx context.Context) ([]*legwork.Grant, error) {
	u, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	if u.Role == legwork.RolePerson {
		return []*legwork.Grant{{PersonID: u.ID, PersonName: u.Name, GrantedAt: u.CreatedAt}}, nil
	}
	gs, err := a.store.ListGrantsForClinician(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	out := gs[:0]
	for _, g := range gs {
		if g.Active() {
			out = append(out, g)
		}
	}
	return out, nil
}

// NewInvitation is a created invitation: Code is shown to the person once,
// to pass to their clinician.
type NewInvitation struct {
	Invitation *legwork.Invitation
	Code       string
}

// invitation codes: 15 random bytes, base32 without padding, in groups of
// four for reading aloud or typing.
var codeEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// CreateInvitation makes an invitation code for a clinician to see the
// person's data. Only the person may.
func (a *App) CreateInvitation(ctx context.Context, personID int64, note string) (*NewInvitation, error) {
	act, err := a.authorize(ctx, personID, ownerAccess, "invitations")
	if err != nil {
		return nil, err
	}
	note = strings.TrimSpace(note)
	if err := checkText("note", note, 0, 200); err != nil {
		return nil, err
	}
	b := make([]byte, 15)
	if _, err := io.ReadFull(a.rand, b); err != nil {
		return nil, fmt.Errorf("random: %w", err)
	}
	raw := codeEncoding.EncodeToString(b) // 24 characters
	var groups []string
	for i := 0; i < len(raw); i += 4 {
		groups = append(groups, raw[i:i+4])
	}
	code := strings.Join(groups, "-")
	now := a.now().UTC()
	inv := &legwork.Invitation{PersonID: personID, CodeHash: hashSecret(normaliseCode(code)), Note: note, CreatedAt: now, ExpiresAt: now.Add(a.invitationTTL)}
	err = a.store.WithTx(ctx, func(tx legwork.Tx) error {
		if err := tx.CreateInvitation(ctx, inv); err != nil {
			return err
		}
		return a.auditWrite(ctx, tx, act, personID, "create", fmt.Sprintf("invitation:%d", inv.ID), note)
	})
	if err != nil {
		return nil, err
	}
	return &NewInvitation{Invitation: inv, Code: code}, nil
}

// normaliseCode drops separators and spaces and upper-cases a code as typed.
func normaliseCode(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '-' || r == ' ' || r == '\t':
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, s)
}

// ListInvitations lists the person's invitations.
func (a *App) ListInvitations(ctx context.Context, personID int64) ([]*legwork.Invitation, error) {
	_, err := a.authorize(ctx, personID, ownerAccess, "invitations")
	if err != nil {
		return nil, err
	}
	return a.store.ListInvitations(ctx, personID)
}

// DeleteInvitation withdraws an invitation not yet used.
func (a *App) DeleteInvitation(ctx context.Context, personID, id int64) error {
	act, err := a.authorize(ctx, personID, ownerAccess, "invitations")
	if err != nil {
		return err
	}
	return a.store.WithTx(ctx, func(tx legwork.Tx) error {
		if err := tx.DeleteInvitation(ctx, personID, id); err != nil {
			return err
		}
		return a.auditWrite(ctx, tx, act, personID, "delete", fmt.Sprintf("invitation:%d", id), "")
	})
}

// AcceptInvitation gives the signed-in clinician access to the data of the
// person who made the invitation.
func (a *App) AcceptInvitation(ctx context.Context, code string) (*legwork.Grant, error) {
	u, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	if u.Role != legwork.RoleClinician {
		return nil, legwork.Errorf(legwork.EFORBIDDEN, "only a clinician account can accept an invitation")
	}
	c := normaliseCode(code)
	if c == "" {
		return nil, legwork.FieldErrorf("code", "is required")
	}
	inv, err := a.store.InvitationByCode(ctx, hashSecret(c))
	if err != nil {
		if legwork.ErrorCode(err) == legwork.ENOTFOUND {
			return nil, &legwork.Error{Code: legwork.ENOTFOUND, Field: "code", Message: "no invitation has this code; check it with the person who gave it to you"}
		}
		return nil, err
	}
	now := a.now().UTC()
	if inv.AcceptedBy != nil {
		return nil, &legwork.Error{Code: legwork.ECONFLICT, Field: "code", Message: "this invitation has already been used; ask for a new one"}
	}
	if !now.Before(inv.ExpiresAt) {
		return nil, &legwork.Error{Code: legwork.ECONFLICT, Field: "code", Message: "this invitation has expired; ask for a new one"}
	}
	var g *legwork.Grant
	err = a.store.WithTx(ctx, func(tx legwork.Tx) error {
		var err error
		if g, err = tx.AcceptInvitation(ctx, inv.ID, u.ID, now); err != nil {
			return err
		}
		return a.auditWrite(ctx, tx, ActorFrom(ctx), inv.PersonID, "grant", fmt.Sprintf("invitation:%d", inv.ID), fmt.Sprintf("clinician:%d", u.ID))
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// ListGrants lists who has (or had) access to the person's data.
func (a *App) ListGrants(ctx context.Context, personID int64) ([]*legwork.Grant, error) {
	_, err := a.authorize(ctx, personID, ownerAccess, "grants")
	if err != nil {
		return nil, err
	}
	return a.store.ListGrantsForPerson(ctx, personID)
}

// RevokeGrant withdraws a clinician's access at once: their next request
// is refused.
func (a *App) RevokeGrant(ctx context.Context, personID, clinicianID int64) error {
	act, err := a.authorize(ctx, personID, ownerAccess, "grants")
	if err != nil {
		return err
	}
	g, err := a.store.Grant(ctx, personID, clinicianID)
	if err != nil {
		return err
	}
	if !g.Active() {
		return nil
	}
	return a.store.WithTx(ctx, func(tx legwork.Tx) error {
		if err := tx.RevokeGrant(ctx, personID, clinicianID, a.now().UTC()); err != nil {
			return err
		}
		return a.auditWrite(ctx, tx, act, personID, "revoke", fmt.Sprintf("grant:%d", clinicianID), "")
	})
}

// ListAudit lists who read or changed the person's data, newest first.
func (a *App) ListAudit(ctx context.Context, personID int64, page legwork.Page) ([]*legwork.AuditEvent, error) {
	_, err := a.authorize(ctx, personID, ownerAccess, "audit")
	if err != nil {
		return nil, err
	}
	page, err = checkPage(page)
	if err != nil {
		return nil, err
	}
	return a.store.ListAudit(ctx, legwork.AuditFilter{PersonID: &personID, Page: page})
}

// RefuseUnreadWrite answers a change to the person's data whose request
// could not be read (reason: a malformed body or field): the caller is
// authorised first, as the change itself would be (object names it in the
// audit log of a refusal), so that someone without access gets the same
// "no such person" or "access withdrawn" whatever they sent; reason is
// returned to those who have access.
func (a *App) RefuseUnreadWrite(ctx context.Context, personID int64, object string, reason error) error {
	if _, err := a.authorize(ctx, personID, writeAccess, object); err != nil {
		return err
	}
	return reason
}

// RefuseUnreadRead is RefuseUnreadWrite for a read of the person's data
// whose request could not be read (a malformed date, limit, time zone or
// option): who may not read that data is told so first, and nothing is
// read. object is what the read would have been audited as ("audit"
// needs the person, as ListAudit does).
func (a *App) RefuseUnreadRead(ctx context.Context, personID int64, object string, reason error) error {
	need := readAccess
	if object == "audit" {
		need = ownerAccess
	}
	if _, err := a.authorize(ctx, personID, need, object); err != nil {
		return err
	}
	return reason
}

// RefuseUnreadInvitation is RefuseUnreadWrite for an invitation, which
// only the person may create.
func (a *App) RefuseUnreadInvitation(ctx context.Context, personID int64, reason error) error {
	if _, err := a.authorize(ctx, personID, ownerAccess, "invitations"); err != nil {
		return err
	}
	return reason
}

// CheckWrite reports whether the caller may change the person's data,
// with the error authorize would give. The api calls it before reading a
// large upload, so that a refused upload is not read at all.
func (a *App) CheckWrite(ctx context.Context, personID int64) error {
	_, err := a.authorize(ctx, personID, writeAccess, "assessments")
	return err
}
