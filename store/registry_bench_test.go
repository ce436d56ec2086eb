package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"jianfu"
	"jianfu/textsim"
)

// The registry's performance targets, measured with 1,000,000 channels in
// the store on each engine: the registry list's first page (items and
// total) under any combination of the UI's filters, and the public verify
// lookup, both under 50 ms at the 99th percentile. The dataset is built
// once per run with bulk inserts in large transactions; -short skips it.

// benchChannels is 1,000,000; JIANFU_BENCH_CHANNELS sets another size for
// trying the benchmark out.
var benchChannels = func() int {
	if v, err := strconv.Atoi(os.Getenv("JIANFU_BENCH_CHANNELS")); err == nil && v > 0 {
		return v
	}
	return 1_000_000
}()

// benchData is a loaded store and what the queries draw from.
type benchData struct {
	db        *DB
	units     []benchUnit
	counties  []string // county paths
	townships []string
	stems     map[string]string // county path → stem
	filings   []string
	weiboIDs  []string
	names     []string
	fragments []string
}

type benchUnit struct {
	id               int64
	path, regionPath string
}

var benchStems = []string{"江南", "江北", "青梧", "云岭", "丰宁", "鹤阳", "临川", "枫桥", "望江", "东湖", "西园", "南山", "北苑", "石门", "清溪",
	"桃源", "长宁", "安平", "永和", "新华", "凤城", "龙泉", "金沙", "银湖", "白塔", "红旗", "黄岗", "青松", "翠屏", "明月"}
var benchWords = []string{"教育", "卫健", "公安", "交通", "文旅", "市场监管", "人社", "医保", "应急", "水利", "农业农村", "自然资源", "生态环境", "住建",
	"税务", "民政", "司法", "退役军人", "统计", "审计", "信访", "共青团", "妇联", "工会", "科协", "残联", "融媒", "政务服务", "大数据", "消防"}
var benchSuffix = []string{"", "", "发布", "在线", "服务", "之声", "动态", "工作群", "家长群", "值班群"}
var benchPool = []rune("安宁和平兴隆福寿长乐永康东西南北中山水石桥河湖溪塘林松竹梅兰花园青白云龙凤阳春秋星月城关镇乡村社屯堡坪岭湾洲岗营坊集庄")

