package jianfu

import (
	"context"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"
)

// Message is one work-group message or notice as a source delivers it: the
// API, a chat-export file, a platform bot (企业微信, 钉钉, 飞书) or the
// message stream. Its text is analysed and dropped; only findings with a
// redacted excerpt and per-group per-day aggregates are kept (数据最小化).
type Message struct {
	// ID is the source's message id. It makes redeliveries idempotent: the
	// same id in the same group is counted once. Sources without ids derive
	// one from the message's content and position.
	ID string `json:"id,omitempty"`
	// The group: a registered channel of kind group, named by its id or by
	// its platform and the platform's id for it (bots know only the latter).
	GroupID    int64  `json:"group_id,omitempty"`
	Platform   string `json:"platform,omitempty"`
	PlatformID string `json:"platform_id,omitempty"`

	Time time.Time `json:"time"`
	// Sender is the platform's user id or the display name; it is replaced
	// by a keyed hash (pseudonym) before anything is stored.
	Sender     string `json:"sender,omitempty"`
	Text       string `json:"text"`
	MentionAll bool   `json:"mention_all,omitempty"` // @所有人
	ReplyTo    string `json:"reply_to,omitempty"`
	// Members is the group's member list when the platform gives it
	// (pseudonymised like Sender); MemberCount its size when only that is known.
	Members     []string `json:"members,omitempty"`
	MemberCount int      `json:"member_count,omitempty"`
	// Source says where the message came from: api, export, wecom,
	// dingtalk, feishu, demo.
	Source string `json:"source,omitempty"`
}

// MaxMessageRunes is the longest message text analysed; longer texts are
// refused with a clear error (a notice that long is a document, not a message).
const MaxMessageRunes = 20000

// MaxBatch is the most messages one API request or one import batch holds.
const MaxBatch = 10000

// Sources of messages.
const (
	SourceAPI      = "api"
	SourceExport   = "export"
	SourceWeCom    = "wecom"
	SourceDingTalk = "dingtalk"
	SourceFeishu   = "feishu"
	SourceStream   = "stream"
	SourceDemo     = "demo"
)

// MentionsAll reports whether a text addresses everyone (@所有人).
func MentionsAll(text string) bool {
	for _, m := range []string{"@所有人", "@全体成员", "@全体", "@all", "@All", "@ALL", "＠所有人"} {
		if strings.Contains(text, m) {
			return true
		}
	}
	return false
}

// Validate checks what a source must provide, with a message that says how
// to fix it. now bounds the time: a message from more than a day in the
// future is refused. A zero time is filled by the caller before this.
func (m *Message) Validate(now time.Time) error {
	var probs []Problem
	add := func(field, zh, en string) { probs = append(probs, Problem{Field: field, Message: zh, English: en}) }
	if m.GroupID <= 0 && (m.Platform == "" || m.PlatformID == "") {
		add("group_id", "未指明工作群:请给出 group_id(登记的群组编号),或 platform 与 platform_id", "no group: give group_id (the registered group's id), or platform and platform_id")
	}
	if strings.TrimSpace(m.Text) == "" {
		add("text", "消息内容为空", "the text is empty")
	} else if !utf8.ValidString(m.Text) {
		add("text", "消息内容不是有效的 UTF-8 文本", "the text is not valid UTF-8")
	} else if utf8.RuneCountInString(m.Text) > MaxMessageRunes {
		add("text", "消息内容过长(最多20000字)", "the text is too long (20,000 characters at most)")
	}
	if m.Time.IsZero() {
		add("time", "缺少消息时间(RFC 3339,如 2026-03-01T21:30:00+08:00)", "the time is missing (RFC 3339, e.g. 2026-03-01T21:30:00+08:00)")
	} else if m.Time.After(now.Add(24 * time.Hour)) {
		add("time", "消息时间在未来:"+m.Time.In(China).Format("2006-01-02 15:04"), "the time is in the future: "+m.Time.Format(time.RFC3339))
	} else if m.Time.Year() < 2000 {
		add("time", "消息时间早于2000年,请检查时间格式", "the time is before 2000; check its format")
	}
	if len(m.ID) > 200 {
		add("id", "消息编号过长(最多200字节)", "the id is too long (200 bytes at most)")
	}
	return problemsError(probs)
}

// GroupRef names a group as a message does: by id, or by platform and the
// platform's id.
type GroupRef struct {
	ID         int64
	Platform   string
	PlatformID string
}

// RefOf returns the group reference of a message.
func RefOf(m *Message) GroupRef {
	if m.GroupID > 0 {
		return GroupRef{ID: m.GroupID}
	}
	return GroupRef{Platform: strings.ToLower(strings.TrimSpace(m.Platform)), PlatformID: strings.TrimSpace(m.PlatformID)}
}

