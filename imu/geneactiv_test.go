package imu

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"legwork/gait"
)

// geneactivCal is the calibration the synthetic files carry.
var geneactivCal = struct{ gain, offset [3]float64 }{[3]float64{25522, 25457, 24829}, [3]float64{272, -1129, 101}}

// encodeGENEActiv writes a synthetic GENEActiv .bin file: the header and one
// page per element of pages, each a list of x, y, z counts (12-bit two's
// complement), starting at the page times given.
func encodeGENEActiv(pages [][][3]int, times []time.Time, zone string) []byte {
	var b strings.Builder
	b.WriteString("Device Identity\nDevice Unique Serial Code:012345\nDevice Type:GENEActiv\n\n")
	b.WriteString("Configuration Info\nMeasurement Frequency:50 Hz\nStart Time:2024-03-01 08:00:00:000\n")
	if zone != "" {
		b.WriteString("Time Zone:" + zone + "\n")
	}
	b.WriteString("\nSubject Info\nDevice Location Code:left wrist\nSubject Notes:\x00\x00\x00\n\nCalibration Data\n")
	for i, a := range []string{"x", "y", "z"} {
		fmt.Fprintf(&b, "%s gain:%g\n%s offset:%g\n", a, geneactivCal.gain[i], a, geneactivCal.offset[i])
	}
	fmt.Fprintf(&b, "Volts:42\nLux:886\n\nMemory Status\nNumber of Pages:%d\n\n", len(pages))
	for p, page := range pages {
		fmt.Fprintf(&b, "Recorded Data\nDevice Unique Serial Code:012345\nSequence Number:%d\nPage Time:%s:%03d\nUnassigned:\nTemperature:28.2\nBattery voltage:4.1\nDevice Status:Recording\nMeasurement Frequency:50.0\n",
			p, times[p].Format("2006-01-02 15:04:05"), times[p].Nanosecond()/1e6)
		for _, s := range page {
			for k := 0; k < 3; k++ {
				fmt.Fprintf(&b, "%03X", s[k]&0xfff)
			}
			b.WriteString("C04") // light and button
		}
		b.WriteString("\n")
	}
	return []byte(b.String())
}

// countsFor returns the counts that read as g.
func countsFor(g [3]float64) [3]int {
	var c [3]int
	for k := 0; k < 3; k++ {
		c[k] = int(math.Round((g[k]*geneactivCal.gain[k] + geneactivCal.offset[k]) / 100))
	}
	return c
}

func TestGENEActiv(t *testing.T) {
	t0 := time.Date(2024, 3, 1, 8, 0, 5, 500e6, time.UTC)
	page := make([][3]int, 300)
	for i := range page {
		page[i] = countsFor([3]float64{0, 0, 1}) // lying flat, z up
	}
	page[10] = countsFor([3]float64{-0.5, 0.25, 1.5})
	data := encodeGENEActiv([][][3]int{page, page}, []time.Time{t0, t0.Add(6500 * time.Millisecond)}, "GMT +01:00")
	r, err := NewGENEActivReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := gait.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Gyro || len(rec.Samples) != 600 {
		t.Fatalf("gyro %v, %d samples", rec.Gyro, len(rec.Samples))
	}
	for k, want := range [3]float64{-0.5, 0.25, 1.5} {
		// counts are rounded: within 100/gain g of the value
		if got := rec.Samples[10].AccMS2[k] / StandardGravity; math.Abs(got-want) > 100/geneactivCal.gain[k] {
			t.Errorf("axis %d: %v g, want %v", k, got, want)
		}
	}
	if z := rec.Samples[0].AccMS2[2]; math.Abs(z-StandardGravity) > 0.05 {
		t.Errorf("z at rest %v, want +g", z)
	}
	// the gap between pages is kept: page 2 starts 6.5 s after page 1
	if got := rec.Samples[299].TimeS; math.Abs(got-299.0/50) > 1e-9 {
		t.Errorf("sample 300 at %v s", got)
	}
	if got := rec.Samples[300].TimeS; math.Abs(got-6.5) > 1e-9 {
		t.Errorf("sample 301 at %v s, want 6.5", got)
	}
	st, zoned := r.Start()
	if want := t0.Add(-time.Hour); !zoned || !st.Equal(want) {
		t.Errorf("Start = %v %v, want %v (UTC, from GMT +01:00)", st, zoned, want)
	}
	h := r.Header()
	if h.SampleRateHz != 50 || h.Pages != 2 || h.DeviceLocation != "left wrist" || h.Gain != geneactivCal.gain {
		t.Errorf("header %+v", h)
	}
	// Without a time zone the start is the naive clock.
	r2, err := NewGENEActivReader(bytes.NewReader(encodeGENEActiv([][][3]int{page}, []time.Time{t0}, "")))
	if err != nil {
		t.Fatal(err)
	}
	if st, zoned := r2.Start(); zoned || !st.Equal(t0) {
		t.Errorf("Start without zone = %v %v", st, zoned)
	}
}

