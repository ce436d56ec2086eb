package demo

import (
	"context"
	"fmt"

	"jianfu"
)

// spec sets the size of the province.
type spec struct {
	cities    int
	counties  [2]int // per city, min and max
	townships [2]int // per county
	villages  [2]int // per township
	// committees is the share of villages that get a committee unit
	// (村民委员会/社区居民委员会); the first of each township always does.
	committees float64
}

func specOf(s Size) (spec, error) {
	switch s {
	case Full:
		return spec{cities: len(cityStems), counties: [2]int{3, 7}, townships: [2]int{6, 12}, villages: [2]int{3, 8}, committees: 0.35}, nil
	case Small:
		return spec{cities: 1, counties: [2]int{2, 2}, townships: [2]int{3, 3}, villages: [2]int{3, 4}, committees: 0.5}, nil
	}
	return spec{}, jianfu.Errorf(jianfu.EINVALID, "演示数据规模“%s”无效,可选 full 或 small", "unknown demo size %q; use full or small", s)
}

// province is 临江省: code 39 is not used by any real province.
var province = jianfu.Region{Code: "390000", Path: "39", Name: "临江省", Level: jianfu.LevelProvince}

// provinceStem is the province's name without its suffix.
var provinceStem = syl{"临江", "linjiang"}

// cityStems are the prefecture-level cities; the first is the capital.
var cityStems = pool(`江州jiangzhou 临川linchuan 青梧qingwu 云岭yunling 丰宁fengning 鹤阳heyang`)

// capitalDistricts are the capital's first districts, named so that the demo
// logins (jiangnan.jianguan, jiangbei.jianguan) read the same every time.
var capitalDistricts = pool(`江南jiangnan 江北jiangbei`)

// world is everything generated so far, for later steps to build on.
type world struct {
	cities  []*city
	regions []*jianfu.Region // top down: province, cities, counties, townships, villages

	units  []*unit          // parents before children
	byRole map[string]*unit // by unitKey(region path, role)
	users  []*user
}

type city struct {
	region   *jianfu.Region
	stem     syl
	capital  bool
	counties []*county
}

// countyKind is the kind of a county-level division.
type countyKind int

const (
	district   countyKind = iota // 市辖区
	county_                      // 县
	countyCity                   // 县级市
)

func (k countyKind) suffix() string { return [...]string{"区", "县", "市"}[k] }

// whole is how a scope over the whole division is said: 全区, 全县, 全市.
func (k countyKind) whole() string { return "全" + k.suffix() }

type county struct {
	region    *jianfu.Region
	city      *city
	stem      syl
	kind      countyKind
	townships []*township
}

// prefix is how unit names begin: districts carry their city's name
// (江州市江南区教育局), counties and county-level cities stand alone
// (青梧县教育局), as in practice.
func (c *county) prefix() string {
	if c.kind == district {
		return c.city.region.Name + c.region.Name
	}
	return c.region.Name
}

// longName is the name with the city, for scopes: 江州市江南区.
func (c *county) longName() string { return c.city.region.Name + c.region.Name }

// townKind is the kind of a township-level division.
type townKind int

const (
	street townKind = iota // 街道
	town                   // 镇
	xiang                  // 乡
)

func (k townKind) suffix() string { return [...]string{"街道", "镇", "乡"}[k] }

type township struct {
	region   *jianfu.Region
	county   *county
	stem     syl
	kind     townKind
	villages []*village
}

type village struct {
	region    *jianfu.Region
	township  *township
	stem      syl
	community bool // 社区 (under a 街道) rather than 村
}

// between draws an integer in [r[0], r[1]].
func (g *gen) between(r [2]int) int { return r[0] + g.rng.IntN(r[1]-r[0]+1) }

// regions plans the division tree and imports it in one call.
func (g *gen) regions(ctx context.Context) error {
	w := &g.w
	prov := province
	w.regions = append(w.regions, &prov)
	used := names{provinceStem.zh: true} // county-level and city stems are unique in the province
	for _, c := range cityStems[:g.spec.cities] {
		used[c.zh] = true
	}
	for i, stem := range cityStems[:g.spec.cities] {
		path := fmt.Sprintf("39%02d", i+1)
		c := &city{stem: stem, capital: i == 0, region: &jianfu.Region{
			Code: jianfu.CodeOfPath(path), Path: path, Name: stem.zh + "市", Level: jianfu.LevelCity, ParentPath: prov.Path}}
		w.cities = append(w.cities, c)
		w.regions = append(w.regions, c.region)
		g.planCounties(c, used)
	}
	for _, c := range w.cities {
		for _, k := range c.counties {
			w.regions = append(w.regions, k.region)
		}
	}
	for _, c := range w.cities {
		for _, k := range c.counties {
			for _, t := range k.townships {
				w.regions = append(w.regions, t.region)
			}
		}
	}
	for _, c := range w.cities {
		for _, k := range c.counties {
			for _, t := range k.townships {
				for _, v := range t.villages {
					w.regions = append(w.regions, v.region)
				}
			}
		}
	}
	if _, err := g.db.Regions().ImportRegions(ctx, w.regions); err != nil {
		return fmt.Errorf("import %d regions: %w", len(w.regions), err)
	}
	for _, r := range w.regions {
		g.sum.Regions[r.Level]++
	}
	return nil
}

