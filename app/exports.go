package app

import (
	"context"
	"fmt"
	"io"
	"iter"
	"strconv"

	"legwork"
	"legwork/export"
	"legwork/fhir"
)

// Export formats.
const (
	ExportCSV     = "csv"
	ExportParquet = "parquet"
	ExportFHIR    = "fhir"
)

// ExportOptions select an export.
type ExportOptions struct {
	// PersonID selects one person; 0 exports every person (a cohort:
	// administrators and the system only).
	PersonID int64
	// Format is ExportCSV, ExportParquet or ExportFHIR.
	Format string
	// Pseudonymizer, when set, replaces person ids by keyed pseudonyms
	// and leaves out names, emails and free text (see package export).
	// Administrators get cohorts only pseudonymised.
	Pseudonymizer *export.Pseudonymizer
}

// ExportSink receives the files of an export one after the other: a
// *zip.Writer is one, a directory another. A writer returned by Create is
// written completely before the next Create.
type ExportSink interface {
	Create(name string) (io.Writer, error)
}

// Export is an authorised, audited export, ready to be written with
// Write.
type Export struct {
	a      *App
	opt    ExportOptions
	people []*legwork.User
}

// Files returns the names of the files the export writes, in order: for
// CSV and Parquet metrics, diary and interventions; for FHIR one Bundle
// per person.
func (e *Export) Files() []string {
	switch e.opt.Format {
	case ExportFHIR:
		names := make([]string, len(e.people))
		for i, p := range e.people {
			names[i] = e.bundleName(p)
		}
		return names
	}
	ext := "." + e.opt.Format
	return []string{"metrics" + ext, "diary" + ext, "interventions" + ext}
}

// Pseudonymised reports whether the export is pseudonymised.
func (e *Export) Pseudonymised() bool { return e.opt.Pseudonymizer != nil }

// People is the number of people exported.
func (e *Export) People() int { return len(e.people) }

func (e *Export) bundleName(p *legwork.User) string {
	if e.opt.Pseudonymizer != nil {
		return e.opt.Pseudonymizer.Pseudonym(p.ID) + ".fhir.json"
	}
	return "person-" + strconv.FormatInt(p.ID, 10) + ".fhir.json"
}

// Export authorises an export and records it in the audit log — for a
// person export one read event ("export"), for a cohort one read event
// per person — and returns it, to be written with Write. A person's
// export is open to whoever may read their data (the person, an invited
// clinician); a cohort export to administrators, pseudonymised, and to
// the system (the operator's command line), pseudonymised or not.
func (a *App) Export(ctx context.Context, opt ExportOptions) (*Export, error) {
	switch opt.Format {
	case ExportCSV, ExportParquet, ExportFHIR:
	default:
		return nil, legwork.FieldErrorf("format", "must be csv, parquet or fhir")
	}
	detail := "format=" + opt.Format
	if opt.Pseudonymizer != nil {
		detail += " pseudonymised"
	}
	if opt.PersonID != 0 {
		act, err := a.authorize(ctx, opt.PersonID, readAccess, "export")
		if err != nil {
			return nil, err
		}
		p, err := a.personOf(ctx, opt.PersonID)
		if err != nil {
			return nil, err
		}
		if err := a.auditRead(ctx, act, opt.PersonID, "export", detail); err != nil {
			return nil, err
		}
		return &Export{a: a, opt: opt, people: []*legwork.User{p}}, nil
	}
	act := ActorFrom(ctx)
	switch {
	case act == nil || (act.User == nil && !act.System):
		return nil, legwork.Errorf(legwork.EUNAUTHORIZED, "sign in first")
	case !act.System && !act.User.Admin:
		return nil, legwork.Errorf(legwork.EFORBIDDEN, "only an administrator can export the data of every person")
	case !act.System && opt.Pseudonymizer == nil:
		return nil, legwork.FieldErrorf("pseudonymise", "an administrator's cohort export is pseudonymised: pass pseudonymise=1 with the secret")
	}
	users, err := a.store.ListUsers(ctx)
	if err != nil {
		return nil, err
	}
	var people []*legwork.User
	for _, u := range users {
		if u.Role == legwork.RolePerson {
			people = append(people, u)
		}
	}
	for _, p := range people {
		if err := a.auditRead(ctx, act, p.ID, "export:cohort", detail); err != nil {
			return nil, err
		}
	}
	return &Export{a: a, opt: opt, people: people}, nil
}

// assessments yields every assessment of the people, person by person,
// oldest first within a page.
func (e *Export) assessments(ctx context.Context) iter.Seq2[*legwork.Assessment, error] {
	return func(yield func(*legwork.Assessment, error) bool) {
		for _, p := range e.people {
			for as, err := range e.assessmentsOf(ctx, p.ID) {
				if !yield(as, err) || err != nil {
					return
				}
			}
		}
	}
}

