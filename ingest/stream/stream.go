// Package stream carries work-group messages through NATS JetStream for
// ingestion at scale: the API (serve --ingest stream) publishes them to the
// subjects jianfu.messages.<shard>.<group id>, and any number of stateless workers
// (jianfu worker) consume them through durable pull consumers, analyse them
// and store them.
//
// Delivery is at least once and storage idempotent: a message is
// acknowledged only after the transaction that stores it has committed, and
// a message delivered twice (a worker died between commit and ack) is
// recognised by its key and not counted again. The stream uses work-queue
// retention, so an acknowledged message — raw text included — leaves the
// stream.
//
// The publisher is the path's one authorisation: it resolves each message's
// group in the caller's scope and publishes the message with that group,
// sealed with a keyed hash derived from the pseudonym key (ingest.Keys.Seal).
// A worker stores what a valid seal vouches for as the system, without
// checking or reading the group again, and drops anything else: whoever may
// publish on the subjects but lacks the key cannot make a worker record
// into any group.
package stream

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
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

// Names of the stream, its subjects and the workers' durable consumers,
// and the stream's shape.
type Names struct {
	Stream  string // JIANFU_MESSAGES
	Subject string // jianfu.messages; a message goes to Subject.<shard>.<group id>
	Durable string // jianfu-worker; shard k is consumed through Durable-k
	// Shards is how many parts the groups are divided into (group id
	// modulo Shards; 0: DefaultShards). Each part has its own subject and
	// consumer, and at most one batch of a part is in work at a time, so
	// workers store disjoint groups side by side instead of waiting for
	// each other's row locks on the groups' aggregates. Publishers and
	// workers of one stream must agree on it.
	Shards int `json:",omitempty"`
	// Replicas is how many copies of the stream a JetStream cluster keeps
	// (0 or 1: one). Setup creates the stream with this many and raises
	// an existing stream's count to it; it never lowers one.
	Replicas int `json:",omitempty"`
}

// DefaultShards is the number of parts of the default stream: more than
// the batches in work at once on a few workers of four goroutines each.
const DefaultShards = 16

// Default are the production names.
var Default = Names{Stream: "JIANFU_MESSAGES", Subject: "jianfu.messages", Durable: "jianfu-worker", Shards: DefaultShards}

func (n Names) shards() int {
	if n.Shards <= 0 {
		return DefaultShards
	}
	return n.Shards
}

// SubjectOf is the subject of a message of group id.
func (n Names) SubjectOf(group int64) string {
	return n.Subject + "." + strconv.FormatInt(group%int64(n.shards()), 10) + "." + strconv.FormatInt(group, 10)
}

