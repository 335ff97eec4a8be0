package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"legwork"
)

const userColumns = `id, email, name, role, admin, created_at, height_m, sensor_height_m, time_zone, weekly_plan,
	weekly_plan_changed_by, weekly_plan_changed_at, password_hash`

func scanUser(s scanner) (*legwork.User, error) {
	var u legwork.User
	var created int64
	var plan sql.NullString
	var changedAt sql.NullInt64
	if err := s.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.Admin, &created, &u.HeightM, &u.SensorHeightM, &u.TimeZone, &plan,
		&u.WeeklyPlanChangedByID, &changedAt, &u.PasswordHash); err != nil {
		return nil, err
	}
	u.CreatedAt = fromMicros(created)
	u.WeeklyPlanChangedAt = timePtr(changedAt)
	var err error
	if u.WeeklyPlan, err = decodePlan(plan); err != nil {
		return nil, err
	}
	return &u, nil
}

// CreateUser stores a new account, its weekly plan with who changed it
// when included, and sets u.ID, and u.CreatedAt when zero. A duplicate
// email (case-insensitive) is ECONFLICT.
func (db *DB) CreateUser(ctx context.Context, u *legwork.User) error {
	created := u.CreatedAt
	if created.IsZero() {
		created = db.now()
	}
	plan, err := encodePlan(u.WeeklyPlan)
	if err != nil {
		return err
	}
	res, err := db.w.ExecContext(ctx,
		`INSERT INTO users (email, email_key, name, role, admin, created_at, height_m, sensor_height_m, time_zone, weekly_plan,
		   weekly_plan_changed_by, weekly_plan_changed_at, password_hash)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.Email, emailKey(u.Email), u.Name, u.Role, u.Admin, micros(created), u.HeightM, u.SensorHeightM, u.TimeZone, plan,
		u.WeeklyPlanChangedByID, nullMicros(u.WeeklyPlanChangedAt), u.PasswordHash)
	if err != nil {
		return mapErr(err, "create user", "an account with this email already exists")
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("sqlite: create user: %w", err)
	}
	u.ID, u.CreatedAt = id, created
	return nil
}

// User returns the account with that id.
func (db *DB) User(ctx context.Context, id int64) (*legwork.User, error) {
	u, err := scanUser(db.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("user %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: user %d: %w", id, err)
	}
	return u, nil
}

// UserByEmail returns the account with that email, compared without regard
// to case.
func (db *DB) UserByEmail(ctx context.Context, email string) (*legwork.User, error) {
	u, err := scanUser(db.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email_key = ?`, emailKey(email)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("no account with this email")
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: user by email: %w", err)
	}
	return u, nil
}

// UpdateUser saves Name, Role, Admin, HeightM, SensorHeightM, TimeZone
// and PasswordHash.
func (db *DB) UpdateUser(ctx context.Context, u *legwork.User) error {
	res, err := db.w.ExecContext(ctx,
		`UPDATE users SET name = ?, role = ?, admin = ?, height_m = ?, sensor_height_m = ?, time_zone = ?, password_hash = ? WHERE id = ?`,
		u.Name, u.Role, u.Admin, u.HeightM, u.SensorHeightM, u.TimeZone, u.PasswordHash, u.ID)
	if err != nil {
		return mapErr(err, "update user", "conflict")
	}
	return affected(res, func() error { return notFound("user %d not found", u.ID) })
}

// SetWeeklyPlan replaces the user's weekly plan (nil clears it) and
// keeps who changed it (by, nil for the system) and when (at, now when
// zero). An account by that does not exist is ENOTFOUND.
func (db *DB) SetWeeklyPlan(ctx context.Context, userID int64, plan map[legwork.TestType]int, by *int64, at time.Time) error {
	p, err := encodePlan(plan)
	if err != nil {
		return err
	}
	if at.IsZero() {
		at = db.now()
	}
	res, err := db.w.ExecContext(ctx, `UPDATE users SET weekly_plan = ?, weekly_plan_changed_by = ?, weekly_plan_changed_at = ? WHERE id = ?`,
		p, by, micros(at), userID)
	if err != nil {
		return mapErr(err, "set weekly plan", "conflict")
	}
	return affected(res, func() error { return notFound("user %d not found", userID) })
}

// ListUsers returns every account, by id.
func (db *DB) ListUsers(ctx context.Context) ([]*legwork.User, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list users: %w", err)
	}
	defer rows.Close()
	users := []*legwork.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list users: %w", err)
		}
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list users: %w", err)
	}
	return users, nil
}

