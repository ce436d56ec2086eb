package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"jianfu"
	"jianfu/secret"
)

var _ jianfu.SingleSignOn = (*Users)(nil)

// BeginSSO stores a single sign-on attempt under the digest of its state.
func (s *Users) BeginSSO(ctx context.Context, a *jianfu.SSOAttempt) error {
	if a.State == "" || a.Nonce == "" || a.Verifier == "" {
		return fmt.Errorf("begin sso: state, nonce and verifier must not be empty")
	}
	_, err := s.db.exec(ctx, `INSERT INTO sso_attempts(state_hash, nonce, verifier, next, expires_at) VALUES (?, ?, ?, ?, ?)`,
		secret.TokenDigest(a.State), a.Nonce, a.Verifier, a.Next, ms(a.Expires))
	if err != nil {
		return s.db.translate(err, nRecord)
	}
	return nil
}

// TakeSSO returns the attempt of a state and deletes it: whichever replica
// the browser comes back to, a state is good exactly once.
func (s *Users) TakeSSO(ctx context.Context, state string) (*jianfu.SSOAttempt, error) {
	bad := jianfu.Errorf(jianfu.EINVALID, "统一身份认证的登录请求已失效或已使用过(超过%d分钟或重复提交),请回到登录页重新点击“统一身份认证登录”", "the single sign-on request has expired (after %d minutes) or was already used; go back to the login page and start again", int(jianfu.SSOLifetime.Minutes()))
	if state == "" {
		return nil, bad
	}
	a := &jianfu.SSOAttempt{State: state}
	var expires int64
	err := s.db.inTx(ctx, func(tx *Tx) error {
		digest := secret.TokenDigest(state)
		if err := tx.queryRow(`SELECT nonce, verifier, next, expires_at FROM sso_attempts WHERE state_hash = ?`, digest).Scan(&a.Nonce, &a.Verifier, &a.Next, &expires); err != nil {
			return err
		}
		res, err := tx.exec(`DELETE FROM sso_attempts WHERE state_hash = ?`, digest)
		if ok, err := affectedOne(res, err, "take sso attempt"); err != nil || !ok {
			if err == nil {
				err = errNoRows // another request took it meanwhile
			}
			return err
		}
		return nil
	})
	if errors.Is(err, errNoRows) {
		return nil, bad
	}
	if err != nil {
		return nil, err
	}
	a.Expires = fromMS(expires)
	if !a.Expires.After(s.db.Now()) {
		return nil, bad
	}
	return a, nil
}

// SSOLogin starts a session for the account whose username is the
// identity's claim value, lower-cased. An unknown, disabled or
// application account (or one of a disabled unit) is refused with
// jianfu.SSOUnmapped; both outcomes are audited with the issuer and
// subject. Failed password logins and their lockout are not touched.
func (s *Users) SSOLogin(ctx context.Context, id jianfu.SSOIdentity) (*jianfu.User, string, error) {
	name := strings.ToLower(strings.TrimSpace(id.Value))
	who := fmt.Sprintf("统一身份认证 %s,账号标识 %s,%s=%s", id.Issuer, id.Subject, id.Claim, id.Value)
	var uid int64
	var regionPath, roles string
	var disabled bool
	err := s.db.queryRow(ctx, `SELECT x.id, u.region_path, x.roles, x.disabled OR u.disabled FROM users x JOIN units u ON u.id = x.unit_id WHERE x.username = ?`, name).
		Scan(&uid, &regionPath, &roles, &disabled)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, "", err
	}
	refuse := func(why string) (*jianfu.User, string, error) {
		s.db.Audit().RecordAudit(ctx, &jianfu.AuditEntry{ActorID: uid, ActorName: name, Action: "login.sso.refused", ObjectType: "user", ObjectID: idOrEmpty(uid), RegionPath: regionPath, Detail: who + ":" + why, IP: id.IP})
		return nil, "", jianfu.SSOUnmapped()
	}
	switch {
	case name == "" || errors.Is(err, sql.ErrNoRows):
		return refuse("没有对应账号")
	case disabled:
		return refuse("账号或单位已停用")
	case slices.Contains(jianfu.ParseRolesText(roles), jianfu.RoleApp):
		return refuse("应用账号不能登录")
	}
	token := secret.NewToken("")
	ua := id.UserAgent
	if len(ua) > 200 {
		ua = ua[:200]
	}
	err = s.db.inTx(ctx, func(tx *Tx) error {
		now := tx.now
		if _, err := tx.exec(`UPDATE users SET last_login_at = ? WHERE id = ?`, ms(now), uid); err != nil {
			return err
		}
		if _, err := tx.exec(`INSERT INTO sessions(token_hash, user_id, created_at, expires_at, last_seen_at, ip, user_agent, method) VALUES (?, ?, ?, ?, ?, ?, ?, 'oidc')`,
			secret.TokenDigest(token), uid, ms(now), ms(now.Add(jianfu.SessionLifetime)), ms(now), id.IP, ua); err != nil {
			return err
		}
		tx.actor = &jianfu.Actor{UserID: uid, Username: name, IP: id.IP}
		return tx.audit("login.ok", "user", uid, regionPath, who)
	})
	if err != nil {
		return nil, "", err
	}
	r, err := scanUser(s.db.queryRow(ctx, `SELECT `+userCols+userFrom+` WHERE x.id = ?`, uid))
	if err != nil {
		return nil, "", err
	}
	return &r.User, token, nil
}

