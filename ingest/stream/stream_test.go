package stream_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"jianfu"
	"jianfu/detect"
	"jianfu/ingest"
	"jianfu/ingest/stream"
	"jianfu/store"
	"jianfu/store/storetest"
)

// The test binary doubles as a worker process, so a test can kill a worker
// with SIGKILL in the middle of its work.
func TestMain(m *testing.M) {
	if os.Getenv("JIANFU_STREAM_CHILD") == "1" {
		os.Exit(childWorker())
	}
	os.Exit(m.Run())
}

var (
	detOnce sync.Once
	det     *detect.Detector
)

func detector() *detect.Detector {
	detOnce.Do(func() {
		var err error
		if det, err = detect.New(); err != nil {
			panic(err)
		}
	})
	return det
}

func pipeline(t testing.TB, db *store.DB) *ingest.Pipeline {
	keys, err := ingest.NewKeys(storetest.PseudonymKey)
	if err != nil {
		t.Fatal(err)
	}
	return ingest.NewPipeline(detector(), db.Burden(), keys, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
}

// childWorker runs a worker from the environment: it stores into the
// database at JIANFU_STREAM_DSN and, with JIANFU_STREAM_STALL set, stops
// after committing its third batch without acknowledging it, leaving a
// marker file for the parent to kill it by.
func childWorker() int {
	ctx := context.Background()
	db, err := store.Open(ctx, os.Getenv("JIANFU_STREAM_DSN"), storetest.Rules)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	keys, _ := ingest.NewKeys(storetest.PseudonymKey)
	_, js, err := stream.Connect(os.Getenv("JIANFU_STREAM_NATS"), "child")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	var names stream.Names
	json.Unmarshal([]byte(os.Getenv("JIANFU_STREAM_NAMES")), &names)
	w := &stream.Worker{JS: js, Pipe: ingest.NewPipeline(detector(), db.Burden(), keys, nil), Names: names, Parallel: 2, Batch: 100, AckWait: 2 * time.Second}
	if marker := os.Getenv("JIANFU_STREAM_STALL"); marker != "" {
		var mu sync.Mutex
		batches := 0
		w.AfterCommit = func(int) {
			mu.Lock()
			batches++
			n := batches
			mu.Unlock()
			if n >= 3 {
				os.WriteFile(marker, []byte("committed"), 0o644)
				time.Sleep(time.Hour) // killed here: stored, never acknowledged
			}
		}
	}
	w.Run(ctx)
	return 0
}

// natsServer is a JetStream server a test runs against.
type natsServer struct{ name, url string }

// servers returns an embedded nats-server in this process, and the server
// at 127.0.0.1:4222 when one answers.
func servers(t *testing.T) []natsServer {
	t.Helper()
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("embedded nats-server did not start")
	}
	t.Cleanup(ns.Shutdown)
	out := []natsServer{{"embedded", ns.ClientURL()}}
	if c, err := net.DialTimeout("tcp", "127.0.0.1:4222", 300*time.Millisecond); err == nil {
		c.Close()
		out = append(out, natsServer{"local4222", "nats://127.0.0.1:4222"})
	} else {
		t.Logf("no NATS server at 127.0.0.1:4222: running on the embedded server only")
	}
	return out
}

