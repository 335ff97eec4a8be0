package insights

// Threshold is one direction of a minimal clinically important
// difference.
type Threshold struct {
	// Amount is the size of the change: in the metric's unit, or a
	// fraction of the baseline when Relative (0.20 = 20 %).
	Amount   float64 `json:"amount"`
	Relative bool    `json:"relative"`
	// Scaled is true when the published value is for another protocol and
	// was scaled to legwork's (e.g. 6-minute walk to 2 minutes); Note says
	// how. Such thresholds are shown with care and labelled as scaled.
	Scaled bool   `json:"scaled,omitempty"`
	Source string `json:"source"`
	Note   string `json:"note,omitempty"`
}

// Absolute returns the threshold in the metric's unit for a baseline
// value.
func (t Threshold) Absolute(baseline float64) float64 {
	if t.Relative {
		a := t.Amount * baseline
		if a < 0 {
			a = -a
		}
		return a
	}
	return t.Amount
}

// MCID is a published minimal clinically important difference, which may
// differ between worsening and improvement. A nil direction means none is
// published for people with MS; legwork does not invent one.
type MCID struct {
	Worsening   *Threshold `json:"worsening,omitempty"`
	Improvement *Threshold `json:"improvement,omitempty"`
}

// MetricInfo describes a metric for interpretation.
type MetricInfo struct {
	Name  string `json:"name"`
	Label string `json:"label"` // plain words, e.g. "walking speed"
	Unit  string `json:"unit"`
	// HigherIsBetter gives the direction of improvement; ignored when
	// Neutral.
	HigherIsBetter bool `json:"higher_is_better"`
	// Neutral is true when neither direction is better (e.g. gait
	// symmetry, best near 1) or the direction is unknown: changes are then
	// reported as higher or lower, never better or worse, and no alert is
	// raised.
	Neutral bool `json:"neutral,omitempty"`
	// More and Less are the words for a higher and a lower value, e.g.
	// "faster" and "slower" for a speed, "longer" and "shorter" for a
	// time.
	More string `json:"more"`
	Less string `json:"less"`
	// Decimals is the number of decimals used in messages.
	Decimals int `json:"decimals"`
	// MCID is nil when no MCID is published for people with MS.
	MCID *MCID `json:"mcid,omitempty"`
	// Note explains the MCID, or its absence.
	Note string `json:"note,omitempty"`
}

// Sources of the published thresholds.
const (
	// srcT25FW is the source of the 20 % worsening threshold: the change
	// beyond the T25FW's measurement error (Kaufman 2000), the criterion of
	// confirmed walking worsening since. Hobart 2013 showed that a 20 %
	// faster walk matters to people, so it is the improvement's source.
	srcT25FW       = "Kaufman, Moyer & Norton, Mult Scler 6:286–290, 2000"
	srcT25FWBetter = "Hobart et al., Neurology 80:1509–1517, 2013"
	src6MWT        = "Oosterveer et al., Mult Scler Relat Disord 57:103438, 2022"
	src2MWT        = "Baert et al., Neurorehabil Neural Repair 28:621–631, 2014"
)

// t25fwImprove is the T25FW time reduction that is a 20 % speed increase:
// t' = t/1.2, i.e. 1 − 1/1.2 = 16.7 % shorter.
const t25fwImprove = 1 - 1/1.2