// Connect connects to NATS and returns a JetStream handle. It reconnects
// for ever; opts add to the defaults (LogState, for one).
func Connect(url string, name string, opts ...nats.Option) (*nats.Conn, jetstream.JetStream, error) {
	nc, err := nats.Connect(url, append([]nats.Option{nats.Name(name), nats.MaxReconnects(-1), nats.ReconnectWait(time.Second)}, opts...)...)
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

// LogState logs every change of the connection's state: lost (with the
// reason), back, closed. While it is lost the API answers batches 503.
func LogState(log *slog.Logger) []nats.Option {
	return []nats.Option{
		nats.DisconnectErrHandler(func(nc *nats.Conn, err error) {
			log.Warn("NATS disconnected: message batches are refused (503) until it is back", "err", err)
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			log.Info("NATS reconnected", "url", nc.ConnectedUrlRedacted())
		}),
		nats.ClosedHandler(func(nc *nats.Conn) {
			log.Info("NATS connection closed")
		}),
	}
}

// Connected is 1 while the connection is up, 0 otherwise: the value of
// the jianfu_stream_connected gauge.
func Connected(nc *nats.Conn) float64 {
	if nc.Status() == nats.CONNECTED {
		return 1
	}
	return 0
}

// Ready reports whether the stream can take batches now: the connection
// to NATS is up and JetStream answers, within ctx. It is a /readyz check
// in stream mode.
func Ready(ctx context.Context, nc *nats.Conn, js jetstream.JetStream) error {
	if st := nc.Status(); st != nats.CONNECTED {
		return jianfu.Errorf(jianfu.EUNAVAILABLE, "未连接 NATS 消息队列(状态:%s),暂时无法接收消息批次", "not connected to NATS (status %s); message batches cannot be taken now", st)
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if _, err := js.AccountInfo(ctx); err != nil {
		return jianfu.Errorf(jianfu.EUNAVAILABLE, "JetStream 无应答:%v,暂时无法接收消息批次", "JetStream does not answer: %v; message batches cannot be taken now", err)
	}
	return nil
}

// Setup creates the stream, or brings its configuration up to date. A
// stream already configured so is left alone: every worker calls Setup as
// it starts, and an update each time would be a write to the server for
// nothing (and several at once race inside nats-server's file store).
// The replica count is raised to n.Replicas when the stream has fewer
// (a cluster grown from one node to three), never lowered: an operator
// may have raised it by hand.
func Setup(ctx context.Context, js jetstream.JetStream, n Names) (jetstream.Stream, error) {
	want := jetstream.StreamConfig{
		Name:        n.Stream,
		Description: "jianfu: work-group messages awaiting analysis (raw text; removed once acknowledged)",
		Subjects:    []string{n.Subject + ".>"},
		Retention:   jetstream.WorkQueuePolicy,
		Storage:     jetstream.FileStorage,
		Duplicates:  2 * time.Minute,
		MaxAge:      7 * 24 * time.Hour,
		Replicas:    max(n.Replicas, 1),
	}
	if s, err := js.Stream(ctx, n.Stream); err == nil {
		have := s.CachedInfo().Config
		if have.Description == want.Description && slices.Equal(have.Subjects, want.Subjects) && have.Retention == want.Retention &&
			have.Storage == want.Storage && have.Duplicates == want.Duplicates && have.MaxAge == want.MaxAge && have.Replicas >= want.Replicas {
			return s, nil
		}
		// keep what an update may not change, or an operator chose
		want.Replicas = max(want.Replicas, have.Replicas)
		s, err := js.UpdateStream(ctx, want)
		if err != nil {
			return nil, jianfu.Errorf(jianfu.EUNAVAILABLE, "无法更新 JetStream 流 %s(副本数 %d):%v(副本数不能超过集群节点数)",
				"cannot update JetStream stream %s (%d replicas): %v (replicas cannot exceed the cluster's nodes)", n.Stream, want.Replicas, err)
		}
		return s, nil
	}
	s, err := js.CreateOrUpdateStream(ctx, want)
	if err != nil {
		return nil, jianfu.Errorf(jianfu.EUNAVAILABLE, "无法创建 JetStream 流 %s(副本数 %d):%v(副本数不能超过集群节点数)",
			"cannot create JetStream stream %s (%d replicas): %v (replicas cannot exceed the cluster's nodes)", n.Stream, want.Replicas, err)
	}
	return s, nil
}

// Retry runs setup until it succeeds, ctx ends or, when within is not 0,
// within has passed, logging each failure and waiting two seconds: a
// process started with the cluster (still electing, or busy raising the
// stream's replicas for another process starting at the same moment)
// tries again rather than exiting. Each try has ten seconds. It returns
// the last error, or ctx's.
func Retry(ctx context.Context, log *slog.Logger, within time.Duration, setup func(context.Context) error) error {
	deadline := time.Now().Add(within)
	for {
		tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := setup(tctx)
		cancel()
		switch {
		case err == nil:
			return nil
		case ctx.Err() != nil:
			return ctx.Err()
		case within != 0 && time.Now().After(deadline):
			return err
		}
		log.Warn("stream: cannot set up the stream and its consumers yet; trying again", "err", err)
		select {
		case <-time.After(2 * time.Second):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// SealHeader is the header of a stream message holding its seal.
const SealHeader = "Jianfu-Seal"

// envelope is what the stream carries of a message: the message as the API
// checked it, and the group it was resolved to in the publisher's scope —
// what the store writes of it.
type envelope struct {
	Message jianfu.Message `json:"message"`
	Group   sealedGroup    `json:"group"`
}

type sealedGroup struct {
	ID          int64  `json:"id"`
	UnitID      int64  `json:"unit_id"`
	RegionPath  string `json:"region_path"`
	UnitPath    string `json:"unit_path"`
	MemberCount int    `json:"member_count,omitempty"`
}

// Publisher is the Ingester of serve --ingest stream: it checks a batch and
// resolves its groups in the caller's scope (the authorisation of the
// path), then publishes the messages, sealed, and waits until JetStream
// has stored every one. Accepted means durable in the stream; the workers
// analyse them.
type Publisher struct {
	JS    jetstream.JetStream
	Pipe  *ingest.Pipeline
	Names Names
	// Conn, when set, is checked first: a batch is refused at once while
	// NATS is disconnected.
	Conn *nats.Conn
}

var _ jianfu.Ingester = (*Publisher)(nil)

// Encode makes the stream message of a message resolved to group g:
// subject, body and seal (not the duplicate-window id).
func (p *Publisher) Encode(m *jianfu.Message, g *jianfu.GroupInfo) (*nats.Msg, error) {
	data, err := json.Marshal(envelope{Message: *m, Group: sealedGroup{ID: g.ID, UnitID: g.UnitID, RegionPath: g.RegionPath, UnitPath: g.UnitPath, MemberCount: g.MemberCount}})
	if err != nil {
		return nil, err
	}
	msg := nats.NewMsg(p.Names.SubjectOf(g.ID))
	msg.Data = data
	msg.Header.Set(SealHeader, base64.StdEncoding.EncodeToString(p.Pipe.Keys.Seal(data)))
	return msg, nil
}

// Ingest publishes a batch. When JetStream cannot take it — NATS is
// disconnected, or no acknowledgement arrives for stallTimeout — it answers
// EUNAVAILABLE (503 with Retry-After) within about two seconds, never
// hanging: the client sends the batch again, and what was published
// meanwhile is recognised by its id (JetStream's duplicate window) or its
// key (the workers) and not counted twice.
//
// The answer says the batch was queued: duplicates and findings are only
// known once the workers have stored it, so it does not count them.
func (p *Publisher) Ingest(ctx context.Context, msgs []jianfu.Message) (*jianfu.IngestResult, error) {
	if p.Conn != nil && p.Conn.Status() != nats.CONNECTED {
		return nil, unavailable(fmt.Errorf("NATS connection %s", p.Conn.Status()))
	}
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
		msg, err := p.Encode(m, pr.Groups[i])
		if err != nil {
			return nil, err
		}
		// JetStream drops a second publish of the same id within its
		// duplicate window; the workers' keys catch the rest.
		id := hex.EncodeToString(p.Pipe.Keys.MessageKey(m.GroupID, m.ID, m.Time))
		f, err := p.JS.PublishMsgAsync(msg, jetstream.WithMsgID(id), jetstream.WithStallWait(stallTimeout))
		if err != nil {
			return nil, unavailable(err)
		}
		futures = append(futures, f)
	}
	// A healthy server acknowledges steadily however big the batch; a
	// stall of stallTimeout between two acknowledgements means it cannot
	// take the batch now.
	stall := time.NewTimer(stallTimeout)
	defer stall.Stop()
	for _, f := range futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			return nil, unavailable(err)
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-stall.C:
			return nil, unavailable(errors.New("no acknowledgement from JetStream"))
		}
		if !stall.Stop() {
			<-stall.C
		}
		stall.Reset(stallTimeout)
	}
	pr.Result.Accepted = len(pr.Msgs)
	pr.Result.Queued = true
	return pr.Result, nil
}

// stallTimeout is how long a publisher waits for JetStream to acknowledge
// the next message before answering 503.
const stallTimeout = 1500 * time.Millisecond

func unavailable(err error) error {
	return jianfu.Errorf(jianfu.EUNAVAILABLE, "消息队列暂不可用,本批消息未确认接收,请稍后重发整批(重发的消息不会重复计数):%v", "the message stream is unavailable and this batch was not confirmed; send it again later (messages sent twice are not counted twice): %v", err)
}

// Worker consumes the stream: Parallel goroutines each fetch up to Batch
// messages of one shard, store them in one transaction and acknowledge
// them after it committed, then turn to the next shard.
//
// A shard's consumer lets Batch messages be unacknowledged at a time, so
// one batch of a shard is in work at once, across all workers: concurrent
// transactions write disjoint groups and none waits for another's row
// locks on the groups' aggregates (members, days, weeks). With one
// consumer for every group they did, and workers beyond the first few
// added nothing (docs/benchmarks.md).
type Worker struct {
	JS       jetstream.JetStream
	Pipe     *ingest.Pipeline
	Names    Names
	Parallel int // default 4
	Batch    int // default 500; the workers of one stream use the same
	// AckWait is how long a fetched message may stay unacknowledged before
	// JetStream redelivers it (a worker died); default one minute.
	AckWait time.Duration
	Log     *slog.Logger
	// AfterCommit, when set, runs after a batch is stored and before it is
	// acknowledged (tests use it to kill a worker at the worst moment).
	AfterCommit func(n int)

	stored  atomic.Int64
	acked   atomic.Int64
	refused atomic.Int64
}

// Stats reports messages stored and acknowledged so far.
func (w *Worker) Stats() (stored, acked int64) { return w.stored.Load(), w.acked.Load() }

// Refused reports messages dropped so far as unreadable or not sealed.
func (w *Worker) Refused() int64 { return w.refused.Load() }

// Consumers creates or updates the durable consumers: one per shard, each
// letting batch messages wait for acknowledgement, and the one of messages
// published before the stream was sharded (Subject.<group id>), whose
// consumer had every subject and now has those only.
func Consumers(ctx context.Context, js jetstream.JetStream, n Names, ackWait time.Duration, batch int) ([]jetstream.Consumer, error) {
	if ackWait <= 0 {
		ackWait = time.Minute
	}
	if batch <= 0 {
		batch = defaultBatch
	}
	cfg := func(name, filter, what string, pending int) jetstream.ConsumerConfig {
		return jetstream.ConsumerConfig{
			Durable:       name,
			Description:   "jianfu workers: analyse and store work-group messages" + what,
			AckPolicy:     jetstream.AckExplicitPolicy,
			AckWait:       ackWait,
			MaxAckPending: pending,
			MaxDeliver:    -1,
			FilterSubject: filter,
		}
	}
	// Each worker calls this as it starts: a consumer already configured
	// so is left alone (on a cluster each update is a write to a raft
	// group, and 17 of them at every start slow a busy cluster down).
	ensure := func(c jetstream.ConsumerConfig) (jetstream.Consumer, error) {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if have, err := js.Consumer(ctx, n.Stream, c.Durable); err == nil {
			h := have.CachedInfo().Config
			if h.Description == c.Description && h.AckPolicy == c.AckPolicy && h.AckWait == c.AckWait && h.MaxAckPending == c.MaxAckPending &&
				h.MaxDeliver == c.MaxDeliver && h.FilterSubject == c.FilterSubject {
				return have, nil
			}
		}
		return js.CreateOrUpdateConsumer(ctx, n.Stream, c)
	}
	// the unsharded consumer first: on a work-queue stream consumers may
	// not overlap, and the old one had every subject
	legacy, err := ensure(cfg(n.Durable, n.Subject+".*", " (published unsharded)", 50000))
	if err != nil {
		return nil, jianfu.Errorf(jianfu.EUNAVAILABLE, "无法设置 JetStream 消费者 %s:%v(旧版 NATS 服务器不能修改消费者的主题;待旧版 worker 处理完积压后删除它:nats consumer rm %s %s)",
			"cannot set up JetStream consumer %s: %v (an older NATS server cannot change a consumer's subject; once older workers have drained it, remove it: nats consumer rm %s %s)",
			n.Durable, err, n.Stream, n.Durable)
	}
	out := []jetstream.Consumer{}
	for k := range n.shards() {
		c, err := ensure(cfg(n.Durable+"-"+strconv.Itoa(k), n.Subject+"."+strconv.Itoa(k)+".>", fmt.Sprintf(" (shard %d)", k), batch))
		if err != nil {
			return nil, fmt.Errorf("set up consumer %s-%d: %w", n.Durable, k, err)
		}
		out = append(out, c)
	}
	return append(out, legacy), nil
}

const defaultBatch = 500

// Run consumes until ctx ends; batches in flight finish first.
func (w *Worker) Run(ctx context.Context) error {
	if w.Parallel <= 0 {
		w.Parallel = 4
	}
	if w.Batch <= 0 {
		w.Batch = defaultBatch
	}
	if w.Log == nil {
		w.Log = slog.Default()
	}
	var cons []jetstream.Consumer
	if err := Retry(ctx, w.Log, 0, func(ctx context.Context) error {
		_, err := Setup(ctx, w.JS, w.Names)
		if err == nil {
			cons, err = Consumers(ctx, w.JS, w.Names, w.AckWait, w.Batch)
		}
		return err
	}); err != nil {
		return nil // stopped before the stream was ready
	}
	var wg sync.WaitGroup
	for i := 0; i < w.Parallel; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// each goroutine goes round the shards from its own place,
			// pausing a little longer each time a whole round found
			// nothing to do
			next := rand.IntN(len(cons))
			idle, pause := 0, idleMin
			for ctx.Err() == nil {
				c := cons[next]
				next = (next + 1) % len(cons)
				n, err := w.once(ctx, c)
				if err != nil {
					if ctx.Err() != nil {
						return
					}
					w.Log.Warn("stream worker: batch failed; will retry", "err", err)
					select {
					case <-time.After(time.Second):
					case <-ctx.Done():
					}
					continue
				}
				if n > 0 {
					idle, pause = 0, idleMin
					continue
				}
				if idle++; idle >= len(cons) {
					select {
					case <-time.After(pause):
					case <-ctx.Done():
					}
					idle, pause = 0, min(2*pause, idleMax)
				}
			}
		}()
	}
	wg.Wait()
	return nil
}

