package gait_test

import (
	"io"
	"testing"

	"legwork/gait"
	"legwork/synth"
)

// BenchmarkAnalyzeWalk2Min analyses a 2-minute, 100 Hz lower-back walk
// (12 000 samples, with gyroscope) from memory.
func BenchmarkAnalyzeWalk2Min(b *testing.B) {
	rec, _ := synth.Walk(synth.WalkParams{StandBeforeS: 2, WalkS: 116, StandAfterS: 2, NoiseMS2: 0.1, Turns: []synth.TurnSpec{{StartS: 60, DurationS: 2, AngleDeg: 180}}, Seed: 1})
	opt := gait.Options{Placement: gait.LowerBack, Subject: gait.Subject{HeightM: 1.7}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := gait.AnalyzeRecording(rec, opt); err != nil {
			b.Fatal(err)
		}
	}
}

// repeatSource streams a recording over and over, shifted in time, for n
// samples: a day-long recording without holding it in memory.
type repeatSource struct {
	rec  *gait.Recording
	pos  int
	left int
	off  float64
}

func (s *repeatSource) HasGyro() bool { return s.rec.Gyro }

func (s *repeatSource) Read(dst []gait.Sample) (int, error) {
	if s.left == 0 {
		return 0, io.EOF
	}
	n := 0
	period := s.rec.Samples[len(s.rec.Samples)-1].TimeS + 0.01
	for n < len(dst) && s.left > 0 {
		sm := s.rec.Samples[s.pos]
		sm.TimeS += s.off
		dst[n] = sm
		n++
		s.left--
		s.pos++
		if s.pos == len(s.rec.Samples) {
			s.pos = 0
			s.off += period
		}
	}
	return n, nil
}

// BenchmarkAnalyze24Hours streams 24 hours of continuous 100 Hz data
// (8.64 million samples: 10-minute cycles of standing and walking).
func BenchmarkAnalyze24Hours(b *testing.B) {
	rec, _ := synth.Walk(synth.WalkParams{StandBeforeS: 240, WalkS: 120, StandAfterS: 240, NoiseMS2: 0.05, Seed: 2})
	opt := gait.Options{Placement: gait.LowerBack, Subject: gait.Subject{HeightM: 1.7}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res, err := gait.Analyze(&repeatSource{rec: rec, left: 24 * 3600 * 100}, opt)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Bouts) < 100 {
			b.Fatalf("found %d bouts in 24 h, want 144", len(res.Bouts))
		}
	}
}
