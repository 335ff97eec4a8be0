package sqlite

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"legwork"
)

// micros returns t as stored: microseconds since the Unix epoch.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros returns the UTC time of a stored value.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// nullMicros returns the stored value of an optional time.
func nullMicros(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: micros(*t), Valid: true}
}

// timePtr returns the optional time of a stored value.
func timePtr(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMicros(v.Int64)
	return &t
}

// nullText returns the stored value of optional text: NULL when empty.
func nullText(s string) sql.NullString {
	return sql.NullString{String: s, Valid: s != ""}
}

// nullInt returns the stored value of an optional integer.
func nullInt(p *int) sql.NullInt64 {
	if p == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: int64(*p), Valid: true}
}

// intPtr returns the optional integer of a stored value.
func intPtr(v sql.NullInt64) *int {
	if !v.Valid {
		return nil
	}
	i := int(v.Int64)
	return &i
}

// encodeList returns a list of words as a JSON array.
func encodeList(l []string) (string, error) {
	if len(l) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(l)
	if err != nil {
		return "", fmt.Errorf("encode list: %w", err)
	}
	return string(b), nil
}

// decodeList returns the list of words of a JSON array; an empty list is
// nil.
func decodeList(s string) ([]string, error) {
	if s == "" || s == "[]" {
		return nil, nil
	}
	var l []string
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		return nil, fmt.Errorf("decode list: %w", err)
	}
	if len(l) == 0 {
		return nil, nil
	}
	return l, nil
}

// encodePlan returns the stored value of a weekly plan: a JSON object,
// NULL for a nil plan.
func encodePlan(p map[legwork.TestType]int) (sql.NullString, error) {
	if p == nil {
		return sql.NullString{}, nil
	}
	b, err := json.Marshal(p)
	if err != nil {
		return sql.NullString{}, fmt.Errorf("encode weekly plan: %w", err)
	}
	return sql.NullString{String: string(b), Valid: true}, nil
}

// decodePlan returns the weekly plan of a stored value: nil for NULL, a
// non-nil map otherwise.
func decodePlan(v sql.NullString) (map[legwork.TestType]int, error) {
	if !v.Valid {
		return nil, nil
	}
	p := map[legwork.TestType]int{}
	if err := json.Unmarshal([]byte(v.String), &p); err != nil {
		return nil, fmt.Errorf("decode weekly plan: %w", err)
	}
	return p, nil
}

// emailKey returns the form of an email address that is unique: emails
// compare without regard to case.
func emailKey(email string) string { return strings.ToLower(email) }

// sortedMetrics returns the metric names in order, after checking that
// every value is a finite number.
func sortedMetrics(m map[string]float64) ([]string, error) {
	names := make([]string, 0, len(m))
	for name, v := range m {
		if name == "" {
			return nil, legwork.FieldErrorf("metrics", "a metric has no name")
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, legwork.FieldErrorf("metrics", "metric %q is %v, not a finite number", name, v)
		}
		names = append(names, name)
	}
	sort.Strings(names)
	return names, nil
}

// limitClause returns the LIMIT clause of a page; a limit of zero or less
// means no limit.
func limitClause(limit int, args *[]any) string {
	if limit <= 0 {
		return ""
	}
	*args = append(*args, limit)
	return " LIMIT ?"
}
