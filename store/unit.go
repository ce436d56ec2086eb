package store

import (
	"context"
	"fmt"
	"strconv"

	"jianfu"
)

const unitCols = `u.id, u.name, u.type, u.region_path, r.code, r.name, COALESCE(u.parent_id, 0), COALESCE(u.credit_code, ''), u.path, u.disabled, u.created_at, u.updated_at`
const unitFrom = ` FROM units u JOIN regions r ON r.path = u.region_path`

func scanUnit(s interface{ Scan(...any) error }) (*jianfu.Unit, error) {
	var u jianfu.Unit
	var typ string
	var created, updated int64
	if err := s.Scan(&u.ID, &u.Name, &typ, &u.RegionPath, &u.RegionCode, &u.RegionName, &u.ParentID, &u.CreditCode, &u.Path, &u.Disabled, &created, &updated); err != nil {
		return nil, err
	}
	u.Type = jianfu.UnitType(typ)
	u.CreatedAt, u.UpdatedAt = fromMS(created), fromMS(updated)
	return &u, nil
}

// FindUnitByID returns a unit in scope.
func (s *Units) FindUnitByID(ctx context.Context, id int64) (*jianfu.Unit, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var w where
	w.add("u.id = ?", id)
	w.unitScope(a, "u")
	u, err := scanUnit(s.db.queryRow(ctx, `SELECT `+unitCols+unitFrom+w.String(), w.args...))
	return u, s.db.translate(err, nUnit)
}

// FindUnits lists units in scope.
func (s *Units) FindUnits(ctx context.Context, f jianfu.UnitFilter) ([]*jianfu.Unit, int, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, 0, err
	}
	var w where
	w.unitScope(a, "u")
	w.prefix("u.region_path", f.RegionPath)
	if f.ParentID != 0 {
		w.add("u.parent_id = ?", f.ParentID)
	}
	if f.Type != "" {
		w.add("u.type = ?", string(f.Type))
	}
	w.like(f.Query, "u.name", "u.credit_code")
	return findPage(s.db.in(ctx), listQuery{count: unitFrom, rows: `SELECT ` + unitCols + unitFrom, w: w,
		sorts: map[string]string{"name": "u.name", "type": "u.type", "region": "u.region_path", "credit_code": "u.credit_code", "created": "u.created_at"}, order: "u.region_path, u.id"},
		f.Page, scanUnit)
}

// CreateUnit adds a unit.
func (s *Units) CreateUnit(ctx context.Context, u *jianfu.Unit) error {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return err
	}
	if err := a.CanManageUnits(); err != nil {
		return err
	}
	if err := u.Validate(); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error { return tx.createUnit(a, u) })
}

// createUnit checks the unit's place against the actor's scope and inserts it.
func (tx *Tx) createUnit(a *jianfu.Actor, u *jianfu.Unit) error {
	code, path, _, err := jianfu.ParseRegionCode(u.RegionCode)
	if err != nil {
		return err
	}
	var regionName string
	if err := tx.queryRow(`SELECT name FROM regions WHERE path = ?`, path).Scan(&regionName); err != nil {
		return jianfu.Errorf(jianfu.EINVALID, "行政区划“%s”不存在:请先导入区划或核对代码", "region %s does not exist; import the regions first or check the code", u.RegionCode)
	}
	if !a.SeesRegion(path) {
		return forbidden("不能在管辖范围以外的地区("+regionName+")创建单位", "cannot create a unit outside your region")
	}
	parentPath := "/"
	if u.ParentID != 0 {
		var w where
		w.add("u.id = ?", u.ParentID)
		w.unitScope(a, "u")
		parent, err := scanUnit(tx.queryRow(`SELECT `+unitCols+unitFrom+w.String(), w.args...))
		if err != nil {
			return jianfu.Errorf(jianfu.EINVALID, "上级单位(编号%d)不存在或不在您的管辖范围内", "the parent unit %d does not exist or is outside your scope", u.ParentID)
		}
		if !jianfu.Contains(parent.RegionPath, path) {
			return jianfu.Errorf(jianfu.EINVALID, "下级单位所在区划(%s)须在上级单位“%s”所在区划(%s)之内", "the unit's region (%s) must lie within its parent %s's region (%s)", regionName, parent.Name, parent.RegionName)
		}
		parentPath = parent.Path
	} else if !a.Has(jianfu.RoleSysAdmin) {
		return forbidden("单位管理员只能在本单位之下创建下级单位,请选择上级单位", "a unit administrator can only create units under their own; choose a parent unit")
	}
	u.RegionCode, u.RegionPath, u.RegionName = code, path, regionName
	u.CreatedAt, u.UpdatedAt = tx.now, tx.now
	id, err := tx.insertID(`INSERT INTO units(name, type, region_path, parent_id, credit_code, path, disabled, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, '', ?, ?, ?)`,
		u.Name, string(u.Type), path, nullInt(u.ParentID), nullStr(u.CreditCode), u.Disabled, ms(tx.now), ms(tx.now))
	if err != nil {
		if isUnique(err) {
			return jianfu.Errorf(jianfu.ECONFLICT, "统一社会信用代码%s已被其他单位使用", "the unified social credit code %s is used by another unit", u.CreditCode)
		}
		return tx.db.translate(err, nUnit)
	}
	u.ID = id
	u.Path = parentPath + strconv.FormatInt(id, 10) + "/"
	if _, err := tx.exec(`UPDATE units SET path = ? WHERE id = ?`, u.Path, id); err != nil {
		return err
	}
	return tx.audit("unit.create", "unit", id, path, fmt.Sprintf("%s (%s)", u.Name, u.Type))
}

