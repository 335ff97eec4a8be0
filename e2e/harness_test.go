// Package e2e runs legwork's web app in a real browser: headless Chromium,
// driven with chromedp, against a real `legwork serve` on loopback that the
// tests build and start. The browser is Debian's Chromium (/usr/bin/chromium,
// or LEGWORK_CHROMIUM). Without one the tests skip and say so; with
// LEGWORK_CHROMIUM set to something that does not run, they fail, so that
// CI cannot skip them silently.
//
// Screenshots of each main screen at a phone's viewport (390×844 CSS px,
// device scale factor 2) go to testdata/screenshots/.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

var (
	binary     string // the legwork binary built by TestMain
	chromePath string // the browser; "" skips
	skipReason string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	var err error
	chromePath, skipReason, err = findChromium()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	if chromePath != "" {
		dir, err := os.MkdirTemp("", "legwork-e2e-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		binary = filepath.Join(dir, "legwork")
		cmd := exec.Command("go", "build", "-o", binary, "legwork/cmd/legwork")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: building legwork:", err)
			return 1
		}
	}
	return m.Run()
}

// findChromium returns the browser to use. LEGWORK_CHROMIUM, when set,
// must name a browser that runs (else an error); otherwise the usual
// names are tried, and none found means skipping.
func findChromium() (path, skip string, err error) {
	if p := os.Getenv("LEGWORK_CHROMIUM"); p != "" {
		out, err := exec.Command(p, "--version").CombinedOutput()
		if err != nil {
			return "", "", fmt.Errorf("LEGWORK_CHROMIUM=%s does not run (%v): %s", p, err, out)
		}
		return p, "", nil
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, "", nil
		}
	}
	return "", "no Chromium found (install Debian's chromium, or set LEGWORK_CHROMIUM to a Chromium binary)", nil
}

func needBrowser(t *testing.T) {
	t.Helper()
	if chromePath == "" {
		t.Skip("browser tests skipped: " + skipReason)
	}
}

// server is a running `legwork serve`.
type server struct {
	URL           string
	AdminPassword string
	cmd           *exec.Cmd
	out           *bytes.Buffer
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func startServer(t *testing.T, args ...string) *server {
	t.Helper()
	addr := freePort(t)
	cmd := exec.Command(binary, append([]string{"serve", "--addr", addr, "--data", t.TempDir()}, args...)...)
	out := &bytes.Buffer{}
	var mu sync.Mutex
	pr, pw := io.Pipe()
	cmd.Stdout = pw
	cmd.Stderr = &lockedWriter{w: out, mu: &mu}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{URL: "http://" + addr, cmd: cmd, out: out}
	passwords := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			mu.Lock()
			out.WriteString(line + "\n")
			mu.Unlock()
			if pw, ok := strings.CutPrefix(strings.TrimSpace(line), "password:"); ok {
				passwords <- strings.TrimSpace(pw)
			}
		}
	}()
	t.Cleanup(func() {
		s.stop()
		pw.Close()
		if t.Failed() {
			mu.Lock()
			t.Logf("server output:\n%s", out.String())
			mu.Unlock()
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(s.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("legwork serve did not start: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	select {
	case s.AdminPassword = <-passwords:
	case <-time.After(5 * time.Second):
		t.Fatal("no administrator password printed")
	}
	return s
}

func (s *server) stop() {
	if s.cmd.Process != nil && s.cmd.ProcessState == nil {
		s.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			s.cmd.Process.Kill()
			<-done
		}
	}
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// client is a Go HTTP client of the API with its own cookies: for setting
// up accounts and for checking, from outside the browser, what the server
// stored.
type client struct {
	t    *testing.T
	base string
	http *http.Client
}

func newClient(t *testing.T, base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: base, http: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

// do sends a request and decodes a JSON answer into out (when not nil);
// it returns the status.
func (c *client) do(method, path string, body any, out any) int {
	c.t.Helper()
	var r io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case []byte:
		r, ct = bytes.NewReader(b), "text/csv"
	default:
		j, _ := json.Marshal(b)
		r, ct = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return resp.StatusCode
}

func (c *client) must(method, path string, body any, out any, want int) {
	c.t.Helper()
	if got := c.do(method, path, body, out); got != want {
		c.t.Fatalf("%s %s: status %d, want %d", method, path, got, want)
	}
}

func (c *client) login(email, password string) {
	c.t.Helper()
	c.must("POST", "/api/login", map[string]string{"email": email, "password": password}, nil, 200)
}

// useCookie makes the client act as a browser's session.
func (c *client) useCookie(name, value string) {
	u, _ := http.NewRequest("GET", c.base, nil)
	c.http.Jar.SetCookies(u.URL, []*http.Cookie{{Name: name, Value: value}})
}

// browsers starts one headless Chromium for the test, with the flags of
// the notes on phone sensors and a fresh profile.
func browsers(t *testing.T) context.Context {
	t.Helper()
	needBrowser(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromePath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.UserDataDir(t.TempDir()),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	root, cancelRoot := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelRoot(); cancelAlloc() })
	if err := chromedp.Do(root); err != nil {
		t.Fatalf("starting %s: %v", chromePath, err)
	}
	return root
}

// tab is one user's browser: its own browser context (cookies, storage,
// service worker) at a phone's viewport.
type tab struct {
	t    *testing.T
	name string
	ctx  context.Context
	base string

	mu         sync.Mutex
	exceptions []string
}

func newTab(t *testing.T, root context.Context, name, base string) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	b := &tab{t: t, name: name, ctx: ctx, base: base}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch)); err != nil {
		t.Fatal(err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.IsException() {
				b.mu.Lock()
				b.exceptions = append(b.exceptions, m.String())
				b.mu.Unlock()
			}
		}
	}()
	// Confirm dialogs ("Withdraw access?") are accepted, as a person would.
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	t.Cleanup(func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, e := range b.exceptions {
			t.Errorf("%s: uncaught exception in the page: %s", name, e)
		}
	})
	return b
}

