package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"legwork"
)

// errRollback is what the tests' transaction functions return to have
// WithTx roll back.
var errRollback = errors.New("storetest: roll back")

// txContext returns the test's context with a deadline, so that a method
// of a transaction that waits for the connection the transaction holds
// (SQLite's one writer) fails the test instead of hanging it.
func txContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// testWithTx: a change and its audit event written in one transaction
// are both stored when fn returns nil, and neither when fn returns an
// error, when a statement after them fails, or when fn panics. The
// transaction sees its own writes; others see them only after the
// commit.
func testWithTx(t *testing.T, s legwork.Store) {
	ctx := txContext(t)
	p := newUser(t, s, legwork.RolePerson, "Pat")
	entry := func(key string) *legwork.DiaryEntry {
		return &legwork.DiaryEntry{PersonID: p.ID, At: day(1), CreatedAt: day(1), Severity: ptr(4), Notes: "stairs", ClientKey: key}
	}
	// write stores a diary entry and its audit event through tx.
	write := func(tx legwork.Tx, e *legwork.DiaryEntry, ev *legwork.AuditEvent) error {
		if err := tx.CreateDiaryEntry(ctx, e); err != nil {
			return err
		}
		ev.PersonID, ev.ActorID, ev.Action, ev.Object = &p.ID, &p.ID, "create", fmt.Sprintf("diary:%d", e.ID)
		return tx.AppendAudit(ctx, ev)
	}
	stored := func(what string, entries []*legwork.DiaryEntry, events []*legwork.AuditEvent) {
		t.Helper()
		gotEntries, err := s.ListDiaryEntries(ctx, legwork.DiaryFilter{PersonID: p.ID})
		if err != nil {
			t.Fatalf("ListDiaryEntries: %v", err)
		}
		mustEqual(t, "diary entries "+what, gotEntries, entries)
		gotEvents, err := s.ListAudit(ctx, legwork.AuditFilter{PersonID: &p.ID})
		if err != nil {
			t.Fatalf("ListAudit: %v", err)
		}
		mustEqual(t, "audit events "+what, gotEvents, events)
	}

	// fn fails after writing: nothing is stored, and WithTx returns
	// fn's error as it is.
	err := s.WithTx(ctx, func(tx legwork.Tx) error {
		e := entry("first")
		if err := write(tx, e, &legwork.AuditEvent{}); err != nil {
			return err
		}
		got, err := tx.DiaryEntry(ctx, e.ID)
		if err != nil {
			t.Errorf("the transaction does not see its own diary entry: %v", err)
		} else {
			mustEqual(t, "diary entry read in its transaction", got, e)
		}
		if events, err := tx.ListAudit(ctx, legwork.AuditFilter{PersonID: &p.ID}); err != nil || len(events) != 1 {
			t.Errorf("the transaction sees %d audit events (%v), want its one", len(events), err)
		}
		_, err = s.DiaryEntry(ctx, e.ID)
		wantCode(t, err, legwork.ENOTFOUND, "the diary entry of a transaction not committed, read outside it")
		if events, err := s.ListAudit(ctx, legwork.AuditFilter{PersonID: &p.ID}); err != nil || len(events) != 0 {
			t.Errorf("outside the transaction, before the commit, %d audit events (%v), want none", len(events), err)
		}
		return errRollback
	})
	if err != errRollback {
		t.Fatalf("WithTx returned %v, want fn's error %v as it is", err, errRollback)
	}
	stored("after a rolled back transaction", []*legwork.DiaryEntry{}, []*legwork.AuditEvent{})

	// fn returns nil: both are stored.
	committed, ev := entry("first"), &legwork.AuditEvent{IP: "192.0.2.1"}
	if err := s.WithTx(ctx, func(tx legwork.Tx) error { return write(tx, committed, ev) }); err != nil {
		t.Fatalf("WithTx: %v", err)
	}
	stored("after a commit", []*legwork.DiaryEntry{committed}, []*legwork.AuditEvent{ev})

	// A statement that fails after the change and its audit event (here
	// a client key taken): neither is stored, and the store's error
	// comes out of WithTx.
	err = s.WithTx(ctx, func(tx legwork.Tx) error {
		if err := write(tx, entry("second"), &legwork.AuditEvent{}); err != nil {
			return err
		}
		return tx.CreateDiaryEntry(ctx, entry("first"))
	})
	wantCode(t, err, legwork.ECONFLICT, "WithTx whose last create has a taken client key")
	stored("after a transaction whose last statement failed", []*legwork.DiaryEntry{committed}, []*legwork.AuditEvent{ev})

	// fn panics: the transaction is rolled back and the panic goes on.
	func() {
		defer func() {
			if r := recover(); r != "boom" {
				t.Errorf("recovered %v, want the panic of fn", r)
			}
		}()
		s.WithTx(ctx, func(tx legwork.Tx) error {
			if err := write(tx, entry("third"), &legwork.AuditEvent{}); err != nil {
				t.Errorf("write: %v", err)
			}
			panic("boom")
		})
	}()
	stored("after a transaction that panicked", []*legwork.DiaryEntry{committed}, []*legwork.AuditEvent{ev})

	// The store writes on after all that (SQLite's writer was given
	// back, PostgreSQL's aborted transaction ended).
	last, lastEv := entry("third"), &legwork.AuditEvent{}
	if err := s.CreateDiaryEntry(ctx, last); err != nil {
		t.Fatalf("CreateDiaryEntry after the failed transactions: %v", err)
	}
	if err := s.WithTx(ctx, func(tx legwork.Tx) error { return write(tx, entry("fourth"), lastEv) }); err != nil {
		t.Fatalf("WithTx after the failed transactions: %v", err)
	}
	got, err := s.DiaryEntryByClientKey(ctx, p.ID, "fourth")
	if err != nil {
		t.Fatalf("DiaryEntryByClientKey: %v", err)
	}
	stored("at the end", []*legwork.DiaryEntry{got, last, committed}, []*legwork.AuditEvent{lastEv, ev})
}

