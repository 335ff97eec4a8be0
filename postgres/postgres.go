// Package postgres implements legwork.Store on PostgreSQL, for deployments
// that run several stateless legwork servers on one database.
//
// Open applies the pending schema migrations (goose) under a PostgreSQL
// advisory lock, so servers that start at the same time migrate one after
// the other. Times are stored as timestamptz (microsecond precision: finer
// parts of a time.Time are truncated) and read back in UTC. Durability is
// the server's: with the default synchronous_commit=on, a write is on disk
// when the method that made it returns. WithTx runs several methods in one
// transaction.
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
	// q runs the data methods' statements: the pool, or the transaction
	// of WithTx.
	q querier

	// Now returns the current time. It stamps the items whose creation
	// time the caller leaves zero. It defaults to time.Now; set it, if at
	// all, before the DB is used.
	Now func() time.Time
}

var _ legwork.Store = (*DB)(nil)

// querier is what *pgxpool.Pool and pgx.Tx have in common. Begin starts a
// transaction on a pool, a savepoint in a transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Begin(ctx context.Context) (pgx.Tx, error)
}

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
	return &DB{pool: pool, q: pool, Now: time.Now}, nil
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

// WithTx runs fn in one transaction and commits it when fn returns nil
// (see legwork.Store). Inside fn, the methods of tx run on the
// transaction; those that write several rows run in a savepoint, all or
// nothing as outside. The transaction runs at the server's default
// isolation level, read committed unless default_transaction_isolation
// says otherwise: each statement sees what others committed before it
// began, so a read of several statements (a method that reads in several
// queries, or fn reading twice) can see another transaction's commit
// between them, where outside WithTx such a method reads one snapshot
// (readTx). A statement that fails aborts the transaction: fn must return
// the error. WithTx on fn's tx (a *DB) runs its fn in a savepoint: when
// that fn fails or panics, only what it did is undone (the deferred
// Rollback of the savepoint rolls back to it, which also ends an aborted
// state) and the outer transaction goes on, a panic going on to the
// outer fn unchanged; otherwise it is committed, or rolled back, with the
// outer transaction. Begin and commit errors are wrapped; fn's error is
// returned as it is.
func (db *DB) WithTx(ctx context.Context, fn func(tx legwork.Tx) error) error {
	if outer, ok := db.q.(pgx.Tx); ok {
		return savepoint(ctx, outer, func(tx pgx.Tx) error { return fn(&DB{pool: db.pool, q: tx, Now: db.Now}) })
	}
	tx, err := db.q.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	defer tx.Rollback(ctx)
	if err := fn(&DB{pool: db.pool, q: tx, Now: db.Now}); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	return nil
}

// tx runs fn in a transaction and commits when it returns nil; inside
// WithTx, in a savepoint of that transaction.
func (db *DB) tx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	if outer, ok := db.q.(pgx.Tx); ok {
		return savepoint(ctx, outer, fn)
	}
	return pgx.BeginFunc(ctx, db.q, fn)
}

// savepointCleanup bounds the statement that undoes or releases a
// savepoint once ctx is no longer followed (see savepoint).
const savepointCleanup = 10 * time.Second

// savepoint runs fn in a savepoint of tx: when fn fails or panics, what it
// wrote is undone and the transaction goes on; when it returns nil, the
// savepoint is released. fn's error is returned as it is, joined with the
// error of undoing the savepoint should that fail.
//
// The savepoint is undone or released even when ctx is cancelled while fn
// runs: ctx may be the nested caller's own, cancelled apart from the
// transaction's, and pgx would otherwise refuse the statement and leave a
// failed fn's writes for the outer commit. That statement gets
// savepointCleanup; should it not finish by then, pgx closes the
// connection and the outer transaction fails as a whole.
func savepoint(ctx context.Context, tx pgx.Tx, fn func(tx pgx.Tx) error) error {
	sp, err := tx.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: savepoint: %w", err)
	}
	cleanup := func(end func(context.Context) error) error {
		c, cancel := context.WithTimeout(context.WithoutCancel(ctx), savepointCleanup)
		defer cancel()
		return end(c)
	}
	returned := false
	defer func() {
		if !returned {
			_ = cleanup(sp.Rollback)
		}
	}()
	err = fn(sp)
	returned = true
	if err != nil {
		if rerr := cleanup(sp.Rollback); rerr != nil && !errors.Is(rerr, pgx.ErrTxClosed) {
			return errors.Join(err, fmt.Errorf("postgres: roll back to savepoint: %w", rerr))
		}
		return err
	}
	if err := cleanup(sp.Commit); err != nil {
		return fmt.Errorf("postgres: release savepoint: %w", err)
	}
	return nil
}

// readTx runs fn in a read-only repeatable-read transaction, so that the
// queries it makes see one snapshot of the database; inside WithTx, in
// that transaction, where each query sees its own snapshot (read
// committed).
func (db *DB) readTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	if tx, ok := db.q.(pgx.Tx); ok {
		return fn(tx)
	}
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
