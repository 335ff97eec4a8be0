package app_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"legwork"
	"legwork/app"
)

// The rate limits count failed attempts in the store: these tests run
// several Apps — the processes of one deployment, or one process before
// and after a restart — on separate connections to one database.

// newServer returns an App on s, as one `legwork serve` process.
func newServer(s legwork.Store, clk *clock, seed byte) *app.App {
	return app.New(app.Config{Store: s, Now: clk.Now, Rand: rand.NewChaCha8([32]byte{seed}), Password: fastPasswords})
}

// wantRetry fails the test unless err is ETOOMANY with exactly that wait
// and message.
func wantRetry(t *testing.T, err error, wait time.Duration, msg string) {
	t.Helper()
	wantCode(t, err, legwork.ETOOMANY)
	var ra app.RetryAfter
	if !errors.As(err, &ra) || time.Duration(ra) != wait {
		t.Errorf("retry after %v, want %v", time.Duration(ra), wait)
	}
	if got := legwork.ErrorMessage(err); got != msg {
		t.Errorf("message %q, want %q", got, msg)
	}
}

// sharedDatabase opens a database with one person's account
// (pat@example.org) and an App on it; reopen opens the same database again
// for a second process.
func sharedDatabase(t *testing.T) (*clock, *app.App, func() legwork.Store) {
	t.Helper()
	clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	db, reopen := openDatabase(t, clk.Now)
	a := newServer(db, clk, 1)
	if _, err := a.CreateUser(app.SystemContext(context.Background()), app.NewUser{Email: "pat@example.org", Name: "Pat", Role: legwork.RolePerson, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	return clk, a, reopen
}

// TestLoginLimitsShared: failures made through one process count in every
// other and after a restart; the wait is until the fifth most recent
// failure leaves the window, to the second; a successful sign-in on one
// process clears the account's count for all; wrong current passwords
// count with the sign-ins.
func TestLoginLimitsShared(t *testing.T) {
	clk, a, reopen := sharedDatabase(t)
	b := newServer(reopen(), clk, 2)
	from := app.NewContext(context.Background(), &app.Actor{IP: "198.51.100.7"})
	const email = "pat@example.org"
	lim := app.DefaultLoginLimits

	// Five failures a minute apart (t0 … t0+4m), on the two processes
	// in turn.
	for i := range lim.Account {
		_, err := []*app.App{a, b}[i%2].Login(from, email, "wrong password!")
		wantCode(t, err, legwork.EUNAUTHORIZED)
		clk.Advance(time.Minute)
	}
	// At t0+5m both refuse, the right password too, for ten minutes:
	// until the failure at t0 leaves the 15-minute window.
	for _, srv := range []*app.App{a, b} {
		_, err := srv.Login(from, " Pat@Example.org", testPassword)
		wantRetry(t, err, 10*time.Minute, "too many failed sign-ins; try again in 600 seconds")
	}
	// A restart (a new App on a new connection) remembers.
	c := newServer(reopen(), clk, 3)
	_, err := c.Login(from, email, testPassword)
	wantRetry(t, err, 10*time.Minute, "too many failed sign-ins; try again in 600 seconds")

	// A second before the failure at t0 leaves, a second to wait.
	clk.Advance(10*time.Minute - time.Second)
	_, err = c.Login(from, email, testPassword)
	wantRetry(t, err, time.Second, "too many failed sign-ins; try again in 1 seconds")
	// At t0+15m it has left: one more attempt, wrong, makes five in the
	// window again; the oldest is at t0+1m, so a minute to wait.
	clk.Advance(time.Second)
	_, err = b.Login(from, email, "wrong password!")
	wantCode(t, err, legwork.EUNAUTHORIZED)
	_, err = a.Login(from, email, testPassword)
	wantRetry(t, err, time.Minute, "too many failed sign-ins; try again in 60 seconds")

	// At t0+16m, four failures in the window: the right password signs
	// in on a, which clears the account's failures for b and c too:
	// four more failures leave room for a fifth attempt.
	clk.Advance(time.Minute)
	l, err := a.Login(from, email, testPassword)
	if err != nil {
		t.Fatalf("sign-in with four failures in the window: %v", err)
	}
	for range lim.Account - 1 {
		_, err := b.Login(from, email, "wrong password!")
		wantCode(t, err, legwork.EUNAUTHORIZED)
	}
	if _, err := c.Login(from, email, testPassword); err != nil {
		t.Fatalf("sign-in after a success cleared the failures: %v", err)
	}

	// Wrong current passwords through a session on a count against the
	// account's sign-ins on b, from any address.
	act, err := a.Authenticate(context.Background(), l.Token, "203.0.113.9")
	if err != nil {
		t.Fatal(err)
	}
	sctx := app.NewContext(context.Background(), act)
	for i := range lim.Account {
		wantCode(t, a.ChangePassword(sctx, fmt.Sprintf("guess %d of many", i), "a new long password"), legwork.EINVALID)
	}
	elsewhere := app.NewContext(context.Background(), &app.Actor{IP: "192.0.2.44"})
	_, err = b.Login(elsewhere, email, testPassword)
	wantRetry(t, err, lim.Window, "too many failed sign-ins; try again in 900 seconds")
	err = c.ChangePassword(sctx, testPassword, "a new long password")
	wantRetry(t, err, lim.Window, "too many wrong passwords; try again in 900 seconds")
}

// TestLoginLimitConcurrent: failures made at the same time through two
// processes are all counted: twenty wrong sign-ins from one address, all
// at once, lock the address on both.
func TestLoginLimitConcurrent(t *testing.T) {
	clk, a, reopen := sharedDatabase(t)
	servers := []*app.App{a, newServer(reopen(), clk, 2)}
	from := app.NewContext(context.Background(), &app.Actor{IP: "198.51.100.7"})
	n := app.DefaultLoginLimits.IP
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, errs[i] = servers[i%2].Login(from, fmt.Sprintf("nobody%d@example.org", i), "wrong password!")
		})
	}
	wg.Wait()
	// None could be refused: fewer than twenty were recorded before
	// each was checked.
	for i, err := range errs {
		if legwork.ErrorCode(err) != legwork.EUNAUTHORIZED {
			t.Errorf("attempt %d: %v, want %s", i, err, legwork.EUNAUTHORIZED)
		}
	}
	for _, srv := range servers {
		_, err := srv.Login(from, "pat@example.org", testPassword)
		wantRetry(t, err, app.DefaultLoginLimits.Window, "too many failed sign-ins; try again in 900 seconds")
	}
	other := app.NewContext(context.Background(), &app.Actor{IP: "198.51.100.8"})
	if _, err := servers[1].Login(other, "pat@example.org", testPassword); err != nil {
		t.Fatalf("from another address: %v", err)
	}
}

