package sqlite

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"legwork"
	"legwork/storetest"
)

// historyStart is the day the seeded history starts.
var historyStart = time.Date(2021, 1, 1, 9, 0, 0, 0, time.UTC)

// seedHistory stores, in one transaction, people with one assessment a day
// for days days each, every assessment with eight metrics, and returns the
// id of the first person. Seeding through CreateAssessment would take a
// transaction (and an fsync) per assessment.
func seedHistory(tb testing.TB, db *DB, people, days int) int64 {
	tb.Helper()
	ctx := context.Background()
	err := db.write(ctx, func(tx *sql.Tx) error {
		stmts := []struct {
			sql  string
			args []any
		}{
			{`WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < ?)
			  INSERT INTO users (email, email_key, name, role, created_at)
			  SELECT 'p' || n || '@example.org', 'p' || n || '@example.org', 'Person ' || n, 'person', ? FROM i`,
				[]any{people, micros(historyStart)}},
			{`WITH RECURSIVE d(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM d WHERE n < ? - 1)
			  INSERT INTO assessments (person_id, test_type, placement, device, recorded_at, created_at, source, result)
			  SELECT u.id, CASE d.n % 3 WHEN 0 THEN 't25fw' WHEN 1 THEN 'walk2min' ELSE 'walk' END, 'lower_back',
			         CASE d.n / 700 % 2 WHEN 0 THEN 'none' ELSE 'cane' END, ? + d.n * 86400000000, ?, 'legwork', '{}'
			  FROM d, users u ORDER BY d.n, u.id`,
				[]any{days, micros(historyStart), micros(historyStart)}},
			{`INSERT INTO assessment_metrics (person_id, metric, recorded_at, assessment_id, value, test_type, device)
			  SELECT a.person_id, m.column1, a.recorded_at, a.id, 0.5 + (abs(random()) % 1000) / 1000.0, a.test_type, a.device
			  FROM assessments a, (VALUES ('walking_speed_mps'), ('cadence_spm'), ('stride_length_m'), ('step_time_cv'),
			    ('gait_symmetry'), ('t25fw_time_s'), ('turn_time_s'), ('sway_area')) m`, nil},
			{`ANALYZE`, nil},
		}
		for _, s := range stmts {
			if _, err := tx.ExecContext(ctx, s.sql, s.args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("seed: %v", err)
	}
	var id int64
	if err := db.reader.QueryRowContext(ctx, `SELECT min(id) FROM users`).Scan(&id); err != nil {
		tb.Fatalf("seed: %v", err)
	}
	return id
}

// BenchmarkMetricSeries reads one person's metric series of five years of
// daily tests (1 825 points) from a table that holds nine other people's
// as well, and reports the 50th and 99th percentile latencies.
func BenchmarkMetricSeries(b *testing.B) {
	db := openTest(b)
	const days = 5 * 365
	personID := seedHistory(b, db, 10, days)
	b.Run("all", func(b *testing.B) {
		storetest.BenchmarkSeries(b, db, legwork.MetricFilter{PersonID: personID, Metric: "walking_speed_mps"}, days)
	})
	b.Run("t25fw_last_year", func(b *testing.B) {
		from := historyStart.AddDate(0, 0, days-365)
		storetest.BenchmarkSeries(b, db, legwork.MetricFilter{PersonID: personID, Metric: "walking_speed_mps", TestType: legwork.TestT25FW, From: from}, 0)
	})
}
