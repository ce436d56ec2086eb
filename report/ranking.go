package report

import (
	"bytes"
	"fmt"
	"time"

	"jianfu"
	"jianfu/tabular"
)

// Ranking is a ranking to export: a titled table (报表) with the office that
// made it and the day, one sheet.
type Ranking struct {
	Title  string // e.g. 江州市各县(区)工作群组负担指数排名
	Sheet  string // the sheet's name, short
	Maker  string // 制表单位: the caller's office
	Header []string
	Rows   [][]any
}

// RankingWorkbook composes a ranking as an .xlsx workbook with its title,
// 制表单位 and 制表日期 (now) above a frozen, filtered header.
func RankingWorkbook(r Ranking, now time.Time) (*File, error) {
	var buf bytes.Buffer
	if err := tabular.WriteWorkbook(&buf, tabular.Sheet{Name: r.Sheet, Title: r.Title, Maker: r.Maker, Date: day(now), Header: r.Header, Rows: r.Rows}); err != nil {
		return nil, err
	}
	return &File{Name: r.Title + "(" + now.In(jianfu.China).Format("20060102") + ").xlsx", Short: "ranking.xlsx", Type: XLSX, Data: buf.Bytes()}, nil
}

// RegionBurdenRanking is the ranking of regions by burden index (各地区负
// 担指数): one row per child region of region, heaviest first.
func RegionBurdenRanking(region string, rows []*jianfu.RegionBurden, maker string, since, until int, now time.Time) (*File, error) {
	r := Ranking{Title: fmt.Sprintf("%s各地区工作群组负担指数排名(%s至%s)", region, day(jianfu.DayTime(since)), day(jianfu.DayTime(until))), Sheet: "各地区负担指数", Maker: maker,
		Header: []string{"序号", "地区", "负担指数", "等级", "低", "中", "较高", "高", "工作群数", "单位数", "成员数", "消息数", "形式主义要求数"}}
	for i, x := range rows {
		r.Rows = append(r.Rows, []any{i + 1, x.Name, x.Index, jianfu.BurdenLevelName(x.Level), x.Bands[0], x.Bands[1], x.Bands[2], x.Bands[3],
			x.Groups, x.Units, x.Members, x.Messages, x.Demands})
	}
	return RankingWorkbook(r, now)
}