func TestGENEActivErrors(t *testing.T) {
	t0 := time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)
	page := make([][3]int, 300)
	good := string(encodeGENEActiv([][][3]int{page, page}, []time.Time{t0, t0.Add(6 * time.Second)}, "GMT -04:00"))
	lineOf := func(s, sub string, nth int) int {
		i := -1
		for ; nth > 0; nth-- {
			j := strings.Index(s[i+1:], sub)
			i += j + 1
		}
		return strings.Count(s[:i], "\n") + 1
	}
	cases := []struct {
		name  string
		in    string
		line  int
		field string
	}{
		{"bad hex", strings.Replace(good, "000000000C04", "0G0000000C04", 1), lineOf(good, "000000000C04", 1), "data"},
		{"odd data", strings.Replace(good, "C04\nRecorded", "C0\nRecorded", 1), lineOf(good, "C04\nRecorded", 1), "data"},
		{"page time", strings.Replace(good, "Page Time:2024-03-01 08:00:06", "Page Time:yesterday", 1), lineOf(good, "Page Time", 2), "Page Time"},
		{"gain", strings.Replace(good, "y gain:25457", "y gain:abc", 1), lineOf(good, "y gain", 1), "y gain"},
		{"zone", strings.Replace(good, "GMT -04:00", "Mars", 1), lineOf(good, "Time Zone", 1), "Time Zone"},
		// A page whose data line is empty (a file cut after a page's
		// key:value lines) holds none of its samples: every page ends
		// with one line of hex samples (300 per page on the devices).
		{"empty data", strings.Replace(good, strings.Repeat("000000000C04", 300), "", 1), lineOf(good, "000000000C04", 1), "data"},
		{"missing page", good[:strings.LastIndex(good, "Recorded Data")], 0, ""},
		{"cut page", good[:strings.LastIndex(good, "Temperature")], 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := NewGENEActivReader(strings.NewReader(c.in))
			if err == nil {
				_, err = gait.ReadAll(r)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *ParseError", err)
			}
			if c.line > 0 && (pe.Line != c.line || pe.Field != c.field) {
				t.Errorf("got %q (line %d, field %q), want line %d field %q", err, pe.Line, pe.Field, c.line, c.field)
			}
			if c.line == 0 && pe.Line == 0 {
				t.Errorf("%q has no line", err)
			}
		})
	}
	if _, err := NewGENEActivReader(strings.NewReader("t,ax,ay,az\n")); err == nil {
		t.Error("a CSV file was accepted")
	}
}

// TestGENEActivReference compares with skdh's arrays (README: acceleration
// allclose atol 5e-5 g, the reference's 4-decimal rounding; times
// allclose with numpy's defaults; the time zone GMT −04:00 moves the start
// 4 h later in UTC, as skdh's test_tz expects).
func TestGENEActivReference(t *testing.T) {
	dir := formatsDir(t)
	f, err := os.Open(filepath.Join(dir, "gnactv_sample.bin"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := NewGENEActivReader(f)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := gait.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	_, ref := readReference(t, filepath.Join(dir, "gnactv_sample_reference.csv"))
	if len(rec.Samples) != 900 || len(ref) != 900 {
		t.Fatalf("%d samples, reference %d, want 900", len(rec.Samples), len(ref))
	}
	for i, s := range rec.Samples {
		row := ref[i]
		ok := allclose(s.TimeS, row[1], 1e-5, 1e-8)
		for k := 0; k < 3; k++ {
			ok = ok && allclose(s.AccMS2[k]/StandardGravity, row[2+k], 1e-5, 5e-5)
		}
		if !ok {
			t.Fatalf("sample %d: %+v, reference %v", i, s, row)
		}
	}
	st, zoned := r.Start()
	naive := time.Unix(1558455403, 500e6).UTC() // the reference's first time_unix_s
	if !zoned || !st.Equal(naive.Add(4*time.Hour)) {
		t.Errorf("Start = %v %v, want %v", st, zoned, naive.Add(4*time.Hour))
	}
}

func FuzzGENEActiv(f *testing.F) {
	t0 := time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)
	page := make([][3]int, 20)
	for i := range page {
		page[i] = countsFor([3]float64{0, 0, 1})
	}
	f.Add(encodeGENEActiv([][][3]int{page, page}, []time.Time{t0, t0.Add(time.Second)}, "GMT +02:00"))
	f.Add([]byte("Device Identity\nx gain:1\nx offset:0\ny gain:1\ny offset:0\nz gain:1\nz offset:0\nRecorded Data\nPage Time:2024-01-01 00:00:00:000\nMeasurement Frequency:10\n000000000000\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewGENEActivReader(bytes.NewReader(data))
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			return
		}
		buf := make([]gait.Sample, 64)
		for {
			k, err := r.Read(buf)
			for _, s := range buf[:k] {
				for i := 0; i < 3; i++ {
					if math.IsNaN(s.AccMS2[i]) || math.IsInf(s.AccMS2[i], 0) {
						t.Fatalf("non-finite sample %+v", s)
					}
				}
			}
			if err == io.EOF {
				return
			}
			if err != nil {
				var pe *ParseError
				if !errors.As(err, &pe) || pe.Line < 1 {
					t.Fatalf("error %v is not a positional *ParseError", err)
				}
				return
			}
			if k == 0 {
				t.Fatal("Read returned 0 samples and no error")
			}
		}
	})
}
