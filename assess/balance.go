package assess

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/dsp/fourier"

	"legwork/dsp"
	"legwork/gait"
)

// BalanceDetail holds the static balance test's conditions.
type BalanceDetail struct {
	Conditions []Sway `json:"conditions"`
	// RombergRatio is the RMS sway with eyes closed over eyes open.
	RombergRatio gait.Value `json:"romberg_ratio"`
	// Axes says how the forward direction was found: "phone" (the screen
	// faces backwards, at the small of the back) or "principal" (the
	// direction of largest sway, for sensors whose axes are unknown).
	Axes string `json:"axes"`
}

// Sway is the sway of one standing trial, from the horizontal acceleration
// of the lower back (Mancini et al., "ISway: a sensitive, valid and reliable
// measure of postural control", J NeuroEng Rehabil 9:59, 2012; definitions
// after Prieto et al., IEEE Trans Biomed Eng 43:956–966, 1996). The signals
// are the forward-backward (AP) and sideways (ML) accelerations, detrended
// and low-passed at 3.5 Hz (zero-phase Butterworth, order 4).
type Sway struct {
	Name   string  `json:"name"`
	StartS float64 `json:"start_s"`
	EndS   float64 `json:"end_s"`
	// Failed is set when the person stepped or lost balance: the trial is
	// not scored (its sway values are NA).
	Failed  bool       `json:"failed"`
	FailAtS gait.Value `json:"fail_at_s"`
	// RMSMS2 is √mean(AP² + ML²); APRMSMS2 and MLRMSMS2 per direction.
	RMSMS2   gait.Value `json:"rms_ms2"`
	APRMSMS2 gait.Value `json:"ap_rms_ms2"`
	MLRMSMS2 gait.Value `json:"ml_rms_ms2"`
	// PathMS2 is the sway path: Σ‖(AP, ML)ᵢ₊₁ − (AP, ML)ᵢ‖ (the total
	// excursion of Prieto's eq. 8, on acceleration).
	PathMS2 gait.Value `json:"path_ms2"`
	// JerkMS3 is the mean magnitude of the jerk: path / duration.
	JerkMS3 gait.Value `json:"jerk_ms3"`
	// EllipseM2S4 is the area of the 95 % confidence ellipse of (AP, ML):
	// π · χ²₀.₉₅(2) · √(λ₁λ₂) with λ the covariance eigenvalues (Schubert &
	// Kirchner, Gait Posture 39:518–522, 2014).
	EllipseM2S4 gait.Value `json:"ellipse_m2s4"`
	// FreqHz is the mean frequency: the centroid of the power spectrum of
	// AP and ML between 0.1 and 3.5 Hz.
	FreqHz gait.Value `json:"mean_freq_hz"`
}

// chi2_95_2 is the 95th percentile of χ² with 2 degrees of freedom.
const chi2_95_2 = 5.991464547107979

// Failure thresholds: quiet standing sways by hundredths to tenths of a m/s²
// at the lower back (0.04–0.21 m/s² RMS on the Konectom phone recordings in
// docs/VALIDATION.md); a step or a loss of balance moves the trunk by metres
// per second squared.
const (
	failHorizMS2 = 1.2 // horizontal acceleration, after the 3.5 Hz low-pass
	failVertMS2  = 2.0 // vertical acceleration, after the 3.5 Hz low-pass
	failGyroRPS  = 1.0 // turning or stepping
)

