package imu

import (
	"bytes"
	"errors"
	"io"
	"math"
	"strings"
	"testing"

	"legwork/gait"
)

func testRecording(n int, gyro bool) *gait.Recording {
	r := &gait.Recording{Gyro: gyro}
	for i := 0; i < n; i++ {
		t := float64(i) / 100
		s := gait.Sample{TimeS: t, AccMS2: gait.Vec3{math.Sin(t), 0.5 * math.Cos(3*t), 9.81 + 0.25*math.Sin(11*t)}}
		if gyro {
			s.GyroRPS = gait.Vec3{0.1 * math.Sin(2*t), -0.2, 0.05 * t}
		}
		r.Samples = append(r.Samples, s)
	}
	return r
}

func readAll(t *testing.T, src gait.Source) []gait.Sample {
	t.Helper()
	rec, err := gait.ReadAll(src)
	if err != nil {
		t.Fatal(err)
	}
	return rec.Samples
}

func TestJSONRoundTrip(t *testing.T) {
	for _, gyro := range []bool{false, true} {
		rec := testRecording(1234, gyro)
		var buf bytes.Buffer
		if err := WriteJSON(&buf, rec, "Phone/2"); err != nil {
			t.Fatal(err)
		}
		r, err := NewJSONReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if r.HasGyro() != gyro || r.UserAgent() != "Phone/2" || r.Len() != 1234 {
			t.Fatalf("gyro %v ua %q len %d", r.HasGyro(), r.UserAgent(), r.Len())
		}
		got := readAll(t, r)
		for i := range got {
			if got[i] != rec.Samples[i] {
				t.Fatalf("sample %d: %+v, want %+v", i, got[i], rec.Samples[i])
			}
		}
	}
}

func TestJSONErrors(t *testing.T) {
	for _, tc := range []struct {
		doc   string
		line  int
		field string
		msg   string
	}{
		{`[1,2]`, 0, "", "object"},
		{`null`, 0, "", "object"},
		{`{"t":[0,1],"ax":[0,0],"ay":[0,0],"az":[9.8,9.8]`, 0, "", "not valid JSON"},
		{"{\n\"t\": [0, 1],\n \"ax\" [0]}", 0, "", "line 3"},
		{`{"t":[0,1],"ax":[0,0],"ay":[0,0]}`, 0, "az", "missing"},
		{`{"t":[0,1],"ax":[0,0],"ay":[0,0],"az":[9.8,null]}`, 2, "az", "not a number"},
		{`{"t":[0,1],"ax":[0,"1"],"ay":[0,0],"az":[9.8,9.8]}`, 2, "ax", "not a number"},
		{`{"t":[0,1e999],"ax":[0,0],"ay":[0,0],"az":[9.8,9.8]}`, 2, "t", "finite"},
		{`{"t":[0,1,2],"ax":[0,0],"ay":[0,0],"az":[9.8,9.8]}`, 3, "ax", "has 2 values"},
		{`{"t":[0,1],"ax":[0,0],"ay":[0,0],"az":[9.8,9.8],"gx":[0,0]}`, 0, "gy", "missing"},
		{`{"t":[0,1],"ax":[0,0],"ay":[0,0],"az":[9.8,9.8],"speed":[1,2]}`, 0, "speed", "unknown"},
		{`{"t":[0,1],"ax":[0,0],"ay":[0,0],"az":[9.8,9.8],"format":"csv"}`, 0, "format", "legwork-json/1"},
		{`{"t":[0,1],"ax":[0,0],"ay":[0,0],"az":[9.8,9.8],"user_agent":5}`, 0, "user_agent", "string"},
		{`{"t":{"a":1},"ax":[0,0],"ay":[0,0],"az":[9.8,9.8]}`, 0, "t", "array"},
	} {
		_, err := NewJSONReader(strings.NewReader(tc.doc))
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%s: error %v is not a *ParseError", tc.doc, err)
			continue
		}
		if pe.Format != "json" || pe.Line != tc.line || pe.Field != tc.field || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v (line %d field %q), want line %d field %q mentioning %q", tc.doc, err, pe.Line, pe.Field, tc.line, tc.field, tc.msg)
		}
	}
}

func TestJSONEmptyRecording(t *testing.T) {
	r, err := NewJSONReader(strings.NewReader(`{"t":[],"ax":[],"ay":[],"az":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := r.Read(make([]gait.Sample, 4)); n != 0 || !errors.Is(err, io.EOF) {
		t.Fatalf("read %d, %v", n, err)
	}
}

func FuzzJSON(f *testing.F) {
	var buf bytes.Buffer
	WriteJSON(&buf, testRecording(5, true), "ua")
	f.Add(buf.Bytes())
	buf.Reset()
	WriteJSON(&buf, testRecording(3, false), "")
	f.Add(buf.Bytes())
	f.Add([]byte(`{"t":[0,1],"ax":[0,0],"ay":[0,0],"az":[9.8,null]}`))
	f.Add([]byte(`{"t":[0],"ax":[0],"ay":[0],"az":[1],"gx":[0],"gy":[0]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewJSONReader(bytes.NewReader(data))
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			return
		}
		rec, err := gait.ReadAll(r)
		if err != nil {
			t.Fatalf("read after a successful open: %v", err)
		}
		if len(rec.Samples) != r.Len() {
			t.Fatalf("%d samples, header says %d", len(rec.Samples), r.Len())
		}
		for i, s := range rec.Samples {
			for _, v := range append([]float64{s.TimeS}, append(s.AccMS2[:], s.GyroRPS[:]...)...) {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("sample %d not finite: %+v", i, s)
				}
			}
		}
		// What was read writes and reads back the same.
		var out bytes.Buffer
		if err := WriteJSON(&out, rec, r.UserAgent()); err != nil {
			t.Fatal(err)
		}
		r2, err := NewJSONReader(&out)
		if err != nil {
			t.Fatalf("re-read: %v", err)
		}
		rec2, _ := gait.ReadAll(r2)
		if len(rec2.Samples) != len(rec.Samples) || rec2.Gyro != rec.Gyro {
			t.Fatalf("round trip changed the recording")
		}
		for i := range rec.Samples {
			if rec.Samples[i] != rec2.Samples[i] {
				t.Fatalf("round trip changed sample %d", i)
			}
		}
	})
}
