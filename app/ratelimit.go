package app

import (
	"sync"
	"time"
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

// loginLimiter counts failed sign-ins in memory. A restart forgets the
// counts, which only gives an attacker a fresh window as often as they can
// restart the server.
type loginLimiter struct {
	lim LoginLimits
	now func() time.Time

	mu       sync.Mutex
	failures map[string][]time.Time // "a:email" or "i:ip" → failure times, oldest first
	sweeps   int
}

func newLoginLimiter(lim LoginLimits, now func() time.Time) *loginLimiter {
	return &loginLimiter{lim: lim, now: now, failures: map[string][]time.Time{}}
}

// allowed reports whether another attempt may be made for the account and
// address, and if not, when one may.
func (l *loginLimiter) allowed(email, ip string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var wait time.Duration
	check := func(key string, max int) {
		f := l.prune(key, now)
		if max > 0 && len(f) >= max {
			if w := f[len(f)-max].Add(l.lim.Window).Sub(now); w > wait {
				wait = w
			}
		}
	}
	check("a:"+email, l.lim.Account)
	if ip != "" {
		check("i:"+ip, l.lim.IP)
	}
	return wait <= 0, wait
}

// fail records a failed attempt.
func (l *loginLimiter) fail(email, ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if email != "" {
		l.failures["a:"+email] = append(l.prune("a:"+email, now), now)
	}
	if ip != "" {
		l.failures["i:"+ip] = append(l.prune("i:"+ip, now), now)
	}
	// Sweep stale keys now and then so that memory stays bounded.
	l.sweeps++
	if l.sweeps >= 1000 {
		l.sweeps = 0
		for k := range l.failures {
			l.prune(k, now)
		}
	}
}

// succeed clears the account's failures after a successful sign-in.
func (l *loginLimiter) succeed(email string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, "a:"+email)
}

// prune drops failures older than the window; l.mu must be held.
func (l *loginLimiter) prune(key string, now time.Time) []time.Time {
	f := l.failures[key]
	i := 0
	for i < len(f) && !f[i].After(now.Add(-l.lim.Window)) {
		i++
	}
	f = f[i:]
	if len(f) == 0 {
		delete(l.failures, key)
		return nil
	}
	l.failures[key] = f
	return f
}
