package ingest

import (
	"context"
	"log/slog"
	"time"

	"jianfu"
)

// Clusterer links material findings into 多头报送 clusters in the background:
// two seconds after a batch is stored (Kick), so that under steady ingest
// one pass takes the findings of many batches (each pass holds SQLite's
// one writer and recounts the clusters it adds to), and every minute in
// case a kick was missed (a worker died between storing and clustering).
type Clusterer struct {
	Store interface {
		ClusterMaterial(ctx context.Context, window time.Duration) (int, error)
	}
	Window time.Duration // default 30 days
	Log    *slog.Logger
	kick   chan struct{}
}

// NewClusterer returns a clusterer; Run starts it.
func NewClusterer(st interface {
	ClusterMaterial(ctx context.Context, window time.Duration) (int, error)
}, window time.Duration, log *slog.Logger) *Clusterer {
	if log == nil {
		log = slog.Default()
	}
	return &Clusterer{Store: st, Window: window, Log: log, kick: make(chan struct{}, 1)}
}

// Kick asks for a run soon; it never blocks.
func (c *Clusterer) Kick() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// Run clusters until ctx ends.
func (c *Clusterer) Run(ctx context.Context) {
	sys := jianfu.WithActor(ctx, jianfu.SystemActor("cluster"))
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.kick:
			// let the batches of the next seconds land first
			select {
			case <-time.After(2 * time.Second):
			case <-ctx.Done():
				return
			}
		case <-t.C:
		}
		n, err := c.Store.ClusterMaterial(sys, c.Window)
		if err != nil && ctx.Err() == nil {
			c.Log.Error("多头报送 clustering failed", "err", err)
		} else if n > 0 {
			c.Log.Debug("clustered material findings", "count", n)
		}
	}
}
