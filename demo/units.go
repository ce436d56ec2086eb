package demo

import (
	"context"
	"fmt"

	"jianfu"
)

// unitKind says what a demo unit is, so later steps can pick units by role
// (the 网信办 that reviews, the 教育局 that runs a work group, a school).
type unitKind string

const (
	kindCAC         unitKind = "cac"          // 网信办: the supervisors' office
	kindPartyOffice unitKind = "party_office" // 党委办公厅(室)
	kindGovOffice   unitKind = "gov_office"   // 政府办公厅(室)
	kindDept        unitKind = "dept"         // 厅、局、委: a government department
	kindPeopleOrg   unitKind = "people_org"   // 共青团、妇联、工会
	kindInstitution unitKind = "institution"  // 大数据中心 and other public institutions
	kindEnterprise  unitKind = "enterprise"   // 国有企业
	kindSchool      unitKind = "school"
	kindHospital    unitKind = "hospital"
	kindTownParty   unitKind = "town_party" // 乡镇党委、街道党工委
	kindTownGov     unitKind = "town_gov"   // 乡镇人民政府、街道办事处
	kindCommittee   unitKind = "committee"  // 村民委员会、社区居民委员会
)

// unit is a demo unit with where it sits in the demo world. Unit.ID and
// Unit.Path are set once the unit is written.
type unit struct {
	jianfu.Unit
	kind     unitKind
	dept     string // for kindDept: edu, health, agri, civil, hr, emergency, police, sasac
	parent   *unit
	county   *county   // nil above county level
	township *township // set for township units and the schools, clinics and committees in a township
	village  *village  // set for committees
}

// deptDef is a government department and its name at each level.
type deptDef struct {
	key      string
	province string // name after 临江省
	city     string // name after 江州市
	county   string // name after the county prefix; "" when the county has none
}

var depts = []deptDef{
	{"edu", "教育厅", "教育局", "教育局"},
	{"health", "卫生健康委员会", "卫生健康委员会", "卫生健康局"},
	{"agri", "农业农村厅", "农业农村局", "农业农村局"},
	{"civil", "民政厅", "民政局", "民政局"},
	{"hr", "人力资源和社会保障厅", "人力资源和社会保障局", "人力资源和社会保障局"},
	{"emergency", "应急管理厅", "应急管理局", "应急管理局"},
	{"police", "公安厅", "公安局", ""},
	{"sasac", "人民政府国有资产监督管理委员会", "", ""},
}

// peopleOrgs are the people's organisations of province and city; each
// city's reports to the province's.
var peopleOrgs = []struct{ key, before, after string }{
	{"youth", "共青团", "委员会"}, // 共青团临江省委员会 (团省委)
	{"women", "", "妇女联合会"},
	{"union", "", "总工会"},
}

// unitKey indexes units by region and role: "3901/cac", "390102/edu".
func unitKey(regionPath, role string) string { return regionPath + "/" + role }

// find returns the unit with the given region and role, nil when none.
func (w *world) find(regionPath, role string) *unit { return w.byRole[unitKey(regionPath, role)] }