// TestSignUpLimitShared: sign-ups through several processes count
// together and survive a restart; they do not count against sign-ins from
// the address, nor sign-ins against them.
func TestSignUpLimitShared(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	db, reopen := openDatabase(t, clk.Now)
	a, b := newServer(db, clk, 1), newServer(reopen(), clk, 2)
	from := app.NewContext(context.Background(), &app.Actor{IP: "198.51.100.30"})
	max := app.DefaultSignUpLimits.Max

	// Twenty failed sign-ins from the address lock its sign-ins only.
	for i := range app.DefaultLoginLimits.IP {
		_, err := a.Login(from, fmt.Sprintf("nobody%d@example.org", i), "wrong password!")
		wantCode(t, err, legwork.EUNAUTHORIZED)
	}
	for i := range max {
		clk.Advance(time.Minute)
		if _, err := []*app.App{a, b}[i%2].SignUp(from, app.SignUp{Email: fmt.Sprintf("p%d@example.org", i), Name: "P", Password: testPassword}); err != nil {
			t.Fatalf("sign-up %d: %v", i, err)
		}
	}
	// The first sign-up was at t0+1m, now is t0+5m: 56 minutes to wait,
	// on a process started after them too.
	c := newServer(reopen(), clk, 3)
	for _, srv := range []*app.App{a, b, c} {
		_, err := srv.SignUp(from, app.SignUp{Email: "late@example.org", Name: "L", Password: testPassword})
		wantRetry(t, err, 56*time.Minute, "too many new accounts from your address; try again in 3360 seconds")
	}
	_, err := c.Login(from, "p0@example.org", testPassword)
	wantRetry(t, err, app.DefaultLoginLimits.Window-5*time.Minute, "too many failed sign-ins; try again in 600 seconds")

	// Once the failed sign-ins have left their window, the accounts
	// made sign in from the address, whose sign-ups are still refused.
	clk.Advance(10 * time.Minute)
	if _, err := c.Login(from, "p0@example.org", testPassword); err != nil {
		t.Fatalf("sign-in after the sign-ups: %v", err)
	}
	_, err = b.SignUp(from, app.SignUp{Email: "late@example.org", Name: "L", Password: testPassword})
	wantRetry(t, err, 46*time.Minute, "too many new accounts from your address; try again in 2760 seconds")
}

