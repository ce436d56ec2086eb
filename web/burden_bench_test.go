package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"jianfu"
	"jianfu/detect"
	"jianfu/ingest"
	"jianfu/ingest/stream"
	"jianfu/store"
	"jianfu/store/storetest"
	"jianfu/web"
)

// The ingestion benchmarks post batches of 10,000 messages to
// POST /api/v1/messages and measure until the answer (202: durable), next to
// a plain net/http handler that reads the body and answers 202 — the
// baseline of the HTTP and JSON transfer alone, in the same run.

const benchBatch = 10000

// quiet keeps the store's migration log out of the benchmark output.
var quiet = store.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))

var benchTexts = []string{
	"收到", "好的", "收到,谢谢", "明天上午9点在三楼会议室召开工作例会,请相关同志准时参加",
	"本周工作安排已上传共享盘,请查阅", "请问上次会议纪要在哪里可以看到?", "已发到邮箱,请查收",
	"关于春季森林防火的文件已印发,请各单位结合实际抓好落实", "这个事情我下午再跟进一下", "辛苦了",
	"今天下午的协调会改到四楼小会议室", "谢谢提醒", "明白", "附件是最新的政策解读,供大家学习参考",
	"下周二上午有上级检查组来调研,具体安排另行通知", "食堂本周五中午不供餐", "好的,我来处理", "感谢大家这段时间的辛苦付出",
	"@所有人 请各村今晚21点前接龙报送入户走访照片,联系人王科长13812345678",
	"收到请回复1,22点前未回复的点名通报",
}

// benchBody builds one batch of distinct messages spread over the groups.
func benchBody(seq int, groups []int64) []byte {
	var b bytes.Buffer
	b.Grow(benchBatch * 200)
	b.WriteByte('[')
	base := time.Now().Add(-48 * time.Hour)
	for i := 0; i < benchBatch; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		t := base.Add(time.Duration(i) * time.Second).Format(time.RFC3339)
		txt, _ := json.Marshal(benchTexts[i%len(benchTexts)])
		fmt.Fprintf(&b, `{"id":"b%d-%d","group_id":%d,"time":"%s","sender":"成员%d","text":%s}`, seq, i, groups[i%len(groups)], t, i%97, txt)
	}
	b.WriteByte(']')
	return b.Bytes()
}

func postBatch(b *testing.B, url, token string, body []byte) {
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 202 {
		b.Fatalf("status %d", resp.StatusCode)
	}
}

// runIngestBench posts b.N batches, each built outside the timer.
func runIngestBench(b *testing.B, url, token string, groups []int64) {
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		body := benchBody(i, groups)
		b.SetBytes(int64(len(body)))
		b.StartTimer()
		postBatch(b, url, token, body)
	}
	b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "msgs/s")
}

func BenchmarkBaselineHTTP(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	runIngestBench(b, srv.URL+"/api/v1/messages", "", []int64{1, 2, 3, 4})
}

// benchServer is a harness with groups for the ingestion benchmarks.
func benchServer(b *testing.B, db *store.DB, ing func(p *ingest.Pipeline) jianfu.Ingester) (*harness, []int64) {
	h := newHarness(b, db)
	g := storetest.Groups(b, db, h.fx)
	var groups []int64
	for _, k := range []string{"southEdu", "school", "northEdu", "southCAC"} {
		groups = append(groups, g[k].ID)
	}
	if ing != nil {
		det, _ := detect.New()
		keys, _ := ingest.NewKeys(storetest.PseudonymKey)
		pipe := ingest.NewPipeline(det, db.Burden(), keys, nil)
		s, err := web.New(web.Config{Version: "bench"}, web.Services{Regions: db.Regions(), Units: db.Units(), Users: db.Users(), Audit: db.Audit(), Detector: det, Burden: db.Burden(), Channels: db.Channels(), Ingest: ing(pipe)},
			slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			b.Fatal(err)
		}
		h.srv.Close()
		h.srv = httptest.NewServer(s.Handler())
		b.Cleanup(h.srv.Close)
	}
	return h, groups
}

func BenchmarkIngestHTTPSQLite(b *testing.B) {
	h, groups := benchServer(b, storetest.Open(b, store.SQLite, quiet), nil)
	runIngestBench(b, h.srv.URL+"/api/v1/messages", h.tokens["provSup"], groups)
}

func BenchmarkIngestHTTPPostgres(b *testing.B) {
	if os.Getenv("JIANFU_TEST_POSTGRES") == "" {
		// make bench does not set it: use the local server when it answers
		const local = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
		if db, err := store.Open(context.Background(), local, quiet, storetest.Rules); err == nil {
			db.Close()
			os.Setenv("JIANFU_TEST_POSTGRES", local)
		} else {
			b.Skip("no PostgreSQL: set JIANFU_TEST_POSTGRES to benchmark it")
		}
	}
	h, groups := benchServer(b, storetest.Open(b, store.Postgres, quiet), nil)
	runIngestBench(b, h.srv.URL+"/api/v1/messages", h.tokens["provSup"], groups)
}

// BenchmarkIngestStream goes through the stream: the API publishes each
// batch to an embedded JetStream server, two workers store into SQLite, and
// the clock stops when every message is stored.
func BenchmarkIngestStream(b *testing.B) {
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: b.TempDir(), NoLog: true, NoSigs: true})
	if err != nil {
		b.Fatal(err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		b.Fatal("nats-server did not start")
	}
	defer ns.Shutdown()
	nc, js, err := stream.Connect(ns.ClientURL(), "bench")
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	names := stream.Names{Stream: "JFBENCH", Subject: "jianfu.bench.messages", Durable: "bench"}
	if _, err := stream.Setup(context.Background(), js, names); err != nil {
		b.Fatal(err)
	}
	db := storetest.Open(b, store.SQLite, quiet)
	var pipe *ingest.Pipeline
	h, groups := benchServer(b, db, func(p *ingest.Pipeline) jianfu.Ingester {
		pipe = p
		return &stream.Publisher{JS: js, Pipe: p, Names: names}
	})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	workers := make([]*stream.Worker, 2)
	for i := range workers {
		workers[i] = &stream.Worker{JS: js, Pipe: pipe, Names: names, Parallel: 2, Batch: 2000}
		wg.Add(1)
		go func(w *stream.Worker) { defer wg.Done(); w.Run(ctx) }(workers[i])
	}
	defer func() { cancel(); wg.Wait() }()
	stored := func() int64 {
		var n int64
		for _, w := range workers {
			s, _ := w.Stats()
			n += s
		}
		return n
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		body := benchBody(i, groups)
		b.StartTimer()
		postBatch(b, h.srv.URL+"/api/v1/messages", h.tokens["provSup"], body)
	}
	for stored() < int64(b.N*benchBatch) {
		time.Sleep(2 * time.Millisecond)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "msgs/s")
}
