package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"jianfu"
	"jianfu/secret"
)

// Login policy.
const (
	MaxFailedLogins = 5                // consecutive failures before a lockout
	LockoutDuration = 15 * time.Minute // how long a lockout lasts
	SessionLifetime = 12 * time.Hour   // absolute session lifetime
	SessionIdle     = 2 * time.Hour    // a session unused this long ends
)

const userCols = `x.id, x.username, x.name, x.unit_id, u.name, u.region_path, u.path, x.roles, x.phone, x.disabled, x.locked_until, x.last_login_at, x.created_at`
const userFrom = ` FROM users x JOIN units u ON u.id = x.unit_id`

type userRow struct {
	jianfu.User
	unitPath string
}

func scanUser(s interface{ Scan(...any) error }) (*userRow, error) {
	var r userRow
	var roles string
	var locked, last sql.NullInt64
	var created int64
	if err := s.Scan(&r.ID, &r.Username, &r.Name, &r.UnitID, &r.UnitName, &r.RegionPath, &r.unitPath, &roles, &r.Phone, &r.Disabled, &locked, &last, &created); err != nil {
		return nil, err
	}
	r.Roles = splitRoles(roles)
	r.LockedUntil, r.LastLoginAt = optMS(locked), optMS(last)
	r.CreatedAt = fromMS(created)
	return &r, nil
}

func splitRoles(s string) []jianfu.Role {
	var out []jianfu.Role
	for _, f := range strings.Split(s, ",") {
		if f != "" {
			out = append(out, jianfu.Role(f))
		}
	}
	return out
}

