package insights

import (
	"fmt"
	"math"
	"strings"
	"time"

	"gonum.org/v1/gonum/stat/distuv"

	"legwork"
	"legwork/dsp"
)

// FallOptions controls the falls analysis.
type FallOptions struct {
	// FallsOnly counts only falls as events; by default falls and
	// near-falls both count, because falls alone are too rare for most
	// people to show anything.
	FallsOnly bool `json:"falls_only,omitempty"`
	// MinMonths is the minimum number of months with tests for an
	// association (6; at least 4).
	MinMonths int `json:"min_months"`
	// MinEvents is the minimum number of events (falls, or falls and
	// near-falls) in those months for an association (5). With 4 events,
	// any split of them between worse and other months gives a rate ratio
	// whose 95 % interval spans a factor of at least 50 (e^(2·1.96·√(1/2 +
	// 1/2)); with 5 events, 36), and Spearman's ρ is decided by the one or
	// two months that had an event; the Wald interval's normal approximation of the log of a
	// Poisson count also wants about 5 events.
	MinEvents int `json:"min_events"`
	// Level is the confidence level (0.95).
	Level float64 `json:"level"`
}

// DefaultFallOptions returns the defaults.
func DefaultFallOptions() FallOptions { return FallOptions{MinMonths: 6, MinEvents: 5, Level: 0.95} }

// FallMonth counts the falls of a calendar month.
type FallMonth struct {
	Month     string `json:"month"` // "2024-03"
	Falls     int    `json:"falls"`
	NearFalls int    `json:"near_falls"`
	Injured   int    `json:"injured"`
}

// FallSeries is a series the falls are related to.
type FallSeries struct {
	Info     MetricInfo
	TestType string
	Device   string
	Days     []DailyValue
	// Baseline is the series' baseline median (NaN when unknown).
	Baseline float64
}

// FallAssociation relates monthly events to the monthly median of one
// series.
type FallAssociation struct {
	Metric   string `json:"metric"`
	TestType string `json:"test_type"`
	Device   string `json:"assistive_device"`
	// Months with at least one test, and the events in them.
	Months int `json:"months"`
	Events int `json:"events"`
	// Spearman is the rank correlation between the monthly median and the
	// monthly number of events, with a Fisher-z interval.
	Spearman *Estimate `json:"spearman,omitempty"`
	// Months whose median was worse than the baseline median, and the
	// other months, with their events; RateRatio is the event rate of the
	// first over the second.
	MonthsWorse int       `json:"months_worse"`
	EventsWorse int       `json:"events_worse"`
	MonthsOther int       `json:"months_other"`
	EventsOther int       `json:"events_other"`
	RateRatio   *Estimate `json:"rate_ratio,omitempty"`
	// Dispersion is the quasi-Poisson dispersion of the monthly counts
	// around their group's mean (at least 1): falls come in clusters, and
	// the rate ratio's interval is widened by its square root.
	Dispersion float64 `json:"dispersion"`
	// TooLittleData is true when there are fewer than MinMonths months or
	// fewer than MinEvents events: then nothing is estimated.
	TooLittleData bool   `json:"too_little_data"`
	Message       string `json:"message"`
	Clinician     string `json:"clinician"`
}

// FallsReport summarises falls and near-falls.
type FallsReport struct {
	Falls        int               `json:"falls"`
	NearFalls    int               `json:"near_falls"`
	Injured      int               `json:"injured"`
	Months       []FallMonth       `json:"months"`
	Associations []FallAssociation `json:"associations,omitempty"`
	Message      string            `json:"message"`
}

// monthKey returns year·12 + month − 1 of t in loc.
func monthKey(t time.Time, loc *time.Location) int {
	y, m, _ := t.In(loc).Date()
	return y*12 + int(m) - 1
}

func monthName(k int) string { return fmt.Sprintf("%04d-%02d", k/12, k%12+1) }

