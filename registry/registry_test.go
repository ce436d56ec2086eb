package registry

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"jianfu"
)

// settings turns every rule on with the thresholds the migration ships.
func settings() map[string]*jianfu.RuleSetting {
	th := map[string]int{jianfu.RuleAccountPerPlatform: 1, jianfu.RuleAccountNameUnit: 30, jianfu.RuleNameDuplicate: 80,
		jianfu.RulePurposeDuplicate: 70, jianfu.RuleGroupPerPurpose: 1, jianfu.RuleGroupPersonMax: 5}
	out := map[string]*jianfu.RuleSetting{}
	for _, d := range jianfu.RuleDefs {
		out[d.Key] = &jianfu.RuleSetting{Rule: d.Key, Enabled: true, Level: jianfu.LevelWarn, Threshold: th[d.Key], Clause: "条款 " + d.Key}
	}
	return out
}

var names = map[string]string{"39": "临江省", "3901": "江州市", "390102": "江南区", "390102001": "望江街道"}

func facts(id int64, kind jianfu.ChannelKind, name, platform string, unit int64, unitName, region string) *jianfu.ChannelFacts {
	return &jianfu.ChannelFacts{RelatedChannel: jianfu.RelatedChannel{ID: id, Name: name, Kind: kind, Platform: platform, UnitID: unit, UnitName: unitName,
		Status: jianfu.StatusActive}, RegionPath: region}
}

func rules(results []jianfu.CheckResult) string {
	var out []string
	for _, r := range results {
		out = append(out, r.Rule)
	}
	return strings.Join(out, " ")
}

func TestCheck(t *testing.T) {
	edu := func(c *jianfu.Channel) *jianfu.Channel {
		c.UnitID, c.UnitName, c.RegionPath = 7, "江州市江南区教育局", "390102"
		return c
	}
	cases := []struct {
		name string
		c    *jianfu.Channel
		ev   jianfu.CheckEvidence
		want string // the rules tripped, in order
	}{
		{"a well-named first account trips nothing",
			edu(&jianfu.Channel{Kind: jianfu.KindAccount, Name: "江南教育发布", Platform: "wechat_oa"}), jianfu.CheckEvidence{}, ""},
		{"a second account on the same platform",
			edu(&jianfu.Channel{Kind: jianfu.KindAccount, Name: "江南教育发布", Platform: "wechat_oa"}),
			jianfu.CheckEvidence{Own: []*jianfu.ChannelFacts{facts(3, jianfu.KindAccount, "江南教育", "wechat_oa", 7, "江州市江南区教育局", "390102")}},
			jianfu.RuleAccountPerPlatform},
		{"an account name with nothing of its unit",
			edu(&jianfu.Channel{Kind: jianfu.KindAccount, Name: "快乐星球", Platform: "weibo"}), jianfu.CheckEvidence{}, jianfu.RuleAccountNameUnit},
		{"an app of a township",
			&jianfu.Channel{Kind: jianfu.KindApp, Name: "望江通", UnitID: 9, UnitName: "望江街道办事处", RegionPath: "390102001"}, jianfu.CheckEvidence{}, jianfu.RuleAppBelowCounty},
		{"a platform id someone registered",
			edu(&jianfu.Channel{Kind: jianfu.KindApp, Name: "江南教育", Platform: "miniprogram", PlatformID: "wx123"}),
			jianfu.CheckEvidence{SameID: []*jianfu.ChannelFacts{facts(5, jianfu.KindApp, "江南学堂", "miniprogram", 8, "江南区文旅局", "390102")}},
			jianfu.RulePlatformIDTaken},
		{"a temporary group past its end",
			edu(&jianfu.Channel{Kind: jianfu.KindGroup, Name: "防汛专班群", Platform: "wecom", Temporary: true, EndDate: "2026-08-31"}),
			jianfu.CheckEvidence{Today: "2026-12-07"}, jianfu.RuleGroupTemporaryEnd},
		{"a second group for the same purpose",
			edu(&jianfu.Channel{Kind: jianfu.KindGroup, Name: "教育局工作群", Platform: "wecom", Purpose: "全局日常工作通知"}),
			jianfu.CheckEvidence{Own: []*jianfu.ChannelFacts{{RelatedChannel: jianfu.RelatedChannel{ID: 4, Name: "教育局通知群", Kind: jianfu.KindGroup}, Text: "全局日常工作通知"}}},
			jianfu.RuleGroupPerPurpose},
		{"the same name built by another unit in the county",
			edu(&jianfu.Channel{Kind: jianfu.KindApp, Name: "江南区智慧教育", Platform: "app"}),
			jianfu.CheckEvidence{Nearby: []*jianfu.ChannelFacts{facts(6, jianfu.KindApp, "江南智慧教育", "app", 8, "江南区大数据局", "390102")}},
			jianfu.RuleNameDuplicate},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.ev.Settings, tc.ev.RegionNames = settings(), names
			got := Rules{}.Check(tc.c, &tc.ev)
			if rules(got) != tc.want {
				t.Fatalf("tripped %q, want %q: %+v", rules(got), tc.want, got)
			}
			for _, r := range got {
				if r.Message == "" || r.English == "" || r.Clause == "" {
					t.Errorf("a result without its wording or clause: %+v", r)
				}
			}
		})
	}
	// A rule switched off trips nothing.
	ev := jianfu.CheckEvidence{Settings: settings(), RegionNames: names}
	ev.Settings[jianfu.RuleAppBelowCounty].Enabled = false
	if got := (Rules{}).Check(&jianfu.Channel{Kind: jianfu.KindApp, Name: "望江通", UnitName: "望江街道办事处", RegionPath: "390102001"}, &ev); len(got) != 0 {
		t.Errorf("a disabled rule tripped: %+v", got)
	}
}

