package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"legwork"
)

const invitationColumns = `id, person_id, code_hash, note, created_at, expires_at, accepted_by, accepted_at`

func scanInvitation(s scanner) (*legwork.Invitation, error) {
	var inv legwork.Invitation
	var created, expires int64
	var by, at sql.NullInt64
	if err := s.Scan(&inv.ID, &inv.PersonID, &inv.CodeHash, &inv.Note, &created, &expires, &by, &at); err != nil {
		return nil, err
	}
	inv.CreatedAt, inv.ExpiresAt, inv.AcceptedAt = fromMicros(created), fromMicros(expires), timePtr(at)
	inv.AcceptedBy = idPtr(by)
	return &inv, nil
}

// CreateInvitation stores an invitation and sets inv.ID, and inv.CreatedAt
// when zero.
func (db *DB) CreateInvitation(ctx context.Context, inv *legwork.Invitation) error {
	created := inv.CreatedAt
	if created.IsZero() {
		created = db.now()
	}
	res, err := db.w.ExecContext(ctx,
		`INSERT INTO invitations (person_id, code_hash, note, created_at, expires_at, accepted_by, accepted_at)
		 VALUES (?, ?, ?, ?, ?, ?, ?)`,
		inv.PersonID, inv.CodeHash, inv.Note, micros(created), micros(inv.ExpiresAt), nullID(inv.AcceptedBy), nullMicros(inv.AcceptedAt))
	if err != nil {
		return mapErr(err, "create invitation", "invitation code already exists")
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("sqlite: create invitation: %w", err)
	}
	inv.ID, inv.CreatedAt = id, created
	return nil
}

