package report

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"jianfu"
	"jianfu/docx"
	"jianfu/tabular"
)

// failedForms lists the forms of a spot check that failed, in order.
func failedForms(rep *jianfu.CampaignReport) []*jianfu.CheckForm {
	var out []*jianfu.CheckForm
	for _, f := range rep.Forms {
		if f.Result != nil && !f.Result.Passed {
			out = append(out, f)
		}
	}
	return out
}

var kindNames = map[jianfu.ChannelKind]string{jianfu.KindApp: "政务应用程序", jianfu.KindAccount: "政务公众账号", jianfu.KindGroup: "工作群组"}

// verdict is a form's conclusion as the tables and the notice word it.
func verdict(f *jianfu.CheckForm) string {
	switch {
	case f.Result == nil:
		return "待检查"
	case f.Result.Vetoed:
		return "不合格(单项否决)"
	case !f.Result.Passed:
		return "不合格"
	}
	return "合格"
}

// CampaignWorkbook composes the tables of a spot check (.xlsx): overview,
// strata, every check, results per unit and per region, failed channels.
func CampaignWorkbook(rep *jianfu.CampaignReport) (*File, error) {
	c := rep.Campaign
	kinds := "全部"
	if len(c.Kinds) > 0 {
		var ks []string
		for _, k := range c.Kinds {
			ks = append(ks, kindNames[k])
		}
		kinds = strings.Join(ks, "、")
	}
	match := "一致"
	if !rep.Check.Match {
		match = "不一致"
	}
	overview := tabular.Sheet{Name: "概况", Header: []string{"项目", "内容"}, Rows: [][]any{
		{"抽查名称", c.Name}, {"抽查范围", c.RegionName + "(" + jianfu.CodeOfPath(c.RegionPath) + ")"}, {"渠道类型", kinds},
		{"总体数量", c.Population}, {"抽样数量", c.Sampled}, {"随机种子", fmt.Sprint(c.Seed)}, {"按记录复抽结果", match},
		{"已检查", c.Done}, {"不合格", c.Failed}, {"状态", map[jianfu.CampaignStatus]string{jianfu.CampaignOpen: "进行中", jianfu.CampaignClosed: "已结束"}[c.Status]},
		{"发起人", c.CreatedBy}, {"发起时间", c.CreatedAt.In(jianfu.China).Format("2006-01-02 15:04")},
	}}
	strata := tabular.Sheet{Name: "抽样分层", Header: []string{"区划", "类型", "总体", "抽取"}}
	for _, st := range c.Strata {
		strata.Rows = append(strata.Rows, []any{st.RegionName, kindNames[st.Kind], st.Population, st.Sampled})
	}
	checks := tabular.Sheet{Name: "检查结果", Header: []string{"渠道名称", "类型", "平台", "主办单位", "检查人", "结论", "得分", "整改期限", "证据"}}
	for _, f := range rep.Forms {
		var score any = ""
		if f.Result != nil {
			score = f.Result.Score
		}
		checks.Rows = append(checks.Rows, []any{f.ChannelName, kindNames[f.Kind], jianfu.PlatformNames[f.Platform], f.UnitName, f.InspectorName, verdict(f), score, f.RectifyBy, f.Evidence})
	}
	summary := func(name, by string, rows []jianfu.UnitResult) tabular.Sheet {
		sh := tabular.Sheet{Name: name, Header: []string{by, "检查数", "合格", "不合格", "单项否决", "平均分"}}
		for _, u := range rows {
			var avg any = "" // every form vetoed: no average
			if u.AvgScore != nil {
				avg = *u.AvgScore
			}
			sh.Rows = append(sh.Rows, []any{u.Name, u.Checked, u.Passed, u.Failed, u.Vetoed, avg})
		}
		return sh
	}
	failed := tabular.Sheet{Name: "不合格渠道", Header: []string{"渠道名称", "主办单位", "结论", "得分", "整改期限", "整改意见"}}
	for _, f := range failedForms(rep) {
		failed.Rows = append(failed.Rows, []any{f.ChannelName, f.UnitName, verdict(f), f.Result.Score, f.RectifyBy, f.Opinion})
	}
	var buf bytes.Buffer
	if err := tabular.WriteWorkbook(&buf, overview, strata, checks, summary("单位汇总", "单位", rep.Results.Units), summary("区划汇总", "区划", rep.Results.Regions), failed); err != nil {
		return nil, err
	}
	return &File{Name: c.Name + "-抽查结果.xlsx", Short: "report.xlsx", Type: XLSX, Data: buf.Bytes()}, nil
}

// CampaignNotice composes the notice (通报) of a spot check (.docx): what
// was checked and how the sample was drawn, then the failed channels with
// their 整改意见 and rectification deadlines, dated now.
func CampaignNotice(rep *jianfu.CampaignReport, now time.Time) (*File, error) {
	c := rep.Campaign
	d := &docx.Document{Title: "关于" + c.Name + "情况的通报", Author: "网络安全和信息化委员会办公室", Created: now.In(jianfu.China)}
	d.Add(docx.Title, d.Title)
	d.Add(docx.Plain, "")
	d.Blocks = append(d.Blocks, docx.Paragraph{Text: "各有关单位:", Style: docx.Plain, Bold: true})
	d.Add(docx.Body, fmt.Sprintf("为贯彻落实《关于防治“指尖上的形式主义”的若干意见》,按照“进行抽查评估,对于发现的突出问题,及时提出整改意见和问责建议,督促整改纠正”的要求,"+
		"我办于%s对%s范围内的政务应用程序、政务公众账号和工作群组开展抽查评估。本次从%d个在用渠道中按区划和类型分层随机抽取%d个,已完成检查%d个,其中不合格%d个。",
		day(c.CreatedAt), c.RegionName, c.Population, c.Sampled, c.Done, c.Failed))
	failed := failedForms(rep)
	if len(failed) == 0 {
		d.Add(docx.Body, "本次抽查未发现不合格渠道。请各单位持续做好日常管理,防止问题反弹回潮。")
	} else {
		d.Add(docx.Body, "现将不合格渠道及整改要求通报如下:")
		grid := docx.Grid{Header: []string{"序号", "渠道名称", "主办单位", "检查结论", "整改期限"}}
		for i, f := range failed {
			result := fmt.Sprintf("%s(%g分)", verdict(f), f.Result.Score)
			if f.Result.Vetoed {
				result = verdict(f) // a veto is not a score
			}
			grid.Rows = append(grid.Rows, []string{fmt.Sprint(i + 1), f.ChannelName, f.UnitName, result, f.RectifyBy})
		}
		d.Blocks = append(d.Blocks, grid, docx.Paragraph{Text: "整改意见:", Style: docx.Plain, Bold: true})
		for i, f := range failed {
			d.Add(docx.Body, fmt.Sprintf("%d. %s(%s):%s", i+1, f.ChannelName, f.UnitName, f.Opinion))
		}
		d.Add(docx.Body, "请上述单位严格对照整改意见,于整改期限前完成整改并书面报送整改情况;逾期未整改或整改不到位的,将依规提出问责建议。对长期不更新、功能重复或使用率低的渠道,应按规定关停退出。")
	}
	d.Add(docx.Plain, "")
	d.Add(docx.Right, d.Author, day(now))
	var buf bytes.Buffer
	if err := d.Write(&buf); err != nil {
		return nil, err
	}
	return &File{Name: c.Name + "-整改通报.docx", Short: "notice.docx", Type: DOCX, Data: buf.Bytes()}, nil
}
