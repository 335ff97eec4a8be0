package api

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"legwork"
	"legwork/app"
	"legwork/assess"
)

// Upload content types; ?format= overrides the Content-Type.
var uploadTypes = map[string]string{
	"text/csv":                     app.FormatCSV,
	"application/csv":              app.FormatCSV,
	"application/json":             app.FormatJSON,
	"application/vnd.legwork.lwb1": app.FormatLWB,
	"application/octet-stream":     app.FormatLWB,
}

var formatTypes = map[string]string{
	app.FormatCSV:  "text/csv; charset=utf-8",
	app.FormatJSON: "application/json",
	app.FormatLWB:  "application/vnd.legwork.lwb1",
}

func uploadFormat(r *http.Request) (string, error) {
	if f := r.URL.Query().Get("format"); f != "" {
		if _, ok := formatTypes[f]; !ok {
			return "", legwork.FieldErrorf("format", "must be csv, json or lwb1")
		}
		return f, nil
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return "", legwork.FieldErrorf("format", "set Content-Type to text/csv, application/json or application/vnd.legwork.lwb1 (or pass ?format=)")
	}
	f, ok := uploadTypes[strings.ToLower(mt)]
	if !ok {
		return "", legwork.FieldErrorf("format", "Content-Type %q is not a recording format: use text/csv, application/json or application/vnd.legwork.lwb1", mt)
	}
	return f, nil
}

// readUpload reads the request body, gunzipping it when the client sent
// Content-Encoding: gzip, within the upload limit (before and after
// decompression).
func (s *Server) readUpload(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	var body io.Reader = http.MaxBytesReader(w, r.Body, s.maxUpload)
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(body)
		if err != nil {
			return nil, &legwork.Error{Code: legwork.EINVALID, Field: "recording", Message: "the body is not gzip data", Err: err}
		}
		body = io.LimitReader(zr, s.maxUpload+1)
	default:
		return nil, legwork.Errorf(legwork.EINVALID, "Content-Encoding %q is not supported (use gzip or none)", enc)
	}
	data, err := io.ReadAll(body)
	if err != nil {
		if _, ok := err.(*http.MaxBytesError); ok {
			return nil, err
		}
		return nil, &legwork.Error{Code: legwork.EINVALID, Field: "recording", Message: "the upload could not be read completely", Err: err}
	}
	if int64(len(data)) > s.maxUpload {
		return nil, &legwork.Error{Code: legwork.ETOOLARGE, Field: "recording", Message: "the recording is larger than " + humanBytes(s.maxUpload)}
	}
	return data, nil
}

// Idempotent creates (see app.CheckClientKey): a create may carry the
// client's key in the Idempotency-Key header; a create the server has
// already done with that key is answered with the stored record, 200
// instead of 201, and Idempotent-Replayed: true.
const (
	headerIdempotencyKey = "Idempotency-Key"
	headerReplayed       = "Idempotent-Replayed"
)

// idempotencyKey returns the request's Idempotency-Key, "" when it sends
// none. A header sent empty or twice is EINVALID.
func idempotencyKey(r *http.Request) (string, error) {
	vs := r.Header.Values(headerIdempotencyKey)
	switch {
	case len(vs) == 0:
		return "", nil
	case len(vs) > 1:
		return "", legwork.FieldErrorf(app.ClientKeyField, "send the header once")
	case vs[0] == "":
		return "", legwork.FieldErrorf(app.ClientKeyField, "is empty: send 1 to %d printable ASCII characters (such as a UUID), or leave the header out", app.MaxClientKeyLen)
	}
	return vs[0], app.CheckClientKey(vs[0])
}

// writeCreated answers a create: 201 with the new record's location, or
// 200 with Idempotent-Replayed: true when the create was a replay and v
// the record stored by the first.
func writeCreated(w http.ResponseWriter, location string, replayed bool, v any) {
	w.Header().Set("Location", location)
	status := http.StatusCreated
	if replayed {
		w.Header().Set(headerReplayed, "true")
		status = http.StatusOK
	}
	writeJSON(w, status, v)
}

