package report

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"jianfu"
	"jianfu/docx"
	"jianfu/redact"
)

// CaseDocument composes the 整改意见 and 问责建议 of a case as a Chinese
// official document (.docx, GB/T 9704 layout) with the facts of the case
// and how it was handled: a 文号 line to fill in, the responsible unit as
// 主送, no empty section, and the 落款 of the office handling the case —
// office, or the office of the latest opinion — whoever downloads it. The
// reporter never appears in it. A case without opinions yet gives a report
// of how it was handled (办理情况).
func CaseDocument(c *jianfu.Case, events []*jianfu.CaseEvent, opinions []*jianfu.CaseOpinion, office string, now time.Time) (*File, error) {
	var rect, acct []*jianfu.CaseOpinion
	for _, o := range opinions {
		if o.Kind == jianfu.OpinionRectification {
			rect = append(rect, o)
		} else {
			acct = append(acct, o)
		}
	}
	var kinds []string
	if len(rect) > 0 {
		kinds = append(kinds, "整改意见")
	}
	if len(acct) > 0 {
		kinds = append(kinds, "问责建议")
	}
	what := strings.Join(kinds, "和")
	if what == "" {
		what = "办理情况"
	}
	title := "关于" + c.Number + "号问题线索的" + what
	if len(opinions) > 0 && opinions[len(opinions)-1].OfficeName != "" {
		office = opinions[len(opinions)-1].OfficeName
	}
	d := &docx.Document{Title: title, Author: office, Created: now.In(jianfu.China)}
	d.Add(docx.Subtitle, fmt.Sprintf("〔%d〕    号", now.In(jianfu.China).Year())) // 文号: the office's 机关代字 and number are filled in when issued
	d.Add(docx.Title, title)
	d.Add(docx.Plain, "")
	if c.UnitName != "" {
		d.Add(docx.Plain, c.UnitName+":") // 主送
	}
	if len(kinds) > 0 {
		d.Add(docx.Body, "根据《关于防治“指尖上的形式主义”的若干意见》关于建立健全“指尖上的形式主义”问题发现、案例移送、责任协同等机制,对发现的突出问题及时提出整改意见和问责建议、督促整改纠正的要求,现就"+c.Number+"号问题线索提出如下"+what+"。")
	} else {
		d.Add(docx.Body, "现将"+c.Number+"号问题线索的办理情况报告如下。")
	}

	n := 1
	heading := func(s string) { d.Add(docx.Heading, chineseNumber(n)+"、"+s); n++ }
	heading("基本情况")
	d.Blocks = append(d.Blocks, docx.Table{Rows: caseFacts(c)})

	if desc := strings.TrimSpace(redact.Placeholders(c.Description)); desc != "" {
		heading("问题事实")
		d.Add(docx.Body, desc)
	}

	var steps []string
	for _, e := range events {
		if e.Action == "opinion" || strings.HasPrefix(e.Action, "typical") {
			continue
		}
		text := e.Note
		if text == "" {
			text = e.PublicNote
		}
		if text == "" {
			continue
		}
		steps = append(steps, day(e.At)+","+strings.TrimSuffix(text, "。")+"。")
	}
	if len(steps) > 0 {
		heading("办理经过")
		d.Add(docx.Body, steps...)
	}
	if len(rect) > 0 {
		heading("整改意见")
		for i, o := range rect {
			d.Add(docx.Body, fmt.Sprintf("(%s)%s", chineseNumber(i+1), o.Text))
		}
	}
	if len(acct) > 0 {
		heading("问责建议")
		for i, o := range acct {
			t := o.Text
			if o.Target != "" {
				t = "对" + o.Target + ":" + t
			}
			d.Add(docx.Body, fmt.Sprintf("(%s)%s", chineseNumber(i+1), t))
		}
	}
	if len(rect) > 0 {
		d.Add(docx.Body, "请责任单位按照上述意见抓好整改落实,并将整改情况及时反馈。")
	}
	d.Add(docx.Plain, "")
	d.Add(docx.Right, office, day(now))
	var buf bytes.Buffer
	if err := d.Write(&buf); err != nil {
		return nil, err
	}
	name := c.Number + "-整改意见与问责建议.docx"
	if len(kinds) == 0 {
		name = c.Number + "-办理情况.docx"
	}
	return &File{Name: name, Short: c.Number + ".docx", Type: DOCX, Data: buf.Bytes()}, nil
}

// caseFacts are the rows of the document's 基本情况 table.
func caseFacts(c *jianfu.Case) [][2]string {
	cats := c.Categories
	if len(cats) == 0 {
		cats = []string{c.Category}
	}
	channel := c.ChannelName
	if channel == "" {
		channel = redact.Placeholders(c.ChannelText) // typed by the reporter, as the ledger shows it
	}
	if channel == "" {
		channel = "未关联已登记渠道"
	}
	status := jianfu.CaseStatusNames[c.Status]
	if c.Outcome != "" {
		status += "(" + jianfu.CaseOutcomeNames[c.Outcome] + ")"
	}
	late := "未超期"
	if c.OverdueCount > 0 {
		late = fmt.Sprintf("超期%d次", c.OverdueCount)
	}
	if c.EscalationLevel > 0 {
		late += ",已提级至" + c.EscalatedToName + "网信部门督办"
	}
	unit := c.UnitName
	if unit == "" {
		unit = "尚未移送"
	}
	return [][2]string{
		{"线索编号", c.Number},
		{"问题类型", jianfu.CategoryLabels(cats)},
		{"线索来源", jianfu.CaseSourceNames[c.Source]},
		{"涉及渠道", channel},
		{"所在地区", c.RegionName},
		{"责任单位", unit},
		{"收到时间", day(c.CreatedAt)},
		{"办理状态", status},
		{"时限情况", late},
	}
}
