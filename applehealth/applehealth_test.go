package applehealth

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // America/New_York on any machine
)

const exportHead = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 13 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary)*)>
<!ATTLIST HealthData
  locale CDATA #REQUIRED
>
<!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
<!ATTLIST Record
  type          CDATA #REQUIRED
  unit          CDATA #IMPLIED
  value         CDATA #IMPLIED
>
]>
<HealthData locale="de_DE">
 <ExportDate value="2024-03-03 10:00:00 +0100"/>
 <Me HKCharacteristicTypeIdentifierDateOfBirth="1980-01-01" HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexFemale"/>
`

const iphone = `sourceName="Anna’s iPhone" sourceVersion="17.3" device="&lt;&lt;HKDevice: 0x283a1c0f0&gt;, name:iPhone, manufacturer:Apple Inc., model:iPhone, hardware:iPhone14,5, software:17.3&gt;"`
const watch = `sourceName="Anna’s Apple Watch" sourceVersion="10.3" device="&lt;&lt;HKDevice: 0x283a1c1e0&gt;, name:Apple Watch, manufacturer:Apple Inc., model:Watch, hardware:Watch6,2, software:10.3&gt;"`

func record(typ, src, unit, start, end, value string) string {
	return fmt.Sprintf(` <Record type="HKQuantityTypeIdentifier%s" %s unit="%s" creationDate="%s" startDate="%s" endDate="%s" value="%s"/>`+"\n", typ, src, unit, end, start, end, value)
}

func sampleExport() string {
	var b strings.Builder
	b.WriteString(exportHead)
	b.WriteString(record("WalkingSpeed", iphone, "km/hr", "2024-03-01 08:12:45 +0100", "2024-03-01 08:19:30 +0100", "4.5"))
	b.WriteString(record("WalkingSpeed", iphone, "mi/hr", "2024-03-01 09:00:00 +0100", "2024-03-01 09:05:00 +0100", "3"))
	b.WriteString(record("WalkingStepLength", iphone, "cm", "2024-03-01 08:12:45 +0100", "2024-03-01 08:19:30 +0100", "68"))
	b.WriteString(record("WalkingStepLength", iphone, "in", "2024-03-01 09:00:00 +0100", "2024-03-01 09:05:00 +0100", "27"))
	b.WriteString(record("WalkingDoubleSupportPercentage", iphone, "%", "2024-03-01 08:12:45 +0100", "2024-03-01 08:19:30 +0100", "0.284"))
	b.WriteString(record("WalkingAsymmetryPercentage", iphone, "%", "2024-03-01 08:12:45 +0100", "2024-03-01 08:19:30 +0100", "0.05"))
	b.WriteString(record("AppleWalkingSteadiness", iphone, "%", "2024-02-26 00:00:00 +0100", "2024-03-03 00:00:00 +0100", "0.91"))
	b.WriteString(record("SixMinuteWalkTestDistance", iphone, "m", "2024-03-01 00:00:00 +0100", "2024-03-02 00:00:00 +0100", "432"))
	b.WriteString(record("StairAscentSpeed", iphone, "ft/s", "2024-03-01 12:00:00 +0100", "2024-03-01 12:00:20 +0100", "1.5"))
	b.WriteString(record("StairDescentSpeed", iphone, "m/s", "2024-03-01 12:01:00 +0100", "2024-03-01 12:01:20 +0100", "0.52"))
	// Steps: the phone and the watch count the same walk on 1 March; only
	// the phone on 2 March; a phone record spans midnight into 3 March.
	b.WriteString(record("StepCount", iphone, "count", "2024-03-01 08:12:45 +0100", "2024-03-01 08:19:30 +0100", "700"))
	b.WriteString(record("StepCount", watch, "count", "2024-03-01 08:12:00 +0100", "2024-03-01 08:20:00 +0100", "760"))
	b.WriteString(record("StepCount", watch, "count", "2024-03-01 18:00:00 +0100", "2024-03-01 18:10:00 +0100", "900"))
	b.WriteString(record("StepCount", iphone, "count", "2024-03-02 10:00:00 +0100", "2024-03-02 10:30:00 +0100", "2500"))
	b.WriteString(record("StepCount", iphone, "count", "2024-03-02 23:50:00 +0100", "2024-03-03 00:10:00 +0100", "400"))
	// Not read: other types, and records inside a correlation.
	b.WriteString(record("HeartRate", watch, "count/min", "2024-03-01 08:15:00 +0100", "2024-03-01 08:15:00 +0100", "96"))
	b.WriteString(` <Correlation type="HKCorrelationTypeIdentifierBloodPressure" sourceName="x" creationDate="2024-03-01 08:00:00 +0100" startDate="2024-03-01 08:00:00 +0100" endDate="2024-03-01 08:00:00 +0100">
  <Record type="HKQuantityTypeIdentifierStepCount" sourceName="x" unit="count" startDate="2024-03-01 08:00:00 +0100" endDate="2024-03-01 08:00:00 +0100" value="99999"/>
 </Correlation>
 <Workout workoutActivityType="HKWorkoutActivityTypeWalking" duration="30" durationUnit="min" sourceName="x" startDate="2024-03-01 17:00:00 +0100" endDate="2024-03-01 17:30:00 +0100">
  <MetadataEntry key="HKIndoorWorkout" value="0"/>
 </Workout>
