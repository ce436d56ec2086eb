package store

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"jianfu"
)

const regionCols = `path, code, name, level, COALESCE(parent_path, '')`

func scanRegion(s interface{ Scan(...any) error }) (*jianfu.Region, error) {
	var r jianfu.Region
	var level string
	if err := s.Scan(&r.Path, &r.Code, &r.Name, &level, &r.ParentPath); err != nil {
		return nil, err
	}
	r.Level = jianfu.Level(level)
	return &r, nil
}

// FindRegion returns a region by official code or short path.
func (s *Regions) FindRegion(ctx context.Context, code string) (*jianfu.Region, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	_, path, _, err := jianfu.ParseRegionCode(code)
	if err != nil {
		return nil, err
	}
	if !a.SeesRegion(path) {
		return nil, s.db.translate(errNoRows, nRegion)
	}
	r, err := scanRegion(s.db.queryRow(ctx, `SELECT `+regionCols+` FROM regions WHERE path = ?`, path))
	return r, s.db.translate(err, nRegion)
}

// FindRegions lists regions in scope.
func (s *Regions) FindRegions(ctx context.Context, f jianfu.RegionFilter) ([]*jianfu.Region, int, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, 0, err
	}
	var w where
	w.regionScope(a, "path")
	if f.Parent != nil {
		w.add("parent_path = ?", *f.Parent)
	}
	if f.Level != "" {
		w.add("level = ?", string(f.Level))
	}
	w.like(f.Query, "name", "code")
	return findPage(s.db.in(ctx), listQuery{count: ` FROM regions`, rows: `SELECT ` + regionCols + ` FROM regions`, w: w,
		sorts: map[string]string{"code": "code", "name": "name", "level": "level"}, order: "path"}, f.Page, scanRegion)
}

// ImportRegions adds or renames regions, all or nothing. Parents must
// exist already or come in the same import.
func (s *Regions) ImportRegions(ctx context.Context, regions []*jianfu.Region) (int, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return 0, err
	}
	if !a.Has(jianfu.RoleSysAdmin) {
		return 0, forbidden("导入行政区划需要系统管理员角色", "importing regions needs the system administrator role")
	}
	sorted := append([]*jianfu.Region(nil), regions...)
	sort.SliceStable(sorted, func(i, j int) bool { return len(sorted[i].Path) < len(sorted[j].Path) })
	var probs []jianfu.Problem
	for i, r := range regions {
		if !a.SeesRegion(r.Path) {
			probs = append(probs, jianfu.Problem{Row: i + 1, Field: "code", Message: "区划" + r.Code + "不在您的管辖范围内", English: "region " + r.Code + " is outside your scope"})
		}
	}
	if err := jianfu.ProblemsError(probs); err != nil {
		return 0, err
	}
	n := 0
	err = s.db.inTx(ctx, func(tx *Tx) error {
		known := map[string]bool{}
		rows, err := tx.query(`SELECT path FROM regions`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var p string
			if err := rows.Scan(&p); err != nil {
				rows.Close()
				return err
			}
			known[p] = true
		}
		rows.Close()
		for _, r := range sorted {
			if r.Path != "" && !known[r.ParentPath] {
				return jianfu.Errorf(jianfu.EINVALID, "区划“%s %s”的上级“%s”不存在:请先导入上级区划", "region %s %s: its parent %s does not exist; import the parent first", r.Code, r.Name, r.ParentPath)
			}
			known[r.Path] = true
		}
		for start := 0; start < len(sorted); start += importBatch {
			batch := sorted[start:min(start+importBatch, len(sorted))]
			var b strings.Builder
			args := make([]any, 0, 5*len(batch))
			b.WriteString(`INSERT INTO regions(path, code, name, level, parent_path) VALUES `)
			for i, r := range batch {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString("(?, ?, ?, ?, ?)")
				args = append(args, r.Path, r.Code, r.Name, string(r.Level), nullIfRoot(r))
			}
			b.WriteString(` ON CONFLICT (path) DO UPDATE SET name = excluded.name WHERE regions.name <> excluded.name`)
			res, err := tx.tx.ExecContext(tx.ctx, rebindFor(tx.db.engine, b.String()), args...)
			if err != nil {
				return s.db.translate(err, nRegion)
			}
			c, _ := res.RowsAffected()
			n += int(c)
		}
		return tx.audit("region.import", "region", nil, a.RegionPath, fmt.Sprintf("%d行,新增或更名%d个", len(regions), n))
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// importBatch is the number of rows per multi-row INSERT.
const importBatch = 400

func nullIfRoot(r *jianfu.Region) any {
	if r.Path == "" {
		return nil
	}
	return r.ParentPath
}
