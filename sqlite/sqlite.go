// Package sqlite implements legwork.Store on an SQLite database file, the
// default embedded storage of a legwork deployment.
//
// The database runs in WAL mode with synchronous=FULL, so that a write is on
// disk when the method that made it returns (it survives kill -9 and power
// loss), and with foreign keys enforced. Writes go through a single
// connection (SQLite allows one writer at a time; queuing in Go instead of
// retrying on SQLITE_BUSY), reads through a pool of read-only connections
// that WAL lets run alongside the writer. Other processes that open the
// same file wait up to five seconds for the write lock (busy_timeout).
// WithTx runs several methods in one write transaction.
//
// Times are stored as INTEGER microseconds since the Unix epoch and read
// back in UTC: finer parts of a time.Time are truncated.
//
// The schema is versioned with goose; Open applies pending migrations.
// Backup makes a consistent copy of a live database and Restore installs
// one after checking it.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"legwork"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DB is a legwork.Store backed by one SQLite database file. It is safe for
// concurrent use.
type DB struct {
	path   string
	writer *sql.DB // exactly one connection: the only writer
	reader *sql.DB // query_only connections

	// The data methods write through w and read through r: the writer
	// and the readers, or both the transaction of WithTx (a *sql.Tx),
	// which sees its own writes.
	w, r queryer

	// Now returns the current time. It stamps the items whose creation
	// time the caller leaves zero. It defaults to time.Now; set it, if at
	// all, before the DB is used.
	Now func() time.Time
}

var _ legwork.Store = (*DB)(nil)

// Connection parameters. busy_timeout comes first (the driver applies it
// first) so that the other pragmas wait for a lock held by another process.
const (
	commonParams = "_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_pragma=secure_delete(1)"
	writerParams = commonParams + "&_txlock=immediate"
	readerParams = commonParams + "&_pragma=query_only(1)"
)

// Open opens (creating it when missing) the SQLite database at path and
// migrates it to the current schema version.
func Open(path string) (*DB, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("sqlite: open %q: need the path of a database file", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %q: %w", path, err)
	}
	ctx := context.Background()
	db := &DB{path: abs, Now: time.Now}

	for attempt := 1; ; attempt++ {
		db.writer, err = openWriter(ctx, abs)
		if err == nil {
			break
		}
		var me *migrateError
		if attempt == openAttempts || !(isBusy(err) || errors.As(err, &me)) {
			return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
		}
		time.Sleep(time.Duration(attempt) * 50 * time.Millisecond)
	}

	db.reader, err = sql.Open("sqlite", dsn(abs, readerParams))
	if err != nil {
		db.writer.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	db.reader.SetMaxOpenConns(n)
	db.reader.SetMaxIdleConns(n)
	if err := db.reader.PingContext(ctx); err != nil {
		db.reader.Close()
		db.writer.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	db.w, db.r = db.writer, db.reader
	return db, nil
}

// openAttempts bounds the attempts at preparing the database file while
// another process does the same (a server and the CLI started together
// on a new file): SQLite may then report the database busy while the
// other switches it to WAL, or a migration may fail because the other
// process applied it first. Each migration runs in a transaction, so a
// retry starts from a consistent state.
const openAttempts = 8

// openWriter opens the writer connection, checks its settings and
// migrates the database.
func openWriter(ctx context.Context, abs string) (*sql.DB, error) {
	w, err := sql.Open("sqlite", dsn(abs, writerParams))
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := checkWriter(ctx, w); err != nil {
		w.Close()
		return nil, err
	}
	if err := migrate(ctx, w); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

// dsn returns the driver's data source name for the file at the absolute
// path abs: a file: URI, so that any character may appear in the path.
func dsn(abs, params string) string {
	return "file:" + (&url.URL{Path: filepath.ToSlash(abs)}).EscapedPath() + "?" + params
}

// checkWriter switches the database to WAL mode (a persistent setting of
// the file) and verifies that the pragmas the durability guarantees rest
// on took effect. The switch is a statement rather than a connection
// parameter so that, when another process holds the database, it waits
// with the driver's busy handler.
func checkWriter(ctx context.Context, w *sql.DB) error {
	var mode string
	if err := w.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode); err != nil {
		return fmt.Errorf("set journal mode: %w", err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("journal mode is %q, want wal", mode)
	}
	var fk, sync int
	if err := w.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
		return fmt.Errorf("read foreign_keys: %w", err)
	}
	if err := w.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
		return fmt.Errorf("read synchronous: %w", err)
	}
	if fk != 1 || sync != 2 {
		return fmt.Errorf("foreign_keys=%d synchronous=%d, want 1 and 2 (FULL)", fk, sync)
	}
	return nil
}

// newProvider returns the goose provider of the embedded migrations. The
// provider must not be closed: closing it would close db.
func newProvider(db *sql.DB) (*goose.Provider, error) {
	fsys, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, fsys, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

// migrate applies the pending migrations. Each runs in its own (immediate)
// transaction on the single writer connection.
func migrate(ctx context.Context, db *sql.DB) error {
	p, err := newProvider(db)
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return &migrateError{err}
	}
	return nil
}

// migrateError is a failed migration.
type migrateError struct{ err error }

func (e *migrateError) Error() string { return "migrate: " + e.err.Error() }
func (e *migrateError) Unwrap() error { return e.err }

// SchemaVersion returns the migration version the database is at.
func (db *DB) SchemaVersion(ctx context.Context) (int64, error) {
	p, err := newProvider(db.writer)
	if err != nil {
		return 0, fmt.Errorf("sqlite: %w", err)
	}
	v, err := p.GetDBVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("sqlite: schema version: %w", err)
	}
	return v, nil
}

