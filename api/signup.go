package api

import (
	"net/http"
	"time"

	"legwork/app"
)

type signupInfo struct {
	// Open is false when the server takes no sign-ups (legwork serve
	// --no-signup): accounts come from an administrator.
	Open              bool `json:"open"`
	MinPasswordLength int  `json:"min_password_length"`
}

func (s *Server) signupInfo(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, signupInfo{Open: s.app.SignUpOpen(), MinPasswordLength: app.MinPasswordLength})
	return nil
}

type signupRequest struct {
	Email    string  `json:"email"`
	Name     string  `json:"name"`
	Password string  `json:"password"`
	HeightM  float64 `json:"height_m"`
}

// signup creates a person's account and signs them in, like login.
func (s *Server) signup(w http.ResponseWriter, r *http.Request) error {
	var req signupRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	l, err := s.app.SignUp(r.Context(), app.SignUp{Email: req.Email, Name: req.Name, Password: req.Password, HeightM: req.HeightM})
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: l.Token, Path: "/",
		Expires: l.ExpiresAt, MaxAge: int(time.Until(l.ExpiresAt).Seconds()),
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode,
	})
	writeJSON(w, http.StatusCreated, loginResponse{User: l.User, ExpiresAt: l.ExpiresAt})
	return nil
}
