package jianfu

import (
	"strings"
	"time"
)

// Satisfaction is the reporter's answer to the follow-up (满意度回访) after
// a case is closed: the last word on whether the burden went away.
type Satisfaction string

// The answers of the follow-up.
const (
	Satisfied      Satisfaction = "satisfied"       // 满意
	BasicSatisfied Satisfaction = "basic_satisfied" // 基本满意
	Dissatisfied   Satisfaction = "dissatisfied"    // 不满意
)

// Satisfactions are the answers in the order the form offers them.
var Satisfactions = []Satisfaction{Satisfied, BasicSatisfied, Dissatisfied}

// SatisfactionNames name the answers in Chinese.
var SatisfactionNames = map[Satisfaction]string{Satisfied: "满意", BasicSatisfied: "基本满意", Dissatisfied: "不满意"}

// SatisfactionFollowUp is one answer to the follow-up.
type SatisfactionFollowUp struct {
	Rating  Satisfaction `json:"rating"`
	Comment string       `json:"comment,omitempty"`
	At      time.Time    `json:"at"`
}

// CanRateSatisfaction reports whether the reporter may answer the
// follow-up now: once, after the case is closed (a rejected or merged one
// has nothing to rate).
func (c *Case) CanRateSatisfaction(answered bool) error {
	if c.Status != CaseClosed {
		return c.wrongStatus("办结后才能评价办理结果", "the result can be rated once the case is closed")
	}
	if answered {
		return Errorf(ECONFLICT, "您已评价过本次办理结果,感谢反馈;如问题仍然存在,可申请重新办理", "the result has been rated already")
	}
	return nil
}

// RateSatisfaction checks an answer to the follow-up and returns the
// timeline entry recording it (public, so the reporter sees it was taken).
// The comment is optional, at most 500 characters.
func (c *Case) RateSatisfaction(f SatisfactionFollowUp) (CaseEvent, error) {
	name, ok := SatisfactionNames[f.Rating]
	if !ok {
		return CaseEvent{}, Errorf(EINVALID, "请选择满意、基本满意或不满意", "choose satisfied, basic_satisfied or dissatisfied")
	}
	if err := checkLength("comment", "意见", f.Comment, 0, 500); err != nil {
		return CaseEvent{}, err
	}
	note := "反映人对办理结果的评价:" + name
	if t := strings.TrimSpace(f.Comment); t != "" {
		note += "。意见:" + t
	}
	return CaseEvent{Action: "satisfaction", ActorName: "reporter", Note: note, Public: true, PublicNote: "已收到您对办理结果的评价:" + name + ",感谢反馈"}, nil
}

// SatisfactionWeight is what a follow-up answer adds to a channel's
// complaint index in its quarter: a reporter still dissatisfied after the
// case closed counts like a partly substantiated complaint.
func SatisfactionWeight(s Satisfaction) float64 {
	if s == Dissatisfied {
		return 12.5
	}
	return 0
}
