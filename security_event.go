package jianfu

import (
	"context"
	"slices"
)

// Audit actions that are security events (安全事件): the region's auditor
// is to see each one promptly, not only when searching the log. The
// refusal is not named "reporter.reveal_…": the audit filter matches by
// prefix, and "reporter.reveal" must find the reveals alone ("reporter."
// finds both).
const (
	ActionReveal        = "reporter.reveal"  // a reporter's identity was opened
	ActionRevealRefused = "reporter.refused" // someone tried to reveal and was refused
)

// SecurityEventActions lists the audit actions that are security events.
var SecurityEventActions = []string{ActionReveal, ActionRevealRefused}

// IsSecurityEvent reports whether an audit action is a security event.
func IsSecurityEvent(action string) bool { return slices.Contains(SecurityEventActions, action) }

// SecurityNotifier hears of each security event once it is recorded (its
// audit entry committed), with the entry's region for whom to tell. It is
// the hook a notification centre attaches to; the audit page shows the
// same events to the region's auditor meanwhile. It must not block.
type SecurityNotifier interface {
	SecurityEvent(ctx context.Context, e *AuditEntry)
}
