package web_test

import (
	"bytes"
	"encoding/json"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
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
