package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

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

// FindCandidates computes the cleanup signals of the channels in scope.
func (s *Cleanup) FindCandidates(ctx context.Context, f jianfu.CandidateFilter) ([]*jianfu.CleanupCandidate, int, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, 0, err
	}
	rules := f.Rules.WithDefaults()
	now := s.db.Now()
	byID := map[int64]*jianfu.CleanupCandidate{}
	add := func(id int64, s jianfu.Signal) {
		c := byID[id]
		if c == nil {
			c = &jianfu.CleanupCandidate{ChannelID: id}
			byID[id] = c
		}
		c.Signals = append(c.Signals, s)
	}
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

	if want(jianfu.SignalZombie) {
		// The last sign of life: the channel's own activity or the last
		// update a monitor saw, whichever is later.
		w := base()
		cut := ms(now.Add(-time.Duration(rules.ZombieDays) * 24 * time.Hour))
		w.add(`COALESCE(CASE WHEN m.last_update > c.last_activity_at OR c.last_activity_at IS NULL THEN m.last_update ELSE c.last_activity_at END, c.created_at) < ?`, cut)
		rows, err := s.db.query(ctx, `SELECT c.id, c.last_activity_at, m.last_update, c.created_at FROM channels c LEFT JOIN monitor_latest m ON m.channel_id = c.id`+
			w.String()+` ORDER BY c.id LIMIT ?`, append(w.args, candidateCap)...)
		if err != nil {
			return nil, 0, err
		}
		for rows.Next() {
			var id, created int64
			var last, mon sql.NullInt64
			if err := rows.Scan(&id, &last, &mon, &created); err != nil {
				rows.Close()
				return nil, 0, err
			}
			since := latest(last, mon)
			var ev string
			if since == nil {
				t := fromMS(created)
				since = &t
				ev = fmt.Sprintf("登记于%s,至今无任何活动记录(超过%d天)", dateOf(t), rules.ZombieDays)
			} else {
				ev = fmt.Sprintf("最近活动于%s,已%d天无更新(标准:%d天)", dateOf(*since), int(now.Sub(*since).Hours()/24), rules.ZombieDays)
			}
			add(id, jianfu.Signal{Kind: jianfu.SignalZombie, Evidence: ev, Since: since})
		}
		rows.Close()
	}

	if want(jianfu.SignalDuplicate) {
		// The same unit on the same platform with the same kind more than
		// once (原则上一个单位在一个平台只开设一个账号; 一个单位一个工作群).
		w := base()
		rows, err := s.db.query(ctx, `SELECT c.id, c.name, c.unit_id, c.kind, c.platform FROM channels c`+w.String()+
			` AND EXISTS (SELECT 1 FROM channels d WHERE d.unit_id = c.unit_id AND d.kind = c.kind AND d.platform = c.platform AND d.id <> c.id AND d.status NOT IN ('closed', 'draft', 'returned'))
			ORDER BY c.unit_id, c.kind, c.platform, c.id LIMIT ?`, append(w.args, candidateCap)...)
		if err != nil {
			return nil, 0, err
		}
		type member struct {
			id   int64
			name string
		}
		clusters := map[string][]member{}
		var keys []string
		for rows.Next() {
			var m member
			var unit int64
			var kind, platform string
			if err := rows.Scan(&m.id, &m.name, &unit, &kind, &platform); err != nil {
				rows.Close()
				return nil, 0, err
			}
			k := fmt.Sprintf("%d/%s/%s", unit, kind, platform)
			if clusters[k] == nil {
				keys = append(keys, k)
			}
			clusters[k] = append(clusters[k], m)
		}
		rows.Close()
		for _, k := range keys {
			ms := clusters[k]
			_, rest, _ := strings.Cut(k, "/")
			_, platform, _ := strings.Cut(rest, "/")
			for _, m := range ms {
				var others []string
				var related []int64
				for _, o := range ms {
					if o.id != m.id {
						others = append(others, fmt.Sprintf("“%s”(编号%d)", o.name, o.id))
						related = append(related, o.id)
					}
				}
				add(m.id, jianfu.Signal{Kind: jianfu.SignalDuplicate, Related: related,
					Evidence: fmt.Sprintf("同一单位在%s上还有%s,共%d个", platformName(platform), strings.Join(others, "、"), len(ms))})
			}
		}
	}

	if want(jianfu.SignalLowUse) {
		w := base()
		w.add("c.kind = 'group' AND c.member_count > 0 AND c.member_count < ?", rules.LowMembers)
		rows, err := s.db.query(ctx, `SELECT c.id, c.member_count FROM channels c`+w.String()+` ORDER BY c.id LIMIT ?`, append(w.args, candidateCap)...)
		if err != nil {
			return nil, 0, err
		}
		for rows.Next() {
			var id int64
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				rows.Close()
				return nil, 0, err
			}
			add(id, jianfu.Signal{Kind: jianfu.SignalLowUse, Evidence: fmt.Sprintf("群成员仅%d人(标准:少于%d人视为低使用)", n, rules.LowMembers)})
		}
		rows.Close()
	}

	if want(jianfu.SignalExpiredTemp) {
		w := base()
		today := dateOf(now)
		w.add("c.temporary = TRUE AND c.end_date <> '' AND c.end_date < ?", today)
		rows, err := s.db.query(ctx, `SELECT c.id, c.end_date FROM channels c`+w.String()+` ORDER BY c.id LIMIT ?`, append(w.args, candidateCap)...)
		if err != nil {
			return nil, 0, err
		}
		for rows.Next() {
			var id int64
			var end string
			if err := rows.Scan(&id, &end); err != nil {
				rows.Close()
				return nil, 0, err
			}
			add(id, jianfu.Signal{Kind: jianfu.SignalExpiredTemp, Evidence: fmt.Sprintf("临时工作群的结束日期为%s,任务结束后应及时解散", end)})
		}
		rows.Close()
	}

	if want(jianfu.SignalFailed) {
		w := base()
		w.add("f.passed = FALSE AND f.submitted_at >= ?", ms(now.AddDate(-1, 0, 0)))
		rows, err := s.db.query(ctx, `SELECT c.id, COUNT(*), MAX(f.submitted_at), SUM(CASE WHEN f.vetoed THEN 1 ELSE 0 END), MIN(CASE WHEN f.vetoed THEN NULL ELSE f.score END)
			FROM check_forms f JOIN channels c ON c.id = f.channel_id`+w.String()+` GROUP BY c.id HAVING COUNT(*) >= ? ORDER BY c.id LIMIT ?`,
			append(w.args, rules.MinFailures, candidateCap)...)
		if err != nil {
			return nil, 0, err
		}
		for rows.Next() {
			var id, last int64
			var n, vetoed int
			var minScore sql.NullFloat64
			if err := rows.Scan(&id, &n, &last, &vetoed, &minScore); err != nil {
				rows.Close()
				return nil, 0, err
			}
			t := fromMS(last)
			detail := fmt.Sprintf("其中单项否决%d次", vetoed)
			if minScore.Valid {
				detail += fmt.Sprintf(",扣分后最低%g分", minScore.Float64)
			}
			ev := fmt.Sprintf("近一年抽查不合格%d次(%s),最近一次于%s", n, detail, dateOf(t))
			if n >= 2 {
				ev = "屡查屡犯:" + ev
			}
			add(id, jianfu.Signal{Kind: jianfu.SignalFailed, Evidence: ev, Since: &t})
		}
		rows.Close()
	}

	if len(byID) == 0 {
		return nil, 0, nil
	}
	// Fill the channel details and open orders.
	ids := make([]int64, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		rows, err := s.db.query(ctx, `SELECT c.id, c.name, c.kind, c.platform, c.status, c.unit_id, u.name, c.region_path,
			COALESCE((SELECT MAX(o.id) FROM exit_orders o WHERE o.channel_id = c.id AND o.status IN ('issued', 'appealed')), 0)
			FROM channels c JOIN units u ON u.id = c.unit_id WHERE c.id IN (`+placeholders(len(chunk))+`)`, anys(chunk)...)
		if err != nil {
			return nil, 0, err
		}
		for rows.Next() {
			var id int64
			var kind, status string
			var c jianfu.CleanupCandidate
			if err := rows.Scan(&id, &c.ChannelName, &kind, &c.Platform, &status, &c.UnitID, &c.UnitName, &c.RegionPath, &c.OpenOrderID); err != nil {
				rows.Close()
				return nil, 0, err
			}
			cc := byID[id]
			cc.ChannelName, cc.Kind, cc.Platform, cc.Status, cc.UnitID, cc.UnitName, cc.RegionPath, cc.OpenOrderID =
				c.ChannelName, jianfu.ChannelKind(kind), c.Platform, jianfu.ChannelStatus(status), c.UnitID, c.UnitName, c.RegionPath, c.OpenOrderID
		}
		rows.Close()
	}
	all := make([]*jianfu.CleanupCandidate, 0, len(byID))
	for _, id := range ids {
		c := byID[id]
		sort.SliceStable(c.Signals, func(i, j int) bool { return signalOrder(c.Signals[i].Kind) < signalOrder(c.Signals[j].Kind) })
		all = append(all, c)
	}
	sort.SliceStable(all, func(i, j int) bool {
		if len(all[i].Signals) != len(all[j].Signals) {
			return len(all[i].Signals) > len(all[j].Signals)
		}
		return all[i].ChannelID < all[j].ChannelID
	})
	p := f.Page.Normalize()
	total := len(all)
	if p.Offset >= total {
		return nil, total, nil
	}
	return all[p.Offset:min(total, p.Offset+p.Limit)], total, nil
}

