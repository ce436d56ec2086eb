package demo

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"jianfu"
	"jianfu/calendar"
	"jianfu/ingest"
	"jianfu/secret"
)

// The messages step: three months of work-group traffic for the province's
// groups, analysed by the real detector through the real ingestion
// pipeline. Normal traffic dominates; a few groups are clearly burdensome;
// waves of the same material request go through several units (多头报送);
// and one group, 江南区教育系统工作群, relapses after its rectification.

// demoDays is how much history the demo has, ending today.
const demoDays = 90

// Relapse storyline (days from the start of the history).
const (
	relapseRectified = 35 // rectification: the burden drops
	relapseReturns   = 74 // the burden is back
)

// normalTemplates are ordinary work messages: no formalism demand. {n} is
// a number, {t} a time, {p} a person.
var normalTemplates = []string{
	"收到", "好的", "收到,谢谢", "好的,我来处理", "明白", "辛苦了", "谢谢提醒",
	"明天上午9点在三楼会议室召开工作例会,请相关同志准时参加",
	"本周工作安排已上传共享盘,请查阅",
	"{p}同志明天到市里参加培训,期间工作由{q}同志代理",
	"今天下午的协调会改到四楼小会议室",
	"关于春季森林防火的文件已印发,请各单位结合实际抓好落实",
	"请问上次会议纪要在哪里可以看到?",
	"已发到邮箱,请查收",
	"系统今晚22点至24点停机维护,届时暂停办理",
	"下周二上午有上级检查组来调研,具体安排另行通知",
	"感谢大家这段时间的辛苦付出",
	"附件是最新的政策解读,供大家学习参考",
	"食堂本周五中午不供餐",
	"{p}的电话是{phone},有事可直接联系",
	"周四下午两点半开展消防安全演练,请各科室配合",
	"这个事情我下午再跟进一下",
	"明天降温,外出走访注意保暖",
	"办公楼电梯明天上午检修",
}

// burdenTemplates make formalism demands. {t} is a deadline.
var burdenTemplates = []string{
	"@所有人 请各{who}今晚{t}前接龙报送{photo}",
	"收到请回复1,{t}前未回复的点名通报",
	"@所有人 今晚{t}前每人下载“{app}”App并截图发群里,纳入考核",
	"请各{who}明早8点前报送第{n}版{ledger},格式按新模板再报一次",
	"本周学习强国积分不足{n}分的同志将在全{area}通报",
	"请大家把这篇推文转发到朋友圈并截图,{t}前统计转发率",
	"各{who}务必于今晚{t}前完成打卡,未打卡的扣分",
	"每人至少发动{n}名群众关注“{app}”公众号,完成情况纳入年终考核",
	"请各{who}5分钟内回复收到,逾期视为未读",
	"从今天起一日一报,各{who}每天17点前上报{daily}数据,实行零报告",
	"请各位给这条视频点赞评论,{t}前截图发群",
	"@所有人 今晚加班整理材料,明早7点半前发群里",
}

// emergencyTemplates are genuine emergencies: exempt.
var emergencyTemplates = []string{
	"防汛紧急通知:今晚有强降雨,各{who}值班人员务必在岗值守,收到请回复",
	"台风预警:请各{who}今晚{t}前完成危险区域人员转移,落实情况即时报告",
}

// waves are material requests passed down through several units within a
// week: the same data asked for again and again (多头报送).
var waves = []struct {
	day   int
	depts []string // units asking: the government departments, "gov" (township governments)
	texts []string
}{
	{18, []string{"civil", "gov"}, []string{
		"@所有人 请各{who}于本周五下班前报送辖区60岁以上独居老人信息统计表,模板见附件",
		"请各{who}在{date}前上报60岁以上独居老人信息统计表,纸质版和电子版各一份,纸质版加盖公章",
		"60岁以上独居老人信息统计表,请各{who}明早8点前再报一次,联系人{p} {phone}",
	}},
	{47, []string{"emergency", "gov"}, []string{
		"请各{who}今晚{t}前报送第一季度安全生产隐患排查台账",
		"各{who}:第一季度安全生产隐患排查台账请于{date}前上报,逾期通报",
	}},
	{79, []string{"edu", "gov"}, []string{
		"请各{who}明天上午10点前报送辖区适龄儿童入学情况摸排表,逾期通报",
		"辖区适龄儿童入学情况摸排表请各{who}今晚{t}前填报,联系人{p}",
	}},
}

