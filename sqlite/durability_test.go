package sqlite

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"legwork"
)

// TestPragmas checks the connection settings the durability and integrity
// guarantees rest on, on the writer and on every reader.
func TestPragmas(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	check := func(name string, q queryer, pragma string, want string) {
		t.Helper()
		var got string
		if err := q.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
			t.Fatalf("%s: PRAGMA %s: %v", name, pragma, err)
		}
		if !strings.EqualFold(got, want) {
			t.Errorf("%s: PRAGMA %s = %s, want %s", name, pragma, got, want)
		}
	}
	check("writer", db.writer, "journal_mode", "wal")
	check("writer", db.writer, "synchronous", "2") // FULL
	check("writer", db.writer, "foreign_keys", "1")
	check("writer", db.writer, "busy_timeout", "5000")
	check("writer", db.writer, "query_only", "0")

	// Hold several reader connections at once so that each is checked.
	var conns []*sql.Conn
	for range 3 {
		c, err := db.reader.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, c)
	}
	for i, c := range conns {
		name := fmt.Sprintf("reader %d", i)
		check(name, c, "journal_mode", "wal")
		check(name, c, "foreign_keys", "1")
		check(name, c, "busy_timeout", "5000")
		check(name, c, "query_only", "1")
		if _, err := c.ExecContext(ctx, `INSERT INTO audit_events (at, action) VALUES (0, 'x')`); err == nil {
			t.Errorf("%s: a write succeeded on a read-only connection", name)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	for _, path := range []string{"", ":memory:", "file:x.db?mode=memory", dir, filepath.Join(dir, "missing", "x.db")} {
		if db, err := Open(path); err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded", path)
		}
	}
}

// TestOpenOddPath opens a file whose name has characters that mean
// something in a URI.
func TestOpenOddPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "we?ird #name%20&mode=ro.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CreateUser(t.Context(), &legwork.User{Email: "a@example.org", Role: legwork.RolePerson}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database file not at its path: %v", err)
	}
}

