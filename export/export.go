// Package export writes legwork data for analysis elsewhere (a statistics
// package, DuckDB, pandas, R): a person's or a cohort's assessment metrics
// in long format, diary entries and interventions, as CSV (RFC 4180, UTF-8,
// header row) or Parquet (typed columns, timestamps as
// TIMESTAMP(isAdjustedToUTC=true, MICROS), dates as DATE, zstd compression).
//
// Everything streams: rows come from iterators (iter.Seq2[row, error]), so
// a store can page through thousands of people; the Parquet writer buffers
// one row group (Options.RowGroupRows rows) at a time.
//
// Pseudonymisation: a Pseudonymizer replaces person ids by a keyed
// HMAC-SHA256 of the id under a secret the caller keeps. The same secret
// gives the same pseudonym on every export (exports from different days
// link), but the pseudonym cannot be reversed or recomputed without the
// secret. With a Pseudonymizer the free text people type (diary notes,
// their own words for a sensation, fall circumstances, an intervention's
// name and notes) is left out, since it may name people or places; the
// intervention's kind and walking aid stay.
//
// Schemas (column, type):
//
//	metrics:       person_id string, assessment_id int64, recorded_at timestamp, test_type string,
//	               assistive_device string, placement string, metric string, value double,
//	               algorithm_version string, source string
//	diary:         person_id string, entry_id int64, at timestamp, severity int32 (optional),
//	               fatigue int32 (optional), sensations list<string>, sensation_other string,
//	               leg string, time_of_day string, triggers list<string>, fall_kind string
//	               ("", "fall", "near_fall"), fall_injured boolean (optional),
//	               fall_circumstances string, notes string
//	interventions: person_id string, intervention_id int64, kind string, name string,
//	               device string, start_date date, end_date date (optional), notes string
//
// In CSV, lists are joined with ";", optional values are empty when absent,
// timestamps are RFC 3339 in UTC with microseconds, dates YYYY-MM-DD, and
// free text that a spreadsheet would take for a formula (starting with =,
// +, -, @, tab or carriage return), or that starts with a single quote, is
// prefixed with a single quote.
package export

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"io"
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"

	"legwork"
)

// Pseudonymizer derives pseudonyms from person ids.
type Pseudonymizer struct {
	key []byte
}

// MinSecretLen is the shortest secret NewPseudonymizer accepts (128 bits).
const MinSecretLen = 16

// NewPseudonymizer returns a Pseudonymizer keyed by secret (at least
// MinSecretLen bytes; keep it: a new secret gives unlinkable pseudonyms).
func NewPseudonymizer(secret []byte) (*Pseudonymizer, error) {
	if len(secret) < MinSecretLen {
		return nil, errors.New("export: the pseudonymisation secret must be at least 16 bytes")
	}
	return &Pseudonymizer{key: append([]byte(nil), secret...)}, nil
}

// Pseudonym returns "p-" and the first 128 bits of HMAC-SHA256(secret,
// "legwork-person:" + the decimal id), in hexadecimal.
func (p *Pseudonymizer) Pseudonym(personID int64) string {
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte("legwork-person:" + strconv.FormatInt(personID, 10)))
	return "p-" + hex.EncodeToString(m.Sum(nil)[:16])
}

// personID is the exported person id: the pseudonym, or the decimal id.
func (p *Pseudonymizer) personID(id int64) string {
	if p == nil {
		return strconv.FormatInt(id, 10)
	}
	return p.Pseudonym(id)
}

// MetricRow is one metric of one assessment.
type MetricRow struct {
	PersonID         string    `parquet:"person_id,dict"`
	AssessmentID     int64     `parquet:"assessment_id"`
	RecordedAt       time.Time `parquet:"recorded_at,timestamp(microsecond:utc)"`
	TestType         string    `parquet:"test_type,dict"`
	AssistiveDevice  string    `parquet:"assistive_device,dict"`
	Placement        string    `parquet:"placement,dict"`
	Metric           string    `parquet:"metric,dict"`
	Value            float64   `parquet:"value"`
	AlgorithmVersion string    `parquet:"algorithm_version,dict"`
	Source           string    `parquet:"source,dict"`
}

// DiaryRow is one diary entry.
type DiaryRow struct {
	PersonID          string    `parquet:"person_id,dict"`
	EntryID           int64     `parquet:"entry_id"`
	At                time.Time `parquet:"at,timestamp(microsecond:utc)"`
	Severity          *int32    `parquet:"severity,optional"`
	Fatigue           *int32    `parquet:"fatigue,optional"`
	Sensations        []string  `parquet:"sensations,list"`
	SensationOther    string    `parquet:"sensation_other"`
	Leg               string    `parquet:"leg,dict"`
	TimeOfDay         string    `parquet:"time_of_day,dict"`
	Triggers          []string  `parquet:"triggers,list"`
	FallKind          string    `parquet:"fall_kind,dict"`
	FallInjured       *bool     `parquet:"fall_injured,optional"`
	FallCircumstances string    `parquet:"fall_circumstances"`
	Notes             string    `parquet:"notes"`
}

