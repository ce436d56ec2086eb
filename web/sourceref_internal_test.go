package web

import (
	"strings"
	"testing"
)

// Where a case came from reads in words: a 多头报送 links its page, a news
// report its article, never "cluster:12".
func TestSourceRefInWords(t *testing.T) {
	locs, err := loadLocales()
	if err != nil {
		t.Fatal(err)
	}
	p := &page{Lang: "zh", loc: locs["zh"], zh: locs["zh"]}
	for ref, want := range map[string]string{
		"cluster:12":                     `<a href="/burden/clusters/12">多头报送 12</a>`,
		"finding:41458":                  "问题发现 41458",
		"rectification:3":                "整改事项 3",
		"https://news.example.cn/a.html": `<a href="https://news.example.cn/a.html" rel="noopener noreferrer" target="_blank">原文链接</a>`,
		"12345-2026-1207-0042":           "12345-2026-1207-0042",
		"javascript:alert(1)":            "javascript:alert(1)",
		`<script>x</script>`:             "&lt;script&gt;x&lt;/script&gt;",
	} {
		if got := string(p.SourceRef(ref)); got != want {
			t.Errorf("SourceRef(%q) = %s, want %s", ref, got, want)
		}
		if strings.Contains(string(p.SourceRef(ref)), "cluster:") {
			t.Errorf("%q shows its code", ref)
		}
	}
}
