package ingest_test

import (
	"context"
	"testing"
	"time"

	"jianfu"
	"jianfu/ingest"
	"jianfu/store"
	"jianfu/store/storetest"
)

// noStore is what Analyze needs of a store: no names to mask.
type noStore struct{ ingest.Store }

func (noStore) KnownNames(context.Context) ([]string, error) { return nil, nil }

// A demand typed in pieces by one sender is found once, on its last piece;
// pieces of different senders, far apart in time or in other groups, and
// pieces that add nothing are read one by one.
func TestSplitDemandFoundOnce(t *testing.T) {
	keys, err := ingest.NewKeys("0123456789abcdef0123")
	if err != nil {
		t.Fatal(err)
	}
	p := ingest.NewPipeline(detector(t), noStore{}, keys, nil)
	g1, g2 := &jianfu.GroupInfo{ID: 1}, &jianfu.GroupInfo{ID: 2}
	base := at(2, 10, 0)
	type msg struct {
		group  *jianfu.GroupInfo
		sender string
		min    int
		text   string
	}
	cases := []struct {
		name string
		msgs []msg
		want []uint16 // categories per message, in order
	}{
		{"deadline then object", []msg{
			{g1, "周", 0, "@所有人"}, {g1, "周", 1, "今晚十点前"}, {g1, "周", 2, "报送走访台账"},
		}, []uint16{0, 0, jianfu.Instant.Bit() | jianfu.Material.Bit()}},
		{"a piece that adds nothing keeps its own finding", []msg{
			{g1, "周", 0, "收到的"}, {g1, "周", 1, "回1"},
		}, []uint16{0, jianfu.Chain.Bit()}},
		{"another sender between the pieces", []msg{
			{g1, "周", 0, "今晚十点前"}, {g1, "李", 1, "好的"}, {g1, "周", 2, "报送走访台账"},
		}, []uint16{0, 0, 0}},
		{"too far apart", []msg{
			{g1, "周", 0, "今晚十点前"}, {g1, "周", 30, "报送走访台账"},
		}, []uint16{0, 0}},
		{"other groups", []msg{
			{g1, "周", 0, "今晚十点前"}, {g2, "周", 1, "报送走访台账"},
		}, []uint16{0, 0}},
		{"pieces out of order in the batch", []msg{
			{g1, "周", 2, "报送走访台账"}, {g2, "王", 0, "开会"}, {g1, "周", 1, "今晚十点前"},
		}, []uint16{jianfu.Instant.Bit() | jianfu.Material.Bit(), 0, 0}},
		{"a part's finding gives way to the whole", []msg{
			{g1, "周", 0, "明早8点前"}, {g1, "周", 1, "各村接龙报送走访台账"},
		}, []uint16{0, jianfu.Chain.Bit() | jianfu.Instant.Bit() | jianfu.Material.Bit()}},
	}
	for _, tc := range cases {
		var msgs []jianfu.Message
		var groups []*jianfu.GroupInfo
		for i, m := range tc.msgs {
			msgs = append(msgs, jianfu.Message{ID: string(rune('a' + i)), GroupID: m.group.ID, Sender: m.sender, Time: base.Add(time.Duration(m.min) * time.Minute), Text: m.text})
			groups = append(groups, m.group)
		}
		obs := p.Analyze(context.Background(), msgs, groups)
		findings := 0
		for i, o := range obs {
			if o.Categories != tc.want[i] {
				t.Errorf("%s: message %d (%s) categories %b, want %b", tc.name, i, msgs[i].Text, o.Categories, tc.want[i])
			}
			if (o.Finding != nil) != (tc.want[i] != 0) {
				t.Errorf("%s: message %d finding %v", tc.name, i, o.Finding)
			}
			if o.Finding != nil {
				findings++
			}
		}
		if tc.name == "deadline then object" {
			if f := obs[2].Finding; f == nil || f.Excerpt != "@所有人\uff0c今晚十点前\uff0c报送走访台账" || len(f.Spans) == 0 {
				t.Errorf("%s: the finding is the joined text: %+v", tc.name, f)
			}
		}
		if findings > 1 {
			t.Errorf("%s: %d findings, want at most one", tc.name, findings)
		}
	}
}

// Through the store: the pieces are counted as messages, the demand once.
func TestSplitDemandStoredOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		db.Now = func() time.Time { return at(6, 18, 0) }
		f := storetest.Load(t, db)
		g := storetest.Groups(t, db, f)
		p := pipeline(t, db)
		p.Now = db.Now
		ctx := f.Ctx(t, db, "eduAdmin")
		edu := g["southEdu"].ID
		res, err := p.Ingest(ctx, []jianfu.Message{
			{ID: "s1", GroupID: edu, Time: at(2, 16, 0), Sender: "周明远", Text: "@所有人"},
			{ID: "s2", GroupID: edu, Time: at(2, 16, 1), Sender: "周明远", Text: "今晚十点前"},
			{ID: "s3", GroupID: edu, Time: at(2, 16, 1), Sender: "周明远", Text: "报送走访台账"},
		})
		if err != nil || res.Accepted != 3 || res.Findings != 1 {
			t.Fatalf("result %+v %v: want 3 accepted, 1 finding", res, err)
		}
		d, err := db.Burden().GroupBurden(ctx, edu, "day", jianfu.DayOf(at(1, 0, 0)), jianfu.DayOf(at(6, 0, 0)))
		if err != nil {
			t.Fatal(err)
		}
		if m := d.Row.Metrics; m.Messages != 3 || m.Demands != 1 || m.ByCategory["instant"] != 1 || m.ByCategory["material"] != 1 {
			t.Errorf("metrics %+v: want 3 messages, 1 demand (instant, material)", m)
		}
	})
}