// runBalance scores static balance (Romberg): stand still, feet together,
// 30 s with eyes open, then 30 s with eyes closed. The primary results are
// the sway path and RMS sway; the secondary ones AP and ML RMS, jerk, the
// 95 % ellipse area, the mean frequency and the eyes-closed/eyes-open ratio.
// A trial in which the person stepped or lost balance is reported as failed
// and not averaged in. With the app's "eyes_open"/"eyes_closed" markers
// those windows are used; without them a recording of 50 s or more is split
// into halves (eyes open first), a shorter one is one eyes-open trial.
func runBalance(o *Outcome, rec *gait.Recording, opt Options) error {
	p := gait.PhonePipeline()
	bodies, stats := p.Segments(rec)
	if len(bodies) == 0 {
		o.problem(ProblemNoRecording, "the recording holds no usable samples")
		return nil
	}
	if stats.NominalRateHz > 0 && stats.NominalRateHz < 15 {
		o.problem(ProblemLowSampleRate, fmt.Sprintf("the motion sensor delivered only %.0f samples per second; keep the app in front and the screen on during the test", stats.NominalRateHz))
	}
	t0, t1 := rec.Samples[0].TimeS, rec.Samples[len(rec.Samples)-1].TimeS
	segs := opt.Segments
	if len(segs) == 0 {
		if t1-t0 >= 50 {
			mid := (t0 + t1) / 2
			segs = []Segment{{"eyes_open", t0, mid}, {"eyes_closed", mid, t1}}
		} else {
			segs = []Segment{{"eyes_open", t0, t1}}
		}
	}
	d := &BalanceDetail{RombergRatio: gait.NA}
	var eo, ec *Sway
	for _, s := range segs {
		sw, axes, msg := sway(bodies, s, opt.PhoneFrame)
		d.Axes = axes
		if msg != "" {
			o.problem(ProblemTooShort, msg)
			continue
		}
		d.Conditions = append(d.Conditions, sw)
		c := &d.Conditions[len(d.Conditions)-1]
		switch s.Name {
		case "eyes_open":
			eo = c
		case "eyes_closed":
			ec = c
		}
	}
	for _, c := range d.Conditions {
		if c.Failed {
			label := "eyes open"
			if c.Name == "eyes_closed" {
				label = "eyes closed"
			}
			msg := fmt.Sprintf("you moved or took a step %.0f s into the %s trial, so it is not scored: stand with your feet together and keep still for the whole 30 s (with someone next to you if you are unsteady)", float64(c.FailAtS)-c.StartS, label)
			if c.Name == "eyes_closed" && eo != nil && !eo.Failed {
				// the eyes-open result stands; the failed trial is itself a finding
				o.note(ProblemFailedTrial, msg)
			} else {
				o.problem(ProblemFailedTrial, msg)
			}
		}
	}
	put := func(prefix string, c *Sway) {
		if c == nil || c.Failed {
			return
		}
		o.put(prefix+"rms_ms2", c.RMSMS2)
		o.put(prefix+"ap_rms_ms2", c.APRMSMS2)
		o.put(prefix+"ml_rms_ms2", c.MLRMSMS2)
		o.put(prefix+"path_ms2", c.PathMS2)
		o.put(prefix+"jerk_ms3", c.JerkMS3)
		o.put(prefix+"ellipse_m2s4", c.EllipseM2S4)
		o.put(prefix+"freq_hz", c.FreqHz)
	}
	put("sway_", eo)
	put("sway_ec_", ec)
	if eo != nil && ec != nil && !eo.Failed && !ec.Failed && eo.RMSMS2 > 0 {
		d.RombergRatio = ec.RMSMS2 / eo.RMSMS2
		o.put("romberg_ratio", d.RombergRatio)
	}
	if eo != nil && ec != nil && ec.Failed {
		o.Metrics["balance_ec_failed"] = 1
	}
	o.Detail = d
	return nil
}

