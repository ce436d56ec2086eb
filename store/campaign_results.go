package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"jianfu"
)

// CloseCampaign makes a campaign's results final.
func (s *Campaigns) CloseCampaign(ctx context.Context, id int64) (*jianfu.Campaign, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.FindCampaignByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !a.Has(jianfu.RoleSupervisor) || !a.RegionWide() {
		return nil, forbidden("结束抽查需要监管人员角色", "closing a campaign needs the supervisor role")
	}
	if c.Status == jianfu.CampaignClosed {
		return nil, jianfu.Errorf(jianfu.ECONFLICT, "该抽查已结束", "the campaign is already closed")
	}
	err = s.db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(`UPDATE campaigns SET status = ?, closed_at = ? WHERE id = ?`, string(jianfu.CampaignClosed), ms(tx.now), id); err != nil {
			return err
		}
		return tx.audit("campaign.close", "campaign", id, c.RegionPath, fmt.Sprintf("完成%d份(抽查%d份),不合格%d份", c.Done, c.Sampled, c.Failed))
	})
	if err != nil {
		return nil, err
	}
	return s.FindCampaignByID(ctx, id)
}

// VerifySample redraws the sample from the recorded population and seed.
func (s *Campaigns) VerifySample(ctx context.Context, id int64) (*jianfu.SampleCheck, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.FindCampaignByID(ctx, id)
	if err != nil {
		return nil, err
	}
	var popJSON string
	if err := s.db.queryRow(ctx, `SELECT population FROM campaigns WHERE id = ?`, id).Scan(&popJSON); err != nil {
		return nil, err
	}
	var pop map[string][]int64
	if err := json.Unmarshal([]byte(popJSON), &pop); err != nil {
		return nil, fmt.Errorf("campaign %d population: %w", id, err)
	}
	rows, err := s.db.query(ctx, `SELECT channel_id FROM check_forms WHERE campaign_id = ? ORDER BY channel_id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var recorded []int64
	for rows.Next() {
		var cid int64
		if err := rows.Scan(&cid); err != nil {
			return nil, err
		}
		recorded = append(recorded, cid)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	res := c.Redraw(pop, recorded)
	if !a.RegionWide() {
		// Unit-scoped callers learn whether it matches, not which channels
		// of other units were drawn.
		res.Recorded, res.Redrawn = nil, nil
	}
	return res, nil
}

// CampaignResults aggregates submitted forms in the caller's scope.
func (s *Campaigns) CampaignResults(ctx context.Context, id int64) (*jianfu.CampaignResults, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.FindCampaignByID(ctx, id); err != nil {
		return nil, err
	}
	var w where
	w.add("f.campaign_id = ?", id)
	w.add("f.status = 'done'")
	w.ownedScope(a, "f")
	agg := `COUNT(*), SUM(CASE WHEN f.passed THEN 1 ELSE 0 END), SUM(CASE WHEN f.passed THEN 0 ELSE 1 END), SUM(CASE WHEN f.vetoed THEN 1 ELSE 0 END), AVG(CASE WHEN f.vetoed THEN NULL ELSE f.score END)`
	res := &jianfu.CampaignResults{}
	scan := func(rows *sql.Rows, withUnit bool) ([]jianfu.UnitResult, error) {
		defer rows.Close()
		var out []jianfu.UnitResult
		for rows.Next() {
			var r jianfu.UnitResult
			var avg sql.NullFloat64
			var err error
			if withUnit {
				err = rows.Scan(&r.UnitID, &r.Name, &r.RegionPath, &r.Checked, &r.Passed, &r.Failed, &r.Vetoed, &avg)
			} else {
				err = rows.Scan(&r.RegionPath, &r.Checked, &r.Passed, &r.Failed, &r.Vetoed, &avg)
			}
			if err != nil {
				return nil, err
			}
			if avg.Valid {
				r.AvgScore = jianfu.Round1P(&avg.Float64)
			}
			out = append(out, r)
		}
		return out, rows.Err()
	}
	rows, err := s.db.query(ctx, `SELECT f.unit_id, u.name, u.region_path, `+agg+` FROM check_forms f JOIN units u ON u.id = f.unit_id`+w.String()+
		` GROUP BY f.unit_id, u.name, u.region_path ORDER BY 8 DESC, 2`, w.args...)
	if err != nil {
		return nil, err
	}
	if res.Units, err = scan(rows, true); err != nil {
		return nil, err
	}
	// Regions are the strata's regions (the stratum key up to its slash).
	rows, err = s.db.query(ctx, `SELECT f.stratum, `+agg+` FROM check_forms f`+w.String()+` GROUP BY f.stratum ORDER BY 1`, w.args...)
	if err != nil {
		return nil, err
	}
	byStratum, err := scan(rows, false)
	if err != nil {
		return nil, err
	}
	res.Regions = jianfu.RegionResults(byStratum)
	for i := range res.Regions {
		res.Regions[i].Name = s.db.regionName(ctx, res.Regions[i].RegionPath)
	}
	return res, nil
}

// CampaignReport reads what the campaign's workbook and notice show — the
// campaign, every form in scope, the results and the redrawn sample — and
// audits the download as one read of the results.
func (s *Campaigns) CampaignReport(ctx context.Context, id int64, what string) (*jianfu.CampaignReport, error) {
	c, err := s.FindCampaignByID(ctx, id)
	if err != nil {
		return nil, err
	}
	rep := &jianfu.CampaignReport{Campaign: c}
	const batch = 1000
	for off := 0; ; off += batch {
		forms, total, err := s.FindForms(ctx, jianfu.FormFilter{CampaignID: id, Page: jianfu.Page{Limit: batch, Offset: off, Sort: "stratum"}})
		if err != nil {
			return nil, err
		}
		rep.Forms = append(rep.Forms, forms...)
		if off+batch >= total {
			break
		}
	}
	if rep.Results, err = s.CampaignResults(ctx, id); err != nil {
		return nil, err
	}
	if rep.Check, err = s.VerifySample(ctx, id); err != nil {
		return nil, err
	}
	return rep, s.db.inTx(ctx, func(tx *Tx) error {
		return tx.audit("campaign.report", "campaign", id, c.RegionPath, fmt.Sprintf("%s,%d份检查表", map[string]string{"xlsx": "导出Excel", "docx": "导出Word通报"}[what], len(rep.Forms)))
	})
}
