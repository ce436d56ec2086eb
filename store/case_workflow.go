package store

import (
	"context"
	"strings"

	"jianfu"
)

// The workflow's actions load the case in the actor's scope, find what the
// action names, let the case decide (jianfu.Case's transitions), and write
// the case, its timeline and the audit entry in one transaction.

// handle loads a case for a change by a supervisor or case handler of its
// region, runs fn, saves the case and audits the action.
func (db *DB) handle(ctx context.Context, id int64, action string, fn func(tx *Tx, a *jianfu.Actor, c *caseRow) (detail string, err error)) (*jianfu.Case, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.CanHandleCases() {
		return nil, forbidden("办理问题线索需要监管人员或线索办理员角色", "handling cases needs the supervisor or case handler role")
	}
	return db.change(ctx, a, id, action, fn)
}

// unitAct loads a case for its responsible unit: a unit administrator of
// the current unit's subtree.
func (db *DB) unitAct(ctx context.Context, id int64, action string, fn func(tx *Tx, a *jianfu.Actor, c *caseRow) (string, error)) (*jianfu.Case, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.CanAnswerCases() {
		return nil, forbidden("答复和整改由责任单位的单位管理员办理", "answers and rectifications are made by the responsible unit's administrator")
	}
	return db.change(ctx, a, id, action, func(tx *Tx, a *jianfu.Actor, c *caseRow) (string, error) {
		if !a.System && (c.unitPath == "" || !strings.HasPrefix(c.unitPath, a.UnitPath)) {
			return "", jianfu.Errorf(jianfu.EFORBIDDEN, "该线索已改由其他单位办理,本单位只能查看", "the case went to another unit; yours can only read it")
		}
		return fn(tx, a, c)
	})
}

// change loads a case in the actor's scope, runs fn, saves and audits.
func (db *DB) change(ctx context.Context, a *jianfu.Actor, id int64, action string, fn func(tx *Tx, a *jianfu.Actor, c *caseRow) (string, error)) (*jianfu.Case, error) {
	var out *jianfu.Case
	err := db.inTx(ctx, func(tx *Tx) error {
		c, err := tx.loadCase(a, id)
		if err != nil {
			return err
		}
		was := c.Status
		detail, err := fn(tx, a, c)
		if err != nil {
			return err
		}
		if err := tx.saveCase(c, was); err != nil {
			return err
		}
		out = c.visibleTo(a)
		return tx.audit(action, "case", id, c.RegionPath, strings.TrimSpace(c.Number+" "+detail))
	})
	return out, err
}

// step is the setting of an action on case c in the transaction: now,
// the calendar, and stages started by the stored policy.
func (tx *Tx) step(c *caseRow) jianfu.CaseStep {
	return jianfu.CaseStep{Now: tx.now, Calendar: tx.db.calendar(), Start: func(s jianfu.CaseStage) error { return tx.setStage(c, s) }}
}

// record writes the timeline of a change and returns its audit detail.
func (tx *Tx) record(c *caseRow, a *jianfu.Actor, ch jianfu.CaseChange, err error) (string, error) {
	if err != nil {
		return "", err
	}
	return ch.Detail, tx.caseEvents(c.ID, a, ch.Events)
}

// triageLookup finds what a triage names in the actor's scope.
type triageLookup struct {
	tx *Tx
	a  *jianfu.Actor
}

func (l triageLookup) ChannelName(id int64) (string, bool) {
	var w where
	w.add("c.id = ?", id)
	w.channelScope(l.a)
	var name string
	err := l.tx.queryRow(`SELECT c.name FROM channels c`+w.String(), w.args...).Scan(&name)
	return name, err == nil
}

func (l triageLookup) CaseByNumber(number string) (int64, jianfu.CaseStatus, bool) {
	var w where
	w.add("c.number = ?", number)
	w.caseScope(l.a)
	var id int64
	var status string
	err := l.tx.queryRow(`SELECT c.id, c.status FROM cases c`+w.String(), w.args...).Scan(&id, &status)
	return id, jianfu.CaseStatus(status), err == nil
}

// TriageCase accepts, merges or rejects a new clue (受理).
func (s *Cases) TriageCase(ctx context.Context, id int64, t jianfu.Triage) (*jianfu.Case, error) {
	return s.db.handle(ctx, id, "case.triage", func(tx *Tx, a *jianfu.Actor, c *caseRow) (string, error) {
		ch, err := c.Triage(t, triageLookup{tx, a}, tx.step(c))
		return tx.record(c, a, ch, err)
	})
}