// UpdateUnit changes a unit in scope.
func (s *Units) UpdateUnit(ctx context.Context, id int64, upd jianfu.UnitUpdate) (*jianfu.Unit, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.CanManageUnits(); err != nil {
		return nil, err
	}
	var out *jianfu.Unit
	err = s.db.inTx(ctx, func(tx *Tx) error {
		var w where
		w.add("u.id = ?", id)
		w.unitScope(a, "u")
		u, err := scanUnit(tx.queryRow(`SELECT `+unitCols+unitFrom+w.String(), w.args...))
		if err != nil {
			return s.db.translate(err, nUnit)
		}
		changes, err := u.Apply(upd, a)
		if err != nil {
			return err
		}
		out = u
		if len(changes) == 0 {
			return nil
		}
		u.UpdatedAt = tx.now
		if _, err := tx.exec(`UPDATE units SET name = ?, type = ?, credit_code = ?, disabled = ?, updated_at = ? WHERE id = ?`,
			u.Name, string(u.Type), nullStr(u.CreditCode), u.Disabled, ms(tx.now), id); err != nil {
			if isUnique(err) {
				return jianfu.Errorf(jianfu.ECONFLICT, "统一社会信用代码%s已被其他单位使用", "the unified social credit code %s is used by another unit", u.CreditCode)
			}
			return s.db.translate(err, nUnit)
		}
		return tx.audit("unit.update", "unit", id, u.RegionPath, fmt.Sprint(changes))
	})
	return out, err
}

// ImportUnits adds units from a file, all or nothing. Each row's parent is
// named by credit code or exact name, among existing units in scope or rows
// of the same file.
func (s *Units) ImportUnits(ctx context.Context, rows []*jianfu.UnitImport) (int, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return 0, err
	}
	if err := a.CanManageUnits(); err != nil {
		return 0, err
	}
	var probs []jianfu.Problem
	for _, r := range rows {
		if err := r.Unit.Validate(); err != nil {
			for _, p := range err.(*jianfu.Error).Problems {
				p.Row = r.Row
				probs = append(probs, p)
			}
		}
	}
	if err := jianfu.ProblemsError(probs); err != nil {
		return 0, err
	}
	err = s.db.inTx(ctx, func(tx *Tx) error {
		byCode := map[string]*jianfu.Unit{}
		byName := map[string][]*jianfu.Unit{}
		remember := func(u *jianfu.Unit) {
			if u.CreditCode != "" {
				byCode[u.CreditCode] = u
			}
			byName[u.Name] = append(byName[u.Name], u)
		}
		var w where
		w.unitScope(a, "u")
		existing, err := tx.query(`SELECT `+unitCols+unitFrom+w.String(), w.args...)
		if err != nil {
			return err
		}
		for existing.Next() {
			u, err := scanUnit(existing)
			if err != nil {
				existing.Close()
				return err
			}
			remember(u)
		}
		existing.Close()
		// Credit codes must be unique; check here rather than let the
		// database fail, which would abort a PostgreSQL transaction.
		seen := map[string]int{}
		for _, r := range rows {
			c := r.Unit.CreditCode
			if c == "" {
				continue
			}
			if prev, dup := seen[c]; dup {
				probs = append(probs, jianfu.Problem{Row: r.Row, Field: "credit_code", Message: fmt.Sprintf("统一社会信用代码%s与第%d行重复", c, prev), English: fmt.Sprintf("credit code %s repeats row %d", c, prev)})
			}
			seen[c] = r.Row
		}
		if len(seen) > 0 {
			taken, err := tx.query(`SELECT credit_code FROM units WHERE credit_code IS NOT NULL`)
			if err != nil {
				return err
			}
			for taken.Next() {
				var c string
				if err := taken.Scan(&c); err != nil {
					taken.Close()
					return err
				}
				if row, ok := seen[c]; ok {
					probs = append(probs, jianfu.Problem{Row: row, Field: "credit_code", Message: "统一社会信用代码" + c + "已被库中其他单位使用", English: "credit code " + c + " is already used by another unit"})
				}
			}
			taken.Close()
		}
		pending := append([]*jianfu.UnitImport(nil), rows...)
		// Insert rows whose parent is known, repeatedly, so a file may list
		// children before parents.
		for len(pending) > 0 {
			var next []*jianfu.UnitImport
			for _, r := range pending {
				u := &r.Unit
				if r.ParentRef != "" {
					p := byCode[r.ParentRef]
					if p == nil {
						switch cands := byName[r.ParentRef]; len(cands) {
						case 0:
							next = append(next, r)
							continue
						case 1:
							p = cands[0]
						default:
							probs = append(probs, jianfu.Problem{Row: r.Row, Field: "parent", Message: "上级单位名称“" + r.ParentRef + "”对应多个单位,请改填统一社会信用代码", English: "parent name " + r.ParentRef + " matches several units; give its credit code instead"})
							continue
						}
					}
					u.ParentID = p.ID
				}
				if err := tx.createUnit(a, u); err != nil {
					if jianfu.ErrorCode(err) == jianfu.EINTERNAL {
						return err // a database failure: the transaction is lost
					}
					probs = append(probs, jianfu.Problem{Row: r.Row, Message: jianfu.ErrorMessage(err, "zh"), English: jianfu.ErrorMessage(err, "en")})
					continue
				}
				remember(u)
			}
			if len(next) == len(pending) {
				for _, r := range next {
					probs = append(probs, jianfu.Problem{Row: r.Row, Field: "parent", Message: "找不到上级单位“" + r.ParentRef + "”(既不在库中也不在本文件中)", English: "parent unit " + r.ParentRef + " is neither in the database nor in this file"})
				}
				break
			}
			pending = next
		}
		return jianfu.ProblemsError(sortProblems(probs))
	})
	if err != nil {
		return 0, err
	}
	return len(rows), nil
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullInt(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}
