package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"jianfu"
)

var nOrder = noun{"退出通知", "exit order"}

// transitionChannel moves a channel to another life-cycle status when it
// is in one of from, as a new version with an event on its timeline. It is
// the small seam to the registry's life cycle: once the registry exposes
// its own transition inside a transaction, this calls it.
func (tx *Tx) transitionChannel(a *jianfu.Actor, id int64, to jianfu.ChannelStatus, action, note string, from ...jianfu.ChannelStatus) error {
	return tx.setChannelStatus(a, id, to, action, note, from...)
}

// candidateCap bounds the rows one signal query reads; a scope with more
// candidates than this shows the first ones and says so by its total.
const candidateCap = 20000

// FindCandidates computes the cleanup signals of the channels in scope:
// the store selects the channels each signal's rule picks (with the
// thresholds of the query), jianfu words the evidence and ranks them.
func (s *Cleanup) FindCandidates(ctx context.Context, f jianfu.CandidateFilter) ([]*jianfu.CleanupCandidate, int, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, 0, err
	}
	rules := f.Rules.WithDefaults()
	now := s.db.Now()
	cands := jianfu.Candidates{}
	base := func() *where {
		var w where
		w.channelScope(a)
		w.add("c.status NOT IN ('closed', 'draft', 'returned')")
		if f.Kind != "" {
			w.add("c.kind = ?", string(f.Kind))
		}
		w.prefix("c.region_path", f.RegionPath)
		return &w
	}
	want := func(k jianfu.SignalKind) bool { return f.Signal == "" || f.Signal == k }
	// each runs a signal's query and hands every row to fn.
	each := func(q string, args []any, fn func(rows *sql.Rows) error) error {
		rows, err := s.db.query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := fn(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}

	if want(jianfu.SignalZombie) {
		// The last sign of life (jianfu.LastSign, else the registration)
		// before the cut-off.
		w := base()
		w.add(`COALESCE(CASE WHEN m.last_update > c.last_activity_at OR c.last_activity_at IS NULL THEN m.last_update ELSE c.last_activity_at END, c.created_at) < ?`,
			ms(rules.ZombieCutoff(now)))
		err := each(`SELECT c.id, c.last_activity_at, m.last_update, c.created_at FROM channels c LEFT JOIN monitor_latest m ON m.channel_id = c.id`+
			w.String()+` ORDER BY c.id LIMIT ?`, append(w.args, candidateCap), func(rows *sql.Rows) error {
			var id, created int64
			var last, mon sql.NullInt64
			if err := rows.Scan(&id, &last, &mon, &created); err != nil {
				return err
			}
			cands.Add(id, rules.ZombieSignal(optMS(last), optMS(mon), fromMS(created), now))
			return nil
		})
		if err != nil {
			return nil, 0, err
		}
	}

	if want(jianfu.SignalDuplicate) {
		// Channels of a unit with another of the same kind on the same
		// platform.
		w := base()
		var dups []jianfu.RelatedChannel
		err := each(`SELECT c.id, c.name, c.unit_id, c.kind, c.platform FROM channels c`+w.String()+
			` AND EXISTS (SELECT 1 FROM channels d WHERE d.unit_id = c.unit_id AND d.kind = c.kind AND d.platform = c.platform AND d.id <> c.id AND d.status NOT IN ('closed', 'draft', 'returned'))
			ORDER BY c.unit_id, c.kind, c.platform, c.id LIMIT ?`, append(w.args, candidateCap), func(rows *sql.Rows) error {
			var c jianfu.RelatedChannel
			var kind string
			if err := rows.Scan(&c.ID, &c.Name, &c.UnitID, &kind, &c.Platform); err != nil {
				return err
			}
			c.Kind = jianfu.ChannelKind(kind)
			dups = append(dups, c)
			return nil
		})
		if err != nil {
			return nil, 0, err
		}
		signals := jianfu.DuplicateSignals(dups)
		for _, c := range dups {
			cands.Add(c.ID, signals[c.ID])
		}
	}

	if want(jianfu.SignalLowUse) {
		w := base()
		w.add("c.kind = 'group' AND c.member_count > 0 AND c.member_count < ?", rules.LowMembers)
		err := each(`SELECT c.id, c.member_count FROM channels c`+w.String()+` ORDER BY c.id LIMIT ?`, append(w.args, candidateCap), func(rows *sql.Rows) error {
			var id int64
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				return err
			}
			cands.Add(id, rules.LowUseSignal(n))
			return nil
		})
		if err != nil {
			return nil, 0, err
		}
	}

	if want(jianfu.SignalExpiredTemp) {
		w := base()
		w.add("c.temporary = TRUE AND c.end_date <> '' AND c.end_date < ?", dateOf(now))
		err := each(`SELECT c.id, c.end_date FROM channels c`+w.String()+` ORDER BY c.id LIMIT ?`, append(w.args, candidateCap), func(rows *sql.Rows) error {
			var id int64
			var end string
			if err := rows.Scan(&id, &end); err != nil {
				return err
			}
			cands.Add(id, jianfu.ExpiredTempSignal(end))
			return nil
		})
		if err != nil {
			return nil, 0, err
		}
	}

	if want(jianfu.SignalFailed) {
		w := base()
		w.add("f.passed = FALSE AND f.submitted_at >= ?", ms(jianfu.FailuresSince(now)))
		err := each(`SELECT c.id, COUNT(*), MAX(f.submitted_at), SUM(CASE WHEN f.vetoed THEN 1 ELSE 0 END), MIN(CASE WHEN f.vetoed THEN NULL ELSE f.score END)
			FROM check_forms f JOIN channels c ON c.id = f.channel_id`+w.String()+` GROUP BY c.id HAVING COUNT(*) >= ? ORDER BY c.id LIMIT ?`,
			append(w.args, rules.MinFailures, candidateCap), func(rows *sql.Rows) error {
				var id, last int64
				var n, vetoed int
				var lowest sql.NullFloat64
				if err := rows.Scan(&id, &n, &last, &vetoed, &lowest); err != nil {
					return err
				}
				cands.Add(id, jianfu.FailedSignal(n, vetoed, nullF(lowest), fromMS(last)))
				return nil
			})
		if err != nil {
			return nil, 0, err
		}
	}

	if len(cands) == 0 {
		return nil, 0, nil
	}
	// Fill the channel details and open orders.
	ids := cands.IDs()
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		err := each(`SELECT c.id, c.name, c.kind, c.platform, c.status, c.unit_id, u.name, c.region_path,
			COALESCE((SELECT MAX(o.id) FROM exit_orders o WHERE o.channel_id = c.id AND o.status IN ('issued', 'appealed')), 0)
			FROM channels c JOIN units u ON u.id = c.unit_id WHERE c.id IN (`+placeholders(len(chunk))+`)`, anys(chunk), func(rows *sql.Rows) error {
			var id int64
			var kind, status string
			var c jianfu.CleanupCandidate
			if err := rows.Scan(&id, &c.ChannelName, &kind, &c.Platform, &status, &c.UnitID, &c.UnitName, &c.RegionPath, &c.OpenOrderID); err != nil {
				return err
			}
			cc := cands[id]
			cc.ChannelName, cc.Kind, cc.Platform, cc.Status, cc.UnitID, cc.UnitName, cc.RegionPath, cc.OpenOrderID =
				c.ChannelName, jianfu.ChannelKind(kind), c.Platform, jianfu.ChannelStatus(status), c.UnitID, c.UnitName, c.RegionPath, c.OpenOrderID
			return nil
		})
		if err != nil {
			return nil, 0, err
		}
	}
	all := cands.Ranked()
	p := f.Page.Normalize()
	total := len(all)
	if p.Offset >= total {
		return nil, total, nil
	}
	return all[p.Offset:min(total, p.Offset+p.Limit)], total, nil
}

