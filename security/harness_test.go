// Package security holds the tests that replay the attacks of the
// security review (issue 12) against the real server: the web handler
// over a real store, on 127.0.0.1, on every engine where storage is
// involved. Each asserts the attack now fails.
package security

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"jianfu"
	"jianfu/detect"
	"jianfu/ingest"
	"jianfu/secret"
	"jianfu/store"
	"jianfu/store/storetest"
	"jianfu/web"
)

// server is the whole web server over a fixture database, driven from
// outside over HTTP, with its log and the security events the store
// reported.
type server struct {
	t      testing.TB
	db     *store.DB
	fx     *storetest.Fixture
	app    *web.Server
	srv    *httptest.Server
	logs   *logBuffer
	events *securityEvents
	key    *secret.AuditKey  // the audit key, when started by eachAudited
	tokens map[string]string // fixture user key → API token, made by startPrivacy
	group  *jianfu.Channel   // 望江中学教师工作群, made by startPrivacy
	appTok string            // the api_key of a third-party application, once made
}

// start starts the server over db with cfg (Version filled when empty).
func start(t testing.TB, db *store.DB, cfg web.Config) *server {
	t.Helper()
	fx := storetest.Load(t, db)
	events := &securityEvents{}
	db.SetSecurityNotifier(events)
	det, err := detect.New()
	if err != nil {
		t.Fatal(err)
	}
	keys, err := ingest.NewKeys(storetest.PseudonymKey)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Version == "" {
		cfg.Version = "test"
	}
	logs := &logBuffer{}
	var logOut io.Writer = logs
	if os.Getenv("JIANFU_TEST_LOG") != "" {
		logOut = io.MultiWriter(logs, os.Stderr)
	}
	app, err := web.New(cfg, web.Services{Regions: db.Regions(), Units: db.Units(), Users: db.Users(), Audit: db.Audit(), Intake: db.Intake(), Cases: db.Cases(),
		Deadlines: db.Deadlines(), Typical: db.Typical(), Ping: db.Ping, Detector: det, Burden: db.Burden(), Channels: db.Channels(), Registry: db.Registry(),
		Ingest: ingest.NewPipeline(det, db.Burden(), keys, nil), Campaigns: db.Campaigns(), Evaluation: db.Evaluation(), Cleanup: db.Cleanup(), Monitor: db.Monitor(), Notifications: db.Notifications()},
		slog.New(slog.NewTextHandler(logOut, nil)))
	if err != nil {
		t.Fatal(err)
	}
	s := &server{t: t, db: db, fx: fx, app: app, srv: httptest.NewServer(app.Handler()), logs: logs, events: events, tokens: map[string]string{}}
	t.Cleanup(s.srv.Close)
	return s
}

// eachAudited runs fn once per engine on a fresh server whose audit chain
// is keyed, as `jianfu serve --audit-key` runs it.
func eachAudited(t *testing.T, fn func(t *testing.T, s *server)) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			key, err := secret.ParseAuditKey(secret.NewAuditKeyString())
			if err != nil {
				t.Fatal(err)
			}
			s := start(t, storetest.Open(t, e, store.WithAuditKey(key)), web.Config{})
			s.key = key
			fn(t, s)
		})
	}
}

// startPrivacy starts the server with a reporter key, as `jianfu serve
// --reporter-key … --rater-key …` runs it. It adds two reporter_access
// holders, "keeper" in 江南区 and "northKeeper" in 江北区, makes a token
// for every fixture user and the school's work group.
func startPrivacy(t testing.TB, db *store.DB) *server {
	t.Helper()
	s := start(t, db, web.Config{})
	sealer, err := secret.ParseSealerKey(secret.NewSealerKey())
	if err != nil {
		t.Fatal(err)
	}
	db.SetReporterKey(sealer)
	for key, unit := range map[string]string{"keeper": "south", "northKeeper": "north"} {
		u := &jianfu.User{Username: strings.ToLower(key) + ".access", Name: "举报受理专员", UnitID: s.fx.Units[unit].ID, Roles: []jianfu.Role{jianfu.RoleReporterAccess}}
		if err := db.Users().CreateUser(storetest.System(), u, storetest.FixturePassword); err != nil {
			t.Fatal(err)
		}
		s.fx.Users[key] = u
	}
	for key, u := range s.fx.Users {
		s.tokens[key] = s.token(u.Username)
	}
	s.group = &jianfu.Channel{Kind: jianfu.KindGroup, Name: "望江中学教师工作群", UnitID: s.fx.Units["southSchool"].ID, Platform: "wechat", Owner: "李建国",
		Admins: []string{"孙丽华"}, Status: jianfu.StatusActive, Purpose: "工作沟通"}
	if err := db.Channels().CreateChannel(storetest.System(), s.group); err != nil {
		t.Fatal(err)
	}
	return s
}

