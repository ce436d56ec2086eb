package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"jianfu"
)

// channels gives the province its registry: the public accounts of offices
// and departments, the apps of province and city, the work groups of every
// level, in every life-cycle state. Planted problems make every check and
// view show something real: a school's account named like its bureau's
// (near-duplicate), a department with two WeChat accounts, a township that
// built an app, re-validations overdue, temporary groups past their end
// date, a handful of people who own many groups, and filings waiting in
// 江南区's review queue with their warnings.
//
// Filed records are written with one import, as an existing ledger would
// be; the review queue goes through the life cycle one action at a time.
func (g *gen) channels(ctx context.Context) error {
	today := jianfu.Midnight(g.db.Now())
	p := &channelPlan{g: g, today: today, seq: map[string]int{}, owners: map[*county][]string{}}
	for _, u := range g.w.units {
		p.unit(u)
	}
	p.plant()
	if _, err := g.db.Registry().ImportChannels(ctx, p.rows); err != nil {
		return fmt.Errorf("import %d channels: %w", len(p.rows), err)
	}
	n, err := p.queue(ctx)
	if err != nil {
		return err
	}
	g.count("政务渠道", len(p.rows)+n)
	return nil
}

type channelPlan struct {
	g      *gen
	today  time.Time
	rows   []*jianfu.ChannelImport
	seq    map[string]int       // filing sequences by region code, kind and year
	owners map[*county][]string // the people who run a county's groups
}

// stem is the short place name a unit's channels carry: 临江, 江州, 江南, 望江.
func (p *channelPlan) stem(u *unit) string {
	switch {
	case u.township != nil:
		return u.township.stem.zh
	case u.county != nil:
		return u.county.stem.zh
	}
	for _, c := range p.g.w.cities {
		if len(u.RegionPath) >= 4 && c.region.Path == u.RegionPath[:4] {
			return c.stem.zh
		}
	}
	return provinceStem.zh
}

var deptWords = map[string]string{"edu": "教育", "health": "健康", "agri": "农业农村", "civil": "民政", "hr": "人社", "emergency": "应急", "police": "公安", "sasac": "国资"}

// person draws the owner of a group: in each county a few people run many
// groups (the consolidation view's "people in the most groups").
func (p *channelPlan) person(u *unit) string {
	k := u.county
	rng := p.g.rng
	if k != nil {
		if p.owners[k] == nil {
			for i := 0; i < 4; i++ {
				p.owners[k] = append(p.owners[k], personName(rng))
			}
		}
		if rng.IntN(3) == 0 {
			return p.owners[k][rng.IntN(len(p.owners[k]))]
		}
	}
	return personName(rng)
}

func (p *channelPlan) phone() string {
	return fmt.Sprintf("1%d%09d", 3+p.g.rng.IntN(6), p.g.rng.IntN(1_000_000_000))
}

// add plans a channel of unit u in a state drawn for it.
func (p *channelPlan) add(u *unit, c jianfu.Channel) *jianfu.Channel {
	return p.addIn(u, c, "")
}

// addIn plans a channel in the given state ("" draws one: mostly active,
// some drafts, filed-not-launched, rectifying, leaving and closed).
func (p *channelPlan) addIn(u *unit, c jianfu.Channel, status jianfu.ChannelStatus) *jianfu.Channel {
	rng := p.g.rng
	c.ResponsiblePerson, c.ResponsiblePhone = personName(rng), p.phone()
	publicAddress(&c)
	r := rng.Float64()
	switch {
	case status != "":
		c.Status = status
	case r < 0.05:
		c.Status = jianfu.StatusDraft
	case r < 0.09:
		c.Status = jianfu.StatusApproved
	case r < 0.12:
		c.Status = jianfu.StatusRectifying
	case r < 0.14:
		c.Status = jianfu.StatusExitRequested
	case r < 0.20:
		c.Status = jianfu.StatusClosed
	default:
		c.Status = jianfu.StatusActive
	}
	if c.Status != jianfu.StatusDraft {
		filed := p.today.AddDate(0, 0, -30-rng.IntN(3*365))
		c.FiledAt = &filed
		code := jianfu.FilingRegionCode(u.RegionPath)
		key := fmt.Sprint(code, c.Kind, filed.Year())
		p.seq[key]++
		c.FilingNumber = jianfu.FormatFilingNumber(code, c.Kind, filed.Year(), p.seq[key])
		// Most units confirmed their record within the last five months;
		// some let it slip past the six-month re-validation.
		back := 5 + rng.IntN(150)
		if rng.IntN(100) < 8 {
			back = 200 + rng.IntN(200)
		}
		reval := p.today.AddDate(0, 0, -back)
		if reval.Before(filed) {
			reval = filed
		}
		c.RevalidatedAt = &reval
		last := p.today.AddDate(0, 0, -rng.IntN(40))
		c.LastActivityAt = &last
	}
	row := &jianfu.ChannelImport{Row: len(p.rows) + 2, UnitRef: u.CreditCode, Channel: c}
	p.rows = append(p.rows, row)
	return &row.Channel
}