// throttleSpy is a store that notes the rate-limit keys and pruning
// cutoffs the app gives it, counts the transactions and the failures
// recorded and removed, can fail the rate-limit methods, and can run a
// function when an account is looked up by email.
type throttleSpy struct {
	legwork.Store
	mu      sync.Mutex
	keys    [][]byte    // distinct keys recorded, in order
	cutoffs []time.Time // of each pruning
	// calls of WithTx, RecordAuthFailure and RemoveAuthFailure (on the
	// store or in a transaction)
	txs, records, removes int

	failCount, failRecord error
	onUserByEmail         func()
}

func (s *throttleSpy) noteKey(key []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.ContainsFunc(s.keys, func(k []byte) bool { return bytes.Equal(k, key) }) {
		s.keys = append(s.keys, bytes.Clone(key))
	}
}

func (s *throttleSpy) recorded() ([][]byte, []time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.keys), slices.Clone(s.cutoffs)
}

func (s *throttleSpy) RecordAuthFailure(ctx context.Context, key []byte, at time.Time) error {
	return s.record(ctx, s.Store, key, at)
}

// record is RecordAuthFailure through next, the store or a transaction.
func (s *throttleSpy) record(ctx context.Context, next legwork.AuthThrottleStore, key []byte, at time.Time) error {
	s.mu.Lock()
	s.records++
	s.mu.Unlock()
	if s.failRecord != nil {
		return s.failRecord
	}
	s.noteKey(key)
	return next.RecordAuthFailure(ctx, key, at)
}

func (s *throttleSpy) RemoveAuthFailure(ctx context.Context, key []byte, at time.Time) error {
	return s.remove(ctx, s.Store, key, at)
}

// remove is RemoveAuthFailure through next, the store or a transaction.
func (s *throttleSpy) remove(ctx context.Context, next legwork.AuthThrottleStore, key []byte, at time.Time) error {
	s.mu.Lock()
	s.removes++
	s.mu.Unlock()
	return next.RemoveAuthFailure(ctx, key, at)
}

// writes returns the calls of WithTx, RecordAuthFailure and
// RemoveAuthFailure so far.
func (s *throttleSpy) writes() [3]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return [3]int{s.txs, s.records, s.removes}
}

func (s *throttleSpy) AuthFailures(ctx context.Context, key []byte, since time.Time, limit int) ([]time.Time, error) {
	if s.failCount != nil {
		return nil, s.failCount
	}
	return s.Store.AuthFailures(ctx, key, since, limit)
}

