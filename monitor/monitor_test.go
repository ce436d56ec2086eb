package monitor

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"jianfu"
)

// site is a local test site with the pages monitoring meets.
func site(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var inFlight, peak atomic.Int32
	mux := http.NewServeMux()
	feed, _ := os.ReadFile(filepath.Join("testdata", "stale.rss"))
	atomFeed, _ := os.ReadFile(filepath.Join("testdata", "fresh.atom"))
	jsonFeed, _ := os.ReadFile(filepath.Join("testdata", "feed.json"))
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
		fmt.Fprint(w, "<title>slow</title>")
	})
	mux.HandleFunc("/fail", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", http.StatusServiceUnavailable) })
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/moved", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<html><head><title>江南发布</title><meta property="article:modified_time" content="2026-03-01T09:30:00+08:00"></head><body>ok</body></html>`)
	})
	mux.HandleFunc("/stale.rss", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(feed)
	})
	mux.HandleFunc("/fresh.atom", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/atom+xml")
		w.Write(atomFeed)
	})
	mux.HandleFunc("/feed.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/feed+json")
		w.Write(jsonFeed)
	})
	mux.HandleFunc("/links", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<html><head><title>链接页</title><link rel="alternate" type="application/atom+xml" href="/fresh.atom"></head><body>
			<a href="/moved">正常</a> <a href="/gone">失效</a> <a href="/fail#x">故障</a> <a href="#top">锚点</a> <a href="mailto:a@b.cn">邮件</a>
			<a href="http://outside.invalid/page">外链</a> <a href="/moved">重复</a>
			<time datetime="2025-01-01">旧</time></body></html>`)
	})
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	mux.HandleFunc("/busy/", func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(50 * time.Millisecond)
		inFlight.Add(-1)
		fmt.Fprint(w, "<title>busy</title>")
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, &peak
}

// noOutside fails any request that would leave this machine.
type noOutside struct{ next http.RoundTripper }

func (n noOutside) RoundTrip(r *http.Request) (*http.Response, error) {
	if !strings.HasPrefix(r.URL.Host, "127.0.0.1") {
		return nil, fmt.Errorf("dial %s: no such host (test)", r.URL.Host)
	}
	return n.next.RoundTrip(r)
}

func checker(timeout time.Duration, conc int) *Checker {
	return New(Config{Timeout: timeout, Concurrency: conc, Transport: noOutside{http.DefaultTransport}})
}

func TestCheckSlowFailingRedirecting(t *testing.T) {
	srv, _ := site(t)
	c := checker(300*time.Millisecond, 2)
	ctx := context.Background()

	slow := c.Check(ctx, srv.URL+"/slow")
	if slow.Reachable || slow.Error != "访问超时" || slow.Duration > 1500 {
		t.Errorf("slow: %+v", slow)
	}
	fail := c.Check(ctx, srv.URL+"/fail")
	if fail.Reachable || fail.StatusCode != 503 || fail.Error != "HTTP 503" {
		t.Errorf("failing: %+v", fail)
	}
	moved := c.Check(ctx, srv.URL+"/old")
	if !moved.Reachable || moved.FinalURL != srv.URL+"/moved" || moved.Title != "江南发布" || moved.UpdateSource != "meta" ||
		!moved.LastUpdate.Equal(time.Date(2026, 3, 1, 1, 30, 0, 0, time.UTC)) {
		t.Errorf("redirected: %+v", moved)
	}
	loop := c.Check(ctx, srv.URL+"/loop")
	if loop.Reachable || !strings.Contains(loop.Error, "重定向") {
		t.Errorf("redirect loop: %+v", loop)
	}
	if r := c.Check(ctx, "http://127.0.0.1:1/"); r.Reachable || r.Error == "" {
		t.Errorf("closed port: %+v", r)
	}
}

func TestCheckFeeds(t *testing.T) {
	srv, _ := site(t)
	c := checker(2*time.Second, 2)
	stale := c.Check(context.Background(), srv.URL+"/stale.rss")
	// The newest item is from 2025-11-20: a stale feed.
	if !stale.Reachable || stale.UpdateSource != "feed" || stale.LastUpdate == nil || stale.LastUpdate.Format("2006-01-02") != "2025-11-20" || stale.Title != "江南教育发布" {
		t.Errorf("stale rss: %+v", stale)
	}
	fresh := c.Check(context.Background(), srv.URL+"/fresh.atom")
	if fresh.LastUpdate == nil || fresh.LastUpdate.Format("2006-01-02") != "2026-03-06" {
		t.Errorf("atom: %+v", fresh)
	}
	js := c.Check(context.Background(), srv.URL+"/feed.json")
	if js.LastUpdate == nil || js.LastUpdate.Format("2006-01-02") != "2026-02-28" || js.Title != "江北政务" {
		t.Errorf("json feed: %+v", js)
	}
}

func TestCheckBrokenAndOutboundLinks(t *testing.T) {
	srv, _ := site(t)
	c := checker(2*time.Second, 2)
	r := c.Check(context.Background(), srv.URL+"/links")
	if !r.Reachable || r.Links != 4 || r.Outbound != 1 {
		t.Errorf("links %d outbound %d: %+v", r.Links, r.Outbound, r)
	}
	want := []string{srv.URL + "/gone", srv.URL + "/fail", "http://outside.invalid/page"}
	if strings.Join(r.Broken, " ") != strings.Join(want, " ") {
		t.Errorf("broken: %v, want %v", r.Broken, want)
	}
	// The page names its Atom feed, whose newest entry beats the <time>.
	if r.UpdateSource != "feed" || r.LastUpdate.Format("2006-01-02") != "2026-03-06" {
		t.Errorf("update from the linked feed: %v %v", r.UpdateSource, r.LastUpdate)
	}
}

func TestCheckAllIsPolite(t *testing.T) {
	srv, peak := site(t)
	c := checker(2*time.Second, 3)
	var targets []jianfu.MonitorTarget
	for i := 0; i < 12; i++ {
		targets = append(targets, jianfu.MonitorTarget{ChannelID: int64(i + 1), URL: fmt.Sprintf("%s/busy/%d", srv.URL, i)})
	}
	res := c.CheckAll(context.Background(), targets)
	for i, r := range res {
		if r.ChannelID != int64(i+1) || !r.Reachable {
			t.Errorf("result %d: %+v", i, r)
		}
	}
	if p := peak.Load(); p > 3 || p < 2 {
		t.Errorf("peak concurrency %d, limit 3", p)
	}
}

// memStore is the MonitorService of the scheduler test.
type memStore struct {
	targets  []jianfu.MonitorTarget
	recorded []*jianfu.MonitorCheck
	since    time.Time
}

func (m *memStore) MonitorTargets(_ context.Context, olderThan time.Time, limit int) ([]jianfu.MonitorTarget, error) {
	m.since = olderThan
	return m.targets[:min(limit, len(m.targets))], nil
}
func (m *memStore) RecordChecks(_ context.Context, c []*jianfu.MonitorCheck) error {
	m.recorded = append(m.recorded, c...)
	return nil
}
func (m *memStore) FindMonitorChecks(context.Context, int64, jianfu.Page) ([]*jianfu.MonitorCheck, int, error) {
	return nil, 0, nil
}

func TestSchedulerRound(t *testing.T) {
	srv, _ := site(t)
	st := &memStore{targets: []jianfu.MonitorTarget{{ChannelID: 1, URL: srv.URL + "/moved"}, {ChannelID: 2, URL: srv.URL + "/fail"}, {ChannelID: 3, URL: srv.URL + "/stale.rss"}}}
	s := &Scheduler{Store: st, Checker: checker(time.Second, 2), Interval: 6 * time.Hour, Batch: 2}
	n, err := s.RunOnce(context.Background())
	if err != nil || n != 2 || len(st.recorded) != 2 || st.recorded[1].Reachable || time.Since(st.since) < 6*time.Hour-time.Minute {
		t.Errorf("round: %d %v %+v", n, err, st.recorded)
	}
}

func TestParsePageTimesAndLinks(t *testing.T) {
	base, _ := url.Parse("https://www.example.gov.cn/a/b.html")
	p := ParsePage(base, []byte(`<title> 标题 </title><meta name="PubDate" content="2026年03月02日"><meta itemprop="dateModified" content="2026-03-04 08:00">
		<a href="c.html">相对</a><a href="//www.example.gov.cn/d">协议相对</a><a href="https://example.gov.cn/e">无www</a><a href="javascript:void(0)">脚本</a>`))
	if p.Title != "标题" || p.Source != "meta" || p.Updated.Format(time.RFC3339) != "2026-03-04T00:00:00Z" {
		t.Errorf("page: %+v %v", p, p.Updated)
	}
	var links []string
	for _, l := range p.Links {
		links = append(links, l.String())
		if !sameSite(base, l) {
			t.Errorf("%s counted as outbound", l)
		}
	}
	if len(links) != 3 || links[0] != "https://www.example.gov.cn/a/c.html" {
		t.Errorf("links: %v", links)
	}
}
