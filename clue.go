package jianfu

import (
	"fmt"
	"strings"
)

// CommonRegion is the deepest region containing both region paths: their
// common prefix cut to a whole level ("3901" for "390102" and "390105").
func CommonRegion(a, b string) string {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	p := a[:n]
	for _, l := range []int{12, 9, 6, 4, 2, 0} {
		if len(p) >= l {
			return p[:l]
		}
	}
	return ""
}

// RegionPath is the deepest region containing every member of the
// cluster: the office whose subtree the clue belongs to.
func (c *Cluster) RegionPath() string {
	region := ""
	for i, m := range c.Members {
		if i == 0 {
			region = m.RegionPath
		} else {
			region = CommonRegion(region, m.RegionPath)
		}
	}
	return region
}

// workGroupClause is the rule a demand in a work group breaks.
const workGroupClause = "在工作群组中,不得脱离工作实际强制要求打卡接龙、即时响应,不得随意摊派任务、索要材料。"

// ClueOfFinding composes the clue (线索) a finding becomes: the burden
// record with its title and redacted evidence, and the case clue that
// opens the case, whose proposed categories are the finding's own.
func ClueOfFinding(f *Finding) (*BurdenClue, *Clue) {
	names := CategoryLabels(f.Categories)
	proposed := append([]string(nil), f.Categories...)
	var also string
	if f.Assessed {
		also += ",与考核挂钩"
	}
	if f.Offhours {
		also += ",发生在工作时间以外"
	}
	bc := &BurdenClue{Kind: ClueFromFinding, FindingID: f.ID, GroupID: f.GroupID, UnitID: f.UnitID, UnitName: f.UnitName, RegionPath: f.RegionPath,
		Title: fmt.Sprintf("工作群“%s”%s", f.GroupName, names),
		Summary: fmt.Sprintf("%s 在工作群“%s”(%s)发现形式主义要求:%s%s。摘录(已脱敏):%s\n依据:%s",
			f.At.In(China).Format("2006-01-02 15:04"), f.GroupName, f.UnitName, names, also, f.Excerpt, workGroupClause)}
	cl := bc.caseClue(fmt.Sprintf("%s:%d", ClueFromFinding, f.ID), proposed)
	if f.GroupID != 0 {
		cl.ChannelID, cl.RegionCode = f.GroupID, ""
	}
	return bc, cl
}

// ClueOfCluster composes the clue a 多头报送 cluster becomes: repeated
// requests for the same materials, so its category is material. The
// cluster needs its members (a detail read).
func ClueOfCluster(c *Cluster) (*BurdenClue, *Clue) {
	bc := &BurdenClue{Kind: ClueFromCluster, ClusterID: c.ID, RegionPath: c.RegionPath(),
		Title: fmt.Sprintf("多头报送:同一数据被%d个单位重复索要", c.Units),
		Summary: fmt.Sprintf("%s 至 %s,%d个工作群、%d个单位(%s)索要内容相近的材料%d次。首次摘录(已脱敏):%s\n依据:%s",
			c.FirstAt.In(China).Format("2006-01-02"), c.LastAt.In(China).Format("2006-01-02"), c.Groups, c.Units,
			strings.Join(c.UnitNames, "、"), c.Findings, c.Title, OneFormClause)}
	if n := len(c.Members); n > 0 {
		last := c.Members[n-1]
		bc.UnitID, bc.UnitName = last.UnitID, last.UnitName
	}
	return bc, bc.caseClue(fmt.Sprintf("%s:%d", ClueFromCluster, c.ID), []string{string(Material)})
}

// caseClue is the clue that opens the case of a burden clue, idempotent
// on its source reference, located by the clue's region.
func (bc *BurdenClue) caseClue(ref string, proposed []string) *Clue {
	category := CategoryOther
	if len(proposed) > 0 {
		category = proposed[0]
	}
	desc := []rune(bc.Title + "。" + bc.Summary)
	if len(desc) > MaxDescription {
		desc = desc[:MaxDescription]
	}
	return &Clue{Source: SourceMonitoring, SourceRef: ref, Category: category, Proposed: proposed,
		RegionCode: CodeOfPath(bc.RegionPath), Description: string(desc)}
}
