package report

import (
	"fmt"
	"html/template"
	"io"
)

// The HTML report is one self-contained page: inline CSS (print-friendly,
// A4), charts as inline SVG, no scripts and no external resources.

type htmlTable struct {
	Head  []string
	Rows  []htmlRow
	Right []bool
}

type htmlRow struct {
	Cells []string
	Emph  bool
}

type htmlBlock struct {
	Kind  string // para, note, sub, list, table, chart, alert
	Text  string
	Items []string
	Table *htmlTable
	SVG   template.HTML
	Alert *alertView
	Small bool // a short chart (adherence)
}

type alertView struct {
	Title, Text, Detail string
	Ongoing             bool
}

type htmlSection struct {
	ID     string
	Title  string
	Blocks []htmlBlock
}

type htmlDoc struct {
	Title    string
	Person   string
	Period   string
	Meta     []string
	Summary  htmlSection
	Sections []htmlSection
	Footer   string
}

func writeHTML(w io.Writer, doc *document) error {
	svgs, err := renderSVGs(doc)
	if err != nil {
		return err
	}
	conv := func(s *section, id string) htmlSection {
		hs := htmlSection{ID: id, Title: s.title}
		for _, b := range s.blocks {
			hb := htmlBlock{Text: b.text, Items: b.items}
			switch b.kind {
			case blockPara:
				hb.Kind = "para"
			case blockNote:
				hb.Kind = "note"
			case blockSub:
				hb.Kind = "sub"
			case blockList:
				hb.Kind = "list"
			case blockTable:
				hb.Kind = "table"
				ht := &htmlTable{Head: b.table.head, Right: make([]bool, len(b.table.head))}
				copy(ht.Right, b.table.right)
				for i, r := range b.table.rows {
					ht.Rows = append(ht.Rows, htmlRow{Cells: r, Emph: i < len(b.table.emph) && b.table.emph[i]})
				}
				hb.Table = ht
			case blockChart:
				hb.Kind = "chart"
				// The SVG is drawn by gonum/plot from numbers and fixed
				// labels only (its text is escaped by vgsvg).
				hb.SVG = template.HTML(svgs[b.chart])
				hb.Small = len(b.chart.bars) > 0
			case blockAlert:
				hb.Kind = "alert"
				hb.Alert = &alertView{Title: b.alert.title, Text: b.alert.text, Detail: b.alert.detail, Ongoing: b.alert.ongoing}
			}
			hs.Blocks = append(hs.Blocks, hb)
		}
		return hs
	}
	hd := htmlDoc{Title: doc.title, Person: doc.person, Period: doc.period, Meta: doc.meta, Footer: doc.footer,
		Summary: conv(&doc.summary, "summary")}
	for i := range doc.sections {
		hd.Sections = append(hd.Sections, conv(&doc.sections[i], fmt.Sprintf("s%d", i+1)))
	}
	return htmlTemplate.Execute(w, hd)
}

func renderSVGs(doc *document) (map[*chartSpec][]byte, error) {
	charts, svgs, err := renderCharts(doc, (*chartSpec).svg)
	if err != nil {
		return nil, err
	}
	m := make(map[*chartSpec][]byte, len(charts))
	for i, c := range charts {
		m[c] = svgs[i]
	}
	return m, nil
}

var htmlTemplate = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} — {{.Person}}</title>
<style>
@page { size: A4; margin: 14mm 15mm 16mm; }
body { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; color: #212121; font-size: 10pt; line-height: 1.4; max-width: 190mm; margin: 0 auto; padding: 12px; }
header { border-bottom: 1px solid #bdbdbd; margin-bottom: 10px; padding-bottom: 6px; }
h1 { color: #1f4e8c; font-size: 17pt; margin: 0 0 4px; }
.who { font-weight: bold; font-size: 12pt; margin: 0 0 4px; }
.meta { color: #616161; font-size: 8.5pt; margin: 0; }
h2 { color: #1f4e8c; font-size: 13pt; margin: 22px 0 6px; break-after: avoid; }
h3 { font-size: 10pt; margin: 12px 0 4px; break-after: avoid; }
p { margin: 4px 0 8px; }
p.note { color: #616161; font-style: italic; font-size: 8.5pt; }
ul { margin: 4px 0 10px; padding-left: 18px; }
li { margin: 2px 0; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin: 4px 0 12px; }
th { background: #e8eef6; text-align: left; padding: 4px 5px; vertical-align: bottom; }
td { padding: 4px 5px; border-bottom: 1px solid #e0e0e0; vertical-align: top; white-space: pre-line; }
tr:nth-child(even) td { background: #f7f7f7; }
tr.emph td { background: #fdecea; }
.num { text-align: right; }
figure { margin: 0 0 12px; break-inside: avoid; }
figure svg { width: 100%; height: auto; display: block; }
.alert { border-left: 5px solid #c62828; background: #fdecea; padding: 8px 10px; margin: 8px 0; break-inside: avoid; }
.alert.resolved { border-color: #2e7d32; background: #f1f4f1; }
.alert .t { font-weight: bold; color: #c62828; margin: 0 0 4px; }
.alert.resolved .t { color: #2e7d32; }
.alert .d { color: #616161; font-style: italic; font-size: 8.5pt; margin: 4px 0 0; }
section.charts { break-before: page; }
footer { color: #616161; font-size: 8pt; border-top: 1px solid #bdbdbd; margin-top: 20px; padding-top: 6px; }
</style>
</head>
<body>
<header>
<h1>{{.Title}}</h1>
<p class="who">{{.Person}} · {{.Period}}</p>
{{range .Meta}}<p class="meta">{{.}}</p>
{{end}}</header>
<main>
{{template "section" .Summary}}
{{range $i, $s := .Sections}}{{template "section" $s}}{{end}}
</main>
<footer>{{.Footer}}</footer>
</body>
</html>
{{define "section"}}<section id="{{.ID}}"{{if eq .ID "s1"}} class="charts"{{end}}>
<h2>{{.Title}}</h2>
{{range .Blocks}}{{if eq .Kind "para"}}<p>{{.Text}}</p>
{{else if eq .Kind "note"}}<p class="note">{{.Text}}</p>
{{else if eq .Kind "sub"}}<h3>{{.Text}}</h3>
{{else if eq .Kind "list"}}<ul>{{range .Items}}<li>{{.}}</li>{{end}}</ul>
{{else if eq .Kind "table"}}{{template "table" .Table}}
{{else if eq .Kind "chart"}}<figure{{if .Small}} class="small"{{end}}>{{.SVG}}</figure>
{{else if eq .Kind "alert"}}<div class="alert{{if not .Alert.Ongoing}} resolved{{end}}"><p class="t">{{.Alert.Title}}</p><p>{{.Alert.Text}}</p>{{if .Alert.Detail}}<p class="d">{{.Alert.Detail}}</p>{{end}}</div>
{{end}}{{end}}</section>
{{end}}
{{define "table"}}<table>
<thead><tr>{{range $i, $h := .Head}}<th{{if index $.Right $i}} class="num"{{end}}>{{$h}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}<tr{{if .Emph}} class="emph"{{end}}>{{range $i, $c := .Cells}}<td{{if index $.Right $i}} class="num"{{end}}>{{$c}}</td>{{end}}</tr>
{{end}}</tbody>
</table>{{end}}`))
