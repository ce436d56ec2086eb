package store

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"jianfu"
)

// handle loads a case for a change by a supervisor or case handler of its
// region, runs fn, saves the case and audits the action.
func (db *DB) handle(ctx context.Context, id int64, action string, fn func(tx *Tx, a *jianfu.Actor, c *caseRow) (detail string, err error)) (*jianfu.Case, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.System && !a.HasAny(caseHandlers...) {
		return nil, forbidden("办理问题线索需要监管人员或线索办理员角色", "handling cases needs the supervisor or case handler role")
	}
	return db.change(ctx, a, id, action, fn)
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

// wrongStatus is the error of an action the case's status does not allow.
func wrongStatus(c *caseRow, zh, en string) error {
	return jianfu.Errorf(jianfu.ECONFLICT, "该线索当前为“%[1]s”,%[2]s", "the case is %[3]s: %[4]s", jianfu.CaseStatusNames[c.Status], zh, string(c.Status), en)
}

func textBetween(field, label string, s string, min, max int) error {
	if n := utf8.RuneCountInString(strings.TrimSpace(s)); n < min || n > max {
		return &jianfu.Error{Code: jianfu.EINVALID,
			Message:  fmt.Sprintf("%s应为%d至%d字", label, min, max),
			English:  fmt.Sprintf("%s needs %d to %d characters", field, min, max),
			Problems: []jianfu.Problem{{Field: field, Message: fmt.Sprintf("%s应为%d至%d字", label, min, max), English: fmt.Sprintf("%s needs %d to %d characters", field, min, max)}}}
	}
	return nil
}

// TriageCase accepts, merges or rejects a new clue (分拣).
func (s *Cases) TriageCase(ctx context.Context, id int64, t jianfu.Triage) (*jianfu.Case, error) {
	return s.db.handle(ctx, id, "case.triage", func(tx *Tx, a *jianfu.Actor, c *caseRow) (string, error) {
		if c.Status != jianfu.CaseNew && c.Status != jianfu.CaseAccepted {
			return "", wrongStatus(c, "不能再分拣", "it cannot be triaged now")
		}
		from := c.Status
		switch t.Decision {
		case "accept":
			cats := t.Categories
			if len(cats) == 0 {
				cats = append([]string{c.Category}, c.Proposed...)
			}
			seen := map[string]bool{}
			c.Categories = c.Categories[:0]
			for _, x := range cats {
				if !jianfu.ValidCategory(x) {
					return "", jianfu.Errorf(jianfu.EINVALID, "问题类型“%s”无效", "unknown category %q", x)
				}
				if !seen[x] {
					seen[x] = true
					c.Categories = append(c.Categories, x)
				}
			}
			c.Category = c.Categories[0]
			if t.ChannelID != 0 && t.ChannelID != c.ChannelID {
				var w where
				w.add("c.id = ?", t.ChannelID)
				w.channelScope(a)
				var name string
				if err := tx.queryRow(`SELECT c.name FROM channels c`+w.String(), w.args...).Scan(&name); err != nil {
					return "", jianfu.Errorf(jianfu.EINVALID, "渠道(编号%d)不存在或不在您的管辖范围内", "channel %d does not exist or is outside your scope", t.ChannelID)
				}
				c.ChannelID, c.ChannelName = t.ChannelID, name
			} else if c.ChannelID == 0 && c.ProposedChannelID != 0 && t.ChannelID == 0 {
				c.ChannelID, c.ChannelName = c.ProposedChannelID, c.ProposedChannelName
			}
			c.Status = jianfu.CaseAccepted
			note := "受理,问题类型:" + jianfu.CategoryLabels(c.Categories)
			if c.ChannelName != "" {
				note += ";涉及渠道:" + c.ChannelName
			}
			if strings.TrimSpace(t.Reason) != "" {
				note += ";" + strings.TrimSpace(t.Reason)
			}
			return "accept", tx.caseEvent(c.ID, a, jianfu.CaseEvent{Action: "accepted", FromStatus: from, ToStatus: c.Status, Note: note, Public: from == jianfu.CaseNew, PublicNote: "已受理,正在核实责任单位"})
		case "merge":
			target := strings.TrimSpace(t.MergeInto)
			if target == "" {
				return "", jianfu.Errorf(jianfu.EINVALID, "请填写与之重复的线索编号", "give the number of the case it duplicates")
			}
			var w where
			w.add("c.number = ?", target)
			w.caseScope(a)
			var tid int64
			var tstatus string
			if err := tx.queryRow(`SELECT c.id, c.status FROM cases c`+w.String(), w.args...).Scan(&tid, &tstatus); err != nil {
				return "", jianfu.Errorf(jianfu.EINVALID, "线索%s不存在或不在您的管辖范围内", "case %s does not exist or is outside your scope", target)
			}
			if tid == c.ID || jianfu.CaseStatus(tstatus) == jianfu.CaseMerged || jianfu.CaseStatus(tstatus) == jianfu.CaseRejected {
				return "", jianfu.Errorf(jianfu.EINVALID, "不能并入线索%s(本身、已并案或不予受理的线索)", "cannot merge into %s (itself, merged or rejected)", target)
			}
			c.Status, c.MergedInto, c.MergedIntoNumber = jianfu.CaseMerged, tid, target
			if err := tx.setStage(c, ""); err != nil {
				return "", err
			}
			return "merge " + target, tx.caseEvent(c.ID, a, jianfu.CaseEvent{Action: "merged", FromStatus: from, ToStatus: c.Status, Note: "与" + target + "重复,并案办理",
				Public: true, PublicNote: "与已受理的" + target + "反映的是同一问题,已并案办理,请关注该编号的办理进展"})
		case "reject":
			if err := textBetween("reason", "不予受理的理由", t.Reason, 4, 1000); err != nil {
				return "", err
			}
			c.Status = jianfu.CaseRejected
			if err := tx.setStage(c, ""); err != nil {
				return "", err
			}
			now := tx.now
			c.ClosedAt = &now
			reason := strings.TrimSpace(t.Reason)
			return "reject", tx.caseEvent(c.ID, a, jianfu.CaseEvent{Action: "rejected", FromStatus: from, ToStatus: c.Status, Note: reason, Public: true, PublicNote: "不予受理:" + reason})
		}
		return "", jianfu.Errorf(jianfu.EINVALID, "分拣决定应为 accept(受理)、merge(并案)或 reject(不予受理)", "the decision is accept, merge or reject")
	})
}

// TransferCase hands a case to the responsible unit (移送): the unit
// given, or the owner of the case's channel. A case already with a unit is
// re-routed, which needs a reason that both units see.
func (s *Cases) TransferCase(ctx context.Context, id int64, t jianfu.Transfer) (*jianfu.Case, error) {
	return s.db.handle(ctx, id, "case.transfer", func(tx *Tx, a *jianfu.Actor, c *caseRow) (string, error) {
		reroute := false
		switch c.Status {
		case jianfu.CaseNew, jianfu.CaseAccepted:
		case jianfu.CaseTransferred, jianfu.CaseAnswered:
			reroute = true
			if err := textBetween("reason", "改派理由", t.Reason, 4, 1000); err != nil {
				return "", err
			}
		default:
			return "", wrongStatus(c, "不能移送", "it cannot be transferred now")
		}
		unitID := t.UnitID
		if unitID == 0 {
			chID := c.ChannelID
			if chID == 0 {
				chID = c.ProposedChannelID
			}
			if chID == 0 {
				return "", jianfu.Errorf(jianfu.EINVALID, "该线索未关联已登记的渠道,请选择责任单位", "the case names no registered channel; choose the responsible unit")
			}
			if err := tx.queryRow(`SELECT unit_id FROM channels WHERE id = ?`, chID).Scan(&unitID); err != nil {
				return "", tx.db.translate(err, nChannel)
			}
			if c.ChannelID == 0 {
				c.ChannelID, c.ChannelName = c.ProposedChannelID, c.ProposedChannelName
			}
		}
		var w where
		w.add("u.id = ?", unitID)
		w.unitScope(a, "u")
		unit, err := scanUnit(tx.queryRow(`SELECT `+unitCols+unitFrom+w.String(), w.args...))
		if err != nil {
			return "", jianfu.Errorf(jianfu.EINVALID, "责任单位(编号%d)不在您的管辖范围内:请报请上级网信部门移送", "unit %d is outside your scope; ask the office above to transfer the case", unitID)
		}
		if unit.Disabled {
			return "", jianfu.Errorf(jianfu.EINVALID, "单位“%s”已停用,不能接收移送", "unit %s is disabled and cannot receive cases", unit.Name)
		}
		if reroute && unit.ID == c.UnitID {
			return "", jianfu.Errorf(jianfu.EINVALID, "该线索已在“%s”办理,请选择另一个单位", "the case is with %s already; choose another unit", unit.Name)
		}
		from := c.Status
		oldUnit := c.UnitName
		if from == jianfu.CaseNew {
			if err := tx.caseEvent(c.ID, a, jianfu.CaseEvent{Action: "accepted", FromStatus: from, ToStatus: jianfu.CaseAccepted, Note: "受理", Public: true, PublicNote: "已受理"}); err != nil {
				return "", err
			}
			if len(c.Categories) == 0 {
				c.Categories = []string{c.Category}
			}
		}
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
		c.UnitID, c.UnitName, c.unitPath, c.RegionPath = unit.ID, unit.Name, unit.Path, unit.RegionPath
		c.Status, c.Finding = jianfu.CaseTransferred, ""
		if err := tx.setStage(c, jianfu.StageAnswer); err != nil {
			return "", err
		}
		note := strings.TrimSpace(t.Note)
		if reroute {
			reason := strings.TrimSpace(t.Reason)
			return "reroute " + oldUnit + " → " + unit.Name + ": " + reason, tx.caseEvent(c.ID, a, jianfu.CaseEvent{Action: "rerouted", FromStatus: from, ToStatus: c.Status,
				UnitID: unit.ID, FromUnit: oldUnit, Note: "改由" + unit.Name + "办理。改派理由:" + reason + noteSuffix(note),
				Public: true, PublicNote: fmt.Sprintf("已改由%s办理,答复时限%s", unit.Name, dueText(*c.DueAt))})
		}
		return "transfer → " + unit.Name, tx.caseEvent(c.ID, a, jianfu.CaseEvent{Action: "transferred", FromStatus: jianfu.CaseAccepted, ToStatus: c.Status,
			UnitID: unit.ID, Note: "移送" + unit.Name + "办理" + noteSuffix(note),
			Public: true, PublicNote: fmt.Sprintf("已移送%s办理,答复时限%s", unit.Name, dueText(*c.DueAt))})
	})
}

// sentence ends a text with one full stop, replacing a trailing stop, comma
// or semicolon (full- or half-width); one ending in ! or ? (either width)
// keeps it.
func sentence(s string) string {
	s = strings.TrimRight(strings.TrimSpace(s), "。.;；,，、 ")
	if s == "" {
		return ""
	}
	if strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "！") || strings.HasSuffix(s, "？") {
		return s
	}
	return s + "。"
}