func (s *Server) createAssessment(w http.ResponseWriter, r *http.Request) error {
	id, err := personID(r)
	if err != nil {
		return err
	}
	if err := s.app.CheckWrite(r.Context(), id); err != nil {
		return err
	}
	key, err := idempotencyKey(r)
	if err != nil {
		return err
	}
	format, err := uploadFormat(r)
	if err != nil {
		return err
	}
	data, err := s.readUpload(w, r)
	if err != nil {
		s.metrics.upload(format, legwork.ErrorCode(jsonError(err)), 0)
		return err
	}
	q := r.URL.Query()
	at, err := queryTime(r, "recorded_at")
	if err != nil {
		return err
	}
	var tags []string
	for _, v := range q["tags"] {
		tags = append(tags, strings.Split(v, ",")...)
	}
	var segments []assess.Segment
	if v := q.Get("segments"); v != "" {
		if err := json.Unmarshal([]byte(v), &segments); err != nil {
			return legwork.FieldErrorf("segments", `must be a JSON array such as [{"name":"trial1","start_s":2.5,"end_s":11}]`)
		}
	}
	phoneFrame := false
	if v := q.Get("phone_frame"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return legwork.FieldErrorf("phone_frame", "must be true or false")
		}
		phoneFrame = b
	}
	up := &app.Upload{
		PersonID:   id,
		TestType:   legwork.TestType(q.Get("test_type")),
		Placement:  q.Get("placement"),
		Device:     legwork.AssistiveDevice(q.Get("assistive_device")),
		RecordedAt: at,
		Context:    q.Get("context"),
		Tags:       tags,
		UserAgent:  r.UserAgent(),
		Source:     q.Get("source"),
		Format:     format,
		Data:       data,
		Segments:   segments,
		PhoneFrame: phoneFrame,
		ClientKey:  key,
	}
	as, replayed, err := s.app.CreateAssessment(r.Context(), up)
	if err != nil {
		s.metrics.upload(format, legwork.ErrorCode(err), len(data))
		return err
	}
	outcome := "created"
	if replayed {
		outcome = "replayed"
	}
	s.metrics.upload(format, outcome, len(data))
	writeCreated(w, fmt.Sprintf("/api/people/%d/assessments/%d", id, as.ID), replayed, as)
	return nil
}

func (s *Server) listAssessments(w http.ResponseWriter, r *http.Request) error {
	id, err := personID(r)
	if err != nil {
		return err
	}
	f := legwork.AssessmentFilter{PersonID: id, TestType: legwork.TestType(r.URL.Query().Get("test_type")),
		Device: legwork.AssistiveDevice(r.URL.Query().Get("assistive_device"))}
	if err := queryRange(r, &f.From, &f.To, &f.Page); err != nil {
		return s.app.RefuseUnreadRead(r.Context(), id, "assessments", err)
	}
	list, err := s.app.ListAssessments(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(list, f.Page, func(a *legwork.Assessment) int64 { return a.ID }))
	return nil
}

func (s *Server) getAssessment(w http.ResponseWriter, r *http.Request) error {
	id, aid, err := personItem(r, "assessment_id")
	if err != nil {
		return err
	}
	as, err := s.app.Assessment(r.Context(), id, aid)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, as)
	return nil
}

func (s *Server) getRecording(w http.ResponseWriter, r *http.Request) error {
	id, aid, err := personItem(r, "assessment_id")
	if err != nil {
		return err
	}
	rec, err := s.app.Recording(r.Context(), id, aid)
	if err != nil {
		return err
	}
	ct := formatTypes[rec.Format]
	if ct == "" {
		ct = "application/octet-stream"
	}
	ext := rec.Format
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(len(rec.Data)))
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=\"assessment-%d.%s\"", aid, ext))
	w.Header().Set("X-Legwork-Samples", strconv.Itoa(rec.Samples))
	w.WriteHeader(http.StatusOK)
	w.Write(rec.Data)
	return nil
}

