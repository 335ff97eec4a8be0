package app_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"legwork"
	"legwork/postgres"
	"legwork/sqlite"
)

// pgURL is the URL of the PostgreSQL database made for this run, when
// LEGWORK_TEST_POSTGRES is set; each test gets its own schema in it.
var (
	pgURL     string
	pgSchemas atomic.Int64
)

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

// runMain runs the tests, on a fresh PostgreSQL database when
// LEGWORK_TEST_POSTGRES names a server (dropped afterwards).
func runMain(m *testing.M) int {
	base := os.Getenv("LEGWORK_TEST_POSTGRES")
	if base == "" {
		return m.Run()
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name := fmt.Sprintf("legwork_app_test_%d_%d", os.Getpid(), time.Now().UnixNano())
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		fmt.Fprintln(os.Stderr, "LEGWORK_TEST_POSTGRES:", err)
		return 1
	}
	defer admin.Close(context.Background())
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		fmt.Fprintln(os.Stderr, "create test database:", err)
		return 1
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			fmt.Fprintln(os.Stderr, "drop test database:", err)
		}
	}()
	u, err := url.Parse(base)
	if err != nil {
		fmt.Fprintln(os.Stderr, "LEGWORK_TEST_POSTGRES:", err)
		return 1
	}
	u.Path = "/" + name
	pgURL = u.String()
	return m.Run()
}

// openStore returns an empty store for one test: an SQLite file in a
// temporary directory, or a schema of its own in the PostgreSQL test
// database. now stamps what the store dates itself.
func openStore(t testing.TB, now func() time.Time) legwork.Store {
	t.Helper()
	db, _ := openDatabase(t, now)
	return db
}

// openDatabase is openStore that also returns a function opening the same
// database again: another connection to it, as another process (or the
// same one after a restart) has. Each store is closed when the test ends.
func openDatabase(t testing.TB, now func() time.Time) (legwork.Store, func() legwork.Store) {
	t.Helper()
	if pgURL == "" {
		path := t.TempDir() + "/legwork.db"
		open := func() legwork.Store {
			t.Helper()
			db, err := sqlite.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			db.Now = now
			t.Cleanup(func() { db.Close() })
			return db
		}
		return open(), open
	}
	ctx := context.Background()
	schema := fmt.Sprintf("t%d", pgSchemas.Add(1))
	conn, err := pgx.Connect(ctx, pgURL)
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(ctx, "CREATE SCHEMA "+schema)
	conn.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(pgURL)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	open := func() legwork.Store {
		t.Helper()
		db, err := postgres.Open(ctx, u.String())
		if err != nil {
			t.Fatal(err)
		}
		db.Now = now
		t.Cleanup(func() { db.Close() })
		return db
	}
	return open(), open
}
