package imu

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"legwork/gait"
	"legwork/synth"
)

// phyphoxCSV writes samples as phyphox does: quoted header names, values
// with 10 significant digits in scientific notation, the given separator
// and decimal mark. which selects the columns: "acc", "gyro" or "both".
func phyphoxCSV(rec *gait.Recording, which string, sep, decimal string) string {
	var b strings.Builder
	names := []string{"Time (s)"}
	if which != "gyro" {
		names = append(names, "Acceleration x (m/s^2)", "Acceleration y (m/s^2)", "Acceleration z (m/s^2)", "Absolute acceleration (m/s^2)")
	}
	if which != "acc" {
		names = append(names, "Gyroscope x (rad/s)", "Gyroscope y (rad/s)", "Gyroscope z (rad/s)")
	}
	for i, n := range names {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(`"` + n + `"`)
	}
	num := func(v float64) string {
		s := fmt.Sprintf("%.9E", v) // 10 significant digits
		s = strings.Replace(s, "E+0", "E", 1)
		s = strings.Replace(s, "E-0", "E-", 1)
		return strings.Replace(s, ".", decimal, 1)
	}
	for _, s := range rec.Samples {
		vals := []float64{s.TimeS}
		if which != "gyro" {
			vals = append(vals, s.AccMS2[0], s.AccMS2[1], s.AccMS2[2], s.AccMS2.Norm())
		}
		if which != "acc" {
			vals = append(vals, s.GyroRPS[0], s.GyroRPS[1], s.GyroRPS[2])
		}
		b.WriteString("\n")
		for i, v := range vals {
			if i > 0 {
				b.WriteString(sep)
			}
			b.WriteString(num(v))
		}
	}
	return b.String()
}

func shortWalk() *gait.Recording {
	rec, _ := synth.Walk(synth.WalkParams{StandBeforeS: 1, WalkS: 4, StandAfterS: 1, Seed: 3})
	return rec
}

func sameSamples(t *testing.T, got, want *gait.Recording, gyro bool, tol float64) {
	t.Helper()
	if len(got.Samples) != len(want.Samples) {
		t.Fatalf("%d samples, want %d", len(got.Samples), len(want.Samples))
	}
	if got.Gyro != gyro {
		t.Errorf("gyro %v, want %v", got.Gyro, gyro)
	}
	for i, s := range got.Samples {
		w := want.Samples[i]
		d := math.Abs(s.TimeS - (w.TimeS - want.Samples[0].TimeS))
		for k := 0; k < 3; k++ {
			d = math.Max(d, math.Abs(s.AccMS2[k]-w.AccMS2[k]))
			if gyro {
				d = math.Max(d, math.Abs(s.GyroRPS[k]-w.GyroRPS[k]))
			}
		}
		if d > tol {
			t.Fatalf("sample %d: %+v, want %+v", i, s, w)
		}
	}
}

func TestPhyphoxCSV(t *testing.T) {
	rec := shortWalk()
	for _, c := range []struct{ sep, dec string }{{",", "."}, {"\t", "."}, {";", "."}, {"\t", ","}, {";", ","}} {
		r, err := NewPhyphoxReader(PhyphoxFiles{Acceleration: strings.NewReader(phyphoxCSV(rec, "acc", c.sep, c.dec))})
		if err != nil {
			t.Fatalf("%q %q: %v", c.sep, c.dec, err)
		}
		got, err := gait.ReadAll(r)
		if err != nil {
			t.Fatalf("%q %q: %v", c.sep, c.dec, err)
		}
		sameSamples(t, got, rec, false, 1e-7)
		if _, ok := r.Start(); ok {
			t.Error("Start known without meta/time.csv")
		}
	}
	// acceleration and gyroscope in one table
	r, err := NewPhyphoxReader(PhyphoxFiles{Acceleration: strings.NewReader(phyphoxCSV(rec, "both", ",", "."))})
	if err != nil {
		t.Fatal(err)
	}
	got, err := gait.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	sameSamples(t, got, rec, true, 1e-7)
}