// testWithTxNested: WithTx called on the tx of another (the stores' tx
// have it, though legwork.Tx does not) runs in a savepoint of the outer
// transaction. When its function fails (here after a statement failed,
// which aborts a PostgreSQL transaction), what it did is undone and the
// outer transaction goes on; when it succeeds, what it did is committed
// with the outer transaction, or rolled back with it.
func testWithTxNested(t *testing.T, s legwork.Store) {
	ctx := txContext(t)
	outer, failed, done := []byte("a:outer"), []byte("a:failed"), []byte("a:done")
	nested := func(tx legwork.Tx, fn func(tx legwork.Tx) error) error { return nestedWithTx(t, ctx, tx, fn) }
	run := func(outerErr error) error {
		return s.WithTx(ctx, func(tx legwork.Tx) error {
			if err := tx.RecordAuthFailure(ctx, outer, day(0)); err != nil {
				return err
			}
			err := nested(tx, func(tx legwork.Tx) error {
				if err := tx.RecordAuthFailure(ctx, failed, day(0)); err != nil {
					return err
				}
				mustEqual(t, "the failed inner transaction's failures read in it", failures(t, tx, failed), []time.Time{day(0)})
				return tx.RecordAuthFailure(ctx, nil, day(0))
			})
			wantCode(t, err, legwork.EINVALID, "inner WithTx whose last statement failed")
			mustEqual(t, "the failed inner transaction's failures read in the outer one", failures(t, tx, failed), []time.Time{})
			if err := nested(tx, func(tx legwork.Tx) error { return tx.RecordAuthFailure(ctx, done, day(0)) }); err != nil {
				return fmt.Errorf("inner WithTx: %w", err)
			}
			// The outer transaction goes on after the failed inner one and
			// sees what the committed one did.
			if err := tx.RecordAuthFailure(ctx, outer, day(1)); err != nil {
				return err
			}
			mustEqual(t, "the inner transaction's failures read in the outer one", failures(t, tx, done), []time.Time{day(0)})
			return outerErr
		})
	}

	if err := run(errRollback); err != errRollback {
		t.Fatalf("WithTx returned %v, want %v", err, errRollback)
	}
	mustEqual(t, "outer after an outer rollback", failures(t, s, outer), []time.Time{})
	mustEqual(t, "failed inner after an outer rollback", failures(t, s, failed), []time.Time{})
	mustEqual(t, "inner after an outer rollback", failures(t, s, done), []time.Time{})

	if err := run(nil); err != nil {
		t.Fatalf("WithTx: %v", err)
	}
	mustEqual(t, "outer after a commit", failures(t, s, outer), []time.Time{day(1), day(0)})
	mustEqual(t, "failed inner after a commit", failures(t, s, failed), []time.Time{})
	mustEqual(t, "inner after a commit", failures(t, s, done), []time.Time{day(0)})
}

