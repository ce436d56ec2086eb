package jianfu

import (
	"context"
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
