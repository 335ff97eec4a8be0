package e2e

import (
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"legwork"
)

// signUp creates a person's account through the sign-up screen.
func signUp(t *testing.T, b *tab, name, email string) {
	t.Helper()
	b.open("/#/signup")
	b.wait("h1", "Create an account", 10*time.Second)
	b.typeInto("su-name", name)
	b.typeInto("su-email", email)
	b.typeInto("su-password", "a long enough password")
	b.tap("button", "Create my account")
	b.wait("h1", "Hello, "+name, 10*time.Second)
}

// newPerson starts a server, signs a new person up in a phone tab, and
// returns the tab, an API client on the same session and the account.
func newPerson(t *testing.T, name, email string) (*tab, *client, legwork.User) {
	t.Helper()
	root := browsers(t)
	srv := startServer(t)
	b := newTab(t, root, "person", srv.URL)
	signUp(t, b, name, email)
	c := newClient(t, srv.URL)
	c.useCookie("legwork_session", b.cookie())
	var me legwork.User
	c.must("GET", "/api/me", nil, &me, 200)
	return b, c, me
}

// TestTestScreenProblems: what a person sees when a test cannot record —
// iOS refused motion access, the browser gives no motion data, the page is
// not in a secure context — and that cancelling a test stops it.
func TestTestScreenProblems(t *testing.T) {
	root := browsers(t)
	srv := startServer(t)
	b := newTab(t, root, "person", srv.URL)
	signUp(t, b, "Ana", "ana@example.org")

	// iOS: the permission prompt answered "Don't allow".
	b.goTo("#/run/balance")
	b.wait("h1", "Balance", 5*time.Second)
	eval[chromedp.Void](b, `DeviceMotionEvent.requestPermission = async () => "denied"`)
	b.tap("#start", "")
	b.wait(".problem", "Motion access was refused", 5*time.Second)
	b.shot("20-permission-denied")
	eval[chromedp.Void](b, `delete DeviceMotionEvent.requestPermission`)

	// A browser that sends no motion events (desktop Chromium has no sensors).
	b.open("/#/run/sts5")
	b.wait("h1", "Five sit-to-stands", 10*time.Second)
	b.tap(".chip", "5 s")
	b.tap("#start", "")
	b.wait("#cue", "waistband", 5*time.Second)
	b.wait(".problem", "No motion data arrived", 10*time.Second)

	// Cancelling a test under way.
	b.open("/#/run/walk2min")
	b.wait("h1", "2-minute walk", 10*time.Second)
	b.tap(".chip", "30 s")
	b.tap("#start", "")
	b.wait("#cue", "waistband", 5*time.Second)
	b.tap("#cancel", "")
	b.wait("h1", "2-minute walk", 5*time.Second)
	b.wait("#start", "Start", 5*time.Second)

	// Plain HTTP from another machine: not a secure context.
	if _, err := chromedp.Call(b.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `Object.defineProperty(window, "isSecureContext", { value: false })`,
	}); err != nil {
		t.Fatal(err)
	}
	b.open("/?reload#/run/t25fw") // a new document, which the script changes
	b.wait(".problem", "Motion sensors are blocked on this connection", 10*time.Second)
	b.wait(".problem", "--tls-cert", time.Second)
	if !eval[bool](b, `document.getElementById("start").disabled`) {
		t.Fatal("Start is enabled without a secure context")
	}
	b.shot("21-not-secure")
}
