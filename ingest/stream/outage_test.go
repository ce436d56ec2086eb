package stream_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"jianfu"
	"jianfu/ingest/stream"
	"jianfu/store"
	"jianfu/store/storetest"
)

// syncBuffer is a log sink the NATS handlers write to from their goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// With JetStream gone a batch is answered EUNAVAILABLE (503) by the
// publisher's own short timeout, not by the caller's deadline; the loss and
// the return of the connection are logged and show in the gauge; once back,
// a re-posted batch is answered "queued" without a duplicates count.
func TestPublisherWhenJetStreamIsGone(t *testing.T) {
	opts := &server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true}
	ns, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("embedded nats-server did not start")
	}
	defer func() { ns.Shutdown() }()

	db := storetest.Open(t, store.SQLite)
	f := storetest.Load(t, db)
	g := storetest.Groups(t, db, f)
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	nc, js, err := stream.Connect(ns.ClientURL(), "outage-test", stream.LogState(log)...)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	names := uniqueNames(t, js)
	if _, err := stream.Setup(context.Background(), js, names); err != nil {
		t.Fatal(err)
	}
	p := pipeline(t, db)
	ctx := f.Ctx(t, db, "provSup")
	msgs := messages(300, g)
	if stream.Connected(nc) != 1 {
		t.Fatal("gauge says disconnected while connected")
	}

	port := ns.Addr().(*net.TCPAddr).Port
	ns.Shutdown()
	ns.WaitForShutdown()
	// A publisher that does not look at the connection (an old wiring)
	// still gives up on its own, long before the caller's deadline.
	blind := &stream.Publisher{JS: js, Pipe: p, Names: names}
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	_, err = blind.Ingest(dctx, append([]jianfu.Message(nil), msgs...))
	cancel()
	if jianfu.ErrorCode(err) != jianfu.EUNAVAILABLE || !strings.Contains(err.Error(), "消息队列暂不可用") {
		t.Fatalf("publish with JetStream gone: %v, want unavailable", err)
	}
	waitFor(t, 10*time.Second, func() bool { return strings.Contains(logs.String(), "NATS disconnected") })
	if stream.Connected(nc) != 0 {
		t.Fatal("gauge says connected after the server went away")
	}
	pub := &stream.Publisher{JS: js, Pipe: p, Names: names, Conn: nc}
	if _, err := pub.Ingest(ctx, append([]jianfu.Message(nil), msgs...)); jianfu.ErrorCode(err) != jianfu.EUNAVAILABLE || !strings.Contains(err.Error(), "NATS") {
		t.Fatalf("publish while disconnected: %v, want unavailable naming NATS", err)
	}

	// the server comes back where it was
	opts.Port = port
	ns, err = server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server did not restart")
	}
	waitFor(t, 15*time.Second, func() bool { return stream.Connected(nc) == 1 })
	waitFor(t, 5*time.Second, func() bool { return strings.Contains(logs.String(), "NATS reconnected") })
	for i := 0; i < 2; i++ { // the batch, then the same batch again
		var res *jianfu.IngestResult
		waitFor(t, 15*time.Second, func() bool {
			res, err = pub.Ingest(ctx, append([]jianfu.Message(nil), msgs...))
			return err == nil
		})
		raw, _ := json.Marshal(res)
		if res.Accepted != len(msgs) || !res.Queued || strings.Contains(string(raw), "duplicates") || strings.Contains(string(raw), "findings") {
			t.Fatalf("answer %d: %s; want queued with no duplicates or findings count", i, raw)
		}
	}
}
