package jianfu

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"time"
)

// The monthly and quarterly situation report (形势分析) an office sends
// upward: what burden monitoring saw in its region, against the period
// before (环比) and the same period a year before (同比), its regions, the
// problems found with anonymised examples, the cases, overdue units and
// typical cases published.

// SituationPeriod is a month or a quarter.
type SituationPeriod struct {
	Code  string // 2026-11 or 2026Q4
	Label string // 2026年11月 or 2026年第四季度
	Start time.Time
	End   time.Time // the first instant after it
}

// Since and Until are the period's first and last day, YYYYMMDD.
func (p SituationPeriod) Since() int { return DayOf(p.Start) }
func (p SituationPeriod) Until() int { return DayOf(p.End.Add(-time.Hour)) }

var (
	monthCode   = regexp.MustCompile(`^(\d{4})-(\d{2})$`)
	quarterCode = regexp.MustCompile(`^(\d{4})[Qq]([1-4])$`)
)

// ParseSituationPeriod reads a month (2026-11) or a quarter (2026Q4) and
// returns it with the period before it and the same period a year before.
func ParseSituationPeriod(code string) (cur, prev, yearAgo SituationPeriod, err error) {
	mk := func(start time.Time, months int) SituationPeriod {
		p := SituationPeriod{Start: start, End: start.AddDate(0, months, 0)}
		if months == 1 {
			p.Code, p.Label = start.Format("2006-01"), fmt.Sprintf("%d年%d月", start.Year(), start.Month())
		} else {
			q := (int(start.Month())-1)/3 + 1
			p.Code, p.Label = fmt.Sprintf("%dQ%d", start.Year(), q), fmt.Sprintf("%d年第%s季度", start.Year(), []string{"一", "二", "三", "四"}[q-1])
		}
		return p
	}
	var start time.Time
	months := 1
	if m := monthCode.FindStringSubmatch(code); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		if mo < 1 || mo > 12 {
			return cur, prev, yearAgo, Errorf(EINVALID, "月份“%s”无效,应为如 2026-11", "invalid month %q; use e.g. 2026-11", code)
		}
		start = time.Date(y, time.Month(mo), 1, 0, 0, 0, 0, China)
	} else if m := quarterCode.FindStringSubmatch(code); m != nil {
		y, _ := strconv.Atoi(m[1])
		q, _ := strconv.Atoi(m[2])
		start, months = time.Date(y, time.Month(3*q-2), 1, 0, 0, 0, 0, China), 3
	} else {
		return cur, prev, yearAgo, Errorf(EINVALID, "统计期“%s”无效:月报写如 2026-11,季报写如 2026Q4", "invalid period %q; a month is 2026-11, a quarter 2026Q4", code)
	}
	return mk(start, months), mk(start.AddDate(0, -months, 0), months), mk(start.AddDate(-1, 0, 0), months), nil
}

// SituationFigures are one period's headline figures.
type SituationFigures struct {
	Groups   int     // work groups with messages
	Messages int     // messages analysed
	Demands  int     // formalism demands found
	Assessed int     // …tied to assessment
	Index    float64 // mean burden index of the groups
	Received int     // cases received
	Closed   int     // of those, closed by now
}

// Change is the change from before to now in percent (同比, 环比), nil
// when before is 0.
func Change(now, before float64) *float64 {
	if before == 0 {
		return nil
	}
	v := (now - before) / before * 100
	return &v
}

// SituationCategory is one kind of demand in the period: how often burden
// monitoring found it, how many cases were about it, and an anonymised
// example.
type SituationCategory struct {
	Category Category
	Demands  int
	Cases    int
	Example  string
}

// Situation is everything a situation report says.
type Situation struct {
	RegionPath, RegionName string
	Office                 string // the office the report covers, its 落款
	Period, Prev, YearAgo  SituationPeriod
	Now, Before, LastYear  SituationFigures
	Regions                []*RegionBurden
	Categories             []SituationCategory // the categories found, most demands first
	Overdue                []*OverdueRow       // units with overdue cases now
	Typical                []*TypicalCase      // published in the period
}