var accountPlatforms = []string{"wechat_oa", "weibo", "douyin", "toutiao", "kuaishou", "wechat_channels", "bilibili", "xiaohongshu"}

// unit plans the channels of one unit by what it is.
func (p *channelPlan) unit(u *unit) {
	rng := p.g.rng
	stem := p.stem(u)
	// The showcase district's offices and departments run their main
	// account; elsewhere any state may be drawn.
	showcase := u.county != nil && u.county == p.g.w.cities[0].counties[0]
	first := true
	account := func(name, platform string) *jianfu.Channel {
		c := jianfu.Channel{Kind: jianfu.KindAccount, Name: name, Platform: platform, CertSubject: u.Name,
			PlatformID: fmt.Sprintf("%s_%08x", platform, rng.Uint32()), Purpose: "发布" + u.Name + "政务信息和办事服务"}
		if platform == "wechat_oa" {
			c.PlatformID = fmt.Sprintf("gh_%012x", rng.Uint64()&0xffffffffffff)
		}
		var status jianfu.ChannelStatus
		if showcase && first {
			status = jianfu.StatusActive
		}
		first = false
		return p.addIn(u, c, status)
	}
	group := func(name, platform, purpose string, members int) *jianfu.Channel {
		c := jianfu.Channel{Kind: jianfu.KindGroup, Name: name, Platform: platform, Purpose: purpose, MemberCount: members, Owner: p.person(u)}
		for i := 0; i < 1+rng.IntN(2); i++ {
			c.Admins = append(c.Admins, p.person(u))
		}
		return p.add(u, c)
	}
	app := func(name, platform, functions string, audience string) *jianfu.Channel {
		return p.add(u, jianfu.Channel{Kind: jianfu.KindApp, Name: name, Platform: platform, Functions: functions, Audience: audience,
			PlatformID: fmt.Sprintf("cn.gov.%s.%x", platform, rng.Uint32()), LaunchDate: p.today.AddDate(-1-rng.IntN(3), 0, 0).Format("2006-01-02")})
	}
	groupPlatform := func() string { return []string{"wechat", "wecom", "dingtalk", "dingtalk", "feishu", "qq"}[rng.IntN(6)] }
	temporary := func(name, purpose string) {
		c := group(name, groupPlatform(), purpose, 20+rng.IntN(60))
		c.Temporary = true
		// Two in five are past their end date and still not dissolved.
		if rng.IntN(5) < 2 {
			c.EndDate = p.today.AddDate(0, 0, -10-rng.IntN(120)).Format("2006-01-02")
		} else {
			c.EndDate = p.today.AddDate(0, 0, 20+rng.IntN(150)).Format("2006-01-02")
		}
	}
	switch u.kind {
	case kindCAC:
		account("网信"+stem, "wechat_oa")
		account("网信"+stem, "weibo")
		group(stem+"网信系统工作群", groupPlatform(), "网信工作部署与信息报送", 30+rng.IntN(50))
	case kindPartyOffice:
		group(u.Name+"工作群", groupPlatform(), "机关日常工作通知", 20+rng.IntN(40))
	case kindGovOffice:
		for _, pl := range []string{"wechat_oa", "weibo", "douyin"}[:1+rng.IntN(3)] {
			account(stem+"发布", pl)
		}
		group(u.Name+"值班群", groupPlatform(), "政务值班与应急信息", 20+rng.IntN(40))
		if len(u.RegionPath) <= 4 {
			app(stem+"办事", "android", "办事指南、在线预约、进度查询", "public")
			app(stem+"办事", "ios", "办事指南、在线预约、进度查询", "public")
			app(stem+"办事", "wechat_mini", "办事指南、在线预约", "public")
		}
		if u.county != nil && rng.IntN(3) == 0 {
			temporary(stem+"防汛防台临时工作群", "汛期防汛防台值班调度")
		}
	case kindDept:
		word := deptWords[u.dept]
		account(stem+word, "wechat_oa")
		if rng.IntN(2) == 0 {
			account(stem+word, accountPlatforms[1+rng.IntN(len(accountPlatforms)-1)])
		}
		group(u.Name+"工作群", groupPlatform(), word+"系统工作通知", 30+rng.IntN(90))
		if len(u.RegionPath) <= 4 && (u.dept == "edu" || u.dept == "health" || u.dept == "hr") {
			app(stem+word, "android", word+"业务办理、信息查询", "public")
		}
		if u.dept == "emergency" {
			temporary(stem+"森林防火临时工作群", "森林防火期值守")
		}
	case kindPeopleOrg:
		switch {
		case strings.Contains(u.Name, "共青团"):
			account(stem+"青年", "wechat_oa")
		case strings.Contains(u.Name, "妇女"):
			account(stem+"女性", "wechat_oa")
		default:
			account(stem+"工会", "wechat_oa")
		}
	case kindInstitution, kindEnterprise:
		if rng.IntN(2) == 0 {
			account(shortName(u.Name), "wechat_oa")
		}
		group(shortName(u.Name)+"工作群", groupPlatform(), "单位内部工作通知", 20+rng.IntN(80))
	case kindSchool:
		account(shortName(u.Name), "wechat_oa")
		group(shortName(u.Name)+"教师工作群", groupPlatform(), "教学安排与工作通知", 40+rng.IntN(80))
		for i := 0; i < 1+rng.IntN(3); i++ {
			group(fmt.Sprintf("%s%d年级家长群", shortName(u.Name), 1+rng.IntN(6)), "wechat", "家校沟通", 40+rng.IntN(60))
		}
	case kindHospital:
		account(shortName(u.Name), "wechat_oa")
		group(shortName(u.Name)+"医务工作群", groupPlatform(), "医疗工作通知", 50+rng.IntN(150))
	case kindTownParty:
		group(u.Name+"党建工作群", groupPlatform(), "党建工作通知", 20+rng.IntN(40))
	case kindTownGov:
		if rng.IntN(2) == 0 {
			account(stem+"发布", "wechat_oa")
		}
		group(stem+"村(社区)干部工作群", groupPlatform(), "村社工作部署与信息报送", 30+rng.IntN(60))
		if rng.IntN(4) == 0 {
			temporary(stem+"人口普查临时工作群", "人口普查入户登记")
		}
	case kindCommittee:
		if u.village != nil && u.village.community {
			group(u.village.region.Name+"居民群", "wechat", "社区事务公开与便民通知", 80+rng.IntN(300))
		} else if u.village != nil {
			group(u.village.region.Name+"村民群", "wechat", "村务公开与便民通知", 80+rng.IntN(300))
		}
	}
}

