package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"legwork"
)

const invitationColumns = `id, person_id, code_hash, note, created_at, expires_at, accepted_by, accepted_at`

func scanInvitation(row pgx.Row) (*legwork.Invitation, error) {
	var inv legwork.Invitation
	if err := row.Scan(&inv.ID, &inv.PersonID, &inv.CodeHash, &inv.Note, &inv.CreatedAt, &inv.ExpiresAt, &inv.AcceptedBy, &inv.AcceptedAt); err != nil {
		return nil, err
	}
	return &inv, nil
}

// CreateInvitation stores an invitation and sets inv.ID, and inv.CreatedAt
// when zero.
func (db *DB) CreateInvitation(ctx context.Context, inv *legwork.Invitation) error {
	created := inv.CreatedAt
	if created.IsZero() {
		created = db.now()
	}
	var id int64
	err := db.q.QueryRow(ctx,
		`INSERT INTO invitations (person_id, code_hash, note, created_at, expires_at, accepted_by, accepted_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		inv.PersonID, inv.CodeHash, inv.Note, ts(created), ts(inv.ExpiresAt), inv.AcceptedBy, nullTS(inv.AcceptedAt)).Scan(&id)
	if err != nil {
		return mapErr(err, "create invitation", "invitation code already exists")
	}
	inv.ID, inv.CreatedAt = id, created
	return nil
}

// InvitationByCode returns the invitation with that code hash, accepted
// and expired ones included.
func (db *DB) InvitationByCode(ctx context.Context, codeHash []byte) (*legwork.Invitation, error) {
	inv, err := scanInvitation(db.q.QueryRow(ctx, `SELECT `+invitationColumns+` FROM invitations WHERE code_hash = $1`, codeHash))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("invitation not found")
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: invitation by code: %w", err)
	}
	return inv, nil
}

// ListInvitations returns a person's invitations, newest first.
func (db *DB) ListInvitations(ctx context.Context, personID int64) ([]*legwork.Invitation, error) {
	rows, err := db.q.Query(ctx, `SELECT `+invitationColumns+` FROM invitations WHERE person_id = $1 ORDER BY id DESC`, personID)
	if err != nil {
		return nil, fmt.Errorf("postgres: list invitations: %w", err)
	}
	list, err := collect(rows, scanInvitation)
	if err != nil {
		return nil, fmt.Errorf("postgres: list invitations: %w", err)
	}
	return list, nil
}

// DeleteInvitation deletes a person's invitation (a grant it created
// stays); ENOTFOUND when the person has no invitation with that id.
func (db *DB) DeleteInvitation(ctx context.Context, personID, id int64) error {
	tag, err := db.q.Exec(ctx, `DELETE FROM invitations WHERE id = $1 AND person_id = $2`, id, personID)
	if err != nil {
		return fmt.Errorf("postgres: delete invitation %d: %w", id, err)
	}
	return affected(tag, func() error { return notFound("invitation %d not found", id) })
}

// AcceptInvitation marks the invitation accepted by the clinician and
// creates the grant, or re-activates it when it was revoked, in one
// transaction. An active grant keeps its original GrantedAt. An
// invitation already accepted, or expired at the given time (at is not
// before ExpiresAt), is ECONFLICT; a missing one is ENOTFOUND. The
// invitation row is locked, so of two concurrent acceptances one fails.
func (db *DB) AcceptInvitation(ctx context.Context, invitationID, clinicianID int64, at time.Time) (*legwork.Grant, error) {
	var g *legwork.Grant
	err := db.tx(ctx, func(tx pgx.Tx) error {
		var personID int64
		var expires time.Time
		var acceptedBy *int64
		err := tx.QueryRow(ctx, `SELECT person_id, expires_at, accepted_by FROM invitations WHERE id = $1 FOR UPDATE`, invitationID).
			Scan(&personID, &expires, &acceptedBy)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("invitation %d not found", invitationID)
		}
		if err != nil {
			return fmt.Errorf("read invitation: %w", err)
		}
		switch {
		case acceptedBy != nil:
			return legwork.Errorf(legwork.ECONFLICT, "invitation has already been accepted")
		case !ts(at).Before(expires):
			return legwork.Errorf(legwork.ECONFLICT, "invitation has expired")
		}
		if _, err := tx.Exec(ctx, `UPDATE invitations SET accepted_by = $1, accepted_at = $2 WHERE id = $3`,
			clinicianID, ts(at), invitationID); err != nil {
			return fmt.Errorf("mark invitation accepted: %w", err)
		}
		if _, err := tx.Exec(ctx,
			`INSERT INTO grants (person_id, clinician_id, granted_at, revoked_at) VALUES ($1, $2, $3, NULL)
			 ON CONFLICT (person_id, clinician_id) DO UPDATE SET
			   granted_at = CASE WHEN grants.revoked_at IS NULL THEN grants.granted_at ELSE excluded.granted_at END,
			   revoked_at = NULL`,
			personID, clinicianID, ts(at)); err != nil {
			return fmt.Errorf("create grant: %w", err)
		}
		g, err = scanGrant(tx.QueryRow(ctx, grantSelect+` WHERE g.person_id = $1 AND g.clinician_id = $2`, personID, clinicianID))
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

func scanGrant(row pgx.Row) (*legwork.Grant, error) {
	var g legwork.Grant
	if err := row.Scan(&g.PersonID, &g.ClinicianID, &g.GrantedAt, &g.RevokedAt, &g.PersonName, &g.ClinicianName, &g.ClinicianEmail); err != nil {
		return nil, err
	}
	return &g, nil
}

// Grant returns the grant (active or revoked), names filled.
func (db *DB) Grant(ctx context.Context, personID, clinicianID int64) (*legwork.Grant, error) {
	g, err := scanGrant(db.q.QueryRow(ctx, grantSelect+` WHERE g.person_id = $1 AND g.clinician_id = $2`, personID, clinicianID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("grant not found")
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: grant: %w", err)
	}
	return g, nil
}

func (db *DB) listGrants(ctx context.Context, where string, arg int64) ([]*legwork.Grant, error) {
	rows, err := db.q.Query(ctx, grantSelect+` WHERE `+where+` ORDER BY g.granted_at, g.person_id, g.clinician_id`, arg)
	if err != nil {
		return nil, fmt.Errorf("postgres: list grants: %w", err)
	}
	list, err := collect(rows, scanGrant)
	if err != nil {
		return nil, fmt.Errorf("postgres: list grants: %w", err)
	}
	return list, nil
}

// ListGrantsForPerson returns every grant of a person, revoked ones
// included, oldest first, with names and emails filled.
func (db *DB) ListGrantsForPerson(ctx context.Context, personID int64) ([]*legwork.Grant, error) {
	return db.listGrants(ctx, `g.person_id = $1`, personID)
}

// ListGrantsForClinician returns the clinician's active grants, oldest
// first, with names filled.
func (db *DB) ListGrantsForClinician(ctx context.Context, clinicianID int64) ([]*legwork.Grant, error) {
	return db.listGrants(ctx, `g.clinician_id = $1 AND g.revoked_at IS NULL`, clinicianID)
}

// RevokeGrant revokes a grant at the given time. Revoking a revoked grant
// keeps its first revocation time; a missing grant is ENOTFOUND.
func (db *DB) RevokeGrant(ctx context.Context, personID, clinicianID int64, at time.Time) error {
	tag, err := db.q.Exec(ctx,
		`UPDATE grants SET revoked_at = COALESCE(revoked_at, $1) WHERE person_id = $2 AND clinician_id = $3`,
		ts(at), personID, clinicianID)
	if err != nil {
		return fmt.Errorf("postgres: revoke grant: %w", err)
	}
	return affected(tag, func() error { return notFound("grant not found") })
}
