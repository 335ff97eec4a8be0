package fhir

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	models "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"legwork"
)

// strict decodes data into v, refusing unknown members.
func strict(t *testing.T, data []byte, v any) {
	t.Helper()
	if err := decodeStrict(data, v); err != nil {
		t.Fatalf("%v in %s", err, data)
	}
}

func decodeStrict(data []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	d.UseNumber()
	return d.Decode(v)
}

// FHIR R4 dateTime (hl7.org/fhir/R4/datatypes.html#dateTime).
var fhirDateTime = regexp.MustCompile(`^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]{1,9})?)?)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)?)?)?$`)

type checked struct {
	bundle       models.Bundle
	patient      models.Patient
	observations []models.Observation
}

// validate reads a bundle into the samply FHIR R4 models strictly and
// checks what the models do not: required elements, references, codes and
// units.
func validate(t *testing.T, data []byte) checked {
	t.Helper()
	var c checked
	strict(t, data, &struct {
		*models.Bundle
		ResourceType string `json:"resourceType"`
	}{Bundle: &c.bundle})
	if c.bundle.Type != models.BundleTypeCollection {
		t.Errorf("bundle type %v", c.bundle.Type)
	}
	if c.bundle.Timestamp != nil && !fhirDateTime.MatchString(*c.bundle.Timestamp) {
		t.Errorf("timestamp %q", *c.bundle.Timestamp)
	}
	urls := map[string]string{}
	for i, e := range c.bundle.Entry {
		if e.FullUrl == nil || !strings.HasPrefix(*e.FullUrl, "urn:uuid:") {
			t.Fatalf("entry %d: fullUrl %v", i, e.FullUrl)
		}
		var rt struct {
			ResourceType string `json:"resourceType"`
			ID           string `json:"id"`
		}
		json.Unmarshal(e.Resource, &rt)
		if _, dup := urls[*e.FullUrl]; dup {
			t.Errorf("duplicate fullUrl %s", *e.FullUrl)
		}
		urls[*e.FullUrl] = rt.ResourceType
		if "urn:uuid:"+rt.ID != *e.FullUrl {
			t.Errorf("entry %d: id %s, fullUrl %s", i, rt.ID, *e.FullUrl)
		}
		switch rt.ResourceType {
		case "Patient":
			strict(t, e.Resource, &struct {
				*models.Patient
				ResourceType string `json:"resourceType"`
			}{Patient: &c.patient})
			if len(c.patient.Identifier) == 0 {
				t.Error("patient without identifier")
			}
		case "Observation":
			var o models.Observation
			strict(t, e.Resource, &struct {
				*models.Observation
				ResourceType string `json:"resourceType"`
			}{Observation: &o})
			c.observations = append(c.observations, o)
		default:
			t.Fatalf("entry %d: resource type %q", i, rt.ResourceType)
		}
	}
	if i := 0; len(c.bundle.Entry) == 0 || urls[*c.bundle.Entry[i].FullUrl] != "Patient" {
		t.Fatal("the first entry is not the Patient")
	}
	for _, o := range c.observations {
		if o.Status != models.ObservationStatusFinal {
			t.Errorf("status %v", o.Status)
		}
		if len(o.Code.Coding) == 0 || len(o.Category) == 0 {
			t.Errorf("observation without code or category: %+v", o)
		}
		for _, cd := range o.Code.Coding {
			if cd.System == nil || cd.Code == nil || *cd.Code == "" {
				t.Errorf("coding without system or code: %+v", cd)
			}
		}
		if o.Subject == nil || o.Subject.Reference == nil || urls[*o.Subject.Reference] != "Patient" {
			t.Errorf("subject does not resolve to the Patient: %+v", o.Subject)
		}
		if o.EffectiveDateTime == nil || !fhirDateTime.MatchString(*o.EffectiveDateTime) {
			t.Errorf("effectiveDateTime %v", o.EffectiveDateTime)
		}
		if q := o.ValueQuantity; q != nil {
			if q.Value == nil || q.System == nil || *q.System != UCUM || q.Code == nil || *q.Code == "" {
				t.Errorf("quantity %+v", q)
			}
		} else if o.ValueCodeableConcept == nil {
			t.Errorf("observation without a value: %+v", o.Code)
		}
	}
	return c
}

func intp(v int) *int { return &v }

