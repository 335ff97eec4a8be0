package gait

import (
	"math"
	"slices"

	"legwork/dsp"
)

// StepDetector finds the initial contacts (heel strikes, of either foot) in a
// body-frame signal and appends their times, in seconds on the recording's
// clock and in increasing order, to dst.
type StepDetector interface {
	InitialContacts(b *Body, dst []float64) []float64
}

// WeakStepDetector is a StepDetector that can also list the weaker
// candidates it rejected, in time order: events that look like a step but
// are too faint to count on their own. The pipeline uses them only where
// the walking pattern predicts a step — the closing step at the end of a
// bout, which barely moves the trunk.
type WeakStepDetector interface {
	StepDetector
	// Contacts returns, from one pass over the signal, the initial
	// contacts, the weak candidates, and the faint ones: weaker still,
	// trusted only between two contacts whose rhythm predicts a step there.
	Contacts(b *Body, dst, weak, faint []float64) ([]float64, []float64, []float64)
}

// StepSignal selects the acceleration a StepDetector works on.
type StepSignal int

const (
	// Vertical uses the acceleration along gravity (trunk placements).
	Vertical StepSignal = iota
	// Magnitude uses the norm of the acceleration, which does not depend on
	// the orientation estimate (phones that swing or tumble).
	Magnitude
)

// TrunkVelocityIC detects initial contacts from the vertical velocity of the
// sensor, then times each contact on the heel-strike impact.
//
// During walking the centre of mass rises over the stance leg and falls
// towards the next foot; the fall is stopped at initial contact, so the
// downward velocity peaks once per step just before the contact (Zijlstra &
// Hof, "Assessment of spatio-temporal gait parameters from trunk
// accelerations during human walking", Gait Posture 18:1–10, 2003; McCamley et
// al., "An enhanced estimate of initial contact and final contact instants of
// time using lower trunk inertial sensor data", Gait Posture 36:316–318, 2012,
// integrate the vertical acceleration for the same reason).
//
//  1. v(t) = HP₀.₅(∫ LP_band(a_v) dt): the step-band vertical velocity.
//  2. Each local minimum of v at least MinStepS from a deeper one, deeper than
//     RelThreshold × the RMS of v over the surrounding 2 s and deeper than
//     MinVelocityMPS, marks one step.
//  3. The contact is timed on the rise of the impact-band acceleration
//     LP_impact(a_v) that follows: the time it crosses halfway between its
//     minimum before and its maximum after the velocity minimum (within
//     −0.10…+0.20 s), interpolated between samples. This "mid-rise" timing
//     needs no fitted offset.
type TrunkVelocityIC struct {
	Signal         StepSignal
	StepBandHz     float64 // low-pass cut-off before integration
	ImpactBandHz   float64 // low-pass cut-off for the impact timing
	MinStepS       float64 // shortest step accepted
	RelThreshold   float64 // depth relative to the local RMS of v
	MinVelocityMPS float64 // absolute depth floor, rejects standing sway
	// WeakMinVelocityMPS is the depth floor for faint candidates: velocity
	// minima shallower than MinVelocityMPS (0: none are listed). Small
	// steps while turning on the spot barely move the trunk down; a faint
	// candidate counts only inside a gap between two contacts, where the
	// rhythm on both sides predicts a step.
	WeakMinVelocityMPS float64
	// MinImpactRatio rejects a candidate whose heel-strike rise (the
	// impact-band acceleration's maximum minus its preceding minimum) is
	// below this fraction of the median rise of its neighbours (±5
	// candidates): shifts of weight before the first step and after the
	// last move the trunk down and up without an impact. 0 disables.
	MinImpactRatio float64
}

// InitialContacts implements StepDetector.
func (d TrunkVelocityIC) InitialContacts(b *Body, dst []float64) []float64 {
	strong, _, _ := d.detect(b, dst, nil, nil, false)
	return strong
}

// Contacts implements WeakStepDetector; the weak candidates are velocity
// minima deeper than MinVelocityMPS that failed the relative-depth or
// impact test, the faint ones minima between WeakMinVelocityMPS and
// MinVelocityMPS deep.
func (d TrunkVelocityIC) Contacts(b *Body, dst, weak, faint []float64) ([]float64, []float64, []float64) {
	return d.detect(b, dst, weak, faint, true)
}