// logBuffer is the server's log, safe for the handler's goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// securityEvents records the security events the store reports.
type securityEvents struct {
	mu      sync.Mutex
	entries []*jianfu.AuditEntry
}

func (h *securityEvents) SecurityEvent(_ context.Context, e *jianfu.AuditEntry) {
	h.mu.Lock()
	h.entries = append(h.entries, e)
	h.mu.Unlock()
}

// count is how many events of the action were heard.
func (h *securityEvents) count(action string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, e := range h.entries {
		if e.Action == action {
			n++
		}
	}
	return n
}

// createUser adds a user as the local operator (the command line).
func (s *server) createUser(username, unitKey, password string, roles ...jianfu.Role) *jianfu.User {
	s.t.Helper()
	u := &jianfu.User{Username: username, Name: username, UnitID: s.fx.Units[unitKey].ID, Roles: roles}
	if err := s.db.Users().CreateUser(storetest.System(), u, password); err != nil {
		s.t.Fatalf("create %s: %v", username, err)
	}
	return u
}

// token makes an API token for a user as the local operator.
func (s *server) token(username string) string {
	s.t.Helper()
	tok, err := s.db.Users().CreateToken(storetest.System(), username, "test")
	if err != nil {
		s.t.Fatal(err)
	}
	return tok
}

// appKey is the api_key of a third-party application account (Open311
// keys never belong to a person), made once per server.
func (s *server) appKey() string {
	s.t.Helper()
	if s.appTok == "" {
		app := &jianfu.User{Username: "app.12345", Name: "12345 市民热线应用", UnitID: s.fx.Units["city"].ID, Roles: []jianfu.Role{jianfu.RoleApp}}
		if err := s.db.Users().CreateUser(storetest.System(), app, ""); err != nil {
			s.t.Fatal(err)
		}
		key, err := s.db.Users().CreateToken(storetest.System(), app.Username, "open311")
		if err != nil {
			s.t.Fatal(err)
		}
		s.appTok = key
	}
	return s.appTok
}

// api sends a JSON request with a bearer token ("" for none) and decodes
// the JSON answer; an answer that is not JSON is under "raw".
func (s *server) api(token, method, path string, body any) (int, map[string]any) {
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
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	json.Unmarshal(raw, &out)
	if out == nil {
		out = map[string]any{"raw": string(raw)}
	}
	return resp.StatusCode, out
}

// apiAs is api with the token startPrivacy made for a fixture user key
// ("" for nobody).
func (s *server) apiAs(user, method, path string, body any) (int, map[string]any) {
	s.t.Helper()
	return s.api(s.tokens[user], method, path, body)
}

// open311 posts a service request as a third-party application does.
func (s *server) open311(form url.Values) (int, string) {
	s.t.Helper()
	form.Set("api_key", s.appKey())
	resp, err := http.PostForm(s.srv.URL+"/open311/v2/requests.json", form)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// verify checks the audit chain as `jianfu audit verify` does.
func (s *server) verify(cps ...*jianfu.AuditCheckpoint) *jianfu.AuditVerification {
	s.t.Helper()
	v, err := s.db.Audit().VerifyAudit(storetest.System(), cps...)
	if err != nil {
		s.t.Fatal(err)
	}
	return v
}

// caseByNumber finds a case as the county supervisor, over the API.
func (s *server) caseByNumber(number string) int64 {
	s.t.Helper()
	st, body := s.apiAs("southSup", "GET", "/api/v1/cases?q="+url.QueryEscape(number), nil)
	list, _ := body["items"].([]any)
	if st != 200 || len(list) != 1 {
		s.t.Fatalf("case %s: %d %v", number, st, body)
	}
	return int64(list[0].(map[string]any)["id"].(float64))
}

// transfer triages a case to the school's group and transfers it to the
// school, over the API, as the county supervisor.
func (s *server) transfer(id int64) {
	s.t.Helper()
	if st, body := s.apiAs("southSup", "POST", fmt.Sprintf("/api/v1/cases/%d/triage", id), map[string]any{"decision": "accept", "categories": []string{"chain"}, "channel_id": s.group.ID}); st != 200 {
		s.t.Fatalf("triage: %d %v", st, body)
	}
	if st, body := s.apiAs("southSup", "POST", fmt.Sprintf("/api/v1/cases/%d/transfer", id), map[string]any{"note": "请核实"}); st != 200 {
		s.t.Fatalf("transfer: %d %v", st, body)
	}
}

// browser is a person's browser: cookies, forms sent with the CSRF token
// of the page they come from.
type browser struct {
	s *server
	c *http.Client
	// header is added to every request (X-Forwarded-For in proxy tests).
	header http.Header
}

// browser is a browser that follows redirects.
func (s *server) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{s: s, c: &http.Client{Jar: jar}, header: http.Header{}}
}

