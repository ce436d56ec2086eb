package security

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// TestPrivacyRevealRules: a reveal needs a reason of ten meaningful
// characters — zero-width spaces, "....." and "。。。。" are no reason —
// and every refused attempt, like every reveal, is in the audit log of the
// case's region, where the region's auditor reads it over the API and on
// the audit page, and reaches the security-event hook.
func TestPrivacyRevealRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		p := startPrivacy(t, db)
		st, page, _ := p.browser().post("/complaint", "/complaint", url.Values{"region": {"390102"}, "category": {"chain"},
			"description": {"望江中学教师工作群每晚十点要求接龙打卡,不回复就通报。"}, "name": {privName}, "phone": {"13912345678"}})
		number := regexp.MustCompile(privNumber).FindString(page)
		if st != 200 || number == "" {
			t.Fatalf("complaint: %d", st)
		}
		id := p.caseByNumber(number)
		path := fmt.Sprintf("/api/v1/cases/%d/reveal", id)
		for _, reason := range []string{"", strings.Repeat("\u200b", 20), "..........", "。。。。。。。。。。。。", "!!!!!!!!!!??????", "啊啊啊啊啊啊啊啊啊啊啊啊", "\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000", "核实情况"} {
			st, body := p.apiAs("keeper", "POST", path, map[string]any{"reason": reason})
			msg := fmt.Sprint(body["error"])
			if st != 400 || !strings.Contains(msg, "至少10个有效文字") || body["name"] != nil {
				t.Errorf("reveal with %q: %d %v", reason, st, body)
			}
		}
		if st, _ := p.apiAs("southSup", "POST", path, map[string]any{"reason": "反映人要求当面反馈办理结果"}); st != 403 {
			t.Errorf("a supervisor reveals: %d", st)
		}
		if st, _ := p.apiAs("northKeeper", "POST", path, map[string]any{"reason": "反映人要求当面反馈办理结果"}); st != 404 {
			t.Errorf("another county's keeper reveals: %d", st)
		}
		// On the page the reason's rule is said where it is asked for.
		keeper := p.browserAs("keeper")
		st, page, _ = keeper.post(fmt.Sprintf("/cases/%d", id), fmt.Sprintf("/cases/%d/reveal", id), url.Values{"reason": {"。。。。。。。。。。。。"}})
		if st != 400 || !strings.Contains(page, "至少10个有效文字") || strings.Contains(page, "13912345678") {
			t.Errorf("the page's refused reveal: %d", st)
		}
		if st, body := p.apiAs("keeper", "POST", path, map[string]any{"reason": "反映人要求当面反馈办理结果"}); st != 200 || body["name"] != privName {
			t.Errorf("a reveal with a reason: %d %v", st, body)
		}

		// The city's auditor reads all of it; the refusals say who and why.
		st, body := p.apiAs("cityAuditor", "GET", "/api/v1/audit?limit=100&action=reporter.", nil)
		entries, _ := body["items"].([]any)
		refused, revealed := 0, 0
		for _, e := range entries {
			e := e.(map[string]any)
			switch e["action"] {
			case jianfu.ActionRevealRefused:
				refused++
				if e["object_id"] != fmt.Sprint(id) || e["actor"] == "" || !strings.HasPrefix(e["region_path"].(string), "390102") {
					t.Errorf("a refused reveal's entry: %v", e)
				}
			case jianfu.ActionReveal:
				revealed++
			}
		}
		if st != 200 || refused != 11 || revealed != 1 {
			t.Errorf("the auditor reads %d refused and %d reveals (%d), want 11 and 1", refused, revealed, st)
		}
		st, page, _ = p.browserAs("cityAuditor").get("/audit?action=reporter.")
		if st != 200 || !strings.Contains(page, "reporter.refused") || !strings.Contains(page, "keeper.access") || !strings.Contains(page, "安全事件") {
			t.Errorf("the audit page of security events: %d", st)
		}
		if p.events.count(jianfu.ActionRevealRefused) != 11 || p.events.count(jianfu.ActionReveal) != 1 {
			t.Errorf("security events heard: %d refused, %d reveals", p.events.count(jianfu.ActionRevealRefused), p.events.count(jianfu.ActionReveal))
		}
	})
}