// uniqueNames keeps tests apart on a shared server.
// freshStream connects to the server at url and sets up a stream of its
// own (deleted when the test ends).
func freshStream(t *testing.T, url string) (*nats.Conn, jetstream.JetStream, stream.Names) {
	t.Helper()
	nc, js, err := stream.Connect(url, "test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	names := uniqueNames(t, js)
	if _, err := stream.Setup(context.Background(), js, names); err != nil {
		t.Fatal(err)
	}
	return nc, js, names
}

func uniqueNames(t *testing.T, js jetstream.JetStream) stream.Names {
	var b [4]byte
	rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	n := stream.Names{Stream: "JFTEST_" + id, Subject: "jianfu.test." + id + ".messages", Durable: "w" + id}
	t.Cleanup(func() { js.DeleteStream(context.Background(), n.Stream) })
	return n
}

var texts = []string{
	"@所有人 今晚10点前每人接龙报送走访照片",
	"收到",
	"明天上午9点在三楼会议室开会",
	"本周学习强国积分不足的同志将在全县通报",
	"好的,谢谢",
	"请各位老师转发这条推文到朋友圈并截图",
}

// messages makes n distinct messages over the fixture groups.
func messages(n int, groups map[string]*jianfu.Channel) []jianfu.Message {
	keys := []string{"southEdu", "school", "northEdu", "southCAC"}
	base := time.Date(2026, 3, 2, 8, 0, 0, 0, jianfu.China)
	out := make([]jianfu.Message, n)
	for i := range out {
		out[i] = jianfu.Message{ID: "s-" + strconv.Itoa(i), GroupID: groups[keys[i%len(keys)]].ID, Time: base.Add(time.Duration(i) * time.Minute),
			Sender: "成员" + strconv.Itoa(i%37), Text: texts[i%len(texts)]}
	}
	return out
}

func expectFindings(msgs []jianfu.Message) int {
	n := 0
	for _, m := range msgs {
		r := detector().Analyze(detect.Message{Text: m.Text, Time: m.Time})
		if r.Found() {
			n++
		}
	}
	return n
}

// totals reads what the store counted.
func totals(t *testing.T, db *store.DB) (msgs, keys, findings int) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.FoldBurden(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.SQL().QueryRowContext(ctx, `SELECT COALESCE(SUM(messages), 0) FROM burden_daily`).Scan(&msgs); err != nil {
		t.Fatal(err)
	}
	db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM message_keys`).Scan(&keys)
	db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM findings`).Scan(&findings)
	return
}

// consumed sums the workers' consumers (every shard's and the unsharded
// one): messages not yet delivered, delivered and unacknowledged, and
// deliveries in all.
func consumed(t *testing.T, js jetstream.JetStream, n stream.Names) (pending, ackPending, delivered uint64) {
	t.Helper()
	s, err := js.Stream(context.Background(), n.Stream)
	if err != nil {
		t.Fatal(err)
	}
	l := s.ListConsumers(context.Background())
	for info := range l.Info() {
		pending += info.NumPending
		ackPending += uint64(info.NumAckPending)
		delivered += info.Delivered.Consumer
	}
	if err := l.Err(); err != nil {
		t.Fatal(err)
	}
	return
}

// runUntilDrained runs w until its consumers have nothing pending or
// unacknowledged, then stops it and waits for its batches in flight.
func runUntilDrained(t *testing.T, w *stream.Worker, timeout time.Duration) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.Run(ctx) }()
	defer func() { cancel(); <-done }()
	drained(t, w.JS, w.Names, timeout)
}

// drained waits until the consumers have nothing pending or unacknowledged.
func drained(t *testing.T, js jetstream.JetStream, n stream.Names, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if p, a, d := consumed(t, js, n); p == 0 && a == 0 && d > 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	p, a, d := consumed(t, js, n)
	t.Fatalf("the stream was not drained in time (pending %d, ack pending %d, delivered %d)", p, a, d)
}

func openDB(t *testing.T, e store.Engine) (*store.DB, string) {
	dsn := storetest.DSN(t, e)
	db, err := store.Open(context.Background(), dsn, storetest.Rules)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db, dsn
}

