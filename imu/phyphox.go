package imu

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"strconv"
	"strings"
	"time"

	"legwork/gait"
)

// phyphox (RWTH Aachen, phyphox.org) exports an experiment's data as CSV,
// one file per export set, or as a zip holding "<set>.csv" files and a
// meta/ folder. The header row names every column in double quotes; the
// values are numbers with 10 significant digits in scientific notation,
// columns of different lengths are padded with "NaN"; the user picks the
// separator and decimal mark among "CSV (Comma, decimal point)", "CSV
// (Tabulator, decimal point)", "CSV (Semicolon, decimal point)", "CSV
// (Tabulator, decimal comma)" and "CSV (Semicolon, decimal comma)" (see
// ExperimentExportSet.swift in phyphox-ios and the experiment definitions
// accelerometer.phyphox and gyroscope.phyphox in phyphox-android).
//
// The built-in "Acceleration with g" experiment exports the set "Raw Data"
// with the columns "Time (s)", "Acceleration x (m/s^2)", "Acceleration y
// (m/s^2)", "Acceleration z (m/s^2)" (and sometimes "Absolute acceleration
// (m/s^2)", ignored); "Gyroscope" exports "Time (s)", "Gyroscope x (rad/s)",
// … . Times are seconds from the start of the experiment. Acceleration
// includes gravity in m/s² in Android's convention (the axis pointing up
// reads +9.81 at rest) on both platforms: phyphox-ios's
// ExperimentSensorInput.swift multiplies Core Motion's values, in g with the
// opposite sign, by kG = −9.81. That is legwork's convention, so values are
// taken as they are. "Linear
// Acceleration" (gravity removed) is refused: the analysis needs gravity.
//
// meta/time.csv, when present, has rows "event", "experiment time",
// "system time", "system time text": the START event's system time (Unix
// seconds) minus its experiment time dates the experiment's time zero.
//
// When the gyroscope comes in a separate table, its samples are linearly
// interpolated at the accelerometer's timestamps (held constant before the
// first and after the last gyroscope sample).
type PhyphoxReader struct {
	*mergeSource
	start   time.Time // experiment time zero; zero when unknown
	closers []io.Closer
}

// PhyphoxFiles are the tables of a phyphox export.
type PhyphoxFiles struct {
	// Acceleration is the "Acceleration with g" export (required); it may
	// also hold gyroscope columns.
	Acceleration io.Reader
	// Gyroscope is a "Gyroscope" export (optional).
	Gyroscope io.Reader
	// Time is meta/time.csv (optional).
	Time io.Reader
}

// NewPhyphoxReader reads the headers of the tables (and the whole of
// meta/time.csv) and the first samples.
func NewPhyphoxReader(f PhyphoxFiles) (*PhyphoxReader, error) {
	if f.Acceleration == nil {
		return nil, &ParseError{Format: "phyphox", Err: errors.New("no acceleration table")}
	}
	acc, err := newTable("phyphox", f.Acceleration)
	if err != nil {
		return nil, err
	}
	if err := acc.rejectLinear(); err != nil {
		return nil, err
	}
	cols, err := acc.pick(phyphoxTime, phyphoxAcc)
	if err != nil {
		return nil, err
	}
	m := &mergeSource{acc: &stream{t: acc}, timeScale: 1, accSign: 1}
	acc.cols = cols
	if g, ok := acc.pickOptional(phyphoxTime, phyphoxGyro); ok {
		// the gyroscope in the same rows
		m.acc.inlineGyro = g[1:]
	} else if f.Gyroscope != nil {
		gt, err := newTable("phyphox", f.Gyroscope)
		if err != nil {
			return nil, err
		}
		if gt.cols, err = gt.pick(phyphoxTime, phyphoxGyro); err != nil {
			return nil, err
		}
		m.gyro = &stream{t: gt}
	}
	p := &PhyphoxReader{mergeSource: m}
	if f.Time != nil {
		if p.start, err = phyphoxStart(f.Time); err != nil {
			return nil, err
		}
	}
	if err := m.init(); err != nil {
		return nil, err
	}
	return p, nil
}

var (
	phyphoxTime = []string{"time (s)"}
	phyphoxAcc  = []string{"acceleration x (m/s^2)", "acceleration y (m/s^2)", "acceleration z (m/s^2)"}
	phyphoxGyro = []string{"gyroscope x (rad/s)", "gyroscope y (rad/s)", "gyroscope z (rad/s)"}
)