// sway measures one standing trial. It returns a message instead when the
// window is too short to score.
func sway(bodies []*gait.Body, s Segment, phoneFrame bool) (Sway, string, string) {
	sw := Sway{Name: s.Name, StartS: s.StartS, EndS: s.EndS, FailAtS: gait.NA}
	na := func() {
		sw.RMSMS2, sw.APRMSMS2, sw.MLRMSMS2, sw.PathMS2, sw.JerkMS3, sw.EllipseM2S4, sw.FreqHz = gait.NA, gait.NA, gait.NA, gait.NA, gait.NA, gait.NA, gait.NA
	}
	na()
	// the segment holding most of the window; skip the first second
	// (settling after the countdown) and the last half second
	a, c := s.StartS+1, s.EndS-0.5
	var b *gait.Body
	for _, x := range bodies {
		if a >= x.T0S-0.1 && a < x.TimeOf(float64(x.Len()-1)) {
			b = x
			break
		}
	}
	if b == nil || c-a < 10 {
		return sw, "", fmt.Sprintf("the %s trial lasted %.0f s; stand still for the full 30 s", s.Name, math.Max(0, c-a+1.5))
	}
	i0, i1 := b.IndexOf(a), b.IndexOf(c)
	n := i1 - i0 + 1
	if float64(n)/b.SampleRateHz < 10 {
		return sw, "", fmt.Sprintf("the %s trial has only %.0f s of data; keep the app open during the test", s.Name, float64(n)/b.SampleRateHz)
	}
	fs := b.SampleRateHz
	acc := [3][]float64{b.AccMS2[0][i0 : i1+1], b.AccMS2[1][i0 : i1+1], b.AccMS2[2][i0 : i1+1]}
	// mean up direction over the trial (fixed: slow sway must not be
	// absorbed into the gravity estimate)
	var up gait.Vec3
	for k := range 3 {
		up[k] = dsp.Mean(acc[k])
	}
	g := up.Norm()
	for k := range 3 {
		up[k] /= g
	}
	// forward axis
	axes := "principal"
	var apAx gait.Vec3
	if phoneFrame {
		// the screen faces backwards: forward is −z, made horizontal
		e := gait.Vec3{-up[2] * up[0], -up[2] * up[1], 1 - up[2]*up[2]}
		if ne := e.Norm(); ne > 0.5 {
			apAx = gait.Vec3{-e[0] / ne, -e[1] / ne, -e[2] / ne}
			axes = "phone"
		}
	}
	h := [3][]float64{make([]float64, n), make([]float64, n), make([]float64, n)}
	vert := make([]float64, n)
	for i := range n {
		v := gait.Vec3{acc[0][i], acc[1][i], acc[2][i]}
		d := v.Dot(up)
		vert[i] = d - g
		for k := range 3 {
			h[k][i] = v[k] - d*up[k]
		}
	}
	if axes == "principal" {
		apAx = principalAxis(h)
	}
	mlAx := cross(up, apAx)
	ap := make([]float64, n)
	ml := make([]float64, n)
	for i := range n {
		hv := gait.Vec3{h[0][i], h[1][i], h[2][i]}
		ap[i] = hv.Dot(apAx)
		ml[i] = hv.Dot(mlAx)
	}
	lp := dsp.MustButterworth(4, 3.5, fs, dsp.LowPass)
	for _, x := range [][]float64{ap, ml, vert} {
		dsp.Detrend(x)
		lp.FiltFilt(x, x, nil)
	}
	// a step or a loss of balance
	for i := range n {
		gy := 0.0
		if b.GyroNormRPS != nil {
			gy = b.GyroNormRPS[i0+i]
		}
		if math.Hypot(ap[i], ml[i]) > failHorizMS2 || math.Abs(vert[i]) > failVertMS2 || gy > failGyroRPS {
			sw.Failed = true
			sw.FailAtS = gait.Value(b.TimeOf(float64(i0 + i)))
			return sw, axes, ""
		}
	}
	var ss, sap, sml, path float64
	for i := range n {
		sap += ap[i] * ap[i]
		sml += ml[i] * ml[i]
		if i > 0 {
			path += math.Hypot(ap[i]-ap[i-1], ml[i]-ml[i-1])
		}
	}
	ss = sap + sml
	sw.RMSMS2 = gait.Value(math.Sqrt(ss / float64(n)))
	sw.APRMSMS2 = gait.Value(math.Sqrt(sap / float64(n)))
	sw.MLRMSMS2 = gait.Value(math.Sqrt(sml / float64(n)))
	sw.PathMS2 = gait.Value(path)
	dur := float64(n-1) / fs
	sw.JerkMS3 = gait.Value(path / dur)
	// covariance of (AP, ML)
	var caa, cmm, cam float64
	ma, mm := dsp.Mean(ap), dsp.Mean(ml)
	for i := range n {
		x, y := ap[i]-ma, ml[i]-mm
		caa += x * x
		cmm += y * y
		cam += x * y
	}
	caa /= float64(n - 1)
	cmm /= float64(n - 1)
	cam /= float64(n - 1)
	det := caa*cmm - cam*cam
	sw.EllipseM2S4 = gait.Value(math.Pi * chi2_95_2 * math.Sqrt(math.Max(det, 0)))
	sw.FreqHz = meanFrequency(ap, ml, fs, 0.1, 3.5)
	return sw, axes, ""
}

// principalAxis returns the horizontal direction of largest variance of h.
func principalAxis(h [3][]float64) gait.Vec3 {
	v, share := dsp.PrincipalAxis(h[0], h[1], h[2])
	if share == 0 {
		return gait.Vec3{1, 0, 0}
	}
	return gait.Vec3(v)
}

func cross(a, b gait.Vec3) gait.Vec3 {
	return gait.Vec3{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}

// meanFrequency is the centroid Σf·P(f)/ΣP(f) of the summed power spectra
// of x and y between lo and hi Hz (Hann-windowed periodogram, zero-padded to
// a power of two). x and y are already low-passed below hi, so they are
// first thinned to about 4·hi samples per second, which leaves the band
// intact and makes the transform small.
func meanFrequency(x, y []float64, fs, lo, hi float64) gait.Value {
	if k := int(fs / (3 * hi)); k > 1 {
		x, y = thin(x, k), thin(y, k)
		fs /= float64(k)
	}
	n := len(x)
	if n < 16 {
		return gait.NA
	}
	m := 1
	for m < n {
		m <<= 1
	}
	fft := fourier.NewFFT(m)
	var num, den float64
	w := make([]float64, m)
	for _, s := range [][]float64{x, y} {
		for i := range n {
			w[i] = s[i] * (0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n-1)))
		}
		coef := fft.Coefficients(nil, w)
		for k, c := range coef {
			f := fft.Freq(k) * fs
			if f < lo || f > hi {
				continue
			}
			p := real(c)*real(c) + imag(c)*imag(c)
			num += f * p
			den += p
		}
	}
	if den == 0 {
		return gait.NA
	}
	return gait.Value(num / den)
}

// thin keeps every k-th sample of x.
func thin(x []float64, k int) []float64 {
	out := make([]float64, 0, len(x)/k+1)
	for i := 0; i < len(x); i += k {
		out = append(out, x[i])
	}
	return out
}
