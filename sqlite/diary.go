package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"legwork"
)

const diaryColumns = `id, person_id, at, created_at, severity, sensations, sensation_other, leg, time_of_day,
	triggers, fatigue, fall_kind, fall_circumstances, fall_injured, notes, coalesce(client_key, '')`

func scanDiaryEntry(s scanner) (*legwork.DiaryEntry, error) {
	var e legwork.DiaryEntry
	var at, created int64
	var severity, fatigue sql.NullInt64
	var sensations, triggers string
	var fallKind sql.NullString
	var fall legwork.Fall
	if err := s.Scan(&e.ID, &e.PersonID, &at, &created, &severity, &sensations, &e.SensationOther, &e.Leg, &e.TimeOfDay,
		&triggers, &fatigue, &fallKind, &fall.Circumstances, &fall.Injured, &e.Notes, &e.ClientKey); err != nil {
		return nil, err
	}
	e.At, e.CreatedAt = fromMicros(at), fromMicros(created)
	e.Severity, e.Fatigue = intPtr(severity), intPtr(fatigue)
	if fallKind.Valid {
		fall.Kind = fallKind.String
		e.Fall = &fall
	}
	var err error
	if e.Sensations, err = decodeList(sensations); err != nil {
		return nil, fmt.Errorf("sensations of diary entry %d: %w", e.ID, err)
	}
	if e.Triggers, err = decodeList(triggers); err != nil {
		return nil, fmt.Errorf("triggers of diary entry %d: %w", e.ID, err)
	}
	return &e, nil
}

// diaryValues returns the stored values of the editable fields of an
// entry, in the order of diaryEditable.
func diaryValues(e *legwork.DiaryEntry) ([]any, error) {
	sensations, err := encodeList(e.Sensations)
	if err != nil {
		return nil, err
	}
	triggers, err := encodeList(e.Triggers)
	if err != nil {
		return nil, err
	}
	var fallKind sql.NullString
	var fall legwork.Fall
	if e.Fall != nil {
		fall = *e.Fall
		fallKind = sql.NullString{String: fall.Kind, Valid: true}
	}
	return []any{micros(e.At), nullInt(e.Severity), sensations, e.SensationOther, e.Leg, e.TimeOfDay,
		triggers, nullInt(e.Fatigue), fallKind, fall.Circumstances, fall.Injured, e.Notes}, nil
}

// diaryEditable lists the columns UpdateDiaryEntry saves.
var diaryEditable = []string{"at", "severity", "sensations", "sensation_other", "leg", "time_of_day",
	"triggers", "fatigue", "fall_kind", "fall_circumstances", "fall_injured", "notes"}

// CreateDiaryEntry stores a diary entry and sets e.ID, and e.CreatedAt when
// zero. A ClientKey the person already has an entry with is ECONFLICT.
func (db *DB) CreateDiaryEntry(ctx context.Context, e *legwork.DiaryEntry) error {
	values, err := diaryValues(e)
	if err != nil {
		return fmt.Errorf("sqlite: create diary entry: %w", err)
	}
	created := e.CreatedAt
	if created.IsZero() {
		created = db.now()
	}
	args := append([]any{e.PersonID, micros(created), nullText(e.ClientKey)}, values...)
	res, err := db.w.ExecContext(ctx,
		`INSERT INTO diary_entries (person_id, created_at, client_key, `+strings.Join(diaryEditable, ", ")+`)
		 VALUES (?, ?, ?`+strings.Repeat(", ?", len(diaryEditable))+`)`, args...)
	if err != nil {
		return mapErr(err, "create diary entry", "the person already has a diary entry with this client key")
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("sqlite: create diary entry: %w", err)
	}
	e.ID, e.CreatedAt = id, created
	return nil
}

