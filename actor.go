package jianfu

import (
	"context"
	"strings"
)

// Actor is who is acting: a logged-in user, a machine with an API token, or
// the system itself (command line, demo generator). The store reads the
// actor from the context and scopes every query by it.
type Actor struct {
	UserID   int64
	Username string
	Name     string
	Roles    []Role
	UnitID   int64
	UnitName string
	// UnitPath is the unit's materialised path ("/1/5/23/"); unit-scoped
	// actors see it and everything below it.
	UnitPath string
	// RegionPath is the short code of the unit's region ("4301"); region-wide
	// actors see that region's subtree.
	RegionPath string
	// IP is the client address, for the audit log.
	IP string
	// System marks the trusted local operator (command line, migrations, demo).
	System bool
	// Via says how the actor authenticated: "session", "token", "cli".
	Via string
	// MustChangePassword marks a session whose password was set by an
	// administrator or has expired: until it is changed, the user may only
	// change it (or log out).
	MustChangePassword bool
}

// SystemActor returns the actor for trusted local operations; what (an
// English word: demo, deadline, webhook:wecom …) stays in the username, the
// name people read is Chinese.
func SystemActor(what string) *Actor {
	return &Actor{Username: "system:" + what, Name: systemName(what), System: true, Via: "cli"}
}

// systemNames name the system's own jobs as they appear in timelines,
// notifications and the audit log.
var systemNames = map[string]string{
	"demo": "演示数据生成", "deadline": "期限巡检", "burden": "负担统计", "cluster": "多头报送归并",
	"campaign": "抽查任务", "12345": "12345热线导入", "backup": "数据备份", "holidays": "节假日安排",
	"intake": "受理登记", "tracking": "查询码服务", "webhook": "平台接入", "worker": "消息队列处理",
	"bench": "性能测试", "ingestload": "性能测试", "test": "测试",
	"cli": "命令行", "report": "形势报告", "audit": "审计核验", "audit-checkpoint": "审计核验", "audit-verify": "审计核验",
	"export": "数据导出", "import": "数据导入", "media": "媒体线索", "monitor": "巡检监测", "retention": "数据保留清理",
	"rollup": "负担统计",
}

func systemName(what string) string {
	key, _, _ := strings.Cut(what, ":")
	if n, ok := systemNames[key]; ok {
		return "系统(" + n + ")"
	}
	return "系统"
}

// Has reports whether the actor holds role r. The system actor holds all.
func (a *Actor) Has(r Role) bool {
	if a == nil {
		return false
	}
	if a.System {
		return true
	}
	for _, x := range a.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// HasAny reports whether the actor holds any of roles.
func (a *Actor) HasAny(roles ...Role) bool {
	for _, r := range roles {
		if a.Has(r) {
			return true
		}
	}
	return false
}

// RegionWide reports whether the actor's scope is a region subtree.
func (a *Actor) RegionWide() bool {
	if a == nil {
		return false
	}
	if a.System {
		return true
	}
	for _, r := range a.Roles {
		if r.RegionWide() {
			return true
		}
	}
	return false
}

// SeesRegion reports whether a region (short path) is in the actor's scope:
// the subtree of the region of the actor's unit.
func (a *Actor) SeesRegion(path string) bool {
	if a == nil {
		return false
	}
	return a.System || strings.HasPrefix(path, a.RegionPath)
}

// SeesUnit reports whether a unit with the given path and region is in scope.
func (a *Actor) SeesUnit(unitPath, regionPath string) bool {
	if a == nil {
		return false
	}
	if a.System {
		return true
	}
	if a.RegionWide() {
		return strings.HasPrefix(regionPath, a.RegionPath)
	}
	return strings.HasPrefix(unitPath, a.UnitPath)
}

// ScopeLabel describes the scope in Chinese for display.
func (a *Actor) ScopeLabel() string {
	if a.System {
		return "全部"
	}
	if a.RegionWide() {
		return "本地区及下辖地区"
	}
	return "本单位及下属单位"
}

type actorKey struct{}

// WithActor returns a context carrying the actor.
func WithActor(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor of the context, nil when there is none.
func ActorFrom(ctx context.Context) *Actor {
	a, _ := ctx.Value(actorKey{}).(*Actor)
	return a
}

// RequireActor returns the actor or EUNAUTHORIZED: the store fails closed.
// An actor that is neither the system nor a user (no user id, no unit
// path) is refused too, so a half-filled actor can never see everything.
func RequireActor(ctx context.Context) (*Actor, error) {
	a := ActorFrom(ctx)
	if a == nil || !a.System && (a.UserID == 0 || a.UnitPath == "") {
		return nil, Errorf(EUNAUTHORIZED, "请先登录", "please log in first")
	}
	return a, nil
}

type clientIPKey struct{}

// WithClientIP records the client's address for the audit log of requests
// made before anyone is logged in (a login, a public complaint).
func WithClientIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, clientIPKey{}, ip)
}

// ClientIP returns the address recorded by WithClientIP or the actor's.
func ClientIP(ctx context.Context) string {
	if ip, ok := ctx.Value(clientIPKey{}).(string); ok {
		return ip
	}
	if a := ActorFrom(ctx); a != nil {
		return a.IP
	}
	return ""
}

// IsApplication reports whether the actor is a third-party application's
// account (第三方应用) rather than a person: only those may hold Open311
// api_keys.
func (a *Actor) IsApplication() bool {
	return a != nil && !a.System && len(a.Roles) == 1 && a.Roles[0] == RoleApp
}