// Metrics is legwork's metric table. Use [LookupMetric], which also
// handles metrics whose meaning depends on the test type (distance in the
// 2-minute walk) and metrics not in the table.
var Metrics = addPlainMetrics(map[string]MetricInfo{
	"t25fw_time_s": {
		Name: "t25fw_time_s", Label: "Timed 25-Foot Walk time", Unit: "s",
		HigherIsBetter: false, More: "longer", Less: "shorter", Decimals: 1,
		MCID: &MCID{
			Worsening: &Threshold{Amount: 0.20, Relative: true, Source: srcT25FW,
				Note: "a 20 % longer time is the conventional threshold for real, meaningful T25FW worsening"},
			Improvement: &Threshold{Amount: t25fwImprove, Relative: true, Source: srcT25FWBetter,
				Note: "a 20 % faster speed (Hobart 2013), i.e. a 16.7 % shorter time"},
		},
	},
	"t25fw_speed_mps": {
		Name: "t25fw_speed_mps", Label: "Timed 25-Foot Walk speed", Unit: "m/s",
		HigherIsBetter: true, More: "faster", Less: "slower", Decimals: 2,
		MCID: &MCID{
			Worsening: &Threshold{Amount: t25fwImprove, Relative: true, Source: srcT25FW,
				Note: "a 20 % longer T25FW time, i.e. a 16.7 % slower speed"},
			Improvement: &Threshold{Amount: 0.20, Relative: true, Source: srcT25FWBetter,
				Note: "a 20 % faster T25FW speed"},
		},
	},
	"walking_speed_mps": {
		Name: "walking_speed_mps", Label: "walking speed", Unit: "m/s",
		HigherIsBetter: true, More: "faster", Less: "slower", Decimals: 2,
		Note: "No MCID for sensor-measured walking speed is published for people with MS; the 20 % T25FW threshold applies to the timed test only (see t25fw_speed_mps).",
	},
	"walk2min_distance_m": walk2minDistance,
	"steps": {
		Name: "steps", Label: "number of steps", Unit: "steps",
		HigherIsBetter: true, More: "more", Less: "fewer", Decimals: 0,
		Note: "No MCID is published for step counts in MS.",
	},
	"walk2min_steps": {
		Name: "walk2min_steps", Label: "steps in the 2-minute walk", Unit: "steps",
		HigherIsBetter: true, More: "more", Less: "fewer", Decimals: 0,
		Note: "No MCID is published for step counts in MS.",
	},
	"cadence_spm": {
		Name: "cadence_spm", Label: "cadence", Unit: "steps/min",
		HigherIsBetter: true, More: "higher", Less: "lower", Decimals: 0,
		Note: "No MCID is published for cadence in MS. Higher is taken as better because slower walking in MS usually comes with a lower cadence.",
	},
	"stride_length_m": {
		Name: "stride_length_m", Label: "stride length", Unit: "m",
		HigherIsBetter: true, More: "longer", Less: "shorter", Decimals: 2,
		Note: "No MCID is published for stride length in MS.",
	},
	"step_time_s": {
		Name: "step_time_s", Label: "step time", Unit: "s",
		HigherIsBetter: false, More: "longer", Less: "shorter", Decimals: 3,
		Note: "No MCID is published for step time in MS.",
	},
	"stride_time_s": {
		Name: "stride_time_s", Label: "stride time", Unit: "s",
		HigherIsBetter: false, More: "longer", Less: "shorter", Decimals: 3,
		Note: "No MCID is published for stride time in MS.",
	},
	"step_time_cv_pct": {
		Name: "step_time_cv_pct", Label: "step-time variability", Unit: "%",
		HigherIsBetter: false, More: "higher", Less: "lower", Decimals: 1,
		Note: "No MCID is published for step-time variability in MS; lower variability is steadier walking.",
	},
	"stride_time_cv_pct": {
		Name: "stride_time_cv_pct", Label: "stride-time variability", Unit: "%",
		HigherIsBetter: false, More: "higher", Less: "lower", Decimals: 1,
		Note: "No MCID is published for stride-time variability in MS; lower variability is steadier walking.",
	},
	"step_regularity": {
		Name: "step_regularity", Label: "step regularity", Unit: "",
		HigherIsBetter: true, More: "higher", Less: "lower", Decimals: 2,
		Note: "No MCID is published for step regularity in MS.",
	},
	"stride_regularity": {
		Name: "stride_regularity", Label: "stride regularity", Unit: "",
		HigherIsBetter: true, More: "higher", Less: "lower", Decimals: 2,
		Note: "No MCID is published for stride regularity in MS.",
	},
	"symmetry": {
		Name: "symmetry", Label: "step symmetry", Unit: "",
		Neutral: true, More: "higher", Less: "lower", Decimals: 2,
		Note: "Symmetry is best near 1, so neither direction is better in general. No MCID is published.",
	},
	"walking_time_s": {
		Name: "walking_time_s", Label: "walking time", Unit: "s",
		Neutral: true, More: "longer", Less: "shorter", Decimals: 0,
		Note: "Walking time depends on the test; it is shown but not judged.",
	},
	"sway_rms_ms2": {
		Name: "sway_rms_ms2", Label: "sway while standing", Unit: "m/s²",
		HigherIsBetter: false, More: "more", Less: "less", Decimals: 3,
		Note: "No MCID is published for accelerometer sway in MS; less sway is steadier standing.",
	},
	"sts5_time_s": {
		Name: "sts5_time_s", Label: "five-times sit-to-stand time", Unit: "s",
		HigherIsBetter: false, More: "longer", Less: "shorter", Decimals: 1,
		Note: "No MCID for worsening of the five-times sit-to-stand is published for people with MS. Improvement thresholds after rehabilitation (Baert et al., Neurology 91:e1880, 2018) depend on the disability level and are not used here.",
	},
	"turn_speed_rps": {
		Name: "turn_speed_rps", Label: "mean turning speed", Unit: "rad/s",
		HigherIsBetter: true, More: "faster", Less: "slower", Decimals: 2,
		Note: "No MCID is published for turning speed in MS.",
	},
})

