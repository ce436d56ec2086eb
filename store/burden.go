package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"jianfu"
)

// burdenScope restricts a query over a table with region_path and
// unit_path columns (alias b) to the actor's scope.
func (w *where) burdenScope(a *jianfu.Actor, alias string) {
	switch {
	case a.System:
	case a.RegionWide():
		w.prefix(alias+".region_path", a.RegionPath)
	default:
		w.prefix(alias+".unit_path", a.UnitPath)
	}
}

// burdenReader is the caller when it may read burden monitoring at all;
// what it reads is then scoped by burdenScope.
func burdenReader(ctx context.Context) (*jianfu.Actor, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.CanReadBurden() {
		return nil, forbidden("查看负担监测需要至少一个角色", "reading burden monitoring needs a role")
	}
	return a, nil
}

// window returns the days a filter asks for (jianfu.BurdenWindow) by the
// store's clock.
func (db *DB) window(since, until int) (int, int) {
	return jianfu.BurdenWindow(since, until, jianfu.DayOf(db.Now()))
}

// categoryCols lists burden_daily's column of each category (c_<code>), in
// the canonical order, each written by format (%[1]s is the column).
func categoryCols(format string) string {
	cols := make([]string, len(jianfu.Categories))
	for i, c := range jianfu.Categories {
		cols[i] = fmt.Sprintf(format, "c_"+string(c))
	}
	return strings.Join(cols, ", ")
}

var sumCols = `SUM(b.messages), MAX(b.members), SUM(b.offhours), SUM(b.mention_all), SUM(b.demands), SUM(b.assessed), SUM(b.exempt),
	` + categoryCols("SUM(b.%[1]s)")

var dayCols = `b.messages, b.members, b.offhours, b.mention_all, b.demands, b.assessed, b.exempt,
	` + categoryCols("b.%[1]s")

// metricsScan reads the columns of sumCols or dayCols: seven counts, then
// one per category.
type metricsScan struct {
	v [7 + len(jianfu.Categories)]int64
}

func (s *metricsScan) targets() []any {
	out := make([]any, len(s.v))
	for i := range s.v {
		out[i] = &s.v[i]
	}
	return out
}

func (s *metricsScan) metrics(days int) jianfu.BurdenMetrics {
	m := jianfu.BurdenMetrics{Days: days, Messages: int(s.v[0]), Members: int(s.v[1]), Offhours: int(s.v[2]), MentionAll: int(s.v[3]),
		Demands: int(s.v[4]), Assessed: int(s.v[5]), Exempt: int(s.v[6]), ByCategory: map[string]int{}}
	for i, c := range jianfu.Categories {
		if n := int(s.v[7+i]); n > 0 {
			m.ByCategory[string(c)] = n
		}
	}
	return m
}

// groupWindow reads the sums of the groups in scope over [since, until],
// each measured over its days in the window since it was first seen, with
// its index and level.
func (db *DB) groupWindow(ctx context.Context, a *jianfu.Actor, f jianfu.BurdenFilter, since, until int, extra func(w *where)) ([]*jianfu.BurdenRow, error) {
	db.foldPending(ctx)
	return db.groupWindowBy(db.reader(ctx), a, f, since, until, extra)
}

// querier runs a query on the database or in a transaction.
type querier func(query string, args ...any) (*sql.Rows, error)

// reader queries the database outside a transaction.
func (db *DB) reader(ctx context.Context) querier {
	return func(q string, args ...any) (*sql.Rows, error) { return db.query(ctx, q, args...) }
}

