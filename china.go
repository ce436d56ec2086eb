package jianfu

import "time"

// China is the time zone of days, deadlines and working hours (北京时间,
// UTC+8, no DST): the only one; every package reads dates through it.
var China = time.FixedZone("CST", 8*3600)

// DayOf returns the China calendar day of t as YYYYMMDD.
func DayOf(t time.Time) int {
	c := t.In(China)
	return c.Year()*10000 + int(c.Month())*100 + c.Day()
}

// Midnight returns the start of t's day in China. A day begins at 00:00
// 北京时间, which is 16:00 UTC the day before: t.Truncate(24*time.Hour)
// would begin it at 08:00 China time instead.
func Midnight(t time.Time) time.Time {
	c := t.In(China)
	return time.Date(c.Year(), c.Month(), c.Day(), 0, 0, 0, 0, China)
}

// DayTime returns midnight China time of a YYYYMMDD day.
func DayTime(day int) time.Time {
	return time.Date(day/10000, time.Month(day/100%100), day%100, 0, 0, 0, 0, China)
}

// AddDays moves a YYYYMMDD day by n days.
func AddDays(day, n int) int { return DayOf(DayTime(day).AddDate(0, 0, n)) }

// DateOf formats an instant as its China calendar date, 2006-01-02.
func DateOf(t time.Time) string { return t.In(China).Format("2006-01-02") }
