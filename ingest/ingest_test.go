package ingest_test

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"jianfu"
	"jianfu/detect"
	"jianfu/ingest"
	"jianfu/store"
	"jianfu/store/storetest"
)

var (
	detOnce sync.Once
	det     *detect.Detector
)

func detector(t testing.TB) *detect.Detector {
	detOnce.Do(func() {
		var err error
		if det, err = detect.New(); err != nil {
			t.Fatal(err)
		}
	})
	return det
}

func pipeline(t testing.TB, db *store.DB) *ingest.Pipeline {
	keys, err := ingest.NewKeys(storetest.PseudonymKey)
	if err != nil {
		t.Fatal(err)
	}
	return ingest.NewPipeline(detector(t), db.Burden(), keys, nil)
}

// at returns a time in China on a fixed working week: 2026-03-02 is a Monday.
func at(day, hour, min int) time.Time {
	return time.Date(2026, 3, day, hour, min, 0, 0, jianfu.China)
}

func TestIngestKeepsFindingsAndAggregatesOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		db.Now = func() time.Time { return at(6, 18, 0) }
		f := storetest.Load(t, db)
		g := storetest.Groups(t, db, f)
		p := pipeline(t, db)
		p.Now = db.Now
		ctx := f.Ctx(t, db, "eduAdmin")
		edu := g["southEdu"].ID
		msgs := []jianfu.Message{
			{ID: "m1", GroupID: edu, Time: at(2, 21, 30), Sender: "周明远", Text: "@所有人 请各学校今晚10点前接龙报送走访照片,联系人王老师13812345678,孙丽华负责汇总"},
			{ID: "m2", GroupID: edu, Time: at(2, 21, 31), Sender: "李老师", Text: "收到"},
			{ID: "m3", GroupID: edu, Time: at(3, 10, 0), Sender: "周明远", Text: "明天上午9点在三楼会议室开会,请准时参加"},
			{ID: "m4", GroupID: edu, Time: at(3, 10, 5), Sender: "周明远", Text: "防汛紧急通知:今晚所有人务必在岗值守,收到请回复"},
			{ID: "m5", Platform: "wecom", PlatformID: "wr-south-edu", Time: at(4, 9, 0), Sender: "周明远", Text: "本周学习强国积分不足的同志将在全县通报"},
			{ID: "x1", GroupID: g["northEdu"].ID, Time: at(4, 9, 0), Text: "请各校报送台账"},
			{ID: "x2", GroupID: edu, Time: at(30, 9, 0), Text: "来自未来的消息"},
			{ID: "x3", GroupID: edu, Time: at(4, 9, 0), Text: "  "},
		}
		res, err := p.Ingest(ctx, msgs)
		if err != nil {
			t.Fatal(err)
		}
		if res.Accepted != 5 || res.Rejected != 3 || res.Duplicates != 0 || res.Findings != 2 {
			t.Fatalf("result %+v, want 5 accepted, 3 rejected, 2 findings", res)
		}
		wantErr := map[int]string{5: jianfu.ENOTFOUND, 6: jianfu.EINVALID, 7: jianfu.EINVALID}
		for _, e := range res.Errors {
			if wantErr[e.Index] != e.Code || e.Message == "" {
				t.Errorf("item %d: %s %q", e.Index, e.Code, e.Message)
			}
		}

		d, err := db.Burden().GroupBurden(ctx, edu, "day", jianfu.DayOf(at(1, 0, 0)), jianfu.DayOf(at(6, 0, 0)))
		if err != nil {
			t.Fatal(err)
		}
		m := d.Row.Metrics
		if m.Messages != 5 || m.Demands != 2 || m.Exempt != 1 || m.Offhours != 2 || m.MentionAll != 1 || m.Assessed != 1 {
			t.Errorf("metrics %+v: want 5 messages, 2 demands, 1 exempt, 2 off-hours, 1 @所有人, 1 assessed", m)
		}
		if m.ByCategory["chain"] != 1 || m.ByCategory["checkin"] != 1 || m.ByCategory["material"] != 1 {
			t.Errorf("by category %v", m.ByCategory)
		}
		if m.Members != 40 {
			t.Errorf("members %d, want the registered 40", m.Members)
		}
		if len(d.Series) != 3 || d.Series[0].Start != 20260302 || d.Series[0].Metrics.Messages != 2 {
			t.Errorf("daily series %+v", d.Series)
		}
		if d.KnownMembers != 2 {
			t.Errorf("known members %d, want 2 senders", d.KnownMembers)
		}

		fs, n, err := db.Burden().FindFindings(ctx, jianfu.FindingFilter{GroupID: edu})
		if err != nil || n != 2 {
			t.Fatalf("findings: %d, %v", n, err)
		}
		first := fs[1] // oldest last
		if !strings.Contains(first.Excerpt, "138****5678") || strings.Contains(first.Excerpt, "13812345678") {
			t.Errorf("the phone number is not masked: %q", first.Excerpt)
		}
		if strings.Contains(first.Excerpt, "孙丽华") || !strings.Contains(first.Excerpt, "孙**") {
			t.Errorf("a name known to the registry is not masked: %q", first.Excerpt)
		}
		if strings.Contains(first.Sender, "周明远") || !strings.HasPrefix(first.Sender, "p_") {
			t.Errorf("the sender is not pseudonymised: %q", first.Sender)
		}
		rs := []rune(first.Excerpt)
		for _, s := range first.Spans {
			if s.Start < 0 || s.End > len(rs) || s.Start >= s.End {
				t.Fatalf("span %+v outside excerpt %q", s, first.Excerpt)
			}
		}
		if got := string(rs[first.Spans[0].Start:first.Spans[0].End]); got != "今晚" {
			t.Errorf("first span marks %q, want 今晚", got)
		}
		if !first.Has("material") || first.Topic == "" {
			t.Errorf("material finding without topic: %+v", first)
		}

		// Redelivery counts nothing twice.
		res2, err := p.Ingest(ctx, msgs[:5])
		if err != nil {
			t.Fatal(err)
		}
		if res2.Accepted != 5 || res2.Duplicates != 5 {
			t.Errorf("redelivery: %+v, want 5 accepted as duplicates", res2)
		}
		d2, _ := db.Burden().GroupBurden(ctx, edu, "day", jianfu.DayOf(at(1, 0, 0)), jianfu.DayOf(at(6, 0, 0)))
		if d2.Row.Metrics.Messages != 5 {
			t.Errorf("after redelivery %d messages, want 5", d2.Row.Metrics.Messages)
		}
		if _, n, _ := db.Burden().FindFindings(ctx, jianfu.FindingFilter{GroupID: edu}); n != 2 {
			t.Errorf("after redelivery %d findings, want 2", n)
		}

		// Roles that may not ingest are refused as a whole.
		if _, err := p.Ingest(f.Ctx(t, db, "cityAuditor"), msgs[:1]); jianfu.ErrorCode(err) != jianfu.EFORBIDDEN {
			t.Errorf("auditor ingest: %v", err)
		}
		// A county supervisor of the other county cannot name this group.
		res3, err := p.Ingest(f.Ctx(t, db, "northSup"), []jianfu.Message{{GroupID: edu, Time: at(4, 9, 0), Text: "请报送"}})
		if err != nil || res3.Accepted != 0 || res3.Rejected != 1 || res3.Errors[0].Code != jianfu.ENOTFOUND {
			t.Errorf("out-of-scope group: %+v %v", res3, err)
		}
		// and the store refuses it even when asked directly
		if _, err := db.Burden().RecordObservations(f.Ctx(t, db, "northSup"), "api", []jianfu.Observation{{Key: []byte("k"), GroupID: edu, At: at(4, 9, 0)}}); jianfu.ErrorCode(err) != jianfu.ENOTFOUND {
			t.Errorf("store out of scope: %v", err)
		}
	})
}

