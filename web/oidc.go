package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"jianfu"
	"jianfu/secret"
)

// OIDCConfig configures single sign-on through OpenID Connect (统一身份认证).
type OIDCConfig struct {
	// Issuer is the identity provider's issuer URL; its discovery document
	// is Issuer + "/.well-known/openid-configuration".
	Issuer string
	// ClientID and ClientSecret are this platform's registration with the
	// provider. The secret is never logged.
	ClientID, ClientSecret string
	// RedirectURL is where the provider sends the browser back: this
	// server's address + OIDCCallbackPath, as registered with the provider.
	RedirectURL string
	// Scopes asked for besides openid (e.g. profile).
	Scopes []string
	// Claim of the ID token whose value, lower-cased, is the jianfu
	// username (default preferred_username).
	Claim string
	// Button is the login page's button (default: the locale's 统一身份认证登录).
	Button string
	// Client makes the requests to the provider (default: a client with a
	// 10-second timeout), e.g. with the province's CA.
	Client *http.Client
}

// OIDCCallbackPath is the path of the redirect URL.
const OIDCCallbackPath = "/login/sso/callback"

// DefaultOIDCClaim is the claim mapped to the username unless configured.
const DefaultOIDCClaim = "preferred_username"

const ssoCookie = "jf_sso"

// oidcLogin is the single sign-on of a server: the configuration and the
// provider, discovered at the first login (the server starts while the
// provider is down) and kept; its key set fetches keys again when a token
// names a key it does not know (the provider rotated its keys).
type oidcLogin struct {
	cfg OIDCConfig

	mu       sync.Mutex
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
	oauth    *oauth2.Config
}

// signingAlgs are the ID token signatures accepted.
var signingAlgs = []string{oidc.RS256, oidc.RS384, oidc.RS512, oidc.ES256, oidc.ES384, oidc.PS256}

func (o *oidcLogin) ctx(ctx context.Context) context.Context {
	c := o.cfg.Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	return oidc.ClientContext(ctx, c)
}

// discover returns the provider, reading its discovery document the first time.
func (o *oidcLogin) discover(ctx context.Context, now func() time.Time) (*oauth2.Config, *oidc.IDTokenVerifier, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider != nil {
		return o.oauth, o.verifier, nil
	}
	// the key set lives as long as the server, not the request
	p, err := oidc.NewProvider(o.ctx(context.WithoutCancel(ctx)), o.cfg.Issuer)
	if err != nil {
		return nil, nil, err
	}
	o.provider = p
	o.verifier = p.Verifier(&oidc.Config{ClientID: o.cfg.ClientID, SupportedSigningAlgs: signingAlgs, Now: now})
	o.oauth = &oauth2.Config{ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret, RedirectURL: o.cfg.RedirectURL,
		Endpoint: p.Endpoint(), Scopes: append([]string{oidc.ScopeOpenID}, o.cfg.Scopes...)}
	return o.oauth, o.verifier, nil
}

func ssoUnavailable() error {
	return jianfu.Errorf(jianfu.EUNAVAILABLE, "统一身份认证服务暂时无法访问,请稍后再试,或使用本平台的用户名和密码登录", "the single sign-on service cannot be reached; try again later or log in with your username and password")
}

func ssoFailed() error {
	return jianfu.Errorf(jianfu.EUNAUTHORIZED, "统一身份认证未通过:身份凭证校验失败(签发方、接收方、签名或有效期不符),请重新点击“统一身份认证登录”;仍不成功请联系管理员", "single sign-on failed: the identity token did not verify (issuer, audience, signature or validity); start again, and contact an administrator if it keeps failing")
}

// startSSO sends the browser to the identity provider with a new state,
// nonce and PKCE challenge (S256), kept in the database for whichever
// replica the browser comes back to, and the state also in a cookie, so
// the callback must come back to the browser that started it.
func (s *Server) startSSO(w http.ResponseWriter, r *http.Request) error {
	if s.sso == nil || s.svc.SSO == nil {
		return jianfu.Errorf(jianfu.ENOTFOUND, "未启用统一身份认证", "single sign-on is not configured")
	}
	// each start stores an attempt: as many as the public pages' reads
	if !s.cases.read.allow(info(r).ip, s.now()) {
		w.Header().Set("Retry-After", "60")
		return jianfu.Errorf(jianfu.ETOOMANY, "访问过于频繁,请稍后再试", "too many requests; try again in a while")
	}
	oc, _, err := s.sso.discover(r.Context(), s.now)
	if err != nil {
		s.log.Warn("single sign-on discovery failed", "issuer", s.sso.cfg.Issuer, "err", err)
		return ssoUnavailable()
	}
	a := &jianfu.SSOAttempt{State: secret.NewToken(""), Nonce: secret.NewToken(""), Verifier: oauth2.GenerateVerifier(),
		Next: safeNext(r.URL.Query().Get("next")), Expires: s.now().Add(jianfu.SSOLifetime)}
	if err := s.svc.SSO.BeginSSO(r.Context(), a); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: ssoCookie, Value: a.State, Path: "/login/sso", MaxAge: int(jianfu.SSOLifetime.Seconds()), HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r)})
	http.Redirect(w, r, oc.AuthCodeURL(a.State, oidc.Nonce(a.Nonce), oauth2.S256ChallengeOption(a.Verifier)), http.StatusFound)
	return nil
}

