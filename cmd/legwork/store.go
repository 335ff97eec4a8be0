package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"legwork"
	"legwork/postgres"
	"legwork/sqlite"
)

// storeFlags are the flags that choose the database, shared by every
// command that opens it.
type storeFlags struct {
	data     string
	database string
}

// defaultDataDir is where the SQLite file lives unless --data says
// otherwise.
const defaultDataDir = "./legwork-data"

// sqliteFile is the database file's name inside the data directory.
const sqliteFile = "legwork.db"

func (sf *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&sf.data, "data", defaultDataDir, "directory holding the SQLite database (created when missing)")
	fs.StringVar(&sf.database, "database", "", "a postgres:// URL selects PostgreSQL instead of SQLite (or set LEGWORK_DATABASE)")
}

// url returns the PostgreSQL URL, if one was chosen.
func (sf *storeFlags) url() string {
	if sf.database != "" {
		return sf.database
	}
	return os.Getenv("LEGWORK_DATABASE")
}

// sqlitePath returns the SQLite database file.
func (sf *storeFlags) sqlitePath() string { return filepath.Join(sf.data, sqliteFile) }

// open opens the chosen store, migrating it to the current schema.
func (sf *storeFlags) open(ctx context.Context) (legwork.Store, error) {
	if u := sf.url(); u != "" {
		if !strings.HasPrefix(u, "postgres://") && !strings.HasPrefix(u, "postgresql://") {
			return nil, usageError{fmt.Sprintf("--database %q: only postgres:// URLs are supported (leave it out for SQLite)", redactURL(u))}
		}
		db, err := postgres.Open(ctx, u)
		if err != nil {
			return nil, fmt.Errorf("open PostgreSQL database %s: %w", redactURL(u), err)
		}
		return db, nil
	}
	if err := os.MkdirAll(sf.data, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	// Every command that opens the SQLite database holds the data
	// folder's lock shared while it has it open, so that a restore cannot
	// replace the file under it (useData).
	lock, err := sf.useData()
	if err != nil {
		return nil, err
	}
	db, err := sqlite.Open(sf.sqlitePath())
	if err != nil {
		lock.Close()
		return nil, err
	}
	return &lockedStore{DB: db, lock: lock}, nil
}

// lockedStore is an SQLite store that releases the data folder's lock
// when it is closed.
type lockedStore struct {
	*sqlite.DB
	lock io.Closer
}

func (s *lockedStore) Close() error {
	err := s.DB.Close()
	if lerr := s.lock.Close(); err == nil {
		err = lerr
	}
	return err
}

// redactURL hides the password of a database URL for messages.
func redactURL(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return u
	}
	at := strings.LastIndexByte(rest, '@')
	if at < 0 {
		return u
	}
	userinfo := rest[:at]
	if name, _, hasPw := strings.Cut(userinfo, ":"); hasPw {
		userinfo = name + ":xxxxx"
	}
	return scheme + "://" + userinfo + rest[at:]
}
