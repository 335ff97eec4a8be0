package report

import (
	"bytes"
	"fmt"
	"io"

	"codeberg.org/go-fonts/liberation/liberationsansbold"
	"codeberg.org/go-fonts/liberation/liberationsansitalic"
	"codeberg.org/go-fonts/liberation/liberationsansregular"
	"codeberg.org/go-pdf/fpdf"
)

// Page layout in millimetres (A4 portrait).
const (
	pageW, pageH = 210.0, 297.0
	marginL      = 15.0
	marginR      = 15.0
	marginT      = 14.0
	marginB      = 16.0
	contentW     = pageW - marginL - marginR
)

type rgb struct{ r, g, b int }

var (
	inkText   = rgb{0x21, 0x21, 0x21}
	inkMuted  = rgb{0x61, 0x61, 0x61}
	inkHead   = rgb{0x1f, 0x4e, 0x8c}
	inkRule   = rgb{0xbd, 0xbd, 0xbd}
	fillHead  = rgb{0xe8, 0xee, 0xf6}
	fillZebra = rgb{0xf7, 0xf7, 0xf7}
	fillEmph  = rgb{0xfd, 0xec, 0xea}
	inkAlert  = rgb{0xc6, 0x28, 0x28}
	fillAlert = rgb{0xfd, 0xec, 0xea}
	fillOK    = rgb{0xf1, 0xf4, 0xf1}
	inkOK     = rgb{0x2e, 0x7d, 0x32}
)

type pdfWriter struct {
	pdf    *fpdf.Fpdf
	images map[*chartSpec]string
}

func (p *pdfWriter) text(c rgb)   { p.pdf.SetTextColor(c.r, c.g, c.b) }
func (p *pdfWriter) fill(c rgb)   { p.pdf.SetFillColor(c.r, c.g, c.b) }
func (p *pdfWriter) stroke(c rgb) { p.pdf.SetDrawColor(c.r, c.g, c.b) }
func (p *pdfWriter) font(style string, size float64) {
	p.pdf.SetFont("sans", style, size)
}

// space returns the height left on the page.
func (p *pdfWriter) space() float64 { return pageH - marginB - p.pdf.GetY() }

// need starts a new page unless h millimetres are left.
func (p *pdfWriter) need(h float64) {
	if p.space() < h {
		p.pdf.AddPage()
	}
}

func writePDF(w io.Writer, doc *document) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(marginL, marginT, marginR)
	pdf.SetAutoPageBreak(true, marginB)
	pdf.AddUTF8FontFromBytes("sans", "", liberationsansregular.TTF)
	pdf.AddUTF8FontFromBytes("sans", "B", liberationsansbold.TTF)
	pdf.AddUTF8FontFromBytes("sans", "I", liberationsansitalic.TTF)
	pdf.SetTitle(doc.title+" — "+doc.person, true)
	pdf.SetAuthor("legwork", true)
	pdf.SetCreator("legwork", true)
	if !doc.when.IsZero() {
		pdf.SetCreationDate(doc.when)
		pdf.SetModificationDate(doc.when)
	}
	pdf.AliasNbPages("{nb}")
	pdf.SetCatalogSort(true) // fonts in a stable order
	p := &pdfWriter{pdf: pdf, images: map[*chartSpec]string{}}
	pdf.SetFooterFunc(func() {
		pdf.SetY(pageH - marginB + 5)
		p.font("", 7)
		p.text(inkMuted)
		pdf.CellFormat(contentW*0.8, 4, doc.footer, "", 0, "L", false, 0, "")
		pdf.CellFormat(contentW*0.2, 4, fmt.Sprintf("page %d of {nb}", pdf.PageNo()), "", 0, "R", false, 0, "")
	})
	if err := p.renderCharts(doc); err != nil {
		return err
	}
	pdf.AddPage()
	p.header(doc)
	p.section(&doc.summary, true)
	for i := range doc.sections {
		s := &doc.sections[i]
		// The charts start on a page of their own, after the summary.
		if i == 0 {
			pdf.AddPage()
		}
		p.section(s, false)
	}
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("report: pdf: %w", err)
	}
	return pdf.Output(w)
}

