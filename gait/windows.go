package gait

import "math"

// Windows runs the parameter blocks of the pipeline on given time windows of
// an in-memory recording, as if each window had been detected as a walking
// bout: the contacts within a window (with toleranceS of slack at each end)
// are taken as the bout's steps. They are the step detector's contacts with
// the same per-bout additions and removals as Analyze makes (first step,
// closing step, gaps); contacts outside any detected bout are kept too, so
// that a window the bout detection missed is still measured. This
// separates the accuracy of the parameters from that of bout detection, the
// way block-level validation is reported (Mobilise-D). A window that falls
// in a gap, or holds fewer than two contacts, gives a Bout with NA values.
func (p Pipeline) Windows(rec *Recording, opt Options, windows [][2]float64, toleranceS float64) ([]Bout, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	type segment struct {
		body *Body
		ics  []float64
	}
	var segs []segment
	bodies, _ := p.Segments(rec)
	for _, b := range bodies {
		var d detection
		p.detect(b, math.Inf(-1), &d)
		segs = append(segs, segment{b, d.ics})
	}
	out := make([]Bout, len(windows))
	for i, w := range windows {
		out[i] = Bout{StartS: w[0], EndS: w[1], Summary: summarise(nil), MotionOnsetS: NA, MotionOffsetS: NA}
		mid := 0.5 * (w[0] + w[1])
		for _, s := range segs {
			if mid < s.body.T0S || mid > s.body.TimeOf(float64(s.body.Len()-1)) {
				continue
			}
			var ics []float64
			for _, t := range s.ics {
				if t >= w[0]-toleranceS && t <= w[1]+toleranceS {
					ics = append(ics, t)
				}
			}
			if len(ics) >= 2 {
				out[i], _ = p.bout(s.body, ics, opt)
			}
		}
	}
	return out, nil
}

// Segments resamples an in-memory recording with the pipeline's settings
// and returns the body-frame signal of each stretch between sampling gaps,
// with the sampling statistics. The guided tests (package assess) work on
// these.
func (p Pipeline) Segments(rec *Recording) ([]*Body, SamplingStats) {
	var out []*Body
	var ch channels
	var t0 float64
	started := false
	// size the buffers once from the recording's length and rate
	if n := len(rec.Samples); n > 1 {
		span := rec.Samples[n-1].TimeS - rec.Samples[0].TimeS
		if span > 0 {
			m := int(span*p.SampleRateHz) + 16
			for i := range ch {
				ch[i] = make([]float64, 0, m)
			}
		}
	}
	flush := func() {
		if ch.len() == 0 {
			return
		}
		b := &Body{}
		p.Body.transform(b, &ch, p.SampleRateHz, t0, rec.Gyro)
		out = append(out, b)
		ch = channels{}
		started = false
	}
	rs := newResampler(p.SampleRateHz, p.MaxGapS, func(t float64, v *[6]float64) {
		if !started {
			started, t0 = true, t
		}
		ch.append(v)
	}, func(Gap) { flush() })
	rs.pushAll(rec.Samples)
	stats := rs.finish()
	flush()
	return out, stats
}
