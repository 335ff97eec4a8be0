package gait

import (
	"math"
	"strconv"
)

// Value is a measured quantity. NaN means "not available" (too few steps, a
// placement that does not allow it, no gyroscope…); it is written to JSON as
// null and read back from null as NaN, so an unavailable number is never
// mistaken for a zero.
type Value float64

// NA is the not-available Value.
var NA = Value(math.NaN())

// Valid reports whether v holds a number.
func (v Value) Valid() bool { return !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0) }

// MarshalJSON writes null for a value that is not available.
func (v Value) MarshalJSON() ([]byte, error) {
	if !v.Valid() {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, float64(v), 'g', 6, 64), nil
}

// UnmarshalJSON reads null as NaN.
func (v *Value) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*v = NA
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return err
	}
	*v = Value(f)
	return nil
}
