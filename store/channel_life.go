package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"jianfu"
)

// AllowedActions lists the actions the caller may take on the channel now.
func (s *Channels) AllowedActions(ctx context.Context, c *jianfu.Channel) []jianfu.ChannelAction {
	a := jianfu.ActorFrom(ctx)
	if a == nil {
		return nil
	}
	var unitPath string
	if err := s.db.queryRow(ctx, `SELECT path FROM units WHERE id = ?`, c.UnitID).Scan(&unitPath); err != nil {
		return nil
	}
	var out []jianfu.ChannelAction
	for _, act := range jianfu.ActionsFor(c) {
		if act.ByReviewer() {
			if a.MayReview(c) == nil {
				out = append(out, act)
			}
		} else if a.MayOwn(c.UnitID, unitPath) == nil {
			out = append(out, act)
		}
	}
	return out
}

// ActOnChannel takes a life-cycle step.
func (s *Channels) ActOnChannel(ctx context.Context, id int64, act jianfu.ChannelAction, note string) (*jianfu.Channel, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !act.Valid() {
		return nil, jianfu.Errorf(jianfu.EINVALID, "未知操作“%s”", "unknown action %q", act)
	}
	note = strings.TrimSpace(note)
	if len([]rune(note)) > 2000 {
		return nil, jianfu.Errorf(jianfu.EINVALID, "说明过长(最多2000字)", "the note is too long (2000 characters at most)")
	}
	var out *jianfu.Channel
	err = s.db.inTx(ctx, func(tx *Tx) error {
		r, err := tx.lockChannel(a, id)
		if err != nil {
			return err
		}
		c := r.Channel
		to, ok := act.Target(c)
		if !ok {
			return jianfu.Errorf(jianfu.EINVALID, "“%[1]s”不适用于%[2]s状态的渠道", "%[3]s does not apply to a channel that is %[4]s",
				jianfu.ActionNames[act], jianfu.StatusNames[c.Status], act, c.Status)
		}
		if act.ByReviewer() {
			if err := a.MayReview(c); err != nil {
				return err
			}
		} else if err := a.MayOwn(c.UnitID, r.unitPath); err != nil {
			return err
		}
		if act.NeedsNote() && note == "" {
			return &jianfu.Error{Code: jianfu.EINVALID, Message: "请填写" + jianfu.ActionNames[act] + "的理由", English: "give the reasons for " + string(act),
				Problems: []jianfu.Problem{{Field: "note", Message: "请填写理由", English: "reasons are required"}}}
		}
		from := c.Status
		if err := tx.act(a, r, act, to, note); err != nil {
			return err
		}
		if err := tx.channelEvent(a, id, string(act), string(from), string(to), note); err != nil {
			return err
		}
		if err := tx.notify(jianfu.FilingNotice(act, c, note)); err != nil {
			return err
		}
		detail := fmt.Sprintf("%s: %s → %s", c.Name, from, to)
		if c.FilingNumber != "" {
			detail += " " + c.FilingNumber
		}
		if err := tx.audit("channel."+string(act), "channel", id, c.RegionPath, detail); err != nil {
			return err
		}
		if !a.SeesPersonal(r.unitPath) {
			c.Mask()
		}
		out = c
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// act applies an action to the locked channel r, updating r in place.
func (tx *Tx) act(a *jianfu.Actor, r *chanRow, act jianfu.ChannelAction, to jianfu.ChannelStatus, note string) error {
	c := r.Channel
	now := tx.now
	set := map[string]any{}
	switch act {
	case jianfu.ActSubmit:
		checks, err := tx.runChecks(c)
		if err != nil {
			return err
		}
		if err := jianfu.BlockingError(checks); err != nil {
			return err
		}
		c.Checks, c.SubmittedAt, c.SubmittedBy = checks, &now, a.Username
		set["checks"], set["submitted_at"], set["submitted_by"] = jsonOf(checksOrEmpty(checks)), ms(now), a.Username
	case jianfu.ActWithdraw:
	case jianfu.ActApprove:
		num, err := tx.nextFilingNumber(c.RegionPath, c.Kind, now)
		if err != nil {
			return err
		}
		c.FilingNumber, c.FiledAt, c.ReviewNote = num, &now, note
		set["filing_number"], set["filed_at"], set["review_note"] = num, ms(now), note
	case jianfu.ActReturn, jianfu.ActRectify, jianfu.ActRejectExit, jianfu.ActRectified:
		c.ReviewNote = note
		set["review_note"] = note
	case jianfu.ActActivate, jianfu.ActRevalidate:
		months, err := tx.revalidationMonths()
		if err != nil {
			return err
		}
		due := jianfu.RevalidationDue(now, months)
		c.RevalidationDue = &due
		set["revalidate_due_at"] = ms(due)
		if act == jianfu.ActRevalidate {
			c.RevalidatedAt = &now
			set["revalidated_at"] = ms(now)
		}
	case jianfu.ActRequestExit:
		c.ReviewNote = note
		set["review_note"] = note
	case jianfu.ActClose:
	case jianfu.ActApproveChange:
		return tx.applyChange(a, r, note)
	case jianfu.ActReturnChange, jianfu.ActWithdrawChange:
		c.Pending = nil
		set["pending"] = ""
		if act == jianfu.ActReturnChange {
			c.ReviewNote = note
			set["review_note"] = note
		}
	}
	return tx.moveStatus(c, to, set)
}

// moveStatus writes the columns in set and moves the channel to status to:
// its counter, its re-validation due date (kept only while it runs) and
// its closing date follow.
func (tx *Tx) moveStatus(c *jianfu.Channel, to jianfu.ChannelStatus, set map[string]any) error {
	now := tx.now
	if to == jianfu.StatusClosed && c.ClosedAt == nil {
		c.ClosedAt = &now
		set["closed_at"] = ms(now)
	}
	// Re-validation is due only while the channel runs.
	switch {
	case !to.Running():
		c.RevalidationDue = nil
		set["revalidate_due_at"] = nil
	case c.RevalidationDue == nil:
		months, err := tx.revalidationMonths()
		if err != nil {
			return err
		}
		due := c.NextRevalidation(now, months)
		c.RevalidationDue = &due
		set["revalidate_due_at"] = ms(due)
	}
	if to != c.Status {
		if err := tx.moveCount(c.RegionPath, c.Kind, c.Platform, c.Status, c.Platform, to); err != nil {
			return err
		}
		set["status"] = string(to)
		c.Status = to
	}
	c.UpdatedAt = now
	set["updated_at"] = ms(now)
	return tx.updateCols(c.ID, set)
}

// updateCols sets columns of a channel row.
func (tx *Tx) updateCols(id int64, set map[string]any) error {
	var cols []string
	var args []any
	for k, v := range set {
		cols = append(cols, k+" = ?")
		args = append(args, v)
	}
	_, err := tx.exec(`UPDATE channels SET `+strings.Join(cols, ", ")+` WHERE id = ?`, append(args, id)...)
	if isUnique(err) {
		return jianfu.Errorf(jianfu.ECONFLICT, "备案号重复,请重试", "the filing number is taken; try again")
	}
	return err
}

// applyChange makes a pending change the channel's state: a new version.
func (tx *Tx) applyChange(a *jianfu.Actor, r *chanRow, note string) error {
	c := r.Channel
	next := *c
	next.TakeEdits(c.Pending.Proposed)
	if err := next.Validate(); err != nil {
		return err
	}
	if err := tx.saveChannel(r, &next); err != nil {
		return err
	}
	if _, err := tx.exec(`UPDATE channels SET pending = '', checks = ?, review_note = ? WHERE id = ?`, jsonOf(checksOrEmpty(c.Pending.Checks)), note, c.ID); err != nil {
		return err
	}
	next.Version, next.UpdatedAt, next.Checks, next.Pending, next.ReviewNote = c.Version+1, tx.now, c.Pending.Checks, nil, note
	*c = next
	return tx.channelVersion(a, c)
}

// nextFilingNumber issues the next filing number of the unit's region,
// kind and year, inside the transaction that approves.
func (tx *Tx) nextFilingNumber(regionPath string, kind jianfu.ChannelKind, at time.Time) (string, error) {
	code := jianfu.FilingRegionCode(regionPath)
	year := at.In(jianfu.China).Year()
	var seq int
	err := tx.queryRow(`INSERT INTO filing_sequences(region_code, kind, year, last) VALUES (?, ?, ?, 1)
		ON CONFLICT (region_code, kind, year) DO UPDATE SET last = filing_sequences.last + 1 RETURNING last`,
		code, string(kind), year).Scan(&seq)
	if err != nil {
		return "", fmt.Errorf("allocate filing number: %w", err)
	}
	if seq > 99999 {
		return "", jianfu.Errorf(jianfu.ECONFLICT, "%s地区%d年的备案号已用完(99999)", "filing numbers of region %s for %d are exhausted", code, year)
	}
	return jianfu.FormatFilingNumber(code, kind, year, seq), nil
}

// reserveFilingNumber records a filing number issued elsewhere (an imported
// ledger) so the sequence never issues it again.
func (tx *Tx) reserveFilingNumber(f jianfu.FilingNumber) error {
	_, err := tx.exec(`INSERT INTO filing_sequences(region_code, kind, year, last) VALUES (?, ?, ?, ?)
		ON CONFLICT (region_code, kind, year) DO UPDATE SET last = CASE WHEN filing_sequences.last < excluded.last THEN excluded.last ELSE filing_sequences.last END`,
		f.RegionCode, string(f.Kind), f.Year, f.Seq)
	return err
}

// revalidationMonths reads the re-validation interval setting.
func (tx *Tx) revalidationMonths() (int, error) {
	s, err := tx.ruleSetting(jianfu.RuleRevalidation)
	if err != nil {
		return 0, err
	}
	return jianfu.RevalidationMonths(s), nil
}

// setChannelStatus moves a channel to status to for another capability's
// workflow (an exit order of the cleanup, a failed spot check's
// rectification) when it is in one of from (any, when none are given) and
// not there already: with its counter and dates, an event on its timeline
// and an audit entry, in the caller's transaction.
func (tx *Tx) setChannelStatus(a *jianfu.Actor, id int64, to jianfu.ChannelStatus, action, note string, from ...jianfu.ChannelStatus) error {
	lock := ""
	if tx.db.engine == Postgres {
		lock = " FOR UPDATE OF c"
	}
	r, err := scanChannelRow(tx.queryRow(`SELECT `+channelCols+channelFrom+` WHERE c.id = ?`+lock, id))
	if err != nil {
		return tx.db.translate(err, nChannel)
	}
	c := r.Channel
	ok := len(from) == 0
	for _, f := range from {
		ok = ok || c.Status == f
	}
	if !ok || c.Status == to {
		return nil
	}
	prev := c.Status
	if err := tx.moveStatus(c, to, map[string]any{}); err != nil {
		return err
	}
	if err := tx.channelEvent(a, id, action, string(prev), string(to), note); err != nil {
		return err
	}
	return tx.audit("channel."+action, "channel", id, c.RegionPath, fmt.Sprintf("%s → %s: %s", prev, to, note))
}
