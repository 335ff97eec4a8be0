// Package synth generates synthetic motion recordings with known answers:
// lower-back walking with a chosen cadence, step length, asymmetry,
// variability, noise, sensor orientation and turns, and quiet standing with
// a chosen sway. legwork's tests use them as known-answer inputs, and the
// demo data is made from them. Everything is seeded: the same parameters give
// the same recording.
//
// The walking model is the inverted pendulum (Zijlstra & Hof, Gait Posture
// 18:1–10, 2003): over each step the trunk rises and falls by
// h = l − √(l² − (L/2)²) for step length L and pendulum length l, here as a
// sinusoid at the step frequency whose lowest point falls 12 % of a step
// after initial contact, plus a short heel-strike impact at each contact;
// forward velocity dips at mid-stance, and the trunk sways sideways once per
// stride.
package synth

import (
	"math"
	"math/rand/v2"

	"legwork/gait"
)

// G is standard gravity in m/s².
const G = 9.80665

// WalkParams describe a synthetic walk recorded at the lower back.
type WalkParams struct {
	SampleRateHz float64 // default 100
	StandBeforeS float64 // quiet standing before the first step
	WalkS        float64 // walking time
	StandAfterS  float64 // quiet standing after the last step
	CadenceSPM   float64 // default 110
	StepLengthM  float64 // default 0.65
	// SensorHeightM is the pendulum length (default 0.93 m, about 0.53 ×
	// 1.75 m body height).
	SensorHeightM float64
	// Asymmetry makes left and right steps differ in duration by this
	// fraction (0.1: one step 10 % longer than the other).
	Asymmetry float64
	// StepTimeCV is the random step-to-step variability of step time (a
	// fraction, e.g. 0.03).
	StepTimeCV float64
	// ImpactMS2 is the peak of the heel-strike impact (default 3).
	ImpactMS2 float64
	// NoiseMS2 is white sensor noise (standard deviation, each axis).
	NoiseMS2 float64
	// NoiseRPS is white gyroscope noise (standard deviation, each axis).
	NoiseRPS float64
	// RollDeg, PitchDeg, YawDeg rotate the sensor relative to the body
	// (applied in that order about the body's forward, left and up axes).
	RollDeg, PitchDeg, YawDeg float64
	// Turns while walking (their steps continue).
	Turns []TurnSpec
	// NoGyro leaves the gyroscope out.
	NoGyro bool
	// JitterS adds Gaussian jitter to the timestamps (irregular sampling).
	JitterS float64
	Seed    uint64
}

// TurnSpec is a turn about the vertical axis.
type TurnSpec struct {
	StartS    float64 // time from the start of the recording
	DurationS float64
	AngleDeg  float64 // positive: counter-clockwise seen from above
}

// Truth is what a synthetic recording contains.
type Truth struct {
	InitialContactsS []float64
	Steps            int
	FirstStepS       float64 // first initial contact
	LastStepS        float64 // last initial contact
	OnsetS           float64 // start of walking motion
	OffsetS          float64 // end of walking motion
	CadenceSPM       float64
	StepTimeS        float64
	StrideLengthM    float64
	WalkingSpeedMPS  float64
	DistanceM        float64
	VerticalRangeM   float64 // h, the trunk's rise and fall per step
	Turns            []TurnSpec
}

func (p *WalkParams) defaults() {
	if p.SampleRateHz == 0 {
		p.SampleRateHz = 100
	}
	if p.CadenceSPM == 0 {
		p.CadenceSPM = 110
	}
	if p.StepLengthM == 0 {
		p.StepLengthM = 0.65
	}
	if p.SensorHeightM == 0 {
		p.SensorHeightM = 0.93
	}
	if p.ImpactMS2 == 0 {
		p.ImpactMS2 = 3
	}
}

