package importer

import (
	"context"
	"fmt"
	"strings"
	"time"

	"jianfu"
	"jianfu/tabular"
)

// RegionColumns are the columns of a region file. Only code and name are
// required; level and the parent codes, when present, must agree with the
// code. They cover the four files of the public division-code dataset
// (provinces.csv: code,name; cities.csv: …,provinceCode; areas.csv:
// …,cityCode,provinceCode; streets.csv: …,areaCode,provinceCode,cityCode)
// and a combined file with code,name[,level][,parent].
var RegionColumns = []tabular.Column{
	{Key: "code", Label: "区划代码", English: "code", Required: true,
		Aliases: []string{"代码", "行政区划代码", "统计用区划代码", "区划编码", "编码", "编号", "region_code", "division_code", "adcode", "id"}},
	{Key: "name", Label: "区划名称", English: "name", Required: true,
		Aliases: []string{"名称", "行政区划名称", "区划", "地区", "地区名称", "region_name"}},
	{Key: "level", Label: "级别", English: "level",
		Aliases: []string{"层级", "行政级别", "区划级别", "类型"}},
	{Key: "parent", Label: "上级区划代码", English: "parent",
		Aliases: []string{"上级代码", "上级", "上级区划", "父级代码", "parent_code", "parentCode", "pid"}},
	{Key: "province", Label: "省级代码", English: "provinceCode",
		Aliases: []string{"省代码", "省份代码", "省级区划代码", "province", "province_code"}},
	{Key: "city", Label: "地级代码", English: "cityCode",
		Aliases: []string{"市代码", "地市代码", "市级代码", "地级区划代码", "city", "city_code"}},
	{Key: "county", Label: "县级代码", English: "areaCode",
		Aliases: []string{"县代码", "区县代码", "县级区划代码", "area", "area_code", "county", "countyCode", "county_code"}},
}

// levelNames maps the ways files write a level to the level.
var levelNames = map[string]jianfu.Level{
	"national": jianfu.LevelNational, "nation": jianfu.LevelNational, "country": jianfu.LevelNational, "全国": jianfu.LevelNational, "国家": jianfu.LevelNational, "0": jianfu.LevelNational,
	"province": jianfu.LevelProvince, "provincial": jianfu.LevelProvince, "省": jianfu.LevelProvince, "省级": jianfu.LevelProvince, "省份": jianfu.LevelProvince, "1": jianfu.LevelProvince,
	"city": jianfu.LevelCity, "prefecture": jianfu.LevelCity, "市": jianfu.LevelCity, "市级": jianfu.LevelCity, "地级": jianfu.LevelCity, "地市": jianfu.LevelCity, "地市级": jianfu.LevelCity, "地级市": jianfu.LevelCity, "2": jianfu.LevelCity,
	"county": jianfu.LevelCounty, "district": jianfu.LevelCounty, "area": jianfu.LevelCounty, "县": jianfu.LevelCounty, "县级": jianfu.LevelCounty, "区县": jianfu.LevelCounty, "县区": jianfu.LevelCounty, "3": jianfu.LevelCounty,
	"township": jianfu.LevelTownship, "town": jianfu.LevelTownship, "street": jianfu.LevelTownship, "乡": jianfu.LevelTownship, "乡镇": jianfu.LevelTownship, "乡级": jianfu.LevelTownship, "乡镇级": jianfu.LevelTownship, "街道": jianfu.LevelTownship, "乡镇街道": jianfu.LevelTownship, "4": jianfu.LevelTownship,
	"village": jianfu.LevelVillage, "村": jianfu.LevelVillage, "村级": jianfu.LevelVillage, "社区": jianfu.LevelVillage, "村居": jianfu.LevelVillage, "村(社区)": jianfu.LevelVillage, "5": jianfu.LevelVillage,
}

// levelZh names the levels in messages.
var levelZh = map[jianfu.Level]string{
	jianfu.LevelNational: "全国", jianfu.LevelProvince: "省级", jianfu.LevelCity: "地级",
	jianfu.LevelCounty: "县级", jianfu.LevelTownship: "乡级", jianfu.LevelVillage: "村级",
}

// ParentOf returns the short path of the region directly above the one with
// short path p. It is jianfu.ParentPath, except that a code whose county (or
// city) digits are 00 names no region of its own: the townships of 东莞
// (441900xxx), 中山 (442000xxx) and 儋州 (460400xxx), prefecture-level
// cities without counties, sit directly under the city (4419).
func ParentOf(p string) string {
	parent := jianfu.ParentPath(p)
	for (len(parent) == 6 || len(parent) == 4) && strings.HasSuffix(parent, "00") {
		parent = jianfu.ParentPath(parent)
	}
	return parent
}

