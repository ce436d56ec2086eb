package web

import (
	"net/http"
	"strings"

	"jianfu"
)

// registryAPI lists the registry's authenticated JSON endpoints.
func (s *Server) registryAPI() []apiRoute {
	return []apiRoute{
		{"GET", "/api/v1/channels", s.apiChannels},
		{"POST", "/api/v1/channels", s.apiCreateChannel},
		{"POST", "/api/v1/channels/check", s.apiCheckChannel},
		{"GET", "/api/v1/channels/{id}", s.apiChannel},
		{"PATCH", "/api/v1/channels/{id}", s.apiUpdateChannel},
		{"POST", "/api/v1/channels/{id}/actions", s.apiChannelAction},
		{"GET", "/api/v1/channels/{id}/history", s.apiChannelHistory},
		{"GET", "/api/v1/registry/rules", s.apiRuleSettings},
		{"PUT", "/api/v1/registry/rules/{rule}", s.apiUpdateRuleSetting},
		{"GET", "/api/v1/registry/url-rules", s.apiURLRules},
		{"PUT", "/api/v1/registry/url-rules", s.apiSaveURLRules},
		{"GET", "/api/v1/registry/recognize", s.apiRecognize},
		{"GET", "/api/v1/registry/consolidation", s.apiConsolidation},
	}
}

// channelList is the registry list: the usual page shape, and whether the
// total is a lower bound (a name search matching more than the cap).
type channelList struct {
	Items       []*jianfu.Channel `json:"items"`
	Total       int               `json:"total"`
	Limit       int               `json:"limit"`
	Offset      int               `json:"offset"`
	TotalCapped bool              `json:"total_capped,omitempty"`
}

