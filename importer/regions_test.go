package importer

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
	"jianfu/tabular"
)

func reader(t testing.TB, data string, cols []tabular.Column) *tabular.Reader {
	t.Helper()
	r, err := tabular.NewReader(strings.NewReader(data), "test.csv", cols)
	if err != nil {
		t.Fatalf("header: %v", err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// badRow is a file with one bad row and the problem it must produce.
type badRow struct {
	name  string
	data  string
	row   int
	field string
	want  string // in the Chinese message
	en    string // in the English message
}

func checkBadRow(t *testing.T, tt badRow, probs []jianfu.Problem) {
	t.Helper()
	for _, p := range probs {
		if p.Row == tt.row && p.Field == tt.field && strings.Contains(p.Message, tt.want) && strings.Contains(p.English, tt.en) {
			return
		}
	}
	t.Errorf("no problem at row %d, column %q with %q / %q; got %+v", tt.row, tt.field, tt.want, tt.en, probs)
}

func TestRegionsBadRows(t *testing.T) {
	tests := []badRow{
		{"letters in code", "code,name\n11,北京市\n11a1,某市\n", 3, "code", "非数字", "must be 2, 4, 6, 9 or 12 digits"},
		{"seven digits", "code,name\n1101011,某区\n", 2, "code", "长度为7位", "has 7 digits"},
		{"province 00", "code,name\n00,无\n", 2, "code", "不能为00", "cannot be 00"},
		{"city code ending in 00", "code,name\n1100,北京\n", 2, "code", "地市级代码的第3、4位不能为00", "cannot end in 00"},
		{"empty code", "区划代码,区划名称\n,北京市\n", 2, "区划代码", "区划代码不能为空", "required"},
		{"empty name", "code,name\n11,\n", 2, "name", "name不能为空", "required"},
		{"name too long", "code,name\n11," + strings.Repeat("京", 101) + "\n", 2, "name", "过长", "too long"},
		{"duplicate code", "code,name\n11,北京市\n12,天津市\n11,北京\n", 4, "code", "与第2行重复", "repeats row 2"},
		{"duplicate code, same name", "code,name\n11,北京市\n11,北京市\n", 3, "code", "与第2行重复", "repeats row 2"},
		{"duplicate in another form, other name", "code,name\n4419,东莞市\n441900,东莞\n", 3, "code", "与第2行重复", "repeats row 2"},
		{"level does not match", "code,name,level\n1101,市辖区,省级\n", 2, "level", "该代码是地级区划", "city-level"},
		{"unknown level", "code,name,level\n11,北京市,直辖市\n", 2, "level", "无法识别", "unknown level"},
		{"parent does not match", "code,name,parent\n110101,东城区,1201\n", 2, "parent", "其上级应为110100", "whose parent is 110100"},
		{"parent not a code", "code,name,parent\n110101,东城区,北京\n", 2, "parent", "非数字", "digits"},
		{"province column does not match", "code,name,provinceCode\n1101,市辖区,12\n", 2, "provinceCode", "不在其下", "does not lie within"},
		{"city column holds a province", "code,name,cityCode\n110101,东城区,11\n", 2, "cityCode", "不是地级区划代码", "not a city-level code"},
		{"area column does not match", "code,name,areaCode\n110101001,东华门街道,110102\n", 2, "areaCode", "不在其下", "does not lie within"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, probs := Regions(reader(t, tt.data, RegionColumns))
			checkBadRow(t, tt, probs)
		})
	}
}

// TestRegionsLoseHiddenCharacters: control, bidi and zero-width characters
// are taken out of every cell (jianfu.CleanText), not stored.
func TestRegionsLoseHiddenCharacters(t *testing.T) {
	rows, probs := Regions(reader(t, "code,name\n11,北\x01\u202e京\u200b\n", RegionColumns))
	if len(probs) != 0 || len(rows) != 1 || rows[0].Name != "北京" {
		t.Errorf("rows %+v, problems %+v", rows, probs)
	}
}

func TestRegionsDeriveLevelAndParent(t *testing.T) {
	data := "代码,名称,级别,上级代码\n" +
		"000000,全国,全国,\n" +
		"44,广东省,省级,000000\n" +
		"4419,东莞市,地级,44\n" +
		"441900,东莞市,县级,4419\n" + // the dataset lists cities without counties again as counties
		"441900003,东城街道,乡级,441900\n" +
		"4401,广州市,city,440000\n" +
		"440103,荔湾区,county,4401\n" +
		"440103001,沙面街道,township,440103\n" +
		"440103001001,沙面社区,village,440103001\n" +
		"440103002000,岭南街道,4,440103\n"
	regions, probs := Regions(reader(t, data, RegionColumns))
	if len(probs) > 0 {
		t.Fatalf("problems: %+v", probs)
	}
	want := []jianfu.Region{
		{Code: "000000", Path: "", Name: "全国", Level: jianfu.LevelNational},
		{Code: "440000", Path: "44", Name: "广东省", Level: jianfu.LevelProvince},
		{Code: "441900", Path: "4419", Name: "东莞市", Level: jianfu.LevelCity, ParentPath: "44"},
		{Code: "441900003", Path: "441900003", Name: "东城街道", Level: jianfu.LevelTownship, ParentPath: "4419"},
		{Code: "440100", Path: "4401", Name: "广州市", Level: jianfu.LevelCity, ParentPath: "44"},
		{Code: "440103", Path: "440103", Name: "荔湾区", Level: jianfu.LevelCounty, ParentPath: "4401"},
		{Code: "440103001", Path: "440103001", Name: "沙面街道", Level: jianfu.LevelTownship, ParentPath: "440103"},
		{Code: "440103001001", Path: "440103001001", Name: "沙面社区", Level: jianfu.LevelVillage, ParentPath: "440103001"},
		{Code: "440103002", Path: "440103002", Name: "岭南街道", Level: jianfu.LevelTownship, ParentPath: "440103"},
	}
	if len(regions) != len(want) {
		t.Fatalf("got %d regions, want %d: %+v", len(regions), len(want), regions)
	}
	for i, r := range regions {
		if *r != want[i] {
			t.Errorf("region %d: got %+v, want %+v", i, *r, want[i])
		}
	}
}

func TestParentOf(t *testing.T) {
	for path, want := range map[string]string{
		"": "", "11": "", "1101": "11", "110101": "1101", "110101001": "110101", "110101001001": "110101001",
		"441900003": "4419", "460400100": "4604", "429004001": "429004", "429004": "4290",
	} {
		if got := ParentOf(path); got != want {
			t.Errorf("ParentOf(%q) = %q, want %q", path, got, want)
		}
	}
}

// writeFiles writes test files into a temporary directory.
func writeFiles(t testing.TB, files map[string]string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	paths := map[string]string{}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		paths[name] = p
	}
	return paths
}

func regionCount(t testing.TB, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM regions`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportRegions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := storetest.System()
		f := writeFiles(t, map[string]string{
			"provinces.csv": "code,name\n11,\"北京市\"\n12,\"天津市\"\n",
			"cities.csv":    "code,name,provinceCode\n1101,\"市辖区\",11\n1201,\"市辖区\",12\n",
			"orphans.csv":   "code,name\n110101,东城区\n350102,鼓楼区\n350103,台江区\n",
			"renamed.csv":   "code,name\n11,北京\n",
			"conflict.csv":  "code,name\n11,北京\n",
		})

		// A parent neither in the files nor in the store: nothing is imported.
		_, err := ImportRegions(ctx, db.Regions(), []string{f["orphans.csv"]}, nil)
		e, ok := err.(*jianfu.Error)
		if !ok || e.Code != jianfu.EINVALID || len(e.Problems) != 3 {
			t.Fatalf("orphans: got %v", err)
		}
		if p := e.Problems[0]; p.Row != 2 || p.Field != "code" || !strings.Contains(p.Message, "上级区划110100不存在") {
			t.Errorf("orphan problem: %+v", p)
		}
		if !strings.Contains(e.Message, "共3处问题,未导入任何数据") {
			t.Errorf("message: %s", e.Message)
		}
		if n := regionCount(t, db); n != 1 {
			t.Fatalf("%d regions after a refused import, want the nation only", n)
		}

		// Children before parents, in two files.
		var stages []string
		res, err := ImportRegions(ctx, db.Regions(), []string{f["cities.csv"], f["provinces.csv"]}, func(stage string, done, total int64) {
			if len(stages) == 0 || stages[len(stages)-1] != stage {
				stages = append(stages, stage)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.Files != 2 || res.Rows != 4 || res.Records != 4 || res.Changed != 4 {
			t.Errorf("result %+v", res)
		}
		if strings.Join(stages, "|") != "读取 cities.csv|读取 provinces.csv|写入数据库" {
			t.Errorf("stages %q", stages)
		}
		r, err := db.Regions().FindRegion(ctx, "110100")
		if err != nil || r.Name != "市辖区" || r.ParentPath != "11" || r.Level != jianfu.LevelCity {
			t.Errorf("1101: %+v %v", r, err)
		}

		// Now the parent of 110101 exists; 3501 still does not.
		_, err = ImportRegions(ctx, db.Regions(), []string{f["orphans.csv"]}, nil)
		if e, ok := err.(*jianfu.Error); !ok || len(e.Problems) != 2 || e.Problems[0].Row != 3 {
			t.Errorf("orphans again: %v", err)
		}

		// Re-importing renames; the same names change nothing.
		res, err = ImportRegions(ctx, db.Regions(), []string{f["renamed.csv"]}, nil)
		if err != nil || res.Changed != 1 {
			t.Fatalf("rename: %+v %v", res, err)
		}
		res, err = ImportRegions(ctx, db.Regions(), []string{f["renamed.csv"]}, nil)
		if err != nil || res.Changed != 0 {
			t.Fatalf("same again: %+v %v", res, err)
		}

		// One code, two names, in two files: the problem names the file.
		_, err = ImportRegions(ctx, db.Regions(), []string{f["provinces.csv"], f["conflict.csv"]}, nil)
		e, ok = err.(*jianfu.Error)
		if !ok || len(e.Problems) != 1 {
			t.Fatalf("conflict: %v", err)
		}
		if p := e.Problems[0]; p.Row != 2 || p.Field != "conflict.csv code" || !strings.Contains(p.Message, "在provinces.csv第2行已出现,名称不同") {
			t.Errorf("conflict problem: %+v", p)
		}

		if _, err := ImportRegions(ctx, db.Regions(), nil, nil); jianfu.ErrorCode(err) != jianfu.EINVALID {
			t.Errorf("no files: %v", err)
		}
		if _, err := ImportRegions(ctx, db.Regions(), []string{filepath.Join(t.TempDir(), "absent.csv")}, nil); err == nil || !strings.Contains(err.Error(), "不存在") {
			t.Errorf("absent file: %v", err)
		}
	})
}

func TestImportRegionsXLSX(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	path := filepath.Join(t.TempDir(), "区划.xlsx")
	w, err := tabular.Create(path, tabular.Headers(RegionColumns[:4]))
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range [][]string{{"43", "湖南省", "省级", ""}, {"4301", "长沙市", "地级", "43"}, {"430102", "芙蓉区", "县级", "4301"}, {"430102001", "文艺路街道", "乡级", "430102"}} {
		w.Write(row)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	res, err := ImportRegions(storetest.System(), db.Regions(), []string{path}, nil)
	if err != nil || res.Records != 4 {
		t.Fatalf("%+v %v", res, err)
	}
}
