package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"legwork"
)

// failures returns every stored failure of key, newest first.
func failures(t *testing.T, s legwork.Tx, key []byte) []time.Time {
	t.Helper()
	list, err := s.AuthFailures(t.Context(), key, time.Time{}, 0)
	if err != nil {
		t.Fatalf("AuthFailures %q: %v", key, err)
	}
	return list
}

// record stores failures of key at the given times.
func record(t *testing.T, s legwork.Tx, key []byte, times ...time.Time) {
	t.Helper()
	for _, at := range times {
		if err := s.RecordAuthFailure(t.Context(), key, at); err != nil {
			t.Fatalf("RecordAuthFailure %q at %s: %v", key, at.Format(time.RFC3339Nano), err)
		}
	}
}

// testAuthFailures: failures are kept per key (byte for byte), each one
// counts (two at the same time are two), and AuthFailures returns those
// strictly after since, newest first, at most limit of them, in UTC at
// microsecond precision.
func testAuthFailures(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	a, b := []byte("a:pat@example.org"), []byte("i:198.51.100.7")
	t0 := day(0)
	zone := time.FixedZone("UTC+05:30", 5*3600+1800)
	record(t, s, a, t0, t0.Add(time.Second), t0.Add(2*time.Second), t0.Add(2*time.Second).In(zone))
	record(t, s, b, t0.Add(time.Second))
	// Keys that differ from a by case, by a prefix, by a trailing byte,
	// and binary keys (a hash) with zero and high bytes.
	upper, prefix, longer := []byte("A:pat@example.org"), []byte("a:pat@example.or"), []byte("a:pat@example.org\x00")
	bin := []byte{0x00, 0xff, 0x10, 0x00, 0x80}
	record(t, s, upper, t0.Add(3*time.Second))
	record(t, s, prefix, t0.Add(3*time.Second))
	record(t, s, longer, t0.Add(3*time.Second))
	record(t, s, bin, t0.Add(4*time.Second).Add(123456789*time.Nanosecond))

	tests := []struct {
		name  string
		key   []byte
		since time.Time
		limit int
		want  []time.Time
	}{
		{"all of a", a, time.Time{}, 0, []time.Time{t0.Add(2 * time.Second), t0.Add(2 * time.Second), t0.Add(time.Second), t0}},
		{"negative limit", a, time.Time{}, -1, []time.Time{t0.Add(2 * time.Second), t0.Add(2 * time.Second), t0.Add(time.Second), t0}},
		{"limit 3", a, time.Time{}, 3, []time.Time{t0.Add(2 * time.Second), t0.Add(2 * time.Second), t0.Add(time.Second)}},
		{"limit 1", a, time.Time{}, 1, []time.Time{t0.Add(2 * time.Second)}},
		{"limit above the count", a, time.Time{}, 10, []time.Time{t0.Add(2 * time.Second), t0.Add(2 * time.Second), t0.Add(time.Second), t0}},
		{"since is exclusive", a, t0, 0, []time.Time{t0.Add(2 * time.Second), t0.Add(2 * time.Second), t0.Add(time.Second)}},
		{"since a microsecond before", a, t0.Add(-time.Microsecond), 0, []time.Time{t0.Add(2 * time.Second), t0.Add(2 * time.Second), t0.Add(time.Second), t0}},
		{"since within a microsecond", a, t0.Add(time.Second - time.Nanosecond), 0, []time.Time{t0.Add(2 * time.Second), t0.Add(2 * time.Second), t0.Add(time.Second)}},
		{"since in another zone", a, t0.Add(time.Second).In(zone), 0, []time.Time{t0.Add(2 * time.Second), t0.Add(2 * time.Second)}},
		{"since the newest", a, t0.Add(2 * time.Second), 0, []time.Time{}},
		{"window and limit", a, t0, 2, []time.Time{t0.Add(2 * time.Second), t0.Add(2 * time.Second)}},
		{"b", b, time.Time{}, 0, []time.Time{t0.Add(time.Second)}},
		{"upper case", upper, time.Time{}, 0, []time.Time{t0.Add(3 * time.Second)}},
		{"prefix", prefix, time.Time{}, 0, []time.Time{t0.Add(3 * time.Second)}},
		{"longer", longer, time.Time{}, 0, []time.Time{t0.Add(3 * time.Second)}},
		{"binary, truncated to microseconds", bin, time.Time{}, 0, []time.Time{t0.Add(4 * time.Second).Add(123456 * time.Microsecond)}},
		{"unknown key", []byte("a:nobody@example.org"), time.Time{}, 0, []time.Time{}},
		{"empty key", nil, time.Time{}, 0, []time.Time{}},
	}
	for _, tt := range tests {
		got, err := s.AuthFailures(ctx, tt.key, tt.since, tt.limit)
		if err != nil {
			t.Fatalf("AuthFailures %s: %v", tt.name, err)
		}
		mustEqual(t, "AuthFailures "+tt.name, got, tt.want)
	}

	// An empty key is refused, and stores nothing.
	for _, key := range [][]byte{nil, {}} {
		wantCode(t, s.RecordAuthFailure(ctx, key, t0), legwork.EINVALID, fmt.Sprintf("RecordAuthFailure with key %#v", key))
	}
	if n, err := s.PruneAuthFailures(ctx, t0); err != nil || n != 1 {
		t.Errorf("PruneAuthFailures at t0 after refused empty keys: %d, %v; want 1 (a's failure at t0)", n, err)
	}
}

