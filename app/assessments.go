package app

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"legwork"
	"legwork/assess"
	"legwork/dmo"
	"legwork/gait"
	"legwork/imu"
	"legwork/insights"
)

// Recording formats accepted for upload (see docs/SERVER.md).
const (
	FormatCSV  = "csv"  // legwork CSV (imu.CSVReader)
	FormatJSON = "json" // column JSON (imu.JSONReader)
	FormatLWB  = "lwb1" // little-endian binary (imu.LWBReader)
)

// Upload is a recording to analyse and store.
type Upload struct {
	PersonID  int64
	TestType  legwork.TestType
	Placement string
	Device    legwork.AssistiveDevice // "" = none
	// RecordedAt is when the test was done; the upload time when zero.
	RecordedAt time.Time
	Context    string
	Tags       []string
	UserAgent  string
	// Source names where the data came from; "legwork" when empty.
	Source string
	// Format is one of FormatCSV, FormatJSON, FormatLWB; Data the
	// uncompressed file.
	Format string
	Data   []byte
	// Segments are the app's markers of the test's parts, in seconds on
	// the recording's clock ("trial1", "trial2" for the T25FW;
	// "eyes_open", "eyes_closed" for balance). Optional.
	Segments []assess.Segment
	// PhoneFrame says the axes follow the W3C/Android phone convention
	// (recordings from the web app and phone apps).
	PhoneFrame bool
	// ClientKey is the client's idempotency key for this upload, "" when
	// none (see CheckClientKey).
	ClientKey string
}

// AnalysisInput is what an analysis was given besides the recording and
// the person's height. It is kept in the result (under "input") so that a
// re-analysis gives the new algorithm the same markers.
type AnalysisInput struct {
	Segments   []assess.Segment `json:"segments,omitempty"`
	PhoneFrame bool             `json:"phone_frame,omitempty"`
}

// storedResult is the stored result: the outcome and its input.
type storedResult struct {
	*assess.Outcome
	Input *AnalysisInput `json:"input,omitempty"`
}

const maxSegments = 20

var segmentRE = regexp.MustCompile(`^[a-z0-9_]{1,40}$`)

func checkSegments(segs []assess.Segment) error {
	if len(segs) > maxSegments {
		return legwork.FieldErrorf("segments", "at most %d segments", maxSegments)
	}
	for i, sg := range segs {
		if !segmentRE.MatchString(sg.Name) {
			return legwork.FieldErrorf("segments", "segment %d: the name must be a short lower-case word such as trial1 or eyes_open", i+1)
		}
		if math.IsNaN(sg.StartS) || math.IsInf(sg.StartS, 0) || math.IsNaN(sg.EndS) || math.IsInf(sg.EndS, 0) || !(sg.EndS > sg.StartS) {
			return legwork.FieldErrorf("segments", "segment %d (%s): end_s must be after start_s", i+1, sg.Name)
		}
	}
	return nil
}

// Upload limits.
const (
	maxTags       = 20
	maxTagLen     = 50
	maxContextLen = 1000
)

var sourceRE = regexp.MustCompile(`^[a-z0-9_]{1,40}$`)

// CreateAssessment parses an uploaded recording, analyses it with the
// person's height, and stores the raw data (gzip-compressed) with the
// results in one transaction. It returns only once the data is durable.
//
// Malformed files are EINVALID naming the position of the fault; a
// recording the analysis does not support yet (a test type not scored yet)
// is still stored, unanalysed, for a later re-analysis. A recording that
// does not fit the test's protocol is stored with the problems in its
// result and no metrics.
//
// When up.ClientKey is set and the person already has an assessment
// created with that key, nothing is analysed or created: it returns that
// assessment and replayed is true.
func (a *App) CreateAssessment(ctx context.Context, up *Upload) (as *legwork.Assessment, replayed bool, err error) {
	act, err := a.authorize(ctx, up.PersonID, writeAccess, "assessments")
	if err != nil {
		return nil, false, err
	}
	if err := CheckClientKey(up.ClientKey); err != nil {
		return nil, false, err
	}
	old, replayed, err := createOnce(ctx, a, act, up.PersonID, up.ClientKey, "assessment", a.store.AssessmentByClientKey,
		func(as *legwork.Assessment) int64 { return as.ID },
		func() (err error) {
			as, err = a.createAssessment(ctx, act, up)
			return err
		})
	if err != nil {
		return nil, false, err
	}
	if replayed {
		return old, true, nil
	}
	return as, false, nil
}

