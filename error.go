package legwork

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status, in one place (the api package).
const (
	EINVALID       = "invalid"           // bad input: 400 (422 for a well-formed but unusable recording)
	EUNAUTHORIZED  = "unauthorized"      // not signed in: 401
	EFORBIDDEN     = "forbidden"         // signed in, not allowed: 403
	ENOTFOUND      = "not_found"         // 404 (also for things the caller may not see)
	ECONFLICT      = "conflict"          // duplicate or state conflict: 409
	ETOOLARGE      = "too_large"         // 413
	EUNPROCESSABLE = "unprocessable"     // valid request, data that cannot be analysed: 422
	ETOOMANY       = "too_many_requests" // rate limited: 429
	EINTERNAL      = "internal"          // 500
)

// Error is an application error with a code, a message safe to show to the
// user, and, for input errors, the field at fault.
type Error struct {
	Code    string
	Message string
	Field   string
	Err     error // underlying cause, not shown to users
}

func (e *Error) Error() string {
	msg := e.Message
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, msg, e.Err)
	}
	return e.Code + ": " + msg
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an EINVALID error about one input field.
func FieldErrorf(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, EINTERNAL for errors without one and
// "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err; internal errors get
// a generic message so that no detail leaks.
func ErrorMessage(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Message
	}
	return "internal error"
}

// ErrorField returns the input field an error is about, if any.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