// testClearAuthFailures: clearing a key deletes its failures and no
// other key's; clearing a key without failures is not an error.
func testClearAuthFailures(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	a, b := []byte("a:pat@example.org"), []byte("i:198.51.100.7")
	record(t, s, a, day(0), day(0), day(0).Add(time.Minute))
	record(t, s, b, day(0))
	if err := s.ClearAuthFailures(ctx, a); err != nil {
		t.Fatalf("ClearAuthFailures: %v", err)
	}
	mustEqual(t, "a's failures after clearing a", failures(t, s, a), []time.Time{})
	mustEqual(t, "b's failures after clearing a", failures(t, s, b), []time.Time{day(0)})
	for _, key := range [][]byte{a, []byte("a:nobody@example.org"), nil} {
		if err := s.ClearAuthFailures(ctx, key); err != nil {
			t.Errorf("ClearAuthFailures %q with no failures: %v", key, err)
		}
	}
	// The key counts again from nothing.
	record(t, s, a, day(1))
	mustEqual(t, "a's failures recorded after clearing", failures(t, s, a), []time.Time{day(1)})
	mustEqual(t, "b's failures at the end", failures(t, s, b), []time.Time{day(0)})
}

// testRemoveAuthFailure: removing deletes one failure of the key at that
// time (of several alike, one), compared at the stored precision and in
// any time zone, and no other; when the key has no failure at that time
// (an unknown or empty key, another key's time) it is ENOTFOUND and
// deletes nothing.
func testRemoveAuthFailure(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	a, b := []byte("a:pat@example.org"), []byte("i:198.51.100.7")
	t0 := day(0)
	fine := t0.Add(2*time.Second + 123456789*time.Nanosecond) // stored as …123456µs
	record(t, s, a, t0, t0, t0, t0.Add(time.Second), fine)
	record(t, s, b, t0, t0.Add(time.Minute))
	remove := func(key []byte, at time.Time) error { return s.RemoveAuthFailure(ctx, key, at) }

	// Three failures alike: each removal deletes one.
	for left := 2; left >= 0; left-- {
		if err := remove(a, t0); err != nil {
			t.Fatalf("RemoveAuthFailure of a failure at t0 (%d left after it): %v", left, err)
		}
		want := []time.Time{fine.Truncate(time.Microsecond), t0.Add(time.Second)}
		for range left {
			want = append(want, t0)
		}
		mustEqual(t, fmt.Sprintf("a after removing a failure at t0, %d left", left), failures(t, s, a), want)
	}
	wantCode(t, remove(a, t0), legwork.ENOTFOUND, "RemoveAuthFailure at t0 once none is left")

	// The time given to RecordAuthFailure, finer than the precision, or
	// the same instant in another zone, finds the failure.
	if err := remove(a, fine); err != nil {
		t.Errorf("RemoveAuthFailure at the time given to RecordAuthFailure (finer than stored): %v", err)
	}
	if err := remove(a, t0.Add(time.Second).In(time.FixedZone("UTC-03", -3*3600))); err != nil {
		t.Errorf("RemoveAuthFailure at the same instant in another zone: %v", err)
	}
	mustEqual(t, "a after removing all its failures", failures(t, s, a), []time.Time{})

	// Nothing of the key at that time: ENOTFOUND, and b keeps all its
	// failures.
	record(t, s, a, t0)
	for _, c := range []struct {
		name string
		key  []byte
		at   time.Time
	}{
		{"a microsecond later", a, t0.Add(time.Microsecond)},
		{"a microsecond earlier", a, t0.Add(-time.Microsecond)},
		{"another key's time", a, t0.Add(time.Minute)},
		{"a key in upper case", []byte("A:pat@example.org"), t0},
		{"a prefix of the key", []byte("a:pat@example.or"), t0},
		{"an unknown key", []byte("a:nobody@example.org"), t0},
		{"a nil key", nil, t0},
		{"an empty key", []byte{}, t0},
	} {
		wantCode(t, remove(c.key, c.at), legwork.ENOTFOUND, "RemoveAuthFailure, "+c.name)
	}
	mustEqual(t, "a at the end", failures(t, s, a), []time.Time{t0})
	mustEqual(t, "b at the end", failures(t, s, b), []time.Time{t0.Add(time.Minute), t0})
}

