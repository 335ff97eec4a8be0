package imu

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"legwork/gait"
	"legwork/synth"
)

// slCSV writes one Sensor Logger file: time (ns), seconds_elapsed, z, y, x.
func slCSV(t0 time.Time, times []float64, vals []gait.Vec3) string {
	var b strings.Builder
	b.WriteString("time,seconds_elapsed,z,y,x\n")
	for i, s := range times {
		fmt.Fprintf(&b, "%d,%.6f,%.17g,%.17g,%.17g\n", t0.UnixNano()+int64(s*1e9+0.5), s, vals[i][2], vals[i][1], vals[i][0])
	}
	return b.String()
}

// slExport splits a recording the way Sensor Logger writes it: user
// acceleration and gravity (a gravity estimate: the mean acceleration),
// optionally in iOS's sign convention, and the gyroscope.
func slExport(rec *gait.Recording, t0 time.Time, ios bool, meta string) map[string]string {
	var mean gait.Vec3
	for _, s := range rec.Samples {
		for k := 0; k < 3; k++ {
			mean[k] += s.AccMS2[k] / float64(len(rec.Samples))
		}
	}
	sign := 1.0
	if ios {
		sign = -1
	}
	var times []float64
	var user, grav, gyro, total []gait.Vec3
	for _, s := range rec.Samples {
		times = append(times, s.TimeS)
		var u, g gait.Vec3
		for k := 0; k < 3; k++ {
			g[k] = sign * mean[k]
			u[k] = sign * (s.AccMS2[k] - mean[k])
		}
		user, grav, gyro, total = append(user, u), append(grav, g), append(gyro, s.GyroRPS), append(total, s.AccMS2)
	}
	files := map[string]string{
		"Accelerometer.csv": slCSV(t0, times, user),
		"Gravity.csv":       slCSV(t0, times, grav),
		"Gyroscope.csv":     slCSV(t0, times, gyro),
	}
	if !ios {
		files["TotalAcceleration.csv"] = slCSV(t0, times, total)
	}
	if meta != "" {
		files["Metadata.csv"] = meta
	}
	return files
}