// A worker that found every shard empty looks again after idleMin,
// doubling the pause while they stay empty, up to idleMax.
const (
	idleMin = 20 * time.Millisecond
	idleMax = 250 * time.Millisecond
)

// once fetches and processes one batch of a consumer, and returns how
// many messages it fetched. A shard with nothing to deliver is passed
// over at once. Otherwise the fetch takes what is there without waiting
// for more — or, while another batch of the shard is in work (its
// consumer lets one batch wait for acknowledgement), the whole next batch
// as that one is acknowledged: never a part of it, which would leave the
// rest to another fetch and two batches of the shard in work at once.
func (w *Worker) once(ctx context.Context, cons jetstream.Consumer) (int, error) {
	ictx, cancel := context.WithTimeout(ctx, 10*time.Second)
	info, err := cons.Info(ictx)
	cancel()
	if err != nil {
		return 0, err
	}
	// NumAckPending counts too: a message whose ack wait ran out, or that a
	// failed batch gave back, waits for redelivery without showing in
	// NumPending or NumRedelivered (the server counts a redelivery only
	// when it happens), and a shard passed over on those two alone would
	// never be taken again
	if info.NumPending == 0 && info.NumRedelivered == 0 && info.NumAckPending == 0 {
		return 0, nil
	}
	batch, err := cons.FetchNoWait(w.Batch)
	if err != nil {
		return 0, err
	}
	pr := &ingest.Prepared{Result: &jianfu.IngestResult{}}
	var raw []jetstream.Msg
	fetched := 0
	groups := map[sealedGroup]*jianfu.GroupInfo{} // one per group and batch
	for m := range batch.Messages() {
		fetched++
		msg, sg, err := w.open(m)
		if err != nil {
			// forged, altered or unreadable: it can never be stored; drop it
			w.Log.Error("stream worker: message refused and dropped", "subject", m.Subject(), "err", err)
			m.Term()
			w.refused.Add(1)
			continue
		}
		g := groups[sg]
		if g == nil {
			g = &jianfu.GroupInfo{ID: sg.ID, UnitID: sg.UnitID, RegionPath: sg.RegionPath, UnitPath: sg.UnitPath, MemberCount: sg.MemberCount}
			groups[sg] = g
		}
		pr.Index = append(pr.Index, len(pr.Msgs))
		pr.Msgs = append(pr.Msgs, msg)
		pr.Groups = append(pr.Groups, g)
		raw = append(raw, m)
	}
	if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && len(raw) == 0 {
		if info.NumPending == 0 {
			// only unacknowledged messages: most likely another batch of
			// the shard in work (the server refuses a fetch beyond its
			// MaxAckPending), not a failure
			return fetched, nil
		}
		return fetched, err
	}
	if len(raw) == 0 {
		return fetched, nil
	}
	// the publisher authorised these messages and resolved their groups;
	// the seal vouches for both, so the system stores them as they are
	sys := jianfu.WithActor(context.WithoutCancel(ctx), jianfu.SystemActor("worker"))
	if _, err := w.Pipe.Record(sys, pr); err != nil {
		if jianfu.ErrorCode(err) == jianfu.EINVALID {
			// the batch can never be stored as it is (a group this
			// database does not have): store what can be, group by group
			return fetched, w.byGroup(sys, pr, raw)
		}
		w.nakAll(raw)
		return fetched, err
	}
	w.stored.Add(int64(len(pr.Msgs)))
	if w.AfterCommit != nil {
		w.AfterCommit(len(pr.Msgs))
	}
	w.ackAll(raw)
	return fetched, nil
}

