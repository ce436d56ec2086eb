package store

import (
	"context"

	"jianfu"
)

// WithSecurityNotifier hands the store the hook told of each security
// event (a reveal of a reporter, a refused one) after it is recorded.
func WithSecurityNotifier(n jianfu.SecurityNotifier) Option {
	return func(db *DB) { db.SetSecurityNotifier(n) }
}

// SetSecurityNotifier sets (or, with nil, removes) the security-event hook.
func (db *DB) SetSecurityNotifier(n jianfu.SecurityNotifier) {
	db.cases.mu.Lock()
	db.cases.notify = n
	db.cases.mu.Unlock()
}

// securityEvent tells the hook, if any, of a recorded security event.
func (db *DB) securityEvent(ctx context.Context, e *jianfu.AuditEntry) {
	db.cases.mu.RLock()
	n := db.cases.notify
	db.cases.mu.RUnlock()
	if n != nil {
		n.SecurityEvent(context.WithoutCancel(ctx), e)
	}
}
