package stream_test

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"jianfu"
	"jianfu/ingest/stream"
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
