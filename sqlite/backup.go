package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/pressly/goose/v3"
)

// Backup writes a consistent copy of the database to dstPath while the
// database stays in use (VACUUM INTO: writers are not blocked). The copy
// is written next to dstPath, checked (integrity, foreign keys, schema
// version), synced to disk, and then renamed over dstPath, so dstPath
// always holds either its previous content or the complete new copy. The
// file is created with mode 0600.
func (db *DB) Backup(ctx context.Context, dstPath string) error {
	dst, err := filepath.Abs(dstPath)
	if err != nil {
		return fmt.Errorf("sqlite: backup to %q: %w", dstPath, err)
	}
	if dst == db.path {
		return fmt.Errorf("sqlite: backup to %s: that is the database itself", dst)
	}
	tmp, err := tempFile(dst)
	if err != nil {
		return fmt.Errorf("sqlite: backup to %s: %w", dst, err)
	}
	defer os.Remove(tmp)
	// VACUUM INTO writes into an empty existing file; it reads in one
	// transaction, so the copy is a snapshot. It needs a connection of
	// its own: the readers are query_only, which forbids it, and the
	// writer would hold up writes for the duration.
	conn, err := sql.Open("sqlite", dsn(db.path, commonParams))
	if err != nil {
		return fmt.Errorf("sqlite: backup to %s: %w", dst, err)
	}
	_, err = conn.ExecContext(ctx, `VACUUM INTO ?`, tmp)
	if cerr := conn.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sqlite: backup to %s: %w", dst, err)
	}
	if err := verifyFile(ctx, tmp, false); err != nil {
		return fmt.Errorf("sqlite: backup to %s: the copy failed its check: %w", dst, err)
	}
	if err := syncFile(tmp); err != nil {
		return fmt.Errorf("sqlite: backup to %s: %w", dst, err)
	}
	if err := replaceDB(tmp, dst); err != nil {
		return fmt.Errorf("sqlite: backup to %s: %w", dst, err)
	}
	return nil
}

// Restore replaces the database at dstPath with the backup at srcPath. It
// first checks the backup (PRAGMA integrity_check and foreign_key_check,
// and a schema version this code knows: a backup from a newer legwork is
// refused; an older one is migrated by the next Open), then copies it next
// to dstPath, checks the copy, syncs it and renames it over dstPath after
// removing dstPath's -wal and -shm files, which belong to the replaced
// database. When Restore fails, dstPath is left as it was.
//
// No process may have dstPath open during a restore: a server that has it
// open would go on writing to the replaced file, and whatever it stored
// after the restore would be lost. Restore refuses with ErrInUse when it
// finds another connection to dstPath open (see checkpointAlone); it
// cannot see a process that opens dstPath after that check, so the caller
// keeps such processes out too (legwork restore takes the data folder's
// lock, which a running server holds).
func Restore(srcPath, dstPath string) error {
	ctx := context.Background()
	src, err := filepath.Abs(srcPath)
	if err != nil {
		return fmt.Errorf("sqlite: restore %q: %w", srcPath, err)
	}
	dst, err := filepath.Abs(dstPath)
	if err != nil {
		return fmt.Errorf("sqlite: restore to %q: %w", dstPath, err)
	}
	if src == dst {
		return fmt.Errorf("sqlite: restore %s: source and destination are the same file", src)
	}
	// Refuse before any work when the database is in use, and again just
	// before replacing it.
	if err := checkpointAlone(ctx, dst); err != nil {
		return fmt.Errorf("sqlite: restore to %s: %w", dst, err)
	}
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("sqlite: restore: %w", err)
	}
	srcDB, err := openReadOnly(src)
	if err != nil {
		return fmt.Errorf("sqlite: restore %s: %w", src, err)
	}
	defer srcDB.Close()
	if err := verify(ctx, srcDB, true); err != nil {
		return fmt.Errorf("sqlite: restore %s: not a usable legwork backup: %w", src, err)
	}

	tmp, err := tempFile(dst)
	if err != nil {
		return fmt.Errorf("sqlite: restore to %s: %w", dst, err)
	}
	defer os.Remove(tmp)
	if _, err := srcDB.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		return fmt.Errorf("sqlite: restore %s: copy: %w", src, err)
	}
	if err := srcDB.Close(); err != nil {
		return fmt.Errorf("sqlite: restore %s: %w", src, err)
	}
	if err := verifyFile(ctx, tmp, false); err != nil {
		return fmt.Errorf("sqlite: restore %s: the copy failed its check: %w", src, err)
	}
	if err := syncFile(tmp); err != nil {
		return fmt.Errorf("sqlite: restore to %s: %w", dst, err)
	}
	if err := checkpointAlone(ctx, dst); err != nil {
		return fmt.Errorf("sqlite: restore to %s: %w", dst, err)
	}
	if err := replaceDB(tmp, dst); err != nil {
		return fmt.Errorf("sqlite: restore to %s: %w", dst, err)
	}
	return nil
}

