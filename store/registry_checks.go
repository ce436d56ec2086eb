package store

import (
	"context"
	"strings"

	"jianfu"
)

const factCols = `c.id, c.name, c.kind, c.platform, c.unit_id, COALESCE(u.name, ''), c.status, COALESCE(c.filing_number, ''),
	c.region_path, c.purpose, c.functions, c.platform_id, c.handle_key`

// activeStatuses are what checks compare against: channels submitted or
// filed and not closed.
const activeStatuses = `('submitted', 'approved', 'active', 'rectifying', 'exit_requested')`

// facts reads what the rules compare of the channels matching where.
func (tx *Tx) facts(where string, args ...any) ([]*jianfu.ChannelFacts, error) {
	rows, err := tx.query(`SELECT `+factCols+` FROM channels c LEFT JOIN units u ON u.id = c.unit_id WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*jianfu.ChannelFacts
	for rows.Next() {
		var k jianfu.ChannelFacts
		var kind, status, purpose, functions, platformID string
		if err := rows.Scan(&k.ID, &k.Name, &kind, &k.Platform, &k.UnitID, &k.UnitName, &status, &k.FilingNumber,
			&k.RegionPath, &purpose, &functions, &platformID, &k.HandleKey); err != nil {
			return nil, err
		}
		k.Kind, k.Status = jianfu.ChannelKind(kind), jianfu.ChannelStatus(status)
		k.Text = strings.TrimSpace(purpose + " " + functions)
		out = append(out, &k)
	}
	return out, rows.Err()
}

// blockWhere compares channels within the county of a region path (or the
// region itself above county level): duplicates are a county's business.
func blockWhere(path string) (string, any) {
	if len(path) >= 6 {
		return "c.region_l6 = ?", path[:6]
	}
	return "c.region_path = ?", path
}

// regionNames loads the names of the regions above path and in its subtree.
func (tx *Tx) regionNames(path string) (map[string]string, error) {
	out := map[string]string{}
	var w where
	w.prefix("path", path)
	rows, err := tx.query(`SELECT path, name FROM regions`+w.String(), w.args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var p, n string
		if err := rows.Scan(&p, &n); err != nil {
			rows.Close()
			return nil, err
		}
		out[p] = n
	}
	rows.Close()
	for p := jianfu.ParentPath(path); p != ""; p = jianfu.ParentPath(p) {
		var n string
		if err := tx.queryRow(`SELECT name FROM regions WHERE path = ?`, p).Scan(&n); err == nil {
			out[p] = n
		}
	}
	return out, rows.Err()
}

// CheckChannel runs the rule checks on a channel without saving it.
func (s *Channels) CheckChannel(ctx context.Context, c *jianfu.Channel) ([]jianfu.CheckResult, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	probe := *c
	if err := probe.Validate(); err != nil {
		return nil, err
	}
	var out []jianfu.CheckResult
	err = s.db.inTx(ctx, func(tx *Tx) error {
		var w where
		w.add("u.id = ?", probe.UnitID)
		w.unitScope(a, "u")
		unit, err := scanUnit(tx.queryRow(`SELECT `+unitCols+unitFrom+w.String(), w.args...))
		if err != nil {
			return jianfu.Errorf(jianfu.EINVALID, "主办单位(编号%d)不存在或不在您的管辖范围内", "owning unit %d does not exist or is outside your scope", probe.UnitID)
		}
		probe.UnitName, probe.RegionPath = unit.Name, unit.RegionPath
		out, err = tx.runChecks(&probe)
		return err
	})
	return out, err
}

// runChecks reads the evidence the rule checks of c need (ID 0 for a
// channel not yet saved) and has the registry's rules judge it.
func (tx *Tx) runChecks(c *jianfu.Channel) ([]jianfu.CheckResult, error) {
	rules, err := tx.db.registryRules()
	if err != nil {
		return nil, err
	}
	ev := &jianfu.CheckEvidence{Today: jianfu.DateOf(tx.now)}
	if ev.Settings, err = tx.ruleSettings(); err != nil {
		return nil, err
	}
	if ev.RegionNames, err = tx.regionNames(jianfu.CountyPath(c.RegionPath)); err != nil {
		return nil, err
	}
	if ev.Own, err = tx.facts(`c.unit_id = ? AND c.id <> ? AND c.status IN `+activeStatuses, c.UnitID, c.ID); err != nil {
		return nil, err
	}
	if c.PlatformID != "" {
		if ev.SameID, err = tx.facts(`c.platform = ? AND c.platform_id = ? AND c.id <> ? AND c.status IN `+activeStatuses, c.Platform, c.PlatformID, c.ID); err != nil {
			return nil, err
		}
	}
	if c.Kind != jianfu.KindGroup {
		cond, arg := blockWhere(c.RegionPath)
		if ev.Nearby, err = tx.facts(cond+` AND c.kind = ? AND c.unit_id <> ? AND c.id <> ? AND c.status IN `+liveStatuses, arg, string(c.Kind), c.UnitID, c.ID); err != nil {
			return nil, err
		}
	}
	return rules.Check(c, ev), nil
}

// liveStatuses are filed channels that are not closed: the public record.
const liveStatuses = `('approved', 'active', 'rectifying', 'exit_requested')`
