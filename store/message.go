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
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"jianfu"
)

type memberKey struct {
	group  int64
	member string
}

type memberSeen struct{ first, last int64 }

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
		var r jianfu.Recorded
		for attempt := 0; ; attempt++ {
			r, err = s.db.recordOnce(ctx, a, source, received, chunk, groups, unresolved)
			if err == nil || attempt == 4 || !retryable(err) {
				break
			}
			s.db.log.Info("record observations: retrying after a conflict", "attempt", attempt+1, "err", err)
			time.Sleep(time.Duration(10*(attempt+1)) * time.Millisecond)
		}
		if err != nil {
			return jianfu.Recorded{}, err
		}
		rec.New += r.New
		rec.Findings += r.Findings
	}
	return rec, nil
}

// ingestChunk is the most observations one transaction stores. A bigger
// batch is stored in several, so a write waiting for SQLite's one writer
// (a complaint, a login) never waits long behind ingest. The keys keep
// this safe: when a later chunk fails, the caller is answered an error and
// sends the batch again, and the chunks already stored count as repeats.
const ingestChunk = 1000

// retryable reports a deadlock or serialisation failure (PostgreSQL).
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
}

// recordOnce writes a batch in one transaction. groups holds the batch's
// groups by id; those listed in unresolved (nil in groups) are read here in
// the actor's scope.
func (db *DB) recordOnce(ctx context.Context, a *jianfu.Actor, source string, received int, uniq []*jianfu.Observation,
	handed map[int64]*jianfu.GroupInfo, unresolved []any) (jianfu.Recorded, error) {
	var fresh, nf int
	err := db.inBulkTx(ctx, func(tx *Tx) error {
		groups, err := tx.completeGroups(a, handed, unresolved)
		if err != nil {
			return err
		}
		isNew, err := tx.insertKeys(uniq)
		if err != nil {
			return err
		}
		if err := tx.dropLegacyRepeats(uniq, isNew); err != nil {
			return err
		}
		var news []*jianfu.Observation
		for _, o := range uniq {
			if _, ok := isNew[string(o.Key)]; ok {
				news = append(news, o)
			}
		}
		fresh = len(news)
		if fresh == 0 {
			return nil
		}
		counts, err := tx.recordMembers(news)
		if err != nil {
			return err
		}
		if err := tx.upsertDaily(news, groups, counts); err != nil {
			return err
		}
		if nf, err = tx.insertFindings(news, groups, source); err != nil {
			return err
		}
		region := ""
		ids := make([]string, 0, len(groups))
		for i, g := range sortedGroups(groups) {
			if i == 0 {
				region = g.RegionPath
			} else {
				region = jianfu.CommonRegion(region, g.RegionPath)
			}
			if len(ids) < 20 {
				ids = append(ids, fmt.Sprint(g.ID))
			}
		}
		return tx.audit("messages.ingest", "group", nil, region,
			fmt.Sprintf("source=%s received=%d new=%d findings=%d groups=%s", source, received, fresh, nf, strings.Join(ids, ",")))
	})
	if classify(err) == kindForeignKey {
		// a group handed in that this database does not have: the batch
		// can never be stored as it is
		return jianfu.Recorded{}, jianfu.Errorf(jianfu.EINVALID, "批次中的工作群在本数据库中不存在:%v", "the batch names a group this database does not have: %v", err)
	}
	if err != nil {
		return jianfu.Recorded{}, err
	}
	return jianfu.Recorded{New: fresh, Findings: nf}, nil
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
	const per = 1500
	// In key order, each insert descends the index next to the last one:
	// the pages stay cached instead of being read at random.
	obs = slices.Clone(obs)
	slices.SortFunc(obs, func(a, b *jianfu.Observation) int { return bytes.Compare(a.Key, b.Key) })
	for start := 0; start < len(obs); start += per {
		part := obs[start:min(start+per, len(obs))]
		args := make([]any, 0, 3*len(part))
		for _, o := range part {
			args = append(args, o.Key, o.GroupID, now)
		}
		rows, err := tx.query(`INSERT INTO message_keys(key, group_id, at) VALUES `+valueRows(len(part), 3)+
			` ON CONFLICT (key) DO NOTHING RETURNING key`, args...)
		if err != nil {
			return nil, fmt.Errorf("record message keys: %w", err)
		}
		for rows.Next() {
			var k []byte
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return nil, err
			}
			isNew[string(k)] = struct{}{}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
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
	const per = 1000
	for start := 0; start < len(order); start += per {
		part := order[start:min(start+per, len(order))]
		args := make([]any, 0, 4*len(part))
		for _, k := range part {
			s := seen[k]
			args = append(args, k.group, k.member, s.first, s.last)
		}
		if _, err := tx.exec(`INSERT INTO group_members(group_id, member, first_seen, last_seen) VALUES `+valueRows(len(part), 4)+
			` ON CONFLICT (group_id, member) DO UPDATE SET
			first_seen = CASE WHEN excluded.first_seen < group_members.first_seen THEN excluded.first_seen ELSE group_members.first_seen END,
			last_seen = CASE WHEN excluded.last_seen > group_members.last_seen THEN excluded.last_seen ELSE group_members.last_seen END`, args...); err != nil {
			return nil, fmt.Errorf("record group members: %w", err)
		}
	}
	ids := make([]any, 0, len(groups))
	for g := range groups {
		ids = append(ids, g)
	}
	counts := map[int64]int{}
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
			counts[g] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return counts, nil
}

// upsertDaily adds the batch's sums per group and day
// (jianfu.SumObservations) to the stored days.
func (tx *Tx) upsertDaily(obs []*jianfu.Observation, groups map[int64]*jianfu.GroupInfo, members map[int64]int) error {
	days := jianfu.SumObservations(obs)
	for i := range days {
		d := &days[i]
		g := groups[d.Group]
		d.Unit, d.Metrics.Members = g.UnitID, jianfu.GroupSize(g.MemberCount, members[d.Group], d.Metrics.Members)
	}
	const cols = 12 + len(jianfu.Categories)
	const per = 500
	for start := 0; start < len(days); start += per {
		part := days[start:min(start+per, len(days))]
		args := make([]any, 0, cols*len(part))
		for _, d := range part {
			g, m := groups[d.Group], d.Metrics
			size := m.Members
			args = append(args, d.Group, d.Day, g.UnitID, g.RegionPath, g.UnitPath, m.Messages, size, m.Offhours, m.MentionAll, m.Demands, m.Assessed, m.Exempt)
			for _, c := range jianfu.Categories {
				args = append(args, m.ByCategory[string(c)])
			}
		}
		if _, err := tx.exec(`INSERT INTO burden_daily(group_id, day, unit_id, region_path, unit_path, messages, members, offhours, mention_all, demands, assessed, exempt,
			`+categoryCols("%[1]s")+`) VALUES `+valueRows(len(part), cols)+`
			ON CONFLICT (group_id, day) DO UPDATE SET `+addCounters("burden_daily"), args...); err != nil {
			return fmt.Errorf("record daily burden: %w", err)
		}
	}
	if err := tx.upsertWeeks(days, groups); err != nil {
		return err
	}
	touched := make([]int64, 0, len(groups))
	for _, d := range days {
		touched = append(touched, d.Group)
	}
	return tx.refreshCurrent(touched)
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
func (tx *Tx) insertFindings(obs []*jianfu.Observation, groups map[int64]*jianfu.GroupInfo, source string) (int, error) {
	var fs []*jianfu.Observation
	for _, o := range obs {
		if o.Finding != nil {
			fs = append(fs, o)
		}
	}
	const cols = 18
	const per = 400
	now := ms(tx.now)
	for start := 0; start < len(fs); start += per {
		part := fs[start:min(start+per, len(fs))]
		args := make([]any, 0, cols*len(part))
		for _, o := range part {
			f := o.Finding
			g := groups[o.GroupID]
			spans, err := json.Marshal(f.Spans)
			if err != nil {
				return 0, err
			}
			src := f.Source
			if src == "" {
				src = source
			}
			args = append(args, o.GroupID, g.UnitID, g.RegionPath, g.UnitPath, o.Key, ms(o.At), f.Sender, strings.Join(f.Categories, ","),
				f.Severity, f.Score, f.Assessed, f.Offhours, f.Excerpt, string(spans), src, f.Topic, f.Topic == "", now)
		}
		if _, err := tx.exec(`INSERT INTO findings(group_id, unit_id, region_path, unit_path, message_key, at, sender, categories,
			severity, score, assessed, offhours, excerpt, spans, source, topic, clustered, created_at) VALUES `+valueRows(len(part), cols)+
			` ON CONFLICT (message_key) DO NOTHING`, args...); err != nil {
			return 0, fmt.Errorf("record findings: %w", err)
		}
	}
	return len(fs), nil
}
