package assess

import (
	"fmt"
	"math"

	"legwork/dsp"
	"legwork/gait"
)

// placementCheck looks at how the sensor moved while the person walked.
// At the lower back the sensor's orientation barely changes during walking
// (the standard deviation of its tilt within a bout stays within a few
// degrees), while a phone in a trouser pocket follows the thigh and one in
// a bag or a swinging hand tumbles. docs/VALIDATION.md ("Sensor tilt by
// placement", from legwork validate) gives the measured values: lower back
// median 1.2° (at most 9.2°), pockets and bags mostly 7–42°. A phone whose
// screen faces up or down more than it faces backwards is being held or
// lies flat, not worn at the back.
//
// It returns a problem message, or "" when the recording looks like the
// lower back.
func placementCheck(bouts []gait.Bout, phoneFrame bool) string {
	var tilts, upZ []float64
	for _, bt := range bouts {
		if bt.TiltSDDeg.Valid() {
			tilts = append(tilts, float64(bt.TiltSDDeg))
			upZ = append(upZ, math.Abs(bt.UpSensor[2]))
		}
	}
	if len(tilts) == 0 {
		return ""
	}
	if dsp.Median(tilts) > maxTrunkTiltSDDeg {
		return fmt.Sprintf("the phone moved a lot while you walked (its tilt varied by %.0f°), as it does in a pocket, a bag or a hand: fasten it in a waistband or belt at the small of your back, screen facing out, and try again", dsp.Median(tilts))
	}
	if phoneFrame && dsp.Median(upZ) > 0.75 {
		return "the phone seemed to be held in your hand or lying flat (its screen faced up or down): put it upright in a waistband or belt at the small of your back, screen facing out, and try again"
	}
	return ""
}

// maxTrunkTiltSDDeg is the largest tilt variability accepted as a sensor
// worn at the lower back (see placementCheck): above every lower-back
// recording of the validation set, below most pocket and bag recordings. It
// favours not rejecting a correctly worn phone over catching every pocket
// (a front pocket may stay under it).
const maxTrunkTiltSDDeg = 10

// analyseWalk runs the gait analysis for a walking test and the checks
// common to all of them.
func analyseWalk(o *Outcome, rec *gait.Recording, opt Options, distance float64, checkPlacement bool) (*gait.Result, error) {
	p := gait.PipelineFor(opt.Placement)
	gopt := gait.Options{Placement: opt.Placement, Subject: opt.Subject, DistanceM: distance}
	res, err := p.Analyze(rec.Source(), gopt)
	if err != nil {
		return nil, err
	}
	o.Gait = res
	o.Quality = res.Quality
	if len(res.Bouts) == 0 {
		o.problem(ProblemNoWalking, "no walking was found in the recording: after the countdown, walk at least a few steps at your own pace")
		return res, nil
	}
	if r := res.Sampling.NominalRateHz; r > 0 && r < p.MinRateHz {
		o.problem(ProblemLowSampleRate, fmt.Sprintf("the motion sensor delivered only %.0f samples per second; keep the app in front and the screen on during the test", r))
	}
	if opt.Placement.Trunk() && checkPlacement {
		if msg := placementCheck(res.Bouts, opt.PhoneFrame); msg != "" {
			o.problem(ProblemPlacement, msg)
		}
	}
	return res, nil
}

// putGait adds the walking metrics of a summary. Stride length, speed and
// distance only when the placement check passed.
func (o *Outcome) putGait(w gait.Summary, trunkOK bool) {
	o.Metrics["steps"] = float64(w.Steps)
	o.Metrics["walking_time_s"] = w.WalkingTimeS
	o.put("cadence_spm", w.CadenceSPM)
	o.put("step_time_s", w.StepTimeS)
	o.put("step_time_cv_pct", w.StepTimeCVPct)
	o.put("stride_time_s", w.StrideTimeS)
	o.put("stride_time_cv_pct", w.StrideTimeCVPct)
	o.put("step_regularity", w.StepRegularity)
	o.put("stride_regularity", w.StrideRegularity)
	o.put("symmetry", w.Symmetry)
	if trunkOK {
		o.put("stride_length_m", w.StrideLengthM)
		o.put("walking_speed_mps", w.WalkingSpeedMPS)
		o.put("distance_m", w.DistanceM)
	}
}

func (o *Outcome) hasProblem(code string) bool {
	for _, p := range o.Problems {
		if p.Code == code {
			return true
		}
	}
	return false
}

