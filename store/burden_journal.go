package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"jianfu"
)

// The burden journal (migration 0022). An ingest transaction writes only
// what must be durable before its answer — keys, findings, members — and
// appends its sums per group and day to burden_journal as one row. A fold
// adds what the journal holds to burden_daily and burden_weeks, marks the
// groups' current window stale and deletes the journal, in one
// transaction: a fold that fails or is cut off leaves everything as it
// was, so nothing acknowledged is lost and nothing is counted twice. With
// 1,000 groups a transaction of 4,000 messages rewrote about 2,000 days,
// 8,000 weeks and the current window of 1,000 groups; a fold does that
// once for every transaction of the last second, and recomputes the
// current windows once every ten seconds.
//
// Readers see what was acknowledged: every read of the burden tables
// outside a transaction folds what is pending and recomputes the stale
// windows first (a one-row read when nothing is). A read inside a
// transaction does not fold — on SQLite it would wait for its own write
// lock — so the scorecards, which read burden in theirs, fold before it.

// foldEvery is how often a process that ingested folds the journal, and
// currentEvery how often it recomputes the current window of the groups
// the folds touched (a read does both first). Recomputing a group's window
// reads its weeks and days; with 1,000 groups touched every second that
// was as much work as the fold itself.
const (
	foldEvery    = time.Second
	currentEvery = 10 * time.Second
)

// A journal row holds one transaction's days in a compact binary form (a
// JSON form was three times larger, and every byte is written twice):
//
//	version byte (1)
//	groups: count, then each: id, unit, region path, unit path
//	days: count, then each: the group's place among groups, the day
//	(YYYYMMDD), messages, members, offhours, mention_all, demands,
//	assessed, exempt, the categories in jianfu.Categories' order
//
// numbers as varints, paths as their length and bytes.
const journalVersion = 1

// dayCounts is how many numbers a day carries after its group and day.
const dayCounts = 7 + len(jianfu.Categories)

// folder runs the folds of one process: one at a time, in the background
// after ingest (wake) and before reads.
type folder struct {
	mu      sync.Mutex // one fold at a time in this process
	start   sync.Once
	stopped sync.Once
	wake    chan struct{} // capacity 1: a fold is wanted
	stop    chan struct{} // closed by Close
	done    chan struct{} // closed when the background loop ended
}

// journalDays appends the batch's sums per group and day (Members already
// the group's size) to the journal, in the ingest transaction.
func (tx *Tx) journalDays(days []jianfu.BurdenDay, groups map[int64]*jianfu.GroupInfo) error {
	if len(days) == 0 {
		return nil
	}
	if err := tx.groupsExist(days); err != nil {
		return err
	}
	if _, err := tx.exec(`INSERT INTO burden_journal(days) VALUES (?)`, encodeJournal(days, groups)); err != nil {
		return fmt.Errorf("record the burden journal: %w", err)
	}
	tx.onCommit = append(tx.onCommit, tx.db.foldSoon)
	return nil
}

// knownGroups are ids of channels this process saw stored (channels are
// never deleted).
type knownGroups struct {
	mu  sync.Mutex
	ids map[int64]struct{}
}