func TestConsolidate(t *testing.T) {
	filed := time.Date(2025, 1, 1, 0, 0, 0, 0, jianfu.China)
	county := facts(1, jianfu.KindAccount, "江南发布", "weibo", 10, "江南区委宣传部", "390102")
	county.FiledAt = filed.AddDate(0, 6, 0)
	town := facts(2, jianfu.KindAccount, "江南区发布", "weibo", 11, "望江街道办事处", "390102001")
	town.FiledAt = filed
	other := facts(3, jianfu.KindAccount, "江北发布", "weibo", 12, "江北区委宣传部", "390103")
	expired := facts(4, jianfu.KindGroup, "迎检专班群", "wecom", 11, "望江街道办事处", "390102001")
	expired.Temporary, expired.EndDate, expired.Owner, expired.Admins = true, "2026-06-30", "张三", []string{"李四", "张三"}
	group2 := facts(5, jianfu.KindGroup, "网格员群", "wecom", 11, "望江街道办事处", "390102001")
	group2.Owner = "张三"
	app := facts(6, jianfu.KindApp, "望江通", "app", 11, "望江街道办事处", "390102001")
	in := &jianfu.ConsolidationInput{Settings: settings(), RegionNames: names, Today: "2026-12-07",
		Channels: []*jianfu.ChannelFacts{county, town, other, expired, group2, app}}

	out := Rules{}.Consolidate(in)
	if out.Channels != 6 || len(out.Clusters) != 1 {
		t.Fatalf("channels %d, clusters %+v", out.Channels, out.Clusters)
	}
	c := out.Clusters[0]
	if c.Keep.ID != county.ID || len(c.Merge) != 1 || c.Merge[0].ID != town.ID || !strings.Contains(c.Reason, "上级单位") {
		t.Errorf("the county's account should be kept over the township's filed earlier: %+v", c)
	}
	if len(out.ExpiredGroups) != 1 || out.ExpiredGroups[0].ID != expired.ID {
		t.Errorf("expired groups %+v", out.ExpiredGroups)
	}
	if len(out.BelowCounty) != 1 || out.BelowCounty[0].ID != app.ID {
		t.Errorf("apps below county %+v", out.BelowCounty)
	}
	if len(out.People) != 1 || out.People[0].Groups != 2 || out.People[0].Name == "张三" {
		t.Errorf("people in several groups, masked for a caller who may not see names: %+v", out.People)
	}
	in.Personal = true
	if out := (Rules{}).Consolidate(in); out.People[0].Name != "张三" {
		t.Errorf("a supervisor sees the name: %+v", out.People)
	}
}

// Five schools' look-alike accounts are not merged into one school's: the
// education bureau above them is proposed, or nothing when they share none.
func TestConsolidatePeers(t *testing.T) {
	var chans []*jianfu.ChannelFacts
	for i, school := range []string{"望江小学", "临江小学", "江心小学", "滨江小学", "沿江小学"} {
		k := facts(int64(20+i), jianfu.KindAccount, school+"发布", "wechat_oa", int64(30+i), school, "390102")
		k.UnitPath = fmt.Sprintf("/1/9/%d/", 30+i)
		k.ParentID, k.ParentName = 9, "江南区教育局"
		k.Text = "发布学校通知公告、家校沟通、安全教育提示"
		chans = append(chans, k)
	}
	in := &jianfu.ConsolidationInput{Settings: settings(), RegionNames: names, Today: "2026-12-07", Channels: chans}
	out := Rules{}.Consolidate(in)
	if len(out.Clusters) != 1 {
		t.Fatalf("clusters %+v", out.Clusters)
	}
	c := out.Clusters[0]
	if c.Keep.ID != 0 || len(c.Merge) != 5 || c.CompetentID != 9 || !strings.Contains(c.Reason, "主管部门“江南区教育局”") {
		t.Errorf("peer schools should be pointed to their bureau, none kept: %+v", c)
	}

	chans[2].ParentID, chans[2].ParentName = 8, "江南区文旅局"
	c = Rules{}.Consolidate(in).Clusters[0]
	if c.Keep.ID != 0 || c.CompetentID != 0 || !strings.Contains(c.Reason, "不提出合并建议") {
		t.Errorf("peers without one competent department get no proposal: %+v", c)
	}

	bureau := facts(40, jianfu.KindAccount, "江南小学发布", "wechat_oa", 9, "江南区教育局", "390102")
	bureau.UnitPath, bureau.Text = "/1/9/", chans[0].Text
	in.Channels = append(in.Channels, bureau)
	c = Rules{}.Consolidate(in).Clusters[0]
	if c.Keep.ID != bureau.ID || !strings.Contains(c.Reason, "上级单位“江南区教育局”") {
		t.Errorf("the bureau's own account should be kept over its schools': %+v", c)
	}
}

