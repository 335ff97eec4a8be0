package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"legwork/imu"
	"legwork/synth"
)

// runLoadtest is "legwork loadtest": uploads synthetic recordings to a
// running server at a fixed rate and reports throughput, latency
// percentiles and errors. It only targets loopback addresses.
func (m *Main) runLoadtest(ctx context.Context, args []string) error {
	fs := m.newFlagSet("loadtest", "[flags]")
	target := fs.String("url", "http://127.0.0.1:8080", "the server to load (loopback only)")
	token := fs.String("token", "", "API token of the person to upload as (the uploads stay in that person's record)")
	email := fs.String("email", demoLoadtestEmail, "account to sign in as when no --token is given: by default the load-test person that --demo creates, not the demo person")
	password := fs.String("password", demoPassword, "its password")
	rate := fs.Float64("rate", 200, "uploads per second")
	duration := fs.Duration("duration", 30*time.Second, "how long to send (at most 10 minutes)")
	walkS := fs.Float64("walk-s", 8, "walking time of each recording in seconds (plus 3 s standing before and after, 100 Hz)")
	format := fs.String("format", "lwb1", "upload format: lwb1, json or csv")
	maxInFlight := fs.Int("max-in-flight", 512, "requests allowed in flight; a tick that finds them all busy counts as an error")
	maxP99 := fs.Duration("max-p99", 0, "fail when the 99th percentile latency exceeds this (0: report only)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		fs.Usage()
		return usageError{"loadtest takes no arguments"}
	}
	if !(*rate > 0 && *rate <= 5000) || *duration <= 0 || *duration > 10*time.Minute || *maxInFlight < 1 {
		return usageError{"--rate must be in (0, 5000], --duration in (0, 10m], --max-in-flight positive"}
	}
	base, err := url.Parse(*target)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") {
		return usageError{fmt.Sprintf("--url %q is not an http(s) URL", *target)}
	}
	if err := checkLoopback(ctx, base.Hostname()); err != nil {
		return usageError{err.Error()}
	}
	ctype, ok := map[string]string{"lwb1": "application/vnd.legwork.lwb1", "json": "application/json", "csv": "text/csv"}[*format]
	if !ok {
		return usageError{"--format must be lwb1, json or csv"}
	}

	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{
		MaxIdleConns: *maxInFlight, MaxIdleConnsPerHost: *maxInFlight, IdleConnTimeout: time.Minute}}
	auth, who, err := loadtestAuth(ctx, client, base, *token, *email, *password)
	if err != nil {
		return err
	}
	personID := who.ID

	// A few distinct recordings, encoded once.
	var bodies [][]byte
	for seed := range 8 {
		rec, _ := synth.Walk(synth.WalkParams{StandBeforeS: 3, WalkS: *walkS, StandAfterS: 3, NoiseMS2: 0.05, StepTimeCV: 0.03, Seed: uint64(seed + 1)})
		var b bytes.Buffer
		switch *format {
		case "lwb1":
			err = imu.WriteLWB(&b, rec)
		case "json":
			err = imu.WriteJSON(&b, rec, "legwork-loadtest")
		default:
			err = imu.WriteCSV(&b, rec)
		}
		if err != nil {
			return err
		}
		bodies = append(bodies, b.Bytes())
	}
	uploadURL := base.JoinPath(fmt.Sprintf("/api/people/%d/assessments", personID)).String() +
		"?test_type=t25fw&placement=lower_back&tags=loadtest&recorded_at="

	total := int(*rate * duration.Seconds())
	interval := time.Duration(float64(time.Second) / *rate)
	fmt.Fprintf(m.Stderr, "loadtest: %d uploads of %d-byte %s recordings to %s at %.0f/s for %s\n"+
		"loadtest: they are stored in the record of %s as T25FW tests tagged \"loadtest\", dated yesterday\n",
		total, len(bodies[0]), *format, base.Redacted(), *rate, *duration, who.Email)

	var (
		mu        sync.Mutex
		latencies = make([]time.Duration, 0, total)
		statuses  = map[string]int{}
		wg        sync.WaitGroup
	)
	sem := make(chan struct{}, *maxInFlight)
	start := time.Now()
	recordedBase := start.Add(-24 * time.Hour).UTC()
	for i := 0; i < total; i++ {
		// Open loop: request i is due at start + i·interval, and its
		// latency counts from then, so a slow server cannot hide queueing
		// (no coordinated omission).
		due := start.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
				wg.Wait()
				return ctx.Err()
			}
		}
		select {
		case sem <- struct{}{}:
		default:
			mu.Lock()
			statuses["client saturated"]++
			mu.Unlock()
			continue
		}
		wg.Add(1)
		go func(i int, due time.Time) {
			defer wg.Done()
			defer func() { <-sem }()
			at := recordedBase.Add(time.Duration(i) * time.Millisecond).Format(time.RFC3339Nano)
			req, err := http.NewRequestWithContext(ctx, "POST", uploadURL+url.QueryEscape(at), bytes.NewReader(bodies[i%len(bodies)]))
			if err != nil {
				panic(err)
			}
			req.Header.Set("Content-Type", ctype)
			auth(req)
			resp, err := client.Do(req)
			status := ""
			if err != nil {
				status = "transport error"
			} else {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				status = fmt.Sprint(resp.StatusCode)
			}
			lat := time.Since(due)
			mu.Lock()
			statuses[status]++
			if status == "201" {
				latencies = append(latencies, lat)
			}
			mu.Unlock()
		}(i, due)
	}
	wg.Wait()
	elapsed := time.Since(start)

	stored := statuses["201"]
	errs := total - stored
	fmt.Fprintf(m.Stdout, "uploads:    %d sent, %d stored (201), %d errors\n", total, stored, errs)
	fmt.Fprintf(m.Stdout, "throughput: %.1f stored/s over %s\n", float64(stored)/elapsed.Seconds(), elapsed.Round(time.Millisecond))
	if len(latencies) > 0 {
		slices.Sort(latencies)
		pct := func(p float64) time.Duration {
			return latencies[min(len(latencies)-1, int(p*float64(len(latencies))))]
		}
		fmt.Fprintf(m.Stdout, "latency:    p50 %s  p90 %s  p99 %s  max %s\n",
			pct(0.50).Round(100*time.Microsecond), pct(0.90).Round(100*time.Microsecond), pct(0.99).Round(100*time.Microsecond), latencies[len(latencies)-1].Round(100*time.Microsecond))
	}
	if errs > 0 {
		keys := make([]string, 0, len(statuses))
		for k := range statuses {
			if k != "201" {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s: %d", k, statuses[k]))
		}
		fmt.Fprintf(m.Stdout, "errors:     %s\n", strings.Join(parts, ", "))
		return fmt.Errorf("%d of %d uploads failed", errs, total)
	}
	if *maxP99 > 0 && len(latencies) > 0 {
		if p99 := latencies[min(len(latencies)-1, int(0.99*float64(len(latencies))))]; p99 > *maxP99 {
			return fmt.Errorf("p99 latency %s exceeds %s", p99, *maxP99)
		}
	}
	return nil
}

