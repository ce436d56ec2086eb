package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"jianfu"
)

// The anonymous routes — the complaint form, tracking, typical cases,
// Open311, public verification and ratings — must not let anyone match a
// log line to a case: a complaint's creation time to the millisecond plus
// an address or a username names the reporter. So their requests get no
// log line of their own. They are counted per route and status, and once a
// minute one line per route and status is written, stamped with the
// minute, and the request metrics move by the same counts at the same
// moment. The client address only feeds the rate limits, which live in
// memory and forget idle addresses.

// anonymous marks a route whose caller the logs must not identify: no
// address, no user, no time finer than the minute; neither the audit
// entries its changes write.
func anonymous(next handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		return next(w, anonymize(r))
	}
}

func anonymize(r *http.Request) *http.Request {
	ri := info(r)
	ri.anon = true
	ctx := jianfu.WithClientIP(r.Context(), "")
	if ri.actor != nil {
		a := *ri.actor
		a.IP = ""
		ctx = jianfu.WithActor(ctx, &a)
	}
	return r.WithContext(ctx)
}

// publicLog gathers the requests of the anonymous routes until the minute
// ends.
type publicLog struct {
	mu     sync.Mutex
	minute time.Time
	counts map[publicKey][]time.Duration
	errs   []string // internal errors and panics, without their instant
	// tallies are the anonymous routes' own counters (verification
	// verdicts), moved when the minute ends too.
	tallies map[*prometheus.CounterVec]map[string]int
}

type publicKey struct {
	method, route string
	status        int
}

func newPublicLog() *publicLog {
	return &publicLog{counts: map[publicKey][]time.Duration{}, tallies: map[*prometheus.CounterVec]map[string]int{}}
}

// tally counts one for a label of an anonymous route's counter, added to
// the metrics when the minute ends.
func (l *publicLog) tally(c *prometheus.CounterVec, label string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.tallies[c] == nil {
		l.tallies[c] = map[string]int{}
	}
	l.tallies[c][label]++
}

func (l *publicLog) add(now time.Time, method, route string, status int, d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.counts) == 0 && len(l.errs) == 0 {
		l.minute = now.Truncate(time.Minute)
	}
	k := publicKey{method, route, status}
	l.counts[k] = append(l.counts[k], d)
}

func (l *publicLog) fail(now time.Time, msg string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.counts) == 0 && len(l.errs) == 0 {
		l.minute = now.Truncate(time.Minute)
	}
	if len(l.errs) < 100 {
		l.errs = append(l.errs, msg)
	}
}

// FlushMinute writes what is gathered per minute: the counts of the
// anonymous routes (log lines stamped with the minute, and the request
// metrics) and the audit entries of rejected callbacks. Serve calls it when
// each minute of the clock ends and at shutdown; tests call it to end a
// minute.
func (s *Server) FlushMinute() {
	s.flushPublicLog()
	s.flushHookRejects()
}

// flushPublicLog writes what the anonymous routes did since the last flush.
func (s *Server) flushPublicLog() {
	l := s.publicLog
	l.mu.Lock()
	counts, errs, tallies, minute := l.counts, l.errs, l.tallies, l.minute
	l.counts, l.errs, l.tallies = map[publicKey][]time.Duration{}, nil, map[*prometheus.CounterVec]map[string]int{}
	l.mu.Unlock()
	for c, labels := range tallies {
		for label, n := range labels {
			c.WithLabelValues(label).Add(float64(n))
		}
	}
	keys := make([]publicKey, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.route != b.route {
			return a.route < b.route
		}
		return a.status < b.status
	})
	ctx := context.Background()
	write := func(level slog.Level, msg string, attrs ...any) {
		if !s.log.Enabled(ctx, level) {
			return
		}
		rec := slog.NewRecord(minute, level, msg, 0)
		rec.Add(attrs...)
		s.log.Handler().Handle(ctx, rec)
	}
	for _, k := range keys {
		ds := counts[k]
		s.metrics.requests.WithLabelValues(k.method, k.route, fmt.Sprint(k.status)).Add(float64(len(ds)))
		for _, d := range ds {
			s.metrics.latency.WithLabelValues(k.method, k.route).Observe(d.Seconds())
		}
		level := slog.LevelInfo
		if k.status >= 500 {
			level = slog.LevelError
		}
		write(level, "public requests", "minute", minute.In(jianfu.China).Format("2006-01-02 15:04"), "method", k.method, "route", k.route, "status", k.status, "count", len(ds))
	}
	for _, e := range errs {
		write(slog.LevelError, "public request failed", "minute", minute.In(jianfu.China).Format("2006-01-02 15:04"), "err", e)
	}
}

// flushEveryMinute flushes as each minute of the clock ends, until ctx ends.
func (s *Server) flushEveryMinute(ctx context.Context) {
	for {
		now := time.Now()
		t := time.NewTimer(now.Truncate(time.Minute).Add(time.Minute).Sub(now))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
			s.FlushMinute()
		}
	}
}
