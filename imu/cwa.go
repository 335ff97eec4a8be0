package imu

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"legwork/gait"
)

// StandardGravity is g₀ in m/s², the factor from g to m/s² (CGPM 1901; the
// value the Axivity and GENEActiv documentation and skdh use).
const StandardGravity = 9.80665

const degToRad = math.Pi / 180

// Axivity continuous wave accelerometer (.cwa) files, as written by the AX3
// (3-axis accelerometer) and AX6 (accelerometer and gyroscope). The layout
// follows OpenMovement's cwa.h (github.com/digitalinteraction/openmovement,
// Software/AX3/cwa-convert) and the notes in legwork's test vectors
// (shared/data/formats/README.md); all numbers are little-endian.
//
// A 1024-byte header sector pair ("MD", length 1020) holds the device and
// session ids, the hardware type (0x64 = AX6), the sensor configuration (AX6
// gyroscope range 8000/2^(config & 0x0f) dps) and the configured rate. It is
// followed by 512-byte data sectors ("AX", length 508):
//
//	offset size  field
//	0      2     "AX"
//	2      2     508
//	4      2     deviceFractional (top bit set: a 15-bit fraction of a second)
//	6      4     session id (must match the header's)
//	10     4     sequence id
//	14     4     RTC timestamp, packed (year−2000:6 month:4 day:5 hour:5 min:6 sec:6)
//	18     2     light; on the AX6 bits 13–15 give the accelerometer scale
//	             2^(8+n) counts/g and bits 10–12 the gyro range 8000/2^n dps
//	20     2     temperature (low 10 bits)
//	22     1     events
//	23     1     battery
//	24     1     rate code: f = 3200/2^(15 − (code & 0x0f)) Hz, range ±16>>(code>>6) g
//	25     1     axes (high nibble) and bytes per sample (low nibble, 0 = packed)
//	26     2     timestampOffset (int16): the sample index the whole second refers to
//	28     2     sample count
//	30     480   samples: packed 3-axis (4 bytes: x, y, z as 10-bit two's
//	             complement mantissas and a 2-bit exponent e in the top bits,
//	             value = mantissa·2^e / 256 g), unpacked 3-axis int16 (1/256 g;
//	             AX6: the light-field scale), or 6-axis int16 in the order gyro
//	             x, y, z then accel x, y, z (9-axis: magnetometer last, ignored)
//	510    2     checksum: the 256 16-bit words of the sector sum to zero
//
// Timestamps follow scikit-digital-health's reader (skdh.io.ReadCwa), which
// the test vectors reproduce to 5e-5 s: each sector starts at its whole-second
// stamp − timestampOffset/f and ends count/f later, f being the nominal rate
// of its rate code; a sector starting less than 1 s from the previous
// sector's end is chained to that end, and its samples are spaced evenly
// from start to end. The fractional second is not used (skdh ignores it; the
// OpenMovement interpolation lands 10–12 ms away from skdh's times).
//
// Axivity devices report specific force, like a phone: the axis pointing up
// reads +1 g at rest (the test vectors' z axis reads +0.95 g lying flat), so
// acceleration is only multiplied by StandardGravity; angular rate goes
// from degrees to radians per second.

// CWA hardware types (header offset 4).
const (
	CWAHardwareAX3 = 0x17
	CWAHardwareAX6 = 0x64
)

// CWAHeader is what a .cwa file's header says.
type CWAHeader struct {
	HardwareType byte   // CWAHardwareAX3 (0x00 and 0xff on early AX3s), CWAHardwareAX6
	DeviceID     uint32 // low 16 bits at offset 5, high 16 at offset 11
	SessionID    uint32
	Firmware     byte
	// SampleRateHz and RangeG are the configured rate and accelerometer
	// range (each sector carries its own rate code, which is the one used).
	SampleRateHz float64
	RangeG       float64
	// GyroRangeDPS is the AX6's configured gyroscope range (0 on an AX3).
	GyroRangeDPS float64
	// Metadata is the annotation text at offset 64 (e.g. "?_c=…&_s=…"),
	// with padding removed.
	Metadata string
}

