package fhir

import "strings"

// Code systems and naming systems. The legwork URIs are stable
// identifiers, not web pages: they name legwork's own codes, which are the
// metric names of legwork.Assessment.Metrics (docs/INTEROP.md lists them).
const (
	LOINC   = "http://loinc.org"
	UCUM    = "http://unitsofmeasure.org"
	ObsCat  = "http://terminology.hl7.org/CodeSystem/observation-category"
	Metrics = "https://legwork.example/fhir/CodeSystem/metrics"
	// Diary codes the diary items (leg_symptom_severity, fatigue_score,
	// fall_event, …) and their answers (sensations, triggers, fall kinds,
	// legs, times of day, assistive devices).
	Diary = "https://legwork.example/fhir/CodeSystem/diary"
	// PersonID identifies a person by legwork's numeric user id;
	// Pseudonym by the opaque pseudonym the caller supplies.
	PersonID  = "https://legwork.example/fhir/NamingSystem/person-id"
	Pseudonym = "https://legwork.example/fhir/NamingSystem/pseudonym"
)

// Mapping says how a legwork metric is coded.
type Mapping struct {
	Metric  string
	Display string
	// LOINC and LOINCDisplay are set where LOINC has a code for the
	// measurement (verified codes only; see the comments in Mappings).
	LOINC, LOINCDisplay string
	// UCUM is the unit's UCUM code; Unit is its human-readable form.
	UCUM, Unit string
}

