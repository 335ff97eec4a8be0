package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"legwork"
	"legwork/app"
	"legwork/report"
)

// resolvePerson finds a person by id or email, as the system.
func resolvePerson(sys context.Context, a *app.App, s string) (*legwork.User, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, usageError{"--person is required (an id or an email)"}
	}
	var u *legwork.User
	var err error
	if id, perr := strconv.ParseInt(s, 10, 64); perr == nil {
		u, err = a.Store().User(sys, id)
	} else {
		u, err = a.UserByEmail(sys, s)
	}
	if err != nil {
		if legwork.ErrorCode(err) == legwork.ENOTFOUND {
			return nil, fmt.Errorf("no account %s", s)
		}
		return nil, err
	}
	if u.Role != legwork.RolePerson {
		return nil, fmt.Errorf("%s is a %s, not a person with data", s, u.Role)
	}
	return u, nil
}

// parseDate reads a YYYY-MM-DD flag.
func parseDate(flagName, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, usageError{fmt.Sprintf("--%s %q: want a date like 2026-03-01", flagName, v)}
	}
	return t, nil
}

// parseZone reads a --tz flag; nil when empty (the person's stored zone,
// then UTC).
func parseZone(v string) (*time.Location, error) {
	loc, err := app.ParseTimeZone("tz", v)
	if err != nil {
		return nil, usageError{fmt.Sprintf("--tz %q: want a time zone name such as Europe/Berlin", v)}
	}
	return loc, nil
}

// writeFileAtomic writes data to name through a temporary file in the same
// directory, so that name is either absent or complete.
func writeFileAtomic(name string, data []byte) error {
	return writeAtomic(name, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// writeAtomic streams fn's output to name through a temporary file in the
// same directory (mode 0600), renamed into place once complete and synced.
func writeAtomic(name string, fn func(w io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 256<<10)
	err = fn(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), name)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// runReport is "legwork report": the clinician report of a person over a
// period, as PDF or HTML.
func (m *Main) runReport(ctx context.Context, args []string) error {
	fs := m.newFlagSet("report", "--person ID|EMAIL [--from YYYY-MM-DD] [--to YYYY-MM-DD] [-o report.pdf|report.html] [flags]")
	var sf storeFlags
	sf.register(fs)
	person := fs.String("person", "", "the person: an account id or email")
	fromS := fs.String("from", "", "first day of the report (YYYY-MM-DD; default: six months before --to)")
	toS := fs.String("to", "", "last day of the report, inclusive (YYYY-MM-DD; default: today in the person's zone)")
	out := fs.String("o", "", "output file; .html for HTML, else PDF; - for PDF on standard output (default legwork-report-ID-FROM-TO.pdf)")
	tz := fs.String("tz", "", "the person's time zone, e.g. Europe/Berlin: days, months and night-time tests (default: the zone stored with the person's account, else UTC)")
	effectWeeks := fs.Int("effect-weeks", 0, "weeks before and after an intervention's start that are compared (default 6)")
	baselineWeeks := fs.Int("baseline-weeks", 0, "length of the default baseline from each measure's first test (default 4)")
	baseFromS := fs.String("baseline-from", "", "first day of a baseline period chosen by hand (with --baseline-to)")
	baseToS := fs.String("baseline-to", "", "day after the last day of that baseline period")
	planS := fs.String("plan", "", "tests planned per week, e.g. t25fw=7,walk2min=7,balance=1 (default: the person's stored weekly plan, else inferred)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 || *person == "" {
		fs.Usage()
		return usageError{"report needs --person"}
	}
	var opt app.ReportOptions
	if opt.From, err = parseDate("from", *fromS); err != nil {
		return err
	}
	if opt.To, err = parseDate("to", *toS); err != nil {
		return err
	}
	if opt.Insights.BaselineFrom, err = parseDate("baseline-from", *baseFromS); err != nil {
		return err
	}
	if opt.Insights.BaselineTo, err = parseDate("baseline-to", *baseToS); err != nil {
		return err
	}
	if opt.Insights.Location, err = parseZone(*tz); err != nil {
		return err
	}
	opt.Insights.EffectWeeks, opt.Insights.BaselineWeeks = *effectWeeks, *baselineWeeks
	if opt.Plan, err = app.ParsePlan(*planS); err != nil {
		return userFacing(err)
	}
	html := strings.EqualFold(filepath.Ext(*out), ".html") || strings.EqualFold(filepath.Ext(*out), ".htm")

	store, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	a := app.New(app.Config{Store: store})
	sys := app.SystemContext(ctx)
	u, err := resolvePerson(sys, a, *person)
	if err != nil {
		return err
	}
	data, err := a.Report(sys, u.ID, opt)
	if err != nil {
		return userFacing(err)
	}
	var buf bytes.Buffer
	if html {
		err = report.HTML(&buf, data)
	} else {
		err = report.PDF(&buf, data)
	}
	if err != nil {
		return err
	}
	name := *out
	switch name {
	case "-":
		_, err := m.Stdout.Write(buf.Bytes())
		return err
	case "":
		name = fmt.Sprintf("legwork-report-%d-%s-%s.pdf", u.ID, data.From.Format(time.DateOnly), data.To.Format(time.DateOnly))
	}
	if err := writeFileAtomic(name, buf.Bytes()); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "wrote %s (%s, %d KB): %s, %s to %s\n", name, map[bool]string{true: "HTML", false: "PDF"}[html], (buf.Len()+1023)/1024, u.Name, data.From.Format(time.DateOnly), data.To.Format(time.DateOnly))
	return nil
}
