package store

import (
	"context"
	"encoding/json"
	"fmt"

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
		return jianfu.Errorf(jianfu.EINVALID, "未配置举报人信息加密密钥", "no reporter key is configured")
	}
	plain, _ := json.Marshal(id)
	_, err := tx.exec(`INSERT INTO case_reporters(case_id, sealed, key_id) VALUES (?, ?, ?)`, caseID, s.Seal(plain, identityAAD(caseID)), s.KeyID())
	return err
}

// RevealReporter decrypts the identity of a case's reporter for a holder of
// the reporter_access role, with a reason that goes into the audit log.
func (s *Cases) RevealReporter(ctx context.Context, id int64, reason string) (*jianfu.ReporterIdentity, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.CanRevealReporters() {
		return nil, forbidden("查看举报人身份需要“举报人信息查阅”授权", "revealing a reporter's identity needs the reporter_access permission")
	}
	if reason, err = jianfu.RevealReason(reason); err != nil {
		return nil, err
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