// testRemoveAuthFailureConcurrent: failures alike removed at the same
// time, one removal each, are all deleted: every removal finds a failure
// of its own, none is ENOTFOUND.
func testRemoveAuthFailureConcurrent(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	key, other := []byte("i:203.0.113.9"), []byte("i:203.0.113.10")
	const n = 16
	at := day(0)
	for range n {
		record(t, s, key, at)
	}
	record(t, s, other, at)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = s.RemoveAuthFailure(ctx, key, at) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("removal %d: %v", i, err)
		}
	}
	mustEqual(t, "the key's failures after removing each", failures(t, s, key), []time.Time{})
	mustEqual(t, "the other key's failures", failures(t, s, other), []time.Time{at})
}

// testPruneAuthFailures: pruning deletes the failures of every key at or
// before the cutoff, says how many, and keeps the later ones.
func testPruneAuthFailures(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	a, b, c := []byte("a"), []byte("b"), []byte("c")
	t0 := day(0)
	record(t, s, a, t0.Add(-time.Hour), t0.Add(-time.Microsecond), t0, t0.Add(time.Microsecond), t0.Add(time.Hour))
	record(t, s, b, t0.Add(-2*time.Hour), t0)
	record(t, s, c, t0.Add(-time.Minute))

	n, err := s.PruneAuthFailures(ctx, t0)
	if err != nil {
		t.Fatalf("PruneAuthFailures: %v", err)
	}
	if n != 6 {
		t.Errorf("PruneAuthFailures deleted %d failures, want 6", n)
	}
	mustEqual(t, "a after pruning", failures(t, s, a), []time.Time{t0.Add(time.Hour), t0.Add(time.Microsecond)})
	mustEqual(t, "b after pruning", failures(t, s, b), []time.Time{})
	mustEqual(t, "c after pruning", failures(t, s, c), []time.Time{})

	// Nothing left to prune at the same cutoff; a cutoff with a part
	// finer than the precision prunes what is at or before it.
	if n, err := s.PruneAuthFailures(ctx, t0); err != nil || n != 0 {
		t.Errorf("PruneAuthFailures again: %d, %v; want 0, nil", n, err)
	}
	if n, err := s.PruneAuthFailures(ctx, t0.Add(time.Microsecond+999*time.Nanosecond)); err != nil || n != 1 {
		t.Errorf("PruneAuthFailures a nanosecond short of the next microsecond: %d, %v; want 1, nil", n, err)
	}
	mustEqual(t, "a at the end", failures(t, s, a), []time.Time{t0.Add(time.Hour)})
}

