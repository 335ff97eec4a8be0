package app_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"legwork"
	"legwork/app"
)

func TestSignUp(t *testing.T) {
	e := newEnv(t)
	anon := app.NewContext(context.Background(), &app.Actor{IP: "198.51.100.20"})

	for _, c := range []struct {
		su    app.SignUp
		field string
	}{
		{app.SignUp{Email: "not an email", Name: "Kim", Password: testPassword}, "email"},
		{app.SignUp{Email: "kim@example.org", Name: "  ", Password: testPassword}, "name"},
		{app.SignUp{Email: "kim@example.org", Name: "Kim", Password: "short"}, "password"},
		{app.SignUp{Email: "kim@example.org", Name: "Kim", Password: testPassword, HeightM: 17.2}, "height_m"},
	} {
		_, err := e.app.SignUp(anon, c.su)
		var le *legwork.Error
		if !errors.As(err, &le) || le.Code != legwork.EINVALID || le.Field != c.field {
			t.Errorf("%+v: %v, want invalid %s", c.su, err, c.field)
		}
	}

	l, err := e.app.SignUp(anon, app.SignUp{Email: " Kim@Example.org ", Name: "Kim", Password: testPassword, HeightM: 1.68})
	if err != nil {
		t.Fatal(err)
	}
	if l.User.Role != legwork.RolePerson || l.User.Admin || l.User.Email != "kim@example.org" || l.User.HeightM != 1.68 || l.Token == "" {
		t.Fatalf("signed up %+v", l.User)
	}
	// The session works, and the account can sign in.
	act, err := e.app.Authenticate(context.Background(), l.Token, "198.51.100.20")
	if err != nil || act.User.ID != l.User.ID {
		t.Fatalf("session: %v", err)
	}
	if _, err := e.app.Login(anon, "kim@example.org", testPassword); err != nil {
		t.Fatal(err)
	}
	// Audited: the creation and the sign-in, with the address.
	id := l.User.ID
	evs, err := e.store.ListAudit(context.Background(), legwork.AuditFilter{PersonID: &id, Page: legwork.Page{Limit: 10}})
	if err != nil {
		t.Fatal(err)
	}
	var created bool
	for _, ev := range evs {
		if ev.Action == "create" && ev.Detail == "signup" && ev.IP == "198.51.100.20" && ev.ActorID != nil && *ev.ActorID == id {
			created = true
		}
	}
	if !created {
		t.Fatalf("no signup audit event: %+v", evs)
	}

	// The same email again.
	_, err = e.app.SignUp(anon, app.SignUp{Email: "kim@example.org", Name: "Kim 2", Password: testPassword})
	var le *legwork.Error
	if !errors.As(err, &le) || le.Code != legwork.ECONFLICT || le.Field != "email" {
		t.Fatalf("duplicate: %v", err)
	}
}

func TestSignUpRateLimit(t *testing.T) {
	e := newEnv(t)
	from := app.NewContext(context.Background(), &app.Actor{IP: "198.51.100.30"})
	for i := range app.DefaultSignUpLimits.Max {
		if _, err := e.app.SignUp(from, app.SignUp{Email: fmt.Sprintf("p%d@example.org", i), Name: "P", Password: testPassword}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := e.app.SignUp(from, app.SignUp{Email: "one.more@example.org", Name: "P", Password: testPassword})
	wantCode(t, err, legwork.ETOOMANY)
	var ra app.RetryAfter
	if !errors.As(err, &ra) || time.Duration(ra) <= 0 || time.Duration(ra) > app.DefaultSignUpLimits.Window {
		t.Fatalf("retry after %v", time.Duration(ra))
	}
	// Refused without creating the account.
	if _, err := e.store.UserByEmail(context.Background(), "one.more@example.org"); legwork.ErrorCode(err) != legwork.ENOTFOUND {
		t.Fatalf("account created anyway: %v", err)
	}
	// Another address is not affected; the first one is after the window.
	other := app.NewContext(context.Background(), &app.Actor{IP: "198.51.100.31"})
	if _, err := e.app.SignUp(other, app.SignUp{Email: "other@example.org", Name: "O", Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(app.DefaultSignUpLimits.Window + time.Second)
	if _, err := e.app.SignUp(from, app.SignUp{Email: "one.more@example.org", Name: "P", Password: testPassword}); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

func TestSignUpClosed(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	db := openStore(t, clk.Now)
	a := app.New(app.Config{Store: db, Now: clk.Now, Rand: rand.NewChaCha8([32]byte{2}), Password: fastPasswords, NoSignUp: true})
	if a.SignUpOpen() {
		t.Fatal("open")
	}
	_, err := a.SignUp(app.NewContext(context.Background(), &app.Actor{IP: "198.51.100.40"}), app.SignUp{Email: "kim@example.org", Name: "Kim", Password: testPassword})
	wantCode(t, err, legwork.EFORBIDDEN)
	if _, err := db.UserByEmail(context.Background(), "kim@example.org"); legwork.ErrorCode(err) != legwork.ENOTFOUND {
		t.Fatalf("account created: %v", err)
	}
}
