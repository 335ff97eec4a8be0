// Package app is legwork's application service: accounts and credentials,
// invitations and grants, and every read and write of a person's data, each
// authorised and audited. It sits on a legwork.Store, which does no checks
// of its own, and under the api package, which only translates HTTP.
//
// The authenticated caller travels in the context (see NewContext). Time and
// randomness are injected through Config, so tests control both; the App
// holds no global state.
package app

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"sync"
	"time"

	"legwork"
)

// Config configures an App. Only Store is required.
type Config struct {
	Store legwork.Store
	// Now returns the current time; time.Now when nil.
	Now func() time.Time
	// Rand is the source of secrets (tokens, salts, invitation codes);
	// crypto/rand when nil.
	Rand io.Reader
	// Logger receives errors that cannot be returned to the caller (the
	// audit event of a sign-in or a refusal that could not be written, a
	// recording that failed re-analysis); slog.Default when nil.
	Logger *slog.Logger
	// Password holds the argon2id parameters for new hashes;
	// DefaultPasswordParams when zero.
	Password PasswordParams
	// SessionTTL is how long a browser session lasts (default 14 days).
	SessionTTL time.Duration
	// InvitationTTL is how long an invitation code can be used (default 14
	// days).
	InvitationTTL time.Duration
	// Limits configures login rate limiting (DefaultLoginLimits when zero).
	// The failures are counted in Store, so every App on one database
	// shares them; Apps that share a database should have the same Limits
	// and SignUps (each deletes the failures older than its longest
	// window).
	Limits LoginLimits
	// MaxSamples bounds the samples of one uploaded recording (default 2
	// million: over five hours at 100 Hz).
	MaxSamples int
	// OnAnalysis, when set, is called after each analysis with the test and
	// how long it took (for metrics).
	OnAnalysis func(test legwork.TestType, d time.Duration)
	// NoSignUp refuses public sign-ups (SignUp): accounts are then created
	// by an administrator only.
	NoSignUp bool
	// SignUps limits public sign-ups per address (DefaultSignUpLimits when
	// zero).
	SignUps SignUpLimits
}

// App is the application service. It is safe for concurrent use.
type App struct {
	store         legwork.Store
	now           func() time.Time
	rand          io.Reader
	log           *slog.Logger
	pw            PasswordParams
	sessionTTL    time.Duration
	invitationTTL time.Duration
	limiter       *loginLimiter
	signups       *loginLimiter
	noSignUp      bool
	maxSamples    int
	onAnalysis    func(legwork.TestType, time.Duration)
	dummyHash     string
	gzipWriters   sync.Pool // *gzip.Writer
}

// New returns an App on cfg.Store.
func New(cfg Config) *App {
	a := &App{
		store:         cfg.Store,
		now:           cfg.Now,
		rand:          cfg.Rand,
		log:           cfg.Logger,
		pw:            cfg.Password,
		sessionTTL:    cfg.SessionTTL,
		invitationTTL: cfg.InvitationTTL,
		maxSamples:    cfg.MaxSamples,
		onAnalysis:    cfg.OnAnalysis,
		noSignUp:      cfg.NoSignUp,
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.rand == nil {
		a.rand = rand.Reader
	}
	if a.log == nil {
		a.log = slog.Default()
	}
	if a.pw == (PasswordParams{}) {
		a.pw = DefaultPasswordParams
	}
	if a.sessionTTL <= 0 {
		a.sessionTTL = 14 * 24 * time.Hour
	}
	if a.invitationTTL <= 0 {
		a.invitationTTL = 14 * 24 * time.Hour
	}
	if a.maxSamples <= 0 {
		a.maxSamples = 2_000_000
	}
	limits := cfg.Limits
	if limits == (LoginLimits{}) {
		limits = DefaultLoginLimits
	}
	su := cfg.SignUps
	if su == (SignUpLimits{}) {
		su = DefaultSignUpLimits
	}
	// The failures both limits count live in the store; old ones are
	// pruned once no limit counts them.
	pr := &pruner{store: a.store, keep: max(limits.Window, su.Window), log: a.log}
	a.limiter = newLoginLimiter(a.store, "login", limits, a.now, pr)
	a.signups = newLoginLimiter(a.store, "signup", LoginLimits{IP: su.Max, Window: su.Window}, a.now, pr)
	// A hash to verify against when an email is unknown, so that a login
	// for a missing account costs as much as one for a real account.
	if h, err := a.hashPassword("legwork-no-such-account"); err == nil {
		a.dummyHash = h
	}
	return a
}

// Store returns the store the App works on.
func (a *App) Store() legwork.Store { return a.store }

// Ping checks that the store answers.
func (a *App) Ping(ctx context.Context) error { return a.store.Ping(ctx) }

// Actor is who is calling: a signed-in user, or the system itself (the
// command line run by the operator, the demo generator).
type Actor struct {
	User   *legwork.User // nil for the system
	System bool
	// IP is the client's address, for the audit log.
	IP string
	// SessionHash is the hash of the session token, when the caller came
	// with a browser session (so that logout can end it).
	SessionHash []byte
	// TokenID is the API token the caller came with, when any.
	TokenID int64
}

type actorKey struct{}

// NewContext returns a context carrying the actor.
func NewContext(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor of ctx, or nil when nobody is signed in.
func ActorFrom(ctx context.Context) *Actor {
	a, _ := ctx.Value(actorKey{}).(*Actor)
	return a
}

// SystemContext returns a context acting as the system: allowed everything,
// audited with no actor. It is for the operator's command line and the demo
// generator, never for requests.
func SystemContext(ctx context.Context) context.Context {
	return NewContext(ctx, &Actor{System: true})
}

// UserFrom returns the signed-in user of ctx, or nil.
func UserFrom(ctx context.Context) *legwork.User {
	if a := ActorFrom(ctx); a != nil {
		return a.User
	}
	return nil
}

// requireUser returns the signed-in user or EUNAUTHORIZED.
func requireUser(ctx context.Context) (*legwork.User, error) {
	if u := UserFrom(ctx); u != nil {
		return u, nil
	}
	return nil, legwork.Errorf(legwork.EUNAUTHORIZED, "sign in first")
}