// groupsExist fails with EINVALID when a group of days is not in channels
// (a sealed stream message from another deployment): burden_daily's
// foreign key refused it at ingest; the journal has none, and a day the
// fold could never store must not be acknowledged.
func (tx *Tx) groupsExist(days []jianfu.BurdenDay) error {
	k := &tx.db.knownGroups
	var ask []any
	asked := map[int64]bool{}
	k.mu.Lock()
	for _, d := range days {
		if _, ok := k.ids[d.Group]; !ok && !asked[d.Group] {
			asked[d.Group] = true
			ask = append(ask, d.Group)
		}
	}
	k.mu.Unlock()
	if len(ask) == 0 {
		return nil
	}
	found := make([]int64, 0, len(ask))
	for _, chunk := range chunks(ask, 500) {
		rows, err := tx.query(`SELECT id FROM channels WHERE id IN (`+placeholders(len(chunk))+`)`, chunk...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			found = append(found, id)
			delete(asked, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	for id := range asked {
		return jianfu.Errorf(jianfu.EINVALID, "批次中的工作群在本数据库中不存在(编号%d)", "the batch names a group this database does not have (%d)", id)
	}
	tx.onCommit = append(tx.onCommit, func() {
		k.mu.Lock()
		defer k.mu.Unlock()
		if k.ids == nil || len(k.ids) > 1<<20 {
			k.ids = map[int64]struct{}{}
		}
		for _, id := range found {
			k.ids[id] = struct{}{}
		}
	})
	return nil
}

// encodeJournal writes days (of groups) as a journal row.
func encodeJournal(days []jianfu.BurdenDay, groups map[int64]*jianfu.GroupInfo) []byte {
	place := map[int64]int{}
	var order []*jianfu.GroupInfo
	for _, d := range days {
		if _, ok := place[d.Group]; !ok {
			place[d.Group] = len(order)
			order = append(order, groups[d.Group])
		}
	}
	b := make([]byte, 0, 64*len(order)+24*len(days))
	b = append(b, journalVersion)
	b = binary.AppendUvarint(b, uint64(len(order)))
	for _, g := range order {
		b = binary.AppendVarint(b, g.ID)
		b = binary.AppendVarint(b, g.UnitID)
		b = binary.AppendUvarint(b, uint64(len(g.RegionPath)))
		b = append(b, g.RegionPath...)
		b = binary.AppendUvarint(b, uint64(len(g.UnitPath)))
		b = append(b, g.UnitPath...)
	}
	b = binary.AppendUvarint(b, uint64(len(days)))
	for _, d := range days {
		m := d.Metrics
		b = binary.AppendUvarint(b, uint64(place[d.Group]))
		b = binary.AppendVarint(b, int64(d.Day))
		for _, v := range [...]int{m.Messages, m.Members, m.Offhours, m.MentionAll, m.Demands, m.Assessed, m.Exempt} {
			b = binary.AppendVarint(b, int64(v))
		}
		for _, c := range jianfu.Categories {
			b = binary.AppendVarint(b, int64(m.ByCategory[string(c)]))
		}
	}
	return b
}

// journalReader reads what encodeJournal wrote.
type journalReader struct {
	b   []byte
	err error
}

func (r *journalReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *journalReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *journalReader) str() string {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.fail()
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *journalReader) fail() {
	if r.err == nil {
		r.err = errors.New("a journal row cut short")
	}
	r.b = nil
}

// decodeJournal calls day for each day of a journal row, with its group.
func decodeJournal(data []byte, day func(g *jianfu.GroupInfo, d int, counts *[dayCounts]int)) error {
	if len(data) == 0 || data[0] != journalVersion {
		return fmt.Errorf("a journal row of an unknown form")
	}
	r := &journalReader{b: data[1:]}
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		return fmt.Errorf("a journal row of %d groups in %d bytes", n, len(r.b))
	}
	gs := make([]jianfu.GroupInfo, n)
	for i := range gs {
		gs[i] = jianfu.GroupInfo{ID: r.varint(), UnitID: r.varint(), RegionPath: r.str(), UnitPath: r.str()}
	}
	days := r.uvarint()
	var counts [dayCounts]int
	for k := uint64(0); k < days && r.err == nil; k++ {
		i, d := r.uvarint(), int(r.varint())
		for c := range counts {
			counts[c] = int(r.varint())
		}
		if r.err == nil && i >= uint64(len(gs)) {
			return fmt.Errorf("a journal day of group %d of %d", i, len(gs))
		}
		if r.err == nil {
			day(&gs[i], d, &counts)
		}
	}
	return r.err
}

// foldSoon asks the background folder for a fold within foldEvery.
func (db *DB) foldSoon() {
	f := &db.fold
	f.start.Do(func() {
		f.wake, f.stop, f.done = make(chan struct{}, 1), make(chan struct{}), make(chan struct{})
		go db.foldLoop()
	})
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// foldLoop folds the journal whenever asked, at most once per foldEvery,
// and recomputes the stale current windows at most once per
// currentEvery (and currentEvery after the last fold that left some),
// until Close.
func (db *DB) foldLoop() {
	f := &db.fold
	defer close(f.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-f.stop
		cancel()
	}()
	var last, lastCurrent time.Time
	stale := false // current windows left stale by a fold of this loop
	for {
		var due <-chan time.Time
		if stale {
			due = time.After(time.Until(lastCurrent.Add(currentEvery)))
		}
		select {
		case <-f.stop:
			return
		case <-f.wake:
		case <-due:
		}
		if d := time.Until(last.Add(foldEvery)); d > 0 {
			select {
			case <-f.stop:
				return
			case <-time.After(d):
			}
		}
		last = time.Now()
		current := time.Since(lastCurrent) >= currentEvery
		if _, err := db.foldJournal(ctx, current, true); err != nil {
			if ctx.Err() == nil && !errors.Is(err, errFoldBusy) {
				db.log.Warn("burden journal not folded; trying again", "err", err)
			}
			select {
			case f.wake <- struct{}{}:
			default:
			}
			continue
		}
		if current {
			lastCurrent, stale = last, false
		} else {
			stale = true
		}
	}
}

// stopFolding ends the background folder (Close). What it did not fold
// stays in the journal for the next reader or process.
func (db *DB) stopFolding() {
	f := &db.fold
	f.stopped.Do(func() {
		started := true
		f.start.Do(func() { started = false }) // and never starts from now on
		if started {
			close(f.stop)
			<-f.done
		}
	})
}

type inTxKey struct{}

// foldPending folds the journal when it holds anything, so that a read of
// the burden tables sees every acknowledged message. Inside a transaction
// it does nothing (see the top of this file). A fold that fails is logged
// and the read goes on with what is folded.
func (db *DB) foldPending(ctx context.Context) {
	if ctx.Value(inTxKey{}) != nil {
		return
	}
	var one int
	err := db.queryRow(ctx, `SELECT 1 FROM burden_journal UNION ALL SELECT 1 FROM burden_current_stale LIMIT 1`).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return
	}
	if err == nil {
		_, err = db.foldJournal(ctx, true, false)
	}
	if err != nil && ctx.Err() == nil {
		db.log.Warn("burden journal not folded before a read", "err", err)
	}
}

// FoldBurden folds the burden journal into the burden tables now and
// returns how many group-days it added (tools that read the tables
// directly, tests).
func (db *DB) FoldBurden(ctx context.Context) (int, error) { return db.foldJournal(ctx, true, false) }

// foldJournal takes every row of the journal, adds their days to
// burden_daily and burden_weeks, and deletes them, in one transaction; it
// returns the number of group-days added. With current set it also
// recomputes the current window of the groups whose days changed since it
// was last recomputed (burden_current_stale), in the same transaction.
// With yield set (the background folder) it answers errFoldBusy at once
// when another process's fold is under way on PostgreSQL, instead of
// waiting for it: several stream workers would otherwise queue their folds
// one behind the other; the folder tries again a second later.
func (db *DB) foldJournal(ctx context.Context, current, yield bool) (int, error) {
	db.fold.mu.Lock()
	defer db.fold.mu.Unlock()
	ctx = jianfu.WithActor(ctx, jianfu.SystemActor("burden"))
	n := 0
	err := db.inTxAs(ctx, bulkWrite, func(tx *Tx) error {
		n = 0
		if yield && db.engine == Postgres {
			var id int
			err := tx.queryRow(`SELECT id FROM burden_fold WHERE id = 1 FOR UPDATE SKIP LOCKED`).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				return errFoldBusy
			}
			if err != nil {
				return fmt.Errorf("lock the burden fold: %w", err)
			}
		}
		if _, err := tx.exec(`UPDATE burden_fold SET folded_at = ? WHERE id = 1`, ms(tx.now)); err != nil {
			return fmt.Errorf("lock the burden fold: %w", err)
		}
		days, groups, err := tx.takeJournal()
		if err != nil {
			return err
		}
		n = len(days)
		if n > 0 {
			if err := tx.addDays(days, groups); err != nil {
				return err
			}
		}
		if current {
			if err := tx.refreshStale(); err != nil {
				return err
			}
		}
		if cut := db.foldCut.Load(); cut != nil {
			return *cut // a test's fold cut off before its commit
		}
		return nil
	})
	return n, err
}

// errFoldBusy: another process is folding (foldJournal with yield).
var errFoldBusy = errors.New("another process is folding the burden journal")

// refreshStale recomputes the current window of the groups marked stale.
func (tx *Tx) refreshStale() error {
	rows, err := tx.query(`DELETE FROM burden_current_stale RETURNING group_id`)
	if err != nil {
		return fmt.Errorf("take the stale current burden: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	return tx.refreshCurrent(ids)
}

// takeJournal deletes the journal's rows and returns their days summed per
// group and day, in group and day order, with the groups' places.
func (tx *Tx) takeJournal() ([]jianfu.BurdenDay, map[int64]*jianfu.GroupInfo, error) {
	rows, err := tx.query(`DELETE FROM burden_journal RETURNING days`)
	if err != nil {
		return nil, nil, fmt.Errorf("take the burden journal: %w", err)
	}
	defer rows.Close()
	type gd struct {
		g int64
		d int
	}
	at := map[gd]int{}
	var days []jianfu.BurdenDay
	groups := map[int64]*jianfu.GroupInfo{}
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, nil, err
		}
		err := decodeJournal(data, func(g *jianfu.GroupInfo, day int, c *[dayCounts]int) {
			m := jianfu.BurdenMetrics{Days: 1, Messages: c[0], Members: c[1], Offhours: c[2], MentionAll: c[3], Demands: c[4], Assessed: c[5], Exempt: c[6],
				ByCategory: make(map[string]int, len(jianfu.Categories))}
			for k, cat := range jianfu.Categories {
				if c[7+k] != 0 {
					m.ByCategory[string(cat)] = c[7+k]
				}
			}
			k := gd{g.ID, day}
			if i, ok := at[k]; ok {
				days[i].Metrics.Extend(m)
			} else {
				at[k] = len(days)
				days = append(days, jianfu.BurdenDay{Group: g.ID, Unit: g.UnitID, Day: day, Metrics: m})
			}
			if groups[g.ID] == nil { // a stored day keeps its first place too
				gi := *g
				groups[g.ID] = &gi
			}
		})
		if err != nil {
			return nil, nil, fmt.Errorf("read the burden journal: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	sort.Slice(days, func(i, k int) bool {
		if days[i].Group != days[k].Group {
			return days[i].Group < days[k].Group
		}
		return days[i].Day < days[k].Day
	})
	return days, groups, nil
}
