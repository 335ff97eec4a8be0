package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestAlertOnToday: a confirmed worsening of the 25-foot walk (four
// baseline days, then two test days a day apart some 40 % slower: its time
// and its speed alert) is shown
// to the person on Today, with its numbers and the advice to contact their
// clinician (insights' ongoing alert, docs/INSIGHTS.md).
func TestAlertOnToday(t *testing.T) {
	b, sam, me := newPerson(t, "Sam", "sam@example.org")

	now := time.Now()
	for i, d := range []int{-30, -27, -24, -21} {
		uploadEarlier(t, sam, me.ID, now.AddDate(0, 0, d), 116, uint64(60+2*i))
	}
	uploadEarlier(t, sam, me.ID, now.AddDate(0, 0, -2), 80, 70)
	uploadEarlier(t, sam, me.ID, now.AddDate(0, 0, -1), 80, 72)
	var ins struct {
		Alerts []struct {
			Metric string
			Alert  struct{ Message string }
		} `json:"ongoing_alerts"`
	}
	sam.must("GET", fmt.Sprintf("/api/people/%d/insights", me.ID), nil, &ins, 200)
	if len(ins.Alerts) != 2 {
		t.Fatalf("%d ongoing alerts from the server; the set-up is meant to raise two: the time and the speed", len(ins.Alerts))
	}

	// The person opens the app again (Today was shown at sign-up, before
	// the tests were stored; a new query makes it a full page load, not a
	// jump within the page).
	b.open("/?again=1#/today")
	shown := b.wait("#alerts", "contact your clinician", 15*time.Second)
	b.shot("30-today-alert")
	// The time's alert is shown; the speed's, which says the same the other
	// way up, is not.
	for _, a := range ins.Alerts {
		if in := strings.Contains(shown, strings.TrimSpace(a.Alert.Message)); in != (a.Metric == "t25fw_time_s") {
			t.Errorf("Today shows %q; the server's %s alert says %q", shown, a.Metric, a.Alert.Message)
		}
	}
	if !strings.Contains(shown, "Timed 25-Foot Walk") {
		t.Errorf("Today's alert does not name the test: %q", shown)
	}
}
