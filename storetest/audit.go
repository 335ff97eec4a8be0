package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"legwork"
)

func testAudit(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	p, q, actor, clin := int64(11), int64(12), int64(21), int64(22)
	events := []*legwork.AuditEvent{
		{At: day(0).Add(1 * time.Nanosecond), ActorID: &actor, PersonID: &p, Action: "read", Object: "assessment:42", Detail: "via share link", IP: "203.0.113.7"},
		{At: day(0).Add(time.Second), PersonID: &p, Action: "create", Object: "diary"},
		{At: day(0).Add(2 * time.Second), ActorID: &actor, Action: "login", IP: "2001:db8::1"},
		{At: day(0).Add(3 * time.Second), ActorID: &clin, PersonID: &q, Action: "read", Object: "metrics:walking_speed_mps"},
		{ActorID: &clin, PersonID: &p, Action: "delete", Object: "assessment:43"},
	}
	for _, e := range events {
		if err := s.AppendAudit(ctx, e); err != nil {
			t.Fatalf("AppendAudit: %v", err)
		}
		if e.ID == 0 || e.At.IsZero() {
			t.Fatalf("AppendAudit did not set ID and At: %+v", e)
		}
	}
	e0, e1, e2, e3, e4 := events[0], events[1], events[2], events[3], events[4]
	tests := []struct {
		name string
		f    legwork.AuditFilter
		want []*legwork.AuditEvent
	}{
		{"all, newest first", legwork.AuditFilter{}, []*legwork.AuditEvent{e4, e3, e2, e1, e0}},
		{"person", legwork.AuditFilter{PersonID: &p}, []*legwork.AuditEvent{e4, e1, e0}},
		{"actor", legwork.AuditFilter{ActorID: &actor}, []*legwork.AuditEvent{e2, e0}},
		{"person and actor", legwork.AuditFilter{PersonID: &p, ActorID: &clin}, []*legwork.AuditEvent{e4}},
		{"limit", legwork.AuditFilter{Page: legwork.Page{Limit: 2}}, []*legwork.AuditEvent{e4, e3}},
		{"before", legwork.AuditFilter{Page: legwork.Page{Before: e3.ID, Limit: 2}}, []*legwork.AuditEvent{e2, e1}},
		{"person before", legwork.AuditFilter{PersonID: &p, Page: legwork.Page{Before: e4.ID}}, []*legwork.AuditEvent{e1, e0}},
		{"nobody", legwork.AuditFilter{PersonID: ptr(int64(98765))}, []*legwork.AuditEvent{}},
	}
	for _, tt := range tests {
		got, err := s.ListAudit(ctx, tt.f)
		if err != nil {
			t.Fatalf("ListAudit %s: %v", tt.name, err)
		}
		mustEqual(t, "ListAudit "+tt.name, got, tt.want)
	}
}

// testTimePrecision stores times on both sides of the epoch, in other
// zones, with nanoseconds: they read back in UTC, truncated to
// microseconds.
func testTimePrecision(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	p := newUser(t, s, legwork.RolePerson, "Pat")
	zone := time.FixedZone("UTC-09:30", -(9*3600 + 1800))
	times := []time.Time{
		time.Date(1969, 12, 31, 23, 59, 59, 999999500, time.UTC),
		time.Date(1900, 1, 1, 0, 0, 0, 1, zone),
		time.Date(2024, 2, 29, 23, 59, 59, 999999999, zone),
		time.Date(2099, 12, 31, 12, 0, 0, 123456789, time.UTC),
	}
	for _, at := range times {
		e := &legwork.DiaryEntry{PersonID: p.ID, At: at}
		if err := s.CreateDiaryEntry(ctx, e); err != nil {
			t.Fatalf("CreateDiaryEntry: %v", err)
		}
		got, err := s.DiaryEntry(ctx, e.ID)
		if err != nil {
			t.Fatalf("DiaryEntry: %v", err)
		}
		want := at.Truncate(TimePrecision).UTC()
		if !got.At.Equal(want) || got.At.Location() != time.UTC {
			t.Errorf("stored %s, read %s, want %s", at.Format(time.RFC3339Nano), got.At.Format(time.RFC3339Nano), want.Format(time.RFC3339Nano))
		}
	}
}

