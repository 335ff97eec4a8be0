package gait

import (
	"math"

	"legwork/dsp"
)

// Body is one uniformly sampled stretch of a recording expressed in the body
// frame. Vertical comes from gravity, estimated by low-pass filtering the
// acceleration (the sensor may be in any orientation, and a phone may turn
// slowly in a pocket); nothing assumes that a sensor axis is vertical.
type Body struct {
	SampleRateHz float64
	T0S          float64 // time of sample 0 on the recording's clock

	// VertMS2 is the acceleration along the gravity direction, up positive,
	// with gravity removed: a·ĝ − |g|, where ĝ(t) is the unit gravity
	// estimate and |g| its magnitude (so a mis-calibrated sensor still
	// averages zero at rest).
	VertMS2 []float64
	// MagMS2 is the acceleration magnitude minus its gravity estimate,
	// ‖a‖ − |g|: insensitive to orientation, used for phones that swing.
	MagMS2 []float64
	// HorizMS2 is the acceleration in the horizontal plane, in the sensor
	// frame (a − (a·ĝ)ĝ), from which the forward direction is estimated.
	HorizMS2 [3][]float64
	// YawRPS is the angular rate about the vertical (rad/s, positive
	// counter-clockwise seen from above); nil without a gyroscope.
	YawRPS []float64
	// GyroNormRPS is the magnitude of the angular rate; nil without a
	// gyroscope.
	GyroNormRPS []float64
	// AccMS2 is the resampled acceleration in the sensor frame. It shares
	// the analysis buffers and is only valid until they are reused (the
	// bodies that Pipeline.Segments returns keep theirs).
	AccMS2 [3][]float64
	// UpMean is the mean of the unit "up" vector (opposite to the fall
	// direction) in the sensor frame over the segment, normalised: the
	// sensor's average orientation.
	UpMean Vec3
	// TiltDeg is, per sample, the angle between the instantaneous up
	// estimate and UpMean (as the chord between the two unit vectors, in
	// degrees): how far the sensor's orientation wanders.
	TiltDeg []float64
}

// Len returns the number of samples.
func (b *Body) Len() int { return len(b.VertMS2) }

// TimeOf returns the time of (fractional) sample index i.
func (b *Body) TimeOf(i float64) float64 { return b.T0S + i/b.SampleRateHz }

// IndexOf returns the nearest sample index of time t, clamped to the signal.
func (b *Body) IndexOf(t float64) int {
	i := int(math.Round((t - b.T0S) * b.SampleRateHz))
	if i < 0 {
		return 0
	}
	if i >= b.Len() {
		return b.Len() - 1
	}
	return i
}

// BodyFrame turns sensor-frame channels into body-frame signals.
type BodyFrame struct {
	// GravityCutoffHz is the cut-off of the zero-phase Butterworth low-pass
	// (order 2, applied forward and backward) that estimates gravity: low
	// enough to average out the steps, high enough to follow a phone that
	// turns in a pocket.
	GravityCutoffHz float64
}

