package app

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"legwork"
	"legwork/applehealth"
	"legwork/dmo"
	"legwork/gait"
	"legwork/imu"
	"legwork/insights"
)

// Imports read files made by other devices and apps (see docs/INTEROP.md)
// into assessments:
//
//   - a motion recording in any format imu.OpenFormat reads, shorter than
//     ShortRecording: one "walk" assessment, analysed like an upload, its
//     samples stored (as LWB1) for re-analysis;
//   - a longer recording (a wearable worn for days): gait over the whole
//     file, then one "walk" assessment per calendar day with at least
//     ImportOptions.MinDayCoverage recorded, holding dmo's daily walking outcomes
//     (Day.Metrics), dated at noon of the day, without the raw file;
//   - an Apple Health export.zip or export.xml: one "walk" assessment per
//     day with the day's mobility measures (the median of the day's
//     values, as apple_walking_speed_mps and the like) and its step count
//     (steps_per_day), source apple_health, no raw recording.
//
// Each file is read, parsed and analysed completely before anything is
// stored, and ImportFiles prepares every file before writing any: a file
// that cannot be read stores nothing. Days (and recordings with a known
// start) already imported from the same source are skipped, so importing
// a file again, or a later export that overlaps an earlier one, adds only
// what is new.

// Import limits.
const (
	// ShortRecording is the longest recording imported as one walk; longer
	// ones are summarised per day.
	ShortRecording = 30 * time.Minute
	// DefaultMinDayCoverage is the least recording a day needs, by
	// default, for its daily summary to be stored (a partial first or
	// last day says little).
	DefaultMinDayCoverage = 12 * time.Hour
	maxImportFiles        = 50
)

// Sources of imported data.
const (
	SourceAppleHealth = "apple_health"
)

// ImportOptions configure an import.
type ImportOptions struct {
	PersonID int64
	// Placement is where the sensor was worn (motion recordings;
	// lower_back when empty).
	Placement string
	// Device is the walking aid used (none when empty).
	Device legwork.AssistiveDevice
	// Location is the person's time zone: it separates the days of long
	// recordings and Apple Health exports, and places a device clock
	// without a zone (Axivity). When nil, the zone stored with the
	// person's account (legwork.User.TimeZone); when they have none, UTC
	// for recordings, and Apple Health dates each value by the UTC offset
	// the export wrote.
	Location *time.Location
	// MinDayCoverage is the least recording a day of a long recording
	// needs for its summary to be stored (DefaultMinDayCoverage when 0).
	MinDayCoverage time.Duration
	// Progress, when set, is called as the import goes on.
	Progress func(ImportProgress)
}

// ImportProgress reports an import's progress: Stage is "reading" (Done
// and Total in bytes, or seconds of recording analysed with Total 0 when
// the length is not known) or "storing" (assessments).
type ImportProgress struct {
	File  string
	Stage string
	Done  int64
	Total int64
}

// ImportResult says what an import of one file stored.
type ImportResult struct {
	File   string `json:"file"`
	Format string `json:"format"` // csv, cwa, geneactiv, phyphox, sensorlogger, …, apple_health
	Source string `json:"source"` // the assessments' source
	// Kind is "recording" (one walk), "daily" (one assessment per day of
	// a long recording) or "apple_health".
	Kind          string   `json:"kind"`
	Stored        int      `json:"stored"`  // assessments stored
	Skipped       int      `json:"skipped"` // already imported
	AssessmentIDs []int64  `json:"assessment_ids"`
	Days          []string `json:"days,omitempty"` // YYYY-MM-DD of the daily assessments stored
	Notes         []string `json:"notes,omitempty"`
}

// preparedImport is a file read and analysed, ready to store.
type preparedImport struct {
	res   *ImportResult
	items []importItem
}

type importItem struct {
	as  *legwork.Assessment
	rec *legwork.Recording // nil: no raw recording
	day string
}

