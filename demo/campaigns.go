package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"jianfu"
	"jianfu/calendar"
)

// campaigns fills spot checks, evaluation and cleanup: technical checks of
// the channels' public pages, anonymous grassroots ratings, a spot check of
// the capital with its forms filled in, scorecards over six months for the
// trend, a relapse, and exit orders in each state. When no earlier step
// registered channels, it registers a modest set of its own first.
func (g *gen) campaigns(ctx context.Context) error {
	db := g.db
	if err := g.sampleChannels(ctx); err != nil {
		return err
	}
	var chans []*jianfu.Channel
	for off := 0; ; off += 1000 {
		page, total, err := db.Channels().FindChannels(ctx, jianfu.ChannelFilter{Page: jianfu.Page{Offset: off, Limit: 1000, Sort: "id"}})
		if err != nil {
			return err
		}
		chans = append(chans, page...)
		if off+1000 >= total {
			break
		}
	}
	if len(chans) == 0 {
		return nil
	}
	realNow := db.Now
	defer func() { db.Now = realNow }()
	now := realNow().In(jianfu.China) // the quarter and the dates named are China's
	at := func(t time.Time) { db.Now = func() time.Time { return t } }

	// Technical checks: a third of the channels with a public address.
	var checks []*jianfu.MonitorCheck
	for i, c := range chans {
		if c.URL == "" || i%3 != 0 || c.Status == jianfu.StatusClosed {
			continue
		}
		mc := &jianfu.MonitorCheck{ChannelID: c.ID, At: now.Add(-time.Duration(g.rng.IntN(20)) * time.Hour), URL: c.URL, FinalURL: c.URL,
			StatusCode: 200, Reachable: true, Duration: int64(80 + g.rng.IntN(900)), LastUpdate: c.LastActivityAt, UpdateSource: "feed", Title: c.Name, Links: 20 + g.rng.IntN(40)}
		mc.Outbound = g.rng.IntN(4)
		switch r := g.rng.IntN(20); {
		case r == 0:
			mc.Reachable, mc.StatusCode, mc.Error, mc.LastUpdate, mc.UpdateSource = false, 502, "HTTP 502", nil, ""
		case r == 1:
			mc.Reachable, mc.StatusCode, mc.Error, mc.LastUpdate, mc.UpdateSource = false, 0, "访问超时", nil, ""
		case r < 4:
			mc.Broken = []string{c.URL + "/old/notice.html"}
		}
		checks = append(checks, mc)
	}
	if err := db.Monitor().RecordChecks(ctx, checks); err != nil {
		return fmt.Errorf("monitor checks: %w", err)
	}
	g.count("技术监测记录", len(checks))

	// Anonymous ratings from grassroots raters of the units below each
	// group or app's owner (simulated people, one rating each).
	ratings := 0
	for i, c := range chans {
		if c.Kind == jianfu.KindAccount || !c.Status.Live() || c.Status == jianfu.StatusExitRequested || i%2 != 0 {
			continue
		}
		u := g.unitByID(c.UnitID)
		if u == nil {
			continue
		}
		for r := 0; r < 1+g.rng.IntN(4); r++ {
			rater := &jianfu.Actor{UserID: int64(9_000_000 + i*10 + r), Username: "demo:基层评价", Roles: []jianfu.Role{jianfu.RoleStaff},
				UnitID: u.ID, UnitPath: u.Path, RegionPath: u.RegionPath, Via: "demo"}
			score := 1 + g.rng.IntN(5)
			if c.Kind == jianfu.KindGroup && c.MemberCount > 100 {
				score = min(5, score+1)
			}
			comment := ""
			if g.rng.IntN(3) == 0 {
				comment = ratingComments[g.rng.IntN(len(ratingComments))]
			}
			if err := db.Evaluation().RateChannel(jianfu.WithActor(context.Background(), rater), &jianfu.Rating{ChannelID: c.ID, Score: score, Comment: comment}); err != nil {
				return fmt.Errorf("rating: %w", err)
			}
			ratings++
		}
	}
	g.count("基层匿名评价", ratings)

	// Scorecards month by month, for the trend.
	for m := 5; m >= 1; m-- {
		at(now.AddDate(0, -m, 0))
		if _, err := db.Evaluation().RecomputeScorecards(ctx); err != nil {
			return err
		}
	}

	// A relapse: a district unit failed a check four months ago and
	// rectified, and fails again now.
	capital := g.w.cities[0]
	jn := capital.counties[0]
	sup := g.actorOf(capital.stem.py + ".jianguan")
	insp := g.actorOf(capital.stem.py + ".choucha")
	if sup == nil || insp == nil {
		return fmt.Errorf("demo: the capital's supervisor or inspector is missing")
	}
	edu := g.w.find(jn.region.Path, "edu")
	var eduChan *jianfu.Channel
	for _, c := range chans {
		if c.UnitID == edu.ID && c.Kind == jianfu.KindAccount && c.Status == jianfu.StatusActive {
			eduChan = c
			break
		}
	}
	if eduChan != nil {
		check := func(name, evidence, note string) error {
			c := &jianfu.Campaign{Name: name, RegionPath: jn.region.Path, UnitIDs: []int64{edu.ID}, Kinds: []jianfu.ChannelKind{jianfu.KindAccount},
				SampleRate: 1, Seed: g.rng.Uint64(), Inspectors: []int64{insp.UserID}}
			if err := db.Campaigns().CreateCampaign(sup.ctx, c); err != nil {
				return fmt.Errorf("campaign %s: %w", name, err)
			}
			forms, _, err := db.Campaigns().FindForms(sup.ctx, jianfu.FormFilter{CampaignID: c.ID, Page: jianfu.Page{Limit: 100}})
			if err != nil {
				return err
			}
			for _, f := range forms {
				if _, err := db.Campaigns().SaveForm(insp.ctx, f.ID, jianfu.FormInput{Submit: true, Evidence: evidence,
					Answers: map[string]jianfu.Answer{"V1": {Hit: true, Note: note}, "D1": {Points: 15}}}); err != nil {
					return err
				}
			}
			_, err = db.Campaigns().CloseCampaign(sup.ctx, c.ID)
			return err
		}
		at(now.AddDate(0, -4, 0))
		if err := check(jn.region.Name+"教育系统政务新媒体专项抽查", "检查前两周内无任何更新,截图存档", "最近一次发布在两个月前"); err != nil {
			return err
		}
		at(now.AddDate(0, -3, 0))
		rects, _, err := db.Campaigns().FindRectifications(sup.ctx, jianfu.RectificationFilter{Status: jianfu.RectOpen})
		if err != nil {
			return err
		}
		for _, r := range rects {
			if _, err := db.Campaigns().MarkRectified(sup.ctx, r.ID, "已恢复日常更新,建立内容发布排期"); err != nil {
				return err
			}
		}
		at(now.AddDate(0, -1, 0))
		if err := check(jn.region.Name+"教育系统整改情况复查", "整改后再次连续三周未更新", "整改后再次停更"); err != nil {
			return err
		}
	}
	at(now)

	// This quarter's spot check of the capital, mostly done, its forms due
	// by the next working day (so the inspectors have their reminder).
	{
		c := &jianfu.Campaign{Name: fmt.Sprintf("%d年第%d季度%s政务应用程序、公众账号和工作群组抽查", now.Year(), (int(now.Month())-1)/3+1, capital.region.Name),
			RegionPath: capital.region.Path, SampleSize: max(12, len(chans)*8/100), Seed: g.rng.Uint64(), Inspectors: []int64{insp.UserID, sup.UserID}, RectifyDays: 15,
			Deadline: jianfu.DateOf(calendar.Default().AddWorkdays(now, 1))}
		if err := db.Campaigns().CreateCampaign(sup.ctx, c); err != nil {
			return fmt.Errorf("campaign: %w", err)
		}
		forms, _, err := db.Campaigns().FindForms(sup.ctx, jianfu.FormFilter{CampaignID: c.ID, Page: jianfu.Page{Limit: 1000}})
		if err != nil {
			return err
		}
		done := 0
		for i, f := range forms {
			if i%5 == 4 { // a fifth left for the inspector
				continue
			}
			who := insp
			if f.InspectorID == sup.UserID {
				who = sup
			}
			in := g.formAnswers(f)
			if _, err := db.Campaigns().SaveForm(who.ctx, f.ID, in); err != nil {
				return fmt.Errorf("form %d: %w", f.ID, err)
			}
			done++
		}
		g.count("抽查检查表单", len(forms))
		g.count("已提交检查", done)
	}
	if _, err := db.Evaluation().RecomputeScorecards(ctx); err != nil {
		return err
	}

	// Exit orders: one confirmed (archived), one appealed, one awaiting.
	cands, _, err := db.Cleanup().FindCandidates(sup.ctx, jianfu.CandidateFilter{Page: jianfu.Page{Limit: 50}})
	if err != nil {
		return err
	}
	orders := 0
	for i, c := range cands {
		if i >= 3 || c.OpenOrderID != 0 {
			break
		}
		reason := "经核查," + c.Signals[0].Evidence + ",依规予以关停"
		o, err := db.Cleanup().IssueExitOrder(sup.ctx, jianfu.OrderInput{ChannelID: c.ChannelID, Reason: reason})
		if err != nil {
			return fmt.Errorf("exit order: %w", err)
		}
		orders++
		switch i {
		case 0:
			if _, err := db.Cleanup().ConfirmExit(ctx, o.ID, "已注销并存档", c.Kind == jianfu.KindGroup); err != nil {
				return err
			}
		case 1:
			if _, err := db.Cleanup().AppealExit(ctx, o.ID, "该群承担防汛值守联络任务,汛期结束后解散"); err != nil {
				return err
			}
		}
	}
	g.count("退出通知", orders)
	return nil
}

