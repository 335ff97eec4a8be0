package report

import (
	"runtime"
	"sync"

	"bytes"
	"fmt"
	"image/color"
	"image/png"
	"math"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"legwork/insights"
)

// A chart is drawn from a chartSpec by gonum/plot: as PNG for the PDF, as
// SVG for the HTML report. It holds no text typed by people (intervention
// names stay in the document; the chart shows their numbers).

type point struct {
	at time.Time
	v  float64
}

// shade is a shaded period: an intervention.
type shade struct {
	from, to time.Time
	label    string // its number in the report
}

// mark is a vertical line: the start of a relapse treatment.
type mark struct {
	at    time.Time
	label string
}

// bar is one week's count of tests.
type bar struct {
	from, to time.Time
	v        float64
}

type chartSpec struct {
	title    string
	from, to time.Time // x range: [from, to)
	loc      *time.Location
	unit     string
	decimals int

	points []point // daily values
	// Baseline: median, and the band median ± SDC95 (when the noise is
	// known).
	hasMedian bool
	median    float64
	hasBand   bool
	bandLo    float64
	bandHi    float64
	// mcid is the level beyond which a value is worse than the baseline
	// by the published MCID (when one is published).
	hasMCID bool
	mcid    float64
	shades  []shade
	marks   []mark
	alerts  []point // confirmed worsening alerts

	bars    []bar // adherence chart instead of points
	planned float64
}

// Colours: blue data, green baseline, red worsening, amber shading. The
// translucent ones are non-premultiplied (NRGBA) so that they blend.
var (
	colData      = color.NRGBA{R: 0x1f, G: 0x4e, B: 0x8c, A: 0xff}
	colDataLn    = color.NRGBA{R: 0x1f, G: 0x4e, B: 0x8c, A: 0x70}
	colDataLight = color.NRGBA{R: 0x6f, G: 0x93, B: 0xc4, A: 0xb0}
	colBand      = color.NRGBA{R: 0x43, G: 0xa0, B: 0x47, A: 0x38}
	colMedian    = color.NRGBA{R: 0x2e, G: 0x7d, B: 0x32, A: 0xff}
	colWorse     = color.NRGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff}
	colShade     = color.NRGBA{R: 0xf5, G: 0xb0, B: 0x30, A: 0x40}
	colShadeTx   = color.NRGBA{R: 0x8a, G: 0x5a, B: 0x00, A: 0xff}
	colBars      = color.NRGBA{R: 0x5c, G: 0x85, B: 0xb8, A: 0xff}
	colGrid      = color.NRGBA{R: 0xe4, G: 0xe4, B: 0xe4, A: 0xff}
)

func unix(t time.Time) float64 { return float64(t.Unix()) }

// trendFrom is the number of daily values above which a chart draws the
// running median instead of a line joining the dots (a long period's dots
// are too dense to read alone, and a line through them is a scribble).
const trendFrom = 120

// trend reports whether the chart draws the running median of its points;
// otherwise a thin line joins them in date order. The caption of the
// charts says so (chartLegend).
func (c *chartSpec) trend() bool { return len(c.points) > trendFrom }

// rollingMedian returns the median of the values within ±half of each
// point (points oldest first).
func rollingMedian(pts []point, half time.Duration) plotter.XYs {
	out := make(plotter.XYs, len(pts))
	buf := make([]float64, 0, 64)
	lo, hi := 0, 0
	for i, p := range pts {
		for lo < len(pts) && pts[lo].at.Before(p.at.Add(-half)) {
			lo++
		}
		for hi < len(pts) && !pts[hi].at.After(p.at.Add(half)) {
			hi++
		}
		buf = buf[:0]
		for _, q := range pts[lo:hi] {
			buf = append(buf, q.v)
		}
		out[i] = plotter.XY{X: unix(p.at), Y: insights.Median(buf)}
	}
	return out
}

// dateTicks puts ticks at the first of months (every 1, 2, 3, 6 or 12
// months, so that there are at most 8 labels), in the report's zone.
type dateTicks struct{ loc *time.Location }

