package assess

import (
	"fmt"
	"math"

	"legwork/dsp"
	"legwork/gait"
)

// UTurnDetail holds the U-turn test's turns.
type UTurnDetail struct {
	Turns []TurnResult `json:"turns"`
}

// TurnResult is one U-turn.
type TurnResult struct {
	StartS    float64 `json:"start_s"`
	EndS      float64 `json:"end_s"`
	AngleDeg  float64 `json:"angle_deg"`
	DurationS float64 `json:"duration_s"`
	// SpeedRPS is |angle| / duration in rad/s.
	SpeedRPS float64 `json:"speed_rps"`
	Steps    int     `json:"steps"`
}

// UTurns refines detected turns into U-turns as the Konectom U-turn test
// analysis does (El-Gohary et al., Sensors 14:356–369, 2014, refined in
// Biogen's DISPEL): consecutive turns in the same direction less than 3 s
// apart are merged when each is below 170° and their sum below 270° (a U-turn
// split in two by a hesitation), then turns of 90° or less are dropped.
func UTurns(turns []gait.Turn) []gait.Turn {
	merged := mergeTurns(turns)
	out := merged[:0]
	for _, t := range merged {
		if math.Abs(t.AngleDeg) > 90 {
			out = append(out, t)
		}
	}
	return out
}

// mergeTurns is the merging step of UTurns: consecutive turns in the same
// direction less than 3 s apart, each below 170° and together below 270°,
// become one turn. It returns a new slice.
func mergeTurns(turns []gait.Turn) []gait.Turn {
	var merged []gait.Turn
	for _, t := range turns {
		if n := len(merged); n > 0 {
			last := &merged[n-1]
			same := (last.AngleDeg > 0) == (t.AngleDeg > 0)
			if same && t.StartS-last.EndS < 3 && math.Abs(last.AngleDeg) < 170 && math.Abs(t.AngleDeg) < 170 && math.Abs(last.AngleDeg+t.AngleDeg) < 270 {
				last.EndS = t.EndS
				last.AngleDeg += t.AngleDeg
				last.PeakSpeedDPS = math.Max(last.PeakSpeedDPS, t.PeakSpeedDPS)
				last.DurationS = last.EndS - last.StartS
				continue
			}
		}
		merged = append(merged, t)
	}
	return merged
}

// runUTurn scores the U-turn test (Konectom's U-Turn Test, Montalban et al.,
// Mult Scler 28:654–664, 2022): walk and turn around repeatedly for 60 s.
// The primary result is the mean turn speed, |angle| / duration in rad/s over
// the U-turns; slower, longer turns with more steps reflect worse dynamic
// balance. Needs a gyroscope.
func runUTurn(o *Outcome, rec *gait.Recording, opt Options) error {
	if !rec.Gyro {
		o.problem(ProblemNoGyro, "this device gave no gyroscope data, which the U-turn test needs to measure turning: use a phone with a gyroscope")
		return nil
	}
	// turning tilts the sensor's gravity estimate: the walking placement
	// check does not apply
	res, err := analyseWalk(o, rec, opt, 0, false)
	if err != nil {
		return err
	}
	// the turn itself is scored even if few straight steps were found
	if o.hasProblem(ProblemNoWalking) {
		o.Valid = true
		o.Problems = nil
	}
	turns := UTurns(res.Turns)
	if len(turns) == 0 {
		o.problem(ProblemNoTurns, "no U-turn was found: walk a few steps, turn around completely, walk back, and repeat until the app says stop")
		return nil
	}
	d := &UTurnDetail{}
	var speeds, durs, steps []float64
	for _, t := range turns {
		n := 0
		for _, ic := range res.InitialContactsS {
			if ic >= t.StartS && ic <= t.EndS {
				n++
			}
		}
		sp := math.Abs(t.AngleDeg) * math.Pi / 180 / t.DurationS
		d.Turns = append(d.Turns, TurnResult{StartS: t.StartS, EndS: t.EndS, AngleDeg: t.AngleDeg, DurationS: t.DurationS, SpeedRPS: sp, Steps: n})
		speeds = append(speeds, sp)
		durs = append(durs, t.DurationS)
		steps = append(steps, float64(n))
	}
	o.Metrics["turns"] = float64(len(turns))
	o.Metrics["turn_speed_rps"] = dsp.Mean(speeds)
	o.Metrics["turn_speed_median_rps"] = dsp.Median(speeds)
	o.Metrics["turn_duration_s"] = dsp.Mean(durs)
	o.Metrics["steps_per_turn"] = dsp.Mean(steps)
	if len(res.Bouts) > 0 {
		o.put("cadence_spm", res.Walking.CadenceSPM)
	}
	// The test asks for 60 s; a recording well short of that (the person
	// stopped early) is scored, with a note.
	if span := rec.Samples[len(rec.Samples)-1].TimeS - rec.Samples[0].TimeS; span < 50 {
		o.note(ProblemTooShort, fmt.Sprintf("the recording lasts %.0f s; the test asks for 60 s of walking and turning", span))
	}
	if len(turns) < 2 {
		o.note(ProblemOneTurn, "only one U-turn was found; the result rests on a single turn")
	}
	o.Detail = d
	return nil
}
