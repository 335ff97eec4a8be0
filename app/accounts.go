package app

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"legwork"
)

// NewUser is an account to create.
type NewUser struct {
	Email    string
	Name     string
	Role     legwork.Role
	Admin    bool
	Password string
	// HeightM and SensorHeightM are the person's profile (optional).
	HeightM       float64
	SensorHeightM float64
}

// CreateUser creates an account. Only an admin (or the system) may.
func (a *App) CreateUser(ctx context.Context, nu NewUser) (*legwork.User, error) {
	act := ActorFrom(ctx)
	switch {
	case act == nil || (act.User == nil && !act.System):
		return nil, legwork.Errorf(legwork.EUNAUTHORIZED, "sign in first")
	case !act.System && !act.User.Admin:
		return nil, legwork.Errorf(legwork.EFORBIDDEN, "only an administrator can create accounts")
	}
	email, err := normaliseEmail(nu.Email)
	if err != nil {
		return nil, err
	}
	name := strings.TrimSpace(nu.Name)
	if err := checkText("name", name, 1, 200); err != nil {
		return nil, err
	}
	if nu.Role != legwork.RolePerson && nu.Role != legwork.RoleClinician {
		return nil, legwork.FieldErrorf("role", "must be %q or %q", legwork.RolePerson, legwork.RoleClinician)
	}
	if err := checkPassword("password", nu.Password); err != nil {
		return nil, err
	}
	if err := checkProfile(nu.HeightM, nu.SensorHeightM); err != nil {
		return nil, err
	}
	hash, err := a.hashPassword(nu.Password)
	if err != nil {
		return nil, err
	}
	u := &legwork.User{Email: email, Name: name, Role: nu.Role, Admin: nu.Admin, CreatedAt: a.now().UTC(),
		HeightM: nu.HeightM, SensorHeightM: nu.SensorHeightM, PasswordHash: hash}
	err = a.store.WithTx(ctx, func(tx legwork.Tx) error {
		if err := tx.CreateUser(ctx, u); err != nil {
			if legwork.ErrorCode(err) == legwork.ECONFLICT {
				return &legwork.Error{Code: legwork.ECONFLICT, Field: "email", Message: "an account with this email already exists", Err: err}
			}
			return err
		}
		return a.auditChange(ctx, tx, auditEvent(act, personOf(u), "create", fmt.Sprintf("user:%d", u.ID), string(u.Role)))
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// ListUsers lists every account (admins only). An administrator manages
// accounts but does not see people's data (see authorize): the settings
// that belong to a person's record — their time zone and weekly plan, and
// when the plan changed — are left out of every account but the
// administrator's own. Who changed a plan is never listed. The command
// line (the system) gets the settings whole.
func (a *App) ListUsers(ctx context.Context) ([]*legwork.User, error) {
	u, err := requireUser(ctx)
	if err != nil && !isSystem(ctx) {
		return nil, err
	}
	if u != nil && !u.Admin {
		return nil, legwork.Errorf(legwork.EFORBIDDEN, "only an administrator can list accounts")
	}
	list, err := a.store.ListUsers(ctx)
	if err != nil || u == nil {
		return list, err
	}
	for _, x := range list {
		if x.ID != u.ID {
			x.TimeZone, x.WeeklyPlan, x.WeeklyPlanChangedAt = "", nil, nil
		}
		x.WeeklyPlanChangedByID = nil // not serialised; not listed all the same
	}
	return list, nil
}

// Me returns the signed-in user's account, for a person with who last
// changed their weekly plan (see planChanger).
func (a *App) Me(ctx context.Context) (*legwork.User, error) {
	u, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	me := *u
	a.planChanger(ctx, ActorFrom(ctx), &me)
	return &me, nil
}

// UserByEmail returns an account by email; system only (the command line).
func (a *App) UserByEmail(ctx context.Context, email string) (*legwork.User, error) {
	if !isSystem(ctx) {
		return nil, legwork.Errorf(legwork.EFORBIDDEN, "not allowed")
	}
	e, err := normaliseEmail(email)
	if err != nil {
		return nil, err
	}
	return a.store.UserByEmail(ctx, e)
}

// ProfileUpdate changes the signed-in user's own account. Nil fields are
// left as they are.
type ProfileUpdate struct {
	Name          *string
	HeightM       *float64
	SensorHeightM *float64
	// TimeZone is an IANA name such as Europe/Berlin; "" clears it.
	TimeZone *string
	// WeeklyPlan replaces the plan whole (people only; see
	// SettingsUpdate).
	WeeklyPlan map[legwork.TestType]int
}

// UpdateProfile changes the signed-in user's name, body measurements,
// time zone and (for a person) weekly plan. Everything is checked before
// anything is saved. It returns the account as Me does.
func (a *App) UpdateProfile(ctx context.Context, up ProfileUpdate) (*legwork.User, error) {
	u, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	cur, err := a.store.User(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	if up.Name != nil {
		name := strings.TrimSpace(*up.Name)
		if err := checkText("name", name, 1, 200); err != nil {
			return nil, err
		}
		cur.Name = name
	}
	if up.HeightM != nil {
		cur.HeightM = *up.HeightM
	}
	if up.SensorHeightM != nil {
		cur.SensorHeightM = *up.SensorHeightM
	}
	if err := checkProfile(cur.HeightM, cur.SensorHeightM); err != nil {
		return nil, err
	}
	if up.TimeZone != nil {
		if err := checkTimeZone("time_zone", *up.TimeZone); err != nil {
			return nil, err
		}
		cur.TimeZone = *up.TimeZone
	}
	if up.WeeklyPlan != nil {
		if cur.Role != legwork.RolePerson {
			return nil, legwork.FieldErrorf("weekly_plan", "only a person's account has a weekly plan")
		}
		if err := checkWeeklyPlan(up.WeeklyPlan); err != nil {
			return nil, err
		}
	}
	profile := up.Name != nil || up.HeightM != nil || up.SensorHeightM != nil || up.TimeZone != nil
	if profile || up.WeeklyPlan != nil {
		// the checked values, applied to the account as read when it is saved
		change := func(u *legwork.User) {
			u.Name, u.HeightM, u.SensorHeightM, u.TimeZone = cur.Name, cur.HeightM, cur.SensorHeightM, cur.TimeZone
		}
		if !profile {
			change = nil
		}
		if cur, err = a.saveAccount(ctx, ActorFrom(ctx), cur.ID, change, fmt.Sprintf("user:%d", cur.ID), profileDetail(up), up.WeeklyPlan); err != nil {
			return nil, err
		}
	}
	a.planChanger(ctx, ActorFrom(ctx), cur)
	return cur, nil
}

// profileDetail describes a profile change in the audit log: "profile",
// with the new time zone when it changed.
func profileDetail(up ProfileUpdate) string {
	if up.TimeZone == nil {
		return "profile"
	}
	return "profile time_zone=" + *up.TimeZone
}

// Login is the result of a successful sign-in.
type Login struct {
	User *legwork.User
	// Token is the session secret to give the browser (in a cookie); only
	// its hash is stored.
	Token     string
	ExpiresAt time.Time
}

// Login checks an email and password and starts a session. Failed attempts
// are rate limited per account and per client address (Actor.IP of ctx);
// every outcome is audited.
func (a *App) Login(ctx context.Context, email, password string) (*Login, error) {
	ip := ""
	if act := ActorFrom(ctx); act != nil {
		ip = act.IP
	}
	key := strings.ToLower(strings.TrimSpace(email))
	// The attempt counts as a failure from here on (so that guesses sent
	// at the same time count one another), unless it turns out not to
	// be one.
	att, err := a.limiter.begin(ctx, key, ip, "failed sign-ins")
	if err != nil {
		return nil, err
	}
	// refuse answers a failed attempt, which stays counted.
	refuse := func() error {
		return legwork.Errorf(legwork.EUNAUTHORIZED, "wrong email or password")
	}
	if len(password) > maxPasswordLen {
		return nil, refuse()
	}
	u, err := a.store.UserByEmail(ctx, key)
	if err != nil && legwork.ErrorCode(err) != legwork.ENOTFOUND {
		// No password was checked: not a failed attempt.
		if ferr := a.limiter.forget(ctx, att); ferr != nil {
			a.log.Error("sign-in", "err", ferr)
		}
		return nil, err
	}
	if u == nil {
		// Spend the same time as for a real account.
		if a.dummyHash != "" {
			verifyPassword(a.dummyHash, password)
		}
		a.appendAudit(ctx, &legwork.AuditEvent{Action: "login_failed", Object: "session", Detail: "unknown email", IP: ip})
		return nil, refuse()
	}
	ok, err := verifyPassword(u.PasswordHash, password)
	if err != nil || !ok {
		a.appendAudit(ctx, &legwork.AuditEvent{ActorID: &u.ID, PersonID: personOf(u), Action: "login_failed", Object: "session", IP: ip})
		return nil, refuse()
	}
	if err := a.limiter.succeed(ctx, att); err != nil {
		// The earlier failures (or this attempt) stay counted until
		// they leave the window.
		a.log.Error("sign-in", "user", u.ID, "err", err)
	}
	token, hash, err := a.newSecret("")
	if err != nil {
		return nil, err
	}
	now := a.now().UTC()
	s := &legwork.Session{TokenHash: hash, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(a.sessionTTL)}
	if err := a.store.CreateSession(ctx, s); err != nil {
		return nil, err
	}
	a.appendAudit(ctx, &legwork.AuditEvent{ActorID: &u.ID, PersonID: personOf(u), Action: "login", Object: "session", IP: ip})
	// The reader is the account signing in.
	a.planChanger(ctx, &Actor{User: u}, u)
	return &Login{User: u, Token: token, ExpiresAt: s.ExpiresAt}, nil
}

// RetryAfter is the cause of an ETOOMANY error: how long to wait.
type RetryAfter time.Duration

func (r RetryAfter) Error() string { return "retry after " + time.Duration(r).String() }

// Logout ends the caller's browser session.
func (a *App) Logout(ctx context.Context) error {
	act := ActorFrom(ctx)
	if act == nil || act.User == nil {
		return legwork.Errorf(legwork.EUNAUTHORIZED, "sign in first")
	}
	if act.SessionHash != nil {
		if err := a.store.DeleteSession(ctx, act.SessionHash); err != nil && legwork.ErrorCode(err) != legwork.ENOTFOUND {
			return err
		}
	}
	a.audit(ctx, nil, "logout", "session", "")
	return nil
}

// ChangePassword sets a new password after checking the current one, and
// ends every session of the user (the caller signs in again).
func (a *App) ChangePassword(ctx context.Context, current, next string) error {
	u, err := requireUser(ctx)
	if err != nil {
		return err
	}
	cur, err := a.store.User(ctx, u.ID)
	if err != nil {
		return err
	}
	// Guessing the current password counts like failed sign-ins, so that a
	// stolen session cannot be used to find the password.
	// The attempt counts as a failure until the password is found right.
	ip := ActorFrom(ctx).IP
	att, err := a.limiter.begin(ctx, cur.Email, ip, "wrong passwords")
	if err != nil {
		return err
	}
	if ok, err := verifyPassword(cur.PasswordHash, current); err != nil || !ok {
		return &legwork.Error{Code: legwork.EINVALID, Field: "current_password", Message: "the current password is wrong"}
	}
	// Right: the attempt is no failure. (Unlike a sign-in, it does not
	// clear the account's earlier failures.)
	if err := a.limiter.forget(ctx, att); err != nil {
		a.log.Error("change password", "user", cur.ID, "err", err)
	}
	if err := checkPassword("new_password", next); err != nil {
		return err
	}
	if cur.PasswordHash, err = a.hashPassword(next); err != nil {
		return err
	}
	return a.store.WithTx(ctx, func(tx legwork.Tx) error {
		if err := tx.UpdateUser(ctx, cur); err != nil {
			return err
		}
		if err := tx.DeleteUserSessions(ctx, cur.ID); err != nil {
			return err
		}
		return a.auditChange(ctx, tx, auditEvent(ActorFrom(ctx), personOf(cur), "update", fmt.Sprintf("user:%d", cur.ID), "password"))
	})
}

// SetPassword sets a user's password without the current one; system only
// (the operator's command line).
func (a *App) SetPassword(ctx context.Context, userID int64, password string) error {
	if !isSystem(ctx) {
		return legwork.Errorf(legwork.EFORBIDDEN, "not allowed")
	}
	if err := checkPassword("password", password); err != nil {
		return err
	}
	u, err := a.store.User(ctx, userID)
	if err != nil {
		return err
	}
	if u.PasswordHash, err = a.hashPassword(password); err != nil {
		return err
	}
	return a.store.WithTx(ctx, func(tx legwork.Tx) error {
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := tx.DeleteUserSessions(ctx, u.ID); err != nil {
			return err
		}
		return a.auditChange(ctx, tx, auditEvent(ActorFrom(ctx), personOf(u), "update", fmt.Sprintf("user:%d", u.ID), "password reset"))
	})
}

// Authenticate returns the actor for a session token (from a cookie) or an
// API token (from an Authorization header); EUNAUTHORIZED when it is
// unknown, expired or revoked. ip is recorded with the actor.
func (a *App) Authenticate(ctx context.Context, token, ip string) (*Actor, error) {
	bad := legwork.Errorf(legwork.EUNAUTHORIZED, "your session has ended; sign in again")
	if token == "" || len(token) > 200 {
		return nil, bad
	}
	hash := hashSecret(token)
	now := a.now().UTC()
	act := &Actor{IP: ip}
	var userID int64
	if strings.HasPrefix(token, apiTokenPrefix) {
		t, err := a.store.APITokenByHash(ctx, hash)
		if err != nil {
			if legwork.ErrorCode(err) == legwork.ENOTFOUND {
				return nil, legwork.Errorf(legwork.EUNAUTHORIZED, "unknown or revoked API token")
			}
			return nil, err
		}
		userID, act.TokenID = t.UserID, t.ID
		// Record use, at most once a minute per token.
		if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute {
			if err := a.store.TouchAPIToken(ctx, t.ID, now); err != nil {
				a.log.Warn("touch api token", "id", t.ID, "err", err)
			}
		}
	} else {
		s, err := a.store.Session(ctx, hash, now)
		if err != nil {
			if legwork.ErrorCode(err) == legwork.ENOTFOUND {
				return nil, bad
			}
			return nil, err
		}
		if !now.Before(s.ExpiresAt) {
			return nil, bad
		}
		userID, act.SessionHash = s.UserID, hash
	}
	u, err := a.store.User(ctx, userID)
	if err != nil {
		if legwork.ErrorCode(err) == legwork.ENOTFOUND {
			return nil, bad
		}
		return nil, err
	}
	act.User = u
	return act, nil
}

// NewToken is a created API token: Secret is shown once and never again.
type NewToken struct {
	Token  *legwork.APIToken
	Secret string
}

const apiTokenPrefix = "lw_"

// CreateAPIToken makes an API token for the signed-in user (or, for the
// system, for userID).
func (a *App) CreateAPIToken(ctx context.Context, userID int64, name string) (*NewToken, error) {
	if !isSystem(ctx) {
		u, err := requireUser(ctx)
		if err != nil {
			return nil, err
		}
		if userID != u.ID {
			return nil, legwork.Errorf(legwork.EFORBIDDEN, "you can only create tokens for yourself")
		}
	}
	name = strings.TrimSpace(name)
	if err := checkText("name", name, 1, 100); err != nil {
		return nil, err
	}
	secret, hash, err := a.newSecret(apiTokenPrefix)
	if err != nil {
		return nil, err
	}
	t := &legwork.APIToken{UserID: userID, Name: name, TokenHash: hash, CreatedAt: a.now().UTC()}
	err = a.store.WithTx(ctx, func(tx legwork.Tx) error {
		if err := tx.CreateAPIToken(ctx, t); err != nil {
			return err
		}
		return a.auditChange(ctx, tx, auditEvent(ActorFrom(ctx), nil, "create", fmt.Sprintf("api_token:%d", t.ID), name))
	})
	if err != nil {
		return nil, err
	}
	return &NewToken{Token: t, Secret: secret}, nil
}

// ListAPITokens lists the signed-in user's API tokens.
func (a *App) ListAPITokens(ctx context.Context) ([]*legwork.APIToken, error) {
	u, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	return a.store.ListAPITokens(ctx, u.ID)
}

// DeleteAPIToken revokes one of the signed-in user's API tokens.
func (a *App) DeleteAPIToken(ctx context.Context, id int64) error {
	u, err := requireUser(ctx)
	if err != nil {
		return err
	}
	return a.store.WithTx(ctx, func(tx legwork.Tx) error {
		if err := tx.DeleteAPIToken(ctx, u.ID, id); err != nil {
			return err
		}
		return a.auditChange(ctx, tx, auditEvent(ActorFrom(ctx), nil, "delete", fmt.Sprintf("api_token:%d", id), ""))
	})
}

// newSecret returns a random 32-byte secret, URL-safe base64 with prefix,
// and its SHA-256 hash (what is stored).
func (a *App) newSecret(prefix string) (string, []byte, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(a.rand, b); err != nil {
		return "", nil, fmt.Errorf("random: %w", err)
	}
	s := prefix + base64.RawURLEncoding.EncodeToString(b)
	return s, hashSecret(s), nil
}

func hashSecret(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

func isSystem(ctx context.Context) bool {
	act := ActorFrom(ctx)
	return act != nil && act.System
}

// personOf returns the user's id as the audit person when they are a person.
func personOf(u *legwork.User) *int64 {
	if u == nil || u.Role != legwork.RolePerson {
		return nil
	}
	id := u.ID
	return &id
}

func normaliseEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", legwork.FieldErrorf("email", "is required")
	}
	if len(s) > 254 {
		return "", legwork.FieldErrorf("email", "is too long")
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || addr.Name != "" {
		return "", legwork.FieldErrorf("email", "%q is not an email address", s)
	}
	return s, nil
}

func checkPassword(field, p string) error {
	switch {
	case utf8.RuneCountInString(p) < minPasswordLen:
		return legwork.FieldErrorf(field, "must be at least %d characters", minPasswordLen)
	case len(p) > maxPasswordLen:
		return legwork.FieldErrorf(field, "must be at most %d bytes", maxPasswordLen)
	}
	return nil
}

func checkProfile(height, sensorHeight float64) error {
	if height != 0 && !(height >= 0.8 && height <= 2.5) {
		return legwork.FieldErrorf("height_m", "must be your height in metres, between 0.8 and 2.5 (e.g. 1.72)")
	}
	if sensorHeight != 0 && !(sensorHeight >= 0.3 && sensorHeight <= 1.6) {
		return legwork.FieldErrorf("sensor_height_m", "must be the sensor's height above the floor in metres, between 0.3 and 1.6")
	}
	return nil
}

// checkText checks a string's length in characters and that it is valid
// UTF-8 without control characters other than newlines and tabs.
func checkText(field, s string, min, max int) error {
	if !utf8.ValidString(s) {
		return legwork.FieldErrorf(field, "is not valid UTF-8 text")
	}
	n := utf8.RuneCountInString(s)
	if n < min {
		if min == 1 {
			return legwork.FieldErrorf(field, "is required")
		}
		return legwork.FieldErrorf(field, "must be at least %d characters", min)
	}
	if n > max {
		return legwork.FieldErrorf(field, "must be at most %d characters", max)
	}
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\t' && r != '\r' || r == 0x7f {
			return legwork.FieldErrorf(field, "contains a control character")
		}
	}
	return nil
}