func TestMaterialClustersAcrossGroups(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		db.Now = func() time.Time { return at(28, 18, 0) }
		f := storetest.Load(t, db)
		g := storetest.Groups(t, db, f)
		p := pipeline(t, db)
		p.Now = db.Now
		sys := storetest.System()
		msgs := []jianfu.Message{
			{ID: "a", GroupID: g["southEdu"].ID, Time: at(2, 9, 0), Text: "@所有人 请各学校于本周五下班前报送辖区60岁以上独居老人信息统计表,模板见附件"},
			{ID: "b", GroupID: g["school"].ID, Time: at(5, 9, 0), Text: "各位老师:请在3月8日前上报60岁以上独居老人信息统计表(纸质版盖章)"},
			{ID: "c", GroupID: g["northEdu"].ID, Time: at(9, 9, 0), Text: "60岁以上独居老人信息统计表,请各校明早8点前再报一次"},
			{ID: "d", GroupID: g["southEdu"].ID, Time: at(10, 9, 0), Text: "请各学校今晚10点前接龙报送第一季度安全生产检查台账"},
			{ID: "e", GroupID: g["southCAC"].ID, Time: at(11, 9, 0), Text: "请各单位今晚报送第一季度安全生产检查台账"},
		}
		if _, err := p.Ingest(sys, msgs); err != nil {
			t.Fatal(err)
		}
		n, err := db.Burden().ClusterMaterial(sys, 30*24*time.Hour)
		if err != nil || n != 5 {
			t.Fatalf("clustered %d, %v; want 5 looked at", n, err)
		}
		cs, total, err := db.Burden().FindClusters(f.Ctx(t, db, "provSup"), jianfu.ClusterFilter{})
		if err != nil || total != 2 {
			t.Fatalf("province sees %d clusters, %v; want 2", total, err)
		}
		// each page counts all of them, a page past the end too
		for _, pg := range []struct{ offset, rows int }{{0, 1}, {1, 1}, {5, 0}} {
			page, n, err := db.Burden().FindClusters(f.Ctx(t, db, "provSup"), jianfu.ClusterFilter{Page: jianfu.Page{Limit: 1, Offset: pg.offset}})
			if err != nil || n != 2 || len(page) != pg.rows {
				t.Errorf("clusters from %d: %d rows of %d, %v; want %d of 2", pg.offset, len(page), n, err, pg.rows)
			} else if pg.rows == 1 && page[0].ID != cs[pg.offset].ID {
				t.Errorf("clusters from %d: cluster %d, want %d", pg.offset, page[0].ID, cs[pg.offset].ID)
			}
		}
		var elders *jianfu.Cluster
		for _, c := range cs {
			if strings.Contains(c.Title, "独居老人") {
				elders = c
			}
		}
		// 江南区's education bureau and its school asked for the same table;
		// 江北区 asked its own villages: not the same grassroots asked twice.
		if elders == nil || elders.Groups != 2 || elders.Units != 2 || elders.Findings != 2 || len(elders.UnitNames) != 2 {
			t.Fatalf("the elders cluster: %+v", elders)
		}
		for _, name := range elders.UnitNames {
			if strings.Contains(name, "江北") {
				t.Errorf("a unit of the other county joined: %s", name)
			}
		}
		// The school's staff sees one group of it: not a cluster in its scope.
		cs, _, _ = db.Burden().FindClusters(f.Ctx(t, db, "schoolStaff"), jianfu.ClusterFilter{})
		if len(cs) != 0 {
			t.Errorf("the school sees %d clusters, want 0", len(cs))
		}
		cs, _, _ = db.Burden().FindClusters(f.Ctx(t, db, "northSup"), jianfu.ClusterFilter{})
		if len(cs) != 0 {
			t.Errorf("north supervisor sees %d clusters, want 0", len(cs))
		}
		if _, err := db.Burden().FindClusterByID(f.Ctx(t, db, "northSup"), elders.ID); jianfu.ErrorCode(err) != jianfu.ENOTFOUND {
			t.Errorf("north reading the cluster: %v", err)
		}

		// A request outside the 30-day window starts afresh; a later one
		// within it joins.
		late := []jianfu.Message{
			{ID: "f", GroupID: g["school"].ID, Time: at(2, 9, 0).AddDate(0, 2, 0), Text: "请在今晚报送60岁以上独居老人信息统计表"},
		}
		db.Now = func() time.Time { return at(2, 18, 0).AddDate(0, 2, 0) }
		p.Now = db.Now
		if _, err := p.Ingest(sys, late); err != nil {
			t.Fatal(err)
		}
		db.Burden().ClusterMaterial(sys, 30*24*time.Hour)
		c, err := db.Burden().FindClusterByID(sys, elders.ID)
		if err != nil || c.Findings != 2 {
			t.Errorf("a request two months later joined the cluster: %+v %v", c, err)
		}

		// One click turns a cluster into a clue; the clue keeps the evidence.
		clue, err := db.Burden().RaiseClue(f.Ctx(t, db, "provSup"), jianfu.ClueFromCluster, elders.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(clue.Title, "2个单位") || !strings.Contains(clue.Summary, "一张表") {
			t.Errorf("cluster clue: %+v", clue)
		}
		if _, err := db.Burden().RaiseClue(f.Ctx(t, db, "provSup"), jianfu.ClueFromCluster, elders.ID); jianfu.ErrorCode(err) != jianfu.ECONFLICT {
			t.Errorf("second clue: %v", err)
		}
	})
}

