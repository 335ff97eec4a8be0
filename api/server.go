// Package api is legwork's JSON-over-HTTP interface: it authenticates the
// caller (a session cookie or an API token), turns requests into calls of
// the app service, and its errors into JSON bodies with the right status.
// Routing is the standard library's http.ServeMux; the OpenAPI document
// served at /api/openapi.json describes every route.
package api

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"legwork"
	"legwork/app"
)

// Options configure a Server. App is required.
type Options struct {
	App *app.App
	// Static, when set, serves everything outside /api/, /healthz and
	// /metrics: the web app's embedded files.
	Static http.Handler
	// BehindProxy trusts X-Forwarded-For (the client address) and
	// X-Forwarded-Proto (https marks cookies Secure) from a reverse proxy.
	// Leave it off when clients connect directly.
	BehindProxy bool
	// MaxUploadBytes bounds a recording upload (default 50 MB).
	MaxUploadBytes int64
	// Metrics, when set, are the metrics to update and serve (so that the
	// App's OnAnalysis can feed the same set); NewMetrics when nil.
	Metrics *Metrics
	// Logger receives internal errors; slog.Default when nil.
	Logger *slog.Logger
}

// Server is the HTTP handler of a legwork deployment.
type Server struct {
	app         *app.App
	mux         *http.ServeMux
	static      http.Handler
	handler     http.Handler
	behindProxy bool
	maxUpload   int64
	metrics     *Metrics
	log         *slog.Logger
	routes      []string
}

// Body limits.
const (
	defaultMaxUpload = 50 << 20
	maxJSONBody      = 1 << 20
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "legwork_session"

//go:embed openapi.json
var openAPIDoc []byte

// NewServer returns a Server serving opt.App.
func NewServer(opt Options) *Server {
	s := &Server{
		app:         opt.App,
		mux:         http.NewServeMux(),
		static:      opt.Static,
		behindProxy: opt.BehindProxy,
		maxUpload:   opt.MaxUploadBytes,
		metrics:     opt.Metrics,
		log:         opt.Logger,
	}
	if s.maxUpload <= 0 {
		s.maxUpload = defaultMaxUpload
	}
	if s.metrics == nil {
		s.metrics = NewMetrics()
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.registerRoutes()
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, legwork.Errorf(legwork.EFORBIDDEN, "cross-origin request refused"))
	}))
	s.handler = securityHeaders(cop.Handler(http.HandlerFunc(s.dispatch)))
	return s
}

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// Routes returns the registered route patterns ("GET /api/me").
func (s *Server) Routes() []string { return slices.Clone(s.routes) }

// isAPIPath reports whether the path belongs to the API rather than the
// web app.
func isAPIPath(p string) bool {
	return p == "/api" || strings.HasPrefix(p, "/api/") || p == "/healthz" || p == "/metrics"
}

// dispatch sends API paths to the router (with JSON 404 and 405 bodies)
// and everything else to the static files.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	if !isAPIPath(r.URL.Path) && s.static != nil {
		s.static.ServeHTTP(w, r)
		return
	}
	if _, pattern := s.mux.Handler(r); pattern == "" {
		w = &routerErrors{ResponseWriter: w}
	}
	s.mux.ServeHTTP(w, r)
}

// handlerFunc is a handler that returns its error for the server to write.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle registers a route. Every route resolves the caller, records
// metrics under its pattern, and writes returned errors as JSON.
func (s *Server) handle(pattern string, h handlerFunc) {
	s.routes = append(s.routes, pattern)
	route := pattern
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		s.metrics.inFlight.Inc()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			s.metrics.inFlight.Dec()
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			s.metrics.observe(route, status, time.Since(start))
		}()
		if strings.HasPrefix(r.URL.Path, "/api/") {
			sw.Header().Set("Cache-Control", "no-store")
		}
		ctx, err := s.authenticate(r)
		if err != nil {
			s.writeError(sw, r, err)
			return
		}
		if err := h(sw, r.WithContext(ctx)); err != nil {
			s.writeError(sw, r, err)
		}
	})
}

// authenticate puts the caller in the context: an API token from the
// Authorization header, else the session cookie. A request without
// credentials is anonymous; the app refuses what needs a user. A bad
// bearer token is refused at once; a stale cookie is treated as absent (so
// that signing in again works).
func (s *Server) authenticate(r *http.Request) (context.Context, error) {
	ctx := r.Context()
	ip := s.clientIP(r)
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			return nil, legwork.Errorf(legwork.EUNAUTHORIZED, "the Authorization header must be \"Bearer <API token>\"")
		}
		act, err := s.app.Authenticate(ctx, strings.TrimSpace(token), ip)
		if err != nil {
			return nil, err
		}
		return app.NewContext(ctx, act), nil
	}
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		act, err := s.app.Authenticate(ctx, c.Value, ip)
		if err == nil {
			return app.NewContext(ctx, act), nil
		}
		if legwork.ErrorCode(err) != legwork.EUNAUTHORIZED {
			return nil, err
		}
	}
	return app.NewContext(ctx, &app.Actor{IP: ip}), nil
}

// clientIP is the caller's address: the last X-Forwarded-For hop (the one
// the trusted proxy added) behind a proxy, else the connection's peer.
func (s *Server) clientIP(r *http.Request) string {
	if s.behindProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			last := xff[len(xff)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			if ip := net.ParseIP(strings.TrimSpace(last)); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// secure reports whether the client reached us over HTTPS.
func (s *Server) secure(r *http.Request) bool {
	return r.TLS != nil || (s.behindProxy && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https"))
}

// securityHeaders sets the headers every response carries.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
		// Motion sensors for the app's own pages only.
		h.Set("Permissions-Policy", "accelerometer=(self), gyroscope=(self), camera=(), microphone=(), geolocation=(), payment=()")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=63072000")
		}
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, `{"error":{"code":"internal","message":"internal error"}}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// decodeJSON reads a JSON request body into v, refusing unknown members,
// trailing data and bodies over 1 MB with errors that name the field.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		return legwork.Errorf(legwork.EINVALID, "the body must be JSON (Content-Type: application/json)")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxJSONBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return legwork.Errorf(legwork.EINVALID, "the body must hold one JSON value")
	}
	return nil
}

func jsonError(err error) error {
	var mbe *http.MaxBytesError
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &mbe):
		return err
	case errors.Is(err, io.EOF):
		return legwork.Errorf(legwork.EINVALID, "the body is empty; send a JSON object")
	case errors.As(err, &se), errors.Is(err, io.ErrUnexpectedEOF):
		return legwork.Errorf(legwork.EINVALID, "the body is not valid JSON: %v", err)
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			return legwork.Errorf(legwork.EINVALID, "the body must be a JSON object")
		}
		return legwork.FieldErrorf(field, "must be a JSON %s", jsonKind(te.Type.Kind().String()))
	}
	var fe *legwork.Error
	if errors.As(err, &fe) {
		return fe
	}
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		return legwork.FieldErrorf(name, "is not a known field")
	}
	return legwork.Errorf(legwork.EINVALID, "the body cannot be read: %v", err)
}

func jsonKind(k string) string {
	switch {
	case strings.HasPrefix(k, "int"), strings.HasPrefix(k, "uint"), strings.HasPrefix(k, "float"):
		return "number"
	case k == "slice" || k == "array":
		return "array"
	case k == "struct" || k == "map" || k == "ptr":
		return "object"
	}
	return k
}