// demoGroup is a group the step writes messages for.
type demoGroup struct {
	ch        *jianfu.Channel
	unit      *unit // nil for groups the registry made
	burden    float64
	offhours  float64
	relapse   bool
	members   []string
	who, area string
	owner     string
	// what this group's burdensome demands ask for: each unit has its own
	// hobby-horse, so only the waves are the same data asked again
	photo, ledger, daily string
}

var (
	photoTopics  = strings.Fields("入户走访照片 防溺水宣传照片 秸秆禁烧巡查照片 河长巡河照片 垃圾分类督导照片 反诈宣传进村照片 消防检查照片 文明创建整改照片 疫苗接种宣传照片 人居环境整治照片 党建宣传栏照片 禁毒宣传照片")
	ledgerTopics = strings.Fields("危房改造台账 低保复核台账 耕地保护台账 安全隐患整改台账 党员教育台账 矛盾纠纷排查台账 网格员工作台账 环境整治台账 困难群众走访台账 退役军人信息台账")
	dailyTopics  = strings.Fields("巡河 网格巡查 禁烧巡查 市容巡查 燃气安全检查 校园安全巡查 食品安全抽检 防返贫监测")
)

// RaterKey is the demo's rater key for a seed (see PseudonymKey): the demo's
// raters are fictional, and the same seed over the same database knows who
// has rated already.
func RaterKey(seed uint64) string {
	return fmt.Sprintf("jianfu-demo-rater-key-%d", seed)
}

// PseudonymKey is the demo's pseudonym key for a seed: fictional data
// needs no secret, and the same seed gives the same pseudonyms.
func PseudonymKey(seed uint64) string {
	if seed == 0 {
		seed = DefaultSeed
	}
	return fmt.Sprintf("jianfu-demo-pseudonym-key-%d", seed)
}

// AuditKey is the demo's audit key (base64), derived from the seed so that
// a demo database kept with --db opens again under the same key. It is
// public by construction: never use it outside a demo.
func AuditKey(seed uint64) string {
	if seed == 0 {
		seed = DefaultSeed
	}
	sum, _ := hex.DecodeString(secret.SM3Hex("jianfu-demo-audit-key", strconv.FormatUint(seed, 10)))
	return base64.StdEncoding.EncodeToString(sum)
}

// messages is the demo step.
func (g *gen) messages(ctx context.Context) error {
	det := g.det
	key := g.opts.PseudonymKey
	if key == "" {
		key = PseudonymKey(g.opts.Seed)
	}
	keys, err := ingest.NewKeys(key)
	if err != nil {
		return err
	}
	groups, err := g.demoGroups(ctx)
	if err != nil {
		return err
	}
	g.cal = calendar.Default()
	pipe := ingest.NewPipeline(det, g.db.Burden(), keys, g.opts.Logger)
	now := g.db.Now() // the day's reference time (see Generate)
	start := jianfu.DayTime(jianfu.DayOf(now)).AddDate(0, 0, -(demoDays - 1))
	var batch []jianfu.Message
	total, findings := 0, 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		res, err := pipe.IngestAll(ctx, batch)
		if err != nil {
			return err
		}
		if len(res.Errors) > 0 {
			return fmt.Errorf("demo messages refused: %s", res.Errors[0].English)
		}
		total += res.Accepted
		findings += res.Findings
		batch = batch[:0]
		return nil
	}
	for day := 0; day < demoDays; day++ {
		date := start.AddDate(0, 0, day)
		for gi, dg := range groups {
			batch = append(batch, g.dayOfGroup(dg, gi, day, date, now)...)
		}
		batch = append(batch, g.waveMessages(groups, day, date, now)...)
		if len(batch) >= 20000 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if _, err := g.db.Burden().ClusterMaterial(ctx, 30*24*time.Hour); err != nil {
		return err
	}
	_, nClusters, err := g.db.Burden().FindClusters(ctx, jianfu.ClusterFilter{Page: jianfu.Page{Limit: 1}})
	if err != nil {
		return err
	}
	// scorecards of the current month take the burden index in
	if _, err := g.db.Evaluation().RecomputeScorecards(ctx); err != nil {
		return err
	}
	g.count("工作群消息(已分析,原文未保存)", total)
	g.count("问题发现", findings)
	g.count("多头报送", nClusters)
	return nil
}

