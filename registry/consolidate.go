package registry

import (
	"sort"
	"strings"

	"jianfu"
	"jianfu/textsim"
)

// Consolidate computes the consolidation view (集约): clusters of
// near-duplicate channels across units with a merge proposal, units with
// several accounts on one platform, units ranked by channels, the people
// in the most groups, expired temporary groups and apps below county
// level. Overdue re-validations are the store's to count.
func (Rules) Consolidate(in *jianfu.ConsolidationInput) *jianfu.Consolidation {
	out := &jianfu.Consolidation{Channels: len(in.Channels), Clusters: []jianfu.DuplicateCluster{}, SamePlatform: []jianfu.SamePlatformGroup{}, Units: []jianfu.UnitChannelCount{},
		People: []jianfu.GroupPerson{}, ExpiredGroups: []*jianfu.Channel{}, BelowCounty: []*jianfu.Channel{}}
	limit := in.Limit
	if limit <= 0 {
		limit = 50
	}
	duplicates(out, in, limit)
	sprawl(out, in, limit)
	for _, k := range in.Channels {
		if k.Kind == jianfu.KindGroup && k.Temporary && k.EndDate != "" && k.EndDate < in.Today && len(out.ExpiredGroups) < limit {
			out.ExpiredGroups = append(out.ExpiredGroups, brief(k))
		}
		if k.Kind == jianfu.KindApp && len(k.RegionPath) > 6 && len(out.BelowCounty) < limit {
			out.BelowCounty = append(out.BelowCounty, brief(k))
		}
	}
	return out
}

func brief(k *jianfu.ChannelFacts) *jianfu.Channel {
	return &jianfu.Channel{ID: k.ID, Kind: k.Kind, Name: k.Name, Platform: k.Platform, UnitID: k.UnitID, UnitName: k.UnitName,
		Status: k.Status, FilingNumber: k.FilingNumber, RegionPath: k.RegionPath, Temporary: k.Temporary, EndDate: k.EndDate}
}

// duplicates clusters near-duplicate names and purposes.
func duplicates(out *jianfu.Consolidation, in *jianfu.ConsolidationInput, limit int) {
	all := in.Channels
	var pairs []textsim.Pair
	if s := in.Settings[jianfu.RuleNameDuplicate]; s != nil && s.Enabled {
		items := make([]textsim.Item, len(all))
		for i, k := range all {
			if k.Kind == jianfu.KindGroup {
				continue // every school has its 家长群: groups are compared within a unit
			}
			items[i] = textsim.Item{Key: textsim.Normalize(k.Name, regionChain(in.RegionNames, k.RegionPath)...), Block: string(k.Kind) + "/" + jianfu.CountyPath(k.RegionPath), Group: k.UnitID}
		}
		pairs = append(pairs, textsim.AllPairs(items, float64(s.Threshold)/100)...)
	}
	if s := in.Settings[jianfu.RulePurposeDuplicate]; s != nil && s.Enabled {
		items := make([]textsim.Item, len(all))
		for i, k := range all {
			key := textsim.Fold(k.Text)
			if len([]rune(key)) < 4 || k.Kind == jianfu.KindGroup {
				key = ""
			}
			items[i] = textsim.Item{Key: key, Block: string(k.Kind) + "/" + jianfu.CountyPath(k.RegionPath), Group: k.UnitID}
		}
		pairs = append(pairs, textsim.AllPairs(items, float64(s.Threshold)/100)...)
	}
	// Names told apart by a number (一中 and 二中, 1年级 and 5年级) are
	// two things, however alike the rest.
	kept := pairs[:0]
	for _, p := range pairs {
		if !textsim.Distinct(all[p.A].Name, all[p.B].Name) {
			kept = append(kept, p)
		}
	}
	pairs = kept
	minSim := map[int]float64{}
	groups := textsim.Clusters(len(all), pairs)
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
		members := make([]*jianfu.ChannelFacts, len(g))
		for i, x := range g {
			members[i] = all[x]
		}
		out.Clusters = append(out.Clusters, proposal(members, pct(minSim[gi])))
		continue
	}
}

