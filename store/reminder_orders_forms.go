package store

import (
	"time"

	"jianfu"
)

// Reminders of the deadlines outside cases, run by SweepReminders after
// the case stages: exit orders (退出通知) the unit has neither confirmed
// nor appealed, and the check forms (检查表单) of open campaigns their
// inspectors have not submitted. There are few of either at a time (a
// county issues orders and campaigns by the dozen, not the thousand), so
// each reminder is written through notify with its once-only key
// (jianfu.OrderReminder, jianfu.FormReminder) — and its outbox rows — in
// one transaction per kind.

// remindOrders reminds the unit administrators of the issued orders in the
// actor's scope due from today through the order window's last day.
func (s *Deadlines) remindOrders(a *jianfu.Actor, tx *Tx, now time.Time, p jianfu.ReminderPolicy) (int, error) {
	today, through := dateOf(now), jianfu.RemindThrough(s.db.calendar(), now, p.Days(jianfu.RemindOrder))
	var w where
	w.ownedScope(a, "o")
	w.add("o.status = ? AND o.deadline >= ? AND o.deadline <= ?", string(jianfu.OrderIssued), today, through)
	rows, err := tx.query(`SELECT `+orderCols+orderFrom+w.String()+` ORDER BY o.id`, w.args...)
	if err != nil {
		return 0, err
	}
	var orders []*jianfu.ExitOrder
	for rows.Next() {
		o, err := scanOrder(rows, today)
		if err != nil {
			rows.Close()
			return 0, err
		}
		orders = append(orders, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	total := 0
	for _, o := range orders {
		n, ok := jianfu.OrderReminder(o)
		told, err := tx.tell(n, ok, 0)
		if err != nil {
			return total, err
		}
		total += told
	}
	return total, nil
}

// remindForms reminds each inspector with unsubmitted forms of an open
// campaign in the actor's scope due from today through the form window's
// last day: one reminder per inspector and campaign deadline, with how
// many forms wait.
func (s *Deadlines) remindForms(a *jianfu.Actor, tx *Tx, now time.Time, p jianfu.ReminderPolicy) (int, error) {
	today, through := dateOf(now), jianfu.RemindThrough(s.db.calendar(), now, p.Days(jianfu.RemindForm))
	var w where
	w.ownedScope(a, "f")
	w.add("f.status = ? AND f.inspector_id <> 0 AND cp.status = ? AND cp.deadline >= ? AND cp.deadline <= ?",
		string(jianfu.FormPending), string(jianfu.CampaignOpen), today, through)
	rows, err := tx.query(`SELECT cp.id, cp.name, cp.deadline, f.inspector_id, COUNT(*)
		FROM check_forms f JOIN campaigns cp ON cp.id = f.campaign_id`+w.String()+`
		GROUP BY cp.id, cp.name, cp.deadline, f.inspector_id ORDER BY cp.id, f.inspector_id`, w.args...)
	if err != nil {
		return 0, err
	}
	type waiting struct {
		c         jianfu.Campaign
		inspector int64
		count     int
	}
	var all []waiting
	for rows.Next() {
		x := waiting{c: jianfu.Campaign{Status: jianfu.CampaignOpen}}
		if err := rows.Scan(&x.c.ID, &x.c.Name, &x.c.Deadline, &x.inspector, &x.count); err != nil {
			rows.Close()
			return 0, err
		}
		all = append(all, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	total := 0
	for _, x := range all {
		n, ok := jianfu.FormReminder(&x.c, x.inspector, x.count)
		told, err := tx.tell(n, ok, 0)
		if err != nil {
			return total, err
		}
		total += told
	}
	return total, nil
}
