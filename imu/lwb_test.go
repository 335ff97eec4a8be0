package imu

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"strings"
	"testing"

	"legwork/gait"
)

func lwbBytes(t testing.TB, rec *gait.Recording) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteLWB(&buf, rec); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestLWBRoundTrip(t *testing.T) {
	for _, gyro := range []bool{false, true} {
		rec := testRecording(5000, gyro)
		data := lwbBytes(t, rec)
		recLen := 20
		if gyro {
			recLen = 32
		}
		if len(data) != LWBHeaderSize+recLen*5000 {
			t.Fatalf("%d bytes", len(data))
		}
		r, err := NewLWBReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if r.HasGyro() != gyro || r.Len() != 5000 {
			t.Fatalf("gyro %v len %d", r.HasGyro(), r.Len())
		}
		got := readAll(t, r)
		if len(got) != 5000 {
			t.Fatalf("%d samples", len(got))
		}
		for i, s := range got {
			w := rec.Samples[i]
			if s.TimeS != w.TimeS { // float64: exact
				t.Fatalf("sample %d time %v, want %v", i, s.TimeS, w.TimeS)
			}
			for j := 0; j < 3; j++ {
				if s.AccMS2[j] != float64(float32(w.AccMS2[j])) || s.GyroRPS[j] != float64(float32(w.GyroRPS[j])) {
					t.Fatalf("sample %d: %+v, want %+v to float32 precision", i, s, w)
				}
			}
		}
	}
}

// corrupt returns a copy of data changed by f, with the checksum fixed.
func corrupt(data []byte, fixCRC bool, f func([]byte) []byte) []byte {
	d := f(bytes.Clone(data))
	if fixCRC && len(d) >= LWBHeaderSize {
		binary.LittleEndian.PutUint32(d[12:], crc32.ChecksumIEEE(d[LWBHeaderSize:]))
	}
	return d
}

func TestLWBErrors(t *testing.T) {
	good := lwbBytes(t, testRecording(10, true))
	nan := math.Float32bits(float32(math.NaN()))
	for _, tc := range []struct {
		name  string
		data  []byte
		line  int
		field string
		msg   string
	}{
		{"empty", nil, 0, "", "empty"},
		{"short header", good[:9], 0, "", "header is 9 bytes"},
		{"magic", corrupt(good, false, func(d []byte) []byte { copy(d, "CSV,"); return d }), 0, "magic", "LWB1"},
		{"version", corrupt(good, false, func(d []byte) []byte { d[4] = 2; return d }), 0, "version", "not supported"},
		{"flags", corrupt(good, false, func(d []byte) []byte { d[5] = 0x81; return d }), 0, "flags", "unknown flags"},
		{"reserved", corrupt(good, false, func(d []byte) []byte { d[6] = 1; return d }), 0, "reserved", "zero"},
		{"truncated", good[:LWBHeaderSize+32*4+7], 5, "", "ends after 7 of 32"},
		{"trailing", append(bytes.Clone(good), 0), 11, "", "follows"},
		{"count too big", corrupt(good, false, func(d []byte) []byte { d[8] = 11; return d }), 11, "", "announces 11"},
		{"crc", corrupt(good, false, func(d []byte) []byte { d[LWBHeaderSize+40] ^= 1; return d }), 0, "crc32", "damaged"},
		{"nan accel", corrupt(good, true, func(d []byte) []byte {
			binary.LittleEndian.PutUint32(d[LWBHeaderSize+32*2+8+4:], nan)
			return d
		}), 3, "ay", "finite"},
		{"inf time", corrupt(good, true, func(d []byte) []byte {
			binary.LittleEndian.PutUint64(d[LWBHeaderSize+32*6:], math.Float64bits(math.Inf(1)))
			return d
		}), 7, "t", "finite"},
		{"nan gyro", corrupt(good, true, func(d []byte) []byte {
			binary.LittleEndian.PutUint32(d[LWBHeaderSize+32*9+28:], nan)
			return d
		}), 10, "gz", "finite"},
	} {
		r, err := NewLWBReader(bytes.NewReader(tc.data))
		if err == nil {
			_, err = gait.ReadAll(r)
		}
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%s: error %v is not a *ParseError", tc.name, err)
			continue
		}
		if pe.Format != "lwb1" || pe.Line != tc.line || pe.Field != tc.field || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v (line %d field %q), want line %d field %q mentioning %q", tc.name, err, pe.Line, pe.Field, tc.line, tc.field, tc.msg)
		}
		// records, not lines, once past the header
		if pe.Line > 0 && !strings.Contains(err.Error(), fmt.Sprintf("record %d", pe.Line)) {
			t.Errorf("%s: message %q does not name record %d", tc.name, err, pe.Line)
		}
	}
}

func BenchmarkLWBRead(b *testing.B) {
	data := lwbBytes(b, testRecording(12000, true))
	buf := make([]gait.Sample, 4096)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r, err := NewLWBReader(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, err := r.Read(buf)
			if err != nil {
				break
			}
		}
	}
}

func BenchmarkJSONRead(b *testing.B) {
	var buf bytes.Buffer
	WriteJSON(&buf, testRecording(12000, true), "")
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r, err := NewJSONReader(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		gait.ReadAll(r)
	}
}

func FuzzLWB(f *testing.F) {
	f.Add(lwbBytes(f, testRecording(4, true)))
	f.Add(lwbBytes(f, testRecording(3, false)))
	f.Add(lwbBytes(f, testRecording(0, false)))
	f.Add([]byte("LWB1\x01\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00"))
	f.Add([]byte("LWB1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewLWBReader(bytes.NewReader(data))
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			return
		}
		rec, err := gait.ReadAll(r)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			return
		}
		if len(rec.Samples) != r.Len() {
			t.Fatalf("%d samples, header says %d", len(rec.Samples), r.Len())
		}
		// A file that reads cleanly writes back byte for byte.
		if out := lwbBytes(t, rec); !bytes.Equal(out, data) {
			t.Fatalf("round trip differs:\n%x\n%x", data, out)
		}
	})
}