var ratingComments = []string{
	"每天要求接龙报平安,晚上十点后还在催",
	"同一份材料已经在三个群里报过",
	"要求截图证明已学习,占用大量时间",
	"群里通知清楚,没有额外负担",
	"下载安装要求排名,基层压力大",
	"周末也要求即时回复",
	"能在线办理,确实减少了跑腿",
}

// demoActor is a demo user acting.
type demoActor struct {
	*jianfu.Actor
	ctx context.Context
}

func (g *gen) actorOf(username string) *demoActor {
	for _, u := range g.w.users {
		if u.Username == username {
			a := &jianfu.Actor{UserID: u.ID, Username: u.Username, Name: u.Name, Roles: u.Roles, UnitID: u.unit.ID, UnitName: u.unit.Name,
				UnitPath: u.unit.Path, RegionPath: u.unit.RegionPath, Via: "demo"}
			return &demoActor{a, jianfu.WithActor(context.Background(), a)}
		}
	}
	return nil
}

func (g *gen) unitByID(id int64) *unit {
	for _, u := range g.w.units {
		if u.ID == id {
			return u
		}
	}
	return nil
}

// formAnswers draws a plausible inspection: most channels pass with a
// few deductions, some fail on points, a few on a veto.
func (g *gen) formAnswers(f *jianfu.CheckForm) jianfu.FormInput {
	in := jianfu.FormInput{Submit: true, Answers: map[string]jianfu.Answer{}}
	for k, a := range f.Answers {
		in.Answers[k] = a // keep what monitoring pre-filled
	}
	switch r := g.rng.IntN(10); {
	case r == 0:
		in.Answers["V2"] = jianfu.Answer{Hit: true, Note: "关键功能长期无法使用"}
		in.Evidence = "检查当日多次尝试均失败,截图存档"
	case r <= 2:
		in.Answers["D1"] = jianfu.Answer{Points: 20, Note: "要求基层按期完成指标"}
		in.Answers["D2"] = jianfu.Answer{Points: 15}
		in.Answers["D3"] = jianfu.Answer{Points: 10}
		in.Evidence = "群聊记录与通知文件截图"
	default:
		in.Answers["D2"] = jianfu.Answer{Points: float64(g.rng.IntN(6))}
	}
	for k, a := range in.Answers {
		if a.Hit && in.Evidence == "" {
			in.Evidence = "技术监测记录"
		}
		if a.Hit && !strings.HasPrefix(k, "V") {
			delete(in.Answers, k)
		}
	}
	return in
}