// zipBytes writes files into a zip archive.
func zipBytes(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func phyphoxZip(t *testing.T, files map[string]string) *zip.Reader {
	t.Helper()
	b := zipBytes(t, files)
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	return zr
}

func TestPhyphoxZip(t *testing.T) {
	rec := shortWalk()
	// The gyroscope sampled at other times: shift it by half a sample and
	// interpolate back.
	gyro := &gait.Recording{Gyro: true}
	for _, s := range rec.Samples {
		s.TimeS += 0.005
		gyro.Samples = append(gyro.Samples, s)
	}
	zr := phyphoxZip(t, map[string]string{
		"Raw Data.csv":      phyphoxCSV(rec, "acc", ",", "."),
		"gyro/Raw Data.csv": phyphoxCSV(gyro, "gyro", ",", "."),
		"meta/device.csv":   `"property","value"` + "\n" + `"deviceModel","Pixel"`,
		"meta/time.csv":     `"event","experiment time","system time","system time text"` + "\n" + `"START",0.000000000E0,1.709280000500E9,"2024-03-01 09:00:00.500 UTC+01:00"` + "\n" + `"PAUSE",6.0E0,1.709280006500E9,"…"`,
	})
	r, err := OpenPhyphoxZip(zr)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, err := gait.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Gyro || len(got.Samples) != len(rec.Samples) {
		t.Fatalf("gyro %v, %d samples", got.Gyro, len(got.Samples))
	}
	// Interpolated gyro: exact at interior points only to the signal's
	// curvature over 5 ms; the edges hold the nearest value.
	maxErr := 0.0
	for i := 1; i < len(got.Samples)-1; i++ {
		for k := 0; k < 3; k++ {
			w := (rec.Samples[i].GyroRPS[k] + rec.Samples[i-1].GyroRPS[k]) / 2 // gyro sample i-1 sits at t_i − 0.005
			maxErr = math.Max(maxErr, math.Abs(got.Samples[i].GyroRPS[k]-w))
		}
	}
	if maxErr > 1e-6 {
		t.Errorf("interpolated gyroscope differs by %g rad/s", maxErr)
	}
	st, ok := r.Start()
	if want := time.Date(2024, 3, 1, 8, 0, 0, 500e6, time.UTC); !ok || st.Sub(want).Abs() > time.Microsecond {
		t.Errorf("Start = %v %v, want %v", st, ok, want)
	}
}

func TestPhyphoxErrors(t *testing.T) {
	rec := shortWalk()
	good := phyphoxCSV(rec, "acc", ",", ".")
	lines := strings.Split(good, "\n")
	cases := []struct {
		name  string
		in    string
		line  int
		field string
	}{
		{"not a number", strings.Replace(good, lines[5], "1,2,x,4,5", 1), 6, "Acceleration y (m/s^2)"},
		{"short row", strings.Replace(good, lines[7], "1,2,3", 1), 8, ""},
		{"partial NaN", strings.Replace(good, lines[9], "1,NaN,3,4,5", 1), 10, "Acceleration x (m/s^2)"},
		{"linear", strings.Replace(good, "Acceleration x", "Linear Acceleration x", 1), 1, "Linear Acceleration x (m/s^2)"},
		{"no z", strings.Replace(good, "Acceleration z (m/s^2)", "Pressure (hPa)", 1), 1, "acceleration z (m/s^2)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := NewPhyphoxReader(PhyphoxFiles{Acceleration: strings.NewReader(c.in)})
			if err == nil {
				_, err = gait.ReadAll(r)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *ParseError", err)
			}
			if pe.Line != c.line || pe.Field != c.field {
				t.Errorf("got %q (line %d, field %q), want line %d field %q", err, pe.Line, pe.Field, c.line, c.field)
			}
		})
	}
	// NaN padding rows at the end are skipped
	r, err := NewPhyphoxReader(PhyphoxFiles{Acceleration: strings.NewReader(good + "\nNaN,NaN,NaN,NaN,NaN\n")})
	if err != nil {
		t.Fatal(err)
	}
	got, err := gait.ReadAll(r)
	if err != nil || len(got.Samples) != len(rec.Samples) {
		t.Errorf("padding: %v, %d samples", err, len(got.Samples))
	}
}

func FuzzPhyphox(f *testing.F) {
	rec, _ := synth.Walk(synth.WalkParams{WalkS: 0.2, Seed: 1})
	f.Add([]byte(phyphoxCSV(rec, "acc", ",", ".")))
	f.Add([]byte(phyphoxCSV(rec, "both", ";", ",")))
	f.Add([]byte("\"Time (s)\"\t\"Acceleration x (m/s^2)\"\t\"Acceleration y (m/s^2)\"\t\"Acceleration z (m/s^2)\"\n0\t1\t2\t3\nNaN\tNaN\tNaN\tNaN\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSource(t, func() (gait.Source, error) {
			return NewPhyphoxReader(PhyphoxFiles{Acceleration: bytes.NewReader(data)})
		})
	})
}

// checkSource reads a source to its end and checks the contract: finite
// samples, positional *ParseError values, no empty reads.
func checkSource[S gait.Source](t *testing.T, open func() (S, error)) {
	t.Helper()
	src, err := open()
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("error %v is not a *ParseError", err)
		}
		return
	}
	buf := make([]gait.Sample, 50)
	for {
		k, err := src.Read(buf)
		for _, s := range buf[:k] {
			for i := 0; i < 3; i++ {
				if math.IsNaN(s.AccMS2[i]) || math.IsInf(s.AccMS2[i], 0) || math.IsNaN(s.GyroRPS[i]) || math.IsInf(s.GyroRPS[i], 0) {
					t.Fatalf("non-finite sample %+v", s)
				}
			}
			if math.IsNaN(s.TimeS) || math.IsInf(s.TimeS, 0) {
				t.Fatalf("non-finite time %+v", s)
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
}
