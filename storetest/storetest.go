// Package storetest is the conformance suite of legwork.Store: every
// implementation (sqlite, postgres) runs it from its tests with Run, so
// that they all behave the same.
//
// Beyond what the interface documents, the suite pins down these
// behaviours:
//
//   - Times are stored at microsecond precision (TimePrecision; finer parts
//     are truncated) and read back in UTC.
//   - Create methods set the ID and, when zero, CreatedAt (At for audit
//     events); ids are never reused, even after a delete.
//   - Emails are unique without regard to case (Unicode lower case), and
//     UpdateUser does not change the email.
//   - A user's weekly plan reads back as stored: nil when there is none
//     (a new account, or after SetWeeklyPlan(nil)), a non-nil empty map
//     for an empty plan, zero counts kept. UpdateUser leaves the plan as
//     it is, whatever the WeeklyPlan of the user it is given, and who
//     changed it when. SetWeeklyPlan keeps its changer (nil: the system)
//     and time with the plan; a changer that does not exist is ENOTFOUND
//     and changes nothing. Deleting the changer's account (Store.DeleteUser)
//     keeps the plan and the time of the change, and sets the changer to
//     nil.
//   - Every getter, updater and deleter of one item returns ENOTFOUND for a
//     missing item, DeleteSession included; DeleteUserSessions does not.
//     A create that refers to a missing user or person is ENOTFOUND.
//   - List methods return a non-nil, possibly empty, slice. Page.Limit of
//     zero or less means no limit. Listings that page (assessments, diary,
//     audit) are newest first by id; other orders: users, API tokens by id;
//     invitations newest first; grants by GrantedAt; interventions by
//     StartDate; MetricSeries by time then assessment id; MetricNames in
//     byte order.
//   - Empty word lists (tags, sensations, triggers, quality) and an empty
//     Result read back as nil; Metrics reads back as a non-nil map.
//     Assessment.Result is stored byte for byte. ListAssessments leaves
//     Result nil (it can be large; Assessment returns it).
//   - A metric value that is not a finite number, or an empty recording,
//     is EINVALID, and nothing of the assessment is stored.
//   - A session is valid while now is before ExpiresAt; an invitation can
//     be accepted while at is before ExpiresAt.
//   - A client key (ClientKey, the idempotency key of a create) is unique
//     per person and kind of record: a create with a key the person
//     already has a record of that kind with is ECONFLICT and stores
//     nothing, also when the creates race. Records without a key ("",
//     stored as NULL) may be many; other people and other kinds may use
//     the same key. Keys compare byte for byte; updates and re-analysis
//     keep them, and deleting a record frees its key. The ByClientKey
//     lookups return ENOTFOUND for an empty or unknown key.
//   - WithTx stores all that its function did (audit events included),
//     or, when the function returns an error or panics, nothing of it;
//     it returns the function's error as it is. Every method works on the
//     transaction, which sees its own writes; others see them after the
//     commit. Transactions that create records with one client key at the
//     same time store one; the others are ECONFLICT. The tx of WithTx has
//     a WithTx of its own (not part of legwork.Tx) that runs in a
//     savepoint: when its function fails, only what that function did is
//     undone and the outer transaction goes on, even after a failed
//     statement; otherwise it is committed or rolled back with the outer one.
//     When that function panics, what it did is undone too and the panic
//     goes on out of the inner WithTx, unchanged: an outer function that
//     recovers it can go on with the outer transaction and commit it
//     without the inner writes.
//   - Failed attempts (AuthThrottleStore) are one row each: failures of
//     one key at the same time, also recorded concurrently, all count.
//     Keys compare byte for byte; an empty key is EINVALID. AuthFailures
//     counts those strictly after since, newest first, and returns a
//     non-nil list; PruneAuthFailures deletes those at or before the
//     cutoff, of every key; clearing a key without failures is no error.
//     RemoveAuthFailure deletes exactly one failure of the key at that
//     time (at the stored precision), also when removals of failures
//     alike race (each deletes one); with none there it is ENOTFOUND.
//   - TouchAPIToken only moves LastUsedAt forward. Revoking a revoked grant
//     keeps the first revocation time; accepting an invitation while the
//     grant is active keeps its GrantedAt, re-activating a revoked grant
//     sets GrantedAt to the acceptance time.
package storetest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"legwork"
)

// TimePrecision is the precision at which stores keep times.
const TimePrecision = time.Microsecond

