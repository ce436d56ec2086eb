// Package calendar knows China's working time: office hours (default
// 08:30–12:00 and 13:30–17:30) and the official public holidays with their
// 调休 make-up working days on weekends.
//
// The holiday data (holidays.txt, embedded) covers 2002–2026. It was
// extracted from github.com/6tail/lunar-go v1.4.7 (HolidayUtil), which
// transcribes the yearly 国务院办公厅关于部分节假日安排的通知; 2026 was checked
// against that year's notice (元旦 1–3 Jan, 4 Jan works; 春节 15–23 Feb,
// 14 and 28 Feb work; 清明 4–6 Apr; 劳动节 1–5 May, 9 May works; 端午 19–21
// Jun; 中秋 25–27 Sep; 国庆 1–7 Oct, 20 Sep and 10 Oct work). For a year
// outside that range only weekends are days off: Covers reports whether a
// year is covered so callers can say so.
//
// The State Council publishes each coming year's schedule around November.
// An operator adds it without a new build: Supplement registers holiday
// data in the same format (read by the caller: a file given to the
// command, or a schedule uploaded on the 系统管理 page and kept in the
// database) for every calendar made after it, like tzdata for the time
// package. A supplied year replaces that year of the embedded data.
//
// All instants are interpreted in China Standard Time (jianfu.China:
// UTC+08:00, the zone of Asia/Shanghai, which has had no daylight saving
// since 1991), a fixed zone, so no tzdata is needed.
package calendar

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"jianfu"
)

//go:embed holidays.txt
var holidaysTxt []byte

// Span is a stretch of office hours within a day, in minutes after midnight,
// Start inclusive and End exclusive.
type Span struct{ Start, End int }

// Calendar answers questions about working days and working time. It is
// immutable after New and safe for concurrent use.
type Calendar struct {
	hours     []Span
	first     int // first covered year
	last      int // last covered year
	epoch     int // day number (days since 1970-01-01) of first Jan 1
	days      []dayKind
	names     map[int]string
	firstDate time.Time
}

type dayKind uint8

const (
	ordinary dayKind = iota
	holiday          // official holiday, no work
	makeup           // 调休: a weekend day that is a working day
)

// Option configures a Calendar.
type Option func(*Calendar) error

// WithWorkingHours replaces the default office hours. Each span is written
// "HH:MM-HH:MM", e.g. WithWorkingHours("09:00-12:00", "14:00-18:00").
func WithWorkingHours(spans ...string) Option {
	return func(c *Calendar) error {
		hs, err := ParseHours(spans...)
		if err != nil {
			return err
		}
		c.hours = hs
		return nil
	}
}

// ParseHours parses "HH:MM-HH:MM" spans.
func ParseHours(spans ...string) ([]Span, error) {
	if len(spans) == 0 {
		return nil, fmt.Errorf("calendar: no working hours given")
	}
	out := make([]Span, 0, len(spans))
	for _, s := range spans {
		a, b, ok := strings.Cut(strings.TrimSpace(s), "-")
		if !ok {
			return nil, fmt.Errorf("calendar: working hours %q: want HH:MM-HH:MM", s)
		}
		start, err1 := parseClock(a)
		end, err2 := parseClock(b)
		if err1 != nil || err2 != nil || end <= start {
			return nil, fmt.Errorf("calendar: working hours %q: want HH:MM-HH:MM with start before end", s)
		}
		out = append(out, Span{start, end})
	}
	return out, nil
}

func parseClock(s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return 0, fmt.Errorf("bad clock %q", s)
	}
	hh, err := strconv.Atoi(h)
	if err != nil || hh < 0 || hh > 24 {
		return 0, fmt.Errorf("bad hour %q", s)
	}
	mm, err := strconv.Atoi(m)
	if err != nil || mm < 0 || mm > 59 || hh*60+mm > 24*60 {
		return 0, fmt.Errorf("bad minute %q", s)
	}
	return hh*60 + mm, nil
}

// DefaultHours are 08:30–12:00 and 13:30–17:30.
var defaultHours = []Span{{8*60 + 30, 12 * 60}, {13*60 + 30, 17*60 + 30}}