// runWalk scores the 2-Minute Walk and free walking.
//
// 2-Minute Walk (2MWT; Gijbels et al., Mult Scler 18:364–371, 2012, show it
// reflects the 6-minute walk in MS): walk as far as possible for 2 minutes,
// turning where needed. Primary results: steps and cadence; secondary:
// estimated distance and speed (lower back, with the person's height),
// step-time variability, regularity and symmetry, turns, and cadence in each
// 30 s window, whose decline from the first to the last window is a measure
// of walking fatigability (Leone et al., Mult Scler 22:1230–1239, 2016, used
// the distance decline; legwork uses cadence, which needs no distance).
func runWalk(o *Outcome, test Test, rec *gait.Recording, opt Options) error {
	res, err := analyseWalk(o, rec, opt, 0, true)
	if err != nil || len(res.Bouts) == 0 {
		return err
	}
	trunkOK := !o.hasProblem(ProblemPlacement)
	o.putGait(res.Walking, trunkOK)
	o.Metrics["turns"] = float64(len(res.Turns))
	if test != Walk2Min {
		return nil
	}
	o.Metrics["walk2min_steps"] = float64(res.Walking.Steps)
	if trunkOK {
		o.put("walk2min_distance_m", res.Walking.DistanceM)
	}
	d := &Walk2MinDetail{}
	ics := res.InitialContactsS
	start := ics[0]
	dur := ics[len(ics)-1] - start
	if span := rec.Samples[len(rec.Samples)-1].TimeS - rec.Samples[0].TimeS; span < 100 {
		o.problem(ProblemTooShort, fmt.Sprintf("the recording lasts %.0f s; the 2-minute walk needs the full 2 minutes — keep walking until the app says stop", span))
	}
	if res.Walking.WalkingTimeS < 0.6*dur || len(res.Bouts) > 3 {
		o.note(ProblemInterrupted, "the walk was interrupted by pauses; the result counts only the time spent walking")
	}
	for k := 0; k < 4; k++ {
		a, b := start+30*float64(k), start+30*float64(k+1)
		var in []float64
		for _, t := range ics {
			if t >= a && t < b {
				in = append(in, t)
			}
		}
		w := Window{StartS: a, EndS: b, Steps: len(in), CadenceSPM: gait.NA}
		if len(in) >= 4 {
			w.CadenceSPM = summaryCadence(in)
		}
		d.Windows = append(d.Windows, w)
	}
	first, last := d.Windows[0].CadenceSPM, d.Windows[3].CadenceSPM
	if first.Valid() && last.Valid() && first > 0 {
		d.CadenceDeclinePct = gait.Value(100 * (float64(first) - float64(last)) / float64(first))
		o.put("cadence_decline_pct", d.CadenceDeclinePct)
	} else {
		d.CadenceDeclinePct = gait.NA
	}
	o.Detail = d
	return nil
}

// summaryCadence is the cadence of a run of contacts (120 / median stride
// time, as gait computes it for bouts).
func summaryCadence(ics []float64) gait.Value {
	var str []float64
	for i := 2; i < len(ics); i++ {
		str = append(str, ics[i]-ics[i-2])
	}
	if len(str) == 0 {
		return gait.NA
	}
	return gait.Value(120 / dsp.Median(str))
}

// Walk2MinDetail holds the 2-Minute Walk's fatigability windows.
type Walk2MinDetail struct {
	Windows []Window `json:"windows_30s"`
	// CadenceDeclinePct is the drop in cadence from the first to the last
	// 30 s (positive: slower at the end).
	CadenceDeclinePct gait.Value `json:"cadence_decline_pct"`
}

// Window is a stretch of a walk.
type Window struct {
	StartS     float64    `json:"start_s"`
	EndS       float64    `json:"end_s"`
	Steps      int        `json:"steps"`
	CadenceSPM gait.Value `json:"cadence_spm"`
}

// T25FWDetail holds the Timed 25-Foot Walk's trials.
type T25FWDetail struct {
	Trials []Trial `json:"trials"`
	// DifferencePct is |t1 − t2| / mean(t1, t2) × 100.
	DifferencePct gait.Value `json:"trial_difference_pct"`
}

// Trial is one timed walk.
type Trial struct {
	Index      int        `json:"index"`
	OnsetS     float64    `json:"onset_s"`
	OffsetS    float64    `json:"offset_s"`
	TimeS      float64    `json:"time_s"`
	SpeedMPS   float64    `json:"speed_mps"`
	Steps      int        `json:"steps"`
	CadenceSPM gait.Value `json:"cadence_spm"`
}

