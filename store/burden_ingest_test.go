package store_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// An ingest path is authorised and has its groups resolved in scope once:
// by ResolveGroups. Observations that carry the groups it resolved are
// stored without a second check or read; observations without them make
// RecordObservations check and resolve them itself, and still never reach
// a group out of the caller's scope.
func TestObservationsAuthorisedOncePerPath(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := storetest.Load(t, db)
		g := storetest.Groups(t, db, f)
		ctx := f.Ctx(t, db, "eduAdmin")
		edu := g["southEdu"]
		at := time.Date(2026, 3, 2, 10, 0, 0, 0, jianfu.China)
		delta := func() func() (int64, int64) {
			a0, s0 := db.IngestChecks()
			return func() (int64, int64) { a, s := db.IngestChecks(); return a - a0, s - s0 }
		}

		// the path's authorisation: ids and platform ids in one resolution
		since := delta()
		refs := []jianfu.GroupRef{{ID: edu.ID}, {Platform: "wecom", PlatformID: "wr-south-edu"}, {ID: g["northEdu"].ID}}
		groups, err := db.Burden().ResolveGroups(ctx, refs)
		if err != nil {
			t.Fatal(err)
		}
		if a, s := since(); a != 1 || s != 1 {
			t.Errorf("ResolveGroups: %d authorisations, %d scope resolutions; want 1 and 1", a, s)
		}
		got := groups[refs[0]]
		if got == nil || groups[refs[1]] == nil || groups[refs[1]].ID != got.ID || got.UnitPath == "" || got.UnitPath != f.Units["southEdu"].Path || got.MemberCount != 40 {
			t.Fatalf("resolved %+v", groups)
		}
		if _, ok := groups[refs[2]]; ok {
			t.Error("a group of the other county resolved for the education bureau")
		}

		// the write trusts what was resolved: no second check, no read
		since = delta()
		obs := []jianfu.Observation{{Key: []byte("k1"), GroupID: got.ID, Group: got, At: at}, {Key: []byte("k2"), GroupID: got.ID, Group: got, At: at.Add(time.Hour)}}
		rec, err := db.Burden().RecordObservations(ctx, "api", obs)
		if err != nil || rec.New != 2 {
			t.Fatalf("record: %+v %v", rec, err)
		}
		if a, s := since(); a != 0 || s != 0 {
			t.Errorf("RecordObservations of resolved groups: %d authorisations, %d scope resolutions; want none", a, s)
		}

		// a caller that resolved nothing is checked and resolved here, once
		since = delta()
		if rec, err := db.Burden().RecordObservations(ctx, "api", []jianfu.Observation{{Key: []byte("k3"), GroupID: edu.ID, At: at}}); err != nil || rec.New != 1 {
			t.Fatalf("record unresolved: %+v %v", rec, err)
		}
		if a, s := since(); a != 1 || s != 1 {
			t.Errorf("RecordObservations of unresolved groups: %d authorisations, %d scope resolutions; want 1 and 1", a, s)
		}
		// and out of scope is refused, also next to resolved groups
		mixed := []jianfu.Observation{{Key: []byte("k4"), GroupID: got.ID, Group: got, At: at}, {Key: []byte("k5"), GroupID: g["northEdu"].ID, At: at}}
		if _, err := db.Burden().RecordObservations(ctx, "api", mixed); jianfu.ErrorCode(err) != jianfu.ENOTFOUND {
			t.Errorf("a group out of scope: %v", err)
		}
		// a role that may not ingest resolves nothing
		if _, err := db.Burden().ResolveGroups(f.Ctx(t, db, "cityAuditor"), refs); jianfu.ErrorCode(err) != jianfu.EFORBIDDEN {
			t.Errorf("auditor resolves groups: %v", err)
		}
		if _, err := db.Burden().RecordObservations(f.Ctx(t, db, "cityAuditor"), "api", []jianfu.Observation{{Key: []byte("k6"), GroupID: edu.ID, At: at}}); jianfu.ErrorCode(err) != jianfu.EFORBIDDEN {
			t.Errorf("auditor records: %v", err)
		}
		// an observation must carry its own group
		bad := []jianfu.Observation{{Key: []byte("k7"), GroupID: g["northEdu"].ID, Group: got, At: at}}
		if _, err := db.Burden().RecordObservations(ctx, "api", bad); err == nil {
			t.Error("an observation carrying another group's resolution was stored")
		}

		d, err := db.Burden().GroupBurden(ctx, edu.ID, "day", jianfu.DayOf(at), jianfu.DayOf(at))
		if err != nil || d.Row.Metrics.Messages != 3 || d.Row.Metrics.Members != 40 {
			t.Errorf("stored %+v %v; want 3 messages in a group of 40", d, err)
		}
	})
}