func TestCluesRetentionAndPeople(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		db.Now = func() time.Time { return at(6, 18, 0) }
		f := storetest.Load(t, db)
		g := storetest.Groups(t, db, f)
		p := pipeline(t, db)
		p.Now = db.Now
		sys := storetest.System()
		msgs := []jianfu.Message{
			{ID: "1", GroupID: g["southEdu"].ID, Time: at(2, 22, 0), Sender: "周明远", Text: "收到请回复,今晚必须完成打卡"},
			{ID: "2", GroupID: g["school"].ID, Time: at(3, 9, 0), Sender: "周明远", Text: "请大家把学习强国积分截图发群里"},
			{ID: "3", GroupID: g["northEdu"].ID, Time: at(3, 9, 0), Sender: "周明远", Text: "好的"},
		}
		if _, err := p.Ingest(sys, msgs); err != nil {
			t.Fatal(err)
		}
		fs, _, err := db.Burden().FindFindings(sys, jianfu.FindingFilter{GroupID: g["southEdu"].ID})
		if err != nil || len(fs) != 1 {
			t.Fatalf("findings %v %v", fs, err)
		}
		id := fs[0].ID
		for _, tt := range []struct {
			user, code string
		}{{"eduAdmin", jianfu.EFORBIDDEN}, {"northSup", jianfu.ENOTFOUND}, {"southSup", ""}, {"provSup", jianfu.ECONFLICT}} {
			_, err := db.Burden().RaiseClue(f.Ctx(t, db, tt.user), jianfu.ClueFromFinding, id)
			if jianfu.ErrorCode(err) != tt.code {
				t.Errorf("%s raising a clue: %v, want %q", tt.user, err, tt.code)
			}
		}
		clues, n, err := db.Burden().FindClues(f.Ctx(t, db, "eduAdmin"), jianfu.ClueFilter{})
		if err != nil || n != 1 || !strings.Contains(clues[0].Summary, "打卡") {
			t.Errorf("the unit sees the clue about its group: %d %v", n, err)
		}
		if _, n, _ := db.Burden().FindClues(f.Ctx(t, db, "northAdmin"), jianfu.ClueFilter{}); n != 0 {
			t.Errorf("another county's unit sees %d clues", n)
		}
		// Raising the clue opened a case in the case workflow at once.
		if clues[0].Status != "adopted" || clues[0].CaseID == 0 {
			t.Fatalf("the clue did not open a case: %+v", clues[0])
		}
		c, err := db.Cases().FindCaseByID(f.Ctx(t, db, "southSup"), clues[0].CaseID)
		if err != nil || c.Source != jianfu.SourceMonitoring || c.Category != "checkin" {
			t.Errorf("the clue's case: %+v %v", c, err)
		}
		if len(c.Proposed) == 0 || c.Proposed[0] != "checkin" {
			t.Errorf("the case does not carry the finding's categories as proposals: %v", c.Proposed)
		}
		// Raising it again is refused and opens no second case.
		_, before, _ := db.Cases().FindCases(f.Ctx(t, db, "provSup"), jianfu.CaseFilter{})
		if _, err := db.Burden().RaiseClue(f.Ctx(t, db, "southSup"), jianfu.ClueFromFinding, clues[0].FindingID); jianfu.ErrorCode(err) != jianfu.ECONFLICT {
			t.Errorf("raising a raised finding again: %v", err)
		}
		if _, after, _ := db.Cases().FindCases(f.Ctx(t, db, "provSup"), jianfu.CaseFilter{}); after != before {
			t.Errorf("a refused clue changed the case count %d → %d", before, after)
		}

		// Per person: one pseudonym sits in three groups; each county sees its part.
		people, _, st, err := db.Burden().FindPeople(f.Ctx(t, db, "provSup"), jianfu.PeopleFilter{})
		if err != nil || len(people) != 1 || people[0].Groups != 3 || st.Max != 3 {
			t.Errorf("people: %+v %+v %v", people, st, err)
		}
		people, _, _, _ = db.Burden().FindPeople(f.Ctx(t, db, "southSup"), jianfu.PeopleFilter{})
		if len(people) != 1 || people[0].Groups != 2 {
			t.Errorf("south sees %+v", people)
		}

		// Retention deletes old findings, keeps aggregates and the clue.
		db.Now = func() time.Time { return at(6, 18, 0).AddDate(1, 0, 1) }
		n2, err := db.Burden().PurgeFindings(sys, db.Now().AddDate(-1, 0, 0))
		if err != nil || n2 != 2 {
			t.Fatalf("purged %d, %v; want 2", n2, err)
		}
		if _, n, _ := db.Burden().FindFindings(sys, jianfu.FindingFilter{}); n != 0 {
			t.Errorf("%d findings left", n)
		}
		if _, n, _ := db.Burden().FindClues(sys, jianfu.ClueFilter{}); n != 1 {
			t.Errorf("the clue went with the finding")
		}
		d, _ := db.Burden().GroupBurden(sys, g["southEdu"].ID, "day", 20260301, 20260306)
		if d.Row.Metrics.Messages != 1 || d.Row.Metrics.Demands != 1 {
			t.Errorf("aggregates after purge: %+v", d.Row.Metrics)
		}
		entries, _, _ := db.Audit().FindAuditEntries(sys, jianfu.AuditFilter{Action: "finding.purge"})
		if len(entries) != 1 {
			t.Errorf("the purge was not audited")
		}
		if _, err := db.Burden().PurgeFindings(f.Ctx(t, db, "provSup"), db.Now()); jianfu.ErrorCode(err) != jianfu.EFORBIDDEN {
			t.Errorf("a supervisor purging: %v", err)
		}
	})
}

