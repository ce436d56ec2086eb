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
	if err := s.Scan(&c.ID, &c.Key, &kind, &c.Version, &c.Name, &c.PassMark, &items, &c.CreatedBy, &at); err != nil {
		return nil, err
	}
	c.Kind, c.CreatedAt = jianfu.ChannelKind(kind), fromMS(at)
	if err := json.Unmarshal([]byte(items), &c.Items); err != nil {
		return nil, fmt.Errorf("checklist %d items: %w", c.ID, err)
	}
	return &c, nil
}

// FindChecklists lists the current version of each checklist, or every
// version of one key. Any logged-in user may read the templates.
func (s *Campaigns) FindChecklists(ctx context.Context, key string) ([]*jianfu.Checklist, error) {
	if _, err := jianfu.RequireActor(ctx); err != nil {
		return nil, err
	}
	var out []*jianfu.Checklist
	err := s.db.inTx(ctx, func(tx *Tx) error {
		if err := tx.ensureChecklists(); err != nil {
			return err
		}
		q := `SELECT ` + checklistCols + ` FROM checklists c WHERE version = (SELECT MAX(version) FROM checklists x WHERE x.key = c.key) ORDER BY kind, key`
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
			out = append(out, c)
		}
		return rows.Err()
	})
	if len(out) > 0 {
		cur := out[0].Version
		for _, c := range out {
			c.Current = key == "" || c.Version == cur
		}
	}
	return out, err
}

// FindChecklistByID returns one version of a checklist.
func (s *Campaigns) FindChecklistByID(ctx context.Context, id int64) (*jianfu.Checklist, error) {
	if _, err := jianfu.RequireActor(ctx); err != nil {
		return nil, err
	}
	c, err := scanChecklist(s.db.queryRow(ctx, `SELECT `+checklistCols+` FROM checklists WHERE id = ?`, id))
	if err != nil {
		return nil, s.db.translate(err, nChecklist)
	}
	var latest int
	s.db.queryRow(ctx, `SELECT MAX(version) FROM checklists WHERE key = ?`, c.Key).Scan(&latest)
	c.Current = latest == c.Version
	return c, nil
}

// SaveChecklist stores a new version of a checklist.
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
	return s.db.inTx(ctx, func(tx *Tx) error {
		if err := tx.ensureChecklists(); err != nil {
			return err
		}
		var last int
		var kind string
		if err := tx.queryRow(`SELECT COALESCE(MAX(version), 0), COALESCE(MAX(kind), '') FROM checklists WHERE key = ?`, c.Key).Scan(&last, &kind); err != nil {
			return err
		}
		if last == 0 {
			if c.Key == "" {
				c.Key = string(c.Kind) + "-" + strconv.FormatInt(tx.now.UnixMilli(), 36)
			}
		} else if kind != string(c.Kind) {
			return jianfu.Errorf(jianfu.EINVALID, "检查表“%s”适用于%s,不能改为其他类型", "checklist %s applies to %s and cannot change kind", c.Key, kind)
		}
		c.Version, c.CreatedBy, c.CreatedAt, c.Current = last+1, a.Username, tx.now, true
		items, _ := json.Marshal(c.Items)
		id, err := tx.insertID(`INSERT INTO checklists(key, kind, version, name, pass_mark, items, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			c.Key, string(c.Kind), c.Version, c.Name, c.PassMark, string(items), a.Username, ms(tx.now))
		if err != nil {
			return s.db.translate(err, nChecklist)
		}
		c.ID = id
		return tx.audit("checklist.save", "checklist", id, a.RegionPath, fmt.Sprintf("%s v%d: %d items, pass %g", c.Key, c.Version, len(c.Items), c.PassMark))
	})
}

// currentChecklists returns the latest checklist of each kind.
func (tx *Tx) currentChecklists() (map[jianfu.ChannelKind]*jianfu.Checklist, error) {
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
	return jianfu.CurrentChecklists(all), nil
}