func (d TrunkVelocityIC) detect(b *Body, dst, weak, faint []float64, wantWeak bool) ([]float64, []float64, []float64) {
	n := b.Len()
	if n < 8 {
		return dst, weak, faint
	}
	fs := b.SampleRateHz
	sig := b.VertMS2
	if d.Signal == Magnitude {
		sig = b.MagMS2
	}
	w := newWork(b.scratchOf(4*n+64), n)
	lp := dsp.MustButterworth(4, d.StepBandHz, fs, dsp.LowPass)
	hp := dsp.MustButterworth(2, 0.5, fs, dsp.HighPass)
	x := lp.FiltFilt(w.a, sig, w.scratch)
	v := dsp.CumTrapz(w.b, x, 1/fs)
	v = hp.FiltFilt(v, v, w.scratch)
	// negative velocity (in place: v is not needed any more), and its
	// local mean square over 2 s
	sq := w.c
	for i, x := range v {
		sq[i] = x * x
		v[i] = -x
	}
	neg := v
	ms := dsp.MovingMean(sq, sq, int(2*fs))
	floor := d.MinVelocityMPS
	if wantWeak && d.WeakMinVelocityMPS > 0 {
		floor = min(floor, d.WeakMinVelocityMPS)
	}
	peaks := dsp.Peaks(w.idx[:0], neg, floor, int(d.MinStepS*fs))
	// impact-band acceleration reuses the x buffer
	imp := dsp.MustButterworth(2, d.ImpactBandHz, fs, dsp.LowPass).FiltFilt(w.a, sig, w.scratch)
	before := int(0.10 * fs)
	after := int(0.20 * fs)
	start := len(dst)
	var rise []float64
	for _, i := range peaks {
		if neg[i] < d.MinVelocityMPS {
			at, _ := midRise(imp, i, before, after)
			faint = append(faint, b.TimeOf(at))
			continue
		}
		if neg[i] < d.RelThreshold*math.Sqrt(ms[i]) {
			if wantWeak {
				at, _ := midRise(imp, i, before, after)
				weak = append(weak, b.TimeOf(at))
			}
			continue
		}
		at, r := midRise(imp, i, before, after)
		dst = append(dst, b.TimeOf(at))
		rise = append(rise, r)
	}
	if d.MinImpactRatio > 0 && len(rise) > 2 {
		out := dst[:start]
		cands := append([]float64(nil), dst[start:]...)
		win := make([]float64, 0, 11)
		for k, t := range cands {
			win = win[:0]
			for j := max(k-5, 0); j <= min(k+5, len(rise)-1); j++ {
				if j != k {
					win = append(win, rise[j])
				}
			}
			if rise[k] >= d.MinImpactRatio*dsp.QuantileInPlace(win, 0.5) { // win is scratch
				out = append(out, t)
			} else if wantWeak {
				weak = append(weak, t)
			}
		}
		dst = out
	}
	slices.Sort(weak)
	slices.Sort(faint)
	return dst, weak, faint
}

// midRise returns the fractional index at which x crosses halfway between
// its maximum in [i, i+after) and the minimum preceding that maximum (no
// earlier than i−before), and the size of that rise.
func midRise(x []float64, i, before, after int) (float64, float64) {
	lo := max(i-before, 0)
	hi := min(i+after, len(x))
	mx := i
	for k := i; k < hi; k++ {
		if x[k] > x[mx] {
			mx = k
		}
	}
	mn := mx
	for k := mx; k >= lo; k-- {
		if x[k] < x[mn] {
			mn = k
		}
	}
	half := 0.5 * (x[mn] + x[mx])
	rise := x[mx] - x[mn]
	c := mn
	for c < mx && x[c] < half {
		c++
	}
	if c > mn && x[c] != x[c-1] {
		return float64(c-1) + (half-x[c-1])/(x[c]-x[c-1]), rise
	}
	return float64(c), rise
}

// work holds scratch buffers for one analysis pass, in buf (at least
// 4n+64 long).
type work struct {
	a, b, c, scratch []float64
	idx              []int
}

func newWork(buf []float64, n int) *work {
	w := &work{
		a: buf[0:n:n], b: buf[n : 2*n : 2*n], c: buf[2*n : 3*n : 3*n],
		scratch: buf[3*n:],
		idx:     make([]int, 0, n/20+16),
	}
	return w
}
