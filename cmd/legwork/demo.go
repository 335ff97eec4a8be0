package main

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"legwork"
	"legwork/app"
	"legwork/assess"
	"legwork/gait"
	"legwork/imu"
	"legwork/synth"
)

// The demo accounts. The password is public: never run --demo on a server
// others can reach with real data on it. The load-test person has no data
// of its own and no clinician: "legwork loadtest" uploads as it by
// default, so that its thousands of test uploads stay out of the demo
// person's record.
const (
	demoPersonEmail    = "demo@legwork.local"
	demoClinicianEmail = "clinician@legwork.local"
	demoLoadtestEmail  = "loadtest@legwork.local"
	demoPassword       = "legwork-demo"
	demoHeightM        = 1.72
	demoWeeks          = 26
)

// isDemoAccount reports whether email is one of the demo accounts.
func isDemoAccount(email string) bool {
	switch email {
	case demoPersonEmail, demoClinicianEmail, demoLoadtestEmail:
		return true
	}
	return false
}

// runDemo is "legwork demo": the demo data without serving.
func (m *Main) runDemo(ctx context.Context, args []string) error {
	fs := m.newFlagSet("demo", "[flags]")
	var sf storeFlags
	sf.register(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		fs.Usage()
		return usageError{"demo takes no arguments"}
	}
	store, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	return m.seedDemo(ctx, app.New(app.Config{Store: store}))
}

// seedDemo adds the demo person, their clinician and six months of data,
// made the way real data is: synthetic raw recordings uploaded through the
// app and analysed, diary entries and interventions validated like any
// other. Running it again adds only what is missing.
func (m *Main) seedDemo(ctx context.Context, a *app.App) error {
	sys := app.SystemContext(ctx)
	person, err := demoUser(sys, a, app.NewUser{Email: demoPersonEmail, Name: "Alex Demo", Role: legwork.RolePerson, Password: demoPassword, HeightM: demoHeightM})
	if err != nil {
		return err
	}
	clin, err := demoUser(sys, a, app.NewUser{Email: demoClinicianEmail, Name: "Dr Sam Rivera", Role: legwork.RoleClinician, Password: demoPassword})
	if err != nil {
		return err
	}
	if _, err := demoUser(sys, a, app.NewUser{Email: demoLoadtestEmail, Name: "Load Test", Role: legwork.RolePerson, Password: demoPassword, HeightM: demoHeightM}); err != nil {
		return err
	}
	grants, err := a.ListGrants(sys, person.ID)
	if err != nil {
		return err
	}
	granted := false
	for _, g := range grants {
		granted = granted || (g.ClinicianID == clin.ID && g.Active())
	}
	if !granted {
		inv, err := a.CreateInvitation(sys, person.ID, "Dr Rivera, neurology clinic")
		if err != nil {
			return err
		}
		if _, err := a.AcceptInvitation(app.NewContext(ctx, &app.Actor{User: clin}), inv.Code); err != nil {
			return err
		}
	}
	// The timeline ends on the day the demo person was made, so that a
	// second run plans exactly the same items.
	plan := demoPlan(person.CreatedAt)
	added, err := plan.apply(sys, a, person.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "legwork: demo data ready (%s)\n"+
		"  person:    %s / %s\n  clinician: %s / %s (invited by the person: sees the data, may change the weekly plan)\n"+
		"  load test: %s / %s (a person of its own that \"legwork loadtest\" uploads to)\n",
		added, demoPersonEmail, demoPassword, demoClinicianEmail, demoPassword, demoLoadtestEmail, demoPassword)
	return nil
}

func demoUser(sys context.Context, a *app.App, nu app.NewUser) (*legwork.User, error) {
	u, err := a.UserByEmail(sys, nu.Email)
	if err == nil {
		return u, nil
	}
	if legwork.ErrorCode(err) != legwork.ENOTFOUND {
		return nil, err
	}
	return a.CreateUser(sys, nu)
}

// demoTest is one planned recording.
type demoTest struct {
	at      time.Time
	test    legwork.TestType
	make    func() (*gait.Recording, []assess.Segment)
	format  string
	context string
	tags    []string
}

// concat joins recordings end to end on one clock, as the app records the
// parts of a test, and returns the segment each part spans.
func concat(names []string, recs ...*gait.Recording) (*gait.Recording, []assess.Segment) {
	out := &gait.Recording{Gyro: true}
	var segs []assess.Segment
	offset := 0.0
	for i, r := range recs {
		out.Gyro = out.Gyro && r.Gyro
		if len(r.Samples) == 0 {
			continue
		}
		t0 := r.Samples[0].TimeS
		for _, smp := range r.Samples {
			smp.TimeS += offset - t0
			out.Samples = append(out.Samples, smp)
		}
		end := out.Samples[len(out.Samples)-1].TimeS
		segs = append(segs, assess.Segment{Name: names[i], StartS: offset, EndS: end})
		offset = end + 0.01
	}
	return out, segs
}

