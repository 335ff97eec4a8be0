package storetest

import (
	"strings"
	"testing"
	"time"

	"legwork"
)

func TestDiff(t *testing.T) {
	at := time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.FixedZone("X", 3600))
	stored := at.Truncate(TimePrecision).UTC()
	base := legwork.Assessment{ID: 1, RecordedAt: at, Tags: []string{"a"}, Result: []byte(`{"a":1}`), Metrics: map[string]float64{"m": 1}}
	tests := []struct {
		name  string
		got   func(a *legwork.Assessment)
		wants string // a substring of the difference; "" for none
	}{
		{"equal at the stored precision", func(a *legwork.Assessment) { a.RecordedAt = stored }, ""},
		{"not truncated", func(a *legwork.Assessment) { a.RecordedAt = at.UTC() }, "RecordedAt: got"},
		{"not UTC", func(a *legwork.Assessment) { a.RecordedAt = stored.In(time.FixedZone("Y", 7200)) }, "RecordedAt: got location"},
		{"nil list", func(a *legwork.Assessment) { a.RecordedAt, a.Tags = stored, nil }, "Tags: got nil"},
		{"empty list", func(a *legwork.Assessment) { a.RecordedAt, a.Tags = stored, []string{} }, "Tags: got 0 elements"},
		{"bytes", func(a *legwork.Assessment) { a.RecordedAt, a.Result = stored, []byte(`{"a": 1}`) }, "Result: got bytes"},
		{"missing metric", func(a *legwork.Assessment) { a.RecordedAt, a.Metrics = stored, map[string]float64{} }, "Metrics[m]: missing"},
		{"extra metric", func(a *legwork.Assessment) { a.RecordedAt, a.Metrics = stored, map[string]float64{"m": 1, "n": 2} }, "Metrics[n]: got 2"},
		{"value", func(a *legwork.Assessment) { a.RecordedAt, a.ID = stored, 2 }, "ID: got 2"},
	}
	for _, tt := range tests {
		got := base
		got.Tags = append([]string(nil), base.Tags...)
		tt.got(&got)
		d := diff(&got, &base)
		switch {
		case tt.wants == "" && d != "":
			t.Errorf("%s: unexpected difference:\n%s", tt.name, d)
		case tt.wants != "" && !strings.Contains(d, tt.wants):
			t.Errorf("%s: difference %q does not mention %q", tt.name, d, tt.wants)
		}
	}
	if d := diff([]*legwork.Assessment{}, []*legwork.Assessment(nil)); !strings.Contains(d, "want nil") {
		t.Errorf("empty vs nil slice: %q", d)
	}
	if d := diff((*legwork.Fall)(nil), &legwork.Fall{Kind: "fall"}); !strings.Contains(d, "got nil") {
		t.Errorf("nil vs non-nil pointer: %q", d)
	}
}