// GroupInfo is what ingestion needs to know about a registered group.
type GroupInfo struct {
	ID          int64         `json:"id"`
	Name        string        `json:"name"`
	UnitID      int64         `json:"unit_id"`
	UnitName    string        `json:"unit_name"`
	RegionPath  string        `json:"region_path"`
	UnitPath    string        `json:"unit_path"` // the owning unit's path: what unit scopes see
	Platform    string        `json:"platform"`
	PlatformID  string        `json:"platform_id,omitempty"`
	MemberCount int           `json:"member_count"`
	Status      ChannelStatus `json:"status"`
}

// MatchGroupRefs maps each reference to the group it names among the
// groups read for them: by id, or by platform and platform id. A platform
// id registered twice (a duplicate the consolidation flags) names the group
// with the lowest id, so the choice is the same every time. References
// that name none of the groups are absent from the map.
func MatchGroupRefs(refs []GroupRef, groups []*GroupInfo) map[GroupRef]*GroupInfo {
	named := make(map[GroupRef]*GroupInfo, 2*len(groups))
	for _, g := range groups {
		named[GroupRef{ID: g.ID}] = g
		if g.PlatformID != "" {
			k := GroupRef{Platform: g.Platform, PlatformID: g.PlatformID}
			if old, ok := named[k]; !ok || g.ID < old.ID {
				named[k] = g
			}
		}
	}
	out := make(map[GroupRef]*GroupInfo, len(refs))
	for _, r := range refs {
		if g, ok := named[r]; ok {
			out[r] = g
		}
	}
	return out
}

// Observation is what is kept of one message after analysis: no text, a
// pseudonymous sender, the detector's verdict, and the finding when the
// message made a formalism demand.
type Observation struct {
	// Key is the idempotency key: the message's day and a keyed hash of
	// the group and the message id. A key seen before is not counted again.
	Key []byte
	// LegacyKey is the key in the form recorded before keys began with the
	// day (the keyed hash alone), or nil: a message old enough to have been
	// recorded under it is not counted again when that key was.
	LegacyKey []byte
	GroupID   int64
	// Group is the group as the authorisation of the message's path
	// resolved it (BurdenService.ResolveGroups, in the caller's scope), or
	// nil; see RecordObservations.
	Group       *GroupInfo
	At          time.Time
	Sender      string   // pseudonym
	Members     []string // pseudonyms, when the platform gave the member list
	MemberCount int
	Offhours    bool
	MentionAll  bool
	// Categories found (bit i for Categories[i]) and whether they
	// make a demand (found and not exempted by an emergency).
	Categories uint16
	Demand     bool
	Exempt     bool
	Assessed   bool
	Score      float64
	Finding    *Finding // nil when the message makes no demand
}

// IngestResult says what happened to a batch of messages. Accepted messages
// are durable (stored, or in the stream when ingestion goes through it);
// duplicates are accepted messages seen before and not counted again.
type IngestResult struct {
	Accepted   int          `json:"accepted"`
	Rejected   int          `json:"rejected"`
	Duplicates int          `json:"duplicates"`
	Findings   int          `json:"findings"`
	Errors     []IngestItem `json:"errors,omitempty"`
	// Queued is set when the messages went to the stream for the workers
	// to analyse: findings are not known yet.
	Queued bool `json:"queued,omitempty"`
}

// MarshalJSON leaves duplicates and findings out of the answer to a queued
// batch: the workers find them after the answer, and a 0 there would read
// as "none" (a re-posted batch is counted as duplicates only by the
// workers, which do not count it again).
func (r IngestResult) MarshalJSON() ([]byte, error) {
	type plain IngestResult
	if !r.Queued {
		return json.Marshal(plain(r))
	}
	return json.Marshal(struct {
		Accepted int          `json:"accepted"`
		Rejected int          `json:"rejected"`
		Errors   []IngestItem `json:"errors,omitempty"`
		Queued   bool         `json:"queued"`
	}{r.Accepted, r.Rejected, r.Errors, true})
}

// IngestItem is the error of one rejected message of a batch.
type IngestItem struct {
	Index    int       `json:"index"` // 0-based position in the batch
	Line     int       `json:"line,omitempty"`
	Code     string    `json:"code"`
	Message  string    `json:"message"`
	English  string    `json:"english,omitempty"`
	Problems []Problem `json:"problems,omitempty"`
}

// Ingester takes batches of messages: it resolves their groups in the
// caller's scope, analyses them and stores the result durably (or queues
// them durably on the stream). Messages that fail are listed in the result's
// Errors; the others are accepted. An error return means nothing was
// accepted.
type Ingester interface {
	Ingest(ctx context.Context, msgs []Message) (*IngestResult, error)
}