func joinRoles(rs []jianfu.Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

// MaskPhone hides the middle of a phone number: 138****5678.
func MaskPhone(p string) string {
	r := []rune(p)
	if len(r) < 7 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + "****" + string(r[len(r)-4:])
}

// canManageUsers reports whether the actor may administer users.
func canManageUsers(a *jianfu.Actor) bool {
	return a.HasAny(jianfu.RoleSysAdmin, jianfu.RoleUnitAdmin)
}

// userVisibility limits the user list: administrators, supervisors and
// auditors see the users of their scope; everybody else only themselves.
func (w *where) userScope(a *jianfu.Actor) {
	w.unitScope(a, "u")
	if !a.HasAny(jianfu.RoleSysAdmin, jianfu.RoleUnitAdmin, jianfu.RoleSupervisor, jianfu.RoleAuditor) {
		w.add("x.id = ?", a.UserID)
	}
}

func (db *DB) publicUser(a *jianfu.Actor, r *userRow) *jianfu.User {
	u := r.User
	if !(canManageUsers(a) || a.UserID == u.ID) {
		u.Phone = MaskPhone(u.Phone)
	}
	return &u
}

// FindUserByID returns a user in scope.
func (s *Users) FindUserByID(ctx context.Context, id int64) (*jianfu.User, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var w where
	w.add("x.id = ?", id)
	w.userScope(a)
	r, err := scanUser(s.db.queryRow(ctx, `SELECT `+userCols+userFrom+w.String(), w.args...))
	if err != nil {
		return nil, s.db.translate(err, nUser)
	}
	return s.db.publicUser(a, r), nil
}

// FindUsers lists users in scope.
func (s *Users) FindUsers(ctx context.Context, f jianfu.UserFilter) ([]*jianfu.User, int, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, 0, err
	}
	var w where
	w.userScope(a)
	if f.UnitID != 0 {
		w.add("x.unit_id = ?", f.UnitID)
	}
	if f.Role != "" {
		w.add("(',' || x.roles || ',') LIKE ?", "%,"+string(f.Role)+",%")
	}
	w.like(f.Query, "x.username", "x.name", "u.name")
	var total int
	if err := s.db.queryRow(ctx, `SELECT COUNT(*)`+userFrom+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	p := f.Page.Normalize()
	rows, err := s.db.query(ctx, `SELECT `+userCols+userFrom+w.String()+
		orderBy(p.Sort, map[string]string{"username": "x.username", "name": "x.name", "unit": "u.name", "last_login": "x.last_login_at", "created": "x.created_at"}, "x.id")+
		` LIMIT ? OFFSET ?`, append(w.args, p.Limit, p.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*jianfu.User
	for rows.Next() {
		r, err := scanUser(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, s.db.publicUser(a, r))
	}
	return out, total, rows.Err()
}

// grantable checks that the actor may give these roles: a unit
// administrator may only create staff and other unit administrators.
func grantable(a *jianfu.Actor, roles []jianfu.Role) error {
	if a.Has(jianfu.RoleSysAdmin) {
		return nil
	}
	for _, r := range roles {
		if r != jianfu.RoleStaff && r != jianfu.RoleUnitAdmin {
			return forbidden("单位管理员只能授予“基层干部”和“单位管理员”角色,不能授予“"+jianfu.RoleNames[r]+"”", "a unit administrator can only grant staff and unit_admin, not "+string(r))
		}
	}
	return nil
}

// CreateUser adds a user.
func (s *Users) CreateUser(ctx context.Context, u *jianfu.User, password string) error {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return err
	}
	if !canManageUsers(a) {
		return forbidden("创建用户需要系统管理员或单位管理员角色", "creating users needs the system administrator or unit administrator role")
	}
	if err := u.Validate(); err != nil {
		return err
	}
	if err := grantable(a, u.Roles); err != nil {
		return err
	}
	if err := jianfu.ValidatePassword(password); err != nil {
		return err
	}
	hash, err := secret.HashPassword(password)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		var w where
		w.add("u.id = ?", u.UnitID)
		w.unitScope(a, "u")
		unit, err := scanUnit(tx.queryRow(`SELECT `+unitCols+unitFrom+w.String(), w.args...))
		if err != nil {
			return jianfu.Errorf(jianfu.EINVALID, "所属单位(编号%d)不存在或不在您的管辖范围内", "unit %d does not exist or is outside your scope", u.UnitID)
		}
		u.UnitName, u.RegionPath, u.CreatedAt = unit.Name, unit.RegionPath, tx.now
		id, err := tx.insertID(`INSERT INTO users(username, name, unit_id, roles, phone, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			u.Username, u.Name, u.UnitID, joinRoles(u.Roles), u.Phone, hash, ms(tx.now), ms(tx.now))
		if err != nil {
			if isUnique(err) {
				return jianfu.Errorf(jianfu.ECONFLICT, "用户名“%s”已被使用,请换一个", "the username %q is taken; choose another", u.Username)
			}
			return s.db.translate(err, nUser)
		}
		u.ID = id
		return tx.audit("user.create", "user", id, unit.RegionPath, fmt.Sprintf("%s roles=%s unit=%d", u.Username, joinRoles(u.Roles), u.UnitID))
	})
}

// lockUserForChange loads a user in scope inside a transaction for an update.
func (tx *Tx) userInScope(a *jianfu.Actor, id int64) (*userRow, error) {
	var w where
	w.add("x.id = ?", id)
	w.unitScope(a, "u")
	r, err := scanUser(tx.queryRow(`SELECT `+userCols+userFrom+w.String(), w.args...))
	return r, tx.db.translate(err, nUser)
}

// UpdateUser changes a user in scope.
func (s *Users) UpdateUser(ctx context.Context, id int64, upd jianfu.UserUpdate) (*jianfu.User, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !canManageUsers(a) {
		return nil, forbidden("修改用户需要系统管理员或单位管理员角色", "changing users needs the system administrator or unit administrator role")
	}
	var out *jianfu.User
	err = s.db.inTx(ctx, func(tx *Tx) error {
		r, err := tx.userInScope(a, id)
		if err != nil {
			return err
		}
		if err := grantable(a, r.Roles); err != nil {
			return err // a unit administrator cannot touch a supervisor's account
		}
		var changes []string
		if upd.Name != nil && *upd.Name != r.Name {
			changes = append(changes, "name")
			r.Name = *upd.Name
		}
		if upd.Roles != nil {
			if err := grantable(a, upd.Roles); err != nil {
				return err
			}
			if id == a.UserID && !a.System {
				return forbidden("不能修改自己的角色", "you cannot change your own roles")
			}
			changes = append(changes, "roles "+joinRoles(r.Roles)+"→"+joinRoles(upd.Roles))
			r.Roles = upd.Roles
		}
		if upd.Phone != nil && *upd.Phone != r.Phone {
			changes = append(changes, "phone")
			r.Phone = *upd.Phone
		}
		if upd.Disabled != nil && *upd.Disabled != r.Disabled {
			if id == a.UserID && *upd.Disabled {
				return forbidden("不能停用自己的账号", "you cannot disable your own account")
			}
			changes = append(changes, fmt.Sprintf("disabled→%v", *upd.Disabled))
			r.Disabled = *upd.Disabled
		}
		if err := r.User.Validate(); err != nil {
			return err
		}
		out = &r.User
		if upd.Unlock {
			changes = append(changes, "unlock")
			r.LockedUntil = nil
		}
		if len(changes) == 0 {
			return nil
		}
		var locked any
		if r.LockedUntil != nil {
			locked = ms(*r.LockedUntil)
		}
		if _, err := tx.exec(`UPDATE users SET name = ?, roles = ?, phone = ?, disabled = ?, locked_until = ?, failed_logins = CASE WHEN ? THEN 0 ELSE failed_logins END, updated_at = ? WHERE id = ?`,
			r.Name, joinRoles(r.Roles), r.Phone, r.Disabled, locked, upd.Unlock, ms(tx.now), id); err != nil {
			return s.db.translate(err, nUser)
		}
		if r.Disabled {
			if _, err := tx.exec(`DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
				return err
			}
		}
		return tx.audit("user.update", "user", id, r.RegionPath, strings.Join(changes, "; "))
	})
	return out, err
}

