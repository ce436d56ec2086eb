package jianfu

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// TypicalCase is an anonymised case published as a 典型案例.
type TypicalCase struct {
	CaseID      int64       `json:"-"`
	ID          int64       `json:"id"`
	Title       string      `json:"title"`
	Summary     string      `json:"summary"`
	Lesson      string      `json:"lesson,omitempty"`
	Category    string      `json:"category"`
	Outcome     CaseOutcome `json:"outcome"`
	RegionName  string      `json:"region_name"`
	Status      string      `json:"status"` // draft, published, withdrawn
	DraftedBy   string      `json:"drafted_by,omitempty"`
	PublishedBy string      `json:"published_by,omitempty"`
	PublishedAt *time.Time  `json:"published_at,omitempty"`
	UpdatedAt   time.Time   `json:"updated_at"`
}

// ValidateDraft checks the lengths of a draft's texts: a title of 6 to 80
// characters, a summary of 30 to 3,000, a lesson of at most 1,000.
func (t *TypicalCase) ValidateDraft() error {
	var probs []Problem
	limits := [][2]int{{6, 80}, {30, 3000}, {0, 1000}}
	for i, f := range t.Texts() {
		if n := utf8.RuneCountInString(strings.TrimSpace(f.Text)); n < limits[i][0] || n > limits[i][1] {
			probs = append(probs, Problem{Field: f.Field, Message: fmt.Sprintf("%s应为%d至%d字", f.Label, limits[i][0], limits[i][1]),
				English: fmt.Sprintf("%s needs %d to %d characters", f.Field, limits[i][0], limits[i][1])})
		}
	}
	return problemsError(probs)
}

// TypicalText is one text a typical case publishes: its field, the field's
// Chinese name and the text.
type TypicalText struct{ Field, Label, Text string }

// Texts lists the texts a typical case publishes, in the order shown.
func (t *TypicalCase) Texts() []TypicalText {
	return []TypicalText{{"title", "标题", t.Title}, {"summary", "案例摘要", t.Summary}, {"lesson", "警示意义", t.Lesson}}
}

// PersonalDataLeft is a piece of personal data still found in a text about
// to be published, told so the reviewer can find it.
type PersonalDataLeft struct {
	Text    TypicalText // the field it is in
	Kind    string      // what it is, in Chinese (手机号码)
	KindEN  string      // and in English
	At      int         // the character it starts at, from 1
	Excerpt string      // the words around it, the personal data masked
}

// PublicationRefused is the error of a publication that still holds
// personal data: one problem per piece, saying in which field, from which
// character, what it is and the words around it (masked, so the error
// itself does not repeat it).
func PublicationRefused(left []PersonalDataLeft) error {
	if len(left) == 0 {
		return nil
	}
	probs := make([]Problem, len(left))
	for i, l := range left {
		probs[i] = Problem{Field: l.Text.Field,
			Message: fmt.Sprintf("“%s”第%d字起仍含%s:“%s”", l.Text.Label, l.At, l.Kind, l.Excerpt),
			English: fmt.Sprintf("%s, from character %d, still holds a %s: %q", l.Text.Field, l.At, l.KindEN, l.Excerpt)}
	}
	more, moreEN := "", ""
	if len(left) > 1 {
		more, moreEN = "等", " and more"
	}
	e := &Error{Code: EINVALID,
		Message:  fmt.Sprintf("案例中仍有%d处个人信息,不能发布(%s%s):请删去或改为“[电话]”“张某”等占位后重新起草", len(left), probs[0].Message, more),
		English:  fmt.Sprintf("the text still holds %d pieces of personal data and cannot be published (%s%s): remove them, or write placeholders such as [电话], and draft again", len(left), probs[0].English, moreEN),
		Problems: probs}
	return e
}

// TypicalRegion is how precisely a typical case says where it happened:
// the city of region path, so a county's or a township's single office is
// not pointed at.
func TypicalRegion(path string) string {
	if len(path) > 4 {
		return path[:4]
	}
	return path
}

