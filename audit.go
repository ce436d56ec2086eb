package jianfu

import (
	"context"
	"time"
)

// AuditEntry is one line of the audit log (审计日志): who did what to which
// record, when and from where. Entries are hash-chained: Hash covers the
// entry's fields and the previous entry's hash, so an edit or a deletion
// breaks the chain at that point. Once an audit key is configured, Hash is
// HMAC-SM3 under that key (KeyID names it), so a copy of the database is
// not enough to rewrite a row and recompute the chain; entries from before
// the key was first given keep their plain SM3 hash and an empty KeyID.
type AuditEntry struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	ActorID    int64     `json:"actor_id,omitempty"`
	ActorName  string    `json:"actor"`
	Action     string    `json:"action"`      // e.g. "unit.create", "login.fail", "reporter.reveal"
	ObjectType string    `json:"object_type"` // e.g. "unit"
	ObjectID   string    `json:"object_id,omitempty"`
	RegionPath string    `json:"region_path"` // where the object sits, for scoping
	Detail     string    `json:"detail,omitempty"`
	IP         string    `json:"ip,omitempty"`
	PrevHash   string    `json:"prev_hash"`
	Hash       string    `json:"hash"`
	KeyID      string    `json:"key_id,omitempty"`
}

// AuditCheckpoint is a signed head of the chain (审计链检查点): how many
// entries there were and the hash of the last one, with a MAC under the
// audit key. Operators keep checkpoints outside the database (a file on
// another machine, syslog); verifying against one detects a deleted tail,
// a moved head and a chain recomputed from an earlier point.
type AuditCheckpoint struct {
	Entries int64     `json:"entries"`
	Hash    string    `json:"hash"`
	KeyID   string    `json:"key_id"`
	At      time.Time `json:"at"`
	MAC     string    `json:"mac"`
}

// AuditFilter selects audit entries.
type AuditFilter struct {
	Actor      string
	Action     string // prefix, e.g. "login"
	ObjectType string
	ObjectID   string
	Since      time.Time
	Until      time.Time
	Page
}

// AuditVerification is the result of checking the chain.
type AuditVerification struct {
	Entries  int    `json:"entries"`
	OK       bool   `json:"ok"`
	BrokenID int64  `json:"broken_id,omitempty"` // the first entry that does not verify
	Reason   string `json:"reason,omitempty"`
	Keyed    int    `json:"keyed"`            // entries verified under the audit key
	KeyID    string `json:"key_id,omitempty"` // the key's fingerprint
	// Checkpoints counts the checkpoints the chain was checked against.
	Checkpoints int `json:"checkpoints,omitempty"`
}

// AuditService reads and verifies the audit log. Entries are written by the
// store itself, in the same transaction as the change they record.
type AuditService interface {
	// FindAuditEntries lists entries about objects in the caller's region
	// subtree. Requires the auditor or system administrator role.
	FindAuditEntries(ctx context.Context, f AuditFilter) ([]*AuditEntry, int, error)
	// VerifyAudit walks the whole chain (system actor or national
	// auditor), checking keyed entries under the configured audit key, and
	// the chain against each checkpoint given.
	VerifyAudit(ctx context.Context, checkpoints ...*AuditCheckpoint) (*AuditVerification, error)
	// CheckpointAudit signs the current head of the chain under the audit
	// key (EINVALID without one), anchoring an unkeyed chain first.
	CheckpointAudit(ctx context.Context) (*AuditCheckpoint, error)
	// RecordAudit appends an entry that is not tied to a store change (a
	// login from the web layer, a rejected webhook).
	RecordAudit(ctx context.Context, e *AuditEntry) error
}