func sampleData() (*legwork.User, []*legwork.Assessment, []*legwork.DiaryEntry) {
	cet := time.FixedZone("CET", 3600)
	person := &legwork.User{ID: 42, Name: "Anna Example", Email: "anna@example.org", Role: legwork.RolePerson}
	a := []*legwork.Assessment{
		{ID: 7, PersonID: 42, TestType: legwork.TestT25FW, Placement: "lower_back", Device: legwork.DeviceCane,
			RecordedAt: time.Date(2024, 3, 1, 9, 30, 0, 0, cet), CreatedAt: time.Date(2024, 3, 1, 9, 31, 0, 0, cet),
			Source: "legwork", AlgorithmVersion: "legwork-gait/1", Context: "hot day at Anna's flat",
			Metrics: map[string]float64{"t25fw_time_s": 6.8, "t25fw_speed_mps": 1.12, "cadence_spm": 104, "steps": 14, "walking_speed_mps": 1.05, "stride_length_m": 1.21}},
		{ID: 8, PersonID: 42, TestType: legwork.TestBalance, Placement: "lower_back", Device: legwork.DeviceNone,
			RecordedAt: time.Date(2024, 3, 2, 10, 0, 0, 0, cet), AlgorithmVersion: "legwork-gait/1",
			Metrics: map[string]float64{"sway_rms_ms2": 0.12, "sway_ec_rms_ms2": 0.2, "romberg_ratio": 1.67, "sway_ec_freq_hz": 0.6}},
		{ID: 9, PersonID: 42, TestType: legwork.TestWalk, Placement: "front_pocket", Device: legwork.DeviceNone, Source: "apple_health",
			RecordedAt: time.Date(2024, 3, 3, 0, 0, 0, 0, cet), Metrics: map[string]float64{"six_minute_walk_m": 432, "steps_per_day": 6543, "sts5_time_s": 12.4}},
	}
	d := []*legwork.DiaryEntry{
		{ID: 3, PersonID: 42, At: time.Date(2024, 3, 1, 20, 0, 0, 0, cet), Severity: intp(6), Fatigue: intp(7),
			Sensations: []string{legwork.SensationHeavy, legwork.SensationJelly}, SensationOther: "like walking through mud at Bakerstreet",
			Leg: "both", TimeOfDay: "evening", Triggers: []string{legwork.TriggerHeat}, Notes: "Met Paul at the bakery"},
		{ID: 4, PersonID: 42, At: time.Date(2024, 3, 2, 8, 0, 0, 0, cet),
			Fall: &legwork.Fall{Kind: "near_fall", Circumstances: "tripped on the stairs at home", Injured: false}},
	}
	return person, a, d
}