// planCounties draws a city's districts, counties and county-level cities
// with GB/T 2260 style codes: districts from 02, counties from 21,
// county-level cities from 81.
func (g *gen) planCounties(c *city, used names) {
	n := g.between(g.spec.counties)
	var kinds []countyKind
	var stems []syl
	if c.capital {
		// The capital has several districts; its first two have fixed names.
		extra := 0
		if g.opts.Size == Full {
			extra = 1 + g.rng.IntN(2)
			n = max(n, len(capitalDistricts)+extra+1)
		}
		for _, s := range capitalDistricts {
			used[s.zh] = true
			kinds, stems = append(kinds, district), append(stems, s)
		}
		for range extra {
			kinds, stems = append(kinds, district), append(stems, used.take(g.rng, placeName))
		}
	} else {
		for range 1 + g.rng.IntN(2) {
			kinds, stems = append(kinds, district), append(stems, used.take(g.rng, placeName))
		}
	}
	hasCity := false
	for len(kinds) < n {
		k := county_
		if !hasCity && g.rng.IntN(3) == 0 {
			k, hasCity = countyCity, true
		}
		kinds, stems = append(kinds, k), append(stems, used.take(g.rng, placeName))
	}
	next := map[countyKind]int{district: 2, county_: 21, countyCity: 81}
	for i, k := range kinds {
		path := fmt.Sprintf("%s%02d", c.region.Path, next[k])
		next[k]++
		cy := &county{city: c, stem: stems[i], kind: k, region: &jianfu.Region{
			Code: path, Path: path, Name: stems[i].zh + k.suffix(), Level: jianfu.LevelCounty, ParentPath: c.region.Path}}
		c.counties = append(c.counties, cy)
		g.planTownships(cy, i == 0 && c.capital)
	}
}

// planTownships draws a county's 街道, 镇 and 乡 with statistical codes:
// 街道 from 001, 镇 from 101, 乡 from 201. Districts are mostly 街道,
// counties mostly 镇. needTown forces at least one 镇 (for the demo's
// township administrator in 江南区).
func (g *gen) planTownships(c *county, needTown bool) {
	n := g.between(g.spec.townships)
	var streets, towns, xiangs int
	switch c.kind {
	case district:
		towns = g.rng.IntN(3)
		if needTown {
			towns = max(towns, 1)
		}
		towns = min(towns, n-1)
		streets = n - towns
	case county_:
		streets = 1 + g.rng.IntN(2)
		xiangs = (n - streets) / 4
		if xiangs > 0 {
			xiangs = g.rng.IntN(xiangs + 1)
		}
		towns = n - streets - xiangs
	case countyCity:
		streets = min(2+g.rng.IntN(3), n-1)
		towns = n - streets
	}
	used := names{}
	add := func(kind townKind, count, first int) {
		for i := range count {
			var stem syl
			switch {
			case kind == street && c.kind == county_ && i == 0 && g.rng.IntN(3) > 0:
				stem = syl{"城关", "chengguan"}
				used[stem.zh] = true
			case kind == street:
				stem = used.take(g.rng, streetName)
			default:
				stem = used.take(g.rng, placeName)
			}
			path := fmt.Sprintf("%s%03d", c.region.Path, first+i)
			t := &township{county: c, stem: stem, kind: kind, region: &jianfu.Region{
				Code: path, Path: path, Name: stem.zh + kind.suffix(), Level: jianfu.LevelTownship, ParentPath: c.region.Path}}
			c.townships = append(c.townships, t)
			g.planVillages(t)
		}
	}
	add(street, streets, 1)
	add(town, towns, 101)
	add(xiang, xiangs, 201)
}

// planVillages draws a township's 社区 (under a 街道, codes from 001) or
// 村 (under a 镇 or 乡, codes from 201).
func (g *gen) planVillages(t *township) {
	n := g.between(g.spec.villages)
	used := names{}
	first, suffix, draw := 201, "村", villageName
	if t.kind == street {
		first, suffix, draw = 1, "社区", communityName
	}
	for i := range n {
		stem := used.take(g.rng, draw)
		path := fmt.Sprintf("%s%03d", t.region.Path, first+i)
		t.villages = append(t.villages, &village{township: t, stem: stem, community: t.kind == street, region: &jianfu.Region{
			Code: path, Path: path, Name: stem.zh + suffix, Level: jianfu.LevelVillage, ParentPath: t.region.Path}})
	}
}
