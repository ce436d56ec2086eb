package store_test

import (
	"fmt"
	"testing"
	"time"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// A city office reads its counties' burden, each from its own groups, and
// a county office cannot read above itself.
func TestRegionBurden(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := storetest.Load(t, db)
		g := storetest.Groups(t, db, f)
		now := time.Date(2026, 3, 6, 18, 0, 0, 0, jianfu.China)
		db.Now = func() time.Time { return now }
		var obs []jianfu.Observation
		for i := 0; i < 40; i++ { // the south's school group is nagged every evening
			obs = append(obs, jianfu.Observation{Key: []byte(fmt.Sprintf("s%d", i)), GroupID: g["school"].ID, At: now.Add(-time.Duration(i) * 2 * time.Hour),
				MemberCount: 40, Offhours: true, Demand: true, Categories: jianfu.Chain.Bit(), Assessed: i%2 == 0})
		}
		for i := 0; i < 10; i++ { // the north's bureau group is ordinary
			obs = append(obs, jianfu.Observation{Key: []byte(fmt.Sprintf("n%d", i)), GroupID: g["northEdu"].ID, At: now.Add(-time.Duration(i) * 5 * time.Hour), MemberCount: 40})
		}
		if _, err := db.Burden().RecordObservations(storetest.System(), "api", obs); err != nil {
			t.Fatal(err)
		}
		rows, err := db.Burden().RegionBurden(f.Ctx(t, db, "provSup"), jianfu.BurdenFilter{RegionPath: "3901"})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || rows[0].Name != "江南区" || rows[1].Name != "江北区" || rows[0].Index <= rows[1].Index || rows[0].Demands != 40 || rows[1].Demands != 0 {
			for _, r := range rows {
				t.Logf("%+v", *r)
			}
			t.Fatalf("the city's counties, heaviest first")
		}
		if rows[0].Groups != 1 || rows[0].Bands[3]+rows[0].Bands[2] != 1 || len(rows[0].Trend) == 0 {
			t.Errorf("江南区 %+v", rows[0])
		}
		// A county office asking for the city sees its own county only.
		rows, err = db.Burden().RegionBurden(f.Ctx(t, db, "southSup"), jianfu.BurdenFilter{RegionPath: "3901"})
		if err != nil || len(rows) != 1 || rows[0].Name != "望江街道" {
			t.Errorf("a county office above its county: %+v %v", rows, err)
		}
	})
}
