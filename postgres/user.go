package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"legwork"
)

const userColumns = `id, email, name, role, admin, created_at, height_m, sensor_height_m, time_zone, weekly_plan::text,
	weekly_plan_changed_by, weekly_plan_changed_at, password_hash`

func scanUser(row pgx.Row) (*legwork.User, error) {
	var u legwork.User
	var plan *string
	if err := row.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.Admin, &u.CreatedAt, &u.HeightM, &u.SensorHeightM, &u.TimeZone, &plan,
		&u.WeeklyPlanChangedByID, &u.WeeklyPlanChangedAt, &u.PasswordHash); err != nil {
		return nil, err
	}
	var err error
	if u.WeeklyPlan, err = decodePlan(plan); err != nil {
		return nil, err
	}
	return &u, nil
}

// collect reads every row with scan; the result is never nil.
func collect[T any](rows pgx.Rows, scan func(pgx.Row) (T, error)) ([]T, error) {
	defer rows.Close()
	list := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return list, nil
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
	var id int64
	err = db.q.QueryRow(ctx,
		`INSERT INTO users (email, email_key, name, role, admin, created_at, height_m, sensor_height_m, time_zone, weekly_plan,
		   weekly_plan_changed_by, weekly_plan_changed_at, password_hash)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12, $13) RETURNING id`,
		u.Email, emailKey(u.Email), u.Name, u.Role, u.Admin, ts(created), u.HeightM, u.SensorHeightM, u.TimeZone, plan,
		u.WeeklyPlanChangedByID, nullTS(u.WeeklyPlanChangedAt), u.PasswordHash).Scan(&id)
	if err != nil {
		return mapErr(err, "create user", "an account with this email already exists")
	}
	u.ID, u.CreatedAt = id, created
	return nil
}

// User returns the account with that id.
func (db *DB) User(ctx context.Context, id int64) (*legwork.User, error) {
	u, err := scanUser(db.q.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("user %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: user %d: %w", id, err)
	}
	return u, nil
}

// UserByEmail returns the account with that email, compared without regard
// to case.
func (db *DB) UserByEmail(ctx context.Context, email string) (*legwork.User, error) {
	u, err := scanUser(db.q.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE email_key = $1`, emailKey(email)))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("no account with this email")
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: user by email: %w", err)
	}
	return u, nil
}

// UpdateUser saves Name, Role, Admin, HeightM, SensorHeightM, TimeZone
// and PasswordHash.
func (db *DB) UpdateUser(ctx context.Context, u *legwork.User) error {
	tag, err := db.q.Exec(ctx,
		`UPDATE users SET name = $1, role = $2, admin = $3, height_m = $4, sensor_height_m = $5, time_zone = $6, password_hash = $7 WHERE id = $8`,
		u.Name, u.Role, u.Admin, u.HeightM, u.SensorHeightM, u.TimeZone, u.PasswordHash, u.ID)
	if err != nil {
		return mapErr(err, "update user", "conflict")
	}
	return affected(tag, func() error { return notFound("user %d not found", u.ID) })
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
	tag, err := db.q.Exec(ctx, `UPDATE users SET weekly_plan = $1::jsonb, weekly_plan_changed_by = $2, weekly_plan_changed_at = $3 WHERE id = $4`,
		p, by, ts(at), userID)
	if err != nil {
		return mapErr(err, "set weekly plan", "conflict")
	}
	return affected(tag, func() error { return notFound("user %d not found", userID) })
}

// ListUsers returns every account, by id.
func (db *DB) ListUsers(ctx context.Context) ([]*legwork.User, error) {
	rows, err := db.q.Query(ctx, `SELECT `+userColumns+` FROM users ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: list users: %w", err)
	}
	users, err := collect(rows, scanUser)
	if err != nil {
		return nil, fmt.Errorf("postgres: list users: %w", err)
	}
	return users, nil
}

