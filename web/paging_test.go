package web_test

import (
	"context"
	"regexp"
	"testing"

	"jianfu"
	"jianfu/demo"
	"jianfu/store"
	"jianfu/store/storetest"
)

var (
	tbodyRe = regexp.MustCompile(`(?s)<tbody>(.*?)</tbody>`)
	rowRe   = regexp.MustCompile(`<tr[ >]`)
	rangeRe = regexp.MustCompile(`第 [\d,]+–[\d,]+ 条,共 ([\d,]+) 条`)
)

// TestListPagesPageAt50 opens the list pages of the demo province as its
// supervisor and as the county's, and fails on any table with more than 50
// rows: a long list is paged and says how many there are.
func TestListPagesPageAt50(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the demo province")
	}
	db := storetest.Open(t, store.SQLite)
	if _, err := demo.Generate(jianfu.WithActor(context.Background(), jianfu.SystemActor("demo")), db, demo.Options{Size: demo.Small}); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, db)
	firstLink := regexp.MustCompile(`href="(/(?:burden/clusters|campaigns)/\d+)"`)
	for _, user := range []string{"sheng.jianguan", "jiangnan.jianguan"} {
		b := newBrowser(t, h.srv.URL)
		if st, _, _ := b.post("/login", "/login", map[string][]string{"username": {user}, "password": {demo.DefaultPassword}}); st != 200 {
			t.Fatalf("%s: login %d", user, st)
		}
		pages := []string{"/units", "/users", "/registry", "/registry/consolidation", "/rules", "/cases", "/cases/overdue",
			"/burden/clusters", "/burden/findings", "/burden/clues", "/campaigns", "/rectifications", "/evaluation", "/cleanup"}
		// The longest detail pages: the first cluster (the largest) and campaign.
		for _, list := range []string{"/burden/clusters?sort=-units", "/campaigns"} {
			_, body := b.get(list)
			if m := firstLink.FindStringSubmatch(body); m != nil {
				pages = append(pages, m[1])
			}
		}
		paged := 0
		for _, p := range pages {
			st, body := b.get(p)
			if st != 200 {
				t.Errorf("%s %s: %d", user, p, st)
				continue
			}
			for i, tb := range tbodyRe.FindAllStringSubmatch(body, -1) {
				if n := len(rowRe.FindAllString(tb[1], -1)); n > 50 {
					t.Errorf("%s %s: table %d has %d rows, want at most 50 a page", user, p, i+1, n)
				}
			}
			if rangeRe.MatchString(body) {
				paged++
			}
		}
		if paged < 5 {
			t.Errorf("%s: only %d of %d list pages show a count (第 x–y 条,共 n 条)", user, paged, len(pages))
		}
	}
}