// renderCharts draws every chart as PNG and registers it with the PDF.
func (p *pdfWriter) renderCharts(doc *document) error {
	charts, pngs, err := renderCharts(doc, (*chartSpec).png)
	if err != nil {
		return err
	}
	for i, c := range charts {
		name := fmt.Sprintf("chart%d", i)
		p.pdf.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(pngs[i]))
		p.images[c] = name
	}
	return p.pdf.Error()
}

func (p *pdfWriter) header(doc *document) {
	pdf := p.pdf
	p.font("B", 17)
	p.text(inkHead)
	pdf.CellFormat(contentW*0.75, 8, doc.title, "", 0, "L", false, 0, "")
	p.font("B", 11)
	p.text(inkMuted)
	pdf.CellFormat(contentW*0.25, 8, "legwork", "", 1, "R", false, 0, "")
	p.font("B", 12)
	p.text(inkText)
	pdf.CellFormat(contentW, 6.5, doc.person+" · "+doc.period, "", 1, "L", false, 0, "")
	p.font("", 8)
	p.text(inkMuted)
	for _, m := range doc.meta {
		pdf.MultiCell(contentW, 3.8, m, "", "L", false)
	}
	pdf.Ln(1.5)
	p.stroke(inkRule)
	pdf.SetLineWidth(0.3)
	pdf.Line(marginL, pdf.GetY(), pageW-marginR, pdf.GetY())
	pdf.Ln(2.5)
}

func (p *pdfWriter) section(s *section, summary bool) {
	pdf := p.pdf
	p.need(30)
	p.font("B", 13)
	p.text(inkHead)
	pdf.CellFormat(contentW, 7, s.title, "", 1, "L", false, 0, "")
	pdf.Ln(0.5)
	for i, b := range s.blocks {
		if b.keep && i+1 < len(s.blocks) {
			p.need(p.minHeight(&b) + p.minHeight(&s.blocks[i+1]))
		}
		p.block(&b)
	}
	pdf.Ln(3)
}

// minHeight is the least room a block needs on a page (a table's header
// and first rows, a whole chart).
func (p *pdfWriter) minHeight(b *block) float64 {
	switch b.kind {
	case blockChart:
		if len(b.chart.bars) > 0 {
			return adherenceHMM + 2
		}
		return chartHeightMM + 2
	case blockTable:
		return 22
	case blockSub:
		return 7
	}
	return 10
}

