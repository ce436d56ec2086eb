package store

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"jianfu"
	"jianfu/redact"
)

// filedStatuses are the channel statuses the public may name in a
// complaint: the live ones (jianfu.ChannelStatus.Live), as an SQL list.
var filedStatuses = func() string {
	var live []string
	for _, s := range jianfu.ChannelStatuses {
		if s.Live() {
			live = append(live, "'"+string(s)+"'")
		}
	}
	return "(" + strings.Join(live, ", ") + ")"
}()

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

// hidePersonal hides personal data in the free fields of a complaint — the
// description, the address and the channel as typed — which everybody
// handling the case reads, the unit complained about included: first the
// reporter's own name, phone, e-mail and handles as given become
// [已隐去], then every phone, ID number, bank card and e-mail in any written
// form, and the name however spaced, becomes a placeholder. A reporter,
// named or anonymous, is not to be recognised by what they wrote.
//
// A named reporter's original words are kept with the identity (sealed,
// opened only by the audited reveal) when anything was hidden; an anonymous
// reporter's are not kept at all, since they may be all that names them.
func hidePersonal(c *jianfu.Complaint) {
	orig := jianfu.OriginalWords{Description: c.Description, Address: c.Address, Channel: c.ChannelText}
	own, name := ownWords(c.Identity)
	red := redact.New(name)
	hide := func(text string) string {
		for _, w := range own {
			text = w.ReplaceAllLiteralString(text, "[已隐去]")
		}
		return red.Placeholders(text)
	}
	c.Description, c.Address, c.ChannelText = hide(c.Description), hide(c.Address), hide(c.ChannelText)
	hidden := jianfu.OriginalWords{Description: c.Description, Address: c.Address, Channel: c.ChannelText}
	if c.Identity != nil && hidden != orig {
		c.Identity.Original = &orig
	}
}

// ownWords are the patterns of what a reporter gave about themselves, to
// be found in their words whatever the case of letters: the name, phone and
// e-mail as typed, the e-mail's local part and the handles (WeChat ids,
// QQ numbers) written in Other; and the name for the redactor.
func ownWords(id *jianfu.ReporterIdentity) ([]*regexp.Regexp, string) {
	if id == nil {
		return nil, ""
	}
	words := []string{id.Phone, id.Email, id.Name}
	if local, _, ok := strings.Cut(id.Email, "@"); ok && utf8.RuneCountInString(local) >= 3 {
		words = append(words, local)
	}
	for _, f := range strings.FieldsFunc(id.Other, func(r rune) bool {
		return unicode.IsSpace(r) || r == ':' || r == '：' || r == ',' || r == '，' || r == ';' || r == '；' || r == '、' || r == '/' || r == '|'
	}) {
		if handleLike(f) {
			words = append(words, f)
		}
	}
	var out []*regexp.Regexp
	seen := map[string]bool{}
	for _, w := range words {
		w = strings.TrimSpace(w)
		if utf8.RuneCountInString(w) < 2 || seen[strings.ToLower(w)] {
			continue
		}
		seen[strings.ToLower(w)] = true
		pat := regexp.QuoteMeta(w)
		if asciiWord(rune(w[0])) && asciiWord(rune(w[len(w)-1])) {
			pat = `\b` + pat + `\b` // "wxm" hides the handle, not the middle of another word
		}
		out = append(out, regexp.MustCompile("(?i)"+pat))
	}
	// Longer first, so a handle is not cut by a shorter word inside it.
	slices.SortStableFunc(out, func(a, b *regexp.Regexp) int { return len(b.String()) - len(a.String()) })
	return out, id.Name
}

func asciiWord(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_'
}

// handleLike reports whether a word of Other looks like an account handle
// (zs_1990, wxid_abc123, 12345678): at least 4 characters of Latin letters,
// digits and _ - . only. Chinese words there (a work unit, a post) are
// not hidden: they are often the very unit the complaint is about.
func handleLike(w string) bool {
	if len(w) < 4 {
		return false
	}
	for _, r := range w {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return false
		}
	}
	return true
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

// complaintInput is a complaint ready to insert: checked, with its
// tracking code.
type complaintInput struct {
	*jianfu.Complaint
	code string
}

// prepareComplaint checks a complaint and does the work that needs no
// transaction: attachments and the tracking code.
func (db *DB) prepareComplaint(c *jianfu.Complaint) (*complaintInput, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if !c.Identity.Empty() && db.sealer() == nil {
		return nil, jianfu.Errorf(jianfu.EINVALID,
			"本平台尚未配置反映人信息加密密钥,暂不能接收实名反映:请删去姓名和联系方式后匿名提交(匿名反映同样受理),或请管理员以 --reporter-key 配置密钥",
			"this platform has no key to encrypt reporters' identities yet, so it cannot take named complaints: remove your name and contact details and submit anonymously (anonymous complaints are handled the same), or ask the administrator to configure --reporter-key")
	}
	if c.Identity.Empty() {
		c.Identity = nil
	}
	if err := jianfu.CheckAttachments(c.Attachments); err != nil {
		return nil, err
	}
	hidePersonal(c)
	return &complaintInput{Complaint: c, code: jianfu.NewTrackingCode()}, nil
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
	category := c.CaseCategory()
	received := c.Received(tx.now)
	proposed, _ := json.Marshal(c.Proposed)
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
	due := p.Due(tx.db.calendar(), jianfu.StageTriage, started)
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
	number := jianfu.CaseNumber(received, id)
	if _, err := tx.exec(`UPDATE cases SET number = ? WHERE id = ?`, number, id); err != nil {
		return nil, err
	}
	row := &caseRow{Case: jianfu.Case{ID: id, Number: number, Source: c.Source, Category: category, RegionPath: region, Status: jianfu.CaseNew,
		Stage: jianfu.StageTriage, StageStartedAt: &started, DueAt: &due, Anonymous: c.Identity == nil, CreatedAt: received, UpdatedAt: tx.now}}
	if c.Identity != nil {
		if err := tx.sealIdentity(id, c.Identity); err != nil {
			return nil, err
		}
		row.HasIdentity = true
	}
	if err := tx.addAttachments(id, "complaint", c.Attachments); err != nil {
		return nil, err
	}
	proposedName := ""
	if proposedCh != nil {
		proposedName = proposedCh.name
	}
	if err := tx.caseEvent(id, nil, row.Submitted(proposedName, c.Source.Submitter(tx.actor))); err != nil {
		return nil, err
	}
	e := &jianfu.AuditEntry{Action: "case.submit", ObjectType: "case", ObjectID: fmt.Sprint(id), RegionPath: region,
		Detail: fmt.Sprintf("%s %s %s", c.Source, category, number), ActorName: "reporter"}
	if a := tx.actor; a != nil && c.Source.FiledByMachine() {
		e.ActorID, e.ActorName, e.IP = a.UserID, a.Username, jianfu.ClientIP(tx.ctx)
	}
	return row, tx.appendAudit(e)
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
	if !a.CanHandleCases() {
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
