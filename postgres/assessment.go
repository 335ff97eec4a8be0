package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"legwork"
)

// assessmentColumns are the columns scanAssessment reads.
const assessmentColumns = `a.id, a.person_id, a.test_type, a.placement, a.device, a.recorded_at, a.created_at,
	a.context, a.tags::text, a.user_agent, a.source, a.algorithm_version, a.result, a.quality::text,
	EXISTS (SELECT 1 FROM recordings r WHERE r.assessment_id = a.id), coalesce(a.client_key, '')`

// listColumns are assessmentColumns without the result, which listings
// leave out: it can be large, and a list never shows it.
const listColumns = `a.id, a.person_id, a.test_type, a.placement, a.device, a.recorded_at, a.created_at,
	a.context, a.tags::text, a.user_agent, a.source, a.algorithm_version, NULL::bytea, a.quality::text,
	EXISTS (SELECT 1 FROM recordings r WHERE r.assessment_id = a.id), coalesce(a.client_key, '')`

func scanAssessment(row pgx.Row) (*legwork.Assessment, error) {
	var a legwork.Assessment
	var tags, quality string
	var result []byte
	if err := row.Scan(&a.ID, &a.PersonID, &a.TestType, &a.Placement, &a.Device, &a.RecordedAt, &a.CreatedAt,
		&a.Context, &tags, &a.UserAgent, &a.Source, &a.AlgorithmVersion, &result, &quality, &a.HasRaw, &a.ClientKey); err != nil {
		return nil, err
	}
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
		return fmt.Errorf("postgres: create assessment: %w", err)
	}
	quality, err := encodeList(a.Quality)
	if err != nil {
		return fmt.Errorf("postgres: create assessment: %w", err)
	}
	created := a.CreatedAt
	if created.IsZero() {
		created = db.now()
	}
	var id int64
	err = db.tx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx,
			`INSERT INTO assessments (person_id, test_type, placement, device, recorded_at, created_at,
			   context, tags, user_agent, source, algorithm_version, result, quality, client_key)
			 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
			a.PersonID, a.TestType, a.Placement, a.Device, ts(a.RecordedAt), ts(created),
			a.Context, tags, a.UserAgent, a.Source, a.AlgorithmVersion, nullBytes(a.Result), quality, nullText(a.ClientKey)).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert assessment: %w", err)
		}
		key := metricKey{id: id, personID: a.PersonID, recordedAt: ts(a.RecordedAt), testType: a.TestType, device: a.Device}
		if err := insertMetrics(ctx, tx, key, names, a.Metrics); err != nil {
			return err
		}
		if rec == nil {
			return nil
		}
		if len(rec.Data) == 0 {
			return legwork.FieldErrorf("recording", "the recording is empty")
		}
		if _, err := tx.Exec(ctx,
			`INSERT INTO recordings (assessment_id, format, encoding, data, samples) VALUES ($1, $2, $3, $4, $5)`,
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
	recordedAt time.Time
	testType   legwork.TestType
	device     legwork.AssistiveDevice
}

// insertMetrics inserts the metric values of an assessment in one
// statement.
func insertMetrics(ctx context.Context, tx pgx.Tx, k metricKey, names []string, metrics map[string]float64) error {
	if len(names) == 0 {
		return nil
	}
	values := make([]float64, len(names))
	for i, name := range names {
		values[i] = metrics[name]
	}
	_, err := tx.Exec(ctx,
		`INSERT INTO assessment_metrics (assessment_id, metric, value, person_id, recorded_at, test_type, device)
		 SELECT $1, m.metric, m.value, $2, $3, $4, $5 FROM unnest($6::text[], $7::float8[]) AS m (metric, value)`,
		k.id, k.personID, k.recordedAt, k.testType, k.device, names, values)
	if err != nil {
		return fmt.Errorf("insert metrics: %w", err)
	}
	return nil
}

// Assessment returns an assessment with its metrics.
func (db *DB) Assessment(ctx context.Context, id int64) (*legwork.Assessment, error) {
	a, err := db.assessmentWhere(ctx, "a.id = $1", []any{id}, func() error { return notFound("assessment %d not found", id) })
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
	a, err := db.assessmentWhere(ctx, "a.person_id = $1 AND a.client_key = $2", []any{personID, key}, nf)
	if err != nil {
		return nil, mapErr(err, "assessment by client key", "conflict")
	}
	return a, nil
}

// assessmentWhere returns the one assessment the condition selects, with
// its metrics, or the error of nf when there is none.
func (db *DB) assessmentWhere(ctx context.Context, cond string, args []any, nf func() error) (*legwork.Assessment, error) {
	var a *legwork.Assessment
	err := db.readTx(ctx, func(tx pgx.Tx) error {
		var err error
		a, err = scanAssessment(tx.QueryRow(ctx, `SELECT `+assessmentColumns+` FROM assessments a WHERE `+cond, args...))
		if errors.Is(err, pgx.ErrNoRows) {
			return nf()
		}
		if err != nil {
			return err
		}
		return loadMetrics(ctx, tx, []*legwork.Assessment{a})
	})
	return a, err
}

// loadMetrics fills the metrics of the assessments.
func loadMetrics(ctx context.Context, tx pgx.Tx, list []*legwork.Assessment) error {
	if len(list) == 0 {
		return nil
	}
	byID := make(map[int64]*legwork.Assessment, len(list))
	ids := make([]int64, len(list))
	for i, a := range list {
		byID[a.ID] = a
		ids[i] = a.ID
	}
	rows, err := tx.Query(ctx, `SELECT assessment_id, metric, value FROM assessment_metrics WHERE assessment_id = ANY($1)`, ids)
	if err != nil {
		return fmt.Errorf("load metrics: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		var v float64
		if err := rows.Scan(&id, &name, &v); err != nil {
			return fmt.Errorf("load metrics: %w", err)
		}
		byID[id].Metrics[name] = v
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load metrics: %w", err)
	}
	return nil
}

// ListAssessments returns a person's assessments, newest (highest id)
// first, with their metrics but without their results (Result is nil).
func (db *DB) ListAssessments(ctx context.Context, f legwork.AssessmentFilter) ([]*legwork.Assessment, error) {
	var q query
	q.and("a.person_id = ?", f.PersonID)
	if f.TestType != "" {
		q.and("a.test_type = ?", f.TestType)
	}
	if f.Device != "" {
		q.and("a.device = ?", f.Device)
	}
	if !f.From.IsZero() {
		q.and("a.recorded_at >= ?", ts(f.From))
	}
	if !f.To.IsZero() {
		q.and("a.recorded_at < ?", ts(f.To))
	}
	if f.Page.Before > 0 {
		q.and("a.id < ?", f.Page.Before)
	}
	stmt := `SELECT ` + listColumns + ` FROM assessments a` + q.whereClause() + ` ORDER BY a.id DESC` + q.limit(f.Page.Limit)
	var list []*legwork.Assessment
	err := db.readTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, stmt, q.args...)
		if err != nil {
			return err
		}
		if list, err = collect(rows, scanAssessment); err != nil {
			return err
		}
		return loadMetrics(ctx, tx, list)
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: list assessments: %w", err)
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
	qual, err := encodeList(quality)
	if err != nil {
		return fmt.Errorf("postgres: update analysis: %w", err)
	}
	err = db.tx(ctx, func(tx pgx.Tx) error {
		k := metricKey{id: id}
		err := tx.QueryRow(ctx,
			`UPDATE assessments SET algorithm_version = $1, result = $2, quality = $3 WHERE id = $4
			 RETURNING person_id, recorded_at, test_type, device`,
			algorithmVersion, nullBytes(result), qual, id).Scan(&k.personID, &k.recordedAt, &k.testType, &k.device)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("assessment %d not found", id)
		}
		if err != nil {
			return fmt.Errorf("update assessment: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM assessment_metrics WHERE assessment_id = $1`, id); err != nil {
			return fmt.Errorf("delete metrics: %w", err)
		}
		return insertMetrics(ctx, tx, k, names, metrics)
	})
	return mapErr(err, fmt.Sprintf("update analysis of assessment %d", id), "conflict")
}

