package insights

import (
	"math"
	"math/rand/v2"
	"time"
)

// Test schedules of synthetic timelines.
const (
	ScheduleDaily        = "daily"
	ScheduleThreePerWeek = "3_per_week"
	ScheduleWeekly       = "weekly"
)

// Onset kinds of synthetic timelines.
const (
	OnsetNone    = "none"    // stable person
	OnsetStep    = "step"    // sudden lasting worsening
	OnsetGradual = "gradual" // linear worsening over RampDays, then lasting
)

// SynthConfig describes synthetic Timed 25-Foot Walk timelines for
// evaluating the alert rule. Every effect multiplies the walk time, so a
// size of 0.25 is a 25 % longer time. The defaults (DefaultSynthConfig)
// are chosen to be realistic, not flattering; docs/INSIGHTS.md gives the
// reasons.
type SynthConfig struct {
	Start time.Time `json:"start"`
	Days  int       `json:"days"`
	// Schedule and Adherence: which days a test is planned and the chance
	// it is done.
	Schedule  string  `json:"schedule"`
	Adherence float64 `json:"adherence"`
	// BaseMin, BaseMax: range of the true usual T25FW time (s).
	BaseMin float64 `json:"base_min"`
	BaseMax float64 `json:"base_max"`
	// NoiseCVMin, NoiseCVMax: range of the person's test-to-test noise
	// (SD of the log time).
	NoiseCVMin float64 `json:"noise_cv_min"`
	NoiseCVMax float64 `json:"noise_cv_max"`
	// DayCV and DayRho: day-to-day variation of the true level, an AR(1)
	// process on the log scale with stationary SD DayCV and lag-1
	// correlation DayRho.
	DayCV  float64 `json:"day_cv"`
	DayRho float64 `json:"day_rho"`
	// HeatSensitive is the share of people whose walking worsens in heat;
	// HeatWavesPerSummer hot spells of 1–5 days fall in June–August, each
	// worsening by U(HeatEffectMin, HeatEffectMax) for heat-sensitive
	// people.
	HeatSensitive      float64 `json:"heat_sensitive"`
	HeatWavesPerSummer float64 `json:"heat_waves_per_summer"`
	HeatEffectMin      float64 `json:"heat_effect_min"`
	HeatEffectMax      float64 `json:"heat_effect_max"`
	// PseudoPerYear pseudo-relapses (infection or fever) of 2–6 days, each
	// worsening by U(PseudoEffectMin, PseudoEffectMax).
	PseudoPerYear   float64 `json:"pseudo_per_year"`
	PseudoEffectMin float64 `json:"pseudo_effect_min"`
	PseudoEffectMax float64 `json:"pseudo_effect_max"`
	// StressProb days with stress, each worsening by StressEffect.
	StressProb   float64 `json:"stress_prob"`
	StressEffect float64 `json:"stress_effect"`
	// DiaryRecall is the chance that a day with heat, infection or stress
	// is recorded in the diary.
	DiaryRecall float64 `json:"diary_recall"`
	// Onset, OnsetSize and RampDays: the true worsening; its day is drawn
	// uniformly from [OnsetEarliest, Days − OnsetLatestBeforeEnd].
	Onset                string  `json:"onset"`
	OnsetSize            float64 `json:"onset_size"`
	RampDays             int     `json:"ramp_days"`
	OnsetEarliest        int     `json:"onset_earliest"`
	OnsetLatestBeforeEnd int     `json:"onset_latest_before_end"`
}

// DefaultSynthConfig returns the default synthetic population: two years
// of daily tests from 1 January 2024, 85 % adherence, usual T25FW time
// 4.5–10 s, test noise 4–9 %, day-to-day variation 3 % (AR(1), ρ = 0.7),
// 60 % heat-sensitive with three 1–5-day hot spells a summer worsening by
// 3–15 %, half a pseudo-relapse a year worsening by 10–30 % for 2–6 days,
// stress on 5 % of days (+3 %), 80 % of trigger days recorded, and no
// true worsening.
func DefaultSynthConfig() SynthConfig {
	return SynthConfig{
		Start: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Days: 730,
		Schedule: ScheduleDaily, Adherence: 0.85,
		BaseMin: 4.5, BaseMax: 10,
		NoiseCVMin: 0.04, NoiseCVMax: 0.09,
		DayCV: 0.03, DayRho: 0.7,
		HeatSensitive: 0.6, HeatWavesPerSummer: 3, HeatEffectMin: 0.03, HeatEffectMax: 0.15,
		PseudoPerYear: 0.5, PseudoEffectMin: 0.10, PseudoEffectMax: 0.30,
		StressProb: 0.05, StressEffect: 0.03,
		DiaryRecall: 0.8,
		Onset:       OnsetNone, OnsetSize: 0.25, RampDays: 90, OnsetEarliest: 120, OnsetLatestBeforeEnd: 200,
	}
}

// Timeline is one synthetic person.
type Timeline struct {
	Metric       string        `json:"metric"` // "t25fw_time_s"
	Observations []Observation `json:"observations"`
	Diary        []DayContext  `json:"diary"`
	// Onset is the day the true worsening starts (nil when stable).
	Onset     *time.Time `json:"onset,omitempty"`
	OnsetKind string     `json:"onset_kind"`
	OnsetSize float64    `json:"onset_size"`
	End       time.Time  `json:"end"`
	// UsualTime is the person's true usual T25FW time (s).
	UsualTime float64 `json:"usual_time"`
	NoiseCV   float64 `json:"noise_cv"`
	// PseudoDays and HeatDays are the true trigger days (recorded or
	// not), as day offsets from the start.
	PseudoDays []int `json:"pseudo_days,omitempty"`
	HeatDays   []int `json:"heat_days,omitempty"`
}

