package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"legwork"
)

// assessmentColumns are the columns scanAssessment reads.
const assessmentColumns = `a.id, a.person_id, a.test_type, a.placement, a.device, a.recorded_at, a.created_at,
	a.context, a.tags, a.user_agent, a.source, a.algorithm_version, a.result, a.quality,
	EXISTS (SELECT 1 FROM recordings r WHERE r.assessment_id = a.id), coalesce(a.client_key, '')`

// listColumns are assessmentColumns without the result, which listings
// leave out: it can be large, and a list never shows it.
const listColumns = `a.id, a.person_id, a.test_type, a.placement, a.device, a.recorded_at, a.created_at,
	a.context, a.tags, a.user_agent, a.source, a.algorithm_version, NULL, a.quality,
	EXISTS (SELECT 1 FROM recordings r WHERE r.assessment_id = a.id), coalesce(a.client_key, '')`

func scanAssessment(s scanner) (*legwork.Assessment, error) {
	var a legwork.Assessment
	var recorded, created int64
	var tags, quality string
	var result []byte
	if err := s.Scan(&a.ID, &a.PersonID, &a.TestType, &a.Placement, &a.Device, &recorded, &created,
		&a.Context, &tags, &a.UserAgent, &a.Source, &a.AlgorithmVersion, &result, &quality, &a.HasRaw, &a.ClientKey); err != nil {
		return nil, err
	}
	a.RecordedAt, a.CreatedAt = fromMicros(recorded), fromMicros(created)
	if len(result) > 0 {
		a.Result = result
	}
	var err error
	if a.Tags, err = decodeList(tags); err != nil {
		return nil, fmt.Errorf("tags of assessment %d: %w", a.ID, err)
	}
	if a.Quality, err = decodeList(quality); err != nil {
		return nil, fmt.Errorf("quality of assessment %d: %w", a.ID, err)
	}
	a.Metrics = map[string]float64{}
	return &a, nil
}

// nullBytes stores empty byte slices as NULL.
func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// CreateAssessment stores the assessment, its metrics and (when rec is
// non-nil) its raw recording in one transaction, durable when it returns
// nil. It sets a.ID, a.HasRaw, a.CreatedAt (when zero) and
// rec.AssessmentID. Metric values must be finite numbers and recording
// data non-empty (EINVALID); a missing person is ENOTFOUND, and a
// ClientKey the person already has an assessment with ECONFLICT.
func (db *DB) CreateAssessment(ctx context.Context, a *legwork.Assessment, rec *legwork.Recording) error {
	names, err := sortedMetrics(a.Metrics)
	if err != nil {
		return err
	}
	tags, err := encodeList(a.Tags)
	if err != nil {
		return fmt.Errorf("sqlite: create assessment: %w", err)
	}
	quality, err := encodeList(a.Quality)
	if err != nil {
		return fmt.Errorf("sqlite: create assessment: %w", err)
	}
	created := a.CreatedAt
	if created.IsZero() {
		created = db.now()
	}
	var id int64
	err = db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`INSERT INTO assessments (person_id, test_type, placement, device, recorded_at, created_at,
			   context, tags, user_agent, source, algorithm_version, result, quality, client_key)
			 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.PersonID, a.TestType, a.Placement, a.Device, micros(a.RecordedAt), micros(created),
			a.Context, tags, a.UserAgent, a.Source, a.AlgorithmVersion, nullBytes(a.Result), quality, nullText(a.ClientKey))
		if err != nil {
			return fmt.Errorf("insert assessment: %w", err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("insert assessment: %w", err)
		}
		key := metricKey{id: id, personID: a.PersonID, recordedAt: micros(a.RecordedAt), testType: a.TestType, device: a.Device}
		if err := insertMetrics(ctx, tx, key, names, a.Metrics); err != nil {
			return err
		}
		if rec == nil {
			return nil
		}
		if len(rec.Data) == 0 {
			return legwork.FieldErrorf("recording", "the recording is empty")
		}
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO recordings (assessment_id, format, encoding, data, samples) VALUES (?, ?, ?, ?, ?)`,
			id, rec.Format, rec.Encoding, rec.Data, rec.Samples); err != nil {
			return fmt.Errorf("insert recording: %w", err)
		}
		return nil
	})
	if err != nil {
		return mapErr(err, "create assessment", "the person already has an assessment with this client key")
	}
	a.ID, a.CreatedAt, a.HasRaw = id, created, rec != nil
	if rec != nil {
		rec.AssessmentID = id
	}
	return nil
}

// metricKey is what assessment_metrics copies from its assessment.
type metricKey struct {
	id         int64
	personID   int64
	recordedAt int64
	testType   legwork.TestType
	device     legwork.AssistiveDevice
}

