package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
	lock, err := sf.useData()
	if err != nil {
		return err
	}
	defer lock.Close()
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
// a backup, after checking it. The server must be stopped: restore takes
// the data folder's lock exclusively and refuses while a server (or
// another command) holds it, and sqlite.Restore refuses while any other
// program has the database open.
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
	lock, err := lockDataDir(sf.data, true)
	if errors.Is(err, errLocked) {
		return fmt.Errorf("%s is in use by a running legwork server (or another legwork command): "+
			"stop the server, or wait for the command to finish, then restore again; nothing was changed", sf.data)
	}
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := sqlite.Restore(pos[0], sf.sqlitePath()); err != nil {
		if errors.Is(err, sqlite.ErrInUse) {
			return fmt.Errorf("%s is open in another program (a legwork server, or an sqlite3 shell?): "+
				"stop it, then restore again; nothing was changed", sf.sqlitePath())
		}
		return err
	}
	fmt.Fprintf(m.Stdout, "restored %s from %s\n", sf.sqlitePath(), pos[0])
	return nil
}

// lockName is the advisory lock file of an SQLite data folder. A server,
// and the commands that use the database beside it (SQLite's own locking
// keeps their writes apart), hold it shared for as long as they run;
// restore, which replaces the database file under them, holds it
// exclusively. The file stays; the lock goes with the process that held
// it, however it ends.
const lockName = "legwork.lock"

// errLocked is returned by flock when a conflicting lock is held.
var errLocked = errors.New("the data folder is locked")

// lockDataDir takes the lock of the data folder dir (creating both when
// missing), shared or exclusive, without waiting: errLocked when a
// conflicting lock is held. Closing the file releases it.
func lockDataDir(dir string, exclusive bool) (*os.File, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	if err := flock(f, exclusive); err != nil {
		f.Close()
		if errors.Is(err, errLocked) {
			return nil, err
		}
		return nil, fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	return f, nil
}

// useData takes the data folder's lock shared, for a command that uses the
// SQLite database, so that a restore cannot replace the database under
// it. With PostgreSQL it does nothing.
func (sf *storeFlags) useData() (io.Closer, error) {
	if sf.url() != "" {
		return io.NopCloser(nil), nil
	}
	f, err := lockDataDir(sf.data, false)
	if errors.Is(err, errLocked) {
		return nil, fmt.Errorf("%s is being restored (legwork restore): try again when the restore has finished", sf.data)
	}
	if err != nil {
		return nil, err
	}
	return f, nil
}