// ImportFiles imports files for a person (the person, or the system for
// the operator's command line). names are the names to report (the
// uploads' file names; paths when nil). Every file is read and analysed
// before anything is stored; a file that fails stops the import with
// nothing stored, its error naming the file. Each file's assessments are
// stored with the file's audit event in one transaction: all of them or
// none. If storing a file fails, the results of the files stored before
// it are returned with the error (an import again adds the rest).
func (a *App) ImportFiles(ctx context.Context, opt ImportOptions, paths, names []string) ([]*ImportResult, error) {
	act, err := a.authorize(ctx, opt.PersonID, writeAccess, "assessments")
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, legwork.FieldErrorf("file", "no file to import")
	}
	if len(paths) > maxImportFiles {
		return nil, legwork.FieldErrorf("file", "at most %d files at a time", maxImportFiles)
	}
	if names == nil {
		names = paths
	}
	if err := a.checkImportOptions(&opt); err != nil {
		return nil, err
	}
	person, err := a.personOf(ctx, opt.PersonID)
	if err != nil {
		return nil, err
	}
	if opt.Location == nil {
		opt.Location = a.zoneOf(person)
	}
	existing, err := a.allAssessments(ctx, legwork.AssessmentFilter{PersonID: opt.PersonID, TestType: legwork.TestWalk})
	if err != nil {
		return nil, err
	}
	have := newImported(existing, opt.location())
	var prepared []*preparedImport
	for i, p := range paths {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		pi, err := a.prepareImport(opt, person, p, names[i], have)
		if err != nil {
			return nil, importError(names[i], err)
		}
		prepared = append(prepared, pi)
	}
	total := 0
	for _, pi := range prepared {
		total += len(pi.items)
	}
	var results []*ImportResult
	done := 0
	for _, pi := range prepared {
		err := a.store.WithTx(ctx, func(tx legwork.Tx) error {
			for _, it := range pi.items {
				if err := tx.CreateAssessment(ctx, it.as, it.rec); err != nil {
					return err
				}
				pi.res.Stored++
				pi.res.AssessmentIDs = append(pi.res.AssessmentIDs, it.as.ID)
				if it.day != "" {
					pi.res.Days = append(pi.res.Days, it.day)
				}
				done++
				if opt.Progress != nil {
					opt.Progress(ImportProgress{File: pi.res.File, Stage: "storing", Done: int64(done), Total: int64(total)})
				}
			}
			return a.auditWrite(ctx, tx, act, opt.PersonID, "import", "assessments",
				fmt.Sprintf("%s: %s, %d stored, %d skipped", filepath.Base(pi.res.File), pi.res.Format, pi.res.Stored, pi.res.Skipped))
		})
		if err != nil {
			return results, fmt.Errorf("%s: none of its %d assessments was stored: %w", pi.res.File, len(pi.items), err)
		}
		results = append(results, pi.res)
	}
	return results, nil
}

// importError names the file in an import error.
func importError(name string, err error) error {
	var e *legwork.Error
	base := filepath.Base(name)
	if errors.As(err, &e) {
		c := *e
		c.Message = base + ": " + e.Message
		if c.Field == "" || c.Field == "recording" {
			c.Field = "file"
		}
		return &c
	}
	return fmt.Errorf("%s: %w", base, err)
}

func (a *App) checkImportOptions(opt *ImportOptions) error {
	if opt.Placement == "" {
		opt.Placement = string(gait.LowerBack)
	}
	if _, err := gait.ParsePlacement(opt.Placement); err != nil {
		return legwork.FieldErrorf("placement", "%s", strings.TrimPrefix(err.Error(), "gait: "))
	}
	if opt.Device == "" {
		opt.Device = legwork.DeviceNone
	}
	switch {
	case opt.MinDayCoverage == 0:
		opt.MinDayCoverage = DefaultMinDayCoverage
	case opt.MinDayCoverage < time.Minute || opt.MinDayCoverage > 24*time.Hour:
		return legwork.FieldErrorf("min_day_hours", "must be from one minute to 24 hours")
	}
	if !slices.Contains(legwork.AssistiveDevices, opt.Device) {
		return legwork.FieldErrorf("assistive_device", "must be one of %s", joinStrings(legwork.AssistiveDevices))
	}
	return nil
}

