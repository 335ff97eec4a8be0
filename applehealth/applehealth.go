// Package applehealth imports the walking ("mobility") measurements and the
// daily step counts from an Apple Health export: the export.zip the Health
// app writes (Profile → Export All Health Data) or the export.xml inside it.
//
// The export is one XML document, <HealthData>, whose children include
// <ExportDate value="…"/>, <Me …/> and one <Record> per sample:
//
//	<Record type="HKQuantityTypeIdentifierWalkingSpeed" sourceName="Anna's iPhone"
//	  sourceVersion="17.3" device="&lt;&lt;HKDevice: 0x…&gt;, name:iPhone, manufacturer:Apple Inc.,
//	  model:iPhone, hardware:iPhone14,5, software:17.3&gt;" unit="km/hr"
//	  creationDate="2024-03-01 08:20:01 +0100" startDate="2024-03-01 08:12:45 +0100"
//	  endDate="2024-03-01 08:19:30 +0100" value="4.3"/>
//
// Dates are "YYYY-MM-DD hh:mm:ss ±hhmm" (local time with its UTC offset).
// The quantity types and their HealthKit units are documented by Apple
// (developer.apple.com/documentation/healthkit/hkquantitytypeidentifier);
// the export writes each value in the unit the phone displays, named in the
// unit attribute, so Parse converts to SI:
//
//	type (HKQuantityTypeIdentifier…)   metric                      units read → SI
//	WalkingSpeed                       walking_speed_mps           km/hr, mi/hr, m/s, ft/s → m/s
//	WalkingStepLength                  step_length_m               cm, m, in, ft → m
//	WalkingDoubleSupportPercentage     double_support_pct          % (a 0–1 fraction) → %
//	WalkingAsymmetryPercentage         walking_asymmetry_pct       % → %
//	AppleWalkingSteadiness             walking_steadiness_pct      % → %
//	SixMinuteWalkTestDistance          six_minute_walk_m           m, km, ft, yd, mi → m
//	StairAscentSpeed                   stair_ascent_speed_mps      m/s, ft/s, km/hr, mi/hr → m/s
//	StairDescentSpeed                  stair_descent_speed_mps     same
//	StepCount                          steps (per day, see below)  count
//
// HealthKit's percent unit (HKUnit.percent()) stores fractions from 0 to 1,
// and the export writes them so (unit="%" value="0.294" for 29.4 %, as in
// published export samples): they are multiplied by 100.
//
// Step counts: Health keeps every source's samples, and an iPhone and an
// Apple Watch worn together both count the same steps, so summing all
// StepCount records double-counts. Health's own totals de-duplicate by
// source priority over overlapping time; the export does not say which
// priority the person set. Parse therefore totals the steps per day and per
// source (a record spanning midnight is split in proportion to its time on
// each side) and takes, for each day, the source with the most steps: it
// never counts a step twice, and it equals Health's total whenever one
// device carried the person through the day. The other sources' totals are
// kept in DailySteps.BySource.
//
// The parser streams the document with encoding/xml's token loop: memory
// holds the extracted points and the per-day totals, never the document.
// It returns either the whole result or an error: a *ParseError with the
// line and column of the fault.
package applehealth

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ParseError reports where an export is malformed.
type ParseError struct {
	Line, Column int    // 1-based position in export.xml; 0 when unknown
	Field        string // the attribute at fault, "" for the document
	Err          error
}

