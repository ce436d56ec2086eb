package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// Complaints while ingest runs flat out, on SQLite: the write path of a
// citizen must not wait behind message batches.
const (
	loadComplaints = 1000 // per iteration
	loadCitizens   = 16   // submitting at once
	loadIngesters  = 2    // clients posting message batches without pause
	loadBatch      = 1000 // messages per batch
)

// loadBatchBody is one batch of loadBatch distinct messages of the last day.
func loadBatchBody(client, seq int, groups []int64) []byte {
	var b bytes.Buffer
	b.WriteByte('[')
	base := time.Now().Add(-24 * time.Hour)
	for i := 0; i < loadBatch; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		t := base.Add(time.Duration(seq*loadBatch+i) * time.Second % (24 * time.Hour)).Format(time.RFC3339)
		txt, _ := json.Marshal(benchTexts[i%len(benchTexts)])
		fmt.Fprintf(&b, `{"id":"l%d-%d-%d","group_id":%d,"time":"%s","sender":"成员%d","text":%s}`, client, seq, i, groups[i%len(groups)], t, i%97, txt)
	}
	b.WriteByte(']')
	return b.Bytes()
}

// BenchmarkComplaintsUnderIngest: two clients post 1,000-message batches
// to POST /api/v1/messages without pause while 16 citizens submit 1,000
// complaint forms, all over loopback HTTP to one server on SQLite. Every
// complaint must be answered with a tracking code (none 500, none 503) and
// stored; p99-ms is the citizens' 99th percentile (target: under 1 s).
func BenchmarkComplaintsUnderIngest(b *testing.B) {
	db := storetest.Open(b, store.SQLite, quiet)
	h := newHarness(b, db)
	h.app.SetPublicLimits(1<<30, 1<<30, 1<<30) // one address sends everything here
	g := storetest.Groups(b, db, h.fx)
	groups := []int64{g["southEdu"].ID, g["school"].ID, g["northEdu"].ID, g["southCAC"].ID}

	c := loadClient()
	resp, err := c.Get(h.srv.URL + "/complaint")
	if err != nil {
		b.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfRe.FindSubmatch(page)
	if m == nil {
		b.Fatal("no CSRF token on the form")
	}
	csrf := string(m[1])

	// ingest, flat out, until the complaints are done
	stop := make(chan struct{})
	var ingested, batchFailures atomic.Int64
	var iwg sync.WaitGroup
	for k := 0; k < loadIngesters; k++ {
		iwg.Add(1)
		go func() {
			defer iwg.Done()
			for seq := 0; ; seq++ {
				select {
				case <-stop:
					return
				default:
				}
				req, _ := http.NewRequest("POST", h.srv.URL+"/api/v1/messages", bytes.NewReader(loadBatchBody(k, seq, groups)))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+h.tokens["provSup"])
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					batchFailures.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusAccepted {
					ingested.Add(loadBatch)
				} else {
					batchFailures.Add(1)
				}
			}
		}()
	}
	defer func() { close(stop); iwg.Wait() }()
	time.Sleep(200 * time.Millisecond) // ingest is running when the first citizen comes

	var all []time.Duration
	var elapsed time.Duration
	before := ingested.Load()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		lat := make([]time.Duration, loadComplaints)
		status := make([]int, loadComplaints)
		next := atomic.Int64{}
		var wg sync.WaitGroup
		t := time.Now()
		for w := 0; w < loadCitizens; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1)) - 1
					if i >= loadComplaints {
						return
					}
					form := url.Values{"csrf": {csrf}, "category": {"chain"}, "region": {"390102"},
						"description": {fmt.Sprintf("第%d轮第%d条:工作群每天晚上要求接龙回复收到,不回复的点名批评", n, i)}}
					t := time.Now()
					resp, err := c.PostForm(h.srv.URL+"/complaint", form)
					if err != nil {
						status[i] = -1
						continue
					}
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					lat[i] = time.Since(t)
					status[i] = resp.StatusCode
					if resp.StatusCode == http.StatusOK && !codeRe.Match(body) {
						status[i] = 0
					}
				}
			}()
		}
		wg.Wait()
		elapsed += time.Since(t)
		for i, s := range status {
			if s != http.StatusOK {
				b.Fatalf("round %d complaint %d: status %d, want 200 with a tracking code", n, i, s)
			}
		}
		all = append(all, lat...)
	}
	b.StopTimer()
	during := ingested.Load() - before
	_, total, err := db.Cases().FindCases(storetest.System(), jianfu.CaseFilter{Page: jianfu.Page{Limit: 1}})
	if err != nil || total != b.N*loadComplaints {
		b.Fatalf("stored %d complaints of %d submitted (%v)", total, b.N*loadComplaints, err)
	}
	report(b, all, elapsed)
	b.ReportMetric(float64(during)/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(batchFailures.Load()), "failed-batches")
}
