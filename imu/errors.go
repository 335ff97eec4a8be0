package imu

import "fmt"

// ParseError reports where a recording file is malformed.
type ParseError struct {
	Format string // "csv", "json", …
	Line   int    // 1-based line, or record number for binary formats; 0 when unknown
	// Unit names what Line counts when it is not a text line: "sector"
	// (Axivity .cwa), "record" (legwork's binary form). "" is a line.
	Unit  string
	Field string // column or field name; "" when the whole record is at fault
	Err   error
}

func (e *ParseError) Error() string {
	unit := e.Unit
	if unit == "" {
		unit = "line"
	}
	switch {
	case e.Line > 0 && e.Field != "":
		return fmt.Sprintf("%s: %s %d, field %q: %v", e.Format, unit, e.Line, e.Field, e.Err)
	case e.Line > 0:
		return fmt.Sprintf("%s: %s %d: %v", e.Format, unit, e.Line, e.Err)
	case e.Field != "":
		return fmt.Sprintf("%s: field %q: %v", e.Format, e.Field, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Format, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }
