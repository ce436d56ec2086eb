package store_test

import (
	"context"
	"strings"
	"testing"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// TestTypicalCaseNeedsReviewAndNoPersonalData: a closed case is drafted
// as a typical case by one supervisor, redacted, and published only by
// another, only when no personal data is left.
func TestTypicalCaseNeedsReviewAndNoPersonalData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCaseWorld(t, db)
		sup := w.as(t, "southSup")
		c, _ := must2(t)(db.Intake().CreateClue(sup, &jianfu.Clue{ChannelID: w.ch["eduAccount"].ID, Description: "公众号要求全体教师每天转发文章并截图上报点赞数"}))
		must(db.Cases().TransferCase(sup, c.ID, jianfu.Transfer{}))
		must(db.Cases().AnswerCase(w.as(t, "eduAdmin"), c.ID, jianfu.CaseAnswer{Finding: jianfu.FindingSubstantiated, Text: "经查属实,已要求停止转发截图。"}))
		if _, err := db.Typical().DraftTypical(sup, c.ID, jianfu.TypicalCase{Title: "某区教育局公众号强制转发点赞", Summary: strings.Repeat("经查,", 20)}); code(err) != jianfu.ECONFLICT {
			t.Errorf("drafting an open case: %v", err)
		}
		must(db.Cases().AddOpinion(sup, c.ID, jianfu.CaseOpinion{Kind: jianfu.OpinionAccountability, Target: "公众号负责人", Text: "建议对公众号负责人批评教育,责令作出书面检查。"}))
		must(db.Cases().CloseCase(sup, c.ID, jianfu.Closing{Outcome: jianfu.OutcomeNotFixed, Note: "逾期未整改到位,已提出问责建议"}))

		// A complaint found untrue is not a typical case, and the refusal says why.
		other, _ := must2(t)(db.Intake().CreateClue(sup, &jianfu.Clue{ChannelID: w.ch["eduAccount"].ID, Description: "公众号要求全体教师每天在朋友圈转发并集赞五十个"}))
		must(db.Cases().TransferCase(sup, other.ID, jianfu.Transfer{}))
		must(db.Cases().AnswerCase(w.as(t, "eduAdmin"), other.ID, jianfu.CaseAnswer{Finding: jianfu.FindingUnsubstantiated, Text: "经查无此要求,系个别教师误传。"}))
		must(db.Cases().CloseCase(sup, other.ID, jianfu.Closing{Outcome: jianfu.OutcomeUnsubstantiated, Note: "反映不实"}))
		if _, err := db.Typical().DraftTypical(sup, other.ID, jianfu.TypicalCase{Title: "某区教育局公众号强制集赞", Summary: strings.Repeat("经查,", 20)}); code(err) != jianfu.ECONFLICT ||
			!strings.Contains(jianfu.ErrorMessage(err, "zh"), "典型案例须是经核实属实") {
			t.Errorf("drafting a case found untrue: %v", err)
		}
		tc := must(db.Typical().DraftTypical(sup, c.ID, jianfu.TypicalCase{Title: "某区教育局公众号强制转发点赞",
			Summary: "该公众号负责人赵敏(电话13800138000)要求全体教师每天转发文章并截图上报点赞数,经查系误传,已澄清。通报各单位引以为戒。"}))
		if strings.Contains(tc.Summary, "赵敏") || strings.Contains(tc.Summary, "13800138000") || !strings.Contains(tc.Summary, "赵某") {
			t.Errorf("draft not redacted: %q", tc.Summary)
		}
		if _, total := must4(t)(db.Typical().FindTypicalCases(context.Background(), jianfu.TypicalFilter{})); total != 0 {
			t.Error("a draft is public")
		}
		if _, err := db.Typical().PublishTypical(sup, c.ID); code(err) != jianfu.EFORBIDDEN {
			t.Errorf("the drafter publishes: %v", err)
		}
		if _, err := db.Typical().PublishTypical(w.as(t, "northSup"), c.ID); code(err) != jianfu.ENOTFOUND {
			t.Errorf("another county publishes: %v", err)
		}
		pub := must(db.Typical().PublishTypical(w.as(t, "provSup"), c.ID))
		if pub.Status != "published" || pub.PublishedBy != "prov.sup" {
			t.Errorf("published %+v", pub)
		}
		list, total := must4(t)(db.Typical().FindTypicalCases(context.Background(), jianfu.TypicalFilter{}))
		if total != 1 || list[0].Title != "某区教育局公众号强制转发点赞" || list[0].RegionName != "江州市" {
			t.Errorf("public list %d %+v", total, list)
		}
	})
}

func must4(t *testing.T) func([]*jianfu.TypicalCase, int, error) ([]*jianfu.TypicalCase, int) {
	return func(l []*jianfu.TypicalCase, n int, err error) ([]*jianfu.TypicalCase, int) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return l, n
	}
}