// demoGroups returns the groups to fill: those the registry step made, or
// else groups the step registers itself for each county's departments,
// townships and the cities' departments.
func (g *gen) demoGroups(ctx context.Context) ([]*demoGroup, error) {
	existing, n, err := g.db.Channels().FindChannels(ctx, jianfu.ChannelFilter{Kind: jianfu.KindGroup, Page: jianfu.Page{Limit: 1000, Sort: "id"}})
	if err != nil {
		return nil, err
	}
	// in the order of the names' bytes, not the database's collation of
	// Chinese (PostgreSQL's depends on the server's locale): the groups'
	// order decides what the random stream gives each
	sort.SliceStable(existing, func(i, j int) bool {
		if existing[i].Name != existing[j].Name {
			return existing[i].Name < existing[j].Name
		}
		return existing[i].ID < existing[j].ID
	})
	var out []*demoGroup
	if n >= 8 {
		byID := map[int64]*unit{}
		for _, u := range g.w.units {
			byID[u.ID] = u
		}
		for _, c := range existing {
			out = append(out, &demoGroup{ch: c, unit: byID[c.UnitID]})
		}
	} else {
		if out, err = g.registerGroups(ctx); err != nil {
			return nil, err
		}
	}
	// the relapse: the first group of 江南区's education bureau
	jnEdu := g.w.find(g.w.cities[0].counties[0].region.Path, "edu")
	relapsing := false
	for i, dg := range out {
		dg.burden, dg.offhours = 0.02, 0.04
		if g.rng.Float64() < 0.18 {
			dg.burden, dg.offhours = 0.22+g.rng.Float64()*0.18, 0.25+g.rng.Float64()*0.2 // clearly burdensome
		}
		if !relapsing && dg.unit != nil && dg.unit == jnEdu && dg.ch.Status != jianfu.StatusClosed {
			dg.relapse, relapsing = true, true
		}
		dg.who, dg.area = "单位", "县"
		if dg.unit != nil {
			switch dg.unit.kind {
			case kindTownGov:
				dg.who, dg.area = "村", "镇"
			case kindDept:
				dg.who = map[string]string{"edu": "学校", "health": "医疗机构", "civil": "乡镇", "emergency": "乡镇", "agri": "乡镇"}[dg.unit.dept]
				if dg.who == "" {
					dg.who = "单位"
				}
			}
		}
		dg.photo = photoTopics[g.rng.IntN(len(photoTopics))]
		dg.ledger = ledgerTopics[g.rng.IntN(len(ledgerTopics))]
		dg.daily = dailyTopics[g.rng.IntN(len(dailyTopics))]
		size := max(dg.ch.MemberCount, 15)
		for k := 0; k < min(size, 12+g.rng.IntN(10)); k++ {
			dg.members = append(dg.members, personName(g.rng))
		}
		// a few grassroots cadres sit in many groups of their county
		dg.members = append(dg.members, sharedCadres[i%len(sharedCadres)], sharedCadres[(i+3)%len(sharedCadres)])
		dg.owner = dg.ch.Owner
		if dg.owner == "" {
			dg.owner = dg.members[0] // 谁建群谁负责: demands come from the owner
		}
	}
	return out, nil
}