func (e *ParseError) Error() string {
	pos := ""
	if e.Line > 0 {
		pos = fmt.Sprintf(" line %d, column %d:", e.Line, e.Column)
	}
	if e.Field != "" {
		return fmt.Sprintf("applehealth:%s attribute %q: %v", pos, e.Field, e.Err)
	}
	return fmt.Sprintf("applehealth:%s %v", pos, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// Metric names of the mobility series (legwork's metric names, SI units).
const (
	MetricWalkingSpeed      = "walking_speed_mps"
	MetricStepLength        = "step_length_m"
	MetricDoubleSupport     = "double_support_pct"
	MetricWalkingAsymmetry  = "walking_asymmetry_pct"
	MetricWalkingSteadiness = "walking_steadiness_pct"
	MetricSixMinuteWalk     = "six_minute_walk_m"
	MetricStairAscentSpeed  = "stair_ascent_speed_mps"
	MetricStairDescentSpeed = "stair_descent_speed_mps"
	typeStepCount           = "HKQuantityTypeIdentifierStepCount"
	hkPrefix                = "HKQuantityTypeIdentifier"
)

// series maps the HealthKit types read to metric, SI unit and unit
// conversions (factor to SI).
var series = map[string]struct {
	metric, unit string
	units        map[string]float64
}{
	hkPrefix + "WalkingSpeed":                   {MetricWalkingSpeed, "m/s", speedUnits},
	hkPrefix + "WalkingStepLength":              {MetricStepLength, "m", lengthUnits},
	hkPrefix + "WalkingDoubleSupportPercentage": {MetricDoubleSupport, "%", percentUnits},
	hkPrefix + "WalkingAsymmetryPercentage":     {MetricWalkingAsymmetry, "%", percentUnits},
	hkPrefix + "AppleWalkingSteadiness":         {MetricWalkingSteadiness, "%", percentUnits},
	hkPrefix + "SixMinuteWalkTestDistance":      {MetricSixMinuteWalk, "m", lengthUnits},
	hkPrefix + "StairAscentSpeed":               {MetricStairAscentSpeed, "m/s", speedUnits},
	hkPrefix + "StairDescentSpeed":              {MetricStairDescentSpeed, "m/s", speedUnits},
}

var (
	speedUnits   = map[string]float64{"m/s": 1, "km/hr": 1 / 3.6, "km/h": 1 / 3.6, "mi/hr": 0.44704, "mph": 0.44704, "ft/s": 0.3048}
	lengthUnits  = map[string]float64{"m": 1, "cm": 0.01, "mm": 0.001, "km": 1000, "in": 0.0254, "ft": 0.3048, "yd": 0.9144, "mi": 1609.344}
	percentUnits = map[string]float64{"%": 100}
)

// Device is what a record's device attribute says ("<<HKDevice: 0x…>,
// name:Apple Watch, manufacturer:Apple Inc., model:Watch, hardware:Watch6,2,
// software:10.1>"); empty when the record has none.
type Device struct {
	Name         string `json:"name,omitempty"`
	Manufacturer string `json:"manufacturer,omitempty"`
	Model        string `json:"model,omitempty"`
	Hardware     string `json:"hardware,omitempty"`
	Software     string `json:"software,omitempty"`
}

// Point is one mobility measurement.
type Point struct {
	Type   string  `json:"type"`   // the HealthKit identifier
	Metric string  `json:"metric"` // legwork's name, e.g. MetricWalkingSpeed
	Value  float64 `json:"value"`  // in Unit
	Unit   string  `json:"unit"`   // SI: "m/s", "m", "%"
	// Start and End bound the measurement; Created is when Health stored
	// it. They keep the UTC offset the export wrote.
	Start         time.Time `json:"start"`
	End           time.Time `json:"end"`
	Created       time.Time `json:"created"`
	SourceName    string    `json:"source_name"`
	SourceVersion string    `json:"source_version,omitempty"`
	Device        Device    `json:"device"`
}

// DailySteps is one day's step count.
type DailySteps struct {
	Date   string  `json:"date"`   // YYYY-MM-DD
	Steps  float64 `json:"steps"`  // the chosen source's total
	Source string  `json:"source"` // the source with the most steps that day
	// BySource holds every source's total that day.
	BySource map[string]float64 `json:"by_source"`
}

// Export is what Parse extracts.
type Export struct {
	Locale     string       `json:"locale,omitempty"`
	ExportDate time.Time    `json:"export_date"`
	Points     []Point      `json:"points"` // mobility series, in document order
	Steps      []DailySteps `json:"steps"`  // by date
	Records    int          `json:"records"`
}

// Options tune Parse.
type Options struct {
	// Location, when set, gives the midnights that separate the step
	// days. When nil, each record is dated by the local time the export
	// wrote (its own UTC offset), so the days follow the person when
	// they travel.
	Location *time.Location
}

// Parse reads an export.xml document.
func Parse(r io.Reader, opt Options) (*Export, error) {
	d := xml.NewDecoder(r)
	p := &parser{d: d, opt: opt, steps: map[string]map[string]float64{}}
	if err := p.run(); err != nil {
		return nil, err
	}
	return p.finish(), nil
}

// ParseFile reads an export.zip (or export.xml) from a file.
func ParseFile(name string, opt Options) (*Export, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	var magic [4]byte
	if n, _ := io.ReadFull(f, magic[:]); n == 4 && string(magic[:]) == "PK\x03\x04" {
		return ParseZip(f, st.Size(), opt)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return Parse(f, opt)
}

// ParseZip reads the export.xml inside an export.zip (by default at
// apple_health_export/export.xml; any entry named export.xml is taken).
func ParseZip(ra io.ReaderAt, size int64, opt Options) (*Export, error) {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, &ParseError{Err: fmt.Errorf("not a zip: %w", err)}
	}
	for _, f := range zr.File {
		if path.Base(f.Name) != "export.xml" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, &ParseError{Err: fmt.Errorf("%s: %w", f.Name, err)}
		}
		defer rc.Close()
		return Parse(rc, opt)
	}
	return nil, &ParseError{Err: errors.New("the zip has no export.xml: is it an Apple Health export?")}
}

type parser struct {
	d     *xml.Decoder
	opt   Options
	ex    Export
	steps map[string]map[string]float64 // date → source → steps
}

func (p *parser) errAt(field string, err error) error {
	l, c := p.d.InputPos()
	return &ParseError{Line: l, Column: c, Field: field, Err: err}
}

func (p *parser) run() error {
	depth := 0
	root := false
	for {
		tok, err := p.d.Token()
		if errors.Is(err, io.EOF) {
			if !root {
				return &ParseError{Err: errors.New("no <HealthData> element: not an Apple Health export")}
			}
			return nil
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				l, c := p.d.InputPos()
				if se.Line > 0 {
					l = se.Line
				}
				return &ParseError{Line: l, Column: c, Err: errors.New(se.Msg)}
			}
			return p.errAt("", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case depth == 1:
				if t.Name.Local != "HealthData" {
					return p.errAt("", fmt.Errorf("the document is <%s>, want <HealthData>: not an Apple Health export", t.Name.Local))
				}
				root = true
				p.ex.Locale = attr(t, "locale")
			case depth == 2 && t.Name.Local == "Record":
				p.ex.Records++
				if err := p.record(t); err != nil {
					return err
				}
			case depth == 2 && t.Name.Local == "ExportDate":
				if v := attr(t, "value"); v != "" {
					ts, err := parseDate(v)
					if err != nil {
						return p.errAt("value", err)
					}
					p.ex.ExportDate = ts
				}
			}
		case xml.EndElement:
			depth--
		}
	}
}

