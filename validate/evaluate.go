package validate

import (
	"fmt"
	"math"
	"sort"
	"time"

	"legwork/assess"
	"legwork/dsp"
	"legwork/gait"
)

// Row is one recording's figures, for the per-recording tables.
type Row struct {
	ID              string     `json:"id"`
	Source          string     `json:"source"`
	Placement       string     `json:"placement"`
	RefSteps        int        `json:"ref_steps"`
	Steps           int        `json:"steps"`
	StepAPEPct      gait.Value `json:"step_ape_pct"`
	ICF1            gait.Value `json:"ic_f1"`
	ICTimingMAES    gait.Value `json:"ic_timing_mae_s"`
	TimedWalkErrMPS gait.Value `json:"timed_walk_speed_error_mps"`
	Flags           []string   `json:"flags"`
	AnalysisMS      float64    `json:"analysis_ms"`
	// Cadence lists, per reference bout with a cadence, the reference,
	// legwork's and (where stored) the peer's cadence over its window.
	Cadence []BoutCadence `json:"cadence_bouts,omitempty"`
	// Strides lists the reference bouts that have a stride length or a
	// walking speed.
	Strides []BoutStride `json:"stride_bouts,omitempty"`
	// TiltSDDeg is the median over walking bouts of the standard deviation
	// of the sensor's tilt (what the guided tests' placement check uses).
	TiltSDDeg gait.Value `json:"tilt_sd_deg"`
	// Clock compares how long the same steps took by the sensor's clock
	// and by the reference's (see ClockCheck); nil without reference
	// contacts.
	Clock *ClockCheck `json:"clock,omitempty"`
}

// ClockTolerance is the relative difference between the time the sensor
// and the reference take for the same number of steps (±1) above which a
// recording's two clocks are taken to disagree. A missed or extra contact
// at either end changes the span by up to two steps, about 6 % of a 20 m
// walk of 35 steps; 7 % is more than that explains.
const ClockTolerance = 0.07

// ClockCheck compares the sensor's time base with the reference's over a
// recording's valid window. When legwork finds the reference's number of
// steps (±1) but they span a clearly different time (|SpanRatio − 1| ≥
// ClockTolerance), the same steps took different times by the two
// clocks: samples lost from the sensor's stream without a gap in its
// timestamps, or a drift between the devices. Cadence and contact timing
// cannot agree there whatever the method; Mismatch marks such recordings
// so that the report can show the figures with and without them (the
// targets are always judged on all recordings).
type ClockCheck struct {
	RefSteps  int        `json:"ref_steps"`
	Steps     int        `json:"steps"`
	RefSpanS  float64    `json:"ref_span_s"` // first to last reference contact
	SpanS     float64    `json:"span_s"`     // first to last detected contact
	SpanRatio float64    `json:"span_ratio"`
	PeerRatio gait.Value `json:"peer_span_ratio"` // the same for the peer's contacts, where stored
	Mismatch  bool       `json:"mismatch"`
	// TurnRatio is the rotation measured in the reference turns over the
	// reference's angle: per reference turn inside the valid window and the
	// data, the absolute value of the summed signed angles of the detected
	// turns that overlap it, summed, over the sum of the reference's
	// |angle|. PeerTurnRatio is the same for the peer (NA when it stores no
	// turns). A sensor stream that lost samples without a gap in its
	// timestamps also loses rotation.
	TurnRatio     gait.Value `json:"turn_angle_ratio"`
	PeerTurnRatio gait.Value `json:"peer_turn_angle_ratio"`
}

// turnRatio is the detected rotation in the reference turns that lie in
// [lo, hi] over the reference's (see ClockCheck.TurnRatio); NA without such
// turns or without detected turns.
func turnRatio(turns [][3]float64, ref []TruthTurn, lo, hi float64) gait.Value {
	if len(turns) == 0 {
		return gait.NA
	}
	got, want := 0.0, 0.0
	for _, rt := range ref {
		if rt.StartS < lo || rt.EndS > hi {
			continue
		}
		want += math.Abs(rt.AngleDeg)
		sum := 0.0
		for _, d := range turns {
			if overlap(d[0], d[1], rt.StartS, rt.EndS) > 0 {
				sum += d[2]
			}
		}
		got += math.Abs(sum)
	}
	if want == 0 {
		return gait.NA
	}
	return gait.Value(got / want)
}

