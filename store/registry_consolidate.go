package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"jianfu"
	"jianfu/namesim"
)

// consolidated is a live channel as the consolidation view reads it.
type consolidated struct {
	jianfu.RelatedChannel
	regionPath string
	text       string
	owner      string
	admins     []string
	filedAt    int64
	temporary  bool
	endDate    string
}

// Consolidate computes the consolidation view (集约) of the caller's scope:
// clusters of near-duplicate channels across units with a merge proposal,
// units with several accounts on one platform, units ranked by channels,
// the people in the most groups, expired temporary groups, apps below
// county level and overdue re-validations.
func (db *DB) Consolidate(ctx context.Context, f jianfu.ConsolidationFilter) (*jianfu.Consolidation, error) {
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
	out := &jianfu.Consolidation{Clusters: []jianfu.DuplicateCluster{}, SamePlatform: []jianfu.SamePlatformGroup{}, Units: []jianfu.UnitChannelCount{},
		People: []jianfu.GroupPerson{}, ExpiredGroups: []*jianfu.Channel{}, BelowCounty: []*jianfu.Channel{}}
	err = db.inTx(ctx, func(tx *Tx) error {
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
				scopeRegion = blockPath(p)
			}
		}
		names, err := tx.regionNames(scopeRegion)
		if err != nil {
			return err
		}
		rows, err := tx.query(`SELECT c.id, c.kind, c.name, c.platform, c.unit_id, COALESCE(u.name, ''), c.status, COALESCE(c.filing_number, ''), c.region_path,
			c.purpose, c.functions, c.owner, c.admins, c.filed_at, c.temporary, c.end_date FROM channels c LEFT JOIN units u ON u.id = c.unit_id`+w.String(), w.args...)
		if err != nil {
			return err
		}
		var all []*consolidated
		for rows.Next() {
			var k consolidated
			var kind, status, purpose, functions, admins string
			var filed sql.NullInt64
			if err := rows.Scan(&k.ID, &kind, &k.Name, &k.Platform, &k.UnitID, &k.UnitName, &status, &k.FilingNumber, &k.regionPath,
				&purpose, &functions, &k.owner, &admins, &filed, &k.temporary, &k.endDate); err != nil {
				rows.Close()
				return err
			}
			k.Kind, k.Status = jianfu.ChannelKind(kind), jianfu.ChannelStatus(status)
			k.text = strings.TrimSpace(purpose + " " + functions)
			json.Unmarshal([]byte(admins), &k.admins)
			k.filedAt = filed.Int64
			all = append(all, &k)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		out.Channels = len(all)
		consolidateDuplicates(out, all, names, settings, f.Limit)
		consolidateSprawl(out, all, settings, f.Limit, a.System || a.HasAny(jianfu.RoleSupervisor, jianfu.RoleReviewer))
		today := tx.now.In(jianfu.China).Format("2006-01-02")
		for _, k := range all {
			if k.Kind == jianfu.KindGroup && k.temporary && k.endDate != "" && k.endDate < today && len(out.ExpiredGroups) < f.Limit {
				out.ExpiredGroups = append(out.ExpiredGroups, brief(k))
			}
			if k.Kind == jianfu.KindApp && len(k.regionPath) > 6 && len(out.BelowCounty) < f.Limit {
				out.BelowCounty = append(out.BelowCounty, brief(k))
			}
		}
		var ow where
		ow.channelScope(a)
		ow.regionLevel(f.RegionPath)
		ow.add("c.revalidate_due_at < ?", ms(tx.now))
		if err := tx.queryRow(`SELECT COUNT(*) FROM channels c`+ow.String(), ow.args...).Scan(&out.Overdue); err != nil {
			return err
		}
		return tx.audit("registry.consolidate", "channel", "", a.RegionPath, fmt.Sprintf("region %q: %d channels, %d clusters", f.RegionPath, out.Channels, len(out.Clusters)+out.MoreClusters))
	})
	if err != nil {
		return nil, err
	}
	out.Took = time.Since(start)
	return out, nil
}

func brief(k *consolidated) *jianfu.Channel {
	return &jianfu.Channel{ID: k.ID, Kind: k.Kind, Name: k.Name, Platform: k.Platform, UnitID: k.UnitID, UnitName: k.UnitName,
		Status: k.Status, FilingNumber: k.FilingNumber, RegionPath: k.regionPath, Temporary: k.temporary, EndDate: k.endDate}
}

