package web

import (
	"io/fs"
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// handler is an HTTP handler that returns its error for fail to answer.
type handler func(w http.ResponseWriter, r *http.Request) error

// h adapts a handler; page handlers require a logged-in user.
func (s *Server) h(fn handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

// routes lists every route of the server, in one place.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(assets, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheStatic(http.FileServerFS(static))))
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", s.h(s.sysadminBearer(promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))))

	// UI pages, one registration function per capability.
	for _, register := range []func(*http.ServeMux){s.corePages, s.rulesPages, s.burdenPages, s.reportPages, s.campaignPages, s.casePages, s.registryPages, s.notificationPages, s.deliveryPages, s.holidayPages} {
		register(mux)
	}

	// JSON API.
	mux.HandleFunc("GET /api/v1/openapi.json", s.openAPI)
	for _, rt := range s.apiRoutes() {
		mux.Handle(rt.method+" "+rt.path, s.h(s.api(rt.h)))
	}
	for _, rt := range s.publicAPIRoutes() {
		mux.Handle(rt.method+" "+rt.path, s.h(anonymous(rt.h)))
	}
	mux.Handle("/api/", s.h(s.apiNotFound))

	mux.Handle("/", s.h(s.notFound))
	return s.wrap(mux)
}

// corePages registers the pages of the foundation: login, home, account,
// administration of regions, units and users, and the audit log.
func (s *Server) corePages(mux *http.ServeMux) {
	mux.Handle("GET /login", s.h(s.showLogin))
	mux.Handle("POST /login", s.h(s.doLogin))
	mux.Handle("GET /login/sso", s.h(s.startSSO))
	mux.Handle("GET "+OIDCCallbackPath, s.h(s.finishSSO))
	mux.Handle("POST /logout", s.h(s.doLogout))
	mux.Handle("GET /{$}", s.h(s.login(s.showHome)))
	mux.Handle("GET /account", s.h(s.login(s.showAccount)))
	mux.Handle("POST /tokens/{id}/revoke", s.h(s.login(s.revokeToken)))
	mux.Handle("POST /account/password", s.h(s.login(s.changePassword)))
	mux.Handle("GET /admin", s.h(s.login(s.showAdmin)))
	mux.Handle("GET /regions", s.h(s.login(s.showRegions)))
	mux.Handle("GET /units", s.h(s.login(s.showUnits)))
	mux.Handle("GET /units/new", s.h(s.login(s.showUnitNew)))
	mux.Handle("POST /units", s.h(s.login(s.createUnit)))
	mux.Handle("GET /units/{id}", s.h(s.login(s.showUnit)))
	mux.Handle("POST /units/{id}", s.h(s.login(s.updateUnit)))
	mux.Handle("GET /users", s.h(s.login(s.showUsers)))
	mux.Handle("GET /users/new", s.h(s.login(s.showUserNew)))
	mux.Handle("POST /users", s.h(s.login(s.createUser)))
	mux.Handle("GET /users/{id}", s.h(s.login(s.showUser)))
	mux.Handle("POST /users/{id}", s.h(s.login(s.updateUser)))
	mux.Handle("GET /audit", s.h(s.login(s.showAudit)))
}

// rulesPages registers the detector's page: try a message, browse the rules.
func (s *Server) rulesPages(mux *http.ServeMux) {
	mux.Handle("GET /rules", s.h(s.login(s.showRules)))
	mux.Handle("POST /rules", s.h(s.login(s.analyzeForm)))
}

func (s *Server) rulesAPI() []apiRoute {
	return []apiRoute{
		{"POST", "/api/v1/detect", s.apiDetect},
		{"GET", "/api/v1/rules", s.apiRules},
	}
}

// apiRoute is one authenticated JSON endpoint; the OpenAPI document must
// describe exactly these (a test checks).
type apiRoute struct {
	method, path string
	h            handler
}

func (s *Server) apiRoutes() []apiRoute {
	var all []apiRoute
	for _, part := range [][]apiRoute{s.coreAPI(), s.rulesAPI(), s.burdenAPI(), s.campaignsAPI(), s.casesAPI(), s.registryAPI(), s.notificationsAPI(), s.deliveryAPI()} {
		all = append(all, part...)
	}
	return all
}

func (s *Server) coreAPI() []apiRoute {
	return []apiRoute{
		{"GET", "/api/v1/me", s.apiMe},
		{"GET", "/api/v1/regions", s.apiRegions},
		{"GET", "/api/v1/regions/{code}", s.apiRegion},
		{"GET", "/api/v1/units", s.apiUnits},
		{"POST", "/api/v1/units", s.apiCreateUnit},
		{"GET", "/api/v1/units/{id}", s.apiUnit},
		{"PATCH", "/api/v1/units/{id}", s.apiUpdateUnit},
		{"GET", "/api/v1/users", s.apiUsers},
		{"POST", "/api/v1/users", s.apiCreateUser},
		{"GET", "/api/v1/users/{id}", s.apiUser},
		{"PATCH", "/api/v1/users/{id}", s.apiUpdateUser},
		{"GET", "/api/v1/users/{id}/tokens", s.apiTokens},
		{"DELETE", "/api/v1/tokens/{id}", s.apiRevokeToken},
		{"GET", "/api/v1/audit", s.apiAudit},
	}
}

// publicAPIRoutes are JSON endpoints anyone may call without logging in
// (public verification); each guards itself (rate limits), and none
// identifies its caller in the logs. The OpenAPI
// document describes them too, without a 401.
func (s *Server) publicAPIRoutes() []apiRoute {
	var all []apiRoute
	for _, part := range [][]apiRoute{s.registryPublicAPI()} {
		all = append(all, part...)
	}
	return all
}

// PublicAPIRoutes lists the public JSON routes as "METHOD /path".
func (s *Server) PublicAPIRoutes() []string {
	var out []string
	for _, rt := range s.publicAPIRoutes() {
		out = append(out, rt.method+" "+rt.path)
	}
	return out
}

// APIRoutes lists the authenticated JSON routes as "METHOD /path".
func (s *Server) APIRoutes() []string {
	var out []string
	for _, rt := range s.apiRoutes() {
		out = append(out, rt.method+" "+rt.path)
	}
	return out
}

func cacheStatic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		next.ServeHTTP(w, r)
	})
}
