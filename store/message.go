package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"jianfu"
)

type memberKey struct {
	group  int64
	member string
}

type memberSeen struct{ first, last int64 }

// memberCache remembers, for the members this process wrote, sightings
// the stored row is known to cover (a row's first and last sighting only
// ever widen), and each group's number of members as last read. A member
// seen within what is stored is not written again: after a few minutes of
// traffic almost every message's sender is one, and writing them was an
// eighth of ingest's time. What other processes wrote meanwhile is only
// learnt when the cache is emptied, every memberCacheLife, so a group's
// size counted here may lag theirs that long.
type memberCache struct {
	mu    sync.Mutex
	since time.Time
	seen  map[memberKey]memberSeen
	count map[int64]int
}

const (
	memberCacheLife = 2 * time.Minute
	memberCacheMax  = 1 << 20
)

// RecordObservations stores analysed messages in transactions of at most
// ingestChunk messages (one for a batch of that size): the keys that make
// them idempotent, the per-group per-day aggregates, members and findings,
// and one audit entry per transaction. Messages whose key was seen before
// are not counted again. It returns how many were new.
//
// Observations that carry their Group were authorised when it was resolved
// (ResolveGroups for the same caller, or a sealed stream message): they are
// written as they come. For the others — a caller that resolved nothing —
// the caller's permission is checked and their groups are read in its
// scope here; a group out of scope fails the whole batch.
func (s *Burden) RecordObservations(ctx context.Context, source string, obs []jianfu.Observation) (jianfu.Recorded, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return jianfu.Recorded{}, err
	}
	if len(obs) == 0 {
		return jianfu.Recorded{}, s.db.authoriseIngest(a)
	}
	// drop repeats within the batch: the first one counts
	uniq := make([]*jianfu.Observation, 0, len(obs))
	seen := make(map[string]struct{}, len(obs))
	groups := map[int64]*jianfu.GroupInfo{}
	var unresolved []any
	for i := range obs {
		o := &obs[i]
		if len(o.Key) == 0 {
			return jianfu.Recorded{}, fmt.Errorf("record observations: observation %d has no key", i)
		}
		if _, dup := seen[string(o.Key)]; dup {
			continue
		}
		seen[string(o.Key)] = struct{}{}
		uniq = append(uniq, o)
		switch {
		case o.Group == nil:
			if _, ok := groups[o.GroupID]; !ok {
				groups[o.GroupID] = nil
				unresolved = append(unresolved, o.GroupID)
			}
		case o.Group.ID != o.GroupID:
			return jianfu.Recorded{}, fmt.Errorf("record observations: observation %d of group %d carries group %d", i, o.GroupID, o.Group.ID)
		default:
			groups[o.GroupID] = o.Group
		}
	}
	if len(unresolved) > 0 {
		if err := s.db.authoriseIngest(a); err != nil {
			return jianfu.Recorded{}, err
		}
	}
	// rows are written in key order, so concurrent batches take their row
	// locks in the same order; a deadlock the database still reports (two
	// batches touching the same group-days) is retried
	sort.Slice(uniq, func(i, j int) bool { return bytes.Compare(uniq[i].Key, uniq[j].Key) < 0 })
	var rec jianfu.Recorded
	for len(uniq) > 0 {
		chunk := uniq[:min(len(uniq), ingestChunk)]
		uniq = uniq[len(chunk):]
		received := len(chunk)
		if len(uniq) == 0 {
			received = len(obs) - (len(seen) - len(chunk)) // the last chunk also counts the batch's repeats
		}
		r, err := s.db.ingestQ.commit(s.db, &ingestJob{ctx: ctx, actor: a, source: source, received: received, obs: chunk, groups: groups, unresolved: unresolved})
		if err != nil {
			return jianfu.Recorded{}, err
		}
		rec.New += r.New
		rec.Findings += r.Findings
	}
	return rec, nil
}

// ingestChunk is the most observations of one batch stored together. A
// bigger batch is stored in several transactions, so a write waiting for
// SQLite's one writer (a complaint, a login) never waits long behind
// ingest. The keys keep this safe: when a later chunk fails, the caller is
// answered an error and sends the batch again, and the chunks already
// stored count as repeats.
const ingestChunk = 1000

// groupCommitMax is the most observations that chunks of concurrent
// batches merged into one transaction hold (see ingestQueue).
const groupCommitMax = 4 * ingestChunk

