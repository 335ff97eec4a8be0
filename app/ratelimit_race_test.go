package app_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"legwork"
	"legwork/app"
)

// gate holds the attempts made at the same time at one point until every
// one of them has either reached it or ended without reaching it. Put
// between the rate limit's check and what it guards, it lets every
// attempt that the check lets through pass the check before any of them
// goes on: the interleaving in which a limit that counts failures only
// after the attempt (check, guess, then record) lets them all through.
// The outcome does not depend on timing: nothing goes on until all have
// settled.
type gate struct {
	n       int
	reached atomic.Int64 // attempts that reached the point

	mu      sync.Mutex
	settled int
	open    chan struct{}
}

func newGate(n int) *gate { return &gate{n: n, open: make(chan struct{})} }

// arrive is called at the point; it waits until every attempt settled.
func (g *gate) arrive() {
	g.reached.Add(1)
	g.settle()
	<-g.open
}

// ended is called when an attempt ends. One that arrived cannot end
// before the gate opens, so before then every call is from an attempt
// that did not arrive.
func (g *gate) ended() { g.settle() }

func (g *gate) settle() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.settled++
	if g.settled == g.n {
		close(g.open)
	}
}

// gatedStore is a store that holds the sign-ins at their account lookup
// (after the rate limit's check, before the password check), and the
// counts of failures (AuthFailures), at their gates when set.
type gatedStore struct {
	legwork.Store
	lookups, counts *gate
}

func (s *gatedStore) UserByEmail(ctx context.Context, email string) (*legwork.User, error) {
	if s.lookups != nil {
		s.lookups.arrive()
	}
	return s.Store.UserByEmail(ctx, email)
}

func (s *gatedStore) AuthFailures(ctx context.Context, key []byte, since time.Time, limit int) ([]time.Time, error) {
	if s.counts != nil {
		s.counts.arrive()
	}
	return s.Store.AuthFailures(ctx, key, since, limit)
}

// concurrently runs n attempts at once, each telling g when it ended.
func concurrently(n int, g *gate, attempt func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			defer g.ended()
			errs[i] = attempt(i)
		})
	}
	wg.Wait()
	return errs
}

// TestLoginLimitSimultaneousGuesses: wrong passwords sent at the same
// time, through two processes, get at most as many password checks as
// the limit allows: the account's five when the guesses come from as
// many addresses, the address's twenty when they try as many accounts.
// Every guess is held after the rate limit let it through until all have
// been let through or refused, so all are in flight at once. The refused
// ones do not count: afterwards, sequential guesses make up the limit
// exactly, and the next attempt is refused.
func TestLoginLimitSimultaneousGuesses(t *testing.T) {
	lim := app.DefaultLoginLimits
	for _, c := range []struct {
		name  string
		n     int
		limit int
		// guess returns the address and email of guess i
		guess func(i int) (ip, email string)
	}{
		{"one account", 3 * lim.Account, lim.Account, func(i int) (string, string) {
			return fmt.Sprintf("198.51.100.%d", i+1), "pat@example.org"
		}},
		{"one address", lim.IP + 10, lim.IP, func(i int) (string, string) {
			return "203.0.113.7", fmt.Sprintf("nobody%d@example.org", i)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			clk, _, reopen := sharedDatabase(t)
			g := newGate(c.n)
			stores := []*gatedStore{{Store: reopen(), lookups: g}, {Store: reopen(), lookups: g}}
			servers := []*app.App{newServer(stores[0], clk, 2), newServer(stores[1], clk, 3)}
			login := func(srv *app.App, i int, password string) error {
				ip, email := c.guess(i)
				_, err := srv.Login(app.NewContext(context.Background(), &app.Actor{IP: ip}), email, password)
				return err
			}

			errs := concurrently(c.n, g, func(i int) error { return login(servers[i%2], i, "wrong password!") })
			failed := 0
			for i, err := range errs {
				switch legwork.ErrorCode(err) {
				case legwork.EUNAUTHORIZED:
					failed++
				case legwork.ETOOMANY:
				default:
					t.Errorf("guess %d: %v, want %s or %s", i, err, legwork.EUNAUTHORIZED, legwork.ETOOMANY)
				}
			}
			reached := int(g.reached.Load())
			t.Logf("of %d simultaneous guesses, %d reached the password check, %d were answered 'wrong password'", c.n, reached, failed)
			if reached > c.limit || failed > c.limit {
				t.Fatalf("of %d simultaneous guesses, %d reached the password check and %d were answered 'wrong password'; want at most %d (the limit)",
					c.n, reached, failed, c.limit)
			}
			if failed != reached {
				t.Errorf("%d guesses answered 'wrong password', %d reached the password check; want the same", failed, reached)
			}

			// The refused guesses left nothing counted: limit-failed more
			// fail as wrong, then even the right password is refused.
			for _, s := range stores {
				s.lookups = nil
			}
			for i := range c.limit - failed {
				if err := login(servers[i%2], c.n+i, "wrong password!"); legwork.ErrorCode(err) != legwork.EUNAUTHORIZED {
					t.Fatalf("sequential guess %d after %d failures: %v, want %s", i, failed, err, legwork.EUNAUTHORIZED)
				}
			}
			err := login(servers[1], 0, testPassword)
			wantRetry(t, err, lim.Window, "too many failed sign-ins; try again in 900 seconds")
		})
	}
}