// parseCode is jianfu.ParseRegionCode, refusing besides a 4-digit code
// ending in 00: that is the province's code written at the city level, and
// would become a city whose official code is the province's. (A 9-digit code
// ending in 000 is accepted: the dataset lists 350527000 金门县 as the one
// township of 金门县, and its code collides with nothing.)
func parseCode(s string) (code, path string, level jianfu.Level, err error) {
	code, path, level, err = jianfu.ParseRegionCode(s)
	if err != nil {
		return
	}
	if t := strings.TrimSpace(s); len(t) == 4 && strings.HasSuffix(t, "00") {
		return "", "", "", jianfu.Errorf(jianfu.EINVALID, "区划代码“%s”无效:地级代码后两位不能为00(省级代码请写作两位,如“%s”)",
			"division code %q: a city code cannot end in 00 (write a province as two digits, e.g. %q)", t, t[:2])
	}
	return
}

// regionRow is a region with the row it came from.
type regionRow struct {
	*jianfu.Region
	src int // index of the source file
	row int
}

// Regions reads the rows of a region file into regions, deriving each one's
// level and parent from its code. It returns the problems of every bad row;
// the regions are meaningful only when there are none. It does not check
// that parents exist: ImportRegions does, against the other files and the
// store.
func Regions(r *tabular.Reader) ([]*jianfu.Region, []jianfu.Problem) {
	rows, _, probs := readRegions(source{r: r}, 0, nil)
	out := make([]*jianfu.Region, len(rows))
	for i, x := range rows {
		out[i] = x.Region
	}
	return out, probs
}

func readRegions(s source, src int, progress Progress) (rows []regionRow, read int, probs []jianfu.Problem) {
	type seen struct {
		row       int
		raw, name string
	}
	first := map[string]seen{} // by path
	readProbs := s.rows(progress, func(row tabular.Row) {
		read++
		reg, rowProbs := parseRegion(s, row)
		if reg != nil {
			raw := row.Get("code")
			prev, dup := first[reg.Path]
			switch {
			case !dup:
				first[reg.Path] = seen{row.Number, raw, reg.Name}
			case prev.raw != raw && prev.name == reg.Name && len(rowProbs) == 0:
				// The same region written two ways (4419 and 441900 for
				// 东莞市, a city that is its own county level): keep one.
				return
			default:
				rowProbs = append(rowProbs, s.problem(row.Number, "code",
					fmt.Sprintf("区划代码%s与第%d行重复", raw, prev.row),
					fmt.Sprintf("division code %s repeats row %d", raw, prev.row)))
			}
		}
		if len(rowProbs) > 0 {
			probs = append(probs, rowProbs...)
			return
		}
		rows = append(rows, regionRow{Region: reg, src: src, row: row.Number})
	})
	return rows, read, append(probs, readProbs...)
}

// parseRegion reads one row; the region is nil when its code is unusable.
func parseRegion(s source, row tabular.Row) (*jianfu.Region, []jianfu.Problem) {
	n := row.Number
	var probs []jianfu.Problem
	rawCode := row.Get("code")
	name := row.Get("name")
	probs = append(probs, checkText(s, n, "name", name, 100)...)
	if rawCode == "" {
		return nil, append(probs, s.problem(n, "code", s.r.Column("code")+"不能为空", "the division code is required"))
	}
	code, path, level, err := parseCode(rawCode)
	if err != nil {
		return nil, append(probs, s.errProblem(n, "code", err))
	}
	reg := &jianfu.Region{Code: code, Path: path, Name: name, Level: level, ParentPath: ParentOf(path)}
	if v := row.Get("level"); v != "" {
		want, ok := levelNames[strings.ToLower(v)]
		switch {
		case !ok:
			probs = append(probs, s.problem(n, "level",
				fmt.Sprintf("级别“%s”无法识别,应为:省级、地级、县级、乡级、村级(或 province、city、county、township、village)", v),
				fmt.Sprintf("unknown level %q; use province, city, county, township or village", v)))
		case want != level && !(want == jianfu.LevelCounty && level == jianfu.LevelCity && len(rawCode) == 6):
			// A 6-digit county code ending in 00 is a city without counties
			// listed at the county level (东莞 441900): accepted as the city.
			probs = append(probs, s.problem(n, "level",
				fmt.Sprintf("级别“%s”与区划代码%s不符:该代码是%s区划", v, rawCode, levelZh[level]),
				fmt.Sprintf("level %q does not match code %s, which is a %s-level code", v, rawCode, level)))
		}
	}
	// Parent columns must agree with the code.
	for _, c := range []struct {
		key   string
		exact bool // the parent itself, not an ancestor at a given level
		level jianfu.Level
	}{{"parent", true, ""}, {"province", false, jianfu.LevelProvince}, {"city", false, jianfu.LevelCity}, {"county", false, jianfu.LevelCounty}} {
		v := row.Get(c.key)
		if v == "" {
			continue
		}
		col := s.r.Column(c.key)
		_, ppath, plevel, err := parseCode(v)
		if err != nil {
			probs = append(probs, s.errProblem(n, c.key, err))
			continue
		}
		switch {
		case c.exact && ppath != reg.ParentPath && !(ppath == path && len(rawCode) == 6 && len(path) == 4):
			// (A city listed again as its own county, 441900 under 4419,
			// names itself as the parent.)
			probs = append(probs, s.problem(n, c.key,
				fmt.Sprintf("%s“%s”与区划代码%s不符:其上级应为%s", col, v, rawCode, jianfu.CodeOfPath(reg.ParentPath)),
				fmt.Sprintf("%s %s does not match code %s, whose parent is %s", col, v, rawCode, jianfu.CodeOfPath(reg.ParentPath))))
		case !c.exact && (plevel != c.level && !(c.level == jianfu.LevelCounty && plevel == jianfu.LevelCity)):
			// A county column may hold a city code (东莞 441900).
			probs = append(probs, s.problem(n, c.key,
				fmt.Sprintf("%s“%s”不是%s区划代码", col, v, levelZh[c.level]),
				fmt.Sprintf("%s %s is not a %s-level code", col, v, c.level)))
		case !c.exact && !strings.HasPrefix(path, ppath):
			probs = append(probs, s.problem(n, c.key,
				fmt.Sprintf("%s“%s”与区划代码%s不符:%s不在其下", col, v, rawCode, rawCode),
				fmt.Sprintf("%s %s does not match code %s, which does not lie within it", col, v, rawCode)))
		}
	}
	return reg, probs
}