// ingestJob is one chunk waiting to be stored, and its answer.
type ingestJob struct {
	ctx        context.Context
	actor      *jianfu.Actor
	source     string
	received   int
	obs        []*jianfu.Observation
	groups     map[int64]*jianfu.GroupInfo // handed and unresolved (nil) groups of the whole batch
	unresolved []any

	lead  chan struct{} // this job's caller is to commit batch
	batch []*ingestJob  // handed over with lead: this job and those after it
	done  chan struct{} // rec and err are set
	rec   jianfu.Recorded
	err   error
}

// ingestQueue merges the chunks of concurrent batches into one transaction
// (group commit). A caller that finds a committer free (ingestCommitters)
// stores its chunk; one that does not waits. A committer that finished
// answers its chunks and hands the chunks waiting meanwhile (up to
// groupCommitMax observations) to the caller of the first of them, which
// stores them together. A batch's aggregates — per group and day, per group
// and week, members — are then written once per transaction instead of
// once per batch: to 1,000 groups, batches of 1,000 messages touch most of
// the same rows. Each caller is answered only after the transaction that
// holds its chunk committed, with its own counts; if a merged transaction
// fails, each chunk is stored again on its own, so one batch's error (a
// group out of scope) is never another's.
type ingestQueue struct {
	mu      sync.Mutex
	active  int // callers committing
	pending []*ingestJob
}

// ingestCommitters is how many merged transactions of one process run at
// once: one on SQLite (one writer), two on PostgreSQL, where the next
// batches analysed meanwhile can begin while one commits; the rows they
// share are written in the same order, so they wait for each other rather
// than deadlock.
func (db *DB) ingestCommitters() int {
	if db.engine == SQLite {
		return 1
	}
	return 2
}

// commit stores job, merged with those of concurrent callers.
func (q *ingestQueue) commit(db *DB, job *ingestJob) (jianfu.Recorded, error) {
	job.lead, job.done = make(chan struct{}), make(chan struct{})
	q.mu.Lock()
	q.pending = append(q.pending, job)
	var jobs []*ingestJob
	if q.active >= db.ingestCommitters() {
		q.mu.Unlock()
		// waits whatever the caller's context says: an answer that comes
		// is the truth about the chunk, and the transaction is bounded by
		// the write gate's wait
		select {
		case <-job.done:
			return job.rec, job.err
		case <-job.lead:
			jobs = job.batch // handed over with this job first
		}
	} else {
		q.active++
		jobs = q.takeLocked() // only this job: nothing waits while a committer is free
		q.mu.Unlock()
	}

	q.run(db, jobs)
	return job.rec, job.err
}

// run stores jobs, answers them and hands the turn on — also when storing
// panics, so the queue never stalls.
func (q *ingestQueue) run(db *DB, jobs []*ingestJob) {
	stored := false
	defer func() {
		if !stored {
			for _, j := range jobs {
				j.rec, j.err = jianfu.Recorded{}, errors.New("record observations: the transaction did not finish")
			}
		}
		q.mu.Lock()
		var next []*ingestJob
		if len(q.pending) > 0 {
			next = q.takeLocked()
			next[0].batch = next
		} else {
			q.active--
		}
		q.mu.Unlock()
		for _, j := range jobs {
			close(j.done)
		}
		if next != nil {
			close(next[0].lead)
		}
	}()
	db.storeJobs(jobs)
	stored = true
}

// takeLocked takes the chunks waiting longest, at least one and at most
// groupCommitMax observations.
func (q *ingestQueue) takeLocked() []*ingestJob {
	n, k := 0, 0
	for k < len(q.pending) && (k == 0 || n+len(q.pending[k].obs) <= groupCommitMax) {
		n += len(q.pending[k].obs)
		k++
	}
	jobs := slices.Clone(q.pending[:k])
	q.pending = slices.Delete(q.pending, 0, k)
	return jobs
}

