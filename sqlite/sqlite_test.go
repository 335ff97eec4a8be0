package sqlite

import (
	"path/filepath"
	"testing"

	"legwork"
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
	storetest.Run(t, func(t *testing.T) legwork.Store { return openTest(t) })
}