// strideCadence is 120 / median stride time of the contacts in [lo, hi],
// NA with fewer than three.
func strideCadence(ics []float64, lo, hi float64) gait.Value {
	var in []float64
	for _, x := range ics {
		if x >= lo-1e-9 && x <= hi+1e-9 {
			in = append(in, x)
		}
	}
	if len(in) < 3 {
		return gait.NA
	}
	st := make([]float64, len(in)-2)
	for i := range st {
		st[i] = in[i+2] - in[i]
	}
	m := dsp.Median(st)
	if m <= 0 {
		return gait.NA
	}
	return gait.Value(120 / m)
}

// clockCheck builds the check from the contacts inside [lo, hi]; nil when
// either side has fewer than 10 contacts there.
func clockCheck(det, ref []float64, lo, hi float64) *ClockCheck {
	in := func(x []float64) []float64 {
		var out []float64
		for _, v := range x {
			if v >= lo && v <= hi {
				out = append(out, v)
			}
		}
		return out
	}
	d, r := in(det), in(ref)
	if len(d) < 10 || len(r) < 10 {
		return nil
	}
	c := &ClockCheck{RefSteps: len(r), Steps: len(d), RefSpanS: r[len(r)-1] - r[0], SpanS: d[len(d)-1] - d[0], PeerRatio: gait.NA, TurnRatio: gait.NA, PeerTurnRatio: gait.NA}
	if c.RefSpanS <= 0 {
		return nil
	}
	c.SpanRatio = c.SpanS / c.RefSpanS
	diff := c.Steps - c.RefSteps
	c.Mismatch = diff >= -1 && diff <= 1 && math.Abs(c.SpanRatio-1) >= ClockTolerance
	return c
}

// BoutCadence is one reference bout's cadence, steps/min.
type BoutCadence struct {
	StartS float64    `json:"start_s"`
	EndS   float64    `json:"end_s"`
	Ref    float64    `json:"ref"`
	Got    gait.Value `json:"legwork"`
	Peer   gait.Value `json:"peer"`
	// RefStrides is the reference's own contacts in the window timed the
	// way legwork times its cadence, 120 / median stride time, where the
	// reference's value is 60 / median step time: with alternating long
	// and short steps the two differ (the median step picks one side).
	RefStrides gait.Value `json:"ref_from_strides"`

	bout int // index of the reference bout in the truth file
}

// BoutStride is one reference bout's stride length (m) and walking speed
// (m/s), NA where the reference has none: the reference's, legwork's and the peer's over the bout's window.
type BoutStride struct {
	StartS        float64    `json:"start_s"`
	EndS          float64    `json:"end_s"`
	RefLengthM    gait.Value `json:"ref_stride_length_m"`
	LengthM       gait.Value `json:"stride_length_m"`
	PeerLengthM   gait.Value `json:"peer_stride_length_m"`
	RefSpeedMPS   gait.Value `json:"ref_walking_speed_mps"`
	SpeedMPS      gait.Value `json:"walking_speed_mps"`
	PeerSpeedMPS  gait.Value `json:"peer_walking_speed_mps"`
	RefCadenceSPM gait.Value `json:"ref_cadence_spm"`
	CadenceSPM    gait.Value `json:"cadence_spm"`

	bout int // index of the reference bout in the truth file
}

// Skip is a recording that was not evaluated, with the reason.
type Skip struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

