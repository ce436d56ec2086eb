package monitor

import (
	"bytes"
	"net/url"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"jianfu"
)

// Feed is what monitoring reads from an RSS, Atom or JSON feed.
type Feed struct {
	Title   string
	Items   int
	Updated *time.Time // the newest item's date, else the feed's own
}

// ParseFeed reads an RSS, Atom or JSON Feed document.
func ParseFeed(body []byte) (*Feed, error) {
	f, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	out := &Feed{Title: strings.TrimSpace(f.Title), Items: len(f.Items)}
	var ts []time.Time
	for _, it := range f.Items {
		if it == nil {
			continue
		}
		if it.UpdatedParsed != nil {
			ts = append(ts, *it.UpdatedParsed)
		}
		if it.PublishedParsed != nil {
			ts = append(ts, *it.PublishedParsed)
		}
	}
	if len(ts) == 0 {
		if f.UpdatedParsed != nil {
			ts = append(ts, *f.UpdatedParsed)
		}
		if f.PublishedParsed != nil {
			ts = append(ts, *f.PublishedParsed)
		}
	}
	out.Updated = latestOf(ts)
	return out, nil
}

// Page is what monitoring reads from an HTML page.
type Page struct {
	Title   string
	Updated *time.Time
	Source  string     // where Updated came from: "meta" or "time"
	Feed    string     // the address of the feed the page links to
	Links   []*url.URL // absolute http(s) links, each once
}

// updateMetas are the metadata that carry a page's last update.
var updateMetas = map[string]bool{
	"article:modified_time": true, "og:updated_time": true, "article:published_time": true,
	"last-modified": true, "dcterms.modified": true, "dc.date.modified": true, "dcterms.date": true,
	"pubdate": true, "publishdate": true, "date": true,
}

// ParsePage reads the title, the last update, the feed and the links of an
// HTML page; base resolves relative links.
func ParsePage(base *url.URL, body []byte) *Page {
	p := &Page{}
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return p
	}
	seen := map[string]bool{}
	var metaTimes, timeTimes []time.Time
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Title:
				if p.Title == "" && n.FirstChild != nil && n.FirstChild.Type == html.TextNode {
					p.Title = strings.TrimSpace(n.FirstChild.Data)
				}
			case atom.Meta:
				name := strings.ToLower(attr(n, "property"))
				if name == "" {
					name = strings.ToLower(attr(n, "name"))
				}
				if name == "" {
					name = strings.ToLower(attr(n, "itemprop"))
				}
				if updateMetas[name] || name == "datemodified" || name == "datepublished" {
					if t, ok := parseTime(attr(n, "content")); ok {
						metaTimes = append(metaTimes, t)
					}
				}
			case atom.Time:
				if t, ok := parseTime(attr(n, "datetime")); ok {
					timeTimes = append(timeTimes, t)
				}
			case atom.Link:
				rel, typ := strings.ToLower(attr(n, "rel")), strings.ToLower(attr(n, "type"))
				if p.Feed == "" && strings.Contains(rel, "alternate") && (strings.Contains(typ, "rss") || strings.Contains(typ, "atom") || strings.Contains(typ, "feed+json")) {
					if u := resolve(base, attr(n, "href")); u != nil {
						p.Feed = u.String()
					}
				}
			case atom.A:
				if u := resolve(base, attr(n, "href")); u != nil {
					if s := u.String(); !seen[s] {
						seen[s] = true
						p.Links = append(p.Links, u)
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if t := latestOf(metaTimes); t != nil {
		p.Updated, p.Source = t, "meta"
	} else if t := latestOf(timeTimes); t != nil {
		p.Updated, p.Source = t, "time"
	}
	return p
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return strings.TrimSpace(a.Val)
		}
	}
	return ""
}

// resolve makes an absolute http(s) link without its fragment, or nil.
func resolve(base *url.URL, href string) *url.URL {
	href = strings.TrimSpace(href)
	if href == "" || strings.HasPrefix(href, "#") {
		return nil
	}
	u, err := url.Parse(href)
	if err != nil {
		return nil
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil
	}
	u.Fragment = ""
	return u
}

// timeLayouts are the forms dates take in page metadata; a date without a
// zone is China time.
var timeLayouts = []string{
	time.RFC3339, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04",
	"2006-01-02", "2006/01/02 15:04:05", "2006/01/02", "2006年01月02日 15:04", "2006年01月02日", "2006年1月2日", time.RFC1123, time.RFC1123Z,
}

func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, s, jianfu.China); err == nil {
			if t.Year() < 1990 || t.Year() > 2200 {
				return time.Time{}, false
			}
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
