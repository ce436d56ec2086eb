package web_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"jianfu/ingest/stream"
	"jianfu/store"
	"jianfu/store/storetest"
	"jianfu/web"
)

func getReady(t *testing.T, base string) (int, http.Header, map[string]any) {
	t.Helper()
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("/readyz: %v: %s", err, raw)
	}
	return resp.StatusCode, resp.Header, body
}

// /readyz is red, with the reason in Chinese, while the database cannot
// write or JetStream is gone, and green again after; /healthz stays green.
func TestReadyz(t *testing.T) {
	path := storetest.DSN(t, store.SQLite)
	db := storetest.OpenDSN(t, path, store.WithBusyTimeout(100*time.Millisecond))
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server did not start")
	}
	defer ns.Shutdown()
	nc, js, err := stream.Connect(ns.ClientURL(), "readyz-test")
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()

	storetest.Load(t, db)
	s, err := web.New(web.Config{Version: "test"}, web.Services{Regions: db.Regions(), Units: db.Units(), Users: db.Users(), Audit: db.Audit(), Ping: db.Ping,
		Ready: []web.ReadyCheck{{Name: "database", Check: db.ProbeWrite}, {Name: "stream", Check: func(ctx context.Context) error { return stream.Ready(ctx, nc, js) }}}}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()

	if st, _, body := getReady(t, srv.URL); st != 200 || body["status"] != "ready" {
		t.Fatalf("ready: %d %v", st, body)
	}

	other, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	lock, err := other.Begin()
	if err != nil {
		t.Fatal(err)
	}
	st, hdr, body := getReady(t, srv.URL)
	lock.Rollback()
	if st != 503 || hdr.Get("Retry-After") == "" || body["status"] != "not_ready" || !strings.Contains(body["message"].(string), "繁忙") {
		t.Fatalf("database locked: %d %v", st, body)
	}
	if resp, err := http.Get(srv.URL + "/healthz"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz while not ready: %v %v", resp.StatusCode, err)
	}
	if st, _, body := getReady(t, srv.URL); st != 200 {
		t.Fatalf("database free again: %d %v", st, body)
	}

	ns.Shutdown()
	ns.WaitForShutdown()
	st, _, body = getReady(t, srv.URL)
	if msg, _ := body["message"].(string); st != 503 || !strings.Contains(msg, "NATS") && !strings.Contains(msg, "JetStream") {
		t.Fatalf("JetStream down: %d %v", st, body)
	}
}