// Report is the result of a validation run.
type Report struct {
	Metrics
	BySource    map[string]Metrics `json:"by_source"`
	ByPlacement map[string]Metrics `json:"by_placement"`
	// Peer holds the same figures for the peer's outputs, over the
	// recordings that have them; PeerOurs is legwork over exactly those
	// recordings, for a side-by-side comparison.
	Peer         *PeerComparison `json:"peer,omitempty"`
	Rows         []Row           `json:"recordings_detail"`
	Skipped      []Skip          `json:"skipped"`
	ExcludedRefs int             `json:"reference_contacts_beyond_recording"`
	// PeerTests compares the guided tests with peer libraries on the
	// recordings that only have peer outputs.
	PeerTests *PeerTests `json:"peer_tests,omitempty"`
	// ClockMismatches lists the recordings whose sensor and reference
	// clocks disagree (ClockCheck); LowerBackClockAgrees is the lower-back
	// figures without them, a sensitivity analysis beside the headline
	// figures, which include them.
	// Robustness holds the lower-back and phone figures again with each
	// recording disturbed by each of Perturbations, in that order.
	Robustness           []Robustness `json:"robustness"`
	ClockMismatches      []string     `json:"clock_mismatches"`
	LowerBackClockAgrees *Metrics     `json:"lower_back_clock_agrees,omitempty"`
	Version              string       `json:"algorithm_version"`
}

// Robustness is the figures measured with every recording disturbed by one
// Perturbation: the lower-back recordings and the phones (every placement
// away from the trunk).
type Robustness struct {
	Name        string  `json:"name"`
	Description string  `json:"description"`
	LowerBack   Metrics `json:"lower_back"`
	Phones      Metrics `json:"phones"`
}

// robustGroup is the index of a placement's group in Robustness and the
// targets: 0 the lower back, 1 the phones (every placement away from the
// trunk), -1 neither (a waist belt or a foot).
func robustGroup(placement string) int {
	switch placement {
	case "lower_back":
		return 0
	case "waist_belt", "foot":
		return -1
	}
	return 1
}

// PeerComparison compares legwork with mobgap where its outputs exist.
type PeerComparison struct {
	Name     string                `json:"name"`
	Overall  Metrics               `json:"peer"`
	Ours     Metrics               `json:"legwork"`
	BySource map[string][2]Metrics `json:"by_source"`
}

// outputs is what one system produced on one recording.
type outputs struct {
	ics     []float64    // detected initial contacts
	bouts   [][2]float64 // detected walking bouts
	windows []gait.Bout  // parameters over each reference bout's window (aligned with truth bouts)
	timed   *[2]float64  // detected onset and offset of the timed walk
	turns   [][3]float64 // start, end, angle
	span    [2]float64   // recording time span
}

