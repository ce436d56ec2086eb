package ingest_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"jianfu"
	"jianfu/store/storetest"
)

// BenchmarkIngestOneMessage stores one message per batch, as a platform
// bot delivers them (a webhook request is one message): what a path's
// authorisation and group resolution cost shows here, where in a batch of
// 10,000 it is lost in the noise.
func BenchmarkIngestOneMessage(b *testing.B) {
	for _, e := range storetest.Engines {
		b.Run(string(e), func(b *testing.B) {
			db := storetest.Open(b, e)
			f := storetest.Load(b, db)
			storetest.Groups(b, db, f)
			p := pipeline(b, db)
			ctx := jianfu.WithActor(context.Background(), jianfu.SystemActor("webhook:wecom"))
			at := time.Now().Add(-time.Hour)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				m := jianfu.Message{ID: "w" + strconv.Itoa(i), Platform: "wecom", PlatformID: "wr-south-edu", Time: at, Sender: "周明远", Text: "收到,今晚10点前接龙报送", Source: jianfu.SourceWeCom}
				res, err := p.Ingest(ctx, []jianfu.Message{m})
				if err != nil || res.Accepted != 1 {
					b.Fatalf("ingest: %+v %v", res, err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}
