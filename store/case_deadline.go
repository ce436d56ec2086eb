package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"jianfu"
)

// policyFor returns the deadline policy of a category: its own row, or the
// default ('*').
func (tx *Tx) policyFor(category string) (jianfu.DeadlinePolicy, error) {
	var p jianfu.DeadlinePolicy
	var updated int64
	err := tx.queryRow(`SELECT category, triage, answer, rectify, verify, remind, escalate, updated_at, updated_by FROM case_deadlines
		WHERE category IN (?, '*') ORDER BY CASE WHEN category = '*' THEN 1 ELSE 0 END LIMIT 1`, category).
		Scan(&p.Category, &p.Triage, &p.Answer, &p.Rectify, &p.Verify, &p.Remind, &p.Escalate, &updated, &p.UpdatedBy)
	if err != nil {
		return p, fmt.Errorf("read deadline policy: %w", err)
	}
	p.UpdatedAt = fromMS(updated)
	return p, nil
}

// stageDue returns the deadline of a stage of n working days started at
// start: the end of the n-th working day after the start's date, China time.
func (db *DB) stageDue(start time.Time, n int) time.Time {
	return db.calendar().AddWorkdays(start, n).Add(24 * time.Hour)
}

// setStage starts a stage of a case now: its deadline from the category's
// policy, reminders and overdue marks reset. The caller updates the row.
func (tx *Tx) setStage(c *caseRow, stage jianfu.CaseStage) error {
	c.Stage = stage
	c.RemindedAt, c.OverdueAt = nil, nil
	c.stageEscalations = 0
	if stage == "" {
		c.StageStartedAt, c.DueAt = nil, nil
		return nil
	}
	p, err := tx.policyFor(c.Category)
	if err != nil {
		return err
	}
	start := tx.now
	due := tx.db.stageDue(start, p.Days(stage))
	c.StageStartedAt, c.DueAt = &start, &due
	return nil
}

// saveCase writes a case's mutable columns, provided its status is still
// the one read (another person may have acted meanwhile).
func (tx *Tx) saveCase(c *caseRow, was jianfu.CaseStatus) error {
	cats, _ := json.Marshal(c.Categories)
	var closed any
	if c.ClosedAt != nil {
		closed = ms(*c.ClosedAt)
	}
	res, err := tx.exec(`UPDATE cases SET category = ?, categories = ?, channel_id = ?, region_path = ?, unit_id = ?, unit_path = ?, status = ?,
		finding = ?, outcome = ?, stage = ?, stage_started_at = ?, due_at = ?, reminded_at = ?, overdue_at = ?, overdue_count = ?,
		escalation_level = ?, stage_escalations = ?, escalated_to = ?, reopen_count = ?, reporter_reopens = ?, merged_into = ?, updated_at = ?, closed_at = ?
		WHERE id = ? AND status = ?`,
		c.Category, string(cats), nullInt(c.ChannelID), c.RegionPath, nullInt(c.UnitID), c.unitPath, string(c.Status),
		string(c.Finding), string(c.Outcome), string(c.Stage), optInstant(c.StageStartedAt), optInstant(c.DueAt), optInstant(c.RemindedAt), optInstant(c.OverdueAt), c.OverdueCount,
		c.EscalationLevel, c.stageEscalations, nullStr(c.EscalatedTo), c.ReopenCount, c.reporterReopens, nullInt(c.MergedInto), ms(tx.now), closed,
		c.ID, string(was))
	if err != nil {
		return tx.db.translate(err, nCase)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return jianfu.Errorf(jianfu.ECONFLICT, "该线索刚被他人处理过(状态已变化),请刷新后再操作", "someone else acted on this case meanwhile (its status changed); reload and try again")
	}
	c.UpdatedAt = tx.now
	return nil
}

func optInstant(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ms(*t)
}

// officeOf is the region of the office that supervises a case in region
// path: the county's for anything below county level.
func officeOf(path string) string {
	if len(path) > 6 {
		return path[:6]
	}
	return path
}