// AnalyzeFalls counts falls and near-falls per calendar month (in loc),
// every month from the first to the last with a test or a fall, and
// relates the monthly number of events to the monthly median of each
// series, with two simple, honest measures of association:
//
//   - Spearman's rank correlation ρ over the months with tests, with the
//     interval tanh(atanh ρ ± z·√((1 + ρ²/2)/(n − 3))) (Bonett & Wright,
//     "Sample size requirements for estimating Pearson, Kendall and
//     Spearman correlations", Psychometrika 65:23–28, 2000);
//   - the rate ratio of events in months whose median was worse than the
//     baseline median over the other months, (a/Mₐ)/(b/M_b), with the
//     Wald interval exp(ln RR ± z·√(1/a + 1/b)) for Poisson counts
//     (Rothman, Greenland & Lash, Modern Epidemiology, 3rd ed., 2008),
//     given only when a, b > 0, widened by the quasi-Poisson dispersion φ
//     of the monthly counts ([quasiPoissonDispersion]) when it exceeds 1,
//     to exp(ln RR ± t_{n−2}·√φ·√(1/a + 1/b)) over n months: falls
//     cluster, so monthly counts vary more than Poisson counts would.
//
// Both are associations: they cannot say whether slower walking leads to
// falls, falls to more careful walking, or something else to both. Months
// are still treated as independent of one another.
func AnalyzeFalls(falls []Fall, series []FallSeries, loc *time.Location, opt FallOptions) FallsReport {
	if loc == nil {
		loc = time.UTC
	}
	d := DefaultFallOptions()
	if opt.MinMonths <= 0 {
		opt.MinMonths = d.MinMonths
	}
	opt.MinMonths = max(opt.MinMonths, 4) // the Fisher-z interval needs n > 3
	if opt.MinEvents <= 0 {
		opt.MinEvents = d.MinEvents
	}
	if !(opt.Level > 0 && opt.Level < 1) {
		opt.Level = d.Level
	}
	var r FallsReport
	byMonth := map[int]*FallMonth{}
	for _, f := range falls {
		k := monthKey(f.At, loc)
		m := byMonth[k]
		if m == nil {
			m = &FallMonth{Month: monthName(k)}
			byMonth[k] = m
		}
		if f.Kind == FallKindNearFall {
			m.NearFalls++
			r.NearFalls++
		} else {
			m.Falls++
			r.Falls++
		}
		if f.Injured {
			m.Injured++
			r.Injured++
		}
	}
	// Every month from the first to the last month with a test or a fall,
	// zeros included, so that the months can be charted as they are.
	first, last := math.MaxInt, math.MinInt
	for k := range byMonth {
		first, last = min(first, k), max(last, k)
	}
	for _, s := range series {
		if n := len(s.Days); n > 0 {
			first = min(first, monthKey(s.Days[0].At, loc))
			last = max(last, monthKey(s.Days[n-1].At, loc))
		}
	}
	for k := first; k <= last; k++ {
		if m := byMonth[k]; m != nil {
			r.Months = append(r.Months, *m)
		} else {
			r.Months = append(r.Months, FallMonth{Month: monthName(k)})
		}
	}
	events := func(k int) int {
		m := byMonth[k]
		if m == nil {
			return 0
		}
		if opt.FallsOnly {
			return m.Falls
		}
		return m.Falls + m.NearFalls
	}
	r.Message = fmt.Sprintf("%d falls and %d near-falls recorded", r.Falls, r.NearFalls)
	if r.Injured > 0 {
		r.Message += fmt.Sprintf(" (%d with an injury)", r.Injured)
	}
	r.Message += "."
	for _, s := range series {
		r.Associations = append(r.Associations, fallAssociation(s, events, loc, opt))
	}
	return r
}

