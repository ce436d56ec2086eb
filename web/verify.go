package web

import (
	"net/http"
	"strings"

	"jianfu"
)

// Public verification (核验): anyone, without logging in, asks whether a
// link, name, account or filing number belongs to a filed, active
// government channel, whose, and since when. Lookups are limited per
// address and counted in the metrics when each minute ends (publiclog.go);
// they are not audited one by one, as an anonymous lookup is no user's
// action.

// registryPublicAPI lists the registry's public JSON endpoints.
func (s *Server) registryPublicAPI() []apiRoute {
	return []apiRoute{{"GET", "/api/v1/verify", s.apiVerifyChannel}}
}

// verify runs a lookup with the per-address limit and the counters.
func (s *Server) verify(r *http.Request, q string) (*jianfu.ChannelVerification, error) {
	st := s.registry
	if !st.verifyLimiter.allow(info(r).ip, s.now()) {
		s.publicLog.tally(st.verifyLookups, "limited")
		return nil, jianfu.Errorf(jianfu.ETOOMANY, "查询过于频繁,请一分钟后再试", "too many lookups; try again in a minute")
	}
	v, err := s.svc.Registry.VerifyChannel(r.Context(), q)
	if err != nil {
		if jianfu.ErrorCode(err) == jianfu.EINVALID {
			s.publicLog.tally(st.verifyLookups, "invalid")
		}
		return nil, err
	}
	s.publicLog.tally(st.verifyLookups, v.Verdict)
	return v, nil
}

func (s *Server) apiVerifyChannel(w http.ResponseWriter, r *http.Request) error {
	v, err := s.verify(r, r.URL.Query().Get("q"))
	if err != nil {
		return err
	}
	w.Header().Set("Access-Control-Allow-Origin", "*")
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) showVerify(w http.ResponseWriter, r *http.Request) error {
	p := s.newPage(r, "verify")
	p.Title = p.T("verify.title")
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	var v *jianfu.ChannelVerification
	status := http.StatusOK
	if q != "" {
		var err error
		if v, err = s.verify(r, q); err != nil {
			if jianfu.ErrorCode(err) == jianfu.EINTERNAL {
				return err
			}
			p.Error = err
			status = statusOf[jianfu.ErrorCode(err)]
		}
	}
	p.Data = map[string]any{"Q": q, "V": v}
	p.Status = status
	s.render(w, r, "verify", p)
	return nil
}
