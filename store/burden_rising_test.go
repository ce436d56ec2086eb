package store_test

import (
	"fmt"
	"testing"
	"time"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// TestBurdenRisingNotifiesOncePerWeek: a quiet week, then a week of
// off-hours @所有人 messages in the 教育局's group: its administrator is told
// the index rose, once that week however often the job runs; a unit whose
// index did not move is not told.
func TestBurdenRisingNotifiesOncePerWeek(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := storetest.Load(t, db)
		g := storetest.Groups(t, db, f)
		edu := g["southEdu"]
		now := time.Date(2026, 3, 13, 18, 0, 0, 0, jianfu.China) // a Friday
		db.Now = func() time.Time { return now }
		var obs []jianfu.Observation
		for d := 13; d >= 7; d-- { // the week before: one calm message a day
			obs = append(obs, jianfu.Observation{Key: []byte(fmt.Sprintf("calm%d", d)), GroupID: edu.ID, At: now.AddDate(0, 0, -d).Add(-6 * time.Hour), Sender: "a"})
		}
		for d := 6; d >= 0; d-- { // this week: ten at night, each day, to everyone
			for i := 0; i < 10; i++ {
				obs = append(obs, jianfu.Observation{Key: []byte(fmt.Sprintf("late%d-%d", d, i)), GroupID: edu.ID, At: now.AddDate(0, 0, -d).Add(4*time.Hour + time.Duration(i)*time.Minute),
					Sender: "b", Offhours: true, MentionAll: true})
			}
		}
		if _, err := db.Burden().RecordObservations(storetest.System(), "api", obs); err != nil {
			t.Fatal(err)
		}
		sys := storetest.System()
		n := must(db.Notifications().NotifyBurdenRising(sys, now))
		again := must(db.Notifications().NotifyBurdenRising(sys, now.Add(24*time.Hour)))
		if n != 1 || again != 1 {
			t.Errorf("rising units: %d then %d, want 1 and 1 (told once)", n, again)
		}
		notes := mustNotesItems(t, db, f.Ctx(t, db, "eduAdmin"))
		if len(notes) != 1 || notes[0].Kind != jianfu.NoteBurdenRising || notes[0].Link != fmt.Sprintf("/burden/units/%d", f.Units["southEdu"].ID) {
			t.Fatalf("the 教育局's inbox: %+v", notes)
		}
		t.Log(notes[0].Title)
		if other := mustNotesItems(t, db, f.Ctx(t, db, "northAdmin")); len(other) != 0 {
			t.Errorf("a unit whose index did not move was told: %+v", other)
		}
	})
}