func TestSensorLogger(t *testing.T) {
	rec := shortWalk()
	t0 := time.Date(2024, 3, 1, 7, 30, 0, 0, time.UTC)
	iosMeta := "version,device name,recording time,platform\n3,iPhone,2024-03-01_07-30-00,ios\n"
	cases := []struct {
		name     string
		files    map[string]string
		drop     []string
		platform string
		negated  bool
	}{
		{"android total", slExport(rec, t0, false, "version,device name,recording time,platform\n3,Pixel,x,android\n"), nil, "android", false},
		{"android user+gravity", slExport(rec, t0, false, ""), []string{"TotalAcceleration.csv"}, "", false},
		{"ios", slExport(rec, t0, true, iosMeta), nil, "ios", true},
		{"ios standardised", slExport(rec, t0, false, "version,device name,recording time,platform,standardisation\n3,iPhone,x,ios,true\n"), []string{"TotalAcceleration.csv"}, "ios", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, d := range c.drop {
				delete(c.files, d)
			}
			var f SensorLoggerFiles
			rd := func(name string) *strings.Reader {
				if s, ok := c.files[name]; ok {
					return strings.NewReader(s)
				}
				return nil
			}
			if r := rd("Accelerometer.csv"); r != nil {
				f.Accelerometer = r
			}
			if r := rd("Gravity.csv"); r != nil {
				f.Gravity = r
			}
			if r := rd("TotalAcceleration.csv"); r != nil {
				f.TotalAcceleration = r
			}
			if r := rd("Gyroscope.csv"); r != nil {
				f.Gyroscope = r
			}
			if r := rd("Metadata.csv"); r != nil {
				f.Metadata = r
			}
			r, err := NewSensorLoggerReader(f)
			if err != nil {
				t.Fatal(err)
			}
			got, err := gait.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			// ns timestamps in float64 keep about 0.25 µs
			sameSamples(t, got, rec, true, 1e-6)
			if r.Platform() != c.platform || r.Negated() != c.negated {
				t.Errorf("platform %q negated %v, want %q %v", r.Platform(), r.Negated(), c.platform, c.negated)
			}
			if st, ok := r.Start(); !ok || st.Sub(t0).Abs() > time.Microsecond {
				t.Errorf("Start = %v %v, want %v", st, ok, t0)
			}
		})
	}
	// The platform override: an iOS export read as standardised.
	files := slExport(rec, t0, false, iosMeta)
	r, err := NewSensorLoggerReader(SensorLoggerFiles{Accelerometer: strings.NewReader(files["Accelerometer.csv"]), Gravity: strings.NewReader(files["Gravity.csv"]),
		Metadata: strings.NewReader(iosMeta), Platform: "android"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := gait.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	sameSamples(t, got, rec, false, 1e-6)
}

func TestSensorLoggerErrors(t *testing.T) {
	rec := shortWalk()
	files := slExport(rec, time.Unix(1.7e9, 0), true, "")
	if _, err := NewSensorLoggerReader(SensorLoggerFiles{Accelerometer: strings.NewReader(files["Accelerometer.csv"])}); err == nil || !strings.Contains(err.Error(), "Gravity.csv") {
		t.Errorf("accelerometer without gravity: %v", err)
	}
	bad := strings.Replace(files["Gravity.csv"], "\n", "\n1,2,3,4\n", 3)
	r, err := NewSensorLoggerReader(SensorLoggerFiles{Accelerometer: strings.NewReader(files["Accelerometer.csv"]), Gravity: strings.NewReader(bad)})
	if err == nil {
		_, err = gait.ReadAll(r)
	}
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Format != "sensorlogger Gravity.csv" || pe.Line != 2 {
		t.Errorf("short gravity row: %v", err)
	}
	_, err = NewSensorLoggerReader(SensorLoggerFiles{TotalAcceleration: strings.NewReader("time,seconds_elapsed,a,b,c\n")})
	if !errors.As(err, &pe) || pe.Field != "x" {
		t.Errorf("missing x column: %v", err)
	}
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	rec := shortWalk()
	t0 := time.Date(2024, 3, 1, 7, 30, 0, 0, time.UTC)
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var csvBuf, lwbBuf, jsonBuf bytes.Buffer
	WriteCSV(&csvBuf, rec)
	WriteLWB(&lwbBuf, rec)
	WriteJSON(&jsonBuf, rec, "test")
	zipOf := func(files map[string]string) []byte { return zipBytes(t, files) }
	cwa := newCWAEnc(CWAHardwareAX3, 0x4a, 0x30)
	cwa.sector(t0, 0, make([][6]int, 120))
	page := make([][3]int, 300)
	sl := slExport(rec, t0, true, "version,device name,recording time,platform\n3,iPhone,x,ios\n")
	for name, body := range sl {
		write(filepath.Join("sl", name), []byte(body))
	}
	cases := []struct {
		path   string
		format Format
		n      int
	}{
		{write("a.csv", csvBuf.Bytes()), FormatCSV, len(rec.Samples)},
		{write("a.lwb", lwbBuf.Bytes()), FormatLWB, len(rec.Samples)},
		{write("a.json", jsonBuf.Bytes()), FormatJSON, len(rec.Samples)},
		{write("a.cwa", cwa.buf.Bytes()), FormatCWA, 120},
		{write("a.bin", encodeGENEActiv([][][3]int{page}, []time.Time{t0}, "GMT +00:00")), FormatGENEActiv, 300},
		{write("raw.csv", []byte(phyphoxCSV(rec, "acc", ",", "."))), FormatPhyphox, len(rec.Samples)},
		{write("phyphox.zip", zipOf(map[string]string{"Raw Data.csv": phyphoxCSV(rec, "acc", ";", ",")})), FormatPhyphox, len(rec.Samples)},
		{write("sl.zip", zipOf(sl)), FormatSensorLogger, len(rec.Samples)},
		{filepath.Join(dir, "sl"), FormatSensorLogger, len(rec.Samples)},
		{filepath.Join(dir, "sl", "Accelerometer.csv"), FormatSensorLogger, len(rec.Samples)},
		{write("TotalAcceleration.csv", []byte(slExport(rec, t0, false, "")["TotalAcceleration.csv"])), FormatSensorLogger, len(rec.Samples)},
	}
	for _, c := range cases {
		src, closer, format, err := OpenFormat(c.path)
		if err != nil {
			t.Errorf("%s: %v", c.path, err)
			continue
		}
		got, err := gait.ReadAll(src)
		closer.Close()
		if err != nil || format != c.format || len(got.Samples) != c.n {
			t.Errorf("%s: format %q, %d samples, err %v; want %q, %d", filepath.Base(c.path), format, len(got.Samples), err, c.format, c.n)
		}
	}
	// Sensor Logger from iOS comes out in legwork's convention.
	src, closer, err := Open(filepath.Join(dir, "sl"))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := gait.ReadAll(src)
	closer.Close()
	sameSamples(t, got, rec, true, 1e-6)
	if _, ok := src.(Started); !ok {
		t.Error("the Sensor Logger source does not implement Started")
	}
	for name, data := range map[string][]byte{
		"unknown.csv": []byte("a,b,c\n1,2,3\n"),
		"empty.zip":   zipOf(map[string]string{"notes.txt": "hello"}),
	} {
		if _, _, err := Open(write(name, data)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, _, err := Open(filepath.Join(dir, "missing.cwa")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func FuzzSensorLogger(f *testing.F) {
	rec, _ := synth.Walk(synth.WalkParams{WalkS: 0.2, Seed: 1})
	files := slExport(rec, time.Unix(1.7e9, 0), true, "")
	f.Add([]byte(files["Accelerometer.csv"]), []byte(files["Gravity.csv"]), []byte(files["Gyroscope.csv"]))
	f.Add([]byte("time,seconds_elapsed,z,y,x\n1,0,1,2,3\n"), []byte("time,seconds_elapsed,z,y,x\n0,0,1,1,1\n5,0,2,2,2\n"), []byte(""))
	f.Fuzz(func(t *testing.T, acc, grav, gyro []byte) {
		checkSource(t, func() (*SensorLoggerReader, error) {
			fs := SensorLoggerFiles{Accelerometer: bytes.NewReader(acc), Gravity: bytes.NewReader(grav)}
			if len(gyro) > 0 {
				fs.Gyroscope = bytes.NewReader(gyro)
			}
			return NewSensorLoggerReader(fs)
		})
	})
}
