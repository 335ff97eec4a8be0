package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"legwork"
)

// AppendAudit appends an event to the audit log and sets e.ID, and e.At
// when zero. The log is append-only: the schema refuses updates and
// deletes.
func (db *DB) AppendAudit(ctx context.Context, e *legwork.AuditEvent) error {
	at := e.At
	if at.IsZero() {
		at = db.now()
	}
	res, err := db.w.ExecContext(ctx,
		`INSERT INTO audit_events (at, actor_id, person_id, action, object, detail, ip) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		micros(at), nullID(e.ActorID), nullID(e.PersonID), e.Action, e.Object, e.Detail, e.IP)
	if err != nil {
		return mapErr(err, "append audit event", "conflict")
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("sqlite: append audit event: %w", err)
	}
	e.ID, e.At = id, at
	return nil
}

// ListAudit returns audit events, newest (highest id) first.
func (db *DB) ListAudit(ctx context.Context, f legwork.AuditFilter) ([]*legwork.AuditEvent, error) {
	where, args := []string{"1 = 1"}, []any{}
	if f.PersonID != nil {
		where, args = append(where, "person_id = ?"), append(args, *f.PersonID)
	}
	if f.ActorID != nil {
		where, args = append(where, "actor_id = ?"), append(args, *f.ActorID)
	}
	if f.Page.Before > 0 {
		where, args = append(where, "id < ?"), append(args, f.Page.Before)
	}
	rows, err := db.r.QueryContext(ctx,
		`SELECT id, at, actor_id, person_id, action, object, detail, ip FROM audit_events WHERE `+
			strings.Join(where, " AND ")+` ORDER BY id DESC`+limitClause(f.Page.Limit, &args), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list audit events: %w", err)
	}
	defer rows.Close()
	list := []*legwork.AuditEvent{}
	for rows.Next() {
		var e legwork.AuditEvent
		var at int64
		var actor, person sql.NullInt64
		if err := rows.Scan(&e.ID, &at, &actor, &person, &e.Action, &e.Object, &e.Detail, &e.IP); err != nil {
			return nil, fmt.Errorf("sqlite: list audit events: %w", err)
		}
		e.At, e.ActorID, e.PersonID = fromMicros(at), idPtr(actor), idPtr(person)
		list = append(list, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list audit events: %w", err)
	}
	return list, nil
}

// nullID returns the stored value of an optional id.
func nullID(p *int64) sql.NullInt64 {
	if p == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: *p, Valid: true}
}

// idPtr returns the optional id of a stored value.
func idPtr(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	id := v.Int64
	return &id
}