// sampleChannels registers channels when no earlier step did: per county,
// an account of each department (a few twice on one platform, a few
// silent for months), work groups of schools and township governments
// (some temporary and past their end date, some nearly empty) and a few
// apps.
func (g *gen) sampleChannels(ctx context.Context) error {
	if _, n, err := g.db.Channels().FindChannels(ctx, jianfu.ChannelFilter{Page: jianfu.Page{Limit: 1}}); err != nil || n > 0 {
		return err
	}
	now := g.db.Now().In(jianfu.China) // end dates are China days
	made := 0
	add := func(u *unit, kind jianfu.ChannelKind, platform, name string, edit func(*jianfu.Channel)) error {
		days := g.rng.IntN(10)
		if g.rng.IntN(12) == 0 {
			days = 30 + g.rng.IntN(150)
		}
		last := now.Add(-time.Duration(days*24+g.rng.IntN(24)) * time.Hour)
		c := &jianfu.Channel{Kind: kind, Platform: platform, Name: name, UnitID: u.ID, Status: jianfu.StatusActive, LastActivityAt: &last,
			FilingNumber: fmt.Sprintf("临网备%06d", 100000+made)}
		if kind != jianfu.KindGroup {
			c.URL = fmt.Sprintf("https://%s.example.invalid/%d", platform, 1000+made)
		}
		if edit != nil {
			edit(c)
		}
		if err := g.db.Channels().CreateChannel(ctx, c); err != nil {
			return fmt.Errorf("channel %s: %w", name, err)
		}
		made++
		return nil
	}
	for _, u := range g.w.units {
		if u.county == nil {
			continue
		}
		short := strings.TrimPrefix(u.Name, u.county.region.Name)
		switch {
		case u.kind == kindDept:
			if err := add(u, jianfu.KindAccount, "wechat_oa", u.county.region.Name+short+"发布", nil); err != nil {
				return err
			}
			if g.rng.IntN(6) == 0 {
				if err := add(u, jianfu.KindAccount, "wechat_oa", u.county.region.Name+short+"服务号", nil); err != nil {
					return err
				}
			}
			if g.rng.IntN(4) == 0 {
				if err := add(u, jianfu.KindAccount, "douyin", u.county.region.Name+short, nil); err != nil {
					return err
				}
			}
			if err := add(u, jianfu.KindGroup, "wecom", short+"工作群", func(c *jianfu.Channel) { c.MemberCount = 20 + g.rng.IntN(200) }); err != nil {
				return err
			}
			if g.rng.IntN(8) == 0 {
				if err := add(u, jianfu.KindApp, "wechat_mini", u.county.region.Name+short+"掌上办", nil); err != nil {
					return err
				}
			}
		case u.township != nil && u.village == nil && strings.HasSuffix(u.Name, "人民政府"):
			if err := add(u, jianfu.KindGroup, "dingtalk", u.township.region.Name+"干部工作群", func(c *jianfu.Channel) { c.MemberCount = 30 + g.rng.IntN(120) }); err != nil {
				return err
			}
			if g.rng.IntN(3) == 0 {
				end := now.AddDate(0, 0, -10-g.rng.IntN(60)).Format("2006-01-02")
				if err := add(u, jianfu.KindGroup, "wechat", u.township.region.Name+"防汛专项工作群", func(c *jianfu.Channel) {
					c.MemberCount, c.Temporary, c.EndDate = 40+g.rng.IntN(60), true, end
				}); err != nil {
					return err
				}
			}
			if g.rng.IntN(5) == 0 {
				if err := add(u, jianfu.KindGroup, "wechat", u.township.region.Name+"材料报送群", func(c *jianfu.Channel) { c.MemberCount = 2 }); err != nil {
					return err
				}
			}
		}
	}
	g.count("政务渠道(示例)", made)
	return nil
}
