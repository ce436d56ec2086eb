package main

// Stream mode (-ingest stream): `jianfu serve --ingest stream`, a JetStream
// server and N `jianfu worker` processes, all real processes on loopback;
// the load posts batches as in inline mode, and what is measured is what
// the workers committed (the database's message count over the window),
// not what the API accepted into the stream.

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// streamRun is one measurement of the stream path with a number of workers.
type streamRun struct {
	workers           int
	stored, accepted  float64 // msgs/s over the window
	backlog           int64   // messages in the stream at the window's end
	workerCPU, pgCPU  float64 // CPU µs per stored message: all workers; their PostgreSQL backends
	serveCPU, natsCPU float64 // CPU µs per accepted message: serve; the JetStream server
	share             float64 // CPU of all of these over the window, in cores
	busy              float64 // the machine's CPU busy share over the window, %
	lockWait          float64 // PostgreSQL: share of the workers' active ingest statements waiting on a row lock of the groups' rows, %
	auditWait         float64 // … waiting for the audit chain's head (every transaction appends to it), %
	p50, p99, load    float64
	elapsed           time.Duration
	busy503           int64
}

// natsNode runs an embedded JetStream server (this program started as its
// own child with -nats-node) until it is signalled.
func natsNode(addr, dir string) {
	host, p, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(p)
	ns, err := server.NewServer(&server.Options{ServerName: "ingestload", Host: host, Port: port, JetStream: true, StoreDir: dir, NoLog: true, NoSigs: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	go ns.Start()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	ns.Shutdown()
	ns.WaitForShutdown()
}

// proc is a child process with its log in a temporary file.
type proc struct {
	name string
	cmd  *exec.Cmd
	logf *os.File
}

func startProc(name, bin string, env []string, args ...string) (*proc, error) {
	logf, err := os.CreateTemp("", "ingestload-"+name+"-*.log")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = append(os.Environ(), env...)
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	return &proc{name: name, cmd: cmd, logf: logf}, nil
}

// stop interrupts the process, waits for it (kills it after 30 s) and
// removes its log unless keepLog.
func (p *proc) stop(keepLog bool) {
	if p == nil || p.cmd.Process == nil {
		return
	}
	p.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		<-done
	}
	p.cmd.Process = nil
	p.logf.Close()
	if keepLog {
		fmt.Fprintf(os.Stderr, "%s's log: %s\n", p.name, p.logf.Name())
	} else {
		os.Remove(p.logf.Name())
	}
}

// cpu is the process's user and system CPU time so far, in seconds.
func (p *proc) cpu() float64 {
	if p == nil || p.cmd.Process == nil {
		return 0
	}
	return procCPU(p.cmd.Process.Pid)
}

func procCPU(pid int) float64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// the fields after the command name, which is in parentheses
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100 // USER_HZ
}

// machineCPU is the machine's busy and total CPU time so far (jiffies).
func machineCPU() (busy, total float64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)[1:]
	for i, v := range f {
		x, _ := strconv.ParseFloat(v, 64)
		total += x
		if i != 3 && i != 4 { // idle, iowait
			busy += x
		}
	}
	return busy, total
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func waitDial(addr string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("nothing answers at %s", addr)
}

// withParam adds a query parameter to a postgres:// URL.
func withParam(dsn, k, v string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	q.Set(k, v)
	u.RawQuery = q.Encode()
	return u.String()
}

// workerApp is the application_name of the workers' PostgreSQL sessions,
// so their lock waits can be told from other sessions on the server.
const workerApp = "ingestload-worker"

