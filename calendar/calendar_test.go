package calendar

import (
	"strings"
	"testing"
	"time"

	"github.com/6tail/lunar-go/HolidayUtil"

	"jianfu"
)

func day(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02", s, jianfu.China)
	if err != nil {
		panic(err)
	}
	return t
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestIsWorkdayAcrossNationalDay2026(t *testing.T) {
	c := Default()
	cases := []struct {
		date string
		want bool
		why  string
	}{
		{"2026-09-18", true, "Friday before the holiday"},
		{"2026-09-19", false, "ordinary Saturday"},
		{"2026-09-20", true, "Sunday 调休 for 国庆"},
		{"2026-09-25", false, "中秋 Friday"},
		{"2026-09-28", true, "Monday between the holidays"},
		{"2026-09-30", true, "Wednesday before 国庆"},
		{"2026-10-01", false, "国庆"},
		{"2026-10-05", false, "国庆 Monday"},
		{"2026-10-07", false, "last day of 国庆"},
		{"2026-10-08", true, "Thursday back to work"},
		{"2026-10-10", true, "Saturday 调休 for 国庆"},
		{"2026-10-11", false, "ordinary Sunday"},
		{"2025-09-28", true, "2025 Sunday 调休"},
		{"2025-10-08", false, "2025 国庆中秋 eighth day"},
		{"2025-10-11", true, "2025 Saturday 调休"},
		{"2026-02-14", true, "Saturday 调休 before 春节"},
		{"2026-02-23", false, "last day of 春节"},
		{"2026-05-09", true, "Saturday 调休 after 劳动节"},
	}
	for _, tc := range cases {
		if got := c.IsWorkday(day(tc.date)); got != tc.want {
			t.Errorf("IsWorkday(%s) = %v, want %v (%s)", tc.date, got, tc.want, tc.why)
		}
	}
}

func TestIsWorkingTime(t *testing.T) {
	c := Default()
	cases := []struct {
		at   string
		want bool
	}{
		{"2026-09-30T08:29:00+08:00", false},
		{"2026-09-30T08:30:00+08:00", true},
		{"2026-09-30T11:59:00+08:00", true},
		{"2026-09-30T12:00:00+08:00", false}, // lunch
		{"2026-09-30T13:30:00+08:00", true},
		{"2026-09-30T17:29:59+08:00", true},
		{"2026-09-30T17:30:00+08:00", false},
		{"2026-09-30T22:00:00+08:00", false},
		{"2026-10-02T10:00:00+08:00", false}, // 国庆
		{"2026-10-10T10:00:00+08:00", true},  // 调休 Saturday
		{"2026-09-30T02:00:00Z", true},       // 10:00 in jianfu.China
		{"2026-09-30T10:00:00Z", false},      // 18:00 in jianfu.China
	}
	for _, tc := range cases {
		if got := c.IsWorkingTime(at(tc.at)); got != tc.want {
			t.Errorf("IsWorkingTime(%s) = %v, want %v", tc.at, got, tc.want)
		}
	}
}

func TestCustomHours(t *testing.T) {
	c, err := New(WithWorkingHours("09:00-12:00", "14:00-18:00"))
	if err != nil {
		t.Fatal(err)
	}
	if c.IsWorkingTime(at("2026-09-30T08:45:00+08:00")) {
		t.Error("08:45 counted as working time with 09:00 start")
	}
	if !c.IsWorkingTime(at("2026-09-30T17:45:00+08:00")) {
		t.Error("17:45 not counted as working time with 18:00 end")
	}
	for _, bad := range []string{"9-12", "12:00-09:00", "25:00-26:00", ""} {
		if _, err := New(WithWorkingHours(bad)); err == nil {
			t.Errorf("WithWorkingHours(%q) accepted", bad)
		}
	}
}

func TestAddWorkdaysAndBetween(t *testing.T) {
	c := Default()
	cases := []struct {
		from string
		n    int
		want string
	}{
		{"2026-09-29", 1, "2026-09-30"},
		{"2026-09-30", 1, "2026-10-08"}, // over 国庆
		{"2026-09-30", 3, "2026-10-10"}, // 8th, 9th, then the 调休 Saturday
		{"2026-09-30", 4, "2026-10-12"},
		{"2026-10-08", -1, "2026-09-30"},
		{"2026-09-18", 1, "2026-09-20"}, // 调休 Sunday
		{"2026-10-03", 0, "2026-10-03"},
	}
	for _, tc := range cases {
		got := c.AddWorkdays(day(tc.from), tc.n)
		if got.Format("2006-01-02") != tc.want {
			t.Errorf("AddWorkdays(%s, %d) = %s, want %s", tc.from, tc.n, got.Format("2006-01-02"), tc.want)
		}
		if tc.n != 0 {
			if back := c.WorkdaysBetween(day(tc.from), got); back != tc.n {
				t.Errorf("WorkdaysBetween(%s, %s) = %d, want %d", tc.from, tc.want, back, tc.n)
			}
		}
	}
	if n := c.WorkdaysBetween(day("2026-09-30"), day("2026-10-31")); n != 18 {
		t.Errorf("working days in October 2026 after 30 Sep = %d, want 18 (8, 9, 10 调休, then three full weeks)", n)
	}
}

func TestCoverageAndFallback(t *testing.T) {
	c := Default()
	if !c.Covers(2026) || !c.Covers(2002) || c.Covers(2027) || c.Covers(2001) {
		first, last := c.Years()
		t.Fatalf("coverage %d–%d, want 2002–2026", first, last)
	}
	// 2027-10-01 is a Friday: outside the data it is an ordinary workday.
	if !c.IsWorkday(day("2027-10-01")) {
		t.Error("uncovered year: Friday 2027-10-01 should fall back to a workday")
	}
	if c.IsWorkday(day("2027-10-02")) {
		t.Error("uncovered year: Saturday should be a day off")
	}
	name, mk, ok := c.Holiday(day("2026-10-10"))
	if !ok || !mk || name != "国庆节" {
		t.Errorf("Holiday(2026-10-10) = %q %v %v, want 国庆节 make-up day", name, mk, ok)
	}
}

// The embedded table must agree with the library it was extracted from.
func TestDataMatchesLunarGo(t *testing.T) {
	c := Default()
	first, last := c.Years()
	for y := first; y <= last; y++ {
		l := HolidayUtil.GetHolidaysByYear(y)
		for e := l.Front(); e != nil; e = e.Next() {
			h := e.Value.(*HolidayUtil.Holiday)
			d := day(h.GetDay())
			name, mk, ok := c.Holiday(d)
			if !ok || mk != h.IsWork() || name != h.GetName() {
				t.Errorf("%s: table says %q make-up=%v ok=%v, lunar-go says %s work=%v", h.GetDay(), name, mk, ok, h.GetName(), h.IsWork())
			}
		}
	}
}

// An operator adds the coming year's schedule from a file when the State
// Council publishes it; deadlines then skip its holidays. The 2027 lines
// below are a made-up test schedule, not the official one.
func TestSupplementAddsAYear(t *testing.T) {
	t.Cleanup(func() { Supplement() })
	sup := []byte("\uFEFF# test schedule\nyears 2027 2027\n" +
		"2027-10-01 H 国庆节\n2027-10-04 H 国庆节\n2027-10-05 H 国庆节\n2027-10-06 H 国庆节\n2027-10-07 H 国庆节\n2027-10-09 W 国庆节\n")
	first, last, err := Supplement(sup)
	if err != nil || first != 2002 || last != 2027 {
		t.Fatalf("Supplement = %d–%d, %v; want 2002–2027", first, last, err)
	}
	c := Default()
	if !c.Covers(2027) || !c.Covers(2026) {
		t.Fatal("after the supplement 2026 and 2027 must be covered")
	}
	if c.IsWorkday(day("2027-10-01")) || !c.IsWorkday(day("2027-10-09")) {
		t.Error("the supplied holiday and 调休 Saturday are not applied")
	}
	// From Thursday 30 Sep: Friday 1 Oct and Monday 4–Thursday 7 Oct are
	// off, so the working days are Friday 8, Saturday 9 (调休), Monday 11.
	for n, want := range map[int]string{1: "2027-10-08", 2: "2027-10-09", 3: "2027-10-11"} {
		if got := c.AddWorkdays(day("2027-09-30"), n); !got.Equal(day(want)) {
			t.Errorf("AddWorkdays(2027-09-30, %d) across the supplied National Day = %s, want %s", n, got.Format("2006-01-02"), want)
		}
	}
	// The embedded years are untouched.
	if c.IsWorkday(day("2026-10-01")) || !c.IsWorkday(day("2026-10-10")) {
		t.Error("the supplement changed 2026")
	}
}

// A supplied year replaces that year of the embedded data (a correction).
func TestSupplementReplacesAYear(t *testing.T) {
	t.Cleanup(func() { Supplement() })
	if _, _, err := Supplement([]byte("years 2026 2026\n2026-10-01 H 国庆节\n")); err != nil {
		t.Fatal(err)
	}
	c := Default()
	if c.IsWorkday(day("2026-10-01")) {
		t.Error("the supplied holiday is missing")
	}
	if !c.IsWorkday(day("2026-10-02")) || c.IsWorkday(day("2026-10-10")) {
		t.Error("2026 should now hold only the supplied day: 2 Oct a workday, 10 Oct (Saturday) a day off")
	}
}

func TestSupplementRejectsBadData(t *testing.T) {
	t.Cleanup(func() { Supplement() })
	for _, tc := range []struct{ data, want string }{
		{"years 2029 2029\n2029-01-01 H 元旦节\n", "missing"},
		{"2027-01-01 H 元旦节\n", "must come first"},
		{"years 2027 2027\n2027-01-01 X 元旦节\n", "line 2"},
		{"years 2027 2027\n2028-01-01 H 元旦节\n", "outside the years"},
		{"years 2027\n", "line 1"},
		{"years 2027 2027\nyears 2027 2027\n", "line 2"},
		{"# nothing\n", "no years line"},
	} {
		_, _, err := Supplement([]byte(tc.data))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Supplement(%q) = %v, want an error saying %q", tc.data, err, tc.want)
		}
	}
	if c := Default(); c.Covers(2027) {
		t.Error("a rejected supplement changed the calendar")
	}
}

