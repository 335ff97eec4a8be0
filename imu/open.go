package imu

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"legwork/gait"
)

// Started is implemented by the sources that know when their first sample
// was taken: Start returns that time and whether it is an instant (zoned
// true) or a device's wall-clock time of unknown zone labelled UTC (zoned
// false, the Axivity case). Sources that do not know return the zero time.
type Started interface {
	Start() (t time.Time, zoned bool)
}

// Format names the file formats Open recognises.
type Format string

// The formats.
const (
	FormatCSV          Format = "csv"          // legwork CSV (CSVHeader)
	FormatJSON         Format = "json"         // legwork JSON (the web app's form)
	FormatLWB          Format = "lwb1"         // legwork LWB1
	FormatCWA          Format = "cwa"          // Axivity AX3/AX6 .cwa
	FormatGENEActiv    Format = "geneactiv"    // GENEActiv .bin
	FormatPhyphox      Format = "phyphox"      // phyphox CSV or zip export
	FormatSensorLogger Format = "sensorlogger" // Sensor Logger zip, folder or TotalAcceleration.csv
)

// Open opens a recording file for analysis, choosing the reader from the
// file's content (and, for CSV files, the header):
//
//   - a zip: a Sensor Logger export (Accelerometer.csv and Gravity.csv, or
//     TotalAcceleration.csv), else a phyphox export (a table with
//     "Acceleration x (m/s^2)");
//   - a folder: a Sensor Logger export unzipped;
//   - "MD" followed by the header length 1020: Axivity .cwa;
//   - "Device Identity" on the first line: GENEActiv .bin;
//   - "LWB1": legwork's binary form; a JSON object: legwork's JSON form;
//   - a CSV file: legwork's own header (t,ax,ay,az,…), phyphox's quoted
//     "Time (s)" header, or Sensor Logger's time,seconds_elapsed,z,y,x (a
//     Sensor Logger Accelerometer.csv is read with the Gravity.csv,
//     Gyroscope.csv and Metadata.csv beside it).
//
// The returned Closer closes the file(s); close it after reading. Sources
// that know their start time implement Started. Errors are *ParseError
// values when the content is at fault.
func Open(path string) (gait.Source, io.Closer, error) {
	src, c, _, err := OpenFormat(path)
	return src, c, err
}

// OpenFormat is Open, also returning the format it recognised.
func OpenFormat(path string) (gait.Source, io.Closer, Format, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, "", err
	}
	if st.IsDir() {
		s, err := openSensorLoggerDir(path)
		if err != nil {
			return nil, nil, "", err
		}
		return s, s, FormatSensorLogger, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, "", err
	}
	src, closer, format, err := openFile(f, path, st.Size())
	if err != nil {
		f.Close()
		return nil, nil, "", err
	}
	return src, closer, format, nil
}

type multiCloser []io.Closer

func (m multiCloser) Close() error {
	var err error
	for _, c := range m {
		err = errors.Join(err, c.Close())
	}
	return err
}

