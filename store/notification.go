package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"jianfu"
)

var nNotification = noun{"通知", "notification"}

// notify addresses a notice (jianfu's rule of who is told) and writes one
// notification per recipient in the transaction of the event, so the
// event and its notifications commit or fail together. The actor who
// caused the event is not told of it.
func (tx *Tx) notify(n jianfu.Notice, ok bool) error {
	var self int64
	if tx.actor != nil {
		self = tx.actor.UserID
	}
	return tx.notifyExcept(n, ok, self)
}

// notifyAll is notify for what time did, not a person (the deadline
// sweep): whoever runs the sweep is told too.
func (tx *Tx) notifyAll(n jianfu.Notice, ok bool) error { return tx.notifyExcept(n, ok, 0) }

func (tx *Tx) notifyExcept(n jianfu.Notice, ok bool, self int64) error {
	_, err := tx.tell(n, ok, self)
	return err
}

// tell writes the notice to its recipients other than self and returns
// how many were told (not those a once-only key had told before).
func (tx *Tx) tell(n jianfu.Notice, ok bool, self int64) (int, error) {
	if !ok {
		return 0, nil
	}
	users, err := tx.recipients(n.To, self)
	if err != nil {
		return 0, err
	}
	told := 0
	for _, id := range users {
		nid, err := tx.insertID(`INSERT INTO notifications(user_id, kind, title, body, link, created_at, dedup) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			id, string(n.Kind), n.Title, n.Body, n.Link, ms(tx.now), nullStr(n.Key))
		if errors.Is(err, sql.ErrNoRows) {
			continue // told before (the same key): nothing new to deliver
		}
		if err != nil {
			return told, err
		}
		if err := tx.enqueue(nid, id, n); err != nil {
			return told, err
		}
		told++
	}
	return told, nil
}

// hasRole is the condition that users u hold role r (roles are stored
// comma-separated).
func hasRole(r jianfu.Role) (string, any) {
	return `(',' || u.roles || ',') LIKE ?`, "%," + string(r) + ",%"
}

// recipients resolves an audience to the ids of enabled users other than
// self, each once: the user named, the administrators of the unit, and the
// holders of the office's roles in the deepest region at or above the
// given one that has any of them besides self (a drafter who is their
// office's only supervisor is not its audience; the office above is).
func (tx *Tx) recipients(to jianfu.Recipients, self int64) ([]int64, error) {
	seen := map[int64]bool{self: true}
	var out []int64
	collect := func(rows *sql.Rows, err error) error {
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
		return rows.Err()
	}
	if to.User != 0 {
		if err := collect(tx.query(`SELECT u.id FROM users u WHERE u.id = ? AND NOT u.disabled`, to.User)); err != nil {
			return nil, err
		}
	}
	if to.Unit != 0 {
		cond, arg := hasRole(jianfu.RoleUnitAdmin)
		if err := collect(tx.query(`SELECT u.id FROM users u WHERE u.unit_id = ? AND NOT u.disabled AND `+cond+` ORDER BY u.id`, to.Unit, arg)); err != nil {
			return nil, err
		}
	}
	if len(to.Office) == 0 || to.Region == "" {
		return out, nil
	}
	var roles []string
	var args []any
	for _, r := range to.Office {
		cond, arg := hasRole(r)
		roles, args = append(roles, cond), append(args, arg)
	}
	// From the region itself upwards, the first office with any holder.
	for p := to.Region; p != ""; p = jianfu.ParentPath(p) {
		before := len(out)
		if err := collect(tx.query(`SELECT u.id FROM users u JOIN units n ON n.id = u.unit_id
			WHERE n.region_path = ? AND NOT u.disabled AND NOT n.disabled AND (`+strings.Join(roles, " OR ")+`) ORDER BY u.id`,
			append([]any{p}, args...)...)); err != nil {
			return nil, err
		}
		if len(out) > before {
			break
		}
	}
	return out, nil
}

// SecurityEvent tells the auditors of the event's region of a security
// event (jianfu.SecurityNotifier): the store calls it for every reveal and
// refused reveal once its audit entry is committed.
func (s *Notifications) SecurityEvent(ctx context.Context, e *jianfu.AuditEntry) {
	if e.ActorLabel == "" {
		// The auditor reads who it was as 龚娟亚(江州市委网信办), not a login name.
		if err := s.db.actorLabels(ctx, []*jianfu.AuditEntry{e}); err != nil {
			s.db.log.Error("name the actor of a security event", "audit", e.ID, "err", err)
		}
	}
	n, ok := jianfu.SecurityNotice(e)
	if !ok {
		return
	}
	err := s.db.inTx(ctx, func(tx *Tx) error { return tx.notify(n, ok) })
	if err != nil {
		s.db.log.Error("notify the auditors of a security event", "audit", e.ID, "err", err)
	}
}

const notificationCols = `n.id, n.user_id, n.kind, n.title, n.body, n.link, n.created_at, n.read_at`

func scanNotification(r interface{ Scan(...any) error }) (*jianfu.Notification, error) {
	var n jianfu.Notification
	var kind string
	var created int64
	var read sql.NullInt64
	if err := r.Scan(&n.ID, &n.UserID, &kind, &n.Title, &n.Body, &n.Link, &created, &read); err != nil {
		return nil, err
	}
	n.Kind, n.CreatedAt, n.ReadAt = jianfu.NotificationKind(kind), fromMS(created), optMS(read)
	return &n, nil
}

// me is the user whose notifications a call concerns: the caller, who
// must be a person.
func me(ctx context.Context) (int64, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return 0, err
	}
	if a.UserID == 0 {
		return 0, forbidden("系统任务没有通知", "system tasks have no notifications")
	}
	return a.UserID, nil
}

// FindNotifications lists the caller's notifications, newest first.
func (s *Notifications) FindNotifications(ctx context.Context, f jianfu.NotificationFilter) ([]*jianfu.Notification, int, int, error) {
	uid, err := me(ctx)
	if err != nil {
		return nil, 0, 0, err
	}
	var w where
	w.add("n.user_id = ?", uid)
	if f.Unread {
		w.add("n.read_at IS NULL")
	}
	f.Sort = "" // newest first, always
	items, total, err := findPage(s.db.in(ctx), listQuery{count: ` FROM notifications n`, rows: `SELECT ` + notificationCols + ` FROM notifications n`, w: w, order: "n.id DESC"},
		f.Page, scanNotification)
	if err != nil {
		return nil, 0, 0, err
	}
	unread := total
	if !f.Unread {
		if unread, err = s.UnreadCount(ctx); err != nil {
			return nil, 0, 0, err
		}
	}
	return items, total, unread, nil
}

// UnreadCount counts the caller's unread notifications.
func (s *Notifications) UnreadCount(ctx context.Context) (int, error) {
	uid, err := me(ctx)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.db.queryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL`, uid).Scan(&n)
	return n, err
}

// MarkRead marks one of the caller's notifications read; another's is
// not found. Reading one's own messages is not audited: it changes
// nothing but the reader's own inbox.
func (s *Notifications) MarkRead(ctx context.Context, id int64) (*jianfu.Notification, error) {
	uid, err := me(ctx)
	if err != nil {
		return nil, err
	}
	var out *jianfu.Notification
	err = s.db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(`UPDATE notifications SET read_at = ? WHERE id = ? AND user_id = ? AND read_at IS NULL`, ms(tx.now), id, uid); err != nil {
			return err
		}
		out, err = scanNotification(tx.queryRow(`SELECT `+notificationCols+` FROM notifications n WHERE n.id = ? AND n.user_id = ?`, id, uid))
		return s.db.translate(err, nNotification)
	})
	return out, err
}

// MarkAllRead marks all the caller's notifications read.
func (s *Notifications) MarkAllRead(ctx context.Context) (int, error) {
	uid, err := me(ctx)
	if err != nil {
		return 0, err
	}
	res, err := s.db.exec(ctx, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL`, ms(s.db.Now()), uid)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
