package dsp

import (
	"math"
	"testing"
)

// Spearman hand example: x = 1…6, y = 2 1 4 3 6 5, Σd² = 6, ρ = 1 −
// 6·6/(6·35) = 0.828571. With ties the Pearson correlation of mid-ranks
// is used: x = 1 2 2 3, y = 1 2 3 4 has ranks 1 2.5 2.5 4 vs 1 2 3 4,
// ρ = 0.948683 (= 4.5/√(4.5·5)).
func TestSpearmanHandExamples(t *testing.T) {
	rho, ok := Spearman([]float64{1, 2, 3, 4, 5, 6}, []float64{2, 1, 4, 3, 6, 5})
	if !ok {
		t.Fatal("not ok")
	}
	if math.Abs(rho-(1-36.0/210)) > 1e-12 {
		t.Errorf("rho %v", rho)
	}
	rho, _ = Spearman([]float64{1, 2, 2, 3}, []float64{1, 2, 3, 4})
	if math.Abs(rho-4.5/math.Sqrt(4.5*5)) > 1e-12 {
		t.Errorf("rho ties %v", rho)
	}
	if _, ok := Spearman([]float64{1, 1, 1}, []float64{1, 2, 3}); ok {
		t.Error("constant x gave a correlation")
	}
}
