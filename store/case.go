package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"jianfu"
	"jianfu/calendar"
	"jianfu/secret"
)

var nCase = noun{"问题线索", "case"}

// caseConfig is what the case workflow needs beyond the database: the key
// that seals reporters' identities (from the configuration, never stored)
// and the working-day calendar.
type caseConfig struct {
	mu     sync.RWMutex
	sealer *secret.Sealer
	notify jianfu.SecurityNotifier // told of reveals and refused reveals; may be nil
	// raterKey keys the marks of anonymous ratings (see SetRaterKey). It
	// sits with the reporter key: both are secrets from outside the database.
	raterKey []byte
}

// calendar returns the working-day calendar.
func (db *DB) calendar() *calendar.Calendar {
	return calendar.Default() // the newest schedule (see Holidays.Apply)
}

// caseReadAccess checks that the actor may read cases at all.
func caseReadAccess(a *jianfu.Actor) error {
	if a.CanReadCases() {
		return nil
	}
	return forbidden("查看问题线索需要监管人员、线索办理员、抽查评估员、备案审核员或单位管理员角色", "reading cases needs the supervisor, case handler, inspector, reviewer or unit administrator role")
}

// caseScope restricts a query over cases (aliased c) to the actor's
// scope: region-wide readers see the cases of their region subtree; unit
// administrators see the cases ever transferred to a unit of their subtree.
func (w *where) caseScope(a *jianfu.Actor) {
	switch {
	case a.System:
	case a.ReadsRegionCases():
		w.prefix("c.region_path", a.RegionPath)
	default:
		w.add("EXISTS (SELECT 1 FROM case_units cu WHERE cu.case_id = c.id AND cu.unit_path >= ? AND cu.unit_path < ?)", a.UnitPath, prefixEnd(a.UnitPath))
	}
}

// endedStatuses are the statuses of cases no longer open
// (jianfu.CaseStatus.Open), as an SQL list.
var endedStatuses = func() string {
	var ended []string
	for _, s := range jianfu.CaseStatuses {
		if !s.Open() {
			ended = append(ended, "'"+string(s)+"'")
		}
	}
	return "(" + strings.Join(ended, ", ") + ")"
}()

const caseCols = `c.id, COALESCE(c.number, ''), c.source, c.source_ref, c.category, c.categories, c.proposed, c.description,
	COALESCE(c.channel_id, 0), COALESCE(ch.name, ''), c.channel_text, COALESCE(c.proposed_channel_id, 0), COALESCE(pch.name, ''),
	c.region_path, r.name, c.address, c.lat, c.lon, c.media_url, COALESCE(c.unit_id, 0), COALESCE(u.name, ''), c.unit_path,
	c.status, c.finding, c.outcome, c.stage, c.stage_started_at, c.due_at, c.reminded_at, c.overdue_at, c.overdue_count,
	c.escalation_level, COALESCE(c.escalated_to, ''), COALESCE(er.name, ''), c.anonymous, CASE WHEN rep.case_id IS NULL THEN 0 ELSE 1 END,
	c.reopen_count, COALESCE(c.merged_into, 0), COALESCE(m.number, ''), COALESCE(t.status, ''), c.created_at, c.updated_at, c.closed_at,
	c.stage_escalations, c.reporter_reopens`

const caseFrom = ` FROM cases c JOIN regions r ON r.path = c.region_path
	LEFT JOIN channels ch ON ch.id = c.channel_id
	LEFT JOIN channels pch ON pch.id = c.proposed_channel_id
	LEFT JOIN units u ON u.id = c.unit_id
	LEFT JOIN regions er ON er.path = c.escalated_to
	LEFT JOIN case_reporters rep ON rep.case_id = c.id
	LEFT JOIN cases m ON m.id = c.merged_into
	LEFT JOIN typical_cases t ON t.case_id = c.id`

// caseRow is a case with the path of its responsible unit, which scopes
// it for unit administrators and which callers do not see.
type caseRow struct {
	jianfu.Case
	unitPath string
}