// proposal says what to do with a cluster of near-duplicate channels.
// One unit's own duplicates: keep the channel filed first. A unit above the
// others (a county bureau over its schools, or one whose unit contains
// theirs): keep its channel. Peers — five schools, three townships — are
// never merged into one of them: their competent department (主管部门)
// should build the one channel they need, or, without a common one, nothing
// is proposed but a check for duplicated building.
func proposal(members []*jianfu.ChannelFacts, similarity int) jianfu.DuplicateCluster {
	sort.SliceStable(members, func(i, j int) bool {
		a, b := members[i], members[j]
		if len(a.RegionPath) != len(b.RegionPath) {
			return len(a.RegionPath) < len(b.RegionPath)
		}
		if !a.FiledAt.Equal(b.FiledAt) {
			return a.FiledAt.Before(b.FiledAt)
		}
		return a.ID < b.ID
	})
	c := jianfu.DuplicateCluster{Kind: members[0].Kind, RegionPath: jianfu.CountyPath(members[0].RegionPath), Similarity: similarity}
	keep := func(k *jianfu.ChannelFacts, reason string) jianfu.DuplicateCluster {
		c.Keep, c.Reason = k.RelatedChannel, reason
		for _, m := range members {
			if m != k {
				c.Merge = append(c.Merge, m.RelatedChannel)
			}
		}
		return c
	}
	sameUnit, parent := true, members[0].ParentID
	for _, m := range members[1:] {
		sameUnit = sameUnit && m.UnitID == members[0].UnitID
		if m.ParentID != parent {
			parent = 0
		}
	}
	if sameUnit {
		return keep(members[0], "同一单位的重复渠道:保留最早备案的,其余并入")
	}
	for _, top := range members {
		above := true
		for _, m := range members {
			if m.UnitID != top.UnitID && !unitAbove(top, m) {
				above = false
				break
			}
		}
		if above {
			return keep(top, "保留上级单位“"+top.UnitName+"”的渠道,其余并入")
		}
	}
	for _, m := range members {
		c.Merge = append(c.Merge, m.RelatedChannel)
	}
	if parent != 0 {
		c.CompetentID, c.CompetentName = parent, members[0].ParentName
		c.Reason = "各渠道分属同级单位,不宜并入其中一家;建议由主管部门“" + members[0].ParentName + "”统筹,整合为一个渠道"
		return c
	}
	c.Reason = "各渠道分属同级单位且无共同主管部门,不提出合并建议;请核实是否重复建设"
	return c
}

// unitAbove reports whether a's unit stands above b's: it contains b's
// unit, or it sits at a higher region level.
func unitAbove(a, b *jianfu.ChannelFacts) bool {
	if a.UnitPath != "" && b.UnitPath != a.UnitPath && strings.HasPrefix(b.UnitPath, a.UnitPath) {
		return true
	}
	return len(a.RegionPath) < len(b.RegionPath)
}

// sprawl ranks units and people and finds units with several accounts on
// one platform.
func sprawl(out *jianfu.Consolidation, in *jianfu.ConsolidationInput, limit int) {
	perUnit := map[int64]*jianfu.UnitChannelCount{}
	type up struct {
		unit     int64
		platform string
	}
	samePlatform := map[up][]*jianfu.ChannelFacts{}
	type person struct {
		groups int
		units  map[int64]bool
	}
	people := map[string]*person{}
	for _, k := range in.Channels {
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
			for _, p := range append([]string{k.Owner}, k.Admins...) {
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
	if s := in.Settings[jianfu.RuleAccountPerPlatform]; s != nil && s.Enabled {
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
	if s := in.Settings[jianfu.RuleGroupPersonMax]; s != nil {
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
	if !in.Personal {
		for i := range out.People {
			out.People[i].Name = jianfu.MaskName(out.People[i].Name)
		}
	}
}
