// Package fhir writes a person's legwork data as an HL7 FHIR R4 Bundle (type
// "collection", JSON, hl7.org/fhir/R4/bundle.html) for a clinician's
// record system: one Patient, and Observations (hl7.org/fhir/R4/observation.html)
// for the metrics of each assessment (category "activity") and for the
// symptom diary (category "survey": leg-symptom severity, fatigue, falls).
//
// Codes: every metric carries legwork's own code (system Metrics, code =
// the metric name) and, where one exists, a LOINC code (Mappings); units are
// UCUM (system http://unitsofmeasure.org). Effective times are the
// assessment's recorded time and the diary entry's time, with their UTC
// offset.
//
// Pseudonymisation: with Options.Pseudonym set, the Patient carries only
// that opaque identifier (no name, e-mail or legwork id), the resource ids
// are derived from the pseudonym, and the free text a person types (diary
// notes, their own words for sensations, fall circumstances, assessment
// context) is left out, since it may name people or places. The export
// package derives such pseudonyms (export.Pseudonymizer).
//
// The Writer streams: entries are written as they are added, so a large
// history never has to be held in memory.
package fhir

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"legwork"
)

// Options shape the bundle.
type Options struct {
	// Pseudonym, when not empty, replaces the person's identity (see the
	// package documentation).
	Pseudonym string
	// Timestamp is Bundle.timestamp (omitted when zero).
	Timestamp time.Time
}

// JSON shapes of the FHIR R4 elements written.
type (
	coding struct {
		System  string `json:"system"`
		Code    string `json:"code"`
		Display string `json:"display,omitempty"`
	}
	codeableConcept struct {
		Coding []coding `json:"coding,omitempty"`
		Text   string   `json:"text,omitempty"`
	}
	reference struct {
		Reference string `json:"reference,omitempty"`
		Display   string `json:"display,omitempty"`
	}
	quantity struct {
		Value  json.Number `json:"value"`
		Unit   string      `json:"unit"`
		System string      `json:"system"`
		Code   string      `json:"code"`
	}
	identifier struct {
		System string `json:"system"`
		Value  string `json:"value"`
	}
	annotation struct {
		Text string `json:"text"`
	}
	component struct {
		Code                 codeableConcept  `json:"code"`
		ValueQuantity        *quantity        `json:"valueQuantity,omitempty"`
		ValueCodeableConcept *codeableConcept `json:"valueCodeableConcept,omitempty"`
		ValueBoolean         *bool            `json:"valueBoolean,omitempty"`
		ValueString          string           `json:"valueString,omitempty"`
	}
	observation struct {
		ResourceType         string            `json:"resourceType"`
		ID                   string            `json:"id"`
		Identifier           []identifier      `json:"identifier,omitempty"`
		Status               string            `json:"status"`
		Category             []codeableConcept `json:"category"`
		Code                 codeableConcept   `json:"code"`
		Subject              reference         `json:"subject"`
		EffectiveDateTime    string            `json:"effectiveDateTime"`
		Issued               string            `json:"issued,omitempty"`
		ValueQuantity        *quantity         `json:"valueQuantity,omitempty"`
		ValueCodeableConcept *codeableConcept  `json:"valueCodeableConcept,omitempty"`
		Note                 []annotation      `json:"note,omitempty"`
		BodySite             *codeableConcept  `json:"bodySite,omitempty"`
		Method               *codeableConcept  `json:"method,omitempty"`
		Device               *reference        `json:"device,omitempty"`
		Component            []component       `json:"component,omitempty"`
	}
	humanName struct {
		Text string `json:"text"`
	}
	contactPoint struct {
		System string `json:"system"`
		Value  string `json:"value"`
	}
	patient struct {
		ResourceType string         `json:"resourceType"`
		ID           string         `json:"id"`
		Identifier   []identifier   `json:"identifier"`
		Active       bool           `json:"active"`
		Name         []humanName    `json:"name,omitempty"`
		Telecom      []contactPoint `json:"telecom,omitempty"`
	}
	entry struct {
		FullURL  string `json:"fullUrl"`
		Resource any    `json:"resource"`
	}
)

// Writer writes one person's Bundle.
type Writer struct {
	w       *bufio.Writer
	opt     Options
	subject string // the Patient's fullUrl
	key     string // seed of resource ids
	n       int    // entries written
	closed  bool
	err     error
}