// units plans the unit tree along real reporting lines and writes it in one
// transaction: the 网信办 chain province → city → county; party committees'
// offices down to the township party committees; government offices, their
// departments, and the schools and hospitals under 教育局 and 卫生健康局;
// township governments with a sample of their village committees.
func (g *gen) units(ctx context.Context) error {
	p := &planner{g: g, bodies: map[string]bool{}, siblings: map[*unit]names{}}
	g.w.byRole = map[string]*unit{}
	pp := province.Path
	p.add(nil, "cac", kindCAC, jianfu.UnitParty, pp, "中共临江省委网络安全和信息化委员会办公室")
	p.add(nil, "party", kindPartyOffice, jianfu.UnitParty, pp, "中共临江省委办公厅")
	gov := p.add(nil, "gov", kindGovOffice, jianfu.UnitGovernment, pp, "临江省人民政府办公厅")
	for _, d := range depts {
		p.add(gov, d.key, kindDept, jianfu.UnitGovernment, pp, province.Name+d.province).dept = d.key
	}
	p.add(gov, "data", kindInstitution, jianfu.UnitInstitution, pp, "临江省大数据中心")
	p.add(g.w.find(pp, "sasac"), "transport", kindEnterprise, jianfu.UnitEnterprise, pp, "临江省交通投资集团有限公司")
	p.add(g.w.find(pp, "sasac"), "energy", kindEnterprise, jianfu.UnitEnterprise, pp, "临江省能源集团有限公司")
	for _, o := range peopleOrgs {
		p.add(nil, o.key, kindPeopleOrg, jianfu.UnitPeopleOrg, pp, o.before+province.Name+o.after)
	}

	for _, c := range g.w.cities {
		cp, name := c.region.Path, c.region.Name
		p.add(g.w.find(pp, "cac"), "cac", kindCAC, jianfu.UnitParty, cp, "中共"+name+"委网络安全和信息化委员会办公室")
		p.add(g.w.find(pp, "party"), "party", kindPartyOffice, jianfu.UnitParty, cp, "中共"+name+"委办公室")
		cgov := p.add(g.w.find(pp, "gov"), "gov", kindGovOffice, jianfu.UnitGovernment, cp, name+"人民政府办公室")
		for _, d := range depts {
			if d.city != "" {
				p.add(cgov, d.key, kindDept, jianfu.UnitGovernment, cp, name+d.city).dept = d.key
			}
		}
		for _, o := range peopleOrgs {
			p.add(g.w.find(pp, o.key), o.key, kindPeopleOrg, jianfu.UnitPeopleOrg, cp, o.before+name+o.after)
		}
		p.add(g.w.find(cp, "edu"), "school1", kindSchool, jianfu.UnitInstitution, cp, name+"第一中学")
		p.add(g.w.find(cp, "health"), "hospital1", kindHospital, jianfu.UnitInstitution, cp, name+"第一人民医院")
		p.add(cgov, "invest", kindEnterprise, jianfu.UnitEnterprise, cp, name+"城市建设投资集团有限公司")
	}

	for _, c := range g.w.cities {
		for _, k := range c.counties {
			g.countyUnits(p, k)
		}
	}
	for _, c := range g.w.cities {
		for _, k := range c.counties {
			for _, t := range k.townships {
				g.townshipUnits(p, t)
			}
		}
	}
	for _, c := range g.w.cities {
		for _, k := range c.counties {
			for _, t := range k.townships {
				g.committees(p, t)
			}
		}
	}
	return g.writeUnits(ctx)
}

// countyUnits adds a county's offices, departments, schools and hospitals.
func (g *gen) countyUnits(p *planner, k *county) {
	cp, kp, pre := k.city.region.Path, k.region.Path, k.prefix()
	committee := "中共" + pre + "委" // 中共江州市江南区委, 中共青梧县委
	p.add(g.w.find(cp, "cac"), "cac", kindCAC, jianfu.UnitParty, kp, committee+"网络安全和信息化委员会办公室").county = k
	p.add(g.w.find(cp, "party"), "party", kindPartyOffice, jianfu.UnitParty, kp, committee+"办公室").county = k
	gov := p.add(g.w.find(cp, "gov"), "gov", kindGovOffice, jianfu.UnitGovernment, kp, pre+"人民政府办公室")
	gov.county = k
	for _, d := range depts {
		if d.county != "" {
			u := p.add(gov, d.key, kindDept, jianfu.UnitGovernment, kp, pre+d.county)
			u.dept, u.county = d.key, k
		}
	}
	edu, health := g.w.find(kp, "edu"), g.w.find(kp, "health")
	var schools []string
	if k.kind == district {
		schools = []string{"实验小学", "第一中学"}
		if g.rng.IntN(2) == 0 {
			schools = append(schools, "第二中学")
		}
	} else {
		schools = []string{"第一中学", "实验小学"}
		if g.rng.IntN(2) == 0 {
			schools = append(schools, "职业中等专业学校")
		}
	}
	for i, s := range schools {
		p.add(edu, fmt.Sprintf("school%d", i+1), kindSchool, jianfu.UnitInstitution, kp, pre+s).county = k
	}
	hospitals := []string{"人民医院"}
	if k.kind != district && g.rng.IntN(2) == 0 {
		hospitals = append(hospitals, "中医医院")
	}
	for i, h := range hospitals {
		p.add(health, fmt.Sprintf("hospital%d", i+1), kindHospital, jianfu.UnitInstitution, kp, pre+h).county = k
	}
	// Schools and clinics in some townships: 中心小学 and 卫生院 in 镇 and 乡,
	// a school and a 社区卫生服务中心 in 街道.
	for _, t := range k.townships {
		tp, tn := t.region.Path, pre+t.region.Name
		if g.rng.Float64() < 0.3 {
			name := tn + "中心小学"
			if t.kind == street {
				name = pre + t.stem.zh + "小学"
			}
			u := p.add(edu, "school", kindSchool, jianfu.UnitInstitution, tp, name)
			u.county, u.township = k, t
		}
		if g.rng.Float64() < 0.3 {
			name := tn + "卫生院"
			if t.kind == street {
				name = tn + "社区卫生服务中心"
			}
			u := p.add(health, "clinic", kindHospital, jianfu.UnitInstitution, tp, name)
			u.county, u.township = k, t
		}
	}
}

