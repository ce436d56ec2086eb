package jianfu

import (
	"context"
	"strings"
	"time"
)

// AuditEntry is one line of the audit log (审计日志): who did what to which
// record, when and from where. Entries are hash-chained: Hash covers the
// entry's fields and the previous entry's hash, so an edit or a deletion
// breaks the chain at that point. Once an audit key is configured, Hash is
// HMAC-SM3 under that key (KeyID names it), so a copy of the database is
// not enough to rewrite a row and recompute the chain; entries from before
// the key was first given keep their plain SM3 hash and an empty KeyID.
type AuditEntry struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	ActorID    int64     `json:"actor_id,omitempty"`
	ActorName  string    `json:"actor"`
	Action     string    `json:"action"`      // e.g. "unit.create", "login.fail", "reporter.reveal"
	ObjectType string    `json:"object_type"` // e.g. "unit"
	ObjectID   string    `json:"object_id,omitempty"`
	RegionPath string    `json:"region_path"` // where the object sits, for scoping
	Detail     string    `json:"detail,omitempty"`
	IP         string    `json:"ip,omitempty"`
	PrevHash   string    `json:"prev_hash"`
	Hash       string    `json:"hash"`
	KeyID      string    `json:"key_id,omitempty"`
	// ActorLabel names the actor as people know them, e.g. 龚娟亚(江州市委网信办),
	// filled in when the log is read; it is not part of the chain.
	ActorLabel string `json:"actor_label,omitempty"`
}

// AuditCheckpoint is a signed head of the chain (审计链检查点): how many
// entries there were and the hash of the last one, with a MAC under the
// audit key. Operators keep checkpoints outside the database (a file on
// another machine, syslog); verifying against one detects a deleted tail,
// a moved head and a chain recomputed from an earlier point.
type AuditCheckpoint struct {
	Entries int64     `json:"entries"`
	Hash    string    `json:"hash"`
	KeyID   string    `json:"key_id"`
	At      time.Time `json:"at"`
	MAC     string    `json:"mac"`
}

// AuditFilter selects audit entries.
type AuditFilter struct {
	Actor      string
	Action     string // prefix, e.g. "login"
	ObjectType string
	ObjectID   string
	Since      time.Time
	Until      time.Time
	Page
}

// AuditVerification is the result of checking the chain.
type AuditVerification struct {
	Entries  int    `json:"entries"`
	OK       bool   `json:"ok"`
	BrokenID int64  `json:"broken_id,omitempty"` // the first entry that does not verify
	Reason   string `json:"reason,omitempty"`
	Keyed    int    `json:"keyed"`            // entries verified under the audit key
	KeyID    string `json:"key_id,omitempty"` // the key's fingerprint
	// Checkpoints counts the checkpoints the chain was checked against.
	Checkpoints int `json:"checkpoints,omitempty"`
}

// AuditService reads and verifies the audit log. Entries are written by the
// store itself, in the same transaction as the change they record.
type AuditService interface {
	// FindAuditEntries lists entries about objects in the caller's region
	// subtree. Requires the auditor or system administrator role.
	FindAuditEntries(ctx context.Context, f AuditFilter) ([]*AuditEntry, int, error)
	// VerifyAudit walks the whole chain (system actor or national
	// auditor), checking keyed entries under the configured audit key, and
	// the chain against each checkpoint given.
	VerifyAudit(ctx context.Context, checkpoints ...*AuditCheckpoint) (*AuditVerification, error)
	// CheckpointAudit signs the current head of the chain under the audit
	// key (EINVALID without one), anchoring an unkeyed chain first.
	CheckpointAudit(ctx context.Context) (*AuditCheckpoint, error)
	// RecordAudit appends an entry that is not tied to a store change (a
	// login from the web layer, a rejected webhook).
	RecordAudit(ctx context.Context, e *AuditEntry) error
}

