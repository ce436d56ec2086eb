package monitor

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"

	"jianfu"
)

// FeedArticles reads the items of an RSS, Atom or JSON feed as articles,
// their HTML reduced to text.
func FeedArticles(body []byte) ([]jianfu.MediaArticle, error) {
	f, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	var out []jianfu.MediaArticle
	for _, it := range f.Items {
		if it == nil || strings.TrimSpace(it.Link) == "" {
			continue
		}
		a := jianfu.MediaArticle{Feed: strings.TrimSpace(f.Title), Title: strings.TrimSpace(it.Title), Link: strings.TrimSpace(it.Link)}
		a.Summary = htmlText(it.Description)
		if c := htmlText(it.Content); len(c) > len(a.Summary) {
			a.Summary = c
		}
		if it.PublishedParsed != nil {
			a.Published = *it.PublishedParsed
		} else if it.UpdatedParsed != nil {
			a.Published = *it.UpdatedParsed
		}
		out = append(out, a)
	}
	return out, nil
}

// htmlText is the text of an HTML fragment, whitespace collapsed.
func htmlText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return strings.Join(strings.Fields(s), " ")
	}
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.Join(strings.Fields(b.String()), " ")
		case html.TextToken:
			b.Write(z.Text())
			b.WriteByte(' ')
		}
	}
}

// Clues is what the media watcher needs of the cases: to register a clue
// (the same source reference gives back the existing case) and the names
// of the regions under one, for recognising where an article is about.
type Clues interface {
	CreateClue(ctx context.Context, cl *jianfu.Clue) (*jianfu.Case, bool, error)
}

// MediaWatcher reads the configured news feeds and turns each new article
// that describes a formalism demand into a 问题线索 (source 媒体报道) with
// its link and region.
type MediaWatcher struct {
	Checker *Checker
	Feeds   []jianfu.MediaFeed
	// Read returns the categories the detector finds in a text (narrative
	// wording included), empty when it describes no demand.
	Read  func(text string) []string
	Clues Clues
	// Names gives the names of the regions at and below a region code
	// (code → name), for MediaRegion.
	Names func(ctx context.Context, code string) (map[string]string, error)
	Log   *slog.Logger
}

// MediaRound is what one round over the feeds did.
type MediaRound struct {
	Articles int // read
	Clues    int // new clues
	Known    int // articles that were clues already
	Failed   int // feeds that could not be read
}

// RunOnce reads every feed once. A feed that cannot be read is logged and
// skipped; the others go on.
func (m *MediaWatcher) RunOnce(ctx context.Context) (MediaRound, error) {
	var r MediaRound
	log := m.Log
	if log == nil {
		log = slog.Default()
	}
	for _, f := range m.Feeds {
		arts, err := m.read(ctx, f.URL)
		if err != nil {
			r.Failed++
			log.Warn("media feed", "url", f.URL, "err", err)
			continue
		}
		var names map[string]string
		if m.Names != nil {
			if names, err = m.Names(ctx, f.RegionCode); err != nil {
				return r, err
			}
		}
		for _, a := range arts {
			r.Articles++
			cats := m.Read(a.Text())
			if len(cats) == 0 {
				continue
			}
			_, created, err := m.Clues.CreateClue(ctx, jianfu.MediaClue(a, cats, jianfu.MediaRegion(a, f.RegionCode, names)))
			switch {
			case err != nil && jianfu.ErrorCode(err) == jianfu.EINTERNAL:
				return r, err
			case err != nil:
				log.Warn("media clue", "url", a.Link, "err", jianfu.ErrorMessage(err, "zh"))
			case created:
				r.Clues++
			default:
				r.Known++
			}
		}
	}
	return r, nil
}

func (m *MediaWatcher) read(ctx context.Context, u string) ([]jianfu.MediaArticle, error) {
	resp, body, err := m.Checker.fetch(ctx, "GET", u)
	if err != nil {
		return nil, fmt.Errorf("%s", describe(err))
	}
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return FeedArticles(body)
}