func (o ImportOptions) location() *time.Location {
	if o.Location == nil {
		return time.UTC
	}
	return o.Location
}

// imported remembers what was imported before: per source, the local days
// of daily summaries and the times of single recordings, and the content
// keys of recordings that had no time of their own (undatedKey).
type imported struct {
	days  map[string]bool // source + "/" + YYYY-MM-DD
	times map[string]bool // source + "/" + unix seconds
	keys  map[string]bool // undatedKey of the samples
}

// undatedKey is the client key an imported recording without a start time
// is stored with: its samples' SHA-256, so that importing the same file
// again is recognised although each import dates it at its own time.
func undatedKey(lwb []byte) string {
	sum := sha256.Sum256(lwb)
	return "import-sha256-" + hex.EncodeToString(sum[:])
}

func newImported(existing []*legwork.Assessment, loc *time.Location) *imported {
	h := &imported{days: map[string]bool{}, times: map[string]bool{}, keys: map[string]bool{}}
	for _, as := range existing {
		if strings.HasPrefix(as.ClientKey, "import-sha256-") {
			h.keys[as.ClientKey] = true
		}
		if as.Source == "" || as.Source == "legwork" {
			continue
		}
		h.times[fmt.Sprintf("%s/%d", as.Source, as.RecordedAt.Unix())] = true
		if !as.HasRaw {
			h.days[as.Source+"/"+as.RecordedAt.In(loc).Format(time.DateOnly)] = true
		}
	}
	return h
}

// noonOf returns noon of a local date: daily summaries are dated there,
// so that the date is the same in any zone within ±11 hours and a summary
// never counts as a night-time test.
func noonOf(date string, loc *time.Location) (time.Time, error) {
	d, err := time.ParseInLocation(time.DateOnly, date, loc)
	if err != nil {
		return time.Time{}, err
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, loc), nil
}

// isAppleHealth reports whether the file is an Apple Health export: a zip
// holding an export.xml, or an XML document whose root is HealthData.
func isAppleHealth(name string) (bool, error) {
	f, err := os.Open(name)
	if err != nil {
		return false, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		return false, err
	}
	head := make([]byte, 4096)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if bytes.HasPrefix(head, []byte("PK\x03\x04")) {
		zr, err := zip.NewReader(f, st.Size())
		if err != nil {
			return false, nil // not a zip imu can read either; imu reports it
		}
		for _, zf := range zr.File {
			if path.Base(zf.Name) == "export.xml" {
				return true, nil
			}
		}
		return false, nil
	}
	t := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	return bytes.HasPrefix(t, []byte("<?xml")) || bytes.HasPrefix(t, []byte("<!DOCTYPE HealthData")) || bytes.HasPrefix(t, []byte("<HealthData")), nil
}

func (a *App) prepareImport(opt ImportOptions, person *legwork.User, name, display string, have *imported) (*preparedImport, error) {
	apple, err := isAppleHealth(name)
	if err != nil {
		return nil, legwork.FieldErrorf("file", "cannot be read: %v", err)
	}
	if apple {
		return a.prepareAppleHealth(opt, name, display, have)
	}
	return a.prepareRecording(opt, person, name, display, have)
}

// sourceOf names the source of a recording format.
func sourceOf(f imu.Format) string {
	switch f {
	case imu.FormatCWA:
		return "axivity"
	case imu.FormatGENEActiv:
		return "geneactiv"
	case imu.FormatPhyphox:
		return "phyphox"
	case imu.FormatSensorLogger:
		return "sensor_logger"
	}
	return "legwork"
}

