package jianfu_test

import (
	"testing"
	"time"

	"jianfu"
)

// A day is the China day: 23:30 UTC is 07:30 the next morning in China, and
// 16:00 UTC is midnight.
func TestChinaDay(t *testing.T) {
	for _, c := range []struct {
		utc      time.Time
		day      int
		midnight time.Time // in UTC
	}{
		{time.Date(2026, 3, 1, 23, 30, 0, 0, time.UTC), 20260302, time.Date(2026, 3, 1, 16, 0, 0, 0, time.UTC)},
		{time.Date(2026, 3, 1, 15, 59, 59, 0, time.UTC), 20260301, time.Date(2026, 2, 28, 16, 0, 0, 0, time.UTC)},
		{time.Date(2026, 3, 1, 16, 0, 0, 0, time.UTC), 20260302, time.Date(2026, 3, 1, 16, 0, 0, 0, time.UTC)},
		{time.Date(2026, 12, 31, 20, 0, 0, 0, time.UTC), 20270101, time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC)},
	} {
		if got := jianfu.DayOf(c.utc); got != c.day {
			t.Errorf("DayOf(%v) = %d, want %d", c.utc, got, c.day)
		}
		m := jianfu.Midnight(c.utc)
		if !m.Equal(c.midnight) || m.Location() != jianfu.China {
			t.Errorf("Midnight(%v) = %v, want %v in China", c.utc, m, c.midnight.In(jianfu.China))
		}
		if !jianfu.DayTime(c.day).Equal(m) {
			t.Errorf("DayTime(%d) = %v, want %v", c.day, jianfu.DayTime(c.day), m)
		}
	}
}