func TestRankingAndTrend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := at(27, 18, 0)
		db.Now = func() time.Time { return now }
		f := storetest.Load(t, db)
		g := storetest.Groups(t, db, f)
		p := pipeline(t, db)
		p.Now = db.Now
		sys := storetest.System()
		var msgs []jianfu.Message
		for day := 2; day <= 27; day++ {
			msgs = append(msgs,
				jianfu.Message{GroupID: g["southEdu"].ID, Time: at(day, 21, 0), Text: "@所有人 今晚10点前每人接龙报送走访照片,纳入考核"},
				jianfu.Message{GroupID: g["school"].ID, Time: at(day, 10, 0), Text: "下午三点教研活动,地点在二楼"},
			)
		}
		if _, err := p.Ingest(sys, msgs); err != nil {
			t.Fatal(err)
		}
		rows, total, err := db.Burden().BurdenRanking(f.Ctx(t, db, "southSup"), jianfu.BurdenFilter{Weeks: 4})
		if err != nil || total != 2 {
			t.Fatalf("ranking %d %v", total, err)
		}
		if rows[0].ID != g["southEdu"].ID || rows[0].Index.Value < 60 || rows[1].Index.Value > 20 {
			t.Errorf("ranking: %s %.1f, %s %.1f", rows[0].Name, rows[0].Index.Value, rows[1].Name, rows[1].Index.Value)
		}
		if len(rows[0].Trend) != 4 || rows[0].Trend[3] < 60 {
			t.Errorf("trend %v", rows[0].Trend)
		}
		units, _, _ := db.Burden().BurdenRanking(f.Ctx(t, db, "provSup"), jianfu.BurdenFilter{Kind: "unit"})
		if len(units) != 2 || units[0].ID != f.Units["southEdu"].ID {
			t.Errorf("unit ranking %+v", units)
		}
		if _, n, _ := db.Burden().BurdenRanking(f.Ctx(t, db, "northSup"), jianfu.BurdenFilter{}); n != 0 {
			t.Errorf("north sees %d groups", n)
		}
		if _, err := db.Burden().GroupBurden(f.Ctx(t, db, "northSup"), g["southEdu"].ID, "week", 0, 0); jianfu.ErrorCode(err) != jianfu.ENOTFOUND {
			t.Errorf("north reads south group: %v", err)
		}
		if rows, _, err := db.Burden().BurdenRanking(f.Ctx(t, db, "cityAuditor"), jianfu.BurdenFilter{}); err != nil || len(rows) != 2 {
			t.Errorf("the city auditor reads the city's burden: %d rows, %v", len(rows), err)
		}
		wk, err := db.Burden().UnitBurden(f.Ctx(t, db, "eduAdmin"), f.Units["southEdu"].ID, "week", 0, 0)
		if err != nil || len(wk.Series) < 4 || wk.Row.Groups != 1 {
			t.Errorf("unit weekly: %+v %v", wk, err)
		}
	})
}

