package storetest

import (
	"slices"
	"testing"
	"time"

	"legwork"
)

// BenchmarkSeries measures MetricSeries with the filter on a store the
// caller has filled, and reports, besides the mean, the 50th and 99th
// percentile latencies (p50-ms, p99-ms) and the number of points. When
// wantPoints is positive the series must have that many points.
func BenchmarkSeries(b *testing.B, s legwork.Store, f legwork.MetricFilter, wantPoints int) {
	ctx := b.Context()
	points, err := s.MetricSeries(ctx, f)
	if err != nil {
		b.Fatalf("MetricSeries: %v", err)
	}
	if len(points) == 0 || (wantPoints > 0 && len(points) != wantPoints) {
		b.Fatalf("MetricSeries returned %d points, want %d", len(points), wantPoints)
	}
	var latencies []time.Duration
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		if _, err := s.MetricSeries(ctx, f); err != nil {
			b.Fatalf("MetricSeries: %v", err)
		}
		latencies = append(latencies, time.Since(start))
	}
	slices.Sort(latencies)
	ms := func(q float64) float64 {
		i := min(len(latencies)-1, int(q*float64(len(latencies))))
		return float64(latencies[i]) / float64(time.Millisecond)
	}
	b.ReportMetric(ms(0.50), "p50-ms")
	b.ReportMetric(ms(0.99), "p99-ms")
	b.ReportMetric(float64(len(points)), "points")
}
