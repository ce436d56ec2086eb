package web_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/go-jose/go-jose/v4"

	"jianfu"
	"jianfu/detect"
	"jianfu/store"
	"jianfu/store/storetest"
	"jianfu/web"
)

// testIdP is an OpenID Connect provider the test runs itself: discovery,
// an authorization endpoint that approves at once, a token endpoint that
// checks the PKCE verifier and the client secret, and a key set. Its knobs
// make it issue the bad tokens a real provider (or an attacker) might.
type testIdP struct {
	srv *httptest.Server

	mu       sync.Mutex
	key      crypto.Signer // signs the ID tokens
	kid      string
	alg      jose.SignatureAlgorithm
	keys     []jose.JSONWebKey // published
	codes    map[string]idpCode
	username string                      // the preferred_username of the next login
	tweak    func(claims map[string]any) // changes the claims before signing
	badKey   crypto.Signer               // signs with this unpublished key instead
	pkceSeen []string                    // code_challenge_method of each authorization
}

type idpCode struct{ challenge, nonce, redirect string }

const idpClient, idpSecret = "jianfu-test", "s3cret-of-the-client"

func newTestIdP(t testing.TB) *testIdP {
	p := &testIdP{codes: map[string]idpCode{}, username: "south.sup"}
	p.rotate(t, jose.RS256)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"issuer": p.srv.URL, "authorization_endpoint": p.srv.URL + "/authorize", "token_endpoint": p.srv.URL + "/token",
			"jwks_uri": p.srv.URL + "/jwks", "response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256", "ES256"}, "code_challenge_methods_supported": []string{"S256"}})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		defer p.mu.Unlock()
		json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: p.keys})
	})
	mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("client_id") != idpClient || q.Get("response_type") != "code" || !strings.Contains(q.Get("scope"), "openid") {
			http.Error(w, "bad authorization request", http.StatusBadRequest)
			return
		}
		code := randomString()
		p.mu.Lock()
		p.codes[code] = idpCode{challenge: q.Get("code_challenge"), nonce: q.Get("nonce"), redirect: q.Get("redirect_uri")}
		p.pkceSeen = append(p.pkceSeen, q.Get("code_challenge_method"))
		p.mu.Unlock()
		back, _ := url.Parse(q.Get("redirect_uri"))
		bq := back.Query()
		bq.Set("code", code)
		bq.Set("state", q.Get("state"))
		back.RawQuery = bq.Encode()
		http.Redirect(w, r, back.String(), http.StatusFound)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		id, sec, ok := r.BasicAuth()
		if !ok {
			id, sec = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
		}
		p.mu.Lock()
		c, found := p.codes[r.PostFormValue("code")]
		delete(p.codes, r.PostFormValue("code"))
		p.mu.Unlock()
		sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
		switch {
		case id != idpClient || sec != idpSecret:
			w.WriteHeader(http.StatusUnauthorized)
			json.NewEncoder(w).Encode(map[string]string{"error": "invalid_client"})
			return
		case !found || c.redirect != r.PostFormValue("redirect_uri") || base64.RawURLEncoding.EncodeToString(sum[:]) != c.challenge:
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"error": "invalid_grant"})
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"access_token": randomString(), "token_type": "Bearer", "expires_in": 300, "id_token": p.idToken(t, c.nonce)})
	})
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

func randomString() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// rotate makes a new signing key with a new key id and publishes it
// beside the old ones.
func (p *testIdP) rotate(t testing.TB, alg jose.SignatureAlgorithm) {
	var k crypto.Signer
	var err error
	if alg == jose.ES256 {
		k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	} else {
		k, err = rsa.GenerateKey(rand.Reader, 2048)
	}
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.key, p.alg, p.kid = k, alg, randomString()
	p.keys = append(p.keys, jose.JSONWebKey{Key: k.Public(), KeyID: p.kid, Algorithm: string(alg), Use: "sig"})
}