func (p *pdfWriter) block(b *block) {
	pdf := p.pdf
	switch b.kind {
	case blockPara:
		p.font("", 9)
		p.text(inkText)
		pdf.MultiCell(contentW, 4.3, b.text, "", "L", false)
		pdf.Ln(1.5)
	case blockNote:
		p.font("I", 7.8)
		p.text(inkMuted)
		pdf.MultiCell(contentW, 3.6, b.text, "", "L", false)
		pdf.Ln(1.5)
	case blockSub:
		pdf.Ln(1)
		p.font("B", 9.5)
		p.text(inkText)
		pdf.MultiCell(contentW, 4.6, b.text, "", "L", false)
		pdf.Ln(0.8)
	case blockList:
		p.list(b.items)
	case blockTable:
		p.table(b.table)
	case blockChart:
		h := chartHeightMM
		if len(b.chart.bars) > 0 {
			h = adherenceHMM
		}
		p.need(h + 2)
		y := pdf.GetY()
		pdf.ImageOptions(p.images[b.chart], marginL, y, contentW, h, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
		pdf.SetY(y + h + 3)
	case blockAlert:
		p.alert(b.alert)
	}
}

func (p *pdfWriter) list(items []string) {
	pdf := p.pdf
	p.font("", 9)
	const lh, indent = 4.2, 4.0
	for _, it := range items {
		lines := pdf.SplitText(it, contentW-indent)
		p.need(lh * float64(min(len(lines), 3)))
		p.text(inkMuted)
		pdf.SetX(marginL)
		pdf.CellFormat(indent, lh, "•", "", 0, "L", false, 0, "")
		p.text(inkText)
		for i, l := range lines {
			if i > 0 {
				p.need(lh)
			}
			pdf.SetX(marginL + indent)
			pdf.CellFormat(contentW-indent, lh, l, "", 1, "L", false, 0, "")
		}
		pdf.Ln(0.6)
	}
	pdf.Ln(1)
}

func (p *pdfWriter) alert(a *alertBox) {
	pdf := p.pdf
	const pad, lh, lhSmall = 2.5, 4.2, 3.6
	w := contentW - 2*pad - 1.5
	p.font("B", 9.5)
	title := pdf.SplitText(a.title, w)
	p.font("", 9)
	text := pdf.SplitText(a.text, w)
	var detail []string
	gap := 0.0
	if a.detail != "" {
		p.font("I", 7.8)
		detail = pdf.SplitText(a.detail, w)
		gap = 1.5
	}
	h := 2*pad + float64(len(title))*4.6 + float64(len(text))*lh + gap + float64(len(detail))*lhSmall
	p.need(h + 2)
	x, y := marginL, pdf.GetY()
	bg, ink := fillAlert, inkAlert
	if !a.ongoing {
		bg, ink = fillOK, inkOK
	}
	p.fill(bg)
	pdf.Rect(x, y, contentW, h, "F")
	p.fill(ink)
	pdf.Rect(x, y, 1.5, h, "F")
	cx := x + 1.5 + pad
	pdf.SetXY(cx, y+pad)
	p.font("B", 9.5)
	p.text(ink)
	for _, l := range title {
		pdf.SetX(cx)
		pdf.CellFormat(w, 4.6, l, "", 1, "L", false, 0, "")
	}
	p.font("", 9)
	p.text(inkText)
	for _, l := range text {
		pdf.SetX(cx)
		pdf.CellFormat(w, lh, l, "", 1, "L", false, 0, "")
	}
	pdf.Ln(gap)
	p.font("I", 7.8)
	p.text(inkMuted)
	for _, l := range detail {
		pdf.SetX(cx)
		pdf.CellFormat(w, lhSmall, l, "", 1, "L", false, 0, "")
	}
	pdf.SetY(y + h + 2.5)
}

// table draws a table with wrapped cells, repeating the header on each
// new page.
func (p *pdfWriter) table(t *table) {
	pdf := p.pdf
	const pad, lh, size = 1.2, 3.7, 8.0
	total := 0.0
	for _, w := range t.widths {
		total += w
	}
	widths := make([]float64, len(t.head))
	for i := range widths {
		rel := 1.0
		if i < len(t.widths) {
			rel = t.widths[i]
		} else {
			total += rel
		}
		widths[i] = contentW * rel / total
	}
	row := func(cells []string, style string, bg *rgb) {
		p.font(style, size)
		lines := make([][]string, len(cells))
		n := 1
		for i, c := range cells {
			lines[i] = pdf.SplitText(c, widths[i]-2*pad+2*pdf.GetCellMargin())
			n = max(n, len(lines[i]))
		}
		h := float64(n)*lh + 2*pad
		x, y := marginL, pdf.GetY()
		if bg != nil {
			p.fill(*bg)
			pdf.Rect(x, y, contentW, h, "F")
		}
		for i := range cells {
			align := "L"
			if i < len(t.right) && t.right[i] {
				align = "R"
			}
			for k, l := range lines[i] {
				pdf.SetXY(x+pad-pdf.GetCellMargin(), y+pad+float64(k)*lh)
				pdf.CellFormat(widths[i]-2*pad+2*pdf.GetCellMargin(), lh, l, "", 0, align, false, 0, "")
			}
			x += widths[i]
		}
		p.stroke(inkRule)
		pdf.SetLineWidth(0.15)
		pdf.Line(marginL, y+h, pageW-marginR, y+h)
		pdf.SetY(y + h)
	}
	height := func(cells []string, style string) float64 {
		p.font(style, size)
		n := 1
		for i, c := range cells {
			n = max(n, len(pdf.SplitText(c, widths[i]-2*pad+2*pdf.GetCellMargin())))
		}
		return float64(n)*lh + 2*pad
	}
	head := func() {
		p.text(inkText)
		bg := fillHead
		row(t.head, "B", &bg)
	}
	hh := height(t.head, "B")
	first := 0.0
	if len(t.rows) > 0 {
		first = height(t.rows[0], "")
	}
	p.need(hh + first)
	head()
	for i, r := range t.rows {
		h := height(r, "")
		if p.space() < h {
			pdf.AddPage()
			head()
		}
		var bg *rgb
		switch {
		case i < len(t.emph) && t.emph[i]:
			c := fillEmph
			bg = &c
		case i%2 == 1:
			c := fillZebra
			bg = &c
		}
		p.text(inkText)
		row(r, "", bg)
	}
	pdf.Ln(2.5)
}