// CanBecomeTypical reports whether the case may be drafted as a typical
// case: a 典型案例 tells of a problem found true and dealt with, so only a
// closed case rectified in full (整改到位), or one not rectified for which
// an accountability proposal (问责建议) was made, may be one. accountable
// says whether the case has such a proposal.
func (c *Case) CanBecomeTypical(accountable bool) error {
	if c.Status != CaseClosed {
		return c.wrongStatus("只有已办结的线索才能作为典型案例", "only closed cases can become typical cases")
	}
	switch {
	case c.Outcome == OutcomeFixed:
	case (c.Outcome == OutcomeNotFixed || c.Outcome == OutcomePartlyFixed) && accountable:
	default:
		return Errorf(ECONFLICT, "典型案例须是经核实属实、已整改到位或已提出问责建议的线索;本线索办结结果为“%s”%s",
			"a typical case must be substantiated and rectified, or carry an accountability proposal; this case closed as %s%s",
			CaseOutcomeNames[c.Outcome], map[bool]string{true: "", false: ",且未提出问责建议"}[accountable || c.Outcome == OutcomeUnsubstantiated || c.Outcome == OutcomeNotResponsible])
	}
	return nil
}

// TypicalDraft proposes the text of a typical case in the style of a 通报:
// what was reported, that it was found true, what was done, and the clause
// of the policy it breaks. description is the case's description with its
// personal data replaced (redact.Placeholders) and the channel named by
// what it is; the drafter edits before saving.
func (c *Case) TypicalDraft(description string, accountable bool) TypicalCase {
	where := "某县"
	if strings.HasSuffix(c.RegionName, "区") {
		where = "某区"
	}
	cat := Category(c.Category)
	label := cat.Label()
	if !cat.Valid() {
		label = "指尖上的形式主义"
	}
	month := ""
	if !c.CreatedAt.IsZero() {
		month = c.CreatedAt.In(China).Format("2006年1月,")
	}
	done := "责任单位已按要求完成整改,经网信部门核查,整改到位。"
	if c.Outcome != OutcomeFixed && accountable {
		done = "责任单位未按要求整改到位,网信部门已依规依纪提出问责建议。"
	}
	desc := strings.TrimRight(strings.TrimSpace(description), "。.!！")
	return TypicalCase{
		Title:   fmt.Sprintf("%s“%s”问题典型案例", where, label),
		Summary: fmt.Sprintf("%s有群众反映:%s。网信部门受理后移送责任单位核查办理。经查,反映问题属实。%s", month, desc, done),
		Lesson: fmt.Sprintf("上述问题违反了《关于防治“指尖上的形式主义”的若干意见》关于“%s”的要求。各地各部门要引以为戒,举一反三,"+
			"工作群组、政务应用程序和政务公众账号要服务工作实际,不得以打卡、接龙、留痕、点赞等代替实绩,切实为基层减负。", cat.Clause()),
	}
}

// CanPublish reports whether the typical case may be published: not
// twice. Who may publish it is Actor.CanPublishTypicalOf.
func (t *TypicalCase) CanPublish() error {
	if t.Status == "published" {
		return Errorf(ECONFLICT, "该典型案例已发布", "the typical case is published already")
	}
	return nil
}

// WithdrawalReason checks the reason for taking a typical case off the
// public page and returns it trimmed.
func WithdrawalReason(reason string) (string, error) {
	if err := checkLength("reason", "撤回理由", reason, 4, 500); err != nil {
		return "", err
	}
	return strings.TrimSpace(reason), nil
}

// The timeline entries of a case's typical case.

// Drafted is the entry of a draft saved with its (redacted) title.
func (t *TypicalCase) Drafted() CaseEvent {
	return CaseEvent{Action: "typical_draft", Note: "拟作为典型案例:" + t.Title}
}

// Published is the entry of the typical case published.
func (t *TypicalCase) Published() CaseEvent {
	return CaseEvent{Action: "typical_published", Note: "作为典型案例发布:" + t.Title}
}

// TypicalWithdrawn is the entry of a typical case withdrawn for reason.
func TypicalWithdrawn(reason string) CaseEvent {
	return CaseEvent{Action: "typical_withdrawn", Note: "撤回典型案例:" + reason}
}

// TypicalFilter selects typical cases.
type TypicalFilter struct {
	Category string
	Query    string
	Page
}

// TypicalService publishes anonymised typical cases (典型案例).
type TypicalService interface {
	// DraftTypical saves an anonymised draft of a closed case as a
	// typical case; PublishTypical (by another supervisor) makes it public.
	DraftTypical(ctx context.Context, id int64, t TypicalCase) (*TypicalCase, error)
	PublishTypical(ctx context.Context, id int64) (*TypicalCase, error)
	WithdrawTypical(ctx context.Context, id int64, reason string) error
	TypicalOfCase(ctx context.Context, id int64) (*TypicalCase, error)
	// FindTypicalCases lists published typical cases; no actor needed.
	FindTypicalCases(ctx context.Context, f TypicalFilter) ([]*TypicalCase, int, error)
	FindTypicalCase(ctx context.Context, id int64) (*TypicalCase, error)
}
