package gait

// BoutDetector groups initial contacts (sorted times) into walking bouts. It
// appends [first, last] index pairs (inclusive) to dst.
type BoutDetector interface {
	Bouts(ics []float64, dst [][2]int) [][2]int
}

// StepGrouping forms bouts from runs of consecutive steps: a step interval
// longer than MaxBreakS ends a bout, and a bout needs at least MinSteps
// initial contacts. This is the Mobilise-D walking-bout rule (Kluge et al.,
// "Consensus based framework for digital mobility monitoring", PLoS ONE
// 16:e0256541, 2021: breaks longer than 3 s end a bout; a bout holds at least
// two strides) applied to detected steps, so that isolated movements (a
// shift of weight, sitting down) are not counted as steps.
type StepGrouping struct {
	MaxBreakS float64
	MinSteps  int
}

// Bouts implements BoutDetector.
func (g StepGrouping) Bouts(ics []float64, dst [][2]int) [][2]int {
	start := 0
	for i := 1; i <= len(ics); i++ {
		if i == len(ics) || ics[i]-ics[i-1] > g.MaxBreakS {
			if i-start >= g.MinSteps {
				dst = append(dst, [2]int{start, i - 1})
			}
			start = i
		}
	}
	return dst
}