func attr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

const dateLayout = "2006-01-02 15:04:05 -0700"

func parseDate(s string) (time.Time, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date like \"2024-03-01 08:12:45 +0100\"", s)
	}
	return t, nil
}

func (p *parser) record(t xml.StartElement) error {
	typ := attr(t, "type")
	s, mobility := series[typ]
	if !mobility && typ != typeStepCount {
		return nil
	}
	var pt Point
	pt.Type = typ
	pt.SourceName = attr(t, "sourceName")
	pt.SourceVersion = attr(t, "sourceVersion")
	pt.Device = parseDevice(attr(t, "device"))
	var err error
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{{"startDate", &pt.Start}, {"endDate", &pt.End}, {"creationDate", &pt.Created}} {
		v := attr(t, f.name)
		if v == "" {
			if f.name == "creationDate" {
				continue
			}
			return p.errAt(f.name, errors.New("missing"))
		}
		if *f.dst, err = parseDate(v); err != nil {
			return p.errAt(f.name, err)
		}
	}
	if pt.End.Before(pt.Start) {
		return p.errAt("endDate", fmt.Errorf("ends (%s) before it starts (%s)", pt.End.Format(dateLayout), pt.Start.Format(dateLayout)))
	}
	raw := attr(t, "value")
	v, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return p.errAt("value", fmt.Errorf("%q is not a number", raw))
	}
	unit := attr(t, "unit")
	if typ == typeStepCount {
		if unit != "count" {
			return p.errAt("unit", fmt.Errorf("step count in %q, want \"count\"", unit))
		}
		if v < 0 {
			return p.errAt("value", fmt.Errorf("%v steps", v))
		}
		p.addSteps(pt, v)
		return nil
	}
	f, ok := s.units[unit]
	if !ok {
		return p.errAt("unit", fmt.Errorf("%s in %q: unknown unit (known: %s)", strings.TrimPrefix(typ, hkPrefix), unit, strings.Join(keys(s.units), ", ")))
	}
	pt.Metric, pt.Unit, pt.Value = s.metric, s.unit, v*f
	p.ex.Points = append(p.ex.Points, pt)
	return nil
}