func fallAssociation(s FallSeries, events func(int) int, loc *time.Location, opt FallOptions) FallAssociation {
	a := FallAssociation{Metric: s.Info.Name, TestType: s.TestType, Device: s.Device, Dispersion: 1}
	what := "falls or near-falls"
	if opt.FallsOnly {
		what = "falls"
	}
	// Monthly medians.
	var months []int
	var med []float64
	var buf []float64
	for i := 0; i < len(s.Days); {
		k := monthKey(s.Days[i].At, loc)
		buf = buf[:0]
		for i < len(s.Days) && monthKey(s.Days[i].At, loc) == k {
			buf = append(buf, s.Days[i].Value)
			i++
		}
		months = append(months, k)
		med = append(med, medianInPlace(buf))
	}
	ev := make([]float64, len(months))
	for i, k := range months {
		ev[i] = float64(events(k))
		a.Events += events(k)
	}
	a.Months = len(months)
	sign := s.Info.worseSign()
	if a.Months < opt.MinMonths || a.Events < opt.MinEvents || sign == 0 {
		a.TooLittleData = true
		a.Message = fmt.Sprintf("Too little data to relate your %s to %s: %s with tests and %d %s in them; at least %d months and %d %s are needed for a comparison to mean anything.",
			s.Info.Label, what, count(a.Months, "month", "months"), a.Events, what, opt.MinMonths, opt.MinEvents, what)
		if sign == 0 {
			a.Message = fmt.Sprintf("Your %s has no better or worse direction, so it is not related to %s.", s.Info.Label, what)
		}
		a.Clinician = fmt.Sprintf("%s vs monthly %s: too little data (%s, %s; at least %d months and %d events needed).",
			s.Info.Label, what, count(a.Months, "month", "months"), count(a.Events, "event", "events"), opt.MinMonths, opt.MinEvents)
		return a
	}
	z := distuv.UnitNormal.Quantile((1 + opt.Level) / 2)
	if rho, ok := dsp.Spearman(med, ev); ok {
		n := float64(a.Months)
		se := math.Sqrt((1 + rho*rho/2) / (n - 3))
		zr := math.Atanh(math.Max(-0.9999999, math.Min(0.9999999, rho)))
		a.Spearman = &Estimate{Value: rho, Low: math.Tanh(zr - z*se), High: math.Tanh(zr + z*se), Level: opt.Level, Coverage: opt.Level, Method: MethodSpearmanCI, N1: a.Months}
	}
	if !math.IsNaN(s.Baseline) {
		worse := make([]bool, len(months))
		for i := range months {
			worse[i] = sign*(med[i]-s.Baseline) > 0
			if worse[i] {
				a.MonthsWorse++
				a.EventsWorse += int(ev[i])
			} else {
				a.MonthsOther++
				a.EventsOther += int(ev[i])
			}
		}
		if a.EventsWorse > 0 && a.EventsOther > 0 {
			rr, phi := rateRatio(ev, worse, a.EventsWorse, a.MonthsWorse, a.EventsOther, a.MonthsOther, z, opt.Level)
			a.RateRatio, a.Dispersion = &rr, phi
		}
	}
	a.Message, a.Clinician = fallWords(a, s, what, sign)
	return a
}

func fallWords(a FallAssociation, s FallSeries, what string, sign float64) (string, string) {
	info := s.Info
	lv := "95 %"
	var ps []string
	var cs []string
	worseWord := info.Less
	if sign > 0 {
		worseWord = info.More
	}
	if a.Spearman != nil {
		e := *a.Spearman
		lv = levelWords(e.Level)
		towardWorse := e.Value*sign > 0 // more events when the metric is worse
		switch {
		case !e.Excludes(0):
			ps = append(ps, fmt.Sprintf("Over %d months, the number of %s was not clearly related to your monthly %s (%s CI of the rank correlation %s to %s).", a.Months, what, info.Label, lv, corr(e.Low), corr(e.High)))
		case towardWorse:
			ps = append(ps, fmt.Sprintf("Over %d months, you had more %s in months when your %s was %s (rank correlation %s, %s CI %s to %s).", a.Months, what, info.Label, worseWord, corr(e.Value), lv, corr(e.Low), corr(e.High)))
		default:
			ps = append(ps, fmt.Sprintf("Over %d months, you had fewer %s in months when your %s was %s (rank correlation %s, %s CI %s to %s).", a.Months, what, info.Label, worseWord, corr(e.Value), lv, corr(e.Low), corr(e.High)))
		}
		cs = append(cs, fmt.Sprintf("Spearman ρ(monthly median, monthly events) = %s (%s CI %s to %s, Fisher z with Bonett–Wright SE), n = %d months", corr(e.Value), lv, corr(e.Low), corr(e.High), a.Months))
	}
	if a.MonthsWorse > 0 && a.MonthsOther > 0 {
		rw := float64(a.EventsWorse) / float64(a.MonthsWorse)
		ro := float64(a.EventsOther) / float64(a.MonthsOther)
		p := fmt.Sprintf("In the %s when it was %s than your baseline you had %.1f %s a month, against %.1f in the other %s", count(a.MonthsWorse, "month", "months"), worseWord, rw, what, ro, count(a.MonthsOther, "month", "months"))
		if a.RateRatio != nil {
			e := *a.RateRatio
			p += fmt.Sprintf(" (rate ratio %s, %s CI %s to %s)", sig2(e.Value), lv, sig2(e.Low), sig2(e.High))
			cs = append(cs, fmt.Sprintf("rate ratio (months with median worse than baseline vs other) %s (%s CI %s to %s, %s), %s in %s vs %d in %s", sig2(e.Value), lv, sig2(e.Low), sig2(e.High), waldWords(a.Dispersion, a.Months),
				count(a.EventsWorse, "event", "events"), count(a.MonthsWorse, "month", "months"), a.EventsOther, count(a.MonthsOther, "month", "months")))
		} else {
			cs = append(cs, fmt.Sprintf("%s in %s worse than baseline vs %d in %s other (rate ratio not estimable with a zero count)",
				count(a.EventsWorse, "event", "events"), count(a.MonthsWorse, "month", "months"), a.EventsOther, count(a.MonthsOther, "month", "months")))
		}
		ps = append(ps, p+".")
	}
	ps = append(ps, "This is an association only: it does not show that one causes the other.")
	ctx := legwork.TestType(s.TestType).Words()
	if with := legwork.AssistiveDevice(s.Device).With(); with != "" {
		ctx += ", " + with
	}
	c := fmt.Sprintf("%s (%s) vs monthly %s: ", info.Label, ctx, what) + strings.Join(cs, "; ") + ". Association only; months treated as independent."
	return strings.Join(ps, " "), c
}