// consolidateDuplicates clusters near-duplicate names and purposes.
func consolidateDuplicates(out *jianfu.Consolidation, all []*consolidated, names map[string]string, settings map[string]*jianfu.RuleSetting, limit int) {
	var pairs []namesim.Pair
	if s := settings[jianfu.RuleNameDuplicate]; s != nil && s.Enabled {
		items := make([]namesim.Item, len(all))
		for i, k := range all {
			if k.Kind == jianfu.KindGroup {
				continue // every school has its 家长群: groups are compared within a unit
			}
			items[i] = namesim.Item{Key: namesim.Normalize(k.Name, regionChain(names, k.regionPath)...), Block: string(k.Kind) + "/" + blockPath(k.regionPath), Group: k.UnitID}
		}
		pairs = append(pairs, namesim.AllPairs(items, float64(s.Threshold)/100)...)
	}
	if s := settings[jianfu.RulePurposeDuplicate]; s != nil && s.Enabled {
		items := make([]namesim.Item, len(all))
		for i, k := range all {
			key := namesim.Fold(k.text)
			if len([]rune(key)) < 4 || k.Kind == jianfu.KindGroup {
				key = ""
			}
			items[i] = namesim.Item{Key: key, Block: string(k.Kind) + "/" + blockPath(k.regionPath), Group: k.UnitID}
		}
		pairs = append(pairs, namesim.AllPairs(items, float64(s.Threshold)/100)...)
	}
	minSim := map[int]float64{}
	groups := namesim.Clusters(len(all), pairs)
	root := map[int]int{}
	for gi, g := range groups {
		for _, x := range g {
			root[x] = gi
		}
	}
	for _, p := range pairs {
		gi := root[p.A]
		if s, ok := minSim[gi]; !ok || p.Sim < s {
			minSim[gi] = p.Sim
		}
	}
	for gi, g := range groups {
		if gi >= limit {
			out.MoreClusters = len(groups) - limit
			break
		}
		members := make([]*consolidated, len(g))
		for i, x := range g {
			members[i] = all[x]
		}
		// Keep the channel of the highest unit (a county's over a
		// township's), then the one filed first.
		sort.SliceStable(members, func(i, j int) bool {
			a, b := members[i], members[j]
			if len(a.regionPath) != len(b.regionPath) {
				return len(a.regionPath) < len(b.regionPath)
			}
			if a.filedAt != b.filedAt {
				return a.filedAt < b.filedAt
			}
			return a.ID < b.ID
		})
		c := jianfu.DuplicateCluster{Kind: members[0].Kind, RegionPath: blockPath(members[0].regionPath), Similarity: pct(minSim[gi]), Keep: members[0].RelatedChannel}
		for _, m := range members[1:] {
			c.Merge = append(c.Merge, m.RelatedChannel)
		}
		if len(members[1].regionPath) > len(members[0].regionPath) {
			c.Reason = "保留层级较高单位“" + members[0].UnitName + "”的渠道,其余并入"
		} else {
			c.Reason = "保留最早备案的渠道,其余并入"
		}
		out.Clusters = append(out.Clusters, c)
	}
}

// consolidateSprawl ranks units and people and finds units with several
// accounts on one platform.
func consolidateSprawl(out *jianfu.Consolidation, all []*consolidated, settings map[string]*jianfu.RuleSetting, limit int, personal bool) {
	perUnit := map[int64]*jianfu.UnitChannelCount{}
	type up struct {
		unit     int64
		platform string
	}
	samePlatform := map[up][]*consolidated{}
	type person struct {
		groups int
		units  map[int64]bool
	}
	people := map[string]*person{}
	for _, k := range all {
		u := perUnit[k.UnitID]
		if u == nil {
			u = &jianfu.UnitChannelCount{UnitID: k.UnitID, UnitName: k.UnitName}
			perUnit[k.UnitID] = u
		}
		u.Total++
		switch k.Kind {
		case jianfu.KindApp:
			u.Apps++
		case jianfu.KindAccount:
			u.Accounts++
			key := up{k.UnitID, k.Platform}
			samePlatform[key] = append(samePlatform[key], k)
		case jianfu.KindGroup:
			u.Groups++
			seen := map[string]bool{}
			for _, p := range append([]string{k.owner}, k.admins...) {
				if p = strings.TrimSpace(p); p == "" || seen[p] {
					continue
				}
				seen[p] = true
				pp := people[p]
				if pp == nil {
					pp = &person{units: map[int64]bool{}}
					people[p] = pp
				}
				pp.groups++
				pp.units[k.UnitID] = true
			}
		}
	}
	for _, u := range perUnit {
		out.Units = append(out.Units, *u)
	}
	sort.Slice(out.Units, func(i, j int) bool {
		if out.Units[i].Total != out.Units[j].Total {
			return out.Units[i].Total > out.Units[j].Total
		}
		return out.Units[i].UnitID < out.Units[j].UnitID
	})
	if n := min(limit, 15); len(out.Units) > n {
		out.Units = out.Units[:n]
	}
	if s := settings[jianfu.RuleAccountPerPlatform]; s != nil && s.Enabled {
		for key, ks := range samePlatform {
			if len(ks) > s.Threshold {
				g := jianfu.SamePlatformGroup{UnitID: key.unit, UnitName: ks[0].UnitName, Platform: key.platform}
				for _, k := range ks {
					g.Channels = append(g.Channels, k.RelatedChannel)
				}
				out.SamePlatform = append(out.SamePlatform, g)
			}
		}
		sort.Slice(out.SamePlatform, func(i, j int) bool {
			a, b := out.SamePlatform[i], out.SamePlatform[j]
			if len(a.Channels) != len(b.Channels) {
				return len(a.Channels) > len(b.Channels)
			}
			return a.UnitID < b.UnitID || a.UnitID == b.UnitID && a.Platform < b.Platform
		})
		if len(out.SamePlatform) > limit {
			out.SamePlatform = out.SamePlatform[:limit]
		}
	}
	out.PersonMax = 5
	if s := settings[jianfu.RuleGroupPersonMax]; s != nil {
		out.PersonMax = s.Threshold
	}
	for name, p := range people {
		if p.groups > 1 {
			out.People = append(out.People, jianfu.GroupPerson{Name: name, Groups: p.groups, Units: len(p.units)})
		}
	}
	sort.Slice(out.People, func(i, j int) bool {
		if out.People[i].Groups != out.People[j].Groups {
			return out.People[i].Groups > out.People[j].Groups
		}
		return out.People[i].Name < out.People[j].Name
	})
	if n := min(limit, 15); len(out.People) > n {
		out.People = out.People[:n]
	}
	if !personal {
		for i := range out.People {
			out.People[i].Name = jianfu.MaskName(out.People[i].Name)
		}
	}
}
