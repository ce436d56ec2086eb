package store

import (
	"context"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"jianfu"
	"jianfu/namesim"
)

// The registry list must answer its first page in milliseconds with a
// million channels, for any combination of filters. Every filter column
// has an index ending in id, so a query driven by one of them reads
// channels newest first without sorting; the cost is then proportional to
// the size of the driving index range, and the best driver is the filter
// with the fewest channels. Those sizes come from the counters table
// (channel_counts), from fixed estimates for filters that are always
// narrow (a unit, a township), and from capped counts for the rest (a name
// bigram, overdue re-validations). SQLite is told the chosen index with
// INDEXED BY; PostgreSQL's planner, which keeps column statistics, picks
// the same one on its own.

// probeCap bounds the counts the planner makes to size a driver.
const probeCap = 20000

// driver is a way to read channels in an order.
type driver struct {
	index   string // SQLite index; "" reads the table in id order (NOT INDEXED)
	n       int    // estimated range size
	ordered bool   // yields ids in descending order with the filters' equalities
	gram    string // drive by this name bigram instead of a channels index
}

// countCache holds the channel counters summed per kind, platform and
// status over all regions, for sizing drivers; refreshed every few seconds.
type countCache struct {
	mu   sync.Mutex
	at   time.Time
	sums []countRow
}

type countRow struct {
	kind, platform, status string
	n                      int
}

