package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"jianfu"
	"jianfu/redact"
)

// trackingDigest is what the store keeps of a tracking code, its key in
// the cases table: the digest of the code's canonical form
// (jianfu.TrackingKey), so the code itself is never stored and "k7qm 4xpr
// 9tbw" finds the case of "K7QM-4XPR-9TBW". Changing it would orphan every
// code handed out, so it stays with the rows it finds.
func trackingDigest(code string) string {
	sum := sha256.Sum256([]byte("jianfu tracking " + jianfu.TrackingKey(code)))
	return hex.EncodeToString(sum[:])
}

// caseByTracking finds the case of a tracking code, nil when none.
func (tx *Tx) caseByTracking(code string) (*caseRow, error) {
	var id int64
	err := tx.queryRow(`SELECT id FROM cases WHERE tracking_digest = ?`, trackingDigest(code)).Scan(&id)
	if err == errNoRows {
		return nil, jianfu.Errorf(jianfu.ENOTFOUND, "查询码不正确,请核对后重新输入(查询码形如 K7QM-4XPR-9TBW)", "no case has this tracking code; check it (it looks like K7QM-4XPR-9TBW)")
	}
	if err != nil {
		return nil, err
	}
	return tx.loadCase(jianfu.SystemActor("tracking"), id)
}

// publicOf is what the public sees of a case, with its public timeline
// when withEvents (the latest public note either way).
func (tx *Tx) publicOf(c *caseRow, withEvents bool) (*jianfu.PublicCase, error) {
	rows, err := tx.query(`SELECT at, public_note FROM case_events WHERE case_id = ? AND public = TRUE ORDER BY id`, c.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var events []*jianfu.PublicEvent
	for rows.Next() {
		var e jianfu.PublicEvent
		var at int64
		if err := rows.Scan(&at, &e.Text); err != nil {
			return nil, err
		}
		e.At = fromMS(at)
		events = append(events, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	p := c.Public(tx.now, events)
	if !withEvents {
		p.Events = nil
	}
	rating, err := tx.satisfaction(c.ID)
	if err != nil {
		return nil, err
	}
	p.Satisfaction = rating
	p.CanRate = c.CanRateSatisfaction(rating != "") == nil
	return p, nil
}

// satisfaction is the reporter's answer to the follow-up, "" before one.
func (tx *Tx) satisfaction(caseID int64) (jianfu.Satisfaction, error) {
	var rating string
	err := tx.queryRow(`SELECT rating FROM case_satisfaction WHERE case_id = ?`, caseID).Scan(&rating)
	if err == errNoRows {
		return "", nil
	}
	return jianfu.Satisfaction(rating), err
}

// RateSatisfaction records the reporter's answer to the follow-up after
// closure (满意度回访), once; the comment is kept with its personal data
// replaced. The answer joins the case's timeline and counts in the
// channel's scorecard (jianfu.SatisfactionWeight).
func (s *Intake) RateSatisfaction(ctx context.Context, code string, f jianfu.SatisfactionFollowUp) error {
	return s.db.inTx(ctx, func(tx *Tx) error {
		c, err := tx.caseByTracking(code)
		if err != nil {
			return err
		}
		rating, err := tx.satisfaction(c.ID)
		if err != nil {
			return err
		}
		if err := c.CanRateSatisfaction(rating != ""); err != nil {
			return err
		}
		f.Comment = redact.Placeholders(strings.TrimSpace(f.Comment))
		ev, err := c.RateSatisfaction(f)
		if err != nil {
			return err
		}
		if _, err := tx.exec(`INSERT INTO case_satisfaction(case_id, rating, comment, at) VALUES (?, ?, ?, ?)`, c.ID, string(f.Rating), f.Comment, ms(tx.now)); err != nil {
			return err
		}
		if err := tx.caseEvents(c.ID, nil, []jianfu.CaseEvent{ev}); err != nil {
			return err
		}
		return tx.appendAudit(&jianfu.AuditEntry{Action: "case.satisfaction", ObjectType: "case", ObjectID: fmt.Sprint(c.ID), RegionPath: c.RegionPath,
			Detail: c.Number + " " + string(f.Rating), ActorName: "reporter"})
	})
}

// TrackCase shows the public progress of the case of a tracking code.
func (s *Intake) TrackCase(ctx context.Context, code string) (*jianfu.PublicCase, error) {
	var out *jianfu.PublicCase
	err := s.db.inTx(ctx, func(tx *Tx) error {
		c, err := tx.caseByTracking(code)
		if err != nil {
			return err
		}
		out, err = tx.publicOf(c, true)
		return err
	})
	return out, err
}

// RequestReopen reopens a closed or rejected case at the reporter's
// request, at most twice.
func (s *Intake) RequestReopen(ctx context.Context, code, reason string) error {
	reason, err := jianfu.ReopenRequestReason(reason)
	if err != nil {
		return err
	}
	// The reporter's words reach the unit like the complaint's: without
	// phone, ID, card or e-mail.
	reason = redact.Placeholders(reason)
	return s.db.inTx(ctx, func(tx *Tx) error {
		c, err := tx.caseByTracking(code)
		if err != nil {
			return err
		}
		was := c.Status
		ch, err := c.ReopenAtRequest(reason, tx.step(c))
		if err != nil {
			return err
		}
		if err := tx.caseEvents(c.ID, nil, ch.Events); err != nil {
			return err
		}
		if err := tx.saveCase(c, was); err != nil {
			return err
		}
		return tx.appendAudit(&jianfu.AuditEntry{Action: "case.reopen", ObjectType: "case", ObjectID: fmt.Sprint(c.ID), RegionPath: c.RegionPath,
			Detail: c.Number + " " + ch.Detail, ActorName: "reporter"})
	})
}

// PublicCases lists cases that came from the public (web, Open311,
// hotline), as Open311 GET requests shows them: by default the last 90
// days, at most 1000.
func (s *Intake) PublicCases(ctx context.Context, f jianfu.PublicCaseFilter) ([]*jianfu.PublicCase, error) {
	var w where
	w.add("c.source IN ('complaint', 'open311', 'hotline')")
	if len(f.Numbers) > 0 {
		w.add("c.number IN (?"+strings.Repeat(", ?", len(f.Numbers)-1)+")", anys(f.Numbers)...)
	} else {
		if len(f.Category) > 0 {
			w.add("c.category IN (?"+strings.Repeat(", ?", len(f.Category)-1)+")", anys(f.Category)...)
		}
		switch f.Status {
		case "open":
			w.add("c.status NOT IN " + endedStatuses)
		case "closed":
			w.add("c.status IN " + endedStatuses)
		}
		until := f.Until
		if until.IsZero() {
			until = s.db.Now()
		}
		since := f.Since
		if since.IsZero() {
			since = until.Add(-90 * 24 * time.Hour)
		}
		w.add("c.created_at >= ? AND c.created_at <= ?", ms(since), ms(until))
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var out []*jianfu.PublicCase
	err := s.db.inTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(`SELECT `+caseCols+caseFrom+w.String()+` ORDER BY c.id DESC LIMIT ?`, append(w.args, limit)...)
		if err != nil {
			return err
		}
		var cs []*caseRow
		for rows.Next() {
			c, err := scanCase(rows)
			if err != nil {
				rows.Close()
				return err
			}
			cs = append(cs, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, c := range cs {
			p, err := tx.publicOf(c, false)
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		return nil
	})
	return out, err
}
