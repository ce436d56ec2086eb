package secret

import (
	"crypto/hmac"
	"encoding/hex"
	"fmt"

	"github.com/emmansun/gmsm/sm3"
)

// AuditKey keys the audit chain: every entry's hash is HMAC-SM3 under it,
// so whoever holds only a copy of the database cannot recompute the chain
// after rewriting a row. Like the reporter key it lives in the
// configuration (--audit-key, JIANFU_AUDIT_KEY), never in the database.
type AuditKey struct {
	key []byte
	id  string
}

// AuditKeyLen is the length of a generated audit key in bytes.
const AuditKeyLen = 32

// NewAuditKey wraps raw key bytes (at least 16).
func NewAuditKey(key []byte) (*AuditKey, error) {
	if len(key) < 16 {
		return nil, fmt.Errorf("secret: an audit key has at least 16 bytes, not %d", len(key))
	}
	k := &AuditKey{key: append([]byte(nil), key...)}
	k.id = SM3Hex("jianfu audit key id", string(key))[:8]
	return k, nil
}

// ParseAuditKey reads a base64 key as given in --audit-key or
// JIANFU_AUDIT_KEY (standard or URL alphabet, padding optional).
func ParseAuditKey(b64 string) (*AuditKey, error) {
	key, err := decodeKey(b64)
	if err != nil {
		return nil, fmt.Errorf("secret: the audit key is not base64: %w", err)
	}
	return NewAuditKey(key)
}

// NewAuditKeyString returns a fresh random audit key in base64.
func NewAuditKeyString() string { return randomKey(AuditKeyLen) }

// ID is a short public fingerprint of the key, stored beside each keyed
// entry so that a chain signed under another key is named as such.
func (k *AuditKey) ID() string { return k.id }

// MAC returns the hex HMAC-SM3 of the fields under the key, in the purpose
// given (so a MAC made for one use never verifies for another), each field
// length-prefixed as in SM3Hex.
func (k *AuditKey) MAC(purpose string, fields ...string) string {
	h := hmac.New(sm3.New, k.key)
	var n [20]byte
	for _, f := range append([]string{purpose}, fields...) {
		h.Write(fmt.Appendf(n[:0], "%d:", len(f)))
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Equal compares two hex MACs in constant time.
func Equal(a, b string) bool { return hmac.Equal([]byte(a), []byte(b)) }