func (d dateTicks) Ticks(min, max float64) []plot.Tick {
	from := time.Unix(int64(min), 0).In(d.loc)
	to := time.Unix(int64(max), 0).In(d.loc)
	months := (to.Year()-from.Year())*12 + int(to.Month()-from.Month()) + 1
	step := 1
	for _, s := range []int{1, 2, 3, 6, 12, 24, 60} {
		step = s
		if months/s <= 8 {
			break
		}
	}
	format := "Jan 2006"
	if step >= 12 {
		format = "2006"
	} else if months <= 8 {
		format = "2 Jan"
	}
	var ticks []plot.Tick
	y, m := from.Year(), from.Month()
	t := time.Date(y, m, 1, 0, 0, 0, 0, d.loc)
	if step >= 12 {
		t = time.Date(y, 1, 1, 0, 0, 0, 0, d.loc)
	} else if r := (int(m) - 1) % step; r != 0 {
		t = t.AddDate(0, -r, 0)
	}
	for ; !t.After(to); t = t.AddDate(0, step, 0) {
		if t.Before(from) {
			continue
		}
		label := t.Format(format)
		if format == "2 Jan" && (t.Month() == time.January || len(ticks) == 0) {
			label = t.Format("2 Jan 2006")
		}
		ticks = append(ticks, plot.Tick{Value: unix(t), Label: label})
	}
	// With fewer than two month starts (a short period), weeks.
	if len(ticks) < 2 {
		ticks = ticks[:0]
		for t := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, d.loc); !t.After(to); t = t.AddDate(0, 0, 7) {
			ticks = append(ticks, plot.Tick{Value: unix(t), Label: t.Format("2 Jan")})
		}
	}
	return ticks
}

// valueTicks puts evenly spaced ticks on the value axis: at multiples of
// a "nice" step (1, 2 or 5 × 10^k, at most maxValueTicks intervals across
// the range), labelled with the decimals the step needs (not the
// metric's, which would label ticks at 98, 102.5 and 107 "98", "102" and
// "107") and a true minus sign. decimals is the metric's, kept for the
// callers; the step decides.
// whole asks for whole-number ticks (counts of tests).
type valueTicks struct {
	decimals int
	whole    bool
}

// maxValueTicks is the most intervals between labelled value ticks.
const maxValueTicks = 5

func (v valueTicks) Ticks(min, max float64) []plot.Tick {
	if !(max > min) || math.IsInf(min, 0) || math.IsInf(max, 0) || max-min <= 1e-9*math.Max(math.Abs(min), math.Abs(max)) {
		return []plot.Tick{{Value: min, Label: num(min, v.decimals)}}
	}
	// The coarsest step with at most maxValueTicks intervals, or a finer
	// one when it leaves fewer than three labels; a few refinements at
	// most (each halves the step or more), then the ends alone.
	step := niceStep((max - min) / maxValueTicks)
	for range 6 {
		if v.whole && step < 1 {
			step = 1
		}
		d := stepDecimals(step)
		var ticks []plot.Tick
		for k := math.Ceil(min/step - 1e-9); k*step <= max+step*1e-9; k++ {
			x := k * step
			ticks = append(ticks, plot.Tick{Value: x, Label: num(x, d)})
		}
		if len(ticks) >= 3 || v.whole && step == 1 {
			return ticks
		}
		step = finerStep(step)
	}
	return []plot.Tick{{Value: min, Label: num(min, v.decimals)}, {Value: max, Label: num(max, v.decimals)}}
}

// finerStep returns the next smaller 1, 2 or 5 × 10^k.
func finerStep(step float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(step)+1e-9))
	switch m := math.Round(step / p); m {
	case 5:
		return 2 * p
	case 2:
		return p
	}
	return p / 2
}

