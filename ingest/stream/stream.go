// Package stream carries work-group messages through NATS JetStream for
// ingestion at scale: the API (serve --ingest stream) publishes them to the
// subjects jianfu.messages.<group id>, and any number of stateless workers
// (jianfu worker) consume them from one durable pull consumer, analyse them
// and store them.
//
// Delivery is at least once and storage idempotent: a message is
// acknowledged only after the transaction that stores it has committed, and
// a message delivered twice (a worker died between commit and ack) is
// recognised by its key and not counted again. The stream uses work-queue
// retention, so an acknowledged message — raw text included — leaves the
// stream.
package stream

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"jianfu"
	"jianfu/ingest"
)

// Names of the stream, its subjects and the workers' durable consumer.
type Names struct {
	Stream  string // JIANFU_MESSAGES
	Subject string // jianfu.messages; messages go to Subject.<group id>
	Durable string // jianfu-worker
}

// Default are the production names.
var Default = Names{Stream: "JIANFU_MESSAGES", Subject: "jianfu.messages", Durable: "jianfu-worker"}

// Connect connects to NATS and returns a JetStream handle.
func Connect(url string, name string) (*nats.Conn, jetstream.JetStream, error) {
	nc, err := nats.Connect(url, nats.Name(name), nats.MaxReconnects(-1), nats.ReconnectWait(time.Second))
	if err != nil {
		return nil, nil, jianfu.Errorf(jianfu.EINVALID, "无法连接 NATS 服务器 %s:%v(请检查 --nats 地址,服务器须开启 JetStream)", "cannot connect to NATS at %s: %v (check --nats; the server needs JetStream)", url, err)
	}
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(20000))
	if err != nil {
		nc.Close()
		return nil, nil, err
	}
	return nc, js, nil
}

// Setup creates the stream, or brings its configuration up to date. A
// stream already configured so is left alone: every worker calls Setup as
// it starts, and an update each time would be a write to the server for
// nothing (and several at once race inside nats-server's file store).
func Setup(ctx context.Context, js jetstream.JetStream, n Names) (jetstream.Stream, error) {
	want := jetstream.StreamConfig{
		Name:        n.Stream,
		Description: "jianfu: work-group messages awaiting analysis (raw text; removed once acknowledged)",
		Subjects:    []string{n.Subject + ".>"},
		Retention:   jetstream.WorkQueuePolicy,
		Storage:     jetstream.FileStorage,
		Duplicates:  2 * time.Minute,
		MaxAge:      7 * 24 * time.Hour,
	}
	if s, err := js.Stream(ctx, n.Stream); err == nil {
		have := s.CachedInfo().Config
		if have.Description == want.Description && slices.Equal(have.Subjects, want.Subjects) && have.Retention == want.Retention &&
			have.Storage == want.Storage && have.Duplicates == want.Duplicates && have.MaxAge == want.MaxAge {
			return s, nil
		}
	}
	s, err := js.CreateOrUpdateStream(ctx, want)
	if err != nil {
		return nil, fmt.Errorf("set up stream %s: %w", n.Stream, err)
	}
	return s, nil
}

// Publisher is the Ingester of serve --ingest stream: it checks a batch and
// resolves its groups in the caller's scope, then publishes the messages
// and waits until JetStream has stored every one. Accepted means durable in
// the stream; the workers analyse them.
type Publisher struct {
	JS    jetstream.JetStream
	Pipe  *ingest.Pipeline
	Names Names
}

var _ jianfu.Ingester = (*Publisher)(nil)

// Ingest publishes a batch.
func (p *Publisher) Ingest(ctx context.Context, msgs []jianfu.Message) (*jianfu.IngestResult, error) {
	pr, err := p.Pipe.Prepare(ctx, msgs)
	if err != nil {
		return nil, err
	}
	futures := make([]jetstream.PubAckFuture, 0, len(pr.Msgs))
	for i := range pr.Msgs {
		m := &pr.Msgs[i]
		if m.Source == "" {
			m.Source = jianfu.SourceStream
		}
		data, err := json.Marshal(m)
		if err != nil {
			return nil, err
		}
		// JetStream drops a second publish of the same id within its
		// duplicate window; the workers' keys catch the rest.
		id := hex.EncodeToString(p.Pipe.Keys.MessageKey(m.GroupID, m.ID))
		f, err := p.JS.PublishAsync(p.Names.Subject+"."+strconv.FormatInt(m.GroupID, 10), data, jetstream.WithMsgID(id))
		if err != nil {
			return nil, unavailable(err)
		}
		futures = append(futures, f)
	}
	timeout := time.NewTimer(30 * time.Second)
	defer timeout.Stop()
	for _, f := range futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			return nil, unavailable(err)
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-timeout.C:
			return nil, unavailable(errors.New("timed out waiting for JetStream"))
		}
	}
	pr.Result.Accepted = len(pr.Msgs)
	pr.Result.Queued = true
	return pr.Result, nil
}

func unavailable(err error) error {
	return jianfu.Errorf(jianfu.EINTERNAL, "消息队列暂不可用,本批消息未被接收,请稍后重试:%v", "the message stream is unavailable; nothing of this batch was accepted, retry later: %v", err)
}