// AX6 reports whether the header names an AX6.
func (h *CWAHeader) AX6() bool { return h.HardwareType == CWAHardwareAX6 }

// CWAReader reads Axivity .cwa files one 512-byte sector at a time, so
// memory does not grow with the recording (a week at 100 Hz is about 160 MB
// of sectors). It is a gait.Source.
//
// Errors are *ParseError values with Format "cwa"; for this binary format
// Line is the 1-based number of the data sector at fault (sector n starts at
// byte 1024 + 512·(n−1)), and Field names the sector field.
type CWAReader struct {
	r       *bufio.Reader
	hdr     CWAHeader
	sector  int // data sectors consumed
	buf     [cwaSectorSize]byte
	out     []gait.Sample // decoded samples of the current sector
	pos     int
	gyro    bool
	decided bool
	base    int64   // Unix seconds (naive clock) that times are relative to
	prevEnd float64 // end of the previous sector, seconds after base; NaN before the first
	t0      float64 // time of the first sample, seconds after base
	started bool
	err     error
	pending bool // out holds the first sector, decoded by the constructor
}

const (
	cwaSectorSize = 512
	cwaHeaderSize = 1024
)

// NewCWAReader reads the header and the first data sector of r, so that a
// file that is not a .cwa is rejected at once and HasGyro and Start are
// known before the first Read.
func NewCWAReader(r io.Reader) (*CWAReader, error) {
	c := &CWAReader{r: bufio.NewReaderSize(r, 64*1024), prevEnd: math.NaN()}
	var h [cwaHeaderSize]byte
	if n, err := io.ReadFull(c.r, h[:]); err != nil {
		if n == 0 {
			return nil, &ParseError{Format: "cwa", Err: errors.New("empty file: no header")}
		}
		return nil, &ParseError{Format: "cwa", Err: fmt.Errorf("header is %d bytes, want %d", n, cwaHeaderSize)}
	}
	if h[0] != 'M' || h[1] != 'D' {
		return nil, &ParseError{Format: "cwa", Field: "header", Err: fmt.Errorf("file starts with %q, want \"MD\"", h[0:2])}
	}
	if l := binary.LittleEndian.Uint16(h[2:]); l != cwaHeaderSize-4 {
		return nil, &ParseError{Format: "cwa", Field: "header length", Err: fmt.Errorf("header length %d, want %d", l, cwaHeaderSize-4)}
	}
	hd := &c.hdr
	hd.HardwareType = h[4]
	hd.DeviceID = uint32(binary.LittleEndian.Uint16(h[5:]))
	if hi := binary.LittleEndian.Uint16(h[11:]); hi != 0xffff {
		hd.DeviceID |= uint32(hi) << 16
	}
	hd.SessionID = binary.LittleEndian.Uint32(h[7:])
	hd.Firmware = h[41]
	hd.SampleRateHz, hd.RangeG = cwaRate(h[36])
	if hd.AX6() {
		hd.GyroRangeDPS = 2000
		if sc := h[35]; sc != 0 && sc != 0xff {
			hd.GyroRangeDPS = 8000 / float64(int(1)<<(sc&0x0f))
		}
	}
	hd.Metadata = strings.TrimRight(string(h[64:64+448]), "\x00\xff ")
	if err := c.fill(); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	} else if err != nil {
		c.err = err
	} else {
		c.pending = true
	}
	return c, nil
}

// Header returns the file header.
func (c *CWAReader) Header() CWAHeader { return c.hdr }

// HasGyro reports whether the data sectors carry angular rate (an AX6
// recording in 6-axis mode).
func (c *CWAReader) HasGyro() bool { return c.gyro }

