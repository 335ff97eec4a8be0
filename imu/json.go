package imu

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"legwork/gait"
)

// JSONFormat is the value of the optional "format" member of a JSON
// recording.
const JSONFormat = "legwork-json/1"

// JSONRecording is the JSON form of a recording, as the web app sends it:
// one array per column, all of the same length.
//
//	{"format": "legwork-json/1",
//	 "user_agent": "Mozilla/5.0 …",
//	 "t":  [0, 0.01, …],          // seconds
//	 "ax": […], "ay": […], "az": […], // m/s², gravity included
//	 "gx": […], "gy": […], "gz": […]} // rad/s, optional (all three or none)
//
// Every value must be a JSON number; null, strings and unknown members are
// refused.
type JSONRecording struct {
	Format    string    `json:"format,omitempty"`
	UserAgent string    `json:"user_agent,omitempty"`
	T         []float64 `json:"t"`
	AX        []float64 `json:"ax"`
	AY        []float64 `json:"ay"`
	AZ        []float64 `json:"az"`
	GX        []float64 `json:"gx,omitempty"`
	GY        []float64 `json:"gy,omitempty"`
	GZ        []float64 `json:"gz,omitempty"`
}

// jsonColumns names the columns in order.
var jsonColumns = [7]string{"t", "ax", "ay", "az", "gx", "gy", "gz"}

// JSONReader reads the JSON form of a recording. It is a gait.Source.
// The whole document is decoded by NewJSONReader, so every error, with the
// sample number and field at fault, is reported before any sample is read.
type JSONReader struct {
	ua   string
	cols [7][]float64
	gyro bool
	n    int
	pos  int
}

// NewJSONReader decodes a JSON recording from r.
func NewJSONReader(r io.Reader) (*JSONReader, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, &ParseError{Format: "json", Err: err}
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil {
		return nil, jsonSyntaxError(data, err)
	}
	if members == nil {
		return nil, &ParseError{Format: "json", Err: errors.New("the document must be an object")}
	}
	jr := &JSONReader{}
	for name, raw := range members {
		switch name {
		case "format":
			var f *string
			if err := json.Unmarshal(raw, &f); err != nil || f == nil || *f != JSONFormat {
				return nil, &ParseError{Format: "json", Field: name, Err: fmt.Errorf("must be %q", JSONFormat)}
			}
		case "user_agent":
			var ua *string
			if err := json.Unmarshal(raw, &ua); err != nil || ua == nil {
				return nil, &ParseError{Format: "json", Field: name, Err: errors.New("must be a string")}
			}
			jr.ua = *ua
		default:
			i := columnIndex(name)
			if i < 0 {
				return nil, &ParseError{Format: "json", Field: name, Err: errors.New("unknown member (want format, user_agent, t, ax, ay, az, gx, gy, gz)")}
			}
			col, err := decodeColumn(name, raw)
			if err != nil {
				return nil, err
			}
			jr.cols[i] = col
		}
	}
	for i := 0; i < 4; i++ {
		if jr.cols[i] == nil {
			return nil, &ParseError{Format: "json", Field: jsonColumns[i], Err: errors.New("missing")}
		}
	}
	ng := 0
	for i := 4; i < 7; i++ {
		if jr.cols[i] != nil {
			ng++
		}
	}
	if ng != 0 && ng != 3 {
		for i := 4; i < 7; i++ {
			if jr.cols[i] == nil {
				return nil, &ParseError{Format: "json", Field: jsonColumns[i], Err: errors.New("missing while other gyroscope columns are present")}
			}
		}
	}
	jr.gyro = ng == 3
	jr.n = len(jr.cols[0])
	last := 4
	if jr.gyro {
		last = 7
	}
	for i := 1; i < last; i++ {
		if len(jr.cols[i]) != jr.n {
			line := min(len(jr.cols[i]), jr.n) + 1
			return nil, &ParseError{Format: "json", Line: line, Field: jsonColumns[i], Err: fmt.Errorf("has %d values, but t has %d", len(jr.cols[i]), jr.n)}
		}
	}
	return jr, nil
}

