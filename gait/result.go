package gait

// AlgorithmVersion identifies the analysis method. It is stored with every
// result so that results computed by different versions are never mixed
// silently; bump it whenever a change can alter any output.
const AlgorithmVersion = "legwork-gait/1"

// Result is the analysis of one recording.
type Result struct {
	AlgorithmVersion string        `json:"algorithm_version"`
	Placement        Placement     `json:"placement"`
	DurationS        float64       `json:"duration_s"`
	Sampling         SamplingStats `json:"sampling"`
	HasGyro          bool          `json:"has_gyro"`
	Quality          []Flag        `json:"quality"`

	// Walking aggregates every bout: the numbers a person sees.
	Walking Summary `json:"walking"`
	Bouts   []Bout  `json:"bouts"`
	Turns   []Turn  `json:"turns"`
	// InitialContactsS lists every initial contact inside a walking bout.
	InitialContactsS []float64 `json:"initial_contacts_s"`

	// TimedWalk is the main timed walk (the one with the most steps) when
	// Options.DistanceM was given; TimedWalks lists every walk bracketed by
	// standing still, in time order (a test with two trials has two).
	TimedWalk  *TimedWalk  `json:"timed_walk,omitempty"`
	TimedWalks []TimedWalk `json:"timed_walks,omitempty"`
}

// Summary holds gait parameters over a stretch of walking.
type Summary struct {
	Steps           int     `json:"steps"`
	WalkingTimeS    float64 `json:"walking_time_s"`
	CadenceSPM      Value   `json:"cadence_spm"`
	StepTimeS       Value   `json:"step_time_s"`
	StepTimeCVPct   Value   `json:"step_time_cv_pct"`
	StrideTimeS     Value   `json:"stride_time_s"`
	StrideTimeCVPct Value   `json:"stride_time_cv_pct"`
	// StepRegularity and StrideRegularity are the unbiased autocorrelation
	// of the vertical acceleration at one step and one stride lag; Symmetry
	// is their ratio (1 = symmetric), after Moe-Nilssen & Helbostad (2004).
	// Trunk placements only (Pipeline.Regularity); NA for phones elsewhere.
	StepRegularity   Value `json:"step_regularity"`
	StrideRegularity Value `json:"stride_regularity"`
	Symmetry         Value `json:"symmetry"`
	// StrideLengthM, WalkingSpeedMPS and DistanceM need a trunk placement
	// and the person's height (or sensor height); otherwise not available.
	StrideLengthM   Value `json:"stride_length_m"`
	WalkingSpeedMPS Value `json:"walking_speed_mps"`
	DistanceM       Value `json:"distance_m"`
}

// Bout is one walking bout: consecutive steps without a break.
type Bout struct {
	StartS float64 `json:"start_s"` // first initial contact
	EndS   float64 `json:"end_s"`   // last initial contact
	Summary
	// MotionOnsetS and MotionOffsetS bracket the bout by trunk motion:
	// when the person started to move before the first contact, and when
	// motion settled after the last. They are what a stopwatch would time.
	MotionOnsetS  Value `json:"motion_onset_s"`
	MotionOffsetS Value `json:"motion_offset_s"`
	// TiltSDDeg is the standard deviation of the sensor's tilt during the
	// bout: a few degrees for a sensor worn at the trunk, tens of degrees
	// for a phone shifting in a pocket or a bag.
	TiltSDDeg Value `json:"tilt_sd_deg"`
	// UpSensor is the mean "up" direction during the bout in the sensor's
	// own axes (unit vector): how the sensor was worn.
	UpSensor Vec3 `json:"up_sensor"`
	// ForwardSensor is the walking direction in the sensor's own axes
	// (unit vector, see ForwardAxis), and ForwardShare the share of the
	// step-band horizontal variance along it: above about 0.7 the
	// direction is clear; near 0.5 (turning, stepping in place) it is not.
	ForwardSensor Vec3  `json:"forward_sensor"`
	ForwardShare  Value `json:"forward_share"`
}

// Turn is a rotation about the vertical axis.
type Turn struct {
	StartS       float64 `json:"start_s"`
	EndS         float64 `json:"end_s"`
	AngleDeg     float64 `json:"angle_deg"` // signed: positive is counter-clockwise seen from above
	PeakSpeedDPS float64 `json:"peak_speed_dps"`
	DurationS    float64 `json:"duration_s"`
}

// TimedWalk is the stopwatch result of a walk over a known distance.
type TimedWalk struct {
	DistanceM float64 `json:"distance_m"`
	OnsetS    float64 `json:"onset_s"`
	OffsetS   float64 `json:"offset_s"`
	TimeS     float64 `json:"time_s"`
	SpeedMPS  float64 `json:"speed_mps"`
	Steps     int     `json:"steps"`
	// CadenceSPM is the cadence over the timed walk.
	CadenceSPM Value `json:"cadence_spm"`
	// Edge is set when the walk was not bracketed by standing still on
	// both sides, so its start or end is uncertain.
	Edge bool `json:"edge,omitempty"`
}

// Flag is a data-quality finding. Code is stable for programs; Message is
// for people.
type Flag struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Quality flag codes.
const (
	FlagTooShort         = "too_short"
	FlagNoWalking        = "no_walking"
	FlagGaps             = "sampling_gaps"
	FlagIrregular        = "irregular_sampling"
	FlagLowRate          = "low_sampling_rate"
	FlagClipped          = "clipped_signal"
	FlagUnknownPlacement = "unknown_placement"
	FlagNoHeight         = "no_height"
	FlagDroppedSamples   = "dropped_samples"
	FlagNoGyro           = "no_gyroscope"
	FlagTimedWalk        = "timed_walk_unreliable"
)

// HasFlag reports whether r carries a flag with the given code.
func (r *Result) HasFlag(code string) bool {
	for _, f := range r.Quality {
		if f.Code == code {
			return true
		}
	}
	return false
}
