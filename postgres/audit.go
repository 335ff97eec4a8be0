package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"legwork"
)

// AppendAudit appends an event to the audit log and sets e.ID, and e.At
// when zero. The log is append-only: a trigger refuses updates and
// deletes.
func (db *DB) AppendAudit(ctx context.Context, e *legwork.AuditEvent) error {
	at := e.At
	if at.IsZero() {
		at = db.now()
	}
	var id int64
	err := db.q.QueryRow(ctx,
		`INSERT INTO audit_events (at, actor_id, person_id, action, object, detail, ip)
		 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		ts(at), e.ActorID, e.PersonID, e.Action, e.Object, e.Detail, e.IP).Scan(&id)
	if err != nil {
		return mapErr(err, "append audit event", "conflict")
	}
	e.ID, e.At = id, at
	return nil
}

// ListAudit returns audit events, newest (highest id) first.
func (db *DB) ListAudit(ctx context.Context, f legwork.AuditFilter) ([]*legwork.AuditEvent, error) {
	var q query
	if f.PersonID != nil {
		q.and("person_id = ?", *f.PersonID)
	}
	if f.ActorID != nil {
		q.and("actor_id = ?", *f.ActorID)
	}
	if f.Page.Before > 0 {
		q.and("id < ?", f.Page.Before)
	}
	rows, err := db.q.Query(ctx, `SELECT id, at, actor_id, person_id, action, object, detail, ip FROM audit_events`+
		q.whereClause()+` ORDER BY id DESC`+q.limit(f.Page.Limit), q.args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: list audit events: %w", err)
	}
	list, err := collect(rows, func(row pgx.Row) (*legwork.AuditEvent, error) {
		var e legwork.AuditEvent
		err := row.Scan(&e.ID, &e.At, &e.ActorID, &e.PersonID, &e.Action, &e.Object, &e.Detail, &e.IP)
		return &e, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: list audit events: %w", err)
	}
	return list, nil
}
