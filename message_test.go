package jianfu_test

import (
	"testing"

	"jianfu"
)

// A bot names its group by the platform's id; a platform id registered
// twice names the older registration, every time.
func TestMatchGroupRefs(t *testing.T) {
	groups := []*jianfu.GroupInfo{
		{ID: 12, Platform: "wecom", PlatformID: "wr-1"},
		{ID: 7, Platform: "wecom", PlatformID: "wr-1"}, // a duplicate, registered first
		{ID: 9, Platform: "dingtalk", PlatformID: "cid-9"},
	}
	refs := []jianfu.GroupRef{{ID: 12}, {Platform: "wecom", PlatformID: "wr-1"}, {Platform: "dingtalk", PlatformID: "cid-9"}, {ID: 99}, {Platform: "feishu", PlatformID: "wr-1"}}
	got := jianfu.MatchGroupRefs(refs, groups)
	if len(got) != 3 || got[refs[0]].ID != 12 || got[refs[1]].ID != 7 || got[refs[2]].ID != 9 {
		t.Errorf("matched %v", got)
	}
	if _, ok := got[refs[3]]; ok {
		t.Error("an id not read was matched")
	}
	// in the other order of reading, the same choice
	groups[0], groups[1] = groups[1], groups[0]
	if g := jianfu.MatchGroupRefs(refs, groups)[refs[1]]; g.ID != 7 {
		t.Errorf("the duplicate's choice depends on the order read: %d", g.ID)
	}
}
