package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"legwork/imu"
	"legwork/synth"
)

// binary is the legwork executable built for the tests that run the
// server as a separate process ("" when the build failed or -short).
var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	if !testing.Short() {
		dir, err := os.MkdirTemp("", "legwork-bin-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		bin := filepath.Join(dir, "legwork")
		out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
		if err != nil {
			fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
			return 1
		}
		binary = bin
	}
	return m.Run()
}

// testClient is the client for the test servers; it accepts the
// self-signed certificate of the TLS test (loopback only).
var testClient = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}

// server is a legwork server running as a child process.
type server struct {
	t    *testing.T
	cmd  *exec.Cmd
	url  string
	logs *bytes.Buffer
}

// startServer runs "legwork serve" on a free loopback port and waits until
// it answers.
func startServer(t *testing.T, args ...string) *server {
	t.Helper()
	if binary == "" {
		t.Skip("needs the server binary (not built with -short)")
	}
	cmd := exec.Command(binary, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	logs := &bytes.Buffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{t: t, cmd: cmd, logs: logs}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "legwork: serving "); ok {
				found <- strings.Fields(rest)[0]
			}
		}
	}()
	select {
	case s.url = <-found:
	case <-time.After(60 * time.Second):
		t.Fatalf("server did not start: %s", logs)
	}
	for i := 0; ; i++ {
		resp, err := testClient.Get(s.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s
			}
		}
		if i > 100 {
			t.Fatalf("server not healthy: %v %s", err, logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// runCLI runs a command of the binary and returns its standard output.
func runCLI(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("legwork %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String()
}

// ack is an upload the server acknowledged.
type ack struct {
	id      int64
	body    []byte
	cadence float64
}

// TestKillDuringUploads kills the server (SIGKILL) while uploads are under
// way, restarts it on the same data directory, and checks that every
// acknowledged upload is there and readable, and that the database is
// consistent.
func TestKillDuringUploads(t *testing.T) {
	if binary == "" {
		t.Skip("needs the server binary (not built with -short)")
	}
	data := t.TempDir()
	runCLI(t, "a long enough password\n", "user", "add", "--data", data, "--email", "kim@example.org", "--name", "Kim", "--role", "person", "--height-m", "1.7", "--password-stdin")
	token := strings.TrimSpace(runCLI(t, "", "token", "create", "--data", data, "--email", "kim@example.org", "--name", "durability"))

	var bodies [][]byte
	for seed := range 6 {
		rec, _ := synth.Walk(synth.WalkParams{StandBeforeS: 2, WalkS: 8, StandAfterS: 2, NoiseMS2: 0.05, Seed: uint64(seed + 1)})
		var b bytes.Buffer
		imu.WriteLWB(&b, rec)
		bodies = append(bodies, b.Bytes())
	}

	var (
		mu    sync.Mutex
		acked []ack
	)
	for round := range 3 {
		srv := startServer(t, "--data", data)
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				client := &http.Client{Timeout: 30 * time.Second}
				for i := 0; ctx.Err() == nil; i++ {
					body := bodies[(w+i)%len(bodies)]
					req, _ := http.NewRequestWithContext(ctx, "POST", srv.url+"/api/people/1/assessments?test_type=t25fw&placement=lower_back", bytes.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+token)
					req.Header.Set("Content-Type", "application/vnd.legwork.lwb1")
					resp, err := client.Do(req)
					if err != nil {
						return // the server is gone
					}
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 201 {
						continue
					}
					var as struct {
						ID      int64              `json:"id"`
						Metrics map[string]float64 `json:"metrics"`
					}
					if err := json.Unmarshal(b, &as); err != nil {
						// A 201 whose body was cut by the kill is not an
						// acknowledgement the client could rely on.
						continue
					}
					mu.Lock()
					acked = append(acked, ack{id: as.ID, body: body, cadence: as.Metrics["cadence_spm"]})
					mu.Unlock()
				}
			}()
		}
		// Let uploads run, then kill the server in the middle of them.
		time.Sleep(time.Duration(700+300*round) * time.Millisecond)
		if err := srv.cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		srv.cmd.Wait()
		cancel()
		wg.Wait()
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		t.Logf("round %d: %d uploads acknowledged so far", round, n)
	}
	if len(acked) == 0 {
		t.Fatal("no upload was acknowledged before the kills")
	}

	// Restart and read everything back.
	srv := startServer(t, "--data", data)
	get := func(path string) (int, []byte) {
		req, _ := http.NewRequest("GET", srv.url+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	for _, a := range acked {
		st, b := get(fmt.Sprintf("/api/people/1/assessments/%d", a.id))
		if st != 200 {
			t.Fatalf("acknowledged assessment %d: status %d %s", a.id, st, b)
		}
		var as struct {
			Metrics map[string]float64 `json:"metrics"`
			HasRaw  bool               `json:"has_raw"`
		}
		json.Unmarshal(b, &as)
		if !as.HasRaw || as.Metrics["cadence_spm"] != a.cadence {
			t.Fatalf("assessment %d: %s", a.id, b)
		}
		st, raw := get(fmt.Sprintf("/api/people/1/assessments/%d/recording", a.id))
		if st != 200 || !bytes.Equal(raw, a.body) {
			t.Fatalf("assessment %d: recording status %d, %d bytes (want %d)", a.id, st, len(raw), len(a.body))
		}
	}
	// Everything stored (acknowledged or not) is whole.
	total := 0
	for path := "/api/people/1/assessments?limit=500"; ; {
		st, b := get(path)
		if st != 200 {
			t.Fatalf("list: %d %s", st, b)
		}
		var page struct {
			Items []struct {
				ID      int64              `json:"id"`
				HasRaw  bool               `json:"has_raw"`
				Metrics map[string]float64 `json:"metrics"`
			} `json:"items"`
			NextBefore *int64 `json:"next_before"`
		}
		json.Unmarshal(b, &page)
		for _, it := range page.Items {
			if it.Metrics["cadence_spm"] == 0 {
				t.Errorf("assessment %d has no metrics", it.ID)
			}
			if st, _ := get(fmt.Sprintf("/api/people/1/assessments/%d/recording", it.ID)); st != 200 {
				t.Errorf("assessment %d: recording status %d", it.ID, st)
			}
		}
		total += len(page.Items)
		if page.NextBefore == nil {
			break
		}
		path = fmt.Sprintf("/api/people/1/assessments?limit=500&before=%d", *page.NextBefore)
	}
	if total < len(acked) {
		t.Fatalf("%d assessments stored, %d acknowledged", total, len(acked))
	}
	t.Logf("%d acknowledged, %d stored", len(acked), total)
	srv.cmd.Process.Signal(os.Interrupt)
	if err := srv.cmd.Wait(); err != nil {
		t.Fatalf("graceful shutdown: %v\n%s", err, srv.logs)
	}

	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, "legwork.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var check string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %v %s", err, check)
	}
	rows, err := db.Query("PRAGMA foreign_key_check")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if rows.Next() {
		t.Fatal("foreign key violations after the kills")
	}
}