// NewWriter starts a Bundle for person on w and writes its Patient entry.
// Add assessments and diary entries, then Close.
func NewWriter(w io.Writer, person *legwork.User, opt Options) (*Writer, error) {
	fw := &Writer{w: bufio.NewWriterSize(w, 64*1024), opt: opt}
	if person == nil {
		return nil, errors.New("fhir: no person")
	}
	fw.key = "person:" + strconv.FormatInt(person.ID, 10)
	p := patient{ResourceType: "Patient", Active: true}
	if opt.Pseudonym != "" {
		fw.key = "pseudonym:" + opt.Pseudonym
		p.Identifier = []identifier{{System: Pseudonym, Value: opt.Pseudonym}}
	} else {
		p.Identifier = []identifier{{System: PersonID, Value: strconv.FormatInt(person.ID, 10)}}
		if person.Name != "" {
			p.Name = []humanName{{Text: person.Name}}
		}
		if person.Email != "" {
			p.Telecom = []contactPoint{{System: "email", Value: person.Email}}
		}
	}
	id := fw.uuid("patient")
	p.ID = id
	fw.subject = "urn:uuid:" + id
	head := `{"resourceType":"Bundle","id":` + strconv.Quote(fw.uuid("bundle")) + `,"type":"collection"`
	if !opt.Timestamp.IsZero() {
		head += `,"timestamp":` + strconv.Quote(opt.Timestamp.Format(time.RFC3339Nano))
	}
	head += `,"entry":[`
	fw.w.WriteString(head)
	if err := fw.entry(fw.subject, p); err != nil {
		return nil, err
	}
	return fw, nil
}

// uuid derives a stable version-4-formatted UUID from the writer's key and
// parts (SHA-256, so ids reveal nothing about the person).
func (fw *Writer) uuid(parts ...string) string {
	h := sha256.Sum256([]byte("legwork-fhir\x00" + fw.key + "\x00" + strings.Join(parts, "\x00")))
	b := h[:16]
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	s := hex.EncodeToString(b)
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}

func (fw *Writer) entry(fullURL string, res any) error {
	if fw.err != nil {
		return fw.err
	}
	if fw.closed {
		return errors.New("fhir: writer closed")
	}
	b, err := json.Marshal(entry{FullURL: fullURL, Resource: res})
	if err != nil {
		fw.err = err
		return err
	}
	if fw.n > 0 {
		fw.w.WriteByte(',')
	}
	fw.n++
	if _, err := fw.w.Write(b); err != nil {
		fw.err = err
	}
	return fw.err
}

func dateTime(t time.Time) string { return t.Format(time.RFC3339Nano) }

func category(code, display string) []codeableConcept {
	return []codeableConcept{{Coding: []coding{{System: ObsCat, Code: code, Display: display}}}}
}

func number(v float64) json.Number {
	return json.Number(strconv.FormatFloat(v, 'g', -1, 64))
}

// testNames are the assessment protocols' display names.
var testNames = map[legwork.TestType]string{
	legwork.TestT25FW:    "Timed 25-Foot Walk",
	legwork.TestWalk2Min: "2-Minute Walk",
	legwork.TestUTurn:    "U-turn test",
	legwork.TestBalance:  "Static balance (Romberg)",
	legwork.TestSTS5:     "Five-times sit-to-stand",
	legwork.TestWalk:     "Walk",
}

var deviceNames = map[legwork.AssistiveDevice]string{
	legwork.DeviceNone:       "no walking aid",
	legwork.DeviceCane:       "cane",
	legwork.DeviceTwoCanes:   "two canes or crutches",
	legwork.DeviceWalker:     "walker",
	legwork.DeviceAFO:        "ankle-foot orthosis",
	legwork.DeviceWheelchair: "wheelchair",
}

// Assessment writes one Observation per metric of a (category
// "activity"), sorted by metric name. Each carries the protocol, the
// assistive device and the sensor placement in method.text, the placement
// in bodySite.text, the device reference's display, and the assistive
// device as a coded component (system Diary, code "assistive_device").
// Metrics that are not finite numbers are skipped.
func (fw *Writer) Assessment(a *legwork.Assessment) error {
	names := make([]string, 0, len(a.Metrics))
	for k := range a.Metrics {
		names = append(names, k)
	}
	slices.Sort(names)
	test := testNames[a.TestType]
	if test == "" {
		test = string(a.TestType)
	}
	dev := deviceNames[a.Device]
	if dev == "" {
		dev = string(a.Device)
	}
	placement := strings.ReplaceAll(a.Placement, "_", " ")
	method := fmt.Sprintf("%s; %s; sensor at the %s; analysis %s", test, dev, placement, a.AlgorithmVersion)
	source := a.Source
	if source == "" {
		source = "legwork"
	}
	for _, name := range names {
		v := a.Metrics[name]
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		m := MappingFor(name)
		id := fw.uuid("assessment", strconv.FormatInt(a.ID, 10), name)
		o := observation{
			ResourceType:      "Observation",
			ID:                id,
			Status:            "final",
			Category:          category("activity", "Activity"),
			Code:              code(m),
			Subject:           reference{Reference: fw.subject},
			EffectiveDateTime: dateTime(a.RecordedAt),
			ValueQuantity:     &quantity{Value: number(v), Unit: m.Unit, System: UCUM, Code: m.UCUM},
			Method:            &codeableConcept{Text: method},
			Device:            &reference{Display: fmt.Sprintf("%s (sensor at the %s)", source, placement)},
		}
		if !a.CreatedAt.IsZero() {
			o.Issued = dateTime(a.CreatedAt)
		}
		if placement != "" {
			o.BodySite = &codeableConcept{Text: placement}
		}
		if a.Device != "" {
			o.Component = []component{{
				Code:                 codeableConcept{Coding: []coding{{System: Diary, Code: "assistive_device", Display: "Assistive device"}}},
				ValueCodeableConcept: &codeableConcept{Coding: []coding{{System: Diary, Code: string(a.Device), Display: dev}}},
			}}
		}
		if fw.opt.Pseudonym == "" && a.Context != "" {
			o.Note = []annotation{{Text: a.Context}}
		}
		if err := fw.entry("urn:uuid:"+id, o); err != nil {
			return err
		}
	}
	return nil
}