// niceStep returns the smallest 1, 2 or 5 × 10^k that is at least raw.
func niceStep(raw float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5} {
		if m*p >= raw*(1-1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// stepDecimals returns the decimals a tick step of 1, 2 or 5 × 10^k needs:
// −k, at least 0.
func stepDecimals(step float64) int {
	return max(0, -int(math.Floor(math.Log10(step)+1e-9)))
}

// yRange returns the value range the chart must show, padded.
func (c *chartSpec) yRange() (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	see := func(v float64) {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	for _, p := range c.points {
		see(p.v)
	}
	for _, b := range c.bars {
		see(b.v)
	}
	if len(c.bars) > 0 {
		see(0)
		see(c.planned)
	}
	if c.hasMedian {
		see(c.median)
	}
	if c.hasBand {
		see(c.bandLo)
		see(c.bandHi)
	}
	if c.hasMCID {
		see(c.mcid)
	}
	if math.IsInf(lo, 0) {
		return 0, 1
	}
	pad := (hi - lo) * 0.08
	// A range that is only floating-point rounding (daily values of 1.2
	// and (1.1+1.3)/2) is flat: pad it like one.
	if pad <= 1e-9*math.Max(math.Abs(lo), math.Abs(hi)) {
		pad = math.Max(math.Abs(hi)*0.1, 1)
	}
	lo, hi = lo-pad, hi+2.2*pad // room for the labels at the top
	if len(c.bars) > 0 {
		lo = 0
	}
	return lo, hi
}

func rect(x0, x1, y0, y1 float64) plotter.XYs {
	return plotter.XYs{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
}

// build makes the gonum plot.
func (c *chartSpec) build() (*plot.Plot, error) {
	p := plot.New()
	small := font.From(plot.DefaultFont, vg.Points(7.5))
	p.Title.Text = ""
	p.X.Min, p.X.Max = unix(c.from), unix(c.to)
	p.Y.Min, p.Y.Max = c.yRange()
	p.X.Tick.Marker = dateTicks{c.loc}
	p.Y.Tick.Marker = valueTicks{decimals: c.decimals, whole: len(c.bars) > 0}
	p.X.Tick.Label.Font = small
	p.Y.Tick.Label.Font = small
	p.Y.Label.Text = c.unit
	p.Y.Label.TextStyle.Font = small
	p.X.Padding, p.Y.Padding = 0, 0
	grid := plotter.NewGrid()
	grid.Vertical.Color, grid.Horizontal.Color = colGrid, colGrid
	grid.Vertical.Width, grid.Horizontal.Width = vg.Points(0.4), vg.Points(0.4)
	p.Add(grid)
	x0, x1 := p.X.Min, p.X.Max
	y0, y1 := p.Y.Min, p.Y.Max
	// Intervention periods, clipped to the chart, numbered at the top.
	var labels plotter.XYLabels
	var labelColors []color.Color
	for _, s := range c.shades {
		a, b := math.Max(unix(s.from), x0), math.Min(unix(s.to), x1)
		if b <= a {
			continue
		}
		poly, err := plotter.NewPolygon(rect(a, b, y0, y1))
		if err != nil {
			return nil, err
		}
		poly.Color = colShade
		poly.LineStyle.Width = 0
		p.Add(poly)
		labels.XYs = append(labels.XYs, plotter.XY{X: a + (x1-x0)*0.004, Y: y1 - (y1-y0)*0.02})
		labels.Labels = append(labels.Labels, s.label)
		labelColors = append(labelColors, colShadeTx)
	}
	if c.hasBand {
		poly, err := plotter.NewPolygon(rect(x0, x1, c.bandLo, c.bandHi))
		if err != nil {
			return nil, err
		}
		poly.Color = colBand
		poly.LineStyle.Width = 0
		p.Add(poly)
	}
	hline := func(y float64, col color.Color, dashed bool, w float64) error {
		l, err := plotter.NewLine(plotter.XYs{{X: x0, Y: y}, {X: x1, Y: y}})
		if err != nil {
			return err
		}
		l.Color, l.Width = col, vg.Points(w)
		if dashed {
			l.Dashes = []vg.Length{vg.Points(3), vg.Points(2)}
		}
		p.Add(l)
		return nil
	}
	if c.hasMedian {
		if err := hline(c.median, colMedian, false, 0.9); err != nil {
			return nil, err
		}
	}
	if c.hasMCID {
		if err := hline(c.mcid, colWorse, true, 0.8); err != nil {
			return nil, err
		}
	}
	for _, m := range c.marks {
		x := unix(m.at)
		if x < x0 || x > x1 {
			continue
		}
		l, err := plotter.NewLine(plotter.XYs{{X: x, Y: y0}, {X: x, Y: y1}})
		if err != nil {
			return nil, err
		}
		l.Color, l.Width, l.Dashes = colWorse, vg.Points(1), []vg.Length{vg.Points(4), vg.Points(2)}
		p.Add(l)
		labels.XYs = append(labels.XYs, plotter.XY{X: x + (x1-x0)*0.004, Y: y1 - (y1-y0)*0.02})
		labels.Labels = append(labels.Labels, m.label)
		labelColors = append(labelColors, colWorse)
	}
	if len(c.bars) > 0 {
		for _, b := range c.bars {
			if b.v <= 0 {
				continue
			}
			w := unix(b.to) - unix(b.from)
			poly, err := plotter.NewPolygon(rect(unix(b.from)+w*0.12, unix(b.to)-w*0.12, 0, b.v))
			if err != nil {
				return nil, err
			}
			poly.Color = colBars
			poly.LineStyle.Width = 0
			p.Add(poly)
		}
		if c.planned > 0 {
			if err := hline(c.planned, colMedian, true, 1); err != nil {
				return nil, err
			}
		}
	}
	if len(c.points) > 0 {
		xys := make(plotter.XYs, len(c.points))
		for i, pt := range c.points {
			xys[i] = plotter.XY{X: unix(pt.at), Y: pt.v}
		}
		r := vg.Points(1.8)
		if len(xys) > 150 {
			r = vg.Points(1.1)
		}
		if !c.trend() {
			l, err := plotter.NewLine(xys)
			if err != nil {
				return nil, err
			}
			l.Color, l.Width = colDataLn, vg.Points(0.6)
			p.Add(l)
		}
		sc, err := plotter.NewScatter(xys)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: colData, Radius: r, Shape: draw.CircleGlyph{}}
		if c.trend() {
			sc.GlyphStyle.Color = colDataLight
		}
		p.Add(sc)
		if c.trend() {
			l, err := plotter.NewLine(rollingMedian(c.points, 14*24*time.Hour))
			if err != nil {
				return nil, err
			}
			l.Color, l.Width = colData, vg.Points(1.4)
			p.Add(l)
		}
	}
	if len(c.alerts) > 0 {
		xys := make(plotter.XYs, len(c.alerts))
		for i, pt := range c.alerts {
			xys[i] = plotter.XY{X: unix(pt.at), Y: pt.v}
		}
		sc, err := plotter.NewScatter(xys)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: colWorse, Radius: vg.Points(4), Shape: draw.TriangleGlyph{}}
		p.Add(sc)
	}
	if len(labels.Labels) > 0 {
		lb, err := plotter.NewLabels(labels)
		if err != nil {
			return nil, err
		}
		for i := range lb.TextStyle {
			lb.TextStyle[i].Font = font.From(plot.DefaultFont, vg.Points(7.5))
			lb.TextStyle[i].Color = labelColors[i]
			lb.TextStyle[i].YAlign = draw.YTop
		}
		p.Add(lb)
	}
	return p, nil
}

// Chart sizes.
const (
	chartWidthMM  = 180.0
	chartHeightMM = 52.0
	adherenceHMM  = 38.0
	chartDPI      = 144
)

func mm(v float64) vg.Length { return vg.Length(v / 25.4 * 72) }

// png renders the chart as an opaque PNG (which the PDF embeds without
// an alpha channel).
func (c *chartSpec) png(wMM, hMM float64) ([]byte, error) {
	p, err := c.build()
	if err != nil {
		return nil, err
	}
	cv := vgimg.NewWith(vgimg.UseWH(mm(wMM), mm(hMM)), vgimg.UseDPI(chartDPI), vgimg.UseBackgroundColor(color.White))
	p.Draw(draw.New(cv))
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, cv.Image()); err != nil {
		return nil, fmt.Errorf("report: chart: %w", err)
	}
	return buf.Bytes(), nil
}

// svg renders the chart as an SVG element (no XML declaration).
func (c *chartSpec) svg(wMM, hMM float64) ([]byte, error) {
	p, err := c.build()
	if err != nil {
		return nil, err
	}
	cv := vgsvg.New(mm(wMM), mm(hMM))
	p.Draw(draw.New(cv))
	var buf bytes.Buffer
	if _, err := cv.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("report: chart: %w", err)
	}
	b := buf.Bytes()
	if i := bytes.Index(b, []byte("<svg")); i > 0 {
		b = b[i:]
	}
	return b, nil
}

// renderCharts draws every chart of doc with draw (PNG or SVG) on all cores
// and returns the charts in document order with their images.
func renderCharts(doc *document, draw func(c *chartSpec, wMM, hMM float64) ([]byte, error)) ([]*chartSpec, [][]byte, error) {
	var charts []*chartSpec
	for _, s := range append([]section{doc.summary}, doc.sections...) {
		for _, b := range s.blocks {
			if b.kind == blockChart {
				charts = append(charts, b.chart)
			}
		}
	}
	out := make([][]byte, len(charts))
	errs := make([]error, len(charts))
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	for i, c := range charts {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			h := chartHeightMM
			if len(c.bars) > 0 {
				h = adherenceHMM
			}
			out[i], errs[i] = draw(c, chartWidthMM, h)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, nil, err
		}
	}
	return charts, out, nil
}