`)
	b.WriteString(record("StepCount", iphone, "count", "2024-03-01 18:01:00 +0100", "2024-03-01 18:09:00 +0100", "850"))
	b.WriteString("</HealthData>\n")
	return b.String()
}

func TestParse(t *testing.T) {
	ex, err := Parse(strings.NewReader(sampleExport()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ex.Locale != "de_DE" || !ex.ExportDate.Equal(time.Date(2024, 3, 3, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("locale %q, export date %v", ex.Locale, ex.ExportDate)
	}
	want := []struct {
		metric string
		value  float64
		unit   string
	}{
		{MetricWalkingSpeed, 4.5 / 3.6, "m/s"},
		{MetricWalkingSpeed, 3 * 0.44704, "m/s"},
		{MetricStepLength, 0.68, "m"},
		{MetricStepLength, 27 * 0.0254, "m"},
		{MetricDoubleSupport, 28.4, "%"},
		{MetricWalkingAsymmetry, 5, "%"},
		{MetricWalkingSteadiness, 91, "%"},
		{MetricSixMinuteWalk, 432, "m"},
		{MetricStairAscentSpeed, 1.5 * 0.3048, "m/s"},
		{MetricStairDescentSpeed, 0.52, "m/s"},
	}
	if len(ex.Points) != len(want) {
		t.Fatalf("%d points, want %d", len(ex.Points), len(want))
	}
	for i, w := range want {
		p := ex.Points[i]
		if p.Metric != w.metric || p.Unit != w.unit || math.Abs(p.Value-w.value) > 1e-9 {
			t.Errorf("point %d: %s %v %s, want %s %v %s", i, p.Metric, p.Value, p.Unit, w.metric, w.value, w.unit)
		}
	}
	p := ex.Points[0]
	if p.SourceName != "Anna’s iPhone" || p.SourceVersion != "17.3" || p.Device != (Device{"iPhone", "Apple Inc.", "iPhone", "iPhone14,5", "17.3"}) {
		t.Errorf("source %q %q, device %+v", p.SourceName, p.SourceVersion, p.Device)
	}
	if _, off := p.Start.Zone(); off != 3600 || !p.Start.Equal(time.Date(2024, 3, 1, 7, 12, 45, 0, time.UTC)) {
		t.Errorf("start %v", p.Start)
	}
	// 1 March: watch 760 + 900 = 1660 beats the phone's 700 + 850 = 1550
	// (the same walks, counted twice if summed). 2 March: the phone, 2500 +
	// half of the record spanning midnight. 3 March: the other half.
	steps := map[string]DailySteps{}
	for _, d := range ex.Steps {
		steps[d.Date] = d
	}
	if len(ex.Steps) != 3 {
		t.Fatalf("step days %+v", ex.Steps)
	}
	if d := steps["2024-03-01"]; d.Steps != 1660 || d.Source != "Anna’s Apple Watch" || d.BySource["Anna’s iPhone"] != 1550 {
		t.Errorf("1 March: %+v", d)
	}
	if d := steps["2024-03-02"]; d.Steps != 2700 || d.Source != "Anna’s iPhone" {
		t.Errorf("2 March: %+v", d)
	}
	if d := steps["2024-03-03"]; d.Steps != 200 {
		t.Errorf("3 March: %+v", d)
	}
	// The correlation's nested record is not a step count of its own; the
	// heart rate is not read but counted as a record.
	if ex.Records != 17 {
		t.Errorf("%d records, want 17", ex.Records)
	}
	// Days in another zone: in New York, the walks of 1 March 08:12 CET
	// fall on 1 March 02:12 and the evening ones on 1 March 12:00.
	ny, _ := time.LoadLocation("America/New_York")
	if ny == nil {
		ny = time.FixedZone("EST", -5*3600)
	}
	ex2, err := Parse(strings.NewReader(sampleExport()), Options{Location: ny})
	if err != nil {
		t.Fatal(err)
	}
	if len(ex2.Steps) != 2 || ex2.Steps[1].Date != "2024-03-02" || ex2.Steps[1].Steps != 2900 {
		t.Errorf("New York days: %+v", ex2.Steps)
	}
}

func TestParseDevice(t *testing.T) {
	for in, want := range map[string]Device{
		"": {},
		"<<HKDevice: 0x3034fe490>, name:iPhone, manufacturer:Apple Inc., model:iPhone, hardware:iPhone16,1, software:17.6.1, creation date:2024-08-31 17:17:55 +0000>": {"iPhone", "Apple Inc.", "iPhone", "iPhone16,1", "17.6.1"},
		"<<HKDevice: 0x283735e00>, name:Apple Watch, manufacturer:Apple, model:Watch, hardware:Watch4,2, software:5.0.1>":                                              {"Apple Watch", "Apple", "Watch", "Watch4,2", "5.0.1"},
	} {
		if got := parseDevice(in); got != want {
			t.Errorf("%q: %+v, want %+v", in, got, want)
		}
	}
}

func TestParseZipAndFile(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("apple_health_export/export_cda.xml")
	io.WriteString(w, "<ClinicalDocument/>")
	w, _ = zw.Create("apple_health_export/export.xml")
	io.WriteString(w, sampleExport())
	zw.Close()
	dir := t.TempDir()
	for name, data := range map[string][]byte{"export.zip": buf.Bytes(), "export.xml": []byte(sampleExport())} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		ex, err := ParseFile(p, Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(ex.Points) != 10 || len(ex.Steps) != 3 {
			t.Errorf("%s: %d points, %d days", name, len(ex.Points), len(ex.Steps))
		}
	}
	var empty bytes.Buffer
	zw = zip.NewWriter(&empty)
	zw.Create("readme.txt")
	zw.Close()
	if _, err := ParseZip(bytes.NewReader(empty.Bytes()), int64(empty.Len()), Options{}); err == nil {
		t.Error("a zip without export.xml was accepted")
	}
}

func TestParseErrors(t *testing.T) {
	good := sampleExport()
	lineOf := func(sub string) int { return strings.Count(good[:strings.Index(good, sub)], "\n") + 1 }
	cases := []struct {
		name  string
		in    string
		line  int
		field string
	}{
		{"unclosed", strings.Replace(good, `value="96"/>`, `value="96">`, 1), strings.Count(good, "\n"), ""},
		{"bad date", strings.Replace(good, `startDate="2024-03-02 10:00:00 +0100"`, `startDate="02/03/2024 10:00"`, 1), lineOf(`startDate="2024-03-02 10:00:00 +0100"`), "startDate"},
		{"bad value", strings.Replace(good, `value="68"`, `value="sixty"`, 1), lineOf(`value="68"`), "value"},
		{"unknown unit", strings.Replace(good, `unit="cm"`, `unit="furlong"`, 1), lineOf(`unit="cm"`), "unit"},
		{"reversed", strings.Replace(good, `endDate="2024-03-01 09:05:00 +0100" value="3"`, `endDate="2024-03-01 08:05:00 +0100" value="3"`, 1), lineOf(`endDate="2024-03-01 09:05:00 +0100" value="3"`), "endDate"},
		{"bad attribute", strings.Replace(good, `<ExportDate value=`, `<ExportDate value=2024`, 1), lineOf("<ExportDate"), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ex, err := Parse(strings.NewReader(c.in), Options{})
			var pe *ParseError
			if !errors.As(err, &pe) || ex != nil {
				t.Fatalf("got %v, %v; want a *ParseError and no result", ex, err)
			}
			if pe.Line != c.line || pe.Field != c.field || pe.Column == 0 && c.field != "" {
				t.Errorf("%q: line %d col %d field %q, want line %d field %q", err, pe.Line, pe.Column, pe.Field, c.line, c.field)
			}
		})
	}
	for _, in := range []string{"", "<html><body/></html>", "not xml at all"} {
		if _, err := Parse(strings.NewReader(in), Options{}); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

func FuzzAppleHealth(f *testing.F) {
	f.Add([]byte(sampleExport()))
	f.Add([]byte(`<HealthData><Record type="HKQuantityTypeIdentifierStepCount" sourceName="a" unit="count" startDate="2024-01-01 23:00:00 +0000" endDate="2024-01-03 01:00:00 +0000" value="10"/></HealthData>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ex, err := Parse(bytes.NewReader(data), Options{})
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			if ex != nil {
				t.Fatal("a result with an error")
			}
			return
		}
		for _, p := range ex.Points {
			if math.IsNaN(p.Value) || math.IsInf(p.Value, 0) || p.End.Before(p.Start) || p.Unit == "" {
				t.Fatalf("bad point %+v", p)
			}
		}
		for _, d := range ex.Steps {
			if math.IsNaN(d.Steps) || d.Steps < 0 || len(d.BySource) == 0 {
				t.Fatalf("bad day %+v", d)
			}
		}
	})
}

