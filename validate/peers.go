package validate

import (
	"math"
	"path/filepath"
	"sort"
	"strings"

	"legwork/assess"
	"legwork/dsp"
	"legwork/gait"
)

// PeerTests compares legwork's guided tests with other libraries' outputs on
// recordings that have no ground truth: Biogen's DISPEL on Konectom phone
// recordings of the static balance and U-turn tests, and
// scikit-digital-health's Sit2Stand on a lumbar recording, and its two
// lumbar gait algorithms on two walking recordings. These check that
// legwork's definitions and detections agree with established
// implementations; they are not accuracy against a reference.
type PeerTests struct {
	UTurn []UTurnPeerRow `json:"dispel_uturn"`
	// UTurnSpeedRelErr is the mean of |ours − DISPEL| / DISPEL over the
	// recordings, for the mean turn speed; UTurnCountAgree the share of
	// recordings where the number of U-turns agrees.
	UTurnSpeedRelErr gait.Value       `json:"dispel_uturn_speed_rel_error"`
	UTurnCountAgree  gait.Value       `json:"dispel_uturn_count_agreement"`
	Balance          []BalancePeerRow `json:"dispel_balance"`
	// BalanceRankCorr is Spearman's ρ between legwork's sway path and
	// DISPEL's total excursion across the recordings (the two filter the
	// signal differently, so only the ordering is comparable).
	BalanceRankCorr gait.Value    `json:"dispel_balance_rank_correlation"`
	SitToStand      *STSPeerRow   `json:"skdh_sit_to_stand,omitempty"`
	Gait            []GaitPeerRow `json:"skdh_gait,omitempty"`
}

// GaitPeerRow compares legwork's walking analysis of a lumbar recording with
// one of scikit-digital-health's gait algorithms (its regression test's
// expected output). skdh's values are medians over its per-step table;
// legwork's are its walking summary (bout values weighted by steps).
type GaitPeerRow struct {
	ID        string `json:"id"`
	Algorithm string `json:"algorithm"`

	PeerBouts         int        `json:"peer_bouts"`
	PeerSteps         int        `json:"peer_steps"`
	PeerCadenceSPM    gait.Value `json:"peer_cadence_spm"`
	PeerStrideTimeS   gait.Value `json:"peer_stride_time_s"`
	PeerStrideLengthM gait.Value `json:"peer_stride_length_m"`
	PeerSpeedMPS      gait.Value `json:"peer_walking_speed_mps"`

	Bouts         int        `json:"bouts"`
	Steps         int        `json:"steps"`
	CadenceSPM    gait.Value `json:"cadence_spm"`
	StrideTimeS   gait.Value `json:"stride_time_s"`
	StrideLengthM gait.Value `json:"stride_length_m"`
	SpeedMPS      gait.Value `json:"walking_speed_mps"`

	// IC compares the initial contacts within ±0.25 s, legwork's taken
	// between skdh's first and last contact, where skdh's contact times are
	// usable (see skdhContactTimes); nil otherwise.
	IC *ICStats `json:"ic,omitempty"`
}

// UTurnPeerRow is one recording's U-turn test, legwork vs DISPEL.
type UTurnPeerRow struct {
	ID            string     `json:"id"`
	Turns         int        `json:"turns"`
	PeerTurns     gait.Value `json:"peer_turns"`
	SpeedRPS      gait.Value `json:"turn_speed_rps"`
	PeerSpeedRPS  gait.Value `json:"peer_turn_speed_rps"`
	DurationS     gait.Value `json:"turn_duration_s"`
	PeerDurationS gait.Value `json:"peer_turn_duration_s"`
	Problems      []string   `json:"problems,omitempty"`
}

// BalancePeerRow is one recording's static balance, legwork vs DISPEL.
type BalancePeerRow struct {
	ID string `json:"id"`
	// PathMS2 is legwork's sway path; PeerTotexMS2 DISPEL's total
	// excursion converted from mG to m/s².
	PathMS2      gait.Value `json:"path_ms2"`
	PeerTotexMS2 gait.Value `json:"peer_totex_ms2"`
	RMSMS2       gait.Value `json:"rms_ms2"`
	Failed       bool       `json:"failed"`
	// PeerExcessiveMotion is set when DISPEL's test expects its
	// excessive-motion flag on this recording.
	PeerExcessiveMotion bool `json:"peer_excessive_motion"`
}

