package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"jianfu"
	"jianfu/calendar"
	"jianfu/store"
	"jianfu/store/storetest"
)

// uploadHolidays posts a schedule file to the 节假日安排 form.
func (b *browser) uploadHolidays(content string) (int, string) {
	b.t.Helper()
	return b.postMultipart("/admin/holidays", "/admin/holidays", nil, "file", map[string][]byte{"2027.txt": []byte(content)})
}

// A system administrator loads next year's schedule from the page: a bad
// file is refused naming its line and stores nothing; a good one shows the
// year at once and deadlines across its holidays move; others get 403.
func TestHolidaySchedulePage(t *testing.T) {
	t.Cleanup(func() { calendar.Supplement() })
	db := storetest.Open(t, store.SQLite)
	h := newHarness(t, db)
	day := func(s string) time.Time { d, _ := time.ParseInLocation("2006-01-02", s, jianfu.China); return d }
	// Five working days from Thursday 30 Sep 2027: weekends only, 7 Oct.
	if got := calendar.Default().AddWorkdays(day("2027-09-30"), 5); !got.Equal(day("2027-10-07")) {
		t.Fatalf("before the upload the deadline is %s", got.Format("2006-01-02"))
	}

	sup := newBrowser(t, h.srv.URL)
	sup.login("prov.sup")
	if st, _ := sup.get("/admin/holidays"); st != http.StatusForbidden {
		t.Errorf("a supervisor opening the page: %d, want 403", st)
	}
	if st, _, _ := sup.post("/account", "/admin/holidays", url.Values{}); st != http.StatusForbidden {
		t.Errorf("a supervisor uploading: %d, want 403", st)
	}
	if _, page := sup.get("/admin"); strings.Contains(page, "/admin/holidays") {
		t.Error("the 系统管理 page offers the holiday schedule to a supervisor")
	}

	b := newBrowser(t, h.srv.URL)
	b.login("prov.admin")
	if _, page := b.get("/admin"); !strings.Contains(page, `href="/admin/holidays"`) {
		t.Error("the 系统管理 page lacks the holiday schedule")
	}
	st, page := b.get("/admin/holidays")
	if st != 200 || !strings.Contains(page, "2002–2026 年") || !strings.Contains(page, "程序内置") || !strings.Contains(page, "years 2027 2027") {
		t.Fatalf("the page: %d\n%s", st, page)
	}
	if strings.Contains(page, "--holidays") {
		t.Error("the page points to a command-line flag")
	}

	st, page = b.uploadHolidays("years 2027 2027\n2027-10-01 H 国庆节\n2027-10-0x H 国庆节\n")
	if st != http.StatusBadRequest || !strings.Contains(page, "节假日安排文件有误,未载入:第 3 行应为“日期 H或W 节日名”") {
		t.Fatalf("a bad file: %d\n%s", st, page)
	}
	if fs, _ := db.Holidays().HolidayFiles(storetest.System()); len(fs) != 0 || calendar.Default().Covers(2027) {
		t.Fatal("a bad file was stored or applied")
	}

	good := "# 2027\nyears 2027 2027\n2027-10-01 H 国庆节\n2027-10-04 H 国庆节\n2027-10-05 H 国庆节\n2027-10-06 H 国庆节\n2027-10-07 H 国庆节\n2027-10-09 W 国庆节\n"
	st, page = b.uploadHolidays(good)
	if st != 200 || !strings.Contains(page, "已载入 2027 年的节假日安排") || !strings.Contains(page, "2002–2027 年") ||
		!strings.Contains(page, "省系统管理员") || !strings.Contains(page, "2027-10-09</td><td>周六</td><td><span class=\"tag warn\">调休上班") {
		t.Fatalf("after a good upload: %d\n%s", st, page)
	}
	// Off 1, 4–7 Oct, 9 Oct works: 8, 9, 11, 12, 13 Oct.
	if got := calendar.Default().AddWorkdays(day("2027-09-30"), 5); !got.Equal(day("2027-10-13")) {
		t.Errorf("after the upload the deadline is %s, want 2027-10-13", got.Format("2006-01-02"))
	}
	if st, _ := sup.get("/admin/holidays?year=2027"); st != http.StatusForbidden {
		t.Errorf("a supervisor after the upload: %d", st)
	}
	entries, _, err := db.Audit().FindAuditEntries(storetest.System(), jianfu.AuditFilter{Action: "calendar.holidays"})
	if err != nil || len(entries) != 1 {
		t.Errorf("audit: %v %v", entries, err)
	}
	_, page = b.get("/audit")
	if !strings.Contains(page, "载入节假日安排") {
		t.Error("the audit log does not name the upload in Chinese")
	}
}
