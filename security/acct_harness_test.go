package security_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"jianfu"
	"jianfu/detect"
	"jianfu/secret"
	"jianfu/store"
	"jianfu/store/storetest"
	"jianfu/web"
)

// acctServer is the real server over a fixture database whose audit chain
// is keyed, as `jianfu serve --audit-key` runs it.
type acctServer struct {
	t   *testing.T
	db  *store.DB
	fx  *storetest.Fixture
	key *secret.AuditKey
	srv *httptest.Server
}

// acctEach runs fn once per engine on a fresh server.
func acctEach(t *testing.T, fn func(t *testing.T, s *acctServer)) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			key, err := secret.ParseAuditKey(secret.NewAuditKeyString())
			if err != nil {
				t.Fatal(err)
			}
			db := storetest.Open(t, e, store.WithAuditKey(key))
			fn(t, newAcctServer(t, db, key))
		})
	}
}

func newAcctServer(t *testing.T, db *store.DB, key *secret.AuditKey) *acctServer {
	t.Helper()
	fx := storetest.Load(t, db)
	var logOut io.Writer = io.Discard
	if os.Getenv("JIANFU_TEST_LOG") != "" {
		logOut = os.Stderr
	}
	det, err := detect.New()
	if err != nil {
		t.Fatal(err)
	}
	app, err := web.New(web.Config{Version: "test"}, web.Services{Regions: db.Regions(), Units: db.Units(), Users: db.Users(), Audit: db.Audit(), Intake: db.Intake(), Cases: db.Cases(), Deadlines: db.Deadlines(), Typical: db.Typical(), Ping: db.Ping, Detector: det,
		Burden: db.Burden(), Channels: db.Channels(), Registry: db.Registry(), Campaigns: db.Campaigns(), Evaluation: db.Evaluation(), Cleanup: db.Cleanup(), Monitor: db.Monitor(), Notifications: db.Notifications()}, slog.New(slog.NewTextHandler(logOut, nil)))
	if err != nil {
		t.Fatal(err)
	}
	s := &acctServer{t: t, db: db, fx: fx, key: key, srv: httptest.NewServer(app.Handler())}
	t.Cleanup(s.srv.Close)
	return s
}

// createUser adds a user as the local operator (the command line).
func (s *acctServer) createUser(username, unitKey, password string, roles ...jianfu.Role) *jianfu.User {
	s.t.Helper()
	u := &jianfu.User{Username: username, Name: username, UnitID: s.fx.Units[unitKey].ID, Roles: roles}
	if err := s.db.Users().CreateUser(storetest.System(), u, password); err != nil {
		s.t.Fatalf("create %s: %v", username, err)
	}
	return u
}

// token makes an API token for a user as the local operator.
func (s *acctServer) token(username string) string {
	s.t.Helper()
	tok, err := s.db.Users().CreateToken(storetest.System(), username, "test")
	if err != nil {
		s.t.Fatal(err)
	}
	return tok
}

// api sends a JSON request with a bearer token ("" for none).
func (s *acctServer) api(token, method, path string, body any) (int, map[string]any) {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.srv.URL+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// verify checks the audit chain as `jianfu audit verify` does.
func (s *acctServer) verify(cps ...*jianfu.AuditCheckpoint) *jianfu.AuditVerification {
	s.t.Helper()
	v, err := s.db.Audit().VerifyAudit(storetest.System(), cps...)
	if err != nil {
		s.t.Fatal(err)
	}
	return v
}

// acctBrowser is a person's browser: cookies, no redirects followed.
type acctBrowser struct {
	s *acctServer
	c *http.Client
}

func (s *acctServer) browser() *acctBrowser {
	jar, _ := cookiejar.New(nil)
	return &acctBrowser{s: s, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var (
	csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	errorText = regexp.MustCompile(`<div class="alert" role="alert"><strong>([^<]*)</strong>`)
)

// get fetches a page and returns status, body and the Location header.
func (b *acctBrowser) get(path string) (int, string, string) {
	b.s.t.Helper()
	resp, err := b.c.Get(b.s.srv.URL + path)
	if err != nil {
		b.s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Header.Get("Location")
}

// csrf reads the form token of a page.
func (b *acctBrowser) csrf(path string) string {
	b.s.t.Helper()
	_, body, _ := b.get(path)
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		b.s.t.Fatalf("no CSRF token on %s", path)
	}
	return m[1]
}

// post submits a form with the CSRF token of the page it came from.
func (b *acctBrowser) post(from, path string, form url.Values) (int, string, string) {
	b.s.t.Helper()
	if form.Get("csrf") == "" {
		form.Set("csrf", b.csrf(from))
	}
	req, _ := http.NewRequest("POST", b.s.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.s.srv.URL)
	resp, err := b.c.Do(req)
	if err != nil {
		b.s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Header.Get("Location")
}

// login signs in through the login form with a next page.
func (b *acctBrowser) login(username, password, next string) (int, string, string) {
	return b.post("/login", "/login", url.Values{"username": {username}, "password": {password}, "next": {next}})
}
