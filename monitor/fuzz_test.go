package monitor

import (
	"net/url"
	"os"
	"path/filepath"
	"testing"
)

func seeds(f *testing.F, names ...string) {
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join("testdata", n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzParsePage: any bytes a site serves parse without panicking, and
// every link found is absolute http(s).
func FuzzParsePage(f *testing.F) {
	seeds(f, "page.html")
	f.Add([]byte(`<a href="//x/y">x</a><meta name="date" content="2026年1月2日"><time datetime="9999-99-99">`))
	base, _ := url.Parse("https://example.gov.cn/dir/page.html")
	f.Fuzz(func(t *testing.T, body []byte) {
		p := ParsePage(base, body)
		for _, l := range p.Links {
			if l.Scheme != "http" && l.Scheme != "https" || l.Host == "" {
				t.Fatalf("link %q is not absolute http(s)", l)
			}
		}
	})
}

// FuzzParseFeed: feeds from outside never panic the parser.
func FuzzParseFeed(f *testing.F) {
	seeds(f, "stale.rss", "fresh.atom", "feed.json")
	f.Fuzz(func(t *testing.T, body []byte) {
		if fd, err := ParseFeed(body); err == nil && fd.Updated != nil && fd.Updated.Location().String() != "UTC" {
			t.Fatalf("update time not in UTC: %v", fd.Updated)
		}
	})
}
