package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"jianfu"
	"jianfu/ingest/dingtalk"
	"jianfu/ingest/feishu"
	"jianfu/ingest/wecom"
)

// HookConfig configures the platform callbacks. A platform left empty has
// no callback (its URL answers 404).
type HookConfig struct {
	WeCom          wecom.Config
	DingTalkSecret string
	Feishu         feishu.Config
	// MaxSkew is how far a request's timestamp may be from now; default
	// five minutes, DingTalk's included (its documentation allows an hour,
	// but its sign does not cover the body). A signed request is accepted
	// once within this window.
	MaxSkew time.Duration
	// PerMinute limits the callbacks of each platform; default 1200.
	PerMinute int
}

// hookRoutes registers the platform callbacks. They are public: each
// request proves itself with the platform's signature, once (hookguard.go);
// one that does not is refused and counted for the audit log.
func (s *Server) hookRoutes(mux *http.ServeMux) {
	cfg := s.cfg.Hooks
	if cfg.MaxSkew <= 0 {
		cfg.MaxSkew = 5 * time.Minute
	}
	s.hooks = newHookGuard(cfg.PerMinute)
	var wc *wecom.Crypto
	if cfg.WeCom.Token != "" {
		var err error
		if wc, err = wecom.New(cfg.WeCom); err != nil {
			s.log.Error("wecom callback disabled", "err", jianfu.ErrorMessage(err, "en"))
		}
	}
	mux.HandleFunc("GET /hooks/wecom", func(w http.ResponseWriter, r *http.Request) {
		if wc == nil {
			http.NotFound(w, r)
			return
		}
		if !s.hookAllowed(w, r, "wecom") {
			return
		}
		q := r.URL.Query()
		if err := wecom.Fresh(q.Get("timestamp"), s.now(), cfg.MaxSkew); err != nil {
			s.rejectHook(w, r, "wecom", err)
			return
		}
		echo, err := wc.VerifyURL(q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce"), q.Get("echostr"))
		if err != nil {
			s.rejectHook(w, r, "wecom", err)
			return
		}
		if !s.hookOnce(w, r, "wecom", q.Get("msg_signature"), unixStamp(q.Get("timestamp"), time.Second), cfg.MaxSkew) {
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, echo)
	})
	mux.HandleFunc("POST /hooks/wecom", func(w http.ResponseWriter, r *http.Request) {
		if wc == nil {
			http.NotFound(w, r)
			return
		}
		if !s.hookAllowed(w, r, "wecom") {
			return
		}
		q := r.URL.Query()
		body, err := readHook(w, r)
		if err != nil {
			s.rejectHook(w, r, "wecom", err)
			return
		}
		if err := wecom.Fresh(q.Get("timestamp"), s.now(), cfg.MaxSkew); err != nil {
			s.rejectHook(w, r, "wecom", err)
			return
		}
		cb, err := wc.Open(q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce"), body)
		if err != nil {
			s.rejectHook(w, r, "wecom", err)
			return
		}
		if !s.hookOnce(w, r, "wecom", q.Get("msg_signature"), unixStamp(q.Get("timestamp"), time.Second), cfg.MaxSkew) {
			return
		}
		if m, ok := cb.Message(); ok {
			s.hookIngest(r.Context(), "wecom", m)
		}
		io.WriteString(w, "success")
	})
	mux.HandleFunc("POST /hooks/dingtalk", func(w http.ResponseWriter, r *http.Request) {
		if cfg.DingTalkSecret == "" {
			http.NotFound(w, r)
			return
		}
		if !s.hookAllowed(w, r, "dingtalk") {
			return
		}
		body, err := readHook(w, r)
		if err != nil {
			s.rejectHook(w, r, "dingtalk", err)
			return
		}
		ts, sign := r.Header.Get("timestamp"), r.Header.Get("sign")
		if err := dingtalk.Verify(cfg.DingTalkSecret, ts, sign, s.now(), cfg.MaxSkew); err != nil {
			s.rejectHook(w, r, "dingtalk", err)
			return
		}
		if !s.hookOnce(w, r, "dingtalk", ts+"\n"+sign, unixStamp(ts, time.Millisecond), cfg.MaxSkew) {
			return
		}
		cb, err := dingtalk.Parse(body)
		if err != nil {
			s.rejectHook(w, r, "dingtalk", err)
			return
		}
		if m, ok := cb.Message(); ok {
			s.hookIngest(r.Context(), "dingtalk", m)
		}
		writeJSON(w, http.StatusOK, map[string]string{"msgtype": "empty"})
	})
	mux.HandleFunc("POST /hooks/feishu", func(w http.ResponseWriter, r *http.Request) {
		if cfg.Feishu.VerificationToken == "" {
			http.NotFound(w, r)
			return
		}
		if !s.hookAllowed(w, r, "feishu") {
			return
		}
		body, err := readHook(w, r)
		if err != nil {
			s.rejectHook(w, r, "feishu", err)
			return
		}
		h := feishu.Headers{Timestamp: r.Header.Get("X-Lark-Request-Timestamp"), Nonce: r.Header.Get("X-Lark-Request-Nonce"), Signature: r.Header.Get("X-Lark-Signature")}
		req, err := feishu.Open(cfg.Feishu, h, body, s.now(), cfg.MaxSkew)
		if err != nil {
			s.rejectHook(w, r, "feishu", err)
			return
		}
		if h.Signature != "" && !s.hookOnce(w, r, "feishu", h.Signature, unixStamp(h.Timestamp, time.Second), cfg.MaxSkew) {
			return
		}
		if req.Event == nil {
			writeJSON(w, http.StatusOK, map[string]string{"challenge": req.Challenge})
			return
		}
		if m, ok := req.Event.Message(); ok {
			s.hookIngest(r.Context(), "feishu", m)
		}
		writeJSON(w, http.StatusOK, map[string]any{})
	})
}

var errHookBody = errors.New("body too large or unreadable")

func readHook(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		return nil, errHookBody
	}
	return b, nil
}

// rejectHook refuses a callback that failed verification and counts it
// for the minute's audit entry of its source (hookguard.go).
func (s *Server) rejectHook(w http.ResponseWriter, r *http.Request, platform string, cause error) {
	s.hooks.reject(s.now(), platform, info(r).ip, r.Method+" "+r.URL.Path, cause.Error())
	http.Error(w, "verification failed", http.StatusUnauthorized)
}

// unixStamp reads a platform's timestamp in the given unit; the zero time
// when it is not a number (verification refuses it before).
func unixStamp(v string, unit time.Duration) time.Time {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.Unix(0, 0).Add(time.Duration(n) * unit)
}

// hookIngest stores one verified message as the platform's system actor. A
// message for a group that is not registered is logged, not retried: the
// platform would only send it again.
func (s *Server) hookIngest(ctx context.Context, platform string, m jianfu.Message) {
	if s.svc.Ingest == nil {
		s.log.Warn("webhook message dropped: ingestion is not configured (pseudonym key)", "platform", platform)
		return
	}
	ctx = jianfu.WithActor(ctx, jianfu.SystemActor("webhook:"+platform))
	if m.Time.IsZero() {
		m.Time = s.now()
	}
	res, err := s.svc.Ingest.Ingest(ctx, []jianfu.Message{m})
	if err != nil {
		s.log.Error("webhook message not stored", "platform", platform, "err", err)
		return
	}
	for _, e := range res.Errors {
		s.log.Warn("webhook message refused", "platform", platform, "group", m.PlatformID, "reason", e.English)
	}
}
