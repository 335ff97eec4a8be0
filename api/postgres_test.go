package api_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"legwork"
	"legwork/postgres"
)

// pgStore is the PostgreSQL store every test shares when
// LEGWORK_TEST_POSTGRES is set: one database made for this run and dropped
// after it. Tests stay apart by making their own users.
var pgStore legwork.Store

func postgresStore(t testing.TB) legwork.Store { return pgStore }

// runMain runs the tests, on a fresh PostgreSQL database when
// LEGWORK_TEST_POSTGRES names a server.
func runMain(m *testing.M) int {
	base := os.Getenv("LEGWORK_TEST_POSTGRES")
	if base == "" {
		return m.Run()
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name := fmt.Sprintf("legwork_api_test_%d_%d", os.Getpid(), time.Now().UnixNano())
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
	db, err := postgres.Open(ctx, u.String())
	if err != nil {
		fmt.Fprintln(os.Stderr, "open test database:", err)
		return 1
	}
	defer db.Close()
	pgStore = db
	return m.Run()
}