// testAuthFailuresConcurrent records many failures of one key (and some
// of another) at once, at the same time, with reads in between: each one
// is stored, and each counts.
func testAuthFailuresConcurrent(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	key, other := []byte("i:203.0.113.9"), []byte("a:kim@example.org")
	const workers, each = 16, 10
	at := day(0)
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				if err := s.RecordAuthFailure(ctx, key, at); err != nil {
					errs <- fmt.Errorf("RecordAuthFailure %d/%d: %w", w, i, err)
					return
				}
				if w%4 == 0 {
					if err := s.RecordAuthFailure(ctx, other, at.Add(time.Duration(i)*time.Second)); err != nil {
						errs <- fmt.Errorf("RecordAuthFailure of the other key %d/%d: %w", w, i, err)
						return
					}
				}
				if _, err := s.AuthFailures(ctx, key, at.Add(-time.Minute), 5); err != nil {
					errs <- fmt.Errorf("AuthFailures %d/%d: %w", w, i, err)
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
	got := failures(t, s, key)
	if len(got) != workers*each {
		t.Fatalf("%d failures of the key stored, want %d", len(got), workers*each)
	}
	for i, g := range got {
		if !g.Equal(at) {
			t.Fatalf("failure %d at %s, want %s", i, g, at)
		}
	}
	if got := failures(t, s, other); len(got) != workers/4*each {
		t.Errorf("%d failures of the other key stored, want %d", len(got), workers/4*each)
	}
	// A limit below the count returns the limit.
	if got, err := s.AuthFailures(ctx, key, at.Add(-time.Second), 20); err != nil || len(got) != 20 {
		t.Errorf("AuthFailures with limit 20: %d, %v", len(got), err)
	}
}

// testAuthFailuresTx: the throttle methods work in a transaction like the
// others: rolled back, nothing is stored (a cleared key keeps its
// failures, a removed failure is kept); committed, everything is.
func testAuthFailuresTx(t *testing.T, s legwork.Store) {
	ctx := txContext(t)
	a, b, c := []byte("a:pat@example.org"), []byte("i:192.0.2.1"), []byte("a:kim@example.org")
	d := []byte("i:192.0.2.2")
	record(t, s, a, day(0))
	record(t, s, c, day(2)) // after the prune's cutoff: only the clear deletes it
	record(t, s, d, day(2), day(2))
	write := func(tx legwork.Tx) error {
		if err := tx.RemoveAuthFailure(ctx, d, day(2)); err != nil {
			return err
		}
		mustEqual(t, "d's failures read in the transaction that removed one", failures(t, tx, d), []time.Time{day(2)})
		for _, key := range [][]byte{a, b} {
			if err := tx.RecordAuthFailure(ctx, key, day(1)); err != nil {
				return err
			}
		}
		got, err := tx.AuthFailures(ctx, a, time.Time{}, 0)
		if err != nil {
			return err
		}
		mustEqual(t, "a's failures read in the transaction", got, []time.Time{day(1), day(0)})
		if _, err := tx.PruneAuthFailures(ctx, day(0)); err != nil {
			return err
		}
		if err := tx.ClearAuthFailures(ctx, c); err != nil {
			return err
		}
		mustEqual(t, "c's failures read in the transaction that cleared them", failures(t, tx, c), []time.Time{})
		return tx.ClearAuthFailures(ctx, []byte("a:nobody@example.org"))
	}
	err := s.WithTx(ctx, func(tx legwork.Tx) error {
		if err := write(tx); err != nil {
			return err
		}
		return errRollback
	})
	if err != errRollback {
		t.Fatalf("WithTx returned %v, want %v", err, errRollback)
	}
	mustEqual(t, "a after a rollback", failures(t, s, a), []time.Time{day(0)})
	mustEqual(t, "b after a rollback", failures(t, s, b), []time.Time{})
	mustEqual(t, "c after a rollback", failures(t, s, c), []time.Time{day(2)})
	mustEqual(t, "d after a rollback", failures(t, s, d), []time.Time{day(2), day(2)})

	if err := s.WithTx(ctx, write); err != nil {
		t.Fatalf("WithTx: %v", err)
	}
	mustEqual(t, "a after a commit", failures(t, s, a), []time.Time{day(1)})
	mustEqual(t, "b after a commit", failures(t, s, b), []time.Time{day(1)})
	mustEqual(t, "c after a commit", failures(t, s, c), []time.Time{})
	mustEqual(t, "d after a commit", failures(t, s, d), []time.Time{day(2)})
}