func noteSuffix(note string) string {
	if note == "" {
		return ""
	}
	return "。" + note
}

// unitAct loads a case for its responsible unit: a unit administrator of
// the current unit's subtree.
func (db *DB) unitAct(ctx context.Context, id int64, action string, fn func(tx *Tx, a *jianfu.Actor, c *caseRow) (string, error)) (*jianfu.Case, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.System && !a.Has(jianfu.RoleUnitAdmin) {
		return nil, forbidden("答复和整改由责任单位的单位管理员办理", "answers and rectifications are made by the responsible unit's administrator")
	}
	return db.change(ctx, a, id, action, func(tx *Tx, a *jianfu.Actor, c *caseRow) (string, error) {
		if !a.System && (c.unitPath == "" || !strings.HasPrefix(c.unitPath, a.UnitPath)) {
			return "", jianfu.Errorf(jianfu.EFORBIDDEN, "该线索已改由其他单位办理,本单位只能查看", "the case went to another unit; yours can only read it")
		}
		return fn(tx, a, c)
	})
}

// lateness describes how late an action is, "" when on time.
func (tx *Tx) lateness(c *caseRow) string {
	if c.DueAt == nil || tx.now.Before(*c.DueAt) {
		return ""
	}
	n := tx.db.calendar().WorkdaysBetween(c.DueAt.Add(-24*time.Hour), tx.now)
	if n < 1 {
		n = 1
	}
	return fmt.Sprintf("(逾期%d个工作日)", n)
}