// Run evaluates every case. progress, when non-nil, is called after each.
func Run(cases []*Case, progress func(done, total int)) (*Report, error) {
	rep := &Report{BySource: map[string]Metrics{}, ByPlacement: map[string]Metrics{}, Version: gait.AlgorithmVersion}
	all := &acc{}
	bySrc := map[string]*acc{}
	byPl := map[string]*acc{}
	peerAll, peerOurs := &acc{}, &acc{}
	peerBySrc := map[string][2]*acc{}
	lbAgrees := &acc{}
	perturbs := Perturbations()
	robust := make([][2]*acc, len(perturbs))
	for i := range robust {
		robust[i] = [2]*acc{{}, {}}
	}
	for i, c := range cases {
		if progress != nil {
			progress(i+1, len(cases))
		}
		if _, err := c.Options(); err != nil {
			rep.Skipped = append(rep.Skipped, Skip{ID: c.Meta.ID, Reason: err.Error()})
			continue
		}
		if c.Truth.Reference == nil {
			rep.Skipped = append(rep.Skipped, Skip{ID: c.Meta.ID, Reason: "no reference (peer outputs only)"})
			continue
		}
		rec, err := c.Recording()
		if err != nil {
			return nil, err
		}
		ours, row, err := analyse(c, rec)
		if err != nil {
			return nil, err
		}
		a, excluded := evaluate(c, ours, &row)
		if g := robustGroup(c.Meta.Placement); g >= 0 {
			for k, p := range perturbs {
				o, _, err := analyse(c, p.Apply(rec, seeded(c.Meta.ID, p.Name)))
				if err != nil {
					return nil, fmt.Errorf("%s, %s: %w", c.Meta.ID, p.Name, err)
				}
				pa, _ := evaluate(c, o, nil)
				robust[k][g].merge(pa)
			}
		}
		rep.ExcludedRefs += excluded
		rep.Rows = append(rep.Rows, row)
		all.merge(a)
		get(bySrc, c.Source).merge(a)
		get(byPl, c.Meta.Placement).merge(a)
		if row.Clock != nil && row.Clock.Mismatch {
			rep.ClockMismatches = append(rep.ClockMismatches, c.Meta.ID)
		} else if c.Meta.Placement == "lower_back" {
			lbAgrees.merge(a)
		}
		if c.Peer != nil {
			po := peerOutputs(c)
			p, _ := evaluate(c, po, nil)
			if vw := c.Truth.ValidWindowS; row.Clock != nil && len(vw) == 2 {
				if pc := clockCheck(po.ics, c.Truth.InitialContactsS, vw[0], vw[1]); pc != nil {
					row.Clock.PeerRatio = gait.Value(pc.SpanRatio)
				}
				row.Clock.PeerTurnRatio = turnRatio(po.turns, c.Truth.Turns, vw[0], math.Min(vw[1], ours.span[1]))
			}
			for i, x := range row.Cadence {
				if x.bout < len(po.windows) {
					row.Cadence[i].Peer = po.windows[x.bout].CadenceSPM
				}
			}
			for i, x := range row.Strides {
				if x.bout < len(po.windows) {
					row.Strides[i].PeerLengthM = po.windows[x.bout].StrideLengthM
					row.Strides[i].PeerSpeedMPS = po.windows[x.bout].WalkingSpeedMPS
				}
			}
			peerAll.merge(p)
			peerOurs.merge(a)
			pair := peerBySrc[c.Source]
			if pair[0] == nil {
				pair = [2]*acc{{}, {}}
			}
			pair[0].merge(p)
			pair[1].merge(a)
			peerBySrc[c.Source] = pair
		}
	}
	pt, err := runPeerTests(cases)
	if err != nil {
		return nil, err
	}
	if len(pt.UTurn)+len(pt.Balance) > 0 || pt.SitToStand != nil {
		rep.PeerTests = pt
	}
	rep.Metrics = all.metrics()
	for k, v := range bySrc {
		rep.BySource[k] = v.metrics()
	}
	for k, v := range byPl {
		rep.ByPlacement[k] = v.metrics()
	}
	if len(rep.ClockMismatches) > 0 && lbAgrees.recordings > 0 {
		m := lbAgrees.metrics()
		rep.LowerBackClockAgrees = &m
	}
	for k, p := range perturbs {
		if robust[k][0].recordings+robust[k][1].recordings == 0 {
			continue
		}
		rep.Robustness = append(rep.Robustness, Robustness{Name: p.Name, Description: p.Description, LowerBack: robust[k][0].metrics(), Phones: robust[k][1].metrics()})
	}
	if peerAll.recordings > 0 {
		rep.Peer = &PeerComparison{Name: "mobgap 1.2.0 (Mobilise-D pipeline)", Overall: peerAll.metrics(), Ours: peerOurs.metrics(), BySource: map[string][2]Metrics{}}
		for k, v := range peerBySrc {
			rep.Peer.BySource[k] = [2]Metrics{v[0].metrics(), v[1].metrics()}
		}
	}
	return rep, nil
}

func get(m map[string]*acc, k string) *acc {
	if m[k] == nil {
		m[k] = &acc{}
	}
	return m[k]
}

