package api

import (
	"net/http"

	"legwork"
	"legwork/app"
)

// signedIn refuses anonymous callers before a body is read.
func signedIn(r *http.Request) error {
	if app.UserFrom(r.Context()) == nil {
		return legwork.Errorf(legwork.EUNAUTHORIZED, "sign in first")
	}
	return nil
}

func (s *Server) listPeople(w http.ResponseWriter, r *http.Request) error {
	gs, err := s.app.People(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, itemsOf(gs))
	return nil
}

func (s *Server) getPerson(w http.ResponseWriter, r *http.Request) error {
	id, err := personID(r)
	if err != nil {
		return err
	}
	u, err := s.app.Person(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

type settingsRequest struct {
	TimeZone   *string            `json:"time_zone"`
	WeeklyPlan map[string]float64 `json:"weekly_plan"`
}

// updatePerson changes a person's time zone (the person only) and weekly
// plan (the person and their clinicians), and answers with the person's
// account as GET /api/people/{id} does.
func (s *Server) updatePerson(w http.ResponseWriter, r *http.Request) error {
	if err := signedIn(r); err != nil {
		return err
	}
	id, err := personID(r)
	if err != nil {
		return err
	}
	var req settingsRequest
	err = decodeJSON(w, r, &req)
	var plan map[legwork.TestType]int
	if err == nil {
		plan, err = app.WeeklyPlanOf(req.WeeklyPlan)
	}
	if err != nil {
		// Who may not change the settings is told so whatever they sent.
		return s.app.RefusePersonSettings(r.Context(), id, app.SettingsUpdate{TimeZone: req.TimeZone}, err)
	}
	u, err := s.app.UpdatePersonSettings(r.Context(), id, app.SettingsUpdate{TimeZone: req.TimeZone, WeeklyPlan: plan})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (s *Server) listGrants(w http.ResponseWriter, r *http.Request) error {
	id, err := personID(r)
	if err != nil {
		return err
	}
	gs, err := s.app.ListGrants(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, itemsOf(gs))
	return nil
}

func (s *Server) revokeGrant(w http.ResponseWriter, r *http.Request) error {
	id, cid, err := personItem(r, "clinician_id")
	if err != nil {
		return err
	}
	if err := s.app.RevokeGrant(r.Context(), id, cid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listInvitations(w http.ResponseWriter, r *http.Request) error {
	id, err := personID(r)
	if err != nil {
		return err
	}
	invs, err := s.app.ListInvitations(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, itemsOf(invs))
	return nil
}

type invitationRequest struct {
	Note string `json:"note"`
}

type invitationResponse struct {
	Invitation *legwork.Invitation `json:"invitation"`
	// Code is shown once; the clinician types it or follows Link.
	Code string `json:"code"`
	// Link is a path of the web app carrying the code in its fragment
	// (never sent to a server, so never in a log).
	Link string `json:"link"`
}

func (s *Server) createInvitation(w http.ResponseWriter, r *http.Request) error {
	if err := signedIn(r); err != nil {
		return err
	}
	id, err := personID(r)
	if err != nil {
		return err
	}
	var req invitationRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return s.app.RefuseUnreadInvitation(r.Context(), id, err)
	}
	inv, err := s.app.CreateInvitation(r.Context(), id, req.Note)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, invitationResponse{Invitation: inv.Invitation, Code: inv.Code, Link: "/#invite=" + inv.Code})
	return nil
}

func (s *Server) deleteInvitation(w http.ResponseWriter, r *http.Request) error {
	id, iid, err := personItem(r, "invitation_id")
	if err != nil {
		return err
	}
	if err := s.app.DeleteInvitation(r.Context(), id, iid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type acceptRequest struct {
	Code string `json:"code"`
}

func (s *Server) acceptInvitation(w http.ResponseWriter, r *http.Request) error {
	if err := signedIn(r); err != nil {
		return err
	}
	var req acceptRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	g, err := s.app.AcceptInvitation(r.Context(), req.Code)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, g)
	return nil
}

func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) error {
	id, err := personID(r)
	if err != nil {
		return err
	}
	p, err := queryPage(r)
	if err != nil {
		return s.app.RefuseUnreadRead(r.Context(), id, "audit", err)
	}
	evs, err := s.app.ListAudit(r.Context(), id, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(evs, p, func(e *legwork.AuditEvent) int64 { return e.ID }))
	return nil
}
