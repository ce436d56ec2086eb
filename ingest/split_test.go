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
		{"two ordinary notices of one sender are no demand", []msg{
			{g1, "周", 0, "本周工作安排已上传共享盘,请查阅"}, {g1, "周", 1, "今天下午的协调会改到四楼小会议室"},
		}, []uint16{0, 0}},
		{"a part's finding gives way to the whole", []msg{
			{g1, "周", 0, "明早8点前"}, {g1, "周", 1, "各村接龙报送走访台账"},
		}, []uint16{0, jianfu.Chain.Bit() | jianfu.Instant.Bit() | jianfu.Material.Bit()}},
	}
	for _, tc := range cases {
		p := ingest.NewPipeline(detector(t), noStore{}, keys, nil)
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

// A platform bot delivers one message per request: the pieces of a demand
// arrive in separate batches and are still read together, unless another
// member speaks between them or the demand was already found.
func TestSplitDemandAcrossBatches(t *testing.T) {
	keys, err := ingest.NewKeys("0123456789abcdef0123")
	if err != nil {
		t.Fatal(err)
	}
	g := []*jianfu.GroupInfo{{ID: 7}}
	base := at(2, 10, 0)
	type step struct {
		sender string
		min    int
		text   string
		want   uint16
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"one by one", []step{
			{"周", 0, "@所有人", 0}, {"周", 1, "今晚十点前", 0}, {"周", 2, "报送走访台账", jianfu.Instant.Bit() | jianfu.Material.Bit()},
		}},
		{"found once, then forgotten", []step{
			{"周", 0, "今晚十点前", 0}, {"周", 1, "报送走访台账", jianfu.Instant.Bit() | jianfu.Material.Bit()}, {"周", 2, "报送走访台账", 0},
		}},
		{"another member between", []step{
			{"周", 0, "今晚十点前", 0}, {"李", 1, "好的", 0}, {"周", 2, "报送走访台账", 0},
		}},
		{"too late", []step{
			{"周", 0, "今晚十点前", 0}, {"周", 9, "报送走访台账", 0},
		}},
	} {
		p := ingest.NewPipeline(detector(t), noStore{}, keys, nil)
		for i, s := range tc.steps {
			m := jianfu.Message{ID: string(rune('a' + i)), GroupID: 7, Sender: s.sender, Time: base.Add(time.Duration(s.min) * time.Minute), Text: s.text}
			o := p.Analyze(context.Background(), []jianfu.Message{m}, g)[0]
			if o.Categories != s.want || (o.Finding != nil) != (s.want != 0) {
				t.Errorf("%s: step %d (%s): categories %b finding %v, want %b", tc.name, i, s.text, o.Categories, o.Finding != nil, s.want)
			}
		}
	}
}
