package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"jianfu"
)

// Burden rollups: burden_weeks holds each group's sums over the seven days
// ending on each day (jianfu.RollWeeks), written with burden_daily in the
// ingest transaction. Windows and trend weeks of seven days read one row
// per group and week from it instead of seven; what is left of a window
// (its first days when its length is not a multiple of seven) comes from
// burden_daily. The answers are the same as over burden_daily alone.

// WithDirectBurden makes the store read burden windows and trends from the
// stored days only, without the rollups (the baseline of make bench).
func WithDirectBurden() Option { return func(db *DB) { db.directBurden = true } }

var weekCols = `b.messages, b.members, b.offhours, b.mention_all, b.demands, b.assessed, b.exempt,
	` + categoryCols("b.%[1]s")

// upsertWeeks adds the batch's days (Members already the group's size that
// day) to the seven-day sums they count in.
func (tx *Tx) upsertWeeks(days []jianfu.BurdenDay, groups map[int64]*jianfu.GroupInfo) error {
	return tx.writeWeeks(jianfu.RollWeeks(days), func(id int64) *jianfu.GroupInfo { return groups[id] }, true)
}

// writeWeeks stores weeks, adding to the stored sums when add is set.
func (tx *Tx) writeWeeks(weeks []jianfu.BurdenWeek, group func(int64) *jianfu.GroupInfo, add bool) error {
	const cols = 13 + len(jianfu.Categories)
	args := make([]any, 0, cols*len(weeks))
	for _, w := range weeks {
		g, m := group(w.Group), w.Metrics
		args = append(args, w.Group, w.End, w.First, g.UnitID, g.RegionPath, g.UnitPath, m.Messages, m.Members, m.Offhours, m.MentionAll, m.Demands, m.Assessed, m.Exempt)
		for _, c := range jianfu.Categories {
			args = append(args, m.ByCategory[string(c)])
		}
	}
	head := `INSERT INTO burden_weeks(group_id, week_end, first_day, unit_id, region_path, unit_path, messages, members, offhours, mention_all, demands, assessed, exempt,
			` + categoryCols("%[1]s") + `)`
	tail := ""
	if add {
		tail = `ON CONFLICT (group_id, week_end) DO UPDATE SET
			first_day = CASE WHEN excluded.first_day < burden_weeks.first_day THEN excluded.first_day ELSE burden_weeks.first_day END,
			` + addCounters("burden_weeks")
	}
	if err := tx.execRows(head, tail, cols, args, nil); err != nil {
		return fmt.Errorf("record weekly burden: %w", err)
	}
	return nil
}

// RebuildRollups recomputes the burden rollups from the stored days, in
// one transaction, and returns how many weekly rows it wrote. Migration
// 0016 has it run once for a database that had days before the rollups
// existed; `jianfu rollup rebuild` runs it on demand. Only the system and
// system administrators may.
func (s *Burden) RebuildRollups(ctx context.Context) (int, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return 0, err
	}
	if !a.System && !a.Has(jianfu.RoleSysAdmin) {
		return 0, forbidden("重建汇总数据需要系统管理员角色", "rebuilding the rollups needs the system administrator role")
	}
	if _, err := s.db.FoldBurden(ctx); err != nil { // the days pending count in the rebuild
		return 0, err
	}
	var n int
	err = s.db.inTxAs(ctx, true, func(tx *Tx) error {
		var err error
		n, err = tx.rebuildWeeks()
		if err != nil {
			return err
		}
		if _, err := tx.exec(`DELETE FROM rollup_pending WHERE name = 'burden_weeks'`); err != nil {
			return err
		}
		current, err := tx.rebuildCurrent(true)
		if err != nil {
			return err
		}
		return tx.audit("burden.rollup.rebuild", "burden", nil, "", "rebuilt "+strconv.Itoa(n)+" weekly rows, "+strconv.Itoa(current)+" current windows")
	})
	return n, err
}

