package gait

import (
	"math"
	"sort"
)

// channels holds uniformly sampled signals: three acceleration axes (m/s²)
// and three angular-rate axes (rad/s), in the sensor frame.
type channels [6][]float64

func (c *channels) reset() {
	for i := range c {
		c[i] = c[i][:0]
	}
}

func (c *channels) len() int { return len(c[0]) }

func (c *channels) append(v *[6]float64) {
	for i := range c {
		c[i] = append(c[i], v[i])
	}
}

// dropFront removes the first k samples, keeping capacity.
func (c *channels) dropFront(k int) {
	for i := range c {
		n := copy(c[i], c[i][k:])
		c[i] = c[i][:n]
	}
}

// Gap is a stretch of a recording without samples.
type Gap struct {
	StartS float64 `json:"start_s"`
	EndS   float64 `json:"end_s"`
}

// SamplingStats describes how the raw timestamps behaved.
type SamplingStats struct {
	Samples        int     `json:"samples"`
	Duplicates     int     `json:"duplicates"`      // samples dropped for a repeated timestamp
	OutOfOrder     int     `json:"out_of_order"`    // samples dropped for a timestamp going backwards
	NominalRateHz  float64 `json:"nominal_rate_hz"` // 1 / median interval of the first samples
	IrregularShare float64 `json:"irregular_share"` // share of intervals off the nominal by more than 50 %
	Gaps           []Gap   `json:"gaps,omitempty"`  // intervals longer than the gap limit (not analysed)
	DurationS      float64 `json:"duration_s"`
	ClippedAxes    int     `json:"clipped_axes"` // acceleration axes whose extreme value repeats as a plateau
}

// resampler turns irregular samples into a uniform grid at rateHz. When the
// input is at least 1.5× faster than the output it averages the samples that
// fall in each output bin (a box anti-alias filter); otherwise it
// interpolates linearly. Intervals longer than maxGapS end a segment: nothing
// is interpolated across them.
type resampler struct {
	rateHz, dt, maxGapS float64

	onSample func(t float64, v *[6]float64)
	onGap    func(g Gap)

	head    []Sample // the first samples, buffered to decide the mode
	decided bool
	binMean bool
	nominal float64

	have  bool
	tmp   [6]float64 // output buffer, reused for every emitted sample
	last  Sample
	next  float64 // next output time
	bin   [6]float64
	binN  int
	stats SamplingStats
	first float64

	irregular int
	intervals int

	clip clipTracker
}

const headSamples = 256

func newResampler(rateHz, maxGapS float64, onSample func(float64, *[6]float64), onGap func(Gap)) *resampler {
	return &resampler{rateHz: rateHz, dt: 1 / rateHz, maxGapS: maxGapS, onSample: onSample, onGap: onGap}
}

func (r *resampler) push(s *Sample) {
	if !r.decided {
		r.head = append(r.head, *s)
		if len(r.head) >= headSamples {
			r.decide()
		}
		return
	}
	r.feed(s)
}

// pushAll pushes the samples in order: the same as push on each, with the
// common case of bin averaging (a sample that falls after the previous one
// by no more than the gap limit) run with its state in local variables.
func (r *resampler) pushAll(ss []Sample) {
	for len(ss) > 0 && (!r.decided || !r.have) {
		r.push(&ss[0])
		ss = ss[1:]
	}
	if !r.binMean {
		for i := range ss {
			r.feed(&ss[i])
		}
		return
	}
	var (
		half     = r.dt / 2
		next     = r.next
		lastT    = r.last.TimeS
		nominal  = r.nominal
		maxGap   = r.maxGapS
		clip     = r.clip
		samples  = 0
		interval = 0
		irreg    = 0
		last     = -1 // index in ss of the last sample taken, -1: r.last
	)
	// sync writes the local state back, before the general path runs or
	// at the end.
	sync := func() {
		r.next = next
		r.clip = clip
		r.stats.Samples += samples
		r.intervals += interval
		r.irregular += irreg
		samples, interval, irreg = 0, 0, 0
		if last >= 0 {
			r.last = ss[last]
		}
	}
	for i := range ss {
		s := &ss[i]
		dt := s.TimeS - lastT
		if !(dt > 0) || dt > maxGap {
			// a repeated or earlier timestamp, NaN, or a gap
			sync()
			r.feed(s)
			next, lastT, last, clip = r.next, r.last.TimeS, -1, r.clip
			continue
		}
		samples++
		clip.track(s)
		interval++
		if nominal > 0 && math.Abs(dt-nominal) > 0.5*nominal {
			irreg++
		}
		for s.TimeS >= next+half {
			if r.binN > 0 {
				r.next = next
				r.flushBin()
			} else {
				sync()
				r.emitAt(next, &r.last, s)
			}
			next += r.dt
		}
		r.addBin(s)
		lastT, last = s.TimeS, i
	}
	sync()
}

