// Package ingest turns work-group messages into what burden monitoring
// keeps. Every source — the API, chat-export files (chatexport/), the
// platform bots (wecom/, dingtalk/, feishu/) and the message stream
// (stream/) — hands its messages to a Pipeline, which
//
//  1. checks each message and resolves its group in the caller's scope —
//     the one authorisation of the batch's path (the store's ResolveGroups),
//  2. analyses the text with the detector,
//  3. replaces the sender with a keyed hash (pseudonym), masks personal data
//     in an excerpt around each demand, and drops the text,
//  4. and stores the batch in one transaction: aggregates per group and day,
//     findings, members, and the keys that make redelivery idempotent.
package ingest

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"log/slog"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"jianfu"
	"jianfu/detect"
	"jianfu/redact"
)

// Store is what the pipeline needs of the store.
type Store interface {
	ResolveGroups(ctx context.Context, refs []jianfu.GroupRef) (map[jianfu.GroupRef]*jianfu.GroupInfo, error)
	RecordObservations(ctx context.Context, source string, obs []jianfu.Observation) (jianfu.Recorded, error)
	// KnownNames lists the names of people the registry knows, to mask them
	// in excerpts. They are never shown to the caller.
	KnownNames(ctx context.Context) ([]string, error)
}

// MinKeyLength is the shortest pseudonym key accepted.
const MinKeyLength = 16

// Keys derive the keyed hashes of ingestion from the pseudonym key
// (--pseudonym-key): sender pseudonyms and idempotency keys. Without the key
// neither can be linked back to a person or a message.
type Keys struct {
	pool sync.Pool
}

