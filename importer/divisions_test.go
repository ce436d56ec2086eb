package importer

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
	"jianfu/tabular"
)

// divisionFiles are the files of the national division codes, with the data
// rows each holds.
var divisionFiles = []struct {
	name string
	rows int
}{{"provinces.csv", 31}, {"cities.csv", 342}, {"areas.csv", 2978}, {"streets.csv", 41352}}

// divisionsDir decompresses the national division codes kept in
// testdata/divisions (the four files gzipped; see testdata/divisions/README.md for
// their source and licence) into a temporary directory and returns it. A
// missing or damaged file fails the test: the data is part of the repository.
func divisionsDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range divisionFiles {
		if err := gunzipFile(filepath.Join("testdata", "divisions", f.name+".gz"), filepath.Join(dir, f.name)); err != nil {
			t.Fatalf("division codes: %v", err)
		}
	}
	return dir
}

// gunzipFile writes the decompressed content of the gzip file src to dst.
func gunzipFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	zr, err := gzip.NewReader(in)
	if err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, zr); err != nil {
		out.Close()
		return fmt.Errorf("%s: %w", src, err)
	}
	if err := zr.Close(); err != nil {
		out.Close()
		return fmt.Errorf("%s: %w", src, err)
	}
	return out.Close()
}

// divisionPaths lists the four files out of order: parents after children.
func divisionPaths(dir string) []string {
	return []string{filepath.Join(dir, "streets.csv"), filepath.Join(dir, "cities.csv"), filepath.Join(dir, "areas.csv"), filepath.Join(dir, "provinces.csv")}
}

// TestImportDivisions imports the national division codes — 31 provinces,
// 342 cities, 2,978 county-level rows and 41,352 townships — into a fresh
// store on every engine and checks the counts and the tree.
//
// Three rows of areas.csv (441900 东莞市, 442000 中山市, 460400 儋州市) are
// not counties: they repeat prefecture-level cities that have no county
// level, under the same GB/T 2260 code, so they import as those cities and
// their townships hang directly under them. The store thus holds 2,975
// counties and 44,700 regions besides the nation.
func TestImportDivisions(t *testing.T) {
	dir := divisionsDir(t)
	for _, f := range divisionFiles {
		r, err := tabular.Open(filepath.Join(dir, f.name), RegionColumns)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for r.Next() {
			n++
		}
		r.Close()
		if n != f.rows {
			t.Errorf("%s has %d data rows, want %d", f.name, n, f.rows)
		}
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := storetest.System()
		start := time.Now()
		res, err := ImportRegions(ctx, db.Regions(), divisionPaths(dir), nil)
		if err != nil {
			if e, ok := err.(*jianfu.Error); ok && len(e.Problems) > 0 {
				t.Fatalf("%v; first problems: %+v", err, e.Problems[:min(5, len(e.Problems))])
			}
			t.Fatal(err)
		}
		took := time.Since(start)
		t.Logf("%s: imported %d regions from %d rows in %s (store reports %s)", db.Engine(), res.Records, res.Rows, took.Round(time.Millisecond), res.Elapsed.Round(time.Millisecond))
		if res.Rows != 44703 || res.Records != 44700 || res.Changed != 44700 {
			t.Errorf("result %+v, want 44,703 rows, 44,700 regions, all new", res)
		}

		counts := map[jianfu.Level]int{}
		type node struct {
			code, name, parent string
			level              jianfu.Level
		}
		tree := map[string]node{}
		rows, err := db.SQL().QueryContext(context.Background(), `SELECT path, code, name, level, COALESCE(parent_path, '') FROM regions`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var path string
			var n node
			if err := rows.Scan(&path, &n.code, &n.name, &n.level, &n.parent); err != nil {
				t.Fatal(err)
			}
			tree[path] = n
			counts[n.level]++
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		want := map[jianfu.Level]int{jianfu.LevelNational: 1, jianfu.LevelProvince: 31, jianfu.LevelCity: 342, jianfu.LevelCounty: 2975, jianfu.LevelTownship: 41352}
		for _, l := range jianfu.Levels {
			if counts[l] != want[l] {
				t.Errorf("%s: %d regions, want %d", l, counts[l], want[l])
			}
		}
		if len(tree) != 44701 {
			t.Errorf("%d regions in the store, want 44,701 with the nation", len(tree))
		}

		// The tree: every parent exists, one level or more up, and every
		// child's code starts with its parent's (short) code.
		bad := 0
		for path, n := range tree {
			if path == "" {
				continue
			}
			p, ok := tree[n.parent]
			switch {
			case !ok:
				t.Errorf("%s %s: parent %q missing", n.code, n.name, n.parent)
			case !strings.HasPrefix(path, n.parent) || !strings.HasPrefix(n.code, n.parent):
				t.Errorf("%s %s: code does not start with its parent's %q", n.code, n.name, n.parent)
			case p.level.Rank() >= n.level.Rank():
				t.Errorf("%s %s (%s) under %s %s (%s)", n.code, n.name, n.level, p.code, p.name, p.level)
			case n.parent != ParentOf(path):
				t.Errorf("%s %s: parent %q, want %q", n.code, n.name, n.parent, ParentOf(path))
			default:
				continue
			}
			if bad++; bad > 20 {
				t.Fatal("too many errors")
			}
		}
		for path, want := range map[string]string{"11": "北京市", "4419": "东莞市", "441900003": "东城街道", "110101001": "东华门街道", "429004": "仙桃市", "350527000": "金门县"} {
			if n := tree[path]; n.name != want {
				t.Errorf("%s is %q, want %q", path, n.name, want)
			}
		}
		if n := tree["441900003"]; n.parent != "4419" {
			t.Errorf("441900003 under %q, want 4419 (东莞 has no county level)", n.parent)
		}

		// Importing the same files again changes nothing.
		start = time.Now()
		res, err = ImportRegions(ctx, db.Regions(), divisionPaths(dir), nil)
		if err != nil || res.Changed != 0 {
			t.Errorf("again: %+v %v", res, err)
		}
		t.Logf("%s: re-import (no changes) in %s", db.Engine(), time.Since(start).Round(time.Millisecond))
	})
}

// BenchmarkImportDivisions measures the whole import of the national
// division codes into a fresh SQLite store.
func BenchmarkImportDivisions(b *testing.B) {
	paths := divisionPaths(divisionsDir(b))
	n := countDivisions(b, paths)
	ctx := storetest.System()
	for b.Loop() {
		b.StopTimer()
		db := storetest.Open(b, store.SQLite)
		b.StartTimer()
		if _, err := ImportRegions(ctx, db.Regions(), paths, nil); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "regions/s")
}

// BenchmarkBaselineReadDivisions measures reading and checking the files
// alone: the floor under the import, which also stores the tree.
func BenchmarkBaselineReadDivisions(b *testing.B) {
	paths := divisionPaths(divisionsDir(b))
	for b.Loop() {
		countDivisions(b, paths)
	}
	b.ReportMetric(float64(countDivisions(b, paths)*b.N)/b.Elapsed().Seconds(), "regions/s")
}

// countDivisions reads and checks the division files, returning the regions.
func countDivisions(b *testing.B, paths []string) int {
	n := 0
	for _, p := range paths {
		r, err := tabular.Open(p, RegionColumns)
		if err != nil {
			b.Fatal(err)
		}
		regions, probs := Regions(r)
		if len(probs) > 0 {
			b.Fatal(probs[0])
		}
		n += len(regions)
		r.Close()
	}
	return n
}
