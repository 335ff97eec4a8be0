package api

import (
	"net/http"
	"time"

	"legwork"
	"legwork/app"
)

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type loginResponse struct {
	User      *legwork.User `json:"user"`
	ExpiresAt time.Time     `json:"expires_at"`
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	var req loginRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	l, err := s.app.Login(r.Context(), req.Email, req.Password)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: l.Token, Path: "/",
		Expires: l.ExpiresAt, MaxAge: int(time.Until(l.ExpiresAt).Seconds()),
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode,
	})
	writeJSON(w, http.StatusOK, loginResponse{User: l.User, ExpiresAt: l.ExpiresAt})
	return nil
}

// clearSession tells the browser to drop the session cookie.
func (s *Server) clearSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if err := s.app.Logout(r.Context()); err != nil {
		return err
	}
	s.clearSession(w, r)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	u, err := s.app.Me(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

type profileRequest struct {
	Name          *string  `json:"name"`
	HeightM       *float64 `json:"height_m"`
	SensorHeightM *float64 `json:"sensor_height_m"`
	TimeZone      *string  `json:"time_zone"`
	// WeeklyPlan is read as numbers so that 2.5 is an error about the
	// plan, not about JSON types; absent or null leaves the plan alone.
	WeeklyPlan map[string]float64 `json:"weekly_plan"`
}

func (s *Server) updateMe(w http.ResponseWriter, r *http.Request) error {
	if app.UserFrom(r.Context()) == nil {
		return legwork.Errorf(legwork.EUNAUTHORIZED, "sign in first")
	}
	var req profileRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	plan, err := app.WeeklyPlanOf(req.WeeklyPlan)
	if err != nil {
		return err
	}
	u, err := s.app.UpdateProfile(r.Context(), app.ProfileUpdate{Name: req.Name, HeightM: req.HeightM, SensorHeightM: req.SensorHeightM,
		TimeZone: req.TimeZone, WeeklyPlan: plan})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

type passwordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	if app.UserFrom(r.Context()) == nil {
		return legwork.Errorf(legwork.EUNAUTHORIZED, "sign in first")
	}
	var req passwordRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if err := s.app.ChangePassword(r.Context(), req.CurrentPassword, req.NewPassword); err != nil {
		return err
	}
	s.clearSession(w, r)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) error {
	ts, err := s.app.ListAPITokens(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, itemsOf(ts))
	return nil
}

type tokenRequest struct {
	Name string `json:"name"`
}

type tokenResponse struct {
	Token *legwork.APIToken `json:"token"`
	// Secret is shown once: only its hash is kept.
	Secret string `json:"secret"`
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	u := app.UserFrom(r.Context())
	if u == nil {
		return legwork.Errorf(legwork.EUNAUTHORIZED, "sign in first")
	}
	var req tokenRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	t, err := s.app.CreateAPIToken(r.Context(), u.ID, req.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, tokenResponse{Token: t.Token, Secret: t.Secret})
	return nil
}

func (s *Server) deleteToken(w http.ResponseWriter, r *http.Request) error {
	if app.UserFrom(r.Context()) == nil {
		return legwork.Errorf(legwork.EUNAUTHORIZED, "sign in first")
	}
	id, err := pathID(r, "token_id")
	if err != nil {
		return err
	}
	if err := s.app.DeleteAPIToken(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) error {
	us, err := s.app.ListUsers(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, itemsOf(us))
	return nil
}

type userRequest struct {
	Email         string       `json:"email"`
	Name          string       `json:"name"`
	Role          legwork.Role `json:"role"`
	Admin         bool         `json:"admin"`
	Password      string       `json:"password"`
	HeightM       float64      `json:"height_m"`
	SensorHeightM float64      `json:"sensor_height_m"`
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error {
	u := app.UserFrom(r.Context())
	switch {
	case u == nil:
		return legwork.Errorf(legwork.EUNAUTHORIZED, "sign in first")
	case !u.Admin:
		return legwork.Errorf(legwork.EFORBIDDEN, "only an administrator can create accounts")
	}
	var req userRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	nu, err := s.app.CreateUser(r.Context(), app.NewUser{Email: req.Email, Name: req.Name, Role: req.Role, Admin: req.Admin,
		Password: req.Password, HeightM: req.HeightM, SensorHeightM: req.SensorHeightM})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, nu)
	return nil
}
