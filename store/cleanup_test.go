package store_test

import (
	"crypto/hmac"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emmansun/gmsm/sm3"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

func TestCleanupSignalsAndExitWorkflow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		db.Now = func() time.Time { return campaignClock }
		f := storetest.Load(t, db)
		old := campaignClock.Add(-100 * 24 * time.Hour)
		zombie := addChannel(t, db, f.Units["southEdu"], jianfu.KindAccount, "douyin", "江南教育抖音号", func(c *jianfu.Channel) { c.LastActivityAt = &old })
		dup1 := addChannel(t, db, f.Units["southEdu"], jianfu.KindAccount, "wechat_oa", "江南教育")
		dup2 := addChannel(t, db, f.Units["southEdu"], jianfu.KindAccount, "wechat_oa", "江南教育服务号")
		small := addChannel(t, db, f.Units["southSchool"], jianfu.KindGroup, "wechat", "初三备课群", func(c *jianfu.Channel) { c.MemberCount = 2 })
		temp := addChannel(t, db, f.Units["southSchool"], jianfu.KindGroup, "wecom", "运动会筹备群", func(c *jianfu.Channel) {
			c.MemberCount, c.Temporary, c.EndDate = 30, true, "2026-01-15"
		})
		fine := addChannel(t, db, f.Units["southSchool"], jianfu.KindGroup, "dingtalk", "望江中学工作群", func(c *jianfu.Channel) { c.MemberCount = 80 })
		addChannel(t, db, f.Units["northEdu"], jianfu.KindAccount, "douyin", "江北教育抖音号", func(c *jianfu.Channel) { c.LastActivityAt = &old })

		sup := f.Ctx(t, db, "southSup")
		cands, total, err := db.Cleanup().FindCandidates(sup, jianfu.CandidateFilter{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[int64]string{}
		for _, c := range cands {
			for _, s := range c.Signals {
				got[c.ChannelID] += string(s.Kind) + ":" + s.Evidence + ";"
			}
		}
		want := map[int64][]string{
			zombie.ID: {"zombie:", "100天无更新"},
			dup1.ID:   {"duplicate:", "江南教育服务号", "微信公众号"},
			dup2.ID:   {"duplicate:", "“江南教育”"},
			small.ID:  {"low_use:", "仅2人"},
			temp.ID:   {"expired_temp:", "2026-01-15"},
		}
		if total != len(want) {
			t.Errorf("%d candidates, want %d: %v", total, len(want), got)
		}
		for id, parts := range want {
			for _, p := range parts {
				if !strings.Contains(got[id], p) {
					t.Errorf("channel %d: signals %q lack %q", id, got[id], p)
				}
			}
		}
		if got[fine.ID] != "" {
			t.Errorf("a healthy group is a candidate: %s", got[fine.ID])
		}
		// A longer zombie period spares the 100-day channel.
		if c, _, _ := db.Cleanup().FindCandidates(sup, jianfu.CandidateFilter{Signal: jianfu.SignalZombie, Rules: jianfu.CleanupRules{ZombieDays: 120}}); len(c) != 0 {
			t.Errorf("zombie at 120 days: %+v", c)
		}

		// Exit order: only supervisors; the unit appeals, the supervisor
		// upholds, the unit confirms; a group must be dissolved.
		if _, err := db.Cleanup().IssueExitOrder(f.Ctx(t, db, "eduAdmin"), jianfu.OrderInput{ChannelID: temp.ID, Reason: "x"}); code(err) != jianfu.EFORBIDDEN {
			t.Errorf("unit admin issues an order: %v", err)
		}
		if _, err := db.Cleanup().IssueExitOrder(f.Ctx(t, db, "northSup"), jianfu.OrderInput{ChannelID: temp.ID, Reason: "x"}); code(err) != jianfu.ENOTFOUND {
			t.Errorf("other county issues an order: %v", err)
		}
		o, err := db.Cleanup().IssueExitOrder(sup, jianfu.OrderInput{ChannelID: temp.ID, Reason: "专项任务已结束,群组应解散"})
		if err != nil {
			t.Fatal(err)
		}
		// 10 working days from Monday 9 March 2026.
		if o.Status != jianfu.OrderIssued || o.Deadline != "2026-03-23" || len(o.Signals) != 1 || o.Signals[0].Kind != jianfu.SignalExpiredTemp || o.ChannelNow != jianfu.StatusExitRequested {
			t.Fatalf("order: %+v", o)
		}
		if _, err := db.Cleanup().IssueExitOrder(sup, jianfu.OrderInput{ChannelID: temp.ID, Reason: "again"}); code(err) != jianfu.ECONFLICT {
			t.Errorf("second open order: %v", err)
		}
		unit := f.Ctx(t, db, "eduAdmin")
		if _, err := db.Cleanup().AppealExit(unit, o.ID, ""); code(err) != jianfu.EINVALID {
			t.Errorf("appeal without reasons: %v", err)
		}
		if o, err = db.Cleanup().AppealExit(unit, o.ID, "运动会延期至4月"); err != nil || o.Status != jianfu.OrderAppealed {
			t.Fatalf("appeal: %+v %v", o, err)
		}
		if _, err := db.Cleanup().ConfirmExit(unit, o.ID, "", true); code(err) != jianfu.ECONFLICT {
			t.Errorf("confirming an appealed order: %v", err)
		}
		if o, err = db.Cleanup().DecideAppeal(sup, o.ID, true, "延期理由不成立,结束日期已过"); err != nil || o.Status != jianfu.OrderIssued {
			t.Fatalf("uphold: %+v %v", o, err)
		}
		if _, err := db.Cleanup().ConfirmExit(unit, o.ID, "已关停", false); code(err) != jianfu.EINVALID {
			t.Errorf("closing a group without dissolving: %v", err)
		}
		if o, err = db.Cleanup().ConfirmExit(unit, o.ID, "群已解散", true); err != nil || o.Status != jianfu.OrderClosed || !o.Dissolved || o.ChannelNow != jianfu.StatusClosed {
			t.Fatalf("confirm: %+v %v", o, err)
		}
		// Archived, not deleted: still found, closed, and no longer a candidate.
		ch, err := db.Channels().FindChannelByID(sup, temp.ID)
		if err != nil || ch.Status != jianfu.StatusClosed {
			t.Errorf("closed channel: %+v %v", ch, err)
		}
		if c, _, _ := db.Cleanup().FindCandidates(sup, jianfu.CandidateFilter{Signal: jianfu.SignalExpiredTemp}); len(c) != 0 {
			t.Error("a closed channel is still a candidate")
		}
		orders, n, _ := db.Cleanup().FindOrders(f.Ctx(t, db, "northSup"), jianfu.OrderFilter{})
		if n != 0 || len(orders) != 0 {
			t.Error("another county sees the order")
		}
		// A withdrawn appeal returns the channel to active.
		o2, err := db.Cleanup().IssueExitOrder(sup, jianfu.OrderInput{ChannelID: small.ID, Reason: "低使用", DeadlineDays: 5})
		if err != nil {
			t.Fatal(err)
		}
		db.Cleanup().AppealExit(unit, o2.ID, "新学期成员将增加")
		if o2, err = db.Cleanup().DecideAppeal(sup, o2.ID, false, "同意保留,下学期复核"); err != nil || o2.Status != jianfu.OrderWithdrawn || o2.ChannelNow != jianfu.StatusActive {
			t.Errorf("withdraw: %+v %v", o2, err)
		}
	})
}

