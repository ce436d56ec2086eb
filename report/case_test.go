package report

import (
	"strings"
	"testing"
	"time"

	"jianfu"
	"jianfu/docx"
)

var (
	march2  = time.Date(2026, 3, 2, 9, 30, 0, 0, jianfu.China)
	march16 = time.Date(2026, 3, 16, 15, 0, 0, 0, jianfu.China)
)

func transferredCase() *jianfu.Case {
	return &jianfu.Case{Number: "JF2026-000007", Category: "chain", Categories: []string{"chain", "checkin"}, Source: jianfu.SourceComplaint,
		ChannelText: "望江中学家长群(群主电话13812345678)", RegionName: "江南区", UnitName: "江州市江南区教育局",
		Status: jianfu.CaseTransferred, OverdueCount: 1, EscalationLevel: 1, EscalatedToName: "江州市", CreatedAt: march2,
		Description: "班主任每晚十点要求家长在群里接龙打卡,联系人13712345678。"}
}

// TestCaseDocument reads the document as a reader would: the title names
// both kinds of opinion, the facts table, the redacted facts, the handling
// steps without the opinion events, the numbered opinions and the signature.
func TestCaseDocument(t *testing.T) {
	c := transferredCase()
	events := []*jianfu.CaseEvent{
		{At: march2, Action: "create", PublicNote: "收到投诉"},
		{At: march2.Add(time.Hour), Action: "transfer", Note: "移送江南区教育局办理。"},
		{At: march2.Add(2 * time.Hour), Action: "opinion", Note: "录入意见一条"},
		{At: march2.Add(3 * time.Hour), Action: "remind"},
	}
	opinions := []*jianfu.CaseOpinion{
		{Kind: jianfu.OpinionRectification, Text: "立即停止在工作群要求接龙打卡。", OfficeName: "江南区委网信办"},
		{Kind: jianfu.OpinionAccountability, Target: "分管负责人", Text: "建议约谈。", OfficeName: "江州市委网信办"},
		{Kind: jianfu.OpinionRectification, Text: "建立群组管理制度。", OfficeName: "江南区委网信办"},
	}
	f, err := CaseDocument(c, events, opinions, "调用者单位", march16)
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "JF2026-000007-整改意见与问责建议.docx" || f.Short != "JF2026-000007.docx" || f.Type != DOCX {
		t.Errorf("file %q %q %q", f.Name, f.Short, f.Type)
	}
	text, err := docx.ReadText(f.Data)
	if err != nil {
		t.Fatalf("not a docx: %v", err)
	}
	for _, want := range []string{
		"〔2026〕    号\n关于JF2026-000007号问题线索的整改意见和问责建议\n\n江州市江南区教育局:\n",
		"一、基本情况\n线索编号\nJF2026-000007\n问题类型\n接龙回复、打卡签到\n线索来源\n群众投诉\n",
		"责任单位\n江州市江南区教育局\n收到时间\n2026年3月2日\n办理状态\n已移送\n时限情况\n超期1次,已提级至江州市网信部门督办\n",
		"二、问题事实\n", "三、办理经过\n2026年3月2日,收到投诉。\n2026年3月2日,移送江南区教育局办理。\n四、整改意见\n",
		"(一)立即停止在工作群要求接龙打卡。\n(二)建立群组管理制度。\n五、问责建议\n(一)对分管负责人:建议约谈。\n",
		"请责任单位按照上述意见抓好整改落实,并将整改情况及时反馈。\n\n江南区委网信办\n2026年3月16日\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("document lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "13712345678") || strings.Contains(text, "13812345678") || strings.Contains(text, "录入意见一条") {
		t.Errorf("the document shows a phone number or an opinion event:\n%s", text)
	}
}

// TestCaseDocumentWithoutOpinions reports how the case was handled, with no
// empty 整改意见 section and no closing request to rectify "the above",
// signed by the office handling it.
func TestCaseDocumentWithoutOpinions(t *testing.T) {
	c := transferredCase()
	c.UnitName, c.Status, c.Outcome, c.OverdueCount, c.EscalationLevel = "", jianfu.CaseClosed, jianfu.OutcomeFixed, 0, 0
	f, err := CaseDocument(c, nil, nil, "江南区委网信办", march16)
	if err != nil {
		t.Fatal(err)
	}
	text, _ := docx.ReadText(f.Data)
	for _, want := range []string{"关于JF2026-000007号问题线索的办理情况\n", "现将JF2026-000007号问题线索的办理情况报告如下。", "责任单位\n尚未移送\n", "时限情况\n未超期\n", "江南区委网信办\n2026年3月16日\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("document lacks %q:\n%s", want, text)
		}
	}
	for _, not := range []string{"、问责建议", "、整改意见", "暂无", "按照上述意见", "三、办理经过"} {
		if strings.Contains(text, not) {
			t.Errorf("the document has %q though there is nothing to say:\n%s", not, text)
		}
	}
	if f.Name != "JF2026-000007-办理情况.docx" {
		t.Errorf("file name %q", f.Name)
	}
}

func TestChineseNumber(t *testing.T) {
	for n, want := range map[int]string{1: "一", 9: "九", 10: "十", 11: "十一", 20: "二十", 23: "二十三", 99: "九十九"} {
		if got := chineseNumber(n); got != want {
			t.Errorf("%d: %s, want %s", n, got, want)
		}
	}
}
