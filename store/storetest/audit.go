package storetest

import (
	"fmt"
	"strconv"
	"testing"

	"jianfu/secret"
	"jianfu/store"
)

// The attacker of the audit chain (attack 5 of issue 12): someone with a
// copy of the database and no audit key, who knows how the plain SM3
// chain is computed.

// RewriteAuditEntry changes entry id's actor and detail, then recomputes
// the whole chain as plain SM3 and moves the head, as an attacker would to
// make it verify again.
func RewriteAuditEntry(t testing.TB, db *store.DB, id int64, actor, detail string) {
	t.Helper()
	exec(t, db, `UPDATE audit_log SET actor_name = ?, detail = ? WHERE id = ?`, actor, detail, id)
	RecomputeAuditChain(t, db, 1)
}

// RecomputeAuditChain recomputes every entry from id on as a plain SM3
// chain (dropping any key fingerprint) and moves the head to the last.
func RecomputeAuditChain(t testing.TB, db *store.DB, from int64) {
	t.Helper()
	type row struct {
		id, at, actorID                                             int64
		actor, action, objType, objID, region, detail, ip, prevHash string
	}
	rows, err := db.SQL().Query(`SELECT id, at, actor_id, actor_name, action, object_type, object_id, region_path, detail, ip, prev_hash FROM audit_log ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.at, &r.actorID, &r.actor, &r.action, &r.objType, &r.objID, &r.region, &r.detail, &r.ip, &r.prevHash); err != nil {
			t.Fatal(err)
		}
		all = append(all, r)
	}
	rows.Close()
	prev := ""
	for _, r := range all {
		if r.id < from {
			prev = hashOf(t, db, r.id)
			continue
		}
		h := secret.SM3Hex(strconv.FormatInt(r.id, 10), strconv.FormatInt(r.at, 10), strconv.FormatInt(r.actorID, 10),
			r.actor, r.action, r.objType, r.objID, r.region, r.detail, r.ip, prev)
		exec(t, db, `UPDATE audit_log SET prev_hash = ?, hash = ?, key_id = '' WHERE id = ?`, prev, h, r.id)
		prev = h
	}
	exec(t, db, `UPDATE audit_head SET last_id = ?, last_hash = ?, key_id = '' WHERE singleton = 1`, all[len(all)-1].id, prev)
}

// DeleteAuditTail deletes the entries from id on and moves the head to the
// entry before, so that the remaining chain is internally consistent.
func DeleteAuditTail(t testing.TB, db *store.DB, from int64) {
	t.Helper()
	exec(t, db, `DELETE FROM audit_log WHERE id >= ?`, from)
	var keyID string
	if err := db.SQL().QueryRow(rebind(db, `SELECT key_id FROM audit_log WHERE id = ?`), from-1).Scan(&keyID); err != nil {
		t.Fatal(err)
	}
	exec(t, db, `UPDATE audit_head SET last_id = ?, last_hash = ?, key_id = ? WHERE singleton = 1`, from-1, hashOf(t, db, from-1), keyID)
}

func hashOf(t testing.TB, db *store.DB, id int64) string {
	var h string
	if err := db.SQL().QueryRow(rebind(db, `SELECT hash FROM audit_log WHERE id = ?`), id).Scan(&h); err != nil {
		t.Fatal(err)
	}
	return h
}

func exec(t testing.TB, db *store.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.SQL().Exec(rebind(db, q), args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// rebind numbers the placeholders for PostgreSQL.
func rebind(db *store.DB, q string) string {
	if db.Engine() != store.Postgres {
		return q
	}
	out, n := []byte{}, 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			out = fmt.Appendf(out, "$%d", n)
			continue
		}
		out = append(out, q[i])
	}
	return string(out)
}
