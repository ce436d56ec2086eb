package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"jianfu"
	"jianfu/docx"
)

func spotCheck() *jianfu.CampaignReport {
	c := &jianfu.Campaign{Name: "江南区政务公众账号专项抽查", RegionPath: "390102", RegionName: "江南区", Kinds: []jianfu.ChannelKind{jianfu.KindAccount},
		Seed: 20260302, Population: 40, Sampled: 3, Done: 2, Failed: 1, Status: jianfu.CampaignOpen, CreatedBy: "south.sup", CreatedAt: march2,
		Strata: []jianfu.Stratum{{RegionName: "江南区", Kind: jianfu.KindAccount, Population: 40, Sampled: 3}}}
	return &jianfu.CampaignReport{Campaign: c,
		Forms: []*jianfu.CheckForm{
			{ChannelName: "江南教育发布", Kind: jianfu.KindAccount, Platform: "wechat_oa", UnitName: "江南区教育局", InspectorName: "李检查",
				Result: &jianfu.Result{Score: 0, Vetoed: true}, RectifyBy: "2026-03-30", Opinion: "恢复留言功能并按时回复。", Evidence: "截图"},
			{ChannelName: "江南卫健", Kind: jianfu.KindAccount, Platform: "wechat_oa", UnitName: "江南区卫健局", Result: &jianfu.Result{Score: 92, Passed: true}},
			{ChannelName: "江南文旅", Kind: jianfu.KindAccount, Platform: "weibo", UnitName: "江南区文旅局"},
		},
		Results: &jianfu.CampaignResults{
			Units:   []jianfu.UnitResult{{Name: "江南区教育局", Checked: 1, Failed: 1, Vetoed: 1}, {Name: "江南区卫健局", Checked: 1, Passed: 1, AvgScore: score(92)}},
			Regions: []jianfu.UnitResult{{Name: "江南区", Checked: 2, Passed: 1, Failed: 1, Vetoed: 1, AvgScore: score(92)}},
		},
		Check: &jianfu.SampleCheck{Match: true},
	}
}

// TestCampaignWorkbook opens the tables as a reader would: the sheets in
// order, the overview, every check with its verdict, the summaries and
// the failed channels with their opinions.
func TestCampaignWorkbook(t *testing.T) {
	f, err := CampaignWorkbook(spotCheck())
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "江南区政务公众账号专项抽查-抽查结果.xlsx" || f.Type != XLSX {
		t.Errorf("file %q %q", f.Name, f.Type)
	}
	x, err := excelize.OpenReader(bytes.NewReader(f.Data))
	if err != nil {
		t.Fatalf("not a workbook: %v", err)
	}
	defer x.Close()
	if got := strings.Join(x.GetSheetList(), ","); got != "概况,抽样分层,检查结果,单位汇总,区划汇总,不合格渠道" {
		t.Errorf("sheets %s", got)
	}
	sheet := func(name string) string {
		rows, err := x.GetRows(name)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, r := range rows {
			lines = append(lines, strings.Join(r, "|"))
		}
		return strings.Join(lines, "\n")
	}
	for name, want := range map[string]string{
		"概况": "项目|内容\n抽查名称|江南区政务公众账号专项抽查\n抽查范围|江南区(390102)\n渠道类型|政务公众账号\n总体数量|40\n抽样数量|3\n随机种子|20260302\n按记录复抽结果|一致\n" +
			"已检查|2\n不合格|1\n状态|进行中\n发起人|south.sup\n发起时间|2026-03-02 09:30",
		"抽样分层": "区划|类型|总体|抽取\n江南区|政务公众账号|40|3",
		"检查结果": "渠道名称|类型|平台|主办单位|检查人|结论|得分|整改期限|证据\n" +
			"江南教育发布|政务公众账号|" + jianfu.PlatformNames["wechat_oa"] + "|江南区教育局|李检查|不合格(单项否决)|0|2026-03-30|截图\n" +
			"江南卫健|政务公众账号|" + jianfu.PlatformNames["wechat_oa"] + "|江南区卫健局||合格|92\n" +
			"江南文旅|政务公众账号|" + jianfu.PlatformNames["weibo"] + "|江南区文旅局||待检查",
		"单位汇总":  "单位|检查数|合格|不合格|单项否决|平均分\n江南区教育局|1|0|1|1\n江南区卫健局|1|1|0|0|92",
		"区划汇总":  "区划|检查数|合格|不合格|单项否决|平均分\n江南区|2|1|1|1|92",
		"不合格渠道": "渠道名称|主办单位|结论|得分|整改期限|整改意见\n江南教育发布|江南区教育局|不合格(单项否决)|0|2026-03-30|恢复留言功能并按时回复。",
	} {
		if got := sheet(name); got != want {
			t.Errorf("sheet %s:\n%s\nwant\n%s", name, got, want)
		}
	}
}

// TestCampaignNotice reads the notice: title, addressee, the sample as
// drawn, the table of failed channels, their 整改意见 and the signature.
func TestCampaignNotice(t *testing.T) {
	f, err := CampaignNotice(spotCheck(), march16)
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "江南区政务公众账号专项抽查-整改通报.docx" || f.Type != DOCX {
		t.Errorf("file %q %q", f.Name, f.Type)
	}
	text, err := docx.ReadText(f.Data)
	if err != nil {
		t.Fatalf("not a docx: %v", err)
	}
	for _, want := range []string{
		"关于江南区政务公众账号专项抽查情况的通报\n\n各有关单位:\n",
		"我办于2026年3月2日对江南区范围内", "从40个在用渠道中按区划和类型分层随机抽取3个,已完成检查2个,其中不合格1个。",
		"现将不合格渠道及整改要求通报如下:\n序号\n渠道名称\n主办单位\n检查结论\n整改期限\n1\n江南教育发布\n江南区教育局\n不合格(单项否决)\n2026-03-30\n整改意见:\n",
		"1. 江南教育发布(江南区教育局):恢复留言功能并按时回复。\n",
		"\n网络安全和信息化委员会办公室\n2026年3月16日\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("notice lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "随机种子") || strings.Contains(text, "20260302") {
		t.Errorf("the notice prints the random seed:\n%s", text)
	}
	if strings.Contains(text, "江南卫健") {
		t.Errorf("the notice names a channel that passed:\n%s", text)
	}

	// Nothing failed: the notice says so, with no table.
	rep := spotCheck()
	rep.Forms = rep.Forms[1:]
	f, _ = CampaignNotice(rep, march16)
	text, _ = docx.ReadText(f.Data)
	if !strings.Contains(text, "本次抽查未发现不合格渠道。") || strings.Contains(text, "序号") {
		t.Errorf("notice without failures:\n%s", text)
	}
}

func score(v float64) *float64 { return &v }
