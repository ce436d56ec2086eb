package jianfu

import (
	"context"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
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

// KindNames are the Chinese names of the kinds.
var KindNames = map[ChannelKind]string{KindApp: "政务应用程序", KindAccount: "政务公众账号", KindGroup: "工作群组"}

// Letter is the kind's letter in a filing number: A app, B account, C group.
func (k ChannelKind) Letter() byte {
	switch k {
	case KindApp:
		return 'A'
	case KindAccount:
		return 'B'
	case KindGroup:
		return 'C'
	}
	return '?'
}

// ParseChannelKind accepts an English kind or its Chinese name (or a short
// form such as 应用, 账号, 群组).
func ParseChannelKind(s string) (ChannelKind, bool) {
	s = strings.TrimSpace(s)
	if k := ChannelKind(strings.ToLower(s)); k.Valid() {
		return k, true
	}
	for k, name := range KindNames {
		if name == s {
			return k, true
		}
	}
	switch s {
	case "应用", "应用程序", "政务应用", "APP", "App", "小程序":
		return KindApp, true
	case "账号", "公众账号", "公众号", "政务账号", "新媒体", "政务新媒体":
		return KindAccount, true
	case "群", "群组", "工作群", "工作群组":
		return KindGroup, true
	}
	return "", false
}

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

// StatusNames are the Chinese names of the statuses.
var StatusNames = map[ChannelStatus]string{
	StatusDraft: "草稿", StatusSubmitted: "待审核", StatusReturned: "已退回", StatusApproved: "已备案",
	StatusActive: "运行中", StatusRectifying: "整改中", StatusExitRequested: "申请退出", StatusClosed: "已关停",
}

// Valid reports whether s is a known status.
func (s ChannelStatus) Valid() bool { _, ok := StatusNames[s]; return ok }

// Filed reports whether a channel in this status holds a filing number.
func (s ChannelStatus) Filed() bool {
	switch s {
	case StatusApproved, StatusActive, StatusRectifying, StatusExitRequested, StatusClosed:
		return true
	}
	return false
}

// Live reports whether a channel in this status is filed and not closed:
// what the public verification calls a filed government channel, and what
// the consolidation checks compare against.
func (s ChannelStatus) Live() bool { return s.Filed() && s != StatusClosed }

// Editable reports whether the owner may change the channel in place. A
// filed channel is changed through a change request (变更) reviewed again.
func (s ChannelStatus) Editable() bool { return s == StatusDraft || s == StatusReturned }

// Channel is a registered government app, public account or work group,
// owned by a unit (主办单位) and optionally operated by another (运营单位).
// Fields that apply to one kind only are empty for the others.
type Channel struct {
	ID               int64         `json:"id"`
	Kind             ChannelKind   `json:"kind"`
	Name             string        `json:"name"`
	UnitID           int64         `json:"unit_id"`
	UnitName         string        `json:"unit_name,omitempty"`
	OperatorUnitID   int64         `json:"operator_unit_id,omitempty"`
	OperatorUnitName string        `json:"operator_unit_name,omitempty"`
	RegionPath       string        `json:"region_path"` // of the owning unit
	Status           ChannelStatus `json:"status"`
	FilingNumber     string        `json:"filing_number,omitempty"` // 备案号, once approved

	// Platform: for apps the form (ios, android, harmony, wechat_mini,
	// alipay_mini, other_mini, quick_app, web); for accounts the platform
	// (wechat_oa, wechat_channels, weibo, douyin, kuaishou, toutiao,
	// bilibili, xiaohongshu, other); for groups the platform (wechat, wecom,
	// dingtalk, feishu, qq, zhezhengding, yuezhengyi, other).
	Platform    string   `json:"platform"`
	PlatformID  string   `json:"platform_id,omitempty"` // stable id on the platform (original id, appid, uid, group id)
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

	// Life cycle.
	SubmittedAt     *time.Time     `json:"submitted_at,omitempty"`
	SubmittedBy     string         `json:"submitted_by,omitempty"`
	FiledAt         *time.Time     `json:"filed_at,omitempty"` // when the filing number was issued
	ClosedAt        *time.Time     `json:"closed_at,omitempty"`
	RevalidationDue *time.Time     `json:"revalidation_due,omitempty"` // the next 复核 is due by then
	ReviewNote      string         `json:"review_note,omitempty"`      // the last reviewer's reasons
	Checks          []CheckResult  `json:"checks,omitempty"`           // rule checks of the last submission
	Pending         *ChannelChange `json:"pending,omitempty"`          // a change (变更) awaiting review

	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`

	// Masked reports that the personal data above is masked for the caller.
	Masked bool `json:"masked,omitempty"`
}

// ChannelChange is a change (变更) to a filed channel: the proposed state,
// which replaces the channel's fields only when a reviewer approves it.
type ChannelChange struct {
	Proposed   *Channel      `json:"proposed"`
	ProposedBy string        `json:"proposed_by"`
	ProposedAt time.Time     `json:"proposed_at"`
	Checks     []CheckResult `json:"checks,omitempty"`
}

// Normalize trims the text fields a user types.
func (c *Channel) Normalize() {
	for _, p := range []*string{&c.Name, &c.Platform, &c.PlatformID, &c.Handle, &c.URL, &c.Audience, &c.Functions, &c.Purpose,
		&c.LaunchDate, &c.CertSubject, &c.Owner, &c.EndDate, &c.ResponsiblePerson, &c.ResponsiblePhone, &c.Notes} {
		*p = strings.TrimSpace(*p)
	}
	c.Platform = strings.ToLower(c.Platform)
	c.Audience = strings.ToLower(c.Audience)
	c.StoreLinks = trimList(c.StoreLinks)
	c.Admins = trimList(c.Admins)
	c.Tags = trimList(c.Tags)
	if c.Kind != KindGroup {
		c.Owner, c.Admins, c.MemberCount, c.Temporary, c.EndDate = "", nil, 0, false, ""
	}
	if !c.Temporary {
		c.EndDate = ""
	}
}

func trimList(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// SplitList splits a list typed in one field, separated by commas (also
// Chinese ones), semicolons, 、 or new lines.
func SplitList(s string) []string {
	return trimList(strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == '，' || r == ';' || r == '；' || r == '、' || r == '\n' || r == '\r'
	}))
}

// Audiences of an app.
var Audiences = []string{"public", "staff"}

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
	} else if utf8.RuneCountInString(c.Name) > 100 {
		add("name", "名称过长(最多100字)", "the name is too long (100 characters at most)")
	}
	if c.UnitID == 0 {
		add("unit_id", "必须指定主办单位", "the owning unit is required")
	}
	if c.OperatorUnitID != 0 && c.OperatorUnitID == c.UnitID {
		add("operator_unit_id", "运营单位与主办单位相同时无需填写", "leave the operator empty when it is the owning unit")
	}
	if c.Kind.Valid() {
		if c.Platform == "" {
			add("platform", "必须选择平台或形态", "the platform is required")
		} else if !ValidPlatform(c.Kind, c.Platform) {
			add("platform", "平台“"+c.Platform+"”不适用于"+KindNames[c.Kind]+",可选:"+strings.Join(Platforms[c.Kind], "、"), "platform "+c.Platform+" does not apply to this kind; use one of "+strings.Join(Platforms[c.Kind], ", "))
		}
	}
	for _, d := range []struct{ field, v string }{{"launch_date", c.LaunchDate}, {"end_date", c.EndDate}} {
		if d.v != "" {
			if _, err := time.Parse("2006-01-02", d.v); err != nil {
				add(d.field, "日期格式应为 YYYY-MM-DD,如 2026-03-01", "dates are written YYYY-MM-DD, e.g. 2026-03-01")
			}
		}
	}
	if c.Kind == KindApp && c.Audience != "" && c.Audience != "public" && c.Audience != "staff" {
		add("audience", "服务对象应为 public(社会公众)或 staff(内部工作人员)", "the audience is public or staff")
	}
	if c.MemberCount < 0 {
		add("member_count", "成员人数不能为负数", "the member count cannot be negative")
	}
	for _, f := range []struct {
		field, v string
		max      int
	}{{"platform_id", c.PlatformID, 200}, {"handle", c.Handle, 100}, {"url", c.URL, 1000}, {"functions", c.Functions, 2000},
		{"purpose", c.Purpose, 2000}, {"cert_subject", c.CertSubject, 200}, {"owner", c.Owner, 50}, {"responsible_person", c.ResponsiblePerson, 50},
		{"responsible_phone", c.ResponsiblePhone, 30}, {"notes", c.Notes, 4000}} {
		if utf8.RuneCountInString(f.v) > f.max {
			add(f.field, "内容过长(最多"+itoa(f.max)+"字)", "too long ("+itoa(f.max)+" characters at most)")
		} else if strings.ContainsFunc(f.v, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }) {
			add(f.field, "含有控制字符", "contains control characters")
		}
	}
	if c.URL != "" && !WebURL(c.URL) {
		add("url", "网址应以 http:// 或 https:// 开头并带域名,如 https://www.example.gov.cn/", "the address must start with http:// or https:// and name a host, e.g. https://www.example.gov.cn/")
	}
	if c.ResponsiblePhone != "" && !validPhone(c.ResponsiblePhone) {
		add("responsible_phone", "联系电话格式不正确:应为手机号(如13800001234)或座机号(如0571-87654321)", "the phone number looks wrong: a mobile (13800001234) or a landline (0571-87654321)")
	}
	if len(c.StoreLinks) > 20 || len(c.Admins) > 50 || len(c.Tags) > 20 {
		add("store_links", "链接、管理员或标签过多", "too many links, administrators or tags")
	}
	return problemsError(probs)
}

// WebURL reports whether s is an absolute http(s) address with a host: the
// only addresses a channel may give, as monitoring fetches them and pages
// show them (no javascript:, file: or data:).
func WebURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil
}

func validPhone(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '-' || r == ' ' || r == '+' || r == '(' || r == ')' || r == '转':
		default:
			return false
		}
	}
	return digits >= 7 && digits <= 20
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

// PlatformName is the Chinese name of a platform, or its code when it has
// none.
func PlatformName(p string) string {
	if n, ok := PlatformNames[p]; ok {
		return n
	}
	return p
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

// ParsePlatform accepts a platform code or its Chinese name for a kind.
func ParsePlatform(kind ChannelKind, s string) (string, bool) {
	s = strings.TrimSpace(s)
	if p := strings.ToLower(s); ValidPlatform(kind, p) {
		return p, true
	}
	for _, p := range Platforms[kind] {
		if PlatformNames[p] == s || strings.TrimSuffix(PlatformNames[p], "群") == s {
			return p, true
		}
	}
	aliases := map[string]string{"公众号": "wechat_oa", "微信公众平台": "wechat_oa", "视频号": "wechat_channels", "新浪微博": "weibo",
		"头条": "toutiao", "头条号": "toutiao", "B站": "bilibili", "b站": "bilibili", "企业微信": "wecom", "钉钉": "dingtalk", "飞书": "feishu",
		"苹果": "ios", "iOS": "ios", "安卓": "android", "Android": "android", "鸿蒙": "harmony", "小程序": "wechat_mini", "H5": "web", "网页": "web"}
	if p, ok := aliases[s]; ok && ValidPlatform(kind, p) {
		return p, true
	}
	return "", false
}

// MaskName hides all but the first character of a person's name: 张**.
func MaskName(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return ""
	}
	return string(r[:1]) + strings.Repeat("*", max(1, len(r)-1))
}

// MaskPhone hides the middle of a phone number: 138****5678.
func MaskPhone(p string) string {
	r := []rune(p)
	if len(r) < 7 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + "****" + string(r[len(r)-4:])
}

// Mask hides the personal data of the channel: the responsible person and
// phone, the group owner and administrators.
func (c *Channel) Mask() {
	c.ResponsiblePerson = MaskName(c.ResponsiblePerson)
	c.ResponsiblePhone = MaskPhone(c.ResponsiblePhone)
	c.Owner = MaskName(c.Owner)
	admins := make([]string, len(c.Admins))
	for i, a := range c.Admins {
		admins[i] = MaskName(a)
	}
	if len(admins) > 0 {
		c.Admins = admins
	}
	c.Masked = true
	if c.Pending != nil && c.Pending.Proposed != nil {
		c.Pending.Proposed.Mask()
	}
}

// ChannelFilter selects channels.
type ChannelFilter struct {
	Kind       ChannelKind
	Platform   string
	Status     ChannelStatus
	RegionPath string // only channels of units in this region's subtree
	UnitID     int64  // only channels owned by this unit
	Query      string // name contains (two characters at least), or a filing number, platform id or handle
	Overdue    bool   // only channels whose re-validation is overdue
	Expired    bool   // only temporary groups past their end date
	Page
}

// ChannelCountCap bounds the totals the registry counts one by one (those
// its counters cannot answer); ChannelSearchCap bounds those of a search.
// A list that matches more reports the cap plus one, shown as "more than".
const (
	ChannelCountCap  = 10000
	ChannelSearchCap = 1000
)

// CountCap returns the cap of the totals of a filter.
func (f ChannelFilter) CountCap() int {
	if strings.TrimSpace(f.Query) != "" {
		return ChannelSearchCap
	}
	return ChannelCountCap
}

// ChannelEvent is one step of a channel's timeline.
type ChannelEvent struct {
	ID         int64         `json:"id"`
	At         time.Time     `json:"at"`
	ActorName  string        `json:"actor"`
	Action     string        `json:"action"` // create, update, change, or a ChannelAction
	FromStatus ChannelStatus `json:"from_status,omitempty"`
	ToStatus   ChannelStatus `json:"to_status,omitempty"`
	Note       string        `json:"note,omitempty"`
}

// ChannelVersion is a saved state of a channel.
type ChannelVersion struct {
	Version   int       `json:"version"`
	At        time.Time `json:"at"`
	ActorName string    `json:"actor"`
	Channel   *Channel  `json:"channel"`
	// Changed names the fields that differ from the previous version.
	Changed []string `json:"changed,omitempty"`
}

// ChannelService is the registry. Every method sees only channels of units
// in the caller's scope; out-of-scope channels answer ENOTFOUND.
type ChannelService interface {
	// FindChannelByID returns a channel; ENOTFOUND when absent or out of scope.
	FindChannelByID(ctx context.Context, id int64) (*Channel, error)
	// FindChannels lists channels in scope and the total count.
	FindChannels(ctx context.Context, f ChannelFilter) ([]*Channel, int, error)
	// CreateChannel registers a draft owned by a unit in scope. EINVALID,
	// EFORBIDDEN (the role cannot register), ECONFLICT.
	CreateChannel(ctx context.Context, c *Channel) error
	// UpdateChannel saves the owner's edits: in place while the channel is a
	// draft or returned; as a change request (变更) reviewed again once it is
	// filed. version must be the version the edit started from (ECONFLICT
	// when someone saved meanwhile). Kind and owning unit cannot change.
	UpdateChannel(ctx context.Context, id int64, c *Channel, version int) (*Channel, error)
	// ActOnChannel takes a life-cycle step. EINVALID when the action does not
	// apply, a reason is missing or a blocking rule check fails; EFORBIDDEN
	// when the caller may not take it (a reviewer must be above the unit,
	// not of the unit, and not the one who submitted).
	ActOnChannel(ctx context.Context, id int64, action ChannelAction, note string) (*Channel, error)
	// CheckChannel runs the rule checks on a channel as if it were
	// submitted now, without saving anything.
	CheckChannel(ctx context.Context, c *Channel) ([]CheckResult, error)
	// ChannelHistory returns the timeline (newest first) and the versions.
	ChannelHistory(ctx context.Context, id int64) ([]*ChannelEvent, []*ChannelVersion, error)
	// AllowedActions lists the actions the caller may take on the channel now.
	AllowedActions(ctx context.Context, c *Channel) []ChannelAction
}