// AnswerCase records the responsible unit's answer (答复).
func (s *Cases) AnswerCase(ctx context.Context, id int64, ans jianfu.CaseAnswer) (*jianfu.Case, error) {
	return s.db.unitAct(ctx, id, "case.answer", func(tx *Tx, a *jianfu.Actor, c *caseRow) (string, error) {
		if c.Status != jianfu.CaseTransferred {
			return "", wrongStatus(c, "不需要答复", "it needs no answer now")
		}
		if !ans.Finding.Valid() {
			return "", jianfu.Errorf(jianfu.EINVALID, "请选择核实结果:属实、部分属实、不属实或非本单位职责", "choose the finding: substantiated, partly, unsubstantiated or not responsible")
		}
		if err := textBetween("text", "答复内容", ans.Text, 10, 4000); err != nil {
			return "", err
		}
		late := tx.lateness(c)
		c.Status, c.Finding = jianfu.CaseAnswered, ans.Finding
		next := jianfu.StageVerify
		if ans.Finding.NeedsRectification() {
			next = jianfu.StageRectify
		}
		if err := tx.setStage(c, next); err != nil {
			return "", err
		}
		text := strings.TrimSpace(ans.Text)
		pub := fmt.Sprintf("%s答复(核实结果:%s):%s", c.UnitName, jianfu.CaseFindingNames[ans.Finding], sentence(text))
		if next == jianfu.StageRectify {
			pub += fmt.Sprintf("整改时限%s。", dueText(*c.DueAt))
		}
		return string(ans.Finding) + late, tx.caseEvent(c.ID, a, jianfu.CaseEvent{Action: "answered", FromStatus: jianfu.CaseTransferred, ToStatus: c.Status,
			Note: "答复" + late + "(" + jianfu.CaseFindingNames[ans.Finding] + "):" + text, Public: true, PublicNote: pub})
	})
}