// addPlainMetrics adds the metrics of the guided tests that have no
// published MCID for people with MS (see docs/METRICS.md for their
// definitions) to the table m and returns it.
func addPlainMetrics(m map[string]MetricInfo) map[string]MetricInfo {
	const none = "No MCID is published for this measure in MS."
	add := func(name, label, unit string, dir int, more, less string, dec int, note string) {
		m[name] = MetricInfo{Name: name, Label: label, Unit: unit, HigherIsBetter: dir > 0, Neutral: dir == 0, More: more, Less: less, Decimals: dec, Note: note}
	}
	add("sway_ap_rms_ms2", "front-to-back sway", "m/s²", -1, "more", "less", 3, none+" Less sway is steadier standing.")
	add("sway_ml_rms_ms2", "side-to-side sway", "m/s²", -1, "more", "less", 3, none+" Less sway is steadier standing.")
	add("sway_path_ms2", "sway path", "m/s²", -1, "longer", "shorter", 2, none+" A shorter path is steadier standing.")
	add("sway_jerk_ms3", "sway jerk", "m/s³", -1, "more", "less", 2, none+" Less jerk is smoother standing.")
	add("sway_ellipse_m2s4", "sway area", "m²/s⁴", -1, "larger", "smaller", 4, none+" A smaller area is steadier standing.")
	add("sway_ec_rms_ms2", "sway with eyes closed", "m/s²", -1, "more", "less", 3, none+" Less sway is steadier standing.")
	add("sway_ec_ellipse_m2s4", "sway area with eyes closed", "m²/s⁴", -1, "larger", "smaller", 4, none+" A smaller area is steadier standing.")
	add("sway_ec_ap_rms_ms2", "front-to-back sway with eyes closed", "m/s²", -1, "more", "less", 3, none+" Less sway is steadier standing.")
	add("sway_ec_ml_rms_ms2", "side-to-side sway with eyes closed", "m/s²", -1, "more", "less", 3, none+" Less sway is steadier standing.")
	add("sway_ec_path_ms2", "sway path with eyes closed", "m/s²", -1, "longer", "shorter", 2, none+" A shorter path is steadier standing.")
	add("sway_ec_jerk_ms3", "sway jerk with eyes closed", "m/s³", -1, "more", "less", 2, none+" Less jerk is smoother standing.")
	add("sway_ec_freq_hz", "sway frequency with eyes closed", "Hz", 0, "higher", "lower", 2, "Sway frequency has no better direction in general. "+none)
	add("distance_m", "distance walked (estimate)", "m", 0, "longer", "shorter", 0, "How far a free walk went depends on how far the person chose to walk, so it is shown but not judged.")
	add("sway_freq_hz", "sway frequency", "Hz", 0, "higher", "lower", 2, "Sway frequency has no better direction in general. "+none)
	add("romberg_ratio", "Romberg ratio (eyes closed / eyes open)", "", 0, "higher", "lower", 2, "A higher ratio means more reliance on vision, but it also rises when eyes-open sway improves, so it is not judged. "+none)
	add("balance_ec_failed", "eyes-closed balance not completed", "", 0, "more", "fewer", 0, "A flag, not a measure; it is shown but not judged.")
	add("sts_rep_time_s", "sit-to-stand repetition time", "s", -1, "longer", "shorter", 2, none)
	add("sts_slowing_pct", "slowing over the sit-to-stand", "%", -1, "more", "less", 1, none+" Less slowing means less fatigability.")
	add("sts_power_wkg", "sit-to-stand power", "W/kg", 1, "higher", "lower", 2, none)
	add("sts_repetitions", "sit-to-stand repetitions found", "", 0, "more", "fewer", 0, "A count of what was found, shown but not judged.")
	add("cadence_decline_pct", "cadence decline over the 2-minute walk", "%", -1, "more", "less", 1, none+" Less decline means less walking fatigability.")
	add("turn_duration_s", "U-turn duration", "s", -1, "longer", "shorter", 2, none)
	add("turn_speed_median_rps", "median turning speed", "rad/s", 1, "faster", "slower", 2, none)
	add("steps_per_turn", "steps per turn", "steps", -1, "more", "fewer", 1, none+" Fewer steps usually means a more fluent turn.")
	add("turns", "number of turns", "", 0, "more", "fewer", 0, "A count, shown but not judged.")
	add("t25fw_trial1_time_s", "Timed 25-Foot Walk, first trial", "s", -1, "longer", "shorter", 1, "The 20 % T25FW threshold applies to the mean of both trials (t25fw_time_s), not to one trial.")
	add("t25fw_trial2_time_s", "Timed 25-Foot Walk, second trial", "s", -1, "longer", "shorter", 1, "The 20 % T25FW threshold applies to the mean of both trials (t25fw_time_s), not to one trial.")
	add("t25fw_trial_difference_pct", "difference between the two T25FW trials", "%", 0, "larger", "smaller", 1, "A check of consistency, shown but not judged.")
	return m
}

