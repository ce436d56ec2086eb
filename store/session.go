package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"jianfu"
	"jianfu/secret"
)

// dummyHash is checked against when the username is unknown, so a login
// takes as long whether or not the user exists.
var dummyHash, _ = secret.HashPassword("jianfu-dummy-password")

// Authenticate checks a username and password, counting failures and
// locking the account after jianfu.MaxFailedLogins of them. An unknown
// name, a wrong password, a locked, disabled or application account all
// get the same answer after the same work, so the answer does not tell
// which usernames exist; the audit log tells them apart.
func (s *Users) Authenticate(ctx context.Context, username, password string) (*jianfu.User, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	bad := jianfu.LoginFailed()
	var id int64
	var hash, regionPath, roles string
	var disabled bool
	var failed int
	var locked sql.NullInt64
	err := s.db.queryRow(ctx, `SELECT x.id, x.password_hash, x.disabled, x.failed_logins, x.locked_until, u.region_path, x.roles FROM users x JOIN units u ON u.id = x.unit_id WHERE x.username = ?`, username).
		Scan(&id, &hash, &disabled, &failed, &locked, &regionPath, &roles)
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
		secret.CheckPassword(hash, password) // the same work as any other answer
		s.db.Audit().RecordAudit(ctx, &jianfu.AuditEntry{ActorID: id, ActorName: username, Action: "login.locked", ObjectType: "user", ObjectID: fmt.Sprint(id), RegionPath: regionPath})
		return nil, bad
	}
	ok, err := secret.CheckPassword(hash, password)
	if err != nil {
		return nil, fmt.Errorf("check password of %s: %w", username, err)
	}
	if app := slices.Contains(jianfu.ParseRolesText(roles), jianfu.RoleApp); !ok || disabled || app {
		err := s.db.inTx(ctx, func(tx *Tx) error {
			failed++
			var lockUntil any
			detail := fmt.Sprintf("failure %d", failed)
			if disabled {
				detail = "account disabled"
			} else if app {
				detail = "application account: no password login"
			} else if jianfu.LocksOut(failed) {
				lockUntil, failed = ms(now.Add(jianfu.LockoutDuration)), 0
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
		secret.TokenDigest(token), userID, ms(now), ms(now.Add(jianfu.SessionLifetime)), ms(now), ip, userAgent)
	if err != nil {
		return "", s.db.translate(err, nSession)
	}
	return token, nil
}

const actorQuery = `SELECT x.id, x.username, x.name, x.roles, x.unit_id, u.name, u.path, u.region_path, x.must_change_password, COALESCE(x.password_changed_at, x.created_at) FROM users x JOIN units u ON u.id = x.unit_id WHERE x.id = ? AND NOT x.disabled AND NOT u.disabled`

// SetPasswordMaxAge makes passwords expire after d (0: never). An expired
// password, like one an administrator set, must be changed before anything
// else in a browser session.
func (db *DB) SetPasswordMaxAge(d time.Duration) { db.passwordMaxAge = d }

// SetTokenLifetime sets how long new API tokens live (0: jianfu.DefaultTokenLifetime).
func (db *DB) SetTokenLifetime(d time.Duration) { db.tokenLifetime = d }

func (db *DB) actorOf(ctx context.Context, userID int64, via string) (*jianfu.Actor, error) {
	a := &jianfu.Actor{Via: via}
	var roles string
	var changed int64
	err := db.queryRow(ctx, actorQuery, userID).Scan(&a.UserID, &a.Username, &a.Name, &roles, &a.UnitID, &a.UnitName, &a.UnitPath, &a.RegionPath, &a.MustChangePassword, &changed)
	if err != nil {
		if err == sql.ErrNoRows {
			return nil, jianfu.Errorf(jianfu.EUNAUTHORIZED, "账号已停用,请联系管理员", "the account is disabled; contact an administrator")
		}
		return nil, err
	}
	a.Roles = jianfu.ParseRolesText(roles)
	a.IP = jianfu.ClientIP(ctx)
	if via != "session" {
		a.MustChangePassword = false // a token is not a password
	} else if jianfu.PasswordExpired(fromMS(changed), db.Now(), db.passwordMaxAge) {
		a.MustChangePassword = true
	}
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
	var method string
	err := s.db.queryRow(ctx, `SELECT user_id, expires_at, last_seen_at, method FROM sessions WHERE token_hash = ?`, digest).Scan(&userID, &expires, &seen, &method)
	if err == sql.ErrNoRows {
		return nil, expired
	}
	if err != nil {
		return nil, err
	}
	now := s.db.Now().UTC()
	if jianfu.SessionExpired(fromMS(expires), fromMS(seen), now) {
		s.db.exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, digest)
		return nil, expired
	}
	if now.Sub(fromMS(seen)) > time.Minute {
		// To the minute only: the instant a cadre's session was last seen
		// must not match the instant of an anonymous complaint or rating.
		if _, err := s.db.exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?`, ms(now.Truncate(time.Minute)), digest); err != nil {
			return nil, err
		}
	}
	a, err := s.db.actorOf(ctx, userID, "session")
	if err == nil && method == "oidc" {
		a.MustChangePassword = false // single sign-on: the password is not used
	}
	return a, err
}

// DeleteSession ends a session (logout).
func (s *Users) DeleteSession(ctx context.Context, token string) error {
	_, err := s.db.exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, secret.TokenDigest(token))
	return err
}

// CreateToken creates an API token for the named user, valid for the
// token lifetime. Only the local command line, or a system or security
// administrator who may manage the account, may.
func (s *Users) CreateToken(ctx context.Context, username, name string) (string, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return "", err
	}
	if !a.HasAny(jianfu.RoleSysAdmin, jianfu.RoleSecAdmin) {
		return "", forbidden("创建接口令牌需要系统管理员或安全保密管理员角色", "creating API tokens needs the system or security administrator role")
	}
	if strings.TrimSpace(name) == "" {
		name = "api"
	}
	life := s.db.tokenLifetime
	if life <= 0 {
		life = jianfu.DefaultTokenLifetime
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
		if err := a.MayManageAccount(r.Roles); err != nil {
			return err
		}
		if r.Disabled {
			return jianfu.Errorf(jianfu.EINVALID, "账号“%s”已停用,不能创建接口令牌", "the account %q is disabled", username)
		}
		expires := tx.now.Add(life)
		id, err := tx.insertID(`INSERT INTO api_tokens(user_id, name, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`, r.ID, name, secret.TokenDigest(token), ms(tx.now), ms(expires))
		if err != nil {
			return err
		}
		return tx.audit("token.create", "api_token", id, r.RegionPath, fmt.Sprintf("%s,%s到期", name, expires.In(jianfu.China).Format("2006-01-02")))
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// TokenActor resolves a bearer token: unknown, revoked and expired tokens
// get the same answer.
func (s *Users) TokenActor(ctx context.Context, token string) (*jianfu.Actor, error) {
	bad := jianfu.Errorf(jianfu.EUNAUTHORIZED, "接口令牌无效、已过期或已吊销", "the API token is invalid, expired or revoked")
	if !strings.HasPrefix(token, "jf_") {
		return nil, bad
	}
	var id, userID int64
	var used, expires sql.NullInt64
	err := s.db.queryRow(ctx, `SELECT id, user_id, last_used_at, expires_at FROM api_tokens WHERE token_hash = ? AND NOT revoked`, secret.TokenDigest(token)).Scan(&id, &userID, &used, &expires)
	if err == sql.ErrNoRows {
		return nil, bad
	}
	if err != nil {
		return nil, err
	}
	now := s.db.Now().UTC()
	if expires.Valid && !now.Before(fromMS(expires.Int64)) {
		return nil, bad
	}
	if !used.Valid || now.Sub(fromMS(used.Int64)) > time.Minute {
		// To the minute only, as a session's last_seen_at. A hint, not a
		// record: when the database is busy with bulk work the mark waits
		// for a later request rather than turning a valid token away.
		_, _ = s.db.exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, ms(now.Truncate(time.Minute)), id)
	}
	return s.db.actorOf(ctx, userID, "token")
}

// ListTokens lists a user's API tokens, newest first: the user themself,
// or whoever may manage the account. Reading them is audited.
func (s *Users) ListTokens(ctx context.Context, userID int64) ([]*jianfu.APIToken, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	u, err := s.FindUserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	if a.UserID != userID {
		if !a.CanManageUsers() {
			return nil, forbidden("只能查看自己的接口令牌", "you can only see your own API tokens")
		}
		if err := a.MayManageAccount(u.Roles); err != nil {
			return nil, err
		}
	}
	rows, err := s.db.query(ctx, `SELECT id, name, created_at, expires_at, last_used_at, revoked FROM api_tokens WHERE user_id = ? ORDER BY id DESC`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	now := s.db.Now()
	var out []*jianfu.APIToken
	for rows.Next() {
		t := &jianfu.APIToken{UserID: userID, Username: u.Username}
		var created int64
		var expires, used sql.NullInt64
		if err := rows.Scan(&t.ID, &t.Name, &created, &expires, &used, &t.Revoked); err != nil {
			return nil, err
		}
		t.CreatedAt, t.ExpiresAt, t.LastUsedAt = fromMS(created), optMS(expires), optMS(used)
		t.Expired = t.ExpiresAt != nil && !now.Before(*t.ExpiresAt)
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken revokes one API token: its owner, or whoever may manage the
// owner's account.
func (s *Users) RevokeToken(ctx context.Context, tokenID int64) error {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return err
	}
	var userID int64
	if err := s.db.queryRow(ctx, `SELECT user_id FROM api_tokens WHERE id = ?`, tokenID).Scan(&userID); err != nil {
		return s.db.translate(err, nToken)
	}
	u, err := s.FindUserByID(ctx, userID)
	if err != nil {
		if jianfu.ErrorCode(err) == jianfu.ENOTFOUND {
			return jianfu.Errorf(jianfu.ENOTFOUND, "接口令牌(编号%d)不存在", "API token %d not found", tokenID)
		}
		return err
	}
	if a.UserID != userID {
		if !a.CanManageUsers() {
			return jianfu.Errorf(jianfu.ENOTFOUND, "接口令牌(编号%d)不存在", "API token %d not found", tokenID)
		}
		if err := a.MayManageAccount(u.Roles); err != nil {
			return err
		}
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(`UPDATE api_tokens SET revoked = TRUE WHERE id = ? AND NOT revoked`, tokenID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return jianfu.Errorf(jianfu.ECONFLICT, "接口令牌(编号%d)已吊销", "API token %d is already revoked", tokenID)
		}
		return tx.audit("token.revoke", "api_token", tokenID, u.RegionPath, u.Username)
	})
}

// PurgeSessions deletes sessions that have expired or been idle too long
// and returns how many it removed.
func (s *Users) PurgeSessions(ctx context.Context) (int64, error) {
	now := s.db.Now().UTC()
	res, err := s.db.exec(ctx, `DELETE FROM sessions WHERE expires_at < ? OR last_seen_at < ?`, ms(now), ms(now.Add(-jianfu.SessionIdle)))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
