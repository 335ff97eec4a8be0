package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"legwork"
)

// Metrics are the Prometheus metrics of a server. They hold no personal
// data: routes are patterns ("/api/people/{id}"), never paths.
type Metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	uploads   *prometheus.CounterVec
	upBytes   prometheus.Histogram
	analysis  *prometheus.HistogramVec
	inFlight  prometheus.Gauge
	reanalyse prometheus.Counter
}

// NewMetrics returns a set of metrics on its own registry, with the Go
// runtime and process collectors.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "legwork_http_requests_total", Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "legwork_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
		uploads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "legwork_uploads_total", Help: "Recording uploads by format and outcome (the error code, created, or replayed: a repeated upload with an Idempotency-Key already used).",
		}, []string{"format", "outcome"}),
		upBytes: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "legwork_upload_bytes", Help: "Size of uploaded recordings, uncompressed.",
			Buckets: prometheus.ExponentialBuckets(1024, 4, 10),
		}),
		analysis: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "legwork_analysis_duration_seconds", Help: "Time to analyse a recording, by test type.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 5},
		}, []string{"test_type"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "legwork_http_requests_in_flight", Help: "HTTP requests being served.",
		}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.uploads, m.upBytes, m.analysis, m.inFlight,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// ObserveAnalysis records how long an analysis took; pass it as
// app.Config.OnAnalysis.
func (m *Metrics) ObserveAnalysis(test legwork.TestType, d time.Duration) {
	m.analysis.WithLabelValues(string(test)).Observe(d.Seconds())
}

func (m *Metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

func (m *Metrics) observe(route string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(d.Seconds())
}

func (m *Metrics) upload(format, outcome string, size int) {
	m.uploads.WithLabelValues(format, outcome).Inc()
	if outcome == "created" || outcome == "replayed" {
		m.upBytes.Observe(float64(size))
	}
}

// statusWriter remembers the status code written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
