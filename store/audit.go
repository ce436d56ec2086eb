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
	return tx.auditAs(tx.actor, jianfu.ClientIP(tx.ctx), action, objectType, objectID, regionPath, detail)
}

// auditAs appends an entry of another actor than the transaction's (one
// of the batches stored together, see ingestQueue).
func (tx *Tx) auditAs(a *jianfu.Actor, ip, action, objectType string, objectID any, regionPath, detail string) error {
	e := &jianfu.AuditEntry{
		Action: action, ObjectType: objectType, RegionPath: regionPath, Detail: detail,
	}
	if objectID != nil {
		e.ObjectID = fmt.Sprint(objectID)
	}
	if a != nil {
		e.ActorID, e.ActorName = a.UserID, a.Username
	}
	e.IP = ip
	return tx.appendAudit(e)
}

// WithAuditKey sets the key of the audit chain (HMAC-SM3). Without one
// the chain is plain SM3, which a copy of the database can recompute.
func WithAuditKey(k *secret.AuditKey) Option { return func(db *DB) { db.auditKey = k } }

// AuditKeyID is the fingerprint of the configured audit key, "" without one.
func (db *DB) AuditKeyID() string {
	if db.auditKey == nil {
		return ""
	}
	return db.auditKey.ID()
}

// auditHead is the head row of the chain.
type auditHead struct {
	lastID        int64
	lastHash, key string
}

func (tx *Tx) appendAudit(e *jianfu.AuditEntry) error {
	if e.ActorName == "" {
		e.ActorName = "anonymous"
	}
	if _, err := tx.exec(`UPDATE audit_head SET last_id = last_id WHERE singleton = 1`); err != nil {
		return fmt.Errorf("lock audit head: %w", err)
	}
	var h auditHead
	if err := tx.queryRow(`SELECT last_id, last_hash, key_id FROM audit_head WHERE singleton = 1`).Scan(&h.lastID, &h.lastHash, &h.key); err != nil {
		return fmt.Errorf("read audit head: %w", err)
	}
	k := tx.db.auditKey
	switch {
	case k == nil && h.key != "":
		return jianfu.Errorf(jianfu.EINVALID, "审计链已用密钥(指纹 %s)锚定,但本程序未配置审计密钥,不能追加审计记录:请用 --audit-key 或环境变量 JIANFU_AUDIT_KEY 提供该密钥",
			"the audit chain is keyed (key %s) but no audit key is configured: give it with --audit-key or JIANFU_AUDIT_KEY", h.key)
	case k != nil && h.key != "" && h.key != k.ID():
		return jianfu.Errorf(jianfu.EINVALID, "配置的审计密钥(指纹 %s)不是审计链所用的密钥(指纹 %s):请换用原密钥",
			"the configured audit key (%s) is not the chain's key (%s); use the original key", k.ID(), h.key)
	case k != nil && h.key == "" && h.lastID > 0:
		if err := tx.anchorAudit(&h, k); err != nil {
			return err
		}
	}
	return tx.insertAudit(e, &h, k)
}

// anchorAudit keys a plain chain: the anchor's keyed hash covers the last
// plain hash, so the earlier entries can no longer be recomputed unnoticed.
func (tx *Tx) anchorAudit(h *auditHead, k *secret.AuditKey) error {
	return tx.insertAudit(&jianfu.AuditEntry{ActorName: "system:audit", Action: "audit.anchor", ObjectType: "audit_log",
		Detail: fmt.Sprintf("审计链自第%d条起以 HMAC-SM3 密钥(指纹 %s)锚定;此前 %d 条为不带密钥的 SM3 哈希链", h.lastID+1, k.ID(), h.lastID)}, h, k)
}

