package report

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"jianfu"
	"jianfu/docx"
	"jianfu/tabular"
)

// SituationReport composes the monthly or quarterly situation report (形势
// 分析) as an official document in GB/T 9704 layout: a 文号 line and a 主送
// line to fill in, the title in 小标宋, figures with 环比 and 同比, the
// regions with a chart, the problems found with anonymised examples, the
// cases and overdue units, the typical cases published, and the 落款 of
// the office whose region it covers, dated now.
func SituationReport(s *jianfu.Situation, now time.Time) (*File, error) {
	title := fmt.Sprintf("%s%s“指尖上的形式主义”问题形势分析", s.RegionName, s.Period.Label)
	d := &docx.Document{Title: title, Author: s.Office, Created: now.In(jianfu.China)}
	d.Add(docx.Subtitle, fmt.Sprintf("〔%d〕    号", now.In(jianfu.China).Year()))
	d.Add(docx.Title, title)
	d.Add(docx.Plain, "")
	d.Add(docx.Plain, "        :") // 主送: the office above, filled in when issued
	asOf := ""
	if now.Before(s.Period.End) {
		asOf = "(统计截至" + day(now) + ",本期尚未结束,环比、同比仅供参考)"
	}
	d.Add(docx.Body, fmt.Sprintf("根据《关于防治“指尖上的形式主义”的若干意见》关于建立健全问题发现、案例移送、责任协同等机制的要求,现将%s%s“指尖上的形式主义”问题监测和处置情况报告如下%s。",
		s.Period.Label, s.RegionName, asOf))

	n := 1
	heading := func(t string) { d.Add(docx.Heading, chineseNumber(n)+"、"+t); n++ }
	heading("总体情况")
	now1, before, last := s.Now, s.Before, s.LastYear
	d.Add(docx.Body, fmt.Sprintf("本期共监测工作群组%d个、消息%d条,发现形式主义要求%d条,%s,%s;其中与考核、通报、排名挂钩的%d条。工作群组平均负担指数%.1f(上期%.1f)。",
		now1.Groups, now1.Messages, now1.Demands, changeText("环比", float64(now1.Demands), float64(before.Demands)), changeText("同比", float64(now1.Demands), float64(last.Demands)),
		now1.Assessed, now1.Index, before.Index))
	d.Add(docx.Body, fmt.Sprintf("本期受理问题线索%d件,%s,%s,已办结%d件。", now1.Received,
		changeText("环比", float64(now1.Received), float64(before.Received)), changeText("同比", float64(now1.Received), float64(last.Received)), now1.Closed))

	if len(s.Regions) > 0 {
		heading("各地区情况")
		heaviest := s.Regions[0]
		d.Add(docx.Body, fmt.Sprintf("从各地区看,%s负担指数最高(%.1f),有%d个工作群处于“较高”及以上等级,需重点关注。", heaviest.Name, heaviest.Index, heaviest.Bands[2]+heaviest.Bands[3]))
		grid := docx.Grid{Header: []string{"序号", "地区", "负担指数", "等级", "工作群", "消息", "形式主义要求"}}
		var bars []chartBar
		var names []string
		for i, r := range s.Regions {
			grid.Rows = append(grid.Rows, []string{fmt.Sprint(i + 1), r.Name, fmt.Sprintf("%.1f", r.Index), jianfu.BurdenLevelName(r.Level), fmt.Sprint(r.Groups), fmt.Sprint(r.Messages), fmt.Sprint(r.Demands)})
			if i < 20 {
				bars = append(bars, chartBar{Value: r.Index, Color: levelColor[r.Level]})
				names = append(names, fmt.Sprintf("%d.%s", i+1, r.Name))
			}
		}
		d.Blocks = append(d.Blocks, grid)
		if img, err := barChartPNG(bars, 100, 560, 240); err == nil {
			d.Blocks = append(d.Blocks, &docx.Picture{PNG: img, Width: 560, Height: 240})
			d.Add(docx.Small, "图1 各地区工作群组负担指数(序号:"+strings.Join(names, "、")+")")
		}
	}

	if len(s.Categories) > 0 {
		heading("主要问题")
		var bars []chartBar
		var names []string
		for i, c := range s.Categories {
			text := fmt.Sprintf("(%s)%s。监测发现%d条,受理线索%d件。", chineseNumber(i+1), c.Category.Label(), c.Demands, c.Cases)
			if c.Example != "" {
				text += "如:“" + strings.TrimSpace(c.Example) + "”。"
			}
			d.Add(docx.Body, text)
			bars = append(bars, chartBar{Value: float64(c.Demands), Color: barBlue})
			names = append(names, fmt.Sprintf("%d.%s", i+1, c.Category.Label()))
		}
		if img, err := barChartPNG(bars, 0, 560, 220); err == nil {
			d.Blocks = append(d.Blocks, &docx.Picture{PNG: img, Width: 560, Height: 220})
			d.Add(docx.Small, "图2 各类形式主义要求条数(序号:"+strings.Join(names, "、")+")")
		}
	}

	if len(s.Overdue) > 0 {
		heading("超期未办结情况")
		grid := docx.Grid{Header: []string{"序号", "责任单位", "在办", "超期", "提级督办", "最长超期(工作日)"}}
		for i, u := range s.Overdue {
			grid.Rows = append(grid.Rows, []string{fmt.Sprint(i + 1), u.Name, fmt.Sprint(u.Open), fmt.Sprint(u.Overdue), fmt.Sprint(u.Escalated), fmt.Sprint(u.MaxWorkdays)})
		}
		d.Add(docx.Body, fmt.Sprintf("截至%s,有%d个单位存在超期未办结的问题线索,请督促其按期办结。", day(now), len(s.Overdue)))
		d.Blocks = append(d.Blocks, grid)
	}

	if len(s.Typical) > 0 {
		heading("典型案例")
		for i, t := range s.Typical {
			d.Add(docx.Body, fmt.Sprintf("(%s)%s。%s", chineseNumber(i+1), t.Title, strings.TrimSpace(t.Summary)))
		}
	}

	heading("下一步工作")
	d.Add(docx.Body, "一是对负担指数较高的地区和单位开展抽查评估,督促整改;二是对超期未办结的问题线索提级督办;三是加强典型案例通报,防止“指尖上的形式主义”反弹回潮。")
	d.Add(docx.Plain, "")
	d.Add(docx.Right, s.Office, day(now))

	var buf bytes.Buffer
	if err := d.Write(&buf); err != nil {
		return nil, err
	}
	return &File{Name: title + ".docx", Short: "situation-" + s.Period.Code + ".docx", Type: DOCX, Data: buf.Bytes()}, nil
}