// finishSSO takes the browser back from the provider: the state must be
// the cookie's and unused, the code is exchanged with the PKCE verifier,
// the ID token's signature (the provider's keys), issuer, audience,
// expiry, issue time and nonce are checked, and the configured claim names
// the account. It then starts the same session as a password login.
func (s *Server) finishSSO(w http.ResponseWriter, r *http.Request) error {
	if s.sso == nil || s.svc.SSO == nil {
		return jianfu.Errorf(jianfu.ENOTFOUND, "未启用统一身份认证", "single sign-on is not configured")
	}
	p := s.newPage(r, "login")
	p.Title = p.T("login.title")
	d := s.loginData("", "")
	p.Data = d
	fail := func(err error) error {
		p.Error = err
		p.Status = statusOf[jianfu.ErrorCode(err)]
		s.render(w, r, "login", p)
		return nil
	}
	http.SetCookie(w, &http.Cookie{Name: ssoCookie, Value: "", Path: "/login/sso", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r)})
	q := r.URL.Query()
	state := q.Get("state")
	c, err := r.Cookie(ssoCookie)
	if err != nil || state == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(state)) != 1 {
		return fail(jianfu.Errorf(jianfu.EINVALID, "统一身份认证的登录请求与本浏览器不符或已失效,请回到登录页重新点击“统一身份认证登录”", "the single sign-on answer does not belong to this browser or has expired; start again from the login page"))
	}
	att, err := s.svc.SSO.TakeSSO(r.Context(), state)
	if err != nil {
		if jianfu.ErrorCode(err) == jianfu.EINTERNAL {
			return err
		}
		return fail(err)
	}
	d["Next"] = att.Next
	if e := q.Get("error"); e != "" {
		s.log.Info("single sign-on refused by the provider", "error", truncate(e, 100))
		if e == "access_denied" {
			return fail(jianfu.Errorf(jianfu.EUNAUTHORIZED, "统一身份认证未授权本平台登录(已取消或被拒绝),可重新登录或使用用户名和密码登录", "single sign-on was cancelled or denied; try again or log in with your password"))
		}
		return fail(jianfu.Errorf(jianfu.EUNAUTHORIZED, "统一身份认证未完成,可重新登录或使用用户名和密码登录;仍不成功请联系管理员", "single sign-on did not complete; try again or log in with your password, and contact an administrator if it keeps failing"))
	}
	oc, verifier, err := s.sso.discover(r.Context(), s.now)
	if err != nil {
		s.log.Warn("single sign-on discovery failed", "issuer", s.sso.cfg.Issuer, "err", err)
		return fail(ssoUnavailable())
	}
	ctx := s.sso.ctx(r.Context())
	tok, err := oc.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(att.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) { // the provider refused the code: no secret in this
			s.log.Warn("single sign-on code refused", "issuer", s.sso.cfg.Issuer, "error", re.ErrorCode, "status", re.Response.StatusCode)
			return fail(ssoFailed())
		}
		s.log.Warn("single sign-on token exchange failed", "issuer", s.sso.cfg.Issuer, "err", err)
		return fail(ssoUnavailable())
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := verifier.Verify(ctx, raw)
	if err == nil {
		err = checkIDToken(idt, att.Nonce, s.now())
	}
	if err != nil {
		s.log.Warn("single sign-on ID token refused", "issuer", s.sso.cfg.Issuer, "err", err)
		s.svc.Audit.RecordAudit(r.Context(), &jianfu.AuditEntry{ActorName: "统一身份认证", Action: "login.sso.refused", ObjectType: "user", Detail: "身份凭证校验失败:" + err.Error(), IP: info(r).ip})
		return fail(ssoFailed())
	}
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		return fail(ssoFailed())
	}
	claim := s.sso.cfg.Claim
	value, _ := claims[claim].(string)
	u, session, err := s.svc.SSO.SSOLogin(r.Context(), jianfu.SSOIdentity{Issuer: idt.Issuer, Subject: idt.Subject, Claim: claim, Value: value, IP: info(r).ip, UserAgent: r.UserAgent()})
	if err != nil {
		if jianfu.ErrorCode(err) == jianfu.EINTERNAL {
			return err
		}
		return fail(err)
	}
	s.startSession(w, r, session)
	a, err := s.svc.Users.SessionActor(r.Context(), session)
	if err != nil {
		return err
	}
	next := att.Next
	if next == "" {
		next = landing(a)
	}
	s.log.Info("single sign-on login", "user_id", u.ID)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// checkIDToken checks what the verifier leaves to the caller: the nonce
// of this attempt and an issue time that is not in the future (five
// minutes of clock skew allowed) nor older than the attempt can be.
func checkIDToken(t *oidc.IDToken, nonce string, now time.Time) error {
	if subtle.ConstantTimeCompare([]byte(t.Nonce), []byte(nonce)) != 1 {
		return fmt.Errorf("nonce does not match the login attempt")
	}
	const skew = 5 * time.Minute
	switch {
	case t.IssuedAt.IsZero():
		return fmt.Errorf("no iat")
	case t.IssuedAt.After(now.Add(skew)):
		return fmt.Errorf("iat %s is in the future", t.IssuedAt.UTC().Format(time.RFC3339))
	case t.IssuedAt.Before(now.Add(-jianfu.SSOLifetime - skew)):
		return fmt.Errorf("iat %s is older than the login attempt", t.IssuedAt.UTC().Format(time.RFC3339))
	}
	return nil
}

// startSession sets the cookies of a new session: the session and a fresh
// anonymous CSRF token, so a token planted before login is worth nothing
// after (the session has its own, sessionCSRF).
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, session string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: session, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r)})
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: secret.NewToken(""), Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secure(r)})
}

// loginData is the login page's data: where to go after, the username
// typed, and the single sign-on button's words and link (none without
// single sign-on).
func (s *Server) loginData(next, username string) map[string]string {
	d := map[string]string{"Next": next, "Username": username}
	if s.sso != nil {
		href := "/login/sso"
		if next != "" {
			href += "?next=" + url.QueryEscape(next)
		}
		d["SSOLabel"], d["SSOHref"] = s.sso.cfg.Button, href
	}
	return d
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
