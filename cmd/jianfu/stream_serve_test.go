package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/spf13/cobra"

	"jianfu/store"
	"jianfu/store/storetest"
)

// lockedBuffer is the serve log, written from NATS's goroutines too.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// serve --ingest stream as a client sees it (issue 16): a batch is
// answered 202 "queued" with no duplicates or findings count, the same
// batch again likewise (the workers count it once, later); with JetStream
// gone a batch is answered 503 with Retry-After at once — not 500, and
// not after a hang: the client here gives up after five seconds — the
// loss and the return are logged, /metrics says jianfu_stream_connected 0
// and /readyz is red; once NATS is back batches are taken again.
func TestServeStreamWhenNATSGoes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		opts := &server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true}
		ns, err := server.NewServer(opts)
		if err != nil {
			t.Fatal(err)
		}
		go ns.Start()
		if !ns.ReadyForConnections(10 * time.Second) {
			t.Fatal("nats-server did not start")
		}
		t.Cleanup(func() { ns.Shutdown() })
		port := ns.Addr().(*net.TCPAddr).Port

		fx := storetest.Load(t, db)
		g := storetest.Groups(t, db, fx)
		groups := []int64{g["southEdu"].ID, g["school"].ID}
		token, err := db.Users().CreateToken(storetest.System(), fx.Users["provSup"].Username, "stream-test")
		if err != nil {
			t.Fatal(err)
		}
		adminToken, err := db.Users().CreateToken(storetest.System(), fx.Users["provAdmin"].Username, "metrics")
		if err != nil {
			t.Fatal(err)
		}

		var f serveFlags
		cmd := &cobra.Command{}
		f.add(cmd)
		if err := cmd.ParseFlags([]string{"--addr", "127.0.0.1:0", "--ingest", "stream", "--nats", ns.ClientURL(), "--pseudonym-key", storetest.PseudonymKey,
			"--monitor-interval", "0", "--min-free-disk-mb", "0"}); err != nil {
			t.Fatal(err)
		}
		logs := &lockedBuffer{}
		ctx, cancel := context.WithCancel(context.Background())
		addrc := make(chan string, 1)
		done := make(chan error, 1)
		go func() {
			done <- serve(ctx, db, f, slog.New(slog.NewTextHandler(logs, nil)), func(a string) { addrc <- a })
		}()
		t.Cleanup(func() { cancel(); <-done })
		var base string
		select {
		case a := <-addrc:
			base = "http://" + a
		case err := <-done:
			t.Fatalf("serve: %v", err)
		case <-time.After(30 * time.Second):
			t.Fatal("serve did not start")
		}

		client := &http.Client{Timeout: 5 * time.Second}
		post := func(body []byte) (*http.Response, map[string]any) {
			t.Helper()
			req, _ := http.NewRequest("POST", base+"/api/v1/messages", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				t.Fatalf("a batch was not answered: %v", err)
			}
			defer resp.Body.Close()
			var out map[string]any
			raw, _ := io.ReadAll(resp.Body)
			json.Unmarshal(raw, &out)
			return resp, out
		}
		get := func(path string) (int, string) {
			t.Helper()
			req, _ := http.NewRequest("GET", base+path, nil)
			req.Header.Set("Authorization", "Bearer "+adminToken) // /metrics is for a system administrator's token
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(raw)
		}

		batch := scaleBatch(0, 0, 50, groups)
		for i := 0; i < 2; i++ { // the batch, then the same batch again
			resp, out := post(batch)
			if _, has := out["duplicates"]; resp.StatusCode != 202 || out["queued"] != true || out["accepted"] != float64(50) || has || out["findings"] != nil {
				t.Fatalf("post %d: %d %v; want 202, queued, 50 accepted, no duplicates or findings count", i, resp.StatusCode, out)
			}
		}
		if _, m := get("/metrics"); !strings.Contains(m, "jianfu_stream_connected 1") {
			t.Fatalf("/metrics while connected:\n%s", grepLines(m, "jianfu_stream"))
		}

		ns.Shutdown()
		ns.WaitForShutdown()
		resp, out := post(scaleBatch(0, 1, 50, groups))
		msg, _ := out["error"].(map[string]any)["message"].(string)
		if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || !strings.Contains(msg, "消息队列") {
			t.Fatalf("a batch with NATS gone: %d Retry-After %q %v; want 503 with Retry-After saying the stream is unavailable", resp.StatusCode, resp.Header.Get("Retry-After"), out)
		}
		waitFor(t, 10*time.Second, func() bool { return strings.Contains(logs.String(), "NATS disconnected") })
		if _, m := get("/metrics"); !strings.Contains(m, "jianfu_stream_connected 0") {
			t.Fatalf("/metrics while disconnected:\n%s", grepLines(m, "jianfu_stream"))
		}
		if st, body := get("/readyz"); st != 503 || !strings.Contains(body, "NATS") {
			t.Fatalf("/readyz while disconnected: %d %s", st, body)
		}
		resp, _ = post(scaleBatch(0, 1, 50, groups)) // the client sends it again while NATS is still away
		if resp.StatusCode != 503 {
			t.Fatalf("again with NATS gone: %d, want 503", resp.StatusCode)
		}

		opts.Port = port // back where it was
		if ns, err = server.NewServer(opts); err != nil {
			t.Fatal(err)
		}
		go ns.Start()
		if !ns.ReadyForConnections(10 * time.Second) {
			t.Fatal("nats-server did not restart")
		}
		waitFor(t, 15*time.Second, func() bool { return strings.Contains(logs.String(), "NATS reconnected") })
		waitFor(t, 15*time.Second, func() bool {
			resp, out := post(scaleBatch(0, 1, 50, groups))
			return resp.StatusCode == 202 && out["queued"] == true
		})
		if _, m := get("/metrics"); !strings.Contains(m, "jianfu_stream_connected 1") {
			t.Fatalf("/metrics after NATS came back:\n%s", grepLines(m, "jianfu_stream"))
		}
	})
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func waitFor(t *testing.T, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
