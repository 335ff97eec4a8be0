package api

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"legwork"
	"legwork/app"
	"legwork/export"
)

// Imports and exports (see docs/INTEROP.md).

// maxImportBytes bounds an import request: a week of a wrist or trunk
// wearable at 100 Hz (Axivity AX6) is about 800 MB.
const maxImportBytes = 1 << 30

// SecretHeader carries the pseudonymisation secret of an export: the
// server keeps none, so the caller's secret alone decides the pseudonyms
// (the same secret links exports made on different days).
const SecretHeader = "X-Legwork-Pseudonym-Secret"

// uploadName keeps the base of an uploaded file's name, in a safe
// alphabet (readers recognise some formats by their file names, e.g.
// Sensor Logger's TotalAcceleration.csv).
func uploadName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('_')
		}
		if b.Len() >= 100 {
			break
		}
	}
	s := strings.TrimLeft(b.String(), ".")
	if s == "" {
		s = "upload"
	}
	return s
}

// createImport imports uploaded files (multipart/form-data, parts named
// "file") for the person: recordings in any supported format and Apple
// Health exports. Options are query parameters: placement, tz,
// assistive_device, min_day_hours.
func (s *Server) createImport(w http.ResponseWriter, r *http.Request) error {
	id, err := personID(r)
	if err != nil {
		return err
	}
	if err := s.app.CheckWrite(r.Context(), id); err != nil {
		return err
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return legwork.Errorf(legwork.EINVALID, "send the files as multipart/form-data, each in a part named \"file\"")
	}
	q := r.URL.Query()
	opt := app.ImportOptions{PersonID: id, Placement: q.Get("placement"), Device: legwork.AssistiveDevice(q.Get("assistive_device"))}
	// Without tz, the person's stored zone (the app knows it).
	if opt.Location, err = queryLocation(r); err != nil {
		return err
	}
	if v := q.Get("min_day_hours"); v != "" {
		h, err := strconv.ParseFloat(v, 64)
		if err != nil || !(h > 0) {
			return legwork.FieldErrorf("min_day_hours", "must be a number of hours")
		}
		opt.MinDayCoverage = time.Duration(h * float64(time.Hour))
	}
	dir, err := os.MkdirTemp("", "legwork-import-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	r.Body = http.MaxBytesReader(w, r.Body, maxImportBytes)
	mr, err := r.MultipartReader()
	if err != nil {
		return legwork.Errorf(legwork.EINVALID, "the body is not multipart/form-data: %v", err)
	}
	var paths, names []string
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return err
			}
			return legwork.Errorf(legwork.EINVALID, "the upload could not be read completely: %v", err)
		}
		if part.FormName() != "file" {
			part.Close()
			return legwork.FieldErrorf(part.FormName(), "is not a known part: send files in parts named \"file\" and options as query parameters")
		}
		name := uploadName(part.FileName())
		sub := filepath.Join(dir, strconv.Itoa(len(paths)))
		if err := os.Mkdir(sub, 0o700); err != nil {
			return err
		}
		p := filepath.Join(sub, name)
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		_, err = io.Copy(f, part)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		part.Close()
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return err
			}
			return legwork.Errorf(legwork.EINVALID, "the upload of %s could not be read completely", name)
		}
		paths, names = append(paths, p), append(names, name)
	}
	if len(paths) == 0 {
		return legwork.FieldErrorf("file", "no file: send each file in a part named \"file\"")
	}
	results, err := s.app.ImportFiles(r.Context(), opt, paths, names)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, itemsOf(results))
	return nil
}

// queryExport reads format and pseudonymise (with the secret header).
func queryExport(r *http.Request) (app.ExportOptions, error) {
	q := r.URL.Query()
	opt := app.ExportOptions{Format: q.Get("format")}
	if opt.Format == "" {
		opt.Format = app.ExportCSV
	}
	switch opt.Format {
	case app.ExportCSV, app.ExportParquet, app.ExportFHIR:
	default:
		return opt, legwork.FieldErrorf("format", "must be csv, parquet or fhir")
	}
	pseudo := false
	if v := q.Get("pseudonymise"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return opt, legwork.FieldErrorf("pseudonymise", "must be 1 or 0")
		}
		pseudo = b
	}
	secret := r.Header.Get(SecretHeader)
	switch {
	case pseudo && secret == "":
		return opt, legwork.FieldErrorf("secret", "pseudonymise=1 needs the secret in the %s header (at least %d bytes; the same secret gives the same pseudonyms)", SecretHeader, export.MinSecretLen)
	case !pseudo && secret != "":
		return opt, legwork.FieldErrorf("pseudonymise", "a secret was sent without pseudonymise=1")
	case pseudo:
		pz, err := export.NewPseudonymizer([]byte(secret))
		if err != nil {
			return opt, legwork.FieldErrorf("secret", "must be at least %d bytes", export.MinSecretLen)
		}
		opt.Pseudonymizer = pz
	}
	return opt, nil
}

// streamExport writes an authorised export: a zip of its files, or one
// FHIR bundle. Errors after the first byte can only be logged.
func (s *Server) streamExport(w http.ResponseWriter, r *http.Request, ex *app.Export, base string, single bool) {
	h := w.Header()
	var err error
	if single {
		h.Set("Content-Type", "application/fhir+json")
		h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", base+".fhir.json"))
		w.WriteHeader(http.StatusOK)
		_, err = ex.Write(r.Context(), &singleSink{w: w})
	} else {
		h.Set("Content-Type", "application/zip")
		h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", base+".zip"))
		w.WriteHeader(http.StatusOK)
		zw := zip.NewWriter(w)
		if _, err = ex.Write(r.Context(), zw); err == nil {
			err = zw.Close()
		}
	}
	if err != nil {
		s.log.Error("export failed part way", "path", r.URL.Path, "err", err)
		// Abort the response so that the client sees an incomplete
		// download rather than a valid-looking, truncated file.
		panic(http.ErrAbortHandler)
	}
}

type singleSink struct {
	w    io.Writer
	used bool
}

func (s *singleSink) Create(string) (io.Writer, error) {
	if s.used {
		return nil, errors.New("export: more than one file for a single bundle")
	}
	s.used = true
	return s.w, nil
}

// exportPerson streams a person's data: a zip of metrics, diary and
// interventions (CSV or Parquet), or a FHIR bundle.
func (s *Server) exportPerson(w http.ResponseWriter, r *http.Request) error {
	id, err := personID(r)
	if err != nil {
		return err
	}
	opt, err := queryExport(r)
	if err != nil {
		return s.app.RefuseUnreadRead(r.Context(), id, "export", err)
	}
	opt.PersonID = id
	ex, err := s.app.Export(r.Context(), opt)
	if err != nil {
		return err
	}
	base := fmt.Sprintf("legwork-%d-%s-%s", id, opt.Format, time.Now().UTC().Format(time.DateOnly))
	s.streamExport(w, r, ex, base, opt.Format == app.ExportFHIR)
	return nil
}

// exportCohort streams every person's data, pseudonymised, as a zip
// (administrators only).
func (s *Server) exportCohort(w http.ResponseWriter, r *http.Request) error {
	if err := signedIn(r); err != nil {
		return err
	}
	opt, err := queryExport(r)
	if err != nil {
		return err
	}
	ex, err := s.app.Export(r.Context(), opt)
	if err != nil {
		return err
	}
	base := fmt.Sprintf("legwork-cohort-%s-%s", opt.Format, time.Now().UTC().Format(time.DateOnly))
	s.streamExport(w, r, ex, base, false)
	return nil
}
