package insights

import (
	"fmt"
	"math"
	"time"
)

// Change classes ([Change.Class]).
const (
	// ClassWithinNoise: the change is not larger than the smallest
	// detectable change.
	ClassWithinNoise = "within_noise"
	// ClassBeyondSDC: larger than the smallest detectable change, but not
	// than the MCID (or no MCID is published).
	ClassBeyondSDC = "beyond_sdc"
	// ClassBeyondMCIDOnly: larger than the MCID, but within the person's
	// noise, so possibly not real.
	ClassBeyondMCIDOnly = "beyond_mcid_within_noise"
	// ClassBeyondBoth: larger than both.
	ClassBeyondBoth = "beyond_sdc_and_mcid"
	// ClassNoiseUnknown: the person's noise could not be estimated yet.
	ClassNoiseUnknown = "noise_unknown"
)

// ChangeOptions controls the current-value window.
type ChangeOptions struct {
	// WindowDays: the current value is the median of the daily values in
	// the last WindowDays calendar days up to the latest test (7).
	WindowDays int `json:"window_days"`
}

func (o *ChangeOptions) fill() {
	if o.WindowDays <= 0 {
		o.WindowDays = 7
	}
}

// Change compares the latest results with the baseline.
type Change struct {
	From time.Time `json:"from"` // first day of the current-value window
	To   time.Time `json:"to"`   // latest test day
	Days int       `json:"days"` // daily values in the window
	// Current is the median of those daily values.
	Current  float64 `json:"current"`
	Baseline float64 `json:"baseline"`
	// Delta is Current − Baseline, in the metric's unit.
	Delta float64 `json:"delta"`
	// Percent is 100·Delta/|Baseline|.
	Percent *float64 `json:"percent,omitempty"`
	// SDC is the person's smallest detectable change (nil when unknown),
	// estimated from SDCPairs successive pairs; SDCLowPrecision is true
	// when they were too few for the robust estimator (the noise's
	// LowPrecision): a change beyond it is then only probably real, and
	// the texts say from how few pairs it came.
	SDC             *float64 `json:"sdc,omitempty"`
	SDCPairs        int      `json:"sdc_pairs,omitempty"`
	SDCLowPrecision bool     `json:"sdc_low_precision,omitempty"`
	// MCID is the published threshold for a change in this direction, in
	// the metric's unit (nil when none is published), and MCIDSource its
	// description.
	MCID       *float64   `json:"mcid,omitempty"`
	MCIDSource *Threshold `json:"mcid_source,omitempty"`
	// Direction is better, worse (higher or lower for neutral metrics) or
	// none.
	Direction string `json:"direction"`
	// BeyondSDC and BeyondMCID report |Delta| > SDC and |Delta| > MCID;
	// nil when the threshold is unknown.
	BeyondSDC  *bool  `json:"beyond_sdc,omitempty"`
	BeyondMCID *bool  `json:"beyond_mcid,omitempty"`
	Class      string `json:"class"`
	// Message is for the person, Clinician for their clinician.
	Message   string `json:"message"`
	Clinician string `json:"clinician"`
}

func bptr(b bool) *bool { return &b }

// ClassifyChange compares the median of the daily values in the last
// opt.WindowDays days (up to the latest daily value) with the baseline
// median:
//
//	Δ = median(current window) − median(baseline),
//
// and classifies |Δ| against the person's SDC95 and the published MCID
// for the direction of Δ (a relative MCID is taken of the baseline
// median). The SDC is that of one test against another; for a median of
// several days it is conservative. noise may be nil (unknown). ok is
// false when no daily value lies after the baseline period.
func ClassifyChange(days []DailyValue, base Baseline, noise *Noise, info MetricInfo, opt ChangeOptions) (Change, bool) {
	opt.fill()
	var c Change
	if len(days) == 0 {
		return c, false
	}
	last := days[len(days)-1].Day
	_, baseEnd := base.days()
	if last < baseEnd {
		return c, false
	}
	from := max(last-opt.WindowDays+1, baseEnd)
	w := dayWindow(days, from, last+1)
	c.From, c.To, c.Days = dayDate(from), dayDate(last), len(w)
	c.Current = Median(values(w))
	c.Baseline = base.Median
	c.Delta = c.Current - c.Baseline
	if c.Baseline != 0 {
		c.Percent = fptr(100 * c.Delta / math.Abs(c.Baseline))
	}
	c.Direction = info.direction(c.Delta)
	abs := math.Abs(c.Delta)
	if noise != nil {
		c.SDC = fptr(noise.SDC95)
		c.SDCPairs, c.SDCLowPrecision = noise.Pairs, noise.LowPrecision
		c.BeyondSDC = bptr(abs > noise.SDC95)
	}
	if c.Direction == DirBetter || c.Direction == DirWorse {
		c.MCIDSource, c.MCID = info.mcidFor(c.Direction, c.Baseline)
		if c.MCID != nil {
			c.BeyondMCID = bptr(abs > *c.MCID)
		}
	}
	switch {
	case c.BeyondSDC == nil:
		c.Class = ClassNoiseUnknown
	case !*c.BeyondSDC && c.BeyondMCID != nil && *c.BeyondMCID:
		c.Class = ClassBeyondMCIDOnly
	case !*c.BeyondSDC:
		c.Class = ClassWithinNoise
	case c.BeyondMCID != nil && *c.BeyondMCID:
		c.Class = ClassBeyondBoth
	default:
		c.Class = ClassBeyondSDC
	}
	c.Message, c.Clinician = changeWords(c, base, noise, info)
	return c, true
}

