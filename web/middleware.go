package web

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"jianfu"
	"jianfu/netguard"
	"jianfu/secret"
)

const (
	sessionCookie = "jf_session"
	csrfCookie    = "jf_csrf"
	langCookie    = "jf_lang"
)

// reqInfo is what the middleware learns about a request.
type reqInfo struct {
	lang  string
	csrf  string
	actor *jianfu.Actor
	ip    string
	// anon marks an anonymous route (see publiclog.go): its request has
	// no log line of its own, with no address, no user and no instant — a
	// cadre filing a complaint from inside is not identified either.
	anon bool
}

type reqKey struct{}

func info(r *http.Request) *reqInfo {
	if ri, ok := r.Context().Value(reqKey{}).(*reqInfo); ok {
		return ri
	}
	return &reqInfo{lang: "zh"}
}

// statusWriter remembers the status code for logs and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// wrap is the outer middleware: security headers, request info, the
// actor from a session or a bearer token, logging, metrics and recovery.
func (s *Server) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h := sw.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		// Nothing is kept by browsers or proxies: pages, API answers,
		// downloads and the tracking result may carry personal data. Only
		// the static assets and the OpenAPI document say otherwise.
		h.Set("Cache-Control", "no-store")
		ri := &reqInfo{ip: s.clientIP(r), lang: "zh"}
		if c, err := r.Cookie(langCookie); err == nil && c.Value == "en" {
			ri.lang = "en"
		}
		if l := r.URL.Query().Get("lang"); l == "en" || l == "zh" {
			ri.lang = l
			http.SetCookie(sw, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 86400, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r)})
		}
		if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 {
			ri.csrf = c.Value
		} else {
			ri.csrf = secret.NewToken("")
			http.SetCookie(sw, &http.Cookie{Name: csrfCookie, Value: ri.csrf, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secure(r)})
		}
		ctx := jianfu.WithClientIP(r.Context(), ri.ip)
		ctx = context.WithValue(ctx, reqKey{}, ri)
		r = r.WithContext(ctx)
		s.authenticate(sw, r, ri)
		if ri.actor != nil {
			r = r.WithContext(jianfu.WithActor(r.Context(), ri.actor))
			if c, err := r.Cookie(sessionCookie); err == nil && ri.actor.Via == "session" {
				ri.csrf = sessionCSRF(c.Value) // bound to the session, new at every login
			}
		}
		defer func() {
			if v := recover(); v != nil {
				if ri.anon {
					s.publicLog.fail(start, fmt.Sprintf("panic: %v (%s)\n%s", v, r.Pattern, debug.Stack()))
				} else {
					s.log.Error("panic", "err", v, "path", r.URL.Path, "stack", string(debug.Stack()))
				}
				if sw.status == 0 {
					s.fail(sw, r, fmt.Errorf("panic: %v", v))
				}
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			d := time.Since(start)
			if ri.anon { // counted, and written when the minute ends
				s.publicLog.add(start, r.Method, route, sw.status, d)
				return
			}
			s.metrics.requests.WithLabelValues(r.Method, route, fmt.Sprint(sw.status)).Inc()
			s.metrics.latency.WithLabelValues(r.Method, route).Observe(d.Seconds())
			attrs := []any{"method", r.Method, "route", route, "status", sw.status, "ms", d.Milliseconds(), "ip", ri.ip}
			if ri.actor != nil && !ri.anon {
				attrs = append(attrs, "user", ri.actor.Username)
			}
			if sw.status >= 500 {
				s.log.Error("request", attrs...)
			} else if !strings.HasPrefix(route, "GET /static/") {
				s.log.Info("request", attrs...)
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

// authenticate resolves a bearer token or a session cookie. A bad bearer
// token is an error at once; a stale session is just no session.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, ri *reqInfo) {
	if auth := r.Header.Get("Authorization"); auth != "" {
		tok, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok {
			return
		}
		a, err := s.svc.Users.TokenActor(r.Context(), strings.TrimSpace(tok))
		if err == nil {
			a.IP = ri.ip
			ri.actor = a
		}
		return
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return
	}
	a, err := s.svc.Users.SessionActor(r.Context(), c.Value)
	if err != nil {
		http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r)})
		return
	}
	a.IP = ri.ip
	ri.actor = a
}

// secure reports whether cookies should carry the Secure flag.
func (s *Server) secure(r *http.Request) bool {
	return s.cfg.SecureCookies || r.TLS != nil ||
		r.Header.Get("X-Forwarded-Proto") == "https" && netguard.FromTrusted(r.RemoteAddr, s.cfg.TrustedProxies)
}

// clientIP is the address a request came from, through trusted proxies.
func (s *Server) clientIP(r *http.Request) string {
	return netguard.ClientAddr(r.RemoteAddr, r.Header.Values("X-Forwarded-For"), s.cfg.TrustedProxies)
}

// sessionCSRF is the CSRF token of a logged-in browser: derived one-way
// from the session's secret, so it belongs to that session alone, changes
// at every login and dies with the session; knowing it does not reveal the
// session. Anonymous visitors (the public forms) keep the per-browser
// cookie token.
func sessionCSRF(session string) string {
	return secret.SM3Hex("jianfu csrf", session)
}