// t25fw is two timed walks of 25 feet with a rest between them.
func t25fw(a, b synth.WalkParams) func() (*gait.Recording, []assess.Segment) {
	return func() (*gait.Recording, []assess.Segment) {
		r1, _ := synth.Walk(a)
		r2, _ := synth.Walk(b)
		return concat([]string{"trial1", "trial2"}, r1, r2)
	}
}

func walkOnly(p synth.WalkParams) func() (*gait.Recording, []assess.Segment) {
	return func() (*gait.Recording, []assess.Segment) {
		r, _ := synth.Walk(p)
		return r, nil
	}
}

type demoDataPlan struct {
	tests         []demoTest
	diary         []legwork.DiaryEntry
	interventions []legwork.Intervention
}

// The story: a stable baseline; a six-week physiotherapy block from week 8
// that raises walking speed by about 12 %; hot weeks in summer that make
// the legs heavy; a relapse in week 18 (speed drops by a quarter, a fall),
// treated with steroids and recovered from over five weeks; balance tests
// from week 16.
const (
	ptStartWeek  = 8
	ptWeeks      = 6
	relapseDay   = 18*7 + 2
	recoveryDays = 35
)

// speedFactor is walking speed relative to the baseline on a day of the
// timeline.
func speedFactor(day float64) float64 {
	f := 1.0
	if pt := (day - ptStartWeek*7) / (ptWeeks * 7); pt > 0 {
		f += 0.12 * math.Min(pt, 1)
	}
	if d := day - relapseDay; d >= 0 && d < recoveryDays {
		f *= 1 - 0.26*(1-d/recoveryDays)
	}
	return f
}

func heatWeek(w int) bool { return w == 10 || w == 11 || w == 15 }