// Store is a store under test: a legwork.Store, and DeleteUser, which
// deletes an account the way an operator does, in SQL (legwork has no way
// to delete an account; the schema decides what goes with it). The
// stores' tests give it to their store.
type Store interface {
	legwork.Store
	DeleteUser(ctx context.Context, id int64) error
	// RedoMigration undoes the schema migrations from version on and
	// applies them again, so that a test can check what a migration does
	// to rows stored before it.
	RedoMigration(ctx context.Context, version int64) error
}

// Run runs the conformance suite. open must return a new, empty store each
// time it is called, and close it when the test ends (t.Cleanup).
func Run(t *testing.T, open func(t *testing.T) Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s legwork.Store)
	}{
		{"Ping", testPing},
		{"Users", testUsers},
		{"UserEmailCase", testUserEmailCase},
		{"UserNotFound", testUserNotFound},
		{"UserSettings", testUserSettings},
		{"WeeklyPlanChanger", func(t *testing.T, s legwork.Store) { testWeeklyPlanChanger(t, s.(Store)) }},
		{"Sessions", testSessions},
		{"APITokens", testAPITokens},
		{"Invitations", testInvitations},
		{"AcceptInvitation", testAcceptInvitation},
		{"AcceptInvitationConflicts", testAcceptInvitationConflicts},
		{"AcceptInvitationRace", testAcceptInvitationRace},
		{"Grants", testGrants},
		{"Assessment", testAssessment},
		{"AssessmentNotFound", testAssessmentNotFound},
		{"AssessmentAtomic", testAssessmentAtomic},
		{"ListAssessments", testListAssessments},
		{"ListAssessmentsPaging", testListAssessmentsPaging},
		{"UpdateAnalysis", testUpdateAnalysis},
		{"DeleteAssessment", testDeleteAssessment},
		{"AssessmentIDs", testAssessmentIDs},
		{"MetricSeries", testMetricSeries},
		{"MetricNames", testMetricNames},
		{"MigrationInvalidTestMetrics", func(t *testing.T, s legwork.Store) { testMigrationInvalidTestMetrics(t, s.(Store)) }},
		{"Diary", testDiary},
		{"ListDiaryEntries", testListDiaryEntries},
		{"Interventions", testInterventions},
		{"AssessmentClientKeys", testAssessmentClientKeys},
		{"DiaryClientKeys", testDiaryClientKeys},
		{"InterventionClientKeys", testInterventionClientKeys},
		{"ClientKeysPerKind", testClientKeysPerKind},
		{"ClientKeyRace", testClientKeyRace},
		{"Audit", testAudit},
		{"AuthFailures", testAuthFailures},
		{"ClearAuthFailures", testClearAuthFailures},
		{"RemoveAuthFailure", testRemoveAuthFailure},
		{"RemoveAuthFailureConcurrent", testRemoveAuthFailureConcurrent},
		{"PruneAuthFailures", testPruneAuthFailures},
		{"AuthFailuresConcurrent", testAuthFailuresConcurrent},
		{"AuthFailuresTx", testAuthFailuresTx},
		{"TimePrecision", testTimePrecision},
		{"ConcurrentWrites", testConcurrentWrites},
		{"WithTx", testWithTx},
		{"WithTxMethods", testWithTxMethods},
		{"WithTxRace", testWithTxRace},
		{"WithTxNested", testWithTxNested},
		{"WithTxNestedPanic", testWithTxNestedPanic},
		{"WithTxNestedCancel", testWithTxNestedCancel},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, open(t))
		})
	}
}

func testPing(t *testing.T, s legwork.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

// base is a fixed time the tests build on.
var base = time.Date(2024, 3, 4, 8, 0, 0, 0, time.UTC)

// day returns base plus n days.
func day(n int) time.Time { return base.AddDate(0, 0, n) }

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }

// emailSeq makes fixture emails unique within a test binary.
var emailSeq atomic.Int64

// newUser stores an account with the role and name.
func newUser(t *testing.T, s legwork.Store, role legwork.Role, name string) *legwork.User {
	t.Helper()
	u := &legwork.User{
		Email:        fmt.Sprintf("user%d@example.org", emailSeq.Add(1)),
		Name:         name,
		Role:         role,
		PasswordHash: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
	}
	if err := s.CreateUser(t.Context(), u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	return u
}

// wantCode fails the test unless err is a *legwork.Error with that code.
func wantCode(t *testing.T, err error, code, what string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: got nil error, want %s", what, code)
		return
	}
	if got := legwork.ErrorCode(err); got != code {
		t.Errorf("%s: got error %v (code %q), want code %q", what, err, got, code)
	}
}

// mustEqual fails the test when got and want differ (see diff).
func mustEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if d := diff(got, want); d != "" {
		t.Errorf("%s differs (got, want):\n%s", what, d)
	}
}
