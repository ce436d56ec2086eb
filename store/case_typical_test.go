package store_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"jianfu"
	"jianfu/secret"
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
		// Found true but closed unrectified with no accountability proposal:
		// "经核实,未整改" is no typical case either.
		third, _ := must2(t)(db.Intake().CreateClue(sup, &jianfu.Clue{ChannelID: w.ch["eduAccount"].ID, Description: "公众号要求全体教师每天打卡学习并在群里接龙"}))
		must(db.Cases().TransferCase(sup, third.ID, jianfu.Transfer{}))
		must(db.Cases().AnswerCase(w.as(t, "eduAdmin"), third.ID, jianfu.CaseAnswer{Finding: jianfu.FindingSubstantiated, Text: "经查属实,已责令停止要求教师打卡接龙。"}))
		must(db.Cases().CloseCase(sup, third.ID, jianfu.Closing{Outcome: jianfu.OutcomeNotFixed, Note: "逾期未整改到位"}))
		if _, err := db.Typical().DraftTypical(sup, third.ID, jianfu.TypicalCase{Title: "某区教育局强制打卡接龙", Summary: strings.Repeat("经查,", 20)}); code(err) != jianfu.ECONFLICT ||
			!strings.Contains(jianfu.ErrorMessage(err, "zh"), "未提出问责建议") {
			t.Errorf("drafting a case closed unrectified without accountability: %v", err)
		}
		tc := must(db.Typical().DraftTypical(sup, c.ID, jianfu.TypicalCase{Title: "某区教育局公众号强制转发点赞",
			Summary: "该公众号负责人赵敏(电话13800138000)要求全体教师每天转发文章并截图上报点赞数,经查系误传,已澄清。通报各单位引以为戒。"}))
		if strings.Contains(tc.Summary, "赵敏") || strings.Contains(tc.Summary, "13800138000") || !strings.Contains(tc.Summary, "赵某") {
			t.Errorf("draft not redacted: %q", tc.Summary)
		}
		if _, total := must4(t)(db.Typical().FindTypicalCases(context.Background(), jianfu.TypicalFilter{})); total != 0 {
			t.Error("a draft is public")
		}
		// The drafter is the county's only supervisor: the province's, who
		// may publish it, is told it awaits publication.
		if notes := mustNotesItems(t, db, w.as(t, "provSup")); len(notes) == 0 || notes[0].Kind != jianfu.NoteTypicalPending ||
			notes[0].Title != "典型案例“某区教育局公众号强制转发点赞”待审核发布" || !strings.Contains(notes[0].Body, "江南区监管员") {
			t.Errorf("the province's inbox: %+v", notes)
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

// TestTypicalPublicationSaysWhereDataIsLeft: a draft that still holds
// personal data — saved before redaction knew a form, or naming a person the
// registry learnt of later — is refused at publication, and the refusal
// says in which field, from which character and around which (masked)
// words, never repeating the data itself.
func TestTypicalPublicationSaysWhereDataIsLeft(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCaseWorld(t, db)
		db.SetReporterKey(must(secret.ParseSealerKey(secret.NewSealerKey())))
		sup := w.as(t, "southSup")
		rec := must(db.Intake().SubmitComplaint(anonymous(), &jianfu.Complaint{Source: jianfu.SourceComplaint, RegionCode: "390102",
			Description: "江南教育发布要求全体教师每天转发文章并截图上报点赞数。", Identity: &jianfu.ReporterIdentity{Name: "王晓明", Phone: "13912345678"}}))
		c := findByNumber(t, w, "southSup", rec.Number)
		must(db.Cases().TriageCase(sup, c.ID, jianfu.Triage{Decision: "accept", Categories: []string{"engagement"}, ChannelID: w.ch["eduAccount"].ID}))
		must(db.Cases().TransferCase(sup, c.ID, jianfu.Transfer{}))
		must(db.Cases().AnswerCase(w.as(t, "eduAdmin"), c.ID, jianfu.CaseAnswer{Finding: jianfu.FindingSubstantiated, Text: "情况属实,已停止要求转发截图。"}))
		must(db.Cases().AddOpinion(sup, c.ID, jianfu.CaseOpinion{Kind: jianfu.OpinionAccountability, Target: "学校分管负责人", Text: "建议对学校分管负责人进行约谈。"}))
		must(db.Cases().CloseCase(sup, c.ID, jianfu.Closing{Outcome: jianfu.OutcomeNotFixed, Note: "已要求整改,待下一轮抽查核实"}))
		// Drafting hides the reporter's name as well as the channel's people.
		tc := must(db.Typical().DraftTypical(sup, c.ID, jianfu.TypicalCase{Title: "某区教育局公众号强制转发点赞",
			Summary: "教师王晓明反映,该公众号负责人赵敏要求全体教师每天转发文章并截图上报点赞数,经查属实,已整改。"}))
		if strings.Contains(tc.Summary, "王晓明") || strings.Contains(tc.Summary, "赵敏") || !strings.Contains(tc.Summary, "王某某") {
			t.Errorf("draft not redacted: %q", tc.Summary)
		}
		base := "某区教育局公众号要求全体教师每天转发文章并截图上报点赞数,经查属实,已整改。"
		for _, tt := range []struct{ name, text, kind, hidden string }{
			{"full-width digits", "联系人电话１３９１２３４５６７８。", "手机号码", "１２３４"},
			{"dotted phone", "联系人电话139.1234.5678。", "手机号码", "1234"},
			{"spaced phone", "联系人电话139 1234 5678。", "手机号码", "1234"},
			{"spaced ID", "反映人身份证110101 19900307 1233。", "身份证号码", "19900307"},
			{"complainant", "经反映人王 晓 明同意公开。", "姓名", "晓"},
			{"channel's person", "负责人赵敏已作检查。", "姓名", "敏"},
		} {
			if _, err := sqlExec(db, `UPDATE typical_cases SET summary = ? WHERE case_id = ?`, base+tt.text, c.ID); err != nil {
				t.Fatal(err)
			}
			_, err := db.Typical().PublishTypical(w.as(t, "provSup"), c.ID)
			je, _ := err.(*jianfu.Error)
			if code(err) != jianfu.EINVALID || je == nil || len(je.Problems) != 1 {
				t.Errorf("%s: published or refused without saying where: %v", tt.name, err)
				continue
			}
			p := je.Problems[0]
			if p.Field != "summary" || !strings.Contains(p.Message, "“案例摘要”第") || !strings.Contains(p.Message, "仍含"+tt.kind) || !strings.Contains(p.Message, "*") || strings.Contains(p.Message, tt.hidden) {
				t.Errorf("%s: problem %+v", tt.name, p)
			}
		}
		if _, total := must4(t)(db.Typical().FindTypicalCases(context.Background(), jianfu.TypicalFilter{})); total != 0 {
			t.Error("a refused draft is public")
		}
		if _, err := sqlExec(db, `UPDATE typical_cases SET summary = ? WHERE case_id = ?`, base, c.ID); err != nil {
			t.Fatal(err)
		}
		if pub := must(db.Typical().PublishTypical(w.as(t, "provSup"), c.ID)); pub.Status != "published" {
			t.Errorf("a clean draft: %+v", pub)
		}
	})
}

// sqlExec runs a statement written with ? placeholders on either engine,
// as an attacker with the database (or an old version) would write rows.
func sqlExec(db *store.DB, q string, args ...any) (sql.Result, error) {
	return db.SQL().Exec(dollars(db, q), args...)
}