func idOrEmpty(id int64) string {
	if id == 0 {
		return ""
	}
	return fmt.Sprint(id)
}

// PurgeSSO deletes single sign-on attempts nobody came back for.
func (s *Users) PurgeSSO(ctx context.Context) (int64, error) {
	res, err := s.db.exec(ctx, `DELETE FROM sso_attempts WHERE expires_at < ?`, ms(s.db.Now()))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Rates are the rate-limit counters shared by every replica (jianfu.RateLimits).
type Rates struct{ db *DB }

// Rates returns the shared rate-limit counters.
func (db *DB) Rates() *Rates { return &Rates{db} }

var _ jianfu.RateLimits = (*Rates)(nil)

// Hit counts one event of key in its fixed window and returns the sliding
// count: this window's hits plus the previous window's weighted by the
// part of it the sliding window still covers.
func (r *Rates) Hit(ctx context.Context, key string, window time.Duration) (int, error) {
	w := window.Milliseconds()
	var hits, prev int
	var elapsed int64
	err := r.db.inTx(ctx, func(tx *Tx) error {
		now := ms(tx.now)
		start := now - now%w
		elapsed = now - start
		if err := tx.queryRow(`INSERT INTO rate_counters(key, window_start, hits, expires_at) VALUES (?, ?, 1, ?)
			ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_counters.hits + 1 RETURNING hits`, key, start, start+2*w).Scan(&hits); err != nil {
			return err
		}
		err := tx.queryRow(`SELECT hits FROM rate_counters WHERE key = ? AND window_start = ?`, key, start-w).Scan(&prev)
		if errors.Is(err, errNoRows) {
			err = nil
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("rate limit %s: %w", key, err)
	}
	return hits + weighted(prev, elapsed, w), nil
}

// Count returns the sliding count of key without adding to it.
func (r *Rates) Count(ctx context.Context, key string, window time.Duration) (int, error) {
	now := r.db.Now().UnixMilli()
	w := window.Milliseconds()
	start := now - now%w
	cur, err := r.hits(ctx, key, start)
	if err != nil {
		return 0, err
	}
	prev, err := r.hits(ctx, key, start-w)
	if err != nil {
		return 0, err
	}
	return cur + weighted(prev, now-start, w), nil
}

func (r *Rates) hits(ctx context.Context, key string, start int64) (int, error) {
	var n int
	err := r.db.queryRow(ctx, `SELECT hits FROM rate_counters WHERE key = ? AND window_start = ?`, key, start).Scan(&n)
	if errors.Is(err, errNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("rate limit %s: %w", key, err)
	}
	return n, nil
}

// weighted is the part of the previous window's hits the sliding window
// still covers, elapsed into the current one.
func weighted(prev int, elapsed, window int64) int {
	return int(int64(prev) * (window - elapsed) / window)
}

// Purge deletes counters of windows no longer read.
func (r *Rates) Purge(ctx context.Context) (int64, error) {
	res, err := r.db.exec(ctx, `DELETE FROM rate_counters WHERE expires_at < ?`, ms(r.db.Now()))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