// auditActionNames name the audited actions in Chinese, for the auditor's
// page and the exported log (the code stays beside, for searching).
var auditActionNames = map[string]string{
	"audit.anchor": "审计链锚定", "audit.checkpoint": "审计链检查点", "audit.read": "查阅审计日志",
	"campaign.close": "结束抽查", "campaign.create": "发起抽查", "campaign.form.save": "保存检查表", "campaign.form.submit": "提交检查结果", "campaign.report": "导出抽查结果",
	"case.answer": "答复线索", "case.attachment.read": "查看线索附件", "case.close": "办结线索", "case.create": "登记线索", "case.deadlines": "设置办理时限", "calendar.holidays": "载入节假日安排",
	"case.escalate": "提级督办", "case.export": "导出线索台账", "case.opinion": "提出整改意见或问责建议", "case.read": "查阅线索", "case.rectify": "报送整改情况",
	"case.reopen": "重新办理", "case.satisfaction": "反映人评价办理结果", "case.submit": "受理群众反映", "case.transfer": "移送线索", "case.triage": "分办线索", "case.verify": "核查整改",
	"channel.campaign.fail": "抽查不合格", "channel.change": "变更渠道登记", "channel.create": "登记渠道", "channel.exit.closed": "渠道关停", "channel.exit.order": "下达退出通知",
	"channel.export": "导出渠道登记表", "channel.import": "导入渠道", "channel.read": "查阅渠道", "channel.rectified": "渠道整改完成", "channel.return": "退回备案",
	"channel.submit": "提交备案", "channel.update": "修改渠道", "checklist.save": "保存检查表模板",
	"cleanup.appeal": "申诉退出通知", "cleanup.appeal.accept": "同意申诉", "cleanup.appeal.reject": "驳回申诉", "cleanup.confirm": "确认关停", "cleanup.order": "下达退出通知",
	"clue.create": "转为线索", "cluster.list": "查阅多头报送", "cluster.read": "查阅多头报送详情", "cluster.update": "更新多头报送",
	"burden.rollup.rebuild": "重建负担汇总数据", "finding.list": "查阅问题发现", "finding.purge": "到期删除问题发现", "finding.read": "查阅问题发现详情",
	"login.fail": "登录失败", "login.locked": "账号锁定", "login.ok": "登录", "login.sso.refused": "拒绝统一身份认证登录", "member.list": "查阅群成员",
	"messages.ingest": "接入消息", "monitor.check": "技术监测", "rating.submit": "基层匿名评价",
	"rectification.create": "下达整改事项", "rectification.done": "整改事项完成", "region.import": "导入行政区划",
	"registry.consolidate": "查看集约分析", "registry.rule": "修改备案规则", "registry.rule.update": "修改备案规则", "registry.urlrules.update": "修改链接识别规则",
	"reporter.refused": "拒绝查阅反映人身份", "reporter.reveal": "查阅反映人身份", "scorecard.recompute": "重新计算评价",
	"token.create": "创建接口令牌", "token.revoke": "吊销接口令牌", "typical.draft": "起草典型案例", "typical.publish": "发布典型案例", "typical.withdraw": "撤回典型案例",
	"unit.create": "新建单位", "unit.update": "修改单位", "user.channels": "修改通知方式", "user.create": "新建账号", "user.password": "重置密码", "user.update": "修改账号",
	"webhook.reject": "拒绝平台回调",
}

// auditObjectNames name the kinds of audited objects in Chinese.
var auditObjectNames = map[string]string{
	"api_token": "接口令牌", "audit_log": "审计日志", "campaign": "抽查", "case_deadlines": "办理时限", "check_form": "检查表", "clue": "问题线索", "exit_order": "退出通知", "group_member": "群成员", "case": "问题线索", "channel": "政务渠道", "checklist": "检查表", "cleanup_order": "退出通知", "cluster": "多头报送",
	"burden": "负担监测", "finding": "问题发现", "group": "工作群", "message": "消息", "order": "退出通知", "rating": "评价", "rectification": "整改事项", "region": "行政区划",
	"holidays": "节假日安排", "rule": "规则", "scorecard": "评价", "token": "接口令牌", "typical": "典型案例", "unit": "单位", "user": "账号", "webhook": "平台回调",
}

// ActionName is the Chinese name of the entry's action, the code itself
// for an action without one.
func (e *AuditEntry) ActionName() string {
	if n, ok := auditActionNames[e.Action]; ok {
		return n
	}
	return e.Action
}

// ObjectName is the entry's object in Chinese: its kind and number, e.g.
// 问题线索 418.
func (e *AuditEntry) ObjectName() string {
	kind := e.ObjectType
	if n, ok := auditObjectNames[kind]; ok {
		kind = n
	}
	if e.ObjectID != "" {
		return kind + " " + e.ObjectID
	}
	return kind
}

// ActorShown is who acted, in words: the person and their office, or what
// the system, a reporter or an anonymous rater is called.
func (e *AuditEntry) ActorShown() string { return PersonShown(e.ActorName, e.ActorLabel) }

// PersonShown is who acted, in words, from what a record stores (a login
// name, "system…", "reporter" or "rater") and the person's label (name and
// office, "" when unknown).
func PersonShown(login, label string) string {
	switch {
	case label != "":
		return label
	case login == "reporter":
		return "反映人"
	case login == "rater":
		return "匿名评价人"
	case strings.HasPrefix(login, "system"):
		return "系统"
	}
	return login
}