func (b *tab) do(timeout time.Duration, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, timeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", b.name, err)
	}
}

// eval evaluates a JavaScript expression and decodes its value into T.
func eval[T any](b *tab, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("%s: %s: %v", b.name, expr, err)
	}
	return v
}

func (b *tab) open(path string) {
	b.t.Helper()
	b.do(30*time.Second, chromedp.Navigate(b.base+path))
}

// goTo changes the screen as a link would (a same-document navigation).
func (b *tab) goTo(hash string) {
	b.t.Helper()
	eval[chromedp.Void](b, fmt.Sprintf("location.hash = %q", hash))
}

func q(s string) string { j, _ := json.Marshal(s); return string(j) }

// find is a JavaScript expression for the first visible element matching
// the CSS selector whose text contains text (any text when empty).
func find(sel, text string) string {
	return fmt.Sprintf(`[...document.querySelectorAll(%s)].find((e) => e.getClientRects().length && (!%s || (e.innerText || e.value || "").replace(/\s+/g, " ").includes(%s)))`, q(sel), q(text), q(text))
}

// wait polls until the element exists; it returns its text.
func (b *tab) wait(sel, text string, timeout time.Duration) string {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got := eval[*string](b, fmt.Sprintf(`(() => { const e = %s; return e ? e.innerText : null; })()`, find(sel, text)))
		if got != nil {
			return *got
		}
		if time.Now().After(deadline) {
			body := eval[string](b, `document.body.innerText`)
			b.t.Fatalf("%s: no %s with %q after %v; the page shows:\n%s", b.name, sel, text, timeout, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// gone polls until no such element is visible.
func (b *tab) gone(sel, text string, timeout time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	for eval[bool](b, fmt.Sprintf(`!!(%s)`, find(sel, text))) {
		if time.Now().After(deadline) {
			b.t.Fatalf("%s: %s with %q still there after %v", b.name, sel, text, timeout)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// tap scrolls the element to the middle of the screen and taps its centre,
// after checking that nothing covers it there.
func (b *tab) tap(sel, text string) {
	b.t.Helper()
	b.wait(sel, text, 10*time.Second)
	type point struct {
		X, Y    float64
		Covered string
	}
	// measure scrolls the element into view (when asked) and says where
	// its middle is and what is on top there.
	measure := func(scroll bool) point {
		var pt point
		raw := eval[[]byte](b, fmt.Sprintf(`(() => {
			const e = %s;
			if (!e) return { x: -1, y: -1, covered: "gone" };
			if (%t) e.scrollIntoView({ block: "center" });
			const r = e.getBoundingClientRect(), x = r.x + r.width / 2, y = r.y + r.height / 2;
			const top = document.elementFromPoint(x, y);
			return { x, y, covered: top && (top === e || e.contains(top)) ? "" : (top ? top.outerHTML.slice(0, 120) : "nothing") };
		})()`, find(sel, text), scroll))
		if err := json.Unmarshal(raw, &pt); err != nil {
			b.t.Fatal(err)
		}
		return pt
	}
	// A screen that has just appeared may still move: the route change
	// scrolls to the top and the heading takes the focus after the first
	// paint. Tap only where the element stays put for 150 ms.
	deadline := time.Now().Add(5 * time.Second)
	for {
		pt := measure(true)
		time.Sleep(150 * time.Millisecond)
		again := measure(false)
		if pt == again && pt.Covered == "" {
			b.do(10*time.Second, chromedp.TapXY(pt.X, pt.Y))
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%s: %s %q did not settle where it can be tapped (covered by %s)", b.name, sel, text, again.Covered)
		}
	}
}

// typeInto focuses a field and types, as a keyboard would.
func (b *tab) typeInto(id, text string) {
	b.t.Helper()
	b.do(10*time.Second, chromedp.SendKeys(chromedp.ID(id), text))
}

// shot saves a full-page screenshot and checks the layout basics: nothing
// wider than the screen, and every control at least 44 px tall.
func (b *tab) shot(name string) {
	b.t.Helper()
	eval[chromedp.Void](b, `window.scrollTo(0, 0)`)
	time.Sleep(150 * time.Millisecond) // let charts and fonts settle
	// What the phone's screen shows, then the whole page (with the bottom
	// navigation put at the end, where a full-page capture can show it).
	dir := filepath.Join("testdata", "screenshots")
	os.MkdirAll(dir, 0o755)
	img, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), img, 0o644); err != nil {
		b.t.Fatal(err)
	}
	eval[chromedp.Void](b, `document.querySelectorAll(".tabs, .top").forEach((e) => (e.style.position = "static"))`)
	img, err = chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	eval[chromedp.Void](b, `document.querySelectorAll(".tabs, .top").forEach((e) => (e.style.position = ""))`)
	if err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+"-full.png"), img, 0o644); err != nil {
		b.t.Fatal(err)
	}
	problems := eval[[]string](b, `(() => {
		const out = [];
		if (document.documentElement.scrollWidth > window.innerWidth + 1) out.push("the page is wider than the screen: " + document.documentElement.scrollWidth + " px");
		for (const e of document.querySelectorAll("button, a.button, .chip, input:not([type=checkbox]):not([type=range]):not([type=hidden]), select, textarea, nav.tabs a, summary")) {
			const r = e.getBoundingClientRect();
			if (!r.width || getComputedStyle(e).visibility === "hidden") continue;
			if (r.height < 44 || r.width < 44) out.push((e.innerText || e.id || e.outerHTML.slice(0, 60)).trim() + ": " + Math.round(r.width) + "×" + Math.round(r.height) + " px");
		}
		return out;
	})()`)
	for _, p := range problems {
		b.t.Errorf("%s, screen %s: %s", b.name, name, p)
	}
}

// cookie returns the browser's session cookie.
func (b *tab) cookie() string {
	b.t.Helper()
	res, err := chromedp.Call(b.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{b.base}})
	if err != nil {
		b.t.Fatal(err)
	}
	for _, c := range res.Cookies {
		if c.Name == "legwork_session" {
			return c.Value
		}
	}
	b.t.Fatalf("%s: no session cookie", b.name)
	return ""
}

// offline cuts (or restores) the browser's network, service worker
// included, and sets navigator.onLine to match.
func (b *tab) offline(off bool) {
	b.t.Helper()
	conds := []*network.Conditions{}
	if off {
		conds = append(conds, &network.Conditions{Offline: true, DownloadThroughput: -1, UploadThroughput: -1})
	}
	yes := true
	if _, err := chromedp.Call(b.ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{EmulateOfflineServiceWorker: &yes, MatchedNetworkConditions: conds}); err != nil {
		b.t.Fatal(err)
	}
	if _, err := chromedp.Call(b.ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: off, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
		b.t.Fatal(err)
	}
}
