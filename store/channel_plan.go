package store

import (
	"context"
	"math"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"jianfu"
	"jianfu/urlrec"
)

// The registry list must answer its first page in milliseconds with a
// million channels, for any combination of filters. Every filter column
// has an index ending in id, so a query driven by one of them reads
// channels newest first without sorting, and stops at the page; its cost is
// the number of index entries read before the page fills, about
// page × range ÷ matches. The planner estimates each candidate's range from
// the counters table (channel_counts, kept in the same transaction as every
// change), from cached counts of overdue and expired channels, and from
// capped counts of the rest (a unit, a township, a name bigram), estimates
// the matches assuming the filters independent, and picks the cheapest
// driver for the page and, separately, for the total. The totals of
// filters the counters cover (region down to county, kind, platform,
// status) come from the counters exactly; others are counted up to a cap.
// SQLite is told the chosen index with INDEXED BY; PostgreSQL's planner,
// which keeps column statistics, picks on its own. Pages are read in two
// steps — the ids in order, then the rows — so sorting never drags whole
// rows through a sorter.

// probeCap bounds the counts the planner makes to size a driver.
const probeCap = 20000

// driver is a way to read the channels that match a filter.
type driver struct {
	index string  // SQLite index; "" reads the table in id order (NOT INDEXED); "-" lets the planner choose
	gram  string  // drive by this name bigram instead
	n     float64 // estimated entries in the range
	order string  // the order it yields: "id" (newest first), "name", "updated", or "" (needs a sort)
	cover bool    // the index carries every column the filter tests: no visits to the table
}

// lookupCost is what visiting the table for one index entry costs, in
// index entries read.
const lookupCost = 8

// countCache holds what the planner reads often and may be a little stale:
// the counters summed per kind, platform and status, and the numbers of
// overdue and expired channels. Refreshed every few seconds.
type countCache struct {
	mu      sync.Mutex
	at      time.Time
	sums    []countRow
	overdue int
	expired int

	// The compiled link rules, dropped when they are saved.
	recMu sync.Mutex
	rec   *urlrec.Recognizer
	recAt time.Time
}

type countRow struct {
	kind, platform, status string
	n                      int
}

// countsTTL is how long cached counts serve the planner.
const countsTTL = 10 * time.Second