func (r *resampler) decide() {
	r.decided = true
	// median positive interval of the head
	var d []float64
	for i := 1; i < len(r.head); i++ {
		if dt := r.head[i].TimeS - r.head[i-1].TimeS; dt > 0 {
			d = append(d, dt)
		}
	}
	if len(d) > 0 {
		sort.Float64s(d)
		r.nominal = d[len(d)/2]
		r.stats.NominalRateHz = 1 / r.nominal
		r.binMean = r.stats.NominalRateHz >= 1.5*r.rateHz
	}
	head := r.head
	r.head = nil
	for i := range head {
		r.feed(&head[i])
	}
}

func (r *resampler) feed(s *Sample) {
	r.stats.Samples++
	r.clip.track(s)
	if !r.have {
		r.have = true
		r.last = *s
		r.first = s.TimeS
		r.next = s.TimeS
		if r.binMean {
			r.addBin(s)
		} else {
			r.emitAt(s.TimeS, s, s)
			r.next += r.dt
		}
		return
	}
	dt := s.TimeS - r.last.TimeS
	switch {
	case dt == 0:
		r.stats.Duplicates++
		return
	case dt < 0 || math.IsNaN(dt):
		r.stats.OutOfOrder++
		return
	}
	r.intervals++
	if r.nominal > 0 && math.Abs(dt-r.nominal) > 0.5*r.nominal {
		r.irregular++
	}
	if dt > r.maxGapS {
		r.flushBin()
		r.onGap(Gap{StartS: r.last.TimeS, EndS: s.TimeS})
		r.stats.Gaps = append(r.stats.Gaps, Gap{StartS: r.last.TimeS, EndS: s.TimeS})
		r.last = *s
		r.next = s.TimeS
		if r.binMean {
			r.addBin(s)
		} else {
			r.emitAt(s.TimeS, s, s)
			r.next += r.dt
		}
		return
	}
	if r.binMean {
		half := r.dt / 2
		for s.TimeS >= r.next+half {
			if r.binN > 0 {
				r.flushBin()
			} else {
				r.emitAt(r.next, &r.last, s)
			}
			r.next += r.dt
		}
		r.addBin(s)
	} else {
		for r.next <= s.TimeS {
			r.emitAt(r.next, &r.last, s)
			r.next += r.dt
		}
	}
	r.last = *s
}

// clipTracker follows each acceleration axis's largest absolute value and
// how often it occurs.
type clipTracker struct {
	max [3]float64
	n   [3]int
}

func (c *clipTracker) track(s *Sample) {
	for i := 0; i < 3; i++ {
		a := math.Abs(s.AccMS2[i])
		switch {
		case a > c.max[i]:
			c.max[i] = a
			c.n[i] = 1
		case a == c.max[i]:
			c.n[i]++
		}
	}
}

func (r *resampler) addBin(s *Sample) {
	for i := 0; i < 3; i++ {
		r.bin[i] += s.AccMS2[i]
		r.bin[3+i] += s.GyroRPS[i]
	}
	r.binN++
}

// flushBin emits the mean of the current bin at the bin's centre time.
func (r *resampler) flushBin() {
	if r.binN == 0 {
		return
	}
	k := 1 / float64(r.binN)
	for i := range r.bin {
		r.bin[i] *= k
	}
	r.onSample(r.next, &r.bin)
	r.bin = [6]float64{}
	r.binN = 0
}

// emitAt emits the linear interpolation between a and b at time t.
func (r *resampler) emitAt(t float64, a, b *Sample) {
	v := &r.tmp
	w := 0.0
	if d := b.TimeS - a.TimeS; d > 0 {
		w = (t - a.TimeS) / d
	}
	for i := 0; i < 3; i++ {
		v[i] = a.AccMS2[i] + w*(b.AccMS2[i]-a.AccMS2[i])
		v[3+i] = a.GyroRPS[i] + w*(b.GyroRPS[i]-a.GyroRPS[i])
	}
	r.onSample(t, v)
}

// finish flushes what is pending and returns the sampling statistics.
func (r *resampler) finish() SamplingStats {
	if !r.decided {
		r.decide()
	}
	if r.binMean {
		r.flushBin()
	}
	if r.have {
		r.stats.DurationS = r.last.TimeS - r.first
	}
	if r.intervals > 0 {
		r.stats.IrregularShare = float64(r.irregular) / float64(r.intervals)
	}
	for i := 0; i < 3; i++ {
		// A genuine signal touches its maximum once; a saturated sensor sits
		// on its full-scale value. Full scale of a wearable is at least 2 g.
		if r.clip.n[i] >= 3 && r.clip.max[i] >= 19 {
			r.stats.ClippedAxes++
		}
	}
	return r.stats
}
