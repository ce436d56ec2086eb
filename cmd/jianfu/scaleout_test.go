package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"

	"jianfu/ingest/stream"
	"jianfu/store"
	"jianfu/store/storetest"
)

// TestScaleOut runs the province topology on loopback: two serve replicas
// and two workers (real processes of this command) on one PostgreSQL
// database, with a three-node JetStream cluster (child processes) holding
// the message stream in three replicas. While two clients post message
// batches and citizens submit complaints, it kills one replica, one
// worker and one NATS node with SIGKILL. Clients retry a
// batch that was not accepted on the other replica, as a real one would;
// complaints are not retried (a citizen whose answer was lost may submit
// again; that is a second complaint). Afterwards every message is stored
// exactly once (the message keys and the daily counts both equal what was
// sent), every complaint answered with a tracking code is stored exactly
// once, and no periodic job ran twice in one interval (job_runs).
func TestScaleOut(t *testing.T) {
	if testing.Short() {
		t.Skip("the scale-out test builds the binary and runs for about two minutes")
	}
	if os.Getenv("JIANFU_TEST_POSTGRES") == "" {
		t.Skip("the scale-out test needs PostgreSQL (JIANFU_TEST_POSTGRES)")
	}
	deadline := time.Now().Add(4 * time.Minute)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()

	bin := filepath.Join(t.TempDir(), "jianfu")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	dsn := storetest.DSN(t, store.Postgres)
	db := storetest.OpenDSN(t, dsn)
	fx := storetest.Load(t, db)
	g := storetest.Groups(t, db, fx)
	groups := []int64{g["southEdu"].ID, g["school"].ID, g["northEdu"].ID, g["southCAC"].ID}
	token, err := db.Users().CreateToken(storetest.System(), fx.Users["provSup"].Username, "scale-out")
	if err != nil {
		t.Fatal(err)
	}

	// NATS: three nodes. The stream is made with one replica, as a
	// deployment that began on one node has it; serve and the workers
	// start with --stream-replicas 3 and raise it.
	nodes, natsURLs := natsCluster(t, 3)
	nc, js, err := stream.Connect(strings.Join(natsURLs, ","), "scale-out test")
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	for try := 0; ; try++ {
		sctx, scancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := stream.Setup(sctx, js, stream.Default)
		scancel()
		if err == nil {
			break
		}
		if try == 40 {
			t.Fatalf("set up the stream: %v", err)
		}
		time.Sleep(500 * time.Millisecond) // the cluster is still electing its meta leader
	}

	env := append(os.Environ(), "JIANFU_DB="+dsn, "JIANFU_PSEUDONYM_KEY=scale-out-test-pseudonym-key", "JIANFU_NATS="+strings.Join(natsURLs, ","), "JIANFU_INGEST=stream",
		"JIANFU_STREAM_REPLICAS=3")
	start := func(name string, args ...string) *exec.Cmd {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		logf, err := os.Create(filepath.Join(t.TempDir(), name+".log"))
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			cmd.Process.Signal(syscall.SIGTERM)
			cmd.Wait()
			logf.Close()
			if t.Failed() {
				b, _ := os.ReadFile(logf.Name())
				t.Logf("%s log (end):\n%s", name, tail(string(b), 3000))
			}
		})
		return cmd
	}
	addrs := []string{freeAddr(t), freeAddr(t)}
	var replicas []*exec.Cmd
	for i, a := range addrs {
		replicas = append(replicas, start(fmt.Sprintf("serve-%d", i), "serve", "--addr", a, "--trusted-proxies", "127.0.0.1", "--monitor-interval", "0", "--min-free-disk-mb", "0"))
	}
	workers := []*exec.Cmd{start("worker-0", "worker", "--parallel", "2", "--batch", "200"), start("worker-1", "worker", "--parallel", "2", "--batch", "200")}
	for _, a := range addrs {
		waitReady(t, ctx, "http://"+a)
	}
	if s, err := js.Stream(ctx, stream.Default.Stream); err != nil {
		t.Fatal(err)
	} else if info, err := s.Info(ctx); err != nil {
		t.Fatal(err)
	} else if info.Config.Replicas != 3 {
		t.Fatalf("the stream after serve --stream-replicas 3 (JIANFU_STREAM_REPLICAS): %d replicas, want 3", info.Config.Replicas)
	}
	// As an operator would, wait until the two new replicas have caught up
	// before a node is taken down: a node that dies while it holds the only
	// current copy leaves the stream without a leader (NATS, not jianfu).
	for deadline := time.Now().Add(90 * time.Second); ; {
		s, err := js.Stream(ctx, stream.Default.Stream)
		var info *jetstream.StreamInfo
		if err == nil {
			info, err = s.Info(ctx)
		}
		if err == nil && info.Cluster != nil && info.Cluster.Leader != "" && len(info.Cluster.Replicas) == 2 &&
			info.Cluster.Replicas[0].Current && info.Cluster.Replicas[1].Current {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the stream's replicas did not catch up: %+v %v", info, err)
		}
		time.Sleep(200 * time.Millisecond)
	}

	var alive [2]atomic.Bool
	alive[0].Store(true)
	alive[1].Store(true)
	client := &http.Client{Timeout: 10 * time.Second}

	// ingest: two clients, 30 batches of 200 messages each, a batch sent
	// again on the other replica until one accepts it
	const clients, batches, batchSize = 2, 30, 200
	var iwg sync.WaitGroup
	var retried, accepted atomic.Int64
	for c := range clients {
		iwg.Add(1)
		go func() {
			defer iwg.Done()
			for seq := range batches {
				body := scaleBatch(c, seq, batchSize, groups)
				for try := 0; ; try++ {
					r := (seq + try + c) % 2
					if !alive[r].Load() {
						continue
					}
					req, _ := http.NewRequestWithContext(ctx, "POST", "http://"+addrs[r]+"/api/v1/messages", bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", "Bearer "+token)
					resp, err := client.Do(req)
					if err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode == http.StatusAccepted || resp.StatusCode == http.StatusOK {
							accepted.Add(1)
							break
						}
					}
					if ctx.Err() != nil {
						t.Errorf("batch %d/%d never accepted", c, seq)
						return
					}
					retried.Add(1)
					time.Sleep(200 * time.Millisecond)
				}
			}
		}()
	}

	// complaints: four citizens at a time, each from its own address
	const complaints = 120
	codeRe := regexp.MustCompile(`[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}`)
	var cmu sync.Mutex
	acked := map[int]string{} // complaint number → tracking code
	var next atomic.Int64
	var cwg sync.WaitGroup
	for range 4 {
		cwg.Add(1)
		go func() {
			defer cwg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= complaints {
					return
				}
				r := i % 2
				if !alive[r].Load() {
					r = 1 - r
				}
				if code := submitComplaint(client, "http://"+addrs[r], i); codeRe.MatchString(code) {
					cmu.Lock()
					acked[i] = codeRe.FindString(code)
					cmu.Unlock()
				}
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}

	// the kills, when a third of the batches is in: both loads still run
	for accepted.Load() < clients*batches/3 && ctx.Err() == nil {
		time.Sleep(10 * time.Millisecond)
	}
	atKill, complaintsAtKill := accepted.Load(), next.Load()
	alive[0].Store(false)
	replicas[0].Process.Signal(syscall.SIGKILL)
	workers[0].Process.Signal(syscall.SIGKILL)
	nodes[1].Process.Signal(syscall.SIGKILL)
	t.Logf("killed serve-0, worker-0 and NATS node 1 after %d of %d batches and %d of %d complaints", atKill, clients*batches, min(complaintsAtKill, complaints), complaints)

	iwg.Wait()
	cwg.Wait()
	if t.Failed() {
		return
	}
	sent := int64(clients * batches * batchSize)

	// the surviving worker drains the stream, the dead one's unacknowledged
	// messages redelivered after the ack wait (one minute)
	var keys, counted int64
	for {
		if _, err := db.FoldBurden(ctx); err != nil {
			t.Fatal(err)
		}
		if err := db.SQL().QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM message_keys), (SELECT COALESCE(SUM(messages), 0) FROM burden_daily)`).Scan(&keys, &counted); err != nil {
			t.Fatal(err)
		}
		if keys >= sent && counted >= sent || ctx.Err() != nil {
			break
		}
		time.Sleep(time.Second)
	}
	if keys != sent || counted != sent {
		t.Errorf("messages: %d sent and accepted, %d stored, %d counted; want each exactly once", sent, keys, counted)
	}

	// complaints: each acknowledged one stored exactly once
	if len(acked) < complaints/2 {
		t.Errorf("only %d of %d complaints were answered with a tracking code", len(acked), complaints)
	}
	for i := range complaints {
		var n int
		if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM cases WHERE description LIKE $1`, "%"+complaintMarker(i)+"%").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if _, ok := acked[i]; ok && n != 1 || n > 1 {
			t.Errorf("complaint %d (answered %q) stored %d times", i, acked[i], n)
		}
	}

	// periodic jobs: one run per interval cluster-wide
	runs, err := db.Leases().Runs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	intervals := map[string]time.Duration{"case-deadlines": sweepEvery, "purge-sessions": time.Hour, "purge-rate-limits": 10 * time.Minute, "retention": 24 * time.Hour}
	byJob := map[string]int{}
	for i, r := range runs {
		byJob[r.Job]++
		if i > 0 && runs[i-1].Job == r.Job {
			every := intervals[r.Job]
			if every == 0 {
				every = time.Minute
			}
			if r.Started.Sub(runs[i-1].Started) < every-time.Second {
				t.Errorf("job %s ran twice in one interval: by %s at %s and by %s at %s", r.Job, runs[i-1].Holder, runs[i-1].Started, r.Holder, r.Started)
			}
		}
	}
	for job := range intervals {
		if byJob[job] == 0 {
			t.Errorf("job %s never ran", job)
		}
	}
	t.Logf("%d messages stored once (%d batch retries), %d of %d complaints answered and stored once, job runs %v", keys, retried.Load(), len(acked), complaints, byJob)
}

