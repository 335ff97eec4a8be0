package app

import (
	"context"
	"crypto/sha256"
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
// different limits apart.
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

// check returns nil when another attempt is allowed (see allowed), and
// otherwise an ETOOMANY error saying "too many <what>" and how long to wait
// (its Retry-After).
func (l *loginLimiter) check(ctx context.Context, email, ip, what string) error {
	ok, wait, err := l.allowed(ctx, email, ip)
	if err != nil || ok {
		return err
	}
	return &legwork.Error{Code: legwork.ETOOMANY, Message: fmt.Sprintf("too many %s; try again in %d seconds", what, int(math.Ceil(wait.Seconds()))), Err: RetryAfter(wait)}
}

// allowed reports whether another attempt may be made for the account and
// address, and if not, when one may: when the max-th most recent failure
// in the window leaves it. An empty email or address is not counted (no
// failure is ever recorded for it).
func (l *loginLimiter) allowed(ctx context.Context, email, ip string) (bool, time.Duration, error) {
	now := l.now()
	since := now.Add(-l.lim.Window)
	var wait time.Duration
	check := func(key []byte, max int) error {
		if max <= 0 {
			return nil
		}
		f, err := l.store.AuthFailures(ctx, key, since, max)
		if err != nil {
			return fmt.Errorf("count failed attempts: %w", err)
		}
		if len(f) >= max {
			if w := f[max-1].Add(l.lim.Window).Sub(now); w > wait {
				wait = w
			}
		}
		return nil
	}
	if email != "" {
		if err := check(l.accountKey(email), l.lim.Account); err != nil {
			return false, 0, err
		}
	}
	if ip != "" {
		if err := check(l.ipKey(ip), l.lim.IP); err != nil {
			return false, 0, err
		}
	}
	return wait <= 0, wait, nil
}

// recordTimeout bounds the recording of a failed attempt, which does not
// stop when the request's context does.
const recordTimeout = 10 * time.Second

// fail records a failed attempt against the account and the address, in
// one transaction. It goes on when the caller's context is cancelled, so
// that hanging up after sending a guess does not keep it from counting.
func (l *loginLimiter) fail(ctx context.Context, email, ip string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	now := l.now()
	var keys [][]byte
	if email != "" {
		keys = append(keys, l.accountKey(email))
	}
	if ip != "" {
		keys = append(keys, l.ipKey(ip))
	}
	if len(keys) == 0 {
		return nil
	}
	err := l.store.WithTx(ctx, func(tx legwork.Tx) error {
		for _, k := range keys {
			if err := tx.RecordAuthFailure(ctx, k, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record failed attempt: %w", err)
	}
	l.prune.maybe(ctx, now)
	return nil
}

// succeed clears the account's failures after a successful sign-in.
func (l *loginLimiter) succeed(ctx context.Context, email string) error {
	if err := l.store.ClearAuthFailures(ctx, l.accountKey(email)); err != nil {
		return fmt.Errorf("clear failed attempts: %w", err)
	}
	return nil
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
