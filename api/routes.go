package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"legwork"
	"legwork/app"
)

func (s *Server) registerRoutes() {
	// Infrastructure.
	s.handle("GET /healthz", s.healthz)
	s.handle("GET /metrics", s.serveMetrics)
	s.handle("GET /api/openapi.json", s.openAPI)

	// Accounts.
	s.handle("POST /api/login", s.login)
	s.handle("GET /api/signup", s.signupInfo)
	s.handle("POST /api/signup", s.signup)
	s.handle("POST /api/logout", s.logout)
	s.handle("GET /api/me", s.me)
	s.handle("PATCH /api/me", s.updateMe)
	s.handle("POST /api/me/password", s.changePassword)
	s.handle("GET /api/me/tokens", s.listTokens)
	s.handle("POST /api/me/tokens", s.createToken)
	s.handle("DELETE /api/me/tokens/{token_id}", s.deleteToken)
	s.handle("GET /api/users", s.listUsers)
	s.handle("POST /api/users", s.createUser)

	// People and access.
	s.handle("GET /api/people", s.listPeople)
	s.handle("GET /api/people/{id}", s.getPerson)
	s.handle("PATCH /api/people/{id}", s.updatePerson)
	s.handle("GET /api/people/{id}/grants", s.listGrants)
	s.handle("DELETE /api/people/{id}/grants/{clinician_id}", s.revokeGrant)
	s.handle("GET /api/people/{id}/invitations", s.listInvitations)
	s.handle("POST /api/people/{id}/invitations", s.createInvitation)
	s.handle("DELETE /api/people/{id}/invitations/{invitation_id}", s.deleteInvitation)
	s.handle("POST /api/invitations/accept", s.acceptInvitation)
	s.handle("GET /api/people/{id}/audit", s.listAudit)

	// A person's data.
	s.handle("GET /api/people/{id}/assessments", s.listAssessments)
	s.handle("POST /api/people/{id}/assessments", s.createAssessment)
	s.handle("GET /api/people/{id}/assessments/{assessment_id}", s.getAssessment)
	s.handle("GET /api/people/{id}/assessments/{assessment_id}/recording", s.getRecording)
	s.handle("DELETE /api/people/{id}/assessments/{assessment_id}", s.deleteAssessment)
	s.handle("GET /api/people/{id}/metrics", s.listMetrics)
	s.handle("GET /api/people/{id}/metrics/{metric}", s.metricSeries)
	s.handle("GET /api/people/{id}/insights", s.getInsights)
	s.handle("GET /api/people/{id}/report", s.getReport)
	s.handle("POST /api/people/{id}/imports", s.createImport)
	s.handle("GET /api/people/{id}/export", s.exportPerson)
	s.handle("GET /api/export", s.exportCohort)
	s.handle("GET /api/people/{id}/diary", s.listDiary)
	s.handle("POST /api/people/{id}/diary", s.createDiary)
	s.handle("GET /api/people/{id}/diary/{entry_id}", s.getDiary)
	s.handle("PUT /api/people/{id}/diary/{entry_id}", s.updateDiary)
	s.handle("DELETE /api/people/{id}/diary/{entry_id}", s.deleteDiary)
	s.handle("GET /api/people/{id}/interventions", s.listInterventions)
	s.handle("POST /api/people/{id}/interventions", s.createIntervention)
	s.handle("GET /api/people/{id}/interventions/{intervention_id}", s.getIntervention)
	s.handle("PUT /api/people/{id}/interventions/{intervention_id}", s.updateIntervention)
	s.handle("DELETE /api/people/{id}/interventions/{intervention_id}", s.deleteIntervention)
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.app.Ping(ctx); err != nil {
		s.log.Error("health check", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "store": "not answering"})
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) error {
	s.metrics.handler().ServeHTTP(w, r)
	return nil
}

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(openAPIDoc)
	return nil
}

// list is the body of a paginated list: pass next_before as ?before= for
// the next page; it is absent on the last page.
type list[T any] struct {
	Items      []T    `json:"items"`
	NextBefore *int64 `json:"next_before,omitempty"`
}

// pageOf returns a list body for items of a keyset page: a full page may
// have more after it.
func pageOf[T any](items []T, p legwork.Page, id func(T) int64) list[T] {
	l := list[T]{Items: items}
	if l.Items == nil {
		l.Items = []T{}
	}
	limit := p.Limit
	if limit == 0 {
		limit = app.DefaultPageLimit
	}
	if len(items) >= limit && len(items) > 0 {
		next := id(items[len(items)-1])
		l.NextBefore = &next
	}
	return l
}

// itemsOf returns an unpaginated list body.
func itemsOf[T any](items []T) list[T] {
	if items == nil {
		items = []T{}
	}
	return list[T]{Items: items}
}

// pathID parses a numeric path parameter; a malformed id is not found.
func pathID(r *http.Request, name string) (int64, error) {
	v := r.PathValue(name)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, legwork.Errorf(legwork.ENOTFOUND, "no such %s", strings.TrimSuffix(strings.ReplaceAll(name, "_", " "), " id"))
	}
	return id, nil
}

// personID parses {id}.
func personID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, legwork.Errorf(legwork.ENOTFOUND, "no such person")
	}
	return id, nil
}

// personItem parses the person id and the id of one of their items (the
// path wildcard name) from the URL.
func personItem(r *http.Request, name string) (int64, int64, error) {
	id, err := personID(r)
	if err != nil {
		return 0, 0, err
	}
	item, err := pathID(r, name)
	if err != nil {
		return 0, 0, err
	}
	return id, item, nil
}

// queryPage reads ?limit= and ?before=.
func queryPage(r *http.Request) (legwork.Page, error) {
	var p legwork.Page
	q := r.URL.Query()
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > app.MaxPageLimit {
			return p, legwork.FieldErrorf("limit", "must be a whole number from 1 to %d", app.MaxPageLimit)
		}
		p.Limit = n
	}
	if v := q.Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return p, legwork.FieldErrorf("before", "must be an id from next_before")
		}
		p.Before = n
	}
	if p.Limit == 0 {
		p.Limit = app.DefaultPageLimit
	}
	return p, nil
}

// queryRange reads the from and to parameters into from and to and, when
// page is not nil, the page parameters.
func queryRange(r *http.Request, from, to *time.Time, page *legwork.Page) error {
	var err error
	if *from, err = queryTime(r, "from"); err != nil {
		return err
	}
	if *to, err = queryTime(r, "to"); err != nil {
		return err
	}
	if page != nil {
		*page, err = queryPage(r)
	}
	return err
}

// queryTime reads a time parameter: RFC 3339 or a date (YYYY-MM-DD, UTC
// midnight).
func queryTime(r *http.Request, name string) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	return parseTime(name, v)
}

func parseTime(name, v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	return time.Time{}, legwork.FieldErrorf(name, "must be a date (2026-03-01) or a time (2026-03-01T14:30:00Z)")
}