// NewKeys checks the key and returns the hasher.
func NewKeys(key string) (*Keys, error) {
	if len(key) < MinKeyLength {
		return nil, jianfu.Errorf(jianfu.EINVALID,
			"未配置或过短的化名密钥:请用 --pseudonym-key 或环境变量 JIANFU_PSEUDONYM_KEY 设置至少16个字符的随机字符串(如 openssl rand -hex 32 的输出),并妥善保存——更换密钥后同一人的化名和消息去重都会改变",
			"the pseudonym key is missing or too short: set --pseudonym-key or JIANFU_PSEUDONYM_KEY to a random string of at least 16 characters (e.g. the output of openssl rand -hex 32) and keep it; changing it changes every pseudonym and breaks deduplication")
	}
	k := []byte(key)
	return &Keys{pool: sync.Pool{New: func() any { return hmac.New(sha256.New, k) }}}, nil
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

func (k *Keys) sum(parts ...string) []byte {
	h := k.pool.Get().(hash.Hash)
	h.Reset()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	out := h.Sum(nil)
	k.pool.Put(h)
	return out
}

// Pseudonym is the stable pseudonym of a sender: the same platform user id
// or display name in two groups has the same pseudonym, so how many groups
// a person sits in can be counted without knowing who they are.
func (k *Keys) Pseudonym(sender string) string {
	sender = strings.TrimSpace(sender)
	if sender == "" {
		return ""
	}
	return "p_" + strings.ToLower(b32.EncodeToString(k.sum("p", sender)[:8]))
}

// MessageKey is the idempotency key of a message in a group: the day of
// the message (days since 1970 in UTC, 4 bytes big-endian) and 12 bytes of
// a keyed hash of the group and the message id. The day in front keeps the
// keys of recent messages together at the end of the index, so storing
// them touches the same few pages however many keys older days hold —
// with the hash alone every key landed on a random page of an index that
// grows without end, and ingest slowed as the database grew. A message
// delivered again carries the same time, so it has the same key.
func (k *Keys) MessageKey(group int64, id string, at time.Time) []byte {
	key := make([]byte, 16)
	binary.BigEndian.PutUint32(key, uint32(max(0, at.Unix())/86400))
	copy(key[4:], k.sum("m", strconv.FormatInt(group, 10), id)[:12])
	return key
}

// LegacyMessageKey is the key of a message as it was recorded before keys
// began with the day (migration 0018): the store looks it up for messages
// old enough to have been recorded then (see jianfu.Observation).
func (k *Keys) LegacyMessageKey(group int64, id string) []byte {
	return k.sum("m", strconv.FormatInt(group, 10), id)[:16]
}

// Seal authenticates data passed between the processes of one deployment
// (the stream's messages, between the API that checked them and the
// workers that store them): a keyed hash only holders of the pseudonym key
// can make.
func (k *Keys) Seal(data []byte) []byte {
	h := k.pool.Get().(hash.Hash)
	h.Reset()
	h.Write([]byte("s\x00"))
	h.Write(data)
	out := h.Sum(nil)
	k.pool.Put(h)
	return out
}

// Sealed reports whether seal is data's seal.
func (k *Keys) Sealed(data, seal []byte) bool {
	return hmac.Equal(k.Seal(data), seal)
}

// ContentID derives a message id from what a message says, when the source
// gives none: the same message re-sent is the same id. n tells apart
// identical messages at the same second ("1", "1").
func ContentID(t time.Time, sender, text string, n int) string {
	h := sha256.New()
	fmt.Fprintf(h, "%d\x00%s\x00%s\x00%d", t.Unix(), sender, text, n)
	return "c:" + hex.EncodeToString(h.Sum(nil)[:16])
}

// Pipeline analyses and stores batches of messages. It is safe for
// concurrent use.
type Pipeline struct {
	Detector *detect.Detector
	Store    Store
	Keys     *Keys
	Log      *slog.Logger
	// Now is the clock (messages from the future are refused).
	Now func() time.Time
	// Stored, when set, is called after a batch is stored (to wake the
	// clustering of 多头报送).
	Stored func()

	mu      sync.Mutex
	pieces  pieces // the last pieces of a demand typed in several messages
	red     *redact.Redactor
	redAt   time.Time
	workers int
}

// NewPipeline builds a pipeline.
func NewPipeline(d *detect.Detector, st Store, keys *Keys, log *slog.Logger) *Pipeline {
	if log == nil {
		log = slog.Default()
	}
	return &Pipeline{Detector: d, Store: st, Keys: keys, Log: log, Now: time.Now, workers: runtime.GOMAXPROCS(0)}
}

// redactor returns the redactor with the registry's names, refreshed every
// five minutes.
func (p *Pipeline) redactor(ctx context.Context) *redact.Redactor {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.red != nil && time.Since(p.redAt) < 5*time.Minute {
		return p.red
	}
	names, err := p.Store.KnownNames(ctx)
	if err != nil {
		p.Log.Warn("redaction: cannot read the registry's names; masking numbers only", "err", err)
		if p.red == nil {
			p.red = redact.New()
		}
		return p.red
	}
	p.red, p.redAt = redact.New(names...), time.Now()
	return p.red
}

// Prepared is a batch checked and resolved: the messages that may go on,
// each with its group, and the errors of the others.
type Prepared struct {
	Msgs   []jianfu.Message
	Groups []*jianfu.GroupInfo // per message in Msgs
	Index  []int               // position of each in the original batch
	Result *jianfu.IngestResult
}

// Prepare checks a batch and resolves its groups in the caller's scope: the
// store's ResolveGroups, which is the authorisation of the path (the
// prepared messages carry their groups to the store, which does not check
// them again). It fails as a whole only when the caller may not ingest or
// the store fails.
func (p *Pipeline) Prepare(ctx context.Context, msgs []jianfu.Message) (*Prepared, error) {
	if _, err := jianfu.RequireActor(ctx); err != nil {
		return nil, err
	}
	if len(msgs) > jianfu.MaxBatch {
		return nil, jianfu.Errorf(jianfu.EINVALID, "一次最多提交%d条消息,收到%d条:请分批提交", "at most %d messages per request, got %d; send them in batches", jianfu.MaxBatch, len(msgs))
	}
	res := &jianfu.IngestResult{}
	now := p.Now()
	ok := make([]bool, len(msgs))
	refs := make([]jianfu.GroupRef, 0, 8)
	seen := map[jianfu.GroupRef]bool{}
	for i := range msgs {
		m := &msgs[i]
		m.Platform = strings.ToLower(strings.TrimSpace(m.Platform))
		m.PlatformID = strings.TrimSpace(m.PlatformID)
		if err := m.Validate(now); err != nil {
			res.Errors = append(res.Errors, itemError(i, err))
			continue
		}
		ok[i] = true
		r := jianfu.RefOf(m)
		if !seen[r] {
			seen[r] = true
			refs = append(refs, r)
		}
	}
	groups, err := p.Store.ResolveGroups(ctx, refs)
	if err != nil {
		return nil, err
	}
	pr := &Prepared{Result: res, Msgs: make([]jianfu.Message, 0, len(msgs)), Groups: make([]*jianfu.GroupInfo, 0, len(msgs)), Index: make([]int, 0, len(msgs))}
	for i := range msgs {
		if !ok[i] {
			continue
		}
		m := msgs[i]
		g := groups[jianfu.RefOf(&m)]
		if g == nil {
			what := fmt.Sprintf("group_id=%d", m.GroupID)
			if m.GroupID == 0 {
				what = m.Platform + ":" + m.PlatformID
			}
			res.Errors = append(res.Errors, itemError(i, jianfu.Errorf(jianfu.ENOTFOUND,
				"工作群(%s)未登记、不是工作群或不在您的管辖范围内:请先在备案管理中登记该群", "group %s is not registered, not a group, or outside your scope; register it first", what)))
			continue
		}
		m.GroupID = g.ID
		if m.ID == "" {
			m.ID = ContentID(m.Time, m.Sender, m.Text, 0)
		}
		pr.Msgs = append(pr.Msgs, m)
		pr.Groups = append(pr.Groups, g)
		pr.Index = append(pr.Index, i)
	}
	res.Rejected = len(res.Errors)
	return pr, nil
}

func itemError(i int, err error) jianfu.IngestItem {
	it := jianfu.IngestItem{Index: i, Code: jianfu.ErrorCode(err), Message: jianfu.ErrorMessage(err, "zh"), English: jianfu.ErrorMessage(err, "en")}
	if je, ok := err.(*jianfu.Error); ok {
		it.Problems = je.Problems
	}
	return it
}

// Ingest checks, analyses and stores a batch. Messages that fail a check
// are listed in the result; the others are stored in one transaction, so
// an error return means none was.
func (p *Pipeline) Ingest(ctx context.Context, msgs []jianfu.Message) (*jianfu.IngestResult, error) {
	pr, err := p.Prepare(ctx, msgs)
	if err != nil {
		return nil, err
	}
	return p.Record(ctx, pr)
}

// Record analyses and stores a prepared batch. Its groups are as Prepare
// resolved them (or a sealed stream message carried them): the store
// trusts them, so a Prepared must not be put together from anything else.
func (p *Pipeline) Record(ctx context.Context, pr *Prepared) (*jianfu.IngestResult, error) {
	res := pr.Result
	if len(pr.Msgs) == 0 {
		return res, nil
	}
	obs := p.Analyze(ctx, pr.Msgs, pr.Groups)
	source := pr.Msgs[0].Source
	if source == "" {
		source = jianfu.SourceAPI
	}
	rec, err := p.Store.RecordObservations(ctx, source, obs)
	if err != nil {
		return nil, err
	}
	res.Accepted = len(obs)
	res.Duplicates = len(obs) - rec.New
	res.Findings = rec.Findings
	if p.Stored != nil {
		p.Stored()
	}
	return res, nil
}

// Analyze runs the detector over the messages (in parallel for large
// batches) and returns what is kept of each. A demand typed in pieces by
// one sender (joinSplit) is found once, on its last piece.
func (p *Pipeline) Analyze(ctx context.Context, msgs []jianfu.Message, groups []*jianfu.GroupInfo) []jianfu.Observation {
	obs := make([]jianfu.Observation, len(msgs))
	red := p.redactor(ctx)
	workers := max(1, min(p.workers, len(msgs)/256))
	if workers == 1 {
		p.analyzeRange(msgs, groups, obs, red)
		p.joinSplit(msgs, obs, red)
		return obs
	}
	var wg sync.WaitGroup
	per := (len(msgs) + workers - 1) / workers
	for w := 0; w < workers; w++ {
		lo, hi := w*per, min((w+1)*per, len(msgs))
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.analyzeRange(msgs[lo:hi], groups[lo:hi], obs[lo:hi], red)
		}()
	}
	wg.Wait()
	p.joinSplit(msgs, obs, red)
	return obs
}

