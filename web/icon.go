package web

import (
	"image"
	"image/color"
	"math"
)

// Icon draws the app icon at size×size pixels: a white rising line
// ending in a dot (a trend of steps) on a deep blue square. The drawing
// keeps to the central 60 %, so the icon also works masked to a circle
// ("maskable" in the manifest). go generate writes the PNGs the manifest
// names; a test keeps them equal to this drawing.
func Icon(size int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	bg := color.NRGBA{0x0b, 0x4f, 0x8a, 0xff}
	pts := [][2]float64{{0.24, 0.66}, {0.40, 0.50}, {0.53, 0.60}, {0.72, 0.38}}
	dot := [2]float64{0.72, 0.38}
	const half = 0.045 // half the line width
	const radius = 0.085
	const ss = 4 // supersampling per axis
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			hit := 0
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					px := (float64(x) + (float64(sx)+0.5)/ss) / float64(size)
					py := (float64(y) + (float64(sy)+0.5)/ss) / float64(size)
					if math.Hypot(px-dot[0], py-dot[1]) <= radius || nearLine(pts, px, py) <= half {
						hit++
					}
				}
			}
			a := float64(hit) / (ss * ss)
			mix := func(b uint8) uint8 { return uint8(math.Round(float64(b)*(1-a) + 255*a)) }
			img.SetNRGBA(x, y, color.NRGBA{mix(bg.R), mix(bg.G), mix(bg.B), 0xff})
		}
	}
	return img
}

// nearLine is the distance from (x, y) to a polyline.
func nearLine(pts [][2]float64, x, y float64) float64 {
	best := math.Inf(1)
	for i := 1; i < len(pts); i++ {
		ax, ay, bx, by := pts[i-1][0], pts[i-1][1], pts[i][0], pts[i][1]
		dx, dy := bx-ax, by-ay
		t := ((x-ax)*dx + (y-ay)*dy) / (dx*dx + dy*dy)
		t = math.Max(0, math.Min(1, t))
		best = math.Min(best, math.Hypot(x-(ax+t*dx), y-(ay+t*dy)))
	}
	return best
}