// storeJobs stores jobs in one transaction, or each in its own when that
// fails, and sets their answers.
func (db *DB) storeJobs(jobs []*ingestJob) {
	ctx := jobs[0].ctx
	if len(jobs) > 1 {
		// the transaction is every caller's: none of them leaving ends it
		ctx = context.WithoutCancel(ctx)
	}
	recs, err := db.recordRetrying(ctx, jobs)
	if err == nil {
		for i, j := range jobs {
			j.rec = recs[i]
		}
		db.ingest.txs.Add(1)
		db.ingest.chunks.Add(int64(len(jobs)))
		db.checkpointSoon()
		return
	}
	if len(jobs) == 1 || unavailable(err) != nil || jianfu.ErrorCode(err) == jianfu.EUNAVAILABLE {
		for _, j := range jobs {
			j.err = err
		}
		return
	}
	for _, j := range jobs {
		recs, err := db.recordRetrying(j.ctx, []*ingestJob{j})
		if err != nil {
			j.err = err
		} else {
			j.rec = recs[0]
			db.ingest.txs.Add(1)
			db.ingest.chunks.Add(1)
		}
	}
}

// recordRetrying runs recordJobs, again after a deadlock (PostgreSQL).
func (db *DB) recordRetrying(ctx context.Context, jobs []*ingestJob) ([]jianfu.Recorded, error) {
	for attempt := 0; ; attempt++ {
		recs, err := db.recordJobs(ctx, jobs)
		if err == nil || attempt == 4 || !retryable(err) {
			return recs, err
		}
		db.log.Info("record observations: retrying after a conflict", "attempt", attempt+1, "err", err)
		time.Sleep(time.Duration(10*(attempt+1)) * time.Millisecond)
	}
}

// retryable reports a deadlock or serialisation failure (PostgreSQL).
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
}

// recordJobs writes the chunks of jobs in one transaction and returns what
// each stored. A key in two of them counts in the first.
func (db *DB) recordJobs(ctx context.Context, jobs []*ingestJob) ([]jianfu.Recorded, error) {
	recs := make([]jianfu.Recorded, len(jobs))
	err := db.inBulkTx(ctx, func(tx *Tx) error {
		clear(recs)
		groups := map[int64]*jianfu.GroupInfo{}
		jobGroups := make([]map[int64]*jianfu.GroupInfo, len(jobs))
		owner := map[string]int{}
		var all []*jianfu.Observation
		for i, j := range jobs {
			g, err := tx.completeGroups(j.actor, j.groups, j.unresolved)
			if err != nil {
				return err
			}
			jobGroups[i] = g
			for id, gi := range g {
				groups[id] = gi
			}
			for _, o := range j.obs {
				if _, dup := owner[string(o.Key)]; dup {
					continue
				}
				owner[string(o.Key)] = i
				all = append(all, o)
			}
		}
		isNew, err := tx.insertKeys(all)
		if err != nil {
			return err
		}
		if err := tx.dropLegacyRepeats(all, isNew); err != nil {
			return err
		}
		var news []*jianfu.Observation
		for _, o := range all {
			if _, ok := isNew[string(o.Key)]; ok {
				news = append(news, o)
				r := &recs[owner[string(o.Key)]]
				r.New++
				if o.Finding != nil {
					r.Findings++
				}
			}
		}
		if len(news) == 0 {
			return nil
		}
		counts, err := tx.recordMembers(news)
		if err != nil {
			return err
		}
		if err := tx.journalBatch(news, groups, counts); err != nil {
			return err
		}
		if _, err = tx.insertFindings(news, groups, func(o *jianfu.Observation) string { return jobs[owner[string(o.Key)]].source }); err != nil {
			return err
		}
		for i, j := range jobs {
			if recs[i].New == 0 {
				continue
			}
			region := ""
			ids := make([]string, 0, len(jobGroups[i]))
			for k, g := range sortedGroups(jobGroups[i]) {
				if k == 0 {
					region = g.RegionPath
				} else {
					region = jianfu.CommonRegion(region, g.RegionPath)
				}
				if len(ids) < 20 {
					ids = append(ids, fmt.Sprint(g.ID))
				}
			}
			if err := tx.auditAs(j.actor, jianfu.ClientIP(j.ctx), "messages.ingest", "group", nil, region,
				fmt.Sprintf("source=%s received=%d new=%d findings=%d groups=%s", j.source, j.received, recs[i].New, recs[i].Findings, strings.Join(ids, ","))); err != nil {
				return err
			}
		}
		return nil
	})
	if classify(err) == kindForeignKey {
		// a group handed in that this database does not have: the batch
		// can never be stored as it is
		return nil, jianfu.Errorf(jianfu.EINVALID, "批次中的工作群在本数据库中不存在:%v", "the batch names a group this database does not have: %v", err)
	}
	if err != nil {
		return nil, err
	}
	return recs, nil
}