// Plausibility limits of a Timed 25-Foot Walk trial.
//
// The T25FW is a straight walk along a marked 25-foot course (MSFC
// administration manual; Fischer et al., Mult Scler 5:244–250, 1999): a
// turn of t25fwMaxTurnDeg or more inside a trial (the gait turn detector's
// turns, with a turn split by a hesitation merged as for the U-turn test)
// means the person walked some other course — out and back, round a corner.
//
// Where stride length is estimated (a sensor at the trunk and the person's
// height), the steps of a trial give the distance walked: steps × mean step
// length. docs/VALIDATION.md measures the stride-length error at the lower
// back at 0.155 m mean absolute (0.131 m median), and in its per-bout table
// the estimate is never more than 8 % short of the reference; a trial
// whose steps cover less than half the course (t25fwMinDistanceFactor) did
// not walk it. The estimate runs long when steps are short ("Stride length
// outside straight walking"): the same table has a 0.46 m stride estimated
// at 0.93 m (2.0 times; mobgap HA_002_Test11, 17.5–35.5 s), and on
// synthetic walks with steps of 0.10–0.20 m (38 to 76 steps for the 25
// feet, as people who walk with great difficulty take) the estimate is 2.8
// to 5.6 times the true distance (go test -run TestT25FWShortSteps -v). So there is no upper
// limit: it would refuse the test to the people slowest at it, the ones it
// matters most for. A straight walk much longer than the course is not
// caught (one with a turn is).
const (
	t25fwMaxTurnDeg        = 90
	t25fwMinDistanceFactor = 0.5
)

// runT25FW scores the Timed 25-Foot Walk (MSFC; Fischer et al., Mult Scler
// 5:244–250, 1999): walk 7.62 m as quickly and safely as possible, two
// trials; the score is the mean time of the two. Each trial is timed as a
// stopwatch would be, from the first movement after standing still to
// standing still again (gait's timed walks), without button presses.
// With the app's "trial1"/"trial2" markers the walk inside each marker is
// used; otherwise the walks are found in the recording, leaving out those
// with a turn (the walk back to the start between the trials). A trial
// with a turn, or whose steps cover a distance far from the course (see
// t25fwMaxTurnDeg), makes the test not valid. A 20 % change in the mean
// time is the published threshold of clinically meaningful change
// (Kaufman et al., Mult Scler 6:286–290, 2000; Hobart et al., Neurology
// 80:1509–1517, 2013).
func runT25FW(o *Outcome, rec *gait.Recording, opt Options) error {
	dist := opt.DistanceM
	if dist <= 0 {
		dist = T25FWDistanceM
	}
	res, err := analyseWalk(o, rec, opt, dist, true)
	if err != nil || len(res.Bouts) == 0 {
		return err
	}
	turns := mergeTurns(res.Turns)
	walks := res.TimedWalks
	if len(opt.Segments) > 0 {
		walks = pickWalks(walks, opt.Segments)
	} else if len(walks) > 0 {
		// Without markers, a walk with a turn is the walk back to the
		// start between the trials, not a trial; when every walk has
		// one, the first is scored and found to have turned.
		var straight []gait.TimedWalk
		for _, w := range walks {
			if math.Abs(largestTurn(turns, w)) < t25fwMaxTurnDeg {
				straight = append(straight, w)
			}
		}
		if len(straight) > 0 {
			walks = straight
		} else {
			walks = walks[:1]
		}
	}
	if len(walks) == 0 {
		o.problem(ProblemNoWalking, "no timed walk was found: stand still, walk the 25 feet when the app says go, then stand still again")
		return nil
	}
	trunkOK := !o.hasProblem(ProblemPlacement)
	d := &T25FWDetail{DifferencePct: gait.NA}
	for i, w := range walks {
		if i == 2 {
			break
		}
		d.Trials = append(d.Trials, Trial{Index: i + 1, OnsetS: w.OnsetS, OffsetS: w.OffsetS, TimeS: w.TimeS, SpeedMPS: w.SpeedMPS, Steps: w.Steps, CadenceSPM: w.CadenceSPM})
		if w.Edge {
			o.note(ProblemNotStill, fmt.Sprintf("trial %d did not start or end standing still, so its time is less certain: stand still until the app says go, and after the line", i+1))
		}
	}
	if len(walks) > 2 {
		o.note(ProblemSegments, fmt.Sprintf("%d walks were found; the first two are scored as the two trials", len(walks)))
	}
	var sum, cad float64
	nc := 0
	for _, tr := range d.Trials {
		sum += tr.TimeS
		if tr.CadenceSPM.Valid() {
			cad += float64(tr.CadenceSPM)
			nc++
		}
		if tr.SpeedMPS > 3 || tr.TimeS > 180 || tr.TimeS < 1.5 {
			o.problem(ProblemImplausible, fmt.Sprintf("trial %d took %.1f s for %.2f m, which is not a walk of that distance: check the distance and walk from the start line to the finish line", tr.Index, tr.TimeS, dist))
		}
		w := walks[tr.Index-1]
		if a := largestTurn(turns, w); math.Abs(a) >= t25fwMaxTurnDeg {
			o.problem(ProblemTurned, fmt.Sprintf("you turned (by about %.0f°) during the walk of trial %d; the test is a straight 25-foot walk: walk straight from the start mark to just past the end mark, stop there and stand still", math.Abs(a), tr.Index))
		}
		if est, ok := walkedDistance(res, w); ok && trunkOK && est < t25fwMinDistanceFactor*dist {
			o.problem(ProblemWrongDistance, fmt.Sprintf("your steps in trial %d covered about %.0f m, but the test is a straight walk of %.2f m: walk from the start mark to just past the end mark, stop there and stand still", tr.Index, est, dist))
		}
	}
	mean := sum / float64(len(d.Trials))
	o.Metrics["t25fw_time_s"] = mean
	o.Metrics["t25fw_speed_mps"] = dist / mean
	for _, tr := range d.Trials {
		o.Metrics[fmt.Sprintf("t25fw_trial%d_time_s", tr.Index)] = tr.TimeS
	}
	if nc > 0 {
		o.Metrics["cadence_spm"] = cad / float64(nc)
	}
	steps := 0
	for _, tr := range d.Trials {
		steps += tr.Steps
	}
	o.Metrics["steps"] = float64(steps) / float64(len(d.Trials))
	if len(d.Trials) == 2 {
		a, b := d.Trials[0].TimeS, d.Trials[1].TimeS
		d.DifferencePct = gait.Value(100 * math.Abs(a-b) / ((a + b) / 2))
		o.put("t25fw_trial_difference_pct", d.DifferencePct)
	} else {
		o.note(ProblemOneTrial, "only one walk was found; the test asks for two — the time of the one trial is reported")
	}
	o.Detail = d
	return nil
}