func columnIndex(name string) int {
	for i, c := range jsonColumns {
		if c == name {
			return i
		}
	}
	return -1
}

// decodeColumn decodes an array of finite numbers, naming the first bad
// element (1-based, in ParseError.Line) when there is one.
func decodeColumn(name string, raw json.RawMessage) ([]float64, error) {
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil || elems == nil {
		return nil, &ParseError{Format: "json", Field: name, Err: errors.New("must be an array of numbers")}
	}
	out := make([]float64, len(elems))
	for i, e := range elems {
		e = bytes.TrimSpace(e)
		if len(e) == 0 || !(e[0] == '-' || (e[0] >= '0' && e[0] <= '9')) {
			return nil, &ParseError{Format: "json", Line: i + 1, Field: name, Err: fmt.Errorf("%s is not a number", truncate(e))}
		}
		f, err := strconv.ParseFloat(string(e), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, &ParseError{Format: "json", Line: i + 1, Field: name, Err: fmt.Errorf("%s is not a finite number", truncate(e))}
		}
		out[i] = f
	}
	return out, nil
}

func truncate(b []byte) string {
	if len(b) > 20 {
		return string(b[:20]) + "…"
	}
	return string(b)
}

// jsonSyntaxError reports a malformed document with its line.
func jsonSyntaxError(data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off := int(min(se.Offset, int64(len(data))))
		line := 1 + bytes.Count(data[:off], []byte("\n"))
		return &ParseError{Format: "json", Err: fmt.Errorf("not valid JSON at line %d (byte %d): %v", line, se.Offset, se)}
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return &ParseError{Format: "json", Err: errors.New("the document must be an object")}
	}
	return &ParseError{Format: "json", Err: err}
}

// UserAgent returns the user_agent member (the browser or device that
// recorded), or "".
func (j *JSONReader) UserAgent() string { return j.ua }

// HasGyro reports whether the recording has the gyroscope columns.
func (j *JSONReader) HasGyro() bool { return j.gyro }

// Len returns the number of samples.
func (j *JSONReader) Len() int { return j.n }

// Read fills dst with samples.
func (j *JSONReader) Read(dst []gait.Sample) (int, error) {
	if j.pos >= j.n {
		return 0, io.EOF
	}
	k := 0
	for ; k < len(dst) && j.pos < j.n; k++ {
		i := j.pos
		s := gait.Sample{TimeS: j.cols[0][i], AccMS2: gait.Vec3{j.cols[1][i], j.cols[2][i], j.cols[3][i]}}
		if j.gyro {
			s.GyroRPS = gait.Vec3{j.cols[4][i], j.cols[5][i], j.cols[6][i]}
		}
		dst[k] = s
		j.pos++
	}
	return k, nil
}

// WriteJSON writes rec in the JSON form.
func WriteJSON(w io.Writer, rec *gait.Recording, userAgent string) error {
	doc := JSONRecording{Format: JSONFormat, UserAgent: userAgent}
	n := len(rec.Samples)
	doc.T, doc.AX, doc.AY, doc.AZ = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	if rec.Gyro {
		doc.GX, doc.GY, doc.GZ = make([]float64, n), make([]float64, n), make([]float64, n)
	}
	for i, s := range rec.Samples {
		doc.T[i], doc.AX[i], doc.AY[i], doc.AZ[i] = s.TimeS, s.AccMS2[0], s.AccMS2[1], s.AccMS2[2]
		if rec.Gyro {
			doc.GX[i], doc.GY[i], doc.GZ[i] = s.GyroRPS[0], s.GyroRPS[1], s.GyroRPS[2]
		}
	}
	return json.NewEncoder(w).Encode(doc)
}
