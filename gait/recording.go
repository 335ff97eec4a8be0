package gait

import (
	"errors"
	"io"
	"math"
)

// Vec3 is a three-axis sensor reading in the sensor's own frame.
type Vec3 [3]float64

// Dot returns the scalar product of v and w.
func (v Vec3) Dot(w Vec3) float64 { return v[0]*w[0] + v[1]*w[1] + v[2]*w[2] }

// Norm returns the Euclidean length of v.
func (v Vec3) Norm() float64 { return math.Sqrt(v.Dot(v)) }

// Sample is one reading of a motion recording: time in seconds, acceleration
// including gravity in m/s² (the axis pointing up reads about +9.81 at rest,
// the W3C devicemotion and Android convention), and angular rate in rad/s.
type Sample struct {
	TimeS   float64
	AccMS2  Vec3
	GyroRPS Vec3
}

// Source delivers a recording's samples in time order, in batches, like
// io.Reader: Read fills dst and returns how many samples it wrote, and io.EOF
// once the recording is exhausted. Timestamps may be irregular, repeated or
// have gaps; the analysis copes with all three. Format readers (CSV, the web
// app's compact form, wearable files) implement Source.
type Source interface {
	Read(dst []Sample) (int, error)
	// HasGyro reports whether the angular-rate fields carry data.
	HasGyro() bool
}

// Recording is a whole recording held in memory.
type Recording struct {
	Samples []Sample
	Gyro    bool // the GyroRPS fields carry data
}

// Source returns a Source reading r from its start.
func (r *Recording) Source() Source { return &sliceSource{s: r.Samples, gyro: r.Gyro} }

type sliceSource struct {
	s    []Sample
	gyro bool
}

func (s *sliceSource) HasGyro() bool { return s.gyro }

// Len reports how many samples remain, so that the analysis can size its
// buffers once.
func (s *sliceSource) Len() int { return len(s.s) }

func (s *sliceSource) Read(dst []Sample) (int, error) {
	if len(s.s) == 0 {
		return 0, io.EOF
	}
	n := copy(dst, s.s)
	s.s = s.s[n:]
	return n, nil
}

// ReadAll reads every sample from src into a Recording.
func ReadAll(src Source) (*Recording, error) {
	r := &Recording{Gyro: src.HasGyro()}
	buf := make([]Sample, 4096)
	for {
		n, err := src.Read(buf)
		r.Samples = append(r.Samples, buf[:n]...)
		if errors.Is(err, io.EOF) {
			return r, nil
		}
		if err != nil {
			return r, err
		}
	}
}
