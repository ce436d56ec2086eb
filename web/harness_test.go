package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"jianfu"
	"jianfu/detect"
	"jianfu/store"
	"jianfu/store/storetest"
	"jianfu/web"
)

// harness is a running server over a fixture database.
type harness struct {
	t      testing.TB
	db     *store.DB
	fx     *storetest.Fixture
	srv    *httptest.Server
	app    *web.Server
	tokens map[string]string // fixture user key → API token
	routes []string          // "METHOD /path" of every API route
	public []string          // "METHOD /path" of the public API routes
}

func newHarness(t testing.TB, db *store.DB) *harness {
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
	s, err := web.New(web.Config{Version: "test", Hooks: testHooks, DeliveryChannels: jianfu.DeliveryChannels}, web.Services{Regions: db.Regions(), Units: db.Units(), Users: db.Users(), Audit: db.Audit(), Intake: db.Intake(), Cases: db.Cases(), Deadlines: db.Deadlines(), Typical: db.Typical(), Ping: db.Ping, Detector: det,
		Burden: db.Burden(), Channels: db.Channels(), Registry: db.Registry(), Ingest: testPipeline(t, db, det), Campaigns: db.Campaigns(), Evaluation: db.Evaluation(), Cleanup: db.Cleanup(), Monitor: db.Monitor(), Notifications: db.Notifications(), Deliveries: db.Deliveries(), Holidays: db.Holidays()}, slog.New(slog.NewTextHandler(logOut, nil)))
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, db: db, fx: fx, srv: httptest.NewServer(s.Handler()), app: s, tokens: map[string]string{}, routes: s.APIRoutes(), public: s.PublicAPIRoutes()}
	t.Cleanup(h.srv.Close)
	for key, u := range fx.Users {
		tok, err := db.Users().CreateToken(storetest.System(), u.Username, "test")
		if err != nil {
			t.Fatal(err)
		}
		h.tokens[key] = tok
	}
	return h
}

// actor returns the actor of a fixture user, as the server sees it.
func (h *harness) actor(key string) *jianfu.Actor {
	a, err := h.db.Users().TokenActor(context.Background(), h.tokens[key])
	if err != nil {
		h.t.Fatal(err)
	}
	return a
}

// do sends a request as a fixture user ("" for anonymous) and returns the
// status and the decoded JSON body.
func (h *harness) do(user, method, path string, body any) (int, map[string]any) {
	h.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, h.srv.URL+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+h.tokens[user])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func items(body map[string]any) []map[string]any {
	raw, _ := body["items"].([]any)
	out := make([]map[string]any, len(raw))
	for i, v := range raw {
		out[i], _ = v.(map[string]any)
	}
	return out
}
