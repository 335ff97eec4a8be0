package legwork

import (
	"context"
	"time"
)

// The store interfaces are plain data access: they do not check who may do
// what (the app package does, and writes the audit log, in the same
// transaction as the change it records: Store.WithTx). Every method that
// looks up one item returns an *Error with code ENOTFOUND when it does not
// exist; unique-key violations return ECONFLICT. Implementations: sqlite
// (the embedded default) and postgres; one conformance suite (storetest)
// runs against both.

// UserStore stores accounts and their credentials.
type UserStore interface {
	// CreateUser sets u.ID and u.CreatedAt (when zero). A duplicate email
	// (case-insensitive) is ECONFLICT. The weekly plan is stored as given,
	// with who changed it when.
	CreateUser(ctx context.Context, u *User) error
	User(ctx context.Context, id int64) (*User, error)
	UserByEmail(ctx context.Context, email string) (*User, error)
	// UpdateUser saves Name, Role, Admin, HeightM, SensorHeightM,
	// TimeZone and PasswordHash; not the email, nor the weekly plan (nor
	// who changed it when).
	UpdateUser(ctx context.Context, u *User) error
	// SetWeeklyPlan replaces the user's weekly plan; nil clears it, an
	// empty map is a plan with no tests. by is the account that made the
	// change (nil: the system) and at when (the store's clock when zero):
	// they are kept as WeeklyPlanChangedByID and WeeklyPlanChangedAt, for
	// every change, clearing included. An account by that does not exist
	// is ENOTFOUND, and nothing changes. When the account by is deleted
	// later, the plan keeps its time and loses its changer (ON DELETE SET
	// NULL). It is apart from UpdateUser because the person's clinicians
	// set it too: an update of the account read before the plan changed
	// must not undo the change.
	SetWeeklyPlan(ctx context.Context, userID int64, plan map[TestType]int, by *int64, at time.Time) error
	ListUsers(ctx context.Context) ([]*User, error)

	CreateSession(ctx context.Context, s *Session) error
	// Session returns the session with that token hash, ENOTFOUND when
	// there is none or it has expired (at the given time).
	Session(ctx context.Context, tokenHash []byte, now time.Time) (*Session, error)
	DeleteSession(ctx context.Context, tokenHash []byte) error
	DeleteUserSessions(ctx context.Context, userID int64) error

	CreateAPIToken(ctx context.Context, t *APIToken) error
	APITokenByHash(ctx context.Context, hash []byte) (*APIToken, error)
	ListAPITokens(ctx context.Context, userID int64) ([]*APIToken, error)
	DeleteAPIToken(ctx context.Context, userID, id int64) error
	TouchAPIToken(ctx context.Context, id int64, at time.Time) error
}

// AccessStore stores invitations and the grants they create.
type AccessStore interface {
	CreateInvitation(ctx context.Context, inv *Invitation) error
	InvitationByCode(ctx context.Context, codeHash []byte) (*Invitation, error)
	ListInvitations(ctx context.Context, personID int64) ([]*Invitation, error)
	DeleteInvitation(ctx context.Context, personID, id int64) error
	// AcceptInvitation marks the invitation accepted by the clinician and
	// creates (or re-activates) the grant, atomically. An invitation
	// already accepted or expired (at the given time) is ECONFLICT.
	AcceptInvitation(ctx context.Context, invitationID, clinicianID int64, at time.Time) (*Grant, error)
	// Grant returns the grant (active or revoked) or ENOTFOUND.
	Grant(ctx context.Context, personID, clinicianID int64) (*Grant, error)
	// ListGrantsForPerson returns every grant of a person, revoked ones
	// included, with clinician names and emails filled.
	ListGrantsForPerson(ctx context.Context, personID int64) ([]*Grant, error)
	// ListGrantsForClinician returns the clinician's active grants with
	// person names filled.
	ListGrantsForClinician(ctx context.Context, clinicianID int64) ([]*Grant, error)
	RevokeGrant(ctx context.Context, personID, clinicianID int64, at time.Time) error
}