// rateRatio is the rate ratio of events in the months marked worse (a
// events in ma months) over the others (b in mb; a, b > 0), with the Wald
// interval exp(ln RR ± q·√φ·√(1/a + 1/b)), φ the quasi-Poisson dispersion
// of the monthly counts ev around their group's rate. q is z, the normal
// quantile of the level, when φ = 1 (Poisson); when φ > 1 it was
// estimated from the n months, and q is the t quantile with n − 2
// degrees of freedom (McCullagh & Nelder 1989). A φ that exceeds 1 only
// by rounding (5/5 computed as 1.0000000000000004) is 1
// ([quasiPoissonDispersion]).
func rateRatio(ev []float64, worse []bool, a, ma, b, mb int, z, level float64) (est Estimate, phi float64) {
	muW, muO := float64(a)/float64(ma), float64(b)/float64(mb)
	phi = quasiPoissonDispersion(ev, func(i int) float64 {
		if worse[i] {
			return muW
		}
		return muO
	}, 2)
	q := z
	if phi > 1 {
		q = (*critCache)(nil).tQuantile(len(ev)-2, (1+level)/2)
	}
	rr := muW / muO
	h := q * math.Sqrt(phi*(1/float64(a)+1/float64(b)))
	return Estimate{Value: rr, Low: rr * math.Exp(-h), High: rr * math.Exp(h), Level: level, Coverage: level, Method: MethodRateRatio, N1: ma, N2: mb}, phi
}

// quasiPoissonDispersion estimates the dispersion of counts y around their
// fitted means mu(i) with p fitted parameters by Pearson's statistic,
//
//	φ = Σ (y_i − μ_i)² / μ_i / (n − p)
//
// (McCullagh & Nelder, "Generalized Linear Models", 2nd ed., 1989),
// and returns it clamped at 1: counts that cluster (falls do) vary more
// than Poisson counts, and a Poisson interval is then too narrow by √φ;
// counts that vary less never narrow it. It is 1 when n ≤ p, and when it
// exceeds 1 by no more than rounding error (relative 1e-9): Pearson's χ²
// of exactly n − p, as 5 over 5, can sum to a hair above it, which must
// not switch the interval from z to t. Every μ_i must be positive.
func quasiPoissonDispersion(y []float64, mu func(int) float64, p int) float64 {
	if len(y) <= p {
		return 1
	}
	x2 := 0.0
	for i, v := range y {
		m := mu(i)
		x2 += (v - m) * (v - m) / m
	}
	phi := x2 / float64(len(y)-p)
	if phi <= 1+dispersionTol {
		return 1
	}
	return phi
}

// dispersionTol is how far above 1 a dispersion counts as 1: rounding
// error of a sum of a few hundred terms is below 1e-13.
const dispersionTol = 1e-9

func waldWords(phi float64, months int) string {
	if phi > 1 {
		return fmt.Sprintf("Poisson Wald widened for overdispersion, φ = %.2f, t with %d df", phi, months-2)
	}
	return "Poisson Wald"
}