func signalOrder(k jianfu.SignalKind) int {
	for i, s := range jianfu.SignalKinds {
		if s == k {
			return i
		}
	}
	return len(jianfu.SignalKinds)
}

func platformName(p string) string {
	if n, ok := jianfu.PlatformNames[p]; ok {
		return n
	}
	return p
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
	o.Overdue = o.Status == jianfu.OrderIssued && o.Deadline < today
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
		if err := tx.transitionChannel(a, ch.ID, jianfu.StatusExitRequested, "exit.order", "退出通知:"+in.Reason, jianfu.StatusActive, jianfu.StatusRectifying, jianfu.StatusApproved); err != nil {
			return err
		}
		return tx.audit("cleanup.order", "exit_order", id, ch.RegionPath, fmt.Sprintf("channel %d %s, due %s: %s", ch.ID, ch.Name, deadline, in.Reason))
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
	var total int
	if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM exit_orders o`+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	p := f.Page.Normalize()
	rows, err := s.db.query(ctx, `SELECT `+orderCols+orderFrom+w.String()+
		orderBy(p.Sort, map[string]string{"deadline": "o.deadline", "status": "o.status", "unit": "u.name", "channel": "c.name", "issued": "o.issued_at"}, "o.id DESC")+
		` LIMIT ? OFFSET ?`, append(w.args, p.Limit, p.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	today := dateOf(s.db.Now())
	var out []*jianfu.ExitOrder
	for rows.Next() {
		o, err := scanOrder(rows, today)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, o)
	}
	return out, total, rows.Err()
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
			if o.Status != jianfu.OrderIssued {
				return jianfu.Errorf(jianfu.ECONFLICT, "该通知当前状态为“%s”,不能确认关停", "the order is %s and cannot be confirmed", orderStatusZh(o.Status))
			}
			note = strings.TrimSpace(note)
			if o.Kind == jianfu.KindGroup && !dissolved {
				return &jianfu.Error{Code: jianfu.EINVALID, Message: "工作群组关停须确认已解散群组", English: "closing a work group needs the confirmation that it was dissolved",
					Problems: []jianfu.Problem{{Field: "dissolved", Message: "请确认群组已解散", English: "confirm the group was dissolved"}}}
			}
			if _, err := tx.exec(`UPDATE exit_orders SET status = ?, response = ?, dissolved = ?, responded_at = ?, closed_at = ? WHERE id = ?`,
				string(jianfu.OrderClosed), note, dissolved, ms(tx.now), ms(tx.now), id); err != nil {
				return err
			}
			if err := tx.transitionChannel(a, o.ChannelID, jianfu.StatusClosed, "exit.closed", "按退出通知关停存档:"+note); err != nil {
				return err
			}
			return tx.audit("cleanup.confirm", "exit_order", id, o.RegionPath, fmt.Sprintf("channel %d closed, dissolved=%v: %s", o.ChannelID, dissolved, note))
		})
}

// AppealExit records the unit's appeal.
func (s *Cleanup) AppealExit(ctx context.Context, id int64, reason string) (*jianfu.ExitOrder, error) {
	return s.db.respond(ctx, id, []jianfu.Role{jianfu.RoleUnitAdmin}, "申诉需要单位管理员角色", "appealing needs the unit administrator role",
		func(tx *Tx, a *jianfu.Actor, o *jianfu.ExitOrder) error {
			reason = strings.TrimSpace(reason)
			if reason == "" {
				return &jianfu.Error{Code: jianfu.EINVALID, Message: "请写明申诉理由", English: "give the reasons of the appeal",
					Problems: []jianfu.Problem{{Field: "reason", Message: "申诉理由不能为空", English: "the reason is required"}}}
			}
			if o.Status != jianfu.OrderIssued {
				return jianfu.Errorf(jianfu.ECONFLICT, "该通知当前状态为“%s”,不能申诉", "the order is %s and cannot be appealed", orderStatusZh(o.Status))
			}
			if _, err := tx.exec(`UPDATE exit_orders SET status = ?, response = ?, responded_at = ? WHERE id = ?`, string(jianfu.OrderAppealed), reason, ms(tx.now), id); err != nil {
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
			if o.Status != jianfu.OrderAppealed {
				return jianfu.Errorf(jianfu.ECONFLICT, "该通知当前状态为“%s”,没有待处理的申诉", "the order is %s; there is no appeal to decide", orderStatusZh(o.Status))
			}
			note = strings.TrimSpace(note)
			if note == "" {
				return &jianfu.Error{Code: jianfu.EINVALID, Message: "请写明处理意见", English: "give the grounds of the decision",
					Problems: []jianfu.Problem{{Field: "note", Message: "处理意见不能为空", English: "the decision note is required"}}}
			}
			if uphold {
				deadline := dateOf(tx.db.calendar().AddWorkdays(tx.now, 10))
				if _, err := tx.exec(`UPDATE exit_orders SET status = ?, decision = ?, deadline = ? WHERE id = ?`, string(jianfu.OrderIssued), note, deadline, id); err != nil {
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
			return tx.audit("cleanup.appeal.accept", "exit_order", id, o.RegionPath, "撤销:"+note)
		})
}

func orderStatusZh(s jianfu.OrderStatus) string {
	return map[jianfu.OrderStatus]string{jianfu.OrderIssued: "已下达", jianfu.OrderAppealed: "申诉中", jianfu.OrderWithdrawn: "已撤销", jianfu.OrderClosed: "已关停"}[s]
}
