package deliver

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// gatewayServer is a local SMS gateway that accepts everything.
func gatewayServer(b *testing.B) *SMS {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, `{"code":"0"}`)
	}))
	b.Cleanup(srv.Close)
	return &SMS{URL: srv.URL + "/send", Body: `{"mobile":{{json .Mobile}},"text":{{json .Text}}}`, SuccessField: "code", SuccessValue: "0",
		Client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}}
}

// BenchmarkSender measures the outbox sender's throughput: b.N security
// notices queued for an auditor with SMS (one outbox row each), then sent
// to a local gateway with four workers, each claim, send and mark a
// separate step as in production.
func BenchmarkSenderSQLite(b *testing.B)   { benchSender(b, store.SQLite) }
func BenchmarkSenderPostgres(b *testing.B) { benchSender(b, store.Postgres) }

func benchSender(b *testing.B, e store.Engine) {
	db := storetest.Open(b, e)
	f := storetest.Load(b, db)
	if err := db.Deliveries().SetUserChannels(f.Ctx(b, db, "cityAuditor"), []jianfu.UserChannel{{Channel: jianfu.ChannelSMS, Address: "13900001111"}}); err != nil {
		b.Fatal(err)
	}
	for i := range b.N {
		db.Notifications().SecurityEvent(context.Background(), &jianfu.AuditEntry{ID: int64(i + 1), Action: jianfu.ActionReveal, RegionPath: "390102", ActorName: "监管员" + strconv.Itoa(i)})
	}
	s := &Sender{Store: db.Deliveries(), Channels: map[jianfu.DeliveryChannel]Channel{jianfu.ChannelSMS: gatewayServer(b)},
		Workers: 4, Batch: 200, Log: slog.New(slog.DiscardHandler)}
	b.ResetTimer()
	start := time.Now()
	r, err := s.Run(context.Background())
	b.StopTimer()
	if err != nil || r.Sent != b.N {
		b.Fatalf("sent %d of %d: %v", r.Sent, b.N, err)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}

// BenchmarkBaselineGatewayPosts is the same sends to the same gateway with
// four workers, without the outbox: the ceiling of the sender.
func BenchmarkBaselineGatewayPosts(b *testing.B) {
	gw := gatewayServer(b)
	ch := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range ch {
				if err := gw.Send(context.Background(), Message{Key: "k" + strconv.Itoa(i), To: "13900001111", Body: "安全事件:监管员查看了举报人身份"}); err != nil {
					b.Error(err)
				}
			}
		}()
	}
	for i := range b.N {
		ch <- i
	}
	close(ch)
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}
