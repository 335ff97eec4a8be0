package synth

import (
	"math"
	"testing"
)

func TestWalkTruth(t *testing.T) {
	rec, tr := Walk(WalkParams{StandBeforeS: 2, WalkS: 10, StandAfterS: 2, CadenceSPM: 120, StepLengthM: 0.7, Seed: 1})
	// 10 s of walking at 2 steps/s, the first contact half a step in
	if tr.Steps < 19 || tr.Steps > 21 {
		t.Errorf("%d steps in 10 s at 120 steps/min", tr.Steps)
	}
	if math.Abs(tr.CadenceSPM-120) > 1e-9 || math.Abs(tr.WalkingSpeedMPS-1.4) > 1e-9 || math.Abs(tr.StrideLengthM-1.4) > 1e-9 {
		t.Errorf("truth %+v", tr)
	}
	// the pendulum's excursion for L = 0.7 m, l = 0.93 m
	if want := 0.93 - math.Sqrt(0.93*0.93-0.35*0.35); math.Abs(tr.VerticalRangeM-want) > 1e-12 {
		t.Errorf("h = %v, want %v", tr.VerticalRangeM, want)
	}
	if n := len(rec.Samples); n != 1401 || !rec.Gyro {
		t.Errorf("%d samples, gyro %v", n, rec.Gyro)
	}
	// at rest the sensor reads +g on its up axis, and nothing else
	s := rec.Samples[10].AccMS2
	if math.Abs(s[2]-G) > 1e-9 || math.Abs(s[0]) > 1e-9 || math.Abs(s[1]) > 1e-9 {
		t.Errorf("at rest: %v", s)
	}
	// rotating the sensor keeps the magnitude of gravity
	rot, _ := Walk(WalkParams{StandBeforeS: 1, RollDeg: 30, PitchDeg: 40, YawDeg: 50, Seed: 1})
	if g := rot.Samples[5].AccMS2.Norm(); math.Abs(g-G) > 1e-9 {
		t.Errorf("rotated |g| = %v", g)
	}
	// same seed, same recording
	a, _ := Walk(WalkParams{WalkS: 5, NoiseMS2: 0.1, StepTimeCV: 0.05, Seed: 7})
	b, _ := Walk(WalkParams{WalkS: 5, NoiseMS2: 0.1, StepTimeCV: 0.05, Seed: 7})
	for i := range a.Samples {
		if a.Samples[i] != b.Samples[i] {
			t.Fatal("not deterministic")
		}
	}
}

func TestStandRMS(t *testing.T) {
	rec := Stand(StandParams{DurationS: 60, SwayAPMS2: 0.1, SwayMLMS2: 0.05, Seed: 2})
	var ap, ml float64
	for _, s := range rec.Samples {
		ap += s.AccMS2[0] * s.AccMS2[0]
		ml += s.AccMS2[1] * s.AccMS2[1]
	}
	n := float64(len(rec.Samples))
	if math.Abs(math.Sqrt(ap/n)-0.1) > 1e-9 || math.Abs(math.Sqrt(ml/n)-0.05) > 1e-9 {
		t.Errorf("RMS %v %v", math.Sqrt(ap/n), math.Sqrt(ml/n))
	}
}

func TestSitToStandTruth(t *testing.T) {
	rec, tr := SitToStand(SitToStandParams{SitBeforeS: 2, SitAfterS: 2, Seed: 3})
	if len(tr.Reps) != 5 {
		t.Fatalf("%d repetitions", len(tr.Reps))
	}
	// each repetition: lean 0.4 + rise 1.0 + stand 0.3 + sit 1.2 = 2.9 s,
	// with 0.1 s seated between
	if math.Abs(tr.Reps[0].DurationS-2.9) > 1e-9 || math.Abs(tr.TotalS-(5*2.9+4*0.1)) > 1e-9 {
		t.Errorf("truth %+v", tr)
	}
	// double-integrating the vertical specific force over a rise gives the
	// sensor's rise: check the rise reaches 0.45 m
	v, z, maxZ := 0.0, 0.0, 0.0
	dt := 0.01
	for _, s := range rec.Samples {
		if s.TimeS < tr.Reps[0].StartS || s.TimeS > tr.Reps[0].StandS {
			continue
		}
		a := s.AccMS2.Norm() - G // magnitude: independent of the lean
		v += a * dt
		z += v * dt
		maxZ = math.Max(maxZ, z)
	}
	if math.Abs(maxZ-0.45) > 0.03 {
		t.Errorf("rise %.3f m, want 0.45", maxZ)
	}
}
