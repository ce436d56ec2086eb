package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"

	"jianfu"
	"jianfu/redact"
)

const typicalCols = `t.id, t.case_id, t.title, t.summary, t.lesson, t.category, t.outcome, r.name, t.status, t.drafted_by, t.published_by, t.published_at, t.updated_at`
const typicalFrom = ` FROM typical_cases t JOIN regions r ON r.path = t.region_path`

func scanTypical(s interface{ Scan(...any) error }) (*jianfu.TypicalCase, error) {
	var t jianfu.TypicalCase
	var outcome string
	var published sql.NullInt64
	var updated int64
	if err := s.Scan(&t.ID, &t.CaseID, &t.Title, &t.Summary, &t.Lesson, &t.Category, &outcome, &t.RegionName, &t.Status, &t.DraftedBy, &t.PublishedBy, &published, &updated); err != nil {
		return nil, err
	}
	t.Outcome, t.PublishedAt, t.UpdatedAt = jianfu.CaseOutcome(outcome), optMS(published), fromMS(updated)
	return &t, nil
}

// knownNames are the names of people tied to a case: its reporter, when
// named (opened from the seal inside the store, never shown), and its
// channel's responsible person, group owner and administrators. A typical
// case must not carry them.
func (tx *Tx) knownNames(c *caseRow) ([]string, error) {
	var names []string
	if id, err := tx.sealedIdentity(c.ID); err != nil {
		return nil, err
	} else if id != nil {
		names = append(names, id.Name)
	}
	if c.ChannelID == 0 {
		return names, nil
	}
	var person, owner, admins string
	if err := tx.queryRow(`SELECT responsible_person, owner, admins FROM channels WHERE id = ?`, c.ChannelID).Scan(&person, &owner, &admins); err != nil {
		return nil, err
	}
	names = append(names, person, owner)
	var list []string
	json.Unmarshal([]byte(admins), &list)
	return append(names, list...), nil
}

// personalDataLeft finds the personal data left in the texts of a typical
// case, with where each piece is.
func personalDataLeft(red *redact.Redactor, t *jianfu.TypicalCase) []jianfu.PersonalDataLeft {
	var out []jianfu.PersonalDataLeft
	for _, f := range t.Texts() {
		for _, l := range red.Leaks(f.Text, 8) {
			out = append(out, jianfu.PersonalDataLeft{Text: f, Kind: l.Kind.String(), KindEN: l.Kind.English(), At: l.Start + 1, Excerpt: l.Excerpt})
		}
	}
	return out
}

// TypicalOfCase returns the typical-case record of a case in scope
// (ENOTFOUND when there is none).
func (s *Typical) TypicalOfCase(ctx context.Context, id int64) (*jianfu.TypicalCase, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := caseReadAccess(a); err != nil {
		return nil, err
	}
	var w where
	w.add("c.id = ?", id)
	w.caseScope(a)
	t, err := scanTypical(s.db.queryRow(ctx, `SELECT `+typicalCols+typicalFrom+` JOIN cases c ON c.id = t.case_id`+w.String(), w.args...))
	if err != nil {
		return nil, s.db.translate(err, noun{"典型案例", "typical case"})
	}
	return t, nil
}

// DraftTypical saves (or replaces) the anonymised draft of a closed case as
// a typical case. The text is redacted here as well: phone and ID numbers,
// e-mails and the names the registry knows for the channel are masked.
func (s *Typical) DraftTypical(ctx context.Context, id int64, in jianfu.TypicalCase) (*jianfu.TypicalCase, error) {
	if err := in.ValidateDraft(); err != nil {
		return nil, err
	}
	var out *jianfu.TypicalCase
	_, err := s.db.handle(ctx, id, "typical.draft", func(tx *Tx, a *jianfu.Actor, c *caseRow) (string, error) {
		accountable, err := tx.accountable(c.ID)
		if err != nil {
			return "", err
		}
		if err := c.CanBecomeTypical(accountable); err != nil {
			return "", err
		}
		names, err := tx.knownNames(c)
		if err != nil {
			return "", err
		}
		red := redact.New(names...)
		title, summary, lesson := red.Placeholders(strings.TrimSpace(in.Title)), red.Placeholders(strings.TrimSpace(in.Summary)), red.Placeholders(strings.TrimSpace(in.Lesson))
		res, err := tx.exec(`UPDATE typical_cases SET title = ?, summary = ?, lesson = ?, category = ?, outcome = ?, status = 'draft', drafted_by = ?, drafted_id = ?,
			published_by = '', published_at = NULL, updated_at = ? WHERE case_id = ?`,
			title, summary, lesson, c.Category, string(c.Outcome), a.Username, a.UserID, ms(tx.now), c.ID)
		if err != nil {
			return "", err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := tx.insertID(`INSERT INTO typical_cases(case_id, region_path, title, summary, lesson, category, outcome, status, drafted_by, drafted_id, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?)`, c.ID, jianfu.TypicalRegion(c.RegionPath), title, summary, lesson, c.Category, string(c.Outcome), a.Username, a.UserID, ms(tx.now)); err != nil {
				return "", err
			}
		}
		out, err = scanTypical(tx.queryRow(`SELECT `+typicalCols+typicalFrom+` WHERE t.case_id = ?`, c.ID))
		if err != nil {
			return "", err
		}
		c.Typical = "draft"
		if err := tx.notify(jianfu.TypicalNotice(&c.Case, out, a.Name)); err != nil {
			return "", err
		}
		return "typical draft", tx.caseEvent(c.ID, a, out.Drafted())
	})
	return out, err
}