// RectifyCase records the unit's rectification with evidence (整改).
func (s *Cases) RectifyCase(ctx context.Context, id int64, r jianfu.CaseRectification) (*jianfu.Case, error) {
	if err := textBetween("text", "整改情况", r.Text, 10, 4000); err != nil {
		return nil, err
	}
	if len(r.Attachments) > jianfu.MaxAttachments {
		return nil, jianfu.Errorf(jianfu.EINVALID, "最多上传3张图片", "at most 3 images")
	}
	if err := checkAttachments(r.Attachments); err != nil {
		return nil, err
	}
	return s.db.unitAct(ctx, id, "case.rectify", func(tx *Tx, a *jianfu.Actor, c *caseRow) (string, error) {
		if c.Status != jianfu.CaseAnswered || c.Stage != jianfu.StageRectify {
			return "", wrongStatus(c, "不在整改阶段", "it is not being rectified")
		}
		late := tx.lateness(c)
		c.Status = jianfu.CaseRectified
		if err := tx.setStage(c, jianfu.StageVerify); err != nil {
			return "", err
		}
		if err := tx.addAttachments(c.ID, "evidence", r.Attachments); err != nil {
			return "", err
		}
		evidence := ""
		if n := len(r.Attachments); n > 0 {
			evidence = fmt.Sprintf("(附佐证图片%d张)", n)
		}
		return "rectified" + late, tx.caseEvent(c.ID, a, jianfu.CaseEvent{Action: "rectified", FromStatus: jianfu.CaseAnswered, ToStatus: c.Status,
			Note: "整改情况" + late + evidence + ":" + strings.TrimSpace(r.Text), Public: true, PublicNote: "责任单位报告已完成整改,待网信部门核查"})
	})
}