// CreateSession stores a session, setting s.CreatedAt when zero.
func (db *DB) CreateSession(ctx context.Context, s *legwork.Session) error {
	created := s.CreatedAt
	if created.IsZero() {
		created = db.now()
	}
	_, err := db.q.Exec(ctx,
		`INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		s.TokenHash, s.UserID, ts(created), ts(s.ExpiresAt))
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
	err := db.q.QueryRow(ctx,
		`SELECT token_hash, user_id, created_at, expires_at FROM sessions WHERE token_hash = $1 AND expires_at > $2`,
		tokenHash, ts(now)).Scan(&s.TokenHash, &s.UserID, &s.CreatedAt, &s.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("session not found")
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: session: %w", err)
	}
	return &s, nil
}

// DeleteSession deletes a session; ENOTFOUND when there is none.
func (db *DB) DeleteSession(ctx context.Context, tokenHash []byte) error {
	tag, err := db.q.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash)
	if err != nil {
		return fmt.Errorf("postgres: delete session: %w", err)
	}
	return affected(tag, func() error { return notFound("session not found") })
}

// DeleteUserSessions deletes every session of a user (none is fine).
func (db *DB) DeleteUserSessions(ctx context.Context, userID int64) error {
	if _, err := db.q.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("postgres: delete sessions of user %d: %w", userID, err)
	}
	return nil
}

const apiTokenColumns = `id, user_id, name, token_hash, created_at, last_used_at`

func scanAPIToken(row pgx.Row) (*legwork.APIToken, error) {
	var t legwork.APIToken
	if err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.TokenHash, &t.CreatedAt, &t.LastUsedAt); err != nil {
		return nil, err
	}
	return &t, nil
}

// CreateAPIToken stores a token and sets t.ID, and t.CreatedAt when zero.
func (db *DB) CreateAPIToken(ctx context.Context, t *legwork.APIToken) error {
	created := t.CreatedAt
	if created.IsZero() {
		created = db.now()
	}
	var id int64
	err := db.q.QueryRow(ctx,
		`INSERT INTO api_tokens (user_id, name, token_hash, created_at, last_used_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		t.UserID, t.Name, t.TokenHash, ts(created), nullTS(t.LastUsedAt)).Scan(&id)
	if err != nil {
		return mapErr(err, "create API token", "token already exists")
	}
	t.ID, t.CreatedAt = id, created
	return nil
}

// APITokenByHash returns the token with that hash.
func (db *DB) APITokenByHash(ctx context.Context, hash []byte) (*legwork.APIToken, error) {
	t, err := scanAPIToken(db.q.QueryRow(ctx, `SELECT `+apiTokenColumns+` FROM api_tokens WHERE token_hash = $1`, hash))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("API token not found")
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: API token: %w", err)
	}
	return t, nil
}

// ListAPITokens returns a user's tokens, oldest first.
func (db *DB) ListAPITokens(ctx context.Context, userID int64) ([]*legwork.APIToken, error) {
	rows, err := db.q.Query(ctx, `SELECT `+apiTokenColumns+` FROM api_tokens WHERE user_id = $1 ORDER BY id`, userID)
	if err != nil {
		return nil, fmt.Errorf("postgres: list API tokens: %w", err)
	}
	tokens, err := collect(rows, scanAPIToken)
	if err != nil {
		return nil, fmt.Errorf("postgres: list API tokens: %w", err)
	}
	return tokens, nil
}

// DeleteAPIToken deletes a user's token; ENOTFOUND when the user has no
// token with that id.
func (db *DB) DeleteAPIToken(ctx context.Context, userID, id int64) error {
	tag, err := db.q.Exec(ctx, `DELETE FROM api_tokens WHERE id = $1 AND user_id = $2`, id, userID)
	if err != nil {
		return fmt.Errorf("postgres: delete API token %d: %w", id, err)
	}
	return affected(tag, func() error { return notFound("API token %d not found", id) })
}

// TouchAPIToken records that a token was used at the given time. The last
// use time only moves forward.
func (db *DB) TouchAPIToken(ctx context.Context, id int64, at time.Time) error {
	tag, err := db.q.Exec(ctx,
		`UPDATE api_tokens SET last_used_at = GREATEST(last_used_at, $1) WHERE id = $2`, ts(at), id)
	if err != nil {
		return fmt.Errorf("postgres: touch API token %d: %w", id, err)
	}
	return affected(tag, func() error { return notFound("API token %d not found", id) })
}
