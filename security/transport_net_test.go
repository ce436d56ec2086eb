// Package security holds the tests that replay the attacks of the
// security review (issue 12) against the real server: the web handler
// over a real store, on 127.0.0.1, on every engine where storage is
// involved. Each asserts the attack now fails.
package security

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"jianfu/detect"
	"jianfu/ingest"
	"jianfu/store"
	"jianfu/store/storetest"
	"jianfu/web"
)

// netServer is a running server over a fixture database, with its log.
type netServer struct {
	t    testing.TB
	db   *store.DB
	fx   *storetest.Fixture
	app  *web.Server
	srv  *httptest.Server
	logs *netLog
}

// netLog is the server's log, safe for the handler's goroutines.
type netLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *netLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *netLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// netStart starts the server over db with cfg (Version and Hooks filled
// when empty).
func netStart(t testing.TB, db *store.DB, cfg web.Config) *netServer {
	t.Helper()
	fx := storetest.Load(t, db)
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
	logs := &netLog{}
	app, err := web.New(cfg, web.Services{Regions: db.Regions(), Units: db.Units(), Users: db.Users(), Audit: db.Audit(), Intake: db.Intake(), Cases: db.Cases(),
		Deadlines: db.Deadlines(), Typical: db.Typical(), Ping: db.Ping, Detector: det, Burden: db.Burden(), Channels: db.Channels(), Registry: db.Registry(),
		Ingest: ingest.NewPipeline(det, db.Burden(), keys, nil), Campaigns: db.Campaigns(), Evaluation: db.Evaluation(), Cleanup: db.Cleanup(), Monitor: db.Monitor()},
		slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	s := &netServer{t: t, db: db, fx: fx, app: app, srv: httptest.NewServer(app.Handler()), logs: logs}
	t.Cleanup(s.srv.Close)
	return s
}

// netToken makes an API token for a fixture user.
func (s *netServer) netToken(username string) string {
	s.t.Helper()
	tok, err := s.db.Users().CreateToken(storetest.System(), username, "security test")
	if err != nil {
		s.t.Fatal(err)
	}
	return tok
}

// netBrowser is a browser with cookies, sending forms with their CSRF token.
type netBrowser struct {
	t    testing.TB
	base string
	c    *http.Client
	// header is added to every request (X-Forwarded-For in proxy tests).
	header http.Header
}

func (s *netServer) netBrowser() *netBrowser {
	jar, _ := cookiejar.New(nil)
	return &netBrowser{t: s.t, base: s.srv.URL, c: &http.Client{Jar: jar}, header: http.Header{}}
}

func (b *netBrowser) do(req *http.Request) (*http.Response, string) {
	b.t.Helper()
	for k, v := range b.header {
		req.Header[k] = v
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func (b *netBrowser) get(path string) (*http.Response, string) {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.base+path, nil)
	return b.do(req)
}

var netCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// post submits a form from the page at from with the page's CSRF token.
func (b *netBrowser) post(from, action string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	_, page := b.get(from)
	m := netCSRF.FindStringSubmatch(page)
	if m == nil {
		b.t.Fatalf("no CSRF token on %s", from)
	}
	form.Set("csrf", m[1])
	req, _ := http.NewRequest(http.MethodPost, b.base+action, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *netBrowser) login(username string) {
	b.t.Helper()
	resp, body := b.post("/login", "/login", url.Values{"username": {username}, "password": {storetest.FixturePassword}})
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path == "/login" {
		b.t.Fatalf("login %s: %d %s", username, resp.StatusCode, netSnippet(body))
	}
}

// netSnippet shortens a page for a failure message.
func netSnippet(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

// netCtx is a context for direct store calls of the test.
func netCtx() context.Context { return storetest.System() }
