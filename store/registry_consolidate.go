package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"jianfu"
)

// Consolidate computes the consolidation view (集约) of the caller's scope:
// clusters of near-duplicate channels across units with a merge proposal,
// units with several accounts on one platform, units ranked by channels,
// the people in the most groups, expired temporary groups, apps below
// county level and overdue re-validations.
func (s *Registry) Consolidate(ctx context.Context, f jianfu.ConsolidationFilter) (*jianfu.Consolidation, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if f.Limit <= 0 {
		f.Limit = 50
	}
	var w where
	w.channelScope(a)
	w.regionLevel(f.RegionPath)
	if f.Kind != "" {
		if !f.Kind.Valid() {
			return nil, jianfu.Errorf(jianfu.EINVALID, "渠道类型“%s”无效", "unknown kind %q", f.Kind)
		}
		w.add("c.kind = ?", string(f.Kind))
	}
	w.add("c.status IN " + liveStatuses)
	rules, err := s.db.registryRules()
	if err != nil {
		return nil, err
	}
	var out *jianfu.Consolidation
	err = s.db.inTx(ctx, func(tx *Tx) error {
		settings, err := tx.ruleSettings()
		if err != nil {
			return err
		}
		scopeRegion := f.RegionPath
		if scopeRegion == "" && !a.System && a.RegionWide() {
			scopeRegion = a.RegionPath
		}
		if scopeRegion == "" && !a.System && !a.RegionWide() {
			var p string
			if err := tx.queryRow(`SELECT region_path FROM units WHERE id = ?`, a.UnitID).Scan(&p); err == nil {
				scopeRegion = jianfu.CountyPath(p)
			}
		}
		names, err := tx.regionNames(scopeRegion)
		if err != nil {
			return err
		}
		rows, err := tx.query(`SELECT c.id, c.kind, c.name, c.platform, c.unit_id, COALESCE(u.name, ''), c.status, COALESCE(c.filing_number, ''), c.region_path,
			c.purpose, c.functions, c.owner, c.admins, c.filed_at, c.temporary, c.end_date, COALESCE(u.path, ''), COALESCE(p.id, 0), COALESCE(p.name, '')
			FROM channels c LEFT JOIN units u ON u.id = c.unit_id LEFT JOIN units p ON p.id = u.parent_id`+w.String(), w.args...)
		if err != nil {
			return err
		}
		var all []*jianfu.ChannelFacts
		for rows.Next() {
			var k jianfu.ChannelFacts
			var kind, status, purpose, functions, admins string
			var filed sql.NullInt64
			if err := rows.Scan(&k.ID, &kind, &k.Name, &k.Platform, &k.UnitID, &k.UnitName, &status, &k.FilingNumber, &k.RegionPath,
				&purpose, &functions, &k.Owner, &admins, &filed, &k.Temporary, &k.EndDate, &k.UnitPath, &k.ParentID, &k.ParentName); err != nil {
				rows.Close()
				return err
			}
			k.Kind, k.Status = jianfu.ChannelKind(kind), jianfu.ChannelStatus(status)
			k.Text = strings.TrimSpace(purpose + " " + functions)
			json.Unmarshal([]byte(admins), &k.Admins)
			if filed.Valid {
				k.FiledAt = fromMS(filed.Int64)
			}
			all = append(all, &k)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		out = rules.Consolidate(&jianfu.ConsolidationInput{Settings: settings, RegionNames: names, Channels: all, Limit: f.Limit,
			Personal: a.SeesPeople(), Today: jianfu.DateOf(tx.now)})
		var ow where
		ow.channelScope(a)
		ow.regionLevel(f.RegionPath)
		ow.add("c.revalidate_due_at < ?", ms(tx.now))
		if err := tx.queryRow(`SELECT COUNT(*) FROM channels c`+ow.String(), ow.args...).Scan(&out.Overdue); err != nil {
			return err
		}
		return tx.audit("registry.consolidate", "channel", "", a.RegionPath, fmt.Sprintf("%d个渠道,%d组相近", out.Channels, len(out.Clusters)+out.MoreClusters))
	})
	if err != nil {
		return nil, err
	}
	out.Took = time.Since(start)
	return out, nil
}
