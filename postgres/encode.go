package postgres

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"legwork"
)

// ts returns t as stored: truncated to microseconds, in UTC. Truncating
// here, whatever the wire format (PostgreSQL rounds the text form), keeps
// the stored value the same as in the SQLite store.
func ts(t time.Time) time.Time { return t.Truncate(time.Microsecond).UTC() }

// nullTS returns the stored value of an optional time.
func nullTS(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := ts(*t)
	return &v
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
// NULL (nil) for a nil plan.
func encodePlan(p map[legwork.TestType]int) (*string, error) {
	if p == nil {
		return nil, nil
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encode weekly plan: %w", err)
	}
	s := string(b)
	return &s, nil
}

// decodePlan returns the weekly plan of a stored value: nil for NULL, a
// non-nil map otherwise.
func decodePlan(v *string) (map[legwork.TestType]int, error) {
	if v == nil {
		return nil, nil
	}
	p := map[legwork.TestType]int{}
	if err := json.Unmarshal([]byte(*v), &p); err != nil {
		return nil, fmt.Errorf("decode weekly plan: %w", err)
	}
	return p, nil
}

// emailKey returns the form of an email address that is unique: emails
// compare without regard to case.
func emailKey(email string) string { return strings.ToLower(email) }

// nullText returns the stored value of optional text: NULL when empty.
func nullText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// nullBytes stores empty byte slices as NULL.
func nullBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

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

// query builds a statement with numbered parameters.
type query struct {
	args  []any
	where []string
}

// arg adds a parameter and returns its placeholder.
func (q *query) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

// and adds a condition; the parameter v replaces the ? in cond.
func (q *query) and(cond string, v any) {
	q.where = append(q.where, strings.Replace(cond, "?", q.arg(v), 1))
}

// whereClause returns the conditions joined with AND.
func (q *query) whereClause() string {
	if len(q.where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(q.where, " AND ")
}

// limit returns the LIMIT clause of a page; a limit of zero or less means
// no limit.
func (q *query) limit(n int) string {
	if n <= 0 {
		return ""
	}
	return " LIMIT " + q.arg(n)
}
