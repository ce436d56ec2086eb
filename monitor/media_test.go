package monitor_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jianfu"
	"jianfu/detect"
	"jianfu/monitor"
	"jianfu/netguard"
	"jianfu/store"
	"jianfu/store/storetest"
)

// TestMediaFeedBecomesClues: the monitor reads a local news feed; the
// report that describes a demand in the narrative voice becomes one 问题线索
// of source 媒体报道 with its link, its category and the county it names;
// the ordinary news and the report of a rule that forbids stay quiet; a
// second round adds nothing.
func TestMediaFeedBecomesClues(t *testing.T) {
	feed, err := os.ReadFile(filepath.Join("testdata", "news.rss"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(feed)
	}))
	defer srv.Close()
	det, err := detect.New()
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		storetest.Load(t, db)
		ctx := storetest.System()
		feeds, err := jianfu.ParseMediaFeeds(srv.URL+"/rss=390100", "")
		if err != nil {
			t.Fatal(err)
		}
		w := &monitor.MediaWatcher{
			Checker: monitor.New(monitor.Config{Outbound: netguard.Outbound{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}}),
			Feeds:   feeds, Read: func(text string) []string { return det.Propose(text) }, Clues: db.Intake(),
			Names: func(ctx context.Context, code string) (map[string]string, error) {
				return map[string]string{"390100": "江州市", "390102": "江南区", "390103": "江北区"}, nil
			},
		}
		r, err := w.RunOnce(ctx)
		if err != nil || r.Articles != 3 || r.Clues != 1 || r.Failed != 0 {
			t.Fatalf("round %+v %v", r, err)
		}
		cases, _, err := db.Cases().FindCases(ctx, jianfu.CaseFilter{Source: jianfu.SourceMedia})
		if err != nil || len(cases) != 1 {
			t.Fatalf("media clues %d %v", len(cases), err)
		}
		c := cases[0]
		if c.RegionPath != "390102" || c.Category != "chain" || !strings.Contains(c.Description, "媒体报道《基层干部吐槽:工作群里天天要接龙报平安》(临江日报,2026年12月1日)") ||
			!strings.Contains(c.Description, "原文:https://news.example.cn/2026/12/01/jielong.html") {
			t.Errorf("the clue: region %s category %s\n%s", c.RegionPath, c.Category, c.Description)
		}
		if r, err := w.RunOnce(ctx); err != nil || r.Clues != 0 || r.Known != 1 {
			t.Errorf("a second round: %+v %v", r, err)
		}
	})
}

func TestParseMediaFeeds(t *testing.T) {
	feeds, err := jianfu.ParseMediaFeeds("https://a.example/rss=390100, https://b.example/atom", "390000")
	if err != nil || len(feeds) != 2 || feeds[0].RegionCode != "390100" || feeds[1].RegionCode != "390000" {
		t.Errorf("%+v %v", feeds, err)
	}
	for _, bad := range []string{"ftp://a.example/rss=390100", "https://a.example/rss=39x"} {
		if _, err := jianfu.ParseMediaFeeds(bad, "390000"); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := jianfu.ParseMediaFeeds("https://a.example/rss", ""); err == nil || !strings.Contains(jianfu.ErrorMessage(err, "zh"), "没有指定地区") {
		t.Errorf("a feed without a region: %v", err)
	}
}