// A group handed in that the database does not have (a sealed stream
// message from another deployment) fails the batch as invalid: it can
// never be stored, so the stream drops it instead of retrying forever.
func TestObservationOfUnknownGroupIsInvalid(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := storetest.Load(t, db)
		ghost := &jianfu.GroupInfo{ID: 999999, UnitID: f.Units["southEdu"].ID, RegionPath: f.Units["southEdu"].RegionPath, UnitPath: f.Units["southEdu"].Path}
		obs := []jianfu.Observation{{Key: []byte("g1"), GroupID: ghost.ID, Group: ghost, At: time.Date(2026, 3, 2, 10, 0, 0, 0, jianfu.China)}}
		if _, err := db.Burden().RecordObservations(storetest.System(), "stream", obs); jianfu.ErrorCode(err) != jianfu.EINVALID {
			t.Errorf("unknown group: %v (%s), want EINVALID", err, jianfu.ErrorCode(err))
		}
	})
}

// Keys recorded before they began with the message's day (migration
// 0018) still catch a message delivered again: the table is carried over,
// and a message old enough to have been recorded then is looked up under
// its old key as well. One recorded under the old key counts once however
// often it comes back; one that never was counts.
func TestOldMessageKeysStillDeduplicate(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			db, err := store.Open(ctx, storetest.DSN(t, e), storetest.Rules, store.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.MigrateUntil(ctx, "_message_keys.sql"); err != nil {
				t.Fatal(err)
			}
			recorded := time.Now()
			old := []byte("old-form-key-001") // 16 bytes, as the keyed hash alone was
			insert := `INSERT INTO message_keys(key, group_id, at) VALUES (?, ?, ?)`
			if e == store.Postgres {
				insert = `INSERT INTO message_keys(key, group_id, at) VALUES ($1, $2, $3)`
			}
			if _, err := db.SQL().ExecContext(ctx, insert, old, 1, recorded.UnixMilli()); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			f := storetest.Load(t, db)
			g := storetest.Groups(t, db, f)["southEdu"]
			groups, err := db.Burden().ResolveGroups(f.Ctx(t, db, "eduAdmin"), []jianfu.GroupRef{{ID: g.ID}})
			if err != nil {
				t.Fatal(err)
			}
			info := groups[jianfu.GroupRef{ID: g.ID}]
			at := recorded.Add(-2 * time.Hour)
			obs := func(key, legacy string) []jianfu.Observation {
				return []jianfu.Observation{{Key: []byte(key), LegacyKey: []byte(legacy), GroupID: g.ID, Group: info, At: at}}
			}
			for i, c := range []struct {
				name string
				obs  []jianfu.Observation
				want int
			}{
				{"recorded under its old key", obs("new-form-key-001", string(old)), 0},
				{"the same again", obs("new-form-key-001", string(old)), 0},
				{"never recorded", obs("new-form-key-002", "old-form-key-002"), 1},
				{"that one again", obs("new-form-key-002", "old-form-key-002"), 0},
			} {
				rec, err := db.Burden().RecordObservations(f.Ctx(t, db, "eduAdmin"), "api", c.obs)
				if err != nil || rec.New != c.want {
					t.Errorf("%d %s: %d new (%v), want %d", i, c.name, rec.New, err, c.want)
				}
			}
			d, err := db.Burden().GroupBurden(f.Ctx(t, db, "eduAdmin"), g.ID, "day", jianfu.DayOf(at), jianfu.DayOf(at))
			if err != nil || d.Row.Metrics.Messages != 1 {
				t.Errorf("stored %+v %v; want 1 message", d, err)
			}
		})
	}
}

