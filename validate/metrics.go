package validate

import (
	"math"
	"sort"

	"legwork/gait"
)

// MatchToleranceS is the initial-contact matching tolerance.
const MatchToleranceS = 0.25

// Match pairs detected and reference event times one-to-one, nearest pairs
// first, within tol seconds. It returns the signed timing errors
// (detected − reference) of the matched pairs and the unmatched counts.
func Match(det, ref []float64, tol float64) (errs []float64, fp, fn int) {
	type pair struct {
		d    float64
		i, j int
	}
	var ps []pair
	j0 := 0
	for i, d := range det {
		for j0 < len(ref) && ref[j0] < d-tol {
			j0++
		}
		for j := j0; j < len(ref) && ref[j] <= d+tol; j++ {
			ps = append(ps, pair{math.Abs(d - ref[j]), i, j})
		}
	}
	sort.SliceStable(ps, func(a, b int) bool { return ps[a].d < ps[b].d })
	ud := make([]bool, len(det))
	ur := make([]bool, len(ref))
	for _, p := range ps {
		if ud[p.i] || ur[p.j] {
			continue
		}
		ud[p.i], ur[p.j] = true, true
		errs = append(errs, det[p.i]-ref[p.j])
	}
	return errs, len(det) - len(errs), len(ref) - len(errs)
}

// ICStats summarises initial-contact detection.
type ICStats struct {
	Precision  gait.Value `json:"precision"`
	Recall     gait.Value `json:"recall"`
	F1         gait.Value `json:"f1"`
	TimingMAES gait.Value `json:"timing_mae_s"`
	TP         int        `json:"tp"`
	FP         int        `json:"fp"`
	FN         int        `json:"fn"`
}

// StepCountStats summarises step counting.
type StepCountStats struct {
	MAPEPct      gait.Value `json:"mape_pct"`
	MedianAPEPct gait.Value `json:"median_ape_pct"`
	N            int        `json:"n"`
}

// MAE is a mean absolute error with its count; the JSON key of the error
// carries the unit (set by the wrapping type).
type mae struct {
	sum float64
	n   int
	abs []float64
}

func (m *mae) add(e float64) {
	if math.IsNaN(e) {
		return
	}
	m.sum += math.Abs(e)
	m.n++
	m.abs = append(m.abs, math.Abs(e))
}

func (m *mae) value() gait.Value {
	if m.n == 0 {
		return gait.NA
	}
	return gait.Value(m.sum / float64(m.n))
}

// median is the median absolute error: with a handful of recordings whose
// reference disagrees with the signal, it shows the typical error.
func (m *mae) median() gait.Value {
	if m.n == 0 {
		return gait.NA
	}
	c := append([]float64(nil), m.abs...)
	sort.Float64s(c)
	if len(c)%2 == 1 {
		return gait.Value(c[len(c)/2])
	}
	return gait.Value(0.5 * (c[len(c)/2-1] + c[len(c)/2]))
}

// CadenceStats, StrideLengthStats, … are MAEs with units in their keys.
type CadenceStats struct {
	MAESPM    gait.Value `json:"mae_spm"`
	MedianSPM gait.Value `json:"median_ae_spm"`
	N         int        `json:"n"`
}

// StrideLengthStats is the stride-length MAE.
type StrideLengthStats struct {
	MAEM    gait.Value `json:"mae_m"`
	MedianM gait.Value `json:"median_ae_m"`
	N       int        `json:"n"`
}

// SpeedStats is the walking-speed MAE.
type SpeedStats struct {
	MAEMPS    gait.Value `json:"mae_mps"`
	MedianMPS gait.Value `json:"median_ae_mps"`
	N         int        `json:"n"`
}

// BoutStats is the share of reference bouts found.
type BoutStats struct {
	FoundShare gait.Value `json:"found_share"`
	N          int        `json:"n"`
}

// TimedWalkStats is the timed-walk speed and time error.
type TimedWalkStats struct {
	SpeedMAEMPS    gait.Value `json:"speed_mae_mps"`
	SpeedMedianMPS gait.Value `json:"speed_median_ae_mps"`
	TimeMAES       gait.Value `json:"time_mae_s"`
	N              int        `json:"n"`
}

// TurnStats is the share of reference turns found and the angle error.
type TurnStats struct {
	FoundShare  gait.Value `json:"found_share"`
	AngleMAEDeg gait.Value `json:"angle_mae_deg"`
	N           int        `json:"n"`
}

// UTurnStats scores U-turn detection (reference turns of 150° or more)
// after the U-turn refinement of the U-turn test (assess.UTurns).
type UTurnStats struct {
	FoundShare   gait.Value `json:"found_share"`
	DurationMAES gait.Value `json:"duration_mae_s"`
	StartMAES    gait.Value `json:"start_mae_s"`
	EndMAES      gait.Value `json:"end_mae_s"`
	AngleMAEDeg  gait.Value `json:"angle_mae_deg"`
	N            int        `json:"n"`
}