// OpenPhyphoxZip reads a phyphox zip export: the .csv whose header has the
// acceleration columns, a .csv with gyroscope columns if there is one, and
// meta/time.csv. Close the reader to close the zip entries.
func OpenPhyphoxZip(zr *zip.Reader) (*PhyphoxReader, error) {
	var accF, gyroF, timeF *zip.File
	for _, f := range zr.File {
		name := strings.ToLower(f.Name)
		if !strings.HasSuffix(name, ".csv") {
			continue
		}
		if path.Base(name) == "time.csv" && strings.Contains(name, "meta") {
			timeF = f
			continue
		}
		head, err := zipHead(f)
		if err != nil {
			return nil, &ParseError{Format: "phyphox", Field: f.Name, Err: err}
		}
		h := strings.ToLower(head)
		switch {
		case accF == nil && (strings.Contains(h, phyphoxAcc[0]) || strings.Contains(h, "linear acceleration x")):
			accF = f
		case gyroF == nil && strings.Contains(h, phyphoxGyro[0]):
			gyroF = f
		}
	}
	if accF == nil {
		return nil, &ParseError{Format: "phyphox", Err: errors.New("the zip holds no table with \"Acceleration x (m/s^2)\": export the \"Acceleration with g\" experiment")}
	}
	var files PhyphoxFiles
	var closers []io.Closer
	open := func(f *zip.File) (io.Reader, error) {
		rc, err := f.Open()
		if err != nil {
			return nil, &ParseError{Format: "phyphox", Field: f.Name, Err: err}
		}
		closers = append(closers, rc)
		return rc, nil
	}
	var err error
	if files.Acceleration, err = open(accF); err == nil && gyroF != nil && gyroF != accF {
		files.Gyroscope, err = open(gyroF)
	}
	if err == nil && timeF != nil {
		files.Time, err = open(timeF)
	}
	var p *PhyphoxReader
	if err == nil {
		p, err = NewPhyphoxReader(files)
	}
	if err != nil {
		for _, c := range closers {
			c.Close()
		}
		return nil, err
	}
	p.closers = closers
	return p, nil
}

// Close closes the zip entries OpenPhyphoxZip opened.
func (p *PhyphoxReader) Close() error {
	var err error
	for _, c := range p.closers {
		err = errors.Join(err, c.Close())
	}
	p.closers = nil
	return err
}

// Start returns the time of the first sample when meta/time.csv dates the
// experiment (zoned true: an instant), else the zero time and false.
func (p *PhyphoxReader) Start() (time.Time, bool) {
	if p.start.IsZero() || !p.started {
		return time.Time{}, false
	}
	return p.start.Add(time.Duration(p.t0 * p.timeScale * float64(time.Second))), true
}

// phyphoxStart reads meta/time.csv and returns the instant of experiment
// time zero.
func phyphoxStart(r io.Reader) (time.Time, error) {
	t, err := newTable("phyphox time.csv", r)
	if err != nil {
		return time.Time{}, err
	}
	ev, e1 := t.index("event")
	et, e2 := t.index("experiment time")
	st, e3 := t.index("system time")
	if err := errors.Join(e1, e2, e3); err != nil {
		return time.Time{}, err
	}
	for {
		fields, err := t.fields()
		if errors.Is(err, io.EOF) {
			return time.Time{}, nil
		}
		if err != nil {
			return time.Time{}, err
		}
		if max(ev, et, st) >= len(fields) {
			return time.Time{}, t.perr("", "row has %d fields, want %d", len(fields), len(t.header))
		}
		if !strings.EqualFold(unquote(string(fields[ev])), "START") {
			continue
		}
		e, err := t.number(fields[et], t.header[et])
		if err != nil {
			return time.Time{}, err
		}
		s, err := t.number(fields[st], t.header[st])
		if err != nil {
			return time.Time{}, err
		}
		zero := s - e
		if !(zero > 0 && zero < 1e11) {
			return time.Time{}, t.perr(t.header[st], "%v is not a Unix time", s)
		}
		sec := math.Floor(zero)
		return time.Unix(int64(sec), int64(math.Round((zero-sec)*1e9))).UTC(), nil
	}
}

// table reads a delimited text table with a header row: phyphox's and
// Sensor Logger's exports. It finds the separator from the header (tab,
// then semicolon, then comma) and, with a tab or semicolon separator,
// accepts a decimal comma.
type table struct {
	format string
	sc     *bufio.Scanner
	line   int
	sep    byte
	header []string // lower-cased, unquoted, trimmed
	raw    []string // as written
	cols   []int    // picked columns: time, then x, y, z
	fbuf   [][]byte
	nbuf   []byte
}