// SituationSources are the services a situation report reads, in the
// caller's scope.
type SituationSources struct {
	Burden    BurdenService
	Cases     CaseService
	Deadlines DeadlineService
	Typical   TypicalService
}

// GatherSituation reads what a situation report of the region says over
// the period, against the period before and a year before.
func GatherSituation(ctx context.Context, src SituationSources, regionPath, regionName, office string, cur, prev, yearAgo SituationPeriod) (*Situation, error) {
	s := &Situation{RegionPath: regionPath, RegionName: regionName, Office: office, Period: cur, Prev: prev, YearAgo: yearAgo}
	figures := func(p SituationPeriod) (SituationFigures, *BurdenSummary, error) {
		var f SituationFigures
		sum, err := src.Burden.BurdenSummary(ctx, BurdenFilter{RegionPath: regionPath, Since: p.Since(), Until: p.Until()})
		if err != nil {
			return f, nil, err
		}
		f.Groups, f.Messages, f.Demands, f.Assessed, f.Index = sum.Groups, sum.Metrics.Messages, sum.Metrics.Demands, sum.Metrics.Assessed, sum.Mean
		cf := CaseFilter{RegionPath: regionPath, ReceivedSince: p.Start, ReceivedBefore: p.End, Page: Page{Limit: 1}}
		if _, f.Received, err = src.Cases.FindCases(ctx, cf); err != nil {
			return f, nil, err
		}
		cf.Status = CaseClosed
		if _, f.Closed, err = src.Cases.FindCases(ctx, cf); err != nil {
			return f, nil, err
		}
		return f, sum, nil
	}
	var sum *BurdenSummary
	var err error
	if s.Now, sum, err = figures(cur); err != nil {
		return nil, err
	}
	if s.Before, _, err = figures(prev); err != nil {
		return nil, err
	}
	if s.LastYear, _, err = figures(yearAgo); err != nil {
		return nil, err
	}
	if s.Regions, err = src.Burden.RegionBurden(ctx, BurdenFilter{RegionPath: regionPath, Since: cur.Since(), Until: cur.Until(), Weeks: 1}); err != nil {
		return nil, err
	}
	for _, c := range Categories {
		line := SituationCategory{Category: c, Demands: sum.Metrics.ByCategory[string(c)]}
		if _, line.Cases, err = src.Cases.FindCases(ctx, CaseFilter{RegionPath: regionPath, Category: string(c), ReceivedSince: cur.Start, ReceivedBefore: cur.End, Page: Page{Limit: 1}}); err != nil {
			return nil, err
		}
		if line.Demands == 0 && line.Cases == 0 {
			continue
		}
		found, _, err := src.Burden.FindFindings(ctx, FindingFilter{RegionPath: regionPath, Category: string(c), Since: cur.Start, Until: cur.End, Page: Page{Limit: 1}})
		if err != nil {
			return nil, err
		}
		if len(found) > 0 {
			line.Example = found[0].Excerpt
		}
		s.Categories = append(s.Categories, line)
	}
	sort.SliceStable(s.Categories, func(i, j int) bool {
		a, b := s.Categories[i], s.Categories[j]
		return a.Demands+a.Cases > b.Demands+b.Cases
	})
	board, err := src.Deadlines.OverdueBoard(ctx)
	if err != nil {
		return nil, err
	}
	for _, u := range board.Units {
		if u.Overdue > 0 {
			s.Overdue = append(s.Overdue, u)
		}
	}
	typical, _, err := src.Typical.FindTypicalCases(ctx, TypicalFilter{Page: Page{Limit: 200}})
	if err != nil {
		return nil, err
	}
	for _, t := range typical {
		if t.PublishedAt != nil && !t.PublishedAt.Before(cur.Start) && t.PublishedAt.Before(cur.End) {
			s.Typical = append(s.Typical, t)
		}
	}
	return s, nil
}
