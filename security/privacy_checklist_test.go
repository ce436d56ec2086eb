package security

import (
	"fmt"
	"strings"
	"testing"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// TestPrivacyChecklistsStayInTheirRegion reproduces attack 11: a county
// supervisor's new version of the province-wide work-group checklist with
// a pass mark of 1 is refused, so the other county's spot checks keep the
// province's list; the county keeps a version of its own, which only its
// own campaigns use and the other county neither sees nor changes.
func TestPrivacyChecklistsStayInTheirRegion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		p := startPrivacy(t, db)
		north := &jianfu.Channel{Kind: jianfu.KindGroup, Name: "江北区教育局工作群", UnitID: p.fx.Units["northEdu"].ID, Platform: "dingtalk", Status: jianfu.StatusActive, Owner: "刘海波"}
		if err := db.Channels().CreateChannel(storetest.System(), north); err != nil {
			t.Fatal(err)
		}
		lax := map[string]any{"key": "group", "kind": "group", "name": "工作群组抽查评估指标", "pass_mark": 1,
			"items": []map[string]any{{"key": "D1", "kind": "deduct", "points": 1, "title": "随意摊派任务"}}}
		st, body := p.apiAs("southSup", "POST", "/api/v1/campaigns/checklists", lax)
		if st != 403 || !strings.Contains(fmt.Sprint(body), "另存为本辖区版本") {
			t.Errorf("a county supervisor replaces the province-wide checklist: %d %v", st, body)
		}
		lax["key"] = "group-2"
		if st, _ := p.apiAs("southSup", "POST", "/api/v1/campaigns/checklists", lax); st != 403 {
			t.Errorf("a county supervisor adds a province-wide checklist: %d", st)
		}
		own := map[string]any{"kind": "group", "name": "江南区工作群组抽查指标", "pass_mark": 70, "region_path": "390102",
			"items": []map[string]any{{"key": "V1", "kind": "veto", "title": "强制打卡接龙"}, {"key": "D1", "kind": "deduct", "points": 30, "title": "深夜发送工作消息"}}}
		st, body = p.apiAs("southSup", "POST", "/api/v1/campaigns/checklists", own)
		if st != 201 || body["region_path"] != "390102" {
			t.Fatalf("the county's own version: %d %v", st, body)
		}
		ownKey, ownID := body["key"].(string), body["id"].(float64)
		own["key"], own["pass_mark"] = ownKey, 1
		if st, _ := p.apiAs("northSup", "POST", "/api/v1/campaigns/checklists", own); st != 403 {
			t.Errorf("the other county changes the south's version: %d", st)
		}
		st, body = p.apiAs("northSup", "GET", "/api/v1/campaigns/checklists", nil)
		if st != 200 || strings.Contains(fmt.Sprint(body), ownKey) {
			t.Errorf("the other county lists the south's version: %d", st)
		}
		var groupID float64
		for _, it := range body["items"].([]any) {
			if l := it.(map[string]any); l["key"] == "group" {
				groupID = l["id"].(float64)
				if l["pass_mark"] != float64(60) || l["version"] != float64(1) {
					t.Errorf("the province-wide group checklist changed: %v", l)
				}
			}
		}
		// Each county's campaign uses its own list.
		for _, tt := range []struct {
			user, region string
			want         float64
		}{{"southSup", "390102", ownID}, {"northSup", "390103", groupID}} {
			st, c := p.apiAs(tt.user, "POST", "/api/v1/campaigns", map[string]any{"name": "工作群抽查" + tt.region, "region": tt.region, "kinds": []string{"group"}, "sample_rate": 1})
			if st != 201 {
				t.Fatalf("campaign in %s: %d %v", tt.region, st, c)
			}
			st, forms := p.apiAs(tt.user, "GET", fmt.Sprintf("/api/v1/campaigns/%v/forms", c["id"]), nil)
			items, _ := forms["items"].([]any)
			if st != 200 || len(items) == 0 {
				t.Fatalf("forms in %s: %d %v", tt.region, st, forms)
			}
			for _, f := range items {
				if got := f.(map[string]any)["checklist_id"]; got != tt.want {
					t.Errorf("a form in %s uses checklist %v, want %v", tt.region, got, tt.want)
				}
			}
		}
	})
}