func insertMetrics(ctx context.Context, tx *sql.Tx, k metricKey, names []string, metrics map[string]float64) error {
	if len(names) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx,
		`INSERT INTO assessment_metrics (person_id, metric, recorded_at, assessment_id, value, test_type, device)
		 VALUES (?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("insert metrics: %w", err)
	}
	defer stmt.Close()
	for _, name := range names {
		if _, err := stmt.ExecContext(ctx, k.personID, name, k.recordedAt, k.id, metrics[name], k.testType, k.device); err != nil {
			return fmt.Errorf("insert metric %q: %w", name, err)
		}
	}
	return nil
}

// Assessment returns an assessment with its metrics.
func (db *DB) Assessment(ctx context.Context, id int64) (*legwork.Assessment, error) {
	a, err := db.assessmentWhere(ctx, "a.id = ?", []any{id}, func() error { return notFound("assessment %d not found", id) })
	if err != nil {
		return nil, mapErr(err, fmt.Sprintf("assessment %d", id), "conflict")
	}
	return a, nil
}

// AssessmentByClientKey returns the person's assessment created with the
// client key, with its metrics; an empty key matches nothing.
func (db *DB) AssessmentByClientKey(ctx context.Context, personID int64, key string) (*legwork.Assessment, error) {
	nf := func() error { return notFound("person %d has no assessment with that client key", personID) }
	if key == "" {
		return nil, nf()
	}
	a, err := db.assessmentWhere(ctx, "a.person_id = ? AND a.client_key = ?", []any{personID, key}, nf)
	if err != nil {
		return nil, mapErr(err, "assessment by client key", "conflict")
	}
	return a, nil
}

// assessmentWhere returns the one assessment the condition selects, with
// its metrics, or the error of nf when there is none.
func (db *DB) assessmentWhere(ctx context.Context, cond string, args []any, nf func() error) (*legwork.Assessment, error) {
	var a *legwork.Assessment
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		a, err = scanAssessment(tx.QueryRowContext(ctx, `SELECT `+assessmentColumns+` FROM assessments a WHERE `+cond, args...))
		if errors.Is(err, sql.ErrNoRows) {
			return nf()
		}
		if err != nil {
			return err
		}
		return loadMetrics(ctx, tx, []*legwork.Assessment{a})
	})
	return a, err
}

// metricsBatch bounds the number of ids in one IN list.
const metricsBatch = 500

// loadMetrics fills the metrics of the assessments.
func loadMetrics(ctx context.Context, q queryer, list []*legwork.Assessment) error {
	byID := make(map[int64]*legwork.Assessment, len(list))
	for _, a := range list {
		byID[a.ID] = a
	}
	for start := 0; start < len(list); start += metricsBatch {
		batch := list[start:min(start+metricsBatch, len(list))]
		args := make([]any, len(batch))
		for i, a := range batch {
			args[i] = a.ID
		}
		rows, err := q.QueryContext(ctx,
			`SELECT assessment_id, metric, value FROM assessment_metrics
			 WHERE assessment_id IN (?`+strings.Repeat(", ?", len(batch)-1)+`)`, args...)
		if err != nil {
			return fmt.Errorf("load metrics: %w", err)
		}
		for rows.Next() {
			var id int64
			var name string
			var v float64
			if err := rows.Scan(&id, &name, &v); err != nil {
				rows.Close()
				return fmt.Errorf("load metrics: %w", err)
			}
			byID[id].Metrics[name] = v
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("load metrics: %w", err)
		}
	}
	return nil
}

// ListAssessments returns a person's assessments, newest (highest id)
// first, with their metrics but without their results (Result is nil).
func (db *DB) ListAssessments(ctx context.Context, f legwork.AssessmentFilter) ([]*legwork.Assessment, error) {
	where, args := []string{"a.person_id = ?"}, []any{f.PersonID}
	if f.TestType != "" {
		where, args = append(where, "a.test_type = ?"), append(args, f.TestType)
	}
	if f.Device != "" {
		where, args = append(where, "a.device = ?"), append(args, f.Device)
	}
	if !f.From.IsZero() {
		where, args = append(where, "a.recorded_at >= ?"), append(args, micros(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, "a.recorded_at < ?"), append(args, micros(f.To))
	}
	if f.Page.Before > 0 {
		where, args = append(where, "a.id < ?"), append(args, f.Page.Before)
	}
	query := `SELECT ` + listColumns + ` FROM assessments a WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY a.id DESC` + limitClause(f.Page.Limit, &args)
	list := []*legwork.Assessment{}
	err := db.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			a, err := scanAssessment(rows)
			if err != nil {
				return err
			}
			list = append(list, a)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return loadMetrics(ctx, tx, list)
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: list assessments: %w", err)
	}
	return list, nil
}

// UpdateAnalysis replaces an assessment's algorithm version, result,
// metrics and quality flags in one transaction.
func (db *DB) UpdateAnalysis(ctx context.Context, id int64, algorithmVersion string, result []byte, metrics map[string]float64, quality []string) error {
	names, err := sortedMetrics(metrics)
	if err != nil {
		return err
	}
	q, err := encodeList(quality)
	if err != nil {
		return fmt.Errorf("sqlite: update analysis: %w", err)
	}
	err = db.write(ctx, func(tx *sql.Tx) error {
		k := metricKey{id: id}
		err := tx.QueryRowContext(ctx,
			`UPDATE assessments SET algorithm_version = ?, result = ?, quality = ? WHERE id = ?
			 RETURNING person_id, recorded_at, test_type, device`,
			algorithmVersion, nullBytes(result), q, id).Scan(&k.personID, &k.recordedAt, &k.testType, &k.device)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("assessment %d not found", id)
		}
		if err != nil {
			return fmt.Errorf("update assessment: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM assessment_metrics WHERE assessment_id = ?`, id); err != nil {
			return fmt.Errorf("delete metrics: %w", err)
		}
		return insertMetrics(ctx, tx, k, names, metrics)
	})
	return mapErr(err, fmt.Sprintf("update analysis of assessment %d", id), "conflict")
}