// testWithTxNestedPanic: when the function of a nested WithTx panics,
// what it did is undone (also after a statement of it failed, which
// aborts a PostgreSQL transaction) and the panic goes on out of the inner
// WithTx with its value unchanged. The outer function recovers it and
// goes on: it does not see the inner writes, it can write and run another
// nested WithTx, and its commit stores what it and that nested WithTx
// did, and nothing of the one that panicked.
func testWithTxNestedPanic(t *testing.T, s legwork.Store) {
	ctx := txContext(t)
	for _, c := range []struct {
		name       string
		failedStmt bool // a statement of the inner function fails before the panic
	}{
		{"after writes", false},
		{"after a failed statement", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			outer, panicked, done := []byte("a:outer "+c.name), []byte("a:panicked "+c.name), []byte("a:done "+c.name)
			boom := errors.New("storetest: inner panic " + c.name)
			err := s.WithTx(ctx, func(tx legwork.Tx) error {
				if err := tx.RecordAuthFailure(ctx, outer, day(0)); err != nil {
					return err
				}
				var recovered any
				func() {
					defer func() { recovered = recover() }()
					nestedWithTx(t, ctx, tx, func(tx legwork.Tx) error {
						if err := tx.RecordAuthFailure(ctx, panicked, day(0)); err != nil {
							t.Errorf("RecordAuthFailure in the inner transaction: %v", err)
						}
						if err := tx.RecordAuthFailure(ctx, panicked, day(1)); err != nil {
							t.Errorf("RecordAuthFailure in the inner transaction: %v", err)
						}
						if c.failedStmt {
							wantCode(t, tx.RecordAuthFailure(ctx, nil, day(0)), legwork.EINVALID, "RecordAuthFailure with an empty key in the inner transaction")
						}
						panic(boom)
					})
					t.Error("the inner WithTx returned although its function panicked")
				}()
				if recovered != boom {
					t.Errorf("recovered %v from the inner WithTx, want its function's panic %v", recovered, boom)
				}
				// The outer transaction goes on without the inner writes.
				mustEqual(t, "the panicked inner transaction's failures read in the outer one", failures(t, tx, panicked), []time.Time{})
				if err := tx.RecordAuthFailure(ctx, outer, day(1)); err != nil {
					return fmt.Errorf("RecordAuthFailure in the outer transaction after the inner panic: %w", err)
				}
				if err := nestedWithTx(t, ctx, tx, func(tx legwork.Tx) error { return tx.RecordAuthFailure(ctx, done, day(0)) }); err != nil {
					return fmt.Errorf("inner WithTx after the inner panic: %w", err)
				}
				mustEqual(t, "the outer transaction's failures read in it", failures(t, tx, outer), []time.Time{day(1), day(0)})
				return nil
			})
			if err != nil {
				t.Fatalf("WithTx: %v", err)
			}
			mustEqual(t, "outer after the commit", failures(t, s, outer), []time.Time{day(1), day(0)})
			mustEqual(t, "the panicked inner transaction's failures after the commit", failures(t, s, panicked), []time.Time{})
			mustEqual(t, "the later inner transaction's failures after the commit", failures(t, s, done), []time.Time{day(0)})
		})
	}
	// The store writes on.
	if err := s.RecordAuthFailure(ctx, []byte("a:after"), day(2)); err != nil {
		t.Fatalf("RecordAuthFailure after the transactions: %v", err)
	}
}