func (db *DB) globalCounts(ctx context.Context) ([]countRow, error) {
	db.counts.mu.Lock()
	defer db.counts.mu.Unlock()
	if db.counts.sums != nil && time.Since(db.counts.at) < 10*time.Second {
		return db.counts.sums, nil
	}
	rows, err := db.query(ctx, `SELECT kind, platform, status, SUM(n) FROM channel_counts GROUP BY kind, platform, status`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	sums := []countRow{}
	for rows.Next() {
		var r countRow
		if err := rows.Scan(&r.kind, &r.platform, &r.status, &r.n); err != nil {
			return nil, err
		}
		sums = append(sums, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	db.counts.sums, db.counts.at = sums, time.Now()
	return sums, nil
}

// sumCounts adds up the global counts that match the equalities given.
func sumCounts(rows []countRow, kind, platform, status string) int {
	n := 0
	for _, r := range rows {
		if (kind == "" || r.kind == kind) && (platform == "" || r.platform == platform) && (status == "" || r.status == status) {
			n += r.n
		}
	}
	return n
}

// channelQuery is a planned list query.
type channelQuery struct {
	w       where
	drv     driver
	counted bool // the total comes from the counters
	total   int
	sort    string // ORDER BY
	empty   bool
}

var channelSorts = map[string]string{"name": "c.name", "updated": "c.updated_at", "due": "c.revalidate_due_at"}
var sortIndexes = map[string]string{"name": "channels_name", "updated": "channels_updated", "due": "channels_due"}

// planChannels turns a filter into a query for the actor.
func (db *DB) planChannels(ctx context.Context, a *jianfu.Actor, f jianfu.ChannelFilter) (*channelQuery, error) {
	q := &channelQuery{}
	if f.Kind != "" && !f.Kind.Valid() {
		return nil, jianfu.Errorf(jianfu.EINVALID, "渠道类型“%s”无效:应为 app、account 或 group", "unknown kind %q: use app, account or group", f.Kind)
	}
	if f.Status != "" && !f.Status.Valid() {
		return nil, jianfu.Errorf(jianfu.EINVALID, "状态“%s”无效", "unknown status %q", f.Status)
	}
	if f.Platform != "" {
		if _, ok := jianfu.PlatformNames[f.Platform]; !ok {
			return nil, jianfu.Errorf(jianfu.EINVALID, "平台“%s”无效", "unknown platform %q", f.Platform)
		}
		if f.Kind != "" && !jianfu.ValidPlatform(f.Kind, f.Platform) {
			q.empty = true
		}
	}
	if f.Overdue && f.Status != "" && f.Status != jianfu.StatusActive && f.Status != jianfu.StatusRectifying {
		q.empty = true
	}
	if f.Expired && (f.Kind != "" && f.Kind != jianfu.KindGroup || f.Status == jianfu.StatusClosed) {
		q.empty = true
	}

	// The region: the actor's scope narrowed by the filter.
	region := ""
	unitScoped := !a.System && !a.RegionWide()
	if !a.System && a.RegionWide() {
		region = a.RegionPath
	}
	if f.RegionPath != "" {
		switch {
		case strings.HasPrefix(f.RegionPath, region):
			region = f.RegionPath
		case strings.HasPrefix(region, f.RegionPath):
		default:
			q.empty = true
		}
	}
	if q.empty {
		return q, nil
	}
	w := &q.w
	w.regionLevel(region)
	if unitScoped {
		w.prefix("c.unit_path", a.UnitPath)
	}
	if f.Kind != "" {
		w.add("c.kind = ?", string(f.Kind))
	}
	if f.Platform != "" {
		w.add("c.platform = ?", f.Platform)
	}
	if f.Status != "" {
		w.add("c.status = ?", string(f.Status))
	}
	if f.UnitID != 0 {
		w.add("c.unit_id = ?", f.UnitID)
	}
	now := db.Now()
	if f.Overdue {
		w.add("c.revalidate_due_at < ?", ms(now))
	}
	if f.Expired {
		w.add("c.kind = 'group' AND c.end_date > '' AND c.end_date < ? AND c.status <> 'closed'", now.In(shanghai).Format("2006-01-02"))
	}

	global, err := db.globalCounts(ctx)
	if err != nil {
		return nil, err
	}
	cands := []driver{{index: "", n: sumCounts(global, "", "", ""), ordered: true}}
	add := func(d driver) { cands = append(cands, d) }
	switch len(region) {
	case 2, 4, 6:
		n, err := db.regionCount(ctx, region, "", "", "")
		if err != nil {
			return nil, err
		}
		add(driver{index: "channels_l" + itoaInt(len(region)), n: n, ordered: true})
	case 9:
		add(driver{index: "channels_l9", n: 2000, ordered: true})
	case 12:
		add(driver{index: "channels_region", n: 300, ordered: true})
	}
	if f.UnitID != 0 {
		add(driver{index: "channels_unit_id", n: 500, ordered: true})
	}
	if f.Status != "" {
		add(driver{index: "channels_status", n: sumCounts(global, "", "", string(f.Status)), ordered: true})
	}
	if f.Kind != "" {
		add(driver{index: "channels_kind_status", n: sumCounts(global, string(f.Kind), "", string(f.Status)), ordered: f.Status != ""})
	}
	if f.Platform != "" {
		add(driver{index: "channels_platform", n: sumCounts(global, "", f.Platform, ""), ordered: true})
	}
	if unitScoped {
		n, err := db.probe(ctx, `SELECT 1 FROM channels WHERE unit_path >= ? AND unit_path < ?`, a.UnitPath, prefixEnd(a.UnitPath))
		if err != nil {
			return nil, err
		}
		add(driver{index: "channels_unit_path", n: n})
	}
	if f.Overdue {
		n, err := db.probe(ctx, `SELECT 1 FROM channels WHERE revalidate_due_at < ?`, ms(now))
		if err != nil {
			return nil, err
		}
		add(driver{index: "channels_due", n: n})
	}
	if f.Expired {
		n, err := db.probe(ctx, `SELECT 1 FROM channels WHERE end_date > '' AND end_date < ?`, now.In(shanghai).Format("2006-01-02"))
		if err != nil {
			return nil, err
		}
		add(driver{index: "channels_end_date", n: n})
	}

	// The search text: a filing number, an identifier, or part of a name.
	if text := strings.TrimSpace(f.Query); text != "" {
		if fn, ok := jianfu.ParseFilingNumber(strings.ToUpper(text)); ok {
			w.add("c.filing_number = ?", fn.String())
			add(driver{index: "-", n: 1})
		} else if d, ok, err := db.identDriver(ctx, w, text); err != nil {
			return nil, err
		} else if ok {
			add(d)
		} else {
			key := namesim.Fold(text)
			if utf8.RuneCountInString(key) < 2 {
				return nil, jianfu.Errorf(jianfu.EINVALID, "按名称搜索请至少输入两个字", "type at least two characters to search names")
			}
			best := driver{n: -1}
			for _, g := range namesim.Bigrams(key) {
				n, err := db.probe(ctx, `SELECT 1 FROM channel_grams WHERE gram = ?`, g)
				if err != nil {
					return nil, err
				}
				if best.n < 0 || n < best.n {
					best = driver{gram: g, n: n, ordered: true}
				}
			}
			w.add("c.name_key LIKE ? ESCAPE '\\'", "%"+escapeLike(key)+"%")
			add(best)
		}
	}

	q.drv = cands[0]
	for _, d := range cands[1:] {
		if d.n < q.drv.n || d.n == q.drv.n && d.ordered && !q.drv.ordered {
			q.drv = d
		}
	}
	if col, ok := channelSorts[strings.TrimPrefix(f.Sort, "-")]; ok {
		dir := ""
		if strings.HasPrefix(f.Sort, "-") {
			dir = " DESC"
		}
		q.sort = " ORDER BY " + col + dir + ", c.id DESC"
		if q.drv.n > probeCap && q.drv.gram == "" && q.drv.index != "-" {
			// A wide range: read it in the sort's order and stop at the page.
			q.drv = driver{index: sortIndexes[strings.TrimPrefix(f.Sort, "-")], n: q.drv.n, ordered: true}
		}
	} else if q.drv.gram != "" {
		q.sort = " ORDER BY g.channel_id DESC"
	} else {
		q.sort = " ORDER BY c.id DESC"
	}

	// Totals straight from the counters when every filter is one of theirs.
	if f.Query == "" && f.UnitID == 0 && !unitScoped && !f.Overdue && !f.Expired && len(region) <= 6 {
		n, err := db.regionCount(ctx, region, string(f.Kind), f.Platform, string(f.Status))
		if err != nil {
			return nil, err
		}
		q.counted, q.total = true, n
	}
	return q, nil
}

// identDriver matches text as a platform id or handle when it looks like
// one and some channel has it; it adds the condition and returns a driver.
func (db *DB) identDriver(ctx context.Context, w *where, text string) (driver, bool, error) {
	if len(text) < 3 || len(text) > 200 || strings.ContainsAny(text, " \t") {
		return driver{}, false, nil
	}
	for _, r := range text {
		if r > 0x7e {
			return driver{}, false, nil
		}
	}
	var one int
	err := db.queryRow(ctx, `SELECT 1 FROM channels WHERE platform_id = ? OR handle_key = ? LIMIT 1`, text, strings.ToLower(text)).Scan(&one)
	if err != nil {
		return driver{}, false, nil
	}
	w.add("(c.platform_id = ? OR c.handle_key = ?)", text, strings.ToLower(text))
	return driver{index: "-", n: 1}, true, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

// probe counts the rows of a query up to probeCap+1.
func (db *DB) probe(ctx context.Context, query string, args ...any) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM (`+query+` LIMIT `+itoaInt(probeCap+1)+`) p`, args...).Scan(&n)
	return n, err
}

// regionCount sums the counters of a region (a path of at most 6 digits,
// "" for all) for the kind, platform and status given ("" for any).
func (db *DB) regionCount(ctx context.Context, region, kind, platform, status string) (int, error) {
	var w where
	w.prefix("region_key", region)
	if kind != "" {
		w.add("kind = ?", kind)
	}
	if platform != "" {
		w.add("platform = ?", platform)
	}
	if status != "" {
		w.add("status = ?", status)
	}
	var n *int64
	if err := db.queryRow(ctx, `SELECT SUM(n) FROM channel_counts`+w.String(), w.args...).Scan(&n); err != nil {
		return 0, err
	}
	if n == nil {
		return 0, nil
	}
	return int(*n), nil
}

// from returns the FROM clause of a planned query.
func (q *channelQuery) from(e Engine) string {
	if q.drv.gram != "" {
		if e == SQLite {
			return ` FROM channel_grams g CROSS JOIN channels c` + channelJoins
		}
		return ` FROM channel_grams g JOIN channels c ON c.id = g.channel_id` + channelJoins
	}
	if e != SQLite || q.drv.index == "-" {
		return ` FROM channels c` + channelJoins
	}
	if q.drv.index == "" {
		return ` FROM channels c NOT INDEXED` + channelJoins
	}
	return ` FROM channels c INDEXED BY ` + q.drv.index + channelJoins
}

// where returns the WHERE clause and arguments of a planned query.
func (q *channelQuery) where(e Engine) (string, []any) {
	w := q.w
	if q.drv.gram != "" {
		conds := append([]string{"g.gram = ?"}, w.conds...)
		args := append([]any{q.drv.gram}, w.args...)
		if e == SQLite {
			conds = append(conds, "c.id = g.channel_id")
		}
		w = where{conds: conds, args: args}
	}
	return w.String(), w.args
}

// FindChannels lists channels in scope, newest first unless sorted. Personal
// data is masked in lists; the detail shows it to those who may see it.
func (db *DB) FindChannels(ctx context.Context, f jianfu.ChannelFilter) ([]*jianfu.Channel, int, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, 0, err
	}
	q, err := db.planChannels(ctx, a, f)
	if err != nil {
		return nil, 0, err
	}
	if q.empty {
		return nil, 0, nil
	}
	from := q.from(db.engine)
	cond, args := q.where(db.engine)
	p := f.Page.Normalize()
	rows, err := db.query(ctx, `SELECT `+channelCols+from+cond+q.sort+` LIMIT ? OFFSET ?`, append(args, p.Limit, p.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*jianfu.Channel
	for rows.Next() {
		r, err := scanChannel(rows)
		if err != nil {
			return nil, 0, err
		}
		r.Mask()
		r.Pending, r.Checks = nil, nil
		out = append(out, r.Channel)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	total := q.total
	if !q.counted {
		if p.Offset == 0 && len(out) < p.Limit {
			total = len(out)
		} else if err := db.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1`+from+cond+` LIMIT `+itoaInt(jianfu.ChannelCountCap+1)+`) t`, args...).Scan(&total); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}