func keys(m map[string]float64) []string {
	k := make([]string, 0, len(m))
	for s := range m {
		k = append(k, s)
	}
	slices.Sort(k)
	return k
}

// parseDevice reads "<<HKDevice: 0x…>, name:…, manufacturer:…, model:…,
// hardware:…, software:…>".
func parseDevice(s string) Device {
	var d Device
	s = strings.TrimSpace(s)
	if s == "" {
		return d
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">")
	if i := strings.Index(s, ">,"); i >= 0 {
		s = s[i+2:]
	}
	// Values may hold commas ("hardware:Watch6,2"): split on ", key:".
	for _, part := range splitDevice(s) {
		k, v, ok := strings.Cut(part, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "name":
			d.Name = v
		case "manufacturer":
			d.Manufacturer = v
		case "model":
			d.Model = v
		case "hardware":
			d.Hardware = v
		case "software":
			d.Software = v
		}
	}
	return d
}

func splitDevice(s string) []string {
	var parts []string
	for {
		i := -1
		for _, k := range []string{", name:", ", manufacturer:", ", model:", ", hardware:", ", software:", ", localIdentifier:", ", UDIDeviceIdentifier:", ", firmware:", ", creation date:"} {
			if j := strings.Index(s, k); j >= 0 && (i < 0 || j < i) {
				i = j
			}
		}
		if i < 0 {
			return append(parts, strings.TrimSpace(s))
		}
		parts = append(parts, strings.TrimSpace(s[:i]))
		s = s[i+2:]
	}
}

// addSteps adds a step record to the per-day, per-source totals, split
// over the days it spans in proportion to time.
func (p *parser) addSteps(pt Point, v float64) {
	start, end := pt.Start, pt.End
	if p.opt.Location != nil {
		start, end = start.In(p.opt.Location), end.In(p.opt.Location)
	}
	src := pt.SourceName
	total := end.Sub(start).Seconds()
	for d := start; ; {
		next := time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, d.Location())
		segEnd := end
		if next.Before(end) {
			segEnd = next
		}
		share := 1.0
		if total > 0 {
			share = segEnd.Sub(d).Seconds() / total
		}
		date := d.Format("2006-01-02")
		m := p.steps[date]
		if m == nil {
			m = map[string]float64{}
			p.steps[date] = m
		}
		m[src] += v * share
		if total <= 0 || !next.Before(end) {
			return
		}
		d = next
	}
}

// round3 rounds to 1/1000 of a step: totals of split records carry
// floating-point noise.
func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

func (p *parser) finish() *Export {
	ex := &p.ex
	if ex.Points == nil {
		ex.Points = []Point{}
	}
	ex.Steps = make([]DailySteps, 0, len(p.steps))
	for date, by := range p.steps {
		ds := DailySteps{Date: date, BySource: by, Source: ""}
		for _, src := range keys(by) { // sorted: ties go to the first name
			if ds.Source == "" || by[src] > ds.Steps {
				ds.Source, ds.Steps = src, by[src]
			}
		}
		ds.Steps = round3(ds.Steps)
		for k, v := range by {
			by[k] = round3(v)
		}
		ex.Steps = append(ex.Steps, ds)
	}
	slices.SortFunc(ex.Steps, func(a, b DailySteps) int { return strings.Compare(a.Date, b.Date) })
	return ex
}
