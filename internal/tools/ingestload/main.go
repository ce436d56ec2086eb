// Command ingestload measures message ingest as a deployment sees it: a
// real `jianfu serve` process, and this program as a separate client
// posting batches of realistic messages to POST /api/v1/messages over
// loopback HTTP with several connections at once.
//
// It prepares the database itself: a province with 1,000 work groups and an
// API token (once), then grows it to -grow messages by storing batches
// in-process through the same pipeline the server uses (detector, keyed
// hashes, the store's RecordObservations), so the grown database has
// exactly the tables and indexes real ingest makes. The grown history is
// spread over the -history-days before the last day; the load posts
// messages of the last 24 hours, 80% ordinary text.
//
//	go build -o /tmp/jianfu ./cmd/jianfu
//	go run ./internal/tools/ingestload -server /tmp/jianfu -db /tmp/load.db -grow 10000000 -duration 60s
//
// -server-profile FILE starts the server with its loopback profiler
// (serve --pprof) and saves a CPU profile of the measured seconds.
//
// With -ingest stream it starts a JetStream server (itself, with an
// embedded nats-server, as a child process), serve in stream mode and
// -workers `jianfu worker` processes, and measures what the workers commit
// (see stream.go):
//
//	go run ./internal/tools/ingestload -server /tmp/jianfu -db "$JIANFU_TEST_POSTGRES" -schema s -drop -ingest stream -workers 1,2,4 -drain 20s
//
// It prints one line in `go test -bench` format (read by
// internal/tools/benchtable), with the server's CPU time per message
// measured (from /proc):
//
//	BenchmarkIngestOverHTTPSQLite/stored=10000000  1  … ns/op  … msgs/s  … p50-ms  … p99-ms  … server-cpu-us/msg  … busy-503  … load
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"jianfu"
	"jianfu/detect"
	"jianfu/ingest"
	"jianfu/registry"
	"jianfu/store"
	"jianfu/textsim"
)

const (
	pseudonymKey = "ingestload-pseudonym-key-0123456789"
	loadUser     = "ingest.load"
	groupPrefix  = "ingestload-"
)

// ordinary is 80% of the traffic, demands 20%: one in twenty of them a
// request for material (1% of all messages) on one of forty subjects, so
// 多头报送 clustering has realistic work — the same request from several
// groups, not one wording repeated by every group all day.
var ordinary = []string{
	"收到", "好的", "收到,谢谢", "明天上午9点在三楼会议室召开工作例会,请相关同志准时参加",
	"本周值班表已经排好了,请查阅", "请问上次会议纪要在哪里可以看到?", "已发到邮箱,请查收",
	"关于春季森林防火的文件已印发,请各单位结合实际抓好落实", "这个事情我下午再跟进一下", "辛苦了",
	"今天下午的协调会改到四楼小会议室", "谢谢提醒", "明白", "附件是最新的政策解读,供大家学习参考",
	"下周二上午有上级检查组来调研,具体安排另行通知", "食堂本周五中午不供餐",
}

var demands = []string{
	"收到请回复1,22点前未回复的点名通报",
	"请大家今晚10点前在群里接龙打卡,截图上传",
	"请各位今晚下载学习强国app并截图发群里",
	"请大家今晚转发这篇推文并点赞,截图发群里",
	"今晚8点前每人在群里报平安定位打卡",
}

var subjects = []string{
	"安全生产", "森林防火", "防汛抗旱", "疫情防控", "乡村振兴", "营商环境", "文明创建", "环境整治", "信访维稳", "食品安全",
	"消防安全", "交通安全", "禁毒宣传", "反诈宣传", "垃圾分类", "河长制", "林长制", "耕地保护", "农房改造", "就业帮扶",
	"医保缴费", "养老保险", "义务教育", "控辍保学", "退役军人", "民族团结", "宗教事务", "统战工作", "党建引领", "作风建设",
	"政务公开", "数字政府", "网格管理", "人口普查", "经济普查", "项目建设", "招商引资", "财政预算", "审计整改", "督查考核",
}

// texts lists every text the load sends: ordinary ones, then demands, then
// the material requests.
func texts() []string {
	out := append(append([]string{}, ordinary...), demands...)
	for _, s := range subjects {
		out = append(out, "请各单位今天下班前报送"+s+"工作总结材料,逾期通报")
	}
	return out
}

