package web_test

import (
	"bytes"
	"encoding/json"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"legwork/web"
)

func get(t *testing.T, h http.Handler, path string, hdr ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, r *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestHandler(t *testing.T) {
	h := web.Handler()
	for path, ctype := range map[string]string{
		"/":                      "text/html; charset=utf-8",
		"/js/app.js":             "text/javascript; charset=utf-8",
		"/vendor/htm-preact.mjs": "text/javascript; charset=utf-8",
		"/manifest.webmanifest":  "application/manifest+json",
		"/icons/icon-192.png":    "image/png",
		"/app.css":               "text/css; charset=utf-8",
		"/sw.js":                 "text/javascript; charset=utf-8",
	} {
		r := get(t, h, path)
		if r.StatusCode != 200 || r.Header.Get("Content-Type") != ctype || r.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("%s: %d %q %q", path, r.StatusCode, r.Header.Get("Content-Type"), r.Header.Get("Cache-Control"))
		}
		// Revalidation is cheap.
		if r2 := get(t, h, path, "If-None-Match", r.Header.Get("ETag")); r2.StatusCode != 304 {
			t.Errorf("%s with its ETag: %d", path, r2.StatusCode)
		}
	}
	if r := get(t, h, "/nothing-here.js"); r.StatusCode != 404 {
		t.Errorf("missing file: %d", r.StatusCode)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/", nil))
	if rec.Code != 405 {
		t.Errorf("POST: %d", rec.Code)
	}
}

// TestServiceWorker: the worker gets its version and the full file list,
// and every listed file exists.
func TestServiceWorker(t *testing.T) {
	h := web.Handler()
	sw := string(body(t, get(t, h, "/sw.js")))
	if strings.Contains(sw, "__VERSION__") || strings.Contains(sw, "__FILES__") {
		t.Fatal("placeholders left in sw.js")
	}
	if r := get(t, h, "/sw.js"); r.Header.Get("Service-Worker-Allowed") != "/" {
		t.Fatal("no Service-Worker-Allowed")
	}
	files := web.Files()
	list, _ := json.Marshal(files)
	if !strings.Contains(sw, string(list)) {
		t.Fatalf("sw.js does not list %s", list)
	}
	for _, want := range []string{"/", "/js/app.js", "/vendor/uPlot.esm.js", "/icons/icon-512.png", "/manifest.webmanifest"} {
		found := false
		for _, f := range files {
			found = found || f == want
		}
		if !found {
			t.Errorf("%s is not precached", want)
		}
	}
	for _, f := range files {
		if r := get(t, h, f); r.StatusCode != 200 {
			t.Errorf("precached %s: %d", f, r.StatusCode)
		}
	}
}

// TestManifest checks what installability needs: valid JSON with a name,
// a start URL, standalone display and real PNG icons of 192 and 512 px.
func TestManifest(t *testing.T) {
	h := web.Handler()
	var m struct {
		Name      string `json:"name"`
		ShortName string `json:"short_name"`
		StartURL  string `json:"start_url"`
		Display   string `json:"display"`
		Icons     []struct{ Src, Sizes, Type, Purpose string }
	}
	b := body(t, get(t, h, "/manifest.webmanifest"))
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.Name == "" || m.ShortName == "" || m.StartURL == "" || m.Display != "standalone" {
		t.Fatalf("manifest %s", b)
	}
	sizes := map[string]bool{}
	for _, ic := range m.Icons {
		img, err := png.Decode(bytes.NewReader(body(t, get(t, h, ic.Src))))
		if err != nil {
			t.Fatalf("%s: %v", ic.Src, err)
		}
		if got := img.Bounds().Dx(); ic.Sizes != itoa(got)+"x"+itoa(img.Bounds().Dy()) {
			t.Errorf("%s is %dpx, manifest says %s", ic.Src, got, ic.Sizes)
		}
		sizes[ic.Sizes] = true
	}
	if !sizes["192x192"] || !sizes["512x512"] {
		t.Fatalf("icons %v", sizes)
	}
	if !strings.Contains(string(body(t, get(t, h, "/"))), `rel="manifest" href="/manifest.webmanifest"`) {
		t.Fatal("index.html does not link the manifest")
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestIconsUpToDate: the committed PNGs are what go generate draws.
func TestIconsUpToDate(t *testing.T) {
	for _, size := range []int{192, 512} {
		f, err := os.Open("static/icons/icon-" + itoa(size) + ".png")
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		want := web.Icon(size)
		if img.Bounds() != want.Bounds() {
			t.Fatalf("%d: bounds %v", size, img.Bounds())
		}
		for y := 0; y < size; y += 7 {
			for x := 0; x < size; x += 7 {
				r1, g1, b1, _ := img.At(x, y).RGBA()
				r2, g2, b2, _ := want.At(x, y).RGBA()
				if r1 != r2 || g1 != g2 || b1 != b2 {
					t.Fatalf("icon-%d.png differs from web.Icon at (%d,%d): run go generate ./web", size, x, y)
				}
			}
		}
	}
}

// TestPlanSetBy checks the line under a weekly plan that says who set it
// and when (planSetBy in js/format.js), for the person and for their
// clinician, by running the module in Node.js; without node on the PATH
// it skips. The accounts given are as the server answers: it names a
// clinician only to the person and to that clinician, another clinician
// of the person gets the role alone.
func TestPlanSetBy(t *testing.T) {
	const at = "2026-11-12T10:00:00Z"
	script := `import { planSetBy, day } from "./format.js";
const at = "` + at + `";
const pat = { id: 1, name: "Pat Example", role: "person" };
const kim = { id: 2, name: "Dr Kim Lee", role: "clinician" };
const ann = { id: 3, name: "Dr Ann Roe", role: "clinician" };
const person = (by) => ({ id: 1, name: "Pat Example", weekly_plan_changed_at: at, weekly_plan_changed_by: by });
const lines = {
  "person, by the clinician": planSetBy(pat, person(kim)),
  "person, by themself": planSetBy(pat, person(pat)),
  "person, by a clinician without access": planSetBy(pat, person({ role: "clinician" })),
  "person, by nobody known": planSetBy(pat, person(undefined)),
  "person, never changed": planSetBy(pat, { id: 1, name: "Pat Example" }),
  "clinician, by the person": planSetBy(kim, person(pat)),
  "clinician, by themself": planSetBy(kim, person(kim)),
  "clinician, by another clinician": planSetBy(ann, person({ role: "clinician" })),
  "clinician, by a clinician without access": planSetBy(kim, person({ role: "clinician" })),
  "nobody signed in, by a clinician": planSetBy(null, person({ role: "clinician" })),
  "clinician, by nobody known": planSetBy(kim, person(null)),
};
console.log(JSON.stringify({ day: day(at), lines }));
`
	out := runNode(t, "the wording of planSetBy", []string{"format.js"}, script)
	var got struct {
		Day   string
		Lines map[string]string
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	// The date is as the phone writes dates ("12 Nov 2026" in en-GB).
	on := " on " + got.Day
	if !strings.Contains(got.Day, "2026") || !strings.Contains(got.Day, "12") {
		t.Errorf("day(%s) = %q", at, got.Day)
	}
	for what, want := range map[string]string{
		"person, by the clinician":                 "Set by Dr Kim Lee (your clinician)" + on,
		"person, by themself":                      "Set by you" + on,
		"person, by a clinician without access":    "Set by a clinician" + on,
		"person, by nobody known":                  "Set" + on,
		"person, never changed":                    "",
		"clinician, by the person":                 "Set by Pat Example" + on,
		"clinician, by themself":                   "Set by you" + on,
		"clinician, by another clinician":          "Set by another clinician" + on,
		"clinician, by a clinician without access": "Set by another clinician" + on,
		"nobody signed in, by a clinician":         "Set by a clinician" + on,
		"clinician, by nobody known":               "Set" + on,
	} {
		if g, ok := got.Lines[what]; !ok || g != want {
			t.Errorf("%s: %q, want %q", what, g, want)
		}
	}
}

// TestForgetPlanCopies checks what signing out removes from the phone's
// storage (forgetCopies in js/plan.js, run under Node.js with stand-ins
// for localStorage and IndexedDB; skipped without node): the copies of
// every plan and of who changed it, except for a person whose plan
// change still waits in the outbox; when the outbox cannot be read, only
// who changed the plans. Other keys stay.
func TestForgetPlanCopies(t *testing.T) {
	script := `const store = new Map();
globalThis.localStorage = {
  get length() { return store.size; },
  key: (i) => [...store.keys()][i] ?? null,
  getItem: (k) => store.has(k) ? store.get(k) : null,
  setItem: (k, v) => store.set(k, String(v)),
  removeItem: (k) => store.delete(k),
};
// The outbox's IndexedDB: holding items, or unreadable (null).
let items = null;
globalThis.indexedDB = {
  open() {
    const req = {};
    setTimeout(() => {
      req.result = { transaction() {
        if (!items) throw new Error("the outbox cannot be read");
        const t = { objectStore: () => ({ getAll: () => ({ result: items }) }) };
        setTimeout(() => t.oncomplete());
        return t;
      } };
      req.onsuccess();
    });
    return req;
  },
};
const { forgetCopies } = await import("./plan.js");
const fill = () => {
  store.clear();
  for (const id of [1, 2]) {
    localStorage.setItem("legwork.plan." + id, '{"t25fw":3}');
    localStorage.setItem("legwork.plan-changed." + id, '{"weekly_plan_changed_by":{"role":"clinician"}}');
  }
  localStorage.setItem("legwork.device", "cane");
  localStorage.setItem("legwork.zone-set.1", "1");
};
const left = {};
items = [{ personId: 2, kind: "plan" }, { personId: 1, kind: "diary" }];
fill();
await forgetCopies();
left.waiting = [...store.keys()].sort();
items = [];
fill();
await forgetCopies();
left.nothing = [...store.keys()].sort();
items = null;
fill();
await forgetCopies();
left.unreadable = [...store.keys()].sort();
console.log(JSON.stringify(left));
`
	out := runNode(t, "forgetCopies", []string{"plan.js", "api.js", "outbox.js", "protocols.js"}, script)
	var got map[string][]string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for what, want := range map[string][]string{
		// person 2's plan change waits: both of their copies stay
		"waiting":    {"legwork.device", "legwork.plan-changed.2", "legwork.plan.2", "legwork.zone-set.1"},
		"nothing":    {"legwork.device", "legwork.zone-set.1"},
		"unreadable": {"legwork.device", "legwork.plan.1", "legwork.plan.2", "legwork.zone-set.1"},
	} {
		if g := got[what]; strings.Join(g, " ") != strings.Join(want, " ") {
			t.Errorf("%s: left %q, want %q", what, g, want)
		}
	}
}

// TestChangeFlags checks what the clinician's People screen flags from an
// insights report (changeFlags in js/format.js, run under Node.js; skipped
// without node): every ongoing alert, and a real worsening beyond a
// threshold scaled from another test (the 2-minute walk's), which raises
// no alert but must still reach the clinician once the last week holds
// two test days or more; not a single test day, an improvement, a
// worsening within the person's noise, or one beyond a published
// threshold without an alert yet (a single bad day).
func TestChangeFlags(t *testing.T) {
	script := `import { changeFlags } from "./format.js";
const scaled = { amount: 2.4, scaled: true };
const series = (metric, cls, dir, src, days = 3) => ({ metric, change: { class: cls, direction: dir, mcid_source: src, days, clinician: metric + " " + cls + " " + dir + " " + days } });
const rep = {
  ongoing_alerts: [{ metric: "t25fw_time_s", alert: { clinician: "T25FW: confirmed worsening" } }],
  series: [
    series("walk2min_distance_m", "beyond_sdc_and_mcid", "worse", scaled),
    series("walk2min_distance_m", "beyond_sdc_and_mcid", "worse", scaled, 1),
    series("walk2min_distance_m", "beyond_sdc_and_mcid", "better", scaled),
    series("walk2min_distance_m", "beyond_mcid_within_noise", "worse", scaled),
    series("t25fw_time_s", "beyond_sdc_and_mcid", "worse", { amount: 0.2, relative: true }),
    series("cadence_spm", "beyond_sdc", "worse", undefined),
    { metric: "steps" },
  ],
};
console.log(JSON.stringify({ flags: changeFlags(rep), none: changeFlags(null), empty: changeFlags({}) }));
`
	out := runNode(t, "changeFlags", []string{"format.js"}, script)
	var got struct{ Flags, None, Empty []string }
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	want := []string{"T25FW: confirmed worsening", "Not an alert (its threshold is only a rough guide): walk2min_distance_m beyond_sdc_and_mcid worse 3"}
	if strings.Join(got.Flags, "|") != strings.Join(want, "|") {
		t.Errorf("flags %q, want %q", got.Flags, want)
	}
	if len(got.None) != 0 || len(got.Empty) != 0 {
		t.Errorf("flags of no report %q, of an empty one %q", got.None, got.Empty)
	}
}

// runNode runs script as an ES module under Node.js in a temporary folder
// holding the named files of static/js (copied as they are, as modules by
// the folder's package.json) and returns what it printed; without node on
// the PATH the test is skipped, saying what is not checked.
func runNode(t *testing.T, unchecked string, files []string, script string) []byte {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: " + unchecked + " is not checked")
	}
	dir := t.TempDir()
	for _, f := range files {
		src, err := os.ReadFile(filepath.Join("static/js", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, b := range map[string]string{"package.json": `{"type": "module"}`, "test.mjs": script} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(b), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(node, "test.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TZ=UTC")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	return out
}

// TestAPINotLegworksAnswer: a redirect (a Wi-Fi sign-in page in the way)
// and a success that is not JSON are no connection (Offline), so the
// outbox keeps what waits to be sent instead of taking it for sent; a
// JSON success, an error and a 204 are read as before.
func TestAPINotLegworksAnswer(t *testing.T) {
	script := `
import { api, Offline, ApiError } from "./api.js";
const answers = {
  "/redirect": () => ({ type: "opaqueredirect", status: 0, ok: false, json: async () => { throw new Error("opaque"); } }),
  "/html": () => ({ type: "basic", status: 200, ok: true, json: async () => { throw new SyntaxError("not JSON"); } }),
  "/json": () => ({ type: "basic", status: 201, ok: true, json: async () => ({ id: 7 }) }),
  "/error": () => ({ type: "basic", status: 400, ok: false, json: async () => ({ error: { code: "invalid", message: "bad", field: "x" } }) }),
  "/none": () => ({ type: "basic", status: 204, ok: true, json: async () => null }),
};
let seen;
globalThis.fetch = async (path, init) => { seen = init; return answers[path](); };
const out = {};
for (const p of Object.keys(answers)) {
  try {
    out[p] = JSON.stringify(await api("POST", p, { body: {} }));
  } catch (e) {
    out[p] = e instanceof Offline ? "offline" : e instanceof ApiError ? "api " + e.status + " " + e.field : "other " + e;
  }
}
out.redirect = seen.redirect;
console.log(JSON.stringify(out));
`
	out := strings.TrimSpace(string(runNode(t, "api", []string{"api.js"}, script)))
	want := `{"/redirect":"offline","/html":"offline","/json":"{\"id\":7}","/error":"api 400 x","/none":"null","redirect":"manual"}`
	if out != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
}
