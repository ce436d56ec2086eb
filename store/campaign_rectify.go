package store

import (
	"context"
	"database/sql"
	"fmt"
	"jianfu"
	"strings"
)

// addRectification records an item of 整改意见 for the channel's unit.
func (tx *Tx) addRectification(r *jianfu.Rectification) error {
	var unitPath string
	if err := tx.queryRow(`SELECT unit_id, unit_path, region_path FROM channels WHERE id = ?`, r.ChannelID).Scan(&r.UnitID, &unitPath, &r.RegionPath); err != nil {
		return err
	}
	r.Status, r.CreatedAt = jianfu.RectOpen, tx.now
	id, err := tx.insertID(`INSERT INTO rectifications(source, campaign_id, form_id, channel_id, unit_id, unit_path, region_path, opinion, deadline, status, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.Source, nullInt(r.CampaignID), nullInt(r.FormID), r.ChannelID, r.UnitID, unitPath, r.RegionPath,
		r.Opinion, r.Deadline, string(r.Status), ms(tx.now))
	if err != nil {
		return err
	}
	r.ID = id
	if err := tx.audit("rectification.create", "rectification", id, r.RegionPath, fmt.Sprintf("%s,整改时限%s", r.ChannelName, r.Deadline)); err != nil {
		return err
	}
	if r.Source != "campaign" {
		return nil
	}
	// A failed spot check becomes a case carrying the 整改意见, so the office
	// follows it through transfer, answer and verification; the unit still
	// confirms the rectification item itself.
	a := tx.actor
	if a == nil {
		a = jianfu.SystemActor("campaign")
	}
	c, _, err := tx.openClue(a, &jianfu.Clue{Source: jianfu.SourceSpotCheck, SourceRef: fmt.Sprintf("rectification:%d", id),
		Category: jianfu.CategoryOther, ChannelID: r.ChannelID, Description: r.Opinion})
	if err != nil {
		return fmt.Errorf("open the case of rectification %d: %w", id, err)
	}
	if _, err := tx.exec(`UPDATE rectifications SET case_id = ? WHERE id = ?`, c.ID, id); err != nil {
		return err
	}
	r.CaseID = c.ID
	return nil
}

func scanRect(s interface{ Scan(...any) error }) (*jianfu.Rectification, error) {
	var r jianfu.Rectification
	var status string
	var created int64
	var rectified sql.NullInt64
	if err := s.Scan(&r.ID, &r.Source, &r.CampaignID, &r.FormID, &r.ChannelID, &r.ChannelName, &r.UnitID, &r.UnitName, &r.RegionPath, &r.Opinion,
		&r.Deadline, &status, &r.CaseID, &r.CaseNumber, &created, &rectified); err != nil {
		return nil, err
	}
	r.Status, r.CreatedAt, r.RectifiedAt = jianfu.RectificationStatus(status), fromMS(created), optMS(rectified)
	return &r, nil
}

// FindRectifications lists rectification items in scope.
func (s *Campaigns) FindRectifications(ctx context.Context, f jianfu.RectificationFilter) ([]*jianfu.Rectification, int, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, 0, err
	}
	var w where
	w.ownedScope(a, "r")
	if f.Status != "" {
		w.add("r.status = ?", string(f.Status))
	}
	if f.CampaignID != 0 {
		w.add("r.campaign_id = ?", f.CampaignID)
	}
	if f.UnitID != 0 {
		w.add("r.unit_id = ?", f.UnitID)
	}
	out, total, err := findPage(s.db.in(ctx), listQuery{count: ` FROM rectifications r`, rows: `SELECT ` + rectCols + rectFrom, w: w,
		sorts: map[string]string{"deadline": "r.deadline", "unit": "u.name", "status": "r.status", "channel": "c.name"}, order: "r.id DESC"}, f.Page, scanRect)
	return out, total, err
}

// MarkRectified records a completed rectification; a channel left with no
// open item returns from rectifying to active.
func (s *Campaigns) MarkRectified(ctx context.Context, id int64, note string) (*jianfu.Rectification, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.HasAny(jianfu.RoleUnitAdmin, jianfu.RoleSupervisor) {
		return nil, forbidden("确认整改需要单位管理员或监管人员角色", "confirming a rectification needs the unit administrator or supervisor role")
	}
	var out *jianfu.Rectification
	err = s.db.inTx(ctx, func(tx *Tx) error {
		var w where
		w.add("r.id = ?", id)
		w.ownedScope(a, "r")
		r, err := scanRect(tx.queryRow(`SELECT `+rectCols+rectFrom+w.String(), w.args...))
		if err != nil {
			return s.db.translate(err, nRectification)
		}
		if r.Status == jianfu.RectRectified {
			return jianfu.Errorf(jianfu.ECONFLICT, "该事项已整改", "the item is already rectified")
		}
		if _, err := tx.exec(`UPDATE rectifications SET status = ?, rectified_at = ? WHERE id = ?`, string(jianfu.RectRectified), ms(tx.now), id); err != nil {
			return err
		}
		var open int
		if err := tx.queryRow(`SELECT COUNT(*) FROM rectifications WHERE channel_id = ? AND status <> 'rectified'`, r.ChannelID).Scan(&open); err != nil {
			return err
		}
		if open == 0 {
			if err := tx.transitionChannel(a, r.ChannelID, jianfu.StatusActive, "rectified", "整改完成:"+strings.TrimSpace(note), jianfu.StatusRectifying); err != nil {
				return err
			}
		}
		r.Status, r.RectifiedAt = jianfu.RectRectified, &tx.now
		out = r
		return tx.audit("rectification.done", "rectification", id, r.RegionPath, strings.TrimSpace(note))
	})
	return out, err
}
