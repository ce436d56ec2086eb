// Package monitor is technical monitoring (技术监测): it checks the public
// pages and feeds of channels — reachable or not, how long it took, where
// redirects led, the last update shown by an RSS/Atom/JSON feed or by the
// page's metadata, and broken or outbound links — politely: a bounded number
// of requests at once, timeouts, a limit on redirects and on bytes read.
package monitor

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"jianfu"
	"jianfu/netguard"
)

// Config tunes a Checker. The zero value is usable.
type Config struct {
	Timeout      time.Duration // per request; 10 s
	Concurrency  int           // requests in flight at once, over all checks; 4
	MaxRedirects int           // 5
	MaxBody      int64         // bytes read of a page or feed; 2 MiB
	LinkChecks   int           // links of a page checked for breakage; 20
	UserAgent    string
	// Outbound is the address policy: internal addresses (loopback,
	// private, link-local…) are refused when dialled, after DNS and on
	// every redirect, unless its Allow list holds them.
	Outbound netguard.Outbound
	// Transport replaces the guarded HTTP transport (tests).
	Transport http.RoundTripper
}

func (c Config) withDefaults() Config {
	if c.Timeout <= 0 {
		c.Timeout = 10 * time.Second
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 4
	}
	if c.MaxRedirects <= 0 {
		c.MaxRedirects = 5
	}
	if c.MaxBody <= 0 {
		c.MaxBody = 2 << 20
	}
	if c.LinkChecks < 0 {
		c.LinkChecks = 0
	} else if c.LinkChecks == 0 {
		c.LinkChecks = 20
	}
	if c.UserAgent == "" {
		c.UserAgent = "jianfu-monitor/1 (技术监测; +https://jianfu.invalid/monitor)"
	}
	return c
}

// Checker checks URLs.
type Checker struct {
	cfg    Config
	client *http.Client
	sem    chan struct{}
	now    func() time.Time
}

// New returns a Checker.
func New(cfg Config) *Checker {
	cfg = cfg.withDefaults()
	c := &Checker{cfg: cfg, sem: make(chan struct{}, cfg.Concurrency), now: time.Now}
	tr := cfg.Transport
	if tr == nil {
		tr = cfg.Outbound.Transport(cfg.Timeout)
	}
	c.client = &http.Client{
		Timeout:   cfg.Timeout,
		Transport: tr,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > cfg.MaxRedirects {
				return fmt.Errorf("超过%d次重定向", cfg.MaxRedirects)
			}
			return nil
		},
	}
	return c
}