func (s *Server) deleteAssessment(w http.ResponseWriter, r *http.Request) error {
	id, aid, err := personItem(r, "assessment_id")
	if err != nil {
		return err
	}
	if err := s.app.DeleteAssessment(r.Context(), id, aid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listMetrics(w http.ResponseWriter, r *http.Request) error {
	id, err := personID(r)
	if err != nil {
		return err
	}
	names, err := s.app.MetricNames(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, itemsOf(names))
	return nil
}

func (s *Server) metricSeries(w http.ResponseWriter, r *http.Request) error {
	id, err := personID(r)
	if err != nil {
		return err
	}
	f := legwork.MetricFilter{PersonID: id, Metric: r.PathValue("metric"),
		TestType: legwork.TestType(r.URL.Query().Get("test_type")),
		Device:   legwork.AssistiveDevice(r.URL.Query().Get("assistive_device"))}
	if err := queryRange(r, &f.From, &f.To, nil); err != nil {
		return s.app.RefuseUnreadRead(r.Context(), id, "metrics", err)
	}
	pts, err := s.app.MetricSeries(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, itemsOf(pts))
	return nil
}

func (s *Server) listDiary(w http.ResponseWriter, r *http.Request) error {
	id, err := personID(r)
	if err != nil {
		return err
	}
	f := legwork.DiaryFilter{PersonID: id}
	if err := queryRange(r, &f.From, &f.To, &f.Page); err != nil {
		return s.app.RefuseUnreadRead(r.Context(), id, "diary", err)
	}
	list, err := s.app.ListDiaryEntries(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(list, f.Page, func(e *legwork.DiaryEntry) int64 { return e.ID }))
	return nil
}

// diaryRequest is a diary entry as clients send it.
type diaryRequest struct {
	At             string        `json:"at"`
	Severity       *int          `json:"severity"`
	Sensations     []string      `json:"sensations"`
	SensationOther string        `json:"sensation_other"`
	Leg            string        `json:"leg"`
	TimeOfDay      string        `json:"time_of_day"`
	Triggers       []string      `json:"triggers"`
	Fatigue        *int          `json:"fatigue"`
	Fall           *legwork.Fall `json:"fall"`
	Notes          string        `json:"notes"`
}

func (s *Server) decodeDiary(w http.ResponseWriter, r *http.Request, personID int64) (*legwork.DiaryEntry, error) {
	var req diaryRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return nil, err
	}
	e := &legwork.DiaryEntry{PersonID: personID, Severity: req.Severity, Sensations: req.Sensations, SensationOther: req.SensationOther,
		Leg: req.Leg, TimeOfDay: req.TimeOfDay, Triggers: req.Triggers, Fatigue: req.Fatigue, Fall: req.Fall, Notes: req.Notes}
	if req.At != "" {
		at, err := parseTime("at", req.At)
		if err != nil {
			return nil, err
		}
		e.At = at
	}
	return e, nil
}

func (s *Server) createDiary(w http.ResponseWriter, r *http.Request) error {
	if err := signedIn(r); err != nil {
		return err
	}
	id, err := personID(r)
	if err != nil {
		return err
	}
	key, err := idempotencyKey(r)
	if err != nil {
		return s.app.RefuseUnreadWrite(r.Context(), id, "diary", err)
	}
	e, err := s.decodeDiary(w, r, id)
	if err != nil {
		return s.app.RefuseUnreadWrite(r.Context(), id, "diary", err)
	}
	e.ClientKey = key
	replayed, err := s.app.CreateDiaryEntry(r.Context(), e)
	if err != nil {
		return err
	}
	writeCreated(w, fmt.Sprintf("/api/people/%d/diary/%d", id, e.ID), replayed, e)
	return nil
}

func (s *Server) getDiary(w http.ResponseWriter, r *http.Request) error {
	id, eid, err := personItem(r, "entry_id")
	if err != nil {
		return err
	}
	e, err := s.app.DiaryEntry(r.Context(), id, eid)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, e)
	return nil
}