// Mappings holds the metrics legwork writes, with their codes and units.
// Every observation carries the legwork code (system Metrics, code = the
// metric name); these LOINC codes are added where one exists:
//
//   - 55423-8 "Number of steps in unspecified time Pedometer": used in HL7
//     FHIR physical-activity profiles and Stanford Spezi's My Heart Counts
//     (LOINC.swift: pedometerNumStepsInUnspecifiedTime) for a step count
//     over a test or an interval;
//   - 41950-7 "Number of steps in 24 hour Measured": HL7 Physical Activity
//     IG 1.0.0, ValueSet pa-observation-code-time (daily steps, unit /d);
//   - 64098-7 "Six minute walk test": the walking distance in six minutes
//     (My Heart Counts: sixMinuteWalkTest; unit m).
//
// LOINC has no code for gait speed measured by an inertial sensor, the
// Timed 25-Foot Walk, cadence, stride measures, postural sway or the
// five-times sit-to-stand time that we could verify, so those carry the
// legwork code only.
var Mappings = map[string]Mapping{
	"walking_speed_mps":          {Display: "Walking speed", UCUM: "m/s", Unit: "m/s"},
	"cadence_spm":                {Display: "Cadence", UCUM: "/min", Unit: "steps/min"},
	"steps":                      {Display: "Number of steps", LOINC: "55423-8", LOINCDisplay: "Number of steps in unspecified time Pedometer", UCUM: "{steps}", Unit: "steps"},
	"walk2min_steps":             {Display: "Steps in the 2-Minute Walk", LOINC: "55423-8", LOINCDisplay: "Number of steps in unspecified time Pedometer", UCUM: "{steps}", Unit: "steps"},
	"steps_per_day":              {Display: "Steps per day", LOINC: "41950-7", LOINCDisplay: "Number of steps in 24 hour Measured", UCUM: "/d", Unit: "steps/day"},
	"walking_bouts":              {Display: "Walking bouts in the day", UCUM: "{bouts}", Unit: "bouts"},
	"walking_time_per_day_s":     {Display: "Walking time in the day", UCUM: "s", Unit: "s"},
	"recorded_s":                 {Display: "Time recorded in the day", UCUM: "s", Unit: "s"},
	"six_minute_walk_m":          {Display: "Six-minute walk distance", LOINC: "64098-7", LOINCDisplay: "Six minute walk test", UCUM: "m", Unit: "m"},
	"walking_time_s":             {Display: "Walking time", UCUM: "s", Unit: "s"},
	"t25fw_time_s":               {Display: "Timed 25-Foot Walk time", UCUM: "s", Unit: "s"},
	"t25fw_speed_mps":            {Display: "Timed 25-Foot Walk speed", UCUM: "m/s", Unit: "m/s"},
	"t25fw_trial_difference_pct": {Display: "Timed 25-Foot Walk difference between trials", UCUM: "%", Unit: "%"},
	"walk2min_distance_m":        {Display: "2-Minute Walk distance", UCUM: "m", Unit: "m"},
	"cadence_decline_pct":        {Display: "Cadence decline over the walk", UCUM: "%", Unit: "%"},
	"distance_m":                 {Display: "Walking distance", UCUM: "m", Unit: "m"},
	"stride_length_m":            {Display: "Stride length", UCUM: "m", Unit: "m"},
	"step_length_m":              {Display: "Step length", UCUM: "m", Unit: "m"},
	"step_time_s":                {Display: "Step time", UCUM: "s", Unit: "s"},
	"stride_time_s":              {Display: "Stride time", UCUM: "s", Unit: "s"},
	"step_time_cv_pct":           {Display: "Step time variability (CV)", UCUM: "%", Unit: "%"},
	"stride_time_cv_pct":         {Display: "Stride time variability (CV)", UCUM: "%", Unit: "%"},
	"step_regularity":            {Display: "Step regularity", UCUM: "1", Unit: "1"},
	"stride_regularity":          {Display: "Stride regularity", UCUM: "1", Unit: "1"},
	"symmetry":                   {Display: "Gait symmetry (step/stride regularity)", UCUM: "1", Unit: "1"},
	"double_support_pct":         {Display: "Double support time", UCUM: "%", Unit: "%"},
	"walking_asymmetry_pct":      {Display: "Walking asymmetry", UCUM: "%", Unit: "%"},
	"walking_steadiness_pct":     {Display: "Walking steadiness", UCUM: "%", Unit: "%"},
	"stair_ascent_speed_mps":     {Display: "Stair ascent speed", UCUM: "m/s", Unit: "m/s"},
	"stair_descent_speed_mps":    {Display: "Stair descent speed", UCUM: "m/s", Unit: "m/s"},
	"turns":                      {Display: "Number of turns", UCUM: "{turns}", Unit: "turns"},
	"turn_duration_s":            {Display: "Turn duration", UCUM: "s", Unit: "s"},
	"turn_speed_rps":             {Display: "Turn speed", UCUM: "rad/s", Unit: "rad/s"},
	"turn_speed_median_rps":      {Display: "Turn speed (median)", UCUM: "rad/s", Unit: "rad/s"},
	"steps_per_turn":             {Display: "Steps per turn", UCUM: "{steps}", Unit: "steps"},
	"sts5_time_s":                {Display: "Five-times sit-to-stand time", UCUM: "s", Unit: "s"},
	"sts_repetitions":            {Display: "Sit-to-stand repetitions", UCUM: "{repetitions}", Unit: "repetitions"},
	"sts_rep_time_s":             {Display: "Sit-to-stand repetition time", UCUM: "s", Unit: "s"},
	"sts_slowing_pct":            {Display: "Sit-to-stand slowing", UCUM: "%", Unit: "%"},
	"sts_power_wkg":              {Display: "Sit-to-stand power", UCUM: "W/kg", Unit: "W/kg"},
	"romberg_ratio":              {Display: "Romberg ratio (eyes closed / eyes open sway)", UCUM: "1", Unit: "1"},
	"balance_ec_failed":          {Display: "Eyes-closed stance not completed", UCUM: "1", Unit: "1"},
	// Apple Health's own measures, as a Health import stores them. None
	// carries a LOINC code: Apple's six-minute walk distance is an
	// estimate from everyday walking, not the test 64098-7 codes.
	"apple_walking_speed_mps":       {Display: "Walking speed (Apple Health)", UCUM: "m/s", Unit: "m/s"},
	"apple_step_length_m":           {Display: "Step length (Apple Health)", UCUM: "m", Unit: "m"},
	"apple_double_support_pct":      {Display: "Double support time (Apple Health)", UCUM: "%", Unit: "%"},
	"apple_asymmetry_pct":           {Display: "Walking asymmetry (Apple Health)", UCUM: "%", Unit: "%"},
	"apple_walking_steadiness_pct":  {Display: "Walking steadiness (Apple Health)", UCUM: "%", Unit: "%"},
	"apple_six_minute_walk_m":       {Display: "Six-minute walk distance estimate (Apple Health)", UCUM: "m", Unit: "m"},
	"apple_stair_ascent_speed_mps":  {Display: "Stair ascent speed (Apple Health)", UCUM: "m/s", Unit: "m/s"},
	"apple_stair_descent_speed_mps": {Display: "Stair descent speed (Apple Health)", UCUM: "m/s", Unit: "m/s"},
}