// Start returns the time of the first sample. Axivity devices keep a naive
// local clock and the file does not record the time zone, so the result is
// that wall-clock time labelled UTC, and zoned is false: the caller must
// place it in the wearer's time zone. It is the zero time when the file has
// no samples.
func (c *CWAReader) Start() (t time.Time, zoned bool) {
	if !c.started {
		return time.Time{}, false
	}
	sec := math.Floor(c.t0)
	return time.Unix(c.base+int64(sec), int64(math.Round((c.t0-sec)*1e9))).UTC(), false
}

// Read fills dst with samples.
func (c *CWAReader) Read(dst []gait.Sample) (int, error) {
	n := 0
	for n < len(dst) {
		if c.pos < len(c.out) {
			k := copy(dst[n:], c.out[c.pos:])
			c.pos += k
			n += k
			continue
		}
		if c.pending {
			c.pending = false
			continue
		}
		if c.err != nil {
			break
		}
		if err := c.fill(); err != nil {
			c.err = err
		}
	}
	if n == 0 && c.err != nil {
		return 0, c.err
	}
	return n, nil
}

// fill decodes the next data sector that holds samples into c.out. It
// returns io.EOF at the end of the file.
func (c *CWAReader) fill() error {
	for {
		n, err := io.ReadFull(c.r, c.buf[:])
		if err != nil {
			if errors.Is(err, io.EOF) {
				return io.EOF
			}
			if errors.Is(err, io.ErrUnexpectedEOF) {
				err = fmt.Errorf("file ends %d bytes into a 512-byte sector", n)
			}
			return &ParseError{Format: "cwa", Line: c.sector + 1, Unit: "sector", Err: err}
		}
		c.sector++
		ok, err := c.decode()
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
	}
}

func (c *CWAReader) perr(field string, format string, args ...any) error {
	return &ParseError{Format: "cwa", Line: c.sector, Unit: "sector", Field: field, Err: fmt.Errorf(format, args...)}
}

