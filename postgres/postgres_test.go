package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"legwork"
	"legwork/storetest"
)

// The tests run against a PostgreSQL server when LEGWORK_TEST_POSTGRES
// holds a connection URL. TestMain creates a database of their own there
// (legwork_test_<pid>_<random>) and drops it at the end; each test works
// in a schema of its own in it, dropped when the test ends.

const envURL = "LEGWORK_TEST_POSTGRES"

// testDB is the database the tests run in: its URL and a pool to create
// and drop schemas with. Both are zero when the tests are skipped.
var testDB struct {
	url   string
	admin *pgxpool.Pool
	seq   atomic.Int64
}

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	base := os.Getenv(envURL)
	if base == "" {
		return m.Run() // every test skips
	}
	ctx := context.Background()
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		fmt.Fprintf(os.Stderr, "%s must be a postgres:// URL, got %q\n", envURL, base)
		return 1
	}
	name := fmt.Sprintf("legwork_test_%d_%08x", os.Getpid(), rand.Uint32())
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		fmt.Fprintf(os.Stderr, "connect to %s: %v\n", envURL, err)
		return 1
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		fmt.Fprintf(os.Stderr, "create test database: %v\n", err)
		return 1
	}
	defer func() {
		if _, err := conn.Exec(ctx, "DROP DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			fmt.Fprintf(os.Stderr, "drop test database %s: %v\n", name, err)
		}
	}()

	u.Path = "/" + name
	testDB.url = u.String()
	testDB.admin, err = pgxpool.New(ctx, testDB.url)
	if err != nil {
		fmt.Fprintf(os.Stderr, "connect to the test database: %v\n", err)
		return 1
	}
	defer testDB.admin.Close()
	return m.Run()
}

// newSchema creates an empty schema, dropped with everything in it when
// the test ends, and returns the URL of the test database with that
// schema as its search_path.
func newSchema(t testing.TB) string {
	t.Helper()
	skipWithoutServer(t)
	ctx := context.Background()
	schema := fmt.Sprintf("t%d", testDB.seq.Add(1))
	ident := pgx.Identifier{schema}.Sanitize()
	if _, err := testDB.admin.Exec(ctx, "CREATE SCHEMA "+ident); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := testDB.admin.Exec(context.Background(), "DROP SCHEMA "+ident+" CASCADE"); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})
	u, err := url.Parse(testDB.url)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// skipWithoutServer skips the test when no server was given.
func skipWithoutServer(t testing.TB) {
	t.Helper()
	if testDB.url == "" {
		t.Skipf("PostgreSQL tests skipped: set %s to a server URL, e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable", envURL)
	}
}

// openTest opens a store in a new schema, closed when the test ends.
func openTest(t testing.TB) *DB {
	t.Helper()
	u := newSchema(t)
	db, err := Open(context.Background(), u)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestStore(t *testing.T) {
	skipWithoutServer(t)
	storetest.Run(t, func(t *testing.T) storetest.Store { return openTest(t) })
}

// RedoMigration undoes the migrations down to before version and applies
// them again, as an upgrade from that schema would.
func (db *DB) RedoMigration(ctx context.Context, version int64) error {
	sqlDB := stdlib.OpenDB(*db.pool.Config().ConnConfig.Copy())
	p, err := newProvider(sqlDB)
	if err != nil {
		sqlDB.Close()
		return err
	}
	defer p.Close()
	if _, err := p.DownTo(ctx, version-1); err != nil {
		return err
	}
	_, err = p.Up(ctx)
	return err
}

// DeleteUser deletes an account as an operator does, in SQL: legwork has
// no way to, but the conformance suite checks what the schema does then.
func (db *DB) DeleteUser(ctx context.Context, id int64) error {
	tag, err := db.q.Exec(ctx, `DELETE FROM users WHERE id = $1`, id)
	if err != nil {
		return mapErr(err, "delete user", "conflict")
	}
	return affected(tag, func() error { return notFound("user %d not found", id) })
}

// TestConcurrentOpen opens one empty database from several goroutines at
// once, as servers starting together do: the migrations run once, under
// the advisory lock, and every Open succeeds.
func TestConcurrentOpen(t *testing.T) {
	u := newSchema(t)
	const n = 6
	dbs := make([]*DB, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { dbs[i], errs[i] = Open(t.Context(), u) })
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
	err := dbs[0].pool.QueryRow(t.Context(), `SELECT count(*) FROM goose_db_version WHERE version_id > 0`).Scan(&applied)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := migrationFS.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	if applied != len(entries) {
		t.Errorf("%d migrations recorded, want %d (each once)", applied, len(entries))
	}
	v, err := dbs[0].SchemaVersion(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if v < 1 {
		t.Errorf("SchemaVersion = %d after Open", v)
	}
	// The stores work.
	u0 := &legwork.User{Email: "a@example.org", Role: legwork.RolePerson}
	if err := dbs[1].CreateUser(t.Context(), u0); err != nil {
		t.Fatal(err)
	}
	if _, err := dbs[n-1].User(t.Context(), u0.ID); err != nil {
		t.Errorf("User from another store: %v", err)
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
	if _, err := db.pool.Exec(ctx, `UPDATE audit_events SET action = 'x' WHERE id = $1`, e.ID); err == nil {
		t.Error("UPDATE of an audit event succeeded")
	}
	if _, err := db.pool.Exec(ctx, `DELETE FROM audit_events WHERE id = $1`, e.ID); err == nil {
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

// TestMetricSeriesUsesIndex checks that a series is read from the series
// index alone (an index-only scan), not from the table.
func TestMetricSeriesUsesIndex(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	personID := seedHistory(t, db, 3, 400)
	var plan string
	err := db.pool.QueryRow(ctx, `EXPLAIN (FORMAT TEXT)
		SELECT assessment_id, recorded_at, value, test_type, device FROM assessment_metrics
		WHERE person_id = $1 AND metric = $2 ORDER BY recorded_at, assessment_id`, personID, "walking_speed_mps").Scan(&plan)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Index Only Scan using assessment_metrics_series"; !strings.Contains(plan, want) {
		t.Errorf("plan %q does not contain %q", plan, want)
	}
}