func (p *testIdP) idToken(t testing.TB, nonce string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	claims := map[string]any{"iss": p.srv.URL, "sub": "person-4711", "aud": idpClient, "exp": now.Add(5 * time.Minute).Unix(), "iat": now.Unix(),
		"nonce": nonce, "preferred_username": p.username, "name": "测试人员"}
	if p.tweak != nil {
		p.tweak(claims)
	}
	key := p.key
	if p.badKey != nil {
		key = p.badKey
	}
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: p.alg, Key: jose.JSONWebKey{Key: key, KeyID: p.kid}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(claims)
	jws, err := sig.Sign(body)
	if err != nil {
		t.Fatal(err)
	}
	s, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// ssoServer is a jianfu web server with single sign-on through idp.
func ssoServer(t testing.TB, db *store.DB, idp *testIdP) *httptest.Server {
	return replicaServer(t, db, func(addr string) *web.OIDCConfig {
		return &web.OIDCConfig{Issuer: idp.srv.URL, ClientID: idpClient, ClientSecret: idpSecret, RedirectURL: "http://" + addr + web.OIDCCallbackPath, Scopes: []string{"profile"}}
	})
}

// replicaServer is a jianfu web server as serve builds it on db: the
// rate limits shared in the database, single sign-on when oidc gives a
// configuration for the server's address.
func replicaServer(t testing.TB, db *store.DB, oidc func(addr string) *web.OIDCConfig) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	det, err := detect.New()
	if err != nil {
		t.Fatal(err)
	}
	s, err := web.New(web.Config{Version: "test", OIDC: oidc(srv.Listener.Addr().String()), RateKey: "test-rate-limit-key"},
		web.Services{Regions: db.Regions(), Units: db.Units(), Users: db.Users(), Audit: db.Audit(), Intake: db.Intake(), Cases: db.Cases(), Deadlines: db.Deadlines(), Typical: db.Typical(), Ping: db.Ping, Detector: det,
			Burden: db.Burden(), Channels: db.Channels(), Registry: db.Registry(), Campaigns: db.Campaigns(), Evaluation: db.Evaluation(), Cleanup: db.Cleanup(), Monitor: db.Monitor(), Notifications: db.Notifications(),
			SSO: db.Users(), Rates: db.Rates()}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = s.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// browserClient is an HTTP client holding cookies that follows redirects,
// recording the callback URLs it passed through.
func browserClient(t *testing.T) (*http.Client, *[]*url.URL) {
	jar, _ := cookiejar.New(nil)
	var callbacks []*url.URL
	c := &http.Client{Jar: jar, Timeout: 20 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if req.URL.Path == web.OIDCCallbackPath {
			callbacks = append(callbacks, req.URL)
		}
		return nil
	}}
	return c, &callbacks
}

func getPage(t *testing.T, c *http.Client, u string) (int, string, *url.URL) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Request.URL
}

func TestOIDCLogin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		storetest.Load(t, db)
		idp := newTestIdP(t)
		srv := ssoServer(t, db, idp)
		sys := storetest.System()

		t.Run("the login page offers single sign-on beside the password", func(t *testing.T) {
			c, _ := browserClient(t)
			code, body, _ := getPage(t, c, srv.URL+"/login")
			if code != 200 || !strings.Contains(body, "统一身份认证登录") || !strings.Contains(body, `name="password"`) {
				t.Fatalf("login page %d without the button or the password field:\n%s", code, body)
			}
		})

		t.Run("full flow lands on the home page with a session", func(t *testing.T) {
			c, cbs := browserClient(t)
			code, body, at := getPage(t, c, srv.URL+"/login/sso")
			if code != 200 || at.Path != "/" || !strings.Contains(body, "江南区监管员") {
				t.Fatalf("after single sign-on: %d at %s, want the home page of 江南区监管员:\n%.2000s", code, at, body)
			}
			if len(*cbs) != 1 {
				t.Fatalf("passed the callback %d times", len(*cbs))
			}
			if m := idp.pkceSeen[len(idp.pkceSeen)-1]; m != "S256" {
				t.Fatalf("PKCE method %q, want S256", m)
			}
			// the session acts like a password one: a form post with its CSRF token works
			code, _, at = getPage(t, c, srv.URL+"/account")
			if code != 200 || at.Path != "/account" {
				t.Fatalf("account page %d at %s", code, at)
			}
			es, _, err := db.Audit().FindAuditEntries(sys, jianfu.AuditFilter{Action: "login.ok"})
			if err != nil || len(es) == 0 || !strings.Contains(es[0].Detail, "统一身份认证") || !strings.Contains(es[0].Detail, "person-4711") {
				t.Fatalf("the login is not audited as single sign-on: %v %+v", err, es)
			}

			// the callback replayed with its state (cookie and all) is refused: a state is good once
			replay, _ := browserClient(t)
			replay.Jar.SetCookies((*cbs)[0], []*http.Cookie{{Name: "jf_sso", Value: (*cbs)[0].Query().Get("state"), Path: "/login/sso"}})
			code, body, at = getPage(t, replay, (*cbs)[0].String())
			if code != http.StatusBadRequest || at.Path != web.OIDCCallbackPath || !strings.Contains(body, "已失效或已使用过") {
				t.Fatalf("replayed state: %d at %s:\n%.1500s", code, at, body)
			}
			// and a callback in a browser that did not start the login is refused too
			other, _ := browserClient(t)
			if code, body, _ = getPage(t, other, (*cbs)[0].String()); code != http.StatusBadRequest || !strings.Contains(body, "与本浏览器不符") {
				t.Fatalf("foreign browser: %d:\n%.1500s", code, body)
			}
		})

		refused := func(t *testing.T, want string) {
			t.Helper()
			c, _ := browserClient(t)
			code, body, at := getPage(t, c, srv.URL+"/login/sso")
			if code != http.StatusUnauthorized || at.Path != web.OIDCCallbackPath || !strings.Contains(body, want) {
				t.Fatalf("want 401 with %q, got %d at %s:\n%.1500s", want, code, at, body)
			}
			if code, _, at := getPage(t, c, srv.URL+"/"); at.Path != "/login" {
				t.Fatalf("refused login left a session: %d at %s", code, at)
			}
		}
		tweak := func(f func(map[string]any)) func() {
			idp.mu.Lock()
			idp.tweak = f
			idp.mu.Unlock()
			return func() { idp.mu.Lock(); idp.tweak = nil; idp.mu.Unlock() }
		}
		for _, tc := range []struct {
			name string
			f    func(map[string]any)
		}{
			{"wrong issuer", func(c map[string]any) { c["iss"] = "https://evil.example" }},
			{"wrong audience", func(c map[string]any) { c["aud"] = "another-client" }},
			{"expired token", func(c map[string]any) { c["exp"] = time.Now().Add(-time.Minute).Unix() }},
			{"wrong nonce", func(c map[string]any) { c["nonce"] = "not-the-one" }},
			{"issued in the future", func(c map[string]any) { c["iat"] = time.Now().Add(time.Hour).Unix() }},
		} {
			t.Run(tc.name+" refused", func(t *testing.T) {
				defer tweak(tc.f)()
				refused(t, "身份凭证校验失败")
			})
		}
		t.Run("bad signature refused", func(t *testing.T) {
			k, _ := rsa.GenerateKey(rand.Reader, 2048)
			idp.mu.Lock()
			idp.badKey = k
			idp.mu.Unlock()
			defer func() { idp.mu.Lock(); idp.badKey = nil; idp.mu.Unlock() }()
			refused(t, "身份凭证校验失败")
			es, _, _ := db.Audit().FindAuditEntries(sys, jianfu.AuditFilter{Action: "login.sso.refused"})
			if len(es) == 0 {
				t.Fatal("a refused token is not audited")
			}
		})
		t.Run("unmapped account refused and audited", func(t *testing.T) {
			idp.mu.Lock()
			idp.username = "nobody.here"
			idp.mu.Unlock()
			defer func() { idp.mu.Lock(); idp.username = "south.sup"; idp.mu.Unlock() }()
			refused(t, "没有与之对应的可用账号")
			es, _, _ := db.Audit().FindAuditEntries(sys, jianfu.AuditFilter{Action: "login.sso.refused"})
			if len(es) == 0 || !strings.Contains(es[0].Detail, "nobody.here") || !strings.Contains(es[0].Detail, "没有对应账号") {
				t.Fatalf("the unmapped person is not audited: %+v", es)
			}
		})
		t.Run("rotated keys are fetched again, ES256 too", func(t *testing.T) {
			for _, alg := range []jose.SignatureAlgorithm{jose.ES256, jose.RS256} {
				idp.rotate(t, alg)
				c, _ := browserClient(t)
				if code, body, at := getPage(t, c, srv.URL+"/login/sso"); code != 200 || at.Path != "/" {
					t.Fatalf("%s after rotation: %d at %s:\n%.1500s", alg, code, at, body)
				}
			}
		})
	})
}