// natsCluster starts n JetStream nodes on loopback as child processes
// (this test binary running TestNATSNodeProcess), routed to each other,
// and returns them with their client URLs once each takes connections.
func natsCluster(t *testing.T, n int) ([]*exec.Cmd, []string) {
	t.Helper()
	clusterAddrs := make([]string, n)
	for i := range clusterAddrs {
		clusterAddrs[i] = freeAddr(t)
	}
	var nodes []*exec.Cmd
	var urls []string
	for i := range n {
		client := freeAddr(t)
		cmd := exec.Command(os.Args[0], "-test.run=^TestNATSNodeProcess$")
		cmd.Env = append(os.Environ(), "JIANFU_TEST_NATS_NODE="+strings.Join([]string{fmt.Sprintf("n%d", i), client, clusterAddrs[i], strings.Join(clusterAddrs, ","), t.TempDir()}, "|"))
		if os.Getenv("JIANFU_TEST_LOG") != "" {
			cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		nodes = append(nodes, cmd)
		urls = append(urls, "nats://"+client)
	}
	for _, u := range urls {
		for end := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			if c, err := net.Dial("tcp", strings.TrimPrefix(u, "nats://")); err == nil {
				c.Close()
				break
			}
			if time.Now().After(end) {
				t.Fatalf("NATS node %s did not start", u)
			}
		}
	}
	return nodes, urls
}

