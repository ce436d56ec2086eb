package demo

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// The registry's dates count from today in China. At 23:30 UTC it is 07:30
// the next morning in China: today is that next day, and its days start at
// Chinese midnight (truncating to whole UTC days made it the day before,
// starting at 08:00).
func TestChannelDatesAreChinaDays(t *testing.T) {
	clock := time.Date(2026, 3, 1, 23, 30, 0, 0, time.UTC)
	db := storetest.Open(t, store.SQLite, store.WithClock(func() time.Time { return clock }))
	opts := Options{Size: Small}.withDefaults()
	sp, err := specOf(opts.Size)
	if err != nil {
		t.Fatal(err)
	}
	g := &gen{db: db, opts: opts, spec: sp, sum: &Summary{Regions: map[jianfu.Level]int{}, UnitsByType: map[jianfu.UnitType]int{}}}
	ctx := jianfu.WithActor(context.Background(), jianfu.SystemActor("demo"))
	for _, s := range steps() {
		g.rng = rand.New(rand.NewPCG(opts.Seed, stream(s.name)))
		if err := s.run(g, ctx); err != nil {
			t.Fatalf("step %s: %v", s.name, err)
		}
		if s.name == "channels" {
			break
		}
	}
	list, _, err := db.Channels().FindChannels(ctx, jianfu.ChannelFilter{Page: jianfu.Page{Limit: 10000}})
	if err != nil || len(list) == 0 {
		t.Fatalf("channels: %d, %v", len(list), err)
	}
	today := jianfu.DayOf(clock)
	if today != 20260302 {
		t.Fatalf("the China day of %v is %d", clock, today)
	}
	latest := 0
	for _, c := range list {
		for what, at := range map[string]*time.Time{"filed": c.FiledAt, "revalidated": c.RevalidatedAt, "last activity": c.LastActivityAt} {
			if at == nil {
				continue
			}
			if !at.Equal(jianfu.Midnight(*at)) {
				t.Fatalf("%s %s at %v: not a China midnight", c.Name, what, at.In(jianfu.China))
			}
			if d := jianfu.DayOf(*at); d > today {
				t.Fatalf("%s %s on %d, after today %d", c.Name, what, d, today)
			}
		}
		if c.LastActivityAt != nil {
			latest = max(latest, jianfu.DayOf(*c.LastActivityAt))
		}
	}
	if latest != today {
		t.Errorf("the latest activity is on %d; some channel was active today, %d", latest, today)
	}
}
