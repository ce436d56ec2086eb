package web

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"

	"jianfu"
)

// hookGuard protects the platform callbacks beyond their signatures: a
// signed request is accepted once (a DingTalk sign does not cover the body,
// so a captured timestamp/sign pair would carry any body until it is
// stale), each platform's callbacks are rate-limited, and rejects are
// audited once per source and minute with a count instead of a row each.
// Everything is kept in this process's memory: behind several server
// processes a captured pair could be replayed once per process within the
// window, which the message-id deduplication of the store then absorbs.
type hookGuard struct {
	seen    *onceSet
	limiter *loginLimiter // keyed by platform
	mu      sync.Mutex
	minute  time.Time
	rejects map[rejectSource]*rejectCount
}

type rejectSource struct{ platform, ip string }

type rejectCount struct {
	n      int
	reason string // the first reason of the minute
	route  string
}

// hookRate is the default number of callbacks a platform may send a minute.
const hookRate = 1200

func newHookGuard(perMinute int) *hookGuard {
	if perMinute <= 0 {
		perMinute = hookRate
	}
	return &hookGuard{seen: newOnceSet(200000), limiter: newLoginLimiter(perMinute, time.Minute), rejects: map[rejectSource]*rejectCount{}}
}

// reject counts a refused callback of a source for this minute's audit entry.
func (g *hookGuard) reject(now time.Time, platform, ip, route, reason string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.rejects) == 0 {
		g.minute = now.Truncate(time.Minute)
	}
	k := rejectSource{platform, ip}
	c := g.rejects[k]
	if c == nil {
		if len(g.rejects) >= 10000 { // a flood from many addresses: count it under one source
			k.ip = "*"
			if c = g.rejects[k]; c == nil {
				c = &rejectCount{reason: reason, route: route}
				g.rejects[k] = c
			}
		} else {
			c = &rejectCount{reason: reason, route: route}
			g.rejects[k] = c
		}
	}
	c.n++
}

// flush audits the rejects gathered since the last flush, one entry per
// platform and source address with the count.
func (s *Server) flushHookRejects() {
	g := s.hooks
	g.mu.Lock()
	rejects, minute := g.rejects, g.minute
	g.rejects = map[rejectSource]*rejectCount{}
	g.mu.Unlock()
	keys := make([]rejectSource, 0, len(rejects))
	for k := range rejects {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].platform < keys[j].platform || keys[i].platform == keys[j].platform && keys[i].ip < keys[j].ip
	})
	if len(keys) == 0 {
		return
	}
	at := minute.In(jianfu.China).Format("2006-01-02 15:04")
	region := s.hookRegion()
	for _, k := range keys {
		c := rejects[k]
		e := &jianfu.AuditEntry{ActorName: "webhook:" + k.platform, Action: "webhook.reject", ObjectType: "webhook", ObjectID: k.platform, IP: k.ip,
			RegionPath: region, Detail: fmt.Sprintf("%s 起1分钟内拒绝%d次(%s);首个原因:%s", at, c.n, c.route, c.reason)}
		if err := s.svc.Audit.RecordAudit(context.Background(), e); err != nil {
			s.log.Error("audit rejected webhooks", "err", err, "platform", k.platform, "count", c.n)
		}
		s.log.Warn("webhooks rejected", "platform", k.platform, "ip", k.ip, "minute", at, "count", c.n, "reason", c.reason)
	}
}

// hookRegion is the region a rejected callback concerns: its group is
// unknown (the request did not prove itself), so the deployment's top
// region — the province of a provincial deployment — whose auditors then
// see it; "" when there are several.
func (s *Server) hookRegion() string {
	root := ""
	tops, _, err := s.svc.Regions.FindRegions(jianfu.WithActor(context.Background(), jianfu.SystemActor("webhook")), jianfu.RegionFilter{Parent: &root, Page: jianfu.Page{Limit: 2}})
	if err != nil || len(tops) != 1 {
		return ""
	}
	return tops[0].Path
}

// onceSet remembers keys until their expiry, to accept each once.
type onceSet struct {
	mu   sync.Mutex
	max  int
	keys map[string]time.Time // key → until when it is remembered
}

func newOnceSet(max int) *onceSet { return &onceSet{max: max, keys: map[string]time.Time{}} }

// first records key until until and reports whether it was new. When the
// set is full even after forgetting the expired keys, it refuses (fails
// closed) rather than forget a key that could still be replayed.
func (o *onceSet) first(key string, until, now time.Time) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if exp, ok := o.keys[key]; ok && exp.After(now) {
		return false
	}
	if len(o.keys) >= o.max {
		for k, exp := range o.keys {
			if !exp.After(now) {
				delete(o.keys, k)
			}
		}
		if len(o.keys) >= o.max {
			return false
		}
	}
	o.keys[key] = until
	return true
}

// errReplay and errHookRate are the reasons of refused callbacks beyond
// their signatures.
var (
	errReplay   = fmt.Errorf("replayed: this signature was already accepted")
	errHookRate = fmt.Errorf("rate limited: too many callbacks from this platform this minute")
)

// hookAllowed applies the platform's rate limit; false means answered.
func (s *Server) hookAllowed(w http.ResponseWriter, r *http.Request, platform string) bool {
	if s.hooks.limiter.allow(platform, s.now()) {
		return true
	}
	s.hooks.reject(s.now(), platform, info(r).ip, r.Method+" "+r.URL.Path, errHookRate.Error())
	w.Header().Set("Retry-After", "60")
	http.Error(w, "too many requests", http.StatusTooManyRequests)
	return false
}

// hookOnce accepts a verified signature once within the window of its
// timestamp; false means refused and answered.
func (s *Server) hookOnce(w http.ResponseWriter, r *http.Request, platform, signature string, stamp time.Time, skew time.Duration) bool {
	if s.hooks.seen.first(platform+"\n"+signature, stamp.Add(skew), s.now()) {
		return true
	}
	s.rejectHook(w, r, platform, errReplay)
	return false
}