// byGroup stores a batch one group at a time: what is stored is
// acknowledged, what can never be is dropped, the rest is redelivered.
func (w *Worker) byGroup(sys context.Context, pr *ingest.Prepared, raw []jetstream.Msg) error {
	parts := map[int64]*ingest.Prepared{}
	var order []int64
	rawOf := map[int64][]jetstream.Msg{}
	for i, g := range pr.Groups {
		p := parts[g.ID]
		if p == nil {
			p = &ingest.Prepared{Result: &jianfu.IngestResult{}}
			parts[g.ID] = p
			order = append(order, g.ID)
		}
		p.Index = append(p.Index, len(p.Msgs))
		p.Msgs = append(p.Msgs, pr.Msgs[i])
		p.Groups = append(p.Groups, g)
		rawOf[g.ID] = append(rawOf[g.ID], raw[i])
	}
	var failed error
	for _, id := range order {
		p := parts[id]
		if _, err := w.Pipe.Record(sys, p); err != nil {
			if jianfu.ErrorCode(err) == jianfu.EINVALID {
				w.Log.Error("stream worker: messages of a group refused and dropped", "group", id, "count", len(p.Msgs), "err", err)
				for _, m := range rawOf[id] {
					m.Term()
				}
				w.refused.Add(int64(len(p.Msgs)))
				continue
			}
			w.nakAll(rawOf[id])
			failed = err
			continue
		}
		w.stored.Add(int64(len(p.Msgs)))
		if w.AfterCommit != nil {
			w.AfterCommit(len(p.Msgs))
		}
		w.ackAll(rawOf[id])
	}
	return failed
}