func demoPlan(anchor time.Time) *demoDataPlan {
	y, mo, d := anchor.UTC().Date()
	end := time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
	start := end.AddDate(0, 0, -demoWeeks*7)
	rng := rand.New(rand.NewPCG(20260101, 7))
	p := &demoDataPlan{}
	sensorH := 0.6 * demoHeightM
	walk := func(day float64, seed uint64, walkS float64, extraSlow float64) synth.WalkParams {
		f := speedFactor(day) * (1 + 0.025*rng.NormFloat64()) * extraSlow
		relapse := day >= relapseDay && day < relapseDay+recoveryDays
		cv, asym := 0.03, 0.04
		if relapse {
			cv, asym = 0.06, 0.12
		}
		return synth.WalkParams{StandBeforeS: 3, WalkS: walkS, StandAfterS: 3,
			CadenceSPM: 102 * math.Pow(f, 0.4), StepLengthM: 0.58 * math.Pow(f, 0.6), SensorHeightM: sensorH,
			StepTimeCV: cv, Asymmetry: asym, NoiseMS2: 0.08, NoiseRPS: 0.02, RollDeg: 4, PitchDeg: -6, Seed: seed}
	}
	formats := []string{app.FormatLWB, app.FormatLWB, app.FormatJSON, app.FormatCSV}
	for w := 0; w < demoWeeks; w++ {
		day := float64(w*7 + 1)
		at := start.AddDate(0, 0, w*7+1).Add(10 * time.Hour)
		relapse := day >= relapseDay && day < relapseDay+recoveryDays
		// T25FW: two trials, each the time to cover 7.62 m at this
		// week's speed, standing still before and after.
		trial := func(day float64, seed uint64, slow float64) synth.WalkParams {
			wp := walk(day, seed, 0, slow)
			wp.WalkS = 7.62/(wp.StepLengthM*wp.CadenceSPM/60) + 0.3
			return wp
		}
		p.tests = append(p.tests, demoTest{at: at, test: legwork.TestT25FW, format: formats[w%len(formats)],
			make: t25fw(trial(day, uint64(1000+w), 1), trial(day, uint64(1500+w), 1))})
		// Two-minute walk in a 15 m corridor: a 180° turn at each end.
		wp := walk(day, uint64(2000+w), 120, 1)
		speed := wp.StepLengthM * wp.CadenceSPM / 60
		for t := 3 + 15/speed; t < 120; t += 15/speed + 2 {
			wp.Turns = append(wp.Turns, synth.TurnSpec{StartS: t, DurationS: 2, AngleDeg: 180})
		}
		p.tests = append(p.tests, demoTest{at: at.Add(10 * time.Minute), test: legwork.TestWalk2Min, make: walkOnly(wp), format: app.FormatLWB})
		if w >= 16 {
			// Static balance: 30 s eyes open, 30 s eyes closed; more sway
			// with the eyes closed, and in the relapse.
			sway := 1.0
			if relapse {
				sway = 1.6
			}
			seed := uint64(3000 + w)
			p.tests = append(p.tests, demoTest{at: at.Add(20 * time.Minute), test: legwork.TestBalance, format: app.FormatLWB,
				make: func() (*gait.Recording, []assess.Segment) {
					open := synth.Stand(synth.StandParams{DurationS: 30, SwayAPMS2: 0.08 * sway, SwayMLMS2: 0.05 * sway, NoiseMS2: 0.03, Seed: seed})
					closed := synth.Stand(synth.StandParams{DurationS: 30, SwayAPMS2: 0.14 * sway, SwayMLMS2: 0.09 * sway, NoiseMS2: 0.03, Seed: seed + 1})
					return concat([]string{"eyes_open", "eyes_closed"}, open, closed)
				}})
			// Five-times sit-to-stand: slower, and tiring more, in the
			// relapse.
			f := speedFactor(day)
			sts := synth.SitToStandParams{Reps: 5, SitBeforeS: 3, SitAfterS: 3, RiseS: 1.0 / f, SitS: 1.2 / f, Slowing: 0.02, NoiseMS2: 0.05, Seed: uint64(5000 + w)}
			if relapse {
				sts.Slowing = 0.08
			}
			p.tests = append(p.tests, demoTest{at: at.Add(25 * time.Minute), test: legwork.TestSTS5, format: app.FormatLWB,
				make: func() (*gait.Recording, []assess.Segment) {
					r, _ := synth.SitToStand(sts)
					return r, nil
				}})
		}
		if heatWeek(w) {
			hot := start.AddDate(0, 0, w*7+4).Add(16 * time.Hour)
			p.tests = append(p.tests, demoTest{at: hot, test: legwork.TestT25FW, format: app.FormatLWB,
				make:    t25fw(trial(day+3, uint64(4000+w), 0.88), trial(day+3, uint64(4500+w), 0.86)),
				context: "31 °C outside, legs like lead", tags: []string{"hot day"}})
		}
		p.diary = append(p.diary, demoDiary(start, w, rng)...)
	}
	ptStart := start.AddDate(0, 0, ptStartWeek*7)
	ptEnd := ptStart.AddDate(0, 0, ptWeeks*7-1)
	steroidStart := start.AddDate(0, 0, relapseDay+2)
	steroidEnd := steroidStart.AddDate(0, 0, 2)
	p.interventions = []legwork.Intervention{
		{Kind: legwork.InterventionPhysicalTherapy, Name: "Neuro-physiotherapy, twice weekly (gait and balance training)", StartDate: ptStart, EndDate: &ptEnd,
			Notes: "Six-week block at the MS centre, with home exercises between sessions."},
		{Kind: legwork.InterventionRelapseTreatment, Name: "Methylprednisolone 1 g IV × 3 days", StartDate: steroidStart, EndDate: &steroidEnd,
			Notes: "For the relapse: left leg weak, walking much slower."},
	}
	return p
}

func ip(i int) *int { return &i }