// testWithTxNestedCancel: a nested WithTx given a context of its own that
// is cancelled while its function runs (a request's deadline inside a
// longer job, say) still undoes what the function wrote when it fails, and
// still keeps it when it succeeds: the savepoint is undone or released
// whatever happened to that context. The outer transaction, whose context
// is alive, goes on and commits.
func testWithTxNestedCancel(t *testing.T, s legwork.Store) {
	ctx := txContext(t)
	outer, failed, kept := []byte("a:outer cancel"), []byte("a:failed cancel"), []byte("a:kept cancel")
	errInner := errors.New("storetest: inner function failed after its context was cancelled")
	err := s.WithTx(ctx, func(tx legwork.Tx) error {
		if err := tx.RecordAuthFailure(ctx, outer, day(0)); err != nil {
			return err
		}
		inner, cancel := context.WithCancel(ctx)
		err := nestedWithTx(t, inner, tx, func(tx legwork.Tx) error {
			if err := tx.RecordAuthFailure(inner, failed, day(0)); err != nil {
				return err
			}
			cancel()
			return errInner
		})
		if !errors.Is(err, errInner) {
			t.Errorf("inner WithTx whose context was cancelled returned %v, want its function's error", err)
		}
		mustEqual(t, "the failed inner transaction's failures read in the outer one", failures(t, tx, failed), []time.Time{})
		inner, cancel = context.WithCancel(ctx)
		err = nestedWithTx(t, inner, tx, func(tx legwork.Tx) error {
			if err := tx.RecordAuthFailure(inner, kept, day(0)); err != nil {
				return err
			}
			cancel()
			return nil
		})
		if err != nil {
			t.Errorf("inner WithTx whose function succeeded before its context was cancelled: %v", err)
		}
		return tx.RecordAuthFailure(ctx, outer, day(1))
	})
	if err != nil {
		t.Fatalf("WithTx: %v", err)
	}
	mustEqual(t, "outer after the commit", failures(t, s, outer), []time.Time{day(1), day(0)})
	mustEqual(t, "the failed inner transaction's failures after the commit", failures(t, s, failed), []time.Time{})
	mustEqual(t, "the succeeded inner transaction's failures after the commit", failures(t, s, kept), []time.Time{day(0)})
}

// nestedWithTx runs fn with the WithTx of tx, the tx of another WithTx
// (the stores' tx have it, though legwork.Tx does not).
func nestedWithTx(t *testing.T, ctx context.Context, tx legwork.Tx, fn func(tx legwork.Tx) error) error {
	t.Helper()
	n, ok := tx.(interface {
		WithTx(ctx context.Context, fn func(tx legwork.Tx) error) error
	})
	if !ok {
		t.Fatalf("the tx of WithTx (%T) has no WithTx", tx)
	}
	return n.WithTx(ctx, fn)
}

// txChange is a change made in a transaction, with a check that it took
// effect.
type txChange struct {
	name   string
	change func(ctx context.Context, tx legwork.Tx) error
	// took reports whether the change is seen through r.
	took func(ctx context.Context, r legwork.Tx) (bool, error)
}