// sharedCadres are grassroots staff who are members of many groups.
var sharedCadres = []string{"许立平", "邓晓燕", "韩志强", "冯秀兰", "曹德明", "彭丽娟", "曾国庆", "萧春梅"}

// registerGroups registers the demo's work groups, active and filed.
func (g *gen) registerGroups(ctx context.Context) ([]*demoGroup, error) {
	type plan struct {
		u              *unit
		name, platform string
		members        int
		notes          string
	}
	var plans []plan
	platforms := []string{"wechat", "wecom", "dingtalk", "zhezhengding"}
	for _, c := range g.w.cities {
		cp, cn := c.region.Path, c.region.Name
		if u := g.w.find(cp, "civil"); u != nil {
			plans = append(plans, plan{u, cn + "民政系统工作群", "wecom", 60 + g.rng.IntN(60), ""})
		}
		if u := g.w.find(cp, "edu"); u != nil {
			plans = append(plans, plan{u, cn + "教育系统工作群", "dingtalk", 80 + g.rng.IntN(80), ""})
		}
		for _, k := range c.counties {
			kp, pre := k.region.Path, k.prefix()
			for _, d := range []struct{ role, name string }{{"edu", "教育系统工作群"}, {"civil", "民政工作群"}, {"health", "卫健系统工作群"}, {"emergency", "应急管理工作群"}, {"gov", "政务信息报送群"}} {
				u := g.w.find(kp, d.role)
				if u == nil {
					continue
				}
				notes := ""
				if d.role == "edu" && pre+d.name == "江州市江南区教育系统工作群" {
					notes = "曾因频繁要求接龙、夜间催报被约谈,于" + jianfu.DayTime(jianfu.DayOf(g.db.Now())).AddDate(0, 0, -(demoDays-1)+relapseRectified).Format("2006年1月2日") + "完成整改"
				}
				plans = append(plans, plan{u, pre + d.name, platforms[g.rng.IntN(len(platforms))], 30 + g.rng.IntN(90), notes})
			}
			if u := g.w.find(kp, "cac"); u != nil {
				plans = append(plans, plan{u, pre + "网信工作群", "feishu", 15 + g.rng.IntN(20), ""})
			}
			for i, t := range k.townships {
				if i >= 2 {
					break
				}
				if u := g.w.find(t.region.Path, "gov"); u != nil {
					plans = append(plans, plan{u, pre + t.region.Name + "村(社区)干部工作群", "wechat", 25 + g.rng.IntN(40), ""})
				}
			}
		}
	}
	var out []*demoGroup
	for i, p := range plans {
		owner := personName(g.rng)
		c := &jianfu.Channel{Kind: jianfu.KindGroup, Name: p.name, UnitID: p.u.ID, Platform: p.platform, PlatformID: fmt.Sprintf("demo-%s-%d", p.platform, i+1),
			Owner: owner, Admins: []string{personName(g.rng)}, MemberCount: p.members, Status: jianfu.StatusActive, Purpose: "工作沟通与通知", Notes: p.notes,
			ResponsiblePerson: owner}
		if err := g.db.Channels().CreateChannel(ctx, c); err != nil {
			return nil, fmt.Errorf("group %s: %w", p.name, err)
		}
		out = append(out, &demoGroup{ch: c, unit: p.u})
	}
	g.count("工作群(负担监测演示)", len(out))
	return out, nil
}