// InterventionRow is one intervention.
type InterventionRow struct {
	PersonID       string `parquet:"person_id,dict"`
	InterventionID int64  `parquet:"intervention_id"`
	Kind           string `parquet:"kind,dict"`
	Name           string `parquet:"name"`
	Device         string `parquet:"device,dict"`
	StartDate      Date   `parquet:"start_date,date"`
	EndDate        *Date  `parquet:"end_date,date,optional"`
	Notes          string `parquet:"notes"`
}

// Metrics turns assessments into metric rows (sorted by metric name within
// an assessment). pz may be nil (person ids as they are).
func Metrics(assessments iter.Seq2[*legwork.Assessment, error], pz *Pseudonymizer) iter.Seq2[MetricRow, error] {
	return func(yield func(MetricRow, error) bool) {
		for a, err := range assessments {
			if err != nil {
				yield(MetricRow{}, err)
				return
			}
			names := make([]string, 0, len(a.Metrics))
			for k := range a.Metrics {
				names = append(names, k)
			}
			slices.Sort(names)
			pid := pz.personID(a.PersonID)
			for _, name := range names {
				r := MetricRow{PersonID: pid, AssessmentID: a.ID, RecordedAt: a.RecordedAt.UTC(), TestType: string(a.TestType),
					AssistiveDevice: string(a.Device), Placement: a.Placement, Metric: name, Value: a.Metrics[name],
					AlgorithmVersion: a.AlgorithmVersion, Source: a.Source}
				if !yield(r, nil) {
					return
				}
			}
		}
	}
}

// Diary turns diary entries into rows. pz may be nil.
func Diary(entries iter.Seq2[*legwork.DiaryEntry, error], pz *Pseudonymizer) iter.Seq2[DiaryRow, error] {
	return func(yield func(DiaryRow, error) bool) {
		for e, err := range entries {
			if err != nil {
				yield(DiaryRow{}, err)
				return
			}
			r := DiaryRow{PersonID: pz.personID(e.PersonID), EntryID: e.ID, At: e.At.UTC(),
				Sensations: nonNil(e.Sensations), Leg: e.Leg, TimeOfDay: e.TimeOfDay, Triggers: nonNil(e.Triggers)}
			if e.Severity != nil {
				v := int32(*e.Severity)
				r.Severity = &v
			}
			if e.Fatigue != nil {
				v := int32(*e.Fatigue)
				r.Fatigue = &v
			}
			if e.Fall != nil {
				r.FallKind = e.Fall.Kind
				inj := e.Fall.Injured
				r.FallInjured = &inj
			}
			if pz == nil {
				r.SensationOther, r.Notes = e.SensationOther, e.Notes
				if e.Fall != nil {
					r.FallCircumstances = e.Fall.Circumstances
				}
			}
			if !yield(r, nil) {
				return
			}
		}
	}
}

// Interventions turns interventions into rows. pz may be nil.
func Interventions(ivs iter.Seq2[*legwork.Intervention, error], pz *Pseudonymizer) iter.Seq2[InterventionRow, error] {
	return func(yield func(InterventionRow, error) bool) {
		for iv, err := range ivs {
			if err != nil {
				yield(InterventionRow{}, err)
				return
			}
			r := InterventionRow{PersonID: pz.personID(iv.PersonID), InterventionID: iv.ID, Kind: string(iv.Kind),
				Device: string(iv.Device), StartDate: DateOf(iv.StartDate)}
			if iv.EndDate != nil {
				d := DateOf(*iv.EndDate)
				r.EndDate = &d
			}
			if pz == nil {
				r.Name, r.Notes = iv.Name, iv.Notes
			}
			if !yield(r, nil) {
				return
			}
		}
	}
}

// Date is a calendar date as Parquet's DATE stores it: days since
// 1970-01-01. (parquet-go v0.32 writes time.Time fields tagged "date"
// wrongly, so the rows carry the day number.)
type Date int32

