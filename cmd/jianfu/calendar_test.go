package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jianfu"
	"jianfu/calendar"
	"jianfu/store"
	"jianfu/store/storetest"
)

// runRoot runs the whole command line as a user types it.
func runRoot(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

// An operator checks the coming year's schedule file before serving with
// it; a wrong file is refused with the line at fault, exit status 2. The
// 2027 days are a made-up test schedule, not the official one.
func TestCalendarHolidaysFile(t *testing.T) {
	t.Cleanup(func() { calendar.Supplement(nil) })
	dir := t.TempDir()
	good := filepath.Join(dir, "2027.txt")
	os.WriteFile(good, []byte("years 2027 2027\n2027-01-01 H 元旦节\n2027-02-06 W 春节\n"), 0o644)
	out, err := runRoot(t, "calendar", "--holidays", good, "--year", "2027")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"覆盖 2002–2027 年", "2027-01-01 周五 放假 元旦节", "2027-02-06 周六 调休上班 春节", "放假 1 天,调休上班 1 天"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(bad, []byte("years 2027 2027\n2027-13-01 H 元旦节\n"), 0o644)
	calendar.Supplement(nil)
	_, err = runRoot(t, "calendar", "--holidays", bad)
	if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), "第 2 行") || !strings.Contains(err.Error(), bad) {
		t.Errorf("a bad file: %v (exit %d), want exit 2 naming the file and line 2", err, exitCode(err))
	}
	if calendar.Default().Covers(2027) {
		t.Error("a refused file changed the calendar")
	}
	_, err = runRoot(t, "calendar", "--holidays", filepath.Join(dir, "missing.txt"))
	if err == nil || exitCode(err) != 2 {
		t.Errorf("a missing file: %v, want exit 2", err)
	}
}

// Late in a year without the next year's schedule, the command says so.
func TestCalendarWarnsOfMissingYear(t *testing.T) {
	var out bytes.Buffer
	printCalendar(&out, calendar.Default(), 0, time.Date(2026, 11, 27, 10, 0, 0, 0, jianfu.China))
	if !strings.Contains(out.String(), "2027 年的安排尚未载入") {
		t.Errorf("no warning for 2027 on 2026-11-27:\n%s", out.String())
	}
	out.Reset()
	printCalendar(&out, calendar.Default(), 0, time.Date(2026, 6, 1, 10, 0, 0, 0, jianfu.China))
	if strings.Contains(out.String(), "尚未载入") {
		t.Errorf("a warning in June 2026, when 2026 is covered and 2027 far:\n%s", out.String())
	}
}

// Another replica's upload reaches this process: loadHolidays applies the
// stored schedules over the --holidays file at start, the upload winning
// for a year both cover.
func TestLoadHolidaysAppliesUploadsOverTheFile(t *testing.T) {
	t.Cleanup(func() { calendar.Supplement(); holidaysFile = nil })
	db := storetest.Open(t, store.SQLite)
	f := storetest.Load(t, db)
	if _, err := db.Holidays().SaveHolidays(f.Ctx(t, db, "provAdmin"), []byte("years 2027 2027\n2027-10-04 H 国庆节\n")); err != nil {
		t.Fatal(err)
	}
	calendar.Supplement() // this process started before the upload
	holidaysFile = []byte("years 2027 2028\n2027-10-01 H 国庆节\n2028-01-03 H 元旦节\n")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := loadHolidays(ctx, db, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	cal := calendar.Default()
	at := func(s string) time.Time { d, _ := time.ParseInLocation("2006-01-02", s, jianfu.China); return d }
	if !cal.Covers(2028) || cal.IsWorkday(at("2027-10-04")) || !cal.IsWorkday(at("2027-10-01")) || cal.IsWorkday(at("2028-01-03")) {
		t.Error("want the upload's 2027 over the file's, and the file's 2028")
	}
}
