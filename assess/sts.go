package assess

import (
	"fmt"
	"math"

	"legwork/dsp"
	"legwork/gait"
)

// Transfer is a postural transition: standing up or sitting down.
type Transfer struct {
	Kind   string  `json:"kind"` // "sit_to_stand" or "stand_to_sit"
	StartS float64 `json:"start_s"`
	EndS   float64 `json:"end_s"`
	// PeakVelocityMPS is the largest vertical speed (m/s, positive up).
	PeakVelocityMPS float64 `json:"peak_velocity_mps"`
	// DisplacementM is the vertical travel of the sensor (m, positive up).
	DisplacementM float64 `json:"displacement_m"`
	// PowerWKG is the peak vertical power per kilogram of body mass,
	// max((a_v + g)·v) over the transfer: a proxy of leg power (Zijlstra et
	// al., Eur J Appl Physiol 110:1275–1281, 2010, estimated sit-to-stand
	// power the same way from a lower-back accelerometer).
	PowerWKG float64 `json:"power_wkg"`
}

// TransferDetector finds sit-to-stand and stand-to-sit transitions from the
// vertical movement of a lower-back sensor. The vertical acceleration is the
// acceleration magnitude minus gravity (insensitive to the trunk's forward
// lean), low-passed at CutoffHz; it is integrated to vertical velocity, with
// a zero-phase high-pass at HighPassHz against drift. A rise of the velocity
// above MinPeakMPS that lifts the sensor by at least MinDisplacementM is a
// sit-to-stand; the mirror image a stand-to-sit. Each transition spans from
// the velocity's last zero before its peak to the first zero after (the
// boundaries skdh's Sit2Stand uses; Adamowicz et al., Sensors 20:6618, 2020).
// Walking moves the trunk a few centimetres up and down, below the
// displacement threshold.
type TransferDetector struct {
	CutoffHz         float64
	HighPassHz       float64
	MinPeakMPS       float64
	MinDisplacementM float64
	MinGapS          float64 // shortest time between two peaks of the same kind
}

// DefaultTransfers is the transfer detector legwork uses.
var DefaultTransfers = TransferDetector{CutoffHz: 3, HighPassHz: 0.1, MinPeakMPS: 0.2, MinDisplacementM: 0.15, MinGapS: 0.8}

// Transfers returns the transitions in b, in time order.
func (d TransferDetector) Transfers(b *gait.Body) []Transfer {
	n := b.Len()
	if n < 16 {
		return nil
	}
	fs := b.SampleRateHz
	a := make([]float64, n)
	for i := range a {
		a[i] = math.Sqrt(b.AccMS2[0][i]*b.AccMS2[0][i] + b.AccMS2[1][i]*b.AccMS2[1][i] + b.AccMS2[2][i]*b.AccMS2[2][i])
	}
	g := dsp.Median(a)
	for i := range a {
		a[i] -= g
	}
	dsp.MustButterworth(4, d.CutoffHz, fs, dsp.LowPass).FiltFilt(a, a, nil)
	v := dsp.CumTrapz(nil, a, 1/fs)
	dsp.MustButterworth(2, d.HighPassHz, fs, dsp.HighPass).FiltFilt(v, v, nil)
	var out []Transfer
	for _, sign := range []float64{1, -1} {
		sv := make([]float64, n)
		for i := range v {
			sv[i] = sign * v[i]
		}
		for _, i := range dsp.Peaks(nil, sv, d.MinPeakMPS, int(d.MinGapS*fs)) {
			s := i
			for s > 0 && sv[s-1] > 0 {
				s--
			}
			e := i
			for e < n-1 && sv[e+1] > 0 {
				e++
			}
			disp := 0.0
			pw := 0.0
			for k := s; k <= e; k++ {
				disp += v[k] / fs
				pw = math.Max(pw, (a[k]+g)*v[k]*sign)
			}
			if math.Abs(disp) < d.MinDisplacementM {
				continue
			}
			kind := "sit_to_stand"
			if sign < 0 {
				kind = "stand_to_sit"
			}
			out = append(out, Transfer{Kind: kind, StartS: b.TimeOf(float64(s)), EndS: b.TimeOf(float64(e)), PeakVelocityMPS: v[i], DisplacementM: disp, PowerWKG: pw})
		}
	}
	// time order
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].StartS < out[j-1].StartS; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// STSDetail holds the five-times sit-to-stand's repetitions.
type STSDetail struct {
	OnsetS  float64    `json:"onset_s"`
	EndS    float64    `json:"end_s"`
	TotalS  float64    `json:"total_s"`
	Reps    []Rep      `json:"repetitions"`
	Found   []Transfer `json:"transfers"`
	Slowing gait.Value `json:"slowing_pct"`
	Power   gait.Value `json:"power_wkg"`
	Extra   int        `json:"extra_repetitions,omitempty"`
}

// Rep is one stand-up and sit-down.
type Rep struct {
	Index     int     `json:"index"`
	StartS    float64 `json:"start_s"`
	StandS    float64 `json:"stand_s"` // end of the rise
	SeatedS   float64 `json:"seated_s"`
	DurationS float64 `json:"duration_s"`
	PowerWKG  float64 `json:"power_wkg"`
}

