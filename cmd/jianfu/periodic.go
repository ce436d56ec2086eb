package main

import (
	"context"
	"log/slog"
	"time"
)

// every runs job now and then at each interval until ctx ends. A failing
// run is logged and the next one still happens.
func every(ctx context.Context, log *slog.Logger, name string, interval time.Duration, job func(context.Context) error) {
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			if err := job(ctx); err != nil && ctx.Err() == nil {
				log.Error("periodic job failed", "job", name, "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}
