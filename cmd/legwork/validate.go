package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"legwork/validate"
)

func (m *Main) runValidate(ctx context.Context, args []string) error {
	fs := m.newFlagSet("validate", "[flags] DIR...")
	asJSON := fs.Bool("json", false, "print the summary as one JSON object")
	out := fs.String("o", "", "also write the report to this file (Markdown when it ends in .md, JSON otherwise)")
	dirs, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(dirs) == 0 {
		fs.Usage()
		return usageError{"validate needs at least one DIR (e.g. ../shared/data)"}
	}
	cases, err := validate.Find(dirs...)
	if err != nil {
		return err
	}
	if len(cases) == 0 {
		return fmt.Errorf("no recording folders (imu.csv + meta.json + truth.json) under %s", strings.Join(dirs, ", "))
	}
	rep, err := validate.Run(cases, func(done, total int) {
		if !*asJSON {
			fmt.Fprintf(m.Stderr, "\rvalidating %d/%d", done, total)
		}
	})
	if !*asJSON {
		fmt.Fprintln(m.Stderr)
	}
	if err != nil {
		return err
	}
	if *out != "" {
		var b []byte
		if filepath.Ext(*out) == ".md" {
			b = []byte(validate.Markdown(rep, dirs))
		} else {
			b, _ = json.MarshalIndent(rep, "", "  ")
		}
		if err := os.WriteFile(*out, b, 0o644); err != nil {
			return err
		}
	}
	if *asJSON {
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	validate.WriteText(m.Stdout, rep)
	return nil
}
