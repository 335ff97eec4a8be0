package imu

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"

	"legwork/gait"
)

// LWB1 is legwork's compact binary recording format, what the web app
// sends. All numbers are little-endian.
//
//	offset size  field
//	0      4     magic "LWB1"
//	4      1     version, 1
//	5      1     flags: bit 0 set = gyroscope columns present; other bits 0
//	6      2     reserved, 0
//	8      4     sample count N (uint32)
//	12     4     CRC-32 (IEEE) of the N records that follow
//	16     …     N records: t float64 (seconds), ax ay az float32 (m/s²,
//	             gravity included), then gx gy gz float32 (rad/s) when
//	             flag bit 0 is set — 20 or 32 bytes each
//
// Nothing may follow the last record. Every value must be finite.
const (
	LWBMagic      = "LWB1"
	LWBVersion    = 1
	LWBFlagGyro   = 1 << 0
	LWBHeaderSize = 16
)

// LWBReader reads LWB1 recordings. It is a gait.Source. Records are read
// as they are asked for; errors are *ParseError values whose Line is the
// 1-based record number.
type LWBReader struct {
	r      *bufio.Reader
	crc    hash.Hash32
	gyro   bool
	n      uint32 // records announced
	read   uint32 // records read
	sum    uint32 // announced CRC
	recLen int
	block  []byte
	err    error
}

// NewLWBReader reads the header from r.
func NewLWBReader(r io.Reader) (*LWBReader, error) {
	br := bufio.NewReaderSize(r, 64*1024)
	var h [LWBHeaderSize]byte
	if n, err := io.ReadFull(br, h[:]); err != nil {
		if n == 0 {
			return nil, &ParseError{Format: "lwb1", Err: errors.New("empty file: no header")}
		}
		return nil, &ParseError{Format: "lwb1", Err: fmt.Errorf("header is %d bytes, want %d", n, LWBHeaderSize)}
	}
	if string(h[0:4]) != LWBMagic {
		return nil, &ParseError{Format: "lwb1", Field: "magic", Err: fmt.Errorf("file starts with %q, want %q", h[0:4], LWBMagic)}
	}
	if h[4] != LWBVersion {
		return nil, &ParseError{Format: "lwb1", Field: "version", Err: fmt.Errorf("version %d is not supported (want %d)", h[4], LWBVersion)}
	}
	if h[5]&^LWBFlagGyro != 0 {
		return nil, &ParseError{Format: "lwb1", Field: "flags", Err: fmt.Errorf("unknown flags %#x", h[5])}
	}
	if h[6] != 0 || h[7] != 0 {
		return nil, &ParseError{Format: "lwb1", Field: "reserved", Err: errors.New("reserved bytes must be zero")}
	}
	l := &LWBReader{r: br, crc: crc32.NewIEEE(), gyro: h[5]&LWBFlagGyro != 0,
		n: binary.LittleEndian.Uint32(h[8:12]), sum: binary.LittleEndian.Uint32(h[12:16])}
	l.recLen = 20
	if l.gyro {
		l.recLen = 32
	}
	return l, nil
}

// HasGyro reports whether the records carry angular rate.
func (l *LWBReader) HasGyro() bool { return l.gyro }

// Len returns the number of samples the header announces.
func (l *LWBReader) Len() int { return int(l.n) }

var lwbFields = [7]string{"t", "ax", "ay", "az", "gx", "gy", "gz"}