// TestReopen checks that data outlives the DB and that opening a migrated
// database again changes nothing.
func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "legwork.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	u := &legwork.User{Email: "a@example.org", Name: "A", Role: legwork.RolePerson}
	if err := db.CreateUser(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	v1, err := db.SchemaVersion(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.User(t.Context(), u.ID); err != nil {
		t.Errorf("User after reopening: %v", err)
	}
	v2, err := db.SchemaVersion(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	latest, err := latestVersion()
	if err != nil {
		t.Fatal(err)
	}
	if v1 != latest || v2 != latest {
		t.Errorf("schema versions %d, %d; want %d", v1, v2, latest)
	}
}

// TestAuditAppendOnly checks that the database itself refuses to change
// or delete audit events.
func TestAuditAppendOnly(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	e := &legwork.AuditEvent{Action: "login"}
	if err := db.AppendAudit(ctx, e); err != nil {
		t.Fatal(err)
	}
	if _, err := db.writer.ExecContext(ctx, `UPDATE audit_events SET action = 'x' WHERE id = ?`, e.ID); err == nil {
		t.Error("UPDATE of an audit event succeeded")
	}
	if _, err := db.writer.ExecContext(ctx, `DELETE FROM audit_events WHERE id = ?`, e.ID); err == nil {
		t.Error("DELETE of an audit event succeeded")
	}
	list, err := db.ListAudit(ctx, legwork.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Action != "login" {
		t.Errorf("audit log after refused changes: %+v", list)
	}
}

// TestMetricSeriesUsesPrimaryKey checks that a series is one range scan of
// the clustered primary key of assessment_metrics, with no sorting.
func TestMetricSeriesUsesPrimaryKey(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	personID := seedHistory(t, db, 3, 100)
	rows, err := db.reader.QueryContext(ctx, `EXPLAIN QUERY PLAN
		SELECT assessment_id, recorded_at, value, test_type, device FROM assessment_metrics
		WHERE person_id = ? AND metric = ? AND recorded_at >= ? AND test_type = ? ORDER BY recorded_at, assessment_id`,
		personID, "walking_speed_mps", 0, "t25fw")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	text := strings.Join(plan, "; ")
	if !strings.Contains(text, "USING PRIMARY KEY (person_id=? AND metric=? AND recorded_at>?)") || strings.Contains(text, "TEMP B-TREE") {
		t.Errorf("query plan %q: want a primary key range scan without sorting", text)
	}
}

// TestTwoProcesses opens the same file twice (as a server and the CLI
// would) and writes from both at once: the second writer waits for the
// lock (busy_timeout, BEGIN IMMEDIATE) instead of failing with
// SQLITE_BUSY.
func TestTwoProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "legwork.db")
	var dbs [2]*DB
	for i := range dbs {
		db, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		dbs[i] = db
	}
	ctx := t.Context()
	u := &legwork.User{Email: "a@example.org", Role: legwork.RolePerson}
	if err := dbs[0].CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	const each = 40
	var wg sync.WaitGroup
	errs := make(chan error, 2*each)
	for i, db := range dbs {
		wg.Go(func() {
			for j := range each {
				a := &legwork.Assessment{PersonID: u.ID, TestType: legwork.TestWalk, RecordedAt: time.Unix(int64(i*each+j), 0),
					Metrics: map[string]float64{"m": float64(j)}}
				if err := db.CreateAssessment(ctx, a, nil); err != nil {
					errs <- err
					return
				}
				if _, err := db.MetricSeries(ctx, legwork.MetricFilter{PersonID: u.ID, Metric: "m"}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	ids, err := dbs[1].AssessmentIDs(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2*each {
		t.Errorf("%d assessments stored, want %d", len(ids), 2*each)
	}
}

const crashEnv = "LEGWORK_SQLITE_CRASH_DB"

// TestKill9 writes assessments in a child process, which prints the id of
// each as CreateAssessment returns, and kills it (SIGKILL) in the middle:
// every acknowledged assessment must be in the database afterwards, and
// the database intact.
func TestKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	path := filepath.Join(t.TempDir(), "legwork.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestKill9Child$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acked []int64
	sc := bufio.NewScanner(out)
	for sc.Scan() && len(acked) < 25 {
		if id, ok := strings.CutPrefix(sc.Text(), "ack "); ok {
			n, err := strconv.ParseInt(id, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			acked = append(acked, n)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if len(acked) < 25 {
		t.Fatalf("child acknowledged %d assessments before it stopped", len(acked))
	}

	if err := verifyFile(context.Background(), path, true); err != nil {
		t.Fatalf("database after kill -9: %v", err)
	}
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, id := range acked {
		a, err := db.Assessment(t.Context(), id)
		if err != nil {
			t.Errorf("acknowledged assessment %d lost: %v", id, err)
			continue
		}
		if _, err := db.Recording(t.Context(), id); err != nil || len(a.Metrics) != 2 {
			t.Errorf("acknowledged assessment %d incomplete: %d metrics, recording error %v", id, len(a.Metrics), err)
		}
	}
}

// TestKill9Child is the child process of TestKill9: it writes until it is
// killed.
func TestKill9Child(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("the child process of TestKill9")
	}
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	u := &legwork.User{Email: "a@example.org", Role: legwork.RolePerson}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		a := &legwork.Assessment{PersonID: u.ID, TestType: legwork.TestWalk, RecordedAt: time.Unix(int64(i), 0),
			Metrics: map[string]float64{"a": 1, "b": 2}}
		rec := &legwork.Recording{Format: "csv", Encoding: "gzip", Data: make([]byte, 64<<10), Samples: 1}
		rec.Data[0] = 1
		if err := db.CreateAssessment(ctx, a, rec); err != nil {
			t.Fatal(err)
		}
		fmt.Printf("ack %d\n", a.ID)
	}
}

// TestConcurrentOpen opens one new file from several DBs at once, as a
// server and the CLI started together would: every Open succeeds and the
// migrations are applied once.
func TestConcurrentOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "legwork.db")
	const n = 5
	dbs := make([]*DB, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { dbs[i], errs[i] = Open(path) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open %d: %v", i, err)
			continue
		}
		defer dbs[i].Close()
	}
	if t.Failed() {
		return
	}
	var applied int
	if err := dbs[0].reader.QueryRowContext(t.Context(), `SELECT count(*) FROM goose_db_version WHERE version_id > 0`).Scan(&applied); err != nil {
		t.Fatal(err)
	}
	latest, err := latestVersion()
	if err != nil {
		t.Fatal(err)
	}
	if int64(applied) != latest {
		t.Errorf("%d migrations recorded, want %d (each once)", applied, latest)
	}
}
