package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"legwork"
)

// SignUpLimits bound public sign-ups per client address: at most Max
// accounts (attempts that reached the password hash, successful or not)
// from one address within Window.
type SignUpLimits struct {
	Max    int
	Window time.Duration
}

// DefaultSignUpLimits allow 5 sign-ups per address an hour.
var DefaultSignUpLimits = SignUpLimits{Max: 5, Window: time.Hour}

// SignUp is a person's own request for an account.
type SignUp struct {
	Email    string
	Name     string
	Password string
	// HeightM is optional (0: not given).
	HeightM float64
}

// SignUpOpen reports whether people may create their own accounts on this
// deployment (Config.NoSignUp turns it off).
func (a *App) SignUpOpen() bool { return !a.noSignUp }

// SignUp creates a person's account from the public sign-up form and
// signs them in. Only the person role can be had this way: clinicians and
// administrators are created by an administrator. It validates like
// CreateUser, is rate limited per client address (Actor.IP of ctx), and
// is audited.
func (a *App) SignUp(ctx context.Context, su SignUp) (*Login, error) {
	if a.noSignUp {
		return nil, legwork.Errorf(legwork.EFORBIDDEN, "this server does not take sign-ups: ask its administrator for an account")
	}
	ip := ""
	if act := ActorFrom(ctx); act != nil {
		ip = act.IP
	}
	email, err := normaliseEmail(su.Email)
	if err != nil {
		return nil, err
	}
	name := strings.TrimSpace(su.Name)
	if err := checkText("name", name, 1, 200); err != nil {
		return nil, err
	}
	if err := checkPassword("password", su.Password); err != nil {
		return nil, err
	}
	if err := checkProfile(su.HeightM, 0); err != nil {
		return nil, err
	}
	// Every attempt that gets this far costs a password hash (64 MiB of
	// memory): count it against the address whatever its outcome (it is
	// recorded before it is counted, so that sign-ups sent at the same
	// time count one another, and never removed; one refused is not
	// counted).
	if _, err := a.signups.begin(ctx, "", ip, "new accounts from your address"); err != nil {
		if legwork.ErrorCode(err) == legwork.ETOOMANY {
			a.appendAudit(ctx, &legwork.AuditEvent{Action: "signup_refused", Object: "user", Detail: "rate limited", IP: ip})
		}
		return nil, err
	}
	hash, err := a.hashPassword(su.Password)
	if err != nil {
		return nil, err
	}
	u := &legwork.User{Email: email, Name: name, Role: legwork.RolePerson, CreatedAt: a.now().UTC(), HeightM: su.HeightM, PasswordHash: hash}
	err = a.store.WithTx(ctx, func(tx legwork.Tx) error {
		if err := tx.CreateUser(ctx, u); err != nil {
			return err
		}
		return a.auditChange(ctx, tx, &legwork.AuditEvent{ActorID: &u.ID, PersonID: personOf(u), Action: "create", Object: fmt.Sprintf("user:%d", u.ID), Detail: "signup", IP: ip})
	})
	if err != nil {
		if legwork.ErrorCode(err) == legwork.ECONFLICT {
			a.appendAudit(ctx, &legwork.AuditEvent{Action: "signup_refused", Object: "user", Detail: "email taken", IP: ip})
			return nil, &legwork.Error{Code: legwork.ECONFLICT, Field: "email", Message: "an account with this email already exists: sign in instead", Err: err}
		}
		return nil, err
	}
	token, th, err := a.newSecret("")
	if err != nil {
		return nil, err
	}
	now := a.now().UTC()
	s := &legwork.Session{TokenHash: th, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(a.sessionTTL)}
	if err := a.store.CreateSession(ctx, s); err != nil {
		return nil, err
	}
	a.appendAudit(ctx, &legwork.AuditEvent{ActorID: &u.ID, PersonID: personOf(u), Action: "login", Object: "session", Detail: "signup", IP: ip})
	return &Login{User: u, Token: token, ExpiresAt: s.ExpiresAt}, nil
}

// MinPasswordLength is the shortest password accepted, in characters.
const MinPasswordLength = minPasswordLen