// TransferCase hands a case to the responsible unit (移送): the unit
// given, or the owner of the case's channel. A case already with a unit is
// re-routed, which needs a reason that both units see.
func (s *Cases) TransferCase(ctx context.Context, id int64, t jianfu.Transfer) (*jianfu.Case, error) {
	return s.db.handle(ctx, id, "case.transfer", func(tx *Tx, a *jianfu.Actor, c *caseRow) (string, error) {
		if _, err := c.CheckTransfer(t); err != nil {
			return "", err
		}
		unitID := t.UnitID
		if unitID == 0 {
			chID, err := c.OwnerChannel()
			if err != nil {
				return "", err
			}
			if err := tx.queryRow(`SELECT unit_id FROM channels WHERE id = ?`, chID).Scan(&unitID); err != nil {
				return "", tx.db.translate(err, nChannel)
			}
		}
		var w where
		w.add("u.id = ?", unitID)
		w.unitScope(a, "u")
		unit, err := scanUnit(tx.queryRow(`SELECT `+unitCols+unitFrom+w.String(), w.args...))
		if err != nil {
			return "", jianfu.Errorf(jianfu.EINVALID, "责任单位(编号%d)不在您的管辖范围内:请报请上级网信部门移送", "unit %d is outside your scope; ask the office above to transfer the case", unitID)
		}
		ch, err := c.Transfer(t, unit, tx.step(c))
		if err != nil {
			return "", err
		}
		// The unit's path scopes the case for unit administrators: the
		// new unit's now, the old one's still (read only).
		c.unitPath = unit.Path
		if _, err := tx.exec(`UPDATE case_units SET current = FALSE WHERE case_id = ?`, c.ID); err != nil {
			return "", err
		}
		res, err := tx.exec(`UPDATE case_units SET current = TRUE, unit_path = ?, since = ? WHERE case_id = ? AND unit_id = ?`, unit.Path, ms(tx.now), c.ID, unit.ID)
		if err != nil {
			return "", err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := tx.exec(`INSERT INTO case_units(case_id, unit_id, unit_path, current, since) VALUES (?, ?, ?, TRUE, ?)`, c.ID, unit.ID, unit.Path, ms(tx.now)); err != nil {
				return "", err
			}
		}
		if err := tx.notify(jianfu.CaseNotice(jianfu.NoteCaseTransferred, &c.Case, t.Note)); err != nil {
			return "", err
		}
		return tx.record(c, a, ch, nil)
	})
}

// AnswerCase records the responsible unit's answer (答复).
func (s *Cases) AnswerCase(ctx context.Context, id int64, ans jianfu.CaseAnswer) (*jianfu.Case, error) {
	return s.db.unitAct(ctx, id, "case.answer", func(tx *Tx, a *jianfu.Actor, c *caseRow) (string, error) {
		ch, err := c.Answer(ans, tx.step(c))
		return tx.record(c, a, ch, err)
	})
}

// RectifyCase records the unit's rectification with evidence (整改).
func (s *Cases) RectifyCase(ctx context.Context, id int64, r jianfu.CaseRectification) (*jianfu.Case, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return s.db.unitAct(ctx, id, "case.rectify", func(tx *Tx, a *jianfu.Actor, c *caseRow) (string, error) {
		ch, err := c.Rectify(r, tx.step(c))
		if err != nil {
			return "", err
		}
		if err := tx.addAttachments(c.ID, "evidence", r.Attachments); err != nil {
			return "", err
		}
		return tx.record(c, a, ch, nil)
	})
}

// VerifyCase records the office's check of a rectification (核查): passed,
// or back to the unit to rectify again.
func (s *Cases) VerifyCase(ctx context.Context, id int64, v jianfu.Verification) (*jianfu.Case, error) {
	return s.db.handle(ctx, id, "case.verify", func(tx *Tx, a *jianfu.Actor, c *caseRow) (string, error) {
		ch, err := c.Verify(v, tx.step(c))
		if err == nil && !v.Passed {
			err = tx.notify(jianfu.CaseNotice(jianfu.NoteCaseReturned, &c.Case, v.Note))
		}
		return tx.record(c, a, ch, err)
	})
}

// CloseCase ends a case with its honest outcome (办结).
func (s *Cases) CloseCase(ctx context.Context, id int64, cl jianfu.Closing) (*jianfu.Case, error) {
	return s.db.handle(ctx, id, "case.close", func(tx *Tx, a *jianfu.Actor, c *caseRow) (string, error) {
		ch, err := c.Close(cl, tx.step(c))
		return tx.record(c, a, ch, err)
	})
}

// ReopenCase reopens a closed or rejected case at the office's decision.
func (s *Cases) ReopenCase(ctx context.Context, id int64, reason string) (*jianfu.Case, error) {
	return s.db.handle(ctx, id, "case.reopen", func(tx *Tx, a *jianfu.Actor, c *caseRow) (string, error) {
		ch, err := c.Reopen(reason, tx.step(c))
		if err == nil {
			err = tx.notify(jianfu.CaseNotice(jianfu.NoteCaseReopened, &c.Case, reason))
		}
		return tx.record(c, a, ch, err)
	})
}

// AddOpinion records a 整改意见 or 问责建议 on a case.
func (s *Cases) AddOpinion(ctx context.Context, id int64, o jianfu.CaseOpinion) (*jianfu.CaseOpinion, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	_, err := s.db.handle(ctx, id, "case.opinion", func(tx *Tx, a *jianfu.Actor, c *caseRow) (string, error) {
		ch, err := c.AddOpinion(&o, a, tx.now)
		if err != nil {
			return "", err
		}
		if o.ID, err = tx.insertID(`INSERT INTO case_opinions(case_id, kind, text, target, actor_id, actor_name, office_name, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, string(o.Kind), o.Text, o.Target, a.UserID, a.Username, a.UnitName, ms(tx.now)); err != nil {
			return "", err
		}
		return tx.record(c, a, ch, nil)
	})
	if err != nil {
		return nil, err
	}
	return &o, nil
}
