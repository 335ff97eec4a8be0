package postgres

import (
	"context"
	"testing"
	"time"

	"legwork"
	"legwork/storetest"
)

// seedHistory stores, in a few statements, people with one assessment a
// day for days days each, every assessment with eight metrics, and returns
// the id of the first person. Seeding through CreateAssessment would
// take a transaction per assessment.
func seedHistory(tb testing.TB, db *DB, people, days int) int64 {
	tb.Helper()
	ctx := context.Background()
	stmts := []string{
		`INSERT INTO users (email, email_key, name, role, created_at)
		 SELECT 'p' || i || '@example.org', 'p' || i || '@example.org', 'Person ' || i, 'person', now()
		 FROM generate_series(1, $1::int) i`,
		`INSERT INTO assessments (person_id, test_type, placement, device, recorded_at, created_at, source, result)
		 SELECT u.id, (ARRAY['t25fw', 'walk2min', 'walk'])[1 + d % 3], 'lower_back', (ARRAY['none', 'cane'])[1 + d / 700 % 2],
		        timestamptz '2021-01-01 09:00:00+00' + d * interval '1 day', now(), 'legwork', '{}'::bytea
		 FROM users u, generate_series(0, $1::int - 1) d ORDER BY d, u.id`,
		`INSERT INTO assessment_metrics (assessment_id, metric, value, person_id, recorded_at, test_type, device)
		 SELECT a.id, m.name, 0.5 + random(), a.person_id, a.recorded_at, a.test_type, a.device
		 FROM assessments a, unnest(ARRAY['walking_speed_mps', 'cadence_spm', 'stride_length_m', 'step_time_cv',
		   'gait_symmetry', 't25fw_time_s', 'turn_time_s', 'sway_area']) AS m (name)`,
	}
	for i, stmt := range stmts {
		var args []any
		switch i {
		case 0:
			args = []any{people}
		case 1:
			args = []any{days}
		}
		if _, err := db.pool.Exec(ctx, stmt, args...); err != nil {
			tb.Fatalf("seed: %v", err)
		}
	}
	if _, err := db.pool.Exec(ctx, `VACUUM ANALYZE`); err != nil {
		tb.Fatalf("seed: %v", err)
	}
	var id int64
	if err := db.pool.QueryRow(ctx, `SELECT min(id) FROM users`).Scan(&id); err != nil {
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
		from := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, days-365)
		storetest.BenchmarkSeries(b, db, legwork.MetricFilter{PersonID: personID, Metric: "walking_speed_mps", TestType: legwork.TestT25FW, From: from}, 0)
	})
}
