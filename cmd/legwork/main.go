// Command legwork measures walking and balance from motion recordings,
// stores them with a symptom diary, and shows whether things change.
//
// Usage:
//
//	legwork <command> [flags] [args]
//
// Run "legwork help" for the list of commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	// The time zone database, so that the zones of accounts and of --tz
	// load on hosts without one (a minimal container image).
	_ "time/tzdata"
)

// Main holds the program's environment, so that tests can run commands
// in-process with their own streams.
type Main struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// NewMain returns a Main wired to the process's standard streams.
func NewMain() *Main {
	return &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := NewMain()
	if err := m.Run(ctx, os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(m.Stderr, "legwork:", err)
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

type command struct {
	name    string
	summary string
	run     func(m *Main, ctx context.Context, args []string) error
}

func (m *Main) commands() []command {
	return []command{
		{"analyze", "analyse a motion recording and print gait metrics", (*Main).runAnalyze},
		{"validate", "measure accuracy on reference recordings", (*Main).runValidate},
		{"serve", "run the server (web app and JSON API); --demo adds the demo accounts and data", (*Main).runServe},
		{"user", "add or list accounts (user add, user list)", (*Main).runUser},
		{"token", "create an API token for the CLI or a device (token create)", (*Main).runToken},
		{"reanalyze", "analyse every stored recording again with the current algorithm", (*Main).runReanalyze},
		{"backup", "copy the SQLite database to a file, while the server runs", (*Main).runBackup},
		{"restore", "replace the SQLite database with a backup (refused while a server uses it: stop it first)", (*Main).runRestore},
		{"report", "write a clinician report of a person over a period (PDF or HTML)", (*Main).runReport},
		{"import", "import recordings from other devices and Apple Health exports for a person", (*Main).runImport},
		{"export", "export a person's or every person's data as CSV, Parquet or FHIR", (*Main).runExport},
		{"demo", "add the demo person and clinician with months of synthetic data", (*Main).runDemo},
		{"loadtest", "upload synthetic recordings to a local server at a fixed rate (as the demo's load-test person)", (*Main).runLoadtest},
	}
}

// usageError is a command-line mistake (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// Run executes the command named by args[0].
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		m.usage(m.Stdout)
		if len(args) == 0 {
			return usageError{"no command given"}
		}
		return nil
	}
	for _, c := range m.commands() {
		if c.name == args[0] {
			return c.run(m, ctx, args[1:])
		}
	}
	m.usage(m.Stderr)
	return usageError{fmt.Sprintf("unknown command %q", args[0])}
}

func (m *Main) usage(w io.Writer) {
	fmt.Fprintln(w, "legwork measures walking and balance from motion recordings.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: legwork <command> [flags] [args]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range m.commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, `Run "legwork <command> -h" for a command's flags.`)
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func (m *Main) newFlagSet(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(m.Stderr, "Usage: legwork %s %s\n\nFlags:\n", name, usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args allowing flags after positional arguments
// ("legwork analyze FILE --json").
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
