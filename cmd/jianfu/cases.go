package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"jianfu"
	"jianfu/secret"
	"jianfu/store"
)

// sweepEvery is how often `serve` checks case deadlines (reminders,
// overdue marks, escalations).
const sweepEvery = 10 * time.Minute

// configureRatings gives the store the key of the marks of anonymous
// ratings, kept outside the database. The key itself is never logged.
func configureRatings(db *store.DB, f serveFlags, log *slog.Logger) error {
	switch n := len(f.raterKey); {
	case n == 0:
		log.Warn("no --rater-key: anonymous ratings are refused")
	case n < store.MinRaterKey:
		return usageError{fmt.Sprintf("--rater-key / JIANFU_RATER_KEY 过短:至少%d个字符,可用 `openssl rand -base64 24` 生成 / the rater key needs %d characters or more", store.MinRaterKey, store.MinRaterKey)}
	default:
		db.SetRaterKey([]byte(f.raterKey))
	}
	return nil
}

// configureCases gives the store the key that encrypts complainants'
// identities. The key itself is never logged.
func configureCases(db *store.DB, f serveFlags, log *slog.Logger) error {
	if f.reporterKey == "" {
		log.Warn("no --reporter-key: named complaints are refused, anonymous ones are taken")
		return nil
	}
	s, err := secret.ParseSealerKey(f.reporterKey)
	if err != nil {
		return usageError{"--reporter-key / JIANFU_REPORTER_KEY 无效:应为16字节(SM4)或32字节(AES-256)密钥的 base64 编码,可用 `openssl rand -base64 16` 生成 / invalid reporter key: base64 of 16 (SM4) or 32 (AES-256) bytes"}
	}
	db.SetReporterKey(s)
	log.Info("reporter identities are encrypted", "algorithm", s.Algorithm(), "key_id", s.KeyID())
	return nil
}

// sweepDeadlines reminds, marks overdue and escalates open cases as of now
// (the store's clock), as the system.
func sweepDeadlines(ctx context.Context, db *store.DB, log *slog.Logger) error {
	res, err := db.Deadlines().SweepDeadlines(jianfu.WithActor(ctx, jianfu.SystemActor("deadline")), db.Now())
	if err == nil && res.Reminded+res.Overdue+res.Escalated > 0 {
		log.Info("case deadlines", "checked", res.Checked, "reminded", res.Reminded, "overdue", res.Overdue, "escalated", res.Escalated)
	}
	return err
}

// sweepReminders tells whoever owes the work of the cases due within
// their stage's reminder window (p) as of now, once per deadline.
func sweepReminders(ctx context.Context, db *store.DB, p jianfu.ReminderPolicy, log *slog.Logger) error {
	n, err := db.Deadlines().SweepReminders(jianfu.WithActor(ctx, jianfu.SystemActor("deadline")), db.Now(), p)
	if n > 0 {
		log.Info("case reminders", "notified", n)
	}
	return err
}
