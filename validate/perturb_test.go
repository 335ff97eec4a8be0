package validate

import (
	"math"
	"math/rand/v2"
	"testing"

	"legwork/gait"
	"legwork/synth"
)

func TestRandomRotation(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 20000
	var mean [3][3]float64
	for range n {
		m := RandomRotation(rng)
		// orthonormal: MᵀM = I, and a rotation, not a reflection: det M = 1
		for i := range 3 {
			for j := range 3 {
				d := 0.0
				for k := range 3 {
					d += m[k][i] * m[k][j]
				}
				want := 0.0
				if i == j {
					want = 1
				}
				if math.Abs(d-want) > 1e-12 {
					t.Fatalf("MᵀM[%d][%d] = %g, want %g", i, j, d, want)
				}
				mean[i][j] += m[i][j] / n
			}
		}
		det := m[0][0]*(m[1][1]*m[2][2]-m[1][2]*m[2][1]) - m[0][1]*(m[1][0]*m[2][2]-m[1][2]*m[2][0]) + m[0][2]*(m[1][0]*m[2][1]-m[1][1]*m[2][0])
		if math.Abs(det-1) > 1e-12 {
			t.Fatalf("det = %g, want 1", det)
		}
	}
	// Uniform over all rotations (Haar measure), every entry averages 0,
	// with a variance of 1/3 per draw: the mean of 20 000 has a standard
	// deviation of 0.004, so ±0.02 is five of them.
	for i := range 3 {
		for j := range 3 {
			if math.Abs(mean[i][j]) > 0.02 {
				t.Errorf("mean entry [%d][%d] = %.4f, want about 0", i, j, mean[i][j])
			}
		}
	}
}

func TestRotateKeepsLengthsAndAngles(t *testing.T) {
	rec, _ := synth.Walk(synth.WalkParams{Seed: 3, StandBeforeS: 2, WalkS: 8, StandAfterS: 2})
	rot := Rotate(rec, rand.New(rand.NewPCG(4, 5)))
	if len(rot.Samples) != len(rec.Samples) || !rot.Gyro {
		t.Fatalf("got %d samples (gyro %v), want %d with gyro", len(rot.Samples), rot.Gyro, len(rec.Samples))
	}
	moved := 0
	for i, s := range rec.Samples {
		r := rot.Samples[i]
		if r.TimeS != s.TimeS {
			t.Fatalf("sample %d: time %g, want %g", i, r.TimeS, s.TimeS)
		}
		for _, c := range []struct{ got, want float64 }{
			{r.AccMS2.Norm(), s.AccMS2.Norm()},
			{r.GyroRPS.Norm(), s.GyroRPS.Norm()},
			{r.AccMS2.Dot(r.GyroRPS), s.AccMS2.Dot(s.GyroRPS)},
		} {
			if math.Abs(c.got-c.want) > 1e-9 {
				t.Fatalf("sample %d: %g after rotation, %g before", i, c.got, c.want)
			}
		}
		if math.Abs(r.AccMS2[2]-s.AccMS2[2]) > 0.1 {
			moved++
		}
	}
	if moved < len(rec.Samples)/2 {
		t.Errorf("only %d of %d samples changed: not rotated", moved, len(rec.Samples))
	}
}

func TestBin(t *testing.T) {
	// 100 Hz, value = sample index, with the samples of 0.08–0.12 s missing
	rec := &gait.Recording{}
	for i := range 20 {
		if i >= 8 && i < 12 {
			continue
		}
		v := float64(i)
		rec.Samples = append(rec.Samples, gait.Sample{TimeS: float64(i) / 100, AccMS2: gait.Vec3{v, 2 * v, 0}})
	}
	got := Bin(rec, 25)
	// bins of 40 ms: {0,1,2,3}, {4,5,6,7}, {} (8–11 missing), {12..15}, {16..19}
	want := []float64{1.5, 5.5, 13.5, 17.5}
	if len(got.Samples) != len(want) {
		t.Fatalf("got %d samples, want %d", len(got.Samples), len(want))
	}
	for i, w := range want {
		s := got.Samples[i]
		if math.Abs(s.TimeS-w/100) > 1e-12 || math.Abs(s.AccMS2[0]-w) > 1e-12 || math.Abs(s.AccMS2[1]-2*w) > 1e-12 {
			t.Errorf("sample %d = %+v, want time %g and acc %g, %g", i, s, w/100, w, 2*w)
		}
	}
}

