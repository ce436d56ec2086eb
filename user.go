package jianfu

import (
	"context"
	"strings"
	"time"
)

// User is a person who logs in. A user belongs to a unit.
type User struct {
	ID          int64      `json:"id"`
	Username    string     `json:"username"`
	Name        string     `json:"name"`
	UnitID      int64      `json:"unit_id"`
	UnitName    string     `json:"unit_name,omitempty"`
	RegionPath  string     `json:"region_path,omitempty"`
	Roles       []Role     `json:"roles"`
	Phone       string     `json:"phone,omitempty"` // personal data: masked unless the caller manages the user
	Disabled    bool       `json:"disabled"`
	LockedUntil *time.Time `json:"locked_until,omitempty"`
	LastLoginAt *time.Time `json:"last_login_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	// MustChangePassword: the password was set or reset by an
	// administrator and must be changed at the next login. Accounts made
	// by anybody but the local operator always start so.
	MustChangePassword bool `json:"must_change_password"`
}

// HasRole reports whether the user holds r.
func (u *User) HasRole(r Role) bool {
	for _, x := range u.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Validate checks the fields a user types.
func (u *User) Validate() error {
	u.Username = strings.TrimSpace(u.Username)
	u.Name = strings.TrimSpace(u.Name)
	var probs []Problem
	if !validUsername(u.Username) {
		probs = append(probs, Problem{Field: "username", Message: "用户名应为3至32位小写字母、数字、点、下划线或连字符", English: "a username has 3 to 32 lower-case letters, digits, dots, underscores or hyphens"})
	}
	if u.Name == "" {
		probs = append(probs, Problem{Field: "name", Message: "姓名不能为空", English: "the name is required"})
	}
	if u.UnitID == 0 {
		probs = append(probs, Problem{Field: "unit_id", Message: "必须选择所属单位", English: "the unit is required"})
	}
	if len(u.Roles) == 0 {
		probs = append(probs, Problem{Field: "roles", Message: "至少需要一个角色", English: "at least one role is required"})
	}
	for _, r := range u.Roles {
		if !r.Valid() {
			probs = append(probs, Problem{Field: "roles", Message: "未知角色:" + string(r), English: "unknown role: " + string(r)})
		}
	}
	if err := ValidateRoleSet(u.Roles); err != nil {
		probs = append(probs, Problem{Field: "roles", Message: err.(*Error).Message, English: err.(*Error).English})
	}
	return problemsError(probs)
}

func validUsername(s string) bool {
	if len(s) < 3 || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// UserFilter selects users.
type UserFilter struct {
	UnitID int64
	Role   Role
	Query  string
	Page
}

// UserService manages users, logins, sessions and API tokens.
type UserService interface {
	FindUserByID(ctx context.Context, id int64) (*User, error)
	FindUsers(ctx context.Context, f UserFilter) ([]*User, int, error)
	// PeopleNames names the people behind login names found in records the
	// caller reads (who started a campaign, who acted on a case): name and
	// office, e.g. 龚娟亚(江南区委网信办). Unknown names are left out.
	PeopleNames(ctx context.Context, logins []string) (map[string]string, error)
	// CreateUser adds a user in a unit in scope. Only a system administrator
	// or a unit administrator (for staff of its units) may. EINVALID, ECONFLICT.
	CreateUser(ctx context.Context, u *User, password string) error
	UpdateUser(ctx context.Context, id int64, upd UserUpdate) (*User, error)
	SetPassword(ctx context.Context, id int64, password string) error

	// Authenticate checks a password; EUNAUTHORIZED with one message
	// (LoginFailed) for a wrong name or password and a locked or disabled
	// account alike.
	Authenticate(ctx context.Context, username, password string) (*User, error)
	// CreateSession starts a browser session and returns its secret token.
	CreateSession(ctx context.Context, userID int64, ip, userAgent string) (string, error)
	// SessionActor resolves a session token; EUNAUTHORIZED when unknown or expired.
	SessionActor(ctx context.Context, token string) (*Actor, error)
	DeleteSession(ctx context.Context, token string) error
	// CreateToken creates an API token for a user, expiring after the
	// configured lifetime; the secret is returned once.
	CreateToken(ctx context.Context, username, name string) (string, error)
	// TokenActor resolves a bearer token; EUNAUTHORIZED when unknown,
	// revoked or expired.
	TokenActor(ctx context.Context, token string) (*Actor, error)
	// ListTokens lists a user's tokens (the user, or who manages the account).
	ListTokens(ctx context.Context, userID int64) ([]*APIToken, error)
	// RevokeToken revokes a token (its owner, or who manages the account).
	RevokeToken(ctx context.Context, tokenID int64) error
}

// UserUpdate holds the fields to change; nil leaves a field as it is.
type UserUpdate struct {
	Name     *string
	Roles    []Role
	Phone    *string
	Disabled *bool
	Unlock   bool
}

// Apply makes the update to the user on behalf of the actor and returns
// what changed, for the audit log. Who may touch the account and change
// which roles is Actor.MayManageAccount and Actor.MayChangeRoles (三员分立);
// nobody changes their own roles (the local operator aside) or disables
// their own account.
func (u *User) Apply(upd UserUpdate, a *Actor) ([]string, error) {
	old := u.Roles
	var changes []string
	if upd.Name != nil && *upd.Name != u.Name {
		changes = append(changes, "修改姓名")
		u.Name = *upd.Name
	}
	if upd.Phone != nil && *upd.Phone != u.Phone {
		changes = append(changes, "修改电话")
		u.Phone = *upd.Phone
	}
	if upd.Disabled != nil && *upd.Disabled != u.Disabled {
		if u.ID == a.UserID && *upd.Disabled {
			return nil, Forbidden("不能停用自己的账号", "you cannot disable your own account")
		}
		changes = append(changes, map[bool]string{true: "停用", false: "启用"}[*upd.Disabled])
		u.Disabled = *upd.Disabled
	}
	// Any change but roles needs the right to manage this account: a
	// system administrator cannot touch an account holding a sensitive
	// role, a unit administrator a supervisor's.
	if (len(changes) > 0 || upd.Unlock) && u.ID != a.UserID {
		if err := a.MayManageAccount(old); err != nil {
			return nil, err
		}
	}
	if upd.Roles != nil && len(symmetricDiff(old, upd.Roles)) > 0 {
		if u.ID == a.UserID && !a.System {
			return nil, Forbidden("不能修改自己的角色", "you cannot change your own roles")
		}
		if err := a.MayChangeRoles(old, upd.Roles); err != nil {
			return nil, err
		}
		changes = append(changes, "角色:"+RolesShown(old)+" → "+RolesShown(upd.Roles))
		u.Roles = upd.Roles
	}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	if upd.Unlock {
		changes = append(changes, "解除锁定")
		u.LockedUntil = nil
	}
	return changes, nil
}

// RolesText lists roles as the store keeps them: "supervisor,reviewer".
func RolesText(rs []Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

// ParseRolesText reads roles kept by RolesText.
func ParseRolesText(s string) []Role {
	var out []Role
	for _, f := range strings.Split(s, ",") {
		if f != "" {
			out = append(out, Role(f))
		}
	}
	return out
}

// Login policy.
const (
	MaxFailedLogins = 5                // consecutive failures before a lockout
	LockoutDuration = 15 * time.Minute // how long a lockout lasts
	SessionLifetime = 12 * time.Hour   // absolute session lifetime
	SessionIdle     = 2 * time.Hour    // a session unused this long ends
)

// LoginFailed is the one answer to a failed login: a wrong password, an
// unknown username and a locked or disabled account look the same, so the
// answer does not tell which usernames exist.
func LoginFailed() error {
	return Errorf(EUNAUTHORIZED, "用户名或密码错误。连续输错%d次的账号将锁定%d分钟,如需解锁请联系管理员", "wrong username or password. After %d failures in a row an account is locked for %d minutes; ask an administrator to unlock it",
		MaxFailedLogins, int(LockoutDuration.Minutes()))
}

// DefaultTokenLifetime is how long an API token lives unless configured.
const DefaultTokenLifetime = 180 * 24 * time.Hour

// APIToken is an API token as listed: never its secret.
type APIToken struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	Username   string     `json:"username"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"` // nil: made before tokens expired
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	Revoked    bool       `json:"revoked"`
	Expired    bool       `json:"expired"`
}

// LocksOut reports whether this many consecutive failed logins lock the
// account (for LockoutDuration).
func LocksOut(failed int) bool { return failed >= MaxFailedLogins }

// SessionExpired reports whether a session that expires at expires and
// was last used at seen has ended at now: past its lifetime or idle too
// long.
func SessionExpired(expires, seen, now time.Time) bool {
	return now.After(expires) || now.Sub(seen) > SessionIdle
}