// testWithTxMethods makes the change of every write method, with an audit
// event, in a transaction rolled back and then in one committed: the
// method works on the transaction (the transaction sees the change), a
// rollback leaves everything the store holds as it was, and a commit
// stores the change and the event.
func testWithTxMethods(t *testing.T, s legwork.Store) {
	ctx := txContext(t)
	p := newUser(t, s, legwork.RolePerson, "Pat")
	c := newUser(t, s, legwork.RoleClinician, "Dr Lee")
	c2 := newUser(t, s, legwork.RoleClinician, "Dr Okafor")
	users := []*legwork.User{p, c, c2}

	for _, sess := range []*legwork.Session{
		{TokenHash: []byte("session-p"), UserID: p.ID, CreatedAt: day(0), ExpiresAt: day(30)},
		{TokenHash: []byte("session-c"), UserID: c.ID, CreatedAt: day(0), ExpiresAt: day(30)},
	} {
		if err := s.CreateSession(ctx, sess); err != nil {
			t.Fatalf("CreateSession: %v", err)
		}
	}
	tokens := map[string]*legwork.APIToken{}
	for _, name := range []string{"delete", "touch"} {
		tok := &legwork.APIToken{UserID: p.ID, Name: name, TokenHash: []byte("token-" + name), CreatedAt: day(0)}
		if err := s.CreateAPIToken(ctx, tok); err != nil {
			t.Fatalf("CreateAPIToken: %v", err)
		}
		tokens[name] = tok
	}
	invDelete := newInvitation(t, s, p.ID, "code-delete")
	invAccept := newInvitation(t, s, p.ID, "code-accept")
	invGranted := newInvitation(t, s, p.ID, "code-granted")
	if _, err := s.AcceptInvitation(ctx, invGranted.ID, c.ID, day(1)); err != nil {
		t.Fatalf("AcceptInvitation: %v", err)
	}
	metrics := map[string]float64{"walking_speed_mps": 1.1}
	aUpdate := newAssessment(t, s, p.ID, legwork.TestT25FW, legwork.DeviceNone, day(1), metrics)
	aDelete := newAssessment(t, s, p.ID, legwork.TestT25FW, legwork.DeviceNone, day(2), metrics)
	diary := map[string]*legwork.DiaryEntry{}
	for _, name := range []string{"update", "delete"} {
		e := &legwork.DiaryEntry{PersonID: p.ID, At: day(1), Severity: ptr(3), Notes: name}
		if err := s.CreateDiaryEntry(ctx, e); err != nil {
			t.Fatalf("CreateDiaryEntry: %v", err)
		}
		diary[name] = e
	}
	ivs := map[string]*legwork.Intervention{}
	for _, name := range []string{"update", "delete"} {
		iv := &legwork.Intervention{PersonID: p.ID, Kind: legwork.InterventionPhysicalTherapy, Name: name, StartDate: day(0)}
		if err := s.CreateIntervention(ctx, iv); err != nil {
			t.Fatalf("CreateIntervention: %v", err)
		}
		ivs[name] = iv
	}

	// gone reports whether err is ENOTFOUND (the change, a delete, took),
	// or else returns it.
	gone := func(err error) (bool, error) {
		if legwork.ErrorCode(err) == legwork.ENOTFOUND {
			return true, nil
		}
		return false, err
	}
	changes := []txChange{
		{"CreateUser",
			func(ctx context.Context, tx legwork.Tx) error {
				return tx.CreateUser(ctx, &legwork.User{Email: "new.person@example.org", Name: "New", Role: legwork.RolePerson, PasswordHash: "x"})
			},
			func(ctx context.Context, r legwork.Tx) (bool, error) {
				_, err := r.UserByEmail(ctx, "new.person@example.org")
				ok, err := gone(err)
				return !ok, err
			}},
		{"UpdateUser",
			func(ctx context.Context, tx legwork.Tx) error {
				u := *p
				u.Name, u.TimeZone = "Pat Renamed", "Europe/Berlin"
				return tx.UpdateUser(ctx, &u)
			},
			func(ctx context.Context, r legwork.Tx) (bool, error) {
				u, err := r.User(ctx, p.ID)
				return err == nil && u.Name == "Pat Renamed" && u.TimeZone == "Europe/Berlin", err
			}},
		{"SetWeeklyPlan",
			func(ctx context.Context, tx legwork.Tx) error {
				return tx.SetWeeklyPlan(ctx, p.ID, map[legwork.TestType]int{legwork.TestT25FW: 3}, &p.ID, day(1))
			},
			func(ctx context.Context, r legwork.Tx) (bool, error) {
				u, err := r.User(ctx, p.ID)
				return err == nil && u.WeeklyPlan[legwork.TestT25FW] == 3 && u.WeeklyPlanChangedByID != nil, err
			}},
		{"CreateSession",
			func(ctx context.Context, tx legwork.Tx) error {
				return tx.CreateSession(ctx, &legwork.Session{TokenHash: []byte("session-new"), UserID: p.ID, CreatedAt: day(0), ExpiresAt: day(30)})
			},
			func(ctx context.Context, r legwork.Tx) (bool, error) {
				_, err := r.Session(ctx, []byte("session-new"), day(1))
				ok, err := gone(err)
				return !ok, err
			}},
		{"DeleteSession",
			func(ctx context.Context, tx legwork.Tx) error { return tx.DeleteSession(ctx, []byte("session-p")) },
			func(ctx context.Context, r legwork.Tx) (bool, error) {
				_, err := r.Session(ctx, []byte("session-p"), day(1))
				return gone(err)
			}},
		{"DeleteUserSessions",
			func(ctx context.Context, tx legwork.Tx) error { return tx.DeleteUserSessions(ctx, c.ID) },
			func(ctx context.Context, r legwork.Tx) (bool, error) {
				_, err := r.Session(ctx, []byte("session-c"), day(1))
				return gone(err)
			}},
		{"CreateAPIToken",
			func(ctx context.Context, tx legwork.Tx) error {
				return tx.CreateAPIToken(ctx, &legwork.APIToken{UserID: p.ID, Name: "new", TokenHash: []byte("token-new"), CreatedAt: day(1)})
			},
			func(ctx context.Context, r legwork.Tx) (bool, error) {
				_, err := r.APITokenByHash(ctx, []byte("token-new"))
				ok, err := gone(err)
				return !ok, err
			}},
		{"DeleteAPIToken",
			func(ctx context.Context, tx legwork.Tx) error {
				return tx.DeleteAPIToken(ctx, p.ID, tokens["delete"].ID)
			},
			func(ctx context.Context, r legwork.Tx) (bool, error) {
				_, err := r.APITokenByHash(ctx, tokens["delete"].TokenHash)
				return gone(err)
			}},
		{"TouchAPIToken",
			func(ctx context.Context, tx legwork.Tx) error {
				return tx.TouchAPIToken(ctx, tokens["touch"].ID, day(3))
			},
			func(ctx context.Context, r legwork.Tx) (bool, error) {
				tok, err := r.APITokenByHash(ctx, tokens["touch"].TokenHash)
				return err == nil && tok.LastUsedAt != nil, err
			}},
		{"CreateInvitation",
			func(ctx context.Context, tx legwork.Tx) error {
				return tx.CreateInvitation(ctx, &legwork.Invitation{PersonID: p.ID, CodeHash: []byte("code-new"), CreatedAt: day(0), ExpiresAt: day(7)})
			},
			func(ctx context.Context, r legwork.Tx) (bool, error) {
				_, err := r.InvitationByCode(ctx, []byte("code-new"))
				ok, err := gone(err)
				return !ok, err
			}},
		{"DeleteInvitation",
			func(ctx context.Context, tx legwork.Tx) error { return tx.DeleteInvitation(ctx, p.ID, invDelete.ID) },
			func(ctx context.Context, r legwork.Tx) (bool, error) {
				_, err := r.InvitationByCode(ctx, invDelete.CodeHash)
				return gone(err)
			}},
		{"AcceptInvitation",
			func(ctx context.Context, tx legwork.Tx) error {
				_, err := tx.AcceptInvitation(ctx, invAccept.ID, c2.ID, day(2))
				return err
			},
			func(ctx context.Context, r legwork.Tx) (bool, error) {
				g, err := r.Grant(ctx, p.ID, c2.ID)
				if ok, err := gone(err); ok || err != nil {
					return false, err
				}
				inv, err := r.InvitationByCode(ctx, invAccept.CodeHash)
				return err == nil && g.Active() && inv.AcceptedBy != nil, err
			}},
		{"RevokeGrant",
			func(ctx context.Context, tx legwork.Tx) error { return tx.RevokeGrant(ctx, p.ID, c.ID, day(3)) },
			func(ctx context.Context, r legwork.Tx) (bool, error) {
				g, err := r.Grant(ctx, p.ID, c.ID)
				return err == nil && !g.Active(), err
			}},
		{"CreateAssessment",
			func(ctx context.Context, tx legwork.Tx) error {
				a := &legwork.Assessment{PersonID: p.ID, TestType: legwork.TestWalk2Min, Device: legwork.DeviceCane, RecordedAt: day(4),
					Result: []byte(`{}`), Metrics: map[string]float64{"distance_m": 120}, ClientKey: "new"}
				return tx.CreateAssessment(ctx, a, recording(t, 20))
			},
			func(ctx context.Context, r legwork.Tx) (bool, error) {
				a, err := r.AssessmentByClientKey(ctx, p.ID, "new")
				if ok, err := gone(err); ok || err != nil {
					return false, err
				}
				if _, err := r.Recording(ctx, a.ID); err != nil {
					return false, err
				}
				pts, err := r.MetricSeries(ctx, legwork.MetricFilter{PersonID: p.ID, Metric: "distance_m"})
				return err == nil && len(pts) == 1, err
			}},
		{"UpdateAnalysis",
			func(ctx context.Context, tx legwork.Tx) error {
				return tx.UpdateAnalysis(ctx, aUpdate.ID, "2.0.0", []byte(`{"v":2}`), map[string]float64{"walking_speed_mps": 1.3}, []string{"short"})
			},
			func(ctx context.Context, r legwork.Tx) (bool, error) {
				a, err := r.Assessment(ctx, aUpdate.ID)
				return err == nil && a.AlgorithmVersion == "2.0.0" && a.Metrics["walking_speed_mps"] == 1.3, err
			}},
		{"DeleteAssessment",
			func(ctx context.Context, tx legwork.Tx) error { return tx.DeleteAssessment(ctx, aDelete.ID) },
			func(ctx context.Context, r legwork.Tx) (bool, error) {
				_, err := r.Assessment(ctx, aDelete.ID)
				return gone(err)
			}},
		{"CreateDiaryEntry",
			func(ctx context.Context, tx legwork.Tx) error {
				return tx.CreateDiaryEntry(ctx, &legwork.DiaryEntry{PersonID: p.ID, At: day(4), Fatigue: ptr(7), ClientKey: "new"})
			},
			func(ctx context.Context, r legwork.Tx) (bool, error) {
				_, err := r.DiaryEntryByClientKey(ctx, p.ID, "new")
				ok, err := gone(err)
				return !ok, err
			}},
		{"UpdateDiaryEntry",
			func(ctx context.Context, tx legwork.Tx) error {
				e := *diary["update"]
				e.Notes = "changed"
				return tx.UpdateDiaryEntry(ctx, &e)
			},
			func(ctx context.Context, r legwork.Tx) (bool, error) {
				e, err := r.DiaryEntry(ctx, diary["update"].ID)
				return err == nil && e.Notes == "changed", err
			}},
		{"DeleteDiaryEntry",
			func(ctx context.Context, tx legwork.Tx) error { return tx.DeleteDiaryEntry(ctx, diary["delete"].ID) },
			func(ctx context.Context, r legwork.Tx) (bool, error) {
				_, err := r.DiaryEntry(ctx, diary["delete"].ID)
				return gone(err)
			}},
		{"CreateIntervention",
			func(ctx context.Context, tx legwork.Tx) error {
				return tx.CreateIntervention(ctx, &legwork.Intervention{PersonID: p.ID, Kind: legwork.InterventionOther, Name: "cooling vest", StartDate: day(4), ClientKey: "new"})
			},
			func(ctx context.Context, r legwork.Tx) (bool, error) {
				_, err := r.InterventionByClientKey(ctx, p.ID, "new")
				ok, err := gone(err)
				return !ok, err
			}},
		{"UpdateIntervention",
			func(ctx context.Context, tx legwork.Tx) error {
				iv := *ivs["update"]
				iv.Name = "changed"
				return tx.UpdateIntervention(ctx, &iv)
			},
			func(ctx context.Context, r legwork.Tx) (bool, error) {
				iv, err := r.Intervention(ctx, ivs["update"].ID)
				return err == nil && iv.Name == "changed", err
			}},
		{"DeleteIntervention",
			func(ctx context.Context, tx legwork.Tx) error { return tx.DeleteIntervention(ctx, ivs["delete"].ID) },
			func(ctx context.Context, r legwork.Tx) (bool, error) {
				_, err := r.Intervention(ctx, ivs["delete"].ID)
				return gone(err)
			}},
	}

	for _, ch := range changes {
		t.Run(ch.name, func(t *testing.T) {
			// run makes the change and appends its audit event in one
			// transaction, which end returns.
			run := func(ev *legwork.AuditEvent, end error) error {
				return s.WithTx(ctx, func(tx legwork.Tx) error {
					if err := ch.change(ctx, tx); err != nil {
						return err
					}
					if err := tx.AppendAudit(ctx, ev); err != nil {
						return err
					}
					if ok, err := ch.took(ctx, tx); !ok || err != nil {
						t.Errorf("the transaction does not see its change (%v)", err)
					}
					return end
				})
			}
			event := func() *legwork.AuditEvent {
				return &legwork.AuditEvent{ActorID: &p.ID, PersonID: &p.ID, Action: "change", Object: ch.name, IP: "192.0.2.1"}
			}

			before := snapshot(t, ctx, s, users)
			if err := run(event(), errRollback); err != errRollback {
				t.Fatalf("WithTx returned %v, want %v", err, errRollback)
			}
			mustEqual(t, "the store after the rollback", snapshot(t, ctx, s, users), before)
			if ok, err := ch.took(ctx, s); ok || err != nil {
				t.Errorf("after the rollback, the change is stored (%v)", err)
			}

			ev := event()
			if err := run(ev, nil); err != nil {
				t.Fatalf("WithTx: %v", err)
			}
			if ok, err := ch.took(ctx, s); !ok || err != nil {
				t.Errorf("after the commit, the change is not stored (%v)", err)
			}
			events, err := s.ListAudit(ctx, legwork.AuditFilter{Page: legwork.Page{Limit: 1}})
			if err != nil {
				t.Fatalf("ListAudit: %v", err)
			}
			mustEqual(t, "the last audit event after the commit", events, []*legwork.AuditEvent{ev})
		})
	}
}

