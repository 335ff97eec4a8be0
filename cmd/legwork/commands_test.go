package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"legwork"
	"legwork/app"
	"legwork/sqlite"
)

// run runs a command in-process and returns its output.
func run(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb}
	err := m.Run(context.Background(), args)
	return out.String(), errb.String(), err
}

func mustRun(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	out, errs, err := run(t, stdin, args...)
	if err != nil {
		t.Fatalf("legwork %s: %v\n%s%s", strings.Join(args, " "), err, out, errs)
	}
	return out
}

// counts returns how many assessments, diary entries and interventions the
// demo person has.
func demoCounts(t *testing.T, data string) (int, int, int) {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(data, sqliteFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	u, err := db.UserByEmail(ctx, demoPersonEmail)
	if err != nil {
		t.Fatal(err)
	}
	as, _ := db.ListAssessments(ctx, legwork.AssessmentFilter{PersonID: u.ID, Page: legwork.Page{Limit: 1000}})
	ds, _ := db.ListDiaryEntries(ctx, legwork.DiaryFilter{PersonID: u.ID, Page: legwork.Page{Limit: 1000}})
	ivs, _ := db.ListInterventions(ctx, u.ID)
	return len(as), len(ds), len(ivs)
}

func TestDemoIsIdempotentAndTellsTheStory(t *testing.T) {
	data := t.TempDir()
	out := mustRun(t, "", "demo", "--data", data)
	if !strings.Contains(out, demoPersonEmail) || !strings.Contains(out, demoPassword) {
		t.Fatalf("credentials not printed: %s", out)
	}
	na, nd, ni := demoCounts(t, data)
	if na < 60 || nd < 50 || ni != 2 {
		t.Fatalf("demo made %d assessments, %d diary entries, %d interventions", na, nd, ni)
	}
	out = mustRun(t, "", "demo", "--data", data)
	if !strings.Contains(out, "already present") {
		t.Fatalf("second run: %s", out)
	}
	if a2, d2, i2 := demoCounts(t, data); a2 != na || d2 != nd || i2 != ni {
		t.Fatalf("second run duplicated: %d/%d/%d, then %d/%d/%d", na, nd, ni, a2, d2, i2)
	}

	// The data came through the analysis and tells the story: faster after
	// physiotherapy, slower in the relapse, recovered after steroids.
	db, err := sqlite.Open(filepath.Join(data, sqliteFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	u, _ := db.UserByEmail(ctx, demoPersonEmail)
	pts, err := db.MetricSeries(ctx, legwork.MetricFilter{PersonID: u.ID, Metric: "t25fw_time_s", TestType: legwork.TestT25FW})
	if err != nil || len(pts) < demoWeeks {
		t.Fatalf("t25fw series: %v, %d points", err, len(pts))
	}
	start := pts[0].At.Truncate(24 * 60 * 60 * 1e9)
	mean := func(fromDay, toDay int) float64 {
		var s float64
		n := 0
		for _, p := range pts {
			d := int(p.At.Sub(start).Hours() / 24)
			if d >= fromDay && d < toDay {
				s += p.Value
				n++
			}
		}
		if n == 0 {
			t.Fatalf("no points in days %d–%d", fromDay, toDay)
		}
		return s / float64(n)
	}
	baseline := mean(0, ptStartWeek*7)
	afterPT := mean((ptStartWeek+ptWeeks)*7, relapseDay-7)
	relapse := mean(relapseDay, relapseDay+8)
	recovered := mean(relapseDay+recoveryDays, demoWeeks*7)
	t.Logf("T25FW time: baseline %.2f s, after physio %.2f s, relapse %.2f s, recovered %.2f s", baseline, afterPT, relapse, recovered)
	if !(afterPT < baseline*0.95 && relapse > afterPT*1.2 && recovered < relapse*0.85) {
		t.Fatal("the demo's T25FW times do not show the physiotherapy gain, the relapse and the recovery")
	}
	var assessed, balance int
	as, _ := db.ListAssessments(ctx, legwork.AssessmentFilter{PersonID: u.ID, Page: legwork.Page{Limit: 1000}})
	for _, a := range as {
		if a.HasRaw && a.AlgorithmVersion != "" {
			assessed++
		}
		if a.TestType == legwork.TestBalance {
			balance++
		}
	}
	if assessed < demoWeeks*2 || balance == 0 {
		t.Fatalf("%d analysed assessments, %d balance tests", assessed, balance)
	}
}

func TestAccountCommands(t *testing.T) {
	data := t.TempDir()
	out := mustRun(t, "", "user", "add", "--data", data, "--email", "ada@example.org", "--name", "Ada", "--role", "person", "--admin")
	if !strings.Contains(out, "administrator") || !strings.Contains(out, "password: ") {
		t.Fatalf("user add: %s", out)
	}
	password := strings.TrimSpace(out[strings.Index(out, "password: ")+len("password: "):])
	mustRun(t, "a password from stdin\n", "user", "add", "--data", data, "--email", "lee@example.org", "--name", "Dr Lee", "--role", "clinician", "--password-stdin")
	_, _, err := run(t, "short\n", "user", "add", "--data", data, "--email", "x@example.org", "--name", "X", "--role", "person", "--password-stdin")
	var ue usageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "--password") {
		t.Fatalf("short password: %v", err)
	}
	_, _, err = run(t, "", "user", "add", "--data", data, "--email", "ada@example.org", "--name", "Ada", "--role", "person")
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("duplicate: %v", err)
	}
	out = mustRun(t, "", "user", "list", "--data", data)
	if !strings.Contains(out, "ada@example.org") || !strings.Contains(out, "lee@example.org") {
		t.Fatalf("user list: %s", out)
	}
	token := strings.TrimSpace(mustRun(t, "", "token", "create", "--data", data, "--email", "ada@example.org", "--name", "phone"))

	db, err := sqlite.Open(filepath.Join(data, sqliteFile))
	if err != nil {
		t.Fatal(err)
	}
	a := app.New(app.Config{Store: db})
	act, err := a.Authenticate(context.Background(), token, "")
	if err != nil || act.User.Email != "ada@example.org" {
		t.Fatalf("token: %v", err)
	}
	if _, err := a.Login(context.Background(), "ada@example.org", password); err != nil {
		t.Fatalf("printed password: %v", err)
	}
	db.Close()
}

func TestBackupRestoreReanalyze(t *testing.T) {
	data := t.TempDir()
	mustRun(t, "", "demo", "--data", data)
	before, _, _ := demoCounts(t, data)
	backup := filepath.Join(t.TempDir(), "backup.db")
	if out := mustRun(t, "", "backup", "--data", data, backup); !strings.Contains(out, "backed up") {
		t.Fatalf("backup: %s", out)
	}
	// Lose some data, then restore.
	db, err := sqlite.Open(filepath.Join(data, sqliteFile))
	if err != nil {
		t.Fatal(err)
	}
	ids, _ := db.AssessmentIDs(context.Background(), 0, 5)
	for _, id := range ids {
		db.DeleteAssessment(context.Background(), id)
	}
	db.Close()
	if n, _, _ := demoCounts(t, data); n != before-len(ids) {
		t.Fatalf("%d after deleting %d of %d", n, len(ids), before)
	}
	mustRun(t, "", "restore", "--data", data, backup)
	if n, _, _ := demoCounts(t, data); n != before {
		t.Fatalf("%d after restoring, want %d", n, before)
	}
	out := mustRun(t, "", "reanalyze", "--data", data, "--all", "--quiet")
	if !strings.Contains(out, "re-analysed") || !strings.Contains(out, "0 failed") {
		t.Fatalf("reanalyze: %s", out)
	}
	_, _, err = run(t, "", "backup", "--database", "postgres://x@127.0.0.1/y", backup)
	if err == nil {
		t.Fatal("backup of PostgreSQL accepted")
	}
}

func TestServeFlags(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--tls-cert", "cert.pem"},
		{"serve", "extra"},
		{"serve", "--database", "mysql://x"},
	} {
		_, _, err := run(t, "", append(args, "--data", t.TempDir())...)
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
}

func TestLoadtestOnlyTargetsLoopback(t *testing.T) {
	for _, u := range []string{"http://192.0.2.10:8080", "http://[2001:db8::1]:8080", "ftp://127.0.0.1"} {
		_, _, err := run(t, "", "loadtest", "--url", u, "--duration", "1s")
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("%s: %v, want refused", u, err)
		}
	}
}