// fetch GETs (or HEADs) a URL within the concurrency limit.
func (c *Checker) fetch(ctx context.Context, method, u string) (*http.Response, []byte, error) {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	defer func() { <-c.sem }()
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,application/feed+json,application/json;q=0.9,*/*;q=0.5")
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	var body []byte
	if method == http.MethodGet {
		body, err = io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxBody))
		if err != nil {
			return resp, body, err
		}
	}
	return resp, body, nil
}

// Check checks one address: the page or feed itself, its last update and
// its links. It never fails: what went wrong is in the result.
func (c *Checker) Check(ctx context.Context, target string) *jianfu.MonitorCheck {
	res := &jianfu.MonitorCheck{URL: target, At: c.now().UTC(), Broken: []string{}}
	start := time.Now()
	resp, body, err := c.fetch(ctx, http.MethodGet, target)
	res.Duration = time.Since(start).Milliseconds()
	if err != nil {
		res.Error = describe(err)
		if resp == nil {
			return res
		}
	}
	res.StatusCode = resp.StatusCode
	res.FinalURL = resp.Request.URL.String()
	res.Reachable = resp.StatusCode < 400 && err == nil
	if !res.Reachable {
		if res.Error == "" {
			res.Error = fmt.Sprintf("HTTP %d", resp.StatusCode)
		}
		return res
	}
	base := resp.Request.URL
	if isFeed(resp.Header.Get("Content-Type"), body) {
		f, err := ParseFeed(body)
		if err != nil {
			res.Error = "订阅源无法解析:" + err.Error()
			return res
		}
		res.Title, res.LastUpdate, res.UpdateSource = f.Title, f.Updated, "feed"
		return res
	}
	page := ParsePage(base, body)
	res.Title, res.LastUpdate, res.UpdateSource = page.Title, page.Updated, page.Source
	if page.Feed != "" {
		// The page names its feed: the feed's newest item is the better date.
		if fr, fb, err := c.fetch(ctx, http.MethodGet, page.Feed); err == nil && fr.StatusCode < 400 {
			if f, err := ParseFeed(fb); err == nil && f.Updated != nil && (res.LastUpdate == nil || f.Updated.After(*res.LastUpdate)) {
				res.LastUpdate, res.UpdateSource = f.Updated, "feed"
			}
		}
	}
	if res.LastUpdate == nil {
		if t, err := http.ParseTime(resp.Header.Get("Last-Modified")); err == nil {
			t = t.UTC()
			res.LastUpdate, res.UpdateSource = &t, "header"
		}
	}
	res.Links = len(page.Links)
	var check []string
	for _, l := range page.Links {
		if !sameSite(base, l) {
			res.Outbound++
		}
		if len(check) < c.cfg.LinkChecks {
			check = append(check, l.String())
		}
	}
	res.Broken = c.brokenLinks(ctx, check)
	return res
}

// brokenLinks checks links one after another (the page's site is not
// hammered), with HEAD and a GET for servers that refuse HEAD.
func (c *Checker) brokenLinks(ctx context.Context, links []string) []string {
	broken := []string{}
	for _, l := range links {
		resp, _, err := c.fetch(ctx, http.MethodHead, l)
		if err == nil && (resp.StatusCode == http.StatusMethodNotAllowed || resp.StatusCode == http.StatusNotImplemented) {
			resp, _, err = c.fetch(ctx, http.MethodGet, l)
		}
		if err != nil || resp.StatusCode >= 400 {
			broken = append(broken, l)
		}
	}
	return broken
}

// CheckAll checks every target, at most Concurrency requests at once, and
// returns the results in the targets' order.
func (c *Checker) CheckAll(ctx context.Context, targets []jianfu.MonitorTarget) []*jianfu.MonitorCheck {
	out := make([]*jianfu.MonitorCheck, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := c.Check(ctx, t.URL)
			r.ChannelID = t.ChannelID
			out[i] = r
		}()
	}
	wg.Wait()
	return out
}

func sameSite(base, u *url.URL) bool {
	h := func(s string) string { return strings.TrimPrefix(strings.ToLower(s), "www.") }
	return h(base.Hostname()) == h(u.Hostname())
}

func describe(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return "访问超时"
		}
		err = ue.Err
	}
	var je *jianfu.Error
	if errors.As(err, &je) {
		return je.Message
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "访问超时"
	}
	return err.Error()
}

func isFeed(contentType string, body []byte) bool {
	ct := strings.ToLower(contentType)
	if strings.Contains(ct, "rss") || strings.Contains(ct, "atom") || strings.Contains(ct, "feed+json") {
		return true
	}
	head := bytes.TrimSpace(body[:min(len(body), 512)])
	if strings.Contains(ct, "html") {
		return false
	}
	return bytes.HasPrefix(head, []byte("<?xml")) && (bytes.Contains(head, []byte("<rss")) || bytes.Contains(head, []byte("<feed"))) ||
		bytes.HasPrefix(head, []byte("<rss")) || bytes.HasPrefix(head, []byte("<feed")) ||
		bytes.HasPrefix(head, []byte("{")) && bytes.Contains(head, []byte("jsonfeed.org"))
}

// Scheduler checks the channels due for a check at an interval and stores
// the results.
type Scheduler struct {
	Store    jianfu.MonitorService
	Checker  *Checker
	Interval time.Duration // how often a channel is checked; 24 h
	Batch    int           // channels per round; 200
	Log      *slog.Logger
}

// RunOnce checks the channels whose last check is older than the interval
// and records the results; it returns how many it checked.
func (s *Scheduler) RunOnce(ctx context.Context) (int, error) {
	interval, batch := s.Interval, s.Batch
	if interval <= 0 {
		interval = 24 * time.Hour
	}
	if batch <= 0 {
		batch = 200
	}
	targets, err := s.Store.MonitorTargets(ctx, s.Checker.now().Add(-interval), batch)
	if err != nil || len(targets) == 0 {
		return 0, err
	}
	results := s.Checker.CheckAll(ctx, targets)
	if err := s.Store.RecordChecks(ctx, results); err != nil {
		return 0, err
	}
	return len(results), nil
}

// Run checks in rounds until ctx ends: a round every minute, each taking
// the channels that are due.
func (s *Scheduler) Run(ctx context.Context) {
	log := s.Log
	if log == nil {
		log = slog.Default()
	}
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		n, err := s.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			log.Error("monitor round", "err", err)
		} else if n > 0 {
			log.Info("monitor round", "checked", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// sortTimes returns the latest of some times.
func latestOf(ts []time.Time) *time.Time {
	if len(ts) == 0 {
		return nil
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].After(ts[j]) })
	t := ts[0].UTC()
	return &t
}