// sway metrics: "sway_" (eyes open) and "sway_ec_" (eyes closed) prefixes
// on these measures.
var swayMeasures = map[string]Mapping{
	"rms_ms2":      {Display: "Sway RMS acceleration", UCUM: "m/s2", Unit: "m/s²"},
	"ap_rms_ms2":   {Display: "Sway RMS acceleration, anterior-posterior", UCUM: "m/s2", Unit: "m/s²"},
	"ml_rms_ms2":   {Display: "Sway RMS acceleration, medio-lateral", UCUM: "m/s2", Unit: "m/s²"},
	"path_ms2":     {Display: "Sway path length", UCUM: "m/s2", Unit: "m/s²"},
	"jerk_ms3":     {Display: "Sway jerk", UCUM: "m/s3", Unit: "m/s³"},
	"ellipse_m2s4": {Display: "Sway 95 % ellipse area", UCUM: "m2/s4", Unit: "m²/s⁴"},
	"freq_hz":      {Display: "Sway mean frequency", UCUM: "Hz", Unit: "Hz"},
}

// unitSuffixes give the unit of a metric not in Mappings from its name's
// suffix (legwork's naming convention).
var unitSuffixes = []struct{ suffix, ucum, unit string }{
	{"_mps", "m/s", "m/s"}, {"_spm", "/min", "steps/min"}, {"_pct", "%", "%"}, {"_ms2", "m/s2", "m/s²"},
	{"_ms3", "m/s3", "m/s³"}, {"_m2s4", "m2/s4", "m²/s⁴"}, {"_hz", "Hz", "Hz"}, {"_rps", "rad/s", "rad/s"},
	{"_dps", "deg/s", "°/s"}, {"_deg", "deg", "°"}, {"_wkg", "W/kg", "W/kg"}, {"_s", "s", "s"}, {"_m", "m", "m"},
	{"_steps", "{steps}", "steps"},
}

// MappingFor returns the mapping of a metric: from Mappings, the sway
// measures, or else the unit its name's suffix implies (unit "1" when none
// does), with the metric name as display.
func MappingFor(metric string) Mapping {
	if m, ok := Mappings[metric]; ok {
		m.Metric = metric
		return m
	}
	for _, prefix := range []string{"sway_ec_", "sway_"} {
		if rest, ok := strings.CutPrefix(metric, prefix); ok {
			if m, ok := swayMeasures[rest]; ok {
				m.Metric = metric
				if prefix == "sway_ec_" {
					m.Display += ", eyes closed"
				} else {
					m.Display += ", eyes open"
				}
				return m
			}
		}
	}
	if n, ok := strings.CutPrefix(metric, "walking_bouts_over_"); ok && strings.HasSuffix(n, "s") {
		// the daily outcomes' bout counts by length (walking_bouts_over_10s)
		return Mapping{Metric: metric, Display: "Walking bouts longer than " + strings.TrimSuffix(n, "s") + " s in the day", UCUM: "{bouts}", Unit: "bouts"}
	}
	m := Mapping{Metric: metric, Display: strings.ReplaceAll(metric, "_", " "), UCUM: "1", Unit: "1"}
	for _, s := range unitSuffixes {
		if strings.HasSuffix(metric, s.suffix) {
			m.UCUM, m.Unit = s.ucum, s.unit
			break
		}
	}
	return m
}