// SituationAppendix is the report's Excel appendix (附表): the figures with
// 环比 and 同比, the regions, and the problems by category.
func SituationAppendix(s *jianfu.Situation, now time.Time) (*File, error) {
	title := fmt.Sprintf("%s%s“指尖上的形式主义”问题形势分析附表", s.RegionName, s.Period.Label)
	fig := func(name string, a, b, c float64) []any {
		return []any{name, a, b, changeCell(a, b), c, changeCell(a, c)}
	}
	n, p, y := s.Now, s.Before, s.LastYear
	sheets := []tabular.Sheet{
		{Name: "主要指标", Title: title, Maker: s.Office, Date: day(now), Header: []string{"指标", s.Period.Label, s.Prev.Label, "环比(%)", s.YearAgo.Label, "同比(%)"},
			Rows: [][]any{fig("监测工作群组(个)", float64(n.Groups), float64(p.Groups), float64(y.Groups)), fig("消息(条)", float64(n.Messages), float64(p.Messages), float64(y.Messages)),
				fig("形式主义要求(条)", float64(n.Demands), float64(p.Demands), float64(y.Demands)), fig("与考核挂钩(条)", float64(n.Assessed), float64(p.Assessed), float64(y.Assessed)),
				fig("平均负担指数", n.Index, p.Index, y.Index), fig("受理问题线索(件)", float64(n.Received), float64(p.Received), float64(y.Received)),
				fig("已办结(件)", float64(n.Closed), float64(p.Closed), float64(y.Closed))}},
		{Name: "各地区", Title: s.RegionName + "各地区工作群组负担指数", Maker: s.Office, Date: day(now),
			Header: []string{"序号", "地区", "负担指数", "等级", "低", "中", "较高", "高", "工作群", "消息", "形式主义要求"}},
		{Name: "主要问题", Title: s.RegionName + "各类形式主义要求", Maker: s.Office, Date: day(now), Header: []string{"类别", "监测发现(条)", "受理线索(件)", "示例(已脱敏)"}},
	}
	for i, r := range s.Regions {
		sheets[1].Rows = append(sheets[1].Rows, []any{i + 1, r.Name, r.Index, jianfu.BurdenLevelName(r.Level), r.Bands[0], r.Bands[1], r.Bands[2], r.Bands[3], r.Groups, r.Messages, r.Demands})
	}
	for _, c := range s.Categories {
		sheets[2].Rows = append(sheets[2].Rows, []any{c.Category.Label(), c.Demands, c.Cases, c.Example})
	}
	var buf bytes.Buffer
	if err := tabular.WriteWorkbook(&buf, sheets...); err != nil {
		return nil, err
	}
	return &File{Name: title + ".xlsx", Short: "situation-" + s.Period.Code + ".xlsx", Type: XLSX, Data: buf.Bytes()}, nil
}

// changeText says a change against a base in words: "环比上升12.5%".
func changeText(what string, now, before float64) string {
	c := jianfu.Change(now, before)
	switch {
	case c == nil:
		return what + "无可比数据"
	case *c > 0.05:
		return fmt.Sprintf("%s上升%.1f%%", what, *c)
	case *c < -0.05:
		return fmt.Sprintf("%s下降%.1f%%", what, -*c)
	}
	return what + "持平"
}

func changeCell(now, before float64) any {
	if c := jianfu.Change(now, before); c != nil {
		return round2(*c)
	}
	return "—"
}
