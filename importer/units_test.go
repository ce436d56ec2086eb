package importer

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
	"jianfu/tabular"
)

const unitHeader = "单位名称,单位类型,区划代码,上级单位,统一社会信用代码\n"

// credit returns a valid credit code for a government organ in a county.
func credit(org string) string { return jianfu.MakeCreditCode("11", "390102", org) }

// badCheck returns a credit code whose check character is wrong.
func badCheck(org string) string {
	c := credit(org)
	last := byte('0')
	if c[17] == '0' {
		last = '1'
	}
	return c[:17] + string(last)
}

func TestUnitsBadRows(t *testing.T) {
	good := credit("10000001")
	tests := []badRow{
		{"bad check character", unitHeader + "江南区民政局,政府机关,390102,," + badCheck("10000002") + "\n", 2, "统一社会信用代码", "校验位错误", "check character"},
		{"credit code too short", unitHeader + "江南区民政局,政府机关,390102,,91390102MA\n", 2, "统一社会信用代码", "应为18位", "18 characters"},
		{"credit code with O", unitHeader + "江南区民政局,政府机关,390102,,11390102O00000010X\n", 2, "统一社会信用代码", "不是有效字符", "not allowed"},
		{"unknown type", unitHeader + "江南区民政局,街道办,390102,,\n", 2, "单位类型", "单位类型“街道办”无法识别", "unknown unit type"},
		{"empty type", unitHeader + "江南区民政局,,390102,,\n", 2, "单位类型", "不能为空", "required"},
		{"empty name", unitHeader + ",政府机关,390102,,\n", 2, "单位名称", "单位名称不能为空", "required"},
		{"bad region code", unitHeader + "江南区民政局,政府机关,39010,,\n", 2, "区划代码", "长度为5位", "5 digits"},
		{"empty region", unitHeader + "江南区民政局,政府机关,,,\n", 2, "区划代码", "不能为空", "required"},
		{"own parent", unitHeader + "江南区民政局,政府机关,390102,江南区民政局,\n", 2, "上级单位", "不能是本单位自己", "own parent"},
		{"duplicate credit code", unitHeader + "江南区民政局,政府机关,390102,," + good + "\n江南区财政局,政府机关,390102,," + good + "\n", 3, "统一社会信用代码", "与第2行重复", "repeats row 2"},
		{"duplicate name in a region", unitHeader + "江南区民政局,政府机关,390102,,\n\n江南区民政局,government,390102,,\n", 4, "单位名称", "与第2行重复", "repeats row 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, probs := Units(reader(t, tt.data, UnitColumns))
			checkBadRow(t, tt, probs)
		})
	}
}

func TestUnitsParse(t *testing.T) {
	code := credit("10000003")
	data := "name,type,region,parent,credit_code\n" +
		"江南区民政局,government,390102000000,中共江州市江南区委网络安全和信息化委员会办公室," + strings.ToLower(code) + "\n" +
		"望江街道社区居委会,居委会,390102001,江南区民政局,\n" +
		"江南区图书馆,事业单位,390102,　" + fullWidth(code) + "　,\n"
	units, probs := Units(reader(t, data, UnitColumns))
	if len(probs) > 0 {
		t.Fatalf("problems: %+v", probs)
	}
	if len(units) != 3 {
		t.Fatalf("%d units", len(units))
	}
	u := units[0]
	if u.Row != 2 || u.Unit.Type != jianfu.UnitGovernment || u.Unit.RegionCode != "390102" || u.Unit.CreditCode != code || u.ParentRef != "中共江州市江南区委网络安全和信息化委员会办公室" {
		t.Errorf("row 2: %+v", u)
	}
	if units[1].Unit.Type != jianfu.UnitCommunity || units[1].Unit.RegionPath != "390102001" {
		t.Errorf("row 3: %+v", units[1])
	}
	if units[2].ParentRef != code {
		t.Errorf("full-width credit code as parent: %q", units[2].ParentRef)
	}
}

func fullWidth(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteRune(r - 0x21 + 0xFF01)
	}
	return b.String()
}

