package api

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"time"

	"legwork"
	"legwork/app"
)

// codeMethodNotAllowed is the error code of a 405: the path exists but not
// with that method. It is the router's, not the application's.
const codeMethodNotAllowed = "method_not_allowed"

// statusOf maps an error code to its HTTP status. It is the only place
// that does.
func statusOf(code string) int {
	switch code {
	case legwork.EINVALID:
		return http.StatusBadRequest
	case legwork.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case legwork.EFORBIDDEN:
		return http.StatusForbidden
	case legwork.ENOTFOUND:
		return http.StatusNotFound
	case codeMethodNotAllowed:
		return http.StatusMethodNotAllowed
	case legwork.ECONFLICT:
		return http.StatusConflict
	case legwork.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case legwork.EUNPROCESSABLE:
		return http.StatusUnprocessableEntity
	case legwork.ETOOMANY:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// ErrorBody is the body of every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong: Code is stable for programs, Message
// is for people, Field names the input at fault (when one is).
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// writeError writes err as a JSON error response. Internal errors are
// logged and shown only as "internal error".
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		err = &legwork.Error{Code: legwork.ETOOLARGE, Message: "the request body is larger than " + humanBytes(mbe.Limit), Err: err}
	}
	code := legwork.ErrorCode(err)
	status := statusOf(code)
	if status == http.StatusInternalServerError {
		code = legwork.EINTERNAL
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	var ra app.RetryAfter
	if errors.As(err, &ra) {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(time.Duration(ra).Seconds()))))
	}
	writeJSON(w, status, ErrorBody{Error: ErrorDetail{Code: code, Message: legwork.ErrorMessage(err), Field: legwork.ErrorField(err)}})
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// routerErrors turns the router's plain-text 404 and 405 responses into
// JSON error bodies.
type routerErrors struct {
	http.ResponseWriter
	wrote, pass bool
}

func (w *routerErrors) WriteHeader(status int) {
	if w.wrote {
		return
	}
	w.wrote = true
	code, msg := legwork.ENOTFOUND, "no such API endpoint"
	switch status {
	case http.StatusNotFound:
	case http.StatusMethodNotAllowed:
		code, msg = codeMethodNotAllowed, "this endpoint does not take that method"
	default:
		w.pass = true
		w.ResponseWriter.WriteHeader(status)
		return
	}
	writeJSON(w.ResponseWriter, statusOf(code), ErrorBody{Error: ErrorDetail{Code: code, Message: msg}})
}

func (w *routerErrors) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	if w.pass {
		return w.ResponseWriter.Write(b)
	}
	return len(b), nil
}
