package gait

import (
	"math"

	"legwork/dsp"
)

// Body is one uniformly sampled stretch of a recording expressed in the body
// frame. Vertical comes from gravity, estimated by low-pass filtering the
// acceleration (the sensor may be in any orientation, and a phone may turn
// slowly in a pocket); nothing assumes that a sensor axis is vertical.
// The blocks of this package write working memory kept in the Body
// (scratchOf), so one Body is analysed by one goroutine at a time.
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

	// scratch is working memory the blocks of this package borrow, one at
	// a time, while they run (scratchOf).
	scratch []float64
}

// scratchOf returns n float64s of b's working memory, with undefined
// contents, for one block to use until it returns. A block must not hold
// it across a call to another block, nor return anything that points into
// it. One buffer serves every block of an analysis, in turn, instead of
// each allocating its own.
func (b *Body) scratchOf(n int) []float64 {
	if cap(b.scratch) < n {
		b.scratch = make([]float64, n)
	}
	return b.scratch[:n]
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
	dec := make([]float64, 4*m+64)
	lp := dsp.MustButterworth(2, f.GravityCutoffHz, fs/gravityDecim, dsp.LowPass)
	var grav [3][]float64
	for k := 0; k < 3; k++ {
		grav[k] = blockMeans(dec[k*m:(k+1)*m], ch[k][:n], gravityDecim)
		if m > 1 {
			lp.FiltFilt(grav[k], grav[k], dec[3*m:])
		}
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
	// pass overwrites it) and direction (the unit vector, kept in
	// HorizMS2), and their mean direction.
	gm := b.VertMS2
	up := unitGravity([3][]float64{hx, hy, hz}, gm, grav, gravityDecim, n)
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

// unitGravity interpolates the block values grav (one gravity estimate per
// block of k samples, placed at the block's centre) back to n samples, and
// writes the unit vector of each into u and its length into mag (a zero
// vector gives a zero unit vector and length). It returns the sum of the
// unit vectors. Sample i sits at p = (i − (k−1)/2) / k in block-centre
// coordinates: before the first centre the first value holds, after the
// last the last, and between centres j and j+1 the value is interpolated
// linearly.
func unitGravity(u [3][]float64, mag []float64, grav [3][]float64, k, n int) Vec3 {
	var sum Vec3
	set := func(i int, gx, gy, gz float64) {
		g := math.Sqrt(gx*gx + gy*gy + gz*gz)
		mag[i] = g
		if g > 0 {
			inv := 1 / g
			gx, gy, gz = gx*inv, gy*inv, gz*inv
		}
		u[0][i], u[1][i], u[2][i] = gx, gy, gz
		sum[0] += gx
		sum[1] += gy
		sum[2] += gz
	}
	m := len(grav[0])
	bc := blockCentres{k: k, n: n}
	i := 0
	if m > 1 {
		for first := bc.from(0); i < first; i++ {
			set(i, grav[0][0], grav[1][0], grav[2][0])
		}
		for j := 0; j < m-1 && i < n; j++ {
			x0, y0, z0 := grav[0][j], grav[1][j], grav[2][j]
			sx, sy, sz := grav[0][j+1]-x0, grav[1][j+1]-y0, grav[2][j+1]-z0
			for end := bc.from(j + 1); i < end; i++ {
				w := bc.weight(i, j)
				set(i, x0+w*sx, y0+w*sy, z0+w*sz)
			}
		}
	}
	for ; i < n; i++ {
		set(i, grav[0][m-1], grav[1][m-1], grav[2][m-1])
	}
	return sum
}

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
	// before the first centre the first value holds, after the last the
	// last, and between centres j and j+1 the value is interpolated
	bc := blockCentres{k: k, n: n}
	i := 0
	for first := bc.from(0); i < first; i++ {
		dst[i] = d[0]
	}
	for j := 0; j < m-1 && i < n; j++ {
		a, slope := d[j], d[j+1]-d[j]
		for end := bc.from(j + 1); i < end; i++ {
			dst[i] = a + bc.weight(i, j)*slope
		}
	}
	for ; i < n; i++ {
		dst[i] = d[m-1]
	}
}

// blockCentres places one value per block of k samples at the block's
// centre: sample i sits at p = (i − (k−1)/2) / k in block-centre
// coordinates, of n samples in all.
type blockCentres struct{ k, n int }

// from returns the first sample at or after centre j (at most n).
func (bc blockCentres) from(j int) int {
	return min(int(math.Ceil(float64(bc.k-1)/2+float64(j*bc.k))), bc.n)
}

// weight returns p − j for sample i: its linear-interpolation weight
// between centres j and j+1.
func (bc blockCentres) weight(i, j int) float64 {
	return (float64(i)-float64(bc.k-1)/2)/float64(bc.k) - float64(j)
}