// insertAudit writes e after the head h and moves h (and the head row) on.
func (tx *Tx) insertAudit(e *jianfu.AuditEntry, h *auditHead, k *secret.AuditKey) error {
	e.ID = h.lastID + 1
	e.At = tx.now
	e.PrevHash = h.lastHash
	e.KeyID = ""
	if k != nil {
		e.KeyID = k.ID()
	}
	e.Hash = auditHash(e, k)
	if _, err := tx.exec(`INSERT INTO audit_log(id, at, actor_id, actor_name, action, object_type, object_id, region_path, detail, ip, prev_hash, hash, key_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, ms(e.At), e.ActorID, e.ActorName, e.Action, e.ObjectType, e.ObjectID, e.RegionPath, e.Detail, e.IP, e.PrevHash, e.Hash, e.KeyID); err != nil {
		return fmt.Errorf("append audit entry: %w", err)
	}
	if _, err := tx.exec(`UPDATE audit_head SET last_id = ?, last_hash = ?, key_id = ? WHERE singleton = 1`, e.ID, e.Hash, e.KeyID); err != nil {
		return fmt.Errorf("move audit head: %w", err)
	}
	h.lastID, h.lastHash, h.key = e.ID, e.Hash, e.KeyID
	return nil
}

// auditHash is SM3 over every field of the entry and the previous hash; for
// a keyed entry, HMAC-SM3 under the audit key over the same fields and the
// key's fingerprint.
func auditHash(e *jianfu.AuditEntry, k *secret.AuditKey) string {
	fields := []string{
		strconv.FormatInt(e.ID, 10), strconv.FormatInt(ms(e.At), 10), strconv.FormatInt(e.ActorID, 10),
		e.ActorName, e.Action, e.ObjectType, e.ObjectID, e.RegionPath, e.Detail, e.IP, e.PrevHash}
	if e.KeyID == "" {
		return secret.SM3Hex(fields...)
	}
	return k.MAC("jianfu audit entry", append(fields, e.KeyID)...)
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
		rows: `SELECT id, at, actor_id, actor_name, action, object_type, object_id, region_path, detail, ip, prev_hash, hash, key_id FROM audit_log`, w: w,
		sorts: map[string]string{"id": "id", "at": "at", "actor": "actor_name", "action": "action"}, order: "id DESC"}, f.Page, scanAudit)
	if err != nil {
		return nil, 0, err
	}
	if err := s.db.actorLabels(ctx, out); err != nil {
		return nil, 0, err
	}
	if err := s.db.auditReads(ctx, a, "audit.read", "audit_log", "", fmt.Sprintf("%d条", len(out))); err != nil {
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
	if err := s.Scan(&e.ID, &at, &e.ActorID, &e.ActorName, &e.Action, &e.ObjectType, &e.ObjectID, &e.RegionPath, &e.Detail, &e.IP, &e.PrevHash, &e.Hash, &e.KeyID); err != nil {
		return nil, err
	}
	e.At = fromMS(at)
	return &e, nil
}

// VerifyAudit walks the chain from the first entry and reports the first
// entry whose hash, link or number is wrong. Under a key, keyed entries are
// checked by their HMAC, and a plain entry after a keyed one (a chain
// recomputed without the key) fails; each checkpoint must match the entry
// it names and no entry may be missing from the tail it covers.
func (s *Audit) VerifyAudit(ctx context.Context, checkpoints ...*jianfu.AuditCheckpoint) (*jianfu.AuditVerification, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.System && !(a.Has(jianfu.RoleAuditor) && a.RegionPath == "") {
		return nil, forbidden("校验审计链需要本机命令行或全国级审计员", "verifying the chain needs the local command line or a national auditor")
	}
	k := s.db.auditKey
	res := &jianfu.AuditVerification{OK: true, KeyID: s.db.AuditKeyID(), Checkpoints: len(checkpoints)}
	fail := func(id int64, reason string) {
		if res.OK {
			res.OK, res.BrokenID, res.Reason = false, id, reason
		}
	}
	// The checkpoints' own MACs first: a forged checkpoint proves nothing.
	want := map[int64]*jianfu.AuditCheckpoint{}
	var covered int64
	for _, cp := range checkpoints {
		if err := s.checkCheckpoint(cp); err != nil {
			return nil, err
		}
		want[cp.Entries] = cp
		covered = max(covered, cp.Entries)
	}
	rows, err := s.db.query(ctx, `SELECT id, at, actor_id, actor_name, action, object_type, object_id, region_path, detail, ip, prev_hash, hash, key_id FROM audit_log ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var prevID int64
	prevHash, prevKey := "", ""
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
		case e.KeyID == "" && prevKey != "":
			fail(e.ID, fmt.Sprintf("第%d条没有密钥签名,而此前的记录已用密钥锚定(链被不带密钥地重算)", e.ID))
		case e.KeyID == "" && auditHash(e, nil) != e.Hash:
			fail(e.ID, fmt.Sprintf("第%d条的内容与其哈希不符(记录被修改)", e.ID))
		case e.KeyID != "" && k == nil:
			fail(e.ID, fmt.Sprintf("第%d条起审计链用密钥(指纹 %s)签名,未配置审计密钥无法校验:请用 --audit-key 或环境变量 JIANFU_AUDIT_KEY 提供", e.ID, e.KeyID))
		case e.KeyID != "" && e.KeyID != k.ID():
			fail(e.ID, fmt.Sprintf("第%d条由另一密钥(指纹 %s)签名,不是配置的审计密钥(指纹 %s)", e.ID, e.KeyID, k.ID()))
		case e.KeyID != "" && !secret.Equal(auditHash(e, k), e.Hash):
			fail(e.ID, fmt.Sprintf("第%d条的内容与其密钥签名不符(记录被修改或链被重算)", e.ID))
		case want[e.ID] != nil && !secret.Equal(want[e.ID].Hash, e.Hash):
			fail(e.ID, fmt.Sprintf("第%d条与检查点(%s)记录的哈希不符(此前的记录被改写或链被重算)", e.ID, want[e.ID].At.In(jianfu.China).Format("2006-01-02 15:04")))
		}
		if e.KeyID != "" {
			res.Keyed++
		}
		prevID, prevHash, prevKey = e.ID, e.Hash, e.KeyID
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if !res.OK {
		return res, nil
	}
	if covered > prevID {
		fail(prevID+1, fmt.Sprintf("检查点记录审计链共 %d 条,库中只有 %d 条(末尾记录被删除)", covered, prevID))
		return res, nil
	}
	if k != nil && prevID > 0 && prevKey == "" {
		fail(prevID, fmt.Sprintf("配置了审计密钥(指纹 %s),但审计链没有一条密钥签名的记录:链尚未锚定(启动服务或执行 jianfu audit checkpoint 时自动锚定),或锚定后的记录被整体重算", k.ID()))
		return res, nil
	}
	var lastID int64
	var lastHash string
	if err := s.db.queryRow(ctx, `SELECT last_id, last_hash FROM audit_head WHERE singleton = 1`).Scan(&lastID, &lastHash); err != nil && err != sql.ErrNoRows {
		return nil, err
	}
	if lastID != prevID || lastHash != prevHash {
		fail(prevID+1, fmt.Sprintf("链头记录第%d条,实际最后一条为第%d条(末尾记录被删除或链头被改)", lastID, prevID))
	}
	return res, nil
}