// Path returns the absolute path of the database file.
func (db *DB) Path() string { return db.path }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.reader.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping: %w", err)
	}
	var one int
	if err := db.reader.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("sqlite: ping: %w", err)
	}
	return nil
}

// Close closes the database. It lets SQLite refresh its query planner
// statistics first (PRAGMA optimize).
func (db *DB) Close() error {
	var errs []error
	if err := db.reader.Close(); err != nil {
		errs = append(errs, err)
	}
	if _, err := db.writer.Exec("PRAGMA optimize"); err != nil {
		errs = append(errs, err)
	}
	if err := db.writer.Close(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqlite: close: %w", err)
	}
	return nil
}

// now returns the current time at the stored precision.
func (db *DB) now() time.Time {
	return db.Now().UTC().Truncate(time.Microsecond)
}

// WithTx runs fn in one write transaction and commits it when fn returns
// nil (see legwork.Store). The transaction starts with BEGIN IMMEDIATE on
// the writer connection: writers of this process queue for the connection,
// other processes wait for the lock (busy_timeout). Inside fn, the
// methods of tx run on the transaction, reads included, so that they see
// what fn wrote; those that write several rows run in a savepoint, all or
// nothing as outside. WithTx on fn's tx (a *DB) runs its fn in a savepoint
// as well: when that fn fails or panics, only what it wrote is undone (a
// panic then goes on, and an outer fn that recovers it can go on with the
// transaction); otherwise it is committed, or rolled back, with the outer
// transaction. Begin and commit errors are wrapped; fn's error is
// returned as it is (nested, joined with the error of undoing the
// savepoint should that fail).
func (db *DB) WithTx(ctx context.Context, fn func(tx legwork.Tx) error) error {
	// write returns fn's error as it is, and its own unwrapped.
	fnFailed := false
	err := db.write(ctx, func(tx *sql.Tx) error {
		err := fn(&DB{path: db.path, Now: db.Now, w: tx, r: tx})
		fnFailed = err != nil
		return err
	})
	if err != nil && !fnFailed {
		return fmt.Errorf("sqlite: %w", err)
	}
	return err
}

