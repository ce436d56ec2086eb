package store_test

import (
	"testing"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// A case's documents are signed by the office that handles it, whoever
// downloads them: the unit of the supervisor who transferred it.
func TestHandlingOffice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCaseWorld(t, db)
		sup := w.as(t, "southSup")
		c, _ := must2(t)(db.Intake().CreateClue(sup, &jianfu.Clue{ChannelID: w.ch["eduAccount"].ID, Description: "公众号要求全体教师每天转发文章并截图上报点赞数"}))
		if office, err := db.Cases().HandlingOffice(w.as(t, "provSup"), c.ID); err != nil || office != w.f.Units["south"].Name {
			t.Errorf("office after the clue was raised: %q %v", office, err)
		}
		must(db.Cases().TransferCase(sup, c.ID, jianfu.Transfer{}))
		for _, who := range []string{"eduAdmin", "provSup"} {
			if office, err := db.Cases().HandlingOffice(w.as(t, who), c.ID); err != nil || office != w.f.Units["south"].Name {
				t.Errorf("%s reads the handling office %q (%v), want %s", who, office, err, w.f.Units["south"].Name)
			}
		}
		if _, err := db.Cases().HandlingOffice(w.as(t, "northSup"), c.ID); code(err) != jianfu.ENOTFOUND {
			t.Errorf("another county reads the handling office: %v", err)
		}
	})
}