// TestSignUpLimitSimultaneous: sign-ups sent from one address at the same
// time, through two processes, create at most as many accounts as the
// limit allows. Every one is held when it first counts the sign-ups
// (before it is recorded), until all have reached that point or ended,
// so all are in flight at once and all find room at that count. The
// refused ones do not count: afterwards, sequential sign-ups make up the
// limit exactly, and the next one is refused.
func TestSignUpLimitSimultaneous(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	db, reopen := openDatabase(t, clk.Now)
	max := app.DefaultSignUpLimits.Max
	n := 3 * max
	g := newGate(n)
	stores := []*gatedStore{{Store: db, counts: g}, {Store: reopen(), counts: g}}
	servers := []*app.App{newServer(stores[0], clk, 1), newServer(stores[1], clk, 2)}
	from := app.NewContext(context.Background(), &app.Actor{IP: "198.51.100.30"})
	signUp := func(srv *app.App, i int) error {
		_, err := srv.SignUp(from, app.SignUp{Email: fmt.Sprintf("p%d@example.org", i), Name: "P", Password: testPassword})
		return err
	}

	errs := concurrently(n, g, func(i int) error { return signUp(servers[i%2], i) })
	created := 0
	for i, err := range errs {
		switch legwork.ErrorCode(err) {
		case "":
			created++
		case legwork.ETOOMANY:
		default:
			t.Errorf("sign-up %d: %v, want success or %s", i, err, legwork.ETOOMANY)
		}
	}
	users, err := db.ListUsers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("of %d simultaneous sign-ups, %d succeeded", n, created)
	if created > max || len(users) != created {
		t.Fatalf("of %d simultaneous sign-ups, %d succeeded and %d accounts exist; want at most %d (the limit), and as many accounts",
			n, created, len(users), max)
	}

	for _, s := range stores {
		s.counts = nil
	}
	for i := range max - created {
		if err := signUp(servers[i%2], n+i); err != nil {
			t.Fatalf("sequential sign-up %d after %d: %v", i, created, err)
		}
	}
	err = signUp(servers[1], 2*n)
	wantRetry(t, err, app.DefaultSignUpLimits.Window, "too many new accounts from your address; try again in 3600 seconds")
}

// TestLoginLimitSuccessKeepsOthers: an attempt that turns out not to be
// a failure is not counted, and removes nothing else. A successful
// sign-in clears the account's failures but not the address's: with 19
// wrong guesses from an address, signing in to one's own account from it
// leaves room for exactly one more guess. A right current password when
// changing it neither counts nor clears the account's failures.
func TestLoginLimitSuccessKeepsOthers(t *testing.T) {
	clk, a, _ := sharedDatabase(t)
	lim := app.DefaultLoginLimits
	const ip = "198.51.100.7"
	from := app.NewContext(context.Background(), &app.Actor{IP: ip})
	for i := range lim.IP - 1 {
		_, err := a.Login(from, fmt.Sprintf("nobody%d@example.org", i), "wrong password!")
		wantCode(t, err, legwork.EUNAUTHORIZED)
	}
	l, err := a.Login(from, "pat@example.org", testPassword)
	if err != nil {
		t.Fatalf("sign-in with %d failures from the address: %v", lim.IP-1, err)
	}
	clk.Advance(time.Minute)
	_, err = a.Login(from, "nobody@example.org", "wrong password!")
	wantCode(t, err, legwork.EUNAUTHORIZED)
	// Twenty failures from the address: refused until the oldest leave
	// the window, 14 minutes on.
	_, err = a.Login(from, "pat@example.org", testPassword)
	wantRetry(t, err, lim.Window-time.Minute, "too many failed sign-ins; try again in 840 seconds")

	// From another address: four wrong current passwords, then the right
	// one (with a new password too short, so that nothing changes): the
	// account has room for one more failure, then is refused.
	act, err := a.Authenticate(context.Background(), l.Token, "192.0.2.50")
	if err != nil {
		t.Fatal(err)
	}
	sctx := app.NewContext(context.Background(), act)
	for i := range lim.Account - 1 {
		wantCode(t, a.ChangePassword(sctx, fmt.Sprintf("guess %d of many", i), "a new long password"), legwork.EINVALID)
	}
	if err := a.ChangePassword(sctx, testPassword, "short"); legwork.ErrorField(err) != "new_password" {
		t.Fatalf("right current password, short new one: %v, want an error about new_password", err)
	}
	elsewhere := app.NewContext(context.Background(), &app.Actor{IP: "192.0.2.51"})
	_, err = a.Login(elsewhere, "pat@example.org", "wrong password!")
	wantCode(t, err, legwork.EUNAUTHORIZED)
	_, err = a.Login(elsewhere, "pat@example.org", testPassword)
	wantRetry(t, err, lim.Window, "too many failed sign-ins; try again in 900 seconds")
}

