package app

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"

	"legwork"
)

// LoginLimits bound failed sign-in attempts: after Account failures for one
// email, or IP failures from one address, within Window, further attempts
// are refused until the oldest failure leaves the window.
type LoginLimits struct {
	Account int
	IP      int
	Window  time.Duration
}

// DefaultLoginLimits allow 5 failures per account and 20 per address in 15
// minutes.
var DefaultLoginLimits = LoginLimits{Account: 5, IP: 20, Window: 15 * time.Minute}

// loginLimiter counts failed attempts in the store (legwork.AuthThrottleStore),
// so that every process serving one database counts the same failures and a
// restart forgets none. Its scope ("login", "signup") keeps the counts of
// different limits apart. An attempt the stored failures leave room for
// is recorded as a failure before it is made (begin), and removed when it
// turns out not to be one (forget, succeed), so that attempts made at the
// same time count one another; one they leave no room for is refused with
// nothing written.
type loginLimiter struct {
	store legwork.Store
	scope string
	lim   LoginLimits
	now   func() time.Time
	prune *pruner
}

func newLoginLimiter(store legwork.Store, scope string, lim LoginLimits, now func() time.Time, prune *pruner) *loginLimiter {
	return &loginLimiter{store: store, scope: scope, lim: lim, now: now, prune: prune}
}

// throttleKey returns the stored key of what a limit counts: the SHA-256
// of the limit's scope, the kind of key ("a" an account's email, "i" a
// client address) and its value. Hashing keeps whatever was typed into the
// email field (sometimes a password) out of the table; it is not a keyed
// pseudonym: a known email or address can be hashed and compared.
func throttleKey(scope, kind, value string) []byte {
	h := sha256.Sum256([]byte("legwork auth throttle\x00" + scope + "\x00" + kind + ":" + value))
	return h[:]
}

func (l *loginLimiter) accountKey(email string) []byte { return throttleKey(l.scope, "a", email) }
func (l *loginLimiter) ipKey(ip string) []byte         { return throttleKey(l.scope, "i", ip) }

// attempt is one attempt a loginLimiter recorded (begin): the keys of
// the account and address it was recorded under (nil for an empty email
// or address) and its time.
type attempt struct {
	account, ip []byte
	at          time.Time
}

// keys returns the keys the attempt was recorded under.
func (a *attempt) keys() [][]byte {
	var keys [][]byte
	for _, k := range [][]byte{a.account, a.ip} {
		if k != nil {
			keys = append(keys, k)
		}
	}
	return keys
}

// recordTimeout bounds the recording of an attempt, and its removal,
// which do not stop when the request's context does.
const recordTimeout = 10 * time.Second

// raceRetry is the wait an attempt is told when it is refused only
// because of attempts made at the same time (see begin).
const raceRetry = time.Second