// checkCSRF verifies a state-changing browser request: the form's token
// must equal the session's (or, for anonymous visitors, the cookie's),
// and a present Origin must be this host. It reads the form first
// (readForm): a body over its limit is answered with its size, and the
// values handlers read are cleaned.
func (s *Server) checkCSRF(r *http.Request) error {
	bad := jianfu.Errorf(jianfu.EFORBIDDEN, "页面已过期或请求来源不明(CSRF 校验失败),请刷新页面后重试", "the page expired or the request came from elsewhere (CSRF check failed); reload the page and try again")
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			return bad
		}
	}
	if err := readForm(r); err != nil {
		return err
	}
	ri := info(r)
	tok := r.Header.Get("X-CSRF-Token")
	if tok == "" {
		tok = r.PostFormValue("csrf")
	}
	if ri.csrf == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(ri.csrf)) != 1 {
		return bad
	}
	return nil
}

// loginLimiter allows a number of events (login failures, submissions,
// lookups…) per key (a client address) per sliding window. It counts in
// this process unless shared: then the counters are in the database
// (jianfu.RateLimits), the same whichever replica answers, and this
// process counts only while the database does not answer.
type loginLimiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	hits   map[string][]time.Time
	name   string            // the limit's name in the shared counters
	secret string            // mixed into the digests of the addresses there
	shared jianfu.RateLimits // nil: per process
}

// share keeps the limiter's counts in the database under name. No address
// is stored there: a counter's key is the name and a digest of the
// address keyed with secret (kept outside the database), and counters are
// deleted two windows after they began.
func (l *loginLimiter) share(rates jianfu.RateLimits, name, secret string) {
	l.mu.Lock()
	l.shared, l.name, l.secret = rates, name, secret
	l.mu.Unlock()
}

// sharedCounts returns the shared counters, the counter key of key and
// the limit.
func (l *loginLimiter) sharedCounts(key string) (jianfu.RateLimits, string, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.shared == nil {
		return nil, "", l.max
	}
	return l.shared, l.name + ":" + secret.SM3Hex("jianfu rate limit", l.secret, key)[:32], l.max
}

// allowShared records an event of key and reports whether it is within
// the limit, in the shared counters when there are any.
func (l *loginLimiter) allowShared(ctx context.Context, key string, now time.Time) bool {
	if rates, ck, max := l.sharedCounts(key); rates != nil {
		if n, err := rates.Hit(ctx, ck, l.window); err == nil {
			return n <= max
		}
	}
	return l.allow(key, now)
}

// fullShared reports whether key has used up its events, without counting one.
func (l *loginLimiter) fullShared(ctx context.Context, key string, now time.Time) bool {
	if rates, ck, max := l.sharedCounts(key); rates != nil {
		if n, err := rates.Count(ctx, ck, l.window); err == nil {
			return n >= max
		}
	}
	return l.full(key, now)
}

// noteShared counts one event of key.
func (l *loginLimiter) noteShared(ctx context.Context, key string, now time.Time) {
	if rates, ck, _ := l.sharedCounts(key); rates != nil {
		if _, err := rates.Hit(ctx, ck, l.window); err == nil {
			return
		}
	}
	l.note(key, now)
}

func newLoginLimiter(max int, window time.Duration) *loginLimiter {
	return &loginLimiter{max: max, window: window, hits: map[string][]time.Time{}}
}

// allow records an attempt and reports whether it is within the limit.
func (l *loginLimiter) allow(ip string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.hits[ip]
	cut := 0
	for cut < len(h) && now.Sub(h[cut]) > l.window {
		cut++
	}
	h = h[cut:]
	if len(h) >= l.max {
		l.hits[ip] = h
		return false
	}
	l.hits[ip] = append(h, now)
	if len(l.hits) > 10000 { // forget idle addresses
		for k, v := range l.hits {
			if len(v) == 0 || now.Sub(v[len(v)-1]) > l.window {
				delete(l.hits, k)
			}
		}
	}
	return true
}

// sysadminBearer serves /metrics only to a system administrator's API
// token (Prometheus: authorization with credentials_file in the scrape
// config). The answer to anyone else is plain text, not a login page.
func (s *Server) sysadminBearer(next http.Handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		a := info(r).actor
		_, bearer := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		switch {
		case a == nil || !bearer:
			w.Header().Set("WWW-Authenticate", `Bearer realm="jianfu"`)
			http.Error(w, "需要系统管理员的 API 令牌:Authorization: Bearer jf_…(jianfu user token 用户名)\nthe metrics need a system administrator's API token", http.StatusUnauthorized)
		case !a.Has(jianfu.RoleSysAdmin):
			http.Error(w, "仅系统管理员的令牌可读取运行指标\nonly a system administrator's token may read the metrics", http.StatusForbidden)
		default:
			next.ServeHTTP(w, r)
		}
		return nil
	}
}

// Login failures an address may make per window before its logins are
// refused for a while. Successful logins do not count: two hundred people
// behind one NAT address log in together at nine without tripping it,
// while password spraying from one address stops after a few dozen
// guesses (each account also locks after jianfu.MaxFailedLogins).
const (
	loginFailureLimit  = 50
	loginFailureWindow = 15 * time.Minute
)

// full reports whether the address has used up its attempts, without
// counting this one.
func (l *loginLimiter) full(ip string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, t := range l.hits[ip] {
		if now.Sub(t) <= l.window {
			n++
		}
	}
	return n >= l.max
}

// note counts one attempt (for logins: one failure) of the address.
func (l *loginLimiter) note(ip string, now time.Time) {
	l.allow(ip, now)
}

type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jianfu_http_requests_total", Help: "HTTP requests by method, route and status.",
		}, []string{"method", "route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "jianfu_http_request_duration_seconds", Help: "HTTP request latency by method and route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.latency, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}
