package main

import (
	"context"
	"log/slog"

	"jianfu"
	"jianfu/deliver"
	"jianfu/store"
)

// startDelivery reads the delivery configuration (none: in-app only) and
// schedules the outbox sender as the periodic job "outbox", once per
// interval cluster-wide. It returns the channels users may choose.
func startDelivery(ctx context.Context, db *store.DB, path string, jb *jobs, log *slog.Logger) ([]jianfu.DeliveryChannel, error) {
	if path == "" {
		return nil, nil
	}
	cfg, err := deliver.LoadConfig(path)
	if err != nil {
		return nil, usageError{"--delivery-config:" + err.Error()}
	}
	chs, err := cfg.Channels()
	if err != nil {
		return nil, usageError{"--delivery-config:" + err.Error()}
	}
	cal, err := cfg.Calendar()
	if err != nil {
		return nil, usageError{"--delivery-config:" + err.Error()}
	}
	if cfg.SiteURL != "" {
		db.SetSiteURL(cfg.SiteURL)
	}
	s := &deliver.Sender{Store: db.Deliveries(), Channels: chs, Calendar: cal, DigestAt: cfg.DigestMinute(), Log: log}
	jb.every(ctx, "outbox", cfg.Interval, func(ctx context.Context) error {
		r, err := s.Run(ctx)
		if r != (deliver.Result{}) {
			log.Info("outbox", "sent", r.Sent, "retried", r.Retried, "failed", r.Failed, "held", r.Held, "bundled", r.Bundled)
		}
		return err
	})
	log.Info("delivery configured", "channels", cfg.Enabled(), "interval", cfg.Interval)
	return cfg.Enabled(), nil
}