// TestOIDCBrowser: a person clicks 统一身份认证登录 on the login page, the
// provider approves, and the home page opens logged in.
func TestOIDCBrowser(t *testing.T) {
	ctx := chrome(t)
	db := storetest.Open(t, store.SQLite)
	storetest.Load(t, db)
	srv := ssoServer(t, db, newTestIdP(t))
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/login"), chromedp.WaitVisible("#sso-login"), chromedp.Click("#sso-login")); err != nil {
		t.Fatal(err)
	}
	var path, body string
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		var err error
		if path, err = chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`)); err != nil {
			continue
		}
		if body, err = chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`)); err == nil && path == "/" && strings.Contains(body, "江南区监管员") {
			return
		}
	}
	t.Fatalf("after the button: at %s showing %.500q", path, body)
}

// FuzzOIDCCallback sends the single sign-on callback whatever a browser or
// an attacker may put in its query and state cookie: it never answers 500
// and never starts a session without a login the provider approved.
func FuzzOIDCCallback(f *testing.F) {
	f.Add("code=abc&state=xyz", "xyz")
	f.Add("error=access_denied&state=s", "s")
	f.Add("state=&code=", "")
	f.Add("code=%ZZ&state=%00", "\x00")
	f.Add("state="+strings.Repeat("a", 5000), strings.Repeat("a", 5000))
	db := storetest.Open(f, store.SQLite)
	storetest.Load(f, db)
	srv := ssoServer(f, db, newTestIdP(f))
	f.Fuzz(func(t *testing.T, query, cookie string) {
		req, err := http.NewRequest("GET", srv.URL+web.OIDCCallbackPath+"?"+query, nil)
		if err != nil {
			return
		}
		if c := (&http.Cookie{Name: "jf_sso", Value: cookie}); c.Valid() == nil {
			req.AddCookie(c)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("callback ?%q with cookie %q: %d", query, cookie, resp.StatusCode)
		}
		for _, c := range resp.Cookies() {
			if c.Name == "jf_session" && c.Value != "" {
				t.Fatalf("callback ?%q started a session", query)
			}
		}
	})
}
