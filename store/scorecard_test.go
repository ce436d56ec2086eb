package store_test

import (
	"testing"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// A substantiated complaint about a channel this quarter lowers its
// complaints component; a channel without judged complaints has no data
// there rather than a perfect score.
func TestComplaintsComponent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCaseWorld(t, db)
		rec := must(db.Intake().SubmitComplaint(anonymous(), &jianfu.Complaint{Source: jianfu.SourceComplaint, RegionCode: "390102",
			Description: "望江中学教师工作群每天晚上十点要求老师接龙打卡,收到请回复1。", ChannelID: w.ch["schoolGroup"].ID}))
		c := findByNumber(t, w, "southSup", rec.Number)
		sup := w.as(t, "southSup")
		must(db.Cases().TriageCase(sup, c.ID, jianfu.Triage{Decision: "accept", Categories: []string{"chain"}, ChannelID: w.ch["schoolGroup"].ID}))
		must(db.Cases().TransferCase(sup, c.ID, jianfu.Transfer{Note: "请核实"}))
		must(db.Cases().AnswerCase(w.as(t, "eduAdmin"), c.ID, jianfu.CaseAnswer{Finding: jianfu.FindingSubstantiated, Text: "经核实情况属实,已责令停止夜间接龙。"}))

		if _, err := db.Evaluation().RecomputeScorecards(w.as(t, "provSup")); err != nil {
			t.Fatal(err)
		}
		group, err := db.Evaluation().FindScorecard(sup, w.ch["schoolGroup"].ID)
		if err != nil || group.Complaints == nil || *group.Complaints != 75 {
			t.Errorf("the group with one substantiated complaint: complaints %v (%v), want 75", group.Complaints, err)
		}
		account, err := db.Evaluation().FindScorecard(sup, w.ch["eduAccount"].ID)
		if err != nil || account.Complaints != nil {
			t.Errorf("an account nobody complained about: complaints %v (%v), want no data", account.Complaints, err)
		}
	})
}