// genExport streams a synthetic export.xml of about size bytes: a day's
// worth of records (steps from two devices every few minutes, heart rate,
// mobility metrics) repeated over consecutive days.
type genExport struct {
	size, n int
	day     int
	buf     []byte
	tail    bool
	done    bool
}

func (g *genExport) Read(p []byte) (int, error) {
	for len(g.buf) == 0 {
		switch {
		case g.done:
			return 0, io.EOF
		case g.n == 0:
			g.buf = []byte(exportHead)
		case g.n >= g.size && !g.tail:
			g.buf, g.tail = []byte("</HealthData>\n"), true
		case g.tail:
			g.done = true
			continue
		default:
			g.buf = g.dayRecords()
		}
		g.n += len(g.buf)
	}
	c := copy(p, g.buf)
	g.buf = g.buf[c:]
	return c, nil
}

func (g *genExport) dayRecords() []byte {
	var b bytes.Buffer
	d := time.Date(2020, 1, 1, 0, 0, 0, 0, time.FixedZone("", 3600)).AddDate(0, 0, g.day)
	g.day++
	ts := func(t time.Time) string { return t.Format(dateLayout) }
	for m := 7 * 60; m < 22*60; m += 5 {
		t0 := d.Add(time.Duration(m) * time.Minute)
		t1 := t0.Add(4 * time.Minute)
		b.WriteString(record("StepCount", iphone, "count", ts(t0), ts(t1), "312"))
		b.WriteString(record("StepCount", watch, "count", ts(t0), ts(t1), "330"))
		b.WriteString(record("HeartRate", watch, "count/min", ts(t0), ts(t0), "88"))
	}
	for h := 9; h < 20; h += 2 {
		t0 := d.Add(time.Duration(h) * time.Hour)
		t1 := t0.Add(10 * time.Minute)
		b.WriteString(record("WalkingSpeed", iphone, "km/hr", ts(t0), ts(t1), "4.6"))
		b.WriteString(record("WalkingStepLength", iphone, "cm", ts(t0), ts(t1), "71"))
		b.WriteString(record("WalkingDoubleSupportPercentage", iphone, "%", ts(t0), ts(t1), "0.29"))
		b.WriteString(record("WalkingAsymmetryPercentage", iphone, "%", ts(t0), ts(t1), "0"))
	}
	return b.Bytes()
}

// BenchmarkParse parses generated exports of 10 and 50 MB: the time per
// byte stays the same (linear) and the memory held afterwards is the
// extracted points and daily totals only (MB-retained), whatever the
// document's size.
func BenchmarkParse(b *testing.B) {
	for _, mb := range []int{10, 50} {
		b.Run(fmt.Sprintf("%dMB", mb), func(b *testing.B) {
			size := mb << 20
			b.SetBytes(int64(size))
			b.ReportAllocs()
			var ex *Export
			for b.Loop() {
				var err error
				ex, err = Parse(&genExport{size: size}, Options{})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "MB-retained")
			b.ReportMetric(float64(len(ex.Steps)), "days")
			runtime.KeepAlive(ex)
		})
	}
}