func TestScorecardsAndRelapse(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := campaignClock
		db.Now = func() time.Time { return now }
		f := storetest.Load(t, db)
		fresh := addChannel(t, db, f.Units["southEdu"], jianfu.KindAccount, "wechat_oa", "江南教育")
		stale := addChannel(t, db, f.Units["southEdu"], jianfu.KindAccount, "weibo", "江南教育微博", func(c *jianfu.Channel) {
			t := now.Add(-20 * 24 * time.Hour)
			c.LastActivityAt = &t
		})
		group := addChannel(t, db, f.Units["southSchool"], jianfu.KindGroup, "wechat", "望江中学工作群", func(c *jianfu.Channel) { c.LastActivityAt = nil })
		north := addChannel(t, db, f.Units["northEdu"], jianfu.KindAccount, "wechat_oa", "江北教育")
		sys := storetest.System()
		if err := db.Monitor().RecordChecks(sys, []*jianfu.MonitorCheck{{ChannelID: fresh.ID, At: now, URL: "https://x.invalid", Reachable: true, StatusCode: 200},
			{ChannelID: stale.ID, At: now, URL: "https://y.invalid", Reachable: false, StatusCode: 503}}); err != nil {
			t.Fatal(err)
		}
		if err := db.Evaluation().RateChannel(f.Ctx(t, db, "schoolStaff"), &jianfu.Rating{ChannelID: group.ID, Score: 5, Comment: "每天接龙三次"}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Evaluation().RecomputeScorecards(f.Ctx(t, db, "eduAdmin")); code(err) != jianfu.EFORBIDDEN {
			t.Errorf("unit admin recomputes: %v", err)
		}
		// Two components of six are not a score: no total, and the card
		// says what is missing.
		if _, err := db.Evaluation().RecomputeScorecards(f.Ctx(t, db, "southSup")); err != nil {
			t.Fatal(err)
		}
		if sc, err := db.Evaluation().FindScorecard(f.Ctx(t, db, "eduAdmin"), fresh.ID); err != nil || sc.Total != nil || sc.Verdict() != "数据不足(缺负担监测、投诉反映、抽查评估、基层评价)" {
			t.Errorf("fresh with two components: total %v, verdict %q, %v", sc.Total, sc.Verdict(), err)
		}
		if ranks, _, _ := db.Evaluation().Rankings(f.Ctx(t, db, "southSup"), jianfu.RankingFilter{By: "unit"}); len(ranks) != 2 || ranks[0].Score != nil {
			t.Errorf("units without scored channels have no score: %+v", ranks)
		}
		// A deployment that accepts one component scores as before.
		db.SetScoreMinimum(1)
		n, err := db.Evaluation().RecomputeScorecards(f.Ctx(t, db, "southSup"))
		if err != nil || n != 3 {
			t.Fatalf("recompute in 江南区: %d %v", n, err)
		}
		sc, err := db.Evaluation().FindScorecard(f.Ctx(t, db, "eduAdmin"), fresh.ID)
		if err != nil || *sc.Timeliness != 100 || *sc.Availability != 100 || sc.Burden != nil || sc.Complaints != nil || sc.Campaign != nil || *sc.Total != 100 {
			t.Errorf("fresh: %+v %v", sc, err)
		}
		sc, _ = db.Evaluation().FindScorecard(f.Ctx(t, db, "eduAdmin"), stale.ID)
		if *sc.Timeliness != 60 || *sc.Availability != 0 || *sc.Total != 30 || jianfu.Grade(sc.Total) != "差" {
			t.Errorf("stale: t=%v a=%v total=%v", *sc.Timeliness, *sc.Availability, *sc.Total)
		}
		sc, _ = db.Evaluation().FindScorecard(f.Ctx(t, db, "eduAdmin"), group.ID)
		if sc.Timeliness != nil || *sc.Rating != 0 || sc.RatingCount != 1 || *sc.Total != 0 {
			t.Errorf("group: %+v", sc)
		}
		if _, err := db.Evaluation().FindScorecard(f.Ctx(t, db, "southSup"), north.ID); code(err) != jianfu.ENOTFOUND {
			t.Errorf("north channel scored by the south recompute, or visible: %v", err)
		}
		ranks, total, err := db.Evaluation().Rankings(f.Ctx(t, db, "southSup"), jianfu.RankingFilter{By: "unit"})
		if err != nil || total != 2 || ranks[0].Name != "江州市江南区教育局" || *ranks[0].Score != 65 || ranks[0].Rank != 1 || *ranks[1].Score != 0 {
			t.Errorf("unit ranking: %d %v", total, err)
			for _, r := range ranks {
				t.Logf("%+v", *r)
			}
		}
		// Regions below the city: 江南区 has data; 江北区 has none yet.
		if _, err := db.Evaluation().RecomputeScorecards(f.Ctx(t, db, "provSup")); err != nil {
			t.Fatal(err)
		}
		regions, _, err := db.Evaluation().Rankings(f.Ctx(t, db, "provSup"), jianfu.RankingFilter{By: "region", RegionPath: "3901"})
		if err != nil || len(regions) != 2 {
			t.Fatalf("regions: %+v %v", regions, err)
		}
		// Next month: the trend has two points.
		now = now.AddDate(0, 1, 0)
		db.Evaluation().RecomputeScorecards(f.Ctx(t, db, "provSup"))
		trend, err := db.Evaluation().Trend(f.Ctx(t, db, "provSup"), 0)
		if err != nil || len(trend) != 2 || trend[0].Period != "2026-03" || trend[1].Period != "2026-04" {
			t.Errorf("trend: %+v %v", trend, err)
		}
		// Relapse: a failure, rectified, then another failure within 6 months.
		sup := f.Ctx(t, db, "southSup")
		fail := func() {
			c := &jianfu.Campaign{Name: "抽查" + now.Format("0102"), RegionPath: "390102", UnitIDs: []int64{f.Units["southEdu"].ID}, Kinds: []jianfu.ChannelKind{jianfu.KindAccount}, SampleRate: 1}
			if err := db.Campaigns().CreateCampaign(sup, c); err != nil {
				t.Fatal(err)
			}
			forms, _, _ := db.Campaigns().FindForms(sup, jianfu.FormFilter{CampaignID: c.ID, Status: jianfu.FormPending})
			if _, err := db.Campaigns().SaveForm(sup, forms[0].ID, jianfu.FormInput{Submit: true, Evidence: "见截图", Answers: map[string]jianfu.Answer{"V3": {Hit: true}}}); err != nil {
				t.Fatal(err)
			}
		}
		fail()
		if r, _ := db.Evaluation().Relapses(sup); len(r) != 0 {
			t.Errorf("relapse before any rectification: %+v", r)
		}
		rects, _, _ := db.Campaigns().FindRectifications(sup, jianfu.RectificationFilter{Status: jianfu.RectOpen})
		for _, r := range rects {
			db.Campaigns().MarkRectified(sup, r.ID, "已整改")
		}
		now = now.AddDate(0, 2, 0)
		fail()
		// A veto is never a score: the card names the failed item.
		db.Evaluation().RecomputeScorecards(f.Ctx(t, db, "provSup"))
		cards, _, _ := db.Evaluation().FindScorecards(sup, jianfu.ScorecardFilter{})
		vetoed := 0
		for _, c := range cards {
			if c.Veto != "" {
				vetoed++
				if c.Total != nil || c.Campaign != nil || !strings.HasPrefix(c.Verdict(), "单项否决:") {
					t.Errorf("a vetoed card: total %v campaign %v verdict %q", c.Total, c.Campaign, c.Verdict())
				}
			}
		}
		if vetoed == 0 {
			t.Errorf("no scorecard carries the veto of the failed spot check: %+v", cards)
		}
		rel, err := db.Evaluation().Relapses(sup)
		if err != nil || len(rel) != 1 || rel[0].UnitID != f.Units["southEdu"].ID || !strings.Contains(rel[0].Evidence, "6个月内又出现") {
			t.Errorf("relapse: %+v %v", rel, err)
		}
		if r, _ := db.Evaluation().Relapses(f.Ctx(t, db, "northSup")); len(r) != 0 {
			t.Error("the other county sees the relapse")
		}
		d, err := db.Evaluation().Dashboard(sup)
		if err != nil || len(d.Relapses) != 1 || d.OpenRect == 0 || d.Channels[jianfu.KindAccount] != 2 || d.FailRate == nil || d.Unreachable != 1 {
			b, _ := json.Marshal(d)
			t.Errorf("dashboard: %s %v", b, err)
		}
	})
}

