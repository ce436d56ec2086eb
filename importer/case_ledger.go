package importer

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"jianfu"
	"jianfu/redact"
)

// caseLedgerHeaders are the columns of the case ledger (问题线索台账) that
// offices report upward.
var caseLedgerHeaders = []string{"编号", "来源", "问题类型", "涉及渠道", "所在地区", "责任单位", "状态", "当前阶段",
	"阶段时限(到期日)", "是否超期", "超期工作日", "提级督办", "办结结果", "受理时间", "办结时间", "问题摘要"}

// CaseLedgerHeaders are the Chinese headers of the case ledger.
func CaseLedgerHeaders() []string { return append([]string(nil), caseLedgerHeaders...) }

// ledgerSummary is how many characters of the description the ledger keeps.
const ledgerSummary = 120

// CaseLedgerRecord is a case as a ledger row, in CaseLedgerHeaders order,
// with overdue working days counted by cal as of now. The description is
// redacted (again: the store already did) and cut short.
func CaseLedgerRecord(c *jianfu.Case, cal jianfu.WorkdayCounter, now time.Time) []string {
	stamp := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(jianfu.China).Format("2006-01-02 15:04")
	}
	cats := c.Categories
	if len(cats) == 0 {
		cats = []string{c.Category}
	}
	channel := c.ChannelName
	if channel == "" {
		channel = redact.Placeholders(c.ChannelText)
	}
	unit := c.UnitName
	if unit == "" {
		unit = "尚未移送"
	}
	if c.Former {
		unit += "(已改派)"
	}
	var stage, due string
	if c.Status.Open() {
		stage = jianfu.CaseStageNames[c.Stage]
		if c.DueAt != nil {
			// Deadlines end at midnight after their last day.
			due = c.DueAt.Add(-time.Minute).In(jianfu.China).Format("2006-01-02")
		}
	}
	overdue, late := "否", ""
	switch n := c.LateWorkdays(cal, now); {
	case n > 0:
		overdue, late = "是", strconv.Itoa(n)
	case c.OverdueCount > 0:
		overdue = "曾超期" + strconv.Itoa(c.OverdueCount) + "次"
	}
	escalated := "否"
	if c.EscalationLevel > 0 {
		escalated = "提级至" + c.EscalatedToName
	}
	return []string{
		c.Number, jianfu.CaseSourceNames[c.Source], jianfu.CategoryLabels(cats), channel, c.RegionName, unit,
		jianfu.CaseStatusNames[c.Status], stage, due, overdue, late, escalated, jianfu.CaseOutcomeNames[c.Outcome],
		stamp(&c.CreatedAt), stamp(c.ClosedAt), summary(redact.Placeholders(c.Description), ledgerSummary),
	}
}

// summary puts text on one line and cuts it to at most n characters.
func summary(text string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	r := []rune(text)
	return string(r[:n-1]) + "…"
}
