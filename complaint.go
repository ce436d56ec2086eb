package jianfu

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ReporterIdentity is who filed a complaint, when the reporter chose to say.
// It is stored only encrypted, and shown only to a role with the explicit
// permission to reveal it, with an audited reason.
type ReporterIdentity struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
	Other string `json:"other,omitempty"` // work unit, post, or how to reach them
	// Original is what the reporter typed in the complaint's free fields
	// before personal data was hidden from it; nil when nothing was hidden.
	// It is sealed with the identity and opened only by the same reveal.
	Original *OriginalWords `json:"original,omitempty"`
}

// OriginalWords are a complaint's free fields as the reporter typed them.
type OriginalWords struct {
	Description string `json:"description,omitempty"`
	Address     string `json:"address,omitempty"`
	Channel     string `json:"channel,omitempty"`
}

// Empty reports whether no field is given.
func (r *ReporterIdentity) Empty() bool {
	return r == nil || strings.TrimSpace(r.Name+r.Phone+r.Email+r.Other) == ""
}

// MinRevealReason is how many meaningful characters a reason for revealing
// a reporter needs (see MeaningfulLength).
const MinRevealReason = 10

// RevealReason checks the reason given for revealing a reporter's
// identity, which goes into the audit log and to the region's auditor, and
// returns it cleaned: invisible characters removed, trimmed. It needs
// MinRevealReason meaningful characters and at most 500 in all, so that
// zero-width spaces, "....." or "。。。。。。。。。。" pass for no reason.
func RevealReason(reason string) (string, error) {
	reason = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Cf, r) || unicode.IsControl(r) && r != '\n' {
			return -1
		}
		return r
	}, reason))
	n := MeaningfulLength(reason)
	if n < MinRevealReason || utf8.RuneCountInString(reason) > 500 {
		return "", Errorf(EINVALID,
			"请写明查阅反映人身份的具体事由:至少%d个有效文字(空格、标点、不可见字符和连续重复的字不计,现有%d个),最多500字;事由记入审计日志并通报本地区审计员",
			"give the concrete reason for revealing the identity: at least %d meaningful characters (spaces, punctuation, invisible characters and repeats do not count; there are %d), 500 at most; it goes into the audit log and to the region's auditor",
			MinRevealReason, n)
	}
	return reason, nil
}

// MeaningfulLength counts the characters of s that carry meaning: letters
// (Chinese characters included) and digits, a run of one repeated character
// counting once. Whitespace, punctuation, symbols and invisible characters
// count nothing.
func MeaningfulLength(s string) int {
	n := 0
	var last rune = -1
	for _, r := range s {
		if unicode.Is(unicode.Cf, r) {
			continue // a zero-width character between repeats does not separate them
		}
		if !unicode.IsLetter(r) && !unicode.IsNumber(r) {
			last = -1
			continue
		}
		if r != last {
			n++
		}
		last = r
	}
	return n
}

// Complaint is a problem reported by a person: from the public page, from a
// cadre inside, over Open311, or from a hotline record.
type Complaint struct {
	Source      CaseSource
	SourceRef   string   // the hotline's record id; makes imports idempotent
	Category    string   // the reporter's choice; "" takes the first proposal
	Proposed    []string // the demand categories the caller's detector found in the words
	ChannelID   int64    // a registered channel the reporter picked
	ChannelText string   // the channel as the reporter named it
	RegionCode  string   // where: a division code
	Address     string
	Lat, Lon    *float64
	MediaURL    string
	Description string
	Attachments []*Attachment
	Identity    *ReporterIdentity // nil or empty: anonymous
	ReceivedAt  time.Time         // for imports: when the hotline took it; zero means now
}

// MaxDescription is the longest description accepted, in characters (the
// Open311 limit).
const MaxDescription = 4000

