package jianfu

import (
	"encoding/json"
	"reflect"
	"sort"
	"time"
)

// The life cycle of a channel (全生命周期): the actions, who takes them and
// where they lead, the dates that follow (filing, re-validation, closing)
// and what an owner may change. The store applies them to the rows it
// locks.

// Running reports whether a channel in this status is in use: active or
// rectifying. Only running channels are due for re-validation.
func (s ChannelStatus) Running() bool { return s == StatusActive || s == StatusRectifying }

// Changeable reports whether a filed channel may be changed through a
// change request (变更): filed, not closed and not leaving.
func (s ChannelStatus) Changeable() bool { return s.Live() && s != StatusExitRequested }

// RevalidationMonth is the length of a month of the re-validation interval:
// the average Gregorian month, so that due dates are the last confirmation
// plus the configured months of it, in Go and in SQL alike.
const RevalidationMonth = 2629746000 * time.Millisecond

// RevalidationMonths is the re-validation interval of the setting: its
// threshold, 6 months when unset.
func RevalidationMonths(s *RuleSetting) int {
	if s.Threshold <= 0 {
		return 6
	}
	return s.Threshold
}

// RevalidationDue is when a channel confirmed (or filed) at base is due
// for re-validation again.
func RevalidationDue(base time.Time, months int) time.Time {
	return base.Add(time.Duration(months) * RevalidationMonth)
}

// NextRevalidation is when a channel that starts to run at now is due for
// re-validation: the interval after its last confirmation, else its
// filing, else now.
func (c *Channel) NextRevalidation(now time.Time, months int) time.Time {
	base := now
	if c.RevalidatedAt != nil {
		base = *c.RevalidatedAt
	} else if c.FiledAt != nil {
		base = *c.FiledAt
	}
	return RevalidationDue(base, months)
}

// FillLedgerDates completes the dates of a record taken from a ledger in
// some state (an import, the local operator): a filed record without a
// filing date was filed now, a running one without a due date is due an
// interval after its last confirmation or filing, a closed one without a
// closing date closed now.
func (c *Channel) FillLedgerDates(now time.Time, months int) {
	if c.Status.Filed() && c.FiledAt == nil {
		c.FiledAt = &now
	}
	if c.Status.Running() && c.RevalidationDue == nil {
		due := c.NextRevalidation(now, months)
		c.RevalidationDue = &due
	}
	if c.Status == StatusClosed && c.ClosedAt == nil {
		c.ClosedAt = &now
	}
}

// TakeEdits copies what an owner may change from src: every field but the
// kind, the owning unit, the status and the filing record.
func (c *Channel) TakeEdits(src *Channel) {
	c.Name, c.OperatorUnitID = src.Name, src.OperatorUnitID
	c.Platform, c.PlatformID, c.Handle, c.URL, c.StoreLinks = src.Platform, src.PlatformID, src.Handle, src.URL, src.StoreLinks
	c.Audience, c.Functions, c.Purpose, c.LaunchDate, c.CertSubject = src.Audience, src.Functions, src.Purpose, src.LaunchDate, src.CertSubject
	c.Owner, c.Admins, c.MemberCount, c.Temporary, c.EndDate = src.Owner, src.Admins, src.MemberCount, src.Temporary, src.EndDate
	c.ResponsiblePerson, c.ResponsiblePhone, c.Tags, c.Notes = src.ResponsiblePerson, src.ResponsiblePhone, src.Tags, src.Notes
}

// lifeCycleFields are the JSON fields of a channel that its life cycle
// sets, not its owner: ChangedFields leaves them to the timeline.
var lifeCycleFields = map[string]bool{"version": true, "updated_at": true, "created_at": true, "checks": true, "pending": true, "masked": true, "unit_name": true,
	"operator_unit_name": true, "status": true, "review_note": true, "submitted_at": true, "submitted_by": true, "filed_at": true, "closed_at": true,
	"revalidation_due": true, "revalidated_at": true, "filing_number": true, "last_activity_at": true}