// runStream measures the stream path with n workers: a fresh JetStream
// server, serve in stream mode and n workers on dsn.
func runStream(bin, dsn, token string, groups []int64, n int, o streamOpts) (*streamRun, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	natsAddr, err := freePort()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "ingestload-nats-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	var procs []*proc
	failed := true
	defer func() {
		for i := len(procs) - 1; i >= 0; i-- {
			procs[i].stop(failed)
		}
	}()
	nn, err := startProc("nats", self, nil, "-nats-node", natsAddr, "-nats-dir", filepath.Join(dir, "js"))
	if err != nil {
		return nil, err
	}
	procs = append(procs, nn)
	if err := waitDial(natsAddr, 30*time.Second); err != nil {
		return nil, err
	}
	natsURL := "nats://" + natsAddr
	env := []string{"JIANFU_INGEST=stream", "JIANFU_NATS=" + natsURL}
	addr, srv, err := startServer(bin, dsn, env)
	if err != nil {
		return nil, err
	}
	procs = append(procs, srv)
	wdsn := dsn
	if strings.HasPrefix(dsn, "postgres") {
		wdsn = withParam(dsn, "application_name", workerApp)
	}
	var workers []*proc
	startWorkers := func() error {
		for i := 0; i < n; i++ {
			args := []string{"worker", "--db", wdsn, "--nats", natsURL, "--pseudonym-key", pseudonymKey, "--log-format", "json"}
			if o.parallel > 0 {
				args = append(args, "--parallel", strconv.Itoa(o.parallel))
			}
			if o.batch > 0 {
				args = append(args, "--batch", strconv.Itoa(o.batch))
			}
			w, err := startProc(fmt.Sprintf("worker-%d", i), bin, nil, args...)
			if err != nil {
				return err
			}
			procs = append(procs, w)
			workers = append(workers, w)
		}
		return nil
	}
	var fill *result
	if o.drain > 0 {
		// the backlog first, with no worker running: what the workers
		// then store is measured without the API's publishing beside them
		if fill, err = load(addr, token, groups, o.conns, o.batch1, o.drain, nil); err != nil {
			return nil, err
		}
	}
	if err := startWorkers(); err != nil {
		return nil, err
	}

	count, err := sql.Open(driverOf(dsn), dsn)
	if err != nil {
		return nil, err
	}
	defer count.Close()
	nc, err := nats.Connect(natsURL)
	if err != nil {
		return nil, err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}

	type mark struct {
		at                       time.Time
		stored                   int64
		workers, serve, nats, pg float64
		busy, total              float64
	}
	var marks [2]mark
	var sampleErr error
	take := func(i int) {
		m := mark{at: time.Now()}
		var s sql64
		// burden_daily lags what is stored by the burden journal's fold (about a
		// second) at both marks alike, so the rate between them holds
		if err := count.QueryRow(`SELECT COALESCE(SUM(messages), 0) FROM burden_daily`).Scan(&s); err != nil && sampleErr == nil {
			sampleErr = err
		}
		m.stored = int64(s)
		for _, w := range workers {
			m.workers += w.cpu()
		}
		m.serve, m.nats = srv.cpu(), nn.cpu()
		if strings.HasPrefix(dsn, "postgres") {
			// the workers' backends run on this machine too
			rows, err := count.Query(`SELECT pid FROM pg_stat_activity WHERE application_name = $1`, workerApp)
			if err == nil {
				for rows.Next() {
					var pid int
					if rows.Scan(&pid) == nil {
						m.pg += procCPU(pid)
					}
				}
				rows.Close()
			}
		}
		m.busy, m.total = machineCPU()
		marks[i] = m
	}
	// PostgreSQL: sample the workers' sessions for lock waits meanwhile
	var active, waiting, audit int
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	sampling := false
	measure := func(phase int) {
		take(phase)
		if phase == 0 && strings.HasPrefix(dsn, "postgres") {
			sampling = true
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					// the ingest transactions' statements; the 多头报送
					// clusterers (one per worker) take turns on burden_lock
					// by design and are left out
					var a, w, au int
					err := count.QueryRowContext(ctx, `SELECT COUNT(*),
						COUNT(*) FILTER (WHERE wait_event_type = 'Lock' AND query NOT LIKE '%audit_head%'),
						COUNT(*) FILTER (WHERE wait_event_type = 'Lock' AND query LIKE '%audit_head%')
						FROM pg_stat_activity WHERE application_name = $1 AND state = 'active'
						AND query NOT LIKE '%burden_lock%' AND query NOT LIKE '%cluster%'`, workerApp).Scan(&a, &w, &au)
					if err == nil {
						active += a
						waiting += w
						audit += au
					}
					select {
					case <-ctx.Done():
					case <-time.After(100 * time.Millisecond):
					}
				}
			}()
		}
		if phase == 1 {
			cancel()
		}
	}
	var r *result
	if fill == nil {
		r, err = load(addr, token, groups, o.conns, o.batch1, o.duration, measure)
	} else {
		time.Sleep(o.duration / 5) // the workers' warm-up
		measure(0)
		time.Sleep(o.duration)
		measure(1)
		r = &result{elapsed: o.duration, rate: fill.rate, p50: fill.p50, p99: fill.p99, load: loadAvg()}
	}
	cancel()
	wg.Wait()
	if err != nil {
		return nil, err
	}
	if sampleErr != nil {
		return nil, sampleErr
	}
	var backlog int64
	if s, err := js.Stream(context.Background(), "JIANFU_MESSAGES"); err == nil {
		backlog = int64(s.CachedInfo().State.Msgs)
	}
	a, b := marks[0], marks[1]
	secs := b.at.Sub(a.at).Seconds()
	stored := float64(b.stored - a.stored)
	out := &streamRun{workers: n, stored: stored / secs, accepted: r.rate, backlog: backlog, p50: r.p50, p99: r.p99, load: r.load, elapsed: r.elapsed, busy503: r.busy}
	if stored > 0 {
		out.workerCPU = (b.workers - a.workers) / stored * 1e6
		out.serveCPU = (b.serve - a.serve) / (r.rate * secs) * 1e6 // per accepted message
		out.natsCPU = (b.nats - a.nats) / (r.rate * secs) * 1e6
		out.pgCPU = (b.pg - a.pg) / stored * 1e6
	}
	out.share = (b.workers - a.workers + b.serve - a.serve + b.nats - a.nats + b.pg - a.pg) / secs
	if b.total > a.total {
		out.busy = (b.busy - a.busy) / (b.total - a.total) * 100
	}
	if sampling && active > 0 {
		out.lockWait = float64(waiting) / float64(active) * 100
		out.auditWait = float64(audit) / float64(active) * 100
	}
	failed = false
	return out, nil
}

type streamOpts struct {
	conns, batch1   int           // HTTP connections, messages per request
	parallel, batch int           // worker --parallel and --batch (0: the worker's defaults)
	drain           time.Duration // post this long before the workers start, then measure them alone
	duration        time.Duration
}

func driverOf(dsn string) string {
	if strings.HasPrefix(dsn, "postgres") {
		return "pgx"
	}
	return "sqlite"
}
