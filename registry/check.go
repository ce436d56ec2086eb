package registry

import (
	"fmt"
	"slices"
	"strings"

	"jianfu"
	"jianfu/detect"
	"jianfu/textsim"
)

// Check runs every enabled rule on c (ID 0 for a channel not yet saved)
// against the evidence and returns what it trips.
func (r Rules) Check(c *jianfu.Channel, ev *jianfu.CheckEvidence) []jianfu.CheckResult {
	var out []jianfu.CheckResult
	trip := func(rule string, zh, en string, related []jianfu.RelatedChannel) {
		s := ev.Settings[rule]
		out = append(out, jianfu.CheckResult{Rule: rule, Level: s.Level, Clause: s.Clause, Source: s.Source, Message: zh, English: en, Related: related})
	}
	on := func(rule string) *jianfu.RuleSetting {
		if s := ev.Settings[rule]; s != nil && s.Enabled {
			return s
		}
		return nil
	}
	names := ev.RegionNames
	chain := regionChain(names, c.RegionPath)
	key := textsim.Normalize(c.Name, chain...)

	if s := on(jianfu.RulePlatformIDTaken); s != nil && c.PlatformID != "" && len(ev.SameID) > 0 {
		same := ev.SameID
		trip(s.Rule, fmt.Sprintf("%s标识“%s”已由“%s”登记为“%s”", jianfu.PlatformNames[c.Platform], c.PlatformID, same[0].UnitName, same[0].Name),
			fmt.Sprintf("%s id %s is registered already by %s as %s", c.Platform, c.PlatformID, same[0].UnitName, same[0].Name), relatedOf(same))
	}

	if s := on(jianfu.RuleAccountPerPlatform); s != nil && c.Kind == jianfu.KindAccount {
		var same []*jianfu.ChannelFacts
		for _, k := range ev.Own {
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
		unitKey := textsim.Normalize(c.UnitName, chain...)
		tied := textsim.Overlap(key, unitKey)
		var others []*jianfu.ChannelFacts
		consistent := false
		for _, k := range ev.Own {
			if k.Kind == jianfu.KindAccount && k.Platform != c.Platform {
				others = append(others, k)
				if textsim.Similarity(key, textsim.Normalize(k.Name, chain...)) >= float64(s.Threshold)/100 {
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
		switch {
		case c.EndDate == "":
			trip(s.Rule, "临时工作群未填写结束日期:请填写专项工作的结束日期,到期解散", "a temporary group needs an end date", nil)
		case c.EndDate < ev.Today:
			trip(s.Rule, fmt.Sprintf("临时工作群的结束日期(%s)已过:工作已结束的群应解散,不必备案", c.EndDate), fmt.Sprintf("the temporary group's end date %s has passed", c.EndDate), nil)
		}
	}

	if s := on(jianfu.RuleGroupPerPurpose); s != nil && c.Kind == jianfu.KindGroup {
		mine := groupTopic(c.Purpose, c.Name, chain)
		var same []*jianfu.ChannelFacts
		for _, k := range ev.Own {
			if k.Kind != jianfu.KindGroup {
				continue
			}
			if textsim.Distinct(c.Name, k.Name) {
				continue // 1年级 and 5年级 groups serve different classes
			}
			theirs := groupTopic(k.Text, k.Name, chain)
			if sim := textsim.Similarity(mine, theirs); sim >= 0.8 {
				k.Similarity = pct(sim)
				same = append(same, k)
			}
		}
		if len(same) >= s.Threshold {
			trip(s.Rule, fmt.Sprintf("本单位已有%d个用途相同的工作群(原则上不超过%d个)", len(same), s.Threshold),
				fmt.Sprintf("the unit has %d work groups for the same purpose already (%d at most)", len(same), s.Threshold), relatedOf(same))
		}
	}

	if s := on(jianfu.RuleFunctionFormalism); s != nil {
		for _, f := range formalism(r.demands(), c) {
			trip(s.Rule, f.zh, f.en, nil)
		}
	}

	// Across units only apps and accounts, which face the public, are
	// duplicated building; groups are compared within their unit above.
	nameRule, purposeRule := on(jianfu.RuleNameDuplicate), on(jianfu.RulePurposeDuplicate)
	if (nameRule != nil || purposeRule != nil) && c.Kind != jianfu.KindGroup {
		if nameRule != nil {
			th := float64(nameRule.Threshold) / 100
			var dups []*jianfu.ChannelFacts
			for _, k := range ev.Nearby {
				if textsim.Distinct(c.Name, k.Name) && (c.Handle == "" || k.HandleKey != strings.ToLower(c.Handle)) {
					continue // 一中 and 二中 are two schools
				}
				sim := textsim.Similarity(key, textsim.Normalize(k.Name, regionChain(names, k.RegionPath)...))
				if c.Handle != "" && k.HandleKey == strings.ToLower(c.Handle) && k.Platform == c.Platform {
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
		mine := textsim.Fold(strings.TrimSpace(c.Purpose + " " + c.Functions))
		if purposeRule != nil && len([]rune(mine)) >= 4 {
			th := float64(purposeRule.Threshold) / 100
			var dups []*jianfu.ChannelFacts
			for _, k := range ev.Nearby {
				if k.Text == "" {
					continue
				}
				if sim := textsim.Similarity(mine, textsim.Fold(k.Text)); sim >= th {
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
	return out
}

// groupTopic is what a group is for: its purpose when given, else its name.
func groupTopic(purpose, name string, chain []string) string {
	if p := textsim.Fold(purpose); len([]rune(p)) >= 2 {
		return p
	}
	return textsim.Normalize(name, chain...)
}

// finding is one category of formalism found in what a channel does.
type finding struct{ zh, en string }

// formalism runs the detector over a channel's name, functions and purpose
// and says, per category, which field asks for what: an app whose 主要功能
// is "教师打卡、学习积分排名" builds check-ins into daily work.
func formalism(det *detect.Detector, c *jianfu.Channel) []finding {
	if det == nil {
		return nil
	}
	fields := []struct{ zh, en, text string }{{"名称", "name", c.Name}, {"主要功能", "functions", c.Functions}, {"用途", "purpose", c.Purpose}}
	var out []finding
	seen := map[jianfu.Category]bool{}
	for _, f := range fields {
		if strings.TrimSpace(f.text) == "" {
			continue
		}
		res := det.Analyze(detect.Message{Text: f.text})
		if !res.Found() {
			continue
		}
		runes := []rune(f.text)
		for _, cat := range res.Categories {
			if seen[cat] {
				continue
			}
			seen[cat] = true
			var words []string
			for _, sp := range res.Spans {
				if sp.Category == cat && sp.Start >= 0 && sp.End <= len(runes) && sp.Start < sp.End {
					w := "“" + string(runes[sp.Start:sp.End]) + "”"
					if !slices.Contains(words, w) {
						words = append(words, w)
					}
				}
			}
			out = append(out, finding{
				zh: fmt.Sprintf("%s中%s涉及“%s”(%s),请说明必要性或删去该功能", f.zh, strings.Join(words, "、"), cat.Label(), cat.Meaning()),
				en: fmt.Sprintf("the %s builds in %s (%s)", f.en, cat.LabelEn(), cat.MeaningEn()),
			})
		}
	}
	return out
}