func (w *Worker) ackAll(raw []jetstream.Msg) {
	for _, m := range raw {
		if err := m.Ack(); err != nil {
			w.Log.Warn("stream worker: ack failed; the message will be redelivered and deduplicated", "err", err)
			continue
		}
		w.acked.Add(1)
	}
}

// open checks a stream message's seal and reads the message and its group.
func (w *Worker) open(m jetstream.Msg) (jianfu.Message, sealedGroup, error) {
	seal, err := base64.StdEncoding.DecodeString(m.Headers().Get(SealHeader))
	if err != nil || len(seal) == 0 {
		return jianfu.Message{}, sealedGroup{}, errors.New("not sealed: published by something other than jianfu's API")
	}
	if !w.Pipe.Keys.Sealed(m.Data(), seal) {
		return jianfu.Message{}, sealedGroup{}, errors.New("the seal does not match: forged or altered, or sealed with another pseudonym key")
	}
	var e envelope
	if err := json.Unmarshal(m.Data(), &e); err != nil {
		return jianfu.Message{}, sealedGroup{}, fmt.Errorf("unreadable: %w", err)
	}
	if e.Group.ID <= 0 || e.Message.GroupID != e.Group.ID {
		return jianfu.Message{}, sealedGroup{}, fmt.Errorf("message of group %d resolved to group %d", e.Message.GroupID, e.Group.ID)
	}
	return e.Message, e.Group, nil
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
