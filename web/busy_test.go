package web_test

import (
	"database/sql"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"jianfu/store"
	"jianfu/store/storetest"
)

// TestComplaintOnBusyDatabase: while another process holds the SQLite
// database, a citizen's complaint is answered 503 with Retry-After and the
// form shown again with what they typed — never a 500 that loses it; sent
// again once the database is free, it is stored.
func TestComplaintOnBusyDatabase(t *testing.T) {
	path := storetest.DSN(t, store.SQLite)
	h := newCaseHarness(t, storetest.OpenDSN(t, path, store.WithBusyTimeout(100*time.Millisecond)))
	b := newBrowser(t, h.srv.URL)
	_, page := b.get("/complaint")
	m := csrfRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no csrf token on the complaint form")
	}
	form := url.Values{"csrf": {m[1]}, "category": {"chain"}, "region": {"390102"}, "channel_text": {"江南区教育局工作群"},
		"description": {"工作群每天晚上十点要求接龙回复收到,不回复的点名批评"}}

	other, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	lock, err := other.Begin()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := b.c.PostForm(h.srv.URL+"/complaint", form)
	lock.Rollback()
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("busy database: status %d, Retry-After %q; want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	for _, want := range []string{"系统繁忙", "工作群每天晚上十点要求接龙回复收到", "江南区教育局工作群"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("the form shown again lacks %q", want)
		}
	}
	if codeRe.Match(body) {
		t.Error("a tracking code was shown for a complaint not stored")
	}

	resp, err = b.c.PostForm(h.srv.URL+"/complaint", form)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !codeRe.Match(body) {
		t.Fatalf("sent again: status %d, tracking code %v", resp.StatusCode, codeRe.Match(body))
	}
}

// TestComplaintOnFullDisk: when the database has no room left, a
// complaint is answered 503 with what was typed kept, not a generic 500.
func TestComplaintOnFullDisk(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	h := newCaseHarness(t, db)
	b := newBrowser(t, h.srv.URL)
	_, page := b.get("/complaint")
	m := csrfRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no csrf token on the complaint form")
	}
	// SQLite's page limit is what a full disk looks like to it: "database
	// or disk is full". It is set per connection, so keep one.
	db.SQL().SetMaxOpenConns(1)
	var pages int
	if err := db.SQL().QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().Exec(fmt.Sprintf(`PRAGMA max_page_count = %d`, pages)); err != nil {
		t.Fatal(err)
	}
	desc := "工作群每天晚上十点要求接龙回复收到,不回复的点名批评。" + strings.Repeat("每天都要截图上报。", 300)
	form := url.Values{"csrf": {m[1]}, "category": {"chain"}, "region": {"390102"}, "description": {desc}}
	resp, err := b.c.PostForm(h.srv.URL+"/complaint", form)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(body), "磁盘已满") || !strings.Contains(string(body), "工作群每天晚上十点要求接龙回复收到") {
		t.Fatalf("full disk: status %d, Retry-After %q, says full %v", resp.StatusCode, resp.Header.Get("Retry-After"), strings.Contains(string(body), "磁盘已满"))
	}
}
