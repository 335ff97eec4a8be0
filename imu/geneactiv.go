package imu

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"legwork/gait"
)

// GENEActiv .bin files (Activinsights GENEActiv original and 1.1), read
// after the GENEActiv data-file description in the device's instructions
// and scikit-digital-health's reader (skdh.io.ReadBin), checked against
// legwork's test vectors (shared/data/formats/README.md).
//
// The file is text with "\n" (or "\r\n") line ends. A header of
// "Key:Value" lines in titled sections (about 59 lines) gives, among
// others, "Measurement Frequency:50 Hz", "Time Zone:GMT -04:00", the
// calibration "x gain", "x offset" (and y, z), "Volts", "Lux" and
// "Number of Pages". Then each page is the line "Recorded Data", eight
// "Key:Value" lines (serial code, "Sequence Number", "Page Time:YYYY-MM-DD
// hh:mm:ss:mmm" on the device's local clock, "Unassigned", "Temperature"
// in °C, "Battery voltage", "Device Status", "Measurement Frequency") and
// one line of hexadecimal samples, 12 digits each (300 per page): x, y and
// z as 3-digit 12-bit two's-complement counts, then 3 digits of light (top
// 10 bits) and button. Acceleration in g is (count·100 − offset)/gain;
// sample j of a page is at the page time + j/f, with f the page's
// measurement frequency (gaps between pages are kept, not resampled).
//
// Like the Axivity devices, GENEActiv reports specific force (+1 g up at
// rest), so acceleration is only multiplied by StandardGravity. There is
// no gyroscope.
//
// Errors are *ParseError values with Format "geneactiv" whose Line is the
// 1-based text line.
type GENEActivReader struct {
	sc      *bufio.Scanner
	line    int
	hdr     GENEActivHeader
	pages   int // pages read
	out     []gait.Sample
	pos     int
	pending []byte // the "Recorded Data" line already read, if any
	started bool
	t0      time.Time // naive time of the first sample
	err     error
}

// GENEActivHeader is what a GENEActiv file's header says.
type GENEActivHeader struct {
	Fields       map[string]string // every "Key:Value" line of the header
	SampleRateHz float64
	// Zone is the recording's fixed UTC offset from "Time Zone:GMT ±hh:mm";
	// nil when the header has none.
	Zone                   *time.Location
	Gain, Offset           [3]float64
	Volts, Lux             float64
	Pages                  int // "Number of Pages"; 0 when absent
	DeviceLocation, Serial string
}

// NewGENEActivReader reads the header and the first page of r.
func NewGENEActivReader(r io.Reader) (*GENEActivReader, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	g := &GENEActivReader{sc: sc}
	if err := g.readHeader(); err != nil {
		return nil, err
	}
	if err := g.fill(); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	} else if err != nil {
		g.err = err
	}
	return g, nil
}

func (g *GENEActivReader) perr(field string, format string, args ...any) error {
	return &ParseError{Format: "geneactiv", Line: g.line, Field: field, Err: fmt.Errorf(format, args...)}
}

func (g *GENEActivReader) scan() ([]byte, bool, error) {
	if !g.sc.Scan() {
		if err := g.sc.Err(); err != nil {
			return nil, false, &ParseError{Format: "geneactiv", Line: g.line + 1, Err: err}
		}
		return nil, false, nil
	}
	g.line++
	return bytes.TrimRight(g.sc.Bytes(), "\r"), true, nil
}

func (g *GENEActivReader) readHeader() error {
	h := &g.hdr
	h.Fields = map[string]string{}
	first := true
	for {
		l, ok, err := g.scan()
		if err != nil {
			return err
		}
		if !ok {
			if first {
				return &ParseError{Format: "geneactiv", Err: errors.New("empty file: no header")}
			}
			break
		}
		if first {
			l = bytes.TrimPrefix(l, []byte("\xef\xbb\xbf"))
			if string(bytes.TrimSpace(l)) != "Device Identity" {
				return g.perr("", "file starts with %q, want \"Device Identity\"", truncateText(l))
			}
			first = false
			continue
		}
		if string(bytes.TrimSpace(l)) == "Recorded Data" {
			g.pending = []byte("Recorded Data")
			break
		}
		k, v, ok := bytes.Cut(l, []byte(":"))
		if !ok {
			continue // a section title or a blank line
		}
		key := strings.TrimSpace(string(k))
		val := strings.TrimSpace(strings.Trim(string(v), "\x00"))
		h.Fields[key] = val
		if err := g.headerField(key, val); err != nil {
			return err
		}
	}
	for _, axis := range []string{"x", "y", "z"} {
		if _, ok := h.Fields[axis+" gain"]; !ok {
			return &ParseError{Format: "geneactiv", Line: g.line, Field: axis + " gain", Err: errors.New("the header has no calibration gain")}
		}
		if _, ok := h.Fields[axis+" offset"]; !ok {
			return &ParseError{Format: "geneactiv", Line: g.line, Field: axis + " offset", Err: errors.New("the header has no calibration offset")}
		}
	}
	return nil
}

