package stream_test

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"

	"jianfu"
	"jianfu/ingest/stream"
	"jianfu/store"
	"jianfu/store/storetest"
)

// cluster starts n routed JetStream servers in this process and returns
// their client URLs, joined for a client.
func cluster(t *testing.T, n int) string {
	t.Helper()
	free := func() int {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return l.Addr().(*net.TCPAddr).Port
	}
	ports := make([]int, n)
	var routes []*url.URL
	for i := range ports {
		ports[i] = free()
		routes = append(routes, &url.URL{Scheme: "nats", Host: fmt.Sprintf("127.0.0.1:%d", ports[i])})
	}
	var urls []string
	for i := range n {
		ns, err := server.NewServer(&server.Options{ServerName: fmt.Sprintf("n%d", i), Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(),
			NoLog: true, NoSigs: true, Cluster: server.ClusterOpts{Name: "jianfu-replicas", Host: "127.0.0.1", Port: ports[i]}, Routes: routes})
		if err != nil {
			t.Fatal(err)
		}
		go ns.Start()
		t.Cleanup(ns.Shutdown)
		if !ns.ReadyForConnections(10 * time.Second) {
			t.Fatal("nats node did not start")
		}
		urls = append(urls, ns.ClientURL())
	}
	return strings.Join(urls, ",")
}

// --stream-replicas: the stream is created with the replicas asked for; a
// stream with fewer (made on a one-node setup, or by an older version) is
// raised to them when serve or a worker starts; one with more, or asked
// for more than the cluster has nodes, is not lowered, and the second is
// refused in Chinese naming the count.
func TestStreamReplicas(t *testing.T) {
	nc, js, err := stream.Connect(cluster(t, 3), "replicas-test")
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	names := uniqueNames(t, js)
	replicas := func() int {
		t.Helper()
		s, err := js.Stream(context.Background(), names.Stream)
		if err != nil {
			t.Fatal(err)
		}
		info, err := s.Info(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return info.Config.Replicas
	}
	setup := func(n int) error {
		names.Replicas = n
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err := stream.Setup(ctx, js, names)
		return err
	}
	for try := 0; setup(1) != nil; try++ { // the cluster is still electing its meta leader
		if try == 40 {
			t.Fatal(setup(1))
		}
		time.Sleep(250 * time.Millisecond)
	}
	if r := replicas(); r != 1 {
		t.Fatalf("created with %d replicas, want 1", r)
	}
	if err := setup(3); err != nil {
		t.Fatal(err)
	}
	if r := replicas(); r != 3 {
		t.Fatalf("after --stream-replicas 3: %d replicas, want 3", r)
	}
	if err := setup(1); err != nil {
		t.Fatal(err)
	}
	if r := replicas(); r != 3 {
		t.Fatalf("a worker with the default started: %d replicas, want the 3 kept", r)
	}
	err = setup(5)
	if jianfu.ErrorCode(err) != jianfu.EUNAVAILABLE || !strings.Contains(err.Error(), "副本数 5") {
		t.Fatalf("five replicas on three nodes: %v, want refused naming the count", err)
	}
	if r := replicas(); r != 3 {
		t.Fatalf("after a refused update: %d replicas, want 3", r)
	}

	// a new stream on the cluster is created with the replicas at once
	fresh := uniqueNames(t, js)
	fresh.Replicas = 3
	if _, err := stream.Setup(context.Background(), js, fresh); err != nil {
		t.Fatal(err)
	}
	s, _ := js.Stream(context.Background(), fresh.Stream)
	if info, _ := s.Info(context.Background()); info.Config.Replicas != 3 {
		t.Fatalf("created with %d replicas, want 3", info.Config.Replicas)
	}
}

// A deployment that ran the unsharded stream: its consumer had every
// subject and messages wait under jianfu.messages.<group id>. A new worker
// narrows the old consumer to those subjects, adds the shards' consumers
// beside it, and stores both the waiting messages and new ones, each once.
func TestUpgradeFromUnshardedStream(t *testing.T) {
	srv := servers(t)[0]
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := storetest.Load(t, db)
		g := storetest.Groups(t, db, f)
		_, js, names := freshStream(t, srv.url)
		ctx := context.Background()
		// the consumer as the unsharded version made it
		if _, err := js.CreateOrUpdateConsumer(ctx, names.Stream, jetstream.ConsumerConfig{Durable: names.Durable, AckPolicy: jetstream.AckExplicitPolicy,
			MaxAckPending: 50000, MaxDeliver: -1, FilterSubject: names.Subject + ".>"}); err != nil {
			t.Fatal(err)
		}
		p := pipeline(t, db)
		pub := &stream.Publisher{JS: js, Pipe: p, Names: names}
		msgs := messages(600, g)
		old, err := p.Prepare(f.Ctx(t, db, "provSup"), append([]jianfu.Message(nil), msgs[:300]...))
		if err != nil {
			t.Fatal(err)
		}
		for i := range old.Msgs {
			m, err := pub.Encode(&old.Msgs[i], old.Groups[i])
			if err != nil {
				t.Fatal(err)
			}
			m.Subject = names.Subject + "." + strconv.FormatInt(old.Groups[i].ID, 10) // the old subject
			if _, err := js.PublishMsg(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		if res, err := pub.Ingest(f.Ctx(t, db, "provSup"), append([]jianfu.Message(nil), msgs[300:]...)); err != nil || res.Accepted != 300 {
			t.Fatalf("publish: %+v %v", res, err)
		}
		w := &stream.Worker{JS: js, Pipe: pipeline(t, db), Names: names, Parallel: 2, Batch: 100, AckWait: 5 * time.Second}
		runUntilDrained(t, w, 60*time.Second)
		if got, keys, findings := totals(t, db); got != 600 || keys != 600 || findings != expectFindings(msgs) {
			t.Errorf("counted %d messages, %d keys, %d findings; want 600, 600, %d", got, keys, findings, expectFindings(msgs))
		}
	})
}