// supervisingRegion is where the case is supervised after its escalations.
func supervisingRegion(c *caseRow) string {
	if c.EscalatedTo != "" {
		return c.EscalatedTo
	}
	return officeOf(c.RegionPath)
}

// SweepDeadlines checks the open cases in the actor's scope against their
// deadlines as of now: a reminder when the deadline is near, an overdue
// mark once it has passed, and an escalation to the office one level up
// for every Escalate working days a stage stays overdue (up to the
// province). Each case changes in its own transaction; running it again at
// the same instant changes nothing.
func (s *Deadlines) SweepDeadlines(ctx context.Context, now time.Time) (*jianfu.SweepResult, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.System && !a.HasAny(caseHandlers...) {
		return nil, forbidden("检查办理时限需要监管人员或线索办理员角色", "checking deadlines needs the supervisor or case handler role")
	}
	var w where
	w.caseScope(a)
	w.add("c.status NOT IN ('closed', 'merged', 'rejected') AND c.due_at IS NOT NULL")
	rows, err := s.db.query(ctx, `SELECT c.id, c.category, c.due_at, c.reminded_at, c.overdue_at, c.stage_escalations FROM cases c`+w.String()+` ORDER BY c.id`, w.args...)
	if err != nil {
		return nil, err
	}
	type candidate struct {
		id               int64
		category         string
		due              time.Time
		reminded, late   bool
		stageEscalations int
	}
	var cands []candidate
	for rows.Next() {
		var cd candidate
		var due int64
		var reminded, overdue sql.NullInt64
		if err := rows.Scan(&cd.id, &cd.category, &due, &reminded, &overdue, &cd.stageEscalations); err != nil {
			rows.Close()
			return nil, err
		}
		cd.due, cd.reminded, cd.late = fromMS(due), reminded.Valid, overdue.Valid
		cands = append(cands, cd)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	res := &jianfu.SweepResult{Checked: len(cands)}
	cal := s.db.calendar()
	policies := map[string]jianfu.DeadlinePolicy{}
	for _, cd := range cands {
		p, ok := policies[cd.category]
		if !ok {
			err := s.db.inTx(ctx, func(tx *Tx) error {
				var err error
				p, err = tx.policyFor(cd.category)
				return err
			})
			if err != nil {
				return nil, err
			}
			policies[cd.category] = p
		}
		lastDay := cd.due.Add(-24 * time.Hour) // midnight starting the deadline's day
		remindAt := cal.AddWorkdays(lastDay, -p.Remind)
		needRemind := !cd.reminded && !now.Before(remindAt) && now.Before(cd.due)
		needOverdue := !cd.late && !now.Before(cd.due)
		overdueDays := 0
		if !now.Before(cd.due) {
			overdueDays = cal.WorkdaysBetween(lastDay, now)
		}
		needEscalate := overdueDays >= p.Escalate*(cd.stageEscalations+1)
		if !needRemind && !needOverdue && !needEscalate {
			continue
		}
		err := s.db.inTx(ctx, func(tx *Tx) error {
			tx.now = now.UTC()
			c, err := tx.loadCase(jianfu.SystemActor("deadline"), cd.id)
			if err != nil {
				return err
			}
			if !c.Status.Open() || c.DueAt == nil || !c.DueAt.Equal(cd.due) {
				return nil // it moved on meanwhile
			}
			was := c.Status
			changed := false
			if needRemind && c.RemindedAt == nil {
				c.RemindedAt = &tx.now
				changed = true
				res.Reminded++
				who := "线索办理部门"
				if c.Stage.UnitStage() {
					who = c.UnitName
				}
				if err := tx.caseEvent(c.ID, nil, jianfu.CaseEvent{Action: "reminded", Note: fmt.Sprintf("催办:%s阶段将于%s到期,请%s抓紧办理", jianfu.CaseStageNames[c.Stage], dueText(*c.DueAt), who)}); err != nil {
					return err
				}
			}
			if !now.Before(*c.DueAt) && c.OverdueAt == nil {
				c.OverdueAt = &tx.now
				c.OverdueCount++
				changed = true
				res.Overdue++
				if err := tx.caseEvent(c.ID, nil, jianfu.CaseEvent{Action: "overdue", Public: true,
					Note:       fmt.Sprintf("%s阶段已超过办理时限(%s)", jianfu.CaseStageNames[c.Stage], dueText(*c.DueAt)),
					PublicNote: fmt.Sprintf("%s已超过办理时限(%s),已记录超期", jianfu.CaseStageNames[c.Stage], dueText(*c.DueAt))}); err != nil {
					return err
				}
			}
			for overdueDays >= p.Escalate*(c.stageEscalations+1) {
				from := supervisingRegion(c)
				if len(from) <= 2 { // the province (or the nation) has no office above it here
					break
				}
				to := jianfu.ParentPath(from)
				var name string
				if err := tx.queryRow(`SELECT name FROM regions WHERE path = ?`, to).Scan(&name); err != nil {
					break
				}
				c.EscalationLevel++
				c.stageEscalations++
				c.EscalatedTo, c.EscalatedToName = to, name
				changed = true
				res.Escalated++
				if err := tx.caseEvent(c.ID, nil, jianfu.CaseEvent{Action: "escalated", Public: true,
					Note:       fmt.Sprintf("超期%d个工作日,自动提级至%s网信部门督办", overdueDays, name),
					PublicNote: fmt.Sprintf("超期未办结,已提级至%s网信部门督办", name)}); err != nil {
					return err
				}
				if err := tx.audit("case.escalate", "case", c.ID, c.RegionPath, fmt.Sprintf("%s → %s (%d working days overdue)", from, to, overdueDays)); err != nil {
					return err
				}
			}
			if !changed {
				return nil
			}
			return tx.saveCase(c, was)
		})
		if err != nil {
			return nil, err
		}
	}
	return res, nil
}

// dueText writes a deadline as the date of its last day, China time.
func dueText(due time.Time) string {
	return due.Add(-time.Minute).In(jianfu.China).Format("2006年1月2日")
}

// OverdueBoard summarises the open cases of the actor's scope per
// responsible unit and per region one level below the actor's.
func (s *Deadlines) OverdueBoard(ctx context.Context) (*jianfu.OverdueBoard, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := caseReadAccess(a); err != nil {
		return nil, err
	}
	now := s.db.Now()
	var w where
	w.caseScope(a)
	w.add("c.status NOT IN ('closed', 'merged', 'rejected')")
	rows, err := s.db.query(ctx, `SELECT c.region_path, c.stage, c.due_at, c.reminded_at, c.escalation_level, COALESCE(c.unit_id, 0), COALESCE(u.name, '')
		FROM cases c LEFT JOIN units u ON u.id = c.unit_id`+w.String(), w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	b := &jianfu.OverdueBoard{}
	units := map[int64]*jianfu.OverdueRow{}
	regions := map[string]*jianfu.OverdueRow{}
	base := a.RegionPath
	if a.System {
		base = ""
	}
	cal := s.db.calendar()
	for rows.Next() {
		var region, stage, unitName string
		var due, reminded sql.NullInt64
		var level int
		var unitID int64
		if err := rows.Scan(&region, &stage, &due, &reminded, &level, &unitID, &unitName); err != nil {
			return nil, err
		}
		b.Open++
		overdue := due.Valid && now.UnixMilli() >= due.Int64
		days := 0
		if overdue {
			b.Overdue++
			days = cal.WorkdaysBetween(fromMS(due.Int64).Add(-24*time.Hour), now)
		} else if reminded.Valid {
			b.DueSoon++
		}
		if level > 0 {
			b.Escalated++
		}
		count := func(r *jianfu.OverdueRow) {
			r.Open++
			if overdue {
				r.Overdue++
				r.MaxWorkdays = max(r.MaxWorkdays, days)
			}
			if level > 0 {
				r.Escalated++
			}
		}
		if unitID != 0 && jianfu.CaseStage(stage).UnitStage() {
			r := units[unitID]
			if r == nil {
				r = &jianfu.OverdueRow{ID: unitID, Name: unitName}
				units[unitID] = r
			}
			count(r)
		}
		child := childRegion(base, region)
		if child == "" {
			child = base // a case at the caller's own level: 本级
		}
		r := regions[child]
		if r == nil {
			r = &jianfu.OverdueRow{Path: child}
			regions[child] = r
		}
		count(r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, r := range units {
		b.Units = append(b.Units, r)
	}
	for path, r := range regions {
		if err := s.db.queryRow(ctx, `SELECT name FROM regions WHERE path = ?`, path).Scan(&r.Name); err != nil {
			r.Name = path
		}
		if path == base {
			r.Name += "(本级)"
		}
		b.Regions = append(b.Regions, r)
	}
	rank := func(rs []*jianfu.OverdueRow) {
		sort.Slice(rs, func(i, j int) bool {
			if rs[i].Overdue != rs[j].Overdue {
				return rs[i].Overdue > rs[j].Overdue
			}
			if rs[i].MaxWorkdays != rs[j].MaxWorkdays {
				return rs[i].MaxWorkdays > rs[j].MaxWorkdays
			}
			if rs[i].Open != rs[j].Open {
				return rs[i].Open > rs[j].Open
			}
			return rs[i].Name < rs[j].Name
		})
	}
	rank(b.Units)
	rank(b.Regions)
	return b, nil
}

// childRegion returns the region one level below base that contains path
// ("" when path is base itself).
func childRegion(base, path string) string {
	for _, n := range []int{2, 4, 6, 9, 12} {
		if n > len(base) {
			if len(path) < n {
				return ""
			}
			return path[:n]
		}
	}
	return ""
}

// CaseDeadlines lists the deadline policies, the default first.
func (s *Deadlines) CaseDeadlines(ctx context.Context) ([]*jianfu.DeadlinePolicy, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := caseReadAccess(a); err != nil {
		return nil, err
	}
	rows, err := s.db.query(ctx, `SELECT category, triage, answer, rectify, verify, remind, escalate, updated_at, updated_by FROM case_deadlines
		ORDER BY CASE WHEN category = '*' THEN 0 ELSE 1 END, category`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*jianfu.DeadlinePolicy
	for rows.Next() {
		var p jianfu.DeadlinePolicy
		var updated int64
		if err := rows.Scan(&p.Category, &p.Triage, &p.Answer, &p.Rectify, &p.Verify, &p.Remind, &p.Escalate, &updated, &p.UpdatedBy); err != nil {
			return nil, err
		}
		p.UpdatedAt = fromMS(updated)
		out = append(out, &p)
	}
	return out, rows.Err()
}

// SetCaseDeadlines saves the policy of a category (or the default). The
// policy is the province's: only a supervisor at province level or above
// may change it. New deadlines apply to stages that start afterwards.
func (s *Deadlines) SetCaseDeadlines(ctx context.Context, p *jianfu.DeadlinePolicy) error {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return err
	}
	if !a.System && !(a.Has(jianfu.RoleSupervisor) && len(a.RegionPath) <= 2) {
		return forbidden("办理时限由省级(及以上)监管人员设定", "deadlines are set by supervisors at province level or above")
	}
	if err := p.Validate(); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(`UPDATE case_deadlines SET triage = ?, answer = ?, rectify = ?, verify = ?, remind = ?, escalate = ?, updated_at = ?, updated_by = ? WHERE category = ?`,
			p.Triage, p.Answer, p.Rectify, p.Verify, p.Remind, p.Escalate, ms(tx.now), a.Username, p.Category)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := tx.exec(`INSERT INTO case_deadlines(category, triage, answer, rectify, verify, remind, escalate, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				p.Category, p.Triage, p.Answer, p.Rectify, p.Verify, p.Remind, p.Escalate, ms(tx.now), a.Username); err != nil {
				return err
			}
		}
		p.UpdatedAt, p.UpdatedBy = tx.now, a.Username
		return tx.audit("case.deadlines", "case_deadlines", p.Category, a.RegionPath,
			fmt.Sprintf("triage %d answer %d rectify %d verify %d remind %d escalate %d", p.Triage, p.Answer, p.Rectify, p.Verify, p.Remind, p.Escalate))
	})
}
