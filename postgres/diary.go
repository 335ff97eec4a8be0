package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"legwork"
)

const diaryColumns = `id, person_id, at, created_at, severity, sensations::text, sensation_other, leg, time_of_day,
	triggers::text, fatigue, fall_kind, fall_circumstances, fall_injured, notes, coalesce(client_key, '')`

func scanDiaryEntry(row pgx.Row) (*legwork.DiaryEntry, error) {
	var e legwork.DiaryEntry
	var sensations, triggers string
	var fallKind *string
	var fall legwork.Fall
	if err := row.Scan(&e.ID, &e.PersonID, &e.At, &e.CreatedAt, &e.Severity, &sensations, &e.SensationOther, &e.Leg, &e.TimeOfDay,
		&triggers, &e.Fatigue, &fallKind, &fall.Circumstances, &fall.Injured, &e.Notes, &e.ClientKey); err != nil {
		return nil, err
	}
	if fallKind != nil {
		fall.Kind = *fallKind
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

// diaryEditable lists the columns UpdateDiaryEntry saves, in the order of
// diaryValues.
var diaryEditable = []string{"at", "severity", "sensations", "sensation_other", "leg", "time_of_day",
	"triggers", "fatigue", "fall_kind", "fall_circumstances", "fall_injured", "notes"}

// diaryValues returns the stored values of the editable fields of an
// entry.
func diaryValues(e *legwork.DiaryEntry) ([]any, error) {
	sensations, err := encodeList(e.Sensations)
	if err != nil {
		return nil, err
	}
	triggers, err := encodeList(e.Triggers)
	if err != nil {
		return nil, err
	}
	var fallKind *string
	var fall legwork.Fall
	if e.Fall != nil {
		fall = *e.Fall
		fallKind = &fall.Kind
	}
	return []any{ts(e.At), e.Severity, sensations, e.SensationOther, e.Leg, e.TimeOfDay,
		triggers, e.Fatigue, fallKind, fall.Circumstances, fall.Injured, e.Notes}, nil
}

// placeholders returns "$from, $from+1, …" for n parameters.
func placeholders(from, n int) string {
	p := make([]string, n)
	for i := range p {
		p[i] = "$" + strconv.Itoa(from+i)
	}
	return strings.Join(p, ", ")
}

// CreateDiaryEntry stores a diary entry and sets e.ID, and e.CreatedAt when
// zero. A ClientKey the person already has an entry with is ECONFLICT.
func (db *DB) CreateDiaryEntry(ctx context.Context, e *legwork.DiaryEntry) error {
	values, err := diaryValues(e)
	if err != nil {
		return fmt.Errorf("postgres: create diary entry: %w", err)
	}
	created := e.CreatedAt
	if created.IsZero() {
		created = db.now()
	}
	args := append([]any{e.PersonID, ts(created), nullText(e.ClientKey)}, values...)
	var id int64
	err = db.q.QueryRow(ctx,
		`INSERT INTO diary_entries (person_id, created_at, client_key, `+strings.Join(diaryEditable, ", ")+`)
		 VALUES (`+placeholders(1, len(args))+`) RETURNING id`, args...).Scan(&id)
	if err != nil {
		return mapErr(err, "create diary entry", "the person already has a diary entry with this client key")
	}
	e.ID, e.CreatedAt = id, created
	return nil
}

// DiaryEntry returns a diary entry.
func (db *DB) DiaryEntry(ctx context.Context, id int64) (*legwork.DiaryEntry, error) {
	e, err := scanDiaryEntry(db.q.QueryRow(ctx, `SELECT `+diaryColumns+` FROM diary_entries WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("diary entry %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: diary entry %d: %w", id, err)
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
	e, err := scanDiaryEntry(db.q.QueryRow(ctx,
		`SELECT `+diaryColumns+` FROM diary_entries WHERE person_id = $1 AND client_key = $2`, personID, key))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nf
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: diary entry by client key: %w", err)
	}
	return e, nil
}

// ListDiaryEntries returns a person's diary entries, newest (highest id)
// first.
func (db *DB) ListDiaryEntries(ctx context.Context, f legwork.DiaryFilter) ([]*legwork.DiaryEntry, error) {
	var q query
	q.and("person_id = ?", f.PersonID)
	if !f.From.IsZero() {
		q.and("at >= ?", ts(f.From))
	}
	if !f.To.IsZero() {
		q.and("at < ?", ts(f.To))
	}
	if f.Page.Before > 0 {
		q.and("id < ?", f.Page.Before)
	}
	rows, err := db.q.Query(ctx, `SELECT `+diaryColumns+` FROM diary_entries`+q.whereClause()+
		` ORDER BY id DESC`+q.limit(f.Page.Limit), q.args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: list diary entries: %w", err)
	}
	list, err := collect(rows, scanDiaryEntry)
	if err != nil {
		return nil, fmt.Errorf("postgres: list diary entries: %w", err)
	}
	return list, nil
}

// UpdateDiaryEntry saves every field of an entry but its person, creation
// time and client key, which it fills in e.
func (db *DB) UpdateDiaryEntry(ctx context.Context, e *legwork.DiaryEntry) error {
	values, err := diaryValues(e)
	if err != nil {
		return fmt.Errorf("postgres: update diary entry: %w", err)
	}
	set := make([]string, len(diaryEditable))
	for i, col := range diaryEditable {
		set[i] = col + " = $" + strconv.Itoa(i+1)
	}
	var personID int64
	var created = e.CreatedAt
	var key string
	err = db.q.QueryRow(ctx,
		`UPDATE diary_entries SET `+strings.Join(set, ", ")+` WHERE id = $`+strconv.Itoa(len(values)+1)+`
		 RETURNING person_id, created_at, coalesce(client_key, '')`, append(values, e.ID)...).Scan(&personID, &created, &key)
	if errors.Is(err, pgx.ErrNoRows) {
		return notFound("diary entry %d not found", e.ID)
	}
	if err != nil {
		return mapErr(err, fmt.Sprintf("update diary entry %d", e.ID), "conflict")
	}
	e.PersonID, e.CreatedAt, e.ClientKey = personID, created, key
	return nil
}

// DeleteDiaryEntry deletes a diary entry.
func (db *DB) DeleteDiaryEntry(ctx context.Context, id int64) error {
	tag, err := db.q.Exec(ctx, `DELETE FROM diary_entries WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("postgres: delete diary entry %d: %w", id, err)
	}
	return affected(tag, func() error { return notFound("diary entry %d not found", id) })
}

const interventionColumns = `id, person_id, kind, name, device, start_date, end_date, notes, created_at,
	coalesce(client_key, '')`

func scanIntervention(row pgx.Row) (*legwork.Intervention, error) {
	var iv legwork.Intervention
	if err := row.Scan(&iv.ID, &iv.PersonID, &iv.Kind, &iv.Name, &iv.Device, &iv.StartDate, &iv.EndDate, &iv.Notes, &iv.CreatedAt, &iv.ClientKey); err != nil {
		return nil, err
	}
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
	var id int64
	err := db.q.QueryRow(ctx,
		`INSERT INTO interventions (person_id, kind, name, device, start_date, end_date, notes, created_at, client_key)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		iv.PersonID, iv.Kind, iv.Name, iv.Device, ts(iv.StartDate), nullTS(iv.EndDate), iv.Notes, ts(created),
		nullText(iv.ClientKey)).Scan(&id)
	if err != nil {
		return mapErr(err, "create intervention", "the person already has an intervention with this client key")
	}
	iv.ID, iv.CreatedAt = id, created
	return nil
}

// Intervention returns an intervention.
func (db *DB) Intervention(ctx context.Context, id int64) (*legwork.Intervention, error) {
	iv, err := scanIntervention(db.q.QueryRow(ctx, `SELECT `+interventionColumns+` FROM interventions WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("intervention %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: intervention %d: %w", id, err)
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
	iv, err := scanIntervention(db.q.QueryRow(ctx,
		`SELECT `+interventionColumns+` FROM interventions WHERE person_id = $1 AND client_key = $2`, personID, key))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nf
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: intervention by client key: %w", err)
	}
	return iv, nil
}

// ListInterventions returns a person's interventions by start date (then
// id).
func (db *DB) ListInterventions(ctx context.Context, personID int64) ([]*legwork.Intervention, error) {
	rows, err := db.q.Query(ctx,
		`SELECT `+interventionColumns+` FROM interventions WHERE person_id = $1 ORDER BY start_date, id`, personID)
	if err != nil {
		return nil, fmt.Errorf("postgres: list interventions: %w", err)
	}
	list, err := collect(rows, scanIntervention)
	if err != nil {
		return nil, fmt.Errorf("postgres: list interventions: %w", err)
	}
	return list, nil
}

// UpdateIntervention saves Kind, Name, Device, StartDate, EndDate and
// Notes, and fills iv.PersonID, iv.CreatedAt and iv.ClientKey.
func (db *DB) UpdateIntervention(ctx context.Context, iv *legwork.Intervention) error {
	var personID int64
	var created = iv.CreatedAt
	var key string
	err := db.q.QueryRow(ctx,
		`UPDATE interventions SET kind = $1, name = $2, device = $3, start_date = $4, end_date = $5, notes = $6 WHERE id = $7
		 RETURNING person_id, created_at, coalesce(client_key, '')`,
		iv.Kind, iv.Name, iv.Device, ts(iv.StartDate), nullTS(iv.EndDate), iv.Notes, iv.ID).Scan(&personID, &created, &key)
	if errors.Is(err, pgx.ErrNoRows) {
		return notFound("intervention %d not found", iv.ID)
	}
	if err != nil {
		return mapErr(err, fmt.Sprintf("update intervention %d", iv.ID), "conflict")
	}
	iv.PersonID, iv.CreatedAt, iv.ClientKey = personID, created, key
	return nil
}

// DeleteIntervention deletes an intervention.
func (db *DB) DeleteIntervention(ctx context.Context, id int64) error {
	tag, err := db.q.Exec(ctx, `DELETE FROM interventions WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("postgres: delete intervention %d: %w", id, err)
	}
	return affected(tag, func() error { return notFound("intervention %d not found", id) })
}
