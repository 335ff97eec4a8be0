package insights

import (
	"math"
	"slices"
	"sort"
	"time"
)

// Observation is one value of one metric from one test, e.g. a Timed
// 25-Foot Walk time. A series is the observations of one metric for one
// person; only observations with the same TestType and Device are ever
// compared with each other.
type Observation struct {
	At       time.Time `json:"at"`
	Value    float64   `json:"value"`
	Device   string    `json:"assistive_device"` // e.g. "none", "cane"
	TestType string    `json:"test_type"`        // e.g. "t25fw", "walk2min"
	ID       int64     `json:"id,omitempty"`     // the assessment, for links
}

// Intervention kinds ([Period.Kind]).
const (
	KindPhysicalTherapy  = "physical_therapy"
	KindHomeExercise     = "home_exercise"
	KindAssistiveDevice  = "assistive_device"
	KindRelapseTreatment = "relapse_treatment" // e.g. a steroid course
	KindMedicationChange = "medication_change"
	KindOther            = "other"
)

// Period is an intervention: something done about the symptoms from Start
// until End (nil while ongoing).
type Period struct {
	ID    int64      `json:"id,omitempty"`
	Kind  string     `json:"kind"`
	Name  string     `json:"name"`
	Start time.Time  `json:"start"`
	End   *time.Time `json:"end,omitempty"`
}

// Trigger names, as in the symptom diary.
const (
	TriggerHeat         = "heat"
	TriggerCold         = "cold"
	TriggerNight        = "night"
	TriggerStress       = "stress"
	TriggerPoorSleep    = "poor_sleep"
	TriggerInfection    = "infection" // infection or fever
	TriggerOverexertion = "overexertion"
)

// Triggers lists the trigger names in the order reports use.
var Triggers = []string{TriggerHeat, TriggerCold, TriggerNight, TriggerStress, TriggerPoorSleep, TriggerInfection, TriggerOverexertion}

// DayContext holds the diary flags of one local calendar day: a flag is
// set when any diary entry of that day names the trigger. Days without an
// entry are taken to be without triggers.
type DayContext struct {
	// Date is any instant of the day; the day is taken in Options.Location.
	Date         time.Time `json:"date"`
	Heat         bool      `json:"heat,omitempty"`
	Cold         bool      `json:"cold,omitempty"`
	Night        bool      `json:"night,omitempty"` // tested or had symptoms at night
	Stress       bool      `json:"stress,omitempty"`
	PoorSleep    bool      `json:"poor_sleep,omitempty"`
	Infection    bool      `json:"infection,omitempty"` // infection or fever
	Overexertion bool      `json:"overexertion,omitempty"`
}

// Has reports whether the day has the named trigger.
func (d DayContext) Has(trigger string) bool {
	switch trigger {
	case TriggerHeat:
		return d.Heat
	case TriggerCold:
		return d.Cold
	case TriggerNight:
		return d.Night
	case TriggerStress:
		return d.Stress
	case TriggerPoorSleep:
		return d.PoorSleep
	case TriggerInfection:
		return d.Infection
	case TriggerOverexertion:
		return d.Overexertion
	}
	return false
}

func (d *DayContext) merge(o DayContext) {
	d.Heat = d.Heat || o.Heat
	d.Cold = d.Cold || o.Cold
	d.Night = d.Night || o.Night
	d.Stress = d.Stress || o.Stress
	d.PoorSleep = d.PoorSleep || o.PoorSleep
	d.Infection = d.Infection || o.Infection
	d.Overexertion = d.Overexertion || o.Overexertion
}

// Fall kinds ([Fall.Kind]).
const (
	FallKindFall     = "fall"
	FallKindNearFall = "near_fall"
)

// Fall is a fall or near-fall from the diary.
type Fall struct {
	At      time.Time `json:"at"`
	Kind    string    `json:"kind"` // "fall" or "near_fall"
	Injured bool      `json:"injured,omitempty"`
}