// ChangedFields names, in order, the JSON fields an owner changed between
// two states of a channel.
func ChangedFields(a, b *Channel) []string {
	var ma, mb map[string]any
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	json.Unmarshal(ja, &ma)
	json.Unmarshal(jb, &mb)
	var out []string
	for k, v := range mb {
		if !lifeCycleFields[k] && !reflect.DeepEqual(ma[k], v) {
			out = append(out, k)
		}
	}
	for k := range ma {
		if _, ok := mb[k]; !ok && !lifeCycleFields[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// RevalidationOverdue reports whether the unit's periodic re-confirmation
// (定期复核) is overdue at now.
func (c *Channel) RevalidationOverdue(now time.Time) bool {
	return c.RevalidationDue != nil && c.RevalidationDue.Before(now) && c.Status.Running()
}

// TemporaryExpired reports whether a temporary group is past its end date
// on the given day (YYYY-MM-DD) and still not closed.
func (c *Channel) TemporaryExpired(today string) bool {
	return c.Kind == KindGroup && c.Temporary && c.EndDate != "" && c.EndDate < today && c.Status != StatusClosed
}

// ChannelAction is a step in a channel's life cycle.
type ChannelAction string

const (
	ActSubmit         ChannelAction = "submit"          // 提交备案: draft/returned → submitted
	ActWithdraw       ChannelAction = "withdraw"        // 撤回: submitted → draft
	ActApprove        ChannelAction = "approve"         // 审核通过: submitted → approved, filing number issued
	ActReturn         ChannelAction = "return"          // 退回: submitted → returned, with reasons
	ActActivate       ChannelAction = "activate"        // 上线运行: approved → active
	ActRevalidate     ChannelAction = "revalidate"      // 定期复核确认: the unit confirms the record is still true
	ActRectify        ChannelAction = "rectify"         // 责令整改: active → rectifying
	ActRectified      ChannelAction = "rectified"       // 整改完成: rectifying → active
	ActRequestExit    ChannelAction = "request_exit"    // 申请退出: approved/active/rectifying → exit_requested
	ActClose          ChannelAction = "close"           // 同意关停: exit_requested → closed (archived)
	ActRejectExit     ChannelAction = "reject_exit"     // 不同意退出: exit_requested → active
	ActApproveChange  ChannelAction = "approve_change"  // 变更审核通过
	ActReturnChange   ChannelAction = "return_change"   // 变更退回
	ActWithdrawChange ChannelAction = "withdraw_change" // 撤回变更
)

// actionDef says where an action applies, where it leads, and who takes it.
type actionDef struct {
	from     []ChannelStatus
	to       ChannelStatus // "" keeps the status
	reviewer bool          // taken by a reviewer above the unit; otherwise by the owning unit
	note     bool          // needs a reason
	change   bool          // applies to a pending change
}

var channelActions = map[ChannelAction]actionDef{
	ActSubmit:         {from: []ChannelStatus{StatusDraft, StatusReturned}, to: StatusSubmitted},
	ActWithdraw:       {from: []ChannelStatus{StatusSubmitted}, to: StatusDraft},
	ActApprove:        {from: []ChannelStatus{StatusSubmitted}, to: StatusApproved, reviewer: true},
	ActReturn:         {from: []ChannelStatus{StatusSubmitted}, to: StatusReturned, reviewer: true, note: true},
	ActActivate:       {from: []ChannelStatus{StatusApproved}, to: StatusActive},
	ActRevalidate:     {from: []ChannelStatus{StatusActive, StatusRectifying}},
	ActRectify:        {from: []ChannelStatus{StatusActive}, to: StatusRectifying, reviewer: true, note: true},
	ActRectified:      {from: []ChannelStatus{StatusRectifying}, to: StatusActive, reviewer: true},
	ActRequestExit:    {from: []ChannelStatus{StatusApproved, StatusActive, StatusRectifying}, to: StatusExitRequested, note: true},
	ActClose:          {from: []ChannelStatus{StatusExitRequested}, to: StatusClosed, reviewer: true},
	ActRejectExit:     {from: []ChannelStatus{StatusExitRequested}, to: StatusActive, reviewer: true, note: true},
	ActApproveChange:  {from: []ChannelStatus{StatusApproved, StatusActive, StatusRectifying}, reviewer: true, change: true},
	ActReturnChange:   {from: []ChannelStatus{StatusApproved, StatusActive, StatusRectifying}, reviewer: true, note: true, change: true},
	ActWithdrawChange: {from: []ChannelStatus{StatusApproved, StatusActive, StatusRectifying}, change: true},
}

// ChannelActions lists the actions in display order.
var ChannelActions = []ChannelAction{ActSubmit, ActWithdraw, ActApprove, ActReturn, ActActivate, ActRevalidate, ActRectify, ActRectified,
	ActRequestExit, ActClose, ActRejectExit, ActApproveChange, ActReturnChange, ActWithdrawChange}

// ActionNames are the Chinese names of the actions.
var ActionNames = map[ChannelAction]string{
	ActSubmit: "提交备案", ActWithdraw: "撤回", ActApprove: "审核通过", ActReturn: "退回修改", ActActivate: "上线运行",
	ActRevalidate: "复核确认", ActRectify: "责令整改", ActRectified: "整改完成", ActRequestExit: "申请退出", ActClose: "同意关停",
	ActRejectExit: "不同意退出", ActApproveChange: "变更通过", ActReturnChange: "变更退回", ActWithdrawChange: "撤回变更",
}

// Valid reports whether a is a known action.
func (a ChannelAction) Valid() bool { _, ok := channelActions[a]; return ok }

// ByReviewer reports whether the action is a reviewer's.
func (a ChannelAction) ByReviewer() bool { return channelActions[a].reviewer }

// NeedsNote reports whether the action must give reasons.
func (a ChannelAction) NeedsNote() bool { return channelActions[a].note }

// OnChange reports whether the action decides a pending change.
func (a ChannelAction) OnChange() bool { return channelActions[a].change }

// Target returns the status the action leads to from status from, and
// whether the action applies at all to a channel in that status (with or
// without a pending change).
func (a ChannelAction) Target(c *Channel) (ChannelStatus, bool) {
	d, ok := channelActions[a]
	if !ok {
		return "", false
	}
	if d.change && c.Pending == nil || a == ActRequestExit && c.Pending != nil {
		return "", false // decide the pending change before asking to exit
	}
	for _, f := range d.from {
		if f == c.Status {
			if d.to == "" {
				return c.Status, true
			}
			return d.to, true
		}
	}
	return "", false
}

// ActionsFor lists the actions that apply to the channel in its state,
// reviewer's and owner's alike; the caller filters by who is acting.
func ActionsFor(c *Channel) []ChannelAction {
	var out []ChannelAction
	for _, a := range ChannelActions {
		if _, ok := a.Target(c); ok {
			out = append(out, a)
		}
	}
	return out
}