// startOf returns when the source's first sample was taken, in loc for a
// device clock without a zone; zero when unknown.
func startOf(src gait.Source, loc *time.Location) time.Time {
	st, ok := src.(imu.Started)
	if !ok {
		return time.Time{}
	}
	t, zoned := st.Start()
	if t.IsZero() {
		return t
	}
	if !zoned {
		t = dmo.Localize(t, loc)
	}
	return t
}

// progressSource counts the recording time read, for progress reports.
type progressSource struct {
	gait.Source
	last   atomic.Int64 // seconds
	report func(s int64)
	t0     float64
	first  bool
}

func (p *progressSource) Read(buf []gait.Sample) (int, error) {
	n, err := p.Source.Read(buf)
	if n > 0 {
		if !p.first {
			p.first, p.t0 = true, buf[0].TimeS
		}
		s := int64(buf[n-1].TimeS - p.t0)
		if s-p.last.Load() >= 60 {
			p.last.Store(s)
			if p.report != nil {
				p.report(s)
			}
		}
	}
	return n, err
}

func (a *App) prepareRecording(opt ImportOptions, person *legwork.User, name, display string, have *imported) (*preparedImport, error) {
	loc := opt.location()
	src, closer, format, err := imu.OpenFormat(name)
	if err != nil {
		return nil, recordingError(err)
	}
	start := startOf(src, loc)
	source := sourceOf(format)
	// Read up to ShortRecording into memory.
	rec := &gait.Recording{Gyro: src.HasGyro()}
	buf := make([]gait.Sample, 4096)
	long := false
	for {
		n, rerr := src.Read(buf)
		rec.Samples = append(rec.Samples, buf[:n]...)
		if k := len(rec.Samples); k > 0 && (rec.Samples[k-1].TimeS-rec.Samples[0].TimeS > ShortRecording.Seconds() || k > a.maxSamples) {
			long = true
			break
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			closer.Close()
			return nil, recordingError(rerr)
		}
	}
	closer.Close()
	res := &ImportResult{File: display, Format: string(format), Source: source, AssessmentIDs: []int64{}}
	if !long {
		if len(rec.Samples) == 0 {
			return nil, &legwork.Error{Code: legwork.EUNPROCESSABLE, Field: "file", Message: "the recording has no samples"}
		}
		return a.prepareShort(opt, person, rec, start, format, res, display, have)
	}
	rec = nil
	return a.prepareDaily(opt, person, name, start, res, have)
}

// prepareShort analyses a short recording as one walk; its samples are
// kept as LWB1.
func (a *App) prepareShort(opt ImportOptions, person *legwork.User, rec *gait.Recording, start time.Time, format imu.Format, res *ImportResult, display string, have *imported) (*preparedImport, error) {
	res.Kind = "recording"
	if !start.IsZero() && have.times[fmt.Sprintf("%s/%d", res.Source, start.Unix())] {
		res.Skipped = 1
		res.Notes = append(res.Notes, "a recording from "+res.Source+" starting at "+start.UTC().Format(time.RFC3339)+" was imported before")
		return &preparedImport{res: res}, nil
	}
	var lwb bytes.Buffer
	if err := imu.WriteLWB(&lwb, rec); err != nil {
		return nil, recordingError(err)
	}
	key := ""
	if start.IsZero() {
		key = undatedKey(lwb.Bytes())
		if have.keys[key] {
			res.Skipped = 1
			res.Notes = append(res.Notes, "the same recording (the same samples) was imported before")
			return &preparedImport{res: res}, nil
		}
		res.Notes = append(res.Notes, "the file does not say when it was recorded: dated at the time of the import")
	}
	up := &Upload{PersonID: opt.PersonID, TestType: legwork.TestWalk, Placement: opt.Placement, Device: opt.Device, RecordedAt: start,
		Context: "imported from " + cleanName(display), Source: res.Source, Format: FormatLWB, Data: lwb.Bytes(),
		PhoneFrame: format == imu.FormatPhyphox || format == imu.FormatSensorLogger}
	as, err := a.checkUpload(up)
	if err != nil {
		return nil, err
	}
	if err := a.analyse(as, rec, person, &AnalysisInput{PhoneFrame: up.PhoneFrame}); err != nil {
		return nil, err
	}
	data, err := a.gzip(up.Data)
	if err != nil {
		return nil, err
	}
	as.CreatedAt = a.now().UTC()
	as.ClientKey = key
	if key != "" {
		have.keys[key] = true
	} else {
		have.times[fmt.Sprintf("%s/%d", res.Source, start.Unix())] = true
	}
	return &preparedImport{res: res, items: []importItem{{as: as, rec: &legwork.Recording{Format: FormatLWB, Encoding: "gzip", Data: data, Samples: len(rec.Samples)}}}}, nil
}