// PublishTypical publishes a drafted typical case after review: by a
// supervisor other than the one who drafted it, and only when no personal
// data is left in it.
func (s *Typical) PublishTypical(ctx context.Context, id int64) (*jianfu.TypicalCase, error) {
	var out *jianfu.TypicalCase
	_, err := s.db.handle(ctx, id, "typical.publish", func(tx *Tx, a *jianfu.Actor, c *caseRow) (string, error) {
		if !a.CanPublishTypical() {
			return "", forbidden("典型案例须经监管人员审核发布", "typical cases are published by a supervisor")
		}
		t, err := scanTypical(tx.queryRow(`SELECT `+typicalCols+typicalFrom+` WHERE t.case_id = ?`, c.ID))
		if err != nil {
			return "", jianfu.Errorf(jianfu.ECONFLICT, "该线索还没有典型案例草稿,请先起草", "the case has no typical-case draft; draft one first")
		}
		if err := t.CanPublish(); err != nil {
			return "", err
		}
		var draftedID int64
		if err := tx.queryRow(`SELECT drafted_id FROM typical_cases WHERE id = ?`, t.ID).Scan(&draftedID); err != nil {
			return "", err
		}
		if !a.CanPublishTypicalOf(draftedID) {
			return "", forbidden("典型案例须由起草人以外的监管人员审核发布", "a typical case is reviewed and published by a supervisor other than its drafter")
		}
		names, err := tx.knownNames(c)
		if err != nil {
			return "", err
		}
		if err := jianfu.PublicationRefused(personalDataLeft(redact.New(names...), t)); err != nil {
			return "", err
		}
		if _, err := tx.exec(`UPDATE typical_cases SET status = 'published', published_by = ?, published_at = ?, updated_at = ? WHERE id = ?`, a.Username, ms(tx.now), ms(tx.now), t.ID); err != nil {
			return "", err
		}
		out, err = scanTypical(tx.queryRow(`SELECT `+typicalCols+typicalFrom+` WHERE t.id = ?`, t.ID))
		if err != nil {
			return "", err
		}
		c.Typical = "published"
		return "typical publish", tx.caseEvent(c.ID, a, t.Published())
	})
	return out, err
}

// WithdrawTypical takes a published typical case off the public page.
func (s *Typical) WithdrawTypical(ctx context.Context, id int64, reason string) error {
	reason, err := jianfu.WithdrawalReason(reason)
	if err != nil {
		return err
	}
	_, err = s.db.handle(ctx, id, "typical.withdraw", func(tx *Tx, a *jianfu.Actor, c *caseRow) (string, error) {
		res, err := tx.exec(`UPDATE typical_cases SET status = 'withdrawn', updated_at = ? WHERE case_id = ? AND status <> 'withdrawn'`, ms(tx.now), c.ID)
		if err != nil {
			return "", err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return "", jianfu.Errorf(jianfu.ECONFLICT, "该线索没有可撤回的典型案例", "the case has no typical case to withdraw")
		}
		c.Typical = "withdrawn"
		return "typical withdraw", tx.caseEvent(c.ID, a, jianfu.TypicalWithdrawn(reason))
	})
	return err
}

// FindTypicalCases lists published typical cases, newest first. Public.
func (s *Typical) FindTypicalCases(ctx context.Context, f jianfu.TypicalFilter) ([]*jianfu.TypicalCase, int, error) {
	var w where
	w.add("t.status = 'published'")
	if f.Category != "" {
		w.add("t.category = ?", f.Category)
	}
	w.like(f.Query, "t.title", "t.summary")
	out, total, err := findPage(s.db.in(ctx), listQuery{count: typicalFrom, rows: `SELECT ` + typicalCols + typicalFrom, w: w,
		sorts: map[string]string{"published": "t.published_at", "title": "t.title", "category": "t.category"}, order: "t.published_at DESC, t.id DESC"},
		f.Page, scanTypical)
	return out, total, err
}

// FindTypicalCase returns one published typical case. Public.
func (s *Typical) FindTypicalCase(ctx context.Context, id int64) (*jianfu.TypicalCase, error) {
	t, err := scanTypical(s.db.queryRow(ctx, `SELECT `+typicalCols+typicalFrom+` WHERE t.id = ? AND t.status = 'published'`, id))
	if err != nil {
		return nil, s.db.translate(err, noun{"典型案例", "typical case"})
	}
	return t, nil
}

// accountable reports whether an accountability proposal (问责建议) was
// made on the case.
func (tx *Tx) accountable(caseID int64) (bool, error) {
	var n int
	err := tx.queryRow(`SELECT COUNT(*) FROM case_opinions WHERE case_id = ? AND kind = ?`, caseID, string(jianfu.OpinionAccountability)).Scan(&n)
	return n > 0, err
}