// checkpointMAC is the MAC of a checkpoint's fields.
func checkpointMAC(k *secret.AuditKey, cp *jianfu.AuditCheckpoint) string {
	return k.MAC("jianfu audit checkpoint", strconv.FormatInt(cp.Entries, 10), cp.Hash, cp.KeyID, strconv.FormatInt(ms(cp.At), 10))
}

// checkCheckpoint verifies a checkpoint's MAC under the configured key.
func (s *Audit) checkCheckpoint(cp *jianfu.AuditCheckpoint) error {
	k := s.db.auditKey
	switch {
	case cp == nil || cp.Entries <= 0 || cp.Hash == "" || cp.MAC == "":
		return jianfu.Errorf(jianfu.EINVALID, "检查点不完整:应有条数、哈希与签名(由 jianfu audit checkpoint 生成)", "the checkpoint is incomplete: it needs entries, hash and mac (written by jianfu audit checkpoint)")
	case k == nil:
		return jianfu.Errorf(jianfu.EINVALID, "按检查点校验需要审计密钥:请用 --audit-key 或环境变量 JIANFU_AUDIT_KEY 提供", "checking against a checkpoint needs the audit key (--audit-key or JIANFU_AUDIT_KEY)")
	case cp.KeyID != k.ID():
		return jianfu.Errorf(jianfu.EINVALID, "检查点由另一密钥(指纹 %s)签名,不是配置的审计密钥(指纹 %s)", "the checkpoint was signed with another key (%s), not the configured one (%s)", cp.KeyID, k.ID())
	case !secret.Equal(checkpointMAC(k, cp), cp.MAC):
		return jianfu.Errorf(jianfu.EINVALID, "检查点的签名不符:检查点文件被改动,或不是用这把审计密钥生成的", "the checkpoint's signature does not match: it was altered or made with another key")
	}
	return nil
}

