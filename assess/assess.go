// Package assess scores legwork's guided tests from a motion recording: the
// Timed 25-Foot Walk, the 2-Minute Walk, the U-turn test, static balance
// (Romberg) and the five-times sit-to-stand, plus free walking. Each test
// first checks that its recording fits the protocol and, when it does not,
// says why in words the person can act on instead of returning a silent
// wrong number. Results are named metrics with their units in the name
// (t25fw_time_s, sway_rms_ms2…), the numbers clinicians know.
//
// Like gait, it does no I/O and imports only the standard library, gonum and
// legwork's analysis packages. Formulas and sources are in the doc comments
// and in docs/METRICS.md.
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

// Tests lists the protocols.
var Tests = []Test{T25FW, Walk2Min, UTurn, Balance, STS5, Walk}

// T25FWDistanceM is 25 feet in metres.
const T25FWDistanceM = 7.62

// Options describe the person and the recording.
type Options struct {
	Placement gait.Placement
	Subject   gait.Subject
	// DistanceM overrides a walk test's distance (T25FW: 7.62 m).
	DistanceM float64
	// PhoneFrame says the axes follow the W3C/Android phone convention
	// (x right, y up the screen, z out of the screen): recordings from the
	// web app and phone apps. It enables the checks that need to know
	// where the screen faces.
	PhoneFrame bool
	// Segments are the app's markers, in seconds on the recording's clock:
	// "trial1", "trial2" for the T25FW; "eyes_open", "eyes_closed" for
	// balance. Without them the tests find their parts themselves.
	Segments []Segment
}

// Segment is a named part of a recording.
type Segment struct {
	Name   string  `json:"name"`
	StartS float64 `json:"start_s"`
	EndS   float64 `json:"end_s"`
}

// Outcome is a scored test.
type Outcome struct {
	Test             Test   `json:"test"`
	AlgorithmVersion string `json:"algorithm_version"`
	// Valid is false when the recording does not fit the protocol; then
	// Problems says why, and Metrics is empty: what could still be
	// measured is in Gait and Detail, for the person to see, but a test
	// that was not done as the protocol asks gives no results to follow
	// over time (docs/SERVER.md, docs/METRICS.md).
	Valid    bool      `json:"valid"`
	Problems []Problem `json:"problems,omitempty"`
	// Metrics are the named scalar results, empty when Valid is false.
	Metrics map[string]float64 `json:"metrics"`
	// Gait is the gait analysis (walking tests and the U-turn test).
	Gait *gait.Result `json:"gait,omitempty"`
	// Detail holds test-specific results (trials, turns, conditions,
	// repetitions): one of *T25FWDetail, *Walk2MinDetail, *UTurnDetail,
	// *BalanceDetail, *STSDetail.
	Detail any `json:"detail,omitempty"`
	// Quality repeats the data-quality flags of the recording.
	Quality []gait.Flag `json:"quality"`
}

// Problem is a reason a recording could not be scored as the protocol asks.
type Problem struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Problem codes.
const (
	ProblemNoWalking     = "no_walking"
	ProblemPlacement     = "placement"
	ProblemTooShort      = "too_short"
	ProblemInterrupted   = "interrupted"
	ProblemNoGyro        = "no_gyroscope"
	ProblemNoTurns       = "no_turns"
	ProblemOneTurn       = "one_turn" // a note: the U-turn result rests on one turn
	ProblemFewReps       = "too_few_repetitions"
	ProblemOneTrial      = "one_trial"
	ProblemNotStill      = "not_still"
	ProblemSegments      = "segments"
	ProblemImplausible   = "implausible"
	ProblemFailedTrial   = "failed_trial"
	ProblemNoSitToStand  = "no_sit_to_stand"
	ProblemNoRecording   = "no_recording"
	ProblemLowSampleRate = "low_sample_rate"
	ProblemTurned        = "turned_during_walk"
	ProblemWrongDistance = "wrong_distance"
)

// Version is the version of the test scoring; every Outcome carries it
// combined with the gait algorithm version. 2: a test that is not valid
// gives no metrics; the T25FW refuses trials with a turn or a walked
// distance far from the course; the sit-to-stand refuses times beyond the
// published ones.
const Version = "legwork-assess/2"

// ParseTest maps a name to a Test.
func ParseTest(s string) (Test, error) {
	for _, t := range Tests {
		if string(t) == s {
			return t, nil
		}
	}
	return "", fmt.Errorf("unknown test %q (want one of t25fw, walk2min, uturn, balance, sts5, walk)", s)
}

// Run scores a recording as the given test.
func Run(test Test, src gait.Source, opt Options) (*Outcome, error) {
	rec, err := gait.ReadAll(src)
	if err != nil {
		return nil, err
	}
	return RunRecording(test, rec, opt)
}

// RunRecording is Run for a recording held in memory. An Outcome that is
// not valid has no metrics.
func RunRecording(test Test, rec *gait.Recording, opt Options) (*Outcome, error) {
	o := &Outcome{Test: test, AlgorithmVersion: Version + "+" + gait.AlgorithmVersion, Valid: true, Metrics: map[string]float64{}, Quality: []gait.Flag{}}
	if len(rec.Samples) < 2 {
		o.problem(ProblemNoRecording, "the recording is empty: start the test again and keep the app open until it finishes")
		return o, nil
	}
	var err error
	switch test {
	case T25FW:
		err = runT25FW(o, rec, opt)
	case Walk2Min, Walk:
		err = runWalk(o, test, rec, opt)
	case UTurn:
		err = runUTurn(o, rec, opt)
	case Balance:
		err = runBalance(o, rec, opt)
	case STS5:
		err = runSTS5(o, rec, opt)
	default:
		return nil, fmt.Errorf("assess: unknown test %q", test)
	}
	if !o.Valid {
		// The tests add what they measured before every check has run;
		// none of it is a result of the test when one failed.
		clear(o.Metrics)
	}
	return o, err
}

// problem records a reason the recording does not fit the protocol.
func (o *Outcome) problem(code, msg string) {
	o.Valid = false
	o.Problems = append(o.Problems, Problem{Code: code, Message: msg})
}

// note records a caveat that does not invalidate the result.
func (o *Outcome) note(code, msg string) {
	o.Problems = append(o.Problems, Problem{Code: code, Message: msg})
}

func (o *Outcome) put(name string, v gait.Value) {
	if v.Valid() {
		o.Metrics[name] = float64(v)
	}
}
