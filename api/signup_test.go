package api_test

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"legwork"
	"legwork/api"
	"legwork/app"
)

func TestSignUp(t *testing.T) {
	f := newFixture(t, api.Options{})
	resp, body := f.do(anonymous, request{method: "GET", path: "/api/signup"})
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"open":true`) || !strings.Contains(string(body), `"min_password_length":10`) {
		t.Fatalf("info: %d %s", resp.StatusCode, body)
	}

	// Validation names the field; a role cannot be asked for.
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"email": "x", "name": "Kim", "password": testPassword}, "email"},
		{map[string]any{"email": "kim@example.org", "name": "", "password": testPassword}, "name"},
		{map[string]any{"email": "kim@example.org", "name": "Kim", "password": "123456789"}, "password"},
		{map[string]any{"email": "kim@example.org", "name": "Kim", "password": testPassword, "height_m": 3}, "height_m"},
		{map[string]any{"email": "kim@example.org", "name": "Kim", "password": testPassword, "role": "clinician"}, "role"},
		{map[string]any{"email": "kim@example.org", "name": "Kim", "password": testPassword, "admin": true}, "admin"},
	} {
		resp, body := f.do(anonymous, request{method: "POST", path: "/api/signup", body: jsonBody(c.body)})
		if resp.StatusCode != 400 || errorBody(t, body).Field != c.field {
			t.Errorf("%v: %d %s, want 400 on %s", c.body, resp.StatusCode, body, c.field)
		}
	}

	email := "kim." + randomSuffix() + "@example.org"
	resp, body = f.do(anonymous, request{method: "POST", path: "/api/signup", body: jsonBody(map[string]any{"email": email, "name": "Kim", "password": testPassword, "height_m": 1.68})})
	if resp.StatusCode != 201 {
		t.Fatalf("signup: %d %s", resp.StatusCode, body)
	}
	var got struct {
		User legwork.User `json:"user"`
	}
	if err := json.Unmarshal(body, &got); err != nil || got.User.Role != legwork.RolePerson || got.User.Admin || got.User.HeightM != 1.68 {
		t.Fatalf("user %s", body)
	}
	cs := resp.Cookies()
	if len(cs) != 1 || cs[0].Name != api.SessionCookie || !cs[0].HttpOnly || cs[0].SameSite != http.SameSiteLaxMode {
		t.Fatalf("cookies %v", cs)
	}
	f.cookies["kim"] = &http.Cookie{Name: cs[0].Name, Value: cs[0].Value}
	resp, body = f.do("kim", request{method: "GET", path: "/api/me"})
	if resp.StatusCode != 200 || !strings.Contains(string(body), email) {
		t.Fatalf("me: %d %s", resp.StatusCode, body)
	}
	// Kim owns her data: a diary entry, read back.
	resp, body = f.do("kim", request{method: "POST", path: "/api/people/" + jsonID(got.User.ID) + "/diary", body: diaryJSON})
	if resp.StatusCode != 201 {
		t.Fatalf("diary: %d %s", resp.StatusCode, body)
	}
	// The email is taken now.
	resp, body = f.do(anonymous, request{method: "POST", path: "/api/signup", body: jsonBody(map[string]any{"email": email, "name": "Kim", "password": testPassword})})
	if resp.StatusCode != 409 || errorBody(t, body).Field != "email" {
		t.Fatalf("duplicate: %d %s", resp.StatusCode, body)
	}
	// Rate limited per address: 429 with Retry-After (one account made, one
	// duplicate refused after hashing: three more are allowed).
	for i := 0; i < app.DefaultSignUpLimits.Max-2; i++ {
		resp, body = f.do(anonymous, request{method: "POST", path: "/api/signup", body: jsonBody(map[string]any{"email": "more." + randomSuffix() + "@example.org", "name": "M", "password": testPassword})})
		if resp.StatusCode != 201 {
			t.Fatalf("signup %d: %d %s", i, resp.StatusCode, body)
		}
	}
	resp, body = f.do(anonymous, request{method: "POST", path: "/api/signup", body: jsonBody(map[string]any{"email": "last." + randomSuffix() + "@example.org", "name": "L", "password": testPassword})})
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" || errorBody(t, body).Code != "too_many_requests" {
		t.Fatalf("limit: %d %v %s", resp.StatusCode, resp.Header, body)
	}
}

// TestSignUpClosed: legwork serve --no-signup.
func TestSignUpClosed(t *testing.T) {
	a := app.New(app.Config{Store: openStore(t), Rand: rand.NewChaCha8(seed()), Password: fastPasswords, NoSignUp: true})
	srv := httptest.NewServer(api.NewServer(api.Options{App: a}))
	t.Cleanup(srv.Close)
	resp, err := http.Get(srv.URL + "/api/signup")
	if err != nil {
		t.Fatal(err)
	}
	var info struct{ Open bool }
	json.NewDecoder(resp.Body).Decode(&info)
	resp.Body.Close()
	if resp.StatusCode != 200 || info.Open {
		t.Fatalf("info: %d %+v", resp.StatusCode, info)
	}
	resp, err = http.Post(srv.URL+"/api/signup", "application/json", strings.NewReader(`{"email":"kim.`+randomSuffix()+`@example.org","name":"Kim","password":"`+testPassword+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 || len(resp.Cookies()) != 0 {
		t.Fatalf("closed sign-up: %d", resp.StatusCode)
	}
}

func jsonID(id int64) string { b, _ := json.Marshal(id); return string(b) }
