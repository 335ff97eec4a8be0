package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"legwork"
	"legwork/app"
)

// isHelp reports whether arg asks for help rather than naming a
// subcommand.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "help":
		return true
	}
	return false
}

// userUsage is the help of "legwork user".
const userUsage = `Usage: legwork user add --email EMAIL --name NAME --role person|clinician [--admin] [--height-m M] [--password-stdin] [--data DIR]
       legwork user list [--data DIR]

Run "legwork user add -h" or "legwork user list -h" for the flags.
`

// runUser is "legwork user add|list".
func (m *Main) runUser(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, userUsage)
		return usageError{"user needs add or list"}
	}
	switch {
	case args[0] == "add":
		return m.runUserAdd(ctx, args[1:])
	case args[0] == "list":
		return m.runUserList(ctx, args[1:])
	case isHelp(args[0]):
		fmt.Fprint(m.Stderr, userUsage)
		return flag.ErrHelp
	}
	fmt.Fprint(m.Stderr, userUsage)
	return usageError{fmt.Sprintf("unknown user command %q (want add or list)", args[0])}
}

func (m *Main) runUserAdd(ctx context.Context, args []string) error {
	fs := m.newFlagSet("user add", "--email EMAIL --name NAME --role person|clinician [--admin] [--password-stdin]")
	var sf storeFlags
	sf.register(fs)
	email := fs.String("email", "", "the account's email address (its sign-in name)")
	name := fs.String("name", "", "the name shown to others")
	role := fs.String("role", "", "person (records their own data) or clinician (sees the people who invite them)")
	admin := fs.Bool("admin", false, "may create accounts")
	height := fs.Float64("height-m", 0, "a person's height in metres (for stride length and walking speed)")
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input (else one is generated and printed)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 || *email == "" || *name == "" || *role == "" {
		fs.Usage()
		return usageError{"user add needs --email, --name and --role"}
	}
	password := ""
	generated := false
	if *pwStdin {
		line, err := bufio.NewReader(m.Stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read password: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
	} else {
		password, generated = rand.Text(), true
	}
	store, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	a := app.New(app.Config{Store: store})
	u, err := a.CreateUser(app.SystemContext(ctx), app.NewUser{Email: *email, Name: *name, Role: legwork.Role(*role), Admin: *admin, Password: password, HeightM: *height})
	if err != nil {
		return userFacing(err)
	}
	fmt.Fprintf(m.Stdout, "created %s %s (id %d)%s\n", u.Role, u.Email, u.ID, map[bool]string{true: ", administrator"}[u.Admin])
	if generated {
		fmt.Fprintf(m.Stdout, "password: %s\n", password)
	}
	return nil
}

func (m *Main) runUserList(ctx context.Context, args []string) error {
	fs := m.newFlagSet("user list", "[flags]")
	var sf storeFlags
	sf.register(fs)
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	store, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	users, err := app.New(app.Config{Store: store}).ListUsers(app.SystemContext(ctx))
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tROLE\tADMIN")
	for _, u := range users {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%v\n", u.ID, u.Email, u.Name, u.Role, u.Admin)
	}
	return tw.Flush()
}

// runToken is "legwork token create".
func (m *Main) runToken(ctx context.Context, args []string) error {
	const usage = "Usage: legwork token create --email EMAIL [--name NAME] [--data DIR]\n\nRun \"legwork token create -h\" for the flags.\n"
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprint(m.Stderr, usage)
		return flag.ErrHelp
	}
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprint(m.Stderr, usage)
		return usageError{"token needs create"}
	}
	fs := m.newFlagSet("token create", "--email EMAIL [--name NAME]")
	var sf storeFlags
	sf.register(fs)
	email := fs.String("email", "", "the account the token acts as")
	name := fs.String("name", "cli", "what the token is for (shown in the account's token list)")
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 0 || *email == "" {
		fs.Usage()
		return usageError{"token create needs --email"}
	}
	store, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	a := app.New(app.Config{Store: store})
	sys := app.SystemContext(ctx)
	u, err := a.UserByEmail(sys, *email)
	if err != nil {
		return userFacing(err)
	}
	t, err := a.CreateAPIToken(sys, u.ID, *name)
	if err != nil {
		return userFacing(err)
	}
	fmt.Fprintf(m.Stderr, "API token %q for %s (shown once; send it as \"Authorization: Bearer <token>\"):\n", t.Token.Name, u.Email)
	fmt.Fprintln(m.Stdout, t.Secret)
	return nil
}

// userFacing turns an application error into a message for the terminal.
func userFacing(err error) error {
	var e *legwork.Error
	if errors.As(err, &e) && e.Code != legwork.EINTERNAL {
		if e.Field != "" {
			return usageError{fmt.Sprintf("--%s: %s", strings.ReplaceAll(e.Field, "_", "-"), e.Message)}
		}
		return errors.New(e.Message)
	}
	return err
}