// snapshot reads everything the store holds about the users (sessions
// aside: they cannot be listed), and every assessment and audit event.
func snapshot(t *testing.T, ctx context.Context, s legwork.Tx, users []*legwork.User) map[string]any {
	t.Helper()
	m := map[string]any{}
	add := func(name string, v any, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("snapshot: %s: %v", name, err)
		}
		m[name] = v
	}
	list, err := s.ListUsers(ctx)
	add("users", list, err)
	ids, err := s.AssessmentIDs(ctx, 0, 0)
	add("assessment ids", ids, err)
	for _, id := range ids {
		a, err := s.Assessment(ctx, id)
		add(fmt.Sprintf("assessment %d", id), a, err)
		rec, err := s.Recording(ctx, id)
		if legwork.ErrorCode(err) == legwork.ENOTFOUND {
			rec, err = nil, nil
		}
		add(fmt.Sprintf("recording %d", id), rec, err)
	}
	events, err := s.ListAudit(ctx, legwork.AuditFilter{})
	add("audit", events, err)
	for _, u := range users {
		id := u.ID
		tokens, err := s.ListAPITokens(ctx, id)
		add(fmt.Sprintf("api tokens of %d", id), tokens, err)
		invs, err := s.ListInvitations(ctx, id)
		add(fmt.Sprintf("invitations of %d", id), invs, err)
		gp, err := s.ListGrantsForPerson(ctx, id)
		add(fmt.Sprintf("grants of person %d", id), gp, err)
		gc, err := s.ListGrantsForClinician(ctx, id)
		add(fmt.Sprintf("grants of clinician %d", id), gc, err)
		diary, err := s.ListDiaryEntries(ctx, legwork.DiaryFilter{PersonID: id})
		add(fmt.Sprintf("diary of %d", id), diary, err)
		ivs, err := s.ListInterventions(ctx, id)
		add(fmt.Sprintf("interventions of %d", id), ivs, err)
		names, err := s.MetricNames(ctx, id)
		add(fmt.Sprintf("metric names of %d", id), names, err)
	}
	return m
}