func (p *Pipeline) analyzeRange(msgs []jianfu.Message, groups []*jianfu.GroupInfo, obs []jianfu.Observation, red *redact.Redactor) {
	var r detect.Result
	for i := range msgs {
		m := &msgs[i]
		g := groups[i]
		p.Detector.AnalyzeInto(detect.Message{Text: m.Text, Time: m.Time}, &r)
		o := &obs[i]
		o.Key = p.Keys.MessageKey(g.ID, m.ID, m.Time)
		o.LegacyKey = p.Keys.LegacyMessageKey(g.ID, m.ID)
		o.GroupID = g.ID
		o.Group = g
		o.At = m.Time
		o.Sender = p.Keys.Pseudonym(m.Sender)
		if len(m.Members) > 0 {
			o.Members = make([]string, 0, len(m.Members))
			for _, mem := range m.Members {
				if ps := p.Keys.Pseudonym(mem); ps != "" {
					o.Members = append(o.Members, ps)
				}
			}
		}
		o.MemberCount = m.MemberCount
		o.Offhours = r.Offhours
		o.MentionAll = m.MentionAll || jianfu.MentionsAll(m.Text)
		for _, c := range r.Categories {
			o.Categories |= c.Bit()
		}
		o.Exempt = r.Exempt && len(r.Categories) > 0
		o.Demand = r.Found()
		o.Assessed = r.Assessed && o.Demand
		o.Score = r.Score
		if o.Demand {
			o.Finding = p.finding(m, &r, o.Sender, red)
		}
	}
}

