package synth

import (
	"math"
	"math/rand/v2"

	"legwork/gait"
)

// StandParams describe quiet standing recorded at the lower back.
type StandParams struct {
	SampleRateHz float64 // default 100
	DurationS    float64
	// SwayAPMS2 and SwayMLMS2 are the RMS of the horizontal sway
	// acceleration, forward-backward and sideways (defaults 0.08, 0.05).
	SwayAPMS2, SwayMLMS2 float64
	// SwayHz is the centre frequency of the sway (default 0.4 Hz).
	SwayHz float64
	// NoiseMS2 is white sensor noise.
	NoiseMS2 float64
	// StepAtS, when positive, adds a step (a loss of balance) at that time.
	StepAtS float64
	// RollDeg, PitchDeg, YawDeg rotate the sensor (see WalkParams).
	RollDeg, PitchDeg, YawDeg float64
	NoGyro                    bool
	Seed                      uint64
}

// Stand generates quiet standing: the sway is narrow-band noise around
// SwayHz (a second-order resonator driven by white noise), scaled to the
// requested RMS in each direction. The body frame is x forward, y left,
// z up; with no rotation the sensor's z axis is vertical and its x axis
// points forward.
func Stand(p StandParams) *gait.Recording {
	if p.SampleRateHz == 0 {
		p.SampleRateHz = 100
	}
	if p.SwayAPMS2 == 0 {
		p.SwayAPMS2 = 0.08
	}
	if p.SwayMLMS2 == 0 {
		p.SwayMLMS2 = 0.05
	}
	if p.SwayHz == 0 {
		p.SwayHz = 0.4
	}
	rng := rand.New(rand.NewPCG(p.Seed, 0x57a9d))
	n := int(p.DurationS*p.SampleRateHz) + 1
	ap := resonator(rng, n, p.SwayHz, p.SampleRateHz)
	ml := resonator(rng, n, p.SwayHz*1.3, p.SampleRateHz)
	scale(ap, p.SwayAPMS2)
	scale(ml, p.SwayMLMS2)
	rot := rotation(p.RollDeg, p.PitchDeg, p.YawDeg)
	rec := &gait.Recording{Gyro: !p.NoGyro, Samples: make([]gait.Sample, n)}
	for k := range n {
		t := float64(k) / p.SampleRateHz
		a := [3]float64{ap[k], ml[k], G}
		var w [3]float64
		if p.StepAtS > 0 && t >= p.StepAtS && t < p.StepAtS+1 {
			// a recovery step: a lurch forward and sideways, then an impact
			x := (t - p.StepAtS) / 1.0
			a[0] += 2.5 * math.Sin(2*math.Pi*x)
			a[1] += 1.5 * math.Sin(math.Pi*x)
			if tau := t - p.StepAtS - 0.6; tau >= 0 {
				a[2] += 4 * pulse(tau, 0.03)
			}
			w[2] += 0.6 * math.Sin(math.Pi*x)
		}
		s := &rec.Samples[k]
		s.TimeS = t
		s.AccMS2 = rot.apply(a)
		for j := range 3 {
			s.AccMS2[j] += p.NoiseMS2 * rng.NormFloat64()
		}
		if !p.NoGyro {
			// sway of the trunk about the ankles: pitch and roll rates
			// proportional to the horizontal accelerations' derivative
			w[1] += ap[k] / G * 2 * math.Pi * p.SwayHz
			w[0] -= ml[k] / G * 2 * math.Pi * p.SwayHz
			s.GyroRPS = rot.apply(w)
		}
	}
	return rec
}

// resonator returns n samples of white noise through a two-pole resonator
// at f Hz (pole radius 0.98 at 100 Hz), with its start-up discarded.
func resonator(rng *rand.Rand, n int, f, fs float64) []float64 {
	r := math.Pow(0.98, 100/fs)
	a1 := -2 * r * math.Cos(2*math.Pi*f/fs)
	a2 := r * r
	warm := int(10 * fs)
	out := make([]float64, n)
	var y1, y2 float64
	for k := -warm; k < n; k++ {
		y := rng.NormFloat64() - a1*y1 - a2*y2
		y2, y1 = y1, y
		if k >= 0 {
			out[k] = y
		}
	}
	return out
}

// scale sets x to zero mean and the given RMS.
func scale(x []float64, rms float64) {
	m := 0.0
	for _, v := range x {
		m += v
	}
	m /= float64(len(x))
	s := 0.0
	for i := range x {
		x[i] -= m
		s += x[i] * x[i]
	}
	s = math.Sqrt(s / float64(len(x)))
	if s == 0 {
		return
	}
	for i := range x {
		x[i] *= rms / s
	}
}
