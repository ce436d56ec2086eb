package calendar

import "testing"

// Quiet hours: a message held outside working time goes out at the start
// of the next working period — after lunch, the next morning, after 国庆
// (skipping the holiday week), on the 调休 Saturday.
func TestNextWorkingTime(t *testing.T) {
	c, err := New(WithWorkingHours("08:30-12:00", "14:00-18:00"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ at, want, why string }{
		{"2026-09-30T10:00:00+08:00", "2026-09-30T10:00:00+08:00", "in working time: at once"},
		{"2026-09-30T12:30:00+08:00", "2026-09-30T14:00:00+08:00", "lunch: after lunch"},
		{"2026-09-29T19:00:00+08:00", "2026-09-30T08:30:00+08:00", "evening: next morning"},
		{"2026-09-30T18:00:00+08:00", "2026-10-08T08:30:00+08:00", "eve of 国庆: after the holiday week"},
		{"2026-10-09T20:00:00+08:00", "2026-10-10T08:30:00+08:00", "Friday night before the 调休 Saturday"},
		{"2026-10-10T18:30:00+08:00", "2026-10-12T08:30:00+08:00", "调休 Saturday evening: Monday"},
		{"2026-10-12T07:00:00+08:00", "2026-10-12T08:30:00+08:00", "early Monday: 08:30"},
	}
	for _, tc := range cases {
		if got := c.NextWorkingTime(at(tc.at)); !got.Equal(at(tc.want)) {
			t.Errorf("NextWorkingTime(%s) = %s, want %s (%s)", tc.at, got, tc.want, tc.why)
		}
	}
	// The daily digest at 17:00 of the next working day.
	if got, want := c.At(at("2026-09-30T17:30:00+08:00"), 17*60), at("2026-10-08T17:00:00+08:00"); !got.Equal(want) {
		t.Errorf("digest after 17:00 on the eve of 国庆: %s, want %s", got, want)
	}
	if got, want := c.At(at("2026-09-30T09:00:00+08:00"), 17*60), at("2026-09-30T17:00:00+08:00"); !got.Equal(want) {
		t.Errorf("digest the same day: %s, want %s", got, want)
	}
}