// InvitationByCode returns the invitation with that code hash, accepted
// and expired ones included.
func (db *DB) InvitationByCode(ctx context.Context, codeHash []byte) (*legwork.Invitation, error) {
	inv, err := scanInvitation(db.r.QueryRowContext(ctx,
		`SELECT `+invitationColumns+` FROM invitations WHERE code_hash = ?`, codeHash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("invitation not found")
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: invitation by code: %w", err)
	}
	return inv, nil
}

// ListInvitations returns a person's invitations, newest first.
func (db *DB) ListInvitations(ctx context.Context, personID int64) ([]*legwork.Invitation, error) {
	rows, err := db.r.QueryContext(ctx,
		`SELECT `+invitationColumns+` FROM invitations WHERE person_id = ? ORDER BY id DESC`, personID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list invitations: %w", err)
	}
	defer rows.Close()
	list := []*legwork.Invitation{}
	for rows.Next() {
		inv, err := scanInvitation(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list invitations: %w", err)
		}
		list = append(list, inv)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list invitations: %w", err)
	}
	return list, nil
}

// DeleteInvitation deletes a person's invitation (a grant it created
// stays); ENOTFOUND when the person has no invitation with that id.
func (db *DB) DeleteInvitation(ctx context.Context, personID, id int64) error {
	res, err := db.w.ExecContext(ctx, `DELETE FROM invitations WHERE id = ? AND person_id = ?`, id, personID)
	if err != nil {
		return fmt.Errorf("sqlite: delete invitation %d: %w", id, err)
	}
	return affected(res, func() error { return notFound("invitation %d not found", id) })
}

// AcceptInvitation marks the invitation accepted by the clinician and
// creates the grant, or re-activates it when it was revoked, in one
// transaction. An active grant keeps its original GrantedAt. An
// invitation already accepted, or expired at the given time (at is not
// before ExpiresAt), is ECONFLICT; a missing one is ENOTFOUND.
func (db *DB) AcceptInvitation(ctx context.Context, invitationID, clinicianID int64, at time.Time) (*legwork.Grant, error) {
	var g *legwork.Grant
	err := db.write(ctx, func(tx *sql.Tx) error {
		var personID, expires int64
		var acceptedBy sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT person_id, expires_at, accepted_by FROM invitations WHERE id = ?`, invitationID).
			Scan(&personID, &expires, &acceptedBy)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("invitation %d not found", invitationID)
		}
		if err != nil {
			return fmt.Errorf("read invitation: %w", err)
		}
		switch {
		case acceptedBy.Valid:
			return legwork.Errorf(legwork.ECONFLICT, "invitation has already been accepted")
		case micros(at) >= expires:
			return legwork.Errorf(legwork.ECONFLICT, "invitation has expired")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invitations SET accepted_by = ?, accepted_at = ? WHERE id = ?`,
			clinicianID, micros(at), invitationID); err != nil {
			return fmt.Errorf("mark invitation accepted: %w", err)
		}
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO grants (person_id, clinician_id, granted_at, revoked_at) VALUES (?, ?, ?, NULL)
			 ON CONFLICT (person_id, clinician_id) DO UPDATE SET
			   granted_at = CASE WHEN grants.revoked_at IS NULL THEN grants.granted_at ELSE excluded.granted_at END,
			   revoked_at = NULL`,
			personID, clinicianID, micros(at)); err != nil {
			return fmt.Errorf("create grant: %w", err)
		}
		g, err = scanGrant(tx.QueryRowContext(ctx, grantSelect+` WHERE g.person_id = ? AND g.clinician_id = ?`, personID, clinicianID))
		if err != nil {
			return fmt.Errorf("read grant: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, mapErr(err, "accept invitation", "conflict")
	}
	return g, nil
}

const grantSelect = `SELECT g.person_id, g.clinician_id, g.granted_at, g.revoked_at, p.name, c.name, c.email
	FROM grants g JOIN users p ON p.id = g.person_id JOIN users c ON c.id = g.clinician_id`

func scanGrant(s scanner) (*legwork.Grant, error) {
	var g legwork.Grant
	var granted int64
	var revoked sql.NullInt64
	if err := s.Scan(&g.PersonID, &g.ClinicianID, &granted, &revoked, &g.PersonName, &g.ClinicianName, &g.ClinicianEmail); err != nil {
		return nil, err
	}
	g.GrantedAt, g.RevokedAt = fromMicros(granted), timePtr(revoked)
	return &g, nil
}

// Grant returns the grant (active or revoked), names filled.
func (db *DB) Grant(ctx context.Context, personID, clinicianID int64) (*legwork.Grant, error) {
	g, err := scanGrant(db.r.QueryRowContext(ctx, grantSelect+` WHERE g.person_id = ? AND g.clinician_id = ?`, personID, clinicianID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("grant not found")
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: grant: %w", err)
	}
	return g, nil
}

func (db *DB) listGrants(ctx context.Context, where string, arg int64) ([]*legwork.Grant, error) {
	rows, err := db.r.QueryContext(ctx, grantSelect+` WHERE `+where+` ORDER BY g.granted_at, g.person_id, g.clinician_id`, arg)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list grants: %w", err)
	}
	defer rows.Close()
	list := []*legwork.Grant{}
	for rows.Next() {
		g, err := scanGrant(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list grants: %w", err)
		}
		list = append(list, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list grants: %w", err)
	}
	return list, nil
}

// ListGrantsForPerson returns every grant of a person, revoked ones
// included, oldest first, with names and emails filled.
func (db *DB) ListGrantsForPerson(ctx context.Context, personID int64) ([]*legwork.Grant, error) {
	return db.listGrants(ctx, `g.person_id = ?`, personID)
}

// ListGrantsForClinician returns the clinician's active grants, oldest
// first, with names filled.
func (db *DB) ListGrantsForClinician(ctx context.Context, clinicianID int64) ([]*legwork.Grant, error) {
	return db.listGrants(ctx, `g.clinician_id = ? AND g.revoked_at IS NULL`, clinicianID)
}

// RevokeGrant revokes a grant at the given time. Revoking a revoked grant
// keeps its first revocation time; a missing grant is ENOTFOUND.
func (db *DB) RevokeGrant(ctx context.Context, personID, clinicianID int64, at time.Time) error {
	res, err := db.w.ExecContext(ctx,
		`UPDATE grants SET revoked_at = COALESCE(revoked_at, ?) WHERE person_id = ? AND clinician_id = ?`,
		micros(at), personID, clinicianID)
	if err != nil {
		return fmt.Errorf("sqlite: revoke grant: %w", err)
	}
	return affected(res, func() error { return notFound("grant not found") })
}