func newTable(format string, r io.Reader) (*table, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	t := &table{format: format, sc: sc}
	for t.sc.Scan() {
		t.line++
		l := bytes.TrimSpace(t.sc.Bytes())
		if t.line == 1 {
			l = bytes.TrimPrefix(l, []byte("\xef\xbb\xbf"))
		}
		if len(l) == 0 {
			continue
		}
		switch {
		case bytes.IndexByte(l, '\t') >= 0:
			t.sep = '\t'
		case bytes.IndexByte(l, ';') >= 0:
			t.sep = ';'
		default:
			t.sep = ','
		}
		for _, f := range splitFields(l, t.sep, nil) {
			s := strings.TrimSpace(string(f))
			t.raw = append(t.raw, unquote(s))
			t.header = append(t.header, strings.ToLower(unquote(s)))
		}
		return t, nil
	}
	if err := t.sc.Err(); err != nil {
		return nil, &ParseError{Format: format, Line: t.line + 1, Err: err}
	}
	return nil, &ParseError{Format: format, Line: t.line, Err: errors.New("empty file: no header")}
}

func unquote(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = strings.ReplaceAll(s[1:len(s)-1], `""`, `"`)
	}
	return s
}

func splitFields(l []byte, sep byte, dst [][]byte) [][]byte {
	dst = dst[:0]
	for {
		i := bytes.IndexByte(l, sep)
		if i < 0 {
			return append(dst, l)
		}
		dst = append(dst, l[:i])
		l = l[i+1:]
	}
}

func (t *table) perr(field, format string, args ...any) error {
	return &ParseError{Format: t.format, Line: t.line, Field: field, Err: fmt.Errorf(format, args...)}
}

func (t *table) index(name string) (int, error) {
	for i, h := range t.header {
		if h == name {
			return i, nil
		}
	}
	return -1, &ParseError{Format: t.format, Line: t.line, Field: name, Err: fmt.Errorf("no %q column (the header has %q)", name, strings.Join(t.raw, ", "))}
}

// pick returns the indices of the time column and the three axes.
func (t *table) pick(timeNames, axes []string) ([]int, error) {
	cols := []int{-1}
	for _, n := range timeNames {
		if i, err := t.index(n); err == nil {
			cols[0] = i
			break
		}
	}
	if cols[0] < 0 {
		_, err := t.index(timeNames[0])
		return nil, err
	}
	for _, a := range axes {
		i, err := t.index(a)
		if err != nil {
			return nil, err
		}
		cols = append(cols, i)
	}
	return cols, nil
}

func (t *table) pickOptional(timeNames, axes []string) ([]int, bool) {
	c, err := t.pick(timeNames, axes)
	return c, err == nil
}

func (t *table) rejectLinear() error {
	for i, h := range t.header {
		if strings.HasPrefix(h, "linear acceleration") {
			return &ParseError{Format: t.format, Line: t.line, Field: t.raw[i], Err: errors.New("this is acceleration without gravity; export the \"Acceleration with g\" experiment instead")}
		}
	}
	return nil
}

// fields returns the next non-blank row split into fields; io.EOF at the
// end.
func (t *table) fields() ([][]byte, error) {
	for t.sc.Scan() {
		t.line++
		l := bytes.TrimSpace(t.sc.Bytes())
		if len(l) == 0 {
			continue
		}
		t.fbuf = splitFields(l, t.sep, t.fbuf)
		return t.fbuf, nil
	}
	if err := t.sc.Err(); err != nil {
		return nil, &ParseError{Format: t.format, Line: t.line + 1, Err: err}
	}
	return nil, io.EOF
}

// number parses one value: a finite number or NaN (phyphox's padding),
// with a decimal comma when the separator is not a comma.
func (t *table) number(b []byte, field string) (float64, error) {
	b = bytes.TrimSpace(b)
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		b = b[1 : len(b)-1]
	}
	if t.sep != ',' && bytes.IndexByte(b, ',') >= 0 {
		t.nbuf = append(t.nbuf[:0], b...)
		for i, c := range t.nbuf {
			if c == ',' {
				t.nbuf[i] = '.'
			}
		}
		b = t.nbuf
	}
	if len(b) == 0 {
		return 0, t.perr(field, "empty value")
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return 0, t.perr(field, "%q is not a number", b)
	}
	if math.IsInf(f, 0) {
		return 0, t.perr(field, "%q is not a finite number", b)
	}
	return f, nil
}

// row returns the picked columns of the next data row. Rows whose picked
// values are all NaN (padding) are skipped; a NaN among numbers is an
// error.
func (t *table) row(dst *[4]float64) error {
	for {
		f, err := t.fields()
		if err != nil {
			return err
		}
		if len(f) != len(t.header) {
			return t.perr("", "row has %d fields, want %d", len(f), len(t.header))
		}
		nan := 0
		for k, c := range t.cols {
			v, err := t.number(f[c], t.raw[c])
			if err != nil {
				return err
			}
			if math.IsNaN(v) {
				nan++
			}
			dst[k] = v
		}
		if nan == len(t.cols) {
			continue
		}
		if nan > 0 {
			for k, c := range t.cols {
				if math.IsNaN(dst[k]) {
					return t.perr(t.raw[c], "NaN among values")
				}
			}
		}
		return nil
	}
}

