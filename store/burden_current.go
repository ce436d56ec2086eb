package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"jianfu"
)

// The current window (migration 0021): burden_current holds, for every
// group with messages in the default window (the 30 days ending today),
// the sums, measured days and twelve-week trend groupWindow and trendWeeks
// compute for it. The default pages — the regions, the ranking and the
// summary as a province opens them — read one row per group from it; any
// other window is read from the rollups as before. Ingest recomputes the
// rows of the groups it touches in its own transaction; a new day makes the
// first reader (or `jianfu rollup rebuild`) recompute the whole table.

var currentCols = `s.messages, s.members, s.offhours, s.mention_all, s.demands, s.assessed, s.exempt,
	` + categoryCols("s.%[1]s")

// WithoutCurrentWindow makes the store read every window through the
// rollups, as before burden_current (make bench's "before"; ingest still
// keeps the table).
func WithoutCurrentWindow() Option { return func(db *DB) { db.noCurrent = true } }

// isCurrent reports whether [since, until] with a trend of weeks is the
// default window of today, which burden_current holds.
func (db *DB) isCurrent(since, until, weeks int) bool {
	if db.directBurden || db.noCurrent {
		return false
	}
	s, u := db.window(0, 0)
	return since == s && until == u && (weeks <= 0 || weeks == jianfu.TrendWeeks)
}

// windowRows reads the groups of f's window [since, until] in the actor's
// scope (only those of ids when given), each with its index, from
// burden_current when the window is today's default. trended tells whether
// the rows carry their trends of f.Weeks already. A caller inside a
// transaction (the scorecards) passes refresh false: it reads
// burden_current only when it is today's, and never recomputes it, which
// would wait for the transaction's own write lock on SQLite.
func (db *DB) windowRows(ctx context.Context, a *jianfu.Actor, f jianfu.BurdenFilter, since, until int, ids []any, refresh bool) (rows []*jianfu.BurdenRow, trended bool, err error) {
	db.foldPending(ctx)
	if db.isCurrent(since, until, f.Weeks) {
		if ok, err := db.ensureCurrent(ctx, refresh); err != nil || !ok {
			// the window can always be read the longer way
			if err != nil {
				db.log.Warn("burden_current not refreshed; reading the rollups", "err", err)
			}
		} else {
			rows, err := db.currentRows(ctx, a, f, ids)
			return rows, true, err
		}
	}
	var extra func(w *where)
	if ids != nil {
		extra = func(w *where) { w.add("b.group_id IN ("+placeholders(len(ids))+")", ids...) }
	}
	rows, err = db.groupWindowBy(db.reader(ctx), a, f, since, until, extra) // folded above
	return rows, false, err
}

// currentRows reads the groups of burden_current in scope, as groupWindow
// reads the default window, with their trends.
func (db *DB) currentRows(ctx context.Context, a *jianfu.Actor, f jianfu.BurdenFilter, ids []any) ([]*jianfu.BurdenRow, error) {
	var w where
	w.burdenScope(a, "c")
	w.prefix("c.region_path", f.RegionPath)
	if f.UnitID != 0 {
		w.add("c.unit_id = ?", f.UnitID)
	}
	if ids != nil {
		w.add("s.group_id IN ("+placeholders(len(ids))+")", ids...)
	}
	w.add("s.in_window = 1")
	w.like(f.Query, "c.name", "u.name")
	r, err := db.query(ctx, `SELECT s.group_id, c.name, c.platform, c.unit_id, u.name, c.region_path, s.days, `+currentCols+`, s.trend
		FROM burden_current s JOIN channels c ON c.id = s.group_id JOIN units u ON u.id = c.unit_id`+w.String()+` ORDER BY s.group_id`, w.args...)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out []*jianfu.BurdenRow
	for r.Next() {
		g := &jianfu.BurdenRow{Kind: "group"}
		var m metricsScan
		var days int
		var trend string
		dst := append([]any{&g.ID, &g.Name, &g.Platform, &g.UnitID, &g.UnitName, &g.RegionPath, &days}, m.targets()...)
		if err := r.Scan(append(dst, &trend)...); err != nil {
			return nil, err
		}
		g.Metrics = m.metrics(days)
		g.Score()
		if g.Trend, err = parseTrend(trend); err != nil {
			return nil, fmt.Errorf("burden_current of group %d: %w", g.ID, err)
		}
		g.Relapse, _, _ = jianfu.TrendRelapse(g.Trend)
		out = append(out, g)
	}
	return out, r.Err()
}