// Walk generates a lower-back recording of standing, walking and standing.
func Walk(p WalkParams) (*gait.Recording, Truth) {
	p.defaults()
	rng := rand.New(rand.NewPCG(p.Seed, 0x5eed))
	stepT := 60 / p.CadenceSPM
	l, L := p.SensorHeightM, p.StepLengthM
	h := l - math.Sqrt(l*l-L*L/4)

	// Initial contacts: alternating long/short steps around stepT.
	t0 := p.StandBeforeS + 0.5*stepT // the first step's swing starts at StandBeforeS
	end := p.StandBeforeS + p.WalkS
	var ics []float64
	for t, k := t0, 0; t <= end; k++ {
		ics = append(ics, t)
		d := stepT * (1 + 0.5*p.Asymmetry*float64(1-2*(k%2)))
		if p.StepTimeCV > 0 {
			d *= 1 + p.StepTimeCV*rng.NormFloat64()
		}
		t += d
	}
	tr := Truth{InitialContactsS: ics, Steps: len(ics), VerticalRangeM: h, Turns: p.Turns}
	if len(ics) > 0 {
		tr.FirstStepS, tr.LastStepS = ics[0], ics[len(ics)-1]
		tr.OnsetS = ics[0] - 0.5*stepT
		tr.OffsetS = ics[len(ics)-1] + 0.25*stepT
	}
	if len(ics) > 1 {
		mean := (tr.LastStepS - tr.FirstStepS) / float64(len(ics)-1)
		tr.StepTimeS = mean
		tr.CadenceSPM = 60 / mean
		tr.StrideLengthM = 2 * L
		tr.WalkingSpeedMPS = L / mean
		tr.DistanceM = L * float64(len(ics)-1)
	}

	rot := rotation(p.RollDeg, p.PitchDeg, p.YawDeg)
	total := p.StandBeforeS + p.WalkS + p.StandAfterS
	n := int(total*p.SampleRateHz) + 1
	rec := &gait.Recording{Gyro: !p.NoGyro, Samples: make([]gait.Sample, 0, n)}
	dt := 1 / p.SampleRateHz
	yaw := 0.0 // heading, for rotating the horizontal accelerations
	for k := 0; k < n; k++ {
		t := float64(k) * dt
		// body frame: x forward, y left, z up
		var a, w [3]float64
		a[2] = G
		if i, phase, T := stepAt(ics, t, stepT); i >= 0 {
			// amplitude ramps over the first and last step (gait
			// initiation and termination)
			amp := 1.0
			if i == 0 {
				amp = phase
			}
			if i == len(ics)-1 {
				amp = math.Max(0, 1-phase/0.5)
			}
			om := 2 * math.Pi / T
			// vertical: z = −(h/2)cos(2π(φ−0.12)) → a = (h/2)ω²cos(…)
			a[2] += amp * 0.5 * h * om * om * math.Cos(2*math.Pi*(phase-0.12))
			// heel-strike impact: a 30 ms pulse starting at contact
			if tau := phase * T; tau >= 0 && tau < 0.12 && i > 0 {
				side := 1.0
				if i%2 == 1 {
					side = 1 - p.Asymmetry
				}
				a[2] += side * p.ImpactMS2 * pulse(tau, 0.03)
			}
			// forward: the trunk is slowest when it is highest (mid-stance,
			// phase 0.62), v = v̄ + dv·cos(2π(φ−0.12)), so a = −dv·ω·sin(…):
			// in anti-phase with the vertical velocity
			dv := 0.1 * L / T
			a[0] -= amp * dv * om * math.Sin(2*math.Pi*(phase-0.12))
			// sideways sway once per stride
			sign := 1.0
			if i%2 == 1 {
				sign = -1
			}
			a[1] += amp * sign * 0.8 * math.Sin(math.Pi*phase)
			// trunk rotation: small pitch and yaw oscillations
			w[1] += amp * 0.15 * math.Sin(2*math.Pi*phase)
			w[2] += amp * sign * 0.25 * math.Sin(math.Pi*phase)
		}
		for _, tu := range p.Turns {
			if t >= tu.StartS && t <= tu.StartS+tu.DurationS {
				// raised-cosine angular-rate profile integrating to AngleDeg
				x := (t - tu.StartS) / tu.DurationS
				w[2] += tu.AngleDeg * math.Pi / 180 / tu.DurationS * (1 - math.Cos(2*math.Pi*x))
			}
		}
		yaw += w[2] * dt
		_ = yaw
		var s gait.Sample
		s.TimeS = t
		if p.JitterS > 0 && k > 0 {
			s.TimeS += p.JitterS * rng.NormFloat64()
		}
		s.AccMS2 = rot.apply(a)
		for j := range 3 {
			s.AccMS2[j] += p.NoiseMS2 * rng.NormFloat64()
		}
		if !p.NoGyro {
			s.GyroRPS = rot.apply(w)
			for j := range 3 {
				s.GyroRPS[j] += p.NoiseRPS * rng.NormFloat64()
			}
		}
		rec.Samples = append(rec.Samples, s)
	}
	if p.JitterS > 0 {
		sortSamples(rec.Samples)
	}
	return rec, tr
}