// TestManyWorkersCountEachMessageOnce publishes through the API's publisher
// (and a second time raw, as a redelivering producer would) and lets two
// workers of four goroutines each consume in parallel.
func TestManyWorkersCountEachMessageOnce(t *testing.T) {
	for _, srv := range servers(t) {
		t.Run(srv.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				f := storetest.Load(t, db)
				g := storetest.Groups(t, db, f)
				_, js, names := freshStream(t, srv.url)
				ctx := context.Background()
				p := pipeline(t, db)
				pub := &stream.Publisher{JS: js, Pipe: p, Names: names}
				msgs := messages(2000, g)
				res, err := pub.Ingest(f.Ctx(t, db, "provSup"), append([]jianfu.Message(nil), msgs...))
				if err != nil || res.Accepted != 2000 || !res.Queued {
					t.Fatalf("publish: %+v %v", res, err)
				}
				// the same messages again without JetStream's dedup id
				again, err := p.Prepare(f.Ctx(t, db, "provSup"), append([]jianfu.Message(nil), msgs[:500]...))
				if err != nil {
					t.Fatal(err)
				}
				for i := range again.Msgs {
					m, err := pub.Encode(&again.Msgs[i], again.Groups[i])
					if err != nil {
						t.Fatal(err)
					}
					if _, err := js.PublishMsg(ctx, m); err != nil {
						t.Fatal(err)
					}
				}
				// a message out of the publisher's scope is refused before the stream
				res, _ = pub.Ingest(f.Ctx(t, db, "northSup"), msgs[:1])
				if res.Accepted != 0 || res.Rejected != 1 {
					t.Errorf("out-of-scope publish: %+v", res)
				}
				wctx, cancel := context.WithCancel(ctx)
				var wg sync.WaitGroup
				workers := []*stream.Worker{}
				for i := 0; i < 2; i++ {
					w := &stream.Worker{JS: js, Pipe: pipeline(t, db), Names: names, Parallel: 4, Batch: 200, AckWait: 2 * time.Second}
					workers = append(workers, w)
					wg.Add(1)
					go func() { defer wg.Done(); w.Run(wctx) }()
				}
				drained(t, js, names, 60*time.Second)
				cancel()
				wg.Wait()
				got, keys, findings := totals(t, db)
				if got != 2000 || keys != 2000 || findings != expectFindings(msgs) {
					t.Errorf("counted %d messages, %d keys, %d findings; want 2000, 2000, %d", got, keys, findings, expectFindings(msgs))
				}
				var acked int64
				for _, w := range workers {
					_, a := w.Stats()
					acked += a
				}
				// at least once: a batch slower than the ack wait is delivered
				// again, and acknowledged again, yet counted once
				if acked < 2500 {
					t.Errorf("acknowledged %d deliveries, want at least 2500", acked)
				}
			})
		})
	}
}

// TestKilledWorkerLosesAndDoublesNothing kills a worker process twice: once
// at the worst moment — its batch committed, not yet acknowledged — and once
// at a random point mid-stream. Another worker then finishes; every message
// acknowledged is counted exactly once.
func TestKilledWorkerLosesAndDoublesNothing(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, srv := range servers(t) {
		for _, e := range storetest.Engines {
			t.Run(srv.name+"/"+string(e), func(t *testing.T) {
				db, dsn := openDB(t, e)
				f := storetest.Load(t, db)
				g := storetest.Groups(t, db, f)
				_, js, names := freshStream(t, srv.url)
				ctx := context.Background()
				// the consumer exists before the child starts, with the short ack wait
				if _, err := stream.Consumers(ctx, js, names, 2*time.Second, 100); err != nil {
					t.Fatal(err)
				}
				msgs := messages(3000, g)
				pub := &stream.Publisher{JS: js, Pipe: pipeline(t, db), Names: names}
				if res, err := pub.Ingest(storetest.System(), append([]jianfu.Message(nil), msgs...)); err != nil || res.Accepted != 3000 {
					t.Fatalf("publish: %+v %v", res, err)
				}
				nb, _ := json.Marshal(names)
				child := func(stall string) *exec.Cmd {
					cmd := exec.Command(exe, "-test.run=^$")
					cmd.Env = append(os.Environ(), "JIANFU_STREAM_CHILD=1", "JIANFU_STREAM_DSN="+dsn, "JIANFU_STREAM_NATS="+srv.url,
						"JIANFU_STREAM_NAMES="+string(nb), "JIANFU_STREAM_STALL="+stall)
					cmd.Stderr = os.Stderr
					if err := cmd.Start(); err != nil {
						t.Fatal(err)
					}
					return cmd
				}

				// 1. killed between commit and ack
				marker := filepath.Join(t.TempDir(), "committed")
				cmd := child(marker)
				waitFor(t, 60*time.Second, func() bool { _, err := os.Stat(marker); return err == nil })
				cmd.Process.Kill()
				cmd.Wait()
				stored1, _, _ := totals(t, db)
				// batches stored but not acknowledged: they will come again
				_, committedUnacked, _ := consumed(t, js, names)
				if stored1 == 0 {
					t.Fatal("the first worker stored nothing before it was killed")
				}

				// 2. killed at a random point of its work
				cmd = child("")
				waitFor(t, 60*time.Second, func() bool { n, _, _ := totals(t, db); return n >= stored1+600 })
				cmd.Process.Kill()
				cmd.Wait()
				stored2, _, _ := totals(t, db)
				t.Logf("killed after %d and %d messages stored", stored1, stored2)

				// 3. a healthy worker finishes
				w := &stream.Worker{JS: js, Pipe: pipeline(t, db), Names: names, Parallel: 2, Batch: 200, AckWait: 2 * time.Second}
				runUntilDrained(t, w, 90*time.Second)

				got, keys, findings := totals(t, db)
				if got != 3000 || keys != 3000 || findings != expectFindings(msgs) {
					t.Errorf("counted %d messages, %d keys, %d findings; want 3000, 3000, %d", got, keys, findings, expectFindings(msgs))
				}
				// The batches the first worker stored and never acknowledged
				// were delivered again (more deliveries than messages) and
				// still counted once.
				_, _, delivered := consumed(t, js, names)
				if committedUnacked == 0 || delivered <= 3000 {
					t.Errorf("the kill tested nothing: %d unacknowledged, %d deliveries of 3000 messages", committedUnacked, delivered)
				}
				t.Logf("%d messages delivered and unacknowledged at the kill (a stored batch among them); %d deliveries in all for 3000 messages, each counted once", committedUnacked, delivered)
				s, err := js.Stream(ctx, names.Stream)
				if err != nil {
					t.Fatal(err)
				}
				if info, _ := s.Info(ctx); info.State.Msgs != 0 {
					t.Errorf("%d messages left in the work queue", info.State.Msgs)
				}
			})
		}
	}
}

