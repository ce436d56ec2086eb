package jianfu

import (
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Media as a source of clues (媒体报道): news reports, published replies to
// complaints and inspection 通报 describe fingertip formalism in the
// narrative voice. The monitor follows the feeds an office configures, the
// detector reads each new article, and an article that describes a demand
// becomes a 问题线索 with its link — once, however often the feed is read.

// MediaFeed is a feed an office follows, and the region its articles are
// about unless they name a region below it.
type MediaFeed struct {
	URL        string
	RegionCode string
}

// ParseMediaFeeds reads feeds written as URL or URL=CODE, separated by
// commas, spaces or new lines (--media-feeds); defaultRegion is the code
// for those without one.
func ParseMediaFeeds(s, defaultRegion string) ([]MediaFeed, error) {
	var out []MediaFeed
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' }) {
		u, code, _ := strings.Cut(f, "=")
		if !WebURL(u) {
			return nil, Errorf(EINVALID, "新闻源“%s”不是 http(s) 网址", "feed %q is not an http(s) address", u)
		}
		if code == "" {
			code = defaultRegion
		}
		if code == "" {
			return nil, Errorf(EINVALID, "新闻源“%s”没有指定地区:写作 网址=区划代码", "feed %q has no region: write URL=CODE", u)
		}
		if _, _, _, err := ParseRegionCode(code); err != nil {
			return nil, Errorf(EINVALID, "新闻源“%s”的区划代码“%s”无效", "feed %q: invalid region code %q", u, code)
		}
		out = append(out, MediaFeed{URL: u, RegionCode: code})
	}
	return out, nil
}

// MediaArticle is one item of a feed.
type MediaArticle struct {
	Feed      string // the feed's title
	Title     string
	Link      string
	Summary   string // the item's description or content, as text
	Published time.Time
}

// Text is what the detector reads of an article: its title and summary.
func (a MediaArticle) Text() string { return strings.TrimSpace(a.Title + "\n" + a.Summary) }

// MediaRegion is the region an article is about: the deepest region of
// names (code → name, the feed's region and those below it) that the
// article names, the longest name first (江南区 before 江南); else the
// feed's region.
func MediaRegion(a MediaArticle, feedRegion string, names map[string]string) string {
	text := a.Text()
	codes := make([]string, 0, len(names))
	for c := range names {
		codes = append(codes, c)
	}
	sort.Slice(codes, func(i, j int) bool {
		if li, lj := utf8.RuneCountInString(names[codes[i]]), utf8.RuneCountInString(names[codes[j]]); li != lj {
			return li > lj
		}
		return codes[i] > codes[j]
	})
	best := ""
	for _, c := range codes {
		n := names[c]
		if utf8.RuneCountInString(n) < 2 || !strings.Contains(text, n) {
			continue
		}
		_, path, _, err := ParseRegionCode(c)
		if err != nil {
			continue
		}
		if _, bestPath, _, err := ParseRegionCode(best); best == "" || err == nil && len(path) > len(bestPath) {
			best = c
		}
	}
	if best == "" {
		return feedRegion
	}
	return best
}

// MediaClue is the clue an article that describes a demand becomes: its
// link as the source reference (one clue per article), the categories the
// detector found, the region it is about, and a description saying where
// it comes from.
func MediaClue(a MediaArticle, proposed []string, regionCode string) *Clue {
	when := ""
	if !a.Published.IsZero() {
		when = "," + a.Published.In(China).Format("2006年1月2日")
	}
	summary := strings.TrimSpace(a.Summary)
	if n := []rune(summary); len(n) > 1500 {
		summary = string(n[:1500]) + "……"
	}
	desc := fmt.Sprintf("媒体报道《%s》(%s%s):%s\n原文:%s", strings.TrimSpace(a.Title), strings.TrimSpace(a.Feed), when, summary, a.Link)
	return &Clue{Source: SourceMedia, SourceRef: a.Link, RegionCode: regionCode, Description: desc, Proposed: proposed}
}
