package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"jianfu"
)

// Delivery beyond the browser: the outbox rows of a notification are
// written in its transaction (enqueue), so a notification the event
// committed is never lost to a crash. The sender (package deliver) works
// through the outbox under a job lease with the calls below: it claims
// due rows with a token, sends each under its idempotency key, and marks
// it sent only after the channel accepted it; a row whose claim lapsed
// while sending (its sender died) is claimed again and sent again under
// the same key, which the channel uses to drop the repeat.

// WithSiteURL sets the address of the web site ("https://jianfu.example.gov.cn"):
// delivered messages link to the page of what they tell of.
func WithSiteURL(u string) Option { return func(db *DB) { db.SetSiteURL(u) } }

// SetSiteURL is WithSiteURL on an open store (before it serves).
func (db *DB) SetSiteURL(u string) { db.siteURL = strings.TrimRight(u, "/") }

// enqueue writes one outbox row per channel user uid chose for
// notification nid.
func (tx *Tx) enqueue(nid, uid int64, n jianfu.Notice) error {
	rows, err := tx.query(`SELECT channel, address, digest FROM user_channels WHERE user_id = ? ORDER BY channel`, uid)
	if err != nil {
		return err
	}
	var chs []jianfu.UserChannel
	for rows.Next() {
		var c jianfu.UserChannel
		if err := rows.Scan(&c.Channel, &c.Address, &c.Digest); err != nil {
			rows.Close()
			return err
		}
		chs = append(chs, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(chs) == 0 {
		return err
	}
	subject, body := jianfu.NotificationMessage(n.Kind, n.Title, n.Body, n.Link, tx.db.siteURL)
	urgent := jianfu.UrgentKinds[n.Kind]
	for _, c := range chs {
		if _, err := tx.exec(`INSERT INTO outbox(notification_id, user_id, channel, address, kind, subject, body, urgent, digest, idem_key, status, next_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			nid, uid, string(c.Channel), c.Address, string(n.Kind), subject, body, urgent, c.Digest,
			fmt.Sprintf("jf-n%d-%s", nid, c.Channel), string(jianfu.DeliveryPending), ms(tx.now), ms(tx.now)); err != nil {
			return err
		}
	}
	return nil
}

// UserChannels lists the caller's chosen channels.
func (s *Deliveries) UserChannels(ctx context.Context) ([]jianfu.UserChannel, error) {
	uid, err := me(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.query(ctx, `SELECT channel, address, digest FROM user_channels WHERE user_id = ?`, uid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	got := map[jianfu.DeliveryChannel]jianfu.UserChannel{}
	for rows.Next() {
		var c jianfu.UserChannel
		if err := rows.Scan(&c.Channel, &c.Address, &c.Digest); err != nil {
			return nil, err
		}
		got[c.Channel] = c
	}
	var out []jianfu.UserChannel
	for _, ch := range jianfu.DeliveryChannels { // in the order shown
		if c, ok := got[ch]; ok {
			out = append(out, c)
		}
	}
	return out, rows.Err()
}

// SetUserChannels replaces the caller's channels. Every address is checked
// before anything is written; the change is audited by channel names
// only (addresses are personal data and stay out of the audit log).
func (s *Deliveries) SetUserChannels(ctx context.Context, chs []jianfu.UserChannel) error {
	uid, err := me(ctx)
	if err != nil {
		return err
	}
	seen := map[jianfu.DeliveryChannel]bool{}
	var names []string
	for i := range chs {
		if err := chs[i].Validate(); err != nil {
			return err
		}
		if seen[chs[i].Channel] {
			return jianfu.Errorf(jianfu.EINVALID, "%s填写了两次,每种通知方式只能填一个地址", "channel %s given twice", jianfu.DeliveryChannelNames[chs[i].Channel])
		}
		seen[chs[i].Channel] = true
		name := jianfu.DeliveryChannelNames[chs[i].Channel]
		if chs[i].Digest {
			name += "(每日汇总)"
		}
		names = append(names, name)
	}
	detail := "通知方式:仅站内通知"
	if len(names) > 0 {
		detail = "通知方式:" + strings.Join(names, "、")
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(`DELETE FROM user_channels WHERE user_id = ?`, uid); err != nil {
			return err
		}
		for _, c := range chs {
			if _, err := tx.exec(`INSERT INTO user_channels(user_id, channel, address, digest, updated_at) VALUES (?, ?, ?, ?, ?)`,
				uid, string(c.Channel), c.Address, c.Digest, ms(tx.now)); err != nil {
				return err
			}
		}
		return tx.audit("user.channels", "user", uid, tx.actor.RegionPath, detail)
	})
}

const outboxCols = `o.id, COALESCE(o.notification_id, 0), o.user_id, COALESCE(u.name, ''), COALESCE(n.name, ''), o.channel, o.address, o.kind, o.subject, o.body,
	o.urgent, o.digest, o.idem_key, o.status, o.attempts, o.next_at, o.last_error, o.created_at, o.sent_at`

const outboxFrom = ` FROM outbox o JOIN users u ON u.id = o.user_id LEFT JOIN units n ON n.id = u.unit_id`

func scanOutbox(r interface{ Scan(...any) error }) (*jianfu.OutboxMessage, error) {
	var m jianfu.OutboxMessage
	var name, office string
	var next, created int64
	var sent sql.NullInt64
	if err := r.Scan(&m.ID, &m.NotificationID, &m.UserID, &name, &office, &m.Channel, &m.Address, &m.Kind, &m.Subject, &m.Body,
		&m.Urgent, &m.Digest, &m.Key, &m.Status, &m.Attempts, &next, &m.LastError, &created, &sent); err != nil {
		return nil, err
	}
	m.UserName = name
	if office != "" {
		m.UserName += "(" + office + ")"
	}
	m.NextAt, m.CreatedAt, m.SentAt = fromMS(next), fromMS(created), optMS(sent)
	return &m, nil
}

// FindDeliveries lists outbox rows newest first: a system administrator
// sees the rows of the users in their scope, anyone else only their own.
func (s *Deliveries) FindDeliveries(ctx context.Context, f jianfu.DeliveryFilter) ([]*jianfu.OutboxMessage, int, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, 0, err
	}
	var w where
	switch {
	case a.System:
	case a.Has(jianfu.RoleSysAdmin):
		w.unitScope(a, "n")
	default:
		w.add("o.user_id = ?", a.UserID)
	}
	if f.Status != "" {
		w.add("o.status = ?", string(f.Status))
	}
	if f.Channel != "" {
		w.add("o.channel = ?", string(f.Channel))
	}
	if f.UserID != 0 {
		w.add("o.user_id = ?", f.UserID)
	}
	f.Sort = ""
	return findPage(s.db.in(ctx), listQuery{count: outboxFrom, rows: `SELECT ` + outboxCols + outboxFrom, w: w, order: "o.id DESC"}, f.Page, scanOutbox)
}

// DeliveryStatuses gives the status per channel of the caller's
// notifications ids (a digested row shows as carried by its digest).
func (s *Deliveries) DeliveryStatuses(ctx context.Context, ids []int64) (map[int64]map[jianfu.DeliveryChannel]jianfu.DeliveryStatus, error) {
	uid, err := me(ctx)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	args := []any{uid}
	marks := make([]string, len(ids))
	for i, id := range ids {
		marks[i], args = "?", append(args, id)
	}
	rows, err := s.db.query(ctx, `SELECT o.notification_id, o.channel, COALESCE(b.status, o.status) FROM outbox o LEFT JOIN outbox b ON b.id = o.bundle_id
		WHERE o.user_id = ? AND o.notification_id IN (`+strings.Join(marks, ",")+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]map[jianfu.DeliveryChannel]jianfu.DeliveryStatus{}
	for rows.Next() {
		var id int64
		var ch jianfu.DeliveryChannel
		var st jianfu.DeliveryStatus
		if err := rows.Scan(&id, &ch, &st); err != nil {
			return nil, err
		}
		if out[id] == nil {
			out[id] = map[jianfu.DeliveryChannel]jianfu.DeliveryStatus{}
		}
		out[id][ch] = st
	}
	return out, rows.Err()
}

var _ jianfu.Outbox = (*Deliveries)(nil)

// ClaimOutbox claims up to limit due rows for token until until: pending
// and held rows due by now, and rows still sending whose claim lapsed.
// Each claim counts an attempt. The sender runs under a job lease; the
// conditional update keeps a row with one claimant even without it.
func (s *Deliveries) ClaimOutbox(ctx context.Context, token string, until time.Time, limit int) ([]*jianfu.OutboxMessage, error) {
	now := ms(s.db.Now())
	rows, err := s.db.query(ctx, `SELECT id, status FROM outbox
		WHERE (status IN ('pending', 'held') AND next_at <= ?) OR (status = 'sending' AND claimed_until < ?)
		ORDER BY next_at, id LIMIT ?`, now, now, limit)
	if err != nil {
		return nil, err
	}
	was := map[int64]jianfu.DeliveryStatus{}
	var ids []any
	var marks []string
	for rows.Next() {
		var id int64
		var st jianfu.DeliveryStatus
		if err := rows.Scan(&id, &st); err != nil {
			rows.Close()
			return nil, err
		}
		was[id], ids, marks = st, append(ids, id), append(marks, "?")
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ids) == 0 {
		return nil, err
	}
	args := append([]any{token, ms(until), now, now}, ids...)
	if _, err := s.db.exec(ctx, `UPDATE outbox SET status = 'sending', claim_token = ?, claimed_until = ?, attempts = attempts + 1
		WHERE ((status IN ('pending', 'held') AND next_at <= ?) OR (status = 'sending' AND claimed_until < ?)) AND id IN (`+strings.Join(marks, ",")+`)`, args...); err != nil {
		return nil, err
	}
	rs, err := s.db.query(ctx, `SELECT `+outboxCols+outboxFrom+` WHERE o.claim_token = ? AND o.status = 'sending' ORDER BY o.next_at, o.id`, token)
	if err != nil {
		return nil, err
	}
	msgs, err := scanAll(rs, scanOutbox)
	for _, m := range msgs {
		m.Was = was[m.ID]
	}
	return msgs, err
}

// ErrLostClaim is returned when a row is no longer claimed by the token
// (its claim lapsed and another sender took it).
var ErrLostClaim = fmt.Errorf("outbox: the claim was lost")

func (s *Deliveries) settle(ctx context.Context, id int64, token, set string, args ...any) error {
	res, err := s.db.exec(ctx, `UPDATE outbox SET `+set+`, claim_token = '', claimed_until = 0 WHERE id = ? AND claim_token = ? AND status = 'sending'`,
		append(args, id, token)...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrLostClaim
	}
	return nil
}

// MarkSent records that the channel accepted row id.
func (s *Deliveries) MarkSent(ctx context.Context, id int64, token string) error {
	return s.settle(ctx, id, token, `status = 'sent', sent_at = ?, last_error = ''`, ms(s.db.Now()))
}

// MarkFailed records a failed attempt: the row is retried at retry, or
// failed for good when retry is zero. reason must hold no secret.
func (s *Deliveries) MarkFailed(ctx context.Context, id int64, token, reason string, retry time.Time) error {
	reason = truncate(reason, 500)
	if retry.IsZero() {
		return s.settle(ctx, id, token, `status = 'failed', last_error = ?`, reason)
	}
	return s.settle(ctx, id, token, `status = 'pending', next_at = ?, last_error = ?`, ms(retry), reason)
}

// Hold puts row id back unsent until until, without counting the attempt:
// status held (quiet hours, the daily digest) or pending (its channel is
// rate limited).
func (s *Deliveries) Hold(ctx context.Context, id int64, token string, status jianfu.DeliveryStatus, until time.Time) error {
	return s.settle(ctx, id, token, `status = ?, next_at = ?, attempts = attempts - 1`, string(status), ms(until))
}

// Bundle makes one daily digest row of the claimed rows ids of one user and
// channel (subject and body already written), marks them bundled into it,
// and returns the digest's id; it is pending at once.
func (s *Deliveries) Bundle(ctx context.Context, token string, uid int64, ch jianfu.DeliveryChannel, address string, ids []int64, subject, body string) (int64, error) {
	var id int64
	err := s.db.inTx(ctx, func(tx *Tx) error {
		var err error
		id, err = tx.insertID(`INSERT INTO outbox(user_id, channel, address, kind, subject, body, urgent, digest, idem_key, status, next_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, FALSE, TRUE, ?, 'pending', ?, ?)`,
			uid, string(ch), address, jianfu.DigestKind, subject, body, fmt.Sprintf("jf-d%d-%s", ids[0], ch), ms(tx.now), ms(tx.now))
		if err != nil {
			return err
		}
		for _, m := range ids {
			res, err := tx.exec(`UPDATE outbox SET status = 'bundled', bundle_id = ?, sent_at = ?, claim_token = '', claimed_until = 0
				WHERE id = ? AND claim_token = ? AND status = 'sending'`, id, ms(tx.now), m, token)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return ErrLostClaim
			}
		}
		return nil
	})
	return id, err
}