// Several files: each joins the data so far, and a later file replaces the
// years of an earlier one (an uploaded correction over the --holidays file).
func TestSupplementLaterFileWins(t *testing.T) {
	t.Cleanup(func() { Supplement() })
	a := []byte("years 2027 2027\n2027-10-01 H 国庆节\n")
	b := []byte("years 2027 2028\n2027-10-04 H 国庆节\n2028-01-03 H 元旦节\n")
	first, last, err := Supplement(a, b)
	if err != nil || first != 2002 || last != 2028 {
		t.Fatalf("Supplement(a, b) = %d–%d, %v; want 2002–2028", first, last, err)
	}
	c := Default()
	if !c.IsWorkday(day("2027-10-01")) || c.IsWorkday(day("2027-10-04")) || c.IsWorkday(day("2028-01-03")) {
		t.Error("the later file should replace 2027 of the earlier one and add 2028")
	}
	// 2029 alone after 2027 leaves 2028 out: rejected, nothing changes.
	if _, _, err := Supplement(a, []byte("years 2029 2029\n2029-01-01 H 元旦节\n")); err == nil || !strings.Contains(err.Error(), "缺少年份") {
		t.Errorf("a gap between files = %v, want an error saying years are missing", err)
	}
	if _, _, err := Check(a, []byte("years 2028 2028\n")); err != nil {
		t.Errorf("Check of joining files = %v", err)
	}
	if Default() != c {
		t.Error("a rejected Supplement or a Check changed the calendar")
	}
}

// FuzzCheck feeds arbitrary holiday data to the parser: it must never
// panic, and whatever it accepts must build a calendar covering those years.
func FuzzCheck(f *testing.F) {
	f.Add(holidaysTxt)
	f.Add([]byte("\uFEFF# 2027\nyears 2027 2027\n2027-10-01 H 国庆节\n2027-10-09 W 国庆节\n"))
	f.Add([]byte("years 2027 2027\n2027-01-01 X 元旦节\n"))
	f.Add([]byte("years 2027\n"))
	f.Add([]byte("2027-01-01 H\n"))
	f.Add([]byte("years 1949 2200\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		first, last, err := Check(data)
		if err != nil {
			return
		}
		sup, _, _, err := combine([][]byte{data})
		if err != nil {
			t.Fatalf("Check accepted what combine rejects: %v", err)
		}
		c := &Calendar{hours: defaultHours, names: map[int]string{}}
		if err := c.build(sup); err != nil {
			t.Fatal(err)
		}
		if !c.Covers(first) || !c.Covers(last) {
			t.Fatalf("accepted data covering %d–%d, calendar %v–%v", first, last, c.first, c.last)
		}
	})
}
