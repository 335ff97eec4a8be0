package imu

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"legwork/gait"
	"legwork/synth"
)

func readCSV(t *testing.T, s string) (*gait.Recording, error) {
	t.Helper()
	r, err := NewCSVReader(strings.NewReader(s))
	if err != nil {
		return nil, err
	}
	return gait.ReadAll(r)
}

func TestCSVValid(t *testing.T) {
	in := "\ufefft,ax,ay,az,gx,gy,gz\n0.00,0.1,9.8,0.2,0.01,0.02,0.03\n\n0.01, 0.2 ,9.7,0.3,0.01,0.02,0.03\r\n"
	rec, err := readCSV(t, in)
	if err != nil {
		t.Fatal(err)
	}
	if !rec.Gyro || len(rec.Samples) != 2 {
		t.Fatalf("gyro %v, %d samples", rec.Gyro, len(rec.Samples))
	}
	want := gait.Sample{TimeS: 0.01, AccMS2: gait.Vec3{0.2, 9.7, 0.3}, GyroRPS: gait.Vec3{0.01, 0.02, 0.03}}
	if rec.Samples[1] != want {
		t.Errorf("sample 2 = %+v, want %+v", rec.Samples[1], want)
	}
	// accelerometer only: empty gyro columns, or a four-column header
	for _, in := range []string{"t,ax,ay,az,gx,gy,gz\n0,1,2,3,,,\n1,1,2,3,,,\n", "t,ax,ay,az\n0,1,2,3\n1,1,2,3\n"} {
		rec, err := readCSV(t, in)
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if rec.Gyro || len(rec.Samples) != 2 {
			t.Errorf("%q: gyro %v, %d samples", in, rec.Gyro, len(rec.Samples))
		}
	}
	// header only
	rec, err = readCSV(t, "t,ax,ay,az,gx,gy,gz\n")
	if err != nil || len(rec.Samples) != 0 {
		t.Errorf("header only: %v, %v", rec, err)
	}
}

func TestCSVErrors(t *testing.T) {
	// Every malformed file is rejected with the line and the column.
	cases := []struct {
		name, in string
		line     int
		field    string
	}{
		{"empty", "", 0, ""},
		{"wrong header", "time,x,y,z\n0,1,2,3\n", 1, "t"},
		{"header columns", "t,ax,ay\n", 1, ""},
		{"not a number", "t,ax,ay,az,gx,gy,gz\n0,1,2,3,4,5,6\n0.01,1,abc,3,4,5,6\n", 3, "ay"},
		{"empty value", "t,ax,ay,az,gx,gy,gz\n0,,2,3,4,5,6\n", 2, "ax"},
		{"too few fields", "t,ax,ay,az,gx,gy,gz\n0,1,2,3,4,5,6\n0.01,1,2\n", 3, ""},
		{"too many fields", "t,ax,ay,az\n0,1,2,3,4\n", 2, ""},
		{"NaN", "t,ax,ay,az\n0,1,NaN,3\n", 2, "ay"},
		{"Inf time", "t,ax,ay,az\nInf,1,2,3\n", 2, "t"},
		{"partial gyro", "t,ax,ay,az,gx,gy,gz\n0,1,2,3,4,,6\n", 2, "gy"},
		{"gyro disappears", "t,ax,ay,az,gx,gy,gz\n0,1,2,3,4,5,6\n1,1,2,3,,,\n", 3, "gx"},
		{"gyro appears", "t,ax,ay,az,gx,gy,gz\n0,1,2,3,,,\n1,1,2,3,4,5,6\n", 3, "gx"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := readCSV(t, c.in)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want a *ParseError", err)
			}
			if pe.Line != c.line || pe.Field != c.field {
				t.Errorf("got line %d field %q (%v), want line %d field %q", pe.Line, pe.Field, err, c.line, c.field)
			}
			if !strings.Contains(err.Error(), "csv") {
				t.Errorf("message %q does not name the format", err)
			}
		})
	}
}

func TestCSVRoundTrip(t *testing.T) {
	rec, _ := synth.Walk(synth.WalkParams{StandBeforeS: 1, WalkS: 3, Seed: 3})
	var buf bytes.Buffer
	if err := WriteCSV(&buf, rec); err != nil {
		t.Fatal(err)
	}
	back, err := readCSV(t, buf.String())
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Samples) != len(rec.Samples) || !back.Gyro {
		t.Fatalf("%d samples, gyro %v", len(back.Samples), back.Gyro)
	}
	for i := range rec.Samples {
		a, b := rec.Samples[i], back.Samples[i]
		for k := range 3 {
			if d := a.AccMS2[k] - b.AccMS2[k]; d > 1e-6 || d < -1e-6 {
				t.Fatalf("sample %d acc %v vs %v", i, a.AccMS2, b.AccMS2)
			}
		}
	}
}

func TestCSVReadInBatches(t *testing.T) {
	r, err := NewCSVReader(strings.NewReader("t,ax,ay,az\n0,1,2,3\n1,1,2,3\n2,1,2,3\n"))
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]gait.Sample, 2)
	n, err := r.Read(buf)
	if n != 2 || err != nil {
		t.Fatalf("first read %d, %v", n, err)
	}
	n, err = r.Read(buf)
	if n != 1 || err != nil {
		t.Fatalf("second read %d, %v", n, err)
	}
	if n, err = r.Read(buf); n != 0 || err != io.EOF {
		t.Fatalf("third read %d, %v", n, err)
	}
}

func FuzzCSV(f *testing.F) {
	f.Add([]byte("t,ax,ay,az,gx,gy,gz\n0,1,2,3,4,5,6\n0.01,1,2,3,4,5,6\n"))
	f.Add([]byte("t,ax,ay,az\n0,1,2,3\n"))
	f.Add([]byte("t,ax,ay,az,gx,gy,gz\n0,1,2,3,,,\n"))
	f.Add([]byte("t,ax,ay,az,gx,gy,gz\n0,1,x,3,4,5,6\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := NewCSVReader(bytes.NewReader(b))
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error is not a *ParseError: %v", err)
			}
			return
		}
		rec, err := gait.ReadAll(r)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line < 1 {
				t.Fatalf("error without a line: %v", err)
			}
			return
		}
		// whatever parses must analyse without panicking
		if _, err := gait.AnalyzeRecording(rec, gait.Options{}); err != nil {
			t.Fatal(err)
		}
	})
}

// BenchmarkParseCSV parses a 2-minute, 100 Hz recording (12 000 rows).
func BenchmarkParseCSV(b *testing.B) {
	rec, _ := synth.Walk(synth.WalkParams{WalkS: 120, Seed: 1})
	var buf bytes.Buffer
	if err := WriteCSV(&buf, rec); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r, err := NewCSVReader(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := gait.ReadAll(r); err != nil {
			b.Fatal(err)
		}
	}
}
