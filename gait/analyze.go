package gait

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"legwork/dsp"
)

// Options describe the recording being analysed.
type Options struct {
	Placement Placement
	Subject   Subject
	// DistanceM, when positive, makes this a timed walk over that distance:
	// the result then holds the stopwatch time and speed.
	DistanceM float64
}

// Analyze analyses a recording with the preset pipeline for its placement.
func Analyze(src Source, opt Options) (*Result, error) {
	p := PipelineFor(opt.Placement)
	return p.Analyze(src, opt)
}

// AnalyzeRecording is Analyze for a recording held in memory.
func AnalyzeRecording(r *Recording, opt Options) (*Result, error) {
	return Analyze(r.Source(), opt)
}

// Analyze runs the pipeline over src. The recording is streamed: memory
// stays bounded by the block length (plus the longest walking bout), so a
// day-long wearable recording can be analysed.
func (p Pipeline) Analyze(src Source, opt Options) (*Result, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	r := newRun(p, opt, src.HasGyro())
	if l, ok := src.(interface{ Len() int }); ok {
		r.sizeHint = l.Len()
	}
	if ss, ok := src.(*sliceSource); ok {
		// a recording in memory: no need to copy it through a buffer
		r.rs.pushAll(ss.s)
		ss.s = nil
		return r.finish(), nil
	}
	buf := make([]Sample, 2048)
	for {
		n, err := src.Read(buf)
		r.rs.pushAll(buf[:n])
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	return r.finish(), nil
}

func (p Pipeline) validate() error {
	switch {
	case !(p.SampleRateHz >= 10):
		return fmt.Errorf("gait: pipeline sample rate %.3g Hz is below 10 Hz", p.SampleRateHz)
	case p.Steps == nil || p.Bouts == nil:
		return errors.New("gait: pipeline needs a step detector and a bout detector")
	case !(p.BlockS >= 4*p.MarginS) || !(p.MarginS > 0):
		return errors.New("gait: pipeline block must be at least four margins long")
	}
	return nil
}

// run is the state of one analysis.
type run struct {
	p    Pipeline
	opt  Options
	gyro bool
	rs   *resampler

	ch      channels
	t0      float64
	started bool
	trigger int // process when the buffer reaches this many samples
	blockN  int
	maxN    int
	body    Body

	sizeHint      int             // number of input samples, when the source knows it
	moving        []movingStretch // for timed walks
	committed     float64         // bouts starting before this time were emitted
	turnCommitted float64
	det           detection
	turnBuf       []Turn

	res         Result
	stepTimes   []float64
	strideTimes []float64
	boutWeights []float64 // duration of each bout, for weighted means
	slSum       float64   // Σ stride length × steps, over bouts with one
	slSteps     int
	distance    float64
	slTime      float64
}

func newRun(p Pipeline, opt Options, gyro bool) *run {
	r := &run{p: p, opt: opt, gyro: gyro}
	r.blockN = int(p.BlockS * p.SampleRateHz)
	r.maxN = 6 * r.blockN
	r.trigger = r.blockN
	r.committed = math.Inf(-1)
	r.turnCommitted = math.Inf(-1)
	r.rs = newResampler(p.SampleRateHz, p.MaxGapS, r.onSample, r.onGap)
	r.res = Result{
		AlgorithmVersion: AlgorithmVersion,
		Placement:        opt.Placement,
		HasGyro:          gyro,
		Bouts:            []Bout{},
		Turns:            []Turn{},
		InitialContactsS: []float64{},
		Quality:          []Flag{},
	}
	return r
}

func (r *run) onSample(t float64, v *[6]float64) {
	if !r.started {
		r.started = true
		r.t0 = t
		if r.sizeHint > 0 && cap(r.ch[0]) == 0 {
			// Size the buffers once: the input length scaled by the
			// resampling ratio (now known), capped at one block and a half.
			n := r.sizeHint
			if nom := r.rs.stats.NominalRateHz; nom > 0 {
				n = int(float64(n)*r.p.SampleRateHz/nom) + 16
			}
			n = min(n, r.blockN+r.blockN/2)
			for i := range r.ch {
				r.ch[i] = make([]float64, 0, n)
			}
		}
	}
	r.ch.append(v)
	if r.ch.len() >= r.trigger {
		r.process(false)
	}
}

func (r *run) onGap(Gap) {
	r.process(true)
}

// process analyses the buffered segment. Unless final, only events that
// are complete well before the end of the buffer are emitted, and the
// buffer keeps the samples needed for the rest.
func (r *run) process(final bool) {
	n := r.ch.len()
	if n == 0 {
		r.resetSegment()
		return
	}
	fs := r.p.SampleRateHz
	b := &r.body
	r.p.Body.transform(b, &r.ch, fs, r.t0, r.gyro)
	endT := b.TimeOf(float64(n - 1))
	limit := math.Inf(1)
	keepFrom := math.Inf(1)
	forced := false
	if !final {
		limit = endT - r.p.MarginS
		keepFrom = endT - 2*r.p.MarginS
		forced = n >= r.maxN
	}
	r.p.detect(b, r.committed, &r.det)
	for _, bt := range r.det.bouts {
		ics := r.det.ics[bt[0] : bt[1]+1]
		if ics[0] < r.committed {
			// Emitted from an earlier block, or the continuation of a bout
			// split because it outgrew the buffer: keep what lies beyond.
			k, _ := slices.BinarySearch(ics, r.committed)
			ics = ics[k:]
			if len(ics) < 4 {
				continue
			}
		}
		end := ics[len(ics)-1]
		if final || end < limit {
			r.emitBout(ics)
			continue
		}
		if forced {
			if k, _ := slices.BinarySearch(ics, limit); k >= 2 {
				r.emitBout(ics[:k])
			}
			keepFrom = min(keepFrom, limit-r.p.MarginS)
		} else {
			keepFrom = min(keepFrom, ics[0]-r.p.MarginS)
		}
		break
	}
	if r.gyro && r.p.Turns != nil {
		r.turnBuf = r.p.Turns.Turns(b, r.turnBuf[:0])
		for _, t := range r.turnBuf {
			if t.StartS <= r.turnCommitted {
				continue
			}
			if final || t.EndS < limit || forced {
				r.res.Turns = append(r.res.Turns, t)
				r.turnCommitted = t.EndS
				continue
			}
			keepFrom = min(keepFrom, t.StartS-r.p.MarginS)
			break
		}
	}
	if final {
		if r.opt.DistanceM > 0 {
			var ics []float64
			for _, t := range r.res.InitialContactsS {
				if t >= b.T0S && t <= endT {
					ics = append(ics, t)
				}
			}
			for _, m := range r.p.Motion.Moving(b, ics, r.p.Motion.MinStillS) {
				r.moving = append(r.moving, movingStretch{m, m[0] <= b.T0S+0.5/fs || m[1] >= endT-0.5/fs})
			}
		}
		r.resetSegment()
		return
	}
	k := int((keepFrom - r.t0) * fs)
	if k > 0 {
		k = min(k, n)
		r.ch.dropFront(k)
		r.t0 += float64(k) / fs
	}
	r.trigger = r.ch.len() + r.blockN/2
}

// detection holds the step detector's output for one stretch of signal, and
// its buffers, reused from one block to the next.
type detection struct {
	ics   []float64 // contacts, in time order
	bouts [][2]int  // first and last index in ics of each walking bout
	weak  []float64
	faint []float64
	gap   []float64
}

// detect finds the contacts and walking bouts of b: the step detector's
// contacts grouped into bouts, then, per bout, the first contact dropped
// when it is the shift of weight before gait initiation
// (FirstStepMinRatio; not for bouts starting before committed, which were
// emitted from an earlier block), the closing step added (ClosingStep) and
// long intervals filled (FillGaps).
func (p Pipeline) detect(b *Body, committed float64, d *detection) {
	if wd, ok := p.Steps.(WeakStepDetector); ok && p.ClosingStep {
		d.ics, d.weak, d.faint = wd.Contacts(b, d.ics[:0], d.weak[:0], d.faint[:0])
		d.bouts = p.Bouts.Bouts(d.ics, d.bouts[:0])
		d.ics, d.bouts = dropInitiationShift(d.ics, d.bouts, p.FirstStepMinRatio, committed)
		d.ics, d.bouts = closingSteps(d.ics, d.bouts, d.weak)
		if p.FillGaps {
			// between two contacts, faint candidates count as well
			d.gap = append(append(d.gap[:0], d.weak...), d.faint...)
			slices.Sort(d.gap)
			d.ics, d.bouts = gapSteps(d.ics, d.bouts, d.gap)
		}
		return
	}
	d.ics = p.Steps.InitialContacts(b, d.ics[:0])
	d.bouts = p.Bouts.Bouts(d.ics, d.bouts[:0])
	d.ics, d.bouts = dropInitiationShift(d.ics, d.bouts, p.FirstStepMinRatio, committed)
}

func (r *run) resetSegment() {
	r.ch.reset()
	r.started = false
	r.trigger = r.blockN
}

// emitBout computes a bout's parameters from the current body signal and
// adds it to the result.
func (r *run) emitBout(ics []float64) {
	bt, lengths := r.p.bout(&r.body, ics, r.opt)
	if n := len(lengths); n > 0 {
		r.slSum += float64(bt.StrideLengthM) * float64(bt.Steps)
		r.slSteps += bt.Steps
		r.distance += float64(bt.DistanceM)
		r.slTime += bt.EndS - bt.StartS
	}
	r.res.Bouts = append(r.res.Bouts, bt)
	r.res.InitialContactsS = append(r.res.InitialContactsS, ics...)
	for i := 1; i < len(ics); i++ {
		r.stepTimes = append(r.stepTimes, ics[i]-ics[i-1])
		if i >= 2 {
			r.strideTimes = append(r.strideTimes, ics[i]-ics[i-2])
		}
	}
	r.boutWeights = append(r.boutWeights, bt.EndS-bt.StartS)
	r.committed = bt.EndS + 1e-9
}

// bout computes the parameters of the bout whose contacts are ics. It also
// returns the step lengths when stride length was estimated (nil otherwise).
func (p Pipeline) bout(b *Body, ics []float64, opt Options) (Bout, []float64) {
	bt := Bout{StartS: ics[0], EndS: ics[len(ics)-1]}
	bt.Summary = summarise(ics)
	if st := float64(bt.StepTimeS); p.Regularity && bt.StepTimeS.Valid() {
		i0, i1 := b.IndexOf(bt.StartS), b.IndexOf(bt.EndS)
		bt.StepRegularity, bt.StrideRegularity, bt.Symmetry = Regularity(b.VertMS2[i0:i1+1], b.SampleRateHz, st)
	}
	var out []float64
	if leg := opt.Subject.LegLengthM(); p.StrideLength != nil && leg > 0 && len(ics) > 1 {
		lengths := p.StrideLength.StepLengths(b, ics, leg, nil)
		valid, sum := 0, 0.0
		for _, l := range lengths {
			if !math.IsNaN(l) {
				valid++
				sum += l
			}
		}
		if valid > 0 && 2*valid >= len(lengths) {
			mean := sum / float64(valid)
			dist := mean * float64(len(lengths))
			bt.StrideLengthM = Value(2 * mean)
			bt.DistanceM = Value(dist)
			if dur := bt.EndS - bt.StartS; dur > 0 {
				bt.WalkingSpeedMPS = Value(dist / dur)
			}
			out = lengths
		}
	}
	bt.MotionOnsetS, bt.MotionOffsetS = p.Motion.Bounds(b, bt.StartS, bt.EndS)
	i0, i1 := b.IndexOf(bt.StartS), b.IndexOf(bt.EndS)
	bt.TiltSDDeg = Value(dsp.Std(b.TiltDeg[i0 : i1+1]))
	var up Vec3
	for k := range 3 {
		up[k] = dsp.Mean(b.AccMS2[k][i0 : i1+1])
	}
	if g := up.Norm(); g > 0 {
		bt.UpSensor = Vec3{up[0] / g, up[1] / g, up[2] / g}
	}
	bt.ForwardShare = NA
	if bt.StepTimeS.Valid() {
		fw, share := ForwardAxis(b, i0, i1, float64(bt.StepTimeS))
		if share > 0 {
			bt.ForwardSensor, bt.ForwardShare = fw, Value(share)
		}
	}
	return bt, out
}

// summarise computes the temporal parameters of a run of contacts; the
// parameters it cannot compute are NA.
func summarise(ics []float64) Summary {
	s := Summary{Steps: len(ics)}
	s.CadenceSPM, s.StepTimeS, s.StepTimeCVPct, s.StrideTimeS, s.StrideTimeCVPct = NA, NA, NA, NA, NA
	s.StepRegularity, s.StrideRegularity, s.Symmetry = NA, NA, NA
	s.StrideLengthM, s.WalkingSpeedMPS, s.DistanceM = NA, NA, NA
	if len(ics) > 1 {
		s.WalkingTimeS = ics[len(ics)-1] - ics[0]
	}
	var st, str []float64
	for i := 1; i < len(ics); i++ {
		st = append(st, ics[i]-ics[i-1])
		if i >= 2 {
			str = append(str, ics[i]-ics[i-2])
		}
	}
	setTimes(&s, st, str)
	return s
}

// setTimes fills the temporal parameters from step and stride times.
// Cadence is 120 / median stride time: a median is robust to one missed or
// extra contact, and a stride (two steps) is the same whichever leg is
// weaker, where the median of alternating long and short steps would be
// either one of them. With a single step, 60 / step time.
func setTimes(s *Summary, st, str []float64) {
	if len(st) > 0 {
		med := dsp.Median(st)
		s.StepTimeS = Value(med)
		if med > 0 {
			s.CadenceSPM = Value(60 / med)
		}
		s.StepTimeCVPct = Value(dsp.CV(st))
	}
	if len(str) > 0 {
		med := dsp.Median(str)
		s.StrideTimeS = Value(med)
		s.StrideTimeCVPct = Value(dsp.CV(str))
		if med > 0 {
			s.CadenceSPM = Value(120 / med)
			s.StepTimeS = Value(med / 2)
		}
	}
}

func (r *run) finish() *Result {
	stats := r.rs.finish()
	r.process(true)
	res := &r.res
	res.Sampling = stats
	res.DurationS = stats.DurationS
	// overall summary
	res.Walking = summarise(nil)
	w := &res.Walking
	w.Steps = len(res.InitialContactsS)
	for _, bt := range res.Bouts {
		w.WalkingTimeS += bt.EndS - bt.StartS
	}
	setTimes(w, r.stepTimes, r.strideTimes)
	w.StepRegularity = weighted(res.Bouts, r.boutWeights, func(b *Bout) Value { return b.StepRegularity })
	w.StrideRegularity = weighted(res.Bouts, r.boutWeights, func(b *Bout) Value { return b.StrideRegularity })
	w.Symmetry = weighted(res.Bouts, r.boutWeights, func(b *Bout) Value { return b.Symmetry })
	if r.slSteps > 0 {
		w.StrideLengthM = Value(r.slSum / float64(r.slSteps))
		w.DistanceM = Value(r.distance)
		if r.slTime > 0 {
			w.WalkingSpeedMPS = Value(r.distance / r.slTime)
		}
	}
	if r.opt.DistanceM > 0 {
		tws, best := r.timedWalks()
		if best >= 0 {
			res.TimedWalks = tws
			res.TimedWalk = &tws[best]
		}
	}
	r.flags(stats)
	return res
}

func weighted(bouts []Bout, w []float64, f func(*Bout) Value) Value {
	sum, sw := 0.0, 0.0
	for i := range bouts {
		if v := f(&bouts[i]); v.Valid() {
			sum += float64(v) * w[i]
			sw += w[i]
		}
	}
	if sw == 0 {
		return NA
	}
	return Value(sum / sw)
}

// movingStretch is a stretch of motion between two periods of standing
// still; edge is set when it touches the start or end of the recording (so
// the person was not seen standing still on that side).
type movingStretch struct {
	span [2]float64
	edge bool
}

// timedWalks times every walk over the known distance: each stretch of
// motion, between standing still before and standing still after, holding
// at least four steps — what a stopwatch started on the first movement and
// stopped when the person stands still again measures. It returns them in
// time order and the index of the one with the most steps (the main walk).
// When there is none (the person never stood still), it falls back on the
// main walking episode (timedWalkBouts).
func (r *run) timedWalks() ([]TimedWalk, int) {
	ics := r.res.InitialContactsS
	var out []TimedWalk
	best := -1
	for _, m := range r.moving {
		var in []float64
		for _, t := range ics {
			if t >= m.span[0] && t <= m.span[1] {
				in = append(in, t)
			}
		}
		if len(in) < 4 {
			continue
		}
		tw := TimedWalk{DistanceM: r.opt.DistanceM, OnsetS: m.span[0], OffsetS: m.span[1], Steps: len(in), Edge: m.edge}
		tw.CadenceSPM = summarise(in).CadenceSPM
		tw.TimeS = tw.OffsetS - tw.OnsetS
		if tw.TimeS > 0 {
			tw.SpeedMPS = tw.DistanceM / tw.TimeS
		}
		if best < 0 || tw.Steps > out[best].Steps {
			best = len(out)
		}
		out = append(out, tw)
	}
	if best < 0 {
		if tw := r.timedWalkBouts(); tw != nil {
			return []TimedWalk{*tw}, 0
		}
		return nil, -1
	}
	if out[best].Edge {
		r.flag(FlagTimedWalk, "the recording starts or ends while the person is moving: stand still for a few seconds before and after the walk so that its start and end can be timed")
	}
	return out, best
}

// timedWalkBouts times the main walking episode: the longest bout together with
// the bouts chained to it by pauses shorter than 3 s (a walk with a turn, or
// a hesitation, stays one walk), from the motion onset of its first bout to
// the motion offset of its last.
func (r *run) timedWalkBouts() *TimedWalk {
	bs := r.res.Bouts
	if len(bs) == 0 {
		return nil
	}
	main := 0
	for i, b := range bs {
		if b.EndS-b.StartS > bs[main].EndS-bs[main].StartS {
			main = i
		}
	}
	first, last := main, main
	for first > 0 && bs[first].StartS-bs[first-1].EndS < 3 {
		first--
	}
	for last < len(bs)-1 && bs[last+1].StartS-bs[last].EndS < 3 {
		last++
	}
	tw := &TimedWalk{DistanceM: r.opt.DistanceM, CadenceSPM: NA}
	tw.OnsetS = bs[first].StartS
	tw.OffsetS = bs[last].EndS
	exact := true
	if v := bs[first].MotionOnsetS; v.Valid() {
		tw.OnsetS = float64(v)
	} else {
		exact = false
	}
	if v := bs[last].MotionOffsetS; v.Valid() {
		tw.OffsetS = float64(v)
	} else {
		exact = false
	}
	var st []float64
	for i := first; i <= last; i++ {
		tw.Steps += bs[i].Steps
	}
	for _, t := range r.res.InitialContactsS {
		if t >= bs[first].StartS && t <= bs[last].EndS {
			st = append(st, t)
		}
	}
	var steps []float64
	for i := 1; i < len(st); i++ {
		steps = append(steps, st[i]-st[i-1])
	}
	if len(steps) > 0 {
		tw.CadenceSPM = Value(60 / dsp.Median(steps))
	}
	tw.TimeS = tw.OffsetS - tw.OnsetS
	if tw.TimeS > 0 {
		tw.SpeedMPS = tw.DistanceM / tw.TimeS
	}
	tw.Edge = !exact
	if !exact {
		r.flag(FlagTimedWalk, "the walk started or ended without the person standing still, so the time is measured from the first to the last step; stand still for a few seconds before and after the walk")
	}
	return tw
}

func (r *run) flag(code, msg string) {
	r.res.Quality = append(r.res.Quality, Flag{Code: code, Message: msg})
}

func (r *run) flags(s SamplingStats) {
	if s.Samples == 0 {
		r.flag(FlagTooShort, "the recording holds no samples")
		r.flag(FlagNoWalking, "no walking was found")
		return
	}
	if s.DurationS < r.p.MinDurationS {
		r.flag(FlagTooShort, fmt.Sprintf("the recording lasts %.1f s; at least %.0f s are needed", s.DurationS, r.p.MinDurationS))
	}
	if len(r.res.Bouts) == 0 {
		r.flag(FlagNoWalking, "no walking was found: at least four regular steps in a row are needed")
	}
	if len(s.Gaps) > 0 {
		total := 0.0
		for _, g := range s.Gaps {
			total += g.EndS - g.StartS
		}
		r.flag(FlagGaps, fmt.Sprintf("%d gap(s) in the sampling totalling %.1f s were not analysed (the longest interval allowed is %.2g s)", len(s.Gaps), total, r.p.MaxGapS))
	}
	if s.IrregularShare > 0.05 {
		r.flag(FlagIrregular, fmt.Sprintf("%.0f %% of sampling intervals differ from the usual %.1f ms by more than half", 100*s.IrregularShare, 1000/s.NominalRateHz))
	}
	if s.NominalRateHz > 0 && s.NominalRateHz < r.p.MinRateHz {
		r.flag(FlagLowRate, fmt.Sprintf("sampled at %.1f Hz; step timing needs at least %.0f Hz", s.NominalRateHz, r.p.MinRateHz))
	}
	if s.ClippedAxes > 0 {
		r.flag(FlagClipped, fmt.Sprintf("the acceleration reached the sensor's limit on %d axis(es); peaks were cut off", s.ClippedAxes))
	}
	if s.Duplicates+s.OutOfOrder > 0 {
		r.flag(FlagDroppedSamples, fmt.Sprintf("%d sample(s) with a repeated timestamp and %d going back in time were dropped", s.Duplicates, s.OutOfOrder))
	}
	if r.opt.Placement == Unknown {
		r.flag(FlagUnknownPlacement, "the placement is unknown: steps and cadence are measured as for a phone, stride length and speed are not")
	}
	if r.opt.Placement.Trunk() && r.opt.Subject.LegLengthM() == 0 {
		r.flag(FlagNoHeight, "stride length and speed need the person's height (or the sensor's height)")
	}
	if !r.gyro {
		r.flag(FlagNoGyro, "no gyroscope: turns are not measured")
	}
}

// InitiationSteps is how many step times after the first interval
// dropInitiationShift takes the bout's rhythm from.
const InitiationSteps = 4

// dropInitiationShift removes, from each bout that starts at or after
// committed and has at least InitiationSteps+2 contacts, a first contact
// followed by the second sooner than ratio × the median of the next
// InitiationSteps step times. Before the first step the body shifts its
// weight onto the stance leg (the anticipatory postural adjustment), which
// moves the trunk down and up like a step; the first heel strike then
// follows within less than one step time. A genuine first step is not
// shorter than the steady ones: walking speed and step time build up over
// the first two or three steps (Jian et al., "Trajectory of the body COG
// and COP during initiation and termination of gait", Gait Posture 1:9–22,
// 1993). ratio ≤ 0 disables the rule. It returns the contacts and the
// bouts re-indexed.
func dropInitiationShift(ics []float64, bouts [][2]int, ratio, committed float64) ([]float64, [][2]int) {
	if ratio <= 0 {
		return ics, bouts
	}
	var st [InitiationSteps]float64
	removed := 0
	w := 0
	next := 0 // next contact index to copy
	for bi, bt := range bouts {
		a, e := bt[0], bt[1]
		for ; next < a; next++ {
			ics[w] = ics[next]
			w++
		}
		drop := false
		if e-a+1 >= InitiationSteps+2 && ics[a] >= committed {
			for k := range st {
				st[k] = ics[a+2+k] - ics[a+1+k]
			}
			drop = ics[a+1]-ics[a] < ratio*dsp.QuantileInPlace(st[:], 0.5)
		}
		if drop {
			next++
			removed++
		}
		bouts[bi] = [2]int{w, e - removed}
		for ; next <= e; next++ {
			ics[w] = ics[next]
			w++
		}
	}
	for ; next < len(ics); next++ {
		ics[w] = ics[next]
		w++
	}
	return ics[:w], bouts
}

// gapSteps fills, inside each bout, a step interval longer than 1.5 median
// step times with the weak candidates that fall where the rhythm predicts
// a step: from the contact before the gap, the candidate nearest one step
// time later, if it lies between 0.6 and 1.4 step times later and at least
// 0.6 step times before the contact after the gap; then again from it.
// Steps while turning on the spot or shuffling are small and move the
// trunk little, so the detector's relative threshold (set by the larger
// steps around them) rejects them although the rhythm goes on. It returns
// the contacts and the bouts with the additions.
func gapSteps(ics []float64, bouts [][2]int, weak []float64) ([]float64, [][2]int) {
	if len(weak) == 0 {
		return ics, bouts
	}
	var add []float64
	for _, bt := range bouts {
		var st []float64
		for i := bt[0] + 1; i <= bt[1]; i++ {
			st = append(st, ics[i]-ics[i-1])
		}
		if len(st) < 3 {
			continue
		}
		T := dsp.QuantileInPlace(st, 0.5) // st is scratch
		for i := bt[0] + 1; i <= bt[1]; i++ {
			prev, next := ics[i-1], ics[i]
			if next-prev <= 1.5*T {
				continue
			}
			for {
				k, _ := slices.BinarySearch(weak, prev+0.6*T)
				best := -1
				for j := k; j < len(weak) && weak[j] <= prev+1.4*T; j++ {
					if weak[j] > next-0.6*T {
						break
					}
					if best < 0 || math.Abs(weak[j]-prev-T) < math.Abs(weak[best]-prev-T) {
						best = j
					}
				}
				if best < 0 {
					break
				}
				add = append(add, weak[best])
				prev = weak[best]
			}
		}
	}
	return insertContacts(ics, bouts, add)
}

// closingSteps adds to each bout the closing step that stops the walk: when
// the bout's last contact is followed, between 0.6 and 1.4 median step
// times later, by a weak candidate (one too faint to count on its own) and
// by no other contact, that candidate is the step that brings the trailing
// foot next to the other — it barely moves the trunk, but it is a step. It
// returns the contacts and the bouts with the additions.
func closingSteps(ics []float64, bouts [][2]int, weak []float64) ([]float64, [][2]int) {
	if len(weak) == 0 {
		return ics, bouts
	}
	var add []float64
	for _, bt := range bouts {
		last := ics[bt[1]]
		var st []float64
		for i := bt[0] + 1; i <= bt[1]; i++ {
			st = append(st, ics[i]-ics[i-1])
		}
		T := dsp.QuantileInPlace(st, 0.5) // st is scratch
		if bt[1]+1 < len(ics) && ics[bt[1]+1] < last+1.4*T {
			continue
		}
		k, _ := slices.BinarySearch(weak, last+0.6*T)
		if k < len(weak) && weak[k] <= last+1.4*T {
			add = append(add, weak[k])
		}
	}
	return insertContacts(ics, bouts, add)
}

// insertContacts merges the contacts add into ics and re-indexes the bouts:
// each keeps its first and last contact, and takes in an added contact
// that directly follows its last one (a closing step); contacts added
// inside a bout fall inside its new range by themselves.
func insertContacts(ics []float64, bouts [][2]int, add []float64) ([]float64, [][2]int) {
	if len(add) == 0 {
		return ics, bouts
	}
	out := make([]float64, 0, len(ics)+len(add))
	out = append(out, ics...)
	out = append(out, add...)
	slices.Sort(out)
	nb := make([][2]int, len(bouts))
	for i, bt := range bouts {
		a, _ := slices.BinarySearch(out, ics[bt[0]])
		e, _ := slices.BinarySearch(out, ics[bt[1]])
		if e+1 < len(out) && slices.Contains(add, out[e+1]) && (i+1 == len(bouts) || out[e+1] < ics[bouts[i+1][0]]) {
			e++
		}
		nb[i] = [2]int{a, e}
	}
	return out, nb
}
