package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"jianfu"
)

func scanForm(s interface{ Scan(...any) error }) (*jianfu.CheckForm, error) {
	var f jianfu.CheckForm
	var kind, status, answers, vetoes string
	var score sql.NullFloat64
	var passed sql.NullBool
	var vetoed bool
	var submitted sql.NullInt64
	if err := s.Scan(&f.ID, &f.CampaignID, &f.CampaignName, &f.ChannelID, &f.ChannelName, &kind, &f.Platform, &f.UnitID, &f.UnitName, &f.RegionPath,
		&f.Stratum, &f.ChecklistID, &f.InspectorID, &f.InspectorName, &status, &answers, &f.Evidence, &f.Opinion, &score, &vetoed, &passed, &vetoes,
		&submitted, &f.RectifyBy, &f.Deadline); err != nil {
		return nil, err
	}
	f.Kind, f.Status = jianfu.ChannelKind(kind), jianfu.FormStatus(status)
	json.Unmarshal([]byte(answers), &f.Answers)
	if f.Answers == nil {
		f.Answers = map[string]jianfu.Answer{}
	}
	if score.Valid {
		f.Result = &jianfu.Result{Score: score.Float64, Vetoed: vetoed, Passed: passed.Bool}
		json.Unmarshal([]byte(vetoes), &f.Result.Vetoes)
	}
	f.SubmittedAt = optMS(submitted)
	return &f, nil
}

// FindForms lists check forms of channels in scope.
func (s *Campaigns) FindForms(ctx context.Context, f jianfu.FormFilter) ([]*jianfu.CheckForm, int, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, 0, err
	}
	var w where
	w.ownedScope(a, "f")
	if f.CampaignID != 0 {
		w.add("f.campaign_id = ?", f.CampaignID)
	}
	if f.ChannelID != 0 {
		w.add("f.channel_id = ?", f.ChannelID)
	}
	if f.Status != "" {
		w.add("f.status = ?", string(f.Status))
	}
	if f.InspectorID != 0 {
		w.add("f.inspector_id = ?", f.InspectorID)
	}
	if f.Failed {
		w.add("f.passed = FALSE")
	}
	out, total, err := findPage(s.db.in(ctx), listQuery{count: ` FROM check_forms f`, rows: `SELECT ` + formCols + formFrom, w: w,
		sorts: map[string]string{"channel": "c.name", "unit": "u.name", "status": "f.status", "score": "f.score", "stratum": "f.stratum", "inspector": "us.name", "submitted": "f.submitted_at", "deadline": "cp.deadline"},
		order: "f.id"}, f.Page, scanForm)
	return out, total, err
}

// FindFormByID returns a form in scope and the checklist it is filled with.
func (s *Campaigns) FindFormByID(ctx context.Context, id int64) (*jianfu.CheckForm, *jianfu.Checklist, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, nil, err
	}
	var w where
	w.add("f.id = ?", id)
	w.ownedScope(a, "f")
	f, err := scanForm(s.db.queryRow(ctx, `SELECT `+formCols+formFrom+w.String(), w.args...))
	if err != nil {
		return nil, nil, s.db.translate(err, nForm)
	}
	list, err := scanChecklist(s.db.queryRow(ctx, `SELECT `+checklistCols+` FROM checklists WHERE id = ?`, f.ChecklistID))
	if err != nil {
		return nil, nil, err
	}
	return f, list, nil
}

// SaveForm records answers and, on submit, scores the form.
func (s *Campaigns) SaveForm(ctx context.Context, id int64, in jianfu.FormInput) (*jianfu.CheckForm, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	f, list, err := s.FindFormByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := a.MayFillForm(f); err != nil {
		return nil, err
	}
	if f.Status == jianfu.FormDone {
		return nil, jianfu.Errorf(jianfu.ECONFLICT, "该表单已提交,不能再修改", "the form was submitted and cannot change")
	}
	c, err := s.FindCampaignByID(ctx, f.CampaignID)
	if err != nil {
		return nil, err
	}
	if c.Status == jianfu.CampaignClosed {
		return nil, jianfu.Errorf(jianfu.ECONFLICT, "该抽查已结束,不能再填写", "the campaign is closed")
	}
	res, err := in.Prepare(f, list)
	if err != nil {
		return nil, err
	}
	err = s.db.inTx(ctx, func(tx *Tx) error {
		if !in.Submit {
			_, err := tx.exec(`UPDATE check_forms SET answers = ?, evidence = ?, opinion = ? WHERE id = ? AND status = 'pending'`, mustJSON(in.Answers), in.Evidence, in.Opinion, id)
			if err != nil {
				return err
			}
			return tx.audit("campaign.form.save", "check_form", id, f.RegionPath, f.ChannelName)
		}
		var rectifyBy, opinion string
		if !res.Passed {
			rectifyBy = dateOf(tx.db.calendar().AddWorkdays(tx.now, c.RectifyDays))
			opinion = list.RectificationOpinion(in.Answers, res, in.Opinion, rectifyBy)
		}
		r, err := tx.exec(`UPDATE check_forms SET answers = ?, evidence = ?, opinion = ?, score = ?, vetoed = ?, passed = ?, vetoes = ?, status = 'done', submitted_at = ?, rectify_by = ?
			WHERE id = ? AND status = 'pending'`, mustJSON(in.Answers), in.Evidence, in.RecordedOpinion(opinion), res.Score, res.Vetoed, res.Passed,
			mustJSON(orEmpty(res.Vetoes)), ms(tx.now), rectifyBy, id)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return jianfu.Errorf(jianfu.ECONFLICT, "该表单已被他人提交", "someone else submitted the form meanwhile")
		}
		if !res.Passed {
			if err := tx.addRectification(&jianfu.Rectification{Source: "campaign", CampaignID: c.ID, FormID: id, ChannelID: f.ChannelID, Opinion: opinion, Deadline: rectifyBy}); err != nil {
				return err
			}
			if err := tx.transitionChannel(a, f.ChannelID, jianfu.StatusRectifying, "campaign.fail", c.FailureNote(res), jianfu.StatusActive); err != nil {
				return err
			}
		}
		return tx.audit("campaign.form.submit", "check_form", id, f.RegionPath, fmt.Sprintf("%s:%g分,%s%s", f.ChannelName, res.Score, map[bool]string{true: "合格", false: "不合格"}[res.Passed], map[bool]string{true: "(有否决项)", false: ""}[res.Vetoed]))
	})
	if err != nil {
		return nil, err
	}
	f, _, err = s.FindFormByID(ctx, id)
	return f, err
}
