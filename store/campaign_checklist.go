package store

import (
	"context"
	"encoding/json"
	"fmt"
	"jianfu"
	"strconv"
)

// ensureChecklists stores the default templates the first time any are read.
func (tx *Tx) ensureChecklists() error {
	var n int
	if err := tx.queryRow(`SELECT COUNT(*) FROM checklists`).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	for _, c := range jianfu.DefaultChecklists() {
		c.Version = 1
		items, _ := json.Marshal(c.Items)
		if _, err := tx.exec(`INSERT INTO checklists(key, kind, version, name, pass_mark, items, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			c.Key, string(c.Kind), 1, c.Name, c.PassMark, string(items), "system", ms(tx.now)); err != nil {
			return err
		}
	}
	return nil
}

func scanChecklist(s interface{ Scan(...any) error }) (*jianfu.Checklist, error) {
	var c jianfu.Checklist
	var kind, items string
	var at int64
	if err := s.Scan(&c.ID, &c.Key, &kind, &c.Version, &c.Name, &c.PassMark, &items, &c.CreatedBy, &at, &c.RegionPath); err != nil {
		return nil, err
	}
	c.Kind, c.CreatedAt = jianfu.ChannelKind(kind), fromMS(at)
	if err := json.Unmarshal([]byte(items), &c.Items); err != nil {
		return nil, fmt.Errorf("checklist %d items: %w", c.ID, err)
	}
	return &c, nil
}

// FindChecklists lists the current version of each checklist that concerns
// the caller (province-wide, a region above theirs, or a region in their
// scope), or every version of one such key. Any logged-in user may read
// the templates.
func (s *Campaigns) FindChecklists(ctx context.Context, key string) ([]*jianfu.Checklist, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var out []*jianfu.Checklist
	err = s.db.inTx(ctx, func(tx *Tx) error {
		if err := tx.ensureChecklists(); err != nil {
			return err
		}
		q := `SELECT ` + checklistCols + ` FROM checklists c WHERE version = (SELECT MAX(version) FROM checklists x WHERE x.key = c.key) ORDER BY kind, region_path, key`
		var args []any
		if key != "" {
			q, args = `SELECT `+checklistCols+` FROM checklists WHERE key = ? ORDER BY version DESC`, []any{key}
		}
		rows, err := tx.query(q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanChecklist(rows)
			if err != nil {
				return err
			}
			if a.SeesChecklist(c.RegionPath) {
				out = append(out, c)
			}
		}
		return rows.Err()
	})
	if len(out) > 0 {
		cur := out[0].Version
		for _, c := range out {
			c.Current = key == "" || c.Version == cur
			s.db.nameRegion(ctx, c)
		}
	}
	return out, err
}

// nameRegion fills the name of a regional checklist's region.
func (db *DB) nameRegion(ctx context.Context, c *jianfu.Checklist) {
	if !c.ProvinceWide() {
		c.RegionName = db.regionName(ctx, c.RegionPath)
	}
}

// FindChecklistByID returns one version of a checklist that concerns the
// caller.
func (s *Campaigns) FindChecklistByID(ctx context.Context, id int64) (*jianfu.Checklist, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	c, err := scanChecklist(s.db.queryRow(ctx, `SELECT `+checklistCols+` FROM checklists WHERE id = ?`, id))
	if err != nil {
		return nil, s.db.translate(err, nChecklist)
	}
	if !a.SeesChecklist(c.RegionPath) {
		return nil, s.db.translate(errNoRows, nChecklist)
	}
	var latest int
	s.db.queryRow(ctx, `SELECT MAX(version) FROM checklists WHERE key = ?`, c.Key).Scan(&latest)
	c.Current = latest == c.Version
	s.db.nameRegion(ctx, c)
	return c, nil
}

// SaveChecklist stores a new version of a checklist. A key that exists
// keeps its region; a new key (c.Key empty) applies in c.RegionPath, ""
// for everywhere. Who may save which is jianfu.Actor.MayEditChecklist: a
// county supervisor saves a variant for the county, never a new version of
// the province-wide list other counties' campaigns use.
func (s *Campaigns) SaveChecklist(ctx context.Context, c *jianfu.Checklist) error {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return err
	}
	if !a.Has(jianfu.RoleSupervisor) {
		return forbidden("修改检查表需要监管人员角色", "editing checklists needs the supervisor role")
	}
	if err := c.Validate(); err != nil {
		return err
	}
	if c.RegionPath != "" {
		if _, path, _, err := jianfu.ParseRegionCode(c.RegionPath); err == nil {
			c.RegionPath = path
		}
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		if err := tx.ensureChecklists(); err != nil {
			return err
		}
		var last int
		var kind, region string
		if err := tx.queryRow(`SELECT COALESCE(MAX(version), 0), COALESCE(MAX(kind), ''), COALESCE(MAX(region_path), '') FROM checklists WHERE key = ?`, c.Key).Scan(&last, &kind, &region); err != nil {
			return err
		}
		if last == 0 {
			if c.Key == "" {
				c.Key = string(c.Kind) + "-" + strconv.FormatInt(tx.now.UnixMilli(), 36)
			}
			region = c.RegionPath
			if region != "" {
				var one int
				if err := tx.queryRow(`SELECT 1 FROM regions WHERE path = ?`, region).Scan(&one); err != nil {
					return jianfu.Errorf(jianfu.EINVALID, "适用地区%s不存在", "region %s does not exist", region)
				}
			}
		} else if kind != string(c.Kind) {
			return jianfu.Errorf(jianfu.EINVALID, "检查表“%s”适用于%s,不能改为其他类型", "checklist %s applies to %s and cannot change kind", c.Key, kind)
		}
		if err := a.MayEditChecklist(region); err != nil {
			return err
		}
		c.RegionPath = region
		c.Version, c.CreatedBy, c.CreatedAt, c.Current = last+1, a.Username, tx.now, true
		items, _ := json.Marshal(c.Items)
		id, err := tx.insertID(`INSERT INTO checklists(key, kind, version, name, pass_mark, items, created_by, created_at, region_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.Key, string(c.Kind), c.Version, c.Name, c.PassMark, string(items), a.Username, ms(tx.now), region)
		if err != nil {
			return s.db.translate(err, nChecklist)
		}
		c.ID = id
		auditRegion := region
		if auditRegion == "" {
			auditRegion = a.RegionPath
		}
		scope := "province-wide"
		if region != "" {
			scope = "region " + region
		}
		return tx.audit("checklist.save", "checklist", id, auditRegion, fmt.Sprintf("%s v%d (%s): %d items, pass %g", c.Key, c.Version, scope, len(c.Items), c.PassMark))
	})
}

// checklistsFor returns the checklist of each kind a campaign in region
// uses (jianfu.ChecklistsFor).
func (tx *Tx) checklistsFor(region string) (map[jianfu.ChannelKind]*jianfu.Checklist, error) {
	if err := tx.ensureChecklists(); err != nil {
		return nil, err
	}
	rows, err := tx.query(`SELECT ` + checklistCols + ` FROM checklists ORDER BY kind, version DESC, id DESC`)
	if err != nil {
		return nil, err
	}
	all, err := scanAll(rows, scanChecklist)
	if err != nil {
		return nil, err
	}
	return jianfu.ChecklistsFor(all, region), nil
}