const orderCols = `o.id, o.channel_id, c.name, c.kind, o.unit_id, u.name, o.region_path, o.signals, o.reason, o.deadline, o.status, o.issued_by, o.issued_at,
	o.response, o.dissolved, o.responded_at, o.decision, o.closed_at, c.status`

const orderFrom = ` FROM exit_orders o JOIN channels c ON c.id = o.channel_id JOIN units u ON u.id = o.unit_id`

func scanOrder(s interface{ Scan(...any) error }, today string) (*jianfu.ExitOrder, error) {
	var o jianfu.ExitOrder
	var kind, signals, status, chStatus string
	var issued int64
	var responded, closed sql.NullInt64
	if err := s.Scan(&o.ID, &o.ChannelID, &o.ChannelName, &kind, &o.UnitID, &o.UnitName, &o.RegionPath, &signals, &o.Reason, &o.Deadline, &status,
		&o.IssuedBy, &issued, &o.Response, &o.Dissolved, &responded, &o.Decision, &closed, &chStatus); err != nil {
		return nil, err
	}
	o.Kind, o.Status, o.ChannelNow = jianfu.ChannelKind(kind), jianfu.OrderStatus(status), jianfu.ChannelStatus(chStatus)
	json.Unmarshal([]byte(signals), &o.Signals)
	o.IssuedAt, o.RespondedAt, o.ClosedAt = fromMS(issued), optMS(responded), optMS(closed)
	o.MarkOverdue(today)
	return &o, nil
}