// loadBench fills a fresh store with the province, 3,300 units and
// 1,000,000 channels in every state, their search grams and counters.
func loadBench(b *testing.B, db *DB) *benchData {
	ctx := jianfu.WithActor(context.Background(), jianfu.SystemActor("bench"))
	r := rand.New(rand.NewPCG(1, 2026))
	d := &benchData{db: db, stems: map[string]string{}}
	regions := []*jianfu.Region{{Code: "390000", Path: "39", Name: "临江省", Level: jianfu.LevelProvince}}
	for c := 1; c <= 6; c++ {
		cp := fmt.Sprintf("39%02d", c)
		regions = append(regions, &jianfu.Region{Code: cp + "00", Path: cp, Name: benchStems[c-1] + "市", Level: jianfu.LevelCity, ParentPath: "39"})
		for k := 1; k <= 5; k++ {
			kp := fmt.Sprintf("%s%02d", cp, k)
			stem := benchStems[(c-1)*5+k-1]
			d.counties, d.stems[kp] = append(d.counties, kp), stem
			regions = append(regions, &jianfu.Region{Code: kp, Path: kp, Name: stem + "区", Level: jianfu.LevelCounty, ParentPath: cp})
			for t := 1; t <= 10; t++ {
				tp := fmt.Sprintf("%s%03d", kp, t)
				d.townships = append(d.townships, tp)
				regions = append(regions, &jianfu.Region{Code: tp, Path: tp, Name: string(benchPool[(c*7+k*3+t)%len(benchPool)]) + string(benchPool[(t*5+k)%len(benchPool)]) + "镇", Level: jianfu.LevelTownship, ParentPath: kp})
			}
		}
	}
	if _, err := db.Regions().ImportRegions(ctx, regions); err != nil {
		b.Fatal(err)
	}
	var units []*jianfu.UnitImport
	addUnit := func(region, name string) {
		units = append(units, &jianfu.UnitImport{Row: len(units) + 1, Unit: jianfu.Unit{Name: name, Type: jianfu.UnitGovernment, RegionCode: region}})
	}
	for _, kp := range d.counties {
		for i := 0; i < 60; i++ {
			addUnit(kp, fmt.Sprintf("%s区第%d单位", d.stems[kp], i))
		}
	}
	for _, tp := range d.townships {
		for i := 0; i < 5; i++ {
			addUnit(tp, fmt.Sprintf("%s镇第%d单位", tp, i))
		}
	}
	if _, err := db.Units().ImportUnits(ctx, units); err != nil {
		b.Fatal(err)
	}
	rows, err := db.query(ctx, `SELECT id, path, region_path FROM units ORDER BY id`)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var u benchUnit
		rows.Scan(&u.id, &u.path, &u.regionPath)
		d.units = append(d.units, u)
	}
	rows.Close()

	statuses := []struct {
		s jianfu.ChannelStatus
		w int
	}{{jianfu.StatusDraft, 4}, {jianfu.StatusSubmitted, 2}, {jianfu.StatusReturned, 1}, {jianfu.StatusApproved, 3}, {jianfu.StatusActive, 72},
		{jianfu.StatusRectifying, 3}, {jianfu.StatusExitRequested, 2}, {jianfu.StatusClosed, 13}}
	pickStatus := func() jianfu.ChannelStatus {
		n := r.IntN(100)
		for _, s := range statuses {
			if n < s.w {
				return s.s
			}
			n -= s.w
		}
		return jianfu.StatusActive
	}
	now := time.Now()
	seq := map[string]int{}
	cols := []string{"id", "kind", "name", "unit_id", "region_path", "unit_path", "status", "filing_number", "platform", "platform_id", "handle",
		"temporary", "end_date", "version", "created_at", "updated_at", "region_l2", "region_l4", "region_l6", "region_l9", "name_key", "handle_key",
		"filed_at", "revalidate_due_at"}
	const batch = 1000
	start := time.Now()
	for lo := 0; lo < benchChannels; lo += batch * 20 {
		err := db.inTx(ctx, func(tx *Tx) error {
			for blo := lo; blo < min(lo+batch*20, benchChannels); blo += batch {
				var sb, gb strings.Builder
				args := make([]any, 0, batch*len(cols))
				var gargs []any
				sb.WriteString(`INSERT INTO channels(` + strings.Join(cols, ", ") + `) VALUES `)
				gb.WriteString(`INSERT INTO channel_grams(gram, channel_id) VALUES `)
				for i := blo; i < min(blo+batch, benchChannels); i++ {
					u := d.units[r.IntN(len(d.units))]
					kind := jianfu.KindGroup
					switch n := r.IntN(100); {
					case n < 5:
						kind = jianfu.KindApp
					case n < 45:
						kind = jianfu.KindAccount
					}
					platform := jianfu.Platforms[kind][r.IntN(len(jianfu.Platforms[kind]))]
					place := string([]rune{benchPool[r.IntN(len(benchPool))], benchPool[r.IntN(len(benchPool))]})
					name := d.stems[u.regionPath[:6]] + place + benchWords[r.IntN(len(benchWords))] + benchSuffix[r.IntN(len(benchSuffix))]
					status := pickStatus()
					id := int64(i + 1)
					var filing, filed, due any
					if status.Filed() {
						at := now.AddDate(0, 0, -r.IntN(7*365))
						code := jianfu.FilingRegionCode(u.regionPath)
						key := fmt.Sprint(code, kind, at.Year())
						seq[key]++
						f := jianfu.FormatFilingNumber(code, kind, at.Year(), seq[key])
						filing, filed = f, ms(at)
						if len(d.filings) < 5000 && r.IntN(50) == 0 {
							d.filings = append(d.filings, f)
						}
						if status == jianfu.StatusActive || status == jianfu.StatusRectifying {
							due = ms(now.AddDate(0, 0, -60+r.IntN(240)))
						}
					}
					pid := fmt.Sprintf("%s_%d", platform, id)
					if platform == "weibo" {
						pid = strconv.FormatInt(2_800_000_000+id, 10)
						if len(d.weiboIDs) < 5000 && status.Live() && r.IntN(20) == 0 {
							d.weiboIDs = append(d.weiboIDs, pid)
						}
					}
					temporary, end := false, ""
					if kind == jianfu.KindGroup && r.IntN(10) == 0 {
						temporary, end = true, now.AddDate(0, 0, -365+r.IntN(730)).Format("2006-01-02")
					}
					if len(d.names) < 5000 && status.Live() && r.IntN(100) == 0 {
						d.names = append(d.names, name)
					}
					if len(d.fragments) < 2000 && r.IntN(300) == 0 {
						rn := []rune(name)
						k := r.IntN(len(rn) - 1)
						d.fragments = append(d.fragments, string(rn[k:min(len(rn), k+2+r.IntN(3))]))
					}
					key := textsim.Fold(name)
					l2, l4, l6, l9 := regionLevels(u.regionPath)
					created := ms(now.Add(-time.Duration(r.IntN(3*365*24)) * time.Hour))
					if i > blo {
						sb.WriteByte(',')
					}
					sb.WriteString("(" + strings.Repeat("?, ", len(cols)-1) + "?)")
					args = append(args, id, string(kind), name, u.id, u.regionPath, u.path, string(status), filing, platform, pid, "h"+strconv.FormatInt(id, 36),
						temporary, end, 1, created, created, l2, l4, l6, l9, key, "h"+strconv.FormatInt(id, 36), filed, due)
					for _, g := range textsim.Bigrams(key) {
						if len(gargs) > 0 {
							gb.WriteByte(',')
						}
						gb.WriteString("(?, ?)")
						gargs = append(gargs, g, id)
					}
				}
				if _, err := tx.tx.ExecContext(ctx, rebindFor(db.engine, sb.String()), args...); err != nil {
					return fmt.Errorf("insert channels: %w", err)
				}
				if _, err := tx.tx.ExecContext(ctx, rebindFor(db.engine, gb.String()), gargs...); err != nil {
					return fmt.Errorf("insert grams: %w", err)
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if _, err := db.exec(ctx, `INSERT INTO channel_counts(region_key, kind, platform, status, n)
		SELECT substr(region_path, 1, 6), kind, platform, status, COUNT(*) FROM channels GROUP BY substr(region_path, 1, 6), kind, platform, status`); err != nil {
		b.Fatal(err)
	}
	analyze := `ANALYZE`
	if db.engine == Postgres {
		analyze = `VACUUM ANALYZE`
	}
	if _, err := db.sql.ExecContext(ctx, analyze); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: loaded %d channels in %v", db.engine, benchChannels, time.Since(start).Round(time.Second))
	return d
}

// openBench opens a fresh store for the benchmark on an engine; PostgreSQL
// needs JIANFU_TEST_POSTGRES, or the engine is skipped.
func openBench(b *testing.B, e Engine) *DB {
	var dsn string
	switch e {
	case SQLite:
		dsn = filepath.Join(b.TempDir(), "bench.db")
	case Postgres:
		base := os.Getenv("JIANFU_TEST_POSTGRES")
		if base == "" {
			b.Skip("PostgreSQL benchmark skipped: set JIANFU_TEST_POSTGRES")
		}
		schema := fmt.Sprintf("jfbench_%d", time.Now().UnixNano())
		admin, err := Open(context.Background(), base)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := admin.sql.Exec("CREATE SCHEMA " + schema); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { admin.sql.Exec("DROP SCHEMA " + schema + " CASCADE"); admin.Close() })
		sep := "?"
		if strings.Contains(base, "?") {
			sep = "&"
		}
		dsn = base + sep + "search_path=" + schema
	}
	db, err := Open(context.Background(), dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	return db
}

// listCase is one registry list request: an actor and a filter.
type listCase struct {
	ctx context.Context
	f   jianfu.ChannelFilter
}

// listCases builds every combination of the list's nine filters (kind,
// platform, status, region, unit, overdue, expired, search text, sort),
// each with random values, for three kinds of caller: the province's
// supervisor, a county's supervisor and a unit's administrator.
func (d *benchData) listCases() []listCase {
	r := rand.New(rand.NewPCG(7, 7))
	province := jianfu.WithActor(context.Background(), &jianfu.Actor{UserID: 1, Username: "prov", Roles: []jianfu.Role{jianfu.RoleSupervisor}, UnitID: d.units[0].id, UnitPath: d.units[0].path, RegionPath: "39"})
	var out []listCase
	for mask := 0; mask < 1<<9; mask++ {
		var f jianfu.ChannelFilter
		u := d.units[r.IntN(len(d.units))]
		if mask&1 != 0 {
			f.Kind = jianfu.ChannelKinds[r.IntN(3)]
		}
		if mask&2 != 0 {
			k := f.Kind
			if k == "" {
				k = jianfu.ChannelKinds[r.IntN(3)]
			}
			f.Platform = jianfu.Platforms[k][r.IntN(len(jianfu.Platforms[k]))]
		}
		if mask&4 != 0 {
			f.Status = jianfu.ChannelStatuses[r.IntN(len(jianfu.ChannelStatuses))]
		}
		if mask&8 != 0 {
			switch r.IntN(4) {
			case 0:
				f.RegionPath = "39"
			case 1:
				f.RegionPath = d.counties[r.IntN(len(d.counties))][:4]
			case 2:
				f.RegionPath = d.counties[r.IntN(len(d.counties))]
			default:
				f.RegionPath = d.townships[r.IntN(len(d.townships))]
			}
		}
		if mask&16 != 0 {
			f.UnitID = u.id
		}
		f.Overdue = mask&32 != 0
		f.Expired = mask&64 != 0
		if mask&128 != 0 {
			switch r.IntN(4) {
			case 0:
				f.Query = d.filings[r.IntN(len(d.filings))]
			case 1:
				f.Query = "weibo_" + strconv.Itoa(r.IntN(benchChannels))
			default:
				f.Query = d.fragments[r.IntN(len(d.fragments))]
			}
		}
		if mask&256 != 0 {
			f.Sort = []string{"name", "-updated", "-name", "updated"}[r.IntN(4)]
		}
		ctx := province
		switch mask % 3 {
		case 1:
			kp := d.counties[r.IntN(len(d.counties))]
			var office benchUnit
			for _, x := range d.units {
				if x.regionPath == kp {
					office = x
					break
				}
			}
			ctx = jianfu.WithActor(context.Background(), &jianfu.Actor{UserID: 2, Username: "county", Roles: []jianfu.Role{jianfu.RoleSupervisor, jianfu.RoleReviewer}, UnitID: office.id, UnitPath: office.path, RegionPath: kp})
		case 2:
			ctx = jianfu.WithActor(context.Background(), &jianfu.Actor{UserID: 3, Username: "unit", Roles: []jianfu.Role{jianfu.RoleUnitAdmin}, UnitID: u.id, UnitPath: u.path, RegionPath: u.regionPath})
		}
		out = append(out, listCase{ctx, f})
	}
	return out
}

// percentiles reports p50, p99 and the maximum of latencies.
func percentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	at := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50_ms")
	b.ReportMetric(at(0.99), "p99_ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max_ms")
	b.ReportMetric(float64(len(lat))/sumDur(lat).Seconds(), "queries/s")
}

func sumDur(l []time.Duration) time.Duration {
	var s time.Duration
	for _, d := range l {
		s += d
	}
	return s
}

// naiveList is the list as a plain query would run it: prefix and LIKE
// conditions, the database's own plan, an exact COUNT(*).
func (d *benchData) naiveList(ctx context.Context, f jianfu.ChannelFilter) error {
	a := jianfu.ActorFrom(ctx)
	var w where
	if a.RegionWide() {
		w.prefix("c.region_path", a.RegionPath)
	} else {
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
	w.prefix("c.region_path", f.RegionPath)
	if f.UnitID != 0 {
		w.add("c.unit_id = ?", f.UnitID)
	}
	if f.Overdue {
		w.add("c.revalidate_due_at < ?", ms(time.Now()))
	}
	if f.Expired {
		w.add("c.kind = 'group' AND c.end_date > '' AND c.end_date < ?", time.Now().Format("2006-01-02"))
	}
	w.like(f.Query, "c.name", "c.handle", "c.platform_id", "c.filing_number")
	var n int
	if err := d.db.queryRow(ctx, `SELECT COUNT(*) FROM channels c`+w.String(), w.args...).Scan(&n); err != nil {
		return err
	}
	rows, err := d.db.query(ctx, `SELECT `+channelCols+channelFrom+w.String()+` ORDER BY c.id DESC LIMIT 50`, w.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if _, err := scanChannelRow(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// BenchmarkRegistry1M measures the registry list and the verify lookup
// with 1,000,000 channels, on SQLite and on PostgreSQL, against the plain
// query (BaselineNaiveList) on the same data.
func BenchmarkRegistry1M(b *testing.B) {
	if testing.Short() {
		b.Skip("1,000,000 channels skipped in -short mode")
	}
	for _, e := range []Engine{SQLite, Postgres} {
		db := openBench(b, e)
		d := loadBench(b, db)
		cases := d.listCases()
		// Measure the steady state: one untimed pass over every combination
		// warms the caches, as a running server's would be.
		for _, c := range cases {
			if _, _, err := db.Channels().FindChannels(c.ctx, c.f); err != nil {
				b.Fatalf("%+v: %v", c.f, err)
			}
		}
		b.Run(string(e)+"/List", func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			for i := 0; i < b.N; i++ {
				c := cases[i%len(cases)]
				t := time.Now()
				if _, _, err := db.Channels().FindChannels(c.ctx, c.f); err != nil {
					b.Fatalf("%+v: %v", c.f, err)
				}
				lat = append(lat, time.Since(t))
			}
			percentiles(b, lat)
		})
		b.Run(string(e)+"/ListEveryCombination", func(b *testing.B) {
			// Every one of the 512 combinations, twice per op: the worst
			// combination cannot hide between samples.
			var lat []time.Duration
			for i := 0; i < b.N; i++ {
				for _, c := range cases {
					t := time.Now()
					if _, _, err := db.Channels().FindChannels(c.ctx, c.f); err != nil {
						b.Fatalf("%+v: %v", c.f, err)
					}
					lat = append(lat, time.Since(t))
				}
			}
			percentiles(b, lat)
		})
		b.Run(string(e)+"/BaselineNaiveList", func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			for i := 0; i < b.N; i++ {
				c := cases[(i*37)%len(cases)]
				t := time.Now()
				if err := d.naiveList(c.ctx, c.f); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t))
			}
			percentiles(b, lat)
		})
		b.Run(string(e)+"/Verify", func(b *testing.B) {
			r := rand.New(rand.NewPCG(3, 3))
			lat := make([]time.Duration, 0, b.N)
			for i := 0; i < b.N; i++ {
				var q string
				switch i % 5 {
				case 0:
					q = d.filings[r.IntN(len(d.filings))]
				case 1:
					q = "https://weibo.com/u/" + d.weiboIDs[r.IntN(len(d.weiboIDs))]
				case 2:
					q = d.names[r.IntN(len(d.names))]
				case 3:
					q = d.names[r.IntN(len(d.names))] + "官方" // an impostor's name: no match, similar names searched
				default:
					q = "390102B209912345"
				}
				t := time.Now()
				if _, err := db.Registry().VerifyChannel(context.Background(), q); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t))
			}
			percentiles(b, lat)
		})
	}
}
