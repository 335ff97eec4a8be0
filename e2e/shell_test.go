package e2e

import (
	"encoding/json"
	"testing"
	"time"
)

// TestInstallableShell checks the basics an installable app needs, in the
// browser: the manifest the page links is valid JSON with a name, a start
// URL, standalone display and PNG icons of 192 and 512 px that load; the
// service worker installs and controls the page; and after that first
// load, the app opens with the server gone.
func TestInstallableShell(t *testing.T) {
	root := browsers(t)
	srv := startServer(t)
	b := newTab(t, root, "visitor", srv.URL)
	b.open("/")
	b.wait("h1", "Sign in", 10*time.Second)

	raw := eval[[]byte](b, `(async () => {
		const href = document.querySelector('link[rel="manifest"]').href;
		const m = await (await fetch(href)).json();
		const icons = [];
		for (const i of m.icons) {
			const img = new Image();
			img.src = new URL(i.src, href).href;
			await img.decode();
			icons.push({ sizes: i.sizes, type: i.type, w: img.naturalWidth, h: img.naturalHeight });
		}
		return { name: m.name, start_url: m.start_url, display: m.display, icons };
	})()`)
	var m struct {
		Name     string `json:"name"`
		StartURL string `json:"start_url"`
		Display  string `json:"display"`
		Icons    []struct {
			Sizes, Type string
			W, H        int
		}
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("manifest: %v: %s", err, raw)
	}
	sizes := map[int]bool{}
	for _, ic := range m.Icons {
		if ic.Type != "image/png" || ic.W != ic.H {
			t.Errorf("icon %+v", ic)
		}
		sizes[ic.W] = true
	}
	if m.Name == "" || m.StartURL == "" || m.Display != "standalone" || !sizes[192] || !sizes[512] {
		t.Fatalf("manifest %s", raw)
	}

	// The service worker installs, activates and takes the page.
	deadline := time.Now().Add(20 * time.Second)
	for !eval[bool](b, `!!navigator.serviceWorker.controller && navigator.serviceWorker.controller.state === "activated"`) {
		if time.Now().After(deadline) {
			t.Fatal("no active service worker controls the page")
		}
		time.Sleep(200 * time.Millisecond)
	}
	if n := eval[int](b, `caches.keys().then(async (ks) => (await (await caches.open(ks.find((k) => k.startsWith("legwork-")))).keys()).length)`); n < 20 {
		t.Fatalf("only %d files cached", n)
	}

	// With the server stopped, the app still opens.
	srv.stop()
	if _, err := newClient(t, srv.URL).http.Get(srv.URL + "/healthz"); err == nil {
		t.Fatal("the server still answers")
	}
	b.open("/")
	b.wait("h1", "Sign in", 10*time.Second)
	b.wait("button", "Sign in", 5*time.Second)
}