// AssessmentFilter selects assessments of one person.
type AssessmentFilter struct {
	PersonID int64
	TestType TestType        // "" = any
	Device   AssistiveDevice // "" = any
	From, To time.Time       // on RecordedAt; zero = unbounded; To exclusive
	Page     Page            // newest first
}

// AssessmentStore stores assessments, their raw recordings and their metric
// values.
type AssessmentStore interface {
	// CreateAssessment stores the assessment, its metrics and (when rec is
	// non-nil) its raw recording in one transaction; when it returns nil
	// the data is durable. It sets a.ID and a.CreatedAt. A ClientKey the
	// person already has an assessment with is ECONFLICT (nothing is
	// stored).
	CreateAssessment(ctx context.Context, a *Assessment, rec *Recording) error
	Assessment(ctx context.Context, id int64) (*Assessment, error)
	// AssessmentByClientKey returns, as Assessment does, the person's
	// assessment created with that client key; ENOTFOUND when there is
	// none (an empty key matches nothing).
	AssessmentByClientKey(ctx context.Context, personID int64, key string) (*Assessment, error)
	ListAssessments(ctx context.Context, f AssessmentFilter) ([]*Assessment, error)
	// UpdateAnalysis replaces an assessment's analysis (after re-analysis
	// with a new algorithm version), metrics included, in one transaction.
	UpdateAnalysis(ctx context.Context, id int64, algorithmVersion string, result []byte, metrics map[string]float64, quality []string) error
	DeleteAssessment(ctx context.Context, id int64) error
	Recording(ctx context.Context, assessmentID int64) (*Recording, error)
	// AssessmentIDs returns up to limit ids greater than after, ascending
	// (for re-analysis of everything).
	AssessmentIDs(ctx context.Context, after int64, limit int) ([]int64, error)

	// MetricSeries returns one metric's values, oldest first.
	MetricSeries(ctx context.Context, f MetricFilter) ([]MetricPoint, error)
	// MetricNames returns the metric names a person has values for.
	MetricNames(ctx context.Context, personID int64) ([]string, error)
}

// DiaryFilter selects diary entries of one person.
type DiaryFilter struct {
	PersonID int64
	From, To time.Time // on At; zero = unbounded; To exclusive
	Page     Page      // newest first
}

// DiaryStore stores symptom diary entries.
type DiaryStore interface {
	// CreateDiaryEntry sets e.ID and e.CreatedAt (when zero). A ClientKey
	// the person already has a diary entry with is ECONFLICT.
	CreateDiaryEntry(ctx context.Context, e *DiaryEntry) error
	DiaryEntry(ctx context.Context, id int64) (*DiaryEntry, error)
	// DiaryEntryByClientKey returns the person's diary entry created with
	// that client key; ENOTFOUND when there is none (an empty key matches
	// nothing).
	DiaryEntryByClientKey(ctx context.Context, personID int64, key string) (*DiaryEntry, error)
	ListDiaryEntries(ctx context.Context, f DiaryFilter) ([]*DiaryEntry, error)
	// UpdateDiaryEntry saves every field but the person, the creation
	// time and the client key, which it fills in e.
	UpdateDiaryEntry(ctx context.Context, e *DiaryEntry) error
	DeleteDiaryEntry(ctx context.Context, id int64) error
}

// InterventionStore stores interventions.
type InterventionStore interface {
	// CreateIntervention sets iv.ID and iv.CreatedAt (when zero). A
	// ClientKey the person already has an intervention with is ECONFLICT.
	CreateIntervention(ctx context.Context, iv *Intervention) error
	Intervention(ctx context.Context, id int64) (*Intervention, error)
	// InterventionByClientKey returns the person's intervention created
	// with that client key; ENOTFOUND when there is none (an empty key
	// matches nothing).
	InterventionByClientKey(ctx context.Context, personID int64, key string) (*Intervention, error)
	// ListInterventions returns a person's interventions, by start date.
	ListInterventions(ctx context.Context, personID int64) ([]*Intervention, error)
	// UpdateIntervention saves Kind, Name, Device, StartDate, EndDate and
	// Notes, and fills iv.PersonID, iv.CreatedAt and iv.ClientKey.
	UpdateIntervention(ctx context.Context, iv *Intervention) error
	DeleteIntervention(ctx context.Context, id int64) error
}