func changeWords(c Change, base Baseline, noise *Noise, info MetricInfo) (person, clinician string) {
	cur := fmt.Sprintf("From %s to %s your %s was %s (the middle value of %d days with tests)",
		fdate(c.From), fdate(c.To), info.Label, info.amount(c.Current), c.Days)
	if c.Days == 1 {
		cur = fmt.Sprintf("On %s your %s was %s", fdate(c.To), info.Label, info.amount(c.Current))
	}
	var diff string
	if c.Delta == 0 {
		diff = fmt.Sprintf("the same as your baseline of %s", info.amount(c.Baseline))
	} else {
		diff = fmt.Sprintf("%s %s than your baseline of %s", info.change(math.Abs(c.Delta)), info.judged(c.Delta), info.amount(c.Baseline))
		if c.Percent != nil {
			diff = fmt.Sprintf("%s (%s) %s than your baseline of %s", info.change(math.Abs(c.Delta)), pct(*c.Percent), info.judged(c.Delta), info.amount(c.Baseline))
		}
	}
	person = cur + ", " + diff + "."
	var mcidWords string
	if c.MCID != nil {
		mcidWords = info.thresholdWords(c.MCIDSource, *c.MCID)
	}
	// sdc is the person's SDC with, when it is rough, how few pairs it
	// came from.
	var sdc string
	if c.SDC != nil {
		sdc = info.change(*c.SDC)
		if c.SDCLowPrecision {
			sdc += fmt.Sprintf(", estimated from only %s of tests", count(c.SDCPairs, "pair", "pairs"))
		}
	}
	switch c.Class {
	case ClassNoiseUnknown:
		person += " legwork does not know yet how much your results vary from day to day, so it cannot yet tell a real change from noise."
	case ClassWithinNoise:
		if c.SDCLowPrecision {
			person += fmt.Sprintf(" That is within your usual day-to-day variation: changes smaller than %s (estimated from only %s of tests) can be noise.", info.change(*c.SDC), count(c.SDCPairs, "pair", "pairs"))
		} else {
			person += fmt.Sprintf(" That is within your usual day-to-day variation: changes smaller than %s can be noise.", info.change(*c.SDC))
		}
	case ClassBeyondMCIDOnly:
		person += fmt.Sprintf(" That is larger than %s, but not larger than your usual day-to-day variation (%s), so it may not be a real change; more tests on different days will tell.", mcidWords, sdc)
	case ClassBeyondSDC:
		person += fmt.Sprintf(" That is more than your usual day-to-day variation (%s), so it is probably a real change.", sdc)
		switch {
		case c.MCID != nil:
			person += fmt.Sprintf(" It is smaller than %s.", mcidWords)
		case !info.Neutral:
			person += " No threshold for a change that matters is published for this measure."
		}
	case ClassBeyondBoth:
		person += fmt.Sprintf(" That is more than your usual day-to-day variation (%s), so it is probably a real change, and more than %s.", sdc, mcidWords)
		switch {
		case c.Direction == DirWorse && c.MCIDSource != nil && c.MCIDSource.Scaled:
			// No alert is raised on a scaled threshold (see DetectAlerts).
			person += " That threshold is only a rough guide, so legwork raises no alert on it; if your results stay this much worse, tell your clinician."
		case c.Direction == DirWorse:
			person += " If a repeat test on another day confirms it, this is a meaningful change; contact your clinician."
		}
	}

	current := fmt.Sprintf("median of %d test days, %s–%s", c.Days, fdate(c.From), fdate(c.To))
	if c.Days == 1 {
		// One test day in the window: its value, not a median of days.
		current = "1 test day; last test " + fdate(c.To)
	}
	clinician = fmt.Sprintf("%s: current %s (%s) vs baseline %s (median of %d d, %s–%s); Δ %s",
		info.Label, info.amount(c.Current), current,
		info.amount(c.Baseline), base.Days, fdate(base.From), fdate(base.To.AddDate(0, 0, -1)), info.signed(c.Delta))
	if c.Percent != nil {
		clinician += " (" + signedPct(*c.Percent) + ")"
	}
	if noise != nil {
		prec := ""
		if noise.LowPrecision {
			prec = ", low precision"
		}
		clinician += fmt.Sprintf("; SDC95 %s (personal, %d pairs%s)", info.change(noise.SDC95), noise.Pairs, prec)
	} else {
		clinician += "; SDC unknown (too few repeated tests)"
	}
	if c.MCID != nil {
		clinician += fmt.Sprintf("; MCID %s %s (%s)", c.Direction, info.change(*c.MCID), shortSource(c.MCIDSource.Source))
		if c.MCIDSource.Scaled {
			clinician += " [scaled]"
		}
	} else if !info.Neutral {
		clinician += "; no published MCID"
	}
	clinician += "; class " + c.Class + ", direction " + c.Direction
	if c.Class == ClassBeyondSDC || c.Class == ClassBeyondBoth {
		clinician += ": probably a real change"
		if c.SDCLowPrecision {
			clinician += fmt.Sprintf(" (SDC95 estimated from only %s)", count(c.SDCPairs, "pair", "pairs"))
		}
	}
	clinician += "."
	return person, clinician
}
