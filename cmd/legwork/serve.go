package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"legwork"
	"legwork/api"
	"legwork/app"
	"legwork/web"
)

func (m *Main) runServe(ctx context.Context, args []string) error {
	fs := m.newFlagSet("serve", "[flags]")
	var sf storeFlags
	sf.register(fs)
	addr := fs.String("addr", "localhost:8080", "address to listen on (host:port)")
	demo := fs.Bool("demo", false, "add the demo person and clinician with months of synthetic data (once; safe to repeat)")
	tlsCert := fs.String("tls-cert", "", "TLS certificate file (PEM): serve HTTPS, which phone browsers need to share motion sensors")
	tlsKey := fs.String("tls-key", "", "TLS private key file (PEM)")
	behindProxy := fs.Bool("behind-proxy", false, "trust X-Forwarded-For and X-Forwarded-Proto from a reverse proxy in front")
	noSignUp := fs.Bool("no-signup", false, "refuse public sign-ups: accounts are created by an administrator only (legwork user add, POST /api/users)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		fs.Usage()
		return usageError{"serve takes no arguments"}
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return usageError{"--tls-cert and --tls-key go together"}
	}
	log := slog.New(slog.NewTextHandler(m.Stderr, nil))

	// Held while serving: legwork restore refuses to replace the database
	// under a running server.
	store, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	metrics := api.NewMetrics()
	a := app.New(app.Config{Store: store, Logger: log, OnAnalysis: metrics.ObserveAnalysis, NoSignUp: *noSignUp})

	// --demo serves like a plain serve, administrator included, plus the
	// demo accounts and data.
	if err := m.firstAdmin(ctx, a); err != nil {
		return err
	}
	if *demo {
		if err := m.seedDemo(ctx, a); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}

	srv := &http.Server{
		Handler:           api.NewServer(api.Options{App: a, Static: web.Handler(), BehindProxy: *behindProxy, Metrics: metrics, Logger: log}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // a 50 MB upload on a slow phone connection
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	scheme := "http"
	if *tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(*tlsCert, *tlsKey)
		if err != nil {
			ln.Close()
			return fmt.Errorf("TLS: %w", err)
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		ln = tls.NewListener(ln, srv.TLSConfig)
		scheme = "https"
	}
	where := "SQLite " + sf.sqlitePath()
	if sf.url() != "" {
		where = "PostgreSQL " + redactURL(sf.url())
	}
	fmt.Fprintf(m.Stdout, "legwork: serving %s://%s (data: %s)\n", scheme, ln.Addr(), where)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Finish the requests under way (uploads are acknowledged only once
	// stored), then close the store.
	fmt.Fprintln(m.Stdout, "legwork: shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// firstAdmin makes an administrator account when the database has no
// account other than the demo ones (a fresh database, or one with only the
// demo data), so that a fresh server can be used at once, and prints its
// password once.
func (m *Main) firstAdmin(ctx context.Context, a *app.App) error {
	sys := app.SystemContext(ctx)
	users, err := a.ListUsers(sys)
	if err != nil {
		return err
	}
	for _, u := range users {
		if !isDemoAccount(u.Email) {
			return nil
		}
	}
	password := rand.Text()
	u, err := a.CreateUser(sys, app.NewUser{Email: "admin@legwork.local", Name: "Administrator", Role: legwork.RolePerson, Admin: true, Password: password})
	if err != nil {
		return fmt.Errorf("first account: %w", err)
	}
	fmt.Fprintf(m.Stdout, "legwork: created the first account, an administrator:\n  email:    %s\n  password: %s\n"+
		"  (shown once; change it after signing in, and add accounts with \"legwork user add\")\n", u.Email, password)
	return nil
}