func uniform(r *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }

// poisson draws a Poisson variate by inversion (small means only).
func poisson(r *rand.Rand, mean float64) int {
	L := math.Exp(-mean)
	k, p := 0, 1.0
	for {
		p *= r.Float64()
		if p <= L {
			return k
		}
		k++
	}
}

// SyntheticTimeline draws one person from cfg with the random source r
// (use a seeded PCG for reproducible results).
func SyntheticTimeline(cfg SynthConfig, r *rand.Rand) Timeline {
	n := cfg.Days
	tl := Timeline{Metric: "t25fw_time_s", OnsetKind: cfg.Onset, OnsetSize: cfg.OnsetSize, End: cfg.Start.AddDate(0, 0, n)}
	tl.UsualTime = uniform(r, cfg.BaseMin, cfg.BaseMax)
	tl.NoiseCV = uniform(r, cfg.NoiseCVMin, cfg.NoiseCVMax)
	logEff := make([]float64, n) // additive effects on the log time
	heat := make([]bool, n)
	infection := make([]bool, n)
	stress := make([]bool, n)

	// Hot spells in June–August.
	heatSensitive := r.Float64() < cfg.HeatSensitive
	for d := 0; d < n; {
		day := cfg.Start.AddDate(0, 0, d)
		if day.Month() != time.June || day.Day() != 1 {
			d++
			continue
		}
		summerLen := 92
		for k := poisson(r, cfg.HeatWavesPerSummer); k > 0; k-- {
			s := d + r.IntN(summerLen)
			length := 1 + r.IntN(5)
			eff := 0.0
			if heatSensitive {
				eff = math.Log1p(uniform(r, cfg.HeatEffectMin, cfg.HeatEffectMax))
			}
			for i := s; i < s+length && i < n; i++ {
				if !heat[i] {
					heat[i] = true
					tl.HeatDays = append(tl.HeatDays, i)
					logEff[i] += eff
				}
			}
		}
		d += summerLen
	}
	// Pseudo-relapses.
	for k := poisson(r, cfg.PseudoPerYear*float64(n)/365.25); k > 0; k-- {
		s := r.IntN(n)
		length := 2 + r.IntN(5)
		eff := math.Log1p(uniform(r, cfg.PseudoEffectMin, cfg.PseudoEffectMax))
		for i := s; i < s+length && i < n; i++ {
			if !infection[i] {
				infection[i] = true
				tl.PseudoDays = append(tl.PseudoDays, i)
				logEff[i] += eff
			}
		}
	}
	for i := 0; i < n; i++ {
		if r.Float64() < cfg.StressProb {
			stress[i] = true
			logEff[i] += math.Log1p(cfg.StressEffect)
		}
	}
	// True worsening.
	onset := -1
	if cfg.Onset == OnsetStep || cfg.Onset == OnsetGradual {
		lo, hi := cfg.OnsetEarliest, n-cfg.OnsetLatestBeforeEnd
		if hi <= lo {
			hi = lo + 1
		}
		onset = lo + r.IntN(hi-lo)
		t := cfg.Start.AddDate(0, 0, onset)
		tl.Onset = &t
		for i := onset; i < n; i++ {
			f := 1.0
			if cfg.Onset == OnsetGradual && cfg.RampDays > 0 {
				f = math.Min(1, float64(i-onset+1)/float64(cfg.RampDays))
			}
			logEff[i] += math.Log1p(cfg.OnsetSize * f)
		}
	}
	// Diary.
	for i := 0; i < n; i++ {
		var c DayContext
		rec := false
		if heat[i] && r.Float64() < cfg.DiaryRecall {
			c.Heat, rec = true, true
		}
		if infection[i] && r.Float64() < cfg.DiaryRecall {
			c.Infection, rec = true, true
		}
		if stress[i] && r.Float64() < cfg.DiaryRecall {
			c.Stress, rec = true, true
		}
		if rec {
			c.Date = cfg.Start.AddDate(0, 0, i)
			tl.Diary = append(tl.Diary, c)
		}
	}
	// Tests.
	x := r.NormFloat64() * cfg.DayCV
	innov := cfg.DayCV * math.Sqrt(1-cfg.DayRho*cfg.DayRho)
	logBase := math.Log(tl.UsualTime)
	for i := 0; i < n; i++ {
		if i > 0 {
			x = cfg.DayRho*x + innov*r.NormFloat64()
		}
		planned := false
		switch cfg.Schedule {
		case ScheduleWeekly:
			planned = i%7 == 0
		case ScheduleThreePerWeek:
			planned = i%7 == 0 || i%7 == 2 || i%7 == 4
		default:
			planned = true
		}
		if !planned || r.Float64() >= cfg.Adherence {
			continue
		}
		at := cfg.Start.AddDate(0, 0, i).Add(time.Duration(8*60+r.IntN(240)) * time.Minute)
		v := math.Exp(logBase + x + logEff[i] + tl.NoiseCV*r.NormFloat64())
		tl.Observations = append(tl.Observations, Observation{At: at, Value: v, TestType: "t25fw", Device: "none", ID: int64(i + 1)})
	}
	return tl
}
