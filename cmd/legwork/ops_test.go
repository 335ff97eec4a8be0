package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"legwork"
	"legwork/assess"
	"legwork/imu"
	"legwork/sqlite"
	"legwork/synth"
)

// uploadWalk uploads a synthetic T25FW recording as the holder of token
// and returns the status.
func uploadWalk(t *testing.T, srv *server, token string) int {
	t.Helper()
	rec, _ := synth.Walk(synth.WalkParams{StandBeforeS: 2, WalkS: 8, StandAfterS: 2, NoiseMS2: 0.05, Seed: 7})
	var b bytes.Buffer
	if err := imu.WriteLWB(&b, rec); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", srv.url+"/api/people/1/assessments?test_type=t25fw&placement=lower_back", &b)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/vnd.legwork.lwb1")
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// countAll returns the number of assessments of person 1 in the SQLite
// database of data.
func countAll(t *testing.T, data string) int {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(data, sqliteFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	as, err := db.ListAssessments(context.Background(), legwork.AssessmentFilter{PersonID: 1, Page: legwork.Page{Limit: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	return len(as)
}

// TestRestoreRefusesWhileServing runs restore on the data folder of a
// running server: it must refuse and change nothing, so that what the
// server stores afterwards survives a restart; once the server has
// stopped, the restore goes through.
func TestRestoreRefusesWhileServing(t *testing.T) {
	if binary == "" {
		t.Skip("needs the server binary (not built with -short)")
	}
	data := t.TempDir()
	mustRun(t, "a long enough password\n", "user", "add", "--data", data, "--email", "kim@example.org", "--name", "Kim", "--role", "person", "--password-stdin")
	token := strings.TrimSpace(mustRun(t, "", "token", "create", "--data", data, "--email", "kim@example.org"))
	backup := filepath.Join(t.TempDir(), "bk1.db")
	mustRun(t, "", "backup", "--data", data, backup)

	srv := startServer(t, "--data", data)
	if st := uploadWalk(t, srv, token); st != 201 {
		t.Fatalf("upload before the restore: status %d", st)
	}
	out, _, err := run(t, "", "restore", "--data", data, backup)
	if err == nil || !strings.Contains(err.Error(), "in use by a running legwork server") || !strings.Contains(err.Error(), "stop the server") {
		t.Fatalf("restore beside a running server: %v (output %q), want a refusal", err, out)
	}
	if strings.Contains(out, "restored") {
		t.Fatalf("restore says %q", out)
	}
	// Other commands still work beside the server.
	mustRun(t, "", "user", "list", "--data", data)
	if st := uploadWalk(t, srv, token); st != 201 {
		t.Fatalf("upload after the refused restore: status %d", st)
	}
	srv.cmd.Process.Signal(os.Interrupt)
	if err := srv.cmd.Wait(); err != nil {
		t.Fatalf("shutdown: %v\n%s", err, srv.logs)
	}
	if n := countAll(t, data); n != 2 {
		t.Fatalf("%d assessments after the server stopped, want both uploads", n)
	}

	if out := mustRun(t, "", "restore", "--data", data, backup); !strings.Contains(out, "restored") {
		t.Fatalf("restore with the server stopped: %s", out)
	}
	if n := countAll(t, data); n != 0 {
		t.Fatalf("%d assessments after restoring a backup without any", n)
	}
}

// TestDataLock checks the lock of the data folder in one process: while a
// restore holds it, the commands that open the database refuse at once,
// and restore refuses while another command holds it.
func TestDataLock(t *testing.T) {
	data := t.TempDir()
	mustRun(t, "", "user", "add", "--data", data, "--email", "ada@example.org", "--name", "Ada", "--role", "person")
	ex, err := lockDataDir(data, true)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := lockDataDir(data, true); err == nil {
		again.Close()
		ex.Close()
		t.Skip("no advisory file locks on this system")
	}
	for _, args := range [][]string{
		{"user", "list"}, {"reanalyze", "--quiet"}, {"demo"}, {"serve", "--addr", "127.0.0.1:0"},
		{"token", "create", "--email", "ada@example.org"}, {"backup", filepath.Join(t.TempDir(), "b.db")},
		// every command that opens the database (storeFlags.open)
		{"export", "--person", "ada@example.org", "-o", filepath.Join(t.TempDir(), "x.csv")},
		{"report", "--person", "ada@example.org", "-o", filepath.Join(t.TempDir(), "r.pdf")},
		{"import", "--person", "ada@example.org", filepath.Join(t.TempDir(), "none.csv")},
	} {
		_, _, err := run(t, "", append(args, "--data", data)...)
		if err == nil || !strings.Contains(err.Error(), "being restored") {
			t.Errorf("%v during a restore: %v", args, err)
		}
	}
	ex.Close()

	sh, err := (&storeFlags{data: data}).useData()
	if err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "b.db")
	mustRun(t, "", "backup", "--data", data, backup) // shared beside shared
	if _, _, err := run(t, "", "restore", "--data", data, backup); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Errorf("restore while a command holds the data folder: %v", err)
	}
	sh.Close()
	mustRun(t, "", "restore", "--data", data, backup)
}

// TestServeDemoMakesAdministrator: "serve --demo" is serve plus the demo
// data, so a fresh database gets the administrator a plain serve makes
// (GET /api/export needs one); so does a database holding only the demo
// accounts ("legwork demo", then "legwork serve"). A database with
// accounts of its own gets none.
func TestServeDemoMakesAdministrator(t *testing.T) {
	if binary == "" {
		t.Skip("needs the server binary (not built with -short)")
	}
	admins := func(data string) []string {
		t.Helper()
		db, err := sqlite.Open(filepath.Join(data, sqliteFile))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		users, err := db.ListUsers(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, u := range users {
			if u.Admin {
				out = append(out, u.Email)
			}
		}
		return out
	}

	demo := t.TempDir()
	srv := startServer(t, "--data", demo, "--demo")
	if got := admins(demo); len(got) != 1 || got[0] != "admin@legwork.local" {
		t.Errorf("serve --demo: administrators %v, want admin@legwork.local", got)
	}
	srv.cmd.Process.Signal(os.Interrupt)
	srv.cmd.Wait()

	seeded := t.TempDir()
	mustRun(t, "", "demo", "--data", seeded)
	srv = startServer(t, "--data", seeded)
	if got := admins(seeded); len(got) != 1 {
		t.Errorf("legwork demo, then serve: administrators %v, want one", got)
	}
	srv.cmd.Process.Signal(os.Interrupt)
	srv.cmd.Wait()

	own := t.TempDir()
	mustRun(t, "", "user", "add", "--data", own, "--email", "kim@example.org", "--name", "Kim", "--role", "person")
	srv = startServer(t, "--data", own, "--demo")
	if got := admins(own); len(got) != 0 {
		t.Errorf("a database with its own accounts got administrators %v", got)
	}
}

// TestLoadtestLeavesDemoPersonAlone: the load test against a demo server
// uploads to a person of its own, not into the demo person's record.
func TestLoadtestLeavesDemoPersonAlone(t *testing.T) {
	data := t.TempDir()
	srv := startServer(t, "--data", data, "--demo")
	before, _, _ := demoCounts(t, data)
	out, errs, err := run(t, "", "loadtest", "--url", srv.url, "--rate", "20", "--duration", "1s")
	if err != nil || !strings.Contains(out, "20 stored (201)") {
		t.Fatalf("loadtest: %v\n%s%s", err, out, errs)
	}
	if !strings.Contains(errs, demoLoadtestEmail) {
		t.Errorf("loadtest does not say whose record it fills: %s", errs)
	}
	if after, _, _ := demoCounts(t, data); after != before {
		t.Errorf("the demo person has %d assessments after the load test, %d before", after, before)
	}
	db, err := sqlite.Open(filepath.Join(data, sqliteFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	u, err := db.UserByEmail(context.Background(), demoLoadtestEmail)
	if err != nil {
		t.Fatal(err)
	}
	as, _ := db.ListAssessments(context.Background(), legwork.AssessmentFilter{PersonID: u.ID, Page: legwork.Page{Limit: 100}})
	if len(as) != 20 {
		t.Errorf("the load-test person has %d assessments, want 20", len(as))
	}
}

// TestAnalyzeHeaderOnly: a CSV file with only its header is an error, as
// on the server (422 "no samples"), whatever the output and test.
func TestAnalyzeHeaderOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.csv")
	if err := os.WriteFile(path, []byte("t,ax,ay,az,gx,gy,gz\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{}, {"--json"}, {"--test", "t25fw"}, {"--test", "balance", "--json"}} {
		out, _, err := run(t, "", append([]string{"analyze", path}, args...)...)
		if err == nil || !strings.Contains(err.Error(), "no samples") {
			t.Errorf("%v: %v, want an error about no samples\n%s", args, err, out)
		}
	}
	out, _, err := run(t, "t,ax,ay,az\n", "analyze", "-")
	if err == nil || !strings.Contains(err.Error(), "no samples") {
		t.Errorf("standard input: %v\n%s", err, out)
	}
}

// writeUTurns writes a U-turn test recording with the given turns (a 180°
// turn every 10 s from 8 s; negative: to the right).
func writeUTurns(t *testing.T, angles ...float64) string {
	t.Helper()
	wp := synth.WalkParams{StandBeforeS: 3, WalkS: 10 * float64(len(angles)+1), StandAfterS: 3, NoiseMS2: 0.05, Seed: 3}
	for i, a := range angles {
		wp.Turns = append(wp.Turns, synth.TurnSpec{StartS: 8 + 10*float64(i), DurationS: 2, AngleDeg: a})
	}
	return writeWalk(t, wp)
}

// TestAnalyzeUTurnReadable: the U-turn test's text output names the
// results in plain words, gives turning speeds in °/s like the turn
// angles, explains the sign of the angles, and leaves out the note about
// height, which the test does not use; --json keeps the metric names and
// units of the API.
func TestAnalyzeUTurnReadable(t *testing.T) {
	path := writeUTurns(t, 180, -180, 180)
	out := mustRun(t, "", "analyze", path, "--test", "uturn")
	for _, want := range []string{"U-turn test", "Median turning speed:", "Number of turns:", "°/s", "+ angle is a turn to the left, − to the right"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, bad := range []string{"turn_speed", "_rps", "steps_per_turn", "height"} {
		if strings.Contains(out, bad) {
			t.Errorf("output has %q:\n%s", bad, out)
		}
	}

	js := mustRun(t, "", "analyze", path, "--test", "uturn", "--json")
	var o assess.Outcome
	if err := json.Unmarshal([]byte(js), &o); err != nil {
		t.Fatal(err)
	}
	rps, ok := o.Metrics["turn_speed_median_rps"]
	if !ok || o.Test != assess.UTurn {
		t.Fatalf("JSON: %s", js)
	}
	// The text gives the same speed in °/s.
	if want := fmt.Sprintf("%.0f °/s (%.2f rad/s)", rps*180/math.Pi, rps); !strings.Contains(out, want) {
		t.Errorf("median turning speed %.3f rad/s: output lacks %q:\n%s", rps, want, out)
	}
	// Turns to the right carry a true minus, like the legend.
	if !regexp.MustCompile(`−1[78]\d°`).MatchString(out) || regexp.MustCompile(`-\d+°`).MatchString(out) {
		t.Errorf("the right turn is not written with a true minus (−180° or so):\n%s", out)
	}
	// The walking tests that use the height still say it is missing.
	out = mustRun(t, "", "analyze", path, "--test", "walk")
	if !strings.Contains(out, "height") {
		t.Errorf("walk without a height: no note about it:\n%s", out)
	}
	// One bout is "1 bout", not "1 bout(s)".
	out = mustRun(t, "", "analyze", path)
	if strings.Contains(out, "bout(s)") || !strings.Contains(out, " 1 bout,") && !strings.Contains(out, " bouts,") {
		t.Errorf("bout count wording:\n%s", out)
	}
}

// TestSubcommandHelp: "legwork user -h" and "legwork token -h" print their
// usage (as every command's -h does), not "unknown command".
func TestSubcommandHelp(t *testing.T) {
	for _, args := range [][]string{{"user", "-h"}, {"user", "--help"}, {"token", "-h"}} {
		_, errs, err := run(t, "", args...)
		if !errors.Is(err, flag.ErrHelp) || !strings.Contains(errs, "Usage: legwork "+args[0]) {
			t.Errorf("%v: %v\n%s", args, err, errs)
		}
	}
	_, errs, err := run(t, "", "user", "remove")
	var ue usageError
	if !errors.As(err, &ue) || !strings.Contains(errs, "legwork user add") {
		t.Errorf("user remove: %v\n%s", err, errs)
	}
}