// Validate checks what a reporter typed.
func (c *Complaint) Validate() error {
	c.Description = strings.TrimSpace(c.Description)
	c.ChannelText = strings.TrimSpace(c.ChannelText)
	c.Address = strings.TrimSpace(c.Address)
	c.Category = strings.TrimSpace(c.Category)
	c.Proposed = Proposals(c.Proposed)
	var probs []Problem
	add := func(field, zh, en string) { probs = append(probs, Problem{Field: field, Message: zh, English: en}) }
	switch n := utf8.RuneCountInString(c.Description); {
	case n == 0:
		add("description", "请描述遇到的问题:在哪个应用、公众号或群里,被要求做什么", "describe the problem: in which app, account or group, and what you were asked to do")
	case n < 8:
		add("description", "描述过短,请至少写8个字,说明具体要求和时间", "the description is too short; write at least 8 characters saying what was demanded and when")
	case n > MaxDescription:
		add("description", "描述过长(最多4000字)", "the description is too long (4,000 characters at most)")
	}
	if c.Category != "" && !ValidCategory(c.Category) {
		add("category", "问题类型无效", "unknown problem category")
	}
	if utf8.RuneCountInString(c.ChannelText) > 100 {
		add("channel", "渠道名称过长(最多100字)", "the channel name is too long (100 characters at most)")
	}
	if utf8.RuneCountInString(c.Address) > 200 {
		add("address", "地址过长(最多200字)", "the address is too long (200 characters at most)")
	}
	if c.RegionCode == "" && c.ChannelID == 0 {
		add("region", "请选择问题发生的地区", "choose the region where it happened")
	}
	if !c.Source.Valid() {
		add("source", "来源无效", "unknown source")
	}
	if len(c.Attachments) > MaxAttachments {
		add("attachments", "最多上传3张图片", "at most 3 images")
	}
	if id := c.Identity; id != nil {
		id.Name, id.Phone, id.Email, id.Other = strings.TrimSpace(id.Name), strings.TrimSpace(id.Phone), strings.TrimSpace(id.Email), strings.TrimSpace(id.Other)
		if utf8.RuneCountInString(id.Name+id.Phone+id.Email+id.Other) > 300 {
			add("contact", "联系方式过长", "the contact details are too long")
		}
		if id.Phone != "" && !looksLikePhone(id.Phone) {
			add("phone", "电话号码格式不正确(手机11位,或带区号的固定电话)", "the phone number is malformed (11-digit mobile, or a landline with area code)")
		}
		if id.Email != "" && (!strings.Contains(id.Email, "@") || strings.ContainsAny(id.Email, " <>")) {
			add("email", "电子邮箱格式不正确", "the email address is malformed")
		}
	}
	return problemsError(probs)
}

func looksLikePhone(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '-' || r == ' ' || r == '+' || r == '(' || r == ')':
		default:
			return false
		}
	}
	return digits >= 7 && digits <= 15
}

// CaseCategory is the category the case of the complaint starts with: the
// reporter's choice, unless it is none or "other" and the detector
// proposed one, then the first proposal; "other" when there is nothing.
func (c *Complaint) CaseCategory() string {
	if c.Category != "" && !(c.Category == CategoryOther && len(c.Proposed) > 0) {
		return c.Category
	}
	if len(c.Proposed) > 0 {
		return c.Proposed[0]
	}
	return CategoryOther
}

// Received is when the complaint came in as of now: a hotline's own time
// of receipt when it is earlier, else now.
func (c *Complaint) Received(now time.Time) time.Time {
	if !c.ReceivedAt.IsZero() && c.ReceivedAt.Before(now) {
		return c.ReceivedAt.UTC()
	}
	return now
}

// Submitted is the first entry of a complaint's timeline, filed by
// submitter: what came in, the registered channel it seems to name
// (proposedChannel, "" when none), and for the reporter the case number
// and when triage is due.
func (c *Case) Submitted(proposedChannel, submitter string) CaseEvent {
	note := fmt.Sprintf("收到%s(%s)", CaseSourceNames[c.Source], Category(c.Category).Label())
	if proposedChannel != "" {
		note += ",涉及渠道疑为“" + proposedChannel + "”(待确认)"
	}
	return CaseEvent{Action: "created", ActorName: submitter, ToStatus: CaseNew, Note: note, Public: true,
		PublicNote: fmt.Sprintf("已收到您的反映,编号%s。最迟于%s完成受理", c.Number, DueText(*c.DueAt))}
}

// ComplaintReceipt is what a reporter gets back: the case number, the
// secret tracking code (shown once; the store keeps only its digest) and
// when the office will have triaged it.
type ComplaintReceipt struct {
	Number       string    `json:"number"`
	TrackingCode string    `json:"tracking_code"`
	TriageDue    time.Time `json:"triage_due"`
}

