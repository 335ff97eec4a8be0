package api

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"legwork"
	"legwork/app"
	"legwork/report"
)

// reportCSP lets the HTML report's inline styles and SVG charts render,
// and nothing else: no scripts, no requests.
const reportCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// getReport renders the clinician report as PDF (the default) or HTML.
// The report is rendered in memory first, so that an error is still a
// JSON error response.
func (s *Server) getReport(w http.ResponseWriter, r *http.Request) error {
	id, err := personID(r)
	if err != nil {
		return err
	}
	format, opt, err := queryReport(r)
	if err != nil {
		return s.app.RefuseUnreadRead(r.Context(), id, "report", err)
	}
	data, err := s.app.Report(r.Context(), id, opt)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	name := fmt.Sprintf("legwork-report-%d-%s-%s.%s", id, data.From.Format(time.DateOnly), data.To.Format(time.DateOnly), format)
	h := w.Header()
	if format == "html" {
		if err := report.HTML(&buf, data); err != nil {
			return err
		}
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Disposition", fmt.Sprintf("inline; filename=%q", name))
		h.Set("Content-Security-Policy", reportCSP)
	} else {
		if err := report.PDF(&buf, data); err != nil {
			return err
		}
		h.Set("Content-Type", "application/pdf")
		h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	}
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
	return nil
}

// queryReport reads the report's format (pdf, the default, or html) and
// options.
func queryReport(r *http.Request) (format string, opt app.ReportOptions, err error) {
	q := r.URL.Query()
	format = q.Get("format")
	switch format {
	case "":
		format = "pdf"
	case "pdf", "html":
	default:
		return "", opt, legwork.FieldErrorf("format", "must be pdf or html")
	}
	if opt.Insights, err = queryInsightsOptions(r); err != nil {
		return "", opt, err
	}
	if q.Get("as_of") != "" {
		return "", opt, legwork.FieldErrorf("as_of", "does not apply to a report: it is computed as of its last day (to)")
	}
	if err := queryRange(r, &opt.From, &opt.To, nil); err != nil {
		return "", opt, err
	}
	// Without from and to: the last six months up to today, in the
	// person's zone (the app knows it).
	if opt.Plan, err = app.ParsePlan(q.Get("plan")); err != nil {
		return "", opt, err
	}
	return format, opt, nil
}
