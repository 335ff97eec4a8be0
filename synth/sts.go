package synth

import (
	"math"
	"math/rand/v2"

	"legwork/gait"
)

// SitToStandParams describe a five-times sit-to-stand (or any number of
// repetitions) recorded at the lower back.
type SitToStandParams struct {
	SampleRateHz float64 // default 100
	Reps         int     // default 5
	SitBeforeS   float64 // seated, still, before the first repetition
	SitAfterS    float64 // seated, still, after the last
	// RiseS and SitS are the durations of standing up and sitting down
	// (defaults 1.0 and 1.2 s); each repetition also leans forward first
	// (LeanS, default 0.4 s) and pauses upright (StandS, default 0.3 s).
	RiseS, SitS, LeanS, StandS float64
	// Slowing lengthens each repetition by this fraction of the first
	// (fatigue): repetition i lasts (1 + i·Slowing) times as long.
	Slowing float64
	// RiseM is the sensor's rise from sitting to standing (default 0.45 m).
	RiseM    float64
	LeanDeg  float64 // forward trunk lean when rising (default 35°)
	NoiseMS2 float64
	NoGyro   bool
	Seed     uint64
}

// STSRep is one repetition's true timing.
type STSRep struct {
	StartS    float64 // start of the forward lean
	StandS    float64 // upright, fully standing
	SeatedS   float64 // seated again
	DurationS float64
}

// STSTruth is what a sit-to-stand recording contains.
type STSTruth struct {
	Reps []STSRep
	// TotalS runs from the first movement to seated after the last
	// repetition (Whitney et al., Phys Ther 85:1034–1045, 2005: timing
	// stops when the buttocks touch the chair on the fifth repetition).
	TotalS float64
}

// SitToStand generates repeated sit-to-stand movements: the sensor rises
// by RiseM along a raised-cosine profile while the trunk leans forward and
// straightens, stands briefly, then descends the same way.
func SitToStand(p SitToStandParams) (*gait.Recording, STSTruth) {
	if p.SampleRateHz == 0 {
		p.SampleRateHz = 100
	}
	if p.Reps == 0 {
		p.Reps = 5
	}
	if p.RiseS == 0 {
		p.RiseS = 1.0
	}
	if p.SitS == 0 {
		p.SitS = 1.2
	}
	if p.LeanS == 0 {
		p.LeanS = 0.4
	}
	if p.StandS == 0 {
		p.StandS = 0.3
	}
	if p.RiseM == 0 {
		p.RiseM = 0.45
	}
	if p.LeanDeg == 0 {
		p.LeanDeg = 35
	}
	// timeline of each repetition
	var tr STSTruth
	t := p.SitBeforeS
	type phase struct{ lean0, rise0, rise1, sit0, sit1 float64 }
	var ph []phase
	for i := range p.Reps {
		k := 1 + float64(i)*p.Slowing
		lean, rise, stand, sit := p.LeanS*k, p.RiseS*k, p.StandS*k, p.SitS*k
		x := phase{lean0: t, rise0: t + lean, rise1: t + lean + rise, sit0: t + lean + rise + stand}
		x.sit1 = x.sit0 + sit
		ph = append(ph, x)
		tr.Reps = append(tr.Reps, STSRep{StartS: x.lean0, StandS: x.rise1, SeatedS: x.sit1, DurationS: x.sit1 - x.lean0})
		t = x.sit1 + 0.1*k
	}
	if len(ph) > 0 {
		tr.TotalS = ph[len(ph)-1].sit1 - ph[0].lean0
	}
	total := t + p.SitAfterS
	rng := rand.New(rand.NewPCG(p.Seed, 0x5175))
	n := int(total*p.SampleRateHz) + 1
	rec := &gait.Recording{Gyro: !p.NoGyro, Samples: make([]gait.Sample, n)}
	lean := p.LeanDeg * math.Pi / 180
	for k := range n {
		t := float64(k) / p.SampleRateHz
		var az, pitch, pitchRate float64
		for _, x := range ph {
			switch {
			case t >= x.lean0 && t < x.rise1:
				// lean forward over LeanS, straighten during the rise
				if t < x.rise0 {
					u := (t - x.lean0) / (x.rise0 - x.lean0)
					pitch = lean * (1 - math.Cos(math.Pi*u)) / 2
					pitchRate = lean * math.Pi / (x.rise0 - x.lean0) * math.Sin(math.Pi*u) / 2
				} else {
					u := (t - x.rise0) / (x.rise1 - x.rise0)
					pitch = lean * (1 + math.Cos(math.Pi*u)) / 2
					pitchRate = -lean * math.Pi / (x.rise1 - x.rise0) * math.Sin(math.Pi*u) / 2
					T := x.rise1 - x.rise0
					az = p.RiseM / 2 * (math.Pi / T) * (math.Pi / T) * math.Cos(math.Pi*u)
				}
			case t >= x.sit0 && t < x.sit1:
				u := (t - x.sit0) / (x.sit1 - x.sit0)
				T := x.sit1 - x.sit0
				az = -p.RiseM / 2 * (math.Pi / T) * (math.Pi / T) * math.Cos(math.Pi*u)
				pitch = lean / 2 * math.Sin(math.Pi*u)
				pitchRate = lean / 2 * math.Pi / T * math.Cos(math.Pi*u)
			}
		}
		// specific force in the world frame, seen by a sensor pitched
		// forward by `pitch` about the left (y) axis
		f := [3]float64{0, 0, G + az}
		rot := rotation(0, pitch*180/math.Pi, 0)
		s := &rec.Samples[k]
		s.TimeS = t
		s.AccMS2 = rot.apply(f)
		for j := range 3 {
			s.AccMS2[j] += p.NoiseMS2 * rng.NormFloat64()
		}
		if !p.NoGyro {
			s.GyroRPS = gait.Vec3{0, pitchRate, 0}
		}
	}
	return rec, tr
}