func waitFor(t *testing.T, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("timed out")
}

// The publisher is the one authorisation of a message's path through the
// stream: it resolves the groups in the caller's scope and seals each
// message with its group. Workers store what the seal vouches for without
// checking or reading the groups again, and drop what anyone else put on
// the subjects: unsealed, forged or altered messages, even for a group the
// forger names by id.
func TestStreamChecksOnceAndDropsForgeries(t *testing.T) {
	srv := servers(t)[0]
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := storetest.Load(t, db)
		g := storetest.Groups(t, db, f)
		_, js, names := freshStream(t, srv.url)
		ctx := context.Background()
		p := pipeline(t, db)
		pub := &stream.Publisher{JS: js, Pipe: p, Names: names}
		msgs := messages(1000, g)
		a0, s0 := db.IngestChecks()
		if res, err := pub.Ingest(f.Ctx(t, db, "provSup"), append([]jianfu.Message(nil), msgs...)); err != nil || res.Accepted != 1000 {
			t.Fatalf("publish: %+v %v", res, err)
		}

		// what someone with access to NATS but not the key could publish
		north := g["northEdu"]
		forged := jianfu.Message{ID: "forged", GroupID: north.ID, Time: msgs[0].Time, Text: "请各校今晚报送台账"}
		raw, _ := json.Marshal(forged)
		subject := names.Subject + "." + strconv.FormatInt(north.ID, 10)
		if _, err := js.Publish(ctx, subject, raw); err != nil { // unsealed, the old format
			t.Fatal(err)
		}
		bogus, err := pub.Encode(&forged, &jianfu.GroupInfo{ID: north.ID, UnitID: north.UnitID, RegionPath: "39", UnitPath: "/"})
		if err != nil {
			t.Fatal(err)
		}
		bogus.Header.Set(stream.SealHeader, "AAAA") // a made-up seal
		if _, err := js.PublishMsg(ctx, bogus); err != nil {
			t.Fatal(err)
		}
		// a sealed message of a group in scope, moved to another group
		south := g["southEdu"]
		inScope := jianfu.Message{ID: "moved", GroupID: south.ID, Time: msgs[0].Time, Text: "请各校今晚报送台账"}
		sealed, err := pub.Encode(&inScope, &jianfu.GroupInfo{ID: south.ID, UnitID: south.UnitID, RegionPath: "390102", UnitPath: f.Units["southEdu"].Path})
		if err != nil {
			t.Fatal(err)
		}
		sealed.Data = []byte(strings.ReplaceAll(string(sealed.Data), `"id":`+strconv.FormatInt(south.ID, 10), `"id":`+strconv.FormatInt(north.ID, 10)))
		sealed.Data = []byte(strings.ReplaceAll(string(sealed.Data), `"group_id":`+strconv.FormatInt(south.ID, 10), `"group_id":`+strconv.FormatInt(north.ID, 10)))
		if _, err := js.PublishMsg(ctx, sealed); err != nil {
			t.Fatal(err)
		}

		w := &stream.Worker{JS: js, Pipe: pipeline(t, db), Names: names, Parallel: 2, Batch: 300, AckWait: 5 * time.Second}
		runUntilDrained(t, w, 60*time.Second)

		if a, s := db.IngestChecks(); a-a0 != 1 || s-s0 != 1 {
			t.Errorf("1000 messages through the stream: %d authorisations and %d scope resolutions, want 1 and 1 (the publisher's)", a-a0, s-s0)
		}
		got, keys, _ := totals(t, db)
		if got != 1000 || keys != 1000 {
			t.Errorf("counted %d messages, %d keys; want the 1000 published, no forgery", got, keys)
		}
		if n := w.Refused(); n != 3 {
			t.Errorf("the worker refused %d messages, want the 3 forgeries", n)
		}
		var northMsgs int
		db.SQL().QueryRowContext(ctx, rebind(db, `SELECT COALESCE(SUM(messages), 0) FROM burden_daily WHERE group_id = ?`), north.ID).Scan(&northMsgs)
		if northMsgs != 250 {
			t.Errorf("the northern group has %d messages, want its 250", northMsgs)
		}
	})
}

