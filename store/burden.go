package store

import (
	"context"
	"fmt"
	"math"
	"sort"
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

// window returns the days of a filter: until defaults to today, since to
// 29 days before until (30 days in all).
func (db *DB) window(since, until int) (int, int) {
	if until == 0 {
		until = jianfu.DayOf(db.Now())
	}
	if since == 0 || since > until {
		since = jianfu.AddDays(until, -29)
	}
	return since, until
}

// daySpan counts the days from a to b inclusive.
func daySpan(a, b int) int {
	return int(jianfu.DayTime(b).Sub(jianfu.DayTime(a)).Hours()/24+0.5) + 1
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

// groupSums is one group's sums over a window.
type groupSums struct {
	row      jianfu.BurdenRow
	unitPath string
	firstDay int // first day the group was ever seen
	m        metricsScan
}

// groupWindow sums the groups in scope over [since, until].
func (db *DB) groupWindow(ctx context.Context, a *jianfu.Actor, f jianfu.BurdenFilter, since, until int, extra func(w *where)) ([]*groupSums, error) {
	var w where
	w.burdenScope(a, "b")
	w.add("b.day >= ? AND b.day <= ?", since, until)
	w.prefix("b.region_path", f.RegionPath)
	if f.UnitID != 0 {
		w.add("b.unit_id = ?", f.UnitID)
	}
	if extra != nil {
		extra(&w)
	}
	w.like(f.Query, "c.name", "u.name")
	rows, err := db.query(ctx, `SELECT b.group_id, c.name, c.platform, c.unit_id, u.name, c.region_path, c.unit_path, `+sumCols+`
		FROM burden_daily b JOIN channels c ON c.id = b.group_id JOIN units u ON u.id = c.unit_id`+w.String()+`
		GROUP BY b.group_id, c.name, c.platform, c.unit_id, u.name, c.region_path, c.unit_path`, w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*groupSums
	byID := map[int64]*groupSums{}
	for rows.Next() {
		g := &groupSums{row: jianfu.BurdenRow{Kind: "group"}}
		dst := append([]any{&g.row.ID, &g.row.Name, &g.row.Platform, &g.row.UnitID, &g.row.UnitName, &g.row.RegionPath, &g.unitPath}, g.m.targets()...)
		if err := rows.Scan(dst...); err != nil {
			return nil, err
		}
		out = append(out, g)
		byID[g.row.ID] = g
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	// the first day each group was ever seen, so a new group is not
	// measured over days it did not exist
	ids := make([]any, 0, len(out))
	for _, g := range out {
		ids = append(ids, g.row.ID)
	}
	for _, chunk := range chunks(ids, 500) {
		r, err := db.query(ctx, `SELECT group_id, MIN(day) FROM burden_daily WHERE group_id IN (`+placeholders(len(chunk))+`) GROUP BY group_id`, chunk...)
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
			byID[id].firstDay = d
		}
		r.Close()
		if err := r.Err(); err != nil {
			return nil, err
		}
	}
	for _, g := range out {
		start := max(since, g.firstDay)
		g.row.Metrics = g.m.metrics(daySpan(start, until))
		g.row.Index = g.row.Metrics.Index()
		g.row.Level = jianfu.BurdenLevel(g.row.Index.Value)
	}
	return out, nil
}

// foldUnits sums groups into their units.
func foldUnits(groups []*groupSums) []*jianfu.BurdenRow {
	byUnit := map[int64]*jianfu.BurdenRow{}
	var out []*jianfu.BurdenRow
	for _, g := range groups {
		u := byUnit[g.row.UnitID]
		if u == nil {
			u = &jianfu.BurdenRow{Kind: "unit", ID: g.row.UnitID, Name: g.row.UnitName, UnitID: g.row.UnitID, UnitName: g.row.UnitName,
				RegionPath: g.row.RegionPath, Metrics: jianfu.BurdenMetrics{ByCategory: map[string]int{}}}
			byUnit[g.row.UnitID] = u
			out = append(out, u)
		}
		u.Groups++
		u.Metrics.Add(g.row.Metrics)
	}
	for _, u := range out {
		u.Index = u.Metrics.Index()
		u.Level = jianfu.BurdenLevel(u.Index.Value)
	}
	return out
}

// sortRows orders a ranking: "key" ascending, "-key" descending; by
// default the highest burden index first.
func sortRows(rows []*jianfu.BurdenRow, key string) {
	if key == "" {
		key = "-index"
	}
	desc := strings.HasPrefix(key, "-")
	key = strings.TrimPrefix(key, "-")
	val := func(r *jianfu.BurdenRow) float64 {
		switch key {
		case "demands":
			return float64(r.Metrics.Demands)
		case "messages":
			return float64(r.Metrics.Messages)
		case "offhours":
			return r.Metrics.OffhoursShare()
		case "load":
			return r.Metrics.PerMemberDay()
		case "assessed":
			return float64(r.Metrics.Assessed)
		case "mention_all":
			return float64(r.Metrics.MentionAll)
		}
		return r.Index.Value
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if key == "name" {
			if a.Name != b.Name {
				return (a.Name < b.Name) != desc
			}
			return a.ID < b.ID
		}
		va, vb := val(a), val(b)
		if va != vb {
			return (va < vb) != desc
		}
		return a.ID < b.ID
	})
}

// BurdenRanking ranks the groups (or units) in scope by burden index over a
// window, with each row's weekly trend.
func (s *Burden) BurdenRanking(ctx context.Context, f jianfu.BurdenFilter) ([]*jianfu.BurdenRow, int, error) {
	a, err := burdenReader(ctx)
	if err != nil {
		return nil, 0, err
	}
	since, until := s.db.window(f.Since, f.Until)
	groups, err := s.db.groupWindow(ctx, a, f, since, until, nil)
	if err != nil {
		return nil, 0, err
	}
	var rows []*jianfu.BurdenRow
	if f.Kind == "unit" {
		rows = foldUnits(groups)
	} else {
		for _, g := range groups {
			rows = append(rows, &g.row)
		}
	}
	sortRows(rows, f.Page.Sort)
	total := len(rows)
	p := f.Page.Normalize()
	if p.Offset >= len(rows) {
		rows = nil
	} else {
		rows = rows[p.Offset:min(p.Offset+p.Limit, len(rows))]
	}
	if err := s.db.trends(ctx, a, rows, f.Kind == "unit", until, f.Weeks); err != nil {
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
	groups, err := s.db.groupWindow(ctx, a, f, since, until, nil)
	if err != nil {
		return nil, err
	}
	out := &jianfu.BurdenSummary{Groups: len(groups), Levels: map[string]int{}, Since: since, Until: until,
		Metrics: jianfu.BurdenMetrics{ByCategory: map[string]int{}}}
	units := map[int64]bool{}
	for _, g := range groups {
		units[g.row.UnitID] = true
		out.Metrics.Add(g.row.Metrics)
		out.Levels[g.row.Level]++
		out.Mean += g.row.Index.Value
	}
	out.Units = len(units)
	if len(groups) > 0 {
		out.Mean = math.Round(out.Mean/float64(len(groups))*10) / 10
	}
	return out, nil
}

// trends fills the weekly index of each row over the weeks ending at until.
func (db *DB) trends(ctx context.Context, a *jianfu.Actor, rows []*jianfu.BurdenRow, units bool, until, weeks int) error {
	if len(rows) == 0 {
		return nil
	}
	if weeks <= 0 {
		weeks = 12
	}
	start := jianfu.AddDays(until, -7*weeks+1)
	ids := make([]any, 0, len(rows))
	byID := map[int64]*jianfu.BurdenRow{}
	for _, r := range rows {
		ids = append(ids, r.ID)
		byID[r.ID] = r
	}
	col := "b.group_id"
	if units {
		col = "b.unit_id"
	}
	type wk struct {
		id    int64
		week  int
		group int64
	}
	sums := map[wk]*metricsScan{}
	first := map[int64]int{} // first day a group is seen in the trend window
	for _, chunk := range chunks(ids, 500) {
		var w where
		w.burdenScope(a, "b")
		w.add(col+" IN ("+placeholders(len(chunk))+")", chunk...)
		w.add("b.day >= ? AND b.day <= ?", start, until)
		r, err := db.query(ctx, `SELECT `+col+`, b.group_id, b.day, `+dayCols+` FROM burden_daily b`+w.String(), w.args...)
		if err != nil {
			return err
		}
		for r.Next() {
			var id, group int64
			var day int
			var m metricsScan
			if err := r.Scan(append([]any{&id, &group, &day}, m.targets()...)...); err != nil {
				r.Close()
				return err
			}
			k := wk{id, (daySpan(start, day) - 1) / 7, group}
			s := sums[k]
			if s == nil {
				s = &metricsScan{}
				sums[k] = s
			}
			for i := range s.v {
				if i == 1 {
					s.v[i] = max(s.v[i], m.v[i])
				} else {
					s.v[i] += m.v[i]
				}
			}
			if f, ok := first[group]; !ok || day < f {
				first[group] = day
			}
		}
		r.Close()
		if err := r.Err(); err != nil {
			return err
		}
	}
	series := map[int64][]jianfu.BurdenMetrics{}
	for _, r := range rows {
		series[r.ID] = make([]jianfu.BurdenMetrics, weeks)
	}
	for k, s := range sums {
		days := 7
		if d := daySpan(start, first[k.group]) - 1; d/7 == k.week {
			days = 7 - d%7 // the group's first week in the window
		}
		series[k.id][k.week].Add(s.metrics(days))
	}
	for _, r := range rows {
		t := make([]float64, weeks)
		for i, m := range series[r.ID] {
			t[i] = m.Index().Value
		}
		r.Trend = t
		r.Relapse, _, _ = jianfu.TrendRelapse(t)
	}
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
	if step != "week" && step != "month" {
		step = "day"
	}
	since, until = db.window(since, until)
	d := &jianfu.BurdenDetail{Step: step}
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
	f := jianfu.BurdenFilter{}
	col := "b.group_id = ?"
	if kind == "unit" {
		col = "b.unit_id = ?"
	}
	groups, err := db.groupWindow(ctx, a, f, since, until, func(w *where) { w.add(col, id) })
	if err != nil {
		return nil, err
	}
	if kind == "unit" {
		if us := foldUnits(groups); len(us) == 1 {
			us[0].Name = d.Row.Name
			d.Row.Metrics, d.Row.Index, d.Row.Level, d.Row.Groups = us[0].Metrics, us[0].Index, us[0].Level, us[0].Groups
		}
	} else if len(groups) == 1 {
		d.Row.Metrics, d.Row.Index, d.Row.Level = groups[0].row.Metrics, groups[0].row.Index, groups[0].row.Level
	}
	if d.Row.Metrics.ByCategory == nil {
		d.Row.Metrics.ByCategory = map[string]int{}
	}
	// the series
	var sw where
	sw.burdenScope(a, "b")
	sw.add(col, id)
	sw.add("b.day >= ? AND b.day <= ?", since, until)
	rows, err := db.query(ctx, `SELECT b.group_id, b.day, `+dayCols+` FROM burden_daily b`+sw.String()+` ORDER BY b.day`, sw.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	bucket := func(day int) int {
		t := jianfu.DayTime(day)
		switch step {
		case "week":
			wd := (int(t.Weekday()) + 6) % 7 // Monday first
			return jianfu.DayOf(t.AddDate(0, 0, -wd))
		case "month":
			return day/100*100 + 1
		}
		return day
	}
	type gb struct {
		group int64
		start int
	}
	per := map[gb]*metricsScan{}
	var starts []int
	seenStart := map[int]bool{}
	for rows.Next() {
		var group int64
		var day int
		var m metricsScan
		if err := rows.Scan(append([]any{&group, &day}, m.targets()...)...); err != nil {
			return nil, err
		}
		b := bucket(day)
		if !seenStart[b] {
			seenStart[b] = true
			starts = append(starts, b)
		}
		k := gb{group, b}
		s := per[k]
		if s == nil {
			s = &metricsScan{}
			per[k] = s
		}
		for i := range s.v {
			if i == 1 {
				s.v[i] = max(s.v[i], m.v[i])
			} else {
				s.v[i] += m.v[i]
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.Ints(starts)
	for _, st := range starts {
		end := until
		switch step {
		case "day":
			end = st
		case "week":
			end = min(until, jianfu.AddDays(st, 6))
		case "month":
			end = min(until, jianfu.DayOf(jianfu.DayTime(st).AddDate(0, 1, -1)))
		}
		days := daySpan(max(st, since), end)
		p := jianfu.BurdenPeriod{Start: st, Metrics: jianfu.BurdenMetrics{ByCategory: map[string]int{}}}
		for k, s := range per {
			if k.start == st {
				p.Metrics.Add(s.metrics(days))
			}
		}
		p.Index = p.Metrics.Index()
		d.Series = append(d.Series, p)
	}
	return d, nil
}
