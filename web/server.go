// Package web serves jianfu over HTTP: the server-rendered UI (Simplified
// Chinese first, English switchable, every asset embedded), the JSON API
// under /api/v1 with its OpenAPI document, /healthz, /readyz and /metrics.
package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"jianfu"
	"jianfu/detect"
)

//go:embed templates static locales openapi
var assets embed.FS

// Services are the domain services the web layer calls. The store
// implements them all.
type Services struct {
	Regions jianfu.RegionService
	Units   jianfu.UnitService
	Users   jianfu.UserService
	Audit   jianfu.AuditService
	// Cases: intake (complaints, clues, public tracking), the workflow,
	// deadlines and typical cases.
	Intake    jianfu.IntakeService
	Cases     jianfu.CaseService
	Deadlines jianfu.DeadlineService
	Typical   jianfu.TypicalService
	// Registry is the rest of the registry (备案管理) beyond Channels.
	Registry jianfu.RegistryService
	// Detector finds formalism demands in messages (pure, shared).
	Detector *detect.Detector
	// Burden is burden monitoring; Channels the registry (groups to pick);
	// Ingest takes messages (inline pipeline or stream publisher), nil
	// when ingestion is not configured.
	Burden   jianfu.BurdenService
	Channels jianfu.ChannelService
	Ingest   jianfu.Ingester
	// Spot checks, evaluation, cleanup and technical monitoring.
	Campaigns  jianfu.CampaignService
	Evaluation jianfu.EvaluationService
	Cleanup    jianfu.CleanupService
	Monitor    jianfu.MonitorService
	// Notifications is each user's in-app notifications; nil hides the bell.
	Notifications jianfu.NotificationService
	// Deliveries is delivery beyond the browser: users' channels (通知方式)
	// and the outbox's status (消息投递); nil hides both.
	Deliveries jianfu.DeliveryService
	// Holidays keeps the uploaded holiday schedules (节假日安排, 系统管理);
	// nil hides the page.
	Holidays jianfu.HolidayService
	// Ping checks the database for /healthz.
	Ping func(context.Context) error
	// Ready are the conditions of /readyz (none: always ready).
	Ready []ReadyCheck
	// SSO keeps single sign-on attempts and logs verified people in;
	// needed when Config.OIDC is set.
	SSO jianfu.SingleSignOn
	// Rates are rate-limit counters shared by every replica on the
	// database (login failures, public submissions and tracking lookups
	// per address); nil, or no Config.RateKey, keeps them in this process.
	Rates jianfu.RateLimits
}

// Config configures the server.
type Config struct {
	Addr string
	// SecureCookies forces the Secure flag on cookies. When false the flag
	// is set only for requests that arrived over TLS (or through a proxy
	// that says so with X-Forwarded-Proto: https).
	SecureCookies bool
	// TrustedProxies are the reverse proxies in front of the server. A
	// request whose peer is one of them has its client address taken from
	// the right-most X-Forwarded-For entry outside the list, and its scheme
	// from X-Forwarded-Proto; from anyone else both headers are ignored.
	TrustedProxies []netip.Prefix
	// Version is shown in the footer and /healthz.
	Version string
	// Hooks configures the platform callbacks (企业微信, 钉钉, 飞书).
	Hooks HookConfig
	// DeliveryChannels are the channels this deployment delivers on
	// (--delivery-config): the ones users may choose.
	DeliveryChannels []jianfu.DeliveryChannel
	// OIDC enables single sign-on through OpenID Connect (nil: off).
	OIDC *OIDCConfig
	// RateKey is the secret mixed into the digests of client addresses in
	// the shared rate-limit counters (Services.Rates), so the database
	// holds no address; without it the limits stay in the process.
	RateKey string
}

// Server is the HTTP server.
type Server struct {
	cfg     Config
	svc     Services
	log     *slog.Logger
	now     func() time.Time
	pages   *pageSet
	loc     map[string]*locale
	metrics *metrics
	limiter *loginLimiter
	// publicLog holds the anonymous routes' requests until the minute ends.
	publicLog *publicLog
	hooks     *hookGuard // the callbacks' replay memory, limits and rejects
	handler   http.Handler
	static    fs.FS
	openapi   []byte
	// registry holds the registry's upload previews and verify limiter.
	registry *registryState
	cases    *caseState // limiters and the Open311 handler of the case pages
	sso      *oidcLogin // single sign-on, nil when off
}

// New builds the server and its routes.
func New(cfg Config, svc Services, log *slog.Logger) (*Server, error) {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:8080"
	}
	s := &Server{cfg: cfg, svc: svc, log: log, now: time.Now, limiter: newLoginLimiter(loginFailureLimit, loginFailureWindow), publicLog: newPublicLog()}
	if o := cfg.OIDC; o != nil {
		if o.Issuer == "" || o.ClientID == "" || o.RedirectURL == "" {
			return nil, jianfu.Errorf(jianfu.EINVALID, "统一身份认证需要签发方地址、客户端标识和回调地址", "single sign-on needs the issuer, the client id and the redirect URL")
		}
		c := *o
		if c.Claim == "" {
			c.Claim = DefaultOIDCClaim
		}
		s.sso = &oidcLogin{cfg: c}
	}
	var err error
	if s.loc, err = loadLocales(); err != nil {
		return nil, err
	}
	if s.pages, err = loadPages(); err != nil {
		return nil, err
	}
	if s.openapi, err = buildOpenAPI(); err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	s.static, _ = fs.Sub(assets, "static")
	s.metrics = newMetrics(prometheus.NewRegistry())
	s.handler = s.routes()
	if svc.Rates != nil && cfg.RateKey != "" {
		// the limits that matter for abuse are the same on every replica;
		// public reads, the registry's verification and the callbacks stay
		// per process (docs/deploy.md)
		s.limiter.share(svc.Rates, "login-fail", cfg.RateKey)
		s.cases.submit.share(svc.Rates, "submit", cfg.RateKey)
		s.cases.track.share(svc.Rates, "track", cfg.RateKey)
	}
	return s, nil
}

// SetClock replaces the clock (tests).
func (s *Server) SetClock(now func() time.Time) { s.now = now }

// Handler returns the root handler.
func (s *Server) Handler() http.Handler { return s.handler }

// RegisterMetrics adds collectors to /metrics, such as the state of the
// stream's connection.
func (s *Server) RegisterMetrics(cs ...prometheus.Collector) error {
	for _, c := range cs {
		if err := s.metrics.reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// Serve listens on cfg.Addr until ctx ends, then shuts down gracefully,
// letting requests in flight finish for up to 15 seconds. ready, if not
// nil, receives the bound address once listening.
func (s *Server) Serve(ctx context.Context, ready func(addr string)) error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return jianfu.Errorf(jianfu.EINVALID, "无法监听 %s:%v(端口被占用?可用 --addr 换一个)", "cannot listen on %s: %v (port taken? choose another with --addr)", s.cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    1 << 20,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	if ready != nil {
		ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	go s.flushEveryMinute(ctx)
	defer s.FlushMinute()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
