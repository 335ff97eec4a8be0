package imu

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
)

// Sensor Logger (Kelvin Choi's app for iOS and Android,
// tszheichoi.com/sensorlogger) exports a recording as a zip (or a folder)
// of CSV files, one per sensor, documented in the app's companion
// repository tszheichoi/awesome-sensor-logger (README.md, UNITS.md,
// COORDINATES.md, CROSSPLATFORM.md):
//
//   - every file has the columns time (Unix epoch in nanoseconds, UTC) and
//     seconds_elapsed (seconds since the recording started), then the
//     values, for the motion sensors z, y, x;
//   - Accelerometer.csv is the acceleration *without* gravity (the user's
//     own acceleration), in m/s² on both platforms (calibrated; g taken as
//     9.80665 m/s²);
//   - Gravity.csv is the gravity vector in m/s², in the same frame and sign
//     convention as Accelerometer.csv;
//   - TotalAcceleration.csv (Android only) is the acceleration with
//     gravity, the raw accelerometer, in m/s²;
//   - Gyroscope.csv is the angular rate in rad/s, the same on both platforms;
//   - Metadata.csv has one row with, among others, "platform" (iOS or
//     Android) and "recording time".
//
// iOS and Android differ by a sign on all three acceleration axes (and on
// gravity): Android reports the accelerating force (flat on a table,
// gravity reads +z), iOS the inertial force (−z). Since app version 1.29 the
// "Standardise Units & Frames" setting converts iOS values to Android's
// convention.
//
// What legwork reads, and why: the analysis needs acceleration including
// gravity with the upward axis reading +9.81 at rest — Android's
// convention. So the reader uses TotalAcceleration.csv when the export has
// it; otherwise it adds Gravity.csv (interpolated at the accelerometer's
// timestamps) to Accelerometer.csv, and negates the sum when Metadata.csv
// says the platform is iOS and has no standardisation column set to true.
// Without Metadata.csv the Android convention (the standardised frame) is
// assumed; SensorLoggerFiles.Platform overrides the metadata. An export with
// Accelerometer.csv but neither Gravity.csv nor TotalAcceleration.csv is
// refused: gravity cannot be recovered. Gyroscope.csv, when present, is
// interpolated at the accelerometer's timestamps. Uncalibrated files and
// the watch's WristMotion.csv (in g unless standardised) are not read.
type SensorLoggerReader struct {
	*mergeSource
	platform string
	negated  bool
	closers  []io.Closer
}

// SensorLoggerFiles are the files of a Sensor Logger export. Either
// TotalAcceleration or Accelerometer and Gravity are required.
type SensorLoggerFiles struct {
	Accelerometer     io.Reader // Accelerometer.csv: without gravity
	Gravity           io.Reader // Gravity.csv
	TotalAcceleration io.Reader // TotalAcceleration.csv (Android): with gravity
	Gyroscope         io.Reader // Gyroscope.csv (optional)
	Metadata          io.Reader // Metadata.csv (optional)
	// Platform, when "ios" or "android", overrides Metadata.csv's platform
	// (use "android" for an iOS export made with "Standardise Units &
	// Frames" on).
	Platform string
}

var slTime = []string{"time"}
var slAxes = []string{"x", "y", "z"}

// NewSensorLoggerReader reads the headers (and the whole of Metadata.csv)
// and the first sample.
func NewSensorLoggerReader(f SensorLoggerFiles) (*SensorLoggerReader, error) {
	s := &SensorLoggerReader{}
	standardised := false
	if f.Metadata != nil {
		var err error
		if s.platform, standardised, err = sensorLoggerMeta(f.Metadata); err != nil {
			return nil, err
		}
	}
	if p := strings.ToLower(f.Platform); p != "" {
		if p != "ios" && p != "android" {
			return nil, fmt.Errorf("sensorlogger: platform %q is neither \"ios\" nor \"android\"", f.Platform)
		}
		s.platform, standardised = p, false
	}
	m := &mergeSource{timeScale: 1e-9, accSign: 1}
	open := func(name string, r io.Reader) (*stream, error) {
		t, err := newTable("sensorlogger "+name, r)
		if err != nil {
			return nil, err
		}
		if t.cols, err = t.pick(slTime, slAxes); err != nil {
			return nil, err
		}
		return &stream{t: t}, nil
	}
	var err error
	switch {
	case f.TotalAcceleration != nil:
		if m.acc, err = open("TotalAcceleration.csv", f.TotalAcceleration); err != nil {
			return nil, err
		}
	case f.Accelerometer != nil && f.Gravity != nil:
		if m.acc, err = open("Accelerometer.csv", f.Accelerometer); err != nil {
			return nil, err
		}
		if m.grav, err = open("Gravity.csv", f.Gravity); err != nil {
			return nil, err
		}
		if s.platform == "ios" && !standardised {
			m.accSign, s.negated = -1, true
		}
	case f.Accelerometer != nil:
		return nil, &ParseError{Format: "sensorlogger", Field: "Gravity.csv", Err: errors.New("Accelerometer.csv holds acceleration without gravity: the export needs Gravity.csv (or TotalAcceleration.csv) too")}
	default:
		return nil, &ParseError{Format: "sensorlogger", Err: errors.New("no accelerometer file (TotalAcceleration.csv, or Accelerometer.csv with Gravity.csv)")}
	}
	if f.Gyroscope != nil {
		if m.gyro, err = open("Gyroscope.csv", f.Gyroscope); err != nil {
			return nil, err
		}
	}
	s.mergeSource = m
	if err := m.init(); err != nil {
		return nil, err
	}
	return s, nil
}

