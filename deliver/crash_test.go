package deliver

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// TestOutboxChild is the sender process of TestKillDuringSend: it runs
// only when that test starts this binary with the database and gateway in
// its environment, and sends until it is killed.
func TestOutboxChild(t *testing.T) {
	dsn := os.Getenv("JIANFU_OUTBOX_CHILD_DSN")
	if dsn == "" {
		t.Skip("the child process of TestKillDuringSend")
	}
	db, err := store.Open(context.Background(), dsn, store.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		fmt.Fprintln(os.Stderr, "child: open:", err)
		os.Exit(3)
	}
	gw := &SMS{URL: os.Getenv("JIANFU_OUTBOX_CHILD_GATEWAY"), Body: `{"mobile":{{json .Mobile}},"text":{{json .Text}}}`}
	s := &Sender{Store: db.Deliveries(), Channels: map[jianfu.DeliveryChannel]Channel{jianfu.ChannelSMS: gw},
		Workers: 1, Batch: 5, ClaimTTL: time.Second, Log: slog.New(slog.DiscardHandler)}
	for {
		if _, err := s.Run(context.Background()); err != nil {
			fmt.Fprintln(os.Stderr, "child: run:", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// gateway is the receiving SMS gateway of TestKillDuringSend. It counts
// raw requests per idempotency key — it does not drop repeats, so every
// double send shows — and can hold one request unanswered.
type gateway struct {
	mu       sync.Mutex
	raw      map[string]int
	order    []string
	holdAt   int           // hold the request with this ordinal (1-based); 0 for none
	held     chan string   // receives the held request's key
	release  chan struct{} // closed to let the held request go
	answered chan int      // receives each answered request's ordinal
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	key := r.Header.Get("Idempotency-Key")
	g.mu.Lock()
	g.raw[key]++
	g.order = append(g.order, key)
	n := len(g.order)
	hold := n == g.holdAt
	g.mu.Unlock()
	if hold {
		g.held <- key
		<-g.release // the sender is killed meanwhile: it never learns the outcome
		return
	}
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, `{"code":0}`)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	select {
	case g.answered <- n:
	default:
	}
}

func (g *gateway) counts() (map[string]int, int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := map[string]int{}
	for k, v := range g.raw {
		out[k] = v
	}
	return out, len(g.order)
}

// TestKillDuringSend: 30 notifications wait in the outbox of a database on
// disk; a sender process is killed with SIGKILL twice — once while the
// gateway holds a request unanswered (the sender cannot know whether it
// went), once right after the gateway answered a request (the sender may
// not have recorded it) — and a third process finishes. The gateway
// counts raw requests: every message arrived; a message was sent twice
// only where a kill left its outcome unknown, and then under the same
// idempotency key (by which the gateway, as a vendor does, delivers it
// once); a message recorded as sent was never sent again; every row ends
// sent.
func TestKillDuringSend(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) { killDuringSend(t, e) })
	}
}

func killDuringSend(t *testing.T, e store.Engine) {
	const n = 30
	dsn := storetest.DSN(t, e)
	db := storetest.OpenDSN(t, dsn)
	w := &world{db: db, f: storetest.Load(t, db), now: time.Now()}
	db.Now = time.Now
	w.channels(t, "eduAdmin", jianfu.UserChannel{Channel: jianfu.ChannelSMS, Address: "13900001111"})
	for i := range n {
		w.transfer(t, fmt.Sprintf("第%d个工作群每天要求教师接龙报平安", i+1))
	}

	g := &gateway{raw: map[string]int{}, holdAt: 7, held: make(chan string, 1), release: make(chan struct{}), answered: make(chan int, 100)}
	srv := httptest.NewServer(g)
	defer srv.Close()
	defer close(g.release)

	start := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestOutboxChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "JIANFU_OUTBOX_CHILD_DSN="+dsn, "JIANFU_OUTBOX_CHILD_GATEWAY="+srv.URL+"/send")
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	kill := func(cmd *exec.Cmd) {
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
	}
	timeout := time.After(60 * time.Second)

	// First process: killed while request 7 is held unanswered.
	child := start()
	var heldKey string
	select {
	case heldKey = <-g.held:
	case <-timeout:
		kill(child)
		t.Fatal("the gateway never got request 7")
	}
	kill(child)

	// Second process: killed right after the gateway answered request 15.
	child = start()
	for done := false; !done; {
		select {
		case k := <-g.answered:
			done = k >= 15
		case <-timeout:
			kill(child)
			t.Fatal("the gateway never answered request 15")
		}
	}
	kill(child)
	_, upTo := g.counts()
	g.mu.Lock()
	answeredKey := g.order[upTo-1]
	g.mu.Unlock()

	// Third process: finishes.
	child = start()
	defer kill(child)
	for {
		rows, total, err := db.Deliveries().FindDeliveries(w.as(t, "eduAdmin"), jianfu.DeliveryFilter{Status: jianfu.DeliverySent, Page: jianfu.Page{Limit: 100}})
		if err != nil {
			t.Fatal(err)
		}
		if total == n {
			keys := map[string]bool{}
			for _, r := range rows {
				keys[r.Key] = true
			}
			raw, requests := g.counts()
			dups := 0
			for k, c := range raw {
				if !keys[k] {
					t.Errorf("the gateway got a key the outbox does not have: %q", k)
				}
				if c > 1 {
					dups += c - 1
					if k != heldKey && k != answeredKey || c > 2 {
						t.Errorf("key %s sent %d times, though its outcome was known", k, c)
					}
				}
			}
			if len(raw) != n {
				t.Errorf("the gateway got %d distinct messages, want %d", len(raw), n)
			}
			if raw[heldKey] != 2 {
				t.Errorf("the message held at the kill went %d times, want 2 (once unanswered, once again under its key)", raw[heldKey])
			}
			if requests != n+dups {
				t.Errorf("%d raw requests for %d messages with %d repeats", requests, n, dups)
			}
			t.Logf("%s: %d messages, %d raw requests; repeated: held %s ×%d, answered-at-kill %s ×%d",
				e, n, requests, heldKey, raw[heldKey], answeredKey, raw[answeredKey])
			return
		}
		select {
		case <-timeout:
			raw, requests := g.counts()
			t.Fatalf("after 60 s only %d of %d rows sent; gateway saw %d requests (%d keys)", total, n, requests, len(raw))
		case <-time.After(100 * time.Millisecond):
		}
	}
}
