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
// after it. Tests stay apart by making their own users, and each fixture
// counts failed sign-ins and sign-ups of its own (every request comes from
// 127.0.0.1; see throttleScoped).
var pgStore legwork.Store

func postgresStore(t testing.TB) legwork.Store {
	if pgStore == nil {
		return nil
	}
	return &throttleScoped{Store: pgStore, scope: []byte(randomSuffix() + randomSuffix())}
}

// throttleScoped is a store whose rate-limit keys are prefixed with a
// scope of its own, so that fixtures sharing one database do not count
// each other's failed attempts: the limits are shared by every server on
// a database, which is what a deployment wants and tests running side by
// side do not.
type throttleScoped struct {
	legwork.Store
	scope []byte
}

func (s *throttleScoped) WithTx(ctx context.Context, fn func(tx legwork.Tx) error) error {
	return s.Store.WithTx(ctx, func(tx legwork.Tx) error {
		return fn(&throttleScopedTx{Tx: tx, scope: s.scope})
	})
}

func (s *throttleScoped) RecordAuthFailure(ctx context.Context, key []byte, at time.Time) error {
	return s.Store.RecordAuthFailure(ctx, scopedKey(s.scope, key), at)
}

func (s *throttleScoped) AuthFailures(ctx context.Context, key []byte, since time.Time, limit int) ([]time.Time, error) {
	return s.Store.AuthFailures(ctx, scopedKey(s.scope, key), since, limit)
}

func (s *throttleScoped) RemoveAuthFailure(ctx context.Context, key []byte, at time.Time) error {
	return s.Store.RemoveAuthFailure(ctx, scopedKey(s.scope, key), at)
}

func (s *throttleScoped) ClearAuthFailures(ctx context.Context, key []byte) error {
	return s.Store.ClearAuthFailures(ctx, scopedKey(s.scope, key))
}

// throttleScopedTx is the transaction of a throttleScoped store.
type throttleScopedTx struct {
	legwork.Tx
	scope []byte
}

func (tx *throttleScopedTx) RecordAuthFailure(ctx context.Context, key []byte, at time.Time) error {
	return tx.Tx.RecordAuthFailure(ctx, scopedKey(tx.scope, key), at)
}

func (tx *throttleScopedTx) AuthFailures(ctx context.Context, key []byte, since time.Time, limit int) ([]time.Time, error) {
	return tx.Tx.AuthFailures(ctx, scopedKey(tx.scope, key), since, limit)
}

func (tx *throttleScopedTx) RemoveAuthFailure(ctx context.Context, key []byte, at time.Time) error {
	return tx.Tx.RemoveAuthFailure(ctx, scopedKey(tx.scope, key), at)
}

func (tx *throttleScopedTx) ClearAuthFailures(ctx context.Context, key []byte) error {
	return tx.Tx.ClearAuthFailures(ctx, scopedKey(tx.scope, key))
}

func scopedKey(scope, key []byte) []byte {
	return append(append(append([]byte{}, scope...), 0), key...)
}

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
