package validate

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"legwork/gait"
)

func f(v gait.Value, format string) string {
	if !v.Valid() {
		return "–"
	}
	return fmt.Sprintf(format, float64(v))
}

// header and cells of the summary table, one row per group.
var tableHeader = []string{"group", "n", "IC F1", "IC P", "IC R", "IC MAE s", "IC-all F1", "steps MAPE %", "steps median %", "cadence MAE spm", "stride MAE m", "speed MAE m/s", "bouts found", "timed-walk MAE m/s", "turns found", "turn angle MAE °"}

func tableRow(name string, m Metrics) []string {
	return []string{
		name, fmt.Sprint(m.Recordings),
		f(m.IC.F1, "%.3f"), f(m.IC.Precision, "%.3f"), f(m.IC.Recall, "%.3f"), f(m.IC.TimingMAES, "%.3f"),
		f(m.ICAll.F1, "%.3f"),
		f(m.StepCount.MAPEPct, "%.1f") + fmt.Sprintf(" (n=%d)", m.StepCount.N), f(m.StepCount.MedianAPEPct, "%.1f"),
		f(m.Cadence.MAESPM, "%.2f") + fmt.Sprintf(" (n=%d)", m.Cadence.N),
		f(m.StrideLength.MAEM, "%.3f") + fmt.Sprintf(" (n=%d)", m.StrideLength.N),
		f(m.WalkingSpeed.MAEMPS, "%.3f") + fmt.Sprintf(" (n=%d)", m.WalkingSpeed.N),
		f(m.Bouts.FoundShare, "%.2f") + fmt.Sprintf(" (n=%d)", m.Bouts.N),
		f(m.TimedWalk.SpeedMAEMPS, "%.3f") + fmt.Sprintf(" (n=%d)", m.TimedWalk.N),
		f(m.Turns.FoundShare, "%.2f") + fmt.Sprintf(" (n=%d)", m.Turns.N),
		f(m.Turns.AngleMAEDeg, "%.1f"),
	}
}

func sortedKeys[V any](m map[string]V) []string {
	var k []string
	for x := range m {
		k = append(k, x)
	}
	sort.Strings(k)
	return k
}

// WriteText prints the report as aligned text columns (one group per row).
func WriteText(w io.Writer, r *Report) {
	rows := [][]string{tableHeader, tableRow("all", r.Metrics)}
	for _, k := range sortedKeys(r.BySource) {
		rows = append(rows, tableRow("source "+k, r.BySource[k]))
	}
	for _, k := range sortedKeys(r.ByPlacement) {
		rows = append(rows, tableRow("placement "+k, r.ByPlacement[k]))
	}
	if r.Peer != nil {
		rows = append(rows, tableRow("peer: legwork", r.Peer.Ours), tableRow("peer: mobgap", r.Peer.Overall))
	}
	for _, x := range r.Robustness {
		rows = append(rows, tableRow(x.Name+": lower back", x.LowerBack), tableRow(x.Name+": phones", x.Phones))
	}
	// transpose: metrics as rows, groups as columns, to fit a terminal
	widths := make([]int, len(rows))
	for j, row := range rows {
		for _, c := range row {
			widths[j] = max(widths[j], len([]rune(c)))
		}
	}
	for i := range tableHeader {
		var b strings.Builder
		for j, row := range rows {
			c := row[i]
			b.WriteString(c + strings.Repeat(" ", widths[j]-len([]rune(c))+2))
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	if len(r.Robustness) > 0 {
		fmt.Fprintf(w, "\nThe columns named after a disturbance score the same recordings disturbed:\n")
		for _, x := range r.Robustness {
			fmt.Fprintf(w, "  %s: %s.\n", x.Name, x.Description)
		}
	}
	if len(r.Skipped) > 0 {
		fmt.Fprintf(w, "\n%d recording(s) skipped (no reference, or a placement legwork does not analyse).\n", len(r.Skipped))
	}
	if r.ExcludedRefs > 0 {
		fmt.Fprintf(w, "%d reference contact(s) after the end of their recording were not counted.\n", r.ExcludedRefs)
	}
}