func (s *Server) updateDiary(w http.ResponseWriter, r *http.Request) error {
	if err := signedIn(r); err != nil {
		return err
	}
	id, eid, err := personItem(r, "entry_id")
	if err != nil {
		return err
	}
	e, err := s.decodeDiary(w, r, id)
	if err != nil {
		return s.app.RefuseUnreadWrite(r.Context(), id, "diary", err)
	}
	e.ID = eid
	if err := s.app.UpdateDiaryEntry(r.Context(), e); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, e)
	return nil
}

func (s *Server) deleteDiary(w http.ResponseWriter, r *http.Request) error {
	id, eid, err := personItem(r, "entry_id")
	if err != nil {
		return err
	}
	if err := s.app.DeleteDiaryEntry(r.Context(), id, eid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listInterventions(w http.ResponseWriter, r *http.Request) error {
	id, err := personID(r)
	if err != nil {
		return err
	}
	list, err := s.app.ListInterventions(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, itemsOf(list))
	return nil
}

// interventionRequest is an intervention as clients send it; dates are
// "2026-03-01".
type interventionRequest struct {
	Kind      legwork.InterventionKind `json:"kind"`
	Name      string                   `json:"name"`
	Device    legwork.AssistiveDevice  `json:"device"`
	StartDate string                   `json:"start_date"`
	EndDate   string                   `json:"end_date"`
	Notes     string                   `json:"notes"`
}

func (s *Server) decodeIntervention(w http.ResponseWriter, r *http.Request, personID int64) (*legwork.Intervention, error) {
	var req interventionRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return nil, err
	}
	iv := &legwork.Intervention{PersonID: personID, Kind: req.Kind, Name: req.Name, Device: req.Device, Notes: req.Notes}
	if req.StartDate != "" {
		t, err := parseTime("start_date", req.StartDate)
		if err != nil {
			return nil, err
		}
		iv.StartDate = t
	}
	if req.EndDate != "" {
		t, err := parseTime("end_date", req.EndDate)
		if err != nil {
			return nil, err
		}
		iv.EndDate = &t
	}
	return iv, nil
}

func (s *Server) createIntervention(w http.ResponseWriter, r *http.Request) error {
	if err := signedIn(r); err != nil {
		return err
	}
	id, err := personID(r)
	if err != nil {
		return err
	}
	key, err := idempotencyKey(r)
	if err != nil {
		return s.app.RefuseUnreadWrite(r.Context(), id, "interventions", err)
	}
	iv, err := s.decodeIntervention(w, r, id)
	if err != nil {
		return s.app.RefuseUnreadWrite(r.Context(), id, "interventions", err)
	}
	iv.ClientKey = key
	replayed, err := s.app.CreateIntervention(r.Context(), iv)
	if err != nil {
		return err
	}
	writeCreated(w, fmt.Sprintf("/api/people/%d/interventions/%d", id, iv.ID), replayed, iv)
	return nil
}

func (s *Server) getIntervention(w http.ResponseWriter, r *http.Request) error {
	id, iid, err := personItem(r, "intervention_id")
	if err != nil {
		return err
	}
	iv, err := s.app.Intervention(r.Context(), id, iid)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, iv)
	return nil
}

func (s *Server) updateIntervention(w http.ResponseWriter, r *http.Request) error {
	if err := signedIn(r); err != nil {
		return err
	}
	id, iid, err := personItem(r, "intervention_id")
	if err != nil {
		return err
	}
	iv, err := s.decodeIntervention(w, r, id)
	if err != nil {
		return s.app.RefuseUnreadWrite(r.Context(), id, "interventions", err)
	}
	iv.ID = iid
	if err := s.app.UpdateIntervention(r.Context(), iv); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, iv)
	return nil
}

func (s *Server) deleteIntervention(w http.ResponseWriter, r *http.Request) error {
	id, iid, err := personItem(r, "intervention_id")
	if err != nil {
		return err
	}
	if err := s.app.DeleteIntervention(r.Context(), id, iid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