var allTexts = texts()

// pick chooses a text index with the load's mix.
func pick(rng *rand.Rand) int {
	switch {
	case rng.IntN(5) != 0:
		return rng.IntN(len(ordinary))
	case rng.IntN(20) != 0:
		return len(ordinary) + rng.IntN(len(demands))
	default:
		return len(ordinary) + len(demands) + rng.IntN(len(subjects))
	}
}

func main() {
	dsn := flag.String("db", "", "database: a SQLite file path or a postgres:// URL")
	server := flag.String("server", "", "the jianfu binary to start (go build -o … ./cmd/jianfu); empty: grow only")
	grow := flag.Int64("grow", 0, "store messages in-process until the database holds this many")
	days := flag.Int("history-days", 90, "days of history the grown messages spread over")
	groups := flag.Int("groups", 1000, "work groups")
	conns := flag.Int("conns", 4, "concurrent HTTP connections")
	batch := flag.Int("batch", 1000, "messages per request")
	duration := flag.Duration("duration", 20*time.Second, "how long to measure (after a warm-up of a fifth of it)")
	name := flag.String("name", "IngestOverHTTP", "benchmark name printed (the engine's name is added)")
	suffix := flag.String("suffix", "", "added to the name after the engine's (e.g. EmptyBaseline)")
	schema := flag.String("schema", "", "PostgreSQL: work in this schema (created when missing)")
	drop := flag.Bool("drop", false, "PostgreSQL: drop -schema at the end")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the growing (in-process) to this file")
	serverProfile := flag.String("server-profile", "", "write a CPU profile of the server during the measurement to this file (serve --pprof on a loopback port)")
	mode := flag.String("ingest", "inline", "inline: serve stores what it is posted; stream: serve publishes to JetStream (a server this program starts) and -workers `jianfu worker` processes store")
	workerList := flag.String("workers", "2", "stream: the numbers of workers to measure, one run each (e.g. 1,2,4)")
	baseWorkers := flag.Int("baseline-workers", 2, "stream: the run with this many workers is the baseline of the others")
	wParallel := flag.Int("worker-parallel", 0, "stream: each worker's --parallel (0: its default)")
	wBatch := flag.Int("worker-batch", 0, "stream: each worker's --batch (0: its default)")
	drain := flag.Duration("drain", 0, "stream: post for this long with no worker running, then start the workers and measure what they store with the API idle (0: post while they work)")
	natsNodeAddr := flag.String("nats-node", "", "internal: run an embedded JetStream server at this address (with -nats-dir) until interrupted")
	natsDir := flag.String("nats-dir", "", "internal: the JetStream store directory of -nats-node")
	flag.Parse()
	if *natsNodeAddr != "" {
		natsNode(*natsNodeAddr, *natsDir)
		return
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if *dsn == "" {
		log.Fatal("-db is required")
	}
	ctx := context.Background()
	if *schema != "" {
		var err error
		if *dsn, err = inSchema(ctx, *dsn, *schema, *drop); err != nil {
			log.Fatal(err)
		}
		if *drop {
			defer dropSchema(*dsn, *schema)
		}
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := store.Open(ctx, *dsn, store.WithLogger(quiet), store.WithRules(registry.Rules{}, textsim.Requests{}))
	if err != nil {
		log.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	ids, err := setup(ctx, db, *groups)
	if err != nil {
		log.Fatal("setup: ", err)
	}
	stored, err := countStored(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	if *grow > stored {
		if err := growTo(ctx, db, ids, stored, *grow, *days); err != nil {
			log.Fatal("grow: ", err)
		}
		if stored, err = countStored(ctx, db); err != nil {
			log.Fatal(err)
		}
	}
	if *server == "" {
		db.Close()
		fmt.Fprintf(os.Stderr, "database holds %d messages\n", stored)
		return
	}
	token, err := db.Users().CreateToken(system(ctx), loadUser, "ingestload")
	if err != nil {
		log.Fatal(err)
	}
	db.Close()
	engine := "SQLite"
	if strings.HasPrefix(*dsn, "postgres") {
		engine = "Postgres"
	}
	if *mode == "stream" {
		o := streamOpts{conns: *conns, batch1: *batch, parallel: *wParallel, batch: *wBatch, duration: *duration, drain: *drain}
		for _, f := range strings.Split(*workerList, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 {
				log.Fatalf("-workers: %q is not a number of workers", f)
			}
			r, err := runStream(*server, *dsn, token, ids, n, o)
			if err != nil {
				log.Fatal(err)
			}
			base := ""
			if *drain > 0 {
				base = "Drain"
			}
			if n == *baseWorkers {
				base += "Baseline"
			}
			// stored-msgs/s first: what benchtable compares
			fmt.Printf("BenchmarkIngestStream%s%s%s/workers=%d\t1\t%d ns/op\t%.0f stored-msgs/s\t%.0f accepted-msgs/s\t%d backlog\t%.0f worker-cpu-µs/stored\t%.0f pg-cpu-µs/stored\t%.0f serve-cpu-µs/accepted\t%.0f nats-cpu-µs/accepted\t%.2f cores\t%.0f cpu-busy-%%\t%.0f row-lock-wait-%%\t%.0f audit-wait-%%\t%.1f p99-ms\t%d busy-503\t%.2f load\n",
				engine, *suffix, base, n, r.elapsed.Nanoseconds(), r.stored, r.accepted, r.backlog, r.workerCPU, r.pgCPU, r.serveCPU, r.natsCPU, r.share, r.busy, r.lockWait, r.auditWait, r.p99, r.busy503, r.load)
		}
		return
	}
	if *mode != "inline" {
		log.Fatalf("-ingest: inline or stream, not %q", *mode)
	}

	env := []string{"JIANFU_INGEST=inline"}
	pprofAddr := ""
	if *serverProfile != "" {
		if pprofAddr, err = freePort(); err != nil {
			log.Fatal(err)
		}
		env = append(env, "JIANFU_PPROF="+pprofAddr)
	}
	addr, srv, err := startServer(*server, *dsn, env)
	if err != nil {
		log.Fatal(err)
	}
	var profiled chan error
	if *serverProfile != "" {
		profiled = make(chan error, 1)
		go func() {
			time.Sleep(*duration / 5) // the warm-up
			profiled <- fetchProfile(pprofAddr, *duration, *serverProfile)
		}()
	}
	// the server's CPU over the measured seconds
	var cpu0, cpu1 float64
	r, err := load(addr, token, ids, *conns, *batch, *duration, func(phase int) {
		if phase == 0 {
			cpu0 = srv.cpu()
		} else {
			cpu1 = srv.cpu()
		}
	})
	if profiled != nil {
		if perr := <-profiled; perr != nil {
			log.Print("server profile: ", perr)
		}
	}
	srv.stop(err != nil)
	if err != nil {
		log.Fatal(err)
	}
	r.cpu = (cpu1 - cpu0) * 1e6 / float64(max(1, r.msgs))
	fmt.Printf("Benchmark%s%s%s/stored=%d\t1\t%d ns/op\t%.0f msgs/s\t%.1f p50-ms\t%.1f p99-ms\t%.1f server-cpu-us/msg\t%d busy-503\t%.2f load\n",
		*name, engine, *suffix, stored, r.elapsed.Nanoseconds(), r.rate, r.p50, r.p99, r.cpu, r.busy, r.load)
}

// inSchema returns dsn working in schema, which it creates when missing.
func inSchema(ctx context.Context, dsn, schema string, fresh bool) (string, error) {
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		return "", err
	}
	defer admin.Close()
	if fresh {
		admin.ExecContext(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE")
	}
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+schema); err != nil {
		return "", err
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func dropSchema(dsn, schema string) {
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		return
	}
	defer admin.Close()
	admin.Exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE")
}

func system(ctx context.Context) context.Context {
	return jianfu.WithActor(ctx, jianfu.SystemActor("ingestload"))
}

// setup creates, once, a province, its cyberspace office, the groups and
// the load's user; it returns the groups' ids.
func setup(ctx context.Context, db *store.DB, n int) ([]int64, error) {
	sys := system(ctx)
	ids, err := groupIDs(ctx, db)
	if err != nil || len(ids) >= n {
		return ids[:min(n, len(ids))], err
	}
	if len(ids) == 0 {
		if _, err := db.Regions().ImportRegions(sys, []*jianfu.Region{{Code: "390000", Path: "39", Name: "临江省", Level: jianfu.LevelProvince}}); err != nil {
			return nil, err
		}
		u := &jianfu.Unit{Name: "中共临江省委网络安全和信息化委员会办公室", Type: jianfu.UnitParty, RegionCode: "39", CreditCode: jianfu.MakeCreditCode("11", jianfu.CodeOfPath("39")[:6], "00000001")}
		if err := db.Units().CreateUnit(sys, u); err != nil {
			return nil, err
		}
		usr := &jianfu.User{Username: loadUser, Name: "接入压测", UnitID: u.ID, Roles: []jianfu.Role{jianfu.RoleSupervisor}, Phone: "13800001234"}
		if err := db.Users().CreateUser(sys, usr, "Bench-Pass-2026-Lj"); err != nil {
			return nil, err
		}
	}
	var unit int64
	if err := db.SQL().QueryRowContext(ctx, `SELECT id FROM units ORDER BY id LIMIT 1`).Scan(&unit); err != nil {
		return nil, err
	}
	for i := len(ids); i < n; i++ {
		c := &jianfu.Channel{Kind: jianfu.KindGroup, Name: fmt.Sprintf("压测工作群%04d", i+1), UnitID: unit, Platform: "wecom",
			PlatformID: fmt.Sprintf("%s%04d", groupPrefix, i+1), Owner: "周明远", MemberCount: 60, Status: jianfu.StatusActive, Purpose: "工作沟通"}
		if err := db.Channels().CreateChannel(sys, c); err != nil {
			return nil, err
		}
		ids = append(ids, c.ID)
	}
	return ids, nil
}

func groupIDs(ctx context.Context, db *store.DB) ([]int64, error) {
	q := `SELECT id FROM channels WHERE platform_id LIKE 'ingestload-%' ORDER BY id`
	rows, err := db.SQL().QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// countStored is how many messages the database has counted.
func countStored(ctx context.Context, db *store.DB) (int64, error) {
	if _, err := db.FoldBurden(ctx); err != nil { // what is acknowledged and not yet in burden_daily
		return 0, err
	}
	var n sql64
	err := db.SQL().QueryRowContext(ctx, `SELECT COALESCE(SUM(messages), 0) FROM burden_daily`).Scan(&n)
	return int64(n), err
}

type sql64 int64

func (s *sql64) Scan(v any) error {
	switch x := v.(type) {
	case int64:
		*s = sql64(x)
	case float64:
		*s = sql64(x)
	case []byte:
		n, err := strconv.ParseInt(string(x), 10, 64)
		*s = sql64(n)
		return err
	case string:
		n, err := strconv.ParseInt(x, 10, 64)
		*s = sql64(n)
		return err
	case nil:
		*s = 0
	default:
		return fmt.Errorf("unexpected %T", v)
	}
	return nil
}

// growTo stores messages in-process until the database holds want of them,
// through the store's own ingest path (RecordObservations: keys, daily
// aggregates, members, findings, audit), so the grown database has exactly
// the tables and indexes real ingest makes. Each distinct text is analysed
// once by the pipeline and its observation reused; the messages are fed in
// key order, which makes growing fast (each insert lands next to the last)
// and leaves the indexes as densely packed as a long-running database's
// would be after a VACUUM — not slower than real ones.
func growTo(ctx context.Context, db *store.DB, groupIDs []int64, have, want int64, days int) error {
	det, err := detect.New()
	if err != nil {
		return err
	}
	keys, err := ingest.NewKeys(pseudonymKey)
	if err != nil {
		return err
	}
	pipe := ingest.NewPipeline(det, db.Burden(), keys, slog.New(slog.NewTextHandler(io.Discard, nil)))
	sys := system(ctx)
	refs := make([]jianfu.GroupRef, len(groupIDs))
	for i, id := range groupIDs {
		refs[i] = jianfu.GroupRef{ID: id}
	}
	resolved, err := db.Burden().ResolveGroups(sys, refs)
	if err != nil {
		return err
	}
	infos := make([]*jianfu.GroupInfo, len(groupIDs))
	for i, r := range refs {
		infos[i] = resolved[r]
	}
	// each text alone, in a group of its own: the pipeline joins a demand
	// typed in pieces, and the templates are no such pieces
	now := time.Now()
	tmpl := make([]jianfu.Observation, len(allTexts))
	for i, t := range allTexts {
		g := infos[i%len(infos)]
		m := []jianfu.Message{{ID: "t" + strconv.Itoa(i), GroupID: g.ID, Time: now.Add(-time.Duration(i) * time.Hour), Sender: "模板" + strconv.Itoa(i), Text: t}}
		tmpl[i] = pipe.Analyze(sys, m, []*jianfu.GroupInfo{g})[0]
	}
	senders := make([]string, 60)
	for i := range senders {
		senders[i] = keys.Pseudonym("成员" + strconv.Itoa(i))
	}

	type rec struct {
		key    [16]byte
		at     int64 // unix seconds
		group  uint16
		sender uint8
		text   uint8
	}
	n := want - have
	recs := make([]rec, n)
	rng := rand.New(rand.NewPCG(uint64(have), uint64(now.UnixNano())))
	end := now.Add(-24 * time.Hour)
	span := int64(days) * 24 * 3600
	for i := range recs {
		r := &recs[i]
		r.group = uint16(rng.IntN(len(groupIDs)))
		r.at = end.Unix() - rng.Int64N(span)
		r.sender = uint8(rng.IntN(len(senders)))
		r.text = uint8(pick(rng))
		copy(r.key[:], keys.MessageKey(groupIDs[r.group], "g"+strconv.FormatInt(have+int64(i), 36), time.Unix(r.at, 0)))
	}
	sort.Slice(recs, func(i, j int) bool { return bytes.Compare(recs[i].key[:], recs[j].key[:]) < 0 })
	fmt.Fprintf(os.Stderr, "grow: %d messages made and sorted in %s\n", n, time.Since(now).Round(time.Second))

	t0 := time.Now()
	// four writers at once, as a server's connections would be: the store
	// merges their chunks into shared transactions
	const per, writers = 10000, 4
	var next, done atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			obs := make([]jianfu.Observation, 0, per)
			for failed.Load() == nil {
				start := int(next.Add(per) - per)
				if start >= len(recs) {
					return
				}
				obs = obs[:0]
				for i := start; i < min(start+per, len(recs)); i++ {
					r := &recs[i]
					o := tmpl[r.text]
					o.Key = r.key[:]
					o.GroupID, o.Group = groupIDs[r.group], infos[r.group]
					o.At = time.Unix(r.at, 0)
					o.Sender = senders[r.sender]
					if o.Finding != nil {
						f := *o.Finding
						f.At, f.Sender = o.At, o.Sender
						o.Finding = &f
					}
					obs = append(obs, o)
				}
				if _, err := db.Burden().RecordObservations(sys, jianfu.SourceAPI, obs); err != nil {
					failed.CompareAndSwap(nil, err)
					return
				}
				if n := done.Add(int64(len(obs))); n/per%100 == 0 {
					fmt.Fprintf(os.Stderr, "grow: %d messages stored, %.0f msgs/s\n", have+n, float64(n)/time.Since(t0).Seconds())
				}
			}
		}()
	}
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		return err
	}
	// what the server's clusterer would have done meanwhile
	t1 := time.Now()
	c, err := db.Burden().ClusterMaterial(sys, jianfu.ClusterWindow)
	fmt.Fprintf(os.Stderr, "grow: %d material findings clustered in %s\n", c, time.Since(t1).Round(time.Second))
	return err
}

// fetchProfile writes a CPU profile of d of the server to file.
func fetchProfile(addr string, d time.Duration, file string) error {
	resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, int(d.Seconds())))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// startServer starts `jianfu serve` on a free loopback port with env added
// to its environment (JIANFU_PPROF=addr for its profiler) and waits until it
// answers.
func startServer(bin, dsn string, env []string) (string, *proc, error) {
	addr, err := freePort()
	if err != nil {
		return "", nil, err
	}
	p, err := startProc("server", bin, env, "serve", "--db", dsn, "--addr", addr, "--pseudonym-key", pseudonymKey, "--monitor-interval", "0", "--log-format", "json")
	if err != nil {
		return "", nil, err
	}
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return addr, p, nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	p.stop(true)
	return "", nil, errors.New("the server did not start within 2 minutes")
}

type result struct {
	elapsed  time.Duration
	rate     float64
	p50, p99 float64
	load     float64
	cpu      float64 // the server's CPU time per message measured, µs (set by the caller)
	msgs     int64   // messages answered in the window
	busy     int64   // answers 503 (busy), each waited for and sent again
}

// load posts batches with conns connections, a fifth of d to warm up and
// then d measured; every batch must be answered 202. mark, when set, is
// called as the measurement begins (0) and ends (1).
func load(addr, token string, groups []int64, conns, batch int, d time.Duration, mark func(phase int)) (*result, error) {
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	tr := &http.Transport{MaxIdleConnsPerHost: conns, DisableCompression: true}
	client := &http.Client{Transport: tr, Timeout: 5 * time.Minute}
	warm := d / 5
	t0 := time.Now()
	measureFrom, measureTo := t0.Add(warm), t0.Add(warm+d)
	var mu sync.Mutex
	var lats []time.Duration
	var msgs, failed, busy atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for c := 0; c < conns; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(c), uint64(t0.UnixNano())))
			var body bytes.Buffer
			for seq := 0; time.Now().Before(measureTo); seq++ {
				body.Reset()
				now := time.Now()
				body.WriteByte('[')
				for i := 0; i < batch; i++ {
					if i > 0 {
						body.WriteByte(',')
					}
					t := now.Add(-time.Duration(rng.Int64N(int64(24 * time.Hour)))).Format(time.RFC3339)
					txt, _ := json.Marshal(allTexts[pick(rng)])
					fmt.Fprintf(&body, `{"id":"%s-%d-%d-%d","group_id":%d,"time":"%s","sender":"成员%d","text":%s}`,
						run, c, seq, i, groups[rng.IntN(len(groups))], t, rng.IntN(60), txt)
				}
				body.WriteByte(']')
				start := time.Now()
				var err error
				for {
					req, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/messages", bytes.NewReader(body.Bytes()))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", "Bearer "+token)
					resp, e := client.Do(req)
					if err = e; err != nil {
						break
					}
					msg, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode == http.StatusServiceUnavailable && time.Now().Before(measureTo) {
						// busy: a client waits as Retry-After says and sends the batch again
						busy.Add(1)
						wait, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
						time.Sleep(time.Duration(max(wait, 1)) * time.Second)
						continue
					}
					if resp.StatusCode != http.StatusAccepted {
						err = fmt.Errorf("status %d: %.300s", resp.StatusCode, msg)
					}
					break
				}
				end := time.Now()
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err)
					continue
				}
				if start.After(measureFrom) && end.Before(measureTo) {
					msgs.Add(int64(batch))
					mu.Lock()
					lats = append(lats, end.Sub(start))
					mu.Unlock()
				}
			}
		}()
	}
	if mark != nil {
		time.Sleep(time.Until(measureFrom))
		mark(0)
	}
	// the load average while the measurement runs, sampled at its end
	time.Sleep(time.Until(measureTo))
	if mark != nil {
		mark(1)
	}
	la := loadAvg()
	wg.Wait()
	if e := firstErr.Load(); e != nil {
		return nil, fmt.Errorf("%d batches failed, the first: %v", failed.Load(), e)
	}
	if len(lats) == 0 {
		return nil, errors.New("no batch completed within the measurement; give a longer -duration")
	}
	sort.Slice(lats, func(i, j int) bool { return lats[i] < lats[j] })
	pct := func(p float64) float64 {
		return float64(lats[min(len(lats)-1, int(p*float64(len(lats))))].Microseconds()) / 1000
	}
	// CPU per message over all messages answered in the window (batches
	// straddling its ends included, roughly what the CPU worked on)
	return &result{elapsed: d, rate: float64(msgs.Load()) / d.Seconds(), p50: pct(0.50), p99: pct(0.99), load: la, busy: busy.Load(),
		msgs: msgs.Load()}, nil
}

func loadAvg() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}