// rebuildWeeks replaces burden_weeks by the rollup of burden_daily, one
// group at a time. Each week takes the place (region, unit) of its latest
// day, as the days of a group moved between weeks would.
func (tx *Tx) rebuildWeeks() (int, error) {
	if _, err := tx.exec(`DELETE FROM burden_weeks`); err != nil {
		return 0, err
	}
	rows, err := tx.query(`SELECT b.group_id, b.unit_id, b.region_path, b.unit_path, b.day, ` + dayCols + ` FROM burden_daily b ORDER BY b.group_id, b.day`)
	if err != nil {
		return 0, err
	}
	type place struct {
		info *jianfu.GroupInfo
		days []jianfu.BurdenDay
	}
	var all []place // read fully first: SQLite has one connection in a transaction
	for rows.Next() {
		var d jianfu.BurdenDay
		g := &jianfu.GroupInfo{}
		var m metricsScan
		if err := rows.Scan(append([]any{&d.Group, &g.UnitID, &g.RegionPath, &g.UnitPath, &d.Day}, m.targets()...)...); err != nil {
			rows.Close()
			return 0, err
		}
		d.Unit = g.UnitID
		d.Metrics = m.metrics(1)
		if len(all) == 0 || all[len(all)-1].days[0].Group != d.Group {
			all = append(all, place{})
		}
		p := &all[len(all)-1]
		p.info = g // the latest day's place
		p.days = append(p.days, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	var batch []jianfu.BurdenWeek
	infos := map[int64]*jianfu.GroupInfo{}
	flush := func() error {
		err := tx.writeWeeks(batch, func(id int64) *jianfu.GroupInfo { return infos[id] }, false)
		n += len(batch)
		batch, infos = batch[:0], map[int64]*jianfu.GroupInfo{}
		return err
	}
	for _, p := range all {
		batch = append(batch, jianfu.RollWeeks(p.days)...)
		infos[p.days[0].Group] = p.info
		if len(batch) >= 4000 {
			if err := flush(); err != nil {
				return 0, err
			}
		}
	}
	return n, flush()
}

// rebuildPendingRollups rebuilds the rollups a migration left to fill.
func (db *DB) rebuildPendingRollups(ctx context.Context) error {
	var n int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM rollup_pending`).Scan(&n); err != nil || n == 0 {
		return err
	}
	var days int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM burden_daily LIMIT 1) x`).Scan(&days); err != nil {
		return err
	}
	if days == 0 { // nothing to fill: a new database
		_, err := db.exec(ctx, `DELETE FROM rollup_pending`)
		return err
	}
	// part of the migration, logged as it is (not audited: the migration
	// runs before the audit key may be at hand)
	var rows int
	err := db.inTxAs(ctx, true, func(tx *Tx) error {
		var err error
		if rows, err = tx.rebuildWeeks(); err != nil {
			return err
		}
		if _, err := tx.rebuildCurrent(true); err != nil {
			return err
		}
		_, err = tx.exec(`DELETE FROM rollup_pending`)
		return err
	})
	if err != nil {
		return fmt.Errorf("fill the burden rollups: %w", err)
	}
	db.log.Info("burden rollups rebuilt", "weeks", rows)
	return nil
}

// weekWindow reads the rows of burden_weeks (ends) and burden_daily (days
// since … restUntil) that together sum a window, each as selected by
// scope (over alias b), as one UNION ALL subquery and its arguments.
func weekWindow(ends []int, since, restUntil int, scope func(w *where)) (string, []any) {
	var parts []string
	var args []any
	if len(ends) > 0 {
		var w where
		scope(&w)
		endArgs := make([]any, len(ends))
		for i, e := range ends {
			endArgs[i] = e
		}
		w.add("b.week_end IN ("+placeholders(len(ends))+")", endArgs...)
		parts = append(parts, `SELECT b.group_id, `+weekCols+` FROM burden_weeks b`+w.String())
		args = append(args, w.args...)
	}
	if restUntil >= since {
		var w where
		scope(&w)
		w.add("b.day >= ? AND b.day <= ?", since, restUntil)
		parts = append(parts, `SELECT b.group_id, `+dayCols+` FROM burden_daily b`+w.String())
		args = append(args, w.args...)
	}
	return strings.Join(parts, " UNION ALL "), args
}

// trendWeeks fills the rows' trends from the rollup: one row per group and
// trend week (jianfu.FillTrendWeeks). col is the rows' column of
// burden_weeks (b.group_id or b.unit_id). With region set the rows are all
// the groups under it in scope: their weeks are read by region in one query
// rather than by id.
func (db *DB) trendWeeks(query querier, a *jianfu.Actor, rows []*jianfu.BurdenRow, col, region string, until, weeks int) error {
	var ids []any
	if region == "" {
		ids = make([]any, 0, len(rows))
		for _, r := range rows {
			ids = append(ids, r.ID)
		}
	}
	ws, err := db.readTrendWeeks(query, a, col, region, ids, until, weeks)
	if err != nil {
		return err
	}
	jianfu.FillTrendWeeks(rows, ws, until, weeks)
	return nil
}

// readTrendWeeks reads the weeks of the trend ending at until of the groups
// in the actor's scope under region (when set), or those whose col is
// among ids (all when ids is nil too).
func (db *DB) readTrendWeeks(query querier, a *jianfu.Actor, col, region string, ids []any, until, weeks int) ([]jianfu.BurdenWeek, error) {
	ends := jianfu.TrendWeekEnds(until, weeks)
	endArgs := make([]any, len(ends))
	for i, e := range ends {
		endArgs[i] = e
	}
	var sels []func(w *where)
	switch {
	case region != "":
		sels = append(sels, func(w *where) { w.prefix("b.region_path", region) })
	case ids == nil:
		sels = append(sels, func(w *where) {})
	default:
		for _, chunk := range chunks(ids, 500) {
			sels = append(sels, func(w *where) { w.add(col+" IN ("+placeholders(len(chunk))+")", chunk...) })
		}
	}
	var ws []jianfu.BurdenWeek
	for _, sel := range sels {
		var w where
		w.add("b.week_end IN ("+placeholders(len(ends))+")", endArgs...)
		w.burdenScope(a, "b")
		sel(&w)
		// the index reads no categories: the trend leaves them out
		r, err := query(`SELECT b.group_id, b.unit_id, b.week_end, b.first_day, b.messages, b.members, b.offhours, b.mention_all, b.demands, b.assessed, b.exempt
			FROM burden_weeks b`+w.String(), w.args...)
		if err != nil {
			return nil, err
		}
		for r.Next() {
			x := jianfu.BurdenWeek{Metrics: jianfu.BurdenMetrics{Days: 7}}
			m := &x.Metrics
			if err := r.Scan(&x.Group, &x.Unit, &x.End, &x.First, &m.Messages, &m.Members, &m.Offhours, &m.MentionAll, &m.Demands, &m.Assessed, &m.Exempt); err != nil {
				r.Close()
				return nil, err
			}
			ws = append(ws, x)
		}
		r.Close()
		if err := r.Err(); err != nil {
			return nil, err
		}
	}
	return ws, nil
}
