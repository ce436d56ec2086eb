package store

import (
	"context"

	"jianfu"
)

// RegionBurden rolls the burden of the groups under a region (f.RegionPath;
// the caller's own region when empty) up to its child regions over the
// filter's window, with each child's weekly trend (jianfu.RegionRows). A
// caller who is not region-wide sees only the groups of its units, rolled
// up the same way.
func (s *Burden) RegionBurden(ctx context.Context, f jianfu.BurdenFilter) ([]*jianfu.RegionBurden, error) {
	a, err := burdenReader(ctx)
	if err != nil {
		return nil, err
	}
	parent := f.RegionPath
	if parent == "" && !a.System {
		parent = a.RegionPath
	}
	if !a.System && len(parent) < len(a.RegionPath) {
		parent = a.RegionPath // above one's own region there is nothing more to see
	}
	f.RegionPath, f.UnitID, f.Query = parent, 0, ""
	since, until := s.db.window(f.Since, f.Until)
	groups, trended, err := s.db.windowRows(ctx, a, f, since, until, nil, true)
	if err != nil {
		return nil, err
	}
	if !trended {
		if err := s.db.trendsIn(ctx, a, groups, false, parent, until, f.Weeks); err != nil {
			return nil, err
		}
	}
	names := map[string]string{}
	rows, err := s.db.query(ctx, `SELECT path, name FROM regions WHERE parent_path = ?`, parent)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var p, n string
		if err := rows.Scan(&p, &n); err != nil {
			return nil, err
		}
		names[p] = n
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return jianfu.RegionRows(groups, parent, names, jianfu.OwnLevelName(parent)), nil
}
