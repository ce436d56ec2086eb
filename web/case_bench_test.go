package web_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"jianfu"
	"jianfu/detect"
	"jianfu/store"
	"jianfu/store/storetest"
	"jianfu/web"
)

// burst is how many complaints are submitted at once in each iteration.
const burst = 1000

// loadClient is a browser-like client with a cookie jar and enough
// connections for the burst.
func loadClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 2 * time.Minute, Transport: &http.Transport{MaxIdleConns: burst, MaxIdleConnsPerHost: burst, IdleConnTimeout: time.Minute}}
}

// fireBurst posts burst complaint forms concurrently and returns each
// request's latency and how many answers carried a tracking code.
func fireBurst(b *testing.B, c *http.Client, target, csrf string, n int) ([]time.Duration, int) {
	lat := make([]time.Duration, burst)
	ok := make([]bool, burst)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < burst; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			form := url.Values{"csrf": {csrf}, "category": {"chain"}, "region": {"390102"},
				"description": {fmt.Sprintf("第%d批第%d条:工作群每天晚上要求接龙回复收到,不回复的点名批评", n, i)}}
			<-start
			t := time.Now()
			resp, err := c.PostForm(target, form)
			if err != nil {
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			lat[i] = time.Since(t)
			ok[i] = resp.StatusCode == 200 && codeRe.Match(body)
		}(i)
	}
	close(start)
	wg.Wait()
	good := 0
	for _, v := range ok {
		if v {
			good++
		}
	}
	return lat, good
}

func report(b *testing.B, all []time.Duration, elapsed time.Duration) {
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	pct := func(p float64) float64 { return float64(all[int(p*float64(len(all)-1))]) / float64(time.Millisecond) }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "submissions/s")
}

// BenchmarkComplaintSubmissions: 1,000 citizens submit the complaint form
// at the same moment, over HTTP, to a server on SQLite: every submission
// is stored (the count is checked) and answered with a tracking code.
func BenchmarkComplaintSubmissions(b *testing.B) {
	db := storetest.Open(b, store.SQLite)
	storetest.Load(b, db)
	det, _ := detect.New()
	s, err := web.New(web.Config{Version: "bench"}, web.Services{Regions: db.Regions(), Units: db.Units(), Users: db.Users(), Audit: db.Audit(), Intake: db.Intake(), Cases: db.Cases(), Deadlines: db.Deadlines(), Typical: db.Typical(), Ping: db.Ping, Detector: det},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	s.SetPublicLimits(1<<30, 1<<30, 1<<30) // one address sends everything here
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	c := loadClient()
	resp, err := c.Get(srv.URL + "/complaint")
	if err != nil {
		b.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfRe.FindSubmatch(page)
	if m == nil {
		b.Fatal("no CSRF token on the form")
	}
	var all []time.Duration
	var elapsed time.Duration
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		t := time.Now()
		lat, good := fireBurst(b, c, srv.URL+"/complaint", string(m[1]), n)
		elapsed += time.Since(t)
		if good != burst {
			b.Fatalf("batch %d: %d of %d submissions answered with a tracking code", n, good, burst)
		}
		all = append(all, lat...)
	}
	b.StopTimer()
	_, total, err := db.Cases().FindCases(storetest.System(), jianfu.CaseFilter{Page: jianfu.Page{Limit: 1}})
	if err != nil || total != b.N*burst {
		b.Fatalf("stored %d complaints of %d submitted (%v)", total, b.N*burst, err)
	}
	report(b, all, elapsed)
}

// BenchmarkBaselineComplaintSubmissions sends the same bursts to a plain
// net/http handler that reads the form and answers a code, storing
// nothing: the cost of HTTP and concurrency alone.
func BenchmarkBaselineComplaintSubmissions(b *testing.B) {
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			io.WriteString(w, `<input type="hidden" name="csrf" value="baseline">`)
			return
		}
		if r.PostFormValue("csrf") != "baseline" || !strings.Contains(r.PostFormValue("description"), "接龙") {
			http.Error(w, "bad form", 400)
			return
		}
		mu.Lock()
		n++
		mu.Unlock()
		io.WriteString(w, `<p class="code">AAAA-BBBB-CCCC</p>`)
	}))
	defer srv.Close()
	c := loadClient()
	var all []time.Duration
	var elapsed time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := time.Now()
		lat, good := fireBurst(b, c, srv.URL, "baseline", i)
		elapsed += time.Since(t)
		if good != burst {
			b.Fatalf("baseline batch %d: %d of %d", i, good, burst)
		}
		all = append(all, lat...)
	}
	b.StopTimer()
	report(b, all, elapsed)
}