func unitCount(t testing.TB, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM units`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportUnits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fx := storetest.Load(t, db)
		ctx := storetest.System()
		before := unitCount(t, db)
		south := fx.Units["south"]
		newCode := credit("20000001")
		good := unitHeader +
			// a child before its parent, which is named by credit code
			"江南区望江街道社区服务中心,事业单位,390102001," + newCode + ",\n" +
			"江南区民政局,政府机关,390102," + south.Name + "," + newCode + "\n" +
			"江南区民政局望江街道办事处,政府机关,390102001,江南区民政局,\n"
		bad := unitHeader +
			"江南区新单位,政府机关,390199,,\n" + // no such region
			"江南区另一单位,政府机关,390102,不存在的单位,\n" + // no such parent
			"江北区某单位,政府机关,390103," + south.Name + ",\n" // outside its parent's region
		f := writeFiles(t, map[string]string{"good.csv": good, "bad.csv": bad})

		_, err := ImportUnits(ctx, db.Regions(), db.Units(), f["bad.csv"], nil)
		e, ok := err.(*jianfu.Error)
		if !ok || e.Code != jianfu.EINVALID {
			t.Fatalf("bad: %v", err)
		}
		if p := e.Problems[0]; p.Row != 2 || p.Field != "区划代码" || !strings.Contains(p.Message, "390199不存在") {
			t.Errorf("unknown region: %+v", e.Problems)
		}
		if n := unitCount(t, db); n != before {
			t.Fatalf("%d units after a refused import, want %d", n, before)
		}
		// With the region fixed, the store finds the other two.
		fixed := strings.Replace(bad, "390199", "390102", 1)
		f2 := writeFiles(t, map[string]string{"bad2.csv": fixed})
		_, err = ImportUnits(ctx, db.Regions(), db.Units(), f2["bad2.csv"], nil)
		e, ok = err.(*jianfu.Error)
		if !ok || len(e.Problems) != 2 {
			t.Fatalf("bad2: %v", err)
		}
		if p := e.Problems[0]; p.Row != 3 || p.Field != "上级单位" || !strings.Contains(p.Message, "找不到上级单位“不存在的单位”") {
			t.Errorf("unknown parent: %+v", p)
		}
		if p := e.Problems[1]; p.Row != 4 || !strings.Contains(p.Message, "须在上级单位") {
			t.Errorf("parent elsewhere: %+v", p)
		}
		if n := unitCount(t, db); n != before {
			t.Fatalf("%d units after a refused import, want %d", n, before)
		}

		res, err := ImportUnits(ctx, db.Regions(), db.Units(), f["good.csv"], nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Rows != 3 || res.Records != 3 || res.Changed != 3 {
			t.Errorf("result %+v", res)
		}
		units, _, err := db.Units().FindUnits(ctx, jianfu.UnitFilter{Query: "江南区民政局"})
		if err != nil || len(units) != 2 {
			t.Fatalf("find: %v %v", units, err)
		}
		byName := map[string]*jianfu.Unit{}
		all, _, _ := db.Units().FindUnits(ctx, jianfu.UnitFilter{Page: jianfu.Page{Limit: 1000}})
		for _, u := range all {
			byName[u.Name] = u
		}
		bureau, office, centre := byName["江南区民政局"], byName["江南区民政局望江街道办事处"], byName["江南区望江街道社区服务中心"]
		if bureau == nil || office == nil || centre == nil {
			t.Fatalf("imported units missing: %v", byName)
		}
		if bureau.ParentID != south.ID || office.ParentID != bureau.ID || centre.ParentID != bureau.ID || bureau.CreditCode != newCode {
			t.Errorf("tree: bureau %+v office %+v centre %+v", bureau, office, centre)
		}

		// The same file again: every credit code or name is taken now.
		if _, err := ImportUnits(ctx, db.Regions(), db.Units(), f["good.csv"], nil); jianfu.ErrorCode(err) != jianfu.EINVALID {
			t.Errorf("again: %v", err)
		}
	})
}

func TestImportUnitsGBKAndXLSX(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	storetest.Load(t, db)
	ctx := storetest.System()
	dir := t.TempDir()

	csvText := "单位名称,单位类型,区划代码,上级单位\r\n江南区文化馆,事业单位,390102,江州市江南区教育局\r\n"
	gbkBytes, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(csvText))
	if err != nil {
		t.Fatal(err)
	}
	gbkPath := filepath.Join(dir, "单位-gbk.csv")
	if err := os.WriteFile(gbkPath, gbkBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	if res, err := ImportUnits(ctx, db.Regions(), db.Units(), gbkPath, nil); err != nil || res.Records != 1 {
		t.Fatalf("GBK: %+v %v", res, err)
	}

	xlsxPath := filepath.Join(dir, "单位.xlsx")
	w, err := tabular.Create(xlsxPath, tabular.Headers(UnitColumns))
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]string{"江南区档案馆", "institution", "390102", "江南区文化馆", credit("30000001")})
	w.Write([]string{"江南区方志馆", "事业单位", "390102", credit("30000001"), ""})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	res, err := ImportUnits(ctx, db.Regions(), db.Units(), xlsxPath, nil)
	if err != nil || res.Records != 2 {
		t.Fatalf("XLSX: %+v %v", res, err)
	}
	units, _, _ := db.Units().FindUnits(ctx, jianfu.UnitFilter{Query: "江南区文化馆"})
	if len(units) != 1 || units[0].Type != jianfu.UnitInstitution {
		t.Errorf("GBK unit read as %+v", units)
	}
}