func (s *throttleSpy) PruneAuthFailures(ctx context.Context, cutoff time.Time) (int64, error) {
	s.mu.Lock()
	s.cutoffs = append(s.cutoffs, cutoff)
	s.mu.Unlock()
	return s.Store.PruneAuthFailures(ctx, cutoff)
}

func (s *throttleSpy) UserByEmail(ctx context.Context, email string) (*legwork.User, error) {
	u, err := s.Store.UserByEmail(ctx, email)
	if s.onUserByEmail != nil {
		s.onUserByEmail()
	}
	return u, err
}

func (s *throttleSpy) WithTx(ctx context.Context, fn func(tx legwork.Tx) error) error {
	s.mu.Lock()
	s.txs++
	s.mu.Unlock()
	return s.Store.WithTx(ctx, func(tx legwork.Tx) error { return fn(&throttleSpyTx{Tx: tx, s: s}) })
}

type throttleSpyTx struct {
	legwork.Tx
	s *throttleSpy
}

func (tx *throttleSpyTx) RecordAuthFailure(ctx context.Context, key []byte, at time.Time) error {
	return tx.s.record(ctx, tx.Tx, key, at)
}

func (tx *throttleSpyTx) RemoveAuthFailure(ctx context.Context, key []byte, at time.Time) error {
	return tx.s.remove(ctx, tx.Tx, key, at)
}

