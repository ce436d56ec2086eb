package store_test

import (
	"strings"
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

// After closure the reporter answers the follow-up once on the tracking
// page; the answer joins the timeline, its comment loses personal data, and
// a dissatisfied reporter weighs in the channel's scorecard.
func TestSatisfactionFollowUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCaseWorld(t, db)
		rec := must(db.Intake().SubmitComplaint(anonymous(), &jianfu.Complaint{Source: jianfu.SourceComplaint, RegionCode: "390102",
			Description: "望江中学教师工作群每天晚上十点要求老师接龙打卡。", ChannelID: w.ch["schoolGroup"].ID}))
		c := findByNumber(t, w, "southSup", rec.Number)
		sup := w.as(t, "southSup")
		must(db.Cases().TriageCase(sup, c.ID, jianfu.Triage{Decision: "accept", Categories: []string{"chain"}, ChannelID: w.ch["schoolGroup"].ID}))
		must(db.Cases().TransferCase(sup, c.ID, jianfu.Transfer{Note: "请核实"}))
		must(db.Cases().AnswerCase(w.as(t, "eduAdmin"), c.ID, jianfu.CaseAnswer{Finding: jianfu.FindingSubstantiated, Text: "经核实情况属实,已责令停止夜间接龙。"}))

		rate := jianfu.SatisfactionFollowUp{Rating: jianfu.Dissatisfied, Comment: "群里还在接龙,有事可打我电话13812345678"}
		if err := db.Intake().RateSatisfaction(anonymous(), rec.TrackingCode, rate); code(err) != jianfu.ECONFLICT {
			t.Errorf("rating an open case: %v", err)
		}
		if pc := must(db.Intake().TrackCase(anonymous(), rec.TrackingCode)); pc.CanRate {
			t.Error("an open case offers the follow-up")
		}
		must(db.Cases().CloseCase(sup, c.ID, jianfu.Closing{Outcome: jianfu.OutcomeNotFixed, Note: "逾期未整改到位"}))
		if pc := must(db.Intake().TrackCase(anonymous(), rec.TrackingCode)); !pc.CanRate || pc.Satisfaction != "" {
			t.Errorf("a closed case: can rate %v, rating %q", pc.CanRate, pc.Satisfaction)
		}
		if err := db.Intake().RateSatisfaction(anonymous(), rec.TrackingCode, jianfu.SatisfactionFollowUp{Rating: "great"}); code(err) != jianfu.EINVALID {
			t.Errorf("an unknown answer: %v", err)
		}
		if err := db.Intake().RateSatisfaction(anonymous(), rec.TrackingCode, rate); err != nil {
			t.Fatal(err)
		}
		if err := db.Intake().RateSatisfaction(anonymous(), rec.TrackingCode, rate); code(err) != jianfu.ECONFLICT {
			t.Errorf("rating twice: %v", err)
		}
		pc := must(db.Intake().TrackCase(anonymous(), rec.TrackingCode))
		if pc.CanRate || pc.Satisfaction != jianfu.Dissatisfied || !strings.Contains(pc.Events[len(pc.Events)-1].Text, "不满意") {
			t.Errorf("after rating: %+v", pc)
		}
		events := must(db.Cases().CaseEvents(sup, c.ID))
		last := events[len(events)-1]
		if last.Action != "satisfaction" || !strings.Contains(last.Note, "不满意") || strings.Contains(last.Note, "13812345678") || !strings.Contains(last.Note, "[电话]") {
			t.Errorf("the case record: %+v", last)
		}
		if _, err := db.Evaluation().RecomputeScorecards(w.as(t, "provSup")); err != nil {
			t.Fatal(err)
		}
		// substantiated (25) and still dissatisfied (12.5)
		if sc := must(db.Evaluation().FindScorecard(sup, w.ch["schoolGroup"].ID)); sc.Complaints == nil || *sc.Complaints != 62.5 {
			t.Errorf("complaints component %v, want 62.5", sc.Complaints)
		}
	})
}