func scanCase(s interface{ Scan(...any) error }) (*caseRow, error) {
	var c caseRow
	var source, categories, proposed, status, finding, outcome, stage string
	var lat, lon sql.NullFloat64
	var started, due, reminded, overdue, closed sql.NullInt64
	var created, updated int64
	var hasIdentity int
	err := s.Scan(&c.ID, &c.Number, &source, &c.SourceRef, &c.Category, &categories, &proposed, &c.Description,
		&c.ChannelID, &c.ChannelName, &c.ChannelText, &c.ProposedChannelID, &c.ProposedChannelName,
		&c.RegionPath, &c.RegionName, &c.Address, &lat, &lon, &c.MediaURL, &c.UnitID, &c.UnitName, &c.unitPath,
		&status, &finding, &outcome, &stage, &started, &due, &reminded, &overdue, &c.OverdueCount,
		&c.EscalationLevel, &c.EscalatedTo, &c.EscalatedToName, &c.Anonymous, &hasIdentity,
		&c.ReopenCount, &c.MergedInto, &c.MergedIntoNumber, &c.Typical, &created, &updated, &closed,
		&c.StageEscalations, &c.ReporterReopens)
	if err != nil {
		return nil, err
	}
	c.Source, c.Status, c.Finding, c.Outcome, c.Stage = jianfu.CaseSource(source), jianfu.CaseStatus(status), jianfu.CaseFinding(finding), jianfu.CaseOutcome(outcome), jianfu.CaseStage(stage)
	json.Unmarshal([]byte(categories), &c.Categories)
	json.Unmarshal([]byte(proposed), &c.Proposed)
	if c.Categories == nil {
		c.Categories = []string{}
	}
	if c.Proposed == nil {
		c.Proposed = []string{}
	}
	if lat.Valid {
		c.Lat = &lat.Float64
	}
	if lon.Valid {
		c.Lon = &lon.Float64
	}
	c.StageStartedAt, c.DueAt, c.RemindedAt, c.OverdueAt, c.ClosedAt = optMS(started), optMS(due), optMS(reminded), optMS(overdue), optMS(closed)
	c.HasIdentity = hasIdentity != 0
	c.CreatedAt, c.UpdatedAt = fromMS(created), fromMS(updated)
	return &c, nil
}

// visibleTo is the case as the actor sees it: a unit administrator whose
// unit no longer has it reads it as its former unit.
func (c *caseRow) visibleTo(a *jianfu.Actor) *jianfu.Case {
	out := c.Case
	if !a.ReadsRegionCases() {
		out.Former = c.unitPath == "" || !strings.HasPrefix(c.unitPath, a.UnitPath)
	}
	return &out
}

// loadCase reads a case in the actor's scope inside a transaction.
func (tx *Tx) loadCase(a *jianfu.Actor, id int64) (*caseRow, error) {
	var w where
	w.add("c.id = ?", id)
	w.caseScope(a)
	c, err := scanCase(tx.queryRow(`SELECT `+caseCols+caseFrom+w.String(), w.args...))
	if err != nil {
		return nil, tx.db.translate(err, nCase)
	}
	return c, nil
}

