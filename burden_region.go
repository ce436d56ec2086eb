package jianfu

import (
	"math"
	"sort"
)

// Burden by region (各市、各县负担指数): a province office reads its cities,
// a city its counties, a county its townships, each with one index, how
// its groups spread over the bands and the trend.

// BurdenLevels are the bands of the index, lightest first (BurdenLevel).
var BurdenLevels = []string{"low", "medium", "elevated", "high"}

// BurdenLevelName names a band in Chinese: 低, 中, 较高, 高.
func BurdenLevelName(level string) string {
	return map[string]string{"low": "低", "medium": "中", "elevated": "较高", "high": "高"}[level]
}

// RegionBurden is the burden of the work groups of one region.
type RegionBurden struct {
	RegionPath string `json:"region_path"`
	Name       string `json:"name"`
	// Own is set on the row of the parent region's own units (市本级,
	// 县本级): groups registered directly at the parent's level.
	Own      bool `json:"own,omitempty"`
	Groups   int  `json:"groups"` // groups with messages in the window
	Units    int  `json:"units"`
	Members  int  `json:"members"`
	Messages int  `json:"messages"`
	Demands  int  `json:"demands"`
	// Index is the mean of the groups' indexes weighted by members ×
	// messages: a busy group of 300 weighs more than a quiet one of 5.
	Index float64 `json:"index"`
	Level string  `json:"level"`
	// Bands counts the groups in each band of BurdenLevels.
	Bands [4]int `json:"bands"`
	// Trend is the weekly index, weighted the same way, oldest first.
	Trend []float64 `json:"trend,omitempty"`
}

// BandShare is the share of groups in band i, in percent.
func (r *RegionBurden) BandShare(i int) float64 {
	if r.Groups == 0 {
		return 0
	}
	return float64(r.Bands[i]) * 100 / float64(r.Groups)
}

// RegionWeight is how much a group weighs in its region's index.
func RegionWeight(m BurdenMetrics) float64 { return float64(max(m.Members, 1)) * float64(m.Messages) }

// RegionRows rolls the groups of a region (parent, a short path) up to its
// child regions, one row per child with groups, the heaviest first, and
// one row for groups registered at the parent's own level. names gives
// each child's name; own names the parent's row (e.g. "市本级"). The
// groups' trends, when filled, roll up into the regions' trends.
func RegionRows(groups []*BurdenRow, parent string, names map[string]string, own string) []*RegionBurden {
	n := ChildPathLen(parent)
	byPath := map[string]*RegionBurden{}
	units := map[string]map[int64]bool{}
	type acc struct {
		weighted, weight float64
		trend            []float64
		trendWeight      []float64
	}
	sums := map[string]*acc{}
	var out []*RegionBurden
	for _, g := range groups {
		path, isOwn := parent, true
		if n > 0 && len(g.RegionPath) >= n {
			path, isOwn = g.RegionPath[:n], false
		}
		r := byPath[path]
		if r == nil {
			name := names[path]
			if isOwn {
				name = own
			}
			r = &RegionBurden{RegionPath: path, Name: name, Own: isOwn}
			byPath[path], units[path], sums[path] = r, map[int64]bool{}, &acc{}
			out = append(out, r)
		}
		r.Groups++
		units[path][g.UnitID] = true
		r.Members += g.Metrics.Members
		r.Messages += g.Metrics.Messages
		r.Demands += g.Metrics.Demands
		for i, l := range BurdenLevels {
			if g.Level == l {
				r.Bands[i]++
			}
		}
		a, w := sums[path], RegionWeight(g.Metrics)
		a.weighted += g.Index.Value * w
		a.weight += w
		if len(g.Trend) > 0 {
			if a.trend == nil {
				a.trend, a.trendWeight = make([]float64, len(g.Trend)), make([]float64, len(g.Trend))
			}
			for i := 0; i < len(g.Trend) && i < len(a.trend); i++ {
				a.trend[i] += g.Trend[i] * w
				a.trendWeight[i] += w
			}
		}
	}
	for _, r := range out {
		a := sums[r.RegionPath]
		r.Units = len(units[r.RegionPath])
		if a.weight > 0 {
			r.Index = math.Round(a.weighted/a.weight*10) / 10
		}
		r.Level = BurdenLevel(r.Index)
		for i := range a.trend {
			v := 0.0
			if a.trendWeight[i] > 0 {
				v = math.Round(a.trend[i]/a.trendWeight[i]*10) / 10
			}
			r.Trend = append(r.Trend, v)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Index != out[j].Index {
			return out[i].Index > out[j].Index
		}
		return out[i].RegionPath < out[j].RegionPath
	})
	return out
}

// OwnLevelName names the row of a region's own units beside its children:
// 省本级, 市本级, 县(区)本级, 乡镇(街道)本级.
func OwnLevelName(path string) string {
	switch len(path) {
	case 0:
		return "中央和国家机关"
	case 2:
		return "省本级"
	case 4:
		return "市本级"
	case 6:
		return "县(区)本级"
	}
	return "乡镇(街道)本级"
}
