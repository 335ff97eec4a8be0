package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"

	"legwork"
	"legwork/app"
)

// importBars shows the progress of an import on standard error: bytes
// read for files of known length, hours of recording analysed for long
// recordings, assessments stored.
type importBars struct {
	m     *Main
	bar   *progressbar.ProgressBar
	file  string
	stage string
}

func (ib *importBars) update(p app.ImportProgress) {
	// One bar for storing every file's assessments.
	if p.Stage == "storing" && ib.stage == "storing" {
		p.File = ib.file
	}
	if p.File != ib.file || p.Stage != ib.stage {
		ib.finish()
		ib.file, ib.stage = p.File, p.Stage
		desc := "reading " + filepath.Base(p.File)
		opts := []progressbar.Option{
			progressbar.OptionSetWriter(ib.m.Stderr),
			progressbar.OptionThrottle(100 * time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(ib.m.Stderr) }),
		}
		max := p.Total
		switch {
		case p.Stage == "storing":
			desc = "storing assessments"
			opts = append(opts, progressbar.OptionShowCount())
		case p.Total > 0:
			opts = append(opts, progressbar.OptionShowBytes(true))
		default:
			// A long recording: its length is known only at the end.
			desc = "analysing " + filepath.Base(p.File) + " (seconds of recording)"
			max = -1
			opts = append(opts, progressbar.OptionSpinnerType(14))
		}
		opts = append(opts, progressbar.OptionSetDescription(desc))
		ib.bar = progressbar.NewOptions64(max, opts...)
	}
	ib.bar.Set64(p.Done)
}

func (ib *importBars) finish() {
	if ib.bar != nil {
		ib.bar.Finish()
		ib.bar = nil
	}
}

// runImport is "legwork import": recordings from other devices and apps,
// and Apple Health exports, stored as a person's assessments.
func (m *Main) runImport(ctx context.Context, args []string) error {
	fs := m.newFlagSet("import", "--person ID|EMAIL [--placement P] [--tz ZONE] FILE...   (recordings: legwork CSV/JSON/LWB1, Axivity .cwa, GENEActiv .bin, phyphox, Sensor Logger; Apple Health export.zip or export.xml)")
	var sf storeFlags
	sf.register(fs)
	person := fs.String("person", "", "the person: an account id or email")
	placement := fs.String("placement", "lower_back", "where the sensor was worn (recordings): lower_back, waist_belt, front_pocket, back_pocket, hand, hand_swinging, armband, neck_pouch, bag or unknown")
	tz := fs.String("tz", "", "the person's time zone, e.g. Europe/Berlin: separates the days of long recordings and Apple Health exports, and places device clocks without a zone (default: the zone stored with the person's account; without one, UTC, and for Apple Health the offsets in the export)")
	device := fs.String("assistive-device", "none", "walking aid used: none, cane, two_canes, walker, afo or wheelchair")
	minDay := fs.Float64("min-day-hours", app.DefaultMinDayCoverage.Hours(), "long recordings: the least hours a day must be recorded for its summary to be stored")
	quiet := fs.Bool("quiet", false, "no progress bars")
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 || *person == "" {
		fs.Usage()
		return usageError{"import needs --person and at least one FILE"}
	}
	opt := app.ImportOptions{Placement: *placement, Device: legwork.AssistiveDevice(*device),
		MinDayCoverage: time.Duration(*minDay * float64(time.Hour))}
	if opt.Location, err = parseZone(*tz); err != nil {
		return err
	}
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
	opt.PersonID = u.ID
	bars := &importBars{m: m}
	if !*quiet {
		opt.Progress = bars.update
	}
	start := time.Now()
	results, err := a.ImportFiles(sys, opt, files, nil)
	bars.finish()
	for _, r := range results {
		fmt.Fprintf(m.Stdout, "%s: %s, %s: %d stored, %d already imported", r.File, r.Format, r.Kind, r.Stored, r.Skipped)
		if len(r.Days) > 0 {
			fmt.Fprintf(m.Stdout, " (days %s to %s)", r.Days[0], r.Days[len(r.Days)-1])
		}
		fmt.Fprintln(m.Stdout)
		for _, n := range r.Notes {
			fmt.Fprintf(m.Stdout, "  note: %s\n", n)
		}
	}
	if err != nil {
		if len(results) > 0 {
			fmt.Fprintln(m.Stderr, "legwork: the import stopped part way; what is listed above was stored, and importing the same files again adds the rest")
		} else {
			fmt.Fprintln(m.Stderr, "legwork: nothing was stored")
		}
		return importFacing(err)
	}
	fmt.Fprintf(m.Stdout, "imported %d %s for %s in %s\n", len(results), map[bool]string{true: "file", false: "files"}[len(results) == 1], u.Email,
		time.Since(start).Round(time.Millisecond))
	return nil
}

// importFacing turns an import error into a message for the terminal: an
// error about a file is not about a flag.
func importFacing(err error) error {
	if legwork.ErrorField(err) == "file" {
		return errors.New(legwork.ErrorMessage(err))
	}
	return userFacing(err)
}