// transform fills b from the six sensor channels sampled at fs Hz. scratch
// buffers are reused from b when large enough.
func (f BodyFrame) transform(b *Body, ch *channels, fs, t0 float64, gyro bool) {
	n := ch.len()
	b.SampleRateHz = fs
	b.T0S = t0
	b.AccMS2 = [3][]float64{ch[0], ch[1], ch[2]}
	b.VertMS2 = grow(b.VertMS2, n)
	b.MagMS2 = grow(b.MagMS2, n)
	for k := 0; k < 3; k++ {
		b.HorizMS2[k] = grow(b.HorizMS2[k], n)
	}
	// Gravity estimate per axis, written into HorizMS2 first (reused below).
	// The gravity low-pass runs on block means of gravityDecim samples
	// (far above its cut-off, so nothing aliases) and is interpolated back:
	// the same estimate for a tenth of the work.
	m := (n + gravityDecim - 1) / gravityDecim
	dec := make([]float64, 2*m+64)
	lp := dsp.MustButterworth(2, f.GravityCutoffHz, fs/gravityDecim, dsp.LowPass)
	for k := 0; k < 3; k++ {
		d := blockMeans(dec[:m], ch[k][:n], gravityDecim)
		if m > 1 {
			lp.FiltFilt(d, d, dec[m:])
		}
		interpolateBlocks(b.HorizMS2[k], d, gravityDecim, n)
	}
	if gyro {
		b.YawRPS = grow(b.YawRPS, n)
		b.GyroNormRPS = grow(b.GyroNormRPS, n)
	} else {
		b.YawRPS = nil
		b.GyroNormRPS = nil
	}
	ax, ay, az := ch[0], ch[1], ch[2]
	hx, hy, hz := b.HorizMS2[0], b.HorizMS2[1], b.HorizMS2[2]
	// First pass: gravity's magnitude (kept in VertMS2 until the second
	// pass overwrites it) and direction (the unit vector replaces the
	// gravity estimate in HorizMS2), and their mean direction.
	var up Vec3
	gm := b.VertMS2
	for i := 0; i < n; i++ {
		gx, gy, gz := hx[i], hy[i], hz[i]
		g := math.Sqrt(gx*gx + gy*gy + gz*gz)
		gm[i] = g
		if g == 0 {
			g = 1
		}
		inv := 1 / g
		gx, gy, gz = gx*inv, gy*inv, gz*inv
		hx[i], hy[i], hz[i] = gx, gy, gz
		up[0] += gx
		up[1] += gy
		up[2] += gz
	}
	if g := up.Norm(); g > 0 {
		up = Vec3{up[0] / g, up[1] / g, up[2] / g}
	}
	b.UpMean = up
	b.TiltDeg = grow(b.TiltDeg, n)
	for i := 0; i < n; i++ {
		g := gm[i]
		ux, uy, uz := hx[i], hy[i], hz[i]
		// the chord |u − ū| in degrees: the angle to within 1 % up to 14°
		// and 5 % at 30°, without an arccosine per sample
		dx, dy, dz := ux-up[0], uy-up[1], uz-up[2]
		b.TiltDeg[i] = math.Sqrt(dx*dx+dy*dy+dz*dz) * (180 / math.Pi)
		x, y, z := ax[i], ay[i], az[i]
		d := x*ux + y*uy + z*uz
		b.VertMS2[i] = d - g
		b.MagMS2[i] = math.Sqrt(x*x+y*y+z*z) - g
		hx[i] = x - d*ux
		hy[i] = y - d*uy
		hz[i] = z - d*uz
		if gyro {
			wx, wy, wz := ch[3][i], ch[4][i], ch[5][i]
			b.YawRPS[i] = wx*ux + wy*uy + wz*uz
			b.GyroNormRPS[i] = math.Sqrt(wx*wx + wy*wy + wz*wz)
		}
	}
}

func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

// gravityDecim is the block length over which the gravity estimate is
// decimated before filtering.
const gravityDecim = 10

// interpolateBlocks writes into dst (length n) the linear interpolation of
// the block values d, each placed at the centre of its block of size k.
func interpolateBlocks(dst, d []float64, k, n int) {
	m := len(d)
	if m == 1 {
		for i := range dst[:n] {
			dst[i] = d[0]
		}
		return
	}
	// Sample i sits at p = (i − (k−1)/2) / k in block-centre coordinates:
	// before the first centre the first value holds, after the last the
	// last, and between centres j and j+1 the value is interpolated.
	kf := float64(k)
	c := float64(k-1) / 2
	first := min(int(math.Ceil(c)), n) // first sample at or after centre 0
	for i := range first {
		dst[i] = d[0]
	}
	i := first
	for j := 0; j < m-1 && i < n; j++ {
		end := min(int(math.Ceil(c+float64(j+1)*kf)), n) // first sample at or after centre j+1
		a, slope := d[j], d[j+1]-d[j]
		for ; i < end; i++ {
			w := (float64(i)-c)/kf - float64(j)
			dst[i] = a + w*slope
		}
	}
	for ; i < n; i++ {
		dst[i] = d[m-1]
	}
}