// demoDiary returns a week's check-ins.
func demoDiary(start time.Time, w int, rng *rand.Rand) []legwork.DiaryEntry {
	var out []legwork.DiaryEntry
	clamp := func(v int) *int { return ip(max(0, min(10, v))) }
	for _, dd := range []int{2, 5} {
		day := w*7 + dd
		at := start.AddDate(0, 0, day).Add(19 * time.Hour)
		e := legwork.DiaryEntry{At: at, TimeOfDay: "evening", Leg: "left",
			Severity: clamp(3 + rng.IntN(2)), Fatigue: clamp(4 + rng.IntN(2)), Sensations: []string{legwork.SensationHeavy}}
		switch {
		case day >= relapseDay && day < relapseDay+14:
			e.Severity, e.Fatigue = clamp(8-(day-relapseDay)/5), clamp(8)
			e.Sensations = []string{legwork.SensationWeak, legwork.SensationBuckle}
			e.SensationOther = "left leg drags, foot catches"
			e.Notes = "Relapse. Called the MS nurse."
		case heatWeek(w):
			e.Severity, e.Fatigue = clamp(6), clamp(7)
			e.Sensations = []string{legwork.SensationJelly, legwork.SensationHeavy}
			e.Triggers = []string{legwork.TriggerHeat}
			e.TimeOfDay = "afternoon"
			e.At = start.AddDate(0, 0, day).Add(16 * time.Hour)
			e.Notes = "Hot day; better after a cool shower."
		case w >= ptStartWeek && w < ptStartWeek+ptWeeks:
			e.Notes = "Physio session; tired after but steadier."
			e.Triggers = []string{legwork.TriggerOverexertion}
		case rng.IntN(4) == 0:
			e.Triggers = []string{legwork.TriggerPoorSleep}
			e.Fatigue = clamp(6)
		}
		out = append(out, e)
	}
	if w == 11 {
		out[1].Fall = &legwork.Fall{Kind: "near_fall", Circumstances: "knee buckled on the stairs in the heat; caught the rail"}
	}
	if w == 18 {
		out = append(out, legwork.DiaryEntry{At: start.AddDate(0, 0, relapseDay+1).Add(8 * time.Hour), TimeOfDay: "morning", Leg: "left",
			Severity: ip(8), Fatigue: ip(8), Sensations: []string{legwork.SensationWeak, legwork.SensationBuckle},
			Fall:  &legwork.Fall{Kind: "fall", Circumstances: "left leg gave way getting out of bed; sat on the floor a while, not hurt"},
			Notes: "Fell this morning."})
	}
	return out
}

// apply adds the planned items the person does not have yet, matching
// assessments and diary entries by time and interventions by name.
func (p *demoDataPlan) apply(sys context.Context, a *app.App, personID int64) (string, error) {
	haveTests := map[int64]bool{}
	for page := (legwork.Page{Limit: app.MaxPageLimit}); ; {
		list, err := a.ListAssessments(sys, legwork.AssessmentFilter{PersonID: personID, Page: page})
		if err != nil {
			return "", err
		}
		for _, as := range list {
			haveTests[as.RecordedAt.Unix()] = true
		}
		if len(list) < page.Limit {
			break
		}
		page.Before = list[len(list)-1].ID
	}
	haveDiary := map[int64]bool{}
	for page := (legwork.Page{Limit: app.MaxPageLimit}); ; {
		list, err := a.ListDiaryEntries(sys, legwork.DiaryFilter{PersonID: personID, Page: page})
		if err != nil {
			return "", err
		}
		for _, e := range list {
			haveDiary[e.At.Unix()] = true
		}
		if len(list) < page.Limit {
			break
		}
		page.Before = list[len(list)-1].ID
	}
	ivs, err := a.ListInterventions(sys, personID)
	if err != nil {
		return "", err
	}
	haveIV := map[string]bool{}
	for _, iv := range ivs {
		haveIV[iv.Name] = true
	}

	var nt, nd, ni int
	for _, t := range p.tests {
		if haveTests[t.at.Unix()] {
			continue
		}
		rec, segs := t.make()
		var buf bytes.Buffer
		var err error
		switch t.format {
		case app.FormatCSV:
			err = imu.WriteCSV(&buf, rec)
		case app.FormatJSON:
			err = imu.WriteJSON(&buf, rec, "Mozilla/5.0 (Linux; Android 14) legwork-demo")
		default:
			err = imu.WriteLWB(&buf, rec)
		}
		if err != nil {
			return "", err
		}
		if _, _, err := a.CreateAssessment(sys, &app.Upload{PersonID: personID, TestType: t.test, Placement: "lower_back", Device: legwork.DeviceNone,
			RecordedAt: t.at, Context: t.context, Tags: t.tags, UserAgent: "legwork-demo", Source: "legwork", Format: t.format, Data: buf.Bytes(),
			Segments: segs}); err != nil {
			return "", fmt.Errorf("%s on %s: %w", t.test, t.at.Format(time.DateOnly), err)
		}
		nt++
	}
	for _, e := range p.diary {
		if haveDiary[e.At.Unix()] {
			continue
		}
		e.PersonID = personID
		if _, err := a.CreateDiaryEntry(sys, &e); err != nil {
			return "", fmt.Errorf("diary on %s: %w", e.At.Format(time.DateOnly), err)
		}
		nd++
	}
	for _, iv := range p.interventions {
		if haveIV[iv.Name] {
			continue
		}
		iv.PersonID = personID
		if _, err := a.CreateIntervention(sys, &iv); err != nil {
			return "", fmt.Errorf("intervention %q: %w", iv.Name, err)
		}
		ni++
	}
	if nt+nd+ni == 0 {
		return "already present", nil
	}
	return fmt.Sprintf("added %d assessments, %d diary entries, %d interventions", nt, nd, ni), nil
}
