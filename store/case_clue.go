package store

import (
	"context"
	"encoding/json"
	"fmt"

	"jianfu"
)

// CreateClue adds a clue found by the administration. The same source and
// source reference twice gives back the case made the first time (and
// false). Supervisors, case handlers and inspectors may add clues in their
// region.
func (s *Intake) CreateClue(ctx context.Context, cl *jianfu.Clue) (*jianfu.Case, bool, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, false, err
	}
	if !a.CanAddClues() {
		return nil, false, forbidden("登记线索需要监管人员、线索办理员或抽查评估员角色", "adding clues needs the supervisor, case handler or inspector role")
	}
	if err := cl.Validate(); err != nil {
		return nil, false, err
	}
	var out *jianfu.Case
	created := false
	err = s.db.inTx(ctx, func(tx *Tx) error {
		var err error
		out, created, err = tx.openClue(a, cl)
		return err
	})
	return out, created, err
}

// openClue registers a validated clue as a new case inside the
// transaction; the same source and reference give back the existing case.
// Other capabilities (spot checks) call it to open cases in their own
// transactions.
func (tx *Tx) openClue(a *jianfu.Actor, cl *jianfu.Clue) (out *jianfu.Case, created bool, err error) {
	err = func() error {
		if cl.SourceRef != "" {
			var id int64
			err := tx.queryRow(`SELECT id FROM cases WHERE source = ? AND source_ref = ?`, string(cl.Source), cl.SourceRef).Scan(&id)
			if err == nil {
				c, err := tx.loadCase(a, id)
				if err != nil {
					return jianfu.Errorf(jianfu.ECONFLICT, "来源记录%s已登记为线索(不在您的管辖范围内)", "source record %s is a clue already (outside your scope)", cl.SourceRef)
				}
				out = c.visibleTo(a)
				return nil
			}
			if err != errNoRows {
				return err
			}
		}
		region := ""
		var channelID any
		if cl.ChannelID != 0 {
			var w where
			w.add("c.id = ?", cl.ChannelID)
			w.channelScope(a)
			if err := tx.queryRow(`SELECT c.region_path FROM channels c`+w.String(), w.args...).Scan(&region); err != nil {
				return jianfu.Errorf(jianfu.EINVALID, "渠道(编号%d)不存在或不在您的管辖范围内", "channel %d does not exist or is outside your scope", cl.ChannelID)
			}
			channelID = cl.ChannelID
		} else {
			_, path, _, err := jianfu.ParseRegionCode(cl.RegionCode)
			if err != nil {
				return err
			}
			var one int
			if err := tx.queryRow(`SELECT 1 FROM regions WHERE path = ?`, path).Scan(&one); err != nil || !a.SeesRegion(path) {
				return jianfu.Errorf(jianfu.EINVALID, "地区%s不存在或不在您的管辖范围内", "region %s does not exist or is outside your scope", cl.RegionCode)
			}
			region = path
		}
		category := cl.CaseCategory()
		props, _ := json.Marshal(jianfu.Proposals(cl.Proposed))
		id, err := tx.insertID(`INSERT INTO cases(source, source_ref, category, categories, proposed, description, channel_id, region_path, status, anonymous, created_at, updated_at)
			VALUES (?, ?, ?, '[]', ?, ?, ?, ?, 'new', TRUE, ?, ?)`,
			string(cl.Source), cl.SourceRef, category, string(props), cl.Description, channelID, region, ms(tx.now), ms(tx.now))
		if err != nil {
			return tx.db.translate(err, nCase)
		}
		if _, err := tx.exec(`UPDATE cases SET number = ? WHERE id = ?`, jianfu.CaseNumber(tx.now, id), id); err != nil {
			return err
		}
		c, err := tx.loadCase(jianfu.SystemActor("intake"), id)
		if err != nil {
			return err
		}
		if err := tx.setStage(c, jianfu.StageTriage); err != nil {
			return err
		}
		if err := tx.saveCase(c, c.Status); err != nil {
			return err
		}
		if err := tx.caseEvent(id, a, cl.Registered()); err != nil {
			return err
		}
		out, created = c.visibleTo(a), true
		return tx.audit("case.create", "case", id, region, fmt.Sprintf("%s %s", c.Number, jianfu.CaseSourceNames[cl.Source]))
	}()
	return out, created, err
}
