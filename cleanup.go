package jianfu

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// SignalKind is a reason a channel may have to close (清理退出信号).
type SignalKind string

const (
	SignalZombie      SignalKind = "zombie"       // 僵尸: no activity over the configured period (3 months)
	SignalDuplicate   SignalKind = "duplicate"    // 重复: the same unit on the same platform more than once
	SignalLowUse      SignalKind = "low_use"      // 低使用
	SignalExpiredTemp SignalKind = "expired_temp" // 临时群组已过结束日期
	SignalFailed      SignalKind = "failed"       // 抽查不合格 (repeated failures weigh more)
)

// SignalKinds lists the signals in display order.
var SignalKinds = []SignalKind{SignalZombie, SignalDuplicate, SignalLowUse, SignalExpiredTemp, SignalFailed}

// rank is the signal's place in SignalKinds; unknown kinds come last.
func (k SignalKind) rank() int {
	for i, s := range SignalKinds {
		if s == k {
			return i
		}
	}
	return len(SignalKinds)
}

// Valid reports whether k is a known signal.
func (k SignalKind) Valid() bool { return k.rank() < len(SignalKinds) }

// Signal is one reason with its evidence, in Chinese.
type Signal struct {
	Kind     SignalKind `json:"kind"`
	Evidence string     `json:"evidence"`
	Since    *time.Time `json:"since,omitempty"`
	Related  []int64    `json:"related,omitempty"` // other channels of a duplicate cluster
}

// CleanupCandidate is a channel with at least one signal.
type CleanupCandidate struct {
	ChannelID   int64         `json:"channel_id"`
	ChannelName string        `json:"channel_name"`
	Kind        ChannelKind   `json:"kind"`
	Platform    string        `json:"platform"`
	Status      ChannelStatus `json:"status"`
	UnitID      int64         `json:"unit_id"`
	UnitName    string        `json:"unit_name"`
	RegionPath  string        `json:"region_path"`
	Signals     []Signal      `json:"signals"`
	OpenOrderID int64         `json:"open_order_id,omitempty"`
}

// CleanupRules are the thresholds of the signals; a supervisor may change
// them per query. The zero value means the defaults.
type CleanupRules struct {
	ZombieDays  int // no activity for this many days: 90
	LowMembers  int // a work group with fewer members: 3
	MinFailures int // failed spot checks within a year: 1
}

// WithDefaults fills unset thresholds.
func (r CleanupRules) WithDefaults() CleanupRules {
	if r.ZombieDays <= 0 {
		r.ZombieDays = 90
	}
	if r.LowMembers <= 0 {
		r.LowMembers = 3
	}
	if r.MinFailures <= 0 {
		r.MinFailures = 1
	}
	return r
}

// ZombieCutoff is the instant before which a channel's last sign of life
// makes it a zombie at now.
func (r CleanupRules) ZombieCutoff(now time.Time) time.Time {
	return now.Add(-time.Duration(r.ZombieDays) * 24 * time.Hour)
}

// FailuresSince is the start of the window in which failed spot checks
// count: the year before now.
func FailuresSince(now time.Time) time.Time { return now.AddDate(-1, 0, 0) }

// ZombieSignal is the evidence of a channel with no sign of life (LastSign
// of its activity and monitoring's last update) since before the cut-off;
// one with neither counts from its registration.
func (r CleanupRules) ZombieSignal(activity, update *time.Time, created, now time.Time) Signal {
	since := LastSign(activity, update)
	if since == nil {
		return Signal{Kind: SignalZombie, Since: &created,
			Evidence: fmt.Sprintf("登记于%s,至今无任何活动记录(超过%d天)", DateOf(created), r.ZombieDays)}
	}
	return Signal{Kind: SignalZombie, Since: since,
		Evidence: fmt.Sprintf("最近活动于%s,已%d天无更新(标准:%d天)", DateOf(*since), int(now.Sub(*since).Hours()/24), r.ZombieDays)}
}

// DuplicateSignals are the signals of channels of one unit with the same
// kind on the same platform (原则上一个单位在一个平台只开设一个账号; 一个单位
// 一个工作群): each names the others of its cluster. The channels come
// ordered by unit, kind and platform.
func DuplicateSignals(chans []RelatedChannel) map[int64]Signal {
	out := map[int64]Signal{}
	for start := 0; start < len(chans); {
		end := start + 1
		for end < len(chans) && sameSpot(chans[start], chans[end]) {
			end++
		}
		cluster := chans[start:end]
		for _, m := range cluster {
			var others []string
			var related []int64
			for _, o := range cluster {
				if o.ID != m.ID {
					others = append(others, "“"+o.Name+"”") // named, not numbered: Related keeps the ids
					related = append(related, o.ID)
				}
			}
			out[m.ID] = Signal{Kind: SignalDuplicate, Related: related,
				Evidence: fmt.Sprintf("同一单位在%s上还有%s,共%d个", PlatformName(m.Platform), strings.Join(others, "、"), len(cluster))}
		}
		start = end
	}
	return out
}

