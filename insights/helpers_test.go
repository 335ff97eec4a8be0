package insights

import (
	"math"
	"testing"
	"time"
)

var t0 = time.Date(2024, 3, 4, 9, 0, 0, 0, time.UTC) // a Monday, 09:00 UTC

// series makes one observation per step days from start at 09:00 UTC.
func series(start time.Time, stepDays int, vals ...float64) []Observation {
	o := make([]Observation, len(vals))
	for i, v := range vals {
		o[i] = Observation{At: start.AddDate(0, 0, i*stepDays), Value: v, TestType: "t25fw", Device: "none"}
	}
	return o
}

func near(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if math.IsNaN(got) || math.Abs(got-want) > tol {
		t.Errorf("%s = %v, want %v ± %v", name, got, want, tol)
	}
}