// New returns a calendar with the embedded holiday data and any supplement.
func New(opts ...Option) (*Calendar, error) {
	c := &Calendar{hours: defaultHours, names: map[int]string{}}
	supplement.RLock()
	data := supplement.data
	supplement.RUnlock()
	if err := c.build(data); err != nil {
		return nil, err
	}
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Default returns a calendar with default office hours and the holiday
// data of the moment: one shared calendar, made again when Supplement
// changes the data, so callers that ask for it each time count with the
// newest schedule. It panics only if the embedded data is corrupt, which
// the package tests rule out.
func Default() *Calendar {
	if c := supplement.cal.Load(); c != nil { // no lock: the detector asks per message
		return c
	}
	supplement.Lock()
	defer supplement.Unlock()
	if supplement.cal.Load() == nil {
		c := &Calendar{hours: defaultHours, names: map[int]string{}}
		if err := c.build(supplement.data); err != nil {
			panic(err)
		}
		supplement.cal.Store(c)
	}
	return supplement.cal.Load()
}

// supplement is the holiday data added at run time (see Supplement) and
// the default calendar made with it.
var supplement struct {
	sync.RWMutex
	data *holidayData
	cal  atomic.Pointer[Calendar]
}

// Supplement registers holiday data for the calendars made after it (New,
// Default): the format of the embedded holidays.txt — a line "years FIRST
// LAST", then "YYYY-MM-DD H|W name" lines (H a day off, W a 调休 working
// day) — covering years that join the embedded range without a gap. Each
// year a file covers replaces that year of the embedded data and of the
// files before it: with several files the later one wins. It returns the
// years now covered, or an error naming the line at fault; on error
// nothing changes. Supplement() or Supplement(nil) removes the supplement.
func Supplement(files ...[]byte) (first, last int, err error) {
	sup, first, last, err := combine(files)
	if err != nil {
		return 0, 0, err
	}
	c := &Calendar{hours: defaultHours, names: map[int]string{}}
	if err := c.build(sup); err != nil {
		return 0, 0, err
	}
	supplement.Lock()
	supplement.data = sup
	supplement.cal.Store(c)
	supplement.Unlock()
	return first, last, nil
}

// BuiltIn returns the first and last year of the embedded holiday data.
func BuiltIn() (first, last int) {
	h, err := parseHolidays(holidaysTxt)
	if err != nil {
		return 0, 0
	}
	return h.first, h.last
}

// Check reports what Supplement(files...) would: the years covered with
// the files, or the error naming the file's line at fault; it changes
// nothing.
func Check(files ...[]byte) (first, last int, err error) {
	_, first, last, err = combine(files)
	return first, last, err
}

// combine parses the files (empty ones are skipped) and lays each over the
// ones before it; the result must join the embedded data without a gap.
func combine(files [][]byte) (sup *holidayData, first, last int, err error) {
	base, err := parseHolidays(holidaysTxt)
	if err != nil {
		return nil, 0, 0, err
	}
	covered := base
	for _, data := range files {
		if len(data) == 0 {
			continue
		}
		h, err := parseHolidays(data)
		if err != nil {
			return nil, 0, 0, err
		}
		if h.first > covered.last+1 || h.last < covered.first-1 {
			return nil, 0, 0, fmt.Errorf("calendar: the supplement covers %d–%d but the data so far %d–%d: the years between are missing (补充的节假日数据 %d–%d 年与已有的 %d–%d 年之间缺少年份)",
				h.first, h.last, covered.first, covered.last, h.first, h.last, covered.first, covered.last)
		}
		covered = merge(covered, h)
		if sup == nil {
			sup = h
		} else {
			sup = merge(sup, h)
		}
	}
	return sup, covered.first, covered.last, nil
}

// holidayData is parsed holiday data: the years it covers and its days.
type holidayData struct {
	first, last int
	days        []holidayDay
}

type holidayDay struct {
	date time.Time
	kind dayKind
	name string
}

func parseHolidays(data []byte) (*holidayData, error) {
	h := &holidayData{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\uFEFF"))
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Fields(line)
		if f[0] == "years" {
			var first, last int
			var err1, err2 error
			if len(f) == 3 {
				first, err1 = strconv.Atoi(f[1])
				last, err2 = strconv.Atoi(f[2])
			}
			if len(f) != 3 || err1 != nil || err2 != nil || first > last || first < 1949 || last > 2200 || h.last != 0 {
				return nil, fmt.Errorf("calendar: line %d %q: want one line \"years FIRST LAST\" (第 %d 行应为“years 起始年 结束年”,且只能有一行)", n, line, n)
			}
			h.first, h.last = first, last
			continue
		}
		if h.last == 0 {
			return nil, fmt.Errorf("calendar: line %d %q: the \"years FIRST LAST\" line must come first (第 %d 行之前缺少“years 起始年 结束年”)", n, line, n)
		}
		d, err := time.Parse("2006-01-02", f[0])
		if err != nil || len(f) < 2 || (f[1] != "H" && f[1] != "W") {
			return nil, fmt.Errorf("calendar: line %d %q: want \"YYYY-MM-DD H|W name\" (第 %d 行应为“日期 H或W 节日名”,H 放假,W 调休上班)", n, line, n)
		}
		if d.Year() < h.first || d.Year() > h.last {
			return nil, fmt.Errorf("calendar: line %d: %s lies outside the years %d–%d (第 %d 行的日期不在 %d–%d 年内)", n, f[0], h.first, h.last, n, h.first, h.last)
		}
		k := holiday
		if f[1] == "W" {
			k = makeup
		}
		day := holidayDay{date: d, kind: k}
		if len(f) > 2 {
			day.name = f[2]
		}
		h.days = append(h.days, day)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if h.last == 0 {
		return nil, fmt.Errorf("calendar: holiday data has no years line (缺少“years 起始年 结束年”一行)")
	}
	return h, nil
}

// merge lays sup over base: sup's years replace base's.
func merge(base, sup *holidayData) *holidayData {
	out := &holidayData{first: min(base.first, sup.first), last: max(base.last, sup.last)}
	for _, d := range base.days {
		if y := d.date.Year(); y < sup.first || y > sup.last {
			out.days = append(out.days, d)
		}
	}
	out.days = append(out.days, sup.days...)
	return out
}

// build fills the calendar from the embedded data and the supplement.
func (c *Calendar) build(sup *holidayData) error {
	h, err := parseHolidays(holidaysTxt)
	if err != nil {
		return err
	}
	if sup != nil {
		h = merge(h, sup)
	}
	c.first, c.last = h.first, h.last
	c.firstDate = time.Date(c.first, 1, 1, 0, 0, 0, 0, time.UTC)
	c.epoch = dayNumber(c.firstDate)
	c.days = make([]dayKind, dayNumber(time.Date(c.last+1, 1, 1, 0, 0, 0, 0, time.UTC))-c.epoch)
	for _, d := range h.days {
		i := dayNumber(d.date) - c.epoch
		c.days[i] = d.kind
		if d.name != "" {
			c.names[i] = d.name
		}
	}
	return nil
}

// dayNumber counts days since 1970-01-01 for the calendar date of d (its
// year, month and day as they read in d's own location).
func dayNumber(d time.Time) int {
	y, m, dd := d.Date()
	return int(time.Date(y, m, dd, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// chinaDay is the day number of t's date in China.
func chinaDay(t time.Time) int { return dayNumber(t.In(jianfu.China)) }

// Covers reports whether the official holiday schedule of year is in the
// data. Outside it, only Saturdays and Sundays count as days off.
func (c *Calendar) Covers(year int) bool { return year >= c.first && year <= c.last }

// Uncovered returns the year whose holidays deadlines may soon need but
// the data lacks: the year of now, or the next one during the last 60 days
// of a year (the State Council publishes it around November); 0 when none.
func (c *Calendar) Uncovered(now time.Time) int {
	now = now.In(jianfu.China)
	switch {
	case !c.Covers(now.Year()):
		return now.Year()
	case !c.Covers(now.Year()+1) && now.AddDate(0, 0, 60).Year() > now.Year():
		return now.Year() + 1
	}
	return 0
}

// Years returns the first and last year the holiday data covers.
func (c *Calendar) Years() (first, last int) { return c.first, c.last }

// Hours returns the office hours.
func (c *Calendar) Hours() []Span { return append([]Span(nil), c.hours...) }

func (c *Calendar) kind(day int) dayKind {
	i := day - c.epoch
	if i < 0 || i >= len(c.days) {
		return ordinary
	}
	return c.days[i]
}

func (c *Calendar) isWorkday(day int) bool {
	switch c.kind(day) {
	case holiday:
		return false
	case makeup:
		return true
	}
	wd := (day + 4) % 7 // 1970-01-01 was a Thursday
	if wd < 0 {
		wd += 7
	}
	return wd != 0 && wd != 6
}

// IsWorkday reports whether the date of d (as it reads in China) is a
// working day: a weekday that is not an official holiday, or a 调休 weekend
// day.
func (c *Calendar) IsWorkday(d time.Time) bool { return c.isWorkday(chinaDay(d)) }

// Holiday returns the festival name when the date of d is an official
// holiday or a 调休 working day that belongs to one (e.g. "国庆节").
func (c *Calendar) Holiday(d time.Time) (name string, makeupWorkday bool, ok bool) {
	day := chinaDay(d)
	k := c.kind(day)
	if k == ordinary {
		return "", false, false
	}
	return c.names[day-c.epoch], k == makeup, true
}

// IsWorkingTime reports whether t falls within office hours on a working day,
// reading t in China Standard Time.
func (c *Calendar) IsWorkingTime(t time.Time) bool {
	t = t.In(jianfu.China)
	if !c.isWorkday(dayNumber(t)) {
		return false
	}
	m := t.Hour()*60 + t.Minute()
	for _, s := range c.hours {
		if m >= s.Start && m < s.End {
			return true
		}
	}
	return false
}

// AddWorkdays returns the date n working days after the date of d (before it
// when n is negative), at midnight China time. With n == 0 it returns the
// date of d itself. Deadlines such as "5 个工作日内" are AddWorkdays(start, 5).
func (c *Calendar) AddWorkdays(d time.Time, n int) time.Time {
	day := chinaDay(d)
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		day += step
		if c.isWorkday(day) {
			n--
		}
	}
	return c.dateOf(day)
}

// WorkdaysBetween counts the working days after the date of a up to and
// including the date of b; it is negative when b is before a, and 0 when
// both fall on the same date. So WorkdaysBetween(d, AddWorkdays(d, n)) == n.
func (c *Calendar) WorkdaysBetween(a, b time.Time) int {
	da, db := chinaDay(a), chinaDay(b)
	sign := 1
	if db < da {
		// count working days in (b, a] and negate
		da, db, sign = db, da, -1
	}
	n := 0
	for day := da + 1; day <= db; day++ {
		if c.isWorkday(day) {
			n++
		}
	}
	return sign * n
}

func (c *Calendar) dateOf(day int) time.Time {
	u := time.Unix(int64(day)*86400, 0).UTC()
	return time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, jianfu.China)
}

// NextWorkingTime returns t when it falls in working time, else the start
// of the next working period: the next span today, or the first span of
// the next working day (holidays skipped, 调休 days counted). Messages held
// for quiet hours go out then.
func (c *Calendar) NextWorkingTime(t time.Time) time.Time {
	if c.IsWorkingTime(t) || len(c.hours) == 0 {
		return t
	}
	t = t.In(jianfu.China)
	day := dayNumber(t)
	m := t.Hour()*60 + t.Minute()
	for i := 0; i < 3700; i++ { // ten years: the calendar always has working days
		if c.isWorkday(day + i) {
			for _, s := range c.hours {
				if i > 0 || s.Start > m {
					return c.dateOf(day + i).Add(time.Duration(s.Start) * time.Minute)
				}
			}
		}
	}
	return t
}

// At returns the first working day at or after the date of t, at clock
// minute m (minutes after midnight, China time), not before t itself: the
// next daily digest due at m.
func (c *Calendar) At(t time.Time, m int) time.Time {
	t = t.In(jianfu.China)
	day := dayNumber(t)
	for i := 0; i < 3700; i++ {
		if c.isWorkday(day + i) {
			at := c.dateOf(day + i).Add(time.Duration(m) * time.Minute)
			if !at.Before(t) {
				return at
			}
		}
	}
	return t
}