// decode decodes c.buf. It reports false for a sector without samples
// (erased flash, or a count of zero).
func (c *CWAReader) decode() (bool, error) {
	b := c.buf[:]
	c.out, c.pos = c.out[:0], 0
	if b[0] != 'A' || b[1] != 'X' {
		if blank(b) {
			return false, nil // erased flash after the last sector written
		}
		return false, c.perr("header", "sector starts with %q, want \"AX\"", b[0:2])
	}
	if l := binary.LittleEndian.Uint16(b[2:]); l != cwaSectorSize-4 {
		return false, c.perr("length", "sector length %d, want %d", l, cwaSectorSize-4)
	}
	var sum uint16
	for i := 0; i < cwaSectorSize; i += 2 {
		sum += binary.LittleEndian.Uint16(b[i:])
	}
	if sum != 0 {
		return false, c.perr("checksum", "checksum mismatch (words sum to %#04x, want 0): the sector is damaged", sum)
	}
	if s := binary.LittleEndian.Uint32(b[6:]); s != c.hdr.SessionID {
		return false, c.perr("session", "session id %d differs from the header's %d", s, c.hdr.SessionID)
	}
	stamp, err := cwaTime(binary.LittleEndian.Uint32(b[14:]))
	if err != nil {
		return false, c.perr("timestamp", "%v", err)
	}
	fs, _ := cwaRate(b[24])
	axes, bps := int(b[25]>>4), int(b[25]&0x0f)
	var size int
	switch {
	case axes == 3 && bps == 0:
		size = 4
	case (axes == 3 || axes == 6 || axes == 9) && bps == 2:
		size = 2 * axes
	default:
		return false, c.perr("axes", "unsupported sample layout %#02x (%d axes, %d bytes per sample)", b[25], axes, bps)
	}
	count := int(binary.LittleEndian.Uint16(b[28:]))
	if count*size > 480 {
		return false, c.perr("count", "%d samples of %d bytes do not fit in a sector", count, size)
	}
	gyro := axes >= 6
	if !c.decided {
		c.decided, c.gyro = true, gyro
	} else if gyro != c.gyro {
		return false, c.perr("axes", "sector has %d axes, earlier sectors %s the gyroscope", axes, map[bool]string{true: "had", false: "did not have"}[c.gyro])
	}
	if count == 0 {
		return false, nil
	}
	// Times, relative to the first sector's whole second.
	if !c.started {
		c.base = stamp
	}
	tsOff := float64(int16(binary.LittleEndian.Uint16(b[26:])))
	start := float64(stamp-c.base) - tsOff/fs
	end := start + float64(count)/fs
	if !math.IsNaN(c.prevEnd) && math.Abs(start-c.prevEnd) < 1 {
		start = c.prevEnd
	}
	c.prevEnd = end
	if !c.started {
		c.started = true
		c.t0 = start
	}
	dt := (end - start) / float64(count)

	light := binary.LittleEndian.Uint16(b[18:])
	accScale := 1.0 / 256
	if c.hdr.AX6() {
		accScale = 1 / float64(int(1)<<(8+(light>>13)&7))
	}
	gyroScale := 0.0
	if gyro {
		rng := c.hdr.GyroRangeDPS
		if n := (light >> 10) & 7; n != 0 {
			rng = 8000 / float64(int(1)<<n)
		}
		if rng == 0 {
			rng = 2000
		}
		gyroScale = rng / 32768 * degToRad
	}
	accScale *= StandardGravity
	data := b[30:]
	for i := 0; i < count; i++ {
		var s gait.Sample
		s.TimeS = start + float64(i)*dt - c.t0
		switch {
		case size == 4:
			w := binary.LittleEndian.Uint32(data[4*i:])
			e := w >> 30
			for k := 0; k < 3; k++ {
				m := int32(w>>(10*k)<<22) >> 22 // sign-extended 10-bit mantissa
				s.AccMS2[k] = float64(m<<e) / 256 * StandardGravity
			}
		case gyro:
			p := data[size*i:]
			for k := 0; k < 3; k++ {
				s.GyroRPS[k] = float64(int16(binary.LittleEndian.Uint16(p[2*k:]))) * gyroScale
				s.AccMS2[k] = float64(int16(binary.LittleEndian.Uint16(p[6+2*k:]))) * accScale
			}
		default:
			p := data[size*i:]
			for k := 0; k < 3; k++ {
				s.AccMS2[k] = float64(int16(binary.LittleEndian.Uint16(p[2*k:]))) * accScale
			}
		}
		c.out = append(c.out, s)
	}
	return true, nil
}

// blank reports whether b is erased flash (all 0xff) or zeros.
func blank(b []byte) bool {
	for _, v := range b {
		if v != 0xff && v != b[0] {
			return false
		}
	}
	return b[0] == 0xff || b[0] == 0
}

// cwaRate decodes a rate code into the nominal sampling rate and the
// accelerometer range.
func cwaRate(code byte) (hz, rangeG float64) {
	return 3200 / float64(int(1)<<(15-(code&0x0f))), float64(int(16) >> (code >> 6))
}

// cwaTime decodes a packed RTC timestamp into Unix seconds of the naive
// clock.
func cwaTime(v uint32) (int64, error) {
	year := int(v>>26&0x3f) + 2000
	month := int(v >> 22 & 0x0f)
	day := int(v >> 17 & 0x1f)
	hour := int(v >> 12 & 0x1f)
	minute := int(v >> 6 & 0x3f)
	sec := int(v & 0x3f)
	if month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 59 {
		return 0, fmt.Errorf("packed time %#08x is not a valid date and time", v)
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC)
	if t.Day() != day {
		return 0, fmt.Errorf("packed time %#08x is not a valid date (%04d-%02d-%02d)", v, year, month, day)
	}
	return t.Unix(), nil
}