// sensorLoggerMeta reads Metadata.csv: the platform (lower case) and
// whether a standardisation column is true.
func sensorLoggerMeta(r io.Reader) (platform string, standardised bool, err error) {
	t, err := newTable("sensorlogger Metadata.csv", r)
	if err != nil {
		return "", false, err
	}
	f, err := t.fields()
	if errors.Is(err, io.EOF) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	for i, h := range t.header {
		if i >= len(f) {
			break
		}
		v := strings.ToLower(unquote(string(f[i])))
		switch {
		case h == "platform":
			platform = v
		case strings.HasPrefix(h, "standardis"), strings.HasPrefix(h, "standardiz"):
			standardised = v == "true" || v == "1" || v == "yes" || v == "on"
		}
	}
	return platform, standardised, nil
}

// Platform returns the platform the export came from ("ios", "android"),
// or "" when unknown.
func (s *SensorLoggerReader) Platform() string { return s.platform }

// Negated reports whether the acceleration was negated to convert iOS's
// convention to legwork's.
func (s *SensorLoggerReader) Negated() bool { return s.negated }

// Start returns the UTC time of the first accelerometer sample (zoned
// true).
func (s *SensorLoggerReader) Start() (time.Time, bool) {
	if !s.started {
		return time.Time{}, false
	}
	return time.Unix(0, int64(s.t0)).UTC(), true
}

// Close closes the zip entries OpenSensorLoggerZip opened.
func (s *SensorLoggerReader) Close() error {
	var err error
	for _, c := range s.closers {
		err = errors.Join(err, c.Close())
	}
	s.closers = nil
	return err
}

// sensorLoggerNames maps lower-cased file names to the field they fill.
var sensorLoggerNames = []string{"accelerometer.csv", "gravity.csv", "totalacceleration.csv", "gyroscope.csv", "metadata.csv"}

// isSensorLoggerName reports whether a file name is one of the Sensor
// Logger files legwork reads.
func isSensorLoggerName(name string) bool {
	b := strings.ToLower(path.Base(name))
	for _, n := range sensorLoggerNames {
		if b == n {
			return true
		}
	}
	return false
}

// sensorLoggerOpen builds a reader from named files, opened by open. The
// closers returned by open are closed by the reader's Close, or at once on
// error.
func sensorLoggerOpen(names []string, open func(name string) (io.ReadCloser, error)) (*SensorLoggerReader, error) {
	var f SensorLoggerFiles
	var closers []io.Closer
	fail := func(err error) (*SensorLoggerReader, error) {
		for _, c := range closers {
			c.Close()
		}
		return nil, err
	}
	for _, name := range names {
		var dst *io.Reader
		switch strings.ToLower(path.Base(name)) {
		case "accelerometer.csv":
			dst = &f.Accelerometer
		case "gravity.csv":
			dst = &f.Gravity
		case "totalacceleration.csv":
			dst = &f.TotalAcceleration
		case "gyroscope.csv":
			dst = &f.Gyroscope
		case "metadata.csv":
			dst = &f.Metadata
		default:
			continue
		}
		if *dst != nil {
			continue // a nested copy; the first one wins
		}
		rc, err := open(name)
		if err != nil {
			return fail(&ParseError{Format: "sensorlogger", Field: name, Err: err})
		}
		closers = append(closers, rc)
		*dst = rc
	}
	s, err := NewSensorLoggerReader(f)
	if err != nil {
		return fail(err)
	}
	s.closers = closers
	return s, nil
}

// OpenSensorLoggerZip reads a Sensor Logger zip export. Close the reader to
// close the zip entries.
func OpenSensorLoggerZip(zr *zip.Reader) (*SensorLoggerReader, error) {
	var names []string
	byName := map[string]*zip.File{}
	for _, f := range zr.File {
		if isSensorLoggerName(f.Name) {
			names = append(names, f.Name)
			byName[f.Name] = f
		}
	}
	return sensorLoggerOpen(names, func(name string) (io.ReadCloser, error) { return byName[name].Open() })
}