// analyse runs legwork on a case.
func analyse(c *Case, rec *gait.Recording) (*outputs, Row, error) {
	row := Row{ID: c.Meta.ID, Source: c.Source, Placement: c.Meta.Placement, StepAPEPct: gait.NA, ICF1: gait.NA, ICTimingMAES: gait.NA, TimedWalkErrMPS: gait.NA, TiltSDDeg: gait.NA}
	opt, err := c.Options()
	if err != nil {
		return nil, row, err
	}
	for _, b := range c.Truth.WalkingBouts {
		if b.DistanceM != nil {
			opt.DistanceM = *b.DistanceM
			break
		}
	}
	start := time.Now()
	res, err := gait.AnalyzeRecording(rec, opt)
	if err != nil {
		return nil, row, err
	}
	row.AnalysisMS = float64(time.Since(start).Microseconds()) / 1000
	for _, f := range res.Quality {
		row.Flags = append(row.Flags, f.Code)
	}
	var tilts []float64
	for _, b := range res.Bouts {
		if b.TiltSDDeg.Valid() {
			tilts = append(tilts, float64(b.TiltSDDeg))
		}
	}
	if len(tilts) > 0 {
		sort.Float64s(tilts)
		row.TiltSDDeg = gait.Value(tilts[len(tilts)/2])
	}
	o := &outputs{ics: res.InitialContactsS}
	if n := len(rec.Samples); n > 0 {
		o.span = [2]float64{rec.Samples[0].TimeS, rec.Samples[n-1].TimeS}
	}
	for _, b := range res.Bouts {
		o.bouts = append(o.bouts, [2]float64{b.StartS, b.EndS})
	}
	for _, t := range res.Turns {
		o.turns = append(o.turns, [3]float64{t.StartS, t.EndS, t.AngleDeg})
	}
	if tw := res.TimedWalk; tw != nil {
		o.timed = &[2]float64{tw.OnsetS, tw.OffsetS}
	}
	var wins [][2]float64
	for _, b := range c.Truth.WalkingBouts {
		wins = append(wins, [2]float64{b.StartS, b.EndS})
	}
	if len(wins) > 0 {
		p := gait.PipelineFor(opt.Placement)
		o.windows, err = p.Windows(rec, opt, wins, MatchToleranceS)
		if err != nil {
			return nil, row, err
		}
	}
	return o, row, nil
}

// peerOutputs converts the peer's output file.
func peerOutputs(c *Case) *outputs {
	p := c.Peer
	o := &outputs{span: [2]float64{math.Inf(-1), math.Inf(1)}}
	for _, ic := range p.InitialContacts {
		o.ics = append(o.ics, ic.ICS)
	}
	sort.Float64s(o.ics)
	for _, g := range p.GaitSequences {
		o.bouts = append(o.bouts, [2]float64{g.StartS, g.EndS})
	}
	for _, t := range p.Turns {
		o.turns = append(o.turns, [3]float64{t.StartS, t.EndS, t.AngleDeg})
	}
	// Over each reference window: cadence from the peer's own contacts
	// (60 / median step time, as for legwork), stride length and speed as
	// the mean of the peer's strides lying in the window.
	for _, b := range c.Truth.WalkingBouts {
		w := gait.Bout{StartS: b.StartS, EndS: b.EndS}
		w.CadenceSPM, w.StrideLengthM, w.WalkingSpeedMPS = gait.NA, gait.NA, gait.NA
		var in []float64
		for _, t := range o.ics {
			if t >= b.StartS-MatchToleranceS && t <= b.EndS+MatchToleranceS {
				in = append(in, t)
			}
		}
		if len(in) >= 2 {
			var st []float64
			for i := 1; i < len(in); i++ {
				st = append(st, in[i]-in[i-1])
			}
			sort.Float64s(st)
			med := st[len(st)/2]
			if len(st)%2 == 0 {
				med = 0.5 * (st[len(st)/2-1] + st[len(st)/2])
			}
			w.CadenceSPM = gait.Value(60 / med)
		}
		var sl, ws []float64
		for _, s := range p.PerStride {
			if s.StartS >= b.StartS-MatchToleranceS && s.EndS <= b.EndS+MatchToleranceS {
				if s.StrideLengthM != nil {
					sl = append(sl, *s.StrideLengthM)
				}
				if s.WalkingSpeedMPS != nil {
					ws = append(ws, *s.WalkingSpeedMPS)
				}
			}
		}
		if len(sl) > 0 {
			w.StrideLengthM = gait.Value(mean(sl))
		}
		if len(ws) > 0 {
			w.WalkingSpeedMPS = gait.Value(mean(ws))
		}
		o.windows = append(o.windows, w)
	}
	// The peer has no motion onset: its timed walk is the gait sequence
	// overlapping the distance bout most.
	for _, b := range c.Truth.WalkingBouts {
		if b.DistanceM == nil {
			continue
		}
		best, bo := -1, 0.0
		for i, g := range o.bouts {
			if ov := overlap(g[0], g[1], b.StartS, b.EndS); ov > bo {
				best, bo = i, ov
			}
		}
		if best >= 0 {
			o.timed = &[2]float64{o.bouts[best][0], o.bouts[best][1]}
		}
		break
	}
	return o
}