// DailyValue is the summary of one series on one local calendar day: the
// median of that day's tests. It is the unit every analysis works on.
type DailyValue struct {
	Day   int       `json:"-"`     // days since 1970-01-01 in the local calendar
	At    time.Time `json:"at"`    // time of the day's first test
	Value float64   `json:"value"` // median of the day's tests
	Tests int       `json:"tests"` // number of tests that day
	Night bool      `json:"night"` // a test of the day was at night (local clock)
}

// DayIndex returns the number of days from 1970-01-01 to t's calendar
// date in loc (UTC when nil).
func DayIndex(t time.Time, loc *time.Location) int {
	day, _ := localDaySec(t, loc)
	return day
}

// localDaySec returns the local day index of t in loc and the seconds
// since local midnight.
func localDaySec(t time.Time, loc *time.Location) (day, sec int) {
	if loc == nil {
		loc = time.UTC
	}
	_, off := t.In(loc).Zone()
	s := t.Unix() + int64(off)
	d := s / 86400
	if s%86400 < 0 {
		d--
	}
	return int(d), int(s - d*86400)
}

// dayDate returns UTC midnight of a day index, for display.
func dayDate(day int) time.Time { return time.Unix(int64(day)*86400, 0).UTC() }

// DailyValues groups observations (any order) into daily values, oldest
// first, using the local calendar of loc (UTC when nil). A test counts as
// night-time when its local hour h satisfies h >= nightStart or h <
// nightEnd (pass nightStart = nightEnd to disable). Non-finite values are
// dropped.
func DailyValues(obs []Observation, loc *time.Location, nightStart, nightEnd int) []DailyValue {
	if loc == nil {
		loc = time.UTC
	}
	type obsDay struct {
		day, sec int
		at       time.Time
		v        float64
	}
	o := make([]obsDay, 0, len(obs))
	for _, x := range obs {
		if !math.IsNaN(x.Value) && !math.IsInf(x.Value, 0) {
			day, sec := localDaySec(x.At, loc)
			o = append(o, obsDay{day, sec, x.At, x.Value})
		}
	}
	byTime := func(a, b obsDay) int { return a.at.Compare(b.at) }
	if !slices.IsSortedFunc(o, byTime) {
		slices.SortStableFunc(o, byTime)
	}
	out := make([]DailyValue, 0, len(o))
	var buf []float64
	for i := 0; i < len(o); {
		day := o[i].day
		j := i
		buf = buf[:0]
		night := false
		for j < len(o) && o[j].day == day {
			buf = append(buf, o[j].v)
			if nightStart != nightEnd && isNightHour(o[j].sec/3600, nightStart, nightEnd) {
				night = true
			}
			j++
		}
		out = append(out, DailyValue{Day: day, At: o[i].at, Value: medianInPlace(buf), Tests: j - i, Night: night})
		i = j
	}
	return out
}

func isNightHour(h, start, end int) bool {
	if start < end {
		return h >= start && h < end
	}
	return h >= start || h < end
}

// dayWindow returns the daily values with from <= Day < to.
func dayWindow(days []DailyValue, from, to int) []DailyValue {
	i := sort.Search(len(days), func(k int) bool { return days[k].Day >= from })
	j := sort.Search(len(days), func(k int) bool { return days[k].Day >= to })
	if j < i {
		j = i
	}
	return days[i:j]
}

func values(days []DailyValue) []float64 {
	v := make([]float64, len(days))
	for i, d := range days {
		v[i] = d.Value
	}
	return v
}

// diaryIndex maps day index to the merged diary flags of that day.
type diaryIndex map[int]DayContext

func newDiaryIndex(days []DayContext, loc *time.Location) diaryIndex {
	idx := make(diaryIndex, len(days))
	for _, d := range days {
		k := DayIndex(d.Date, loc)
		c := idx[k]
		c.merge(d)
		c.Date = dayDate(k)
		idx[k] = c
	}
	return idx
}

// sortedKeys returns the day indices of the diary in order.
func (d diaryIndex) sortedKeys() []int {
	k := make([]int, 0, len(d))
	for day := range d {
		k = append(k, day)
	}
	slices.Sort(k)
	return k
}