// VerifyCase records the office's check of a rectification (核查): passed,
// or back to the unit to rectify again.
func (s *Cases) VerifyCase(ctx context.Context, id int64, v jianfu.Verification) (*jianfu.Case, error) {
	return s.db.handle(ctx, id, "case.verify", func(tx *Tx, a *jianfu.Actor, c *caseRow) (string, error) {
		if c.Status != jianfu.CaseRectified {
			return "", wrongStatus(c, "没有待核查的整改", "there is no rectification to verify")
		}
		note := strings.TrimSpace(v.Note)
		if v.Passed {
			c.Status = jianfu.CaseVerified
			return "passed", tx.caseEvent(c.ID, a, jianfu.CaseEvent{Action: "verified", FromStatus: jianfu.CaseRectified, ToStatus: c.Status,
				Note: "核查通过" + noteSuffix(note), Public: true, PublicNote: "整改情况已经网信部门核查"})
		}
		if err := textBetween("note", "未通过核查的原因", note, 4, 2000); err != nil {
			return "", err
		}
		c.Status = jianfu.CaseAnswered
		if err := tx.setStage(c, jianfu.StageRectify); err != nil {
			return "", err
		}
		return "failed", tx.caseEvent(c.ID, a, jianfu.CaseEvent{Action: "verify_failed", FromStatus: jianfu.CaseRectified, ToStatus: c.Status,
			Note: "核查未通过,退回重新整改:" + note, Public: true, PublicNote: fmt.Sprintf("整改未通过核查(%s),已退回责任单位重新整改,时限%s", strings.TrimRight(note, "。. "), dueText(*c.DueAt))})
	})
}

// CloseCase ends a case with its honest outcome (办结). A rectification
// can be called done only once verified; "not fixed" can always be
// recorded.
func (s *Cases) CloseCase(ctx context.Context, id int64, cl jianfu.Closing) (*jianfu.Case, error) {
	return s.db.handle(ctx, id, "case.close", func(tx *Tx, a *jianfu.Actor, c *caseRow) (string, error) {
		if !cl.Outcome.Valid() {
			return "", jianfu.Errorf(jianfu.EINVALID, "请选择办结结果:已整改到位、部分整改、未整改、反映不实或不属于职责范围", "choose the outcome: fixed, partly_fixed, not_fixed, unsubstantiated or not_responsible")
		}
		switch {
		case cl.Outcome.NeedsVerification() && c.Status != jianfu.CaseVerified:
			return "", jianfu.Errorf(jianfu.ECONFLICT, "“%s”须在整改经核查通过后才能办结;如未整改到位,请如实选择“未整改”", "%s needs a verified rectification first; if it was not fixed, say so with not_fixed", jianfu.CaseOutcomeNames[cl.Outcome])
		case cl.Outcome == jianfu.OutcomeNotFixed:
			if c.Status != jianfu.CaseTransferred && c.Status != jianfu.CaseAnswered && c.Status != jianfu.CaseRectified && c.Status != jianfu.CaseVerified {
				return "", wrongStatus(c, "不能办结", "it cannot be closed now")
			}
		case !cl.Outcome.NeedsVerification():
			if c.Status != jianfu.CaseAnswered && c.Status != jianfu.CaseRectified && c.Status != jianfu.CaseVerified {
				return "", wrongStatus(c, "须在责任单位答复后办结", "it can be closed once the unit has answered")
			}
		}
		if err := textBetween("note", "办结说明", cl.Note, 4, 2000); err != nil {
			return "", err
		}
		from := c.Status
		c.Status, c.Outcome = jianfu.CaseClosed, cl.Outcome
		if err := tx.setStage(c, ""); err != nil {
			return "", err
		}
		now := tx.now
		c.ClosedAt = &now
		note := strings.TrimSpace(cl.Note)
		return string(cl.Outcome), tx.caseEvent(c.ID, a, jianfu.CaseEvent{Action: "closed", FromStatus: from, ToStatus: c.Status,
			Note: "办结(" + jianfu.CaseOutcomeNames[cl.Outcome] + "):" + note, Public: true, PublicNote: "已办结,结果:" + jianfu.CaseOutcomeNames[cl.Outcome] + "。" + sentence(note)})
	})
}