// heldKey marks, in a request's context, an attempt whose recording a
// recordGatedStore holds: its value is a *atomic.Bool, set once held.
type heldKey struct{}

// countedKey marks, in a request's context, an attempt whose first count
// after its recording a recordGatedStore holds: its value is a
// *atomic.Bool, set once held.
type countedKey struct{}

// recordGatedStore holds the first transaction of each marked attempt
// (the recording of the attempt as a failure) at gate before until every
// attempt reached it, and once committed at gate after until every
// attempt committed its own: every attempt is recorded before any
// counts, whatever the timing. When counted is set, it also holds each
// attempt's first count after its recording, once read, until every
// attempt read its own: every attempt counts the others before any
// removes its failure.
type recordGatedStore struct {
	legwork.Store
	before, after, counted *gate
}

func (s *recordGatedStore) WithTx(ctx context.Context, fn func(tx legwork.Tx) error) error {
	held, _ := ctx.Value(heldKey{}).(*atomic.Bool)
	if held == nil || held.Swap(true) {
		return s.Store.WithTx(ctx, fn)
	}
	s.before.arrive()
	err := s.Store.WithTx(ctx, fn)
	s.after.arrive()
	return err
}

func (s *recordGatedStore) AuthFailures(ctx context.Context, key []byte, since time.Time, limit int) ([]time.Time, error) {
	f, err := s.Store.AuthFailures(ctx, key, since, limit)
	held, _ := ctx.Value(heldKey{}).(*atomic.Bool)
	counted, _ := ctx.Value(countedKey{}).(*atomic.Bool)
	if s.counted != nil && held != nil && held.Load() && counted != nil && !counted.Swap(true) {
		s.counted.arrive()
	}
	return f, err
}

// TestLoginLimitRaceRetry: two sign-ins sent at the same time when the
// account has room for one more failure (four in the window) are both
// recorded before either counts: each counts the other, five failures
// before it, and both are refused. The wait they are told is a second,
// not the eleven minutes until the oldest of those five leaves the
// window: the failures stored before them (four) imply no wait, and the
// other attempt is removed moments later — after which the right
// password signs in at once. The store holds both at their recording and
// at their count after it, so that each counts the other before either
// removes its failure, whatever the timing.
func TestLoginLimitRaceRetry(t *testing.T) {
	clk, _, reopen := sharedDatabase(t)
	before, after, counted := newGate(2), newGate(2), newGate(2)
	servers := []*app.App{
		newServer(&recordGatedStore{Store: reopen(), before: before, after: after, counted: counted}, clk, 2),
		newServer(&recordGatedStore{Store: reopen(), before: before, after: after, counted: counted}, clk, 3),
	}
	login := func(srv *app.App, ip, password string, held bool) error {
		ctx := app.NewContext(context.Background(), &app.Actor{IP: ip})
		if held {
			ctx = context.WithValue(ctx, heldKey{}, new(atomic.Bool))
			ctx = context.WithValue(ctx, countedKey{}, new(atomic.Bool))
		}
		_, err := srv.Login(ctx, "pat@example.org", password)
		return err
	}
	for i := range app.DefaultLoginLimits.Account - 1 {
		wantCode(t, login(servers[i%2], "198.51.100.7", "wrong password!", false), legwork.EUNAUTHORIZED)
		clk.Advance(time.Minute)
	}
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, password := range []string{testPassword, "wrong password!"} {
		wg.Go(func() {
			defer before.ended()
			defer after.ended()
			defer counted.ended()
			errs[i] = login(servers[i], fmt.Sprintf("192.0.2.%d", i+1), password, true)
		})
	}
	wg.Wait()
	for i, err := range errs {
		wantRetry(t, err, time.Second, "too many failed sign-ins; try again in 1 seconds")
		if t.Failed() {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	if err := login(servers[0], "192.0.2.3", testPassword, false); err != nil {
		t.Fatalf("sign-in after the refused attempts: %v", err)
	}
}