// FindCaseByID returns a case in scope with its attachments. Reading a
// case is audited: it holds what a person reported.
func (s *Cases) FindCaseByID(ctx context.Context, id int64) (*jianfu.Case, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := caseReadAccess(a); err != nil {
		return nil, err
	}
	var out *jianfu.Case
	err = s.db.inTx(ctx, func(tx *Tx) error {
		c, err := tx.loadCase(a, id)
		if err != nil {
			return err
		}
		out = c.visibleTo(a)
		rows, err := tx.query(`SELECT id, kind, name, mime, size, sha256, created_at FROM case_attachments WHERE case_id = ? ORDER BY id`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var at jianfu.AttachmentInfo
			var created int64
			if err := rows.Scan(&at.ID, &at.Kind, &at.Name, &at.MIME, &at.Size, &at.SHA256, &created); err != nil {
				return err
			}
			at.Created = fromMS(created)
			out.Attachments = append(out.Attachments, &at)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return tx.audit("case.read", "case", id, c.RegionPath, c.Number)
	})
	return out, err
}

// caseFilter turns a filter into conditions.
func (w *where) caseFilter(f jianfu.CaseFilter, now time.Time) {
	if f.Status != "" {
		w.add("c.status = ?", string(f.Status))
	}
	if f.Open || f.Overdue || f.DueSoon {
		w.add("c.status NOT IN " + endedStatuses)
	}
	if f.Stage != "" {
		w.add("c.stage = ?", string(f.Stage))
	}
	if f.Category != "" {
		w.add("c.category = ?", f.Category)
	}
	if f.Source != "" {
		w.add("c.source = ?", string(f.Source))
	}
	if f.UnitID != 0 {
		w.add("c.unit_id = ?", f.UnitID)
	}
	w.prefix("c.region_path", f.RegionPath)
	if f.Overdue {
		w.add("c.due_at <= ?", ms(now))
	}
	if f.DueSoon {
		w.add("c.reminded_at IS NOT NULL AND c.due_at > ?", ms(now))
	}
	if f.Escalated {
		w.add("c.escalation_level > 0")
	}
	if !f.ReceivedSince.IsZero() {
		w.add("c.created_at >= ?", ms(f.ReceivedSince))
	}
	if !f.ReceivedBefore.IsZero() {
		w.add("c.created_at < ?", ms(f.ReceivedBefore))
	}
	w.like(f.Query, "c.number", "c.description", "c.channel_text")
}

// FindCases lists cases in scope, newest first unless sorted otherwise.
func (s *Cases) FindCases(ctx context.Context, f jianfu.CaseFilter) ([]*jianfu.Case, int, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, 0, err
	}
	if err := caseReadAccess(a); err != nil {
		return nil, 0, err
	}
	now := f.Now
	if now.IsZero() {
		now = s.db.Now()
	}
	var w where
	w.caseScope(a)
	w.caseFilter(f, now)
	return findPage(s.db.in(ctx), listQuery{count: ` FROM cases c`, rows: `SELECT ` + caseCols + caseFrom, w: w,
		sorts: map[string]string{"number": "c.id", "created": "c.created_at", "updated": "c.updated_at",
			// Cases without a deadline (closed ones) come after the others both ways.
			"due":    "CASE WHEN c.due_at IS NULL THEN 1 ELSE 0 END, c.due_at",
			"status": "c.status", "category": "c.category", "unit": "u.name", "region": "c.region_path", "source": "c.source",
			"escalation": "c.escalation_level"}, order: "c.id DESC"},
		f.Page, func(r interface{ Scan(...any) error }) (*jianfu.Case, error) {
			c, err := scanCase(r)
			if err != nil {
				return nil, err
			}
			return c.visibleTo(a), nil
		})
}

// caseReadable checks the caller may read case id; a case outside the
// caller's scope answers exactly like a missing one.
func (db *DB) caseReadable(ctx context.Context, id int64) error {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return err
	}
	if err := caseReadAccess(a); err != nil {
		return err
	}
	var w where
	w.add("c.id = ?", id)
	w.caseScope(a)
	var one int
	if err := db.queryRow(ctx, `SELECT 1 FROM cases c`+w.String(), w.args...).Scan(&one); err != nil {
		return db.translate(err, nCase)
	}
	return nil
}