func TestRatingsAreAnonymous(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		db.Now = func() time.Time { return campaignClock }
		f := storetest.Load(t, db)
		group := addChannel(t, db, f.Units["southEdu"], jianfu.KindGroup, "wechat", "江南区教育系统工作群")
		other := addChannel(t, db, f.Units["northEdu"], jianfu.KindGroup, "dingtalk", "江北教育群")
		staff := f.Ctx(t, db, "schoolStaff")
		// The school's staff may rate the group of the bureau above it.
		list, n, err := db.Evaluation().RateableChannels(staff, jianfu.ChannelFilter{})
		if err != nil || n != 1 || list[0].Channel.ID != group.ID || list[0].Rated {
			t.Fatalf("rateable: %d %v", n, err)
		}
		if err := db.Evaluation().RateChannel(staff, &jianfu.Rating{ChannelID: other.ID, Score: 3}); code(err) != jianfu.ENOTFOUND {
			t.Errorf("rating a channel of another county: %v", err)
		}
		if err := db.Evaluation().RateChannel(staff, &jianfu.Rating{ChannelID: group.ID, Score: 9}); code(err) != jianfu.EINVALID {
			t.Errorf("score 9: %v", err)
		}
		if err := db.Evaluation().RateChannel(staff, &jianfu.Rating{ChannelID: group.ID, Score: 4, Comment: "晚上十点还要求接龙"}); err != nil {
			t.Fatal(err)
		}
		if err := db.Evaluation().RateChannel(staff, &jianfu.Rating{ChannelID: group.ID, Score: 1}); code(err) != jianfu.ECONFLICT {
			t.Errorf("second rating in a quarter: %v", err)
		}
		if list, _, _ := db.Evaluation().RateableChannels(staff, jianfu.ChannelFilter{}); !list[0].Rated {
			t.Error("the rated channel is not marked rated")
		}
		// Next quarter the same person may rate again.
		db.Now = func() time.Time { return campaignClock.AddDate(0, 3, 0) }
		if err := db.Evaluation().RateChannel(staff, &jianfu.Rating{ChannelID: group.ID, Score: 2}); err != nil {
			t.Errorf("rating next quarter: %v", err)
		}
		db.Now = func() time.Time { return campaignClock }

		// The rated unit's administrator sees the rating but nothing that
		// names the rater.
		admin := f.Ctx(t, db, "eduAdmin")
		s, err := db.Evaluation().Ratings(admin, group.ID, "")
		if err != nil || s.Count != 1 || *s.Average != 4 || s.Histogram[3] != 1 || len(s.Comments) != 1 || s.Mine {
			t.Fatalf("summary: %+v %v", s, err)
		}
		b, _ := json.Marshal(s)
		u := f.Users["schoolStaff"]
		for _, leak := range []string{u.Username, u.Name, "rater", "user", "望江中学"} {
			if strings.Contains(string(b), leak) {
				t.Errorf("the summary shown to the rated unit contains %q: %s", leak, b)
			}
		}
		// The stored row has no user column and no time finer than the
		// quarter; the audit entry names neither the rater, the channel nor
		// the unit rated.
		cols, _ := db.SQL().Query(`SELECT * FROM ratings LIMIT 1`)
		names, _ := cols.Columns()
		cols.Close()
		for _, c := range names {
			if strings.Contains(c, "user") || c == "created_at" || c == "at" || c == "day" || c == "rater" {
				t.Errorf("ratings has a column %q", c)
			}
		}
		entries, _, err := db.Audit().FindAuditEntries(f.Ctx(t, db, "cityAuditor"), jianfu.AuditFilter{Action: "rating"})
		if err != nil || len(entries) == 0 {
			t.Fatalf("rating audit: %v", err)
		}
		for _, e := range entries {
			if e.ObjectID != "" || e.ActorName != "rater" || e.ActorID != 0 || e.IP != "" || e.Detail != "2026Q1" && e.Detail != "2026Q2" {
				t.Errorf("audit entry ties the rater to the channel: %+v", e)
			}
		}
		if _, _, err := db.Audit().FindAuditEntries(admin, jianfu.AuditFilter{}); code(err) != jianfu.EFORBIDDEN {
			t.Errorf("the unit admin reads the audit log: %v", err)
		}
		if _, err := db.Evaluation().Ratings(f.Ctx(t, db, "northAdmin"), group.ID, ""); code(err) != jianfu.ENOTFOUND {
			t.Errorf("another unit reads the ratings: %v", err)
		}
	})
}