func (e *Export) assessmentsOf(ctx context.Context, personID int64) iter.Seq2[*legwork.Assessment, error] {
	return func(yield func(*legwork.Assessment, error) bool) {
		f := legwork.AssessmentFilter{PersonID: personID, Page: legwork.Page{Limit: MaxPageLimit}}
		for {
			list, err := e.a.store.ListAssessments(ctx, f)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, as := range list {
				if !yield(as, nil) {
					return
				}
			}
			if len(list) < f.Page.Limit {
				return
			}
			f.Page.Before = list[len(list)-1].ID
		}
	}
}

func (e *Export) diaryOf(ctx context.Context, personID int64) iter.Seq2[*legwork.DiaryEntry, error] {
	return func(yield func(*legwork.DiaryEntry, error) bool) {
		f := legwork.DiaryFilter{PersonID: personID, Page: legwork.Page{Limit: MaxPageLimit}}
		for {
			list, err := e.a.store.ListDiaryEntries(ctx, f)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, d := range list {
				if !yield(d, nil) {
					return
				}
			}
			if len(list) < f.Page.Limit {
				return
			}
			f.Page.Before = list[len(list)-1].ID
		}
	}
}

func (e *Export) diary(ctx context.Context) iter.Seq2[*legwork.DiaryEntry, error] {
	return func(yield func(*legwork.DiaryEntry, error) bool) {
		for _, p := range e.people {
			for d, err := range e.diaryOf(ctx, p.ID) {
				if !yield(d, err) || err != nil {
					return
				}
			}
		}
	}
}

func (e *Export) interventions(ctx context.Context) iter.Seq2[*legwork.Intervention, error] {
	return func(yield func(*legwork.Intervention, error) bool) {
		for _, p := range e.people {
			list, err := e.a.store.ListInterventions(ctx, p.ID)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, iv := range list {
				if !yield(iv, nil) {
					return
				}
			}
		}
	}
}

// ExportStats counts what an export wrote.
type ExportStats struct {
	People        int `json:"people"`
	Metrics       int `json:"metrics"` // metric rows; for FHIR, assessments
	Diary         int `json:"diary"`
	Interventions int `json:"interventions"`
}

// Write writes the export's files to sink, streaming from the store.
// After an error the output is incomplete and must be discarded.
func (e *Export) Write(ctx context.Context, sink ExportSink) (ExportStats, error) {
	st := ExportStats{People: len(e.people)}
	pz := e.opt.Pseudonymizer
	files := e.Files()
	if e.opt.Format == ExportFHIR {
		for i, p := range e.people {
			w, err := sink.Create(files[i])
			if err != nil {
				return st, err
			}
			if err := e.writeBundle(ctx, w, p, &st); err != nil {
				return st, err
			}
		}
		return st, nil
	}
	write := func(name string, f func(w io.Writer) (int, error)) (int, error) {
		w, err := sink.Create(name)
		if err != nil {
			return 0, err
		}
		n, err := f(w)
		if err != nil {
			return n, fmt.Errorf("%s: %w", name, err)
		}
		return n, nil
	}
	var err error
	parquet := e.opt.Format == ExportParquet
	if st.Metrics, err = write(files[0], func(w io.Writer) (int, error) {
		if parquet {
			return export.WriteParquet(w, export.Metrics(e.assessments(ctx), pz), export.Options{})
		}
		return export.WriteCSV(w, export.Metrics(e.assessments(ctx), pz))
	}); err != nil {
		return st, err
	}
	if st.Diary, err = write(files[1], func(w io.Writer) (int, error) {
		if parquet {
			return export.WriteParquet(w, export.Diary(e.diary(ctx), pz), export.Options{})
		}
		return export.WriteCSV(w, export.Diary(e.diary(ctx), pz))
	}); err != nil {
		return st, err
	}
	if st.Interventions, err = write(files[2], func(w io.Writer) (int, error) {
		if parquet {
			return export.WriteParquet(w, export.Interventions(e.interventions(ctx), pz), export.Options{})
		}
		return export.WriteCSV(w, export.Interventions(e.interventions(ctx), pz))
	}); err != nil {
		return st, err
	}
	return st, nil
}

func (e *Export) writeBundle(ctx context.Context, w io.Writer, p *legwork.User, st *ExportStats) error {
	fo := fhir.Options{Timestamp: e.a.now().UTC()}
	if e.opt.Pseudonymizer != nil {
		fo.Pseudonym = e.opt.Pseudonymizer.Pseudonym(p.ID)
	}
	fw, err := fhir.NewWriter(w, p, fo)
	if err != nil {
		return err
	}
	for as, err := range e.assessmentsOf(ctx, p.ID) {
		if err != nil {
			return err
		}
		if err := fw.Assessment(as); err != nil {
			return err
		}
		st.Metrics++
	}
	for d, err := range e.diaryOf(ctx, p.ID) {
		if err != nil {
			return err
		}
		if err := fw.DiaryEntry(d); err != nil {
			return err
		}
		st.Diary++
	}
	return fw.Close()
}