// DiaryEntry returns a diary entry.
func (db *DB) DiaryEntry(ctx context.Context, id int64) (*legwork.DiaryEntry, error) {
	e, err := scanDiaryEntry(db.r.QueryRowContext(ctx, `SELECT `+diaryColumns+` FROM diary_entries WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("diary entry %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: diary entry %d: %w", id, err)
	}
	return e, nil
}

// DiaryEntryByClientKey returns the person's diary entry created with the
// client key; an empty key matches nothing.
func (db *DB) DiaryEntryByClientKey(ctx context.Context, personID int64, key string) (*legwork.DiaryEntry, error) {
	nf := notFound("person %d has no diary entry with that client key", personID)
	if key == "" {
		return nil, nf
	}
	e, err := scanDiaryEntry(db.r.QueryRowContext(ctx,
		`SELECT `+diaryColumns+` FROM diary_entries WHERE person_id = ? AND client_key = ?`, personID, key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nf
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: diary entry by client key: %w", err)
	}
	return e, nil
}

// ListDiaryEntries returns a person's diary entries, newest (highest id)
// first.
func (db *DB) ListDiaryEntries(ctx context.Context, f legwork.DiaryFilter) ([]*legwork.DiaryEntry, error) {
	where, args := []string{"person_id = ?"}, []any{f.PersonID}
	if !f.From.IsZero() {
		where, args = append(where, "at >= ?"), append(args, micros(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, "at < ?"), append(args, micros(f.To))
	}
	if f.Page.Before > 0 {
		where, args = append(where, "id < ?"), append(args, f.Page.Before)
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+diaryColumns+` FROM diary_entries WHERE `+
		strings.Join(where, " AND ")+` ORDER BY id DESC`+limitClause(f.Page.Limit, &args), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list diary entries: %w", err)
	}
	defer rows.Close()
	list := []*legwork.DiaryEntry{}
	for rows.Next() {
		e, err := scanDiaryEntry(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list diary entries: %w", err)
		}
		list = append(list, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list diary entries: %w", err)
	}
	return list, nil
}

// UpdateDiaryEntry saves every field of an entry but its person, creation
// time and client key, which it fills in e.
func (db *DB) UpdateDiaryEntry(ctx context.Context, e *legwork.DiaryEntry) error {
	values, err := diaryValues(e)
	if err != nil {
		return fmt.Errorf("sqlite: update diary entry: %w", err)
	}
	var personID, created int64
	var key string
	err = db.w.QueryRowContext(ctx,
		`UPDATE diary_entries SET `+strings.Join(diaryEditable, " = ?, ")+` = ? WHERE id = ?
		 RETURNING person_id, created_at, coalesce(client_key, '')`, append(values, e.ID)...).Scan(&personID, &created, &key)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("diary entry %d not found", e.ID)
	}
	if err != nil {
		return mapErr(err, fmt.Sprintf("update diary entry %d", e.ID), "conflict")
	}
	e.PersonID, e.CreatedAt, e.ClientKey = personID, fromMicros(created), key
	return nil
}

// DeleteDiaryEntry deletes a diary entry.
func (db *DB) DeleteDiaryEntry(ctx context.Context, id int64) error {
	res, err := db.w.ExecContext(ctx, `DELETE FROM diary_entries WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("sqlite: delete diary entry %d: %w", id, err)
	}
	return affected(res, func() error { return notFound("diary entry %d not found", id) })
}

const interventionColumns = `id, person_id, kind, name, device, start_date, end_date, notes, created_at,
	coalesce(client_key, '')`

func scanIntervention(s scanner) (*legwork.Intervention, error) {
	var iv legwork.Intervention
	var start, created int64
	var end sql.NullInt64
	if err := s.Scan(&iv.ID, &iv.PersonID, &iv.Kind, &iv.Name, &iv.Device, &start, &end, &iv.Notes, &created, &iv.ClientKey); err != nil {
		return nil, err
	}
	iv.StartDate, iv.EndDate, iv.CreatedAt = fromMicros(start), timePtr(end), fromMicros(created)
	return &iv, nil
}

// CreateIntervention stores an intervention and sets iv.ID, and
// iv.CreatedAt when zero. A ClientKey the person already has an
// intervention with is ECONFLICT.
func (db *DB) CreateIntervention(ctx context.Context, iv *legwork.Intervention) error {
	created := iv.CreatedAt
	if created.IsZero() {
		created = db.now()
	}
	res, err := db.w.ExecContext(ctx,
		`INSERT INTO interventions (person_id, kind, name, device, start_date, end_date, notes, created_at, client_key)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		iv.PersonID, iv.Kind, iv.Name, iv.Device, micros(iv.StartDate), nullMicros(iv.EndDate), iv.Notes, micros(created),
		nullText(iv.ClientKey))
	if err != nil {
		return mapErr(err, "create intervention", "the person already has an intervention with this client key")
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("sqlite: create intervention: %w", err)
	}
	iv.ID, iv.CreatedAt = id, created
	return nil
}

// Intervention returns an intervention.
func (db *DB) Intervention(ctx context.Context, id int64) (*legwork.Intervention, error) {
	iv, err := scanIntervention(db.r.QueryRowContext(ctx, `SELECT `+interventionColumns+` FROM interventions WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("intervention %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: intervention %d: %w", id, err)
	}
	return iv, nil
}

// InterventionByClientKey returns the person's intervention created with
// the client key; an empty key matches nothing.
func (db *DB) InterventionByClientKey(ctx context.Context, personID int64, key string) (*legwork.Intervention, error) {
	nf := notFound("person %d has no intervention with that client key", personID)
	if key == "" {
		return nil, nf
	}
	iv, err := scanIntervention(db.r.QueryRowContext(ctx,
		`SELECT `+interventionColumns+` FROM interventions WHERE person_id = ? AND client_key = ?`, personID, key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nf
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: intervention by client key: %w", err)
	}
	return iv, nil
}

// ListInterventions returns a person's interventions by start date (then
// id).
func (db *DB) ListInterventions(ctx context.Context, personID int64) ([]*legwork.Intervention, error) {
	rows, err := db.r.QueryContext(ctx,
		`SELECT `+interventionColumns+` FROM interventions WHERE person_id = ? ORDER BY start_date, id`, personID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list interventions: %w", err)
	}
	defer rows.Close()
	list := []*legwork.Intervention{}
	for rows.Next() {
		iv, err := scanIntervention(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list interventions: %w", err)
		}
		list = append(list, iv)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list interventions: %w", err)
	}
	return list, nil
}

// UpdateIntervention saves Kind, Name, Device, StartDate, EndDate and
// Notes, and fills iv.PersonID, iv.CreatedAt and iv.ClientKey.
func (db *DB) UpdateIntervention(ctx context.Context, iv *legwork.Intervention) error {
	var personID, created int64
	var key string
	err := db.w.QueryRowContext(ctx,
		`UPDATE interventions SET kind = ?, name = ?, device = ?, start_date = ?, end_date = ?, notes = ? WHERE id = ?
		 RETURNING person_id, created_at, coalesce(client_key, '')`,
		iv.Kind, iv.Name, iv.Device, micros(iv.StartDate), nullMicros(iv.EndDate), iv.Notes, iv.ID).Scan(&personID, &created, &key)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("intervention %d not found", iv.ID)
	}
	if err != nil {
		return mapErr(err, fmt.Sprintf("update intervention %d", iv.ID), "conflict")
	}
	iv.PersonID, iv.CreatedAt, iv.ClientKey = personID, fromMicros(created), key
	return nil
}

// DeleteIntervention deletes an intervention.
func (db *DB) DeleteIntervention(ctx context.Context, id int64) error {
	res, err := db.w.ExecContext(ctx, `DELETE FROM interventions WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("sqlite: delete intervention %d: %w", id, err)
	}
	return affected(res, func() error { return notFound("intervention %d not found", id) })
}
