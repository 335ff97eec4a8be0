package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"legwork/storetest"
)

// openTest opens a new database in a temporary directory, closed when the
// test ends.
func openTest(t testing.TB) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "legwork.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return openTest(t) })
}

// RedoMigration undoes the migrations down to before version and applies
// them again, as an upgrade from that schema would.
func (db *DB) RedoMigration(ctx context.Context, version int64) error {
	p, err := newProvider(db.writer)
	if err != nil {
		return err
	}
	if _, err := p.DownTo(ctx, version-1); err != nil {
		return err
	}
	_, err = p.Up(ctx)
	return err
}

// DeleteUser deletes an account as an operator does, in SQL: legwork has
// no way to, but the conformance suite checks what the schema does then.
func (db *DB) DeleteUser(ctx context.Context, id int64) error {
	res, err := db.w.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, id)
	if err != nil {
		return mapErr(err, "delete user", "conflict")
	}
	return affected(res, func() error { return notFound("user %d not found", id) })
}

// TestSavepointRollbackError: when undoing a savepoint fails, its error
// is returned with fn's.
func TestSavepointRollbackError(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	defer tx.Rollback()
	fnErr := errors.New("fn failed")
	err = savepoint(ctx, tx, func(tx *sql.Tx) error {
		// Gone, the savepoint cannot be rolled back to.
		if _, err := tx.ExecContext(ctx, `RELEASE write`); err != nil {
			t.Fatalf("release: %v", err)
		}
		return fnErr
	})
	if !errors.Is(err, fnErr) || !strings.Contains(err.Error(), "roll back to savepoint") {
		t.Errorf("savepoint returned %v, want fn's error and that of the rollback", err)
	}
}