// Read fills dst with samples.
func (l *LWBReader) Read(dst []gait.Sample) (int, error) {
	k := 0
	for k < len(dst) && l.err == nil {
		if l.read == l.n {
			l.err = l.finish()
			break
		}
		// Read a block of whole records at once.
		want := min(len(dst)-k, int(l.n-l.read), 1024)
		need := want * l.recLen
		if cap(l.block) < need {
			l.block = make([]byte, need)
		}
		block := l.block[:need]
		got, err := io.ReadFull(l.r, block)
		whole := got / l.recLen
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				err = fmt.Errorf("file ends after %d of %d bytes of the record (header announces %d records)", got%l.recLen, l.recLen, l.n)
			}
			l.err = &ParseError{Format: "lwb1", Line: int(l.read) + whole + 1, Unit: "record", Err: err}
		}
		l.crc.Write(block[:whole*l.recLen])
		for r := 0; r < whole; r++ {
			s, bad := l.decode(block[r*l.recLen:])
			if bad >= 0 {
				l.err = &ParseError{Format: "lwb1", Line: int(l.read) + 1, Unit: "record", Field: lwbFields[bad], Err: errors.New("not a finite number")}
				break
			}
			dst[k] = s
			k++
			l.read++
		}
	}
	if k == 0 && l.err != nil {
		return 0, l.err
	}
	return k, nil
}

// decode decodes one record; bad is the index of a field that is not
// finite, or -1.
func (l *LWBReader) decode(rec []byte) (s gait.Sample, bad int) {
	s.TimeS = math.Float64frombits(binary.LittleEndian.Uint64(rec[0:8]))
	if math.IsNaN(s.TimeS) || math.IsInf(s.TimeS, 0) {
		return s, 0
	}
	m := 3
	if l.gyro {
		m = 6
	}
	var v [6]float64
	for i := 0; i < m; i++ {
		f := float64(math.Float32frombits(binary.LittleEndian.Uint32(rec[8+4*i:])))
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return s, i + 1
		}
		v[i] = f
	}
	s.AccMS2 = gait.Vec3{v[0], v[1], v[2]}
	s.GyroRPS = gait.Vec3{v[3], v[4], v[5]}
	return s, -1
}

// finish checks that nothing follows the records and that the checksum
// matches.
func (l *LWBReader) finish() error {
	if _, err := l.r.ReadByte(); err == nil {
		return &ParseError{Format: "lwb1", Line: int(l.n) + 1, Unit: "record", Err: fmt.Errorf("data follows the %d records the header announces", l.n)}
	} else if !errors.Is(err, io.EOF) {
		return &ParseError{Format: "lwb1", Line: int(l.n) + 1, Unit: "record", Err: err}
	}
	if got := l.crc.Sum32(); got != l.sum {
		return &ParseError{Format: "lwb1", Field: "crc32", Err: fmt.Errorf("checksum %08x does not match the records (%08x): the file is damaged", l.sum, got)}
	}
	return io.EOF
}

// WriteLWB writes rec in the LWB1 format.
func WriteLWB(w io.Writer, rec *gait.Recording) error {
	if uint64(len(rec.Samples)) > math.MaxUint32 {
		return errors.New("lwb1: too many samples")
	}
	recLen := 20
	var flags byte
	if rec.Gyro {
		recLen, flags = 32, LWBFlagGyro
	}
	body := make([]byte, recLen*len(rec.Samples))
	for i, s := range rec.Samples {
		b := body[i*recLen:]
		binary.LittleEndian.PutUint64(b[0:], math.Float64bits(s.TimeS))
		for j := 0; j < 3; j++ {
			binary.LittleEndian.PutUint32(b[8+4*j:], math.Float32bits(float32(s.AccMS2[j])))
			if rec.Gyro {
				binary.LittleEndian.PutUint32(b[20+4*j:], math.Float32bits(float32(s.GyroRPS[j])))
			}
		}
	}
	var h [LWBHeaderSize]byte
	copy(h[:], LWBMagic)
	h[4] = LWBVersion
	h[5] = flags
	binary.LittleEndian.PutUint32(h[8:], uint32(len(rec.Samples)))
	binary.LittleEndian.PutUint32(h[12:], crc32.ChecksumIEEE(body))
	if _, err := w.Write(h[:]); err != nil {
		return err
	}
	_, err := w.Write(body)
	return err
}