// createAssessment checks, parses and analyses an upload, then stores it
// with its audit event.
func (a *App) createAssessment(ctx context.Context, act *Actor, up *Upload) (*legwork.Assessment, error) {
	as, err := a.checkUpload(up)
	if err != nil {
		return nil, err
	}
	rec, ua, err := a.parseRecording(up.Format, up.Data)
	if err != nil {
		return nil, err
	}
	if ua != "" {
		// The recording's own user agent names the device that recorded.
		as.UserAgent = cleanUserAgent(ua)
	}
	person, err := a.store.User(ctx, up.PersonID)
	if err != nil {
		return nil, err
	}
	if person.Role != legwork.RolePerson {
		return nil, legwork.Errorf(legwork.ENOTFOUND, "no such person")
	}
	in := &AnalysisInput{Segments: up.Segments, PhoneFrame: up.PhoneFrame}
	if err := a.analyse(as, rec, person, in); err != nil {
		return nil, err
	}
	data, err := a.gzip(up.Data)
	if err != nil {
		return nil, err
	}
	raw := &legwork.Recording{Format: up.Format, Encoding: "gzip", Data: data, Samples: len(rec.Samples)}
	as.CreatedAt = a.now().UTC()
	as.ClientKey = up.ClientKey
	err = a.store.WithTx(ctx, func(tx legwork.Tx) error {
		if err := tx.CreateAssessment(ctx, as, raw); err != nil {
			return err
		}
		return a.auditWrite(ctx, tx, act, up.PersonID, "create", fmt.Sprintf("assessment:%d", as.ID), string(as.TestType))
	})
	if err != nil {
		return nil, err
	}
	as.HasRaw = true
	return as, nil
}

// checkUpload validates the metadata of an upload.
func (a *App) checkUpload(up *Upload) (*legwork.Assessment, error) {
	if !slices.Contains(legwork.TestTypes, up.TestType) {
		return nil, legwork.FieldErrorf("test_type", "must be one of %s", joinStrings(legwork.TestTypes))
	}
	p, err := gait.ParsePlacement(up.Placement)
	if err != nil {
		return nil, legwork.FieldErrorf("placement", "%s", strings.TrimPrefix(err.Error(), "gait: "))
	}
	placement := string(p)
	if p == gait.Unknown {
		placement = "unknown"
	}
	dev := up.Device
	if dev == "" {
		dev = legwork.DeviceNone
	}
	if !slices.Contains(legwork.AssistiveDevices, dev) {
		return nil, legwork.FieldErrorf("assistive_device", "must be one of %s", joinStrings(legwork.AssistiveDevices))
	}
	now := a.now().UTC()
	at := up.RecordedAt.UTC()
	if up.RecordedAt.IsZero() {
		at = now
	}
	if err := checkTime("recorded_at", at, now); err != nil {
		return nil, err
	}
	ctxText := strings.TrimSpace(up.Context)
	if err := checkText("context", ctxText, 0, maxContextLen); err != nil {
		return nil, err
	}
	tags, err := checkTags(up.Tags)
	if err != nil {
		return nil, err
	}
	ua := cleanUserAgent(up.UserAgent)
	src := up.Source
	if src == "" {
		src = "legwork"
	}
	if !sourceRE.MatchString(src) {
		return nil, legwork.FieldErrorf("source", "must be a short lower-case name")
	}
	switch up.Format {
	case FormatCSV, FormatJSON, FormatLWB:
	default:
		return nil, legwork.FieldErrorf("format", "must be %s, %s or %s", FormatCSV, FormatJSON, FormatLWB)
	}
	if len(up.Data) == 0 {
		return nil, legwork.FieldErrorf("recording", "is empty")
	}
	if err := checkSegments(up.Segments); err != nil {
		return nil, err
	}
	return &legwork.Assessment{PersonID: up.PersonID, TestType: up.TestType, Placement: placement, Device: dev,
		RecordedAt: at, Context: ctxText, Tags: tags, UserAgent: ua, Source: src}, nil
}

// cleanUserAgent trims a user agent to 500 bytes of valid text.
func cleanUserAgent(ua string) string {
	ua = strings.TrimSpace(ua)
	if len(ua) > 500 {
		ua = ua[:500]
	}
	if !utf8.ValidString(ua) || checkText("user_agent", ua, 0, 500) != nil {
		return ""
	}
	return ua
}