// DeleteAssessment deletes an assessment with its metrics and recording.
func (db *DB) DeleteAssessment(ctx context.Context, id int64) error {
	res, err := db.w.ExecContext(ctx, `DELETE FROM assessments WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("sqlite: delete assessment %d: %w", id, err)
	}
	return affected(res, func() error { return notFound("assessment %d not found", id) })
}

// Recording returns the raw recording of an assessment; ENOTFOUND when the
// assessment does not exist or has none.
func (db *DB) Recording(ctx context.Context, assessmentID int64) (*legwork.Recording, error) {
	var r legwork.Recording
	err := db.r.QueryRowContext(ctx,
		`SELECT assessment_id, format, encoding, data, samples FROM recordings WHERE assessment_id = ?`, assessmentID).
		Scan(&r.AssessmentID, &r.Format, &r.Encoding, &r.Data, &r.Samples)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("recording of assessment %d not found", assessmentID)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: recording of assessment %d: %w", assessmentID, err)
	}
	return &r, nil
}

// AssessmentIDs returns up to limit assessment ids greater than after,
// ascending; a limit of zero or less means no limit.
func (db *DB) AssessmentIDs(ctx context.Context, after int64, limit int) ([]int64, error) {
	args := []any{after}
	rows, err := db.r.QueryContext(ctx, `SELECT id FROM assessments WHERE id > ? ORDER BY id`+limitClause(limit, &args), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: assessment ids: %w", err)
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("sqlite: assessment ids: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: assessment ids: %w", err)
	}
	return ids, nil
}

// MetricSeries returns one metric's values, oldest first (ties by
// assessment id). It is one range scan of the assessment_metrics primary
// key.
func (db *DB) MetricSeries(ctx context.Context, f legwork.MetricFilter) ([]legwork.MetricPoint, error) {
	where, args := []string{"person_id = ?", "metric = ?"}, []any{f.PersonID, f.Metric}
	if !f.From.IsZero() {
		where, args = append(where, "recorded_at >= ?"), append(args, micros(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, "recorded_at < ?"), append(args, micros(f.To))
	}
	if f.TestType != "" {
		where, args = append(where, "test_type = ?"), append(args, f.TestType)
	}
	if f.Device != "" {
		where, args = append(where, "device = ?"), append(args, f.Device)
	}
	rows, err := db.r.QueryContext(ctx,
		`SELECT assessment_id, recorded_at, value, test_type, device FROM assessment_metrics
		 WHERE `+strings.Join(where, " AND ")+` ORDER BY recorded_at, assessment_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: metric series: %w", err)
	}
	defer rows.Close()
	points := []legwork.MetricPoint{}
	for rows.Next() {
		var p legwork.MetricPoint
		var at int64
		if err := rows.Scan(&p.AssessmentID, &at, &p.Value, &p.TestType, &p.Device); err != nil {
			return nil, fmt.Errorf("sqlite: metric series: %w", err)
		}
		p.At = fromMicros(at)
		points = append(points, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: metric series: %w", err)
	}
	return points, nil
}

// MetricNames returns the names of the metrics a person has values for, in
// byte order.
func (db *DB) MetricNames(ctx context.Context, personID int64) ([]string, error) {
	rows, err := db.r.QueryContext(ctx,
		`SELECT DISTINCT metric FROM assessment_metrics WHERE person_id = ? ORDER BY metric`, personID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: metric names: %w", err)
	}
	defer rows.Close()
	names := []string{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("sqlite: metric names: %w", err)
		}
		names = append(names, name)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: metric names: %w", err)
	}
	return names, nil
}