// CreateSession stores a session, setting s.CreatedAt when zero.
func (db *DB) CreateSession(ctx context.Context, s *legwork.Session) error {
	created := s.CreatedAt
	if created.IsZero() {
		created = db.now()
	}
	_, err := db.w.ExecContext(ctx,
		`INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		s.TokenHash, s.UserID, micros(created), micros(s.ExpiresAt))
	if err != nil {
		return mapErr(err, "create session", "session already exists")
	}
	s.CreatedAt = created
	return nil
}

// Session returns the session with that token hash, ENOTFOUND when there
// is none or it has expired: a session is valid while now is before
// ExpiresAt.
func (db *DB) Session(ctx context.Context, tokenHash []byte, now time.Time) (*legwork.Session, error) {
	var s legwork.Session
	var created, expires int64
	err := db.r.QueryRowContext(ctx,
		`SELECT token_hash, user_id, created_at, expires_at FROM sessions WHERE token_hash = ? AND expires_at > ?`,
		tokenHash, micros(now)).Scan(&s.TokenHash, &s.UserID, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("session not found")
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: session: %w", err)
	}
	s.CreatedAt, s.ExpiresAt = fromMicros(created), fromMicros(expires)
	return &s, nil
}

// DeleteSession deletes a session; ENOTFOUND when there is none.
func (db *DB) DeleteSession(ctx context.Context, tokenHash []byte) error {
	res, err := db.w.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
	if err != nil {
		return fmt.Errorf("sqlite: delete session: %w", err)
	}
	return affected(res, func() error { return notFound("session not found") })
}

// DeleteUserSessions deletes every session of a user (none is fine).
func (db *DB) DeleteUserSessions(ctx context.Context, userID int64) error {
	if _, err := db.w.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("sqlite: delete sessions of user %d: %w", userID, err)
	}
	return nil
}

const apiTokenColumns = `id, user_id, name, token_hash, created_at, last_used_at`

func scanAPIToken(s scanner) (*legwork.APIToken, error) {
	var t legwork.APIToken
	var created int64
	var used sql.NullInt64
	if err := s.Scan(&t.ID, &t.UserID, &t.Name, &t.TokenHash, &created, &used); err != nil {
		return nil, err
	}
	t.CreatedAt, t.LastUsedAt = fromMicros(created), timePtr(used)
	return &t, nil
}

// CreateAPIToken stores a token and sets t.ID, and t.CreatedAt when zero.
func (db *DB) CreateAPIToken(ctx context.Context, t *legwork.APIToken) error {
	created := t.CreatedAt
	if created.IsZero() {
		created = db.now()
	}
	res, err := db.w.ExecContext(ctx,
		`INSERT INTO api_tokens (user_id, name, token_hash, created_at, last_used_at) VALUES (?, ?, ?, ?, ?)`,
		t.UserID, t.Name, t.TokenHash, micros(created), nullMicros(t.LastUsedAt))
	if err != nil {
		return mapErr(err, "create API token", "token already exists")
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("sqlite: create API token: %w", err)
	}
	t.ID, t.CreatedAt = id, created
	return nil
}

// APITokenByHash returns the token with that hash.
func (db *DB) APITokenByHash(ctx context.Context, hash []byte) (*legwork.APIToken, error) {
	t, err := scanAPIToken(db.r.QueryRowContext(ctx, `SELECT `+apiTokenColumns+` FROM api_tokens WHERE token_hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("API token not found")
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: API token: %w", err)
	}
	return t, nil
}

// ListAPITokens returns a user's tokens, oldest first.
func (db *DB) ListAPITokens(ctx context.Context, userID int64) ([]*legwork.APIToken, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+apiTokenColumns+` FROM api_tokens WHERE user_id = ? ORDER BY id`, userID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list API tokens: %w", err)
	}
	defer rows.Close()
	tokens := []*legwork.APIToken{}
	for rows.Next() {
		t, err := scanAPIToken(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list API tokens: %w", err)
		}
		tokens = append(tokens, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list API tokens: %w", err)
	}
	return tokens, nil
}

// DeleteAPIToken deletes a user's token; ENOTFOUND when the user has no
// token with that id.
func (db *DB) DeleteAPIToken(ctx context.Context, userID, id int64) error {
	res, err := db.w.ExecContext(ctx, `DELETE FROM api_tokens WHERE id = ? AND user_id = ?`, id, userID)
	if err != nil {
		return fmt.Errorf("sqlite: delete API token %d: %w", id, err)
	}
	return affected(res, func() error { return notFound("API token %d not found", id) })
}

// TouchAPIToken records that a token was used at the given time. The last
// use time only moves forward.
func (db *DB) TouchAPIToken(ctx context.Context, id int64, at time.Time) error {
	res, err := db.w.ExecContext(ctx,
		`UPDATE api_tokens SET last_used_at = CASE WHEN last_used_at IS NULL OR last_used_at < ?1 THEN ?1 ELSE last_used_at END
		 WHERE id = ?2`, micros(at), id)
	if err != nil {
		return fmt.Errorf("sqlite: touch API token %d: %w", id, err)
	}
	return affected(res, func() error { return notFound("API token %d not found", id) })
}