// cleanName keeps a file name short and printable for the context text.
func cleanName(s string) string {
	s = filepath.Base(s)
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	if len([]rune(s)) > 100 {
		s = string([]rune(s)[:100])
	}
	return s
}

// dailyResult is the stored result of a daily summary.
type dailyResult struct {
	Import importInfo `json:"import"`
	Day    *dmo.Day   `json:"day,omitempty"`
	Apple  *appleDay  `json:"apple_health,omitempty"`
}

type importInfo struct {
	File      string    `json:"file"`
	Format    string    `json:"format"`
	Placement string    `json:"placement,omitempty"`
	Start     time.Time `json:"start,omitzero"`
	Quality   []string  `json:"quality,omitempty"`
}

// prepareDaily analyses a long recording streamed from the file (it is
// opened again) and summarises it per day.
func (a *App) prepareDaily(opt ImportOptions, person *legwork.User, name string, start time.Time, res *ImportResult, have *imported) (*preparedImport, error) {
	res.Kind = "daily"
	if start.IsZero() {
		return nil, &legwork.Error{Code: legwork.EUNPROCESSABLE, Field: "file",
			Message: fmt.Sprintf("the recording is longer than %s but does not say when it started, so it cannot be split into days (use a format with a start time, such as .cwa, .bin or a phone app's export)", fmtDur(ShortRecording))}
	}
	loc := opt.location()
	src, closer, _, err := imu.OpenFormat(name)
	if err != nil {
		return nil, recordingError(err)
	}
	defer closer.Close()
	ps := &progressSource{Source: src}
	if opt.Progress != nil {
		ps.report = func(s int64) { opt.Progress(ImportProgress{File: res.File, Stage: "reading", Done: s}) }
	}
	placement, _ := gait.ParsePlacement(opt.Placement)
	r, err := gait.Analyze(ps, gait.Options{Placement: placement, Subject: gait.Subject{HeightM: person.HeightM, SensorHeightM: person.SensorHeightM}})
	if err != nil {
		return nil, recordingError(err)
	}
	var quality []string
	for _, f := range r.Quality {
		if !slices.Contains(quality, f.Code) {
			quality = append(quality, f.Code)
		}
	}
	days := dmo.Days(r, dmo.Options{Start: start, Location: loc})
	pi := &preparedImport{res: res}
	now := a.now().UTC()
	for i := range days {
		d := &days[i]
		if d.RecordedS < opt.MinDayCoverage.Seconds() {
			res.Notes = append(res.Notes, fmt.Sprintf("%s: only %s recorded (at least %s needed), not stored", d.Date, fmtDur(time.Duration(d.RecordedS)*time.Second), fmtDur(opt.MinDayCoverage)))
			continue
		}
		if have.days[res.Source+"/"+d.Date] {
			res.Skipped++
			continue
		}
		at, err := noonOf(d.Date, loc)
		if err != nil {
			return nil, err
		}
		if err := checkTime("recorded_at", at, now); err != nil {
			return nil, legwork.FieldErrorf("file", "day %s: %s", d.Date, legwork.ErrorMessage(err))
		}
		result, err := json.Marshal(dailyResult{Import: importInfo{File: cleanName(res.File), Format: res.Format, Placement: opt.Placement, Start: start, Quality: quality}, Day: d})
		if err != nil {
			return nil, fmt.Errorf("encode day: %w", err)
		}
		as := &legwork.Assessment{PersonID: opt.PersonID, TestType: legwork.TestWalk, Placement: opt.Placement, Device: opt.Device, RecordedAt: at, CreatedAt: now,
			Context: "daily summary imported from " + cleanName(res.File), Source: res.Source, AlgorithmVersion: CurrentAlgorithmVersion() + "+dmo",
			Result: result, Metrics: d.Metrics(), Quality: quality}
		pi.items = append(pi.items, importItem{as: as, day: d.Date})
		have.days[res.Source+"/"+d.Date] = true
	}
	if len(pi.items) == 0 && res.Skipped == 0 {
		return nil, &legwork.Error{Code: legwork.EUNPROCESSABLE, Field: "file", Message: fmt.Sprintf("no day of the recording has at least %s recorded", fmtDur(opt.MinDayCoverage))}
	}
	return pi, nil
}