func code(m Mapping) codeableConcept {
	c := codeableConcept{Text: m.Display}
	if m.LOINC != "" {
		c.Coding = append(c.Coding, coding{System: LOINC, Code: m.LOINC, Display: m.LOINCDisplay})
	}
	c.Coding = append(c.Coding, coding{System: Metrics, Code: m.Metric, Display: m.Display})
	return c
}

func diaryCode(code, display string) codeableConcept {
	return codeableConcept{Coding: []coding{{System: Diary, Code: code, Display: display}}, Text: display}
}

// DiaryEntry writes a diary entry's Observations (category "survey"):
// leg-symptom severity (0–10, code leg_symptom_severity, with the
// sensations, triggers, leg and time of day as components), fatigue (0–10,
// fatigue_score) and a fall or near fall (fall_event, the kind as a coded
// value, injury as a component). Scores have the UCUM unit {score}.
func (fw *Writer) DiaryEntry(e *legwork.DiaryEntry) error {
	eid := strconv.FormatInt(e.ID, 10)
	base := func(item, display string) observation {
		return observation{
			ResourceType:      "Observation",
			ID:                fw.uuid("diary", eid, item),
			Status:            "final",
			Category:          category("survey", "Survey"),
			Code:              diaryCode(item, display),
			Subject:           reference{Reference: fw.subject},
			EffectiveDateTime: dateTime(e.At),
		}
	}
	var obs []observation
	if e.Severity != nil {
		o := base("leg_symptom_severity", "Leg symptom severity (0–10)")
		o.ValueQuantity = &quantity{Value: number(float64(*e.Severity)), Unit: "score", System: UCUM, Code: "{score}"}
		for _, s := range e.Sensations {
			o.Component = append(o.Component, component{Code: diaryCode("sensation", "Sensation"), ValueCodeableConcept: &codeableConcept{Coding: []coding{{System: Diary, Code: s}}, Text: s}})
		}
		if e.SensationOther != "" && fw.opt.Pseudonym == "" {
			o.Component = append(o.Component, component{Code: diaryCode("sensation_own_words", "Sensation in the person's words"), ValueString: e.SensationOther})
		}
		for _, t := range e.Triggers {
			o.Component = append(o.Component, component{Code: diaryCode("trigger", "Trigger"), ValueCodeableConcept: &codeableConcept{Coding: []coding{{System: Diary, Code: t}}, Text: t}})
		}
		if e.Leg != "" {
			o.Component = append(o.Component, component{Code: diaryCode("leg", "Leg"), ValueCodeableConcept: &codeableConcept{Coding: []coding{{System: Diary, Code: e.Leg}}, Text: e.Leg}})
		}
		if e.TimeOfDay != "" {
			o.Component = append(o.Component, component{Code: diaryCode("time_of_day", "Time of day"), ValueCodeableConcept: &codeableConcept{Coding: []coding{{System: Diary, Code: e.TimeOfDay}}, Text: e.TimeOfDay}})
		}
		if e.Notes != "" && fw.opt.Pseudonym == "" {
			o.Note = []annotation{{Text: e.Notes}}
		}
		obs = append(obs, o)
	}
	if e.Fatigue != nil {
		o := base("fatigue_score", "Fatigue (0–10)")
		o.ValueQuantity = &quantity{Value: number(float64(*e.Fatigue)), Unit: "score", System: UCUM, Code: "{score}"}
		obs = append(obs, o)
	}
	if f := e.Fall; f != nil {
		o := base("fall_event", "Fall or near fall")
		display := map[string]string{"fall": "Fall", "near_fall": "Near fall"}[f.Kind]
		if display == "" {
			display = f.Kind
		}
		o.ValueCodeableConcept = &codeableConcept{Coding: []coding{{System: Diary, Code: f.Kind, Display: display}}, Text: display}
		injured := f.Injured
		o.Component = []component{{Code: diaryCode("fall_injury", "Injured in the fall"), ValueBoolean: &injured}}
		if f.Circumstances != "" && fw.opt.Pseudonym == "" {
			o.Note = []annotation{{Text: f.Circumstances}}
		}
		obs = append(obs, o)
	}
	for _, o := range obs {
		if err := fw.entry("urn:uuid:"+o.ID, o); err != nil {
			return err
		}
	}
	return nil
}

// Close ends the Bundle and flushes it. It does not close the underlying
// writer.
func (fw *Writer) Close() error {
	if fw.err != nil {
		return fw.err
	}
	if fw.closed {
		return nil
	}
	fw.closed = true
	fw.w.WriteString("]}\n")
	fw.err = fw.w.Flush()
	return fw.err
}