// TestRatingsCannotBeTraced: with a copy of the database and its audit log,
// nobody can tell who gave a rating (attack 10). The mark key is not in the
// database; rows keep the quarter only, and their ids follow no order of
// time; the marks are bare hashes that only the key reproduces.
func TestRatingsCannotBeTraced(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		db.Now = func() time.Time { return campaignClock }
		f := storetest.Load(t, db)
		var groups []*jianfu.Channel
		for i := range 12 {
			groups = append(groups, addChannel(t, db, f.Units["southEdu"], jianfu.KindGroup, "wechat", fmt.Sprintf("江南区教育系统第%d工作群", i+1)))
		}
		staff := f.Ctx(t, db, "schoolStaff")
		db.SetRaterKey(nil)
		if err := db.Evaluation().RateChannel(staff, &jianfu.Rating{ChannelID: groups[0].ID, Score: 3}); code(err) != jianfu.EINVALID || !strings.Contains(jianfu.ErrorMessage(err, "zh"), "--rater-key") {
			t.Errorf("a rating without a rater key: %v", err)
		}
		db.SetRaterKey([]byte(storetest.RaterKey))
		for i, g := range groups {
			if err := db.Evaluation().RateChannel(staff, &jianfu.Rating{ChannelID: g.ID, Score: i%5 + 1}); err != nil {
				t.Fatal(err)
			}
		}
		// The ids, in the order the rows were written, are not in order.
		rows, err := db.SQL().Query(`SELECT id, channel_id FROM ratings ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		var order []int64
		for rows.Next() {
			var id, ch int64
			rows.Scan(&id, &ch)
			order = append(order, ch)
		}
		rows.Close()
		if len(order) != len(groups) || slices.IsSorted(order) {
			t.Errorf("rating ids follow the order of writing: channels by id %v", order)
		}
		// The key is not in the database any more.
		var n int
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM rating_key`).Scan(&n); err == nil {
			t.Error("the database still has a table of the rater key")
		}
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM rating_marks`).Scan(&n); err != nil || n != len(groups) {
			t.Fatalf("marks: %d %v", n, err)
		}
		// Only the key reproduces a mark: with it, the rater's mark is there;
		// with any other key (a guess), it is not.
		u := f.Users["schoolStaff"]
		q := jianfu.Quarter(campaignClock)
		for _, tt := range []struct {
			key  string
			want int
		}{{storetest.RaterKey, 1}, {"a-guessed-key-0123456789", 0}} {
			m := hmac.New(sm3.New, []byte(tt.key))
			fmt.Fprintf(m, "%d|%d|%s", u.ID, groups[0].ID, q)
			var got int
			db.SQL().QueryRow(dollars(db, `SELECT COUNT(*) FROM rating_marks WHERE mark = ?`), hex.EncodeToString(m.Sum(nil))).Scan(&got)
			if got != tt.want {
				t.Errorf("mark under key %q: %d, want %d", tt.key, got, tt.want)
			}
		}
		entries, _, _ := db.Audit().FindAuditEntries(f.Ctx(t, db, "cityAuditor"), jianfu.AuditFilter{Action: "rating"})
		for _, e := range entries {
			if e.ActorName != "rater" || e.ActorID != 0 || e.IP != "" || e.ObjectID != "" {
				t.Errorf("a rating's audit entry names its rater: %+v", e)
			}
		}
	})
}

// dollars writes the ? placeholders of q as PostgreSQL wants them.
func dollars(db *store.DB, q string) string {
	if db.Engine() == store.Postgres {
		for i := 1; strings.Contains(q, "?"); i++ {
			q = strings.Replace(q, "?", fmt.Sprintf("$%d", i), 1)
		}
	}
	return q
}