func TestServeAndLoadtest(t *testing.T) {
	srv := startServer(t, "--data", t.TempDir(), "--demo")
	out := mustRun(t, "", "loadtest", "--url", srv.url, "--rate", "50", "--duration", "1s")
	if !strings.Contains(out, "50 sent, 50 stored (201), 0 errors") || !strings.Contains(out, "p99") {
		t.Fatalf("loadtest: %s", out)
	}
}

// selfSigned writes a certificate and key for 127.0.0.1 and returns their
// paths.
func selfSigned(t *testing.T) (string, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "legwork test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cert, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600)
	return cert, keyFile
}

func TestServeTLS(t *testing.T) {
	cert, key := selfSigned(t)
	srv := startServer(t, "--data", t.TempDir(), "--tls-cert", cert, "--tls-key", key)
	if !strings.HasPrefix(srv.url, "https://") {
		t.Fatalf("url %s", srv.url)
	}
	resp, err := testClient.Post(srv.url+"/api/login", "application/json", strings.NewReader(`{"email":"admin@legwork.local","password":"wrong password"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || resp.Header.Get("Strict-Transport-Security") == "" {
		t.Fatalf("status %d, HSTS %q", resp.StatusCode, resp.Header.Get("Strict-Transport-Security"))
	}
}

// TestServeOnPostgres runs the server on a PostgreSQL database made for
// the test, when LEGWORK_TEST_POSTGRES is set.
func TestServeOnPostgres(t *testing.T) {
	base := os.Getenv("LEGWORK_TEST_POSTGRES")
	if base == "" {
		t.Skip("LEGWORK_TEST_POSTGRES is not set")
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	name := fmt.Sprintf("legwork_cmd_test_%d_%d", os.Getpid(), time.Now().UnixNano())
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	srv := startServer(t, "--database", u.String(), "--demo")
	out := mustRun(t, "", "loadtest", "--url", srv.url, "--rate", "20", "--duration", "1s")
	if !strings.Contains(out, "20 sent, 20 stored (201), 0 errors") {
		t.Fatalf("loadtest on PostgreSQL: %s", out)
	}
	srv.cmd.Process.Signal(os.Interrupt)
	if err := srv.cmd.Wait(); err != nil {
		t.Fatalf("shutdown: %v\n%s", err, srv.logs)
	}
	// The demo is idempotent on PostgreSQL too.
	if out := mustRun(t, "", "demo", "--database", u.String()); !strings.Contains(out, "already present") {
		t.Fatalf("second demo: %s", out)
	}
}
