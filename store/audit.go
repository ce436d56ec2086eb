package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"jianfu"
	"jianfu/secret"
)

// audit appends an entry to the chain inside the transaction. Locking the
// head row orders concurrent appends.
func (tx *Tx) audit(action, objectType string, objectID any, regionPath, detail string) error {
	e := &jianfu.AuditEntry{
		Action: action, ObjectType: objectType, RegionPath: regionPath, Detail: detail,
	}
	if objectID != nil {
		e.ObjectID = fmt.Sprint(objectID)
	}
	if a := tx.actor; a != nil {
		e.ActorID, e.ActorName = a.UserID, a.Username
	}
	e.IP = jianfu.ClientIP(tx.ctx)
	return tx.appendAudit(e)
}

func (tx *Tx) appendAudit(e *jianfu.AuditEntry) error {
	if e.ActorName == "" {
		e.ActorName = "anonymous"
	}
	if _, err := tx.exec(`UPDATE audit_head SET last_id = last_id WHERE singleton = 1`); err != nil {
		return fmt.Errorf("lock audit head: %w", err)
	}
	var lastID int64
	var lastHash string
	if err := tx.queryRow(`SELECT last_id, last_hash FROM audit_head WHERE singleton = 1`).Scan(&lastID, &lastHash); err != nil {
		return fmt.Errorf("read audit head: %w", err)
	}
	e.ID = lastID + 1
	e.At = tx.now
	e.PrevHash = lastHash
	e.Hash = auditHash(e)
	if _, err := tx.exec(`INSERT INTO audit_log(id, at, actor_id, actor_name, action, object_type, object_id, region_path, detail, ip, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, ms(e.At), e.ActorID, e.ActorName, e.Action, e.ObjectType, e.ObjectID, e.RegionPath, e.Detail, e.IP, e.PrevHash, e.Hash); err != nil {
		return fmt.Errorf("append audit entry: %w", err)
	}
	if _, err := tx.exec(`UPDATE audit_head SET last_id = ?, last_hash = ? WHERE singleton = 1`, e.ID, e.Hash); err != nil {
		return fmt.Errorf("move audit head: %w", err)
	}
	return nil
}

// auditHash is SM3 over every field of the entry and the previous hash.
func auditHash(e *jianfu.AuditEntry) string {
	return secret.SM3Hex(
		strconv.FormatInt(e.ID, 10), strconv.FormatInt(ms(e.At), 10), strconv.FormatInt(e.ActorID, 10),
		e.ActorName, e.Action, e.ObjectType, e.ObjectID, e.RegionPath, e.Detail, e.IP, e.PrevHash)
}

// RecordAudit appends an entry not tied to another change.
func (s *Audit) RecordAudit(ctx context.Context, e *jianfu.AuditEntry) error {
	return s.db.inTx(ctx, func(tx *Tx) error {
		if a := tx.actor; a != nil && e.ActorName == "" {
			e.ActorID, e.ActorName = a.UserID, a.Username
		}
		if e.IP == "" {
			e.IP = jianfu.ClientIP(ctx)
		}
		return tx.appendAudit(e)
	})
}

// FindAuditEntries lists entries about the caller's region subtree, newest first.
func (s *Audit) FindAuditEntries(ctx context.Context, f jianfu.AuditFilter) ([]*jianfu.AuditEntry, int, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, 0, err
	}
	if !a.HasAny(jianfu.RoleAuditor, jianfu.RoleSysAdmin) {
		return nil, 0, forbidden("查看审计日志需要审计员或系统管理员角色", "reading the audit log needs the auditor or system administrator role")
	}
	var w where
	w.regionScope(a, "region_path")
	if f.Actor != "" {
		w.add("actor_name = ?", f.Actor)
	}
	if f.Action != "" {
		w.prefix("action", f.Action)
	}
	if f.ObjectType != "" {
		w.add("object_type = ?", f.ObjectType)
	}
	if f.ObjectID != "" {
		w.add("object_id = ?", f.ObjectID)
	}
	if !f.Since.IsZero() {
		w.add("at >= ?", ms(f.Since))
	}
	if !f.Until.IsZero() {
		w.add("at < ?", ms(f.Until))
	}
	out, total, err := findPage(s.db.in(ctx), listQuery{count: ` FROM audit_log`,
		rows: `SELECT id, at, actor_id, actor_name, action, object_type, object_id, region_path, detail, ip, prev_hash, hash FROM audit_log`, w: w,
		sorts: map[string]string{"id": "id", "at": "at", "actor": "actor_name", "action": "action"}, order: "id DESC"}, f.Page, scanAudit)
	if err != nil {
		return nil, 0, err
	}
	if err := s.db.auditReads(ctx, a, "audit.read", "audit_log", "", fmt.Sprintf("%d entries", len(out))); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// auditReads records that protected data was read. Reading the audit log is
// itself audited, so an auditor's browsing leaves a trace.
func (db *DB) auditReads(ctx context.Context, a *jianfu.Actor, action, objType, objID, detail string) error {
	return db.inTx(ctx, func(tx *Tx) error { return tx.audit(action, objType, objID, a.RegionPath, detail) })
}

func scanAudit(s interface{ Scan(...any) error }) (*jianfu.AuditEntry, error) {
	var e jianfu.AuditEntry
	var at int64
	if err := s.Scan(&e.ID, &at, &e.ActorID, &e.ActorName, &e.Action, &e.ObjectType, &e.ObjectID, &e.RegionPath, &e.Detail, &e.IP, &e.PrevHash, &e.Hash); err != nil {
		return nil, err
	}
	e.At = fromMS(at)
	return &e, nil
}

// VerifyAudit walks the chain from the first entry and reports the first
// entry whose hash, link or number is wrong.
func (s *Audit) VerifyAudit(ctx context.Context) (*jianfu.AuditVerification, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.System && !(a.Has(jianfu.RoleAuditor) && a.RegionPath == "") {
		return nil, forbidden("校验审计链需要本机命令行或全国级审计员", "verifying the chain needs the local command line or a national auditor")
	}
	rows, err := s.db.query(ctx, `SELECT id, at, actor_id, actor_name, action, object_type, object_id, region_path, detail, ip, prev_hash, hash FROM audit_log ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	res := &jianfu.AuditVerification{OK: true}
	var prevID int64
	prevHash := ""
	fail := func(id int64, reason string) {
		if res.OK {
			res.OK, res.BrokenID, res.Reason = false, id, reason
		}
	}
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, err
		}
		res.Entries++
		if !res.OK {
			continue
		}
		switch {
		case e.ID != prevID+1:
			fail(e.ID, fmt.Sprintf("第%d条之前缺少第%d至%d条(记录被删除)", e.ID, prevID+1, e.ID-1))
		case e.PrevHash != prevHash:
			fail(e.ID, fmt.Sprintf("第%d条的前序哈希与第%d条不符", e.ID, prevID))
		case auditHash(e) != e.Hash:
			fail(e.ID, fmt.Sprintf("第%d条的内容与其哈希不符(记录被修改)", e.ID))
		}
		prevID, prevHash = e.ID, e.Hash
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if res.OK {
		var lastID int64
		var lastHash string
		if err := s.db.queryRow(ctx, `SELECT last_id, last_hash FROM audit_head WHERE singleton = 1`).Scan(&lastID, &lastHash); err != nil && err != sql.ErrNoRows {
			return nil, err
		}
		if lastID != prevID || lastHash != prevHash {
			fail(prevID+1, fmt.Sprintf("链头记录第%d条,实际最后一条为第%d条(末尾记录被删除或链头被改)", lastID, prevID))
		}
	}
	return res, nil
}