// rebind writes a one-parameter query for the engine.
func rebind(db *store.DB, q string) string {
	if db.Engine() == store.Postgres {
		return strings.Replace(q, "?", "$1", 1)
	}
	return q
}

// A batch given back (a worker's commit failed and it sent NAK) waits for
// redelivery without showing as pending or redelivered in the consumer's
// counts; a worker must still take it, not pass its shard over for good.
func TestGivenBackBatchIsTakenAgain(t *testing.T) {
	srv := servers(t)[0]
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := storetest.Load(t, db)
		g := storetest.Groups(t, db, f)
		_, js, names := freshStream(t, srv.url)
		ctx := context.Background()
		cons, err := stream.Consumers(ctx, js, names, 30*time.Second, 200)
		if err != nil {
			t.Fatal(err)
		}
		pub := &stream.Publisher{JS: js, Pipe: pipeline(t, db), Names: names}
		msgs := messages(40, map[string]*jianfu.Channel{"southEdu": g["southEdu"], "school": g["southEdu"], "northEdu": g["southEdu"], "southCAC": g["southEdu"]})
		if res, err := pub.Ingest(f.Ctx(t, db, "provSup"), msgs); err != nil || res.Accepted != 40 {
			t.Fatalf("publish: %+v %v", res, err)
		}
		// a worker that fetched the batch and failed to store it
		// (the consumers may see a stored batch a moment after the
		// publish is acknowledged, so fetch until all of it was given back)
		given := map[uint64]bool{} // stream sequences (a message given back may be fetched again)
		for deadline := time.Now().Add(10 * time.Second); len(given) < 40 && time.Now().Before(deadline); {
			for _, c := range cons {
				b, err := c.FetchNoWait(200)
				if err != nil {
					t.Fatal(err)
				}
				for m := range b.Messages() {
					md, err := m.Metadata()
					if err != nil {
						t.Fatal(err)
					}
					m.Nak()
					given[md.Sequence.Stream] = true
				}
			}
			if len(given) < 40 {
				time.Sleep(20 * time.Millisecond)
			}
		}
		if len(given) != 40 {
			t.Fatalf("fetched %d messages to give back, want 40", len(given))
		}
		w := &stream.Worker{JS: js, Pipe: pipeline(t, db), Names: names, Parallel: 2, Batch: 200, AckWait: 30 * time.Second}
		runUntilDrained(t, w, 20*time.Second)
		if got, keys, _ := totals(t, db); got != 40 || keys != 40 {
			t.Errorf("stored %d messages (%d keys) after the batch was given back, want 40", got, keys)
		}
	})
}
