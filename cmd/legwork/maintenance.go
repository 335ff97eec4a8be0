package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"

	"legwork/app"
	"legwork/sqlite"
)

// runReanalyze is "legwork reanalyze": every stored recording analysed
// again with the current algorithm.
func (m *Main) runReanalyze(ctx context.Context, args []string) error {
	fs := m.newFlagSet("reanalyze", "[--all] [flags]")
	var sf storeFlags
	sf.register(fs)
	all := fs.Bool("all", false, "also re-analyse recordings already analysed by the current algorithm version")
	quiet := fs.Bool("quiet", false, "no progress bar")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		fs.Usage()
		return usageError{"reanalyze takes no arguments"}
	}
	store, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	a := app.New(app.Config{Store: store})
	var bar *progressbar.ProgressBar
	opt := app.ReanalyzeOptions{All: *all}
	if !*quiet {
		opt.Progress = func(done, total int) {
			if bar == nil {
				bar = progressbar.NewOptions(total,
					progressbar.OptionSetWriter(m.Stderr),
					progressbar.OptionSetDescription("re-analysing"),
					progressbar.OptionShowCount(),
					progressbar.OptionSetPredictTime(true),
					progressbar.OptionThrottle(100*time.Millisecond),
					progressbar.OptionOnCompletion(func() { fmt.Fprintln(m.Stderr) }),
				)
			}
			bar.Set(done)
		}
	}
	start := time.Now()
	st, err := a.Reanalyze(app.SystemContext(ctx), opt)
	if bar != nil {
		bar.Finish()
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "%d assessments in %s: %d re-analysed with %s, %d already current, %d without a recording, %d failed\n",
		st.Total, time.Since(start).Round(time.Millisecond), st.Updated, app.CurrentAlgorithmVersion(), st.Unchanged, st.NoRaw, st.Failed)
	if st.Failed > 0 {
		return fmt.Errorf("%d recordings could not be re-analysed (see the log above); they keep their previous results", st.Failed)
	}
	return nil
}

// runBackup is "legwork backup FILE": a consistent copy of the SQLite
// database, taken while the server runs.
func (m *Main) runBackup(ctx context.Context, args []string) error {
	fs := m.newFlagSet("backup", "FILE [--data DIR]")
	var sf storeFlags
	sf.register(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return usageError{"backup needs exactly one FILE"}
	}
	if sf.url() != "" {
		return usageError{"backup copies the SQLite database; for PostgreSQL use pg_dump"}
	}
	db, err := sqlite.Open(sf.sqlitePath())
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Backup(ctx, pos[0]); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "backed up %s to %s\n", sf.sqlitePath(), pos[0])
	return nil
}

// runRestore is "legwork restore FILE": replaces the SQLite database with
// a backup, after checking it. The server must be stopped.
func (m *Main) runRestore(ctx context.Context, args []string) error {
	fs := m.newFlagSet("restore", "FILE [--data DIR]   (stop the server first)")
	var sf storeFlags
	sf.register(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return usageError{"restore needs exactly one FILE"}
	}
	if sf.url() != "" {
		return usageError{"restore installs an SQLite backup; for PostgreSQL use pg_restore"}
	}
	if err := os.MkdirAll(sf.data, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	if err := sqlite.Restore(pos[0], sf.sqlitePath()); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "restored %s from %s\n", sf.sqlitePath(), pos[0])
	return nil
}