func sameSpot(a, b RelatedChannel) bool {
	return a.UnitID == b.UnitID && a.Kind == b.Kind && a.Platform == b.Platform
}

// LowUseSignal is the evidence of a work group with fewer members than the
// rule's threshold.
func (r CleanupRules) LowUseSignal(members int) Signal {
	return Signal{Kind: SignalLowUse, Evidence: fmt.Sprintf("群成员仅%d人(标准:少于%d人视为低使用)", members, r.LowMembers)}
}

// ExpiredTempSignal is the evidence of a temporary group past its end date.
func ExpiredTempSignal(endDate string) Signal {
	return Signal{Kind: SignalExpiredTemp, Evidence: fmt.Sprintf("临时工作群的结束日期为%s,任务结束后应及时解散", endDate)}
}

// FailedSignal is the evidence of failed spot checks within the year: how
// many, how many by veto, the lowest score of the others, the last; from
// two failures on it is 屡查屡犯.
func FailedSignal(failures, vetoed int, lowest *float64, last time.Time) Signal {
	detail := fmt.Sprintf("其中单项否决%d次", vetoed)
	if lowest != nil {
		detail += fmt.Sprintf(",扣分后最低%g分", *lowest)
	}
	ev := fmt.Sprintf("近一年抽查不合格%d次(%s),最近一次于%s", failures, detail, DateOf(last))
	if failures >= 2 {
		ev = "屡查屡犯:" + ev
	}
	return Signal{Kind: SignalFailed, Evidence: ev, Since: &last}
}

// Candidates gathers the signals of channels, by channel id.
type Candidates map[int64]*CleanupCandidate

// Add records a signal of a channel.
func (cs Candidates) Add(id int64, s Signal) {
	c := cs[id]
	if c == nil {
		c = &CleanupCandidate{ChannelID: id}
		cs[id] = c
	}
	c.Signals = append(c.Signals, s)
}