func checkTags(in []string) ([]string, error) {
	var tags []string
	for _, t := range in {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		if err := checkText("tags", t, 1, maxTagLen); err != nil {
			return nil, err
		}
		if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	if len(tags) > maxTags {
		return nil, legwork.FieldErrorf("tags", "at most %d tags", maxTags)
	}
	return tags, nil
}

// checkTime refuses times before 2000 or more than a day ahead of now
// (time zones and clock skew allowed for).
func checkTime(field string, t, now time.Time) error {
	if t.Year() < 2000 {
		return legwork.FieldErrorf(field, "is before the year 2000")
	}
	if t.After(now.Add(24 * time.Hour)) {
		return legwork.FieldErrorf(field, "is in the future")
	}
	return nil
}

// parseRecording reads a whole recording, so that a malformed file is
// refused before anything is stored.
func (a *App) parseRecording(format string, data []byte) (*gait.Recording, string, error) {
	src, ua, err := openSource(format, data)
	if err != nil {
		return nil, "", recordingError(err)
	}
	rec := &gait.Recording{Gyro: src.HasGyro()}
	buf := make([]gait.Sample, 4096)
	for {
		n, err := src.Read(buf)
		rec.Samples = append(rec.Samples, buf[:n]...)
		if len(rec.Samples) > a.maxSamples {
			return nil, "", &legwork.Error{Code: legwork.ETOOLARGE, Field: "recording", Message: fmt.Sprintf("the recording has more than %d samples", a.maxSamples)}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, "", recordingError(err)
		}
	}
	if len(rec.Samples) == 0 {
		return nil, "", &legwork.Error{Code: legwork.EUNPROCESSABLE, Field: "recording", Message: "the recording has no samples"}
	}
	return rec, ua, nil
}

func recordingError(err error) error {
	var pe *imu.ParseError
	if errors.As(err, &pe) {
		return &legwork.Error{Code: legwork.EINVALID, Field: "recording", Message: pe.Error(), Err: err}
	}
	return &legwork.Error{Code: legwork.EINVALID, Field: "recording", Message: "the recording cannot be read", Err: err}
}

// openSource returns a reader for data in the given format, and the user
// agent the file names (JSON form only).
func openSource(format string, data []byte) (gait.Source, string, error) {
	switch format {
	case FormatCSV:
		r, err := imu.NewCSVReader(bytes.NewReader(data))
		return r, "", err
	case FormatJSON:
		r, err := imu.NewJSONReader(bytes.NewReader(data))
		if err != nil {
			return nil, "", err
		}
		return r, r.UserAgent(), nil
	case FormatLWB:
		r, err := imu.NewLWBReader(bytes.NewReader(data))
		return r, "", err
	}
	return nil, "", fmt.Errorf("unknown format %q", format)
}

// notAnalysed is the quality code of a recording stored without analysis
// (its test is not scored yet); a re-analysis picks it up.
const notAnalysed = "not_analysed"

// analyse runs the test on rec and fills the analysis fields of as.
func (a *App) analyse(as *legwork.Assessment, rec *gait.Recording, person *legwork.User, in *AnalysisInput) error {
	opt := assess.Options{Subject: gait.Subject{HeightM: person.HeightM, SensorHeightM: person.SensorHeightM},
		Segments: in.Segments, PhoneFrame: in.PhoneFrame}
	if len(in.Segments) == 0 && !in.PhoneFrame {
		in = nil
	}
	if as.Placement != "unknown" {
		opt.Placement = gait.Placement(as.Placement)
	}
	start := time.Now()
	out, err := assess.RunRecording(assess.Test(as.TestType), rec, opt)
	if a.onAnalysis != nil {
		a.onAnalysis(as.TestType, time.Since(start))
	}
	if err != nil {
		// Keep the recording: a later algorithm may score it.
		as.AlgorithmVersion = ""
		as.Metrics = map[string]float64{}
		as.Quality = []string{notAnalysed}
		res, _ := json.Marshal(map[string]any{"test": as.TestType, "valid": false,
			"problems": []assess.Problem{{Code: notAnalysed, Message: "this test cannot be scored yet; the recording is kept and will be scored when it can"}},
			"error":    err.Error(), "input": in})
		as.Result = res
		return nil
	}
	res, err := json.Marshal(storedResult{Outcome: out, Input: in})
	if err != nil {
		return fmt.Errorf("encode result: %w", err)
	}
	as.AlgorithmVersion = out.AlgorithmVersion
	as.Result = res
	// Only a valid test has results to follow over time: a recording that
	// does not fit its protocol is kept with its problems and no metrics
	// (assess gives none then; this holds whatever it returns).
	as.Metrics = map[string]float64{}
	if out.Valid {
		maps.Copy(as.Metrics, out.Metrics)
	}
	as.Quality = qualityCodes(out)
	return nil
}

func qualityCodes(out *assess.Outcome) []string {
	var q []string
	for _, f := range out.Quality {
		if !slices.Contains(q, f.Code) {
			q = append(q, f.Code)
		}
	}
	for _, p := range out.Problems {
		if !slices.Contains(q, p.Code) {
			q = append(q, p.Code)
		}
	}
	return q
}

func (a *App) gzip(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(data)/2 + 64)
	// A gzip writer holds about a megabyte of state: reuse them.
	zw, _ := a.gzipWriters.Get().(*gzip.Writer)
	if zw == nil {
		zw, _ = gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	} else {
		zw.Reset(&buf)
	}
	defer a.gzipWriters.Put(zw)
	if _, err := zw.Write(data); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func gunzip(rec *legwork.Recording) ([]byte, error) {
	if rec.Encoding != "gzip" {
		if rec.Encoding == "" || rec.Encoding == "identity" {
			return rec.Data, nil
		}
		return nil, fmt.Errorf("recording %d: unknown encoding %q", rec.AssessmentID, rec.Encoding)
	}
	zr, err := gzip.NewReader(bytes.NewReader(rec.Data))
	if err != nil {
		return nil, fmt.Errorf("recording %d: %w", rec.AssessmentID, err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("recording %d: %w", rec.AssessmentID, err)
	}
	return b, nil
}

// Assessment returns one assessment of the person, with its full result.
func (a *App) Assessment(ctx context.Context, personID, id int64) (*legwork.Assessment, error) {
	act, err := a.authorize(ctx, personID, readAccess, "assessments")
	if err != nil {
		return nil, err
	}
	as, err := a.assessmentOf(ctx, personID, id)
	if err != nil {
		return nil, err
	}
	if err := a.auditRead(ctx, act, personID, fmt.Sprintf("assessment:%d", id), ""); err != nil {
		return nil, err
	}
	return as, nil
}

func (a *App) assessmentOf(ctx context.Context, personID, id int64) (*legwork.Assessment, error) {
	as, err := a.store.Assessment(ctx, id)
	if err != nil {
		return nil, err
	}
	if as.PersonID != personID {
		return nil, legwork.Errorf(legwork.ENOTFOUND, "no such assessment")
	}
	return as, nil
}

// ListAssessments lists a person's assessments, newest first, without
// their full results.
func (a *App) ListAssessments(ctx context.Context, f legwork.AssessmentFilter) ([]*legwork.Assessment, error) {
	act, err := a.authorize(ctx, f.PersonID, readAccess, "assessments")
	if err != nil {
		return nil, err
	}
	if f.TestType != "" && !slices.Contains(legwork.TestTypes, f.TestType) {
		return nil, legwork.FieldErrorf("test_type", "must be one of %s", joinStrings(legwork.TestTypes))
	}
	if f.Device != "" && !slices.Contains(legwork.AssistiveDevices, f.Device) {
		return nil, legwork.FieldErrorf("assistive_device", "must be one of %s", joinStrings(legwork.AssistiveDevices))
	}
	if err := checkRange(f.From, f.To); err != nil {
		return nil, err
	}
	if f.Page, err = checkPage(f.Page); err != nil {
		return nil, err
	}
	if err := a.auditRead(ctx, act, f.PersonID, "assessments", ""); err != nil {
		return nil, err
	}
	list, err := a.store.ListAssessments(ctx, f)
	if err != nil {
		return nil, err
	}
	for _, as := range list {
		as.Result = nil
	}
	return list, nil
}

// RawRecording is a stored recording, uncompressed.
type RawRecording struct {
	Format  string
	Data    []byte
	Samples int
}

// Recording returns the raw recording of an assessment.
func (a *App) Recording(ctx context.Context, personID, id int64) (*RawRecording, error) {
	act, err := a.authorize(ctx, personID, readAccess, "assessments")
	if err != nil {
		return nil, err
	}
	if _, err := a.assessmentOf(ctx, personID, id); err != nil {
		return nil, err
	}
	rec, err := a.store.Recording(ctx, id)
	if err != nil {
		return nil, err
	}
	data, err := gunzip(rec)
	if err != nil {
		return nil, err
	}
	if err := a.auditRead(ctx, act, personID, fmt.Sprintf("recording:%d", id), ""); err != nil {
		return nil, err
	}
	return &RawRecording{Format: rec.Format, Data: data, Samples: rec.Samples}, nil
}

// DeleteAssessment deletes an assessment and its recording (the person
// only).
func (a *App) DeleteAssessment(ctx context.Context, personID, id int64) error {
	act, err := a.authorize(ctx, personID, writeAccess, "assessments")
	if err != nil {
		return err
	}
	if _, err := a.assessmentOf(ctx, personID, id); err != nil {
		return err
	}
	return a.store.WithTx(ctx, func(tx legwork.Tx) error {
		if err := tx.DeleteAssessment(ctx, id); err != nil {
			return err
		}
		return a.auditWrite(ctx, tx, act, personID, "delete", fmt.Sprintf("assessment:%d", id), "")
	})
}

// ReanalyzeOptions configure Reanalyze.
type ReanalyzeOptions struct {
	// All re-analyses recordings already analysed by the current
	// algorithm version too.
	All bool
	// Progress, when set, is called after each assessment.
	Progress func(done, total int)
}

// ReanalyzeStats counts what Reanalyze did.
type ReanalyzeStats struct {
	Total     int // assessments looked at
	Updated   int // analysis replaced
	Unchanged int // already at the current version (skipped)
	NoRaw     int // no stored recording to analyse
	Failed    int // the stored recording could not be read or analysed
}

// CurrentAlgorithmVersion is the version the analysis gives results now.
func CurrentAlgorithmVersion() string { return assess.Version + "+" + gait.AlgorithmVersion }

// Reanalyze analyses every stored recording again with the current
// algorithm (system only: the operator's command line), keeping the
// algorithm version with each result. A recording that fails is counted
// and left as it was.
func (a *App) Reanalyze(ctx context.Context, opt ReanalyzeOptions) (ReanalyzeStats, error) {
	var st ReanalyzeStats
	if !isSystem(ctx) {
		return st, legwork.Errorf(legwork.EFORBIDDEN, "re-analysis is run by the operator")
	}
	var ids []int64
	for after := int64(0); ; {
		batch, err := a.store.AssessmentIDs(ctx, after, 1000)
		if err != nil {
			return st, err
		}
		if len(batch) == 0 {
			break
		}
		ids = append(ids, batch...)
		after = batch[len(batch)-1]
	}
	st.Total = len(ids)
	current := CurrentAlgorithmVersion()
	people := map[int64]*legwork.User{}
	for i, id := range ids {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		switch err := a.reanalyseOne(ctx, id, current, opt.All, people, &st); {
		case err == nil:
		case legwork.ErrorCode(err) == legwork.ENOTFOUND:
			// deleted meanwhile
		default:
			st.Failed++
			a.log.Warn("reanalyze", "assessment", id, "err", err)
		}
		if opt.Progress != nil {
			opt.Progress(i+1, len(ids))
		}
	}
	return st, nil
}

func (a *App) reanalyseOne(ctx context.Context, id int64, current string, all bool, people map[int64]*legwork.User, st *ReanalyzeStats) error {
	as, err := a.store.Assessment(ctx, id)
	if err != nil {
		return err
	}
	if as.AlgorithmVersion == current && !all {
		st.Unchanged++
		return nil
	}
	raw, err := a.store.Recording(ctx, id)
	if err != nil {
		if legwork.ErrorCode(err) == legwork.ENOTFOUND {
			st.NoRaw++
			return nil
		}
		return err
	}
	data, err := gunzip(raw)
	if err != nil {
		return err
	}
	rec, _, err := a.parseRecording(raw.Format, data)
	if err != nil {
		return err
	}
	person := people[as.PersonID]
	if person == nil {
		if person, err = a.store.User(ctx, as.PersonID); err != nil {
			return err
		}
		people[as.PersonID] = person
	}
	// The markers the first analysis was given.
	var prev struct {
		Input AnalysisInput `json:"input"`
	}
	if len(as.Result) > 0 {
		if err := json.Unmarshal(as.Result, &prev); err != nil {
			return fmt.Errorf("assessment %d: stored result: %w", id, err)
		}
	}
	if err := a.analyse(as, rec, person, &prev.Input); err != nil {
		return err
	}
	err = a.store.WithTx(ctx, func(tx legwork.Tx) error {
		if err := tx.UpdateAnalysis(ctx, id, as.AlgorithmVersion, as.Result, as.Metrics, as.Quality); err != nil {
			return err
		}
		return a.auditWrite(ctx, tx, ActorFrom(ctx), as.PersonID, "reanalyze", fmt.Sprintf("assessment:%d", id), as.AlgorithmVersion)
	})
	if err != nil {
		return err
	}
	st.Updated++
	return nil
}

// MetricNames lists the metrics a person has values for.
func (a *App) MetricNames(ctx context.Context, personID int64) ([]string, error) {
	act, err := a.authorize(ctx, personID, readAccess, "metrics")
	if err != nil {
		return nil, err
	}
	if err := a.auditRead(ctx, act, personID, "metrics", ""); err != nil {
		return nil, err
	}
	return a.store.MetricNames(ctx, personID)
}

var metricRE = regexp.MustCompile(`^[a-z0-9_]{1,64}$`)

// MetricSeries returns one metric's values over time, oldest first,
// filtered by test type, assistive device and date range.
func (a *App) MetricSeries(ctx context.Context, f legwork.MetricFilter) ([]legwork.MetricPoint, error) {
	act, err := a.authorize(ctx, f.PersonID, readAccess, "metrics")
	if err != nil {
		return nil, err
	}
	if !metricRE.MatchString(f.Metric) {
		return nil, legwork.FieldErrorf("metric", "must be a metric name such as walking_speed_mps")
	}
	if f.TestType != "" && !slices.Contains(legwork.TestTypes, f.TestType) {
		return nil, legwork.FieldErrorf("test_type", "must be one of %s", joinStrings(legwork.TestTypes))
	}
	if f.Device != "" && !slices.Contains(legwork.AssistiveDevices, f.Device) {
		return nil, legwork.FieldErrorf("assistive_device", "must be one of %s", joinStrings(legwork.AssistiveDevices))
	}
	if err := checkRange(f.From, f.To); err != nil {
		return nil, err
	}
	if err := a.auditRead(ctx, act, f.PersonID, "metrics:"+f.Metric, ""); err != nil {
		return nil, err
	}
	pts, err := a.store.MetricSeries(ctx, f)
	if err != nil {
		return nil, err
	}
	if len(pts) == 0 {
		// An empty series of a measure legwork knows, or one the person
		// has values for outside the filter, is an answer; a name that is
		// neither is most likely mistyped, and saying so helps more than
		// an empty list.
		if !knownMetric(f.Metric) {
			names, err := a.store.MetricNames(ctx, f.PersonID)
			if err != nil {
				return nil, err
			}
			if !slices.Contains(names, f.Metric) {
				if len(names) == 0 {
					return nil, legwork.Errorf(legwork.ENOTFOUND, "no measure is named %q, and this person has no measures yet", f.Metric)
				}
				return nil, legwork.Errorf(legwork.ENOTFOUND, "no measure is named %q; this person's measures are: %s", f.Metric, strings.Join(names, ", "))
			}
		}
		pts = []legwork.MetricPoint{}
	}
	return pts, nil
}

func checkRange(from, to time.Time) error {
	if !from.IsZero() && !to.IsZero() && !to.After(from) {
		return legwork.FieldErrorf("to", "must be after from")
	}
	return nil
}

// Page size bounds.
const (
	DefaultPageLimit = 50
	MaxPageLimit     = 500
)

func checkPage(p legwork.Page) (legwork.Page, error) {
	if p.Limit == 0 {
		p.Limit = DefaultPageLimit
	}
	if p.Limit < 0 || p.Limit > MaxPageLimit {
		return p, legwork.FieldErrorf("limit", "must be between 1 and %d", MaxPageLimit)
	}
	if p.Before < 0 {
		return p, legwork.FieldErrorf("before", "must be positive")
	}
	return p, nil
}

func joinStrings[S ~string](xs []S) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = string(x)
	}
	return strings.Join(s, ", ")
}

// knownMetric reports whether legwork produces a metric of this name: a
// measure of the guided tests (insights.Metrics), of a daily summary of a
// wearable's recording (every name dmo.Day.Metrics can give; a zero Day
// gives them all) or of Apple Health (appleMetrics).
func knownMetric(name string) bool {
	if _, ok := insights.Metrics[name]; ok {
		return true
	}
	if _, ok := new(dmo.Day).Metrics()[name]; ok {
		return true
	}
	for _, n := range appleMetrics {
		if n == name {
			return true
		}
	}
	return false
}