// TestNATSNodeProcess is one node of natsCluster when run as its child
// (JIANFU_TEST_NATS_NODE=name|client addr|cluster addr|all cluster addrs|store dir);
// it serves until killed.
func TestNATSNodeProcess(t *testing.T) {
	spec := os.Getenv("JIANFU_TEST_NATS_NODE")
	if spec == "" {
		t.Skip("a child process of TestScaleOut")
	}
	f := strings.Split(spec, "|")
	port := func(addr string) int {
		_, p, _ := net.SplitHostPort(addr)
		var n int
		fmt.Sscan(p, &n)
		return n
	}
	var routes []*url.URL
	for _, a := range strings.Split(f[3], ",") {
		routes = append(routes, &url.URL{Scheme: "nats", Host: a})
	}
	ns, err := server.NewServer(&server.Options{ServerName: f[0], Host: "127.0.0.1", Port: port(f[1]), JetStream: true, StoreDir: f[4], NoSigs: true,
		NoLog: os.Getenv("JIANFU_TEST_LOG") == "", Cluster: server.ClusterOpts{Name: "jianfu-test", Host: "127.0.0.1", Port: port(f[2])}, Routes: routes})
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("JIANFU_TEST_LOG") != "" {
		ns.ConfigureLogger()
	}
	ns.Start()
	ns.WaitForShutdown()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitReady(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if ctx.Err() != nil {
			t.Fatalf("%s never became ready", base)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func scaleBatch(client, seq, n int, groups []int64) []byte {
	type msg struct {
		ID      string `json:"id"`
		GroupID int64  `json:"group_id"`
		Time    string `json:"time"`
		Sender  string `json:"sender"`
		Text    string `json:"text"`
	}
	texts := []string{"今晚十点前请各位在群里接龙回复收到", "明天上午的会议改到三楼会议室", "请各校周五前上报学生安全教育照片,每人至少三张", "收到"}
	base := time.Now().Add(-12 * time.Hour)
	out := make([]msg, n)
	for i := range out {
		out[i] = msg{ID: fmt.Sprintf("scale-%d-%d-%d", client, seq, i), GroupID: groups[i%len(groups)], Time: base.Add(time.Duration(seq*n+i) * time.Second).Format(time.RFC3339),
			Sender: fmt.Sprintf("成员%d", i%37), Text: texts[i%len(texts)]}
	}
	b, _ := json.Marshal(out)
	return b
}

func complaintMarker(i int) string { return fmt.Sprintf("第%d号扩容测试反映", i) }

// submitComplaint fills in the public complaint form from the address
// 10.9.x.y (through the trusted proxy) and returns the answer page, "" on
// failure.
func submitComplaint(c *http.Client, base string, i int) string {
	ip := fmt.Sprintf("10.9.%d.%d", i/250, i%250+1)
	get, _ := http.NewRequest("GET", base+"/complaint", nil)
	get.Header.Set("X-Forwarded-For", ip)
	resp, err := c.Do(get)
	if err != nil {
		return ""
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		return ""
	}
	var cookies []string
	for _, ck := range resp.Cookies() {
		cookies = append(cookies, ck.Name+"="+ck.Value)
	}
	form := url.Values{"csrf": {string(m[1])}, "category": {"chain"}, "region": {"390102"},
		"description": {complaintMarker(i) + ":工作群每天晚上要求接龙回复收到,不回复的点名批评"}}
	post, _ := http.NewRequest("POST", base+"/complaint", strings.NewReader(form.Encode()))
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	post.Header.Set("X-Forwarded-For", ip)
	post.Header.Set("Cookie", strings.Join(cookies, "; "))
	resp, err = c.Do(post)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return ""
	}
	return string(body)
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