// stream is one table of (time, x, y, z) rows.
type stream struct {
	t          *table
	inlineGyro []int // gyroscope columns in the same rows (phyphox)
	cur, nxt   [4]float64
	n          int // rows held: 0, 1 (cur) or 2 (cur and nxt)
	eof        bool
	err        error
}

// advance reads the next row into nxt, dropping rows that go back in time.
func (s *stream) advance() error {
	for {
		var r [4]float64
		if err := s.t.row(&r); err != nil {
			if errors.Is(err, io.EOF) {
				s.eof = true
				return nil
			}
			return err
		}
		if s.n > 0 && r[0] < s.last() {
			continue
		}
		if s.n == 2 {
			s.cur = s.nxt
			s.n = 1
		}
		if s.n == 0 {
			s.cur = r
		} else {
			s.nxt = r
		}
		s.n++
		return nil
	}
}

func (s *stream) last() float64 {
	if s.n == 2 {
		return s.nxt[0]
	}
	return s.cur[0]
}

// at returns the stream's value at time t, linearly interpolated, held
// constant outside the stream's span. Times must not decrease between
// calls.
func (s *stream) at(t float64) ([3]float64, error) {
	for !s.eof && (s.n < 2 || s.nxt[0] < t) {
		if err := s.advance(); err != nil {
			return [3]float64{}, err
		}
	}
	var v [3]float64
	switch {
	case s.n == 0:
		return v, nil
	case s.n == 1 || t <= s.cur[0]:
		copy(v[:], s.cur[1:])
	case t >= s.nxt[0]:
		copy(v[:], s.nxt[1:])
	default:
		w := (t - s.cur[0]) / (s.nxt[0] - s.cur[0])
		for k := 0; k < 3; k++ {
			v[k] = s.cur[1+k] + w*(s.nxt[1+k]-s.cur[1+k])
		}
	}
	return v, nil
}

// mergeSource turns an accelerometer table, optionally a gravity table
// (added) and a gyroscope table (interpolated), into a gait.Source.
type mergeSource struct {
	acc       *stream
	grav      *stream
	gyro      *stream
	timeScale float64 // seconds per unit of the time column
	accScale  float64 // m/s² per unit of the acceleration columns (0 = 1)
	accSign   float64
	t0        float64 // first time, in the time column's unit
	started   bool
	batcher
	gbuf [4]float64
}

func (m *mergeSource) init() error {
	m.prime(m.next)
	if m.err != nil && !errors.Is(m.err, io.EOF) {
		return m.err
	}
	return nil
}

// HasGyro reports whether the export carries the gyroscope.
func (m *mergeSource) HasGyro() bool { return m.gyro != nil || m.acc.inlineGyro != nil }

// Read fills dst with samples.
func (m *mergeSource) Read(dst []gait.Sample) (int, error) { return m.read(dst, m.next) }

func (m *mergeSource) next() (gait.Sample, error) {
	var s gait.Sample
	var r [4]float64
	if err := m.acc.t.row(&r); err != nil {
		return s, err
	}
	if !m.started {
		m.started = true
		m.t0 = r[0]
	}
	t := r[0]
	s.TimeS = (t - m.t0) * m.timeScale
	scale := m.accScale
	if scale == 0 {
		scale = 1
	}
	for k := 0; k < 3; k++ {
		s.AccMS2[k] = r[1+k] * scale
	}
	if m.grav != nil {
		g, err := m.grav.at(t)
		if err != nil {
			return s, err
		}
		for k := 0; k < 3; k++ {
			s.AccMS2[k] += g[k] * scale
		}
	}
	for k := 0; k < 3; k++ {
		s.AccMS2[k] *= m.accSign
	}
	switch {
	case m.acc.inlineGyro != nil:
		f := m.acc.t.fbuf
		for k, c := range m.acc.inlineGyro {
			v, err := m.acc.t.number(f[c], m.acc.t.raw[c])
			if err != nil {
				return s, err
			}
			if math.IsNaN(v) {
				return s, m.acc.t.perr(m.acc.t.raw[c], "NaN among values")
			}
			s.GyroRPS[k] = v
		}
	case m.gyro != nil:
		g, err := m.gyro.at(t)
		if err != nil {
			return s, err
		}
		s.GyroRPS = gait.Vec3(g)
	}
	return s, nil
}

// zipHead returns the first line of a zip entry.
func zipHead(f *zip.File) (string, error) {
	rc, err := f.Open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 4096)
	l, err := br.ReadSlice('\n')
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return "", err
	}
	return string(l), nil
}