// CaseEvents returns a case's timeline, oldest first.
func (s *Cases) CaseEvents(ctx context.Context, id int64) ([]*jianfu.CaseEvent, error) {
	if err := s.db.caseReadable(ctx, id); err != nil {
		return nil, err
	}
	rows, err := s.db.query(ctx, `SELECT e.id, e.at, e.actor_name, e.action, e.from_status, e.to_status, COALESCE(e.unit_id, 0), COALESCE(u.name, ''), e.from_unit, e.note, e.public, e.public_note
		FROM case_events e LEFT JOIN units u ON u.id = e.unit_id WHERE e.case_id = ? ORDER BY e.id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*jianfu.CaseEvent
	for rows.Next() {
		var e jianfu.CaseEvent
		var at int64
		var from, to string
		if err := rows.Scan(&e.ID, &at, &e.ActorName, &e.Action, &from, &to, &e.UnitID, &e.UnitName, &e.FromUnit, &e.Note, &e.Public, &e.PublicNote); err != nil {
			return nil, err
		}
		e.At, e.FromStatus, e.ToStatus = fromMS(at), jianfu.CaseStatus(from), jianfu.CaseStatus(to)
		out = append(out, &e)
	}
	return out, rows.Err()
}

// CaseOpinions returns the 整改意见 and 问责建议 of a case.
func (s *Cases) CaseOpinions(ctx context.Context, id int64) ([]*jianfu.CaseOpinion, error) {
	if err := s.db.caseReadable(ctx, id); err != nil {
		return nil, err
	}
	rows, err := s.db.query(ctx, `SELECT id, kind, text, target, actor_name, office_name, at FROM case_opinions WHERE case_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*jianfu.CaseOpinion
	for rows.Next() {
		var o jianfu.CaseOpinion
		var kind string
		var at int64
		if err := rows.Scan(&o.ID, &kind, &o.Text, &o.Target, &o.ActorName, &o.OfficeName, &at); err != nil {
			return nil, err
		}
		o.Kind, o.At = jianfu.OpinionKind(kind), fromMS(at)
		out = append(out, &o)
	}
	return out, rows.Err()
}

// HandlingOffice names the office handling the case: the unit of the
// official who last raised, accepted, transferred, re-routed, verified,
// reopened or closed it; "" before any official has. Its documents are signed in that office's name, whoever
// downloads them.
func (s *Cases) HandlingOffice(ctx context.Context, id int64) (string, error) {
	if err := s.db.caseReadable(ctx, id); err != nil {
		return "", err
	}
	var name string
	err := s.db.queryRow(ctx, `SELECT u.name FROM case_events e JOIN users us ON us.id = e.actor_id JOIN units u ON u.id = us.unit_id
		WHERE e.case_id = ? AND e.action IN ('created', 'accepted', 'merged', 'rejected', 'transferred', 'rerouted', 'verified', 'verify_failed', 'reopened', 'closed') ORDER BY e.id DESC LIMIT 1`, id).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return name, err
}

// CaseAttachment returns one attachment of a case in scope, and audits the read.
func (s *Cases) CaseAttachment(ctx context.Context, caseID, attachmentID int64) (*jianfu.Attachment, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := caseReadAccess(a); err != nil {
		return nil, err
	}
	var out jianfu.Attachment
	err = s.db.inTx(ctx, func(tx *Tx) error {
		c, err := tx.loadCase(a, caseID)
		if err != nil {
			return err
		}
		var created int64
		err = tx.queryRow(`SELECT id, kind, name, mime, size, sha256, created_at, data FROM case_attachments WHERE case_id = ? AND id = ?`, caseID, attachmentID).
			Scan(&out.ID, &out.Kind, &out.Name, &out.MIME, &out.Size, &out.SHA256, &created, &out.Data)
		if err != nil {
			return s.db.translate(err, noun{"附件", "attachment"})
		}
		out.Created = fromMS(created)
		return tx.audit("case.attachment.read", "case", caseID, c.RegionPath, fmt.Sprintf("查看附件(第%d个)", attachmentID))
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// caseEvents appends the events of a change to a case's timeline.
func (tx *Tx) caseEvents(caseID int64, a *jianfu.Actor, events []jianfu.CaseEvent) error {
	for _, e := range events {
		if err := tx.caseEvent(caseID, a, e); err != nil {
			return err
		}
	}
	return nil
}

// caseEvent appends to a case's timeline. The actor is named by username;
// nil means the system (deadline sweeps).
func (tx *Tx) caseEvent(caseID int64, a *jianfu.Actor, e jianfu.CaseEvent) error {
	var actorID int64
	name := "system"
	if e.ActorName != "" {
		name = e.ActorName
	} else if a != nil && !a.System {
		actorID, name = a.UserID, a.Username
	} else if a != nil && a.System && a.Username != "" {
		name = a.Username
	}
	_, err := tx.exec(`INSERT INTO case_events(case_id, at, actor_id, actor_name, action, from_status, to_status, unit_id, from_unit, note, public, public_note)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		caseID, ms(tx.now), actorID, name, e.Action, string(e.FromStatus), string(e.ToStatus), nullInt(e.UnitID), e.FromUnit, e.Note, e.Public, e.PublicNote)
	return err
}
