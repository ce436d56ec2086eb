package jianfu

import (
	"math"
	"sort"
	"strings"
)

// Score sets a row's burden index and level from its metrics.
func (r *BurdenRow) Score() {
	r.Index = r.Metrics.Index()
	r.Level = BurdenLevel(r.Index.Value)
}

// UnitRows sums group rows into one row per unit owning them, in the order
// the units first appear: a unit's index is the same formula over the sums
// of its groups.
func UnitRows(groups []*BurdenRow) []*BurdenRow {
	byUnit := map[int64]*BurdenRow{}
	var out []*BurdenRow
	for _, g := range groups {
		u := byUnit[g.UnitID]
		if u == nil {
			u = &BurdenRow{Kind: "unit", ID: g.UnitID, Name: g.UnitName, UnitID: g.UnitID, UnitName: g.UnitName,
				RegionPath: g.RegionPath, Metrics: BurdenMetrics{ByCategory: map[string]int{}}}
			byUnit[g.UnitID] = u
			out = append(out, u)
		}
		u.Groups++
		u.Metrics.Add(g.Metrics)
	}
	for _, u := range out {
		u.Score()
	}
	return out
}

// SortBurdenRows orders a ranking by key: index (the default), demands,
// messages, offhours (share), load (messages per member per day),
// assessed, mention_all or name; "-key" is descending, and without a key
// the highest index comes first. Ties go by id, so pages are stable.
func SortBurdenRows(rows []*BurdenRow, key string) {
	if key == "" {
		key = "-index"
	}
	desc := strings.HasPrefix(key, "-")
	key = strings.TrimPrefix(key, "-")
	val := func(r *BurdenRow) float64 {
		switch key {
		case "demands":
			return float64(r.Metrics.Demands)
		case "messages":
			return float64(r.Metrics.Messages)
		case "offhours":
			return r.Metrics.OffhoursShare()
		case "load":
			return r.Metrics.PerMemberDay()
		case "assessed":
			return float64(r.Metrics.Assessed)
		case "mention_all":
			return float64(r.Metrics.MentionAll)
		}
		return r.Index.Value
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if key == "name" {
			if a.Name != b.Name {
				return (a.Name < b.Name) != desc
			}
			return a.ID < b.ID
		}
		va, vb := val(a), val(b)
		if va != vb {
			return (va < vb) != desc
		}
		return a.ID < b.ID
	})
}

// SummarizeBurden sums the group rows of a window: groups, units, the
// metrics, the groups by level and their mean index (to one decimal).
func SummarizeBurden(groups []*BurdenRow, since, until int) *BurdenSummary {
	out := &BurdenSummary{Groups: len(groups), Levels: map[string]int{}, Since: since, Until: until,
		Metrics: BurdenMetrics{ByCategory: map[string]int{}}}
	units := map[int64]bool{}
	for _, g := range groups {
		units[g.UnitID] = true
		out.Metrics.Add(g.Metrics)
		out.Levels[g.Level]++
		out.Mean += g.Index.Value
	}
	out.Units = len(units)
	if len(groups) > 0 {
		out.Mean = math.Round(out.Mean/float64(len(groups))*10) / 10
	}
	return out
}

// RiseBaseline is the window a unit's burden since start is compared with:
// the 30 days before start.
func RiseBaseline(start int) (since, until int) {
	return AddDays(start, -BurdenWindowDays), AddDays(start, -1)
}

// BurdenRisen reports whether a unit's burden index after a rectification
// is clearly above its baseline (反弹回潮): at least 20, and five points
// or more higher.
func BurdenRisen(before, after float64) bool {
	return after >= 20 && after >= before+5
}