func (db *DB) cachedCounts(ctx context.Context) (*countCache, error) {
	c := &db.counts
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sums != nil && time.Since(c.at) < countsTTL {
		return c, nil
	}
	rows, err := db.query(ctx, `SELECT kind, platform, status, SUM(n) FROM channel_counts GROUP BY kind, platform, status`)
	if err != nil {
		return nil, err
	}
	sums := []countRow{}
	for rows.Next() {
		var r countRow
		if err := rows.Scan(&r.kind, &r.platform, &r.status, &r.n); err != nil {
			rows.Close()
			return nil, err
		}
		sums = append(sums, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	now := db.Now()
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM channels WHERE revalidate_due_at < ?`, ms(now)).Scan(&c.overdue); err != nil {
		return nil, err
	}
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM channels WHERE end_date > '' AND end_date < ?`, now.In(jianfu.China).Format("2006-01-02")).Scan(&c.expired); err != nil {
		return nil, err
	}
	c.sums, c.at = sums, time.Now()
	return c, nil
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
	w       where  // the conditions
	page    driver // reads the page
	count   driver // counts the total
	counted bool   // the total comes from the counters
	total   int
	cap     int    // how far a count goes
	sort    string // ORDER BY of the page
	empty   bool
}

// sortOrders are the sorts the list offers, each backed by an index.
var sortOrders = map[string]struct{ order, asc, desc, index string }{
	"id":      {"id", " ORDER BY c.id", " ORDER BY c.id DESC", ""},
	"name":    {"name", " ORDER BY c.name_key, c.id", " ORDER BY c.name_key DESC, c.id DESC", "channels_name"},
	"updated": {"updated", " ORDER BY c.updated_at, c.id", " ORDER BY c.updated_at DESC, c.id DESC", "channels_updated"},
}

// planChannels turns a filter into a query for the actor.
func (db *DB) planChannels(ctx context.Context, a *jianfu.Actor, f jianfu.ChannelFilter) (*channelQuery, error) {
	q := &channelQuery{cap: f.CountCap()}
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
	sortKey := strings.TrimPrefix(f.Sort, "-")
	if _, ok := sortOrders[sortKey]; f.Sort != "" && !ok {
		return nil, jianfu.Errorf(jianfu.EINVALID, "排序“%s”无效:可按 name(名称)、updated(更新时间)或 id(登记先后)排序,前加 - 为倒序", "unknown sort %q: use name, updated or id, with - for descending", f.Sort)
	}
	if f.Overdue && f.Status != "" && !f.Status.Running() {
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
		w.add("c.kind = 'group' AND c.end_date > '' AND c.end_date < ? AND c.status <> 'closed'", now.In(jianfu.China).Format("2006-01-02"))
	}
	// The filter indexes carry every column tested so far, but not the
	// identifiers of a search nor a village's full path.
	covered := len(region) != 12

	cache, err := db.cachedCounts(ctx)
	if err != nil {
		return nil, err
	}
	N := float64(max(1, sumCounts(cache.sums, "", "", "")))
	// m estimates the matches: exact over the counters' dimensions, times
	// the share each other filter keeps.
	counterRegion := region
	if len(counterRegion) > 6 {
		counterRegion = counterRegion[:6]
	}
	mc, err := db.regionCount(ctx, counterRegion, string(f.Kind), f.Platform, string(f.Status))
	if err != nil {
		return nil, err
	}
	m := float64(mc)
	share := func(n float64) { m *= math.Min(1, n/N) }

	cands := []driver{{index: "", n: N, order: "id"}}
	payload := map[string]bool{"channels_l2": true, "channels_l4": true, "channels_l6": true, "channels_l9": true, "channels_status": true,
		"channels_kind_status": true, "channels_platform": true, "channels_unit_path": true, "channels_due": true, "channels_end_date": true,
		"channels_name": true, "channels_updated": true}
	add := func(d driver) { cands = append(cands, d) }
	switch len(region) {
	case 2, 4, 6:
		n, err := db.regionCount(ctx, region, "", "", "")
		if err != nil {
			return nil, err
		}
		add(driver{index: "channels_l" + itoaInt(len(region)), n: float64(n), order: "id"})
	case 9, 12:
		idx, col := "channels_l9", "region_l9"
		if len(region) == 12 {
			idx, col = "channels_region", "region_path"
		}
		n, err := db.probe(ctx, `SELECT 1 FROM channels WHERE `+col+` = ?`, region)
		if err != nil {
			return nil, err
		}
		parent, err := db.regionCount(ctx, region[:6], "", "", "")
		if err != nil {
			return nil, err
		}
		m *= math.Min(1, float64(n)/float64(max(1, parent)))
		add(driver{index: idx, n: float64(n), order: "id"})
	}
	if f.UnitID != 0 {
		n, err := db.probe(ctx, `SELECT 1 FROM channels WHERE unit_id = ?`, f.UnitID)
		if err != nil {
			return nil, err
		}
		share(float64(n))
		add(driver{index: "channels_unit_id", n: float64(n), order: "id"})
	}
	if unitScoped {
		n, err := db.probe(ctx, `SELECT 1 FROM channels WHERE unit_path >= ? AND unit_path < ?`, a.UnitPath, prefixEnd(a.UnitPath))
		if err != nil {
			return nil, err
		}
		share(float64(n))
		add(driver{index: "channels_unit_path", n: float64(n)})
	}
	if f.Status != "" {
		add(driver{index: "channels_status", n: float64(sumCounts(cache.sums, "", "", string(f.Status))), order: "id"})
	}
	if f.Kind != "" {
		d := driver{index: "channels_kind_status", n: float64(sumCounts(cache.sums, string(f.Kind), "", string(f.Status)))}
		if f.Status != "" {
			d.order = "id"
		}
		add(d)
	}
	if f.Platform != "" {
		add(driver{index: "channels_platform", n: float64(sumCounts(cache.sums, "", f.Platform, "")), order: "id"})
	}
	if f.Overdue {
		share(float64(cache.overdue))
		add(driver{index: "channels_due", n: float64(cache.overdue)})
	}
	if f.Expired {
		share(float64(cache.expired))
		add(driver{index: "channels_end_date", n: float64(cache.expired)})
	}

	// The search text: a filing number, an identifier, or part of a name.
	if text := strings.TrimSpace(f.Query); text != "" {
		if fn, ok := jianfu.ParseFilingNumber(strings.ToUpper(text)); ok {
			covered = false
			w.add("c.filing_number = ?", fn.String())
			m = math.Min(m, 1)
			add(driver{index: "-", n: 1, order: ""})
		} else if ok, err := db.identMatch(ctx, text); err != nil {
			return nil, err
		} else if ok {
			covered = false
			w.add("(c.platform_id = ? OR c.handle_key = ?)", text, strings.ToLower(text))
			m = math.Min(m, 5)
			add(driver{index: "-", n: 5, order: ""})
		} else {
			rules, err := db.registryRules()
			if err != nil {
				return nil, err
			}
			key := rules.SearchKey(text)
			if utf8.RuneCountInString(key) < 2 {
				return nil, jianfu.Errorf(jianfu.EINVALID, "按名称搜索请至少输入两个字", "type at least two characters to search names")
			}
			best := driver{n: -1, order: "id"}
			for _, g := range rules.SearchGrams(key) {
				n, err := db.probe(ctx, `SELECT 1 FROM channel_grams WHERE gram = ?`, g)
				if err != nil {
					return nil, err
				}
				if best.n < 0 || float64(n) < best.n {
					best.gram, best.n = g, float64(n)
				}
			}
			w.add("c.name_key LIKE ? ESCAPE '\\'", "%"+escapeLike(key)+"%")
			share(best.n)
			add(best)
		}
	}

	// The page: the cheapest way to the first rows in the wanted order.
	want := "id"
	if sortKey != "" {
		o := sortOrders[sortKey]
		want = o.order
		if o.index != "" {
			add(driver{index: o.index, n: N, order: o.order})
		}
		if strings.HasPrefix(f.Sort, "-") {
			q.sort = o.desc
		} else {
			q.sort = o.asc
		}
	} else {
		q.sort = " ORDER BY c.id DESC"
	}
	for i := range cands {
		cands[i].cover = covered && payload[cands[i].index]
	}
	p := f.Page.Normalize()
	need := float64(p.Offset + p.Limit)
	m = math.Max(m, 1)
	perEntry := func(d driver) float64 {
		if d.cover {
			return 1
		}
		return 1 + lookupCost
	}
	pageCost := func(d driver) float64 {
		if d.order == want {
			c := math.Min(d.n, need*d.n/m) * perEntry(d)
			if d.order == "name" && len(region) >= 4 {
				// Names begin with their region's name: in name order a
				// region's channels lie together, not spread evenly.
				c = math.Min(d.n, c*20)
			}
			return c
		}
		// Read the whole range, then sort the matches.
		return d.n*perEntry(d) + m*math.Log2(m+1)/4
	}
	q.page = cands[0]
	for _, d := range cands[1:] {
		if pageCost(d) < pageCost(q.page) {
			q.page = d
		}
	}
	if q.page.gram != "" && sortKey == "" {
		q.sort = " ORDER BY g.channel_id DESC"
	}

	// The total: from the counters when every filter is one of theirs,
	// else counted up to the cap by the cheapest driver.
	if f.Query == "" && f.UnitID == 0 && !unitScoped && !f.Overdue && !f.Expired && len(region) <= 6 {
		q.counted, q.total = true, mc
		return q, nil
	}
	countCost := func(d driver) float64 {
		return math.Min(d.n, float64(q.cap+1)*d.n/m) * perEntry(d)
	}
	q.count = cands[0]
	for _, d := range cands[1:] {
		if d.order == "name" || d.order == "updated" {
			continue
		}
		if countCost(d) < countCost(q.count) {
			q.count = d
		}
	}
	return q, nil
}

// identMatch reports whether text looks like a platform id or a handle and
// some channel has it.
func (db *DB) identMatch(ctx context.Context, text string) (bool, error) {
	if len(text) < 3 || len(text) > 200 || strings.ContainsAny(text, " \t") {
		return false, nil
	}
	for _, r := range text {
		if r > 0x7e {
			return false, nil
		}
	}
	var one int
	err := db.queryRow(ctx, `SELECT 1 FROM channels WHERE platform_id = ? OR handle_key = ? LIMIT 1`, text, strings.ToLower(text)).Scan(&one)
	if err == errNoRows {
		return false, nil
	}
	return err == nil, err
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
