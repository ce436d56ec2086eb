package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"

	"jianfu"
	"jianfu/secret"
)

// WithReporterKey sets the key that encrypts complainants' identities.
func WithReporterKey(s *secret.Sealer) Option { return func(db *DB) { db.SetReporterKey(s) } }

// SetReporterKey sets (or, with nil, removes) the key that encrypts
// complainants' identities. Without one, complaints that carry an identity
// are refused and anonymous ones are still taken.
func (db *DB) SetReporterKey(s *secret.Sealer) {
	db.cases.mu.Lock()
	db.cases.sealer = s
	db.cases.mu.Unlock()
}

func (db *DB) sealer() *secret.Sealer {
	db.cases.mu.RLock()
	defer db.cases.mu.RUnlock()
	return db.cases.sealer
}

// AcceptsIdentity reports whether identities can be encrypted.
func (s *Intake) AcceptsIdentity() bool { return s.db.sealer() != nil }

// identityAAD binds a sealed identity to its case: moved to another case's
// row, it no longer opens.
func identityAAD(caseID int64) []byte { return []byte(fmt.Sprintf("jianfu case %d reporter", caseID)) }

// sealIdentity stores the encrypted identity of a case's reporter.
func (tx *Tx) sealIdentity(caseID int64, id *jianfu.ReporterIdentity) error {
	s := tx.db.sealer()
	if s == nil {
		return jianfu.Errorf(jianfu.EINVALID, "未配置反映人信息加密密钥", "no reporter key is configured")
	}
	plain, _ := json.Marshal(id)
	_, err := tx.exec(`INSERT INTO case_reporters(case_id, sealed, key_id) VALUES (?, ?, ?)`, caseID, s.Seal(plain, identityAAD(caseID)), s.KeyID())
	return err
}

// sealedIdentity opens a case's sealed identity for the store's own use
// (the reporter's name for redaction); nil when there is none or no key
// opens it. Nothing opened here leaves the store.
func (tx *Tx) sealedIdentity(caseID int64) (*jianfu.ReporterIdentity, error) {
	sealer := tx.db.sealer()
	if sealer == nil {
		return nil, nil
	}
	var sealed []byte
	err := tx.queryRow(`SELECT sealed FROM case_reporters WHERE case_id = ?`, caseID).Scan(&sealed)
	if err == errNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	plain, err := sealer.Open(sealed, identityAAD(caseID))
	if err != nil {
		return nil, nil // sealed under another key: nothing to add
	}
	var id jianfu.ReporterIdentity
	if err := json.Unmarshal(plain, &id); err != nil {
		return nil, fmt.Errorf("reporter identity of case %d: %w", caseID, err)
	}
	return &id, nil
}

// RevealReporter decrypts the identity of a case's reporter — with the
// reporter's original words when personal data was hidden from them — for a
// holder of the reporter_access role, with a reason of at least
// jianfu.MinRevealReason meaningful characters. Every reveal and every
// refused attempt is audited with the case's region (reporter.reveal,
// reporter.refused), where the region's auditor sees it, and handed
// to the security-event hook.
func (s *Cases) RevealReporter(ctx context.Context, id int64, reason string) (*jianfu.ReporterIdentity, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var e *jianfu.AuditEntry
	out, err := s.reveal(ctx, a, id, reason, &e)
	if err != nil {
		if jianfu.ErrorCode(err) == jianfu.EINTERNAL {
			return nil, err
		}
		if e, aerr := s.db.refusedReveal(ctx, id, reason, err); aerr != nil {
			s.db.log.Error("audit a refused reveal", "case", id, "err", aerr)
		} else {
			s.db.securityEvent(ctx, e)
		}
		return nil, err
	}
	s.db.securityEvent(ctx, e)
	return out, nil
}

func (s *Cases) reveal(ctx context.Context, a *jianfu.Actor, id int64, reason string, entry **jianfu.AuditEntry) (*jianfu.ReporterIdentity, error) {
	if !a.CanRevealReporters() {
		return nil, forbidden("查看反映人身份需要“反映人信息查阅”授权", "revealing a reporter's identity needs the reporter_access permission")
	}
	reason, err := jianfu.RevealReason(reason)
	if err != nil {
		return nil, err
	}
	sealer := s.db.sealer()
	if sealer == nil {
		return nil, jianfu.Errorf(jianfu.EINVALID, "未配置反映人信息密钥(--reporter-key),无法解密", "no reporter key (--reporter-key) is configured, so nothing can be decrypted")
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
		e := &jianfu.AuditEntry{Action: jianfu.ActionReveal, ObjectType: "case", ObjectID: fmt.Sprint(id), RegionPath: c.RegionPath,
			ActorID: a.UserID, ActorName: a.Username, IP: jianfu.ClientIP(ctx), Detail: "reason: " + reason}
		*entry = e
		return tx.appendAudit(e)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// refusedReveal audits a refused reveal in its own transaction, under the
// case's region when the case exists (so its auditor sees who tried), else
// the caller's: why it was refused and the reason given, cut to 200
// characters.
func (db *DB) refusedReveal(ctx context.Context, id int64, reason string, refusal error) (*jianfu.AuditEntry, error) {
	a, _ := jianfu.RequireActor(ctx)
	e := &jianfu.AuditEntry{Action: jianfu.ActionRevealRefused, ObjectType: "case", ObjectID: fmt.Sprint(id), RegionPath: a.RegionPath,
		ActorID: a.UserID, ActorName: a.Username, IP: jianfu.ClientIP(ctx)}
	given := []rune(strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Cf, r) || unicode.IsControl(r) {
			return ' '
		}
		return r
	}, reason)), " "))
	if len(given) > 200 {
		given = append(given[:200], '…')
	}
	e.Detail = fmt.Sprintf("refused (%s): %s; reason given: %q", jianfu.ErrorCode(refusal), jianfu.ErrorMessage(refusal, "zh"), string(given))
	err := db.inTx(ctx, func(tx *Tx) error {
		var region string
		if err := tx.queryRow(`SELECT region_path FROM cases WHERE id = ?`, id).Scan(&region); err == nil {
			e.RegionPath = region
		} else if err != errNoRows {
			return err
		}
		return tx.appendAudit(e)
	})
	return e, err
}
