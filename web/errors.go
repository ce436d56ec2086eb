package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"jianfu"
)

// statusOf maps error codes to HTTP statuses, in one place.
var statusOf = map[string]int{
	jianfu.EINVALID:      http.StatusBadRequest,
	jianfu.ENOTFOUND:     http.StatusNotFound,
	jianfu.ECONFLICT:     http.StatusConflict,
	jianfu.EUNAUTHORIZED: http.StatusUnauthorized,
	jianfu.EFORBIDDEN:    http.StatusForbidden,
	jianfu.ETOOMANY:      http.StatusTooManyRequests,
	jianfu.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	jianfu.EUNAVAILABLE:  http.StatusServiceUnavailable,
	jianfu.EINTERNAL:     http.StatusInternalServerError,
}

// retryAfter is how soon a client may try again after a 503: the database
// was busy or full for a moment, nothing was saved.
const retryAfter = "5"

// retryLater tells a client when to come back after a 503.
func retryLater(w http.ResponseWriter, status int) {
	if status == http.StatusServiceUnavailable && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", retryAfter)
	}
}

func isAPI(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || strings.Contains(r.Header.Get("Accept"), "application/json") && !strings.Contains(r.Header.Get("Accept"), "text/html")
}

// apiError is the one error shape of the API.
type apiError struct {
	Error struct {
		Code     string           `json:"code"`
		Message  string           `json:"message"`
		Problems []jianfu.Problem `json:"problems,omitempty"`
	} `json:"error"`
}

// fail answers an error: JSON for the API, an HTML page for the UI.
// Unknown errors are logged in full and shown as "internal error".
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := jianfu.ErrorCode(err)
	status := statusOf[code]
	if code == jianfu.EINTERNAL {
		if info(r).anon {
			s.publicLog.fail(s.now(), fmt.Sprintf("%s %s: %v", r.Method, r.Pattern, err))
		} else {
			s.log.Error("internal error", "err", err, "method", r.Method, "path", r.URL.Path)
		}
	}
	lang := info(r).lang
	msg := jianfu.ErrorMessage(err, lang)
	if isAPI(r) {
		var body apiError
		body.Error.Code, body.Error.Message = code, msg
		if je, ok := err.(*jianfu.Error); ok {
			body.Error.Problems = je.Problems
		}
		retryLater(w, status)
		writeJSON(w, status, body)
		return
	}
	if code == jianfu.EUNAUTHORIZED && r.Method == http.MethodGet {
		http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	p := s.newPage(r, "error")
	p.Title = p.T("error.title")
	p.Status = status
	p.Data = map[string]any{"Status": status, "Message": msg, "Code": code}
	s.render(w, r, "error", p)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}