// begin starts an attempt for the account and the address, before the
// caller checks anything (a password). It first counts the failures
// stored in the window: when the account already has Account of them,
// or the address IP, the attempt is refused straight away, with nothing
// written — an ETOOMANY error saying "too many <what>" and how long to
// wait (its Retry-After: until the max-th most recent of those failures
// leaves the window). A flood of attempts against a locked account or
// address costs one read each.
//
// Otherwise it records the attempt as a failure, for the account and the
// address in one transaction, and counts again, this one included: when
// the account now has more than Account failures, or the address more
// than IP, attempts made at the same time took the room there was, and
// the attempt is refused too. It is then removed again (a refused attempt
// does not count) and told to try again in raceRetry (a second), not a
// wait computed from this count: the failures stored before it was
// recorded left room for it (the first count), so they imply no wait,
// and the attempts that took the room are in flight — each is removed or
// kept as a failure within moments. A second later the first count
// decides on what they left, with the wait that implies. Otherwise begin
// returns the attempt, which stays counted as a failure unless the
// caller removes it (forget, succeed).
//
// Recording before the second count is what makes the limit hold for
// attempts made at the same time: each is stored, and committed, before
// it is counted, so of any two the later counts the earlier, and no more
// attempts are let through than the limit has room for. Attempts racing
// may also refuse one another, when each counts the other before either
// is removed. The stored failures that the first count sees include
// attempts still in flight (recorded, not yet removed), so an attempt
// may be refused by them, with their wait. Sequential attempts are let
// through or refused as if only earlier failures were counted: max
// failures allowed, the next one refused. An empty email or address is
// not recorded nor counted; a limit of zero or less does not count (the
// attempt is still recorded).
//
// Counting, recording and removing go on when the caller's context is
// cancelled, so that hanging up after sending a guess does not keep it
// from counting. When the failures cannot be counted, the attempt
// recorded, or a refused one removed, begin returns the error (the
// attempt is removed, as far as it can be) and the caller makes no
// attempt.
func (l *loginLimiter) begin(ctx context.Context, email, ip, what string) (*attempt, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	now := l.now()
	a := &attempt{at: now}
	if email != "" {
		a.account = l.accountKey(email)
	}
	if ip != "" {
		a.ip = l.ipKey(ip)
	}
	keys := a.keys()
	if len(keys) == 0 {
		return a, nil
	}
	// The failures stored: a refusal here writes nothing.
	wait, err := l.over(ctx, a, false)
	if err != nil {
		return nil, err
	}
	if wait > 0 {
		return nil, tooMany(what, wait)
	}
	err = l.store.WithTx(ctx, func(tx legwork.Tx) error {
		for _, k := range keys {
			if err := tx.RecordAuthFailure(ctx, k, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("record attempt: %w", err)
	}
	l.prune.maybe(ctx, now)
	wait, err = l.over(ctx, a, true)
	if err == nil && wait <= 0 {
		return a, nil
	}
	if ferr := l.remove(ctx, a, keys); ferr != nil {
		err = errors.Join(err, ferr)
	}
	if err != nil {
		return nil, err
	}
	return nil, tooMany(what, raceRetry)
}

// tooMany is the ETOOMANY error of a refused attempt: "too many <what>"
// and how long to wait, in whole seconds and as its Retry-After.
func tooMany(what string, wait time.Duration) error {
	return &legwork.Error{Code: legwork.ETOOMANY, Message: fmt.Sprintf("too many %s; try again in %d seconds", what, int(math.Ceil(wait.Seconds()))), Err: RetryAfter(wait)}
}

// over counts the failures of a's account and address in the window
// ending at a.at and returns how long to wait when there are too many,
// 0 when a may go on. Without a's own failure among them (own false: a
// is not recorded), max of them are too many, and the wait is until the
// max-th most recent leaves the window. With it (own true: a was
// recorded, and is the newest), max+1 are, and the wait is until the
// max+1-th most recent (the max-th before a) leaves the window.
func (l *loginLimiter) over(ctx context.Context, a *attempt, own bool) (time.Duration, error) {
	since := a.at.Add(-l.lim.Window)
	var wait time.Duration
	count := func(key []byte, max int) error {
		if key == nil || max <= 0 {
			return nil
		}
		if own {
			max++
		}
		f, err := l.store.AuthFailures(ctx, key, since, max)
		if err != nil {
			return fmt.Errorf("count failed attempts: %w", err)
		}
		if len(f) >= max {
			if w := f[max-1].Add(l.lim.Window).Sub(a.at); w > wait {
				wait = w
			}
		}
		return nil
	}
	if err := count(a.account, l.lim.Account); err != nil {
		return 0, err
	}
	if err := count(a.ip, l.lim.IP); err != nil {
		return 0, err
	}
	return wait, nil
}

// remove deletes the failures recorded for attempt a under keys, one
// each, in one transaction. A failure already gone (pruned, or cleared by
// a successful sign-in of the account) is not an error. It goes on when
// the caller's context is cancelled.
func (l *loginLimiter) remove(ctx context.Context, a *attempt, keys [][]byte) error {
	if len(keys) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	err := l.store.WithTx(ctx, func(tx legwork.Tx) error {
		for _, k := range keys {
			if err := tx.RemoveAuthFailure(ctx, k, a.at); err != nil && legwork.ErrorCode(err) != legwork.ENOTFOUND {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("remove attempt: %w", err)
	}
	return nil
}

// forget removes attempt a, which turned out not to be a failure (the
// password was right, or the attempt ended before it was checked): it no
// longer counts, for the account or the address.
func (l *loginLimiter) forget(ctx context.Context, a *attempt) error {
	return l.remove(ctx, a, a.keys())
}

// succeed ends attempt a, a successful sign-in: it clears every failure
// of the account, and removes a's own failure of the address, which
// keeps the others (a sign-in to one's own account does not reset the
// count of guesses from the address). It goes on when the caller's
// context is cancelled.
func (l *loginLimiter) succeed(ctx context.Context, a *attempt) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	var errs []error
	if a.account != nil {
		if err := l.store.ClearAuthFailures(ctx, a.account); err != nil {
			errs = append(errs, fmt.Errorf("clear failed attempts: %w", err))
		}
	}
	if a.ip != nil {
		if err := l.remove(ctx, a, [][]byte{a.ip}); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// pruneEvery is how often, at most, one App deletes old failures.
const pruneEvery = time.Minute

// pruner deletes the stored failures that no limit of the App counts any
// more (older than its longest window), now and then: when a failure is
// recorded pruneEvery or more after it last did. The limiters of one App
// share it.
type pruner struct {
	store legwork.Store
	keep  time.Duration
	log   *slog.Logger

	mu   sync.Mutex
	next time.Time // no pruning before
}

// maybe prunes when it is time to, logging a failure (the failures stay
// and are pruned next time).
func (p *pruner) maybe(ctx context.Context, now time.Time) {
	p.mu.Lock()
	if now.Before(p.next) {
		p.mu.Unlock()
		return
	}
	p.next = now.Add(pruneEvery)
	p.mu.Unlock()
	if _, err := p.store.PruneAuthFailures(ctx, now.Add(-p.keep)); err != nil {
		p.log.Error("prune old failed sign-ins", "err", err)
	}
}