// largestTurn returns the signed angle of the largest turn whose middle
// falls inside the timed walk w, 0 when there is none.
func largestTurn(turns []gait.Turn, w gait.TimedWalk) float64 {
	best := 0.0
	for _, t := range turns {
		if mid := (t.StartS + t.EndS) / 2; mid >= w.OnsetS && mid <= w.OffsetS && math.Abs(t.AngleDeg) > math.Abs(best) {
			best = t.AngleDeg
		}
	}
	return best
}

// walkedDistance estimates the distance covered in the timed walk w as its
// steps × the mean step length (half the stride length) of the bouts its
// contacts fall in, weighted by those contacts. ok is false when stride
// length was not estimated for at least half of the walk's contacts.
func walkedDistance(res *gait.Result, w gait.TimedWalk) (float64, bool) {
	var sum float64
	n, covered := 0, 0
	for _, t := range res.InitialContactsS {
		if t < w.OnsetS || t > w.OffsetS {
			continue
		}
		n++
		for _, bt := range res.Bouts {
			if t >= bt.StartS && t <= bt.EndS {
				if bt.StrideLengthM.Valid() {
					sum += float64(bt.StrideLengthM) / 2
					covered++
				}
				break
			}
		}
	}
	if covered == 0 || 2*covered < n {
		return 0, false
	}
	return float64(w.Steps) * sum / float64(covered), true
}

// pickWalks returns, for each segment in order, the timed walk overlapping
// it most.
func pickWalks(walks []gait.TimedWalk, segs []Segment) []gait.TimedWalk {
	var out []gait.TimedWalk
	for _, s := range segs {
		best, bo := -1, 0.0
		for i, w := range walks {
			if ov := math.Min(w.OffsetS, s.EndS) - math.Max(w.OnsetS, s.StartS); ov > bo {
				best, bo = i, ov
			}
		}
		if best >= 0 {
			out = append(out, walks[best])
		}
	}
	return out
}
