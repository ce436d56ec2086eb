package main

import (
	"log/slog"
	"time"

	"jianfu/secret"
	"jianfu/store"
)

// sweepEvery is how often `serve` checks case deadlines (reminders,
// overdue marks, escalations).
const sweepEvery = 10 * time.Minute

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