// SetPassword sets a user's password: the user themself, or an
// administrator of the user's unit. All the user's sessions end.
func (s *Users) SetPassword(ctx context.Context, id int64, password string) error {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return err
	}
	if a.UserID != id && !canManageUsers(a) {
		return forbidden("只能修改自己的密码", "you can only change your own password")
	}
	if err := jianfu.ValidatePassword(password); err != nil {
		return err
	}
	hash, err := secret.HashPassword(password)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		r, err := tx.userInScope(a, id)
		if err != nil {
			return err
		}
		if a.UserID != id {
			if err := grantable(a, r.Roles); err != nil {
				return err
			}
		}
		if _, err := tx.exec(`UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = NULL, updated_at = ? WHERE id = ?`, hash, ms(tx.now), id); err != nil {
			return err
		}
		if _, err := tx.exec(`DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
			return err
		}
		return tx.audit("user.password", "user", id, r.RegionPath, r.Username)
	})
}

// dummyHash is checked against when the username is unknown, so a login
// takes as long whether or not the user exists.
var dummyHash, _ = secret.HashPassword("jianfu-dummy-password")

// Authenticate checks a username and password, counting failures and
// locking the account after MaxFailedLogins of them.
func (s *Users) Authenticate(ctx context.Context, username, password string) (*jianfu.User, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	bad := jianfu.Errorf(jianfu.EUNAUTHORIZED, "用户名或密码错误", "wrong username or password")
	var id int64
	var hash, regionPath string
	var disabled bool
	var failed int
	var locked sql.NullInt64
	err := s.db.queryRow(ctx, `SELECT x.id, x.password_hash, x.disabled, x.failed_logins, x.locked_until, u.region_path FROM users x JOIN units u ON u.id = x.unit_id WHERE x.username = ?`, username).
		Scan(&id, &hash, &disabled, &failed, &locked, &regionPath)
	if err == sql.ErrNoRows {
		secret.CheckPassword(dummyHash, password)
		s.db.Audit().RecordAudit(ctx, &jianfu.AuditEntry{ActorName: username, Action: "login.fail", ObjectType: "user", Detail: "unknown user"})
		return nil, bad
	}
	if err != nil {
		return nil, err
	}
	now := s.db.Now().UTC()
	if locked.Valid && fromMS(locked.Int64).After(now) {
		left := fromMS(locked.Int64).Sub(now).Round(time.Minute)
		s.db.Audit().RecordAudit(ctx, &jianfu.AuditEntry{ActorID: id, ActorName: username, Action: "login.locked", ObjectType: "user", ObjectID: fmt.Sprint(id), RegionPath: regionPath})
		return nil, jianfu.Errorf(jianfu.ETOOMANY, "连续登录失败次数过多,账号已锁定,请约%d分钟后再试或联系管理员解锁", "too many failed logins: the account is locked; try again in about %d minutes or ask an administrator to unlock it", int(left.Minutes())+1)
	}
	ok, err := secret.CheckPassword(hash, password)
	if err != nil {
		return nil, fmt.Errorf("check password of %s: %w", username, err)
	}
	if !ok || disabled {
		err := s.db.inTx(ctx, func(tx *Tx) error {
			failed++
			var lockUntil any
			detail := fmt.Sprintf("failure %d", failed)
			if disabled {
				detail = "account disabled"
			} else if failed >= MaxFailedLogins {
				lockUntil, failed = ms(now.Add(LockoutDuration)), 0
				detail += ", locked"
			}
			if _, err := tx.exec(`UPDATE users SET failed_logins = ?, locked_until = COALESCE(?, locked_until) WHERE id = ?`, failed, lockUntil, id); err != nil {
				return err
			}
			tx.actor = &jianfu.Actor{UserID: id, Username: username}
			return tx.audit("login.fail", "user", id, regionPath, detail)
		})
		if err != nil {
			return nil, err
		}
		return nil, bad
	}
	err = s.db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(`UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = ? WHERE id = ?`, ms(now), id); err != nil {
			return err
		}
		tx.actor = &jianfu.Actor{UserID: id, Username: username}
		return tx.audit("login.ok", "user", id, regionPath, "")
	})
	if err != nil {
		return nil, err
	}
	r, err := scanUser(s.db.queryRow(ctx, `SELECT `+userCols+userFrom+` WHERE x.id = ?`, id))
	if err != nil {
		return nil, err
	}
	return &r.User, nil
}

// CreateSession starts a session for a user who has just authenticated.
func (s *Users) CreateSession(ctx context.Context, userID int64, ip, userAgent string) (string, error) {
	token := secret.NewToken("")
	now := s.db.Now().UTC()
	if len(userAgent) > 200 {
		userAgent = userAgent[:200]
	}
	_, err := s.db.exec(ctx, `INSERT INTO sessions(token_hash, user_id, created_at, expires_at, last_seen_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		secret.TokenDigest(token), userID, ms(now), ms(now.Add(SessionLifetime)), ms(now), ip, userAgent)
	if err != nil {
		return "", s.db.translate(err, nSession)
	}
	return token, nil
}

