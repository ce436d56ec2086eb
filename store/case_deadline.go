package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
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

// setStage starts a stage of a case now, its deadline by the policy of
// the case's category; the empty stage ends the deadlines. The caller
// saves the row.
func (tx *Tx) setStage(c *caseRow, stage jianfu.CaseStage) error {
	var p jianfu.DeadlinePolicy
	if stage != "" {
		var err error
		if p, err = tx.policyFor(c.Category); err != nil {
			return err
		}
	}
	c.SetStage(stage, p, tx.db.calendar(), tx.now)
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
		c.EscalationLevel, c.StageEscalations, nullStr(c.EscalatedTo), c.ReopenCount, c.ReporterReopens, nullInt(c.MergedInto), ms(tx.now), closed,
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
	if !a.CanHandleCases() {
		return nil, forbidden("检查办理时限需要监管人员或线索办理员角色", "checking deadlines needs the supervisor or case handler role")
	}
	var w where
	w.caseScope(a)
	w.add("c.status NOT IN " + endedStatuses + " AND c.due_at IS NOT NULL")
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
		check := p.Check(cal, now, cd.due, cd.reminded, cd.late, cd.stageEscalations)
		if !check.Any() {
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
			var events []jianfu.CaseEvent
			if check.Remind && c.RemindedAt == nil {
				events = append(events, c.Remind(tx.now))
				res.Reminded++
			}
			if !now.Before(*c.DueAt) && c.OverdueAt == nil {
				events = append(events, c.MarkOverdue(tx.now))
				res.Overdue++
				if err := tx.notifyAll(jianfu.CaseNotice(jianfu.NoteCaseOverdue, &c.Case, "")); err != nil {
					return err
				}
			}
			for p.EscalationDue(check.LateDays, c.StageEscalations) {
				from, to, ok := c.EscalationTarget()
				if !ok {
					break
				}
				var name string
				if err := tx.queryRow(`SELECT name FROM regions WHERE path = ?`, to).Scan(&name); err != nil {
					break
				}
				events = append(events, c.Escalate(to, name, check.LateDays))
				res.Escalated++
				if err := tx.audit("case.escalate", "case", c.ID, c.RegionPath, fmt.Sprintf("%s → %s(超期%d个工作日)", from, to, check.LateDays)); err != nil {
					return err
				}
				if err := tx.notifyAll(jianfu.CaseNotice(jianfu.NoteCaseEscalated, &c.Case, fmt.Sprintf("已超期%d个工作日", check.LateDays))); err != nil {
					return err
				}
			}
			if len(events) == 0 {
				return nil
			}
			if err := tx.caseEvents(c.ID, nil, events); err != nil {
				return err
			}
			return tx.saveCase(c, was)
		})
		if err != nil {
			return nil, err
		}
	}
	return res, nil
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
	w.add("c.status NOT IN " + endedStatuses)
	rows, err := s.db.query(ctx, `SELECT c.region_path, c.status, c.stage, c.due_at, c.reminded_at, c.escalation_level, COALESCE(c.unit_id, 0), COALESCE(u.name, '')
		FROM cases c LEFT JOIN units u ON u.id = c.unit_id`+w.String(), w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	base := a.RegionPath
	if a.System {
		base = ""
	}
	tally := jianfu.NewOverdueTally(base)
	cal := s.db.calendar()
	for rows.Next() {
		var c jianfu.Case
		var status, stage string
		var due, reminded sql.NullInt64
		if err := rows.Scan(&c.RegionPath, &status, &stage, &due, &reminded, &c.EscalationLevel, &c.UnitID, &c.UnitName); err != nil {
			return nil, err
		}
		c.Status, c.Stage, c.DueAt, c.RemindedAt = jianfu.CaseStatus(status), jianfu.CaseStage(stage), optMS(due), optMS(reminded)
		tally.Add(&c, cal, now)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return tally.Board(func(path string) string {
		var name string
		if err := s.db.queryRow(ctx, `SELECT name FROM regions WHERE path = ?`, path).Scan(&name); err != nil {
			return path
		}
		return name
	}), nil
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
	if !a.CanSetDeadlines() {
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
			fmt.Sprintf("受理交办%d、答复%d、整改%d、核查%d个工作日,到期前%d天催办,超期%d天提级", p.Triage, p.Answer, p.Rectify, p.Verify, p.Remind, p.Escalate))
	})
}
