package gait

// Pipeline is the chain of analysis blocks, after the block structure of the
// Mobilise-D pipeline (mobgap): resampling → body frame → initial contacts →
// walking bouts → per-bout cadence, variability, regularity, stride length
// and speed → turns. Each block is a struct whose fields are its parameters,
// so a block can be swapped or re-parameterised without touching the others.
// Use a preset (LowerBackPipeline, PhonePipeline) or PipelineFor.
type Pipeline struct {
	Name string
	// SampleRateHz is the analysis rate every recording is resampled to.
	SampleRateHz float64
	// MaxGapS: sampling intervals longer than this split the recording;
	// nothing is interpolated across them.
	MaxGapS float64
	// MinDurationS: shorter recordings are flagged too short.
	MinDurationS float64
	// MinRateHz: recordings sampled more slowly are flagged, because step
	// timing needs at least this rate.
	MinRateHz float64

	Body  BodyFrame
	Steps StepDetector
	// ClosingStep adds the weak closing step at the end of each bout when
	// the step detector can list weak candidates (WeakStepDetector).
	ClosingStep bool
	// FirstStepMinRatio, when positive, drops a bout's first contact when
	// the interval to the next one is shorter than this fraction of the
	// bout's following step times (see dropInitiationShift).
	FirstStepMinRatio float64
	// FillGaps fills long step intervals inside a bout with the weak
	// candidates the rhythm predicts (see gapSteps); it needs a
	// WeakStepDetector and ClosingStep.
	FillGaps bool
	Bouts    BoutDetector
	// Regularity computes step and stride regularity and symmetry from
	// the vertical acceleration's autocorrelation. They are trunk measures
	// (Moe-Nilssen & Helbostad 2004): a phone in a pocket or a hand moves
	// with one leg or arm, whose rhythm is the stride, so its "symmetry"
	// says nothing about the legs; off the trunk they are not available.
	Regularity bool
	Motion     MotionBounds
	// StrideLength is nil for placements where the inverted-pendulum model
	// does not hold; stride length and speed are then not available.
	StrideLength StrideLengthEstimator
	Turns        TurnDetector

	// BlockS and MarginS bound memory on long recordings: the signal is
	// analysed in blocks of BlockS seconds, overlapping by MarginS, and a
	// walking bout still under way at the end of a block is carried over.
	BlockS  float64
	MarginS float64
}

// LowerBackPipeline is the preset for a sensor at the lower back (belt or
// waistband at L4–L5), the placement legwork's guided tests ask for.
func LowerBackPipeline() Pipeline {
	return Pipeline{
		Name:         "lower_back",
		SampleRateHz: 50,
		MaxGapS:      1.0,
		MinDurationS: 5,
		MinRateHz:    15,
		Body:         BodyFrame{GravityCutoffHz: 0.5},
		Steps: TrunkVelocityIC{
			Signal:             Vertical,
			StepBandHz:         3,
			ImpactBandHz:       15,
			MinStepS:           0.3,
			RelThreshold:       0.3,
			MinVelocityMPS:     0.015,
			WeakMinVelocityMPS: 0.005,
			MinImpactRatio:     0.2,
		},
		ClosingStep:       true,
		FirstStepMinRatio: 0.9,
		FillGaps:          true,
		Bouts:             StepGrouping{MaxBreakS: 3, MinSteps: 4},
		Regularity:        true,
		Motion:            MotionBounds{WindowS: 0.25, Fraction: 0.1, OnsetFraction: 0.15, OffsetFraction: 0.2, SearchS: 3, MaxRestRatio: 0.5, MinStillS: 1.0},
		StrideLength:      Zijlstra{HighPassHz: 0.1, StepFraction: 0.5, K: 1.25},
		Turns: ElGohary{
			CutoffHz: 1.5, PeakDPS: 15, EdgeDPS: 5, MergeGapS: 0.05,
			MinDurationS: 0.5, MaxDurationS: 10, MinAngleDeg: 45,
		},
		BlockS:  600,
		MarginS: 20,
	}
}

// PhonePipeline is the preset for a phone carried anywhere (hand, pocket,
// armband, bag…): steps are found on the acceleration magnitude, which does
// not depend on how the phone is oriented, and stride length is not
// estimated.
func PhonePipeline() Pipeline {
	p := LowerBackPipeline()
	p.Name = "phone"
	st := p.Steps.(TrunkVelocityIC)
	st.Signal = Magnitude
	p.Steps = st
	p.StrideLength = nil
	p.Regularity = false
	// Filling gaps helps at the trunk, where steps while turning are
	// small; on the Oxford phones it added more wrong steps than it found.
	p.FillGaps = false
	return p
}

// PipelineFor returns the preset for a placement: the lower-back pipeline
// for trunk placements, the phone pipeline otherwise (including Unknown).
func PipelineFor(p Placement) Pipeline {
	if p.Trunk() {
		return LowerBackPipeline()
	}
	return PhonePipeline()
}