// ReopenCase reopens a closed or rejected case at the office's decision.
func (s *Cases) ReopenCase(ctx context.Context, id int64, reason string) (*jianfu.Case, error) {
	return s.db.handle(ctx, id, "case.reopen", func(tx *Tx, a *jianfu.Actor, c *caseRow) (string, error) {
		if err := textBetween("reason", "重新办理的理由", reason, 4, 1000); err != nil {
			return "", err
		}
		if c.Status != jianfu.CaseClosed && c.Status != jianfu.CaseRejected {
			return "", wrongStatus(c, "无需重新办理", "there is nothing to reopen")
		}
		return "reopen", tx.reopenRow(c, a, "", strings.TrimSpace(reason))
	})
}

// reopen reopens a case in its own save (the reporter's request).
func (tx *Tx) reopen(c *caseRow, a *jianfu.Actor, by, reason string) error {
	was := c.Status
	if err := tx.reopenRow(c, a, by, reason); err != nil {
		return err
	}
	if err := tx.saveCase(c, was); err != nil {
		return err
	}
	e := &jianfu.AuditEntry{Action: "case.reopen", ObjectType: "case", ObjectID: fmt.Sprint(c.ID), RegionPath: c.RegionPath, Detail: c.Number + " by reporter", ActorName: by}
	return tx.appendAudit(e)
}

// reopenRow moves a closed case back to the office (accepted) and a
// rejected one back to triage (new).
func (tx *Tx) reopenRow(c *caseRow, a *jianfu.Actor, by, reason string) error {
	from := c.Status
	if from == jianfu.CaseRejected {
		c.Status = jianfu.CaseNew
	} else {
		c.Status = jianfu.CaseAccepted
	}
	c.Outcome, c.ClosedAt = "", nil
	c.ReopenCount++
	if err := tx.setStage(c, jianfu.StageTriage); err != nil {
		return err
	}
	who := "网信部门决定重新办理"
	if by == "reporter" {
		who = "反映人申请重新办理"
	}
	return tx.caseEvent(c.ID, a, jianfu.CaseEvent{Action: "reopened", ActorName: by, FromStatus: from, ToStatus: c.Status,
		Note: who + ":" + reason, Public: true, PublicNote: who + ":" + reason})
}

// AddOpinion records a 整改意见 or 问责建议 on a case.
func (s *Cases) AddOpinion(ctx context.Context, id int64, o jianfu.CaseOpinion) (*jianfu.CaseOpinion, error) {
	if !o.Kind.Valid() {
		return nil, jianfu.Errorf(jianfu.EINVALID, "意见类型应为 rectification(整改意见)或 accountability(问责建议)", "the kind is rectification or accountability")
	}
	if err := textBetween("text", jianfu.OpinionKindNames[o.Kind], o.Text, 10, 4000); err != nil {
		return nil, err
	}
	o.Text, o.Target = strings.TrimSpace(o.Text), strings.TrimSpace(o.Target)
	if utf8.RuneCountInString(o.Target) > 200 {
		return nil, jianfu.Errorf(jianfu.EINVALID, "问责对象过长(最多200字)", "the target is too long (200 characters at most)")
	}
	_, err := s.db.handle(ctx, id, "case.opinion", func(tx *Tx, a *jianfu.Actor, c *caseRow) (string, error) {
		if c.Status == jianfu.CaseMerged {
			return "", wrongStatus(c, "请在并入的线索上记录意见", "record opinions on the case it was merged into")
		}
		o.ActorName, o.OfficeName, o.At = a.Username, a.UnitName, tx.now
		oid, err := tx.insertID(`INSERT INTO case_opinions(case_id, kind, text, target, actor_id, actor_name, office_name, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, string(o.Kind), o.Text, o.Target, a.UserID, a.Username, a.UnitName, ms(tx.now))
		if err != nil {
			return "", err
		}
		o.ID = oid
		return string(o.Kind), tx.caseEvent(c.ID, a, jianfu.CaseEvent{Action: "opinion", Note: "提出" + jianfu.OpinionKindNames[o.Kind]})
	})
	if err != nil {
		return nil, err
	}
	return &o, nil
}