// IDs lists the channels with signals in id order.
func (cs Candidates) IDs() []int64 {
	ids := make([]int64, 0, len(cs))
	for id := range cs {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// Ranked lists the candidates as a supervisor reviews them: most signals
// first, then by id; each one's signals in SignalKinds order.
func (cs Candidates) Ranked() []*CleanupCandidate {
	all := make([]*CleanupCandidate, 0, len(cs))
	for _, id := range cs.IDs() {
		c := cs[id]
		sort.SliceStable(c.Signals, func(i, j int) bool { return c.Signals[i].Kind.rank() < c.Signals[j].Kind.rank() })
		all = append(all, c)
	}
	sort.SliceStable(all, func(i, j int) bool {
		if len(all[i].Signals) != len(all[j].Signals) {
			return len(all[i].Signals) > len(all[j].Signals)
		}
		return all[i].ChannelID < all[j].ChannelID
	})
	return all
}

// CandidateFilter selects cleanup candidates.
type CandidateFilter struct {
	Signal     SignalKind
	Kind       ChannelKind
	RegionPath string
	Rules      CleanupRules
	Page
}

// OrderStatus is where an exit order is (退出通知).
type OrderStatus string

const (
	OrderIssued    OrderStatus = "issued"    // 已下达, awaiting the unit
	OrderAppealed  OrderStatus = "appealed"  // 单位申诉, awaiting the supervisor
	OrderWithdrawn OrderStatus = "withdrawn" // 申诉成立, order withdrawn
	OrderClosed    OrderStatus = "closed"    // 已关停并存档
)

// OrderStatusNames are the Chinese names of the order statuses.
var OrderStatusNames = map[OrderStatus]string{OrderIssued: "已下达", OrderAppealed: "申诉中", OrderWithdrawn: "已撤销", OrderClosed: "已关停"}

// ExitFrom are the statuses a channel may be ordered to exit from.
var ExitFrom = []ChannelStatus{StatusActive, StatusRectifying, StatusApproved}

// AppealUpheldDays is the fresh deadline, in working days, of an order
// whose appeal the supervisor rejects.
const AppealUpheldDays = 10

// ExitOrder is a supervisor's order that a channel close, with a deadline;
// the unit confirms the closure (for a group, its dissolution) or appeals.
type ExitOrder struct {
	ID          int64         `json:"id"`
	ChannelID   int64         `json:"channel_id"`
	ChannelName string        `json:"channel_name"`
	Kind        ChannelKind   `json:"kind"`
	UnitID      int64         `json:"unit_id"`
	UnitName    string        `json:"unit_name"`
	RegionPath  string        `json:"region_path"`
	Signals     []Signal      `json:"signals"`
	Reason      string        `json:"reason"`
	Deadline    string        `json:"deadline"` // YYYY-MM-DD
	Status      OrderStatus   `json:"status"`
	IssuedBy    string        `json:"issued_by"`
	IssuedAt    time.Time     `json:"issued_at"`
	Response    string        `json:"response,omitempty"` // the unit's confirmation note or appeal
	Dissolved   bool          `json:"dissolved,omitempty"`
	RespondedAt *time.Time    `json:"responded_at,omitempty"`
	Decision    string        `json:"decision,omitempty"` // the supervisor's answer to an appeal
	ClosedAt    *time.Time    `json:"closed_at,omitempty"`
	Overdue     bool          `json:"overdue"`
	ChannelNow  ChannelStatus `json:"channel_status,omitempty"`
}

// MarkOverdue sets Overdue: an issued order past its deadline on today
// (YYYY-MM-DD) that the unit has not answered.
func (o *ExitOrder) MarkOverdue(today string) {
	o.Overdue = o.Status == OrderIssued && o.Deadline < today
}

// CheckConfirm says whether the unit may confirm the closure now: the
// order must be issued, and a work group confirmed dissolved.
func (o *ExitOrder) CheckConfirm(dissolved bool) error {
	if o.Status != OrderIssued {
		return Errorf(ECONFLICT, "该通知当前状态为“%s”,不能确认关停", "the order is %s and cannot be confirmed", OrderStatusNames[o.Status])
	}
	if o.Kind == KindGroup && !dissolved {
		return &Error{Code: EINVALID, Message: "工作群组关停须确认已解散群组", English: "closing a work group needs the confirmation that it was dissolved",
			Problems: []Problem{{Field: "dissolved", Message: "请确认群组已解散", English: "confirm the group was dissolved"}}}
	}
	return nil
}

// CheckAppeal says whether the unit may appeal now, with its reasons.
func (o *ExitOrder) CheckAppeal(reason string) error {
	if strings.TrimSpace(reason) == "" {
		return &Error{Code: EINVALID, Message: "请写明申诉理由", English: "give the reasons of the appeal",
			Problems: []Problem{{Field: "reason", Message: "申诉理由不能为空", English: "the reason is required"}}}
	}
	if o.Status != OrderIssued {
		return Errorf(ECONFLICT, "该通知当前状态为“%s”,不能申诉", "the order is %s and cannot be appealed", OrderStatusNames[o.Status])
	}
	return nil
}

// CheckDecision says whether the supervisor may decide the appeal now,
// with its grounds.
func (o *ExitOrder) CheckDecision(note string) error {
	if o.Status != OrderAppealed {
		return Errorf(ECONFLICT, "该通知当前状态为“%s”,没有待处理的申诉", "the order is %s; there is no appeal to decide", OrderStatusNames[o.Status])
	}
	if strings.TrimSpace(note) == "" {
		return &Error{Code: EINVALID, Message: "请写明处理意见", English: "give the grounds of the decision",
			Problems: []Problem{{Field: "note", Message: "处理意见不能为空", English: "the decision note is required"}}}
	}
	return nil
}

// OrderInput is a supervisor's exit order.
type OrderInput struct {
	ChannelID    int64  `json:"channel_id"`
	Reason       string `json:"reason"`
	DeadlineDays int    `json:"deadline_days"` // working days; 10 by default
}

// Validate checks an order input.
func (in *OrderInput) Validate() error {
	in.Reason = strings.TrimSpace(in.Reason)
	var probs []Problem
	if in.ChannelID == 0 {
		probs = append(probs, Problem{Field: "channel_id", Message: "请指定要关停的渠道", English: "name the channel to close"})
	}
	if in.Reason == "" {
		probs = append(probs, Problem{Field: "reason", Message: "请写明关停理由", English: "give the reason for the closure"})
	}
	if in.DeadlineDays == 0 {
		in.DeadlineDays = 10
	}
	if in.DeadlineDays < 1 || in.DeadlineDays > 60 {
		probs = append(probs, Problem{Field: "deadline_days", Message: "期限应为1至60个工作日", English: "the deadline must be 1 to 60 working days"})
	}
	return problemsError(probs)
}

// OrderFilter selects exit orders.
type OrderFilter struct {
	Status OrderStatus
	UnitID int64
	Page
}

// CleanupService finds channels that should close and runs their exit.
type CleanupService interface {
	// FindCandidates lists channels in scope with at least one signal,
	// most signals first.
	FindCandidates(ctx context.Context, f CandidateFilter) ([]*CleanupCandidate, int, error)
	// IssueExitOrder orders a channel closed (supervisors). The signals in
	// force are recorded as the evidence. ECONFLICT when an order is open.
	IssueExitOrder(ctx context.Context, in OrderInput) (*ExitOrder, error)
	FindOrders(ctx context.Context, f OrderFilter) ([]*ExitOrder, int, error)
	FindOrderByID(ctx context.Context, id int64) (*ExitOrder, error)
	// ConfirmExit is the unit's confirmation: the channel is closed and
	// archived (never deleted); dissolved says a group was dissolved.
	ConfirmExit(ctx context.Context, id int64, note string, dissolved bool) (*ExitOrder, error)
	// AppealExit is the unit's appeal with its reasons.
	AppealExit(ctx context.Context, id int64, reason string) (*ExitOrder, error)
	// DecideAppeal is the supervisor's answer: uphold (the order stands
	// with a new deadline) or withdraw.
	DecideAppeal(ctx context.Context, id int64, uphold bool, note string) (*ExitOrder, error)
}
