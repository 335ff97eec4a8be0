// Package assess runs legwork's guided tests on a recording: the Timed
// 25-Foot Walk, the 2-Minute Walk, the U-turn test, static balance and the
// five-times sit-to-stand, plus free walking. Each test checks that its
// recording fits the protocol before scoring it, and reports the numbers
// clinicians know as named metrics.
//
// Like gait, it does no I/O and imports only the standard library, gonum and
// legwork's analysis packages.
package assess

import (
	"fmt"

	"legwork/gait"
)

// Test names a protocol.
type Test string

// The protocols.
const (
	T25FW    Test = "t25fw"
	Walk2Min Test = "walk2min"
	UTurn    Test = "uturn"
	Balance  Test = "balance"
	STS5     Test = "sts5"
	Walk     Test = "walk"
)

// T25FWDistanceM is 25 feet in metres.
const T25FWDistanceM = 7.62

// Options describe the person and the recording.
type Options struct {
	Placement gait.Placement
	Subject   gait.Subject
	// DistanceM overrides a walk test's distance (T25FW: 7.62 m).
	DistanceM float64
}

// Outcome is a scored test.
type Outcome struct {
	Test             Test   `json:"test"`
	AlgorithmVersion string `json:"algorithm_version"`
	// Valid is false when the recording does not fit the protocol; then
	// Problems says why in words the person can act on, and Metrics holds
	// only what could still be measured safely (possibly nothing).
	Valid    bool      `json:"valid"`
	Problems []Problem `json:"problems,omitempty"`
	// Metrics are the named scalar results, with units in their names
	// (e.g. "t25fw_time_s", "cadence_spm").
	Metrics map[string]float64 `json:"metrics"`
	// Gait is the gait analysis of walking tests.
	Gait *gait.Result `json:"gait,omitempty"`
	// Detail holds test-specific results (per-trial, per-repetition…).
	Detail any `json:"detail,omitempty"`
	// Quality repeats the data-quality flags for convenience.
	Quality []gait.Flag `json:"quality"`
}

// Problem is a reason a recording could not be scored as the protocol asks.
type Problem struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Version is the version of the test scoring, combined with the gait
// algorithm version in every Outcome.
const Version = "legwork-assess/1"

// Run scores a recording as the given test.
func Run(test Test, src gait.Source, opt Options) (*Outcome, error) {
	switch test {
	case T25FW, Walk2Min, Walk:
		return runWalk(test, src, opt)
	}
	return nil, fmt.Errorf("assess: test %q is not supported yet", test)
}

func runWalk(test Test, src gait.Source, opt Options) (*Outcome, error) {
	gopt := gait.Options{Placement: opt.Placement, Subject: opt.Subject, DistanceM: opt.DistanceM}
	if test == T25FW && gopt.DistanceM == 0 {
		gopt.DistanceM = T25FWDistanceM
	}
	res, err := gait.Analyze(src, gopt)
	if err != nil {
		return nil, err
	}
	o := &Outcome{Test: test, AlgorithmVersion: Version + "+" + gait.AlgorithmVersion, Valid: true, Gait: res, Quality: res.Quality, Metrics: map[string]float64{}}
	if len(res.Bouts) == 0 {
		o.Valid = false
		o.Problems = append(o.Problems, Problem{Code: "no_walking", Message: "no walking was found in the recording; start the test, then walk at least a few steps"})
	}
	w := res.Walking
	put := func(name string, v gait.Value) {
		if v.Valid() {
			o.Metrics[name] = float64(v)
		}
	}
	if o.Valid {
		o.Metrics["steps"] = float64(w.Steps)
		o.Metrics["walking_time_s"] = w.WalkingTimeS
		put("cadence_spm", w.CadenceSPM)
		put("step_time_s", w.StepTimeS)
		put("step_time_cv_pct", w.StepTimeCVPct)
		put("stride_time_s", w.StrideTimeS)
		put("stride_time_cv_pct", w.StrideTimeCVPct)
		put("step_regularity", w.StepRegularity)
		put("stride_regularity", w.StrideRegularity)
		put("symmetry", w.Symmetry)
		put("stride_length_m", w.StrideLengthM)
		put("walking_speed_mps", w.WalkingSpeedMPS)
		put("distance_m", w.DistanceM)
		if tw := res.TimedWalk; tw != nil && test == T25FW {
			o.Metrics["t25fw_time_s"] = tw.TimeS
			o.Metrics["t25fw_speed_mps"] = tw.SpeedMPS
		}
	}
	return o, nil
}
