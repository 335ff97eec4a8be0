package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// RecordAuthFailure stores one failure for key at time at.
func (db *DB) RecordAuthFailure(ctx context.Context, key []byte, at time.Time) error {
	_, err := db.q.Exec(ctx, `INSERT INTO auth_failures (key, at) VALUES ($1, $2)`, key, ts(at))
	return mapErr(err, "record auth failure", "conflict")
}

// AuthFailures returns the times of key's failures after since, newest
// first, at most limit of them (all when limit ≤ 0).
func (db *DB) AuthFailures(ctx context.Context, key []byte, since time.Time, limit int) ([]time.Time, error) {
	var q query
	q.and("key = ?", key)
	q.and("at > ?", ts(since))
	rows, err := db.q.Query(ctx, `SELECT at FROM auth_failures`+q.whereClause()+` ORDER BY at DESC`+q.limit(limit), q.args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: auth failures: %w", err)
	}
	list, err := collect(rows, func(row pgx.Row) (time.Time, error) {
		var at time.Time
		err := row.Scan(&at)
		return at, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: auth failures: %w", err)
	}
	return list, nil
}

// RemoveAuthFailure deletes one failure of key at at (microseconds, as
// stored); ENOTFOUND when there is none. The failure to delete is picked
// skipping those another transaction is deleting (SKIP LOCKED), so that
// removals of failures alike that race each delete one of their own
// rather than all the same one (and all but one finding none).
func (db *DB) RemoveAuthFailure(ctx context.Context, key []byte, at time.Time) error {
	tag, err := db.q.Exec(ctx,
		`DELETE FROM auth_failures WHERE id = (SELECT id FROM auth_failures WHERE key = $1 AND at = $2 LIMIT 1 FOR UPDATE SKIP LOCKED)`, key, ts(at))
	if err != nil {
		return fmt.Errorf("postgres: remove auth failure: %w", err)
	}
	return affected(tag, func() error { return notFound("no failed attempt of the key at %s", at.UTC().Format(time.RFC3339Nano)) })
}

// ClearAuthFailures deletes every failure of key.
func (db *DB) ClearAuthFailures(ctx context.Context, key []byte) error {
	if _, err := db.q.Exec(ctx, `DELETE FROM auth_failures WHERE key = $1`, key); err != nil {
		return fmt.Errorf("postgres: clear auth failures: %w", err)
	}
	return nil
}

// PruneAuthFailures deletes the failures at or before cutoff.
func (db *DB) PruneAuthFailures(ctx context.Context, cutoff time.Time) (int64, error) {
	tag, err := db.q.Exec(ctx, `DELETE FROM auth_failures WHERE at <= $1`, ts(cutoff))
	if err != nil {
		return 0, fmt.Errorf("postgres: prune auth failures: %w", err)
	}
	return tag.RowsAffected(), nil
}