// STSPeerRow compares sit-to-stand transitions with skdh's.
type STSPeerRow struct {
	ID          string     `json:"id"`
	PeerN       int        `json:"peer_transfers"`
	Found       int        `json:"found"`
	Extra       int        `json:"extra"`
	StartMAES   gait.Value `json:"start_mae_s"`
	EndMAES     gait.Value `json:"end_mae_s"`
	DurationMAE gait.Value `json:"duration_mae_s"`
}

// skdhGaitOutputs is scikit-digital-health's expected gait output, per
// algorithm.
type skdhGaitOutputs struct {
	Outputs map[string]struct {
		PerStepTable map[string][]*float64 `json:"per_step_table"`
		PerBout      []struct {
			BoutSteps int `json:"bout_steps"`
		} `json:"per_bout_summary"`
		// ICTimesS are the contact times that the data set's preparer
		// derived assuming absolute sample indices at 128 Hz.
		ICTimesS []float64 `json:"ic_t_s_assuming_absolute_index_at_128hz"`
	} `json:"outputs"`
}

type dispelOutputs struct {
	Measures []struct {
		ID    string   `json:"id"`
		Value *float64 `json:"value"`
	} `json:"measures"`
	Flags []struct {
		Flags []struct {
			ID string `json:"id"`
		} `json:"flags"`
	} `json:"flags"`
}

type dispelMeta struct {
	Segments []struct {
		Name   string  `json:"name"`
		StartS float64 `json:"start_s"`
		EndS   float64 `json:"end_s"`
	} `json:"segments"`
}

type skdhOutputs struct {
	Runs map[string]struct {
		Transfers []struct {
			StartTS float64 `json:"start_t_s"`
			EndTS   float64 `json:"end_t_s"`
		} `json:"transfers"`
	} `json:"runs"`
}

