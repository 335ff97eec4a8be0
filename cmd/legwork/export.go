package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"legwork/app"
	"legwork/export"
)

// dirSink writes an export's files into a directory; on failure the files
// it made are removed.
type dirSink struct {
	dir  string
	cur  *os.File
	buf  *bufio.Writer
	made []string
}

func (d *dirSink) Create(name string) (io.Writer, error) {
	if err := d.closeCurrent(); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(d.dir, name), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	d.cur, d.buf = f, bufio.NewWriterSize(f, 256<<10)
	d.made = append(d.made, f.Name())
	return d.buf, nil
}

func (d *dirSink) closeCurrent() error {
	if d.cur == nil {
		return nil
	}
	err := d.buf.Flush()
	if cerr := d.cur.Close(); err == nil {
		err = cerr
	}
	d.cur = nil
	return err
}

func (d *dirSink) abort() {
	d.closeCurrent()
	for _, n := range d.made {
		os.Remove(n)
	}
}

// fileSink writes a single-file export (one FHIR Bundle) to a file.
type fileSink struct {
	w     io.Writer
	given bool
}

func (s *fileSink) Create(name string) (io.Writer, error) {
	if s.given {
		return nil, errors.New("more than one file for a single output file: use a directory or a .zip")
	}
	s.given = true
	return s.w, nil
}

// readSecret reads a pseudonymisation secret file: at least 16 bytes
// (trailing white space is not part of it), readable by its owner only.
func readSecret(name string) (*export.Pseudonymizer, error) {
	st, err := os.Stat(name)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("--secret-file %s does not exist; make one once and keep it (the same secret gives the same pseudonyms on every export):\n"+
				"  umask 077; head -c 32 /dev/urandom | base64 > %s", name, name)
		}
		return nil, err
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("--secret-file %s can be read by others (mode %v): chmod 600 it", name, st.Mode().Perm())
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	b = bytes.TrimRight(b, " \t\r\n")
	pz, err := export.NewPseudonymizer(b)
	if err != nil {
		return nil, fmt.Errorf("--secret-file %s: at least %d bytes are needed", name, export.MinSecretLen)
	}
	return pz, nil
}

// runExport is "legwork export": a person's or every person's data as
// CSV, Parquet or FHIR.
func (m *Main) runExport(ctx context.Context, args []string) error {
	fs := m.newFlagSet("export", "--person ID|EMAIL | --cohort [--pseudonymise --secret-file F] --format csv|parquet|fhir -o DIR|FILE.zip|FILE.json")
	var sf storeFlags
	sf.register(fs)
	person := fs.String("person", "", "the person to export: an account id or email")
	cohort := fs.Bool("cohort", false, "export every person")
	pseudo := fs.Bool("pseudonymise", false, "replace person ids by keyed pseudonyms and leave out names, emails and free text")
	secretFile := fs.String("secret-file", "", "the pseudonymisation secret (at least 16 bytes, mode 600); keep it: the same secret links exports made on different days")
	format := fs.String("format", "csv", "csv, parquet or fhir")
	out := fs.String("o", "", "output: a directory, a .zip file, or (one person, fhir) a .json file")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 || *out == "" || (*person == "") == !*cohort {
		fs.Usage()
		return usageError{"export needs -o and either --person or --cohort"}
	}
	if *pseudo != (*secretFile != "") {
		return usageError{"--pseudonymise and --secret-file go together"}
	}
	opt := app.ExportOptions{Format: *format}
	if *pseudo {
		if opt.Pseudonymizer, err = readSecret(*secretFile); err != nil {
			return err
		}
	}
	store, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	a := app.New(app.Config{Store: store})
	sys := app.SystemContext(ctx)
	if *person != "" {
		u, err := resolvePerson(sys, a, *person)
		if err != nil {
			return err
		}
		opt.PersonID = u.ID
	}
	ex, err := a.Export(sys, opt)
	if err != nil {
		return userFacing(err)
	}
	var st app.ExportStats
	switch ext := strings.ToLower(filepath.Ext(*out)); {
	case ext == ".zip":
		err = writeAtomic(*out, func(w io.Writer) error {
			zw := zip.NewWriter(w)
			var err error
			if st, err = ex.Write(ctx, zw); err != nil {
				return err
			}
			return zw.Close()
		})
	case ext == ".json":
		if opt.PersonID == 0 || opt.Format != app.ExportFHIR {
			return usageError{"-o FILE.json is for one person's FHIR bundle: use a directory or a .zip"}
		}
		err = writeAtomic(*out, func(w io.Writer) error {
			var err error
			st, err = ex.Write(ctx, &fileSink{w: w})
			return err
		})
	default:
		if err := os.MkdirAll(*out, 0o700); err != nil {
			return err
		}
		ds := &dirSink{dir: *out}
		if st, err = ex.Write(ctx, ds); err == nil {
			err = ds.closeCurrent()
		}
		if err != nil {
			ds.abort()
		}
	}
	if err != nil {
		return err
	}
	what := "identified"
	if ex.Pseudonymised() {
		what = "pseudonymised"
	}
	fmt.Fprintf(m.Stdout, "exported %d %s (%s, %s) to %s: %s\n", st.People, map[bool]string{true: "person", false: "people"}[st.People == 1], opt.Format, what, *out,
		strings.Join(ex.Files()[:min(len(ex.Files()), 3)], ", ")+map[bool]string{true: ", …", false: ""}[len(ex.Files()) > 3])
	if opt.Format == app.ExportFHIR {
		fmt.Fprintf(m.Stdout, "  %d assessments, %d diary entries\n", st.Metrics, st.Diary)
	} else {
		fmt.Fprintf(m.Stdout, "  %d metric rows, %d diary entries, %d interventions\n", st.Metrics, st.Diary, st.Interventions)
	}
	return nil
}