// stepAt returns the index of the step under way at t, its phase in [0,1)
// and its duration; i = −1 outside walking. The step before the first
// contact (the first swing) counts as step 0 with the phase rising to 1.
func stepAt(ics []float64, t, stepT float64) (int, float64, float64) {
	if len(ics) == 0 || t < ics[0]-0.5*stepT || t >= ics[len(ics)-1]+0.5*stepT {
		return -1, 0, 0
	}
	if t < ics[0] {
		return 0, (t - (ics[0] - 0.5*stepT)) / (0.5 * stepT), stepT
	}
	// binary search for the last contact ≤ t
	lo, hi := 0, len(ics)-1
	for lo < hi {
		m := (lo + hi + 1) / 2
		if ics[m] <= t {
			lo = m
		} else {
			hi = m - 1
		}
	}
	T := stepT
	if lo+1 < len(ics) {
		T = ics[lo+1] - ics[lo]
	}
	return lo, (t - ics[lo]) / T, T
}

// pulse is a smooth one-sided impact: x·e^{1−x} with x = τ/width, peak 1 at
// τ = width.
func pulse(tau, width float64) float64 {
	x := tau / width
	return x * math.Exp(1-x)
}

type mat [3][3]float64

func (m mat) apply(v [3]float64) gait.Vec3 {
	var out gait.Vec3
	for i := range 3 {
		out[i] = m[i][0]*v[0] + m[i][1]*v[1] + m[i][2]*v[2]
	}
	return out
}

func (m mat) mul(o mat) mat {
	var r mat
	for i := range 3 {
		for j := range 3 {
			for k := range 3 {
				r[i][j] += m[i][k] * o[k][j]
			}
		}
	}
	return r
}

// rotation returns the matrix taking body-frame vectors to the sensor frame
// for a sensor rotated by roll (about forward), then pitch (about left),
// then yaw (about up), in degrees.
func rotation(rollDeg, pitchDeg, yawDeg float64) mat {
	r, p, y := rollDeg*math.Pi/180, pitchDeg*math.Pi/180, yawDeg*math.Pi/180
	rx := mat{{1, 0, 0}, {0, math.Cos(r), -math.Sin(r)}, {0, math.Sin(r), math.Cos(r)}}
	ry := mat{{math.Cos(p), 0, math.Sin(p)}, {0, 1, 0}, {-math.Sin(p), 0, math.Cos(p)}}
	rz := mat{{math.Cos(y), -math.Sin(y), 0}, {math.Sin(y), math.Cos(y), 0}, {0, 0, 1}}
	// sensor = (Rz·Ry·Rx)ᵀ · body
	m := rz.mul(ry).mul(rx)
	var t mat
	for i := range 3 {
		for j := range 3 {
			t[i][j] = m[j][i]
		}
	}
	return t
}

func sortSamples(s []gait.Sample) {
	// insertion sort: jitter only swaps neighbours
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j].TimeS < s[j-1].TimeS; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