// runPeerTests evaluates the guided tests on the peer-only recordings.
func runPeerTests(cases []*Case) (*PeerTests, error) {
	pt := &PeerTests{UTurnSpeedRelErr: gait.NA, UTurnCountAgree: gait.NA, BalanceRankCorr: gait.NA}
	var relErr []float64
	agree, nAgree := 0, 0
	for _, c := range cases {
		if c.Truth.Reference != nil {
			continue
		}
		po := filepath.Join(c.Dir, "peer_outputs.json")
		if !exists(po) {
			continue
		}
		switch {
		case len(c.Meta.ID) > 6 && c.Source == "dispel_sbt_utt":
			var out dispelOutputs
			var meta dispelMeta
			if err := readJSON(po, &out); err != nil {
				return nil, err
			}
			if err := readJSON(filepath.Join(c.Dir, "meta.json"), &meta); err != nil {
				return nil, err
			}
			m := map[string]float64{}
			for _, x := range out.Measures {
				if x.Value != nil {
					m[x.ID] = *x.Value
				}
			}
			excessive := false
			for _, f := range out.Flags {
				for _, g := range f.Flags {
					if g.ID == "sbt-behavioral-deviation-excessive_motion" {
						excessive = true
					}
				}
			}
			rec, err := c.Recording()
			if err != nil {
				return nil, err
			}
			opt := assess.Options{Placement: gait.WaistBelt, PhoneFrame: true}
			for _, s := range meta.Segments {
				part := slice(rec, s.StartS, s.EndS)
				switch s.Name {
				case "utt":
					peerSpeed, ok := m["utt-all-ts-mean"]
					if !ok {
						continue
					}
					peerTurns, hasTurns := m["utt-all-turns"]
					o, err := assess.RunRecording(assess.UTurn, part, opt)
					if err != nil {
						return nil, err
					}
					row := UTurnPeerRow{ID: c.Meta.ID, PeerTurns: gait.NA, SpeedRPS: gait.NA, DurationS: gait.NA, PeerSpeedRPS: gait.Value(peerSpeed), PeerDurationS: gait.NA}
					if hasTurns {
						row.PeerTurns = gait.Value(peerTurns)
					}
					if v, ok := m["utt-all-dur-mean"]; ok {
						row.PeerDurationS = gait.Value(v)
					}
					row.Turns = int(o.Metrics["turns"])
					if v, ok := o.Metrics["turn_speed_rps"]; ok {
						row.SpeedRPS = gait.Value(v)
					}
					if v, ok := o.Metrics["turn_duration_s"]; ok {
						row.DurationS = gait.Value(v)
					}
					for _, p := range o.Problems {
						row.Problems = append(row.Problems, p.Code)
					}
					if row.SpeedRPS.Valid() && row.PeerSpeedRPS.Valid() {
						relErr = append(relErr, math.Abs(float64(row.SpeedRPS-row.PeerSpeedRPS))/float64(row.PeerSpeedRPS))
					}
					if hasTurns {
						nAgree++
						if float64(row.Turns) == peerTurns {
							agree++
						}
					}
					pt.UTurn = append(pt.UTurn, row)
				case "sbt":
					totex, ok := m["sbt-full-totex"]
					if !ok {
						continue
					}
					o, err := assess.RunRecording(assess.Balance, part, assess.Options{Placement: gait.WaistBelt, PhoneFrame: true, Segments: []assess.Segment{{Name: "eyes_open", StartS: s.StartS, EndS: s.EndS}}})
					if err != nil {
						return nil, err
					}
					row := BalancePeerRow{ID: c.Meta.ID, PeerTotexMS2: gait.Value(totex * 9.80665e-3), PathMS2: gait.NA, RMSMS2: gait.NA, PeerExcessiveMotion: excessive}
					if v, ok := o.Metrics["sway_path_ms2"]; ok {
						row.PathMS2 = gait.Value(v)
					}
					if v, ok := o.Metrics["sway_rms_ms2"]; ok {
						row.RMSMS2 = gait.Value(v)
					}
					if d, ok := o.Detail.(*assess.BalanceDetail); ok {
						for _, cd := range d.Conditions {
							row.Failed = row.Failed || cd.Failed
						}
					}
					pt.Balance = append(pt.Balance, row)
				}
			}
		case c.Source == "skdh":
			rows, err := skdhGait(c, po)
			if err != nil {
				return nil, err
			}
			pt.Gait = append(pt.Gait, rows...)
		case c.Source == "skdh_sit2stand":
			var out skdhOutputs
			if err := readJSON(po, &out); err != nil {
				return nil, err
			}
			run, ok := out.Runs["stillness_constraint_false"]
			if !ok {
				continue
			}
			rec, err := c.Recording()
			if err != nil {
				return nil, err
			}
			bodies, _ := gait.LowerBackPipeline().Segments(rec)
			var ours []assess.Transfer
			for _, b := range bodies {
				for _, t := range assess.DefaultTransfers.Transfers(b) {
					if t.Kind == "sit_to_stand" {
						ours = append(ours, t)
					}
				}
			}
			row := &STSPeerRow{ID: c.Meta.ID, PeerN: len(run.Transfers)}
			var ms, me, md mae
			used := make([]bool, len(ours))
			for _, pt := range run.Transfers {
				best, bo := -1, 0.0
				for i, t := range ours {
					if ov := overlap(t.StartS, t.EndS, pt.StartTS, pt.EndTS); ov > bo && !used[i] {
						best, bo = i, ov
					}
				}
				if best < 0 {
					continue
				}
				used[best] = true
				row.Found++
				ms.add(ours[best].StartS - pt.StartTS)
				me.add(ours[best].EndS - pt.EndTS)
				md.add((ours[best].EndS - ours[best].StartS) - (pt.EndTS - pt.StartTS))
			}
			row.Extra = len(ours) - row.Found
			row.StartMAES, row.EndMAES, row.DurationMAE = ms.value(), me.value(), md.value()
			pt.SitToStand = row
		}
	}
	if len(relErr) > 0 {
		s := 0.0
		for _, e := range relErr {
			s += e
		}
		pt.UTurnSpeedRelErr = gait.Value(s / float64(len(relErr)))
	}
	if nAgree > 0 {
		pt.UTurnCountAgree = gait.Value(float64(agree) / float64(nAgree))
	}
	var a, b []float64
	for _, r := range pt.Balance {
		if r.PathMS2.Valid() && !r.Failed {
			a = append(a, float64(r.PathMS2))
			b = append(b, float64(r.PeerTotexMS2))
		}
	}
	if len(a) >= 3 {
		if rho, ok := dsp.Spearman(a, b); ok {
			pt.BalanceRankCorr = gait.Value(rho)
		}
	}
	return pt, nil
}

