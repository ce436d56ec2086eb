package store

import (
	"reflect"
	"testing"

	"jianfu"
)

// A journal row reads back the days it was written from, with their
// groups' places.
func TestJournalRowRoundTrip(t *testing.T) {
	groups := map[int64]*jianfu.GroupInfo{
		7:       {ID: 7, UnitID: 3, RegionPath: "39/3901/390102", UnitPath: "/3/"},
		1 << 40: {ID: 1 << 40, UnitID: 9, RegionPath: "", UnitPath: "/9/12/"},
	}
	days := []jianfu.BurdenDay{
		{Group: 7, Day: 20261207, Metrics: jianfu.BurdenMetrics{Messages: 1000, Members: 480, Offhours: 3, MentionAll: 2, Demands: 9, Assessed: 1, Exempt: 4,
			ByCategory: map[string]int{string(jianfu.Categories[0]): 5, string(jianfu.Categories[7]): 300}}},
		{Group: 1 << 40, Day: 20261206, Metrics: jianfu.BurdenMetrics{Messages: 1}},
		{Group: 7, Day: 20261206, Metrics: jianfu.BurdenMetrics{Messages: 2, Members: 480}},
	}
	var got []jianfu.BurdenDay
	err := decodeJournal(encodeJournal(days, groups), func(g *jianfu.GroupInfo, d int, c *[dayCounts]int) {
		if !reflect.DeepEqual(g, groups[g.ID]) {
			t.Errorf("group %d read back as %+v", g.ID, g)
		}
		m := jianfu.BurdenMetrics{Messages: c[0], Members: c[1], Offhours: c[2], MentionAll: c[3], Demands: c[4], Assessed: c[5], Exempt: c[6], ByCategory: map[string]int{}}
		for k, cat := range jianfu.Categories {
			if c[7+k] != 0 {
				m.ByCategory[string(cat)] = c[7+k]
			}
		}
		got = append(got, jianfu.BurdenDay{Group: g.ID, Day: d, Metrics: m})
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range days {
		if days[i].Metrics.ByCategory == nil {
			days[i].Metrics.ByCategory = map[string]int{}
		}
	}
	if !reflect.DeepEqual(got, days) {
		t.Errorf("read back\n%+v\nwant\n%+v", got, days)
	}
}

// A damaged journal row is an error, never a panic.
func FuzzDecodeJournal(f *testing.F) {
	g := map[int64]*jianfu.GroupInfo{5: {ID: 5, UnitID: 2, RegionPath: "39", UnitPath: "/2/"}}
	f.Add(encodeJournal([]jianfu.BurdenDay{{Group: 5, Day: 20261207, Metrics: jianfu.BurdenMetrics{Messages: 3}}}, g))
	f.Add([]byte{journalVersion, 200, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = decodeJournal(data, func(*jianfu.GroupInfo, int, *[dayCounts]int) {})
	})
}