// completeGroups returns the batch's groups: those handed, and those
// unresolved read in the actor's scope; a group out of scope (or not a
// group) fails the whole batch.
func (tx *Tx) completeGroups(a *jianfu.Actor, handed map[int64]*jianfu.GroupInfo, unresolved []any) (map[int64]*jianfu.GroupInfo, error) {
	if len(unresolved) == 0 {
		return handed, nil
	}
	read, err := tx.db.readGroups(tx.query, a, byIDs(unresolved))
	if err != nil {
		return nil, err
	}
	out := make(map[int64]*jianfu.GroupInfo, len(handed))
	for id, g := range handed {
		out[id] = g
	}
	for _, g := range read {
		out[g.ID] = g
	}
	for _, id := range unresolved {
		if out[id.(int64)] == nil {
			return nil, jianfu.Errorf(jianfu.ENOTFOUND, "工作群(编号%d)不存在或不在您的管辖范围内", "group %d not found or outside your scope", id)
		}
	}
	return out, nil
}

func sortedGroups(m map[int64]*jianfu.GroupInfo) []*jianfu.GroupInfo {
	out := make([]*jianfu.GroupInfo, 0, len(m))
	for _, g := range m {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// insertKeys records the batch's keys and returns those that were new. A
// key recorded by a concurrent transaction waits for it and counts there.
func (tx *Tx) insertKeys(obs []*jianfu.Observation) (map[string]struct{}, error) {
	isNew := make(map[string]struct{}, len(obs))
	now := ms(tx.now)
	// In key order, each insert descends the index next to the last one:
	// the pages stay cached instead of being read at random.
	obs = slices.Clone(obs)
	slices.SortFunc(obs, func(a, b *jianfu.Observation) int { return bytes.Compare(a.Key, b.Key) })
	args := make([]any, 0, 3*len(obs))
	for _, o := range obs {
		args = append(args, o.Key, o.GroupID, now)
	}
	err := tx.execRows(`INSERT INTO message_keys(key, group_id, at)`, `ON CONFLICT (key) DO NOTHING RETURNING key`, 3, args, func(rows *sql.Rows) error {
		var k []byte
		if err := rows.Scan(&k); err != nil {
			return err
		}
		isNew[string(k)] = struct{}{}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("record message keys: %w", err)
	}
	return isNew, nil
}

// dropLegacyRepeats takes out of isNew the messages counted before keys
// began with the day (migration 0018) under their old key. Only messages
// older than the newest old key's recording time plus a day (a message may
// be dated up to a day ahead) can have one, so once a database has run a
// day on the new keys, current traffic is never looked up; a re-imported
// old export still is.
func (tx *Tx) dropLegacyRepeats(obs []*jianfu.Observation, isNew map[string]struct{}) error {
	before, err := tx.db.legacyKeysBefore(tx)
	if err != nil || before == 0 {
		return err
	}
	byLegacy := map[string]string{}
	var args []any
	for _, o := range obs {
		if _, ok := isNew[string(o.Key)]; !ok || len(o.LegacyKey) == 0 || ms(o.At) >= before {
			continue
		}
		byLegacy[string(o.LegacyKey)] = string(o.Key)
		args = append(args, o.LegacyKey)
	}
	for _, chunk := range chunks(args, 500) {
		rows, err := tx.query(`SELECT key FROM message_keys WHERE key IN (`+placeholders(len(chunk))+`)`, chunk...)
		if err != nil {
			return fmt.Errorf("look up old message keys: %w", err)
		}
		for rows.Next() {
			var k []byte
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return err
			}
			delete(isNew, byLegacy[string(k)])
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// legacyKeysBefore returns the time (ms) before which a message may have
// been recorded under an old-form key, or 0 when none was (a database
// created with the new keys). Migration 0018 fixed it; it is read once.
func (db *DB) legacyKeysBefore(tx *Tx) (int64, error) {
	db.legacy.mu.Lock()
	defer db.legacy.mu.Unlock()
	if db.legacy.read {
		return db.legacy.before, nil
	}
	var before sql.NullInt64
	if err := tx.queryRow(`SELECT MAX(before) FROM message_keys_legacy`).Scan(&before); err != nil {
		return 0, fmt.Errorf("read message_keys_legacy: %w", err)
	}
	db.legacy.read, db.legacy.before = true, before.Int64
	return db.legacy.before, nil
}

// valueRows returns "(?, ?, ?), (?, ?, ?)" for rows of n columns.
func valueRows(rows, n int) string {
	one := "(" + placeholders(n) + ")"
	var b strings.Builder
	b.Grow(rows * (len(one) + 2))
	for i := 0; i < rows; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
	}
	return b.String()
}

// recordMembers adds senders and reported member lists to group_members and
// returns the number of known members of each group in the batch.
func (tx *Tx) recordMembers(obs []*jianfu.Observation) (map[int64]int, error) {
	seen := map[memberKey]*memberSeen{}
	var order []memberKey
	add := func(g int64, m string, at int64) {
		if m == "" {
			return
		}
		k := memberKey{g, m}
		if s, ok := seen[k]; ok {
			s.first, s.last = min(s.first, at), max(s.last, at)
			return
		}
		seen[k] = &memberSeen{at, at}
		order = append(order, k)
	}
	groups := map[int64]bool{}
	for _, o := range obs {
		at := ms(o.At)
		groups[o.GroupID] = true
		add(o.GroupID, o.Sender, at)
		for _, m := range o.Members {
			add(o.GroupID, m, at)
		}
	}
	sort.Slice(order, func(i, j int) bool {
		if order[i].group != order[j].group {
			return order[i].group < order[j].group
		}
		return order[i].member < order[j].member
	})
	// members whose stored first and last sighting already cover this
	// batch's are not written again (see memberCache)
	mc := &tx.db.members
	mc.mu.Lock()
	if time.Since(mc.since) > memberCacheLife || len(mc.seen) > memberCacheMax {
		mc.since, mc.seen, mc.count = time.Now(), map[memberKey]memberSeen{}, map[int64]int{}
	}
	recount := map[int64]bool{}
	args := make([]any, 0, 4*len(order))
	written := make([]memberKey, 0, len(order))
	for _, k := range order {
		s := seen[k]
		c, known := mc.seen[k]
		if known && c.first <= s.first && c.last >= s.last {
			continue
		}
		if !known {
			recount[k.group] = true
		}
		written = append(written, k)
		args = append(args, k.group, k.member, s.first, s.last)
	}
	counts := map[int64]int{}
	var ids []any
	for g := range groups {
		if n, ok := mc.count[g]; ok && !recount[g] {
			counts[g] = n
		} else {
			ids = append(ids, g)
		}
	}
	mc.mu.Unlock()
	if err := tx.execRows(`INSERT INTO group_members(group_id, member, first_seen, last_seen)`, `ON CONFLICT (group_id, member) DO UPDATE SET
			first_seen = CASE WHEN excluded.first_seen < group_members.first_seen THEN excluded.first_seen ELSE group_members.first_seen END,
			last_seen = CASE WHEN excluded.last_seen > group_members.last_seen THEN excluded.last_seen ELSE group_members.last_seen END`, 4, args, nil); err != nil {
		return nil, fmt.Errorf("record group members: %w", err)
	}
	read := map[int64]int{}
	for _, chunk := range chunks(ids, 500) {
		rows, err := tx.query(`SELECT group_id, COUNT(*) FROM group_members WHERE group_id IN (`+placeholders(len(chunk))+`) GROUP BY group_id`, chunk...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var g int64
			var n int
			if err := rows.Scan(&g, &n); err != nil {
				rows.Close()
				return nil, err
			}
			counts[g], read[g] = n, n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	since := mc.since
	tx.onCommit = append(tx.onCommit, func() {
		mc.mu.Lock()
		defer mc.mu.Unlock()
		if mc.since != since {
			return // emptied meanwhile
		}
		for _, k := range written {
			s := seen[k]
			if c, ok := mc.seen[k]; ok {
				s.first, s.last = min(s.first, c.first), max(s.last, c.last)
			}
			mc.seen[k] = *s
		}
		for g, n := range read {
			mc.count[g] = n
		}
	})
	return counts, nil
}

// journalBatch appends the batch's sums per group and day
// (jianfu.SumObservations), each day's Members the group's size, to the
// burden journal; the folder adds them to the stored days (see
// burden_journal.go).
func (tx *Tx) journalBatch(obs []*jianfu.Observation, groups map[int64]*jianfu.GroupInfo, members map[int64]int) error {
	days := jianfu.SumObservations(obs)
	for i := range days {
		d := &days[i]
		g := groups[d.Group]
		d.Unit, d.Metrics.Members = g.UnitID, jianfu.GroupSize(g.MemberCount, members[d.Group], d.Metrics.Members)
	}
	return tx.journalDays(days, groups)
}

// addDays adds days (Members already the group's size that day, in group
// order) to the stored days and their seven-day sums, and marks the
// groups' current window stale.
func (tx *Tx) addDays(days []jianfu.BurdenDay, groups map[int64]*jianfu.GroupInfo) error {
	const cols = 12 + len(jianfu.Categories)
	args := make([]any, 0, cols*len(days))
	for _, d := range days {
		g, m := groups[d.Group], d.Metrics
		size := m.Members
		args = append(args, d.Group, d.Day, g.UnitID, g.RegionPath, g.UnitPath, m.Messages, size, m.Offhours, m.MentionAll, m.Demands, m.Assessed, m.Exempt)
		for _, c := range jianfu.Categories {
			args = append(args, m.ByCategory[string(c)])
		}
	}
	if err := tx.execRows(`INSERT INTO burden_daily(group_id, day, unit_id, region_path, unit_path, messages, members, offhours, mention_all, demands, assessed, exempt,
			`+categoryCols("%[1]s")+`)`, `ON CONFLICT (group_id, day) DO UPDATE SET `+addCounters("burden_daily"), cols, args, nil); err != nil {
		return fmt.Errorf("record daily burden: %w", err)
	}
	if err := tx.upsertWeeks(days, groups); err != nil {
		return err
	}
	// the current window of these groups is recomputed later (foldJournal)
	stale := make([]any, 0, len(days))
	for i, d := range days {
		if i == 0 || days[i-1].Group != d.Group {
			stale = append(stale, d.Group)
		}
	}
	if err := tx.execRows(`INSERT INTO burden_current_stale(group_id)`, `ON CONFLICT (group_id) DO NOTHING`, 1, stale, nil); err != nil {
		return fmt.Errorf("mark the current burden stale: %w", err)
	}
	return nil
}

// addCounters is the SET list of an upsert of burden counters into table
// (burden_daily, burden_weeks): the counts add up, the members are the
// largest seen.
func addCounters(table string) string {
	return strings.ReplaceAll(`messages = T.messages + excluded.messages,
			members = CASE WHEN excluded.members > T.members THEN excluded.members ELSE T.members END,
			offhours = T.offhours + excluded.offhours,
			mention_all = T.mention_all + excluded.mention_all,
			demands = T.demands + excluded.demands,
			assessed = T.assessed + excluded.assessed,
			exempt = T.exempt + excluded.exempt,
			`, "T.", table+".") + categoryCols("%[1]s = "+table+".%[1]s + excluded.%[1]s")
}

// insertFindings stores the batch's findings; material findings wait for
// the clustering pass. It returns how many it stored.
func (tx *Tx) insertFindings(obs []*jianfu.Observation, groups map[int64]*jianfu.GroupInfo, source func(*jianfu.Observation) string) (int, error) {
	var fs []*jianfu.Observation
	for _, o := range obs {
		if o.Finding != nil {
			fs = append(fs, o)
		}
	}
	const cols = 18
	now := ms(tx.now)
	args := make([]any, 0, cols*len(fs))
	for _, o := range fs {
		f := o.Finding
		g := groups[o.GroupID]
		spans, err := json.Marshal(f.Spans)
		if err != nil {
			return 0, err
		}
		src := f.Source
		if src == "" {
			src = source(o)
		}
		args = append(args, o.GroupID, g.UnitID, g.RegionPath, g.UnitPath, o.Key, ms(o.At), f.Sender, strings.Join(f.Categories, ","),
			f.Severity, f.Score, f.Assessed, f.Offhours, f.Excerpt, string(spans), src, f.Topic, f.Topic == "", now)
	}
	if err := tx.execRows(`INSERT INTO findings(group_id, unit_id, region_path, unit_path, message_key, at, sender, categories,
			severity, score, assessed, offhours, excerpt, spans, source, topic, clustered, created_at)`, `ON CONFLICT (message_key) DO NOTHING`, cols, args, nil); err != nil {
		return 0, fmt.Errorf("record findings: %w", err)
	}
	return len(fs), nil
}