// skdhGait compares legwork's walking analysis of c with each gait
// algorithm in skdh's expected outputs po.
func skdhGait(c *Case, po string) ([]GaitPeerRow, error) {
	var out skdhGaitOutputs
	if err := readJSON(po, &out); err != nil {
		return nil, err
	}
	if len(out.Outputs) == 0 {
		return nil, nil
	}
	opt, err := c.Options()
	if err != nil {
		return nil, err
	}
	rec, err := c.Recording()
	if err != nil {
		return nil, err
	}
	res, err := gait.AnalyzeRecording(rec, opt)
	if err != nil {
		return nil, err
	}
	var rows []GaitPeerRow
	for _, alg := range sortedKeys(out.Outputs) {
		o := out.Outputs[alg]
		col := func(names ...string) gait.Value {
			for _, n := range names {
				if v := finite(o.PerStepTable[n]); len(v) > 0 {
					return gait.Value(dsp.Median(v))
				}
			}
			return gait.NA
		}
		w := res.Walking
		row := GaitPeerRow{
			ID: c.Meta.ID, Algorithm: strings.TrimPrefix(alg, "skdh_GaitLumbar_"),
			PeerBouts:         len(o.PerBout),
			PeerCadenceSPM:    col("cadence"),
			PeerStrideTimeS:   col("stride time"),
			PeerStrideLengthM: col("stride length", "stride length m1"),
			PeerSpeedMPS:      col("gait speed", "gait speed m1"),
			Bouts:             len(res.Bouts),
			Steps:             w.Steps,
			CadenceSPM:        w.CadenceSPM,
			StrideTimeS:       w.StrideTimeS,
			StrideLengthM:     w.StrideLengthM,
			SpeedMPS:          w.WalkingSpeedMPS,
		}
		for _, b := range o.PerBout {
			row.PeerSteps += b.BoutSteps
		}
		if ref := skdhContactTimes(o.ICTimesS, finite(o.PerStepTable["step time"])); len(ref) > 0 {
			var det []float64
			for _, t := range res.InitialContactsS {
				if t >= ref[0]-MatchToleranceS && t <= ref[len(ref)-1]+MatchToleranceS {
					det = append(det, t)
				}
			}
			errs, fp, fn := Match(det, ref, MatchToleranceS)
			var e mae
			for _, x := range errs {
				e.add(x)
			}
			ic := icStats(len(errs), fp, fn, &e)
			row.IC = &ic
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// skdhContactTimes returns skdh's contact times when they are usable: the
// data set gives them assuming that skdh's sample indices count from the
// recording's start at 128 Hz. They are used only when they increase and
// their median interval agrees (within 10 %) with the median step time of
// skdh's own table: an algorithm that resamples fails the interval check,
// and one whose indices restart at each of several bouts fails the order
// check (with a single bout counted from its start, the times would pass
// both, shifted by the bout's start: the contacts' F1 would then show it).
func skdhContactTimes(ics, stepTimes []float64) []float64 {
	if len(ics) < 3 || len(stepTimes) == 0 || !sort.Float64sAreSorted(ics) {
		return nil
	}
	d := make([]float64, len(ics)-1)
	for i := range d {
		d[i] = ics[i+1] - ics[i]
	}
	r := dsp.Median(d) / dsp.Median(stepTimes)
	if r < 0.9 || r > 1.1 {
		return nil
	}
	return ics
}

// finite returns the present, finite values of a column.
func finite(col []*float64) []float64 {
	var v []float64
	for _, x := range col {
		if x != nil && !math.IsNaN(*x) && !math.IsInf(*x, 0) {
			v = append(v, *x)
		}
	}
	return v
}

// slice returns the samples of rec between a and b seconds.
func slice(rec *gait.Recording, a, b float64) *gait.Recording {
	out := &gait.Recording{Gyro: rec.Gyro}
	for _, s := range rec.Samples {
		if s.TimeS >= a && s.TimeS <= b {
			out.Samples = append(out.Samples, s)
		}
	}
	return out
}