// testWithTxRace: transactions that create a record with one client key
// at the same time, each with its audit event, store one record and one
// event; the others fail with ECONFLICT (what the app's idempotent
// creates rely on).
func testWithTxRace(t *testing.T, s legwork.Store) {
	ctx := txContext(t)
	p := newUser(t, s, legwork.RolePerson, "Pat")
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = s.WithTx(ctx, func(tx legwork.Tx) error {
				e := &legwork.DiaryEntry{PersonID: p.ID, At: day(i), Severity: ptr(i), ClientKey: "race"}
				if err := tx.CreateDiaryEntry(ctx, e); err != nil {
					return err
				}
				return tx.AppendAudit(ctx, &legwork.AuditEvent{PersonID: &p.ID, Action: "create", Object: fmt.Sprintf("diary:%d", e.ID)})
			})
		})
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		if err == nil {
			won++
			continue
		}
		wantCode(t, err, legwork.ECONFLICT, fmt.Sprintf("losing transaction %d", i))
	}
	entries, err := s.ListDiaryEntries(ctx, legwork.DiaryFilter{PersonID: p.ID})
	if err != nil {
		t.Fatalf("ListDiaryEntries: %v", err)
	}
	events, err := s.ListAudit(ctx, legwork.AuditFilter{PersonID: &p.ID})
	if err != nil {
		t.Fatalf("ListAudit: %v", err)
	}
	if won != 1 || len(entries) != 1 || len(events) != 1 {
		t.Fatalf("%d transactions committed, %d entries and %d audit events stored; want 1, 1 and 1", won, len(entries), len(events))
	}
	if want := fmt.Sprintf("diary:%d", entries[0].ID); events[0].Object != want {
		t.Errorf("the audit event is about %s, want %s", events[0].Object, want)
	}
}