// excerptContext is how many characters an excerpt keeps around its spans.
const (
	excerptContext = 30
	excerptMax     = 200
)

// finding builds the stored finding: an excerpt around the spans of the
// redacted text, the spans moved into it, and the topic of a material demand.
func (p *Pipeline) finding(m *jianfu.Message, r *detect.Result, sender string, red *redact.Redactor) *jianfu.Finding {
	text := red.Mask(m.Text)
	rs := []rune(text)
	f := &jianfu.Finding{At: m.Time, Sender: sender, Severity: string(r.Severity), Score: r.Score, Assessed: r.Assessed, Offhours: r.Offhours, Source: m.Source}
	for _, c := range r.Categories {
		f.Categories = append(f.Categories, string(c))
	}
	lo, hi := len(rs), 0
	for _, s := range r.Spans {
		lo, hi = min(lo, s.Start), max(hi, s.End)
	}
	if lo > hi {
		lo, hi = 0, 0
	}
	from := max(0, lo-excerptContext)
	to := min(len(rs), hi+excerptContext)
	if to-from > excerptMax {
		to = from + excerptMax
	}
	var b strings.Builder
	shift := -from
	if from > 0 {
		b.WriteRune('…')
		shift++
	}
	for _, c := range rs[from:to] {
		if c == '\n' || c == '\r' || c == '\t' {
			c = ' '
		}
		b.WriteRune(c)
	}
	if to < len(rs) {
		b.WriteRune('…')
	}
	f.Excerpt = b.String()
	n := utf8.RuneCountInString(f.Excerpt)
	for _, s := range r.Spans {
		st, en := s.Start+shift, s.End+shift
		if st < 0 || en > n || st >= en {
			continue
		}
		f.Spans = append(f.Spans, jianfu.FindingSpan{Start: st, End: en, Category: string(s.Category), Rule: s.Rule})
	}
	if r.Has(jianfu.Material) {
		f.Topic = Topic(rs, r.Spans)
	}
	return f
}

// IngestAll stores a batch of any size (a chat export) in one transaction:
// all or nothing. It is checked in pieces of jianfu.MaxBatch.
func (p *Pipeline) IngestAll(ctx context.Context, msgs []jianfu.Message) (*jianfu.IngestResult, error) {
	all := &Prepared{Result: &jianfu.IngestResult{}}
	for start := 0; start < len(msgs); start += jianfu.MaxBatch {
		part := msgs[start:min(start+jianfu.MaxBatch, len(msgs))]
		pr, err := p.Prepare(ctx, part)
		if err != nil {
			return nil, err
		}
		all.Msgs = append(all.Msgs, pr.Msgs...)
		all.Groups = append(all.Groups, pr.Groups...)
		for _, i := range pr.Index {
			all.Index = append(all.Index, start+i)
		}
		for _, e := range pr.Result.Errors {
			e.Index += start
			all.Result.Errors = append(all.Result.Errors, e)
		}
	}
	all.Result.Rejected = len(all.Result.Errors)
	return p.Record(ctx, all)
}