// Batches posted at the same time are stored together (one transaction
// for several) and each caller is still answered its own counts: every
// message counts once, in whichever batch came first, a batch naming a
// group out of the caller's scope fails alone, and the day's total is
// every distinct message stored.
func TestConcurrentBatchesStoredTogether(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := storetest.Load(t, db)
		g := storetest.Groups(t, db, f)
		ctx := f.Ctx(t, db, "eduAdmin")
		edu, school := g["southEdu"], g["school"]
		at := time.Date(2026, 3, 2, 10, 0, 0, 0, jianfu.China)
		const callers, per = 6, 300
		var stored int
		for round := 0; round < 20; round++ {
			txs0, chunks0 := db.IngestCommits()
			type answer struct {
				rec jianfu.Recorded
				err error
			}
			answers := make([]answer, callers+1)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for c := 0; c <= callers; c++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var obs []jianfu.Observation
					for i := 0; i < per; i++ {
						// callers c and c+1 share half their keys
						k := fmt.Sprintf("r%d-%d", round, c*per/2+i)
						grp := edu
						if i%3 == 0 {
							grp = school
						}
						obs = append(obs, jianfu.Observation{Key: []byte(k), GroupID: grp.ID, At: at.Add(time.Duration(i) * time.Second), Sender: fmt.Sprintf("p_%d", i%7)})
					}
					if c == callers {
						// the last caller also names a group of another county
						obs = append(obs, jianfu.Observation{Key: []byte(fmt.Sprintf("r%d-north", round)), GroupID: g["northEdu"].ID, At: at})
					}
					<-start
					answers[c].rec, answers[c].err = db.Burden().RecordObservations(ctx, "api", obs)
				}()
			}
			close(start)
			wg.Wait()
			news := 0
			for c := 0; c < callers; c++ {
				if answers[c].err != nil {
					t.Fatalf("round %d caller %d: %v", round, c, answers[c].err)
				}
				news += answers[c].rec.New
			}
			if code := jianfu.ErrorCode(answers[callers].err); code != jianfu.ENOTFOUND {
				t.Fatalf("round %d: the batch naming a group out of scope answered %v (%s)", round, answers[callers].err, code)
			}
			// callers 0…5 cover keys 0 … 5*150+300 distinct
			if want := (callers-1)*per/2 + per; news != want {
				t.Fatalf("round %d: %d new messages counted across the callers, want %d", round, news, want)
			}
			stored += news
			if txs, chunks := db.IngestCommits(); chunks-chunks0 > txs-txs0 {
				break // batches were stored together, as they should be
			}
			if round == 19 {
				t.Fatal("concurrent batches were never stored together")
			}
		}
		d, err := db.Burden().GroupBurden(ctx, edu.ID, "day", jianfu.DayOf(at), jianfu.DayOf(at))
		s, err2 := db.Burden().GroupBurden(ctx, school.ID, "day", jianfu.DayOf(at), jianfu.DayOf(at))
		if err != nil || err2 != nil || d.Row.Metrics.Messages+s.Row.Metrics.Messages != stored {
			t.Errorf("stored %d + %d messages (%v %v), want %d", d.Row.Metrics.Messages, s.Row.Metrics.Messages, err, err2, stored)
		}
		// a batch sent again counts nothing new
		again := []jianfu.Observation{{Key: []byte("r0-0"), GroupID: school.ID, At: at}, {Key: []byte("r0-1"), GroupID: edu.ID, At: at.Add(time.Second)}}
		if rec, err := db.Burden().RecordObservations(ctx, "api", again); err != nil || rec.New != 0 {
			t.Errorf("a re-sent batch: %+v %v, want nothing new", rec, err)
		}
	})
}