// IssueExitOrder orders a channel in scope closed.
func (s *Cleanup) IssueExitOrder(ctx context.Context, in jianfu.OrderInput) (*jianfu.ExitOrder, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.Has(jianfu.RoleSupervisor) || !a.RegionWide() {
		return nil, forbidden("下达退出通知需要监管人员角色", "issuing exit orders needs the supervisor role")
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	ch, err := s.db.Channels().FindChannelByID(ctx, in.ChannelID)
	if err != nil {
		return nil, err
	}
	if ch.Status == jianfu.StatusClosed {
		return nil, jianfu.Errorf(jianfu.ECONFLICT, "渠道“%s”已关停", "channel %s is closed already", ch.Name)
	}
	cands, _, err := s.FindCandidates(ctx, jianfu.CandidateFilter{Page: jianfu.Page{Limit: 1000}, RegionPath: ch.RegionPath})
	if err != nil {
		return nil, err
	}
	var signals []jianfu.Signal
	for _, c := range cands {
		if c.ChannelID == ch.ID {
			signals = c.Signals
		}
	}
	var id int64
	err = s.db.inTx(ctx, func(tx *Tx) error {
		var open int
		if err := tx.queryRow(`SELECT COUNT(*) FROM exit_orders WHERE channel_id = ? AND status IN ('issued', 'appealed')`, ch.ID).Scan(&open); err != nil {
			return err
		}
		if open > 0 {
			return jianfu.Errorf(jianfu.ECONFLICT, "渠道“%s”已有未办结的退出通知", "channel %s has an open exit order", ch.Name)
		}
		var unitPath string
		if err := tx.queryRow(`SELECT unit_path FROM channels WHERE id = ?`, ch.ID).Scan(&unitPath); err != nil {
			return err
		}
		deadline := dateOf(tx.db.calendar().AddWorkdays(tx.now, in.DeadlineDays))
		id, err = tx.insertID(`INSERT INTO exit_orders(channel_id, unit_id, unit_path, region_path, signals, reason, deadline, status, issued_by, issued_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, ch.ID, ch.UnitID, unitPath, ch.RegionPath, mustJSON(orEmpty(signals)), in.Reason, deadline,
			string(jianfu.OrderIssued), a.Username, ms(tx.now))
		if err != nil {
			return err
		}
		if err := tx.transitionChannel(a, ch.ID, jianfu.StatusExitRequested, "exit.order", "退出通知:"+in.Reason, jianfu.ExitFrom...); err != nil {
			return err
		}
		issued := &jianfu.ExitOrder{ID: id, ChannelID: ch.ID, ChannelName: ch.Name, Kind: ch.Kind, UnitID: ch.UnitID, RegionPath: ch.RegionPath, Reason: in.Reason, Deadline: deadline}
		if err := tx.notify(jianfu.ExitNotice(jianfu.NoteExitOrdered, issued, "")); err != nil {
			return err
		}
		return tx.audit("cleanup.order", "exit_order", id, ch.RegionPath, fmt.Sprintf("%s,限期%s:%s", ch.Name, deadline, in.Reason))
	})
	if err != nil {
		return nil, err
	}
	return s.FindOrderByID(ctx, id)
}

// FindOrders lists exit orders in scope.
func (s *Cleanup) FindOrders(ctx context.Context, f jianfu.OrderFilter) ([]*jianfu.ExitOrder, int, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, 0, err
	}
	var w where
	w.ownedScope(a, "o")
	if f.Status != "" {
		w.add("o.status = ?", string(f.Status))
	}
	if f.UnitID != 0 {
		w.add("o.unit_id = ?", f.UnitID)
	}
	today := dateOf(s.db.Now())
	return findPage(s.db.in(ctx), listQuery{count: ` FROM exit_orders o`, rows: `SELECT ` + orderCols + orderFrom, w: w,
		sorts: map[string]string{"deadline": "o.deadline", "status": "o.status", "unit": "u.name", "channel": "c.name", "issued": "o.issued_at"}, order: "o.id DESC"},
		f.Page, func(r interface{ Scan(...any) error }) (*jianfu.ExitOrder, error) { return scanOrder(r, today) })
}

// FindOrderByID returns an exit order in scope.
func (s *Cleanup) FindOrderByID(ctx context.Context, id int64) (*jianfu.ExitOrder, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var w where
	w.add("o.id = ?", id)
	w.ownedScope(a, "o")
	o, err := scanOrder(s.db.queryRow(ctx, `SELECT `+orderCols+orderFrom+w.String(), w.args...), dateOf(s.db.Now()))
	return o, s.db.translate(err, nOrder)
}

// respond runs a unit's or supervisor's answer to an order in one transaction.
func (db *DB) respond(ctx context.Context, id int64, roles []jianfu.Role, zh, en string, fn func(tx *Tx, a *jianfu.Actor, o *jianfu.ExitOrder) error) (*jianfu.ExitOrder, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.HasAny(roles...) {
		return nil, forbidden(zh, en)
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		var w where
		w.add("o.id = ?", id)
		w.ownedScope(a, "o")
		o, err := scanOrder(tx.queryRow(`SELECT `+orderCols+orderFrom+w.String(), w.args...), dateOf(tx.now))
		if err != nil {
			return db.translate(err, nOrder)
		}
		return fn(tx, a, o)
	})
	if err != nil {
		return nil, err
	}
	return db.Cleanup().FindOrderByID(ctx, id)
}

// ConfirmExit closes and archives the channel.
func (s *Cleanup) ConfirmExit(ctx context.Context, id int64, note string, dissolved bool) (*jianfu.ExitOrder, error) {
	return s.db.respond(ctx, id, []jianfu.Role{jianfu.RoleUnitAdmin, jianfu.RoleSupervisor}, "确认关停需要单位管理员或监管人员角色", "confirming an exit needs the unit administrator or supervisor role",
		func(tx *Tx, a *jianfu.Actor, o *jianfu.ExitOrder) error {
			if err := o.CheckConfirm(dissolved); err != nil {
				return err
			}
			note = strings.TrimSpace(note)
			if _, err := tx.exec(`UPDATE exit_orders SET status = ?, response = ?, dissolved = ?, responded_at = ?, closed_at = ? WHERE id = ?`,
				string(jianfu.OrderClosed), note, dissolved, ms(tx.now), ms(tx.now), id); err != nil {
				return err
			}
			if err := tx.transitionChannel(a, o.ChannelID, jianfu.StatusClosed, "exit.closed", "按退出通知关停存档:"+note); err != nil {
				return err
			}
			return tx.audit("cleanup.confirm", "exit_order", id, o.RegionPath, fmt.Sprintf("已关停%s:%s", map[bool]string{true: "(群已解散)", false: ""}[dissolved], note))
		})
}

// AppealExit records the unit's appeal.
func (s *Cleanup) AppealExit(ctx context.Context, id int64, reason string) (*jianfu.ExitOrder, error) {
	return s.db.respond(ctx, id, []jianfu.Role{jianfu.RoleUnitAdmin}, "申诉需要单位管理员角色", "appealing needs the unit administrator role",
		func(tx *Tx, a *jianfu.Actor, o *jianfu.ExitOrder) error {
			if err := o.CheckAppeal(reason); err != nil {
				return err
			}
			reason = strings.TrimSpace(reason)
			if _, err := tx.exec(`UPDATE exit_orders SET status = ?, response = ?, responded_at = ? WHERE id = ?`, string(jianfu.OrderAppealed), reason, ms(tx.now), id); err != nil {
				return err
			}
			if err := tx.notify(jianfu.ExitNotice(jianfu.NoteExitAppealed, o, reason)); err != nil {
				return err
			}
			return tx.audit("cleanup.appeal", "exit_order", id, o.RegionPath, reason)
		})
}

// DecideAppeal upholds (with a fresh deadline) or withdraws an order.
func (s *Cleanup) DecideAppeal(ctx context.Context, id int64, uphold bool, note string) (*jianfu.ExitOrder, error) {
	return s.db.respond(ctx, id, []jianfu.Role{jianfu.RoleSupervisor}, "处理申诉需要监管人员角色", "deciding appeals needs the supervisor role",
		func(tx *Tx, a *jianfu.Actor, o *jianfu.ExitOrder) error {
			if !a.RegionWide() {
				return forbidden("处理申诉需要监管人员角色", "deciding appeals needs the supervisor role")
			}
			if err := o.CheckDecision(note); err != nil {
				return err
			}
			note = strings.TrimSpace(note)
			if uphold {
				deadline := dateOf(tx.db.calendar().AddWorkdays(tx.now, jianfu.AppealUpheldDays))
				if _, err := tx.exec(`UPDATE exit_orders SET status = ?, decision = ?, deadline = ? WHERE id = ?`, string(jianfu.OrderIssued), note, deadline, id); err != nil {
					return err
				}
				o.Status, o.Deadline = jianfu.OrderIssued, deadline
				if err := tx.notify(jianfu.ExitNotice(jianfu.NoteAppealDecided, o, note)); err != nil {
					return err
				}
				return tx.audit("cleanup.appeal.reject", "exit_order", id, o.RegionPath, "维持,新期限 "+deadline+":"+note)
			}
			if _, err := tx.exec(`UPDATE exit_orders SET status = ?, decision = ?, closed_at = ? WHERE id = ?`, string(jianfu.OrderWithdrawn), note, ms(tx.now), id); err != nil {
				return err
			}
			if err := tx.transitionChannel(a, o.ChannelID, jianfu.StatusActive, "exit.withdrawn", "申诉成立,撤销退出通知:"+note, jianfu.StatusExitRequested); err != nil {
				return err
			}
			o.Status = jianfu.OrderWithdrawn
			if err := tx.notify(jianfu.ExitNotice(jianfu.NoteAppealDecided, o, note)); err != nil {
				return err
			}
			return tx.audit("cleanup.appeal.accept", "exit_order", id, o.RegionPath, "撤销:"+note)
		})
}
