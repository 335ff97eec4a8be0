package imu

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"legwork/gait"
)

// CSVHeader is the header line of legwork's own recording format: time in
// seconds, acceleration including gravity in m/s² (up reads +9.81 at rest),
// angular rate in rad/s. The gyroscope columns may be empty on every row.
const CSVHeader = "t,ax,ay,az,gx,gy,gz"

var csvColumns = [7]string{"t", "ax", "ay", "az", "gx", "gy", "gz"}

// CSVReader reads legwork CSV recordings. It is a gait.Source.
//
// The header must name the seven columns in order; the gyroscope columns may
// be left out of the header altogether (an accelerometer-only file) or left
// empty on every row. Blank lines are skipped. Every value must be a finite
// number. Errors are *ParseError values naming the line and column.
type CSVReader struct {
	sc      *bufio.Scanner
	line    int
	cols    int
	gyro    bool
	decided bool // whether gyro presence has been established from the first row
	batcher
}

// NewCSVReader returns a reader for r. It reads the header at once, so a file
// that is not a legwork CSV is rejected before any sample is read.
func NewCSVReader(r io.Reader) (*CSVReader, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	c := &CSVReader{sc: sc}
	if err := c.readHeader(); err != nil {
		return nil, err
	}
	// Read the first row now so that HasGyro is known before the first Read.
	c.prime(c.next)
	if c.err != nil && !errors.Is(c.err, io.EOF) {
		return nil, c.err
	}
	return c, nil
}

func (c *CSVReader) readHeader() error {
	for c.sc.Scan() {
		c.line++
		line := bytes.TrimSpace(c.sc.Bytes())
		if c.line == 1 {
			line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf")) // UTF-8 BOM
		}
		if len(line) == 0 {
			continue
		}
		fields := bytes.Split(line, []byte(","))
		if len(fields) != 4 && len(fields) != 7 {
			return &ParseError{Format: "csv", Line: c.line, Err: fmt.Errorf("header has %d columns, want %q (or its first four columns)", len(fields), CSVHeader)}
		}
		for i, f := range fields {
			if string(bytes.TrimSpace(f)) != csvColumns[i] {
				return &ParseError{Format: "csv", Line: c.line, Field: csvColumns[i], Err: fmt.Errorf("header column %d is %q, want %q", i+1, f, csvColumns[i])}
			}
		}
		c.cols = len(fields)
		return nil
	}
	if err := c.sc.Err(); err != nil {
		return &ParseError{Format: "csv", Line: c.line + 1, Err: err}
	}
	return &ParseError{Format: "csv", Line: c.line, Err: errors.New("empty file: no header")}
}

// HasGyro reports whether the rows carry angular rate.
func (c *CSVReader) HasGyro() bool { return c.gyro }

// Read fills dst with samples.
func (c *CSVReader) Read(dst []gait.Sample) (int, error) { return c.read(dst, c.next) }

func (c *CSVReader) next() (gait.Sample, error) {
	var s gait.Sample
	for c.sc.Scan() {
		c.line++
		line := c.sc.Bytes()
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var fields [7][]byte
		nf := 0
		for nf < 7 {
			i := bytes.IndexByte(line, ',')
			if i < 0 {
				fields[nf] = line
				nf++
				line = nil
				break
			}
			fields[nf] = line[:i]
			nf++
			line = line[i+1:]
		}
		if line != nil || nf != c.cols {
			got := nf
			if line != nil {
				got += 1 + bytes.Count(line, []byte(","))
			}
			return s, &ParseError{Format: "csv", Line: c.line, Err: fmt.Errorf("row has %d fields, want %d", got, c.cols)}
		}
		gyroEmpty := true
		if c.cols == 7 {
			empty := 0
			for i := 4; i < 7; i++ {
				if len(bytes.TrimSpace(fields[i])) == 0 {
					empty++
				}
			}
			if empty != 0 && empty != 3 {
				for i := 4; i < 7; i++ {
					if len(bytes.TrimSpace(fields[i])) == 0 {
						return s, &ParseError{Format: "csv", Line: c.line, Field: csvColumns[i], Err: errors.New("empty while other gyroscope columns have values")}
					}
				}
			}
			gyroEmpty = empty == 3
		}
		if !c.decided {
			c.decided = true
			c.gyro = !gyroEmpty
		} else if c.gyro == gyroEmpty {
			field := csvColumns[4]
			want := "a value"
			if !c.gyro {
				want = "empty, as on the first row"
			}
			return s, &ParseError{Format: "csv", Line: c.line, Field: field, Err: fmt.Errorf("gyroscope columns must be %s", want)}
		}
		last := 4
		if c.gyro {
			last = 7
		}
		var v [7]float64
		for i := 0; i < last; i++ {
			f, err := parseFloat(fields[i])
			if err != nil {
				return s, &ParseError{Format: "csv", Line: c.line, Field: csvColumns[i], Err: err}
			}
			v[i] = f
		}
		s.TimeS = v[0]
		s.AccMS2 = gait.Vec3{v[1], v[2], v[3]}
		s.GyroRPS = gait.Vec3{v[4], v[5], v[6]}
		return s, nil
	}
	if err := c.sc.Err(); err != nil {
		return s, &ParseError{Format: "csv", Line: c.line + 1, Err: err}
	}
	return s, io.EOF
}

func parseFloat(b []byte) (float64, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return 0, errors.New("empty value")
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) {
			err = ne.Err
		}
		return 0, fmt.Errorf("%q is not a number (%v)", b, err)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%q is not a finite number", b)
	}
	return f, nil
}

// WriteCSV writes rec in legwork's CSV format.
func WriteCSV(w io.Writer, rec *gait.Recording) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(CSVHeader + "\n")
	buf := make([]byte, 0, 128)
	for _, s := range rec.Samples {
		buf = buf[:0]
		buf = strconv.AppendFloat(buf, s.TimeS, 'f', -1, 64)
		for i := 0; i < 3; i++ {
			buf = append(buf, ',')
			buf = strconv.AppendFloat(buf, s.AccMS2[i], 'g', 8, 64)
		}
		for i := 0; i < 3; i++ {
			buf = append(buf, ',')
			if rec.Gyro {
				buf = strconv.AppendFloat(buf, s.GyroRPS[i], 'g', 8, 64)
			}
		}
		buf = append(buf, '\n')
		if _, err := bw.Write(buf); err != nil {
			return err
		}
	}
	return bw.Flush()
}