// Worker consumes the stream: Parallel goroutines each fetch up to Batch
// messages, store them in one transaction and acknowledge them after it
// committed.
type Worker struct {
	JS       jetstream.JetStream
	Pipe     *ingest.Pipeline
	Names    Names
	Parallel int // default 4
	Batch    int // default 500
	// AckWait is how long a fetched message may stay unacknowledged before
	// JetStream redelivers it (a worker died); default one minute.
	AckWait time.Duration
	Log     *slog.Logger
	// AfterCommit, when set, runs after a batch is stored and before it is
	// acknowledged (tests use it to kill a worker at the worst moment).
	AfterCommit func(n int)

	stored atomic.Int64
	acked  atomic.Int64
}

// Stats reports messages stored and acknowledged so far.
func (w *Worker) Stats() (stored, acked int64) { return w.stored.Load(), w.acked.Load() }

// Consumer creates or updates the durable consumer.
func Consumer(ctx context.Context, js jetstream.JetStream, n Names, ackWait time.Duration) (jetstream.Consumer, error) {
	if ackWait <= 0 {
		ackWait = time.Minute
	}
	c, err := js.CreateOrUpdateConsumer(ctx, n.Stream, jetstream.ConsumerConfig{
		Durable:       n.Durable,
		Description:   "jianfu workers: analyse and store work-group messages",
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       ackWait,
		MaxAckPending: 50000,
		MaxDeliver:    -1,
		FilterSubject: n.Subject + ".>",
	})
	if err != nil {
		return nil, fmt.Errorf("set up consumer %s: %w", n.Durable, err)
	}
	return c, nil
}

// Run consumes until ctx ends; batches in flight finish first.
func (w *Worker) Run(ctx context.Context) error {
	if w.Parallel <= 0 {
		w.Parallel = 4
	}
	if w.Batch <= 0 {
		w.Batch = 500
	}
	if w.Log == nil {
		w.Log = slog.Default()
	}
	if _, err := Setup(ctx, w.JS, w.Names); err != nil {
		return err
	}
	cons, err := Consumer(ctx, w.JS, w.Names, w.AckWait)
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	for i := 0; i < w.Parallel; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if err := w.once(ctx, cons); err != nil {
					if ctx.Err() != nil {
						return
					}
					w.Log.Warn("stream worker: batch failed; will retry", "err", err)
					select {
					case <-time.After(time.Second):
					case <-ctx.Done():
					}
				}
			}
		}()
	}
	wg.Wait()
	return nil
}

// once fetches and processes one batch.
func (w *Worker) once(ctx context.Context, cons jetstream.Consumer) error {
	batch, err := cons.Fetch(w.Batch, jetstream.FetchMaxWait(time.Second))
	if err != nil {
		return err
	}
	var msgs []jianfu.Message
	var raw []jetstream.Msg
	for m := range batch.Messages() {
		var jm jianfu.Message
		if err := json.Unmarshal(m.Data(), &jm); err != nil {
			// poison: it can never be read; drop it from the stream
			w.Log.Error("stream worker: unreadable message dropped", "subject", m.Subject(), "err", err)
			m.Term()
			continue
		}
		msgs = append(msgs, jm)
		raw = append(raw, m)
	}
	if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && len(raw) == 0 {
		return err
	}
	if len(msgs) == 0 {
		return nil
	}
	sys := jianfu.WithActor(context.WithoutCancel(ctx), jianfu.SystemActor("worker"))
	pr, err := w.Pipe.Prepare(sys, msgs)
	if err != nil {
		w.nakAll(raw)
		return err
	}
	// messages that cannot be stored (their group is gone) never will be
	for _, e := range pr.Result.Errors {
		w.Log.Error("stream worker: message refused and dropped", "subject", raw[e.Index].Subject(), "error", e.English)
		raw[e.Index].Term()
	}
	if _, err := w.Pipe.Record(sys, pr); err != nil {
		w.nakAll(raw)
		return err
	}
	w.stored.Add(int64(len(pr.Msgs)))
	if w.AfterCommit != nil {
		w.AfterCommit(len(pr.Msgs))
	}
	for _, i := range pr.Index {
		if err := raw[i].Ack(); err != nil {
			w.Log.Warn("stream worker: ack failed; the message will be redelivered and deduplicated", "err", err)
			continue
		}
		w.acked.Add(1)
	}
	return nil
}

func (w *Worker) nakAll(raw []jetstream.Msg) {
	for _, m := range raw {
		m.NakWithDelay(2 * time.Second)
	}
}

// IngestAll publishes a batch of any size in pieces of jianfu.MaxBatch.
func (p *Publisher) IngestAll(ctx context.Context, msgs []jianfu.Message) (*jianfu.IngestResult, error) {
	total := &jianfu.IngestResult{Queued: true}
	for start := 0; start < len(msgs); start += jianfu.MaxBatch {
		res, err := p.Ingest(ctx, msgs[start:min(start+jianfu.MaxBatch, len(msgs))])
		if err != nil {
			return nil, err
		}
		total.Accepted += res.Accepted
		total.Rejected += res.Rejected
		for _, e := range res.Errors {
			e.Index += start
			total.Errors = append(total.Errors, e)
		}
	}
	return total, nil
}