// shortName drops the county prefix of a unit name for its channels:
// 江州市江南区第一中学 → 江南区第一中学 → 江南第一中学.
func shortName(name string) string {
	r := []rune(name)
	if len(r) > 6 {
		for _, cut := range []string{"市", "县"} {
			for i, c := range r[:len(r)-3] {
				if string(c) == cut && i < 4 {
					return string(r[i+1:])
				}
			}
		}
	}
	return name
}

// plant adds the problems the registry's checks exist for.
func (p *channelPlan) plant() {
	rng := p.g.rng
	for _, c := range p.g.w.cities {
		for _, k := range c.counties {
			kp := k.region.Path
			// A school's account named like its bureau's: a near-duplicate.
			if school := p.g.w.find(kp, "school1"); school != nil && (c.capital || rng.IntN(2) == 0) {
				p.addIn(school, jianfu.Channel{Kind: jianfu.KindAccount, Name: k.stem.zh + "教育发布", Platform: "weibo", CertSubject: school.Name,
					PlatformID: fmt.Sprintf("weibo_%08x", rng.Uint32())}, jianfu.StatusActive)
			}
			// A department with a second WeChat account.
			if hr := p.g.w.find(kp, "hr"); hr != nil && (c.capital || rng.IntN(3) == 0) {
				p.addIn(hr, jianfu.Channel{Kind: jianfu.KindAccount, Name: k.stem.zh + "就业服务", Platform: "wechat_oa", CertSubject: hr.Name,
					PlatformID: fmt.Sprintf("gh_%012x", rng.Uint64()&0xffffffffffff)}, jianfu.StatusActive)
			}
		}
	}
	// A township that built an app, against the rule.
	jn := p.g.w.cities[0].counties[0]
	for _, t := range jn.townships {
		if gov := p.g.w.find(t.region.Path, "gov"); gov != nil {
			p.addIn(gov, jianfu.Channel{Kind: jianfu.KindApp, Name: t.stem.zh + "随手拍", Platform: "wechat_mini", Functions: "群众随手拍、问题上报",
				Audience: "public", PlatformID: fmt.Sprintf("wx%016x", rng.Uint64())}, jianfu.StatusActive)
			break
		}
	}
}

