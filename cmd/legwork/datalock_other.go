//go:build !(linux || darwin || freebsd || openbsd || netbsd || dragonfly)

package main

import "os"

// flock does nothing on systems without flock(2): there restore relies on
// SQLite's own check (sqlite.ErrInUse) alone.
func flock(f *os.File, exclusive bool) error { return nil }