// TestLoginLimitKeysAndPruning: the store is given hashes, never the
// email, address or password typed; each limit has keys of its own; old
// failures are pruned at most once a minute, and only once no limit of
// the App counts them (the sign-up window is an hour, the sign-in window
// 15 minutes).
func TestLoginLimitKeysAndPruning(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	spy := &throttleSpy{Store: openStore(t, clk.Now)}
	a := newServer(spy, clk, 1)
	t0 := clk.Now()
	const email, password, ip = "pat@example.org", "my secret password", "198.51.100.7"
	login := app.NewContext(context.Background(), &app.Actor{IP: ip})

	if _, err := a.SignUp(login, app.SignUp{Email: "kim@example.org", Name: "Kim", Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	_, err := a.Login(login, email, password)
	wantCode(t, err, legwork.EUNAUTHORIZED)
	keys, cutoffs := spy.recorded()
	if len(keys) != 3 {
		t.Fatalf("%d keys recorded, want 3 (the sign-up address, the account, the sign-in address)", len(keys))
	}
	for i, k := range keys {
		if len(k) != 32 {
			t.Errorf("key %d is %d bytes, want a 32-byte hash", i, len(k))
		}
		for _, typed := range []string{email, password, ip, "kim@example.org"} {
			if bytes.Contains(k, []byte(typed)) {
				t.Errorf("key %d %q holds %q", i, k, typed)
			}
		}
	}
	signupKey, accountKey := keys[0], keys[1]
	mustFailures := func(what string, key []byte, want ...time.Time) {
		t.Helper()
		got, err := spy.Store.AuthFailures(context.Background(), key, time.Time{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(got, want, time.Time.Equal) {
			t.Errorf("%s: failures at %v, want %v", what, got, want)
		}
	}
	// The first recorded failure prunes (nothing yet).
	if want := []time.Time{t0.Add(-time.Hour)}; !slices.EqualFunc(cutoffs, want, time.Time.Equal) {
		t.Fatalf("cutoffs %v, want %v", cutoffs, want)
	}

	// 20 minutes on, a failure prunes again, keeping the sign-up at t0:
	// the sign-up limit still counts it.
	clk.Advance(20 * time.Minute)
	_, err = a.Login(login, email, password)
	wantCode(t, err, legwork.EUNAUTHORIZED)
	// 30 seconds later, no pruning.
	clk.Advance(30 * time.Second)
	_, err = a.Login(login, email, password)
	wantCode(t, err, legwork.EUNAUTHORIZED)
	_, cutoffs = spy.recorded()
	if want := []time.Time{t0.Add(-time.Hour), t0.Add(-40 * time.Minute)}; !slices.EqualFunc(cutoffs, want, time.Time.Equal) {
		t.Fatalf("cutoffs %v, want %v", cutoffs, want)
	}
	mustFailures("the sign-up address after 20 minutes", signupKey, t0)
	mustFailures("the account after 20 minutes", accountKey, t0.Add(20*time.Minute+30*time.Second), t0.Add(20*time.Minute), t0)

	// 61 minutes after t0 the failures at t0 are pruned, the later ones
	// kept.
	clk.Advance(40*time.Minute + 30*time.Second)
	_, err = a.Login(login, email, password)
	wantCode(t, err, legwork.EUNAUTHORIZED)
	_, cutoffs = spy.recorded()
	if want := []time.Time{t0.Add(-time.Hour), t0.Add(-40 * time.Minute), t0.Add(time.Minute)}; !slices.EqualFunc(cutoffs, want, time.Time.Equal) {
		t.Fatalf("cutoffs %v, want %v", cutoffs, want)
	}
	mustFailures("the sign-up address after 61 minutes", signupKey)
	mustFailures("the account after 61 minutes", accountKey, t0.Add(61*time.Minute), t0.Add(20*time.Minute+30*time.Second), t0.Add(20*time.Minute))
}

// TestLoginLimitHangUp: a guess counts even when the client hangs up (its
// context is cancelled) once the guess has been made.
func TestLoginLimitHangUp(t *testing.T) {
	e := newEnv(t)
	spy := &throttleSpy{Store: e.store}
	a := newServer(spy, e.clock, 5)
	for i := range app.DefaultLoginLimits.Account {
		ctx, cancel := context.WithCancel(app.NewContext(context.Background(), &app.Actor{IP: "198.51.100.7"}))
		spy.onUserByEmail = cancel
		_, err := a.Login(ctx, "pat@example.org", "wrong password!")
		wantCode(t, err, legwork.EUNAUTHORIZED)
		if ctx.Err() == nil {
			t.Fatalf("attempt %d: the context was not cancelled", i)
		}
	}
	spy.onUserByEmail = nil
	_, err := e.app.Login(app.NewContext(context.Background(), &app.Actor{IP: "198.51.100.8"}), "pat@example.org", testPassword)
	wantRetry(t, err, app.DefaultLoginLimits.Window, "too many failed sign-ins; try again in 900 seconds")
}

// TestLoginLimitStoreErrors: when the failures cannot be counted or
// the attempt recorded, the attempt fails with the error (500) rather
// than being let through uncounted, whatever the password, and a sign-up
// creates no account.
func TestLoginLimitStoreErrors(t *testing.T) {
	e := newEnv(t)
	broken := errors.New("disk full")
	spy := &throttleSpy{Store: e.store, failCount: broken}
	a := newServer(spy, e.clock, 5)
	from := app.NewContext(context.Background(), &app.Actor{IP: "198.51.100.7"})
	l, err := a.Login(from, "pat@example.org", testPassword)
	if !errors.Is(err, broken) || legwork.ErrorCode(err) != legwork.EINTERNAL || l != nil {
		t.Errorf("sign-in when failures cannot be counted: %v, %v; want the store's error (internal)", l, err)
	}
	_, err = a.SignUp(from, app.SignUp{Email: "kim@example.org", Name: "Kim", Password: testPassword})
	if !errors.Is(err, broken) {
		t.Errorf("sign-up when sign-ups cannot be counted: %v", err)
	}

	spy.failCount, spy.failRecord = nil, broken
	_, err = a.Login(from, "pat@example.org", "wrong password!")
	if !errors.Is(err, broken) || legwork.ErrorCode(err) != legwork.EINTERNAL {
		t.Errorf("wrong password when the failure cannot be recorded: %v; want the store's error (internal)", err)
	}
	// The attempt is recorded before the password is checked: the right
	// one fails too, rather than being checked uncounted.
	l, err = a.Login(from, "pat@example.org", testPassword)
	if !errors.Is(err, broken) || legwork.ErrorCode(err) != legwork.EINTERNAL || l != nil {
		t.Errorf("right password when the attempt cannot be recorded: %v, %v; want the store's error (internal)", l, err)
	}
	_, err = a.SignUp(from, app.SignUp{Email: "kim@example.org", Name: "Kim", Password: testPassword})
	if !errors.Is(err, broken) {
		t.Errorf("sign-up when it cannot be recorded: %v", err)
	}
	_, err = e.store.UserByEmail(context.Background(), "kim@example.org")
	wantCode(t, err, legwork.ENOTFOUND)
}

// TestLoginLimitRefusalWritesNothing: an attempt that the failures
// already stored leave no room for is refused after reading them, in no
// transaction, with no failure recorded or removed: a flood of attempts
// against a locked account or address costs the database no writes
// (on SQLite, no commit to wait for). Sign-ins (a locked account, a
// locked address), a password change and a sign-up alike; the refused
// sign-up's audit event is written as before, outside the limit.
func TestLoginLimitRefusalWritesNothing(t *testing.T) {
	e := newEnv(t)
	spy := &throttleSpy{Store: e.store}
	a := newServer(spy, e.clock, 5)
	ctx := context.Background()
	lim := app.DefaultLoginLimits
	from := app.NewContext(ctx, &app.Actor{IP: "198.51.100.7"})
	l, err := a.Login(from, "pat@example.org", testPassword)
	if err != nil {
		t.Fatal(err)
	}
	act, err := a.Authenticate(ctx, l.Token, "198.51.100.7")
	if err != nil {
		t.Fatal(err)
	}
	// Pat's account locked; an address locked; the sign-ups of a third
	// address used up.
	for range lim.Account {
		_, err := a.Login(from, "pat@example.org", "wrong password!")
		wantCode(t, err, legwork.EUNAUTHORIZED)
	}
	flood := app.NewContext(ctx, &app.Actor{IP: "203.0.113.9"})
	for i := range lim.IP {
		_, err := a.Login(flood, fmt.Sprintf("nobody%d@example.org", i), "wrong password!")
		wantCode(t, err, legwork.EUNAUTHORIZED)
	}
	signups := app.NewContext(ctx, &app.Actor{IP: "192.0.2.60"})
	for i := range app.DefaultSignUpLimits.Max {
		if _, err := a.SignUp(signups, app.SignUp{Email: fmt.Sprintf("p%d@example.org", i), Name: "P", Password: testPassword}); err != nil {
			t.Fatal(err)
		}
	}

	before := spy.writes()
	for i := range 3 {
		_, err := a.Login(app.NewContext(ctx, &app.Actor{IP: fmt.Sprintf("192.0.2.%d", i+1)}), "pat@example.org", testPassword)
		wantRetry(t, err, lim.Window, "too many failed sign-ins; try again in 900 seconds")
		_, err = a.Login(flood, fmt.Sprintf("someone%d@example.org", i), "wrong password!")
		wantRetry(t, err, lim.Window, "too many failed sign-ins; try again in 900 seconds")
	}
	err = a.ChangePassword(app.NewContext(ctx, act), testPassword, "a new long password")
	wantRetry(t, err, lim.Window, "too many wrong passwords; try again in 900 seconds")
	_, err = a.SignUp(signups, app.SignUp{Email: "late@example.org", Name: "L", Password: testPassword})
	wantCode(t, err, legwork.ETOOMANY)
	if after := spy.writes(); after != before {
		t.Errorf("refused attempts: %d transactions, %d failures recorded, %d removed; want none",
			after[0]-before[0], after[1]-before[1], after[2]-before[2])
	}
}