func writeBundle(t *testing.T, opt Options) []byte {
	t.Helper()
	person, as, ds := sampleData()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, person, opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		if err := w.Assessment(a); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range ds {
		if err := w.DiaryEntry(d); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func findObs(c checked, code string) []models.Observation {
	var out []models.Observation
	for _, o := range c.observations {
		for _, cd := range o.Code.Coding {
			if *cd.Code == code {
				out = append(out, o)
			}
		}
	}
	return out
}

func TestBundle(t *testing.T) {
	data := writeBundle(t, Options{Timestamp: time.Date(2024, 3, 4, 12, 0, 0, 0, time.UTC)})
	c := validate(t, data)
	// 6 + 4 + 3 metrics, severity + fatigue, near fall
	if len(c.observations) != 16 {
		t.Errorf("%d observations, want 16", len(c.observations))
	}
	if len(c.patient.Name) != 1 || *c.patient.Name[0].Text != "Anna Example" || len(c.patient.Telecom) != 1 {
		t.Errorf("patient %+v", c.patient)
	}
	steps := findObs(c, "55423-8")
	if len(steps) != 1 || *steps[0].ValueQuantity.Code != "{steps}" || steps[0].ValueQuantity.Value.String() != "14" {
		t.Errorf("steps: %+v", steps)
	}
	if o := findObs(c, "64098-7"); len(o) != 1 || *o[0].ValueQuantity.Code != "m" {
		t.Errorf("six-minute walk: %+v", o)
	}
	if o := findObs(c, "41950-7"); len(o) != 1 || *o[0].ValueQuantity.Code != "/d" {
		t.Errorf("daily steps: %+v", o)
	}
	t25 := findObs(c, "t25fw_time_s")
	if len(t25) != 1 {
		t.Fatalf("t25fw: %+v", t25)
	}
	o := t25[0]
	if *o.ValueQuantity.Code != "s" || *o.EffectiveDateTime != "2024-03-01T09:30:00+01:00" || *o.Category[0].Coding[0].Code != "activity" {
		t.Errorf("t25fw observation %+v", o)
	}
	if m := *o.Method.Text; !strings.Contains(m, "Timed 25-Foot Walk") || !strings.Contains(m, "cane") || !strings.Contains(m, "lower back") {
		t.Errorf("method %q", m)
	}
	if *o.BodySite.Text != "lower back" || len(o.Component) != 1 || *o.Component[0].ValueCodeableConcept.Coding[0].Code != "cane" {
		t.Errorf("placement/device %+v %+v", o.BodySite, o.Component)
	}
	if cad := findObs(c, "cadence_spm"); *cad[0].ValueQuantity.Code != "/min" {
		t.Errorf("cadence unit %v", *cad[0].ValueQuantity.Code)
	}
	if sw := findObs(c, "sway_ec_freq_hz"); len(sw) != 1 || *sw[0].ValueQuantity.Code != "Hz" || !strings.Contains(*sw[0].Code.Text, "eyes closed") {
		t.Errorf("sway %+v", sw)
	}
	sev := findObs(c, "leg_symptom_severity")
	if len(sev) != 1 || *sev[0].Category[0].Coding[0].Code != "survey" || *sev[0].ValueQuantity.Code != "{score}" || len(sev[0].Component) != 6 || len(sev[0].Note) != 1 {
		t.Errorf("severity %+v", sev)
	}
	fall := findObs(c, "fall_event")
	if len(fall) != 1 || *fall[0].ValueCodeableConcept.Coding[0].Code != "near_fall" || *fall[0].Component[0].ValueBoolean {
		t.Errorf("fall %+v", fall)
	}
	// Same input, same bytes (stable ids).
	if again := writeBundle(t, Options{Timestamp: time.Date(2024, 3, 4, 12, 0, 0, 0, time.UTC)}); !bytes.Equal(again, data) {
		t.Error("two exports of the same data differ")
	}
}

func TestBundlePseudonymised(t *testing.T) {
	data := writeBundle(t, Options{Pseudonym: "p-3f9a1c"})
	c := validate(t, data)
	if len(c.patient.Name) != 0 || len(c.patient.Telecom) != 0 || len(c.patient.Identifier) != 1 || *c.patient.Identifier[0].Value != "p-3f9a1c" || *c.patient.Identifier[0].System != Pseudonym {
		t.Errorf("patient %+v", c.patient)
	}
	s := string(data)
	for _, leak := range []string{"Anna", "anna@example.org", `"42"`, "Paul", "Bakerstreet", "stairs", "flat", PersonID} {
		if strings.Contains(s, leak) {
			t.Errorf("pseudonymised bundle contains %q", leak)
		}
	}
	if len(c.observations) != 16 {
		t.Errorf("%d observations", len(c.observations))
	}
	// Different pseudonym, different resource ids: exports do not link by id.
	other := string(writeBundle(t, Options{Pseudonym: "p-other"}))
	var id1, id2 struct{ ID string }
	json.Unmarshal(c.bundle.Entry[0].Resource, &id1)
	c2 := validate(t, []byte(other))
	json.Unmarshal(c2.bundle.Entry[0].Resource, &id2)
	if id1.ID == id2.ID {
		t.Error("patient ids equal under different pseudonyms")
	}
}

// TestStrictness checks that the validation would catch what it claims to:
// unknown members and codes outside a required value set.
func TestStrictness(t *testing.T) {
	var o models.Observation
	good := `{"resourceType":"Observation","status":"final","code":{"text":"x"}}`
	dst := &struct {
		*models.Observation
		ResourceType string `json:"resourceType"`
	}{Observation: &o}
	if err := decodeStrict([]byte(good), dst); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{
		`{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":1,"units":"s"}}`,
		`{"resourceType":"Observation","status":"done","code":{"text":"x"}}`,
		`{"resourceType":"Observation","status":"final","code":{"text":"x"},"effective":"2024"}`,
	} {
		if err := decodeStrict([]byte(bad), dst); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

func TestMappingFor(t *testing.T) {
	for metric, ucum := range map[string]string{
		"walking_speed_mps": "m/s", "cadence_spm": "/min", "steps": "{steps}", "t25fw_time_s": "s", "stride_length_m": "m",
		"sway_rms_ms2": "m/s2", "sway_ec_ellipse_m2s4": "m2/s4", "sts5_time_s": "s", "new_thing_pct": "%", "odd": "1",
		"sts_power_wkg": "W/kg", "walking_bouts_over_10s": "{bouts}", "walking_bouts_over_60s": "{bouts}",
		"cadence_over_30s_mean_spm": "/min",
	} {
		if m := MappingFor(metric); m.UCUM != ucum || m.Metric != metric || m.Display == "" {
			t.Errorf("%s: %+v, want UCUM %q", metric, m, ucum)
		}
	}
	// Apple Health's measures are named as Apple's, and the six-minute
	// walk estimate is not coded as the test (LOINC 64098-7).
	if m := MappingFor("apple_six_minute_walk_m"); m.LOINC != "" || m.UCUM != "m" || !strings.Contains(m.Display, "Apple Health") {
		t.Errorf("apple_six_minute_walk_m: %+v", m)
	}
	if m := MappingFor("six_minute_walk_m"); m.LOINC != "64098-7" {
		t.Errorf("six_minute_walk_m: %+v", m)
	}
}

// Every measure an Apple Health import stores has its own mapping.
func TestAppleHealthMappings(t *testing.T) {
	for _, metric := range []string{"apple_walking_speed_mps", "apple_step_length_m", "apple_double_support_pct", "apple_asymmetry_pct",
		"apple_walking_steadiness_pct", "apple_six_minute_walk_m", "apple_stair_ascent_speed_mps", "apple_stair_descent_speed_mps"} {
		if _, ok := Mappings[metric]; !ok {
			t.Errorf("%s has no mapping", metric)
		}
	}
}

func TestWriterNoPerson(t *testing.T) {
	if _, err := NewWriter(&bytes.Buffer{}, nil, Options{}); err == nil {
		t.Error("no error without a person")
	}
}