// CheckpointAudit signs the head of the chain. An unkeyed chain is
// anchored first, so the checkpoint always names a keyed entry.
func (s *Audit) CheckpointAudit(ctx context.Context) (*jianfu.AuditCheckpoint, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.System && !(a.Has(jianfu.RoleAuditor) && a.RegionPath == "") {
		return nil, forbidden("生成审计链检查点需要本机命令行或全国级审计员", "a checkpoint needs the local command line or a national auditor")
	}
	k := s.db.auditKey
	if k == nil {
		return nil, jianfu.Errorf(jianfu.EINVALID, "生成检查点需要审计密钥:请用 --audit-key 或环境变量 JIANFU_AUDIT_KEY 提供(可用 jianfu audit keygen 生成)",
			"a checkpoint needs the audit key (--audit-key or JIANFU_AUDIT_KEY; jianfu audit keygen makes one)")
	}
	cp := &jianfu.AuditCheckpoint{KeyID: k.ID()}
	err = s.db.inTx(ctx, func(tx *Tx) error {
		// The checkpoint itself is an audited event; its entry is the head
		// the checkpoint signs.
		if err := tx.audit("audit.checkpoint", "audit_log", "", "", "生成审计链检查点"); err != nil {
			return err
		}
		if err := tx.queryRow(`SELECT last_id, last_hash FROM audit_head WHERE singleton = 1`).Scan(&cp.Entries, &cp.Hash); err != nil {
			return err
		}
		cp.At = tx.now
		return nil
	})
	if err != nil {
		return nil, err
	}
	cp.MAC = checkpointMAC(k, cp)
	return cp, nil
}

// AnchorAudit keys an unkeyed chain now rather than at the next change, so
// that the moment a key was first given is on record. It reports whether it
// anchored.
func (s *Audit) AnchorAudit(ctx context.Context) (bool, error) {
	k := s.db.auditKey
	if k == nil {
		return false, nil
	}
	anchored := false
	err := s.db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(`UPDATE audit_head SET last_id = last_id WHERE singleton = 1`); err != nil {
			return fmt.Errorf("lock audit head: %w", err)
		}
		var h auditHead
		if err := tx.queryRow(`SELECT last_id, last_hash, key_id FROM audit_head WHERE singleton = 1`).Scan(&h.lastID, &h.lastHash, &h.key); err != nil {
			return fmt.Errorf("read audit head: %w", err)
		}
		if h.key != "" || h.lastID == 0 {
			return nil
		}
		anchored = true
		return tx.anchorAudit(&h, k)
	})
	return anchored, err
}

// AuditKeyState tells whether the chain is keyed and under which key.
func (s *Audit) AuditKeyState(ctx context.Context) (keyID string, entries int64, err error) {
	err = s.db.queryRow(ctx, `SELECT key_id, last_id FROM audit_head WHERE singleton = 1`).Scan(&keyID, &entries)
	return keyID, entries, err
}

// actorLabels names the people behind the entries (name and office), so
// the auditor reads 龚娟亚(江州市委网信办) rather than a login name.
func (db *DB) actorLabels(ctx context.Context, entries []*jianfu.AuditEntry) error {
	ids := map[int64]bool{}
	var args []any
	for _, e := range entries {
		if e.ActorID != 0 && !ids[e.ActorID] {
			ids[e.ActorID] = true
			args = append(args, e.ActorID)
		}
	}
	if len(args) == 0 {
		return nil
	}
	rows, err := db.query(ctx, `SELECT us.id, us.name, COALESCE(u.name, '') FROM users us LEFT JOIN units u ON u.id = us.unit_id WHERE us.id IN (`+placeholders(len(args))+`)`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	labels := map[int64]string{}
	for rows.Next() {
		var id int64
		var name, unit string
		if err := rows.Scan(&id, &name, &unit); err != nil {
			return err
		}
		labels[id] = name
		if unit != "" {
			labels[id] += "(" + unit + ")"
		}
	}
	for _, e := range entries {
		e.ActorLabel = labels[e.ActorID]
	}
	return rows.Err()
}
