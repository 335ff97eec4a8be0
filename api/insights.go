package api

import (
	"net/http"
	"strconv"
	"time"

	"legwork"
	"legwork/app"
)

// queryLocation reads ?tz= (an IANA time zone such as Europe/Berlin); nil
// when absent: the app then reads the person's data in their stored zone,
// or UTC.
func queryLocation(r *http.Request) (*time.Location, error) {
	return app.ParseTimeZone("tz", r.URL.Query().Get("tz"))
}

// queryWeeks reads a whole number of weeks (0 when absent).
func queryWeeks(r *http.Request, name string) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, legwork.FieldErrorf(name, "must be a whole number of weeks")
	}
	return n, nil
}

// queryInsightsOptions reads the options shared by the insights and the
// clinician report: tz, effect_weeks, baseline_weeks, baseline_from,
// baseline_to and as_of.
func queryInsightsOptions(r *http.Request) (app.InsightsOptions, error) {
	var o app.InsightsOptions
	var err error
	if o.Location, err = queryLocation(r); err != nil {
		return o, err
	}
	if o.EffectWeeks, err = queryWeeks(r, "effect_weeks"); err != nil {
		return o, err
	}
	if o.BaselineWeeks, err = queryWeeks(r, "baseline_weeks"); err != nil {
		return o, err
	}
	if o.BaselineFrom, err = queryTime(r, "baseline_from"); err != nil {
		return o, err
	}
	if o.BaselineTo, err = queryTime(r, "baseline_to"); err != nil {
		return o, err
	}
	if o.AsOf, err = queryTime(r, "as_of"); err != nil {
		return o, err
	}
	// A date means the end of that day in the person's time zone.
	o.AsOfEndOfDay = len(r.URL.Query().Get("as_of")) == len(time.DateOnly)
	return o, nil
}

func (s *Server) getInsights(w http.ResponseWriter, r *http.Request) error {
	id, err := personID(r)
	if err != nil {
		return err
	}
	opt, err := queryInsightsOptions(r)
	if err != nil {
		return s.app.RefuseUnreadRead(r.Context(), id, "insights", err)
	}
	rep, err := s.app.Insights(r.Context(), id, opt)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}
