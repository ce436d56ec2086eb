package web

import (
	"net/http"

	"jianfu"
)

// The API tokens of an account: listed on the user's own page and on the
// user page of whoever manages the account, revocable from both.

// tokensOf lists a user's tokens for a page; an actor who may not see them
// gets none (the section is then not shown).
func (s *Server) tokensOf(r *http.Request, userID int64) []*jianfu.APIToken {
	ts, err := s.svc.Users.ListTokens(r.Context(), userID)
	if err != nil {
		return nil
	}
	return ts
}

// revokeToken revokes a token from a page and goes back to it.
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	back := safeNext(r.PostFormValue("back"))
	if back == "" {
		back = "/account"
	}
	if err := s.svc.Users.RevokeToken(r.Context(), id); err != nil {
		return err
	}
	http.Redirect(w, r, back+"?revoked=1", http.StatusSeeOther)
	return nil
}

func (s *Server) apiTokens(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ts, err := s.svc.Users.ListTokens(r.Context(), id)
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []*jianfu.APIToken{}
	}
	writeJSON(w, http.StatusOK, listResponse[*jianfu.APIToken]{Items: ts, Total: len(ts), Limit: len(ts)})
	return nil
}

func (s *Server) apiRevokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.svc.Users.RevokeToken(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