const actorQuery = `SELECT x.id, x.username, x.name, x.roles, x.unit_id, u.name, u.path, u.region_path FROM users x JOIN units u ON u.id = x.unit_id WHERE x.id = ? AND NOT x.disabled AND NOT u.disabled`

func (db *DB) actorOf(ctx context.Context, userID int64, via string) (*jianfu.Actor, error) {
	a := &jianfu.Actor{Via: via}
	var roles string
	err := db.queryRow(ctx, actorQuery, userID).Scan(&a.UserID, &a.Username, &a.Name, &roles, &a.UnitID, &a.UnitName, &a.UnitPath, &a.RegionPath)
	if err != nil {
		if err == sql.ErrNoRows {
			return nil, jianfu.Errorf(jianfu.EUNAUTHORIZED, "账号已停用,请联系管理员", "the account is disabled; contact an administrator")
		}
		return nil, err
	}
	a.Roles = splitRoles(roles)
	a.IP = jianfu.ClientIP(ctx)
	return a, nil
}

// SessionActor resolves a session token to its actor, ending expired and
// idle sessions.
func (s *Users) SessionActor(ctx context.Context, token string) (*jianfu.Actor, error) {
	expired := jianfu.Errorf(jianfu.EUNAUTHORIZED, "登录已过期,请重新登录", "your session has expired; please log in again")
	if token == "" {
		return nil, expired
	}
	digest := secret.TokenDigest(token)
	var userID, expires, seen int64
	err := s.db.queryRow(ctx, `SELECT user_id, expires_at, last_seen_at FROM sessions WHERE token_hash = ?`, digest).Scan(&userID, &expires, &seen)
	if err == sql.ErrNoRows {
		return nil, expired
	}
	if err != nil {
		return nil, err
	}
	now := s.db.Now().UTC()
	if now.After(fromMS(expires)) || now.Sub(fromMS(seen)) > SessionIdle {
		s.db.exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, digest)
		return nil, expired
	}
	if now.Sub(fromMS(seen)) > time.Minute {
		if _, err := s.db.exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?`, ms(now), digest); err != nil {
			return nil, err
		}
	}
	return s.db.actorOf(ctx, userID, "session")
}

// DeleteSession ends a session (logout).
func (s *Users) DeleteSession(ctx context.Context, token string) error {
	_, err := s.db.exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, secret.TokenDigest(token))
	return err
}

// CreateToken creates an API token for the named user. Only the local
// command line or a system administrator with the user in scope may.
func (s *Users) CreateToken(ctx context.Context, username, name string) (string, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return "", err
	}
	if !a.Has(jianfu.RoleSysAdmin) {
		return "", forbidden("创建接口令牌需要系统管理员角色", "creating API tokens needs the system administrator role")
	}
	if strings.TrimSpace(name) == "" {
		name = "api"
	}
	token := secret.NewToken("jf_")
	err = s.db.inTx(ctx, func(tx *Tx) error {
		var w where
		w.add("x.username = ?", strings.ToLower(username))
		w.unitScope(a, "u")
		r, err := scanUser(tx.queryRow(`SELECT `+userCols+userFrom+w.String(), w.args...))
		if err != nil {
			return jianfu.Errorf(jianfu.ENOTFOUND, "用户“%s”不存在或不在您的管辖范围内", "user %q not found or outside your scope", username)
		}
		id, err := tx.insertID(`INSERT INTO api_tokens(user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?)`, r.ID, name, secret.TokenDigest(token), ms(tx.now))
		if err != nil {
			return err
		}
		return tx.audit("token.create", "api_token", id, r.RegionPath, r.Username+": "+name)
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// TokenActor resolves a bearer token.
func (s *Users) TokenActor(ctx context.Context, token string) (*jianfu.Actor, error) {
	bad := jianfu.Errorf(jianfu.EUNAUTHORIZED, "接口令牌无效或已吊销", "the API token is invalid or revoked")
	if !strings.HasPrefix(token, "jf_") {
		return nil, bad
	}
	var id, userID int64
	var used sql.NullInt64
	err := s.db.queryRow(ctx, `SELECT id, user_id, last_used_at FROM api_tokens WHERE token_hash = ? AND NOT revoked`, secret.TokenDigest(token)).Scan(&id, &userID, &used)
	if err == sql.ErrNoRows {
		return nil, bad
	}
	if err != nil {
		return nil, err
	}
	now := s.db.Now().UTC()
	if !used.Valid || now.Sub(fromMS(used.Int64)) > time.Minute {
		if _, err := s.db.exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, ms(now), id); err != nil {
			return nil, err
		}
	}
	return s.db.actorOf(ctx, userID, "token")
}

// PurgeSessions deletes sessions that have expired or been idle too long
// and returns how many it removed.
func (s *Users) PurgeSessions(ctx context.Context) (int64, error) {
	now := s.db.Now().UTC()
	res, err := s.db.exec(ctx, `DELETE FROM sessions WHERE expires_at < ? OR last_seen_at < ?`, ms(now), ms(now.Add(-SessionIdle)))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