// ensureCurrent reports whether burden_current holds today's window,
// recomputing it first when it holds another day's and refresh is set.
func (db *DB) ensureCurrent(ctx context.Context, refresh bool) (bool, error) {
	today := jianfu.DayOf(db.Now())
	var day int
	if err := db.queryRow(ctx, `SELECT day FROM burden_current_day WHERE id = 1`).Scan(&day); err != nil {
		return false, err
	}
	if day == today || !refresh {
		return day == today, nil
	}
	ctx = jianfu.WithActor(ctx, jianfu.SystemActor("burden"))
	err := db.inTxAs(ctx, bulkWrite, func(tx *Tx) error {
		_, err := tx.rebuildCurrent(false)
		return err
	})
	return err == nil, err
}

// rebuildCurrent recomputes burden_current for the window ending on the
// transaction's day and returns its rows. Unless force is set it does
// nothing when another transaction has just done it. The day's row is
// written first: on PostgreSQL it holds back the batches that would keep
// the table current (refreshCurrent) until this one is done.
func (tx *Tx) rebuildCurrent(force bool) (int, error) {
	today := jianfu.DayOf(tx.now)
	q, args := `UPDATE burden_current_day SET day = ? WHERE id = 1 AND day <> ?`, []any{today, today}
	if force {
		q, args = `UPDATE burden_current_day SET day = ? WHERE id = 1`, []any{today}
	}
	res, err := tx.exec(q, args...)
	if err != nil {
		return 0, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return 0, err
	}
	if _, err := tx.exec(`DELETE FROM burden_current`); err != nil {
		return 0, err
	}
	return tx.writeCurrent(nil)
}

// refreshCurrent recomputes the rows of burden_current of the groups a
// batch wrote days of, in the batch's transaction, when the table holds
// today's window (otherwise its next reader recomputes it all).
func (tx *Tx) refreshCurrent(groups []int64) error {
	if len(groups) == 0 {
		return nil
	}
	q := `SELECT day FROM burden_current_day WHERE id = 1`
	if tx.db.engine == Postgres {
		q += ` FOR SHARE` // waits for a rebuild under way
	}
	var day int
	if err := tx.queryRow(q).Scan(&day); err != nil {
		return err
	}
	if day != jianfu.DayOf(tx.now) {
		return nil
	}
	ids := slices.Clone(groups)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	all := make([]any, len(ids))
	for i, id := range ids {
		all[i] = id
	}
	for _, chunk := range chunks(all, 500) {
		if tx.db.engine == Postgres {
			// lock the groups' rows (a new group's too), in id order, so
			// that two batches for one group compute it one after the
			// other and the second sees the first's days (SQLite's one
			// writer orders them already)
			lock := make([]any, 0, 2*len(chunk))
			for _, id := range chunk {
				lock = append(lock, id, 0)
			}
			if err := tx.execRows(`INSERT INTO burden_current(group_id, days)`,
				`ON CONFLICT (group_id) DO UPDATE SET days = burden_current.days`, 2, lock, nil); err != nil {
				return fmt.Errorf("lock the current burden: %w", err)
			}
		}
		if _, err := tx.exec(`DELETE FROM burden_current WHERE group_id IN (`+placeholders(len(chunk))+`)`, chunk...); err != nil {
			return err
		}
		if _, err := tx.writeCurrent(chunk); err != nil {
			return err
		}
	}
	return nil
}

