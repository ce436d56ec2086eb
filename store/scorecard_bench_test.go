package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// bench1M is the million-channel SQLite database both scorecard benchmarks
// share: built once in bulk, removed by the last benchmark.
var bench1M struct {
	db  *store.DB
	dir string
}

const benchChannels = 1_000_000

func millionChannels(b *testing.B) *store.DB {
	b.Helper()
	if testing.Short() {
		b.Skip("the million-channel benchmark is skipped with -short")
	}
	if bench1M.db != nil {
		return bench1M.db
	}
	b.StopTimer()
	defer b.StartTimer()
	dir, err := os.MkdirTemp("", "jianfu-bench-1m-")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	now := time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC)
	db, err := store.Open(ctx, filepath.Join(dir, "bench.db"), store.WithClock(func() time.Time { return now }), storetest.Rules)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	must := func(_ sql.Result, err error) {
		if err != nil {
			tx.Rollback()
			b.Fatal(err)
		}
	}
	must(tx.Exec(`INSERT INTO regions(path, code, name, level, parent_path) VALUES ('39', '390000', '临江省', 'province', ''), ('3901', '390100', '江州市', 'city', '39')`))
	for i := 1; i <= 10; i++ {
		p := fmt.Sprintf("3901%02d", i)
		must(tx.Exec(`INSERT INTO regions(path, code, name, level, parent_path) VALUES (?, ?, ?, 'county', '3901')`, p, p, fmt.Sprintf("第%d区", i)))
	}
	const units = 1000
	for i := 1; i <= units; i++ {
		must(tx.Exec(`INSERT INTO units(id, name, type, region_path, path, created_at, updated_at) VALUES (?, ?, 'government', ?, ?, 0, 0)`,
			i, fmt.Sprintf("单位%04d", i), fmt.Sprintf("3901%02d", i%10+1), fmt.Sprintf("/%d/", i)))
	}
	kinds := []string{"account", "group", "app"}
	platforms := []string{"wechat_oa", "wechat", "wechat_mini"}
	const batch = 400
	var sb strings.Builder
	args := make([]any, 0, batch*8)
	flush := func(table, cols string, per int) {
		if len(args) == 0 {
			return
		}
		sb.Reset()
		sb.WriteString("INSERT INTO " + table + "(" + cols + ") VALUES ")
		row := "(" + strings.TrimSuffix(strings.Repeat("?,", per), ",") + ")"
		for i := 0; i < len(args)/per; i++ {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString(row)
		}
		must(tx.Exec(sb.String(), args...))
		args = args[:0]
	}
	day := int64(24 * time.Hour / time.Millisecond)
	for i := 1; i <= benchChannels; i++ {
		u := i%units + 1
		k := i % 3
		last := now.UnixMilli() - int64(i%200)*day
		args = append(args, i, kinds[k], fmt.Sprintf("渠道%07d", i), u, fmt.Sprintf("3901%02d", u%10+1), fmt.Sprintf("/%d/", u), "active", platforms[k], last, 0, 0)
		if i%batch == 0 {
			flush("channels", "id, kind, name, unit_id, region_path, unit_path, status, platform, last_activity_at, created_at, updated_at", 11)
		}
	}
	flush("channels", "id, kind, name, unit_id, region_path, unit_path, status, platform, last_activity_at, created_at, updated_at", 11)
	for i := 3; i <= benchChannels; i += 3 {
		args = append(args, i, i, now.UnixMilli(), i%9 != 0, now.UnixMilli()-int64(i%30)*day)
		if len(args) == batch*5 {
			flush("monitor_latest", "channel_id, check_id, at, reachable, last_update", 5)
		}
	}
	flush("monitor_latest", "channel_id, check_id, at, reachable, last_update", 5)
	q := jianfu.Quarter(now)
	for i := 10; i <= benchChannels; i += 10 {
		for r := 0; r < 2; r++ {
			args = append(args, i*2+r, i, fmt.Sprintf("/%d/", i%units+1), fmt.Sprintf("3901%02d", (i%units+1)%10+1), q, (i+r)%5+1)
		}
		if len(args) >= batch*6 {
			flush("ratings", "id, channel_id, unit_path, region_path, quarter, score", 6)
		}
	}
	flush("ratings", "id, channel_id, unit_path, region_path, quarter, score", 6)
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	b.Logf("built %d channels in %s", benchChannels, time.Since(start).Round(time.Second))
	bench1M.db, bench1M.dir = db, dir
	return db
}

// BenchmarkBaselineScorecards1M is the floor: writing one row per channel
// straight from the channels table, with no joins and no computation.
func BenchmarkBaselineScorecards1M(b *testing.B) {
	db := millionChannels(b)
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		tx, _ := db.SQL().BeginTx(ctx, nil)
		if _, err := tx.Exec(`DELETE FROM scorecards`); err != nil {
			b.Fatal(err)
		}
		if _, err := tx.Exec(`INSERT INTO scorecards(channel_id, unit_id, unit_path, region_path, kind, rating_count, computed_at)
			SELECT id, unit_id, unit_path, region_path, kind, 0, 0 FROM channels`); err != nil {
			b.Fatal(err)
		}
		tx.Commit()
	}
	b.ReportMetric(float64(benchChannels)*float64(b.N)/b.Elapsed().Seconds(), "channels/s")
}

// BenchmarkScorecards1M recomputes the scorecards of a million channels
// (monitor results for a third, ratings for a tenth) and the unit scores,
// as a province supervisor would; the goal is under 2 minutes on SQLite.
func BenchmarkScorecards1M(b *testing.B) {
	db := millionChannels(b)
	b.Cleanup(func() {
		if bench1M.db != nil {
			bench1M.db.Close()
			os.RemoveAll(bench1M.dir)
			bench1M.db = nil
		}
	})
	ctx := storetest.System()
	b.ResetTimer()
	for range b.N {
		n, err := db.Evaluation().RecomputeScorecards(ctx)
		if err != nil || n != benchChannels {
			b.Fatalf("scored %d: %v", n, err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(benchChannels)*float64(b.N)/b.Elapsed().Seconds(), "channels/s")
	var avg float64
	db.SQL().QueryRow(`SELECT AVG(total) FROM scorecards`).Scan(&avg)
	if avg <= 0 || avg >= 100 {
		b.Errorf("average score %v", avg)
	}
}
