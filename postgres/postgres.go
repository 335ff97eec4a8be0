// Package postgres implements legwork.Store on PostgreSQL, for deployments
// that run several stateless legwork servers on one database.
//
// Open applies the pending schema migrations (goose) under a PostgreSQL
// advisory lock, so servers that start at the same time migrate one after
// the other. Times are stored as timestamptz (microsecond precision: finer
// parts of a time.Time are truncated) and read back in UTC. Durability is
// the server's: with the default synchronous_commit=on, a write is on disk
// when the method that made it returns.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"legwork"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DB is a legwork.Store backed by a PostgreSQL database. It is safe for
// concurrent use.
type DB struct {
	pool *pgxpool.Pool

	// Now returns the current time. It stamps the items whose creation
	// time the caller leaves zero. It defaults to time.Now; set it, if at
	// all, before the DB is used.
	Now func() time.Time
}

var _ legwork.Store = (*DB)(nil)

// Open connects to the database at url (a postgres:// URL or key=value
// connection string, as pgx accepts) and migrates it to the current
// schema version. Tables are created in the first schema of the
// connection's search_path.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	cfg.AfterConnect = func(ctx context.Context, conn *pgx.Conn) error {
		// Read timestamptz values in UTC rather than the local zone.
		conn.TypeMap().RegisterType(&pgtype.Type{
			Name:  "timestamptz",
			OID:   pgtype.TimestamptzOID,
			Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC},
		})
		return nil
	}
	if err := migrate(ctx, cfg.ConnConfig); err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	return &DB{pool: pool, Now: time.Now}, nil
}

// migrate applies the pending migrations through a database/sql
// connection (what goose needs), holding a session advisory lock so that
// concurrent servers do not migrate at the same time.
func migrate(ctx context.Context, cc *pgx.ConnConfig) error {
	sqlDB := stdlib.OpenDB(*cc.Copy())
	p, err := newProvider(sqlDB)
	if err != nil {
		sqlDB.Close()
		return err
	}
	_, err = p.Up(ctx)
	if cerr := p.Close(); err == nil && cerr != nil {
		return fmt.Errorf("migrate: %w", cerr)
	}
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// newProvider returns the goose provider of the embedded migrations, with
// a session locker (pg_advisory_lock); closing it closes db.
func newProvider(db *sql.DB) (*goose.Provider, error) {
	fsys, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	// Servers that find the lock taken try again every second, for up to
	// five minutes (goose's default probes every five seconds).
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, fsys,
		goose.WithSessionLocker(locker), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

// SchemaVersion returns the migration version the database is at.
func (db *DB) SchemaVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := db.pool.QueryRow(ctx, `SELECT coalesce(max(version_id), 0) FROM goose_db_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("postgres: schema version: %w", err)
	}
	return v, nil
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: ping: %w", err)
	}
	return nil
}

// Close closes the connections.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// now returns the current time at the stored precision.
func (db *DB) now() time.Time {
	return db.Now().UTC().Truncate(time.Microsecond)
}

// tx runs fn in a transaction and commits when it returns nil.
func (db *DB) tx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, db.pool, fn)
}

// readTx runs fn in a read-only repeatable-read transaction, so that the
// queries it makes see one snapshot of the database.
func (db *DB) readTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn)
}

// pgCode returns the SQLSTATE of a PostgreSQL error, "" for other errors.
func pgCode(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// mapErr turns constraint violations into legwork errors (unique: ECONFLICT
// with the conflict message; foreign key: ENOTFOUND; NOT NULL and CHECK:
// EINVALID) and wraps any other error with op.
func mapErr(err error, op, conflict string) error {
	var le *legwork.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &le):
		return err
	}
	switch pgCode(err) {
	case "23505": // unique_violation
		return &legwork.Error{Code: legwork.ECONFLICT, Message: conflict, Err: err}
	case "23503": // foreign_key_violation
		return &legwork.Error{Code: legwork.ENOTFOUND, Message: "a referenced item does not exist", Err: err}
	case "23502", "23514": // not_null_violation, check_violation
		return &legwork.Error{Code: legwork.EINVALID, Message: "invalid value", Err: err}
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// notFound returns the ENOTFOUND error about an item.
func notFound(format string, args ...any) error {
	return legwork.Errorf(legwork.ENOTFOUND, format, args...)
}

// affected returns an ENOTFOUND error made by nf when tag reports that no
// row changed.
func affected(tag pgconn.CommandTag, nf func() error) error {
	if tag.RowsAffected() == 0 {
		return nf()
	}
	return nil
}
