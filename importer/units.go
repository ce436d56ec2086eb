package importer

import (
	"context"
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/width"

	"jianfu"
	"jianfu/tabular"
)

// UnitColumns are the columns of a unit file. The parent is named by its
// unified social credit code or its exact name, among the units already in
// the store or in the same file (in any order).
var UnitColumns = []tabular.Column{
	{Key: "name", Label: "单位名称", English: "name", Required: true,
		Aliases: []string{"名称", "单位", "单位全称", "机构名称", "unit", "unit_name"}},
	{Key: "type", Label: "单位类型", English: "type", Required: true,
		Aliases: []string{"类型", "机构类型", "单位性质", "unit_type"}},
	{Key: "region", Label: "区划代码", English: "region", Required: true,
		Aliases: []string{"所在区划代码", "行政区划代码", "所在区划", "区划", "region_code", "division_code"}},
	{Key: "parent", Label: "上级单位", English: "parent",
		Aliases: []string{"上级", "上级单位名称", "上级单位代码", "上级单位统一社会信用代码", "主管单位", "parent_unit", "parent_name"}},
	{Key: "credit_code", Label: "统一社会信用代码", English: "credit_code",
		Aliases: []string{"信用代码", "社会信用代码", "统一代码", "uscc", "credit", "creditCode"}},
}

// UnitStore is what ImportUnits needs of the store: the regions its rows
// name and the units service that takes them.
type UnitStore interface {
	ImportUnits(ctx context.Context, rows []*jianfu.UnitImport) (int, error)
}

// RegionFinder looks up a region by its code.
type RegionFinder interface {
	FindRegion(ctx context.Context, code string) (*jianfu.Region, error)
}

// unitFields maps the field names of jianfu.Unit problems to column keys.
var unitFields = map[string]string{"name": "name", "type": "type", "region_code": "region", "credit_code": "credit_code", "parent": "parent"}

// Units reads the rows of a unit file. Each UnitImport carries its row
// number (as Excel shows it). It returns the problems of every bad row: an
// empty or overlong name, an unknown type, a malformed region code, a bad
// credit code (length, characters, check character), a unit named as its own
// parent, and credit codes or names (within one region) repeated in the file.
// Whether regions and parents exist is checked by ImportUnits.
func Units(r *tabular.Reader) ([]*jianfu.UnitImport, []jianfu.Problem) {
	rows, _, probs := readUnits(source{r: r}, nil)
	return rows, probs
}

func readUnits(s source, progress Progress) (out []*jianfu.UnitImport, read int, probs []jianfu.Problem) {
	byCode := map[string]int{} // credit code → row
	byName := map[string]int{} // region path + name → row
	readProbs := s.rows(progress, func(row tabular.Row) {
		read++
		u, rowProbs := parseUnit(s, row)
		if u.Unit.CreditCode != "" && len(rowProbs) == 0 {
			if prev, dup := byCode[u.Unit.CreditCode]; dup {
				rowProbs = append(rowProbs, s.problem(row.Number, "credit_code",
					fmt.Sprintf("统一社会信用代码%s与第%d行重复", u.Unit.CreditCode, prev),
					fmt.Sprintf("credit code %s repeats row %d", u.Unit.CreditCode, prev)))
			} else {
				byCode[u.Unit.CreditCode] = row.Number
			}
		}
		if u.Unit.Name != "" && u.Unit.RegionPath != "" {
			key := u.Unit.RegionPath + "\x00" + u.Unit.Name
			if prev, dup := byName[key]; dup {
				rowProbs = append(rowProbs, s.problem(row.Number, "name",
					fmt.Sprintf("单位名称“%s”与第%d行重复(同一区划内):同一单位只需一行", u.Unit.Name, prev),
					fmt.Sprintf("unit name %q repeats row %d in the same region; list each unit once", u.Unit.Name, prev)))
			} else {
				byName[key] = row.Number
			}
		}
		if len(rowProbs) > 0 {
			probs = append(probs, rowProbs...)
			return
		}
		out = append(out, u)
	})
	return out, read, append(probs, readProbs...)
}