// ImportRegions reads region files — the four files of the division-code
// dataset in any order, or one combined file — and imports them together in
// one transaction. Every region's parent must be in the files or in the
// store already. A region listed in two files with the same name counts once
// (areas.csv repeats 东莞、中山、儋州 from cities.csv). Any bad row in any
// file imports nothing: the EINVALID error lists every problem.
func ImportRegions(ctx context.Context, db jianfu.RegionService, paths []string, progress Progress) (*Result, error) {
	start := time.Now()
	if len(paths) == 0 {
		return nil, jianfu.Errorf(jianfu.EINVALID, "请给出要导入的区划文件", "give the region files to import")
	}
	srcs, closeAll, err := openAll(paths, RegionColumns)
	if err != nil {
		return nil, err
	}
	defer closeAll()
	res := &Result{Files: len(srcs)}
	probs := make([][]jianfu.Problem, len(srcs))
	var all []regionRow
	byPath := map[string]regionRow{}
	for i, s := range srcs {
		rows, read, p := readRegions(s, i, progress)
		probs[i] = p
		res.Rows += read
		for _, x := range rows {
			prev, dup := byPath[x.Path]
			switch {
			case !dup:
				byPath[x.Path] = x
				all = append(all, x)
			case prev.Name != x.Name:
				probs[i] = append(probs[i], s.problem(x.row, "code",
					fmt.Sprintf("区划代码%s在%s第%d行已出现,名称不同(“%s”与“%s”)", x.Code, srcs[prev.src].r.Name(), prev.row, prev.Name, x.Name),
					fmt.Sprintf("division code %s is already in %s row %d with another name (%s, %s)", x.Code, srcs[prev.src].r.Name(), prev.row, prev.Name, x.Name)))
			}
		}
		s.r.Close()
	}
	// Parents must come in the files or be in the store.
	cache := &regionCache{find: db.FindRegion, known: map[string]*jianfu.Region{}}
	for _, x := range all {
		if x.Path == "" || x.ParentPath == "" {
			continue
		}
		if _, ok := byPath[x.ParentPath]; ok {
			continue
		}
		got, err := cache.lookup(ctx, x.ParentPath)
		if err != nil {
			return nil, err
		}
		if got == nil {
			s := srcs[x.src]
			pcode := jianfu.CodeOfPath(x.ParentPath)
			probs[x.src] = append(probs[x.src], s.problem(x.row, "code",
				fmt.Sprintf("区划%s %s的上级区划%s不存在:请把上级区划的文件一并导入,或先导入上级区划", x.Code, x.Name, pcode),
				fmt.Sprintf("the parent %s of region %s %s does not exist; import the parents' file together with this one, or first", pcode, x.Code, x.Name)))
		}
	}
	var flat []jianfu.Problem
	for _, p := range probs {
		flat = append(flat, byRow(p)...)
	}
	if err := invalid(flat); err != nil {
		return nil, err
	}
	progress.report(StageWrite, 0, -1)
	regions := make([]*jianfu.Region, len(all))
	for i, x := range all {
		regions[i] = x.Region
	}
	n, err := db.ImportRegions(ctx, regions)
	if err != nil {
		return nil, remapRegionProblems(err, srcs, all)
	}
	res.Records, res.Changed, res.Elapsed = len(all), n, time.Since(start)
	progress.report(StageWrite, int64(len(all)), int64(len(all)))
	return res, nil
}

// remapRegionProblems turns the rows of problems the store reports (1-based
// positions in the slice it was given) into rows of the files.
func remapRegionProblems(err error, srcs []source, all []regionRow) error {
	e, ok := err.(*jianfu.Error)
	if !ok || len(e.Problems) == 0 {
		return err
	}
	out := *e
	out.Problems = make([]jianfu.Problem, len(e.Problems))
	for i, p := range e.Problems {
		if p.Row >= 1 && p.Row <= len(all) {
			x := all[p.Row-1]
			p.Row = x.row
			if p.Field == "code" {
				p.Field = srcs[x.src].label + srcs[x.src].r.Column("code")
			}
		}
		out.Problems[i] = p
	}
	return &out
}