// checkLoopback refuses a host that is not (or does not resolve only to) a
// loopback address: load is only ever sent to this machine.
func checkLoopback(ctx context.Context, host string) error {
	if host == "" {
		return errors.New("--url has no host")
	}
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil {
		return fmt.Errorf("--url host %q: %v", host, err)
	}
	for _, a := range addrs {
		if !a.IP.IsLoopback() {
			return fmt.Errorf("--url host %q is %s, not a loopback address: loadtest only targets this machine", host, a.IP)
		}
	}
	return nil
}

// loadtestAccount is the person the load test uploads for.
type loadtestAccount struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
	Role  string `json:"role"`
}

// loadtestAuth returns a function that authenticates requests, and the
// person to upload for.
func loadtestAuth(ctx context.Context, client *http.Client, base *url.URL, token, email, password string) (func(*http.Request), *loadtestAccount, error) {
	var auth func(*http.Request)
	if token != "" {
		auth = func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }
	} else {
		body, _ := json.Marshal(map[string]string{"email": email, "password": password})
		req, _ := http.NewRequestWithContext(ctx, "POST", base.JoinPath("/api/login").String(), bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return nil, nil, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || len(resp.Cookies()) == 0 {
			return nil, nil, fmt.Errorf("sign in as %s: status %d (start the server with --demo, which creates it, or pass --token of a person made for the test)", email, resp.StatusCode)
		}
		c := resp.Cookies()[0]
		auth = func(r *http.Request) { r.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value}) }
	}
	req, _ := http.NewRequestWithContext(ctx, "GET", base.JoinPath("/api/me").String(), nil)
	auth(req)
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	var me loadtestAccount
	if err := json.NewDecoder(resp.Body).Decode(&me); err != nil || resp.StatusCode != 200 {
		return nil, nil, fmt.Errorf("who am I: status %d", resp.StatusCode)
	}
	if me.Role != "person" {
		return nil, nil, errors.New("the load test uploads as a person; this account is a " + me.Role)
	}
	return auth, &me, nil
}
