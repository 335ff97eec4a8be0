package assess

import (
	"testing"

	"legwork/gait"
	"legwork/synth"
)

// Each guided test on its own recording, at 100 Hz. The budget is the gait
// core's: 1 ms per 2 minutes of data on one core (run with -cpu 1).

func benchTest(b *testing.B, test Test, rec *gait.Recording, opt Options) {
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		o, err := RunRecording(test, rec, opt)
		if err != nil {
			b.Fatal(err)
		}
		if !o.Valid {
			b.Fatalf("invalid: %+v", o.Problems)
		}
	}
}

func BenchmarkT25FW(b *testing.B) {
	w1, _ := synth.Walk(synth.WalkParams{StandBeforeS: 4, WalkS: 7, StandAfterS: 4, Seed: 1})
	w2, _ := synth.Walk(synth.WalkParams{WalkS: 7, StandAfterS: 4, Seed: 2})
	benchTest(b, T25FW, concat(w1, w2), lowerBack)
}

func BenchmarkWalk2Min(b *testing.B) {
	rec, _ := synth.Walk(synth.WalkParams{StandBeforeS: 2, WalkS: 120, StandAfterS: 2, Seed: 3, Turns: []synth.TurnSpec{{StartS: 60, DurationS: 2, AngleDeg: 180}}})
	benchTest(b, Walk2Min, rec, lowerBack)
}

func BenchmarkUTurn(b *testing.B) {
	var turns []synth.TurnSpec
	for t := 6.0; t < 60; t += 8 {
		turns = append(turns, synth.TurnSpec{StartS: t, DurationS: 2, AngleDeg: 180})
	}
	rec, _ := synth.Walk(synth.WalkParams{StandBeforeS: 2, WalkS: 60, StandAfterS: 2, Seed: 4, Turns: turns})
	benchTest(b, UTurn, rec, lowerBack)
}

func BenchmarkBalance(b *testing.B) {
	rec := concat(synth.Stand(synth.StandParams{DurationS: 30, Seed: 5}), synth.Stand(synth.StandParams{DurationS: 30, SwayAPMS2: 0.15, Seed: 6}))
	benchTest(b, Balance, rec, lowerBack)
}

func BenchmarkSTS5(b *testing.B) {
	rec, _ := synth.SitToStand(synth.SitToStandParams{SitBeforeS: 3, SitAfterS: 3, Seed: 7})
	benchTest(b, STS5, rec, lowerBack)
}