// groupWindowBy is groupWindow through query (a transaction's, to compute
// the current window at ingest).
func (db *DB) groupWindowBy(query querier, a *jianfu.Actor, f jianfu.BurdenFilter, since, until int, extra func(w *where)) ([]*jianfu.BurdenRow, error) {
	scope := func(w *where) {
		w.burdenScope(a, "b")
		w.prefix("b.region_path", f.RegionPath)
		if f.UnitID != 0 {
			w.add("b.unit_id = ?", f.UnitID)
		}
		if extra != nil {
			extra(w)
		}
	}
	var q string
	var args []any
	if db.directBurden {
		var w where
		w.add("b.day >= ? AND b.day <= ?", since, until)
		scope(&w)
		w.like(f.Query, "c.name", "u.name")
		q, args = `SELECT b.group_id, c.name, c.platform, c.unit_id, u.name, c.region_path, `+sumCols+`
		FROM burden_daily b JOIN channels c ON c.id = b.group_id JOIN units u ON u.id = c.unit_id`+w.String()+`
		GROUP BY b.group_id, c.name, c.platform, c.unit_id, u.name, c.region_path`, w.args
	} else {
		// whole weeks from the rollup, the days left over from burden_daily
		ends, rest := jianfu.WindowWeeks(since, until)
		from, fromArgs := weekWindow(ends, since, rest, scope)
		var w where
		w.like(f.Query, "c.name", "u.name")
		q, args = `SELECT b.group_id, c.name, c.platform, c.unit_id, u.name, c.region_path, `+sumCols+`
		FROM (`+from+`) b JOIN channels c ON c.id = b.group_id JOIN units u ON u.id = c.unit_id`+w.String()+`
		GROUP BY b.group_id, c.name, c.platform, c.unit_id, u.name, c.region_path`, append(fromArgs, w.args...)
	}
	// in the groups' order, so sums over them (a region's weighted index)
	// add up in the same order whichever way the window was read
	rows, err := query(q+` ORDER BY b.group_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*jianfu.BurdenRow
	sums := map[int64]*metricsScan{}
	for rows.Next() {
		g := &jianfu.BurdenRow{Kind: "group"}
		var m metricsScan
		dst := append([]any{&g.ID, &g.Name, &g.Platform, &g.UnitID, &g.UnitName, &g.RegionPath}, m.targets()...)
		if err := rows.Scan(dst...); err != nil {
			return nil, err
		}
		out = append(out, g)
		sums[g.ID] = &m
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	// the first day each group was ever seen, so a new group is not
	// measured over days it did not exist
	first := map[int64]int{}
	ids := make([]any, 0, len(out))
	for _, g := range out {
		ids = append(ids, g.ID)
	}
	for _, chunk := range chunks(ids, 500) {
		q := `SELECT group_id, MIN(day) FROM burden_daily WHERE group_id IN (` + placeholders(len(chunk)) + `) GROUP BY group_id`
		if !db.directBurden {
			// one index seek per group rather than every day of each
			q = `SELECT c.id, (SELECT MIN(d.day) FROM burden_daily d WHERE d.group_id = c.id) FROM channels c WHERE c.id IN (` + placeholders(len(chunk)) + `)`
		}
		r, err := query(q, chunk...)
		if err != nil {
			return nil, err
		}
		for r.Next() {
			var id int64
			var d int
			if err := r.Scan(&id, &d); err != nil {
				r.Close()
				return nil, err
			}
			first[id] = d
		}
		r.Close()
		if err := r.Err(); err != nil {
			return nil, err
		}
	}
	for _, g := range out {
		g.Metrics = sums[g.ID].metrics(jianfu.MeasuredDays(since, until, first[g.ID]))
		g.Score()
	}
	return out, nil
}

// readDays reads the stored days selected by w (over burden_daily b),
// oldest first.
func (db *DB) readDays(ctx context.Context, w where) ([]jianfu.BurdenDay, error) {
	db.foldPending(ctx)
	rows, err := db.query(ctx, `SELECT b.group_id, b.unit_id, b.day, `+dayCols+` FROM burden_daily b`+w.String()+` ORDER BY b.day, b.group_id`, w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []jianfu.BurdenDay
	for rows.Next() {
		var d jianfu.BurdenDay
		var m metricsScan
		if err := rows.Scan(append([]any{&d.Group, &d.Unit, &d.Day}, m.targets()...)...); err != nil {
			return nil, err
		}
		d.Metrics = m.metrics(1)
		out = append(out, d)
	}
	return out, rows.Err()
}

// BurdenRanking ranks the groups (or units) in scope by burden index over a
// window, with each row's weekly trend.
func (s *Burden) BurdenRanking(ctx context.Context, f jianfu.BurdenFilter) ([]*jianfu.BurdenRow, int, error) {
	a, err := burdenReader(ctx)
	if err != nil {
		return nil, 0, err
	}
	since, until := s.db.window(f.Since, f.Until)
	rows, trended, err := s.db.windowRows(ctx, a, f, since, until, nil, true)
	if err != nil {
		return nil, 0, err
	}
	return s.db.rank(ctx, a, f, rows, trended, until)
}

// rank orders the groups of a window read for f, keeps f's page and fills
// its rows' trends (a group's are there already when trended).
func (db *DB) rank(ctx context.Context, a *jianfu.Actor, f jianfu.BurdenFilter, rows []*jianfu.BurdenRow, trended bool, until int) ([]*jianfu.BurdenRow, int, error) {
	if f.Kind == "unit" {
		rows = jianfu.UnitRows(rows)
	}
	jianfu.SortBurdenRows(rows, f.Page.Sort)
	total := len(rows)
	p := f.Page.Normalize()
	if p.Offset >= len(rows) {
		rows = nil
	} else {
		rows = rows[p.Offset:min(p.Offset+p.Limit, len(rows))]
	}
	if trended && f.Kind != "unit" {
		return rows, total, nil
	}
	if trended && len(rows) > 0 {
		// the units' trends from their groups' weeks kept with the window
		ids := make([]any, len(rows))
		for i, r := range rows {
			ids[i] = r.ID
		}
		ws, err := db.unitWeeks(ctx, a, ids)
		if err != nil {
			return nil, 0, err
		}
		jianfu.FillTrendWeeks(rows, ws, until, f.Weeks)
		return rows, total, nil
	}
	if err := db.trends(ctx, a, rows, f.Kind == "unit", until, f.Weeks); err != nil {
		return nil, 0, err
	}
	return rows, total, nil
}

// BurdenSummary sums every group in scope over the filter's window.
func (s *Burden) BurdenSummary(ctx context.Context, f jianfu.BurdenFilter) (*jianfu.BurdenSummary, error) {
	a, err := burdenReader(ctx)
	if err != nil {
		return nil, err
	}
	since, until := s.db.window(f.Since, f.Until)
	f.Query = ""
	groups, _, err := s.db.windowRows(ctx, a, f, since, until, nil, true)
	if err != nil {
		return nil, err
	}
	return jianfu.SummarizeBurden(groups, since, until), nil
}

// BurdenOverview is BurdenRanking of f and the BurdenSummary of every group
// in scope over f's window. When f narrows nothing (no region, unit or
// query) both come from one read of the window.
func (s *Burden) BurdenOverview(ctx context.Context, f jianfu.BurdenFilter) ([]*jianfu.BurdenRow, int, *jianfu.BurdenSummary, error) {
	a, err := burdenReader(ctx)
	if err != nil {
		return nil, 0, nil, err
	}
	since, until := s.db.window(f.Since, f.Until)
	all, trended, err := s.db.windowRows(ctx, a, jianfu.BurdenFilter{Weeks: f.Weeks}, since, until, nil, true)
	if err != nil {
		return nil, 0, nil, err
	}
	// the summary is taken before the ranking reorders the slice and
	// fills its rows' trends
	sum := jianfu.SummarizeBurden(all, since, until)
	groups := all
	if f.RegionPath != "" || f.UnitID != 0 || f.Query != "" {
		if groups, trended, err = s.db.windowRows(ctx, a, f, since, until, nil, true); err != nil {
			return nil, 0, nil, err
		}
	}
	rows, total, err := s.db.rank(ctx, a, f, groups, trended, until)
	if err != nil {
		return nil, 0, nil, err
	}
	return rows, total, sum, nil
}

// trends reads the days of the rows' groups over the trend's weeks ending
// at until and fills each row's weekly index (jianfu.FillTrends).
func (db *DB) trends(ctx context.Context, a *jianfu.Actor, rows []*jianfu.BurdenRow, units bool, until, weeks int) error {
	return db.trendsIn(ctx, a, rows, units, "", until, weeks)
}

// trendsIn is trends; with region set, rows are every group in scope under
// that region (a region's page), which the rollup reads by region.
func (db *DB) trendsIn(ctx context.Context, a *jianfu.Actor, rows []*jianfu.BurdenRow, units bool, region string, until, weeks int) error {
	if len(rows) == 0 {
		return nil
	}
	db.foldPending(ctx)
	start, _ := jianfu.TrendWindow(until, weeks)
	ids := make([]any, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.ID)
	}
	col := "b.group_id"
	if units {
		col = "b.unit_id"
	}
	if !db.directBurden {
		return db.trendWeeks(db.reader(ctx), a, rows, col, region, until, weeks)
	}
	var days []jianfu.BurdenDay
	for _, chunk := range chunks(ids, 500) {
		var w where
		w.burdenScope(a, "b")
		w.add(col+" IN ("+placeholders(len(chunk))+")", chunk...)
		w.add("b.day >= ? AND b.day <= ?", start, until)
		part, err := db.readDays(ctx, w)
		if err != nil {
			return err
		}
		days = append(days, part...)
	}
	jianfu.FillTrends(rows, days, until, weeks)
	return nil
}

// GroupBurden returns one group's burden over [since, until] with its
// series by day, week or month.
func (s *Burden) GroupBurden(ctx context.Context, id int64, step string, since, until int) (*jianfu.BurdenDetail, error) {
	return s.db.burdenDetail(ctx, "group", id, step, since, until)
}

// UnitBurden returns the burden of one unit's groups.
func (s *Burden) UnitBurden(ctx context.Context, id int64, step string, since, until int) (*jianfu.BurdenDetail, error) {
	return s.db.burdenDetail(ctx, "unit", id, step, since, until)
}

func (db *DB) burdenDetail(ctx context.Context, kind string, id int64, step string, since, until int) (*jianfu.BurdenDetail, error) {
	a, err := burdenReader(ctx)
	if err != nil {
		return nil, err
	}
	since, until = db.window(since, until)
	d := &jianfu.BurdenDetail{Step: jianfu.BurdenStep(step)}
	var w where
	w.channelScope(a)
	if kind == "group" {
		w.add("c.id = ?", id)
		w.add("c.kind = ?", string(jianfu.KindGroup))
		var name, platform, unitName, region string
		var unitID int64
		if err := db.queryRow(ctx, `SELECT c.name, c.platform, c.unit_id, u.name, c.region_path`+channelFrom+w.String(), w.args...).
			Scan(&name, &platform, &unitID, &unitName, &region); err != nil {
			return nil, db.translate(err, nGroup)
		}
		d.Row = jianfu.BurdenRow{Kind: "group", ID: id, Name: name, Platform: platform, UnitID: unitID, UnitName: unitName, RegionPath: region}
		if err := db.queryRow(ctx, `SELECT COUNT(*) FROM group_members WHERE group_id = ?`, id).Scan(&d.KnownMembers); err != nil {
			return nil, err
		}
	} else {
		u, err := db.Units().FindUnitByID(ctx, id)
		if err != nil {
			return nil, err
		}
		d.Row = jianfu.BurdenRow{Kind: "unit", ID: id, Name: u.Name, UnitID: id, UnitName: u.Name, RegionPath: u.RegionPath}
	}
	col := "b.group_id = ?"
	if kind == "unit" {
		col = "b.unit_id = ?"
	}
	groups, err := db.groupWindow(ctx, a, jianfu.BurdenFilter{}, since, until, func(w *where) { w.add(col, id) })
	if err != nil {
		return nil, err
	}
	if kind == "unit" {
		groups = jianfu.UnitRows(groups)
		if len(groups) == 1 {
			d.Row.Groups = groups[0].Groups
		}
	}
	if len(groups) == 1 {
		d.Row.Metrics, d.Row.Index, d.Row.Level = groups[0].Metrics, groups[0].Index, groups[0].Level
	}
	if d.Row.Metrics.ByCategory == nil {
		d.Row.Metrics.ByCategory = map[string]int{}
	}
	var sw where
	sw.burdenScope(a, "b")
	sw.add(col, id)
	sw.add("b.day >= ? AND b.day <= ?", since, until)
	days, err := db.readDays(ctx, sw)
	if err != nil {
		return nil, err
	}
	d.Series = jianfu.BurdenSeries(days, d.Step, since, until)
	return d, nil
}
