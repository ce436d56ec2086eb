package store_test

import (
	"strings"
	"testing"
	"time"

	"jianfu"
	"jianfu/calendar"
	"jianfu/store"
	"jianfu/store/storetest"
)

// A system administrator uploads next year's schedule: it is stored with
// who and when, audited, and applied; a bad file or another role stores
// nothing; Apply lays the uploads over the --holidays file.
func TestHolidayFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Cleanup(func() { calendar.Supplement() })
		f := storetest.Load(t, db)
		admin := f.Ctx(t, db, "provAdmin")
		h := db.Holidays()

		if _, err := h.SaveHolidays(f.Ctx(t, db, "provSup"), []byte("years 2027 2027\n")); jianfu.ErrorCode(err) != jianfu.EFORBIDDEN {
			t.Fatalf("a supervisor uploading = %v, want forbidden", err)
		}
		_, err := h.SaveHolidays(admin, []byte("years 2027 2027\n2027-10-01 X 国庆节\n"))
		if err == nil || !strings.Contains(err.Error(), "第 2 行") {
			t.Fatalf("a bad line = %v, want a Chinese error naming line 2", err)
		}
		if fs, _ := h.HolidayFiles(admin); len(fs) != 0 {
			t.Fatalf("rejected uploads stored %d files", len(fs))
		}

		// The command's file says 1 Oct 2027 is off; the upload says 4 Oct.
		db.SetHolidaysFile([]byte("years 2027 2027\n2027-10-01 H 国庆节\n"))
		file, err := h.SaveHolidays(admin, []byte("# 2027\nyears 2027 2027\n2027-10-04 H 国庆节\n2027-10-09 W 国庆节\n"))
		if err != nil {
			t.Fatal(err)
		}
		if file.First != 2027 || file.Last != 2027 || file.UploadedBy != "prov.admin" || !strings.HasPrefix(file.Uploader, "省系统管理员") {
			t.Errorf("stored %+v", file)
		}
		day := func(s string) time.Time { d, _ := time.ParseInLocation("2006-01-02", s, jianfu.China); return d }
		if cal := calendar.Default(); !cal.Covers(2027) || cal.IsWorkday(day("2027-10-04")) || !cal.IsWorkday(day("2027-10-01")) {
			t.Error("the upload is not applied at once over the command's file")
		}
		calendar.Supplement() // another replica, before its periodic load
		if first, last, err := h.Apply(admin); err != nil || first != 2002 || last != 2027 {
			t.Fatalf("Apply = %d–%d, %v", first, last, err)
		}
		if cal := calendar.Default(); cal.IsWorkday(day("2027-10-04")) || !cal.IsWorkday(day("2027-10-09")) {
			t.Error("Apply did not load the stored schedule")
		}
		// 2029 without 2028 leaves a gap: refused, nothing stored.
		if _, err := h.SaveHolidays(admin, []byte("years 2029 2029\n")); err == nil || !strings.Contains(err.Error(), "缺少年份") {
			t.Errorf("a gap = %v, want a Chinese error", err)
		}
		fs, err := h.HolidayFiles(admin)
		if err != nil || len(fs) != 1 || fs[0].ID != file.ID || !strings.Contains(fs[0].Content, "2027-10-09 W") {
			t.Fatalf("HolidayFiles = %v, %v", fs, err)
		}
		entries, _, err := db.Audit().FindAuditEntries(storetest.System(), jianfu.AuditFilter{Action: "calendar.holidays"})
		if err != nil || len(entries) != 1 || entries[0].Detail != "2027 年" {
			t.Errorf("audit = %v, %v", entries, err)
		}
	})
}
