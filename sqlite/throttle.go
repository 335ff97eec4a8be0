package sqlite

import (
	"context"
	"fmt"
	"time"
)

// RecordAuthFailure stores one failure for key at time at.
func (db *DB) RecordAuthFailure(ctx context.Context, key []byte, at time.Time) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO auth_failures (key, at) VALUES (?, ?)`, key, micros(at))
	return mapErr(err, "record auth failure", "conflict")
}

// AuthFailures returns the times of key's failures after since, newest
// first, at most limit of them (all when limit ≤ 0).
func (db *DB) AuthFailures(ctx context.Context, key []byte, since time.Time, limit int) ([]time.Time, error) {
	args := []any{key, micros(since)}
	rows, err := db.r.QueryContext(ctx,
		`SELECT at FROM auth_failures WHERE key = ? AND at > ? ORDER BY at DESC`+limitClause(limit, &args), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: auth failures: %w", err)
	}
	defer rows.Close()
	list := []time.Time{}
	for rows.Next() {
		var at int64
		if err := rows.Scan(&at); err != nil {
			return nil, fmt.Errorf("sqlite: auth failures: %w", err)
		}
		list = append(list, fromMicros(at))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: auth failures: %w", err)
	}
	return list, nil
}

// RemoveAuthFailure deletes one failure of key at at (microseconds, as
// stored); ENOTFOUND when there is none. Writes are serialised (one
// writer), so removals of failures alike each delete one of their own.
func (db *DB) RemoveAuthFailure(ctx context.Context, key []byte, at time.Time) error {
	res, err := db.w.ExecContext(ctx,
		`DELETE FROM auth_failures WHERE id = (SELECT id FROM auth_failures WHERE key = ? AND at = ? LIMIT 1)`, key, micros(at))
	if err != nil {
		return fmt.Errorf("sqlite: remove auth failure: %w", err)
	}
	return affected(res, func() error { return notFound("no failed attempt of the key at %s", at.UTC().Format(time.RFC3339Nano)) })
}

// ClearAuthFailures deletes every failure of key.
func (db *DB) ClearAuthFailures(ctx context.Context, key []byte) error {
	if _, err := db.w.ExecContext(ctx, `DELETE FROM auth_failures WHERE key = ?`, key); err != nil {
		return fmt.Errorf("sqlite: clear auth failures: %w", err)
	}
	return nil
}

// PruneAuthFailures deletes the failures at or before cutoff.
func (db *DB) PruneAuthFailures(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := db.w.ExecContext(ctx, `DELETE FROM auth_failures WHERE at <= ?`, micros(cutoff))
	if err != nil {
		return 0, fmt.Errorf("sqlite: prune auth failures: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: prune auth failures: %w", err)
	}
	return n, nil
}