// testConcurrentWrites creates assessments (with recordings and metrics),
// diary entries and audit events from many goroutines at once, with reads
// in between: none may fail, and all must be stored.
func testConcurrentWrites(t *testing.T, s legwork.Store) {
	ctx := t.Context()
	p := newUser(t, s, legwork.RolePerson, "Pat")
	const workers, each = 16, 10
	rec := recording(t, 200)
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				n := w*each + i
				a := &legwork.Assessment{
					PersonID: p.ID, TestType: legwork.TestWalk, Device: legwork.DeviceNone,
					RecordedAt: day(0).Add(time.Duration(n) * time.Minute), Result: []byte(`{}`),
					Metrics: map[string]float64{"walking_speed_mps": float64(n), "cadence_spm": 100},
				}
				r := *rec
				if err := s.CreateAssessment(ctx, a, &r); err != nil {
					errs <- fmt.Errorf("CreateAssessment %d: %w", n, err)
					return
				}
				if err := s.CreateDiaryEntry(ctx, &legwork.DiaryEntry{PersonID: p.ID, At: a.RecordedAt, Severity: ptr(n % 11)}); err != nil {
					errs <- fmt.Errorf("CreateDiaryEntry %d: %w", n, err)
					return
				}
				if err := s.AppendAudit(ctx, &legwork.AuditEvent{PersonID: &p.ID, Action: "create", Object: fmt.Sprintf("assessment:%d", a.ID)}); err != nil {
					errs <- fmt.Errorf("AppendAudit %d: %w", n, err)
					return
				}
				if _, err := s.MetricSeries(ctx, legwork.MetricFilter{PersonID: p.ID, Metric: "walking_speed_mps"}); err != nil {
					errs <- fmt.Errorf("MetricSeries %d: %w", n, err)
					return
				}
				if _, err := s.Assessment(ctx, a.ID); err != nil {
					errs <- fmt.Errorf("Assessment %d: %w", n, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	const total = workers * each
	ids, err := s.AssessmentIDs(ctx, 0, 0)
	if err != nil {
		t.Fatalf("AssessmentIDs: %v", err)
	}
	if len(ids) != total {
		t.Errorf("%d assessments stored, want %d", len(ids), total)
	}
	series, err := s.MetricSeries(ctx, legwork.MetricFilter{PersonID: p.ID, Metric: "walking_speed_mps"})
	if err != nil {
		t.Fatalf("MetricSeries: %v", err)
	}
	if len(series) != total {
		t.Fatalf("series has %d points, want %d", len(series), total)
	}
	for i, pt := range series {
		if pt.Value != float64(i) {
			t.Errorf("point %d has value %v, want %d", i, pt.Value, i)
			break
		}
	}
	diary, err := s.ListDiaryEntries(ctx, legwork.DiaryFilter{PersonID: p.ID})
	if err != nil {
		t.Fatalf("ListDiaryEntries: %v", err)
	}
	audit, err := s.ListAudit(ctx, legwork.AuditFilter{PersonID: &p.ID})
	if err != nil {
		t.Fatalf("ListAudit: %v", err)
	}
	if len(diary) != total || len(audit) != total {
		t.Errorf("%d diary entries and %d audit events stored, want %d each", len(diary), len(audit), total)
	}
	for _, id := range ids {
		r, err := s.Recording(ctx, id)
		if err != nil {
			t.Fatalf("Recording %d: %v", id, err)
		}
		mustEqual(t, fmt.Sprintf("Recording %d", id), r, &legwork.Recording{AssessmentID: id, Format: rec.Format, Encoding: rec.Encoding, Data: rec.Data, Samples: rec.Samples})
	}
}
