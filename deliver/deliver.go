// Package deliver sends notifications beyond the browser (issue 13): over
// SMTP, a province's SMS gateway, 企业微信, 钉钉 and 飞书 (and their private
// deployments 政务微信 and 浙政钉 through a configurable base URL). It works
// through the store's outbox: Sender.Run claims due rows, holds what
// quiet hours or the daily digest hold, sends the rest under each row's
// idempotency key, and records each result; a failed attempt is retried
// with exponential backoff.
package deliver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"jianfu"
	"jianfu/calendar"
)

// Message is one message to send on a channel.
type Message struct {
	Key     string // idempotency key: the same for every attempt of one message
	To      string // the address on the channel
	Subject string
	Body    string
}

// Channel sends messages on one channel. Send returns nil only when the
// channel accepted the message; a *Error says whether to retry.
type Channel interface {
	Send(ctx context.Context, m Message) error
}

// Error is a failed send: Permanent when retrying cannot help (a bad
// address, a refused credential), RetryAfter when the channel asked to
// slow down (a rate limit). Msg holds no secret.
type Error struct {
	Msg        string
	Permanent  bool
	RetryAfter time.Duration
}

func (e *Error) Error() string { return e.Msg }

func permanent(format string, args ...any) error {
	return &Error{Msg: fmt.Sprintf(format, args...), Permanent: true}
}

func transient(format string, args ...any) error {
	return &Error{Msg: fmt.Sprintf(format, args...)}
}

func rateLimited(after time.Duration, format string, args ...any) error {
	return &Error{Msg: fmt.Sprintf(format, args...), RetryAfter: after}
}

// Sender works through the outbox.
type Sender struct {
	Store    jianfu.Outbox // the store's Deliveries
	Channels map[jianfu.DeliveryChannel]Channel
	Calendar *calendar.Calendar // quiet hours: nil sends at any time
	DigestAt int                // minute of the day the daily digest goes out (China time)
	Batch    int                // rows claimed at a time; 0: 100
	Workers  int                // sends at once; 0: 4
	ClaimTTL time.Duration      // a claim lapses this long after it was made; 0: 5 minutes
	Now      func() time.Time
	Log      *slog.Logger
}

// Result counts what a run did.
type Result struct {
	Sent, Failed, Retried, Held, Bundled int
}

func (s *Sender) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Sender) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// Run works through what is due until nothing is (or ctx ends): the
// periodic job "outbox" calls it under its lease.
func (s *Sender) Run(ctx context.Context) (Result, error) {
	var total Result
	for range 1000 { // bounded: a run ends even if rows keep coming
		r, n, err := s.runBatch(ctx)
		total.Sent += r.Sent
		total.Failed += r.Failed
		total.Retried += r.Retried
		total.Held += r.Held
		total.Bundled += r.Bundled
		if err != nil || n == 0 || ctx.Err() != nil {
			return total, err
		}
	}
	return total, nil
}

func (s *Sender) runBatch(ctx context.Context) (Result, int, error) {
	var res Result
	var tag [12]byte
	rand.Read(tag[:])
	token := hex.EncodeToString(tag[:])
	ttl := s.ClaimTTL
	if ttl == 0 {
		ttl = 5 * time.Minute
	}
	batch := s.Batch
	if batch == 0 {
		batch = 100
	}
	rows, err := s.Store.ClaimOutbox(ctx, token, s.now().Add(ttl), batch)
	if err != nil || len(rows) == 0 {
		return res, 0, err
	}
	now := s.now()
	type group struct {
		uid  int64
		ch   jianfu.DeliveryChannel
		addr string
		msgs []*jianfu.OutboxMessage
	}
	digests := map[string]*group{}
	var digestOrder []string
	var send []*jianfu.OutboxMessage
	for _, m := range rows {
		switch {
		case m.Digest && !m.Urgent && m.Kind != jianfu.DigestKind && m.Was == jianfu.DeliveryHeld:
			// held for the digest and now due: bundle it
			k := fmt.Sprintf("%d/%s", m.UserID, m.Channel)
			if digests[k] == nil {
				digests[k] = &group{uid: m.UserID, ch: m.Channel, addr: m.Address}
				digestOrder = append(digestOrder, k)
			}
			digests[k].msgs = append(digests[k].msgs, m)
		case m.Digest && !m.Urgent && m.Kind != jianfu.DigestKind:
			if err := s.Store.Hold(ctx, m.ID, token, jianfu.DeliveryHeld, s.digestTime(now)); err != nil {
				return res, len(rows), err
			}
			res.Held++
		case !m.Urgent && s.Calendar != nil && !s.Calendar.IsWorkingTime(now):
			if err := s.Store.Hold(ctx, m.ID, token, jianfu.DeliveryHeld, s.Calendar.NextWorkingTime(now)); err != nil {
				return res, len(rows), err
			}
			res.Held++
		default:
			send = append(send, m)
		}
	}
	for _, k := range digestOrder {
		g := digests[k]
		ids := make([]int64, len(g.msgs))
		for i, m := range g.msgs {
			ids[i] = m.ID
		}
		subject, body := jianfu.DigestMessage(now, g.msgs)
		if _, err := s.Store.Bundle(ctx, token, g.uid, g.ch, g.addr, ids, subject, body); err != nil {
			return res, len(rows), err
		}
		res.Bundled += len(ids)
	}
	err = s.sendAll(ctx, token, send, &res)
	return res, len(rows), err
}

