package validate

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"

	"legwork/gait"
)

// A Perturbation disturbs a recording the way the devices of legwork's users
// differ from the ones the reference recordings were made with: worn at
// another angle, sampled more slowly, with irregular timestamps, or with a
// noisier sensor. The reference stays on the recording's clock, so the same
// scoring applies. Each is deterministic: the random choices come from a
// generator seeded by the recording's id.
type Perturbation struct {
	Name        string
	Description string
	Apply       func(rec *gait.Recording, rng *rand.Rand) *gait.Recording
}

// NoiseAccMS2 and NoiseGyroRPS are the standard deviations of the white
// noise the "noisy" perturbation adds to each axis. 0.05 m/s² is about five
// times the noise a current phone accelerometer shows at 50 Hz (noise
// density near 150 µg/√Hz); 0.01 rad/s is about five times a phone
// gyroscope's.
const (
	NoiseAccMS2  = 0.05
	NoiseGyroRPS = 0.01
)

// Perturbations returns the disturbances `legwork validate` measures the
// method under, the last of them all at once.
func Perturbations() []Perturbation {
	return []Perturbation{
		{"rotated", "sensor turned to a random orientation (uniform over all rotations), a different one for each recording", Rotate},
		{"25 Hz", "sampled at 25 Hz: each sample the mean of the samples in its 40 ms bin, as a device's own averaging filter would give", func(r *gait.Recording, _ *rand.Rand) *gait.Recording { return Bin(r, 25) }},
		{"irregular", "30 % of the samples dropped at random and the others' timestamps jittered by up to ±3 ms, as a browser's motion events arrive", func(r *gait.Recording, rng *rand.Rand) *gait.Recording { return Irregular(r, 0.3, 0.003, rng) }},
		{"noisy", "white noise added to every axis (0.05 m/s², 0.01 rad/s: about five times a phone sensor's own)", func(r *gait.Recording, rng *rand.Rand) *gait.Recording {
			return Noise(r, NoiseAccMS2, NoiseGyroRPS, rng)
		}},
		{"all four", "all of the above, in that order, so that the 25 Hz samples are thinned to 17.5 a second on average, with gaps of up to a few tenths of a second", func(r *gait.Recording, rng *rand.Rand) *gait.Recording {
			r = Rotate(r, rng)
			r = Bin(r, 25)
			r = Irregular(r, 0.3, 0.003, rng)
			return Noise(r, NoiseAccMS2, NoiseGyroRPS, rng)
		}},
	}
}

// seeded returns the generator for one recording and perturbation.
func seeded(id, perturbation string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(id))
	h.Write([]byte{0})
	h.Write([]byte(perturbation))
	return rand.New(rand.NewPCG(h.Sum64(), 0x9e3779b97f4a7c15))
}

// RandomRotation returns a rotation matrix drawn uniformly over all
// rotations, from a unit quaternion with uniformly distributed components
// (Shoemake, "Uniform random rotations", Graphics Gems III, 1992):
// with u₁, u₂, u₃ uniform on [0, 1),
//
//	q = (√(1−u₁)·sin 2πu₂, √(1−u₁)·cos 2πu₂, √u₁·sin 2πu₃, √u₁·cos 2πu₃).
func RandomRotation(rng *rand.Rand) [3][3]float64 {
	u1, u2, u3 := rng.Float64(), rng.Float64(), rng.Float64()
	a, b := math.Sqrt(1-u1), math.Sqrt(u1)
	x, y := a*math.Sin(2*math.Pi*u2), a*math.Cos(2*math.Pi*u2)
	z, w := b*math.Sin(2*math.Pi*u3), b*math.Cos(2*math.Pi*u3)
	return [3][3]float64{
		{1 - 2*(y*y+z*z), 2 * (x*y - z*w), 2 * (x*z + y*w)},
		{2 * (x*y + z*w), 1 - 2*(x*x+z*z), 2 * (y*z - x*w)},
		{2 * (x*z - y*w), 2 * (y*z + x*w), 1 - 2*(x*x+y*y)},
	}
}

func rotate(m [3][3]float64, v gait.Vec3) gait.Vec3 {
	var out gait.Vec3
	for i := range 3 {
		out[i] = m[i][0]*v[0] + m[i][1]*v[1] + m[i][2]*v[2]
	}
	return out
}

// Rotate returns a copy of rec in a sensor frame turned by a random
// rotation (RandomRotation), the same for acceleration and angular rate.
func Rotate(rec *gait.Recording, rng *rand.Rand) *gait.Recording {
	m := RandomRotation(rng)
	out := &gait.Recording{Gyro: rec.Gyro, Samples: make([]gait.Sample, len(rec.Samples))}
	for i, s := range rec.Samples {
		out.Samples[i] = gait.Sample{TimeS: s.TimeS, AccMS2: rotate(m, s.AccMS2), GyroRPS: rotate(m, s.GyroRPS)}
	}
	return out
}

// Bin returns rec resampled to rateHz by averaging: the samples whose time
// falls in each bin of 1/rateHz seconds become one sample, the mean of their
// times and values. Empty bins give no sample.
func Bin(rec *gait.Recording, rateHz float64) *gait.Recording {
	out := &gait.Recording{Gyro: rec.Gyro}
	var sum gait.Sample
	n := 0
	bin := math.Inf(-1)
	flush := func() {
		if n == 0 {
			return
		}
		k := float64(n)
		s := gait.Sample{TimeS: sum.TimeS / k}
		for j := range 3 {
			s.AccMS2[j] = sum.AccMS2[j] / k
			s.GyroRPS[j] = sum.GyroRPS[j] / k
		}
		out.Samples = append(out.Samples, s)
		sum, n = gait.Sample{}, 0
	}
	for _, s := range rec.Samples {
		if b := math.Floor(s.TimeS * rateHz); b != bin {
			flush()
			bin = b
		}
		sum.TimeS += s.TimeS
		for j := range 3 {
			sum.AccMS2[j] += s.AccMS2[j]
			sum.GyroRPS[j] += s.GyroRPS[j]
		}
		n++
	}
	flush()
	return out
}

// Irregular returns a copy of rec with each sample dropped with probability
// drop and the others' timestamps moved by a uniform amount in
// ±jitterS, then put back in time order.
func Irregular(rec *gait.Recording, drop, jitterS float64, rng *rand.Rand) *gait.Recording {
	out := &gait.Recording{Gyro: rec.Gyro, Samples: make([]gait.Sample, 0, len(rec.Samples))}
	for _, s := range rec.Samples {
		if rng.Float64() < drop {
			continue
		}
		s.TimeS += (2*rng.Float64() - 1) * jitterS
		out.Samples = append(out.Samples, s)
	}
	slices.SortStableFunc(out.Samples, func(a, b gait.Sample) int {
		switch {
		case a.TimeS < b.TimeS:
			return -1
		case a.TimeS > b.TimeS:
			return 1
		}
		return 0
	})
	return out
}

// Noise returns a copy of rec with Gaussian white noise of standard
// deviation accSD (m/s²) and gyroSD (rad/s) added to every axis; the
// angular rate only where the recording has one.
func Noise(rec *gait.Recording, accSD, gyroSD float64, rng *rand.Rand) *gait.Recording {
	out := &gait.Recording{Gyro: rec.Gyro, Samples: make([]gait.Sample, len(rec.Samples))}
	for i, s := range rec.Samples {
		for j := range 3 {
			s.AccMS2[j] += accSD * rng.NormFloat64()
			if rec.Gyro {
				s.GyroRPS[j] += gyroSD * rng.NormFloat64()
			}
		}
		out.Samples[i] = s
	}
	return out
}
