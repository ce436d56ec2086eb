package store

import (
	"context"

	"jianfu"
)

// WithSecurityNotifier hands the store a hook told of each security
// event (a reveal of a reporter, a refused one) after it is recorded,
// besides the notification centre, which always tells the auditors.
func WithSecurityNotifier(n jianfu.SecurityNotifier) Option {
	return func(db *DB) { db.SetSecurityNotifier(n) }
}

// SetSecurityNotifier sets (or, with nil, removes) the security-event hook.
func (db *DB) SetSecurityNotifier(n jianfu.SecurityNotifier) {
	db.cases.mu.Lock()
	db.cases.notify = n
	db.cases.mu.Unlock()
}

// securityEvent tells the region's auditors (the notification centre)
// and the hook, if any, of a recorded security event.
func (db *DB) securityEvent(ctx context.Context, e *jianfu.AuditEntry) {
	db.Notifications().SecurityEvent(context.WithoutCancel(ctx), e)
	db.cases.mu.RLock()
	n := db.cases.notify
	db.cases.mu.RUnlock()
	if n != nil {
		n.SecurityEvent(context.WithoutCancel(ctx), e)
	}
}