// queue puts filings into 江南区's review queue through the life cycle,
// so the county supervisor has work with warnings to decide.
func (p *channelPlan) queue(ctx context.Context) (int, error) {
	db, w := p.g.db, &p.g.w
	jn := w.cities[0].counties[0]
	kp := jn.region.Path
	edu, school := w.find(kp, "edu"), w.find(kp, "school1")
	n := 0
	submit := func(u *unit, c jianfu.Channel, returnNote string) error {
		c.UnitID = u.ID
		c.ResponsiblePerson, c.ResponsiblePhone = personName(p.g.rng), p.phone()
		if err := db.Channels().CreateChannel(ctx, &c); err != nil {
			return fmt.Errorf("demo queue %s: %w", c.Name, err)
		}
		n++
		if _, err := db.Channels().ActOnChannel(ctx, c.ID, jianfu.ActSubmit, ""); err != nil {
			return fmt.Errorf("demo queue submit %s: %w", c.Name, err)
		}
		if returnNote != "" {
			if _, err := db.Channels().ActOnChannel(ctx, c.ID, jianfu.ActReturn, returnNote); err != nil {
				return fmt.Errorf("demo queue return %s: %w", c.Name, err)
			}
		}
		return nil
	}
	steps := []struct {
		u    *unit
		c    jianfu.Channel
		note string
	}{
		{edu, jianfu.Channel{Kind: jianfu.KindAccount, Name: jn.stem.zh + "教育在线", Platform: "wechat_oa", Purpose: "发布教育政策、招生入学信息"}, ""},
		{school, jianfu.Channel{Kind: jianfu.KindAccount, Name: jn.stem.zh + "教育资讯", Platform: "douyin", Purpose: "学校活动宣传"}, ""},
		{edu, jianfu.Channel{Kind: jianfu.KindGroup, Name: jn.stem.zh + "教育系统信息报送群", Platform: "dingtalk", Purpose: "教育系统工作通知", Owner: personName(p.g.rng)}, ""},
		{edu, jianfu.Channel{Kind: jianfu.KindApp, Name: jn.stem.zh + "智慧教育", Platform: "android", Functions: "教师打卡、学习积分排名", Audience: "staff"}, ""},
		{school, jianfu.Channel{Kind: jianfu.KindGroup, Name: "期末考试临时工作群", Platform: "wechat", Purpose: "期末考试安排", Temporary: true,
			EndDate: p.today.AddDate(0, 1, 0).Format("2006-01-02"), Owner: personName(p.g.rng)}, "请说明期末考试结束后解散该群的安排,并补充群管理员。"},
	}
	for _, s := range steps {
		if s.u == nil {
			continue
		}
		if err := submit(s.u, s.c, s.note); err != nil {
			return n, err
		}
	}
	return n, nil
}
