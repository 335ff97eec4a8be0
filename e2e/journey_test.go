package e2e

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"legwork"
)

// TestJourney follows a person and their clinicians through the app, in
// one browser per user: sign up, plan and check in, invite a clinician,
// run a 25-foot walk fed with recorded motion, see the result and the
// trends, record a diary entry offline and see it arrive when back online,
// record a treatment; the clinician accepts the invitation and sees the
// results while a clinician who was not invited does not; the person
// withdraws access.
func TestJourney(t *testing.T) {
	root := browsers(t)
	srv := startServer(t)
	start := time.Now()
	step := func(name string) { t.Logf("%5.1fs  %s", time.Since(start).Seconds(), name) }

	// Accounts an administrator creates: two clinicians.
	admin := newClient(t, srv.URL)
	admin.login("admin@legwork.local", srv.AdminPassword)
	const clinPass, strangerPass = "clinician password 1", "stranger password 1"
	admin.must("POST", "/api/users", map[string]any{"email": "dr.lee@clinic.example", "name": "Dr Lee", "role": "clinician", "password": clinPass}, nil, 201)
	admin.must("POST", "/api/users", map[string]any{"email": "dr.who@elsewhere.example", "name": "Dr Who", "role": "clinician", "password": strangerPass}, nil, 201)

	// Sign up.
	step("sign up")
	p := newTab(t, root, "person", srv.URL)
	p.open("/")
	p.wait("h1", "Sign in", 10*time.Second)
	p.shot("01-sign-in")
	p.tap("a", "Create an account")
	p.wait("h1", "Create an account", 5*time.Second)
	p.typeInto("su-name", "Kim")
	p.typeInto("su-email", "kim@example.org")
	p.typeInto("su-password", "short")
	p.tap("button", "Create my account")
	if msg := p.wait(".field-error", "", 5*time.Second); !strings.Contains(msg, "10 characters") {
		t.Fatalf("short password: %q", msg)
	}
	p.typeInto("su-password", " but now long enough")
	p.typeInto("su-height", "172")
	p.shot("02-sign-up")
	p.tap("button", "Create my account")
	p.wait("h1", "Hello, Kim", 10*time.Second)
	kim := newClient(t, srv.URL)
	kim.useCookie("legwork_session", p.cookie())
	var me legwork.User
	kim.must("GET", "/api/me", nil, &me, 200)
	if me.Role != legwork.RolePerson || me.HeightM != 1.72 {
		t.Fatalf("signed up as %+v", me)
	}
	pp := fmt.Sprintf("/api/people/%d", me.ID)

	// Today: a weekly plan and a check-in.
	step("today: plan and check-in")
	p.tap("button", "Set up my plan")
	p.tap("button[aria-label='25-foot walk: more']", "")
	p.tap("button[aria-label='Balance: more']", "")
	p.tap("button", "Save my plan")
	p.wait(".due", "25-foot walk", 5*time.Second)
	p.wait(".note", "Plan saved", 10*time.Second)
	p.wait("#plan-set-by", "Set by you on", 5*time.Second)
	// The plan reached the server (not only this phone's copy).
	var planned legwork.User
	kim.must("GET", "/api/me", nil, &planned, 200)
	nonzero := map[legwork.TestType]int{}
	for k, n := range planned.WeeklyPlan {
		if n != 0 {
			nonzero[k] = n
		}
	}
	if want := map[legwork.TestType]int{legwork.TestT25FW: 1, legwork.TestBalance: 1}; !maps.Equal(nonzero, want) {
		t.Fatalf("weekly plan stored as %v, want %v", planned.WeeklyPlan, want)
	}
	for range 4 {
		p.tap("button[aria-label='Leg symptoms: more']", "")
	}
	p.tap(".chip", "Heavy, like cement")
	p.tap(".chip", "Heat")
	p.shot("03-today")
	p.tap("#checkin-save", "")
	p.wait(".note", "Check-in saved", 10*time.Second)
	var diary struct{ Items []legwork.DiaryEntry }
	kim.must("GET", pp+"/diary", nil, &diary, 200)
	if len(diary.Items) != 1 || *diary.Items[0].Severity != 4 || diary.Items[0].Sensations[0] != "heavy" || diary.Items[0].Triggers[0] != "heat" {
		t.Fatalf("check-in stored as %+v", diary.Items)
	}

	// Invite a clinician.
	step("invite a clinician")
	p.goTo("#/sharing")
	p.wait("h1", "Sharing", 5*time.Second)
	p.typeInto("inv-note", "Dr Lee")
	p.tap("#inv-create", "")
	code := p.wait("#inv-code", "", 5*time.Second)
	link := p.wait("#inv-link", "", 5*time.Second)
	if link != srv.URL+"/#invite="+code {
		t.Fatalf("invitation link %q for code %q", link, code)
	}
	p.shot("04-sharing")

	// Two earlier walks, so the new one has a usual level.
	now := time.Now()
	uploadEarlier(t, kim, me.ID, now.AddDate(0, 0, -14), 116, 21)
	uploadEarlier(t, kim, me.ID, now.AddDate(0, 0, -7), 114, 23)

	// Run a 25-foot walk with recorded motion.
	step("run a 25-foot walk")
	p.goTo("#/run/t25fw")
	p.wait("h1", "25-foot walk", 5*time.Second)
	p.shot("05-run-intro")
	p.tap(".chip", "5 s")
	eval[any](p, motionScript(t25fwRecording()))
	// The walk is recorded without a connection: it waits on the phone
	// and is sent when the connection returns.
	p.offline(true)
	p.tap("#start", "")
	p.wait("#cue", "waistband", 5*time.Second)
	p.shot("06-run-countdown")
	p.wait("#recording", "", 10*time.Second)
	p.wait("#cue", "Go", 10*time.Second)
	p.shot("07-run-walking")
	p.wait("#cue", "walk back", 30*time.Second)
	step("  first walk done")
	p.wait("#cue", "Second walk", 30*time.Second)
	p.wait("#result-waiting", "saved on this phone", 45*time.Second)
	p.wait("#outbox-count", "1 waiting to upload", 5*time.Second)
	p.shot("08-run-saved-offline")
	step("  recorded offline; back online")
	p.offline(false)
	p.wait("#result", "", 40*time.Second)
	p.wait(".result-line", "25-foot walk", 15*time.Second)
	result := p.wait(".result-line", "usual", 10*time.Second)
	p.shot("09-run-result")
	step("  result: " + result)
	var as struct{ Items []legwork.Assessment }
	kim.must("GET", pp+"/assessments?test_type=t25fw", nil, &as, 200)
	if len(as.Items) != 3 {
		t.Fatalf("%d assessments", len(as.Items))
	}
	var got legwork.Assessment
	kim.must("GET", fmt.Sprintf("%s/assessments/%d", pp, as.Items[0].ID), nil, &got, 200)
	var outcome struct {
		Valid    bool
		Problems []struct{ Message string }
	}
	if err := json.Unmarshal(got.Result, &outcome); err != nil {
		t.Fatalf("result %s: %v", got.Result, err)
	}
	tm := got.Metrics["t25fw_time_s"]
	if !outcome.Valid || tm < 4.5 || tm > 9 || got.Placement != "lower_back" || !strings.Contains(got.UserAgent, "Chrome") {
		t.Fatalf("the browser's walk: valid %v %+v, time %.2f s, placement %q, agent %q", outcome.Valid, outcome.Problems, tm, got.Placement, got.UserAgent)
	}
	var shown float64
	if _, err := fmt.Sscanf(strings.TrimPrefix(result, "25-foot walk: "), "%g s", &shown); err != nil || math.Abs(shown-tm) > 0.051 {
		t.Fatalf("result %q, stored %.3f s", result, tm)
	}

	// Offline: a diary entry waits on the phone, survives a reload, and
	// arrives when the connection returns.
	step("offline diary entry")
	p.goTo("#/diary/new")
	p.wait("h1", "New diary entry", 5*time.Second)
	p.offline(true)
	for range 6 {
		p.tap("button[aria-label='Leg symptoms: more']", "")
	}
	p.tap(".chip", "Jelly / noodles")
	p.tap("[role=radio]", "Left")
	p.tap("[role=radio]", "Near-fall")
	p.typeInto("d-circ", "Caught my toe on the kerb")
	p.tap("#diary-save", "")
	p.wait(".note", "Kept on this phone", 10*time.Second)
	p.wait("#outbox-count", "1 waiting to upload", 5*time.Second)
	p.shot("10-offline-entry")
	p.open("/#/diary") // a reload without a network: the service worker serves the app
	p.wait("h1", "Diary", 10*time.Second)
	p.wait(".entry.pending", "Legs 6/10", 5*time.Second)
	p.wait("#outbox-count", "1 waiting to upload", 5*time.Second)
	p.shot("11-offline-reload")
	step("  back online")
	p.offline(false)
	p.gone("#outbox-count", "", 40*time.Second)
	kim.must("GET", pp+"/diary", nil, &diary, 200)
	if len(diary.Items) != 2 || diary.Items[0].Fall == nil || diary.Items[0].Fall.Kind != "near_fall" || diary.Items[0].Leg != "left" || *diary.Items[0].Severity != 6 {
		t.Fatalf("after reconnecting the diary holds %+v", diary.Items)
	}
	p.goTo("#/today")
	p.goTo("#/diary")
	p.wait("#diary-list .entry", "Near-fall", 10*time.Second)
	p.shot("12-diary")
	// Change the entry: add fatigue.
	p.tap("#diary-list .entry a", "Near-fall")
	p.wait("h1", "Change diary entry", 5*time.Second)
	p.wait("textarea", "Caught my toe", 5*time.Second)
	for range 3 {
		p.tap("button[aria-label='Fatigue: more']", "")
	}
	p.tap("#diary-save", "")
	p.wait(".note", "Saved", 10*time.Second)
	var entry legwork.DiaryEntry
	kim.must("GET", fmt.Sprintf("%s/diary/%d", pp, diary.Items[0].ID), nil, &entry, 200)
	if entry.Fatigue == nil || *entry.Fatigue != 3 || entry.Fall == nil || entry.Fall.Circumstances != "Caught my toe on the kerb" {
		t.Fatalf("changed entry %+v", entry)
	}

	// A treatment.
	step("treatment")
	p.goTo("#/treatments")
	p.tap("#iv-new", "")
	p.tap("[role=radio]", "Physical therapy")
	p.typeInto("iv-name", "Physio twice a week")
	p.shot("13-treatment-form")
	p.tap("#iv-save", "")
	p.wait("#iv-current .entry", "Physio twice a week", 10*time.Second)
	p.shot("14-treatments")

	// Trends: the chart, and the details of a tapped point.
	step("trends")
	p.goTo("#/trends")
	p.wait("h2", "25-foot walk", 10*time.Second)
	if n := eval[int](p, `document.querySelectorAll(".chart canvas").length`); n < 1 {
		t.Fatalf("%d chart canvases", n)
	}
	// The report button, present because this server has the report
	// endpoint, links to a PDF the person may download.
	href := eval[string](p, `document.getElementById("report").getAttribute("href")`)
	resp, err := kim.http.Get(srv.URL + href)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("report %s: %d %s", href, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	p.tapChartPoint()
	detail := p.wait(".point strong", "s", 5*time.Second)
	step("  tapped: " + detail)
	// The tapped point is the new walk (the latest, at the right), and it
	// says how it compares with usual in the same words as its result
	// did: both screens use the person's baseline.
	v := resultValue.FindString(result)
	if v == "" || !strings.HasSuffix(detail, v) {
		t.Fatalf("the tapped point %q is not the new walk (%q)", detail, result)
	}
	want := usualPhrase.FindString(result)
	if got := usualPhrase.FindString(eval[string](p, `document.querySelector(".point").innerText`)); want == "" || got != want {
		t.Fatalf("the result said %q, the chart's point %q (%s)", want, got, detail)
	}
	p.shot("15-trends")

	// The clinician opens the invitation link, signs in and accepts.
	step("clinician accepts")
	c := newTab(t, root, "clinician", srv.URL)
	c.open("/#invite=" + code)
	c.wait(".note", "clinician invitation", 10*time.Second)
	c.typeInto("signin-email", "dr.lee@clinic.example")
	c.typeInto("signin-password", clinPass)
	c.tap("button", "Sign in")
	c.wait("h1", "Clinician invitation", 10*time.Second)
	c.shot("16-clinician-invitation")
	c.tap("button", "Accept invitation")
	c.wait("p", "You can now see the results of Kim", 10*time.Second)
	c.tap("a", "Open their results")
	c.wait("h1", "Kim", 10*time.Second)
	c.wait("#latest .entry", "25-foot walk", 10*time.Second)
	c.wait("h2", "25-foot walk", 10*time.Second)
	c.wait("#plan-set-by", "Set by Kim on", 5*time.Second)
	c.shot("17-clinician-person")
	// Dr Lee changes the plan; Kim's Today says who set it.
	step("clinician changes the plan")
	c.tap("#plan-edit", "")
	c.tap("button[aria-label='2-minute walk: more']", "")
	c.tap("button", "Save the plan")
	c.wait("#plan-set-by", "Set by you on", 10*time.Second)
	p.goTo("#/sharing")
	p.goTo("#/today")
	p.wait("#plan-set-by", "Set by Dr Lee (your clinician) on", 10*time.Second)
	p.wait(".due", "2-minute walk", 5*time.Second)
	c.goTo("#/people")
	c.wait("#people h2", "Kim", 10*time.Second)
	c.shot("18-clinician-people")

	// A clinician Kim did not invite sees nothing of hers.
	step("stranger")
	s := newTab(t, root, "stranger", srv.URL)
	s.open("/")
	s.typeInto("signin-email", "dr.who@elsewhere.example")
	s.typeInto("signin-password", strangerPass)
	s.tap("button", "Sign in")
	s.wait("p", "Nobody has shared their data with you yet", 10*time.Second)
	s.goTo(fmt.Sprintf("#/people/%d", me.ID))
	s.wait(".problem", "no such person", 10*time.Second)
	if strings.Contains(eval[string](s, `document.body.innerText`), "25-foot walk") {
		t.Fatal("the stranger sees Kim's results")
	}
	s.shot("19-stranger")
	who := newClient(t, srv.URL)
	who.login("dr.who@elsewhere.example", strangerPass)
	if st := who.do("GET", pp+"/assessments", nil, nil); st != 404 {
		t.Fatalf("stranger reads the assessments: %d", st)
	}

	// Kim withdraws Dr Lee's access; his next look is refused.
	step("withdraw access")
	p.goTo("#/sharing")
	p.wait("#grants .entry", "Dr Lee", 10*time.Second)
	p.tap("#grants button", "Withdraw access")
	p.gone("#grants .entry", "Dr Lee", 10*time.Second)
	p.wait("h3", "Access withdrawn", 5*time.Second)
	c.goTo("#/today")
	c.goTo(fmt.Sprintf("#/people/%d", me.ID))
	c.wait(".problem", "withdrawn your access", 10*time.Second)
	step("done")
}

// tapChartPoint taps along the first chart until a point's details show.
var (
	// resultValue is the value a result line gives ("6.9 s"), usualPhrase
	// its comparison with usual ("2 % slower than your usual").
	resultValue = regexp.MustCompile(`[0-9.]+[\s\x{00a0}]s\b`)
	usualPhrase = regexp.MustCompile(`[0-9]+[\s\x{00a0}]% \w+ than your usual|the same as your usual`)
)

func (b *tab) tapChartPoint() {
	b.t.Helper()
	for _, f := range []float64{0.93, 0.9, 0.96, 0.87, 0.84, 0.8, 0.75, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1} {
		raw := eval[[]float64](b, fmt.Sprintf(`(() => { const o = document.querySelector(".chart .u-over"); o.scrollIntoView({block: "center"}); const r = o.getBoundingClientRect(); return [r.x + %f * r.width, r.y + r.height / 2]; })()`, f))
		b.do(5*time.Second, chromedp.TapXY(raw[0], raw[1]))
		if eval[bool](b, `!!document.querySelector(".point strong")`) {
			return
		}
	}
	b.t.Fatal("no chart point could be tapped")
}