// DeleteAssessment deletes an assessment with its metrics and recording.
func (db *DB) DeleteAssessment(ctx context.Context, id int64) error {
	tag, err := db.q.Exec(ctx, `DELETE FROM assessments WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("postgres: delete assessment %d: %w", id, err)
	}
	return affected(tag, func() error { return notFound("assessment %d not found", id) })
}

// Recording returns the raw recording of an assessment; ENOTFOUND when the
// assessment does not exist or has none.
func (db *DB) Recording(ctx context.Context, assessmentID int64) (*legwork.Recording, error) {
	var r legwork.Recording
	err := db.q.QueryRow(ctx,
		`SELECT assessment_id, format, encoding, data, samples FROM recordings WHERE assessment_id = $1`, assessmentID).
		Scan(&r.AssessmentID, &r.Format, &r.Encoding, &r.Data, &r.Samples)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("recording of assessment %d not found", assessmentID)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: recording of assessment %d: %w", assessmentID, err)
	}
	return &r, nil
}

// AssessmentIDs returns up to limit assessment ids greater than after,
// ascending; a limit of zero or less means no limit.
func (db *DB) AssessmentIDs(ctx context.Context, after int64, limit int) ([]int64, error) {
	var q query
	q.and("id > ?", after)
	rows, err := db.q.Query(ctx, `SELECT id FROM assessments`+q.whereClause()+` ORDER BY id`+q.limit(limit), q.args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: assessment ids: %w", err)
	}
	ids, err := collect(rows, func(row pgx.Row) (int64, error) {
		var id int64
		err := row.Scan(&id)
		return id, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: assessment ids: %w", err)
	}
	return ids, nil
}

// MetricSeries returns one metric's values, oldest first (ties by
// assessment id). It is one range scan of the assessment_metrics_series
// index, which holds every column it returns.
func (db *DB) MetricSeries(ctx context.Context, f legwork.MetricFilter) ([]legwork.MetricPoint, error) {
	var q query
	q.and("person_id = ?", f.PersonID)
	q.and("metric = ?", f.Metric)
	if !f.From.IsZero() {
		q.and("recorded_at >= ?", ts(f.From))
	}
	if !f.To.IsZero() {
		q.and("recorded_at < ?", ts(f.To))
	}
	if f.TestType != "" {
		q.and("test_type = ?", f.TestType)
	}
	if f.Device != "" {
		q.and("device = ?", f.Device)
	}
	rows, err := db.q.Query(ctx,
		`SELECT assessment_id, recorded_at, value, test_type, device FROM assessment_metrics`+
			q.whereClause()+` ORDER BY recorded_at, assessment_id`, q.args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: metric series: %w", err)
	}
	points, err := collect(rows, func(row pgx.Row) (legwork.MetricPoint, error) {
		var p legwork.MetricPoint
		err := row.Scan(&p.AssessmentID, &p.At, &p.Value, &p.TestType, &p.Device)
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: metric series: %w", err)
	}
	return points, nil
}

// MetricNames returns the names of the metrics a person has values for, in
// byte order.
func (db *DB) MetricNames(ctx context.Context, personID int64) ([]string, error) {
	rows, err := db.q.Query(ctx,
		`SELECT DISTINCT metric FROM assessment_metrics WHERE person_id = $1 ORDER BY metric`, personID)
	if err != nil {
		return nil, fmt.Errorf("postgres: metric names: %w", err)
	}
	names, err := collect(rows, func(row pgx.Row) (string, error) {
		var name string
		err := row.Scan(&name)
		return name, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: metric names: %w", err)
	}
	return names, nil
}
