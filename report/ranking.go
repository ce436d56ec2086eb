package report

import (
	"bytes"
	"fmt"
	"math"
	"strings"
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

// BurdenRanking is the ranking of work groups (kind "group") or units by
// burden index over a window, as the burden page lists it.
func BurdenRanking(kind string, rows []*jianfu.BurdenRow, maker string, since, until int, now time.Time) (*File, error) {
	what, sheet := "工作群组", "工作群负担指数"
	header := []string{"序号", "工作群", "主办单位", "平台"}
	if kind == "unit" {
		what, sheet = "单位", "单位负担指数"
		header = []string{"序号", "单位", "工作群数"}
	}
	r := Ranking{Title: fmt.Sprintf("%s负担指数排名(%s至%s)", what, day(jianfu.DayTime(since)), day(jianfu.DayTime(until))), Sheet: sheet, Maker: maker,
		Header: append(header, "负担指数", "等级", "消息数", "人均日消息", "非工作时间占比(%)", "形式主义要求数", "与考核挂钩数", "@所有人次数")}
	for i, x := range rows {
		row := []any{i + 1, x.Name}
		if kind == "unit" {
			row = append(row, x.Groups)
		} else {
			row = append(row, x.UnitName, jianfu.PlatformNames[x.Platform])
		}
		r.Rows = append(r.Rows, append(row, x.Index.Value, jianfu.BurdenLevelName(x.Level), x.Metrics.Messages, round2(x.Metrics.PerMemberDay()),
			round2(x.Metrics.OffhoursShare()*100), x.Metrics.Demands, x.Metrics.Assessed, x.Metrics.MentionAll))
	}
	return RankingWorkbook(r, now)
}

// UnitScoreRanking is the evaluation ranking of units (or regions) in a
// period: ties share a rank (并列), a score without data is said so.
func UnitScoreRanking(by string, rows []*jianfu.UnitScore, maker, period string, now time.Time) (*File, error) {
	what, col := "单位", "单位"
	if by == "region" {
		what, col = "地区", "地区"
	}
	r := Ranking{Title: fmt.Sprintf("%s评价排名(%s)", what, period), Sheet: what + "评价排名", Maker: maker,
		Header: []string{"名次", col, "渠道数", "得分", "等级", "上期得分", "变化"}}
	for _, x := range rows {
		rank := fmt.Sprint(x.Rank)
		if x.Tied {
			rank += "(并列)"
		}
		r.Rows = append(r.Rows, []any{rank, x.Name, x.Channels, scoreCell(x.Score), jianfu.Grade(x.Score), scoreCell(x.Previous), scoreCell(x.Change)})
	}
	return RankingWorkbook(r, now)
}

// OverdueRanking is the overdue board (超期督办): units with open cases,
// the most overdue first.
func OverdueRanking(b *jianfu.OverdueBoard, maker string, now time.Time) (*File, error) {
	r := Ranking{Title: "问题线索超期情况", Sheet: "超期情况", Maker: maker,
		Header: []string{"序号", "责任单位", "在办线索", "超期", "提级督办", "最长超期(工作日)"}}
	for i, x := range b.Units {
		r.Rows = append(r.Rows, []any{i + 1, x.Name, x.Open, x.Overdue, x.Escalated, x.MaxWorkdays})
	}
	return RankingWorkbook(r, now)
}

// CandidateList is the list of cleanup candidates (清理退出) with their
// signals.
func CandidateList(rows []*jianfu.CleanupCandidate, maker string, now time.Time) (*File, error) {
	r := Ranking{Title: "清理退出候选渠道", Sheet: "清理候选", Maker: maker, Header: []string{"序号", "渠道名称", "类型", "平台", "主办单位", "问题"}}
	for i, x := range rows {
		var signals []string
		for _, s := range x.Signals {
			signals = append(signals, s.Evidence)
		}
		r.Rows = append(r.Rows, []any{i + 1, x.ChannelName, jianfu.KindNames[x.Kind], jianfu.PlatformNames[x.Platform], x.UnitName, strings.Join(signals, ";")})
	}
	return RankingWorkbook(r, now)
}

// RectificationList is the list of rectification items (整改事项).
func RectificationList(rows []*jianfu.Rectification, maker string, now time.Time) (*File, error) {
	status := map[jianfu.RectificationStatus]string{jianfu.RectOpen: "待整改", jianfu.RectRectified: "已整改", jianfu.RectCase: "已转为问题线索"}
	r := Ranking{Title: "整改事项清单", Sheet: "整改事项", Maker: maker, Header: []string{"序号", "渠道名称", "责任单位", "整改意见", "整改期限", "状态", "下达日期"}}
	for i, x := range rows {
		r.Rows = append(r.Rows, []any{i + 1, x.ChannelName, x.UnitName, x.Opinion, x.Deadline, status[x.Status], day(x.CreatedAt)})
	}
	return RankingWorkbook(r, now)
}

// AuditLog is the audit log as the auditor reads it (审计日志), with the
// action's code kept beside for searching.
func AuditLog(rows []*jianfu.AuditEntry, maker string, now time.Time) (*File, error) {
	r := Ranking{Title: "安全审计日志", Sheet: "审计日志", Maker: maker, Header: []string{"序号", "时间", "操作人", "操作", "操作代码", "对象", "详情"}}
	for i, x := range rows {
		r.Rows = append(r.Rows, []any{i + 1, x.At.In(jianfu.China).Format("2006-01-02 15:04:05"), x.ActorShown(), x.ActionName(), x.Action, x.ObjectName(), x.Detail})
	}
	return RankingWorkbook(r, now)
}

// scoreCell is a score as a number, or 暂无数据.
func scoreCell(v *float64) any {
	if v == nil {
		return "暂无数据"
	}
	return *v
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }
