package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"legwork/assess"
	"legwork/gait"
	"legwork/imu"
	"legwork/insights"
)

// segmentFlags collects --segment NAME:START:END values.
type segmentFlags []assess.Segment

func (s *segmentFlags) String() string { return fmt.Sprint(*s) }

func (s *segmentFlags) Set(v string) error {
	parts := strings.Split(v, ":")
	if len(parts) != 3 || parts[0] == "" {
		return fmt.Errorf("want NAME:START:END, got %q", v)
	}
	a, err1 := strconv.ParseFloat(parts[1], 64)
	b, err2 := strconv.ParseFloat(parts[2], 64)
	if err1 != nil || err2 != nil || !(b > a) {
		return fmt.Errorf("want NAME:START:END with START < END in seconds, got %q", v)
	}
	*s = append(*s, assess.Segment{Name: parts[0], StartS: a, EndS: b})
	return nil
}

// testNames are the guided tests' names for people.
var testNames = map[assess.Test]string{
	assess.T25FW:    "Timed 25-Foot Walk",
	assess.Walk2Min: "2-Minute Walk",
	assess.UTurn:    "U-turn test",
	assess.Balance:  "static balance test",
	assess.STS5:     "five-times sit-to-stand",
	assess.Walk:     "walk",
}

// turnSign explains the sign of a turn angle (gait.Turn.AngleDeg:
// positive is anticlockwise seen from above).
const turnSign = "a + angle is a turn to the left, − to the right"

// writeOutcome prints a guided test's result for people: the metrics with
// their plain names and units (those of the report and the web app,
// insights.LookupMetric; speeds of turning in °/s like the angles, with
// rad/s, the unit published for the U-turn test, beside them), and only
// the notes that concern the test. The --json output keeps the metric
// names.
func writeOutcome(w io.Writer, name string, o *assess.Outcome) {
	title := testNames[o.Test]
	if title == "" {
		title = string(o.Test) + " test"
	}
	fmt.Fprintf(w, "%s: %s (--test %s)\n", name, title, o.Test)
	if o.Valid {
		fmt.Fprintln(w, "Result: valid")
	} else {
		fmt.Fprintln(w, "Result: NOT VALID — the recording does not fit the test")
	}
	for _, p := range o.Problems {
		fmt.Fprintf(w, "  ! %s\n", p.Message)
	}
	if len(o.Metrics) > 0 {
		fmt.Fprintln(w, "\nResults:")
		keys := make([]string, 0, len(o.Metrics))
		for k := range o.Metrics {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		labels := make([]string, len(keys))
		width := 0
		for i, k := range keys {
			labels[i] = metricLabel(k, o.Test)
			width = max(width, utf8.RuneCountInString(labels[i]))
		}
		for i, k := range keys {
			pad := strings.Repeat(" ", width-utf8.RuneCountInString(labels[i]))
			fmt.Fprintf(w, "  %s:%s  %s\n", labels[i], pad, metricValue(k, o.Test, o.Metrics[k]))
		}
	}
	switch d := o.Detail.(type) {
	case *assess.T25FWDetail:
		fmt.Fprintln(w, "\nTrials:")
		for _, t := range d.Trials {
			fmt.Fprintf(w, "  %d  %.2f–%.2f s  %.2f s  %.2f m/s  %d steps\n", t.Index, t.OnsetS, t.OffsetS, t.TimeS, t.SpeedMPS, t.Steps)
		}
	case *assess.Walk2MinDetail:
		fmt.Fprintln(w, "\nCadence in each 30 s:")
		for _, x := range d.Windows {
			fmt.Fprintf(w, "  %6.1f–%6.1f s  %3d steps  %s\n", x.StartS, x.EndS, x.Steps, fmtValue(x.CadenceSPM, "%.1f steps/min"))
		}
	case *assess.UTurnDetail:
		fmt.Fprintf(w, "\nU-turns (%s):\n", turnSign)
		for _, t := range d.Turns {
			fmt.Fprintf(w, "  %6.2f–%6.2f s  %5s  %.2f s  %s  %d steps\n", t.StartS, t.EndS, signedDeg(t.AngleDeg), t.DurationS, turnSpeed(t.SpeedRPS), t.Steps)
		}
	case *assess.BalanceDetail:
		fmt.Fprintln(w, "\nConditions:")
		for _, c := range d.Conditions {
			if c.Failed {
				fmt.Fprintf(w, "  %-12s failed at %.1f s (a step or loss of balance)\n", c.Name, float64(c.FailAtS))
				continue
			}
			fmt.Fprintf(w, "  %-12s RMS %.3f m/s² (AP %.3f, ML %.3f), path %.2f m/s², ellipse %.4f m²/s⁴\n", c.Name, float64(c.RMSMS2), float64(c.APRMSMS2), float64(c.MLRMSMS2), float64(c.PathMS2), float64(c.EllipseM2S4))
		}
	case *assess.STSDetail:
		fmt.Fprintln(w, "\nRepetitions:")
		for _, r := range d.Reps {
			fmt.Fprintf(w, "  %d  stand %.2f s, seated %.2f s, %.2f s\n", r.Index, r.StandS, r.SeatedS, r.DurationS)
		}
	}
	var notes []string
	for _, f := range o.Quality {
		if noteApplies(f.Code, o.Test) {
			notes = append(notes, f.Message)
		}
	}
	if len(notes) > 0 {
		fmt.Fprintln(w, "\nNotes:")
		for _, n := range notes {
			fmt.Fprintf(w, "  - %s\n", n)
		}
	}
}

// noteApplies reports whether a data-quality note of the gait analysis
// concerns a guided test. The person's height only scales stride length,
// walking speed and distance, which only the walk and the 2-minute walk
// report (the T25FW's speed comes from the course's length).
func noteApplies(code string, test assess.Test) bool {
	if code == gait.FlagNoHeight {
		return test == assess.Walk || test == assess.Walk2Min
	}
	return true
}

// metricInfo describes a metric of a test for people: insights' table.
func metricInfo(name string, test assess.Test) insights.MetricInfo {
	return insights.LookupMetric(name, string(test))
}

// metricLabel is a metric's plain name, capitalised.
func metricLabel(name string, test assess.Test) string {
	l := metricInfo(name, test).Label
	r, n := utf8.DecodeRuneInString(l)
	return string(unicode.ToUpper(r)) + l[n:]
}

// metricValue is a metric's value with its unit.
func metricValue(name string, test assess.Test, v float64) string {
	info := metricInfo(name, test)
	switch {
	case name == "balance_ec_failed":
		return map[bool]string{true: "yes", false: "no"}[v != 0]
	case info.Unit == "rad/s":
		return turnSpeed(v)
	case info.Unit == "":
		return strconv.FormatFloat(v, 'f', info.Decimals, 64)
	}
	return strconv.FormatFloat(v, 'f', info.Decimals, 64) + " " + info.Unit
}

// signedDeg formats a turn angle with its sign and a true minus: "+92°",
// "−191°" (+ a turn to the left).
func signedDeg(a float64) string {
	s := strconv.FormatFloat(math.Abs(a), 'f', 0, 64) + "°"
	if s == "0°" {
		return s
	}
	if a < 0 {
		return "−" + s
	}
	return "+" + s
}

// turnSpeed is a speed of turning in °/s, the unit of the angles, and in
// rad/s.
func turnSpeed(rps float64) string {
	return fmt.Sprintf("%3.0f °/s (%.2f rad/s)", rps*180/math.Pi, rps)
}

func (m *Main) runAnalyze(ctx context.Context, args []string) error {
	fs := m.newFlagSet("analyze", "FILE [flags]   (FILE: legwork CSV, phyphox or Sensor Logger export, Axivity .cwa, GENEActiv .bin; - for CSV on standard input)")
	placement := fs.String("placement", "lower_back", "where the sensor was worn: lower_back, waist_belt, front_pocket, back_pocket, hand, hand_swinging, armband, neck_pouch, bag or unknown")
	height := fs.Float64("height-m", 0, "the person's height in metres (for stride length and speed)")
	sensorHeight := fs.Float64("sensor-height-m", 0, "the sensor's height above the floor in metres (overrides --height-m)")
	distance := fs.Float64("distance-m", 0, "timed walk: the distance walked in metres (7.62 for the Timed 25-Foot Walk)")
	asJSON := fs.Bool("json", false, "print the full result as JSON")
	testName := fs.String("test", "", "score the recording as a guided test: t25fw, walk2min, uturn, balance, sts5 or walk")
	phone := fs.Bool("phone-axes", false, "the sensor axes follow the phone convention (x right, y up the screen, z out of the screen), as in recordings from the web app")
	var segs segmentFlags
	fs.Var(&segs, "segment", "a marked part of the recording, NAME:START:END in seconds (repeatable), e.g. trial1:3:12 or eyes_open:0:30")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return usageError{"analyze needs exactly one FILE"}
	}
	p, err := gait.ParsePlacement(*placement)
	if err != nil {
		return usageError{err.Error()}
	}
	if *height < 0 || *height > 2.5 || *sensorHeight < 0 || *sensorHeight > 2 || *distance < 0 {
		return usageError{"heights must be in metres (e.g. --height-m 1.72) and the distance positive"}
	}
	var src gait.Source
	if pos[0] == "-" {
		r, err := imu.NewCSVReader(m.Stdin)
		if err != nil {
			return fmt.Errorf("standard input: %w", err)
		}
		src = r
	} else {
		// legwork CSV, phyphox, Sensor Logger, Axivity .cwa, GENEActiv .bin
		s, c, err := imu.Open(pos[0])
		if err != nil {
			return fmt.Errorf("%s: %w", pos[0], err)
		}
		defer c.Close()
		src = s
	}
	if *testName != "" {
		test, err := assess.ParseTest(*testName)
		if err != nil {
			return usageError{err.Error()}
		}
		rec, err := gait.ReadAll(src)
		if err != nil {
			return fmt.Errorf("%s: %w", pos[0], err)
		}
		if len(rec.Samples) == 0 {
			return errNoSamples(pos[0])
		}
		out, err := assess.RunRecording(test, rec, assess.Options{
			Placement:  p,
			Subject:    gait.Subject{HeightM: *height, SensorHeightM: *sensorHeight},
			DistanceM:  *distance,
			PhoneFrame: *phone,
			Segments:   segs,
		})
		if err != nil {
			return fmt.Errorf("%s: %w", pos[0], err)
		}
		if *asJSON {
			enc := json.NewEncoder(m.Stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(out)
		}
		writeOutcome(m.Stdout, pos[0], out)
		return nil
	}
	res, err := gait.Analyze(src, gait.Options{
		Placement: p,
		Subject:   gait.Subject{HeightM: *height, SensorHeightM: *sensorHeight},
		DistanceM: *distance,
	})
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	if res.Sampling.Samples == 0 {
		return errNoSamples(pos[0])
	}
	if *asJSON {
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	writeSummary(m.Stdout, pos[0], res)
	return nil
}

// errNoSamples is the error for a recording without samples (a CSV file
// with only its header), which the server refuses too (422).
func errNoSamples(name string) error {
	return fmt.Errorf("%s: the recording has no samples (only a header?): nothing to analyse", name)
}

// writeSummary prints a result for people.
func writeSummary(w io.Writer, name string, r *gait.Result) {
	fmt.Fprintf(w, "%s: %.1f s at %.0f Hz, placement %s\n", name, r.DurationS, r.Sampling.NominalRateHz, placementName(r.Placement))
	s := r.Walking
	if len(r.Bouts) == 0 {
		fmt.Fprintln(w, "No walking found.")
	} else {
		bouts := "bouts"
		if len(r.Bouts) == 1 {
			bouts = "bout"
		}
		fmt.Fprintf(w, "Walking: %d steps in %d %s, %.1f s of walking\n", s.Steps, len(r.Bouts), bouts, s.WalkingTimeS)
		line(w, "Cadence", s.CadenceSPM, "%.1f steps/min")
		line(w, "Step time", s.StepTimeS, "%.3f s", s.StepTimeCVPct, " (CV %.1f %%)")
		line(w, "Stride time", s.StrideTimeS, "%.3f s", s.StrideTimeCVPct, " (CV %.1f %%)")
		line(w, "Step regularity", s.StepRegularity, "%.2f")
		line(w, "Stride regularity", s.StrideRegularity, "%.2f")
		line(w, "Symmetry", s.Symmetry, "%.2f")
		line(w, "Stride length", s.StrideLengthM, "%.2f m")
		line(w, "Walking speed", s.WalkingSpeedMPS, "%.2f m/s")
		line(w, "Distance", s.DistanceM, "%.1f m")
		fmt.Fprintln(w, "\nBouts:")
		for i, b := range r.Bouts {
			extra := ""
			if b.WalkingSpeedMPS.Valid() {
				extra = fmt.Sprintf(", %.2f m/s", float64(b.WalkingSpeedMPS))
			}
			fmt.Fprintf(w, "  %2d  %7.2f–%7.2f s  %4d steps  %s%s\n", i+1, b.StartS, b.EndS, b.Steps, fmtValue(b.CadenceSPM, "%.1f steps/min"), extra)
		}
	}
	if len(r.Turns) > 0 {
		fmt.Fprintf(w, "\nTurns (%s):\n", turnSign)
		for _, t := range r.Turns {
			fmt.Fprintf(w, "  %7.2f–%7.2f s  %6s  peak %.0f°/s\n", t.StartS, t.EndS, signedDeg(t.AngleDeg), t.PeakSpeedDPS)
		}
	}
	if tw := r.TimedWalk; tw != nil {
		fmt.Fprintf(w, "\nTimed walk: %.2f m in %.2f s (%.2f–%.2f s) = %.2f m/s, %d steps\n", tw.DistanceM, tw.TimeS, tw.OnsetS, tw.OffsetS, tw.SpeedMPS, tw.Steps)
	}
	if len(r.Quality) > 0 {
		fmt.Fprintln(w, "\nNotes:")
		for _, f := range r.Quality {
			fmt.Fprintf(w, "  - %s\n", f.Message)
		}
	}
}

func placementName(p gait.Placement) string {
	if p == gait.Unknown {
		return "unknown"
	}
	return strings.ReplaceAll(string(p), "_", " ")
}

func fmtValue(v gait.Value, format string) string {
	if !v.Valid() {
		return "not available"
	}
	return fmt.Sprintf(format, float64(v))
}

// line prints "label: value" and, optionally, a second value in its own format.
func line(w io.Writer, label string, v gait.Value, format string, more ...any) {
	s := fmtValue(v, format)
	if len(more) == 2 && v.Valid() {
		if mv, ok := more[0].(gait.Value); ok && mv.Valid() {
			s += fmt.Sprintf(more[1].(string), float64(mv))
		}
	}
	fmt.Fprintf(w, "  %-18s %s\n", label+":", s)
}
