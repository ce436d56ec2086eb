package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"jianfu"
	"jianfu/redact"
	"jianfu/secret"
)

// filedStatuses are the channel statuses the public may name in a complaint.
const filedStatuses = `('approved', 'active', 'rectifying', 'exit_requested')`

// trackingAlphabet has no 0/O, 1/I/L: a code read over the phone survives.
const trackingAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// newTrackingCode returns a random code like "K7QM-4XPR-9TBW" (about 59 bits).
func newTrackingCode() string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("store: no randomness: " + err.Error())
	}
	out := make([]byte, 0, 14)
	for i, x := range b {
		if i > 0 && i%4 == 0 {
			out = append(out, '-')
		}
		out = append(out, trackingAlphabet[int(x)%len(trackingAlphabet)])
	}
	return string(out)
}

// trackingDigest is what the store keeps of a tracking code: the digest of
// its letters and digits, upper case, so "k7qm 4xpr 9tbw" finds it too.
func trackingDigest(code string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(code) {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	sum := sha256.Sum256([]byte("jianfu tracking " + b.String()))
	return hex.EncodeToString(sum[:])
}

// publicChannel is a filed channel as intake sees it.
type publicChannel struct {
	id     int64
	name   string
	region string
}

// filedChannel returns a filed channel by id, nil when there is none.
func (tx *Tx) filedChannel(id int64) (*publicChannel, error) {
	var ch publicChannel
	err := tx.queryRow(`SELECT id, name, region_path FROM channels WHERE id = ? AND status IN `+filedStatuses, id).Scan(&ch.id, &ch.name, &ch.region)
	if err == errNoRows {
		return nil, nil
	}
	return &ch, err
}

// matchChannel finds the registered channel a complaint names: by the exact
// name the reporter typed, else the longest channel name that occurs in
// the typed name or the description.
func (tx *Tx) matchChannel(typed, description string) (*publicChannel, error) {
	var ch publicChannel
	if typed != "" {
		err := tx.queryRow(`SELECT id, name, region_path FROM channels WHERE name = ? AND status IN `+filedStatuses+` ORDER BY id LIMIT 1`, typed).Scan(&ch.id, &ch.name, &ch.region)
		if err == nil {
			return &ch, nil
		}
		if err != errNoRows {
			return nil, err
		}
	}
	text := typed + "\n" + description
	err := tx.queryRow(`SELECT id, name, region_path FROM channels WHERE status IN `+filedStatuses+` AND length(name) >= 3
		AND CAST(? AS TEXT) LIKE '%' || name || '%' ORDER BY length(name) DESC, id LIMIT 1`, text).Scan(&ch.id, &ch.name, &ch.region)
	if err == errNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &ch, nil
}

// scrubIdentity removes from the words of the complaint, which everybody
// handling the case reads (the unit complained about included), the
// reporter's own name, phone and e-mail as given, and then every phone, ID
// number, bank card and e-mail, and the name however spaced: a reporter,
// named or anonymous, is not to be recognised by what they wrote.
func scrubIdentity(text string, id *jianfu.ReporterIdentity) string {
	var name string
	if id != nil {
		for _, v := range []string{id.Phone, id.Email, id.Name} {
			if utf8.RuneCountInString(strings.TrimSpace(v)) >= 2 {
				text = strings.ReplaceAll(text, strings.TrimSpace(v), "[已隐去]")
			}
		}
		name = id.Name
	}
	return redact.New(name).Placeholders(text)
}

// checkAttachments checks every image by its content and strips its
// metadata; problems name the file.
func checkAttachments(atts []*jianfu.Attachment) error {
	var probs []jianfu.Problem
	for _, at := range atts {
		mime, clean, err := jianfu.CheckImage(at.Data)
		if err != nil {
			probs = append(probs, jianfu.Problem{Field: "attachments", Message: at.Name + ":" + jianfu.ErrorMessage(err, "zh"), English: at.Name + ": " + jianfu.ErrorMessage(err, "en")})
			continue
		}
		at.MIME, at.Data, at.Size = mime, clean, len(clean)
		sum := sha256.Sum256(clean)
		at.SHA256 = hex.EncodeToString(sum[:])
		if n := []rune(at.Name); len(n) > 100 {
			at.Name = string(n[:100])
		}
		if at.Name == "" {
			at.Name = "image"
		}
	}
	return jianfu.ProblemsError(probs)
}

func (tx *Tx) addAttachments(caseID int64, kind string, atts []*jianfu.Attachment) error {
	for _, at := range atts {
		id, err := tx.insertID(`INSERT INTO case_attachments(case_id, kind, name, mime, size, sha256, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			caseID, kind, at.Name, at.MIME, at.Size, at.SHA256, at.Data, ms(tx.now))
		if err != nil {
			return err
		}
		at.ID, at.Kind, at.Created = id, kind, tx.now
	}
	return nil
}

// complaintInput is a complaint ready to insert: checked, classified,
// with its tracking code.
type complaintInput struct {
	*jianfu.Complaint
	proposed []string
	code     string
}

// prepareComplaint checks a complaint and does the work that needs no
// transaction: attachments and the tracking code.
func (db *DB) prepareComplaint(c *jianfu.Complaint) (*complaintInput, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if !c.Identity.Empty() && db.sealer() == nil {
		return nil, jianfu.Errorf(jianfu.EINVALID,
			"本平台尚未配置举报人信息加密密钥,暂不能接收实名反映:请删去姓名和联系方式后匿名提交(匿名反映同样受理),或请管理员以 --reporter-key 配置密钥",
			"this platform has no key to encrypt reporters' identities yet, so it cannot take named complaints: remove your name and contact details and submit anonymously (anonymous complaints are handled the same), or ask the administrator to configure --reporter-key")
	}
	if c.Identity.Empty() {
		c.Identity = nil
	}
	if err := checkAttachments(c.Attachments); err != nil {
		return nil, err
	}
	c.Description = scrubIdentity(c.Description, c.Identity)
	return &complaintInput{Complaint: c, proposed: c.Proposed, code: newTrackingCode()}, nil
}

// insertComplaint adds a complaint as a new case in the transaction and
// returns it. The audit entry names the submitter only when it is a
// machine (an Open311 application); a person's complaint is recorded as
// from "reporter", without address or account.
func (tx *Tx) insertComplaint(in *complaintInput) (*caseRow, error) {
	c := in.Complaint
	var ch *publicChannel
	var err error
	if c.ChannelID != 0 {
		if ch, err = tx.filedChannel(c.ChannelID); err != nil {
			return nil, err
		}
		if ch == nil {
			return nil, jianfu.Errorf(jianfu.EINVALID, "所选渠道(编号%d)不存在或未备案,请改填渠道名称", "channel %d does not exist or is not filed; type its name instead", c.ChannelID)
		}
	}
	var proposedCh *publicChannel
	if ch == nil {
		if proposedCh, err = tx.matchChannel(c.ChannelText, c.Description); err != nil {
			return nil, err
		}
	}
	region := ""
	switch {
	case ch != nil:
		region = ch.region // the channel's owner decides the responsible office
	case c.RegionCode != "":
		_, path, _, err := jianfu.ParseRegionCode(c.RegionCode)
		if err != nil {
			return nil, err
		}
		var one int
		if err := tx.queryRow(`SELECT 1 FROM regions WHERE path = ?`, path).Scan(&one); err != nil {
			return nil, jianfu.Errorf(jianfu.EINVALID, "地区代码%s不存在,请从列表中选择地区", "region %s does not exist; choose a region from the list", c.RegionCode)
		}
		region = path
	case proposedCh != nil:
		region = proposedCh.region
	default:
		return nil, jianfu.Errorf(jianfu.EINVALID, "请选择问题发生的地区", "choose the region where it happened")
	}
	category := c.Category
	if category == "" || category == jianfu.CategoryOther && len(in.proposed) > 0 {
		category = jianfu.CategoryOther
		if len(in.proposed) > 0 {
			category = in.proposed[0]
		}
	}
	received := tx.now
	if !c.ReceivedAt.IsZero() && c.ReceivedAt.Before(tx.now) {
		received = c.ReceivedAt.UTC()
	}
	proposed, _ := json.Marshal(in.proposed)
	var channelID, proposedID any
	if ch != nil {
		channelID = ch.id
	}
	if proposedCh != nil {
		proposedID = proposedCh.id
	}
	var lat, lon any
	if c.Lat != nil && c.Lon != nil {
		lat, lon = *c.Lat, *c.Lon
	}
	p, err := tx.policyFor(category)
	if err != nil {
		return nil, err
	}
	started := tx.now
	due := tx.db.stageDue(started, p.Days(jianfu.StageTriage))
	id, err := tx.insertID(`INSERT INTO cases(tracking_digest, source, source_ref, category, categories, proposed, description, channel_id, channel_text,
		proposed_channel_id, region_path, address, lat, lon, media_url, status, stage, stage_started_at, due_at, anonymous, created_at, updated_at)
		VALUES (?, ?, ?, ?, '[]', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'new', 'triage', ?, ?, ?, ?, ?)`,
		trackingDigest(in.code), string(c.Source), c.SourceRef, category, string(proposed), c.Description, channelID, c.ChannelText,
		proposedID, region, c.Address, lat, lon, c.MediaURL, ms(started), ms(due), c.Identity == nil, ms(received), ms(tx.now))
	if err != nil {
		if isUnique(err) && c.SourceRef != "" {
			return nil, jianfu.Errorf(jianfu.ECONFLICT, "来源记录%s已导入过", "source record %s was imported already", c.SourceRef)
		}
		return nil, tx.db.translate(err, nCase)
	}
	number := caseNumber(received, id)
	if _, err := tx.exec(`UPDATE cases SET number = ? WHERE id = ?`, number, id); err != nil {
		return nil, err
	}
	row := &caseRow{Case: jianfu.Case{ID: id, Number: number, Source: c.Source, Category: category, RegionPath: region, Status: jianfu.CaseNew,
		Stage: jianfu.StageTriage, StageStartedAt: &started, DueAt: &due, Anonymous: c.Identity == nil, CreatedAt: received, UpdatedAt: tx.now}}
	if c.Identity != nil {
		plain, _ := json.Marshal(c.Identity)
		s := tx.db.sealer()
		if s == nil {
			return nil, jianfu.Errorf(jianfu.EINVALID, "未配置举报人信息加密密钥", "no reporter key is configured")
		}
		if _, err := tx.exec(`INSERT INTO case_reporters(case_id, sealed, key_id) VALUES (?, ?, ?)`, id, s.Seal(plain, identityAAD(id)), s.KeyID()); err != nil {
			return nil, err
		}
		row.HasIdentity = true
	}
	if err := tx.addAttachments(id, "complaint", c.Attachments); err != nil {
		return nil, err
	}
	note := fmt.Sprintf("收到%s(%s)", jianfu.CaseSourceNames[c.Source], jianfu.Category(category).Label())
	if proposedCh != nil {
		note += ",涉及渠道疑为“" + proposedCh.name + "”(待确认)"
	}
	if err := tx.caseEvent(id, nil, jianfu.CaseEvent{Action: "created", ActorName: reporterName(tx, c.Source), ToStatus: jianfu.CaseNew, Note: note, Public: true,
		PublicNote: fmt.Sprintf("已收到您的反映,编号%s。最迟于%s完成分拣受理", number, dueText(*row.DueAt))}); err != nil {
		return nil, err
	}
	e := &jianfu.AuditEntry{Action: "case.submit", ObjectType: "case", ObjectID: fmt.Sprint(id), RegionPath: region,
		Detail: fmt.Sprintf("%s %s %s", c.Source, category, number), ActorName: "reporter"}
	if a := tx.actor; a != nil && (c.Source == jianfu.SourceOpen311 || c.Source == jianfu.SourceHotline) {
		e.ActorID, e.ActorName, e.IP = a.UserID, a.Username, jianfu.ClientIP(tx.ctx)
	}
	return row, tx.appendAudit(e)
}

// reporterName is how the timeline names who filed a complaint: never a
// person's account.
func reporterName(tx *Tx, s jianfu.CaseSource) string {
	if a := tx.actor; a != nil && (s == jianfu.SourceOpen311 || s == jianfu.SourceHotline) {
		return a.Username
	}
	return "reporter"
}

func identityAAD(caseID int64) []byte { return []byte(fmt.Sprintf("jianfu case %d reporter", caseID)) }

// caseNumber is the public reference of a case: JF, the year, the id.
func caseNumber(at time.Time, id int64) string {
	return fmt.Sprintf("JF%d-%06d", at.In(jianfu.China).Year(), id)
}

// SubmitComplaint files a complaint in its own transaction.
func (s *Intake) SubmitComplaint(ctx context.Context, c *jianfu.Complaint) (*jianfu.ComplaintReceipt, error) {
	in, err := s.db.prepareComplaint(c)
	if err != nil {
		return nil, err
	}
	var rec *jianfu.ComplaintReceipt
	err = s.db.inTx(ctx, func(tx *Tx) error {
		row, err := tx.insertComplaint(in)
		if err != nil {
			return err
		}
		rec = &jianfu.ComplaintReceipt{Number: row.Number, TrackingCode: in.code, TriageDue: *row.DueAt}
		return nil
	})
	return rec, err
}

// ImportComplaints adds hotline records in one transaction, all or
// nothing. Records whose source id was imported before are skipped, so a
// file can be imported again safely. Problems name the record's row.
//
// It returns how many records were added and how many were skipped as
// imported before (the same source id).
func (s *Intake) ImportComplaints(ctx context.Context, rows []*jianfu.Complaint, rowNumbers []int) (added, skipped int, err error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return 0, 0, err
	}
	if !a.System && !a.HasAny(caseHandlers...) {
		return 0, 0, forbidden("导入热线工单需要监管人员或线索办理员角色", "importing hotline records needs the supervisor or case handler role")
	}
	var probs []jianfu.Problem
	ins := make([]*complaintInput, len(rows))
	for i, c := range rows {
		in, err := s.db.prepareComplaint(c)
		if err != nil {
			probs = append(probs, rowProblems(rowNumbers[i], err)...)
			continue
		}
		ins[i] = in
	}
	if err := jianfu.ProblemsError(probs); err != nil {
		return 0, 0, err
	}
	err = s.db.inTx(ctx, func(tx *Tx) error {
		seen := map[string]bool{}
		for i, in := range ins {
			ref := in.SourceRef
			if ref != "" {
				var one int
				err := tx.queryRow(`SELECT 1 FROM cases WHERE source = ? AND source_ref = ?`, string(in.Source), ref).Scan(&one)
				if err == nil || seen[ref] {
					skipped++
					continue
				}
				if err != errNoRows {
					return err
				}
				seen[ref] = true
			}
			if in.RegionCode != "" {
				if _, path, _, err := jianfu.ParseRegionCode(in.RegionCode); err == nil && !a.SeesRegion(path) {
					probs = append(probs, jianfu.Problem{Row: rowNumbers[i], Field: "region", Message: "地区" + in.RegionCode + "不在您的管辖范围内", English: "region " + in.RegionCode + " is outside your scope"})
					continue
				}
			}
			if _, err := tx.insertComplaint(in); err != nil {
				if jianfu.ErrorCode(err) == jianfu.EINTERNAL {
					return err
				}
				probs = append(probs, rowProblems(rowNumbers[i], err)...)
				continue
			}
			added++
		}
		return jianfu.ProblemsError(sortProblems(probs))
	})
	if err != nil {
		return 0, 0, err
	}
	return added, skipped, nil
}

// rowProblems turns an error about one record into problems of its row.
func rowProblems(row int, err error) []jianfu.Problem {
	if je, ok := err.(*jianfu.Error); ok && len(je.Problems) > 0 {
		out := make([]jianfu.Problem, len(je.Problems))
		for i, p := range je.Problems {
			p.Row = row
			out[i] = p
		}
		return out
	}
	return []jianfu.Problem{{Row: row, Message: jianfu.ErrorMessage(err, "zh"), English: jianfu.ErrorMessage(err, "en")}}
}

// CreateClue adds a clue found by the administration. The same source and
// source reference twice gives back the case made the first time (and
// false). Supervisors, case handlers and inspectors may add clues in their
// region.
func (s *Intake) CreateClue(ctx context.Context, cl *jianfu.Clue) (*jianfu.Case, bool, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, false, err
	}
	if !a.System && !a.HasAny(jianfu.RoleSupervisor, jianfu.RoleCaseHandler, jianfu.RoleInspector) {
		return nil, false, forbidden("登记线索需要监管人员、线索办理员或抽查评估员角色", "adding clues needs the supervisor, case handler or inspector role")
	}
	cl.Description = strings.TrimSpace(cl.Description)
	cl.SourceRef = strings.TrimSpace(cl.SourceRef)
	cl.Proposed = jianfu.Proposals(cl.Proposed)
	var probs []jianfu.Problem
	switch cl.Source {
	case jianfu.SourceMonitoring, jianfu.SourceSpotCheck, jianfu.SourceTechCheck, jianfu.SourceSelfCheck, jianfu.SourceManual:
	case "":
		cl.Source = jianfu.SourceManual
	default:
		probs = append(probs, jianfu.Problem{Field: "source", Message: "线索来源应为 monitoring、spotcheck、techcheck、selfcheck 或 manual;群众反映请走投诉入口", English: "a clue's source is monitoring, spotcheck, techcheck, selfcheck or manual; complaints go through the complaint intake"})
	}
	if n := utf8.RuneCountInString(cl.Description); n < 8 || n > jianfu.MaxDescription {
		probs = append(probs, jianfu.Problem{Field: "description", Message: "线索描述应为8至4000字", English: "the description needs 8 to 4,000 characters"})
	}
	if cl.Category != "" && !jianfu.ValidCategory(cl.Category) {
		probs = append(probs, jianfu.Problem{Field: "category", Message: "问题类型无效", English: "unknown category"})
	}
	if cl.RegionCode == "" && cl.ChannelID == 0 {
		probs = append(probs, jianfu.Problem{Field: "region_code", Message: "须给出地区代码或渠道", English: "give a region code or a channel"})
	}
	if err := jianfu.ProblemsError(probs); err != nil {
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
		category := cl.Category
		if category == "" {
			category = jianfu.CategoryOther
			if len(cl.Proposed) > 0 {
				category = cl.Proposed[0]
			}
		}
		props, _ := json.Marshal(jianfu.Proposals(cl.Proposed))
		id, err := tx.insertID(`INSERT INTO cases(source, source_ref, category, categories, proposed, description, channel_id, region_path, status, anonymous, created_at, updated_at)
			VALUES (?, ?, ?, '[]', ?, ?, ?, ?, 'new', TRUE, ?, ?)`,
			string(cl.Source), cl.SourceRef, category, string(props), cl.Description, channelID, region, ms(tx.now), ms(tx.now))
		if err != nil {
			return tx.db.translate(err, nCase)
		}
		if _, err := tx.exec(`UPDATE cases SET number = ? WHERE id = ?`, caseNumber(tx.now, id), id); err != nil {
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
		if err := tx.caseEvent(id, a, jianfu.CaseEvent{Action: "created", ToStatus: jianfu.CaseNew, Note: "登记线索(" + jianfu.CaseSourceNames[cl.Source] + ")"}); err != nil {
			return err
		}
		out, created = c.visibleTo(a), true
		return tx.audit("case.create", "case", id, region, fmt.Sprintf("%s %s %s", cl.Source, cl.SourceRef, c.Number))
	}()
	return out, created, err
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

// publicOf builds what the public sees of a case.
func (tx *Tx) publicOf(c *caseRow, withEvents bool) (*jianfu.PublicCase, error) {
	p := &jianfu.PublicCase{Number: c.Number, Category: c.Category, Status: c.Status, Outcome: c.Outcome, Open: c.Status.Open(),
		RegionCode: jianfu.CodeOfPath(c.RegionPath), RegionName: c.RegionName, Address: c.Address, Lat: c.Lat, Lon: c.Lon,
		UnitName: c.UnitName, Overdue: c.Overdue(tx.now), Escalated: c.EscalationLevel > 0, MergedInto: c.MergedIntoNumber,
		RequestedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, CanReopen: (c.Status == jianfu.CaseClosed || c.Status == jianfu.CaseRejected) && c.reporterReopens < maxReporterReopens}
	if c.Status.Open() {
		p.ExpectedAt = c.DueAt
	}
	if c.ClosedAt != nil {
		p.UpdatedAt = *c.ClosedAt
	}
	rows, err := tx.query(`SELECT at, public_note FROM case_events WHERE case_id = ? AND public = TRUE ORDER BY id`, c.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var e jianfu.PublicEvent
		var at int64
		if err := rows.Scan(&at, &e.Text); err != nil {
			return nil, err
		}
		e.At = fromMS(at)
		p.StatusNote = e.Text
		if withEvents {
			p.Events = append(p.Events, &e)
		}
	}
	return p, rows.Err()
}

// maxReporterReopens bounds how often a reporter may reopen one case.
const maxReporterReopens = 2

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
	reason = strings.TrimSpace(reason)
	if n := utf8.RuneCountInString(reason); n < 4 || n > 1000 {
		return jianfu.Errorf(jianfu.EINVALID, "请说明重新办理的理由(4至1000字),例如问题仍然存在", "give a reason to reopen (4 to 1,000 characters), e.g. the problem persists")
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		c, err := tx.caseByTracking(code)
		if err != nil {
			return err
		}
		if c.Status != jianfu.CaseClosed && c.Status != jianfu.CaseRejected {
			return jianfu.Errorf(jianfu.ECONFLICT, "该反映正在办理中,无需重新提请", "the case is still being handled; there is nothing to reopen")
		}
		if c.reporterReopens >= maxReporterReopens {
			return jianfu.Errorf(jianfu.ECONFLICT, "该反映已重新办理过%d次;如仍有问题,请提交新的反映", "this case was reopened %d times already; file a new complaint if the problem persists", maxReporterReopens)
		}
		c.reporterReopens++
		return tx.reopen(c, nil, "reporter", reason)
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
			w.add("c.status NOT IN ('closed', 'merged', 'rejected')")
		case "closed":
			w.add("c.status IN ('closed', 'merged', 'rejected')")
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

// ComplaintRegions lists the regions a complaint can name, down to county
// level, top down.
func (s *Intake) ComplaintRegions(ctx context.Context) ([]*jianfu.Region, error) {
	rows, err := s.db.query(ctx, `SELECT path, code, name, level, COALESCE(parent_path, '') FROM regions WHERE path <> '' AND length(path) <= 6 ORDER BY path`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*jianfu.Region
	for rows.Next() {
		var r jianfu.Region
		var level string
		if err := rows.Scan(&r.Path, &r.Code, &r.Name, &level, &r.ParentPath); err != nil {
			return nil, err
		}
		r.Level = jianfu.Level(level)
		out = append(out, &r)
	}
	return out, rows.Err()
}

// ComplaintChannels searches filed channels by name, handle or owner, for
// the complaint form. Their names and owners are public (备案公示).
func (s *Intake) ComplaintChannels(ctx context.Context, query, regionPath string, limit int) ([]*jianfu.PublicChannel, error) {
	query = strings.TrimSpace(query)
	if utf8.RuneCountInString(query) < 2 {
		return []*jianfu.PublicChannel{}, nil
	}
	if limit <= 0 || limit > 50 {
		limit = 20
	}
	var w where
	w.add("c.status IN " + filedStatuses)
	w.prefix("c.region_path", regionPath)
	w.like(query, "c.name", "c.handle", "u.name")
	rows, err := s.db.query(ctx, `SELECT c.id, c.name, c.kind, c.platform, u.name, c.region_path FROM channels c JOIN units u ON u.id = c.unit_id`+w.String()+
		` ORDER BY length(c.name), c.id LIMIT ?`, append(w.args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*jianfu.PublicChannel{}
	for rows.Next() {
		var p jianfu.PublicChannel
		var kind string
		if err := rows.Scan(&p.ID, &p.Name, &kind, &p.Platform, &p.UnitName, &p.RegionPath); err != nil {
			return nil, err
		}
		p.Kind = jianfu.ChannelKind(kind)
		out = append(out, &p)
	}
	return out, rows.Err()
}

// RevealReporter decrypts the identity of a case's reporter for a holder of
// the reporter_access role, with a reason that goes into the audit log.
func (s *Cases) RevealReporter(ctx context.Context, id int64, reason string) (*jianfu.ReporterIdentity, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.Has(jianfu.RoleReporterAccess) || a.System {
		return nil, forbidden("查看举报人身份需要“举报人信息查阅”授权", "revealing a reporter's identity needs the reporter_access permission")
	}
	reason = strings.TrimSpace(reason)
	if n := utf8.RuneCountInString(reason); n < 5 || n > 500 {
		return nil, jianfu.Errorf(jianfu.EINVALID, "请写明查阅举报人身份的事由(5至500字),事由将记入审计日志", "give the reason for revealing the identity (5 to 500 characters); it goes into the audit log")
	}
	sealer := s.db.sealer()
	if sealer == nil {
		return nil, jianfu.Errorf(jianfu.EINVALID, "未配置举报人信息密钥(--reporter-key),无法解密", "no reporter key (--reporter-key) is configured, so nothing can be decrypted")
	}
	var out jianfu.ReporterIdentity
	err = s.db.inTx(ctx, func(tx *Tx) error {
		c, err := tx.loadCase(a, id)
		if err != nil {
			return err
		}
		var sealed []byte
		var keyID string
		err = tx.queryRow(`SELECT sealed, key_id FROM case_reporters WHERE case_id = ?`, id).Scan(&sealed, &keyID)
		if err == errNoRows {
			return jianfu.Errorf(jianfu.ENOTFOUND, "该线索为匿名反映,没有保存任何身份信息", "this case was reported anonymously; no identity is stored")
		}
		if err != nil {
			return err
		}
		plain, err := sealer.Open(sealed, identityAAD(id))
		if err == secret.ErrWrongKey {
			return jianfu.Errorf(jianfu.EINVALID, "身份信息以另一把密钥加密(密钥标识%s),当前配置的密钥无法解密", "the identity was sealed with another key (key id %s); the configured key cannot open it", keyID)
		}
		if err != nil {
			return fmt.Errorf("open reporter identity of case %d: %w", id, err)
		}
		if err := json.Unmarshal(plain, &out); err != nil {
			return err
		}
		return tx.audit("reporter.reveal", "case", id, c.RegionPath, "reason: "+reason)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
