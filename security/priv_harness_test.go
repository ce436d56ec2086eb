package security_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
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

	"jianfu"
	"jianfu/detect"
	"jianfu/ingest"
	"jianfu/secret"
	"jianfu/store"
	"jianfu/store/storetest"
	"jianfu/web"
)

// privServer is the whole web server over a fixture database with a
// reporter key, as `jianfu serve --reporter-key … --rater-key …` runs it,
// driven from outside over HTTP.
type privServer struct {
	t      *testing.T
	db     *store.DB
	fx     *storetest.Fixture
	url    string
	tokens map[string]string // fixture user key → API token
	group  *jianfu.Channel   // 望江中学教师工作群, of the school under 江南区教育局
	events *privHeard        // the security events the store reported
	app    string            // the api_key of a third-party application, once made
}

// privStart starts the server. It adds two reporter_access holders:
// "keeper" in 江南区 and "northKeeper" in 江北区.
func privStart(t *testing.T, db *store.DB) *privServer {
	t.Helper()
	fx := storetest.Load(t, db)
	sealer, err := secret.ParseSealerKey(secret.NewSealerKey())
	if err != nil {
		t.Fatal(err)
	}
	db.SetReporterKey(sealer)
	heard := &privHeard{}
	db.SetSecurityNotifier(heard)
	det, err := detect.New()
	if err != nil {
		t.Fatal(err)
	}
	keys, err := ingest.NewKeys(storetest.PseudonymKey)
	if err != nil {
		t.Fatal(err)
	}
	s, err := web.New(web.Config{Version: "test"}, web.Services{Regions: db.Regions(), Units: db.Units(), Users: db.Users(), Audit: db.Audit(), Intake: db.Intake(),
		Cases: db.Cases(), Deadlines: db.Deadlines(), Typical: db.Typical(), Ping: db.Ping, Detector: det, Burden: db.Burden(), Channels: db.Channels(),
		Registry: db.Registry(), Ingest: ingest.NewPipeline(det, db.Burden(), keys, nil), Campaigns: db.Campaigns(), Evaluation: db.Evaluation(),
		Cleanup: db.Cleanup(), Monitor: db.Monitor(), Notifications: db.Notifications()}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	p := &privServer{t: t, db: db, fx: fx, url: srv.URL, tokens: map[string]string{}, events: heard}
	for key, unit := range map[string]string{"keeper": "south", "northKeeper": "north"} {
		u := &jianfu.User{Username: strings.ToLower(key) + ".access", Name: "举报受理专员", UnitID: fx.Units[unit].ID, Roles: []jianfu.Role{jianfu.RoleReporterAccess}}
		if err := db.Users().CreateUser(storetest.System(), u, storetest.FixturePassword); err != nil {
			t.Fatal(err)
		}
		fx.Users[key] = u
	}
	for key, u := range fx.Users {
		tok, err := db.Users().CreateToken(storetest.System(), u.Username, "test")
		if err != nil {
			t.Fatal(err)
		}
		p.tokens[key] = tok
	}
	p.group = &jianfu.Channel{Kind: jianfu.KindGroup, Name: "望江中学教师工作群", UnitID: fx.Units["southSchool"].ID, Platform: "wechat", Owner: "李建国",
		Admins: []string{"孙丽华"}, Status: jianfu.StatusActive, Purpose: "工作沟通"}
	if err := db.Channels().CreateChannel(storetest.System(), p.group); err != nil {
		t.Fatal(err)
	}
	return p
}

// api sends a JSON request as a fixture user ("" for nobody) and decodes
// the JSON answer.
func (p *privServer) api(user, method, path string, body any) (int, map[string]any) {
	p.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, p.url+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+p.tokens[user])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatal(err)
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

// privBrowser is a person with a browser: cookies, and forms sent with
// the CSRF token of the page they are on.
type privBrowser struct {
	p *privServer
	c *http.Client
}

func (p *privServer) browser(user string) *privBrowser {
	jar, _ := cookiejar.New(nil)
	b := &privBrowser{p: p, c: &http.Client{Jar: jar}}
	if user != "" {
		if st, _ := b.post("/login", "/login", url.Values{"username": {p.fx.Users[user].Username}, "password": {storetest.FixturePassword}}); st != 200 {
			p.t.Fatalf("%s cannot log in: %d", user, st)
		}
	}
	return b
}

func (b *privBrowser) get(path string) (int, string) {
	b.p.t.Helper()
	resp, err := b.c.Get(b.p.url + path)
	if err != nil {
		b.p.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

var privCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// post fills the form of the page at from and sends it to action.
func (b *privBrowser) post(from, action string, form url.Values) (int, string) {
	b.p.t.Helper()
	_, page := b.get(from)
	m := privCSRF.FindStringSubmatch(page)
	if m == nil {
		b.p.t.Fatalf("no CSRF token on %s", from)
	}
	form.Set("csrf", m[1])
	resp, err := b.c.PostForm(b.p.url+action, form)
	if err != nil {
		b.p.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// open311 posts a service request as a third-party application does.
func (p *privServer) open311(form url.Values) (int, string) {
	p.t.Helper()
	form.Set("api_key", p.appKey())
	resp, err := http.PostForm(p.url+"/open311/v2/requests.json", form)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// caseByNumber finds a case as the county supervisor, over the API.
func (p *privServer) caseByNumber(number string) int64 {
	p.t.Helper()
	st, body := p.api("southSup", "GET", "/api/v1/cases?q="+url.QueryEscape(number), nil)
	list, _ := body["items"].([]any)
	if st != 200 || len(list) != 1 {
		p.t.Fatalf("case %s: %d %v", number, st, body)
	}
	return int64(list[0].(map[string]any)["id"].(float64))
}

// transfer triages a case to the school's group and transfers it to the
// school, over the API, as the county supervisor.
func (p *privServer) transfer(id int64) {
	p.t.Helper()
	if st, body := p.api("southSup", "POST", fmt.Sprintf("/api/v1/cases/%d/triage", id), map[string]any{"decision": "accept", "categories": []string{"chain"}, "channel_id": p.group.ID}); st != 200 {
		p.t.Fatalf("triage: %d %v", st, body)
	}
	if st, body := p.api("southSup", "POST", fmt.Sprintf("/api/v1/cases/%d/transfer", id), map[string]any{"note": "请核实"}); st != 200 {
		p.t.Fatalf("transfer: %d %v", st, body)
	}
}

// privHeard records the security events the store reports.
type privHeard struct {
	mu      sync.Mutex
	entries []*jianfu.AuditEntry
}

func (h *privHeard) SecurityEvent(_ context.Context, e *jianfu.AuditEntry) {
	h.mu.Lock()
	h.entries = append(h.entries, e)
	h.mu.Unlock()
}

// count is how many events of the action were heard.
func (h *privHeard) count(action string) int {
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

// appKey is the api_key of a third-party application account (Open311
// keys never belong to a person), made once per server.
func (p *privServer) appKey() string {
	p.t.Helper()
	if p.app == "" {
		app := &jianfu.User{Username: "app.12345", Name: "12345 市民热线应用", UnitID: p.fx.Units["city"].ID, Roles: []jianfu.Role{jianfu.RoleApp}}
		if err := p.db.Users().CreateUser(storetest.System(), app, ""); err != nil {
			p.t.Fatal(err)
		}
		key, err := p.db.Users().CreateToken(storetest.System(), app.Username, "open311")
		if err != nil {
			p.t.Fatal(err)
		}
		p.app = key
	}
	return p.app
}