// Metrics is the set of figures for one group of recordings.
type Metrics struct {
	Recordings   int               `json:"recordings"`
	IC           ICStats           `json:"ic"`
	ICAll        ICStats           `json:"ic_all"`
	StepCount    StepCountStats    `json:"step_count"`
	Cadence      CadenceStats      `json:"cadence"`
	StrideLength StrideLengthStats `json:"stride_length"`
	WalkingSpeed SpeedStats        `json:"walking_speed"`
	Bouts        BoutStats         `json:"bouts"`
	TimedWalk    TimedWalkStats    `json:"timed_walk"`
	Turns        TurnStats         `json:"turns"`
	UTurns       UTurnStats        `json:"uturns"`
}

// acc accumulates the raw material of Metrics.
type acc struct {
	recordings             int
	icTP, icFP, icFN       int
	icErr                  mae
	allTP, allFP, allFN    int
	allErr                 mae
	stepAPE                []float64
	cadence, stride, speed mae
	boutsFound, boutsN     int
	twSpeed, twTime        mae
	turnsFound, turnsN     int
	turnAngle              mae
	uFound, uN             int
	uDur, uStart, uEnd     mae
	uAngle                 mae
}

func (a *acc) merge(b *acc) {
	a.recordings += b.recordings
	a.icTP += b.icTP
	a.icFP += b.icFP
	a.icFN += b.icFN
	a.allTP += b.allTP
	a.allFP += b.allFP
	a.allFN += b.allFN
	a.uFound += b.uFound
	a.uN += b.uN
	for _, m := range [][2]*mae{{&a.icErr, &b.icErr}, {&a.allErr, &b.allErr}, {&a.cadence, &b.cadence}, {&a.stride, &b.stride}, {&a.speed, &b.speed}, {&a.twSpeed, &b.twSpeed}, {&a.twTime, &b.twTime}, {&a.turnAngle, &b.turnAngle}, {&a.uDur, &b.uDur}, {&a.uStart, &b.uStart}, {&a.uEnd, &b.uEnd}, {&a.uAngle, &b.uAngle}} {
		for _, e := range m[1].abs {
			m[0].add(e)
		}
	}
	a.stepAPE = append(a.stepAPE, b.stepAPE...)
	a.boutsFound += b.boutsFound
	a.boutsN += b.boutsN
	a.turnsFound += b.turnsFound
	a.turnsN += b.turnsN
}

func icStats(tp, fp, fn int, e *mae) ICStats {
	s := ICStats{TP: tp, FP: fp, FN: fn, Precision: gait.NA, Recall: gait.NA, F1: gait.NA, TimingMAES: e.value()}
	if tp+fp > 0 {
		s.Precision = gait.Value(float64(tp) / float64(tp+fp))
	}
	if tp+fn > 0 {
		s.Recall = gait.Value(float64(tp) / float64(tp+fn))
	}
	if 2*tp+fp+fn > 0 && tp+fn > 0 {
		s.F1 = gait.Value(2 * float64(tp) / float64(2*tp+fp+fn))
	}
	return s
}

func share(found, n int) gait.Value {
	if n == 0 {
		return gait.NA
	}
	return gait.Value(float64(found) / float64(n))
}

func (a *acc) metrics() Metrics {
	m := Metrics{Recordings: a.recordings}
	m.IC = icStats(a.icTP, a.icFP, a.icFN, &a.icErr)
	m.ICAll = icStats(a.allTP, a.allFP, a.allFN, &a.allErr)
	m.StepCount = StepCountStats{MAPEPct: gait.NA, MedianAPEPct: gait.NA, N: len(a.stepAPE)}
	if len(a.stepAPE) > 0 {
		s := 0.0
		for _, v := range a.stepAPE {
			s += v
		}
		m.StepCount.MAPEPct = gait.Value(s / float64(len(a.stepAPE)))
		c := append([]float64(nil), a.stepAPE...)
		sort.Float64s(c)
		if len(c)%2 == 1 {
			m.StepCount.MedianAPEPct = gait.Value(c[len(c)/2])
		} else {
			m.StepCount.MedianAPEPct = gait.Value(0.5 * (c[len(c)/2-1] + c[len(c)/2]))
		}
	}
	m.Cadence = CadenceStats{MAESPM: a.cadence.value(), MedianSPM: a.cadence.median(), N: a.cadence.n}
	m.StrideLength = StrideLengthStats{MAEM: a.stride.value(), MedianM: a.stride.median(), N: a.stride.n}
	m.WalkingSpeed = SpeedStats{MAEMPS: a.speed.value(), MedianMPS: a.speed.median(), N: a.speed.n}
	m.Bouts = BoutStats{FoundShare: share(a.boutsFound, a.boutsN), N: a.boutsN}
	m.TimedWalk = TimedWalkStats{SpeedMAEMPS: a.twSpeed.value(), SpeedMedianMPS: a.twSpeed.median(), TimeMAES: a.twTime.value(), N: a.twSpeed.n}
	m.Turns = TurnStats{FoundShare: share(a.turnsFound, a.turnsN), AngleMAEDeg: a.turnAngle.value(), N: a.turnsN}
	m.UTurns = UTurnStats{FoundShare: share(a.uFound, a.uN), DurationMAES: a.uDur.value(), StartMAES: a.uStart.value(), EndMAES: a.uEnd.value(), AngleMAEDeg: a.uAngle.value(), N: a.uN}
	return m
}
