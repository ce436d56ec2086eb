// Package crawl holds what the browser crawl test (web.TestCrawl) and the
// screenshot tool (internal/tools/shots -crawl) agree on: which links are
// followed, and when two links show the same page.
package crawl

import (
	"net/url"
	"regexp"
	"strings"
)

// PerPattern is how many pages of one pattern a crawl opens per account.
const PerPattern = 2

var number = regexp.MustCompile(`/\d+`)

// Pattern is a link's shape: numbers in the path become {n}, and the query
// is left out, so /cases/1, /cases/2 and /cases?view=open count as one (a
// filter or a sort shows the same template).
func Pattern(u *url.URL) string {
	return number.ReplaceAllString(u.Path, "/{n}")
}

// Skip says which links a crawl does not open: downloads (Word, Excel,
// attachments, images), the API, the static files, and the language switch
// (it would turn the rest of the crawl English).
func Skip(u *url.URL) bool {
	p := u.Path
	for _, suf := range []string{".xlsx", ".docx", ".csv", ".pdf", ".png", ".jpg", ".svg", ".json"} {
		if strings.HasSuffix(p, suf) {
			return true
		}
	}
	q := u.Query()
	return strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/static/") || p == "/metrics" || p == "/logout" ||
		strings.Contains(p, "/attachments/") || strings.Contains(p, "/image") ||
		q.Has("lang") || q.Has("format") || q.Has("export")
}

// LinksJS evaluates in a page to the absolute addresses of its links.
const LinksJS = `[...document.querySelectorAll('a[href]')].filter(a => !a.hasAttribute('download'))
  .map(a => new URL(a.getAttribute('href'), location.href).href)`

// Queue is a breadth-first list of same-origin pages to open, at most
// PerPattern of each pattern.
type Queue struct {
	base       string
	seen       map[string]bool
	perPattern map[string]int
	todo       []string
}

// NewQueue starts a queue of pages on the server at base
// (http://host:port).
func NewQueue(base string) *Queue {
	return &Queue{base: base, seen: map[string]bool{}, perPattern: map[string]int{}}
}

// Add queues a link (absolute or relative to the server) if it is on the
// server, not skipped, not seen and its pattern is not yet full.
func (q *Queue) Add(raw string) {
	u, err := url.Parse(raw)
	if err != nil || (u.Host != "" && q.base != u.Scheme+"://"+u.Host) || Skip(u) {
		return
	}
	u.Fragment = ""
	rel := u.RequestURI()
	pat := Pattern(u)
	if q.seen[rel] || q.perPattern[pat] >= PerPattern {
		return
	}
	q.seen[rel] = true
	q.perPattern[pat]++
	q.todo = append(q.todo, rel)
}

// Next takes the next page (a path with its query), false when none is left.
func (q *Queue) Next() (string, bool) {
	if len(q.todo) == 0 {
		return "", false
	}
	rel := q.todo[0]
	q.todo = q.todo[1:]
	return rel, true
}

// Left is how many pages wait.
func (q *Queue) Left() int { return len(q.todo) }
