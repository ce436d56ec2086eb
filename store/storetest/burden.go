package storetest

import (
	"testing"

	"jianfu"
	"jianfu/store"
)

// PseudonymKey is the pseudonym key of burden-monitoring tests.
const PseudonymKey = "test-pseudonym-key-0123456789"

// Groups registers work groups for the fixture's units, active, one per
// platform the connectors serve:
//
//	southEdu   江南区教育局工作群   wecom    wr-south-edu   (southEdu)
//	school     望江中学教师群       wechat   wx-school      (southSchool)
//	northEdu   江北区教育局工作群   dingtalk cid-north-edu  (northEdu)
//	southCAC   江南区网信工作群     feishu   oc_south_cac   (south)
//
// Their owners and administrators are names known to the registry, which
// redaction masks.
func Groups(t testing.TB, db *store.DB, f *Fixture) map[string]*jianfu.Channel {
	t.Helper()
	out := map[string]*jianfu.Channel{}
	for _, g := range []struct{ key, name, unit, platform, pid, owner string }{
		{"southEdu", "江南区教育局工作群", "southEdu", "wecom", "wr-south-edu", "周明远"},
		{"school", "望江中学教师群", "southSchool", "wechat", "wx-school", "陈晓燕"},
		{"northEdu", "江北区教育局工作群", "northEdu", "dingtalk", "cid-north-edu", "刘海波"},
		{"southCAC", "江南区网信工作群", "south", "feishu", "oc_south_cac", "赵立新"},
	} {
		c := &jianfu.Channel{Kind: jianfu.KindGroup, Name: g.name, UnitID: f.Units[g.unit].ID, Platform: g.platform, PlatformID: g.pid,
			Owner: g.owner, Admins: []string{"孙丽华"}, MemberCount: 40, Status: jianfu.StatusActive, Purpose: "工作沟通"}
		if err := db.Channels().CreateChannel(System(), c); err != nil {
			t.Fatalf("fixture group %s: %v", g.name, err)
		}
		out[g.key] = c
	}
	return out
}