func (g *GENEActivReader) headerField(key, val string) error {
	h := &g.hdr
	num := func() (float64, error) {
		f, err := strconv.ParseFloat(val, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, g.perr(key, "%q is not a number", val)
		}
		return f, nil
	}
	switch key {
	case "x gain", "y gain", "z gain", "x offset", "y offset", "z offset":
		f, err := num()
		if err != nil {
			return err
		}
		i := int(key[0] - 'x')
		if strings.HasSuffix(key, "gain") {
			if f == 0 {
				return g.perr(key, "gain is zero")
			}
			h.Gain[i] = f
		} else {
			h.Offset[i] = f
		}
	case "Volts", "Lux":
		f, err := num()
		if err != nil {
			return err
		}
		if key == "Volts" {
			h.Volts = f
		} else {
			h.Lux = f
		}
	case "Measurement Frequency":
		f, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(val, "Hz")), 64)
		if err != nil || !(f > 0) || math.IsInf(f, 0) {
			return g.perr(key, "%q is not a sampling rate", val)
		}
		h.SampleRateHz = f
	case "Number of Pages":
		n, err := strconv.Atoi(val)
		if err != nil || n < 0 {
			return g.perr(key, "%q is not a page count", val)
		}
		h.Pages = n
	case "Time Zone":
		loc, err := parseGMTOffset(val)
		if err != nil {
			return g.perr(key, "%v", err)
		}
		h.Zone = loc
	case "Device Location Code":
		h.DeviceLocation = val
	case "Device Unique Serial Code":
		h.Serial = val
	}
	return nil
}

// parseGMTOffset parses "GMT -04:00" (also "GMT+1", "GMT +05:30").
func parseGMTOffset(s string) (*time.Location, error) {
	v := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "GMT"))
	if v == "" {
		return time.UTC, nil
	}
	sign := 1
	switch v[0] {
	case '+':
	case '-':
		sign = -1
	default:
		return nil, fmt.Errorf("%q is not a GMT offset", s)
	}
	v = strings.TrimSpace(v[1:])
	hs, ms, _ := strings.Cut(v, ":")
	h, err1 := strconv.Atoi(hs)
	m := 0
	var err2 error
	if ms != "" {
		m, err2 = strconv.Atoi(ms)
	}
	if err1 != nil || err2 != nil || h > 14 || m > 59 || h < 0 || m < 0 {
		return nil, fmt.Errorf("%q is not a GMT offset", s)
	}
	return time.FixedZone(strings.TrimSpace(s), sign*(h*3600+m*60)), nil
}

// Header returns the file header.
func (g *GENEActivReader) Header() GENEActivHeader { return g.hdr }

// HasGyro reports false: GENEActiv devices have no gyroscope.
func (g *GENEActivReader) HasGyro() bool { return false }

// Start returns the time of the first sample: an instant (zoned true) when
// the header gives the time zone, otherwise the device's wall-clock time
// labelled UTC (zoned false). It is the zero time when the file has no
// samples.
func (g *GENEActivReader) Start() (t time.Time, zoned bool) {
	if !g.started {
		return time.Time{}, false
	}
	if g.hdr.Zone != nil {
		return time.Date(g.t0.Year(), g.t0.Month(), g.t0.Day(), g.t0.Hour(), g.t0.Minute(), g.t0.Second(), g.t0.Nanosecond(), g.hdr.Zone).UTC(), true
	}
	return g.t0, false
}

// Read fills dst with samples.
func (g *GENEActivReader) Read(dst []gait.Sample) (int, error) {
	n := 0
	for n < len(dst) {
		if g.pos < len(g.out) {
			k := copy(dst[n:], g.out[g.pos:])
			g.pos += k
			n += k
			continue
		}
		if g.err != nil {
			break
		}
		if err := g.fill(); err != nil {
			g.err = err
		}
	}
	if n == 0 && g.err != nil {
		return 0, g.err
	}
	return n, nil
}