func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("%d h", d/time.Hour)
	case d >= time.Hour:
		return fmt.Sprintf("%.1f h", d.Hours())
	}
	return fmt.Sprintf("%d min", int(d.Minutes()))
}

// appleMetrics maps Apple Health's series to the metric names stored.
var appleMetrics = map[string]string{
	applehealth.MetricWalkingSpeed:      "apple_walking_speed_mps",
	applehealth.MetricStepLength:        "apple_step_length_m",
	applehealth.MetricDoubleSupport:     "apple_double_support_pct",
	applehealth.MetricWalkingAsymmetry:  "apple_asymmetry_pct",
	applehealth.MetricWalkingSteadiness: "apple_walking_steadiness_pct",
	applehealth.MetricSixMinuteWalk:     "apple_six_minute_walk_m",
	applehealth.MetricStairAscentSpeed:  "apple_stair_ascent_speed_mps",
	applehealth.MetricStairDescentSpeed: "apple_stair_descent_speed_mps",
}

// appleDay is what a day's Apple Health assessment keeps besides its
// metrics.
type appleDay struct {
	Date    string             `json:"date"`
	Values  map[string]int     `json:"values"` // values per metric (the metric is their median)
	Sources []string           `json:"sources"`
	Devices []string           `json:"devices,omitempty"`
	Steps   map[string]float64 `json:"steps_by_source,omitempty"`
}

// countingReaderAt counts the bytes read, for progress reports.
type countingReaderAt struct {
	r io.ReaderAt
	n atomic.Int64
	f func(n int64)
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	if c.f != nil {
		c.f(c.n.Add(int64(n)))
	}
	return n, err
}