// openReadOnly opens a database file for reading only, with one
// connection.
func openReadOnly(path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", dsn(path, "mode=ro&_pragma=busy_timeout(5000)"))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// verifyFile runs verify on the database file at path.
func verifyFile(ctx context.Context, path string, full bool) error {
	db, err := openReadOnly(path)
	if err != nil {
		return err
	}
	defer db.Close()
	return verify(ctx, db, full)
}

// versionTable is the table where goose records the applied migrations
// (its default name).
const versionTable = "goose_db_version"

// requiredTables are tables every legwork database has.
var requiredTables = []string{"users", "assessments", "assessment_metrics", "recordings", "audit_events"}

// verify checks that db is a sound legwork database of a schema version
// this code knows: PRAGMA integrity_check (quick_check unless full) and
// foreign_key_check find nothing wrong, and the goose version is between 1
// and the latest embedded migration.
func verify(ctx context.Context, db *sql.DB, full bool) error {
	check := "quick_check"
	if full {
		check = "integrity_check"
	}
	rows, err := db.QueryContext(ctx, "PRAGMA "+check)
	if err != nil {
		return fmt.Errorf("%s: %w", check, err)
	}
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return fmt.Errorf("%s: %w", check, err)
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", check, err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s: %s", check, strings.Join(problems[:min(len(problems), 5)], "; "))
	}

	for _, table := range append([]string{versionTable}, requiredTables...) {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, table).Scan(&n); err != nil {
			return fmt.Errorf("read schema: %w", err)
		}
		if n == 0 {
			return fmt.Errorf("no table %s", table)
		}
	}
	var version sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT max(version_id) FROM `+versionTable).Scan(&version); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	latest, err := latestVersion()
	if err != nil {
		return err
	}
	switch {
	case !version.Valid || version.Int64 < 1:
		return errors.New("no migration has been applied")
	case version.Int64 > latest:
		return fmt.Errorf("schema version %d is newer than this program's (%d): use a newer legwork", version.Int64, latest)
	}

	var violations int
	rows, err = db.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return fmt.Errorf("foreign_key_check: %w", err)
	}
	for rows.Next() {
		violations++
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return fmt.Errorf("foreign_key_check: %w", err)
	}
	if violations > 0 {
		return fmt.Errorf("foreign_key_check: %d rows refer to missing rows", violations)
	}
	return nil
}

// latestVersion returns the version of the last embedded migration.
func latestVersion() (int64, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	var latest int64
	for _, e := range entries {
		v, err := goose.NumericComponent(e.Name())
		if err != nil {
			return 0, fmt.Errorf("migrations: %w", err)
		}
		latest = max(latest, v)
	}
	return latest, nil
}

// tempFile creates an empty file with mode 0600 in the directory of path
// and returns its name.
func tempFile(path string) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return "", err
	}
	name := f.Name()
	if err := f.Close(); err != nil {
		os.Remove(name)
		return "", err
	}
	return name, nil
}

// syncFile flushes a file to stable storage.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return f.Close()
}

// ErrInUse is returned by Restore when another connection, in this or
// another process, has the database it would replace open.
var ErrInUse = errors.New("the database is in use by another program (a running legwork server?): stop it first")

// checkpointAlone checks that no other connection has the database at path
// open and makes it self-contained, moving what its write-ahead log holds
// into the file, so that it is consistent on its own should the
// replacement of it be interrupted.
//
// The check rests on SQLite's own locks: in WAL mode every open connection
// holds a shared lock on the database file for as long as it is open (an
// idle server included), so a connection in exclusive locking mode, which
// must take an exclusive lock to read, is refused at once (busy_timeout 0)
// while another is open; it then returns ErrInUse. Anything else is best
// effort: the database may be missing or damaged, which may be why it is
// replaced.
func checkpointAlone(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err != nil {
		return nil
	}
	db, err := sql.Open("sqlite", dsn(path, "_pragma=busy_timeout(0)&_pragma=locking_mode(EXCLUSIVE)"))
	if err != nil {
		return nil
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema`).Scan(&n); err != nil {
		if isBusy(err) {
			return ErrInUse
		}
		return nil
	}
	var busy, logPages, done int
	if err := db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logPages, &done); isBusy(err) {
		return ErrInUse
	}
	return nil
}

// replaceDB renames the database file tmp over dst, after removing the
// -wal and -shm files of dst (SQLite would otherwise apply the old
// database's log to the new file), and syncs the directory so that the
// rename is durable.
func replaceDB(tmp, dst string) error {
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if err := os.Remove(dst + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove stale %s file: %w", suffix, err)
		}
	}
	if err := os.Rename(tmp, dst); err != nil {
		return err
	}
	dir, err := os.Open(filepath.Dir(dst))
	if err != nil {
		return err
	}
	defer dir.Close()
	if err := dir.Sync(); err != nil {
		return fmt.Errorf("sync directory: %w", err)
	}
	return nil
}