// townshipUnits adds a township's party committee and government.
func (g *gen) townshipUnits(p *planner, t *township) {
	k := t.county
	kp, tp, tn := k.region.Path, t.region.Path, k.prefix()+t.region.Name
	partyName, govName := "中共"+tn+"委员会", tn+"人民政府"
	if t.kind == street {
		partyName, govName = "中共"+tn+"工作委员会", tn+"办事处"
	}
	u := p.add(g.w.find(kp, "party"), "party", kindTownParty, jianfu.UnitParty, tp, partyName)
	u.county, u.township = k, t
	u = p.add(g.w.find(kp, "gov"), "gov", kindTownGov, jianfu.UnitGovernment, tp, govName)
	u.county, u.township = k, t
}

// committees adds village and community committees for a sample of a
// township's villages, always including the first.
func (g *gen) committees(p *planner, t *township) {
	gov := g.w.find(t.region.Path, "gov")
	for i, v := range t.villages {
		if i > 0 && g.rng.Float64() >= g.spec.committees {
			continue
		}
		name := t.county.prefix() + t.region.Name + v.region.Name + "村民委员会"
		if v.community {
			name = t.county.prefix() + t.region.Name + v.region.Name + "居民委员会"
		}
		u := p.add(gov, "committee", kindCommittee, jianfu.UnitCommunity, v.region.Path, name)
		u.county, u.township, u.village = t.county, t, v
	}
}

// planner adds units to the world with unique credit codes.
type planner struct {
	g        *gen
	bodies   map[string]bool // organisation code bodies handed out
	siblings map[*unit]names // names under each parent (nil: the roots)
}

// creditPrefix is the registration authority and type of the credit code
// (GB 32100-2015 as jianfu.MakeCreditCode describes it).
var creditPrefix = map[jianfu.UnitType]string{
	jianfu.UnitParty:       "11",
	jianfu.UnitGovernment:  "11",
	jianfu.UnitInstitution: "12",
	jianfu.UnitPeopleOrg:   "13",
	jianfu.UnitEnterprise:  "91",
	jianfu.UnitCommunity:   "54",
}

// add plans a unit in region regionPath under parent, indexed as role.
func (p *planner) add(parent *unit, role string, kind unitKind, typ jianfu.UnitType, regionPath, name string) *unit {
	g := p.g
	sib := p.siblings[parent]
	if sib == nil {
		sib = names{}
		p.siblings[parent] = sib
	}
	if sib[name] {
		panic("demo: duplicate unit name under one parent: " + name) // a bug in the plan, not bad input
	}
	sib[name] = true
	division := jianfu.CodeOfPath(regionPath)
	if len(regionPath) > 6 {
		division = regionPath[:6] // the county-level code
	}
	var body string
	for body == "" || p.bodies[body] {
		body = fmt.Sprintf("%08d", g.rng.IntN(100_000_000))
	}
	p.bodies[body] = true
	u := &unit{kind: kind, parent: parent, Unit: jianfu.Unit{
		Name: name, Type: typ, RegionCode: jianfu.CodeOfPath(regionPath), RegionPath: regionPath,
		CreditCode: jianfu.MakeCreditCode(creditPrefix[typ], division, body),
	}}
	g.w.units = append(g.w.units, u)
	key := unitKey(regionPath, role)
	if g.w.byRole[key] == nil {
		g.w.byRole[key] = u
	}
	return u
}

// writeUnits imports the planned units in one transaction (each row is
// audited as a unit creation), then reads back their ids and paths.
func (g *gen) writeUnits(ctx context.Context) error {
	rows := make([]*jianfu.UnitImport, len(g.w.units))
	for i, u := range g.w.units {
		rows[i] = &jianfu.UnitImport{Row: i + 1, Unit: u.Unit}
		if u.parent != nil {
			rows[i].ParentRef = u.parent.CreditCode
		}
	}
	if _, err := g.db.Units().ImportUnits(ctx, rows); err != nil {
		return fmt.Errorf("import %d units: %w", len(rows), err)
	}
	byCode := make(map[string]*unit, len(g.w.units))
	for _, u := range g.w.units {
		byCode[u.CreditCode] = u
	}
	for offset := 0; ; offset += 1000 {
		list, _, err := g.db.Units().FindUnits(ctx, jianfu.UnitFilter{Page: jianfu.Page{Offset: offset, Limit: 1000}})
		if err != nil {
			return fmt.Errorf("read back units: %w", err)
		}
		for _, s := range list {
			if u := byCode[s.CreditCode]; u != nil {
				u.Unit = *s
				delete(byCode, s.CreditCode)
			}
		}
		if len(list) < 1000 {
			break
		}
	}
	if len(byCode) > 0 {
		return fmt.Errorf("read back units: %d planned units not found", len(byCode))
	}
	for _, u := range g.w.units {
		g.sum.UnitsByType[u.Type]++
	}
	g.sum.Units = len(g.w.units)
	return nil
}
