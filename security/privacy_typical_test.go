package security

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"jianfu/store"
	"jianfu/store/storetest"
)

// TestPrivacyTypicalCaseRefusesPersonalData reproduces attack 4: a typical
// case whose text still holds a phone in full-width digits, dotted or
// spaced, a spaced ID number, the complainant's name or a name of the
// channel's people is refused at publication — over the API and on the
// page — with where it is (field, character, masked words), and never
// reaches the public page.
func TestPrivacyTypicalCaseRefusesPersonalData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		p := startPrivacy(t, db)
		st, page, _ := p.browser().post("/complaint", "/complaint", url.Values{"region": {"390102"}, "category": {"chain"},
			"description": {"望江中学教师工作群每晚十点要求接龙打卡,不回复就通报。"}, "name": {privName}, "phone": {"13912345678"}})
		number := regexp.MustCompile(privNumber).FindString(page)
		if st != 200 || number == "" {
			t.Fatalf("complaint: %d", st)
		}
		id := p.caseByNumber(number)
		p.transfer(id)
		steps := []struct {
			user, action string
			body         map[string]any
		}{
			{"eduAdmin", "answer", map[string]any{"finding": "substantiated", "text": "情况属实,已要求群主停止夜间接龙。"}},
			{"southSup", "opinions", map[string]any{"kind": "accountability", "target": "学校分管负责人", "text": "建议对学校分管负责人进行约谈。"}},
			{"southSup", "close", map[string]any{"outcome": "not_fixed", "note": "已要求整改,待下一轮抽查核实"}},
			{"southSup", "typical", map[string]any{"title": "某中学工作群深夜接龙打卡", "summary": "教师王晓明反映,群主李建国每晚十点要求接龙打卡,管理员孙丽华逐一催办;经查属实,已责令整改并通报。"}},
		}
		for _, s := range steps {
			if st, body := p.apiAs(s.user, "POST", fmt.Sprintf("/api/v1/cases/%d/%s", id, s.action), s.body); st != 200 && st != 201 {
				t.Fatalf("%s: %d %v", s.action, st, body)
			}
		}
		// Drafting hides what it knows; a draft written before that (as in
		// the attack) is put back as it was, form by form.
		base := "某中学工作群每晚十点要求接龙打卡,经查属实,已责令整改并通报各单位引以为戒。"
		for _, tt := range []struct{ name, text, kind, hidden string }{
			{"full-width digits", "联系电话１３９１２３４５６７８。", "手机号码", "１２３４"},
			{"dotted phone", "联系电话139.1234.5678。", "手机号码", "1234"},
			{"spaced phone", "联系电话139 1234 5678。", "手机号码", "1234"},
			{"spaced ID", "反映人身份证110101 19900307 1233。", "身份证号码", "19900307"},
			{"the complainant", "反映人王晓明同意公开。", "姓名", "晓明"},
			{"the group's owner", "群主李 建 国已作检查。", "姓名", "建"},
			{"the group's administrator", "管理员孙丽华已调岗。", "姓名", "丽华"},
		} {
			q := `UPDATE typical_cases SET summary = ? WHERE case_id = ?`
			if db.Engine() == store.Postgres {
				q = `UPDATE typical_cases SET summary = $1 WHERE case_id = $2`
			}
			if _, err := db.SQL().Exec(q, base+tt.text, id); err != nil {
				t.Fatal(err)
			}
			st, body := p.apiAs("provSup", "POST", fmt.Sprintf("/api/v1/cases/%d/typical/publish", id), nil)
			e, _ := body["error"].(map[string]any)
			probs, _ := e["problems"].([]any)
			if st != 400 || len(probs) != 1 {
				t.Errorf("%s: published or refused without saying where: %d %v", tt.name, st, body)
				continue
			}
			pr := probs[0].(map[string]any)
			msg := fmt.Sprint(pr["message"])
			if pr["field"] != "summary" || !strings.Contains(msg, "“案例摘要”第") || !strings.Contains(msg, "仍含"+tt.kind) || !strings.Contains(msg, "*") || strings.Contains(msg, tt.hidden) {
				t.Errorf("%s: the problem %v", tt.name, pr)
			}
			if _, pub, _ := p.browser().get("/typical"); strings.Contains(pub, "接龙打卡") {
				t.Errorf("%s: the refused case is on the public page", tt.name)
			}
		}
		// On the page, the reviewer sees where.
		st, page, _ = p.browserAs("provSup").post(fmt.Sprintf("/cases/%d", id), fmt.Sprintf("/cases/%d/publish", id), url.Values{})
		if st != 400 || !strings.Contains(page, "“案例摘要”第") || !strings.Contains(page, "孙**") {
			t.Errorf("the publish page: %d", st)
		}
		// Cleaned, it is published.
		q := `UPDATE typical_cases SET summary = ? WHERE case_id = ?`
		if db.Engine() == store.Postgres {
			q = `UPDATE typical_cases SET summary = $1 WHERE case_id = $2`
		}
		if _, err := db.SQL().Exec(q, base, id); err != nil {
			t.Fatal(err)
		}
		if st, body := p.apiAs("provSup", "POST", fmt.Sprintf("/api/v1/cases/%d/typical/publish", id), nil); st != 200 {
			t.Errorf("a clean draft: %d %v", st, body)
		}
		if _, pub, _ := p.browser().get("/typical"); !strings.Contains(pub, "接龙打卡") {
			t.Error("the published case is not on the public page")
		}
	})
}
