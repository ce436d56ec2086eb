package store

import (
	"context"
	"time"

	"jianfu"
)

// reminderBatch is how many cases (by id range) one INSERT … SELECT of the
// reminder sweep covers, so that no transaction holds the writer long.
const reminderBatch = 50_000

// SweepReminders writes the reminders (办理时限提醒) of the open cases in
// the actor's scope whose current stage is due within the stage's
// reminder window at now (jianfu.RemindUntil): to the responsible unit's
// administrators for the unit's stages, to the supervisors and case
// handlers of the supervising office for the office's (the county's
// office, or where the case was escalated to). The work is set-based: the
// working-day arithmetic is done once per stage, then one INSERT … SELECT
// per deadline and batch of cases. Each reminder carries its once-only
// key (jianfu.ReminderKey), so running the sweep again, or on another
// server, tells nobody twice. Then it reminds of the exit orders and the
// spot-check forms due within their windows (p's RemindOrder and
// RemindForm; reminder_orders_forms.go). It returns how many notifications
// it wrote.
func (s *Deadlines) SweepReminders(ctx context.Context, now time.Time, p jianfu.ReminderPolicy) (int, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return 0, err
	}
	if !a.CanHandleCases() {
		return 0, forbidden("发送办理时限提醒需要监管人员或线索办理员角色", "sending deadline reminders needs the supervisor or case handler role")
	}
	cal := s.db.calendar()
	created := ms(now)
	total := 0
	for _, stage := range jianfu.CaseStages {
		until := jianfu.RemindUntil(cal, now, p.Days(stage))
		var w where
		w.caseScope(a)
		w.add("c.status NOT IN " + endedStatuses)
		w.add("c.stage = ? AND c.due_at > ? AND c.due_at <= ?", string(stage), ms(now), ms(until))
		type window struct{ due, lo, hi int64 }
		var wins []window
		rows, err := s.db.query(ctx, `SELECT c.due_at, MIN(c.id), MAX(c.id) FROM cases c`+w.String()+` GROUP BY c.due_at ORDER BY c.due_at`, w.args...)
		if err != nil {
			return total, err
		}
		for rows.Next() {
			var wd window
			if err := rows.Scan(&wd.due, &wd.lo, &wd.hi); err != nil {
				rows.Close()
				return total, err
			}
			wins = append(wins, wd)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return total, err
		}
		r := jianfu.CaseReminder(stage, time.UnixMilli(0)) // the recipients are the stage's
		var to string
		var toArgs []any
		if r.ToUnit {
			cond, arg := hasRole(jianfu.RoleUnitAdmin)
			to, toArgs = ` JOIN users u ON u.unit_id = c.unit_id AND NOT u.disabled AND `+cond, []any{arg}
		} else {
			var conds []string
			for _, role := range r.OfficeRoles() {
				cond, arg := hasRole(role)
				conds, toArgs = append(conds, cond), append(toArgs, arg)
			}
			to = ` JOIN units n ON n.region_path = COALESCE(c.escalated_to, substr(c.region_path, 1, 6)) AND NOT n.disabled
				JOIN users u ON u.unit_id = n.id AND NOT u.disabled AND (` + joinOr(conds) + `)`
		}
		for _, wd := range wins {
			r := jianfu.CaseReminder(stage, fromMS(wd.due))
			for lo := wd.lo; lo <= wd.hi; lo += reminderBatch {
				args := []any{string(jianfu.NoteCaseReminder), r.TitlePrefix, r.TitleSuffix, r.Body, created}
				args = append(args, toArgs...)
				args = append(args, w.args...)
				args = append(args, wd.due, lo, lo+reminderBatch-1)
				var n int64
				err := s.db.inBulkTx(ctx, func(tx *Tx) error {
					res, err := tx.exec(`INSERT INTO notifications(user_id, kind, title, body, link, created_at, dedup)
						SELECT u.id, ?, CAST(? AS TEXT) || c.number || CAST(? AS TEXT), ?, '/cases/' || c.id, ?, 'remind:' || c.id || ':' || c.stage || ':' || c.due_at
						FROM cases c`+to+w.String()+` AND c.due_at = ? AND c.id BETWEEN ? AND ?
						ON CONFLICT DO NOTHING`, args...)
					if err != nil {
						return err
					}
					if n, err = res.RowsAffected(); err != nil || n == 0 {
						return err
					}
					return tx.enqueueNew(jianfu.NoteCaseReminder, created)
				})
				if err != nil {
					return total, err
				}
				total += int(n)
			}
		}
	}
	for _, remind := range []func(*jianfu.Actor, *Tx, time.Time, jianfu.ReminderPolicy) (int, error){s.remindOrders, s.remindForms} {
		var n int
		err := s.db.inTx(ctx, func(tx *Tx) error {
			tx.now = now.UTC()
			var err error
			n, err = remind(a, tx, now, p)
			return err
		})
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

func joinOr(conds []string) string {
	out := ""
	for i, c := range conds {
		if i > 0 {
			out += " OR "
		}
		out += c
	}
	return out
}

// enqueueNew puts the notifications of a kind written at created (by a
// set-based sweep) into the outbox for the recipients who chose outside
// channels, as notify does for one notification.
func (tx *Tx) enqueueNew(kind jianfu.NotificationKind, created int64) error {
	rows, err := tx.query(`SELECT n.id, n.user_id, n.title, n.body, n.link FROM notifications n
		WHERE n.kind = ? AND n.created_at = ? AND n.user_id IN (SELECT user_id FROM user_channels)
		AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.notification_id = n.id)`, string(kind), created)
	if err != nil {
		return err
	}
	type note struct {
		id, user int64
		n        jianfu.Notice
	}
	var notes []note
	for rows.Next() {
		x := note{n: jianfu.Notice{Kind: kind}}
		if err := rows.Scan(&x.id, &x.user, &x.n.Title, &x.n.Body, &x.n.Link); err != nil {
			rows.Close()
			return err
		}
		notes = append(notes, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, x := range notes {
		if err := tx.enqueue(x.id, x.user, x.n); err != nil {
			return err
		}
	}
	return nil
}