// parseUnit reads one row.
func parseUnit(s source, row tabular.Row) (*jianfu.UnitImport, []jianfu.Problem) {
	n := row.Number
	u := &jianfu.UnitImport{Row: n}
	u.Unit.Name = row.Get("name")
	probs := checkText(s, n, "name", u.Unit.Name, 100)

	if v := row.Get("type"); v == "" {
		probs = append(probs, s.problem(n, "type", s.r.Column("type")+"不能为空,应为:"+unitTypeChoices(), "the unit type is required; use one of: "+unitTypeChoicesEn()))
	} else if t, ok := jianfu.ParseUnitType(v); ok {
		u.Unit.Type = t
	} else {
		probs = append(probs, s.problem(n, "type",
			fmt.Sprintf("单位类型“%s”无法识别,应为:%s", v, unitTypeChoices()),
			fmt.Sprintf("unknown unit type %q; use one of: %s", v, unitTypeChoicesEn())))
	}

	if v := row.Get("region"); v == "" {
		probs = append(probs, s.problem(n, "region", s.r.Column("region")+"不能为空:请填写单位所在行政区划的代码", "the region code is required"))
	} else if code, path, _, err := parseCode(v); err != nil {
		probs = append(probs, s.errProblem(n, "region", err))
	} else {
		u.Unit.RegionCode, u.Unit.RegionPath = code, path
	}

	if v := strings.ToUpper(width.Fold.String(row.Get("credit_code"))); v != "" {
		if err := jianfu.ValidateCreditCode(v); err != nil {
			probs = append(probs, s.errProblem(n, "credit_code", err))
		} else {
			u.Unit.CreditCode = v
		}
	}

	u.ParentRef = row.Get("parent")
	if ref := strings.ToUpper(width.Fold.String(u.ParentRef)); len(ref) == 18 && jianfu.ValidateCreditCode(ref) == nil {
		u.ParentRef = ref
	}
	if u.ParentRef != "" && (u.ParentRef == u.Unit.Name || u.ParentRef == u.Unit.CreditCode) {
		probs = append(probs, s.problem(n, "parent", "上级单位不能是本单位自己", "a unit cannot be its own parent"))
	}
	return u, probs
}

func unitTypeChoices() string {
	names := make([]string, len(jianfu.UnitTypes))
	for i, t := range jianfu.UnitTypes {
		names[i] = jianfu.UnitTypeNames[t]
	}
	return strings.Join(names, "、")
}

func unitTypeChoicesEn() string {
	names := make([]string, len(jianfu.UnitTypes))
	for i, t := range jianfu.UnitTypes {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}

// ImportUnits reads a unit file and adds its units in one transaction: all
// or nothing. Regions must exist in the store; parents must exist in the
// store or in the file. Any bad row imports nothing: the EINVALID error
// lists every problem.
func ImportUnits(ctx context.Context, regions RegionFinder, db UnitStore, path string, progress Progress) (*Result, error) {
	start := time.Now()
	srcs, closeAll, err := openAll([]string{path}, UnitColumns)
	if err != nil {
		return nil, err
	}
	defer closeAll()
	s := srcs[0]
	rows, read, probs := readUnits(s, progress)
	cols := map[string]string{}
	for _, key := range unitFields {
		cols[key] = s.r.Column(key)
	}
	s.r.Close()

	cache := &regionCache{find: regions.FindRegion, known: map[string]*jianfu.Region{}}
	for _, u := range rows {
		got, err := cache.lookup(ctx, u.Unit.RegionPath)
		if err != nil {
			return nil, err
		}
		if got == nil {
			probs = append(probs, s.problem(u.Row, "region",
				fmt.Sprintf("行政区划%s不存在或不在您的管辖范围内:请核对代码,或先导入行政区划", u.Unit.RegionCode),
				fmt.Sprintf("region %s does not exist or is outside your scope; check the code or import the regions first", u.Unit.RegionCode)))
		}
	}
	if err := invalid(byRow(probs)); err != nil {
		return nil, err
	}
	progress.report(StageWrite, 0, -1)
	n, err := db.ImportUnits(ctx, rows)
	if err != nil {
		if e, ok := err.(*jianfu.Error); ok && len(e.Problems) > 0 {
			out := *e
			out.Problems = make([]jianfu.Problem, len(e.Problems))
			for i, p := range e.Problems {
				if key, ok := unitFields[p.Field]; ok {
					p.Field = cols[key]
				}
				out.Problems[i] = p
			}
			return nil, invalid(byRow(out.Problems))
		}
		return nil, err
	}
	progress.report(StageWrite, int64(n), int64(n))
	return &Result{Files: 1, Rows: read, Records: len(rows), Changed: n, Elapsed: time.Since(start)}, nil
}