func (s *Server) apiChannels(w http.ResponseWriter, r *http.Request) error {
	p, err := apiPage(r)
	if err != nil {
		return err
	}
	f, err := channelFilter(r, nil)
	if err != nil {
		return err
	}
	f.Page = p
	items, total, err := s.svc.Channels.FindChannels(r.Context(), f)
	if err != nil {
		return err
	}
	if items == nil {
		items = []*jianfu.Channel{}
	}
	p = p.Normalize()
	out := channelList{Items: items, Total: total, Limit: p.Limit, Offset: p.Offset}
	if cap := f.CountCap(); total > cap {
		out.Total, out.TotalCapped = cap, true
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) apiChannel(w http.ResponseWriter, r *http.Request) error {
	return serveByID(w, r, s.svc.Channels.FindChannelByID)
}

// channelInput is the body of POST and PATCH /api/v1/channels.
type channelInput struct {
	Kind              jianfu.ChannelKind `json:"kind"`
	Name              string             `json:"name"`
	UnitID            int64              `json:"unit_id"`
	OperatorUnitID    int64              `json:"operator_unit_id"`
	Platform          string             `json:"platform"`
	PlatformID        string             `json:"platform_id"`
	Handle            string             `json:"handle"`
	URL               string             `json:"url"`
	StoreLinks        []string           `json:"store_links"`
	Audience          string             `json:"audience"`
	Functions         string             `json:"functions"`
	Purpose           string             `json:"purpose"`
	LaunchDate        string             `json:"launch_date"`
	CertSubject       string             `json:"cert_subject"`
	Owner             string             `json:"owner"`
	Admins            []string           `json:"admins"`
	MemberCount       int                `json:"member_count"`
	Temporary         bool               `json:"temporary"`
	EndDate           string             `json:"end_date"`
	ResponsiblePerson string             `json:"responsible_person"`
	ResponsiblePhone  string             `json:"responsible_phone"`
	Tags              []string           `json:"tags"`
	Notes             string             `json:"notes"`
	Version           int                `json:"version"`
	Submit            bool               `json:"submit"`
}

func (in *channelInput) channel() *jianfu.Channel {
	return &jianfu.Channel{Kind: in.Kind, Name: in.Name, UnitID: in.UnitID, OperatorUnitID: in.OperatorUnitID, Platform: in.Platform,
		PlatformID: in.PlatformID, Handle: in.Handle, URL: in.URL, StoreLinks: in.StoreLinks, Audience: in.Audience, Functions: in.Functions,
		Purpose: in.Purpose, LaunchDate: in.LaunchDate, CertSubject: in.CertSubject, Owner: in.Owner, Admins: in.Admins, MemberCount: in.MemberCount,
		Temporary: in.Temporary, EndDate: in.EndDate, ResponsiblePerson: in.ResponsiblePerson, ResponsiblePhone: in.ResponsiblePhone,
		Tags: in.Tags, Notes: in.Notes}
}

func (s *Server) apiCreateChannel(w http.ResponseWriter, r *http.Request) error {
	var in channelInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	c := in.channel()
	s.recognizeInto(r, c)
	if err := s.svc.Channels.CreateChannel(r.Context(), c); err != nil {
		return err
	}
	if in.Submit {
		got, err := s.svc.Channels.ActOnChannel(r.Context(), c.ID, jianfu.ActSubmit, "")
		if err != nil {
			return err
		}
		c = got
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) apiCheckChannel(w http.ResponseWriter, r *http.Request) error {
	var in channelInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	c := in.channel()
	s.recognizeInto(r, c)
	checks, err := s.svc.Channels.CheckChannel(r.Context(), c)
	if err != nil {
		return err
	}
	if checks == nil {
		checks = []jianfu.CheckResult{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"checks": checks, "blocking": jianfu.Blocking(checks)})
	return nil
}

func (s *Server) apiUpdateChannel(w http.ResponseWriter, r *http.Request) error {
	return changeByID(w, r, http.StatusOK, func(id int64, in channelInput) (*jianfu.Channel, error) {
		if in.Kind != "" || in.UnitID != 0 {
			return nil, jianfu.Errorf(jianfu.EINVALID, "渠道类型和主办单位登记后不能修改;如需调整请新登记并申请退出原渠道", "the kind and the owning unit cannot change; register anew and ask the old one to exit")
		}
		return s.svc.Channels.UpdateChannel(r.Context(), id, in.channel(), in.Version)
	})
}

// actionInput is the body of POST /api/v1/channels/{id}/actions.
type actionInput struct {
	Action jianfu.ChannelAction `json:"action"`
	Note   string               `json:"note"`
}

func (s *Server) apiChannelAction(w http.ResponseWriter, r *http.Request) error {
	return changeByID(w, r, http.StatusOK, func(id int64, in actionInput) (*jianfu.Channel, error) {
		return s.svc.Channels.ActOnChannel(r.Context(), id, in.Action, in.Note)
	})
}

func (s *Server) apiChannelHistory(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	events, versions, err := s.svc.Channels.ChannelHistory(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": orEmpty(events), "versions": orEmpty(versions)})
	return nil
}

func (s *Server) apiRuleSettings(w http.ResponseWriter, r *http.Request) error {
	rules, err := s.svc.Registry.RuleSettings(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": orEmpty(rules)})
	return nil
}

// ruleInput is the body of PUT /api/v1/registry/rules/{rule}.
type ruleInput struct {
	Enabled   *bool             `json:"enabled"`
	Level     *jianfu.RuleLevel `json:"level"`
	Threshold *int              `json:"threshold"`
	Clause    *string           `json:"clause"`
	Source    *string           `json:"source"`
}

func (s *Server) apiUpdateRuleSetting(w http.ResponseWriter, r *http.Request) error {
	var in ruleInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	rules, err := s.svc.Registry.RuleSettings(r.Context())
	if err != nil {
		return err
	}
	var st *jianfu.RuleSetting
	for _, x := range rules {
		if x.Rule == r.PathValue("rule") {
			st = x
		}
	}
	if st == nil {
		return jianfu.Errorf(jianfu.ENOTFOUND, "规则“%s”不存在", "no rule %q", r.PathValue("rule"))
	}
	if in.Enabled != nil {
		st.Enabled = *in.Enabled
	}
	if in.Level != nil {
		st.Level = *in.Level
	}
	if in.Threshold != nil {
		st.Threshold = *in.Threshold
	}
	if in.Clause != nil {
		st.Clause = *in.Clause
	}
	if in.Source != nil {
		st.Source = *in.Source
	}
	if err := s.svc.Registry.UpdateRuleSetting(r.Context(), st); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (s *Server) apiURLRules(w http.ResponseWriter, r *http.Request) error {
	rules, err := s.svc.Registry.URLRules(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": orEmpty(rules)})
	return nil
}

func (s *Server) apiSaveURLRules(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Items []*jianfu.URLRule `json:"items"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := s.svc.Registry.SaveURLRules(r.Context(), in.Items); err != nil {
		return err
	}
	return s.apiURLRules(w, r)
}

func (s *Server) apiRecognize(w http.ResponseWriter, r *http.Request) error {
	link := strings.TrimSpace(r.URL.Query().Get("url"))
	if link == "" {
		return jianfu.Errorf(jianfu.EINVALID, "请在 url 参数中给出链接", "give the link in the url parameter")
	}
	rec, err := s.svc.Registry.RecognizeURL(r.Context(), link)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rec)
	return nil
}

func (s *Server) apiConsolidation(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := jianfu.ConsolidationFilter{Kind: jianfu.ChannelKind(q.Get("kind"))}
	if err := queryRegion(q, &f.RegionPath); err != nil {
		return err
	}
	v, err := s.svc.Registry.Consolidate(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}
