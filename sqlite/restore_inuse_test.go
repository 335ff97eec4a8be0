package sqlite

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestRestoreRefusesOpenDatabase restores over a database another DB (in
// this process) has open, as a running server has: Restore must refuse
// with ErrInUse and leave the database as it was, so that nothing the
// holder writes afterwards is lost; once the holder has closed it, the
// same restore succeeds.
func TestRestoreRefusesOpenDatabase(t *testing.T) {
	dir := t.TempDir()
	db, path, backup := backedUp(t, dir, 3)

	err := Restore(backup, path)
	if !errors.Is(err, ErrInUse) {
		t.Fatalf("Restore over an open database: %v, want ErrInUse", err)
	}
	// The holder goes on working on the same file: what it writes stays.
	fill(t, db, "c@example.org", 1)
	ids, err := db.AssessmentIDs(t.Context(), 0, 0)
	if err != nil || len(ids) != 6 {
		t.Fatalf("after the refused restore: %d assessments, %v; want 6", len(ids), err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if got := countAssessments(t, path); got != 6 {
		t.Fatalf("after closing: %d assessments, want 6", got)
	}
	noTempFiles(t, dir)

	if err := Restore(backup, path); err != nil {
		t.Fatalf("Restore once closed: %v", err)
	}
	if got := countAssessments(t, path); got != 2 {
		t.Errorf("restored database holds %d assessments, want 2", got)
	}
}

// backedUp opens a database at dir/legwork.db, stores 2 assessments,
// backs it up to dir/backup.db, then stores more assessments after the
// backup. The caller closes db.
func backedUp(t *testing.T, dir string, more int) (db *DB, path, backup string) {
	t.Helper()
	path = filepath.Join(dir, "legwork.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	fill(t, db, "a@example.org", 2)
	backup = filepath.Join(dir, "backup.db")
	if err := db.Backup(t.Context(), backup); err != nil {
		t.Fatal(err)
	}
	fill(t, db, "b@example.org", more)
	return db, path, backup
}

const holdEnv = "LEGWORK_SQLITE_HOLD_DB"

// TestRestoreRefusesOtherProcess is TestRestoreRefusesOpenDatabase with the
// database held by another process that has gone idle, as a server
// between requests is.
func TestRestoreRefusesOtherProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dir := t.TempDir()
	db, path, backup := backedUp(t, dir, 3)
	db.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestRestoreHoldChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), holdEnv+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	sc := bufio.NewScanner(out)
	if !sc.Scan() || sc.Text() != "open" {
		t.Fatalf("child: %q", sc.Text())
	}
	if err := Restore(backup, path); !errors.Is(err, ErrInUse) {
		t.Fatalf("Restore while another process has the database open: %v, want ErrInUse", err)
	}
	stdin.Close() // the child closes the database and exits
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v", err)
	}
	if got := countAssessments(t, path); got != 5 {
		t.Fatalf("after the refused restore: %d assessments, want 5", got)
	}
	if err := Restore(backup, path); err != nil {
		t.Fatalf("Restore once the other process is gone: %v", err)
	}
	if got := countAssessments(t, path); got != 2 {
		t.Errorf("restored database holds %d assessments, want 2", got)
	}
}

// TestRestoreHoldChild is the child process of TestRestoreRefusesOtherProcess:
// it opens the database, reads once, says "open", and keeps it open, idle,
// until its standard input closes.
func TestRestoreHoldChild(t *testing.T) {
	path := os.Getenv(holdEnv)
	if path == "" {
		t.Skip("the child process of TestRestoreRefusesOtherProcess")
	}
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.AssessmentIDs(t.Context(), 0, 0); err != nil {
		t.Fatal(err)
	}
	fmt.Println("open")
	bufio.NewReader(os.Stdin).ReadString('\n')
}