// walk2minDistance is the 2-minute walk distance. The worsening threshold
// is the 6-minute walk's, scaled by 2/6 on the assumption of an even pace
// (people with MS usually slow down over six minutes, so this is a rough
// guide); the improvement threshold was measured on the 2-minute walk
// itself.
var walk2minDistance = MetricInfo{
	Name: "walk2min_distance_m", Label: "2-minute walk distance", Unit: "m",
	HigherIsBetter: true, More: "longer", Less: "shorter", Decimals: 0,
	MCID: &MCID{
		Worsening: &Threshold{Amount: 7.2 * 2 / 6, Scaled: true, Source: src6MWT,
			Note: "scaled from the 6-minute walk: 7.2 m worsening in 6 minutes (95 % CI −3.3 to 18.2 m) × 2/6 = 2.4 m, assuming an even pace; a guide only, not a validated 2-minute threshold"},
		Improvement: &Threshold{Amount: 9.6, Source: src2MWT,
			Note: "measured on the 2-minute walk after rehabilitation: 9.6 m from the patients' perspective (6.8 m from the therapists')"},
	},
	Note: "The published thresholds come from clinic tests on a straight course; a home course with turns may differ.",
}

// LookupMetric returns the description of a metric measured in a test.
// "distance_m" in the 2-minute walk is the 2-minute walk distance and
// "steps" in it the steps in the 2-minute walk; metrics not in [Metrics]
// get a neutral description (no direction, no MCID) named after the
// metric.
func LookupMetric(name, testType string) MetricInfo {
	if testType == "walk2min" {
		switch name {
		case "distance_m":
			m := walk2minDistance.clone()
			m.Name = name
			return m
		case "steps":
			m := Metrics["walk2min_steps"].clone()
			m.Name = name
			return m
		}
	}
	if m, ok := Metrics[name]; ok {
		return m.clone()
	}
	return MetricInfo{Name: name, Label: name, Neutral: true, More: "higher", Less: "lower", Decimals: 2,
		Note: "legwork does not know this metric's direction or any published MCID."}
}

// clone returns a copy that shares no pointers with the table, so that a
// caller changing a report cannot change the table.
func (m MetricInfo) clone() MetricInfo {
	if m.MCID != nil {
		c := *m.MCID
		if c.Worsening != nil {
			w := *c.Worsening
			c.Worsening = &w
		}
		if c.Improvement != nil {
			i := *c.Improvement
			c.Improvement = &i
		}
		m.MCID = &c
	}
	return m
}

// worseSign is +1 when a higher value is worse, −1 when a lower value is
// worse, and 0 for neutral metrics.
func (m MetricInfo) worseSign() float64 {
	switch {
	case m.Neutral:
		return 0
	case m.HigherIsBetter:
		return -1
	}
	return 1
}

// direction names the direction of a change delta = new − old.
func (m MetricInfo) direction(delta float64) string {
	switch {
	case delta == 0:
		return DirNone
	case m.Neutral && delta > 0:
		return DirHigher
	case m.Neutral:
		return DirLower
	case (delta > 0) == m.HigherIsBetter:
		return DirBetter
	}
	return DirWorse
}

// Directions of a change.
const (
	DirBetter = "better"
	DirWorse  = "worse"
	DirHigher = "higher" // neutral metrics
	DirLower  = "lower"  // neutral metrics
	DirNone   = "none"
)

// mcidFor returns the MCID threshold for a change in direction dir
// (DirBetter or DirWorse), in the metric's unit for the given reference
// value, or nil.
func (m MetricInfo) mcidFor(dir string, ref float64) (*Threshold, *float64) {
	if m.MCID == nil || m.Neutral {
		return nil, nil
	}
	var t *Threshold
	switch dir {
	case DirBetter:
		t = m.MCID.Improvement
	case DirWorse:
		t = m.MCID.Worsening
	}
	if t == nil {
		return nil, nil
	}
	return t, fptr(t.Absolute(ref))
}