// browserNoFollow is a browser that stops at redirects, so their
// Location can be read.
func (s *server) browserNoFollow() *browser {
	b := s.browser()
	b.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return b
}

// browserAs is a browser signed in as a fixture user key ("" for nobody).
func (s *server) browserAs(user string) *browser {
	s.t.Helper()
	b := s.browser()
	if user != "" {
		b.signIn(s.fx.Users[user].Username)
	}
	return b
}

var (
	csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	errorText = regexp.MustCompile(`<div class="alert" role="alert"><strong>([^<]*)</strong>`)
)

// do sends a request with the browser's header and cookies.
func (b *browser) do(req *http.Request) (*http.Response, string) {
	b.s.t.Helper()
	for k, v := range b.header {
		req.Header[k] = v
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// fetch gets a page.
func (b *browser) fetch(path string) (*http.Response, string) {
	b.s.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.s.srv.URL+path, nil)
	return b.do(req)
}

// get fetches a page and returns status, body and the Location header.
func (b *browser) get(path string) (int, string, string) {
	b.s.t.Helper()
	resp, body := b.fetch(path)
	return resp.StatusCode, body, resp.Header.Get("Location")
}

// csrf reads the form token of a page.
func (b *browser) csrf(path string) string {
	b.s.t.Helper()
	_, body := b.fetch(path)
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		b.s.t.Fatalf("no CSRF token on %s", path)
	}
	return m[1]
}

// submit sends a form to action with the CSRF token of the page at from,
// unless the form has one. The caller's form is left as it was, so it can
// be sent again from another browser.
func (b *browser) submit(from, action string, form url.Values) (*http.Response, string) {
	b.s.t.Helper()
	form = maps.Clone(form)
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf") == "" {
		form.Set("csrf", b.csrf(from))
	}
	req, _ := http.NewRequest(http.MethodPost, b.s.srv.URL+action, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.s.srv.URL)
	return b.do(req)
}

// post submits a form and returns status, body and the Location header.
func (b *browser) post(from, action string, form url.Values) (int, string, string) {
	b.s.t.Helper()
	resp, body := b.submit(from, action, form)
	return resp.StatusCode, body, resp.Header.Get("Location")
}

// upload posts a multipart form with a file from the page at from; length
// is the file's declared length, or -1 for none.
func (b *browser) upload(from, action string, fields map[string]string, name string, file io.Reader, length int64) (*http.Response, string) {
	b.s.t.Helper()
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	mw.WriteField("csrf", b.csrf(from))
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	mw.CreateFormFile("file", name)
	closing := "\r\n--" + mw.Boundary() + "--\r\n"
	req, _ := http.NewRequest(http.MethodPost, b.s.srv.URL+action, io.MultiReader(&head, file, strings.NewReader(closing)))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if length >= 0 {
		req.ContentLength = int64(head.Len()) + length + int64(len(closing))
	}
	return b.do(req)
}

// login signs in through the login form with a next page.
func (b *browser) login(username, password, next string) (int, string, string) {
	return b.post("/login", "/login", url.Values{"username": {username}, "password": {password}, "next": {next}})
}

// signIn logs a fixture user in with the fixture password and fails the
// test unless the browser lands past the login page.
func (b *browser) signIn(username string) {
	b.s.t.Helper()
	resp, body := b.submit("/login", "/login", url.Values{"username": {username}, "password": {storetest.FixturePassword}})
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path == "/login" {
		b.s.t.Fatalf("login %s: %d %s", username, resp.StatusCode, snippet(body))
	}
}

// snippet shortens a page for a failure message.
func snippet(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}
