package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"jianfu"
	"jianfu/secret"
)

const userCols = `x.id, x.username, x.name, x.unit_id, u.name, u.region_path, u.path, x.roles, x.phone, x.disabled, x.locked_until, x.last_login_at, x.created_at, x.must_change_password`
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
	if err := s.Scan(&r.ID, &r.Username, &r.Name, &r.UnitID, &r.UnitName, &r.RegionPath, &r.unitPath, &roles, &r.Phone, &r.Disabled, &locked, &last, &created, &r.MustChangePassword); err != nil {
		return nil, err
	}
	r.Roles = jianfu.ParseRolesText(roles)
	r.LockedUntil, r.LastLoginAt = optMS(locked), optMS(last)
	r.CreatedAt = fromMS(created)
	return &r, nil
}

// userScope limits the user list to the actor's scope, and to the actor
// themself for those who do not see other users (jianfu.Actor.SeesUsers).
func (w *where) userScope(a *jianfu.Actor) {
	w.unitScope(a, "u")
	if !a.SeesUsers() {
		w.add("x.id = ?", a.UserID)
	}
}

// publicUser is the user as the actor may see it: the phone masked unless
// the actor may see it.
func (db *DB) publicUser(a *jianfu.Actor, r *userRow) *jianfu.User {
	u := r.User
	if !a.SeesPhone(u.ID) {
		u.Phone = jianfu.MaskPhone(u.Phone)
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

// PeopleNames names the people behind login names (name and office). A
// name with an office is what every official page shows of who acted, so
// it is not scoped further than needing a caller, and not audited.
func (s *Users) PeopleNames(ctx context.Context, logins []string) (map[string]string, error) {
	if _, err := jianfu.RequireActor(ctx); err != nil {
		return nil, err
	}
	out := map[string]string{}
	if len(logins) == 0 {
		return out, nil
	}
	args := make([]any, len(logins))
	for i, l := range logins {
		args[i] = l
	}
	rows, err := s.db.query(ctx, `SELECT us.username, us.name, COALESCE(u.name, '') FROM users us LEFT JOIN units u ON u.id = us.unit_id WHERE us.username IN (`+placeholders(len(args))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var login, name, unit string
		if err := rows.Scan(&login, &name, &unit); err != nil {
			return nil, err
		}
		out[login] = name
		if unit != "" {
			out[login] += "(" + unit + ")"
		}
	}
	return out, rows.Err()
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
	return findPage(s.db.in(ctx), listQuery{count: userFrom, rows: `SELECT ` + userCols + userFrom, w: w,
		sorts: map[string]string{"username": "x.username", "name": "x.name", "unit": "u.name", "last_login": "x.last_login_at", "created": "x.created_at"}, order: "x.id"},
		f.Page, func(row interface{ Scan(...any) error }) (*jianfu.User, error) {
			r, err := scanUser(row)
			if err != nil {
				return nil, err
			}
			return s.db.publicUser(a, r), nil
		})
}

// CreateUser adds a user.
func (s *Users) CreateUser(ctx context.Context, u *jianfu.User, password string) error {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return err
	}
	if !a.CanManageUsers() {
		return forbidden("创建用户需要系统管理员、安全保密管理员或单位管理员角色", "creating users needs the system, security or unit administrator role")
	}
	if err := u.Validate(); err != nil {
		return err
	}
	if err := a.MayGrant(u.Roles); err != nil {
		return err
	}
	if len(u.Roles) == 1 && u.Roles[0] == jianfu.RoleApp && password == "" {
		password = secret.NewToken("") + "-Aa1" // an application never logs in with a password
	}
	if err := jianfu.ValidatePassword(u.Username, password); err != nil {
		return err
	}
	// A password an administrator chose is known to two people: the user
	// changes it at the first login. The local operator may say otherwise
	// (the demo's accounts).
	u.MustChangePassword = u.MustChangePassword || !a.System
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
		id, err := tx.insertID(`INSERT INTO users(username, name, unit_id, roles, phone, password_hash, must_change_password, password_changed_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			u.Username, u.Name, u.UnitID, jianfu.RolesText(u.Roles), u.Phone, hash, u.MustChangePassword, ms(tx.now), ms(tx.now), ms(tx.now))
		if err != nil {
			if isUnique(err) {
				return jianfu.Errorf(jianfu.ECONFLICT, "用户名“%s”已被使用,请换一个", "the username %q is taken; choose another", u.Username)
			}
			return s.db.translate(err, nUser)
		}
		u.ID = id
		return tx.audit("user.create", "user", id, unit.RegionPath, fmt.Sprintf("%s,角色:%s", u.Name, jianfu.RolesShown(u.Roles)))
	})
}

// userInScope loads a user in scope inside a transaction for an update.
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
	if !a.CanManageUsers() {
		return nil, forbidden("修改用户需要系统管理员、安全保密管理员或单位管理员角色", "changing users needs the system, security or unit administrator role")
	}
	var out *jianfu.User
	err = s.db.inTx(ctx, func(tx *Tx) error {
		r, err := tx.userInScope(a, id)
		if err != nil {
			return err
		}
		changes, err := r.User.Apply(upd, a)
		if err != nil {
			return err
		}
		out = &r.User
		if len(changes) == 0 {
			return nil
		}
		var locked any
		if r.LockedUntil != nil {
			locked = ms(*r.LockedUntil)
		}
		if _, err := tx.exec(`UPDATE users SET name = ?, roles = ?, phone = ?, disabled = ?, locked_until = ?, failed_logins = CASE WHEN ? THEN 0 ELSE failed_logins END, updated_at = ? WHERE id = ?`,
			r.Name, jianfu.RolesText(r.Roles), r.Phone, r.Disabled, locked, upd.Unlock, ms(tx.now), id); err != nil {
			return s.db.translate(err, nUser)
		}
		if r.Disabled {
			if err := tx.endCredentials(id); err != nil {
				return err
			}
		}
		return tx.audit("user.update", "user", id, r.RegionPath, r.Name+":"+strings.Join(changes, ";"))
	})
	return out, err
}

// SetPassword sets a user's password: the user themself, or whoever may
// manage the account (jianfu.Actor.MayManageAccount). A password set by
// somebody else must be changed at the next login. All the user's sessions
// and API tokens end.
func (s *Users) SetPassword(ctx context.Context, id int64, password string) error {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return err
	}
	if a.UserID != id && !a.CanManageUsers() {
		return forbidden("只能修改自己的密码", "you can only change your own password")
	}
	u, err := s.FindUserByID(ctx, id) // in scope, before any work
	if err != nil {
		return err
	}
	if a.UserID != id {
		if err := a.MayManageAccount(u.Roles); err != nil {
			return err
		}
	}
	if err := jianfu.ValidatePassword(u.Username, password); err != nil {
		return err
	}
	hash, err := secret.HashPassword(password)
	if err != nil {
		return err
	}
	byOther := a.UserID != id
	return s.db.inTx(ctx, func(tx *Tx) error {
		r, err := tx.userInScope(a, id)
		if err != nil {
			return err
		}
		if byOther {
			if err := a.MayManageAccount(r.Roles); err != nil {
				return err
			}
		}
		if _, err := tx.exec(`UPDATE users SET password_hash = ?, must_change_password = ?, password_changed_at = ?, failed_logins = 0, locked_until = NULL, updated_at = ? WHERE id = ?`,
			hash, byOther, ms(tx.now), ms(tx.now), id); err != nil {
			return err
		}
		if err := tx.endCredentials(id); err != nil {
			return err
		}
		detail := r.Name + "修改了密码"
		if byOther {
			detail = r.Name + "的密码由管理员重置,下次登录须修改"
		}
		return tx.audit("user.password", "user", id, r.RegionPath, detail)
	})
}

// endCredentials ends every session and revokes every API token of a
// user: after a password reset or when the account is disabled.
func (tx *Tx) endCredentials(userID int64) error {
	if _, err := tx.exec(`DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
		return err
	}
	_, err := tx.exec(`UPDATE api_tokens SET revoked = TRUE WHERE user_id = ? AND NOT revoked`, userID)
	return err
}
