// Package web is legwork's web app: static files embedded in the binary
// (HTML, CSS, plain ES modules with small vendored libraries, a web
// manifest, icons and a service worker), served by legwork serve at "/"
// through api.Options.Static. There is no build step: the files under
// static/ are what the browser gets.
//
// The service worker (static/sw.js) precaches every file so that the app
// opens without a network after its first load. The handler fills in the
// worker's cache version (a hash of all files) and its file list, so a
// changed file always reaches the browser, and no list is kept by hand.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"sort"
	"strings"
	"time"
)

//go:generate go run gen_icons.go

//go:embed static
var files embed.FS

// asset is one file as served.
type asset struct {
	body  []byte
	ctype string
	etag  string
}

// Handler serves the web app. Only GET and HEAD are answered; paths
// outside the embedded files are 404.
func Handler() http.Handler {
	assets, err := load()
	if err != nil {
		panic(err) // the embedded files are fixed at build time
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		p := r.URL.Path
		if p == "/" || p == "/index.html" {
			p = "/index.html"
		}
		a, ok := assets[p]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.ctype)
		h.Set("ETag", a.etag)
		// Always revalidate: the ETag makes that cheap, and the service
		// worker keeps the app usable offline.
		h.Set("Cache-Control", "no-cache")
		if p == "/sw.js" {
			h.Set("Service-Worker-Allowed", "/")
		}
		if match := r.Header.Get("If-None-Match"); match != "" && match == a.etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		http.ServeContent(w, r, "", zeroTime, bytes.NewReader(a.body))
	})
}

// Files returns the paths the service worker precaches ("/" and every
// file but the worker itself), sorted.
func Files() []string {
	assets, err := load()
	if err != nil {
		panic(err)
	}
	return precacheList(assets)
}

func precacheList(assets map[string]*asset) []string {
	list := []string{"/"}
	for p := range assets {
		if p != "/sw.js" && p != "/index.html" && !strings.HasSuffix(p, ".md") && !strings.Contains(p, "/LICENSE") {
			list = append(list, p)
		}
	}
	sort.Strings(list)
	return list
}

func load() (map[string]*asset, error) {
	root, err := fs.Sub(files, "static")
	if err != nil {
		return nil, err
	}
	assets := map[string]*asset{}
	sum := sha256.New()
	var paths []string
	err = fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(root, p)
		if err != nil {
			return err
		}
		assets["/"+p] = &asset{body: b, ctype: contentType(p)}
		paths = append(paths, "/"+p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	for _, p := range paths {
		if p == "/sw.js" {
			continue
		}
		sum.Write([]byte(p))
		sum.Write(assets[p].body)
	}
	version := hex.EncodeToString(sum.Sum(nil))[:16]
	if sw, ok := assets["/sw.js"]; ok {
		list, _ := json.Marshal(precacheList(assets))
		b := bytes.Replace(sw.body, []byte(`"__VERSION__"`), []byte(`"`+version+`"`), 1)
		sw.body = bytes.Replace(b, []byte(`["__FILES__"]`), list, 1)
	}
	for _, a := range assets {
		h := sha256.Sum256(a.body)
		a.etag = `"` + hex.EncodeToString(h[:8]) + `"`
	}
	return assets, nil
}

func contentType(p string) string {
	switch path.Ext(p) {
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".webmanifest":
		return "application/manifest+json"
	case ".css":
		return "text/css; charset=utf-8"
	case ".html":
		return "text/html; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".md", "":
		return "text/plain; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(p)); t != "" {
		return t
	}
	return "application/octet-stream"
}

var zeroTime = time.Time{}