// Clue is a problem found by the administration itself: a burden-monitoring
// finding, a spot-check result, a technical check, a self-inspection or an
// entry by the office. Source and SourceRef make it idempotent.
type Clue struct {
	Source      CaseSource `json:"source"`
	SourceRef   string     `json:"source_ref"`
	Category    string     `json:"category"`
	ChannelID   int64      `json:"channel_id"`
	RegionCode  string     `json:"region_code"`
	Description string     `json:"description"`
	// Proposed are the demand categories the caller's detector found (or
	// the finding carries), most salient first; a clue without a Category
	// takes the first.
	Proposed []string `json:"-"`
}

// Validate tidies and checks a clue: a source of the administration's
// own (manual when none), a description of 8 to 4,000 characters, a known
// category if any, and a region or a channel to place it.
func (cl *Clue) Validate() error {
	cl.Description = strings.TrimSpace(cl.Description)
	cl.SourceRef = strings.TrimSpace(cl.SourceRef)
	cl.Proposed = Proposals(cl.Proposed)
	var probs []Problem
	switch cl.Source {
	case SourceMonitoring, SourceSpotCheck, SourceTechCheck, SourceSelfCheck, SourceMedia, SourceManual:
	case "":
		cl.Source = SourceManual
	default:
		probs = append(probs, Problem{Field: "source", Message: "线索来源应为 monitoring、spotcheck、techcheck、selfcheck、media 或 manual;群众反映请走投诉入口", English: "a clue's source is monitoring, spotcheck, techcheck, selfcheck, media or manual; complaints go through the complaint intake"})
	}
	if n := utf8.RuneCountInString(cl.Description); n < 8 || n > MaxDescription {
		probs = append(probs, Problem{Field: "description", Message: "线索描述应为8至4000字", English: "the description needs 8 to 4,000 characters"})
	}
	if cl.Category != "" && !ValidCategory(cl.Category) {
		probs = append(probs, Problem{Field: "category", Message: "问题类型无效", English: "unknown category"})
	}
	if cl.RegionCode == "" && cl.ChannelID == 0 {
		probs = append(probs, Problem{Field: "region_code", Message: "须给出地区代码或渠道", English: "give a region code or a channel"})
	}
	return problemsError(probs)
}

// CaseCategory is the category the case of the clue starts with: its own,
// else the first proposal, else "other".
func (cl *Clue) CaseCategory() string {
	switch {
	case cl.Category != "":
		return cl.Category
	case len(cl.Proposed) > 0:
		return cl.Proposed[0]
	}
	return CategoryOther
}

// Registered is the first entry of a clue's timeline.
func (cl *Clue) Registered() CaseEvent {
	return CaseEvent{Action: "created", ToStatus: CaseNew, Note: "登记线索(" + CaseSourceNames[cl.Source] + ")"}
}

// IntakeService takes complaints and clues in (问题发现). Methods that take
// a person's complaint or show public progress work without an actor;
// CreateClue needs one. Changes write their audit entries in the same
// transaction.
type IntakeService interface {
	// SubmitComplaint files a complaint. Anonymous unless Identity is
	// given, in which case it is stored encrypted; without a configured
	// key an identity is refused (EINVALID) and anonymous complaints still
	// work. A hotline record already imported (same SourceRef) answers
	// ECONFLICT.
	SubmitComplaint(ctx context.Context, c *Complaint) (*ComplaintReceipt, error)
	// AcceptsIdentity reports whether a key to encrypt identities is configured.
	AcceptsIdentity() bool
	// TrackCase shows public progress for a tracking code; ENOTFOUND for a
	// wrong code.
	TrackCase(ctx context.Context, code string) (*PublicCase, error)
	// RequestReopen lets the reporter ask to reopen a closed or rejected case.
	RequestReopen(ctx context.Context, code, reason string) error
	// RateSatisfaction records the reporter's answer to the follow-up
	// after closure (满意度回访), once.
	RateSatisfaction(ctx context.Context, code string, f SatisfactionFollowUp) error
	// PublicCases lists public-intake cases (Open311 GET requests).
	PublicCases(ctx context.Context, f PublicCaseFilter) ([]*PublicCase, error)
	// ComplaintRegions lists the regions a complaint can name (to county level).
	ComplaintRegions(ctx context.Context) ([]*Region, error)
	// ComplaintChannels searches filed, active channels by name.
	ComplaintChannels(ctx context.Context, query, regionPath string, limit int) ([]*PublicChannel, error)
	// CreateClue adds a clue found by the administration; the same
	// Source and SourceRef twice returns the existing case.
	CreateClue(ctx context.Context, c *Clue) (*Case, bool, error)
}