func TestIrregular(t *testing.T) {
	// with sensor noise, so that every sample's values are its own
	rec, _ := synth.Walk(synth.WalkParams{Seed: 6, StandBeforeS: 5, WalkS: 50, StandAfterS: 5, NoGyro: true, NoiseMS2: 0.01})
	got := Irregular(rec, 0.3, 0.003, rand.New(rand.NewPCG(7, 8)))
	// 6000 samples kept with probability 0.7: 4200 ± 35 (binomial SD)
	if n := len(got.Samples); n < 4025 || n > 4375 {
		t.Errorf("kept %d of %d samples, want about 70 %%", n, len(rec.Samples))
	}
	j := 0
	for i, s := range got.Samples {
		if i > 0 && s.TimeS < got.Samples[i-1].TimeS {
			t.Fatalf("sample %d at %g before its predecessor at %g", i, s.TimeS, got.Samples[i-1].TimeS)
		}
		// each kept sample is an original one, moved by at most 3 ms
		for j < len(rec.Samples) && rec.Samples[j].AccMS2 != s.AccMS2 {
			j++
		}
		if j == len(rec.Samples) {
			t.Fatalf("sample %d is not one of the original samples in order", i)
		}
		if d := math.Abs(s.TimeS - rec.Samples[j].TimeS); d > 0.003+1e-12 {
			t.Fatalf("sample %d moved by %g s", i, d)
		}
	}
}

func TestNoise(t *testing.T) {
	rec, _ := synth.Walk(synth.WalkParams{Seed: 9, StandBeforeS: 5, WalkS: 50, StandAfterS: 5, NoGyro: true})
	got := Noise(rec, 0.05, 0.01, rand.New(rand.NewPCG(10, 11)))
	var sum, sq float64
	n := 0
	for i, s := range got.Samples {
		for k := range 3 {
			d := s.AccMS2[k] - rec.Samples[i].AccMS2[k]
			sum += d
			sq += d * d
			n++
			if s.GyroRPS[k] != 0 {
				t.Fatalf("noise added to the angular rate of a recording without one")
			}
		}
	}
	mean := sum / float64(n)
	sd := math.Sqrt(sq/float64(n) - mean*mean)
	// 18 000 draws: the SD estimate is within 2 % of 0.05 and the mean
	// within 0.002 of 0 (five standard errors each)
	if math.Abs(sd-0.05) > 0.001 || math.Abs(mean) > 0.002 {
		t.Errorf("added noise: mean %.4f, SD %.4f; want 0 and 0.05", mean, sd)
	}
}

// TestRotatedWalkSameContacts checks the claim the validation report makes
// of the rotated recordings: the analysis does not depend on the sensor's
// orientation.
func TestRotatedWalkSameContacts(t *testing.T) {
	rec, _ := synth.Walk(synth.WalkParams{Seed: 12, StandBeforeS: 3, WalkS: 24, StandAfterS: 3, NoiseMS2: 0.02, Turns: []synth.TurnSpec{{StartS: 12, DurationS: 2, AngleDeg: 180}}})
	opt := gait.Options{Placement: gait.LowerBack, Subject: gait.Subject{HeightM: 1.7}}
	want, err := gait.AnalyzeRecording(rec, opt)
	if err != nil {
		t.Fatal(err)
	}
	for seed := range uint64(5) {
		got, err := gait.AnalyzeRecording(Rotate(rec, rand.New(rand.NewPCG(seed, 13))), opt)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.InitialContactsS) != len(want.InitialContactsS) {
			t.Fatalf("rotation %d: %d contacts, want %d", seed, len(got.InitialContactsS), len(want.InitialContactsS))
		}
		for i, x := range want.InitialContactsS {
			if math.Abs(got.InitialContactsS[i]-x) > 1e-6 {
				t.Fatalf("rotation %d: contact %d at %.6f s, want %.6f s", seed, i, got.InitialContactsS[i], x)
			}
		}
		if d := math.Abs(float64(got.Walking.StrideLengthM - want.Walking.StrideLengthM)); d > 1e-6 {
			t.Errorf("rotation %d: stride length differs by %g m", seed, d)
		}
	}
}