// A batch's path is authorised and its groups resolved in the caller's
// scope once, by Prepare; the store writes the groups the observations
// carry without checking or reading them again. A chat export checks once
// per MaxBatch messages.
func TestOneAuthorisationAndScopeResolutionPerBatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		db.Now = func() time.Time { return at(27, 18, 0) }
		f := storetest.Load(t, db)
		g := storetest.Groups(t, db, f)
		p := pipeline(t, db)
		p.Now = db.Now
		ctx := f.Ctx(t, db, "provSup")
		msgs := func(n int, prefix string) []jianfu.Message {
			out := make([]jianfu.Message, n)
			keys := []string{"southEdu", "school", "northEdu", "southCAC"}
			for i := range out {
				c := g[keys[i%len(keys)]]
				out[i] = jianfu.Message{ID: prefix + strconv.Itoa(i), GroupID: c.ID, Time: at(2+i%20, 9, i%60), Sender: "成员" + strconv.Itoa(i%13), Text: "请各单位今晚报送台账"}
				if i%3 == 0 { // as a bot names it
					out[i].GroupID, out[i].Platform, out[i].PlatformID = 0, c.Platform, c.PlatformID
				}
			}
			return out
		}
		a0, s0 := db.IngestChecks()
		res, err := p.Ingest(ctx, msgs(2000, "a"))
		if err != nil || res.Accepted != 2000 {
			t.Fatalf("ingest: %+v %v", res, err)
		}
		a1, s1 := db.IngestChecks()
		if a1-a0 != 1 || s1-s0 != 1 {
			t.Errorf("a batch of 2000 messages in 4 groups: %d authorisations and %d scope resolutions, want 1 and 1", a1-a0, s1-s0)
		}
		res, err = p.IngestAll(ctx, msgs(2*jianfu.MaxBatch+1, "b"))
		if err != nil || res.Accepted != 2*jianfu.MaxBatch+1 {
			t.Fatalf("ingest all: %+v %v", res, err)
		}
		a2, s2 := db.IngestChecks()
		if a2-a1 != 3 || s2-s1 != 3 {
			t.Errorf("an export of 20,001 messages: %d authorisations and %d scope resolutions, want 3 and 3 (one per 10,000)", a2-a1, s2-s1)
		}
		d, err := db.Burden().BurdenSummary(ctx, jianfu.BurdenFilter{Since: 20260301, Until: 20260327})
		if err != nil || d.Metrics.Messages != 2000+2*jianfu.MaxBatch+1 {
			t.Errorf("stored %+v %v", d, err)
		}
	})
}