func mean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

func overlap(a0, a1, b0, b1 float64) float64 {
	return math.Max(0, math.Min(a1, b1)-math.Max(a0, b0))
}

// evaluate compares one system's outputs with the reference. It returns the
// accumulated figures and the number of reference contacts that lie beyond
// the end of the recording (not counted). row, when non-nil, gets the
// per-recording figures.
func evaluate(c *Case, o *outputs, row *Row) (*acc, int) {
	t := &c.Truth
	a := &acc{recordings: 1}
	lo, hi := o.span[0], o.span[1]
	if vw := t.ValidWindowS; len(vw) == 2 {
		lo, hi = math.Max(lo, vw[0]), math.Min(hi, vw[1])
		if math.IsInf(o.span[0], -1) {
			lo, hi = vw[0], vw[1]
		}
	}
	excluded := 0
	var ref []float64
	for _, x := range t.InitialContactsS {
		if x > o.span[1]+MatchToleranceS {
			excluded++
			continue
		}
		ref = append(ref, x)
	}
	inWindows := func(x float64) bool {
		if len(t.WalkingBouts) == 0 {
			return x >= lo-MatchToleranceS && x <= hi+MatchToleranceS
		}
		for _, b := range t.WalkingBouts {
			if x >= b.StartS-MatchToleranceS && x <= b.EndS+MatchToleranceS {
				return true
			}
		}
		return false
	}
	filter := func(x []float64, keep func(float64) bool) []float64 {
		var out []float64
		for _, v := range x {
			if keep(v) {
				out = append(out, v)
			}
		}
		return out
	}
	if len(ref) > 0 {
		// ic: inside reference bouts
		errs, fp, fn := Match(filter(o.ics, inWindows), filter(ref, inWindows), MatchToleranceS)
		a.icTP, a.icFP, a.icFN = len(errs), fp, fn
		for _, e := range errs {
			a.icErr.add(e)
		}
		if row != nil {
			s := icStats(a.icTP, a.icFP, a.icFN, &a.icErr)
			row.ICF1, row.ICTimingMAES = s.F1, s.TimingMAES
		}
		// ic_all: everything in the valid window
		inValid := func(x float64) bool { return x >= lo && x <= hi }
		errs, fp, fn = Match(filter(o.ics, inValid), filter(ref, inValid), MatchToleranceS)
		a.allTP, a.allFP, a.allFN = len(errs), fp, fn
		for _, e := range errs {
			a.allErr.add(e)
		}
	}
	if t.StepCount != nil && *t.StepCount > 0 {
		n := 0
		for _, x := range o.ics {
			if x >= lo && x <= hi {
				n++
			}
		}
		refSteps := *t.StepCount - excluded
		if row != nil && len(t.ValidWindowS) == 2 {
			row.Clock = clockCheck(o.ics, ref, lo, hi)
			if row.Clock != nil {
				row.Clock.TurnRatio = turnRatio(o.turns, t.Turns, lo, hi)
			}
		}
		if refSteps > 0 {
			ape := 100 * math.Abs(float64(n-refSteps)) / float64(refSteps)
			a.stepAPE = append(a.stepAPE, ape)
			if row != nil {
				row.RefSteps, row.Steps, row.StepAPEPct = refSteps, n, gait.Value(ape)
			}
		}
	}
	for i, b := range t.WalkingBouts {
		if b.EndS > o.span[1] {
			continue // the bout runs past the end of the recording
		}
		// bout detection
		a.boutsN++
		ov := 0.0
		for _, d := range o.bouts {
			ov += overlap(d[0], d[1], b.StartS, b.EndS)
		}
		if dur := b.EndS - b.StartS; dur > 0 && ov >= 0.5*dur {
			a.boutsFound++
		}
		if i < len(o.windows) {
			w := o.windows[i]
			if b.CadenceSPM != nil {
				a.cadence.add(errOrNaN(w.CadenceSPM, *b.CadenceSPM))
				if row != nil {
					row.Cadence = append(row.Cadence, BoutCadence{StartS: b.StartS, EndS: b.EndS, Ref: *b.CadenceSPM, Got: w.CadenceSPM, Peer: gait.NA, RefStrides: strideCadence(ref, b.StartS, b.EndS), bout: i})
				}
			}
			if b.StrideLengthM != nil {
				a.stride.add(errOrNaN(w.StrideLengthM, *b.StrideLengthM))
			}
			if row != nil && (b.StrideLengthM != nil || b.WalkingSpeedMPS != nil) {
				bs := BoutStride{StartS: b.StartS, EndS: b.EndS, RefLengthM: gait.NA, LengthM: w.StrideLengthM, PeerLengthM: gait.NA, RefSpeedMPS: gait.NA, SpeedMPS: w.WalkingSpeedMPS, PeerSpeedMPS: gait.NA, RefCadenceSPM: gait.NA, CadenceSPM: w.CadenceSPM, bout: i}
				if b.StrideLengthM != nil {
					bs.RefLengthM = gait.Value(*b.StrideLengthM)
				}
				if b.WalkingSpeedMPS != nil {
					bs.RefSpeedMPS = gait.Value(*b.WalkingSpeedMPS)
				}
				if b.CadenceSPM != nil {
					bs.RefCadenceSPM = gait.Value(*b.CadenceSPM)
				}
				row.Strides = append(row.Strides, bs)
			}
			if b.WalkingSpeedMPS != nil {
				a.speed.add(errOrNaN(w.WalkingSpeedMPS, *b.WalkingSpeedMPS))
			}
		}
		if b.DistanceM != nil && b.WalkingSpeedMPS != nil && o.timed != nil {
			dt := o.timed[1] - o.timed[0]
			if dt > 0 {
				e := *b.DistanceM/dt - *b.WalkingSpeedMPS
				a.twSpeed.add(e)
				a.twTime.add(dt - *b.DistanceM / *b.WalkingSpeedMPS)
				if row != nil {
					row.TimedWalkErrMPS = gait.Value(e)
				}
			}
		}
	}
	var dt []gait.Turn
	for _, d := range o.turns {
		dt = append(dt, gait.Turn{StartS: d[0], EndS: d[1], AngleDeg: d[2], DurationS: d[1] - d[0]})
	}
	uturns := assess.UTurns(dt)
	for _, rt := range t.Turns {
		if rt.EndS > o.span[1] || math.Abs(rt.AngleDeg) < 150 {
			continue
		}
		a.uN++
		best, bo := -1, 0.0
		for i, u := range uturns {
			if ov := overlap(u.StartS, u.EndS, rt.StartS, rt.EndS); ov > bo {
				best, bo = i, ov
			}
		}
		if best >= 0 {
			u := uturns[best]
			a.uFound++
			a.uDur.add((u.EndS - u.StartS) - (rt.EndS - rt.StartS))
			a.uStart.add(u.StartS - rt.StartS)
			a.uEnd.add(u.EndS - rt.EndS)
			a.uAngle.add(math.Abs(u.AngleDeg) - math.Abs(rt.AngleDeg))
		}
	}
	for _, rt := range t.Turns {
		if rt.EndS > o.span[1] {
			continue
		}
		a.turnsN++
		sum, found := 0.0, false
		for _, d := range o.turns {
			if overlap(d[0], d[1], rt.StartS, rt.EndS) > 0 {
				found = true
				sum += d[2]
			}
		}
		if found {
			a.turnsFound++
			a.turnAngle.add(math.Abs(sum) - math.Abs(rt.AngleDeg))
		}
	}
	return a, excluded
}

// errOrNaN returns got − want, or NaN when got is not available (counted
// as a miss by the caller's n).
func errOrNaN(got gait.Value, want float64) float64 {
	if !got.Valid() {
		return math.NaN()
	}
	return float64(got) - want
}
