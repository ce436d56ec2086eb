package jianfu

import (
	"context"
	"strings"
	"time"
)

// ChannelKind is one of the three kinds of government channel the policy
// governs: 政务应用程序, 政务公众账号, 工作群组.
type ChannelKind string

const (
	KindApp     ChannelKind = "app"     // 政务应用程序: client, mini program, quick app
	KindAccount ChannelKind = "account" // 政务公众账号 on an internet platform
	KindGroup   ChannelKind = "group"   // 工作群组
)

// ChannelKinds lists the kinds in display order.
var ChannelKinds = []ChannelKind{KindApp, KindAccount, KindGroup}

// Valid reports whether k is a known kind.
func (k ChannelKind) Valid() bool { return k == KindApp || k == KindAccount || k == KindGroup }

// ChannelStatus is where a channel is in its life cycle.
//
//	draft → submitted → approved (备案, filing number issued) → active
//	             ↘ returned (with reasons) → submitted again
//	active → rectifying (整改) → active
//	active/rectifying → exit_requested → closed (archived, never deleted)
type ChannelStatus string

const (
	StatusDraft         ChannelStatus = "draft"          // 草稿
	StatusSubmitted     ChannelStatus = "submitted"      // 已提交待审核
	StatusReturned      ChannelStatus = "returned"       // 已退回
	StatusApproved      ChannelStatus = "approved"       // 已备案
	StatusActive        ChannelStatus = "active"         // 运行中
	StatusRectifying    ChannelStatus = "rectifying"     // 整改中
	StatusExitRequested ChannelStatus = "exit_requested" // 申请退出
	StatusClosed        ChannelStatus = "closed"         // 已关停(存档)
)

// ChannelStatuses lists the statuses in life-cycle order.
var ChannelStatuses = []ChannelStatus{StatusDraft, StatusSubmitted, StatusReturned, StatusApproved, StatusActive, StatusRectifying, StatusExitRequested, StatusClosed}

// Filed reports whether a channel in this status holds a filing number.
func (s ChannelStatus) Filed() bool {
	switch s {
	case StatusApproved, StatusActive, StatusRectifying, StatusExitRequested, StatusClosed:
		return true
	}
	return false
}