// dayOfGroup is one group's traffic on one day.
func (g *gen) dayOfGroup(dg *demoGroup, gi, day int, date, now time.Time) []jianfu.Message {
	n := 3 + g.rng.IntN(12)
	if !g.cal.IsWorkday(date) {
		n = g.rng.IntN(2) // weekends and official holidays are quiet
	}
	burden, offhours := dg.burden, dg.offhours
	if dg.relapse {
		switch {
		case day < relapseRectified:
			burden, offhours = 0.45, 0.45
		case day < relapseReturns:
			burden, offhours = 0.01, 0.03
		default:
			burden, offhours = 0.5, 0.5
		}
		n += 4
	}
	var out []jianfu.Message
	for k := 0; k < n; k++ {
		var text string
		off := g.rng.Float64() < offhours
		r := g.rng.Float64()
		switch {
		case r < burden:
			text = g.fill(burdenTemplates[g.rng.IntN(len(burdenTemplates))], dg, date)
		case r < burden+0.004:
			text = g.fill(emergencyTemplates[g.rng.IntN(len(emergencyTemplates))], dg, date)
		default:
			text = g.fill(normalTemplates[g.rng.IntN(len(normalTemplates))], dg, date)
		}
		// office hours are 08:30–12:00 and 13:30–17:30
		minute := 510 + g.rng.IntN(450)
		if minute >= 720 {
			minute += 90
		}
		if off {
			minute = 19*60 + g.rng.IntN(4*60)
		}
		at := date.Add(time.Duration(minute)*time.Minute + time.Duration(g.rng.IntN(60))*time.Second)
		if !at.Before(now) {
			continue
		}
		sender := dg.members[g.rng.IntN(len(dg.members))]
		if strings.HasPrefix(text, "@所有人") || r < burden {
			sender = dg.owner // demands come from the group's owner
		}
		out = append(out, jianfu.Message{ID: "demo-" + strconv.Itoa(gi) + "-" + strconv.Itoa(day) + "-" + strconv.Itoa(k), GroupID: dg.ch.ID,
			Time: at, Sender: sender, Text: text, Source: jianfu.SourceDemo, MemberCount: dg.ch.MemberCount})
	}
	return out
}

// waveMessages sends a wave's request from every group of the wave's
// departments within a few days of its start.
func (g *gen) waveMessages(groups []*demoGroup, day int, date, now time.Time) []jianfu.Message {
	var out []jianfu.Message
	for wi, w := range waves {
		if day < w.day || day > w.day+5 {
			continue
		}
		for gi, dg := range groups {
			if dg.unit == nil || !wantsWave(dg.unit, w.depts) {
				continue
			}
			// each group asks once, on a day of the wave's week
			if (gi+wi)%6 != day-w.day {
				continue
			}
			at := date.Add(time.Duration(9+g.rng.IntN(8))*time.Hour + time.Duration(g.rng.IntN(60))*time.Minute)
			if !at.Before(now) {
				continue
			}
			text := g.fill(w.texts[g.rng.IntN(len(w.texts))], dg, date)
			out = append(out, jianfu.Message{ID: fmt.Sprintf("demo-wave-%d-%d", wi, gi), GroupID: dg.ch.ID, Time: at, Sender: dg.owner,
				Text: text, Source: jianfu.SourceDemo})
		}
	}
	return out
}

func wantsWave(u *unit, depts []string) bool {
	for _, d := range depts {
		if d == "gov" && u.kind == kindTownGov || u.kind == kindDept && u.dept == d {
			return true
		}
	}
	return false
}

var apps = []string{"智慧江州", "临江政务通", "平安临江", "学习临江"}

// fill replaces a template's placeholders.
func (g *gen) fill(t string, dg *demoGroup, date time.Time) string {
	if !strings.Contains(t, "{") {
		return t
	}
	r := strings.NewReplacer(
		"{who}", dg.who, "{area}", dg.area, "{photo}", dg.photo, "{ledger}", dg.ledger, "{daily}", dg.daily,
		"{t}", strconv.Itoa(20+g.rng.IntN(3))+"点",
		"{n}", strconv.Itoa(2+g.rng.IntN(8)),
		"{app}", apps[g.rng.IntN(len(apps))],
		"{date}", date.AddDate(0, 0, 2+g.rng.IntN(3)).Format("1月2日"),
		"{p}", dg.members[g.rng.IntN(len(dg.members))],
		"{q}", dg.members[g.rng.IntN(len(dg.members))],
		"{phone}", fmt.Sprintf("1%d%09d", 3+g.rng.IntN(7), g.rng.IntN(1e9)),
	)
	return r.Replace(t)
}