// writeCurrent computes the default window of the groups of ids (every
// group when nil) as groupWindow and trendWeeks do for the system, and
// inserts their rows into burden_current.
func (tx *Tx) writeCurrent(ids []any) (int, error) {
	db, sys := tx.db, jianfu.SystemActor("burden")
	since, until := jianfu.BurdenWindow(0, 0, jianfu.DayOf(tx.now))
	var extra func(w *where)
	if ids != nil {
		extra = func(w *where) { w.add("b.group_id IN ("+placeholders(len(ids))+")", ids...) }
	}
	rows, err := db.groupWindowBy(tx.query, sys, jianfu.BurdenFilter{}, since, until, extra)
	if err != nil {
		return 0, err
	}
	ws, err := db.readTrendWeeks(tx.query, sys, "b.group_id", "", ids, until, 0)
	if err != nil {
		return 0, err
	}
	jianfu.FillTrendWeeks(rows, ws, until, 0)
	weeks := map[int64][]jianfu.BurdenWeek{}
	for _, w := range ws {
		weeks[w.Group] = append(weeks[w.Group], w)
	}
	// the groups with weeks in the trend and no messages in the window
	// count in their units' trends only
	in := map[int64]bool{}
	for _, g := range rows {
		in[g.ID] = true
	}
	var out []int64
	for id := range weeks {
		if !in[id] {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	for _, id := range out {
		rows = append(rows, &jianfu.BurdenRow{ID: id})
	}
	const cols = 12 + len(jianfu.Categories)
	args := make([]any, 0, cols*len(rows))
	for _, g := range rows {
		m := g.Metrics
		args = append(args, g.ID, m.Days, m.Messages, m.Members, m.Offhours, m.MentionAll, m.Demands, m.Assessed, m.Exempt)
		for _, c := range jianfu.Categories {
			args = append(args, m.ByCategory[string(c)])
		}
		inWindow := 0
		if in[g.ID] {
			inWindow = 1
		}
		args = append(args, formatTrend(g.Trend), inWindow, formatWeeks(weeks[g.ID]))
	}
	if err := tx.execRows(`INSERT INTO burden_current(group_id, days, messages, members, offhours, mention_all, demands, assessed, exempt,
		`+categoryCols("%[1]s")+`, trend, in_window, weeks)`, "", cols, args, nil); err != nil {
		return 0, fmt.Errorf("record the current burden: %w", err)
	}
	return len(rows), nil
}

// unitWeeks reads from burden_current the trend weeks of the groups in
// scope of the units of ids (as readTrendWeeks by b.unit_id would).
func (db *DB) unitWeeks(ctx context.Context, a *jianfu.Actor, ids []any) ([]jianfu.BurdenWeek, error) {
	db.foldPending(ctx)
	var out []jianfu.BurdenWeek
	for _, chunk := range chunks(ids, 500) {
		var w where
		w.burdenScope(a, "c")
		w.add("c.unit_id IN ("+placeholders(len(chunk))+")", chunk...)
		r, err := db.query(ctx, `SELECT s.group_id, c.unit_id, s.weeks FROM burden_current s JOIN channels c ON c.id = s.group_id`+w.String(), w.args...)
		if err != nil {
			return nil, err
		}
		for r.Next() {
			var group, unit int64
			var weeks string
			if err := r.Scan(&group, &unit, &weeks); err != nil {
				r.Close()
				return nil, err
			}
			if out, err = parseWeeks(out, group, unit, weeks); err != nil {
				r.Close()
				return nil, fmt.Errorf("burden_current of group %d: %w", group, err)
			}
		}
		r.Close()
		if err := r.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// formatWeeks writes a group's trend weeks for parseWeeks.
func formatWeeks(ws []jianfu.BurdenWeek) string {
	slices.SortFunc(ws, func(a, b jianfu.BurdenWeek) int { return a.End - b.End })
	parts := make([]string, len(ws))
	for i, w := range ws {
		m := w.Metrics
		parts[i] = fmt.Sprintf("%d:%d:%d:%d:%d:%d:%d:%d:%d", w.End, w.First, m.Members, m.Messages, m.Offhours, m.MentionAll, m.Demands, m.Assessed, m.Exempt)
	}
	return strings.Join(parts, ";")
}

// parseWeeks appends the weeks formatWeeks wrote for a group of a unit.
func parseWeeks(out []jianfu.BurdenWeek, group, unit int64, s string) ([]jianfu.BurdenWeek, error) {
	if s == "" {
		return out, nil
	}
	for _, part := range strings.Split(s, ";") {
		f := strings.Split(part, ":")
		if len(f) != 9 {
			return nil, fmt.Errorf("a week of %d fields: %q", len(f), part)
		}
		var v [9]int
		for i, x := range f {
			n, err := strconv.Atoi(x)
			if err != nil {
				return nil, err
			}
			v[i] = n
		}
		out = append(out, jianfu.BurdenWeek{Group: group, Unit: unit, End: v[0], First: v[1], Metrics: jianfu.BurdenMetrics{Days: 7,
			Members: v[2], Messages: v[3], Offhours: v[4], MentionAll: v[5], Demands: v[6], Assessed: v[7], Exempt: v[8]}})
	}
	return out, nil
}

// formatTrend writes a trend so that parseTrend reads back the same
// numbers, to the last bit.
func formatTrend(t []float64) string {
	parts := make([]string, len(t))
	for i, v := range t {
		parts[i] = strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strings.Join(parts, ",")
}

func parseTrend(s string) ([]float64, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	out := make([]float64, len(parts))
	for i, p := range parts {
		v, err := strconv.ParseFloat(p, 64)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}