// write runs fn in a write transaction (BEGIN IMMEDIATE on the writer
// connection) and commits when it returns nil. Inside WithTx, it runs fn
// in a savepoint of that transaction.
func (db *DB) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if tx, ok := db.w.(*sql.Tx); ok {
		return savepoint(ctx, tx, fn)
	}
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// savepoint runs fn in a savepoint of tx: when fn fails, what it wrote is
// undone and the transaction goes on. fn's error is returned as it is,
// joined with the error of undoing the savepoint should that fail. When
// fn panics (or ends its goroutine, as t.Fatal does), what it wrote is
// undone as well before the panic goes on, unchanged: a caller further
// up that recovers it and commits the transaction does not commit the
// writes of fn (an error undoing them is lost: the panic is what is
// reported).
//
// The savepoint is undone or released even when ctx is cancelled while
// fn runs: ctx may be the nested caller's own, cancelled apart from the
// transaction's, and a savepoint left open would keep a failed fn's
// writes for the outer commit. When the transaction's own context is
// cancelled, database/sql rolls the whole transaction back and there is
// nothing left to undo.
func savepoint(ctx context.Context, tx *sql.Tx, fn func(tx *sql.Tx) error) error {
	if _, err := tx.ExecContext(ctx, `SAVEPOINT write`); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	keep := context.WithoutCancel(ctx)
	returned := false
	defer func() {
		if !returned {
			_ = undoSavepoint(keep, tx)
		}
	}()
	err := fn(tx)
	returned = true
	if err != nil {
		rerr := undoSavepoint(keep, tx)
		if rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("roll back to savepoint: %w", rerr))
		}
		return err
	}
	if _, err := tx.ExecContext(keep, `RELEASE write`); err != nil {
		return fmt.Errorf("release savepoint: %w", err)
	}
	return nil
}

// undoSavepoint rolls tx back to the savepoint savepoint began, and
// releases it (a rollback to a savepoint keeps it open).
func undoSavepoint(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `ROLLBACK TO write`)
	if err == nil {
		_, err = tx.ExecContext(ctx, `RELEASE write`)
	}
	return err
}

// read runs fn in a read transaction, so that the queries it makes see one
// snapshot of the database; inside WithTx, in that transaction.
func (db *DB) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if tx, ok := db.r.(*sql.Tx); ok {
		return fn(tx)
	}
	tx, err := db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// queryer is what *sql.DB and *sql.Tx have in common.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// scanner is what *sql.Row and *sql.Rows have in common.
type scanner interface {
	Scan(dest ...any) error
}

// sqliteCode returns the extended result code of an SQLite error, 0 for
// other errors.
func sqliteCode(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return 0
}

// isBusy reports whether err is SQLITE_BUSY or SQLITE_LOCKED (any
// extended code).
func isBusy(err error) bool {
	c := sqliteCode(err) & 0xff
	return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
}

// isUnique reports whether err is a unique or primary key violation.
func isUnique(err error) bool {
	c := sqliteCode(err)
	return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// isForeignKey reports whether err is a foreign key violation.
func isForeignKey(err error) bool {
	return sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

// isInvalid reports whether err is a NOT NULL or CHECK violation.
func isInvalid(err error) bool {
	c := sqliteCode(err)
	return c == sqlite3.SQLITE_CONSTRAINT_NOTNULL || c == sqlite3.SQLITE_CONSTRAINT_CHECK
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
	case isUnique(err):
		return &legwork.Error{Code: legwork.ECONFLICT, Message: conflict, Err: err}
	case isForeignKey(err):
		return &legwork.Error{Code: legwork.ENOTFOUND, Message: "a referenced item does not exist", Err: err}
	case isInvalid(err):
		return &legwork.Error{Code: legwork.EINVALID, Message: "invalid value", Err: err}
	}
	return fmt.Errorf("sqlite: %s: %w", op, err)
}

// notFound returns the ENOTFOUND error about an item.
func notFound(format string, args ...any) error {
	return legwork.Errorf(legwork.ENOTFOUND, format, args...)
}

// affected returns an ENOTFOUND error made by nf when res changed no row.
func affected(res sql.Result, nf func() error) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("rows affected: %w", err)
	}
	if n == 0 {
		return nf()
	}
	return nil
}