// A message's key is the same whenever it is delivered again, and the keys
// of one day's messages begin alike, ordered by day: that is what keeps
// storing today's messages on the last pages of the key index.
func TestMessageKeysBeginWithTheDay(t *testing.T) {
	keys, err := ingest.NewKeys(storetest.PseudonymKey)
	if err != nil {
		t.Fatal(err)
	}
	morning, evening, next := at(2, 9, 0), at(2, 22, 30), at(3, 9, 0) // one UTC day, and the next
	a := keys.MessageKey(7, "msg-1", morning)
	if again := keys.MessageKey(7, "msg-1", morning); string(again) != string(a) {
		t.Error("the same message delivered again has another key")
	}
	if len(a) != 16 {
		t.Errorf("key of %d bytes, want 16", len(a))
	}
	for _, other := range [][]byte{keys.MessageKey(8, "msg-1", morning), keys.MessageKey(7, "msg-2", morning)} {
		if string(other) == string(a) {
			t.Error("two messages share a key")
		}
	}
	day := func(k []byte) string { return string(k[:4]) }
	if day(keys.MessageKey(9, "x", at(2, 12, 0))) != day(a) || day(keys.MessageKey(9, "y", evening)) != day(a) {
		t.Error("the keys of one day's messages do not begin alike")
	}
	if day(keys.MessageKey(1, "z", next)) <= day(a) {
		t.Error("a later day's key sorts before an earlier day's")
	}
	if string(keys.LegacyMessageKey(7, "msg-1")) == string(a) {
		t.Error("the old form of the key is the new one")
	}
}
