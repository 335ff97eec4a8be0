package insights

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// num formats v with the metric's decimals and a true minus sign.
func (m MetricInfo) num(v float64) string {
	if m.negligible(v) {
		v = 0 // no "-0.0"
	}
	if v < 0 {
		return "−" + strconv.FormatFloat(-v, 'f', m.Decimals, 64)
	}
	return strconv.FormatFloat(v, 'f', m.Decimals, 64)
}

// negligible reports whether v rounds to zero at the metric's decimals.
func (m MetricInfo) negligible(v float64) bool {
	return math.Abs(v) < 0.5*math.Pow(10, -float64(m.Decimals))
}

// lessThanUnit returns "less than 0.01 m/s" for the metric's precision.
func (m MetricInfo) lessThanUnit() string {
	return "less than " + m.change(math.Pow(10, -float64(m.Decimals)))
}

// ChangeUnit is what follows a difference written s in the metric's unit:
// " m/s", nothing for a metric without a unit, and for a metric in percent
// " percentage points" (" percentage point" after 1): a difference between
// two values in percent is in percentage points.
func (m MetricInfo) ChangeUnit(s string) string {
	switch m.Unit {
	case "":
		return ""
	case "%":
		if s == "1" || s == "−1" {
			return " percentage point"
		}
		return " percentage points"
	}
	return " " + m.Unit
}

// amount formats v with the metric's unit.
func (m MetricInfo) amount(v float64) string {
	s := m.num(v)
	switch m.Unit {
	case "":
		return s
	case "%":
		return s + " %"
	}
	return s + " " + m.Unit
}

// change formats a difference of v in the metric's unit. A difference
// between two values in percent is in percentage points: step-time
// variability from 4.7 % to 5.2 % changed by 0.5 percentage points, which is
// 11 % of 4.7 %.
func (m MetricInfo) change(v float64) string {
	s := m.num(v)
	return s + m.ChangeUnit(s)
}

// bound formats an end of a confidence interval (BoundDecimals).
func (m MetricInfo) bound(v float64) string {
	return MetricInfo{Decimals: BoundDecimals(v, m.Decimals)}.num(v)
}

// BoundDecimals returns the decimals to show an end v of a confidence
// interval with: d, or as many more (up to three) as it takes not to show
// a bound that is not zero as 0. An interval of 0.33 to 4.2 then reads
// "0.3 to 4", not "0 to 4", which would look as if it touched zero while
// the difference is called clear.
func BoundDecimals(v float64, d int) int {
	for extra := 0; extra <= 3; extra++ {
		if math.Abs(v) >= 0.5*math.Pow(10, -float64(d+extra)) {
			return d + extra
		}
	}
	return d
}

// pct formats a percentage: no decimals from 10 % on, one below.
func pct(v float64) string {
	a := math.Abs(v)
	if a >= 9.95 {
		return strconv.FormatFloat(a, 'f', 0, 64) + " %"
	}
	return strconv.FormatFloat(a, 'f', 1, 64) + " %"
}

// sig2 formats a positive ratio with two significant digits and no
// exponent: 6.0, 0.38, 96, 230 (a rate ratio's interval, 0.375 to 227.49,
// is not known to more).
func sig2(v float64) string {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'e', 1, 64), 64) // rounded to 2 digits
	d := 1 - int(math.Floor(math.Log10(math.Abs(r))))
	s := strconv.FormatFloat(r, 'f', max(d, 0), 64)
	if s[0] == '-' {
		s = "−" + s[1:]
	}
	return s
}

// corr formats a correlation with two decimals and a true minus sign:
// −0.32, not -0.32.
func corr(v float64) string {
	s := strconv.FormatFloat(v, 'f', 2, 64)
	switch {
	case s == "-0.00":
		return "0.00"
	case s[0] == '-':
		return "−" + s[1:]
	}
	return s
}

// signedPct formats a percentage with its sign.
func signedPct(v float64) string {
	if v < 0 {
		return "−" + pct(v)
	}
	return "+" + pct(v)
}

// signed formats v with its sign and unit.
func (m MetricInfo) signed(v float64) string {
	if v < 0 {
		return "−" + m.change(-v)
	}
	return "+" + m.change(v)
}

func fdate(t time.Time) string { return t.Format("2 Jan 2006") }

// count gives n with the singular or plural noun: "1 day", "3 days".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func fday(day int) string { return fdate(dayDate(day)) }

// flocal formats the local calendar date in loc of an instant: the day
// the analysis counts it on (test times arrive in UTC from the store).
func flocal(t time.Time, loc *time.Location) string { return fday(DayIndex(t, loc)) }

// moreLess returns the word for a change of sign delta ("faster").
func (m MetricInfo) moreLess(delta float64) string {
	if delta >= 0 {
		return m.More
	}
	return m.Less
}

// judged adds "(better)" or "(worse)" for directional metrics when the
// word itself does not say it.
func (m MetricInfo) judged(delta float64) string {
	w := m.moreLess(delta)
	if m.Neutral || delta == 0 {
		return w
	}
	return w + " (" + m.direction(delta) + ")"
}

// thresholdWords describes a published threshold for a person.
func (m MetricInfo) thresholdWords(t *Threshold, abs float64) string {
	var s string
	if t.Relative {
		s = fmt.Sprintf("the %s change (%s here) known to matter to people with MS", pct(100*t.Amount), m.change(abs))
	} else {
		s = fmt.Sprintf("the %s change known to matter to people with MS", m.change(abs))
	}
	if t.Scaled {
		s += " (scaled from a longer test, so only a rough guide)"
	}
	return s
}

// shortSource returns the first author and year of each source, e.g.
// "Kaufman 2000; Hobart 2013".
func shortSource(src string) string {
	parts := strings.Split(src, ";")
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		p = strings.TrimSpace(p)
		name := p
		if i := strings.IndexAny(p, ", "); i > 0 {
			name = p[:i]
		}
		year := ""
		if i := strings.LastIndex(p, ", "); i >= 0 {
			y := strings.TrimSpace(p[i+2:])
			if len(y) >= 4 {
				year = y[len(y)-4:]
			}
		}
		out = append(out, strings.TrimSpace(name+" "+year))
	}
	return strings.Join(out, "; ")
}

// ciWords formats "0.05 to 0.19" in the metric's unit, as magnitudes in
// the direction of the estimate when the interval does not cross zero.
func (m MetricInfo) ciWords(e Estimate) string {
	lo, hi := e.Low, e.High
	switch {
	case lo >= 0 && hi >= 0:
		return m.bound(lo) + " to " + m.change(hi)
	case lo <= 0 && hi <= 0:
		return m.bound(-hi) + " to " + m.change(-lo)
	}
	l, h := m.bound(-lo), m.bound(hi)
	return fmt.Sprintf("%s %s to %s %s", l+m.ChangeUnit(l), m.Less, h+m.ChangeUnit(h), m.More)
}

// levelWords returns "95 %".
func levelWords(level float64) string {
	return strconv.FormatFloat(100*level, 'f', -1, 64) + " %"
}