// Absolute limits of a five-times sit-to-stand. Published group means are
// about 11–15 s in older adults (Bohannon, Percept Mot Skills 103:215–222,
// 2006: 11.4 s at 60–69 years, 12.6 s at 70–79, 14.8 s at 80–89) and
// 20.3 ± 14.1 s in Parkinson's disease, among the slowest groups reported
// (Duncan et al., Arch Phys Med Rehabil 92:1431–1436, 2011); Duncan et al.
// gave those unable to do the test 60 s, about one standard deviation
// beyond the slowest completed time. Five repetitions taking longer than
// sts5MaxTotalS, or one taking longer than sts5MaxRepS, are not the test
// done as fast as is safe: standing about, or another activity. The limit
// on one repetition is a third of the total, so that an uneven but
// complete test (a slow first rise of 13 s, then four of 9 s) is not
// refused; the slowest completers' mean repetition is about 9 s.
const (
	sts5MaxTotalS = 60
	sts5MaxRepS   = 20
)

// runSTS5 scores the five-times sit-to-stand (5STS): from a chair, arms
// crossed, stand up and sit down five times as fast as possible. The time
// runs from the first movement to seated after the fifth repetition
// (Whitney et al., Phys Ther 85:1034–1045, 2005: timing stops when the
// buttocks touch the chair the fifth time), here the end of the fifth
// stand-to-sit transition. Secondary results: each repetition's time, the
// slowing from the first two repetitions to the last two, and a leg-power
// proxy (see Transfer.PowerWKG).
func runSTS5(o *Outcome, rec *gait.Recording, opt Options) error {
	p := gait.LowerBackPipeline()
	bodies, _ := p.Segments(rec)
	var b *gait.Body
	for _, x := range bodies {
		if b == nil || x.Len() > b.Len() {
			b = x
		}
	}
	if b == nil || float64(b.Len())/b.SampleRateHz < 5 {
		o.problem(ProblemTooShort, "the recording is too short: sit on the chair, start the test, and stand up and sit down five times")
		return nil
	}
	tr := DefaultTransfers.Transfers(b)
	d := &STSDetail{Found: tr, Slowing: gait.NA, Power: gait.NA}
	// pair each sit-to-stand with the next stand-to-sit
	var reps []Rep
	for i := 0; i < len(tr); i++ {
		if tr[i].Kind != "sit_to_stand" {
			continue
		}
		for j := i + 1; j < len(tr); j++ {
			if tr[j].Kind == "sit_to_stand" {
				break
			}
			reps = append(reps, Rep{Index: len(reps) + 1, StartS: tr[i].StartS, StandS: tr[i].EndS, SeatedS: tr[j].EndS, PowerWKG: tr[i].PowerWKG})
			i = j
			break
		}
	}
	if len(reps) == 0 {
		o.problem(ProblemNoSitToStand, "no standing up was found: put the phone in a waistband at the small of your back, sit on a chair, and stand up fully each time")
		o.Detail = d
		return nil
	}
	if opt.Placement != gait.Unknown && !opt.Placement.Trunk() {
		o.problem(ProblemPlacement, "the sit-to-stand test needs the phone at the small of your back, in a waistband or belt")
	}
	if len(reps) < 5 {
		o.problem(ProblemFewReps, fmt.Sprintf("only %d of the five repetitions were found: stand up fully and sit down fully five times in a row, without pausing", len(reps)))
	}
	if len(reps) > 5 {
		d.Extra = len(reps) - 5
		reps = reps[:5]
		o.note(ProblemSegments, "more than five repetitions were found; the first five are scored")
	}
	// onset: the trunk starts moving (leaning forward) before the first rise
	ics := []float64{reps[0].StartS}
	for _, r := range reps {
		ics = append(ics, r.StandS, r.SeatedS)
	}
	onset := reps[0].StartS
	if st := p.Motion.Moving(b, ics, p.Motion.MinStillS); len(st) > 0 {
		for _, m := range st {
			if m[0] <= reps[0].StartS && m[1] >= reps[0].StartS {
				onset = m[0]
			}
		}
	}
	prev := onset
	var durs []float64
	for i := range reps {
		reps[i].DurationS = reps[i].SeatedS - prev
		durs = append(durs, reps[i].DurationS)
		prev = reps[i].SeatedS
	}
	d.OnsetS = onset
	d.EndS = reps[len(reps)-1].SeatedS
	d.TotalS = d.EndS - d.OnsetS
	d.Reps = reps
	if len(durs) >= 4 {
		first := (durs[0] + durs[1]) / 2
		last := (durs[len(durs)-1] + durs[len(durs)-2]) / 2
		d.Slowing = gait.Value(100 * (last - first) / first)
	}
	var pw []float64
	for _, r := range reps {
		pw = append(pw, r.PowerWKG)
	}
	d.Power = gait.Value(dsp.Mean(pw))
	if med := dsp.Median(durs); med > 0 {
		for _, x := range durs {
			if x > 3*med {
				o.problem(ProblemInterrupted, "there was a long pause between repetitions: do the five in a row, as fast as is safe")
				break
			}
		}
	}
	if d.TotalS > sts5MaxTotalS {
		o.problem(ProblemImplausible, fmt.Sprintf("the repetitions took %.0f s, longer than even people who find standing up hard take for the test: sit on the chair, and when the app says go, stand up and sit down five times in a row, as fast as is safe", d.TotalS))
	} else {
		for i, x := range durs {
			if x > sts5MaxRepS {
				o.problem(ProblemImplausible, fmt.Sprintf("repetition %d took %.0f s, longer than even people who find standing up hard take for one: stand up and sit down five times in a row, without pausing, as fast as is safe", i+1, x))
				break
			}
		}
	}
	if len(reps) == 5 {
		o.Metrics["sts5_time_s"] = d.TotalS
	}
	o.Metrics["sts_repetitions"] = float64(len(reps))
	o.Metrics["sts_rep_time_s"] = dsp.Mean(durs)
	o.put("sts_slowing_pct", d.Slowing)
	o.put("sts_power_wkg", d.Power)
	o.Detail = d
	return nil
}