type countingReader struct {
	r io.Reader
	n int64
	f func(n int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.f != nil {
		c.f(c.n)
	}
	return n, err
}

func (a *App) prepareAppleHealth(opt ImportOptions, name, display string, have *imported) (*preparedImport, error) {
	res := &ImportResult{File: display, Format: SourceAppleHealth, Source: SourceAppleHealth, Kind: "apple_health", AssessmentIDs: []int64{}}
	f, err := os.Open(name)
	if err != nil {
		return nil, legwork.FieldErrorf("file", "cannot be read: %v", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	report := func(n int64) {
		if opt.Progress != nil {
			opt.Progress(ImportProgress{File: display, Stage: "reading", Done: min(n, st.Size()), Total: st.Size()})
		}
	}
	hopt := applehealth.Options{Location: opt.Location}
	var exp *applehealth.Export
	var magic [4]byte
	if n, _ := f.ReadAt(magic[:], 0); n == 4 && string(magic[:]) == "PK\x03\x04" {
		exp, err = applehealth.ParseZip(&countingReaderAt{r: f, f: report}, st.Size(), hopt)
	} else {
		exp, err = applehealth.Parse(&countingReader{r: f, f: report}, hopt)
	}
	if err != nil {
		var pe *applehealth.ParseError
		if errors.As(err, &pe) {
			return nil, &legwork.Error{Code: legwork.EINVALID, Field: "file", Message: pe.Error(), Err: err}
		}
		return nil, &legwork.Error{Code: legwork.EINVALID, Field: "file", Message: "the Apple Health export cannot be read", Err: err}
	}
	// Days are the local dates the export wrote (or in Location).
	dayOf := func(t time.Time) string {
		if opt.Location != nil {
			t = t.In(opt.Location)
		}
		return t.Format(time.DateOnly)
	}
	type dayAcc struct {
		values  map[string][]float64
		sources []string
		devices []string
		steps   map[string]float64
		hasStep bool
		step    float64
	}
	days := map[string]*dayAcc{}
	acc := func(d string) *dayAcc {
		x := days[d]
		if x == nil {
			x = &dayAcc{values: map[string][]float64{}}
			days[d] = x
		}
		return x
	}
	for _, p := range exp.Points {
		m, ok := appleMetrics[p.Metric]
		if !ok {
			continue
		}
		x := acc(dayOf(p.Start))
		x.values[m] = append(x.values[m], p.Value)
		if p.SourceName != "" && !slices.Contains(x.sources, p.SourceName) {
			x.sources = append(x.sources, p.SourceName)
		}
		if dv := strings.TrimSpace(p.Device.Name + " " + p.Device.Model); dv != "" && !slices.Contains(x.devices, dv) {
			x.devices = append(x.devices, dv)
		}
	}
	for _, s := range exp.Steps {
		x := acc(s.Date)
		x.hasStep, x.step, x.steps = true, s.Steps, s.BySource
		if s.Source != "" && !slices.Contains(x.sources, s.Source) {
			x.sources = append(x.sources, s.Source)
		}
	}
	// The export's own day is incomplete: leave it for a later export.
	exportDay := ""
	if !exp.ExportDate.IsZero() {
		exportDay = dayOf(exp.ExportDate)
	}
	dates := make([]string, 0, len(days))
	for d := range days {
		dates = append(dates, d)
	}
	sort.Strings(dates)
	loc := opt.location()
	now := a.now().UTC()
	pi := &preparedImport{res: res}
	for _, d := range dates {
		if d >= exportDay && exportDay != "" {
			res.Notes = append(res.Notes, d+": the day of the export (incomplete), not stored")
			continue
		}
		if have.days[SourceAppleHealth+"/"+d] {
			res.Skipped++
			continue
		}
		x := days[d]
		metrics := map[string]float64{}
		ad := &appleDay{Date: d, Values: map[string]int{}, Sources: x.sources, Devices: x.devices, Steps: x.steps}
		for m, vs := range x.values {
			metrics[m] = insights.Median(vs)
			ad.Values[m] = len(vs)
		}
		if x.hasStep {
			metrics["steps_per_day"] = x.step
		}
		at, err := noonOf(d, loc)
		if err != nil {
			return nil, err
		}
		if err := checkTime("recorded_at", at, now); err != nil {
			return nil, legwork.FieldErrorf("file", "day %s: %s", d, legwork.ErrorMessage(err))
		}
		result, err := json.Marshal(dailyResult{Import: importInfo{File: cleanName(display), Format: SourceAppleHealth}, Apple: ad})
		if err != nil {
			return nil, fmt.Errorf("encode day: %w", err)
		}
		as := &legwork.Assessment{PersonID: opt.PersonID, TestType: legwork.TestWalk, Placement: "unknown", Device: opt.Device, RecordedAt: at, CreatedAt: now,
			Context: "Apple Health, imported from " + cleanName(display), Source: SourceAppleHealth, AlgorithmVersion: SourceAppleHealth,
			Result: result, Metrics: metrics}
		pi.items = append(pi.items, importItem{as: as, day: d})
		have.days[SourceAppleHealth+"/"+d] = true
	}
	if len(pi.items) == 0 && res.Skipped == 0 {
		return nil, &legwork.Error{Code: legwork.EUNPROCESSABLE, Field: "file", Message: "the Apple Health export holds no walking measures or step counts"}
	}
	return pi, nil
}