// fill reads the next page into g.out; io.EOF after the last.
func (g *GENEActivReader) fill() error {
	g.out, g.pos = g.out[:0], 0
	// The "Recorded Data" line.
	if g.pending == nil {
		for {
			l, ok, err := g.scan()
			if err != nil {
				return err
			}
			if !ok {
				if g.hdr.Pages > 0 && g.pages != g.hdr.Pages {
					return &ParseError{Format: "geneactiv", Line: g.line, Err: fmt.Errorf("file ends after %d of the %d pages the header announces", g.pages, g.hdr.Pages)}
				}
				return io.EOF
			}
			if len(bytes.TrimSpace(l)) == 0 {
				continue
			}
			if string(bytes.TrimSpace(l)) != "Recorded Data" {
				return g.perr("", "%q where a page (\"Recorded Data\") should start", truncateText(l))
			}
			break
		}
	}
	g.pending = nil
	if g.hdr.Pages > 0 && g.pages == g.hdr.Pages {
		return g.perr("", "page %d follows the %d pages the header announces", g.pages+1, g.hdr.Pages)
	}
	var pageTime time.Time
	haveTime := false
	fs := g.hdr.SampleRateHz
	for {
		l, ok, err := g.scan()
		if err != nil {
			return err
		}
		if !ok {
			return &ParseError{Format: "geneactiv", Line: g.line, Err: errors.New("file ends inside a page, before its data line")}
		}
		k, v, isKV := bytes.Cut(l, []byte(":"))
		if !isKV {
			if len(bytes.TrimSpace(l)) == 0 {
				return g.perr("data", "the page has no data: its data line is empty")
			}
			if !haveTime {
				return g.perr("Page Time", "the page has no Page Time")
			}
			if !(fs > 0) {
				return g.perr("Measurement Frequency", "no sampling rate in the header or the page")
			}
			if err := g.decodeData(bytes.TrimSpace(l), pageTime, fs); err != nil {
				return err
			}
			g.pages++
			return nil
		}
		key := strings.TrimSpace(string(k))
		val := strings.TrimSpace(string(v))
		switch key {
		case "Page Time":
			t, err := parseGENEActivTime(val)
			if err != nil {
				return g.perr(key, "%v", err)
			}
			pageTime, haveTime = t, true
		case "Measurement Frequency":
			f, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(val, "Hz")), 64)
			if err != nil || !(f > 0) || math.IsInf(f, 0) {
				return g.perr(key, "%q is not a sampling rate", val)
			}
			fs = f
		}
	}
}

// parseGENEActivTime parses "2019-05-21 16:16:43:500" (milliseconds after
// the last colon) as a naive time labelled UTC.
func parseGENEActivTime(s string) (time.Time, error) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return time.Time{}, fmt.Errorf("%q is not a time (want YYYY-MM-DD hh:mm:ss:mmm)", s)
	}
	t, err := time.Parse("2006-01-02 15:04:05", s[:i])
	ms, err2 := strconv.Atoi(s[i+1:])
	if err != nil || err2 != nil || ms < 0 || ms > 999 {
		// Some files carry the seconds only.
		if t2, err3 := time.Parse("2006-01-02 15:04:05", s); err3 == nil {
			return t2, nil
		}
		return time.Time{}, fmt.Errorf("%q is not a time (want YYYY-MM-DD hh:mm:ss:mmm)", s)
	}
	return t.Add(time.Duration(ms) * time.Millisecond), nil
}

func (g *GENEActivReader) decodeData(l []byte, pageTime time.Time, fs float64) error {
	if len(l)%12 != 0 {
		return g.perr("data", "data line has %d hex digits, not a multiple of 12", len(l))
	}
	if !g.started {
		g.started = true
		g.t0 = pageTime
	}
	off := pageTime.Sub(g.t0).Seconds()
	h := &g.hdr
	for j := 0; j < len(l)/12; j++ {
		p := l[12*j:]
		var s gait.Sample
		s.TimeS = off + float64(j)/fs
		for k := 0; k < 3; k++ {
			v, ok := hex3(p[3*k:])
			if !ok {
				return g.perr("data", "%q at sample %d is not hexadecimal", p[3*k:3*k+3], j+1)
			}
			if v >= 2048 {
				v -= 4096
			}
			s.AccMS2[k] = (float64(v)*100 - h.Offset[k]) / h.Gain[k] * StandardGravity
		}
		if _, ok := hex3(p[9:]); !ok {
			return g.perr("data", "%q at sample %d is not hexadecimal", p[9:12], j+1)
		}
		g.out = append(g.out, s)
	}
	return nil
}

func hex3(b []byte) (int, bool) {
	v := 0
	for _, c := range b[:3] {
		var d int
		switch {
		case c >= '0' && c <= '9':
			d = int(c - '0')
		case c >= 'A' && c <= 'F':
			d = int(c-'A') + 10
		case c >= 'a' && c <= 'f':
			d = int(c-'a') + 10
		default:
			return 0, false
		}
		v = v<<4 | d
	}
	return v, true
}

func truncateText(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "…"
	}
	return string(b)
}