func openFile(f *os.File, name string, size int64) (gait.Source, io.Closer, Format, error) {
	head := make([]byte, 4096)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, nil, "", err
	}
	head = head[:n]
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, nil, "", err
	}
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	firstLine, _, _ := bytes.Cut(trimmed, []byte("\n"))
	firstLine = bytes.TrimSpace(firstLine)
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		zr, err := zip.NewReader(f, size)
		if err != nil {
			return nil, nil, "", &ParseError{Format: "zip", Err: err}
		}
		src, c, format, err := openZip(zr)
		if err != nil {
			return nil, nil, "", err
		}
		return src, multiCloser{c, f}, format, nil
	case len(head) >= 4 && head[0] == 'M' && head[1] == 'D' && head[2] == 0xfc && head[3] == 0x03:
		r, err := NewCWAReader(f)
		return r, f, FormatCWA, err
	case string(firstLine) == "Device Identity":
		r, err := NewGENEActivReader(f)
		return r, f, FormatGENEActiv, err
	case bytes.HasPrefix(head, []byte(LWBMagic)):
		r, err := NewLWBReader(f)
		return r, f, FormatLWB, err
	case bytes.HasPrefix(trimmed, []byte("{")):
		r, err := NewJSONReader(bufio.NewReader(f))
		return r, f, FormatJSON, err
	}
	// A CSV file: decide by the header.
	h := strings.ToLower(string(firstLine))
	switch {
	case strings.HasPrefix(strings.ReplaceAll(h, " ", ""), "t,ax,ay,az"):
		r, err := NewCSVReader(f)
		return r, f, FormatCSV, err
	case strings.Contains(h, "time (s)"):
		r, err := NewPhyphoxReader(PhyphoxFiles{Acceleration: f})
		return r, f, FormatPhyphox, err
	case strings.HasPrefix(h, "time,seconds_elapsed"):
		return openSensorLoggerCSV(f, name)
	}
	what := fmt.Sprintf("first line %q", truncateText(firstLine))
	if !isText(firstLine) {
		what = "binary data in no format legwork knows; a damaged file?"
	}
	return nil, nil, "", &ParseError{Format: "unknown", Line: 1, Err: fmt.Errorf("not a recording legwork can read (%s); it reads CSV (t,ax,ay,az,gx,gy,gz), phyphox, Sensor Logger, Axivity .cwa, GENEActiv .bin, and the web app's JSON and LWB1", what)}
}

// isText reports whether b is valid UTF-8 without control characters
// other than tab and carriage return.
func isText(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, r := range string(b) {
		if r < 0x20 && r != '\t' && r != '\r' || r == 0x7f {
			return false
		}
	}
	return true
}

// openZip recognises a Sensor Logger or phyphox zip.
func openZip(zr *zip.Reader) (gait.Source, io.Closer, Format, error) {
	sl, ph := 0, false
	for _, f := range zr.File {
		if isSensorLoggerName(f.Name) {
			sl++
		}
		if strings.HasSuffix(strings.ToLower(f.Name), ".csv") && !isSensorLoggerName(f.Name) {
			ph = true
		}
	}
	if sl > 0 {
		s, err := OpenSensorLoggerZip(zr)
		return s, s, FormatSensorLogger, err
	}
	if ph {
		p, err := OpenPhyphoxZip(zr)
		return p, p, FormatPhyphox, err
	}
	return nil, nil, "", &ParseError{Format: "zip", Err: errors.New("the zip holds no Sensor Logger or phyphox export (an Apple Health export.zip is read by the applehealth package)")}
}

// openSensorLoggerCSV opens a single Sensor Logger CSV: a
// TotalAcceleration.csv on its own, or an Accelerometer.csv with the files
// beside it.
func openSensorLoggerCSV(f *os.File, name string) (gait.Source, io.Closer, Format, error) {
	switch strings.ToLower(filepath.Base(name)) {
	case "accelerometer.csv", "gravity.csv", "gyroscope.csv":
		s, err := openSensorLoggerDir(filepath.Dir(name))
		if err != nil {
			return nil, nil, "", err
		}
		return s, multiCloser{s, f}, FormatSensorLogger, nil
	}
	s, err := NewSensorLoggerReader(SensorLoggerFiles{TotalAcceleration: f})
	return s, f, FormatSensorLogger, err
}

func openSensorLoggerDir(dir string) (*SensorLoggerReader, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && isSensorLoggerName(e.Name()) {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		return nil, &ParseError{Format: "sensorlogger", Err: fmt.Errorf("%s holds no Sensor Logger files (Accelerometer.csv, Gravity.csv, TotalAcceleration.csv, …)", dir)}
	}
	return sensorLoggerOpen(names, func(name string) (io.ReadCloser, error) { return os.Open(filepath.Join(dir, name)) })
}