// DateOf is the calendar date of t, read in t's location (legwork stores
// dates as UTC midnight).
func DateOf(t time.Time) Date {
	return Date(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// Time returns the date's UTC midnight.
func (d Date) Time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// String returns the date as YYYY-MM-DD.
func (d Date) String() string { return d.Time().Format(time.DateOnly) }

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Row is a row type the writers accept.
type Row interface {
	MetricRow | DiaryRow | InterventionRow
}

// Options tune the Parquet writer.
type Options struct {
	// RowGroupRows bounds a row group (default 65 536 rows): the writer
	// holds at most one row group in memory.
	RowGroupRows int
}

// WriteParquet writes rows to w as a Parquet file and returns how many it
// wrote. Nothing is written after an error from rows; the output is then
// incomplete and must be discarded.
func WriteParquet[R Row](w io.Writer, rows iter.Seq2[R, error], opt Options) (int, error) {
	n := opt.RowGroupRows
	if n <= 0 {
		n = 1 << 16
	}
	pw := parquet.NewGenericWriter[R](w, parquet.Compression(&parquet.Zstd), parquet.MaxRowsPerRowGroup(int64(n)),
		parquet.CreatedBy("legwork", "", ""))
	batch := make([]R, 0, min(n, 4096))
	total := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		k, err := pw.Write(batch)
		total += k
		batch = batch[:0]
		return err
	}
	for r, err := range rows {
		if err != nil {
			return total, err
		}
		batch = append(batch, r)
		if len(batch) == cap(batch) {
			if err := flush(); err != nil {
				return total, err
			}
		}
	}
	if err := flush(); err != nil {
		return total, err
	}
	return total, pw.Close()
}

// WriteCSV writes rows to w as CSV with a header row and returns how many
// rows it wrote.
func WriteCSV[R Row](w io.Writer, rows iter.Seq2[R, error]) (int, error) {
	cw := csv.NewWriter(w)
	var zero R
	if err := cw.Write(header(any(zero))); err != nil {
		return 0, err
	}
	n := 0
	rec := make([]string, 0, 16)
	for r, err := range rows {
		if err != nil {
			cw.Flush()
			return n, err
		}
		rec = record(any(r), rec[:0])
		if err := cw.Write(rec); err != nil {
			return n, err
		}
		n++
	}
	cw.Flush()
	return n, cw.Error()
}

// Column names, shared by CSV and Parquet.
var (
	metricColumns       = []string{"person_id", "assessment_id", "recorded_at", "test_type", "assistive_device", "placement", "metric", "value", "algorithm_version", "source"}
	diaryColumns        = []string{"person_id", "entry_id", "at", "severity", "fatigue", "sensations", "sensation_other", "leg", "time_of_day", "triggers", "fall_kind", "fall_injured", "fall_circumstances", "notes"}
	interventionColumns = []string{"person_id", "intervention_id", "kind", "name", "device", "start_date", "end_date", "notes"}
)

func header(r any) []string {
	switch r.(type) {
	case MetricRow:
		return metricColumns
	case DiaryRow:
		return diaryColumns
	default:
		return interventionColumns
	}
}

// TimeFormat is the CSV form of timestamps: RFC 3339, UTC, microseconds.
const TimeFormat = "2006-01-02T15:04:05.000000Z"

func record(r any, rec []string) []string {
	i64 := func(v int64) string { return strconv.FormatInt(v, 10) }
	switch r := r.(type) {
	case MetricRow:
		return append(rec, r.PersonID, i64(r.AssessmentID), r.RecordedAt.UTC().Format(TimeFormat), r.TestType, r.AssistiveDevice,
			r.Placement, r.Metric, strconv.FormatFloat(r.Value, 'g', -1, 64), r.AlgorithmVersion, r.Source)
	case DiaryRow:
		opt := func(p *int32) string {
			if p == nil {
				return ""
			}
			return strconv.Itoa(int(*p))
		}
		inj := ""
		if r.FallInjured != nil {
			inj = strconv.FormatBool(*r.FallInjured)
		}
		return append(rec, r.PersonID, i64(r.EntryID), r.At.UTC().Format(TimeFormat), opt(r.Severity), opt(r.Fatigue),
			strings.Join(r.Sensations, ";"), text(r.SensationOther), r.Leg, r.TimeOfDay, strings.Join(r.Triggers, ";"), r.FallKind, inj,
			text(r.FallCircumstances), text(r.Notes))
	case InterventionRow:
		end := ""
		if r.EndDate != nil {
			end = r.EndDate.String()
		}
		return append(rec, r.PersonID, i64(r.InterventionID), r.Kind, text(r.Name), r.Device, r.StartDate.String(), end, text(r.Notes))
	}
	panic("export: unknown row type")
}

// text guards a free-text CSV cell (what people type: notes, their own
// words, fall circumstances, intervention names): a cell starting with =,
// +, -, @, a tab or a carriage return is a formula to Excel and
// LibreOffice ("-2 after the stairs" shows #NAME?; "=HYPERLINK(…)" runs),
// so it gets a leading single quote, which spreadsheets show as text
// (OWASP, "CSV Injection"). Text that already starts with a quote gets
// one too, so that removing one leading quote from every such cell gives
// back exactly what was typed. Parquet keeps the text as it is.
func text(s string) string {
	if s != "" && strings.IndexByte("=+-@\t\r'", s[0]) >= 0 {
		return "'" + s
	}
	return s
}