// Parent groups of different grades and accounts of numbered schools are
// not duplicates, however alike their names.
func TestNumberedNamesAreNotDuplicates(t *testing.T) {
	a := facts(50, jianfu.KindAccount, "江南一中发布", "wechat_oa", 60, "江南一中", "390102")
	b := facts(51, jianfu.KindAccount, "江南二中发布", "wechat_oa", 61, "江南二中", "390102")
	in := &jianfu.ConsolidationInput{Settings: settings(), RegionNames: names, Today: "2026-12-07", Channels: []*jianfu.ChannelFacts{a, b}}
	if out := (Rules{}).Consolidate(in); len(out.Clusters) != 0 {
		t.Errorf("一中 and 二中 clustered: %+v", out.Clusters)
	}
	ev := jianfu.CheckEvidence{Settings: settings(), RegionNames: names, Today: "2026-12-07", Nearby: []*jianfu.ChannelFacts{b}}
	for _, r := range (Rules{}).Check(&jianfu.Channel{Kind: jianfu.KindAccount, Name: "江南一中发布", Platform: "wechat_oa", UnitName: "江南一中", RegionPath: "390102"}, &ev) {
		if r.Rule == jianfu.RuleNameDuplicate {
			t.Errorf("一中 flagged as a duplicate of 二中: %s", r.Message)
		}
	}
	var own []*jianfu.ChannelFacts
	for _, i := range []int{1, 2, 3, 4, 6} {
		g := facts(int64(70+i), jianfu.KindGroup, fmt.Sprintf("实验小学%d年级家长群", i), "wecom", 80, "实验小学", "390102")
		g.Text = "家校沟通,发布班级通知"
		own = append(own, g)
	}
	ev = jianfu.CheckEvidence{Settings: settings(), RegionNames: names, Today: "2026-12-07", Own: own}
	for _, r := range (Rules{}).Check(&jianfu.Channel{Kind: jianfu.KindGroup, Name: "实验小学5年级家长群", Purpose: "家校沟通,发布班级通知", Platform: "wecom", UnitName: "实验小学", RegionPath: "390102"}, &ev) {
		if r.Rule == jianfu.RuleGroupPerPurpose {
			t.Errorf("5年级 counted with the other grades' groups: %s", r.Message)
		}
	}
}

// The filing check reads what a channel does: an app that builds check-ins
// and points rankings into daily work is named with the words and the
// category; an app that publishes information is not.
func TestFunctionFormalism(t *testing.T) {
	ev := jianfu.CheckEvidence{Settings: settings(), RegionNames: names, Today: "2026-12-07"}
	app := &jianfu.Channel{Kind: jianfu.KindApp, Name: "江南智慧教育", Functions: "教师打卡、学习积分排名", Purpose: "教师队伍管理", UnitName: "江南区教育局", RegionPath: "390102"}
	var got []string
	for _, r := range (Rules{}).Check(app, &ev) {
		if r.Rule == jianfu.RuleFunctionFormalism {
			got = append(got, r.Message)
		}
	}
	if len(got) != 1 || !strings.Contains(got[0], "主要功能中“打卡”") || !strings.Contains(got[0], "打卡签到") {
		t.Errorf("教师打卡、学习积分排名 should be named as 打卡签到 in the functions: %q", got)
	}
	plain := &jianfu.Channel{Kind: jianfu.KindApp, Name: "江南政务服务", Functions: "发布政务信息、办事指南、政策解读", UnitName: "江南区政府办", RegionPath: "390102"}
	for _, r := range (Rules{}).Check(plain, &ev) {
		if r.Rule == jianfu.RuleFunctionFormalism {
			t.Errorf("an information app flagged: %s", r.Message)
		}
	}
	ev.Settings[jianfu.RuleFunctionFormalism].Enabled = false
	for _, r := range (Rules{}).Check(app, &ev) {
		if r.Rule == jianfu.RuleFunctionFormalism {
			t.Errorf("the rule is off but tripped: %s", r.Message)
		}
	}
}

func TestSimilar(t *testing.T) {
	cands := []jianfu.VerifiedChannel{{Name: "江南教育发布"}, {Name: "江北文旅"}, {Name: "江南区教育"}}
	got := Rules{}.Similar("江南教育", cands, 5)
	if len(got) != 2 || got[0].Name != "江南区教育" && got[0].Name != "江南教育发布" {
		t.Errorf("similar names: %+v", got)
	}
	if got := (Rules{}).Similar("江南教育", cands, 1); len(got) != 1 {
		t.Errorf("at most n: %+v", got)
	}
}
