package sqlite

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"legwork"
)

// fill stores a person with n assessments and returns the person.
func fill(t *testing.T, db *DB, email string, n int) *legwork.User {
	t.Helper()
	ctx := t.Context()
	u := &legwork.User{Email: email, Name: "Pat", Role: legwork.RolePerson}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		a := &legwork.Assessment{PersonID: u.ID, TestType: legwork.TestT25FW, RecordedAt: time.Unix(int64(i)*86400, 0),
			Result: []byte(`{"i":` + strings.Repeat("1", i+1) + `}`), Metrics: map[string]float64{"t25fw_time_s": float64(i)}}
		if err := db.CreateAssessment(ctx, a, &legwork.Recording{Format: "csv", Encoding: "gzip", Data: []byte{1, 2, byte(i)}, Samples: i}); err != nil {
			t.Fatal(err)
		}
	}
	return u
}

// countAssessments returns the number of assessments in the database file
// at path.
func countAssessments(t *testing.T, path string) int {
	t.Helper()
	db, err := Open(path)
	if err != nil {
		t.Fatalf("Open %s: %v", path, err)
	}
	defer db.Close()
	ids, err := db.AssessmentIDs(t.Context(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return len(ids)
}

// fileSum returns the SHA-256 of a file, "" when it does not exist.
func fileSum(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return string(sum[:])
}

// noTempFiles fails the test if a temporary file is left in dir.
func noTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

// TestBackupRestore backs up a database while it is being written to,
// then restores the backup over the database: the result is the database
// as it was at some moment of the backup, intact.
func TestBackupRestore(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "legwork.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	u := fill(t, db, "a@example.org", 20)

	// Write while the backup runs: it must not block or break writers.
	var stop atomic.Bool
	var wg sync.WaitGroup
	var written atomic.Int64
	wg.Go(func() {
		for i := 0; !stop.Load(); i++ {
			a := &legwork.Assessment{PersonID: u.ID, TestType: legwork.TestWalk, RecordedAt: time.Unix(int64(i), 0), Metrics: map[string]float64{"m": 1}}
			if err := db.CreateAssessment(context.Background(), a, nil); err != nil {
				t.Errorf("write during backup: %v", err)
				return
			}
			written.Add(1)
		}
	})
	backup := filepath.Join(dir, "backup.db")
	err = db.Backup(t.Context(), backup)
	stop.Store(true)
	wg.Wait()
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}
	info, err := os.Stat(backup)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("backup has mode %v, want 0600", perm)
	}
	inBackup := countAssessments(t, backup)
	if inBackup < 20 || inBackup > 20+int(written.Load()) {
		t.Errorf("backup holds %d assessments, want between 20 and %d", inBackup, 20+written.Load())
	}
	if err := verifyFile(t.Context(), backup, true); err != nil {
		t.Errorf("backup: %v", err)
	}

	// A second backup to the same path replaces the first.
	fill(t, db, "b@example.org", 5)
	if err := db.Backup(t.Context(), backup); err != nil {
		t.Fatalf("second Backup: %v", err)
	}
	total := 20 + int(written.Load()) + 5
	if got := countAssessments(t, backup); got != total {
		t.Errorf("second backup holds %d assessments, want %d", got, total)
	}
	fill(t, db, "c@example.org", 3) // after the backup: lost by the restore
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	if err := Restore(backup, path); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	if got := countAssessments(t, path); got != total {
		t.Errorf("restored database holds %d assessments, want %d", got, total)
	}
	restored, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	if _, err := restored.UserByEmail(t.Context(), "c@example.org"); legwork.ErrorCode(err) != legwork.ENOTFOUND {
		t.Errorf("user created after the backup: got %v, want ENOTFOUND", err)
	}
	a, err := restored.Assessment(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if string(a.Result) != `{"i":1}` || a.Metrics["t25fw_time_s"] != 0 || !a.HasRaw {
		t.Errorf("restored assessment 1: %+v", a)
	}
	noTempFiles(t, dir)
}

func TestBackupErrors(t *testing.T) {
	dir := t.TempDir()
	db := openTest(t)
	if err := db.Backup(t.Context(), db.Path()); err == nil {
		t.Error("Backup over the database itself succeeded")
	}
	if err := db.Backup(t.Context(), filepath.Join(dir, "missing", "backup.db")); err == nil {
		t.Error("Backup into a missing directory succeeded")
	}
	noTempFiles(t, dir)
}

// TestRestoreRefuses restores files that are not sound legwork backups:
// each is refused, and the destination is left as it was.
func TestRestoreRefuses(t *testing.T) {
	dir := t.TempDir()
	dst := filepath.Join(dir, "legwork.db")
	db, err := Open(dst)
	if err != nil {
		t.Fatal(err)
	}
	fill(t, db, "a@example.org", 3)
	good := filepath.Join(dir, "good.db")
	if err := db.Backup(t.Context(), good); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	goodBytes, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}

	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// A backup whose schema is newer than this code.
	newer := write("newer.db", goodBytes)
	raw, err := sql.Open("sqlite", dsn(newer, ""))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (999999, 1)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	// A database that is not legwork's.
	other := filepath.Join(dir, "other.db")
	raw, err = sql.Open("sqlite", dsn(other, ""))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	// A damaged page: flip the first bytes of the page in the middle of
	// the file — its b-tree header and cell pointers, which the check
	// reads (bytes in a page's unused space would go unnoticed, and where
	// those lie moves with the schema).
	damaged := bytes.Clone(goodBytes)
	const pageSize = 4096 // a new database's page size
	mid := len(damaged) / 2 / pageSize * pageSize
	for i := mid; i < mid+512; i++ {
		damaged[i] ^= 0x5a
	}

	sources := map[string]string{
		"garbage":   write("garbage.db", bytes.Repeat([]byte("not a database "), 512)),
		"truncated": write("truncated.db", goodBytes[:len(goodBytes)/2]),
		"damaged":   write("damaged.db", damaged),
		"empty":     write("empty.db", nil),
		"newer":     newer,
		"other":     other,
		"missing":   filepath.Join(dir, "missing.db"),
		"itself":    dst,
	}
	before := fileSum(t, dst)
	for name, src := range sources {
		if err := Restore(src, dst); err == nil {
			t.Errorf("Restore of a %s file succeeded", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
		if fileSum(t, dst) != before {
			t.Fatalf("Restore of a %s file changed the destination", name)
		}
	}
	noTempFiles(t, dir)
	if got := countAssessments(t, dst); got != 3 {
		t.Errorf("destination holds %d assessments after refused restores, want 3", got)
	}
}

// TestRestoreAfterCrash restores over a database whose process was killed,
// leaving a write-ahead log: the log of the old database must not be
// applied to the restored one.
func TestRestoreAfterCrash(t *testing.T) {
	dir := t.TempDir()
	db, dst, backup := backedUp(t, dir, 30)
	// Simulate the crash: the files as a killed process leaves them, the
	// log not yet copied into the database file.
	crashed := filepath.Join(t.TempDir(), "crashed")
	if err := os.Mkdir(crashed, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(dst + suffix)
		if err != nil {
			t.Fatalf("read %s%s: %v", dst, suffix, err)
		}
		if err := os.WriteFile(filepath.Join(crashed, "legwork.db"+suffix), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	dst = filepath.Join(crashed, "legwork.db")

	if err := Restore(backup, dst); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if info, err := os.Stat(dst + suffix); err == nil && info.Size() > 0 {
			t.Errorf("%s of the replaced database left behind (%d bytes)", suffix, info.Size())
		}
	}
	if got := countAssessments(t, dst); got != 2 {
		t.Errorf("restored database holds %d assessments, want 2", got)
	}
	if err := verifyFile(t.Context(), dst, true); err != nil {
		t.Errorf("restored database: %v", err)
	}
}

// TestReplaceDBRemovesStaleFiles checks the last step of a restore alone:
// -wal, -shm and -journal files of the replaced database go.
func TestReplaceDBRemovesStaleFiles(t *testing.T) {
	dir := t.TempDir()
	dst := filepath.Join(dir, "legwork.db")
	for _, name := range []string{dst, dst + "-wal", dst + "-shm", dst + "-journal"} {
		if err := os.WriteFile(name, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tmp, err := tempFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tmp, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := replaceDB(tmp, dst); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(dst); err != nil || string(b) != "new" {
		t.Errorf("destination holds %q (%v), want the new file", b, err)
	}
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Stat(dst + suffix); !os.IsNotExist(err) {
			t.Errorf("%s file not removed", suffix)
		}
	}
	noTempFiles(t, dir)
}