// Channel is a registered government app, public account or work group,
// owned by a unit (主办单位) and optionally operated by another (运营单位).
// Fields that apply to one kind only are empty for the others.
type Channel struct {
	ID             int64         `json:"id"`
	Kind           ChannelKind   `json:"kind"`
	Name           string        `json:"name"`
	UnitID         int64         `json:"unit_id"`
	UnitName       string        `json:"unit_name,omitempty"`
	OperatorUnitID int64         `json:"operator_unit_id,omitempty"`
	RegionPath     string        `json:"region_path"` // of the owning unit
	Status         ChannelStatus `json:"status"`
	FilingNumber   string        `json:"filing_number,omitempty"` // 备案号, once approved

	// Platform: for apps the form (ios, android, harmony, wechat_mini,
	// alipay_mini, other_mini, quick_app); for accounts the platform
	// (wechat_oa, wechat_channels, weibo, douyin, kuaishou, toutiao,
	// bilibili, xiaohongshu, other); for groups the platform (wechat, wecom,
	// dingtalk, feishu, qq, zhezhengding, yuezhengyi, other).
	Platform    string   `json:"platform"`
	PlatformID  string   `json:"platform_id,omitempty"` // stable id on the platform (original id, appid, group id)
	Handle      string   `json:"handle,omitempty"`      // the visible handle, which may change
	URL         string   `json:"url,omitempty"`
	StoreLinks  []string `json:"store_links,omitempty"` // apps: app-store or mini-program links
	Audience    string   `json:"audience,omitempty"`    // apps: public or staff
	Functions   string   `json:"functions,omitempty"`
	Purpose     string   `json:"purpose,omitempty"`
	LaunchDate  string   `json:"launch_date,omitempty"`  // YYYY-MM-DD
	CertSubject string   `json:"cert_subject,omitempty"` // accounts: 认证主体

	// Groups.
	Owner       string   `json:"owner,omitempty"`  // 群主 (谁建群谁负责)
	Admins      []string `json:"admins,omitempty"` // 群管理员
	MemberCount int      `json:"member_count,omitempty"`
	Temporary   bool     `json:"temporary,omitempty"`
	EndDate     string   `json:"end_date,omitempty"` // YYYY-MM-DD for a temporary group

	// Responsible person: personal data, masked for roles that need not see it.
	ResponsiblePerson string `json:"responsible_person,omitempty"`
	ResponsiblePhone  string `json:"responsible_phone,omitempty"`

	Tags           []string   `json:"tags,omitempty"`
	Notes          string     `json:"notes,omitempty"`
	LastActivityAt *time.Time `json:"last_activity_at,omitempty"`
	RevalidatedAt  *time.Time `json:"revalidated_at,omitempty"` // last 定期复核 by the unit
	Version        int        `json:"version"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// Normalize trims the text fields a user types.
func (c *Channel) Normalize() {
	for _, p := range []*string{&c.Name, &c.Platform, &c.PlatformID, &c.Handle, &c.URL, &c.Audience, &c.Functions, &c.Purpose,
		&c.LaunchDate, &c.CertSubject, &c.Owner, &c.EndDate, &c.ResponsiblePerson, &c.ResponsiblePhone, &c.Notes} {
		*p = strings.TrimSpace(*p)
	}
	c.Platform = strings.ToLower(c.Platform)
}

// Validate checks the fields a user types; kind-specific rules apply.
func (c *Channel) Validate() error {
	c.Normalize()
	var probs []Problem
	add := func(field, zh, en string) { probs = append(probs, Problem{Field: field, Message: zh, English: en}) }
	if !c.Kind.Valid() {
		add("kind", "渠道类型无效,应为 app(政务应用程序)、account(政务公众账号)或 group(工作群组)", "unknown kind; use app, account or group")
	}
	if c.Name == "" {
		add("name", "名称不能为空", "the name is required")
	} else if len([]rune(c.Name)) > 100 {
		add("name", "名称过长(最多100字)", "the name is too long (100 characters at most)")
	}
	if c.UnitID == 0 {
		add("unit_id", "必须指定主办单位", "the owning unit is required")
	}
	if c.Kind.Valid() {
		if c.Platform == "" {
			add("platform", "必须选择平台或形态", "the platform is required")
		} else if !ValidPlatform(c.Kind, c.Platform) {
			add("platform", "平台“"+c.Platform+"”不适用于该渠道类型", "platform "+c.Platform+" does not apply to this kind")
		}
	}
	for _, d := range []struct{ field, v string }{{"launch_date", c.LaunchDate}, {"end_date", c.EndDate}} {
		if d.v != "" {
			if _, err := time.Parse("2006-01-02", d.v); err != nil {
				add(d.field, "日期格式应为 YYYY-MM-DD,如 2026-03-01", "dates are written YYYY-MM-DD, e.g. 2026-03-01")
			}
		}
	}
	if c.MemberCount < 0 {
		add("member_count", "成员人数不能为负数", "the member count cannot be negative")
	}
	return problemsError(probs)
}

// Platforms lists the platform codes of each kind, in display order.
var Platforms = map[ChannelKind][]string{
	KindApp:     {"ios", "android", "harmony", "wechat_mini", "alipay_mini", "other_mini", "quick_app", "web"},
	KindAccount: {"wechat_oa", "wechat_channels", "weibo", "douyin", "kuaishou", "toutiao", "bilibili", "xiaohongshu", "other"},
	KindGroup:   {"wechat", "wecom", "dingtalk", "feishu", "qq", "zhezhengding", "yuezhengyi", "other"},
}

// PlatformNames are the Chinese names of the platforms.
var PlatformNames = map[string]string{
	"ios": "iOS 客户端", "android": "安卓客户端", "harmony": "鸿蒙客户端", "wechat_mini": "微信小程序", "alipay_mini": "支付宝小程序",
	"other_mini": "其他小程序", "quick_app": "快应用", "web": "移动网页应用",
	"wechat_oa": "微信公众号", "wechat_channels": "微信视频号", "weibo": "微博", "douyin": "抖音", "kuaishou": "快手",
	"toutiao": "今日头条", "bilibili": "哔哩哔哩", "xiaohongshu": "小红书", "other": "其他",
	"wechat": "微信群", "wecom": "企业微信群", "dingtalk": "钉钉群", "feishu": "飞书群", "qq": "QQ群",
	"zhezhengding": "浙政钉", "yuezhengyi": "粤政易",
}

// ValidPlatform reports whether platform applies to kind.
func ValidPlatform(kind ChannelKind, platform string) bool {
	for _, p := range Platforms[kind] {
		if p == platform {
			return true
		}
	}
	return false
}

// ChannelFilter selects channels.
type ChannelFilter struct {
	Kind       ChannelKind
	Platform   string
	Status     ChannelStatus
	RegionPath string // only channels of units in this region's subtree
	UnitID     int64  // only channels owned by this unit
	Query      string // name, handle, platform id, filing number contains
	Overdue    bool   // only channels whose re-validation is overdue
	Page
}

// ChannelService is the registry. Every method sees only channels of units
// in the caller's scope. The registry issue extends it with the life
// cycle, rule checks, consolidation and verification.
type ChannelService interface {
	// FindChannelByID returns a channel; ENOTFOUND when absent or out of scope.
	FindChannelByID(ctx context.Context, id int64) (*Channel, error)
	// FindChannels lists channels in scope and the total count.
	FindChannels(ctx context.Context, f ChannelFilter) ([]*Channel, int, error)
	// CreateChannel registers a draft owned by a unit in scope.
	CreateChannel(ctx context.Context, c *Channel) error
}