// AuditFilter selects audit events.
type AuditFilter struct {
	PersonID *int64
	ActorID  *int64
	Page     Page // newest first
}

// AuditStore is the append-only audit log.
type AuditStore interface {
	AppendAudit(ctx context.Context, e *AuditEvent) error
	ListAudit(ctx context.Context, f AuditFilter) ([]*AuditEvent, error)
}

// AuthThrottleStore keeps failed attempts at signing in (and other
// attempts the app rate limits, such as public sign-ups), so that the
// limits hold across every process serving one database and across
// restarts. A key is an opaque byte string the app derives from what it
// limits (an account, a client address); keys compare byte for byte. Each
// failure is one row: failures recorded for one key at the same time all
// count.
type AuthThrottleStore interface {
	// RecordAuthFailure stores one failure for key at time at. An empty
	// key is EINVALID.
	RecordAuthFailure(ctx context.Context, key []byte, at time.Time) error
	// AuthFailures returns the times of key's failures after since
	// (strictly), newest first, at most limit of them (every one when
	// limit is zero or less); an empty list when there are none.
	AuthFailures(ctx context.Context, key []byte, since time.Time, limit int) ([]time.Time, error)
	// RemoveAuthFailure deletes one failure of key at time at, compared
	// at the stored precision (an at given to RecordAuthFailure finds the
	// failure it stored). The app records an attempt as a failure before
	// it knows the outcome, so that simultaneous attempts count each
	// other, and removes it when the attempt turns out not to be one.
	// When several failures of key are at that time, it deletes exactly
	// one of them (which one does not matter: they are alike), also when
	// removals race: each deletes a failure of its own. When key has no
	// failure at that time (an empty key included), it is ENOTFOUND and
	// deletes nothing.
	RemoveAuthFailure(ctx context.Context, key []byte, at time.Time) error
	// ClearAuthFailures deletes every failure of key (after a successful
	// sign-in). A key with no failures is not an error.
	ClearAuthFailures(ctx context.Context, key []byte) error
	// PruneAuthFailures deletes the failures of every key at or before
	// cutoff, and returns how many it deleted.
	PruneAuthFailures(ctx context.Context, cutoff time.Time) (int64, error)
}

// Tx is every data method of a store. Store has them, each method on its
// own; the tx that Store.WithTx gives its function has them too, all
// working in that one transaction.
type Tx interface {
	UserStore
	AccessStore
	AssessmentStore
	DiaryStore
	InterventionStore
	AuditStore
	AuthThrottleStore
}

// Store is the whole storage of a legwork deployment.
type Store interface {
	Tx
	// WithTx runs fn in one database transaction and commits it when fn
	// returns nil: either everything fn did through tx is stored, or,
	// when fn returns an error (WithTx returns it as it is), panics (the
	// panic goes on) or the commit fails, nothing of it. Others do not
	// see the changes before the commit. The app stores each change to a
	// person's data with its audit event this way.
	//
	// The tx of the stores (sqlite, postgres) has a WithTx of its own,
	// not part of Tx, that runs its fn in a savepoint of the transaction:
	// when that fn returns an error or panics, what it did is undone (the
	// error is returned, the panic goes on unchanged) and the outer
	// transaction can go on, also if the outer fn recovers the panic;
	// otherwise it is committed, or rolled back, with the outer one.
	//
	// Inside fn, use tx only: the store's own writes wait for the
	// transaction to end (SQLite has one writer). When a method of tx
	// fails, return its error: the method changed nothing, but the
	// transaction may not go on (PostgreSQL refuses further statements).
	// Transactions that write wait for one another (SQLite) or for the
	// rows they both change (PostgreSQL): keep fn short, with any slow
	// work done before.
	WithTx(ctx context.Context, fn func(tx Tx) error) error
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	Close() error
}
