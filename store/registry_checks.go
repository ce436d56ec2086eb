package store

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"

	"jianfu"
	"jianfu/namesim"
)

// candidate is a channel a rule check compares against.
type candidate struct {
	jianfu.RelatedChannel
	regionPath string
	text       string // purpose and functions
	platformID string
	handleKey  string
}

const candidateCols = `c.id, c.name, c.kind, c.platform, c.unit_id, COALESCE(u.name, ''), c.status, COALESCE(c.filing_number, ''),
	c.region_path, c.purpose, c.functions, c.platform_id, c.handle_key`

// activeStatuses are what checks compare against: channels submitted or
// filed and not closed.
const activeStatuses = `('submitted', 'approved', 'active', 'rectifying', 'exit_requested')`

func (tx *Tx) candidates(where string, args ...any) ([]*candidate, error) {
	rows, err := tx.query(`SELECT `+candidateCols+` FROM channels c LEFT JOIN units u ON u.id = c.unit_id WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*candidate
	for rows.Next() {
		var k candidate
		var kind, status, purpose, functions string
		if err := rows.Scan(&k.ID, &k.Name, &kind, &k.Platform, &k.UnitID, &k.UnitName, &status, &k.FilingNumber,
			&k.regionPath, &purpose, &functions, &k.platformID, &k.handleKey); err != nil {
			return nil, err
		}
		k.Kind, k.Status = jianfu.ChannelKind(kind), jianfu.ChannelStatus(status)
		k.text = strings.TrimSpace(purpose + " " + functions)
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

// regionChain returns the names of a region and its ancestors, top down,
// from a map of names by path.
func regionChain(names map[string]string, path string) []string {
	var chain []string
	for p := path; p != ""; p = jianfu.ParentPath(p) {
		if n, ok := names[p]; ok {
			chain = append([]string{n}, chain...)
		}
	}
	return chain
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
func (db *DB) CheckChannel(ctx context.Context, c *jianfu.Channel) ([]jianfu.CheckResult, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	probe := *c
	if err := probe.Validate(); err != nil {
		return nil, err
	}
	var out []jianfu.CheckResult
	err = db.inTx(ctx, func(tx *Tx) error {
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

// runChecks runs every enabled rule on c (ID 0 for a channel not yet
// saved) and returns what it trips.
func (tx *Tx) runChecks(c *jianfu.Channel) ([]jianfu.CheckResult, error) {
	settings, err := tx.ruleSettings()
	if err != nil {
		return nil, err
	}
	var out []jianfu.CheckResult
	trip := func(rule string, zh, en string, related []jianfu.RelatedChannel) {
		s := settings[rule]
		out = append(out, jianfu.CheckResult{Rule: rule, Level: s.Level, Clause: s.Clause, Source: s.Source, Message: zh, English: en, Related: related})
	}
	on := func(rule string) *jianfu.RuleSetting {
		if s := settings[rule]; s != nil && s.Enabled {
			return s
		}
		return nil
	}
	names, err := tx.regionNames(blockPath(c.RegionPath))
	if err != nil {
		return nil, err
	}
	chain := regionChain(names, c.RegionPath)
	key := namesim.Normalize(c.Name, chain...)

	// The unit's own channels.
	own, err := tx.candidates(`c.unit_id = ? AND c.id <> ? AND c.status IN `+activeStatuses, c.UnitID, c.ID)
	if err != nil {
		return nil, err
	}

	if s := on(jianfu.RulePlatformIDTaken); s != nil && c.PlatformID != "" {
		same, err := tx.candidates(`c.platform = ? AND c.platform_id = ? AND c.id <> ? AND c.status IN `+activeStatuses, c.Platform, c.PlatformID, c.ID)
		if err != nil {
			return nil, err
		}
		if len(same) > 0 {
			trip(s.Rule, fmt.Sprintf("%s标识“%s”已由“%s”登记为“%s”", jianfu.PlatformNames[c.Platform], c.PlatformID, same[0].UnitName, same[0].Name),
				fmt.Sprintf("%s id %s is registered already by %s as %s", c.Platform, c.PlatformID, same[0].UnitName, same[0].Name), relatedOf(same))
		}
	}

	if s := on(jianfu.RuleAccountPerPlatform); s != nil && c.Kind == jianfu.KindAccount {
		var same []*candidate
		for _, k := range own {
			if k.Kind == jianfu.KindAccount && k.Platform == c.Platform {
				same = append(same, k)
			}
		}
		if len(same) >= s.Threshold {
			trip(s.Rule, fmt.Sprintf("本单位在%s已有%d个账号(原则上不超过%d个)", jianfu.PlatformNames[c.Platform], len(same), s.Threshold),
				fmt.Sprintf("the unit has %d accounts on %s already (%d at most, in principle)", len(same), c.Platform, s.Threshold), relatedOf(same))
		}
	}

	if s := on(jianfu.RuleAppBelowCounty); s != nil && c.Kind == jianfu.KindApp && len(c.RegionPath) > 6 {
		trip(s.Rule, fmt.Sprintf("主办单位“%s”在县级以下(%s),原则上不得开发建设政务应用程序", c.UnitName, names[c.RegionPath]),
			fmt.Sprintf("the owning unit %s is below county level; in principle it does not build apps", c.UnitName), nil)
	}

	if s := on(jianfu.RuleAccountNameUnit); s != nil && c.Kind == jianfu.KindAccount {
		unitKey := namesim.Normalize(c.UnitName, chain...)
		tied := namesim.Overlap(key, unitKey)
		var others []*candidate
		consistent := false
		for _, k := range own {
			if k.Kind == jianfu.KindAccount && k.Platform != c.Platform {
				others = append(others, k)
				if namesim.Similarity(key, namesim.Normalize(k.Name, chain...)) >= float64(s.Threshold)/100 {
					consistent = true
				}
			}
		}
		switch {
		case pct(tied) < s.Threshold && len(others) > 0 && !consistent:
			trip(s.Rule, fmt.Sprintf("账号名称“%s”与主办单位名称关联度低(%d%%),且与本单位在其他平台的账号名称不一致", c.Name, pct(tied)),
				fmt.Sprintf("the name %s is barely tied to the unit (%d%%) and differs from the unit's accounts on other platforms", c.Name, pct(tied)), relatedOf(others))
		case pct(tied) < s.Threshold && len(others) == 0:
			trip(s.Rule, fmt.Sprintf("账号名称“%s”与主办单位“%s”关联度低(%d%%,应不低于%d%%)", c.Name, c.UnitName, pct(tied), s.Threshold),
				fmt.Sprintf("the name %s is barely tied to the unit %s (%d%%, want %d%%)", c.Name, c.UnitName, pct(tied), s.Threshold), nil)
		case len(others) > 0 && !consistent:
			trip(s.Rule, fmt.Sprintf("账号名称“%s”与本单位在其他平台的账号名称不一致", c.Name),
				fmt.Sprintf("the name %s differs from the unit's accounts on other platforms", c.Name), relatedOf(others))
		}
	}

	if s := on(jianfu.RuleGroupTemporaryEnd); s != nil && c.Kind == jianfu.KindGroup && c.Temporary {
		today := tx.now.In(jianfu.China).Format("2006-01-02")
		switch {
		case c.EndDate == "":
			trip(s.Rule, "临时工作群未填写结束日期:请填写专项工作的结束日期,到期解散", "a temporary group needs an end date", nil)
		case c.EndDate < today:
			trip(s.Rule, fmt.Sprintf("临时工作群的结束日期(%s)已过:工作已结束的群应解散,不必备案", c.EndDate), fmt.Sprintf("the temporary group's end date %s has passed", c.EndDate), nil)
		}
	}

	if s := on(jianfu.RuleGroupPerPurpose); s != nil && c.Kind == jianfu.KindGroup {
		mine := groupTopic(c.Purpose, c.Name, chain)
		var same []*candidate
		for _, k := range own {
			if k.Kind != jianfu.KindGroup {
				continue
			}
			theirs := groupTopic(k.text, k.Name, chain)
			if sim := namesim.Similarity(mine, theirs); sim >= 0.8 {
				k.Similarity = pct(sim)
				same = append(same, k)
			}
		}
		if len(same) >= s.Threshold {
			trip(s.Rule, fmt.Sprintf("本单位已有%d个用途相同的工作群(原则上不超过%d个)", len(same), s.Threshold),
				fmt.Sprintf("the unit has %d work groups for the same purpose already (%d at most)", len(same), s.Threshold), relatedOf(same))
		}
	}

	// Across units only apps and accounts, which face the public, are
	// duplicated building; groups are compared within their unit above.
	nameRule, purposeRule := on(jianfu.RuleNameDuplicate), on(jianfu.RulePurposeDuplicate)
	if (nameRule != nil || purposeRule != nil) && c.Kind != jianfu.KindGroup {
		cond, arg := blockWhere(c.RegionPath)
		others, err := tx.candidates(cond+` AND c.kind = ? AND c.unit_id <> ? AND c.id <> ? AND c.status IN `+liveStatuses, arg, string(c.Kind), c.UnitID, c.ID)
		if err != nil {
			return nil, err
		}
		if nameRule != nil {
			th := float64(nameRule.Threshold) / 100
			var dups []*candidate
			for _, k := range others {
				sim := namesim.Similarity(key, namesim.Normalize(k.Name, regionChain(names, k.regionPath)...))
				if c.Handle != "" && k.handleKey == strings.ToLower(c.Handle) && k.Platform == c.Platform {
					sim = 1
				}
				if sim >= th {
					k.Similarity = pct(sim)
					dups = append(dups, k)
				}
			}
			if len(dups) > 0 {
				sortBySimilarity(dups)
				trip(nameRule.Rule, fmt.Sprintf("名称“%s”与本地区其他单位的%d个已备案渠道相近(如“%s”,%s,相似度%d%%),请确认是否重复建设", c.Name, len(dups), dups[0].Name, dups[0].UnitName, dups[0].Similarity),
					fmt.Sprintf("the name %s is close to %d filed channels of other units nearby (e.g. %s of %s, %d%%); is it built twice?", c.Name, len(dups), dups[0].Name, dups[0].UnitName, dups[0].Similarity), relatedOf(dups))
			}
		}
		text := strings.TrimSpace(c.Purpose + " " + c.Functions)
		if purposeRule != nil && len([]rune(namesim.Fold(text))) >= 4 {
			th := float64(purposeRule.Threshold) / 100
			mine := namesim.Fold(text)
			var dups []*candidate
			for _, k := range others {
				if k.text == "" {
					continue
				}
				if sim := namesim.Similarity(mine, namesim.Fold(k.text)); sim >= th {
					k.Similarity = pct(sim)
					dups = append(dups, k)
				}
			}
			if len(dups) > 0 {
				sortBySimilarity(dups)
				trip(purposeRule.Rule, fmt.Sprintf("用途或功能与本地区其他单位的%d个已备案渠道相近(如“%s”,%s,相似度%d%%)", len(dups), dups[0].Name, dups[0].UnitName, dups[0].Similarity),
					fmt.Sprintf("the purpose is close to %d filed channels of other units nearby (e.g. %s of %s, %d%%)", len(dups), dups[0].Name, dups[0].UnitName, dups[0].Similarity), relatedOf(dups))
			}
		}
	}
	return out, nil
}

// liveStatuses are filed channels that are not closed: the public record.
const liveStatuses = `('approved', 'active', 'rectifying', 'exit_requested')`

// blockPath is the county (or higher region) a channel is compared within.
func blockPath(path string) string {
	if len(path) > 6 {
		return path[:6]
	}
	return path
}

// groupTopic is what a group is for: its purpose when given, else its name.
func groupTopic(purpose, name string, chain []string) string {
	if p := namesim.Fold(purpose); len([]rune(p)) >= 2 {
		return p
	}
	return namesim.Normalize(name, chain...)
}

func pct(f float64) int { return int(math.Round(f * 100)) }

func sortBySimilarity(ks []*candidate) {
	sort.SliceStable(ks, func(i, j int) bool { return ks[i].Similarity > ks[j].Similarity })
}

// relatedOf lists at most 10 candidates as related channels.
func relatedOf(ks []*candidate) []jianfu.RelatedChannel {
	var out []jianfu.RelatedChannel
	for i, k := range ks {
		if i == 10 {
			break
		}
		out = append(out, k.RelatedChannel)
	}
	return out
}