// digestTime is when the next daily digest goes out.
func (s *Sender) digestTime(now time.Time) time.Time {
	if s.Calendar == nil {
		c := calendar.Default()
		return c.At(now, s.DigestAt)
	}
	return s.Calendar.At(now, s.DigestAt)
}

// sendAll sends the claimed rows with a few workers. A channel that
// reports a rate limit is paused for the rest of the batch: its remaining
// rows go back unsent until the limit's end.
func (s *Sender) sendAll(ctx context.Context, token string, msgs []*jianfu.OutboxMessage, res *Result) error {
	workers := s.Workers
	if workers == 0 {
		workers = 4
	}
	var mu sync.Mutex
	paused := map[jianfu.DeliveryChannel]time.Time{}
	var firstErr error
	next := make(chan *jianfu.OutboxMessage)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for m := range next {
				mu.Lock()
				until, isPaused := paused[m.Channel]
				mu.Unlock()
				var err error
				if isPaused {
					err = s.Store.Hold(ctx, m.ID, token, jianfu.DeliveryPending, until)
				} else {
					var out outcome
					out, err = s.sendOne(ctx, token, m)
					mu.Lock()
					switch out.kind {
					case sent:
						res.Sent++
					case failed:
						res.Failed++
					case retried:
						res.Retried++
						if out.pause > 0 {
							paused[m.Channel] = s.now().Add(out.pause)
						}
					}
					mu.Unlock()
				}
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for _, m := range msgs {
		if ctx.Err() != nil {
			break // unsent rows stay claimed; they are retried when the claim lapses
		}
		next <- m
	}
	close(next)
	wg.Wait()
	return firstErr
}

type outcomeKind int

const (
	sent outcomeKind = iota
	failed
	retried
)

type outcome struct {
	kind  outcomeKind
	pause time.Duration
}

// sendOne sends one row and records the result. The row is marked sent
// only after the channel accepted it: a crash in between leaves it
// sending, and it is sent again under the same key when its claim lapses.
func (s *Sender) sendOne(ctx context.Context, token string, m *jianfu.OutboxMessage) (outcome, error) {
	ch := s.Channels[m.Channel]
	if ch == nil {
		return outcome{kind: failed}, s.Store.MarkFailed(ctx, m.ID, token, "本部署未配置"+jianfu.DeliveryChannelNames[m.Channel], time.Time{})
	}
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	err := ch.Send(sctx, Message{Key: m.Key, To: m.Address, Subject: m.Subject, Body: m.Body})
	cancel()
	if err == nil {
		if err := s.Store.MarkSent(ctx, m.ID, token); err != nil {
			return outcome{kind: sent}, fmt.Errorf("mark outbox row %d sent: %w", m.ID, err)
		}
		return outcome{kind: sent}, nil
	}
	if ctx.Err() != nil {
		return outcome{kind: retried}, ctx.Err() // shutting down: the claim lapses and the row is retried
	}
	var de *Error
	if !errors.As(err, &de) {
		de = &Error{Msg: err.Error()}
	}
	s.log().Warn("delivery failed", "outbox", m.ID, "channel", m.Channel, "attempt", m.Attempts, "err", de.Msg)
	if de.Permanent || m.Attempts >= jianfu.DeliveryMaxAttempts {
		return outcome{kind: failed}, s.Store.MarkFailed(ctx, m.ID, token, de.Msg, time.Time{})
	}
	wait := max(jianfu.DeliveryBackoff(m.Attempts), de.RetryAfter)
	return outcome{kind: retried, pause: de.RetryAfter}, s.Store.MarkFailed(ctx, m.ID, token, de.Msg, s.now().Add(wait))
}
