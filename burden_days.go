package jianfu

import "sort"

// Burden monitoring keeps one row of sums per group and China calendar day
// (BurdenDay). What a ranking, a trend or a series shows is computed here
// from those rows; the store reads and writes them.

// BurdenDay is one group's sums on one China calendar day, as the store keeps
// them. Metrics.Members is the group's size that day; Metrics.Days is unused.
type BurdenDay struct {
	Group   int64
	Unit    int64 // the unit owning the group (read back; not needed to write)
	Day     int   // YYYYMMDD
	Metrics BurdenMetrics
}

// BurdenWindowDays is the default window of burden monitoring: 30 days
// ending today.
const BurdenWindowDays = 30

// TrendWeeks is the default length of a trend, in weeks.
const TrendWeeks = 12

// BurdenWindow returns the days a filter asks for: until defaults to today,
// since to 29 days before until (30 days in all), also when it lies after
// until.
func BurdenWindow(since, until, today int) (int, int) {
	if until == 0 {
		until = today
	}
	if since == 0 || since > until {
		since = AddDays(until, -(BurdenWindowDays - 1))
	}
	return since, until
}

// DaySpan counts the days from a to b inclusive (YYYYMMDD).
func DaySpan(a, b int) int {
	return int(DayTime(b).Sub(DayTime(a)).Hours()/24+0.5) + 1
}

// MeasuredDays is how many days of [since, until] a group is measured over:
// from since, or from the day it was first seen if that is later, so a new
// group is not measured over days it did not exist.
func MeasuredDays(since, until, firstSeen int) int {
	return DaySpan(max(since, firstSeen), until)
}

// GroupSize is a group's size: the largest of its registered member count,
// the members known by pseudonym and the size a message reported.
func GroupSize(registered, known, reported int) int {
	return max(registered, known, reported)
}

// SumObservations sums analysed messages per group and China calendar day,
// as they are added to the stored days: messages, off-hours messages,
// @所有人, demands with their categories and how many are assessed, exempt
// emergencies, and (as Members) the largest group size a message reported.
// The days come in group and day order.
func SumObservations(obs []*Observation) []BurdenDay {
	type gd struct {
		g int64
		d int
	}
	at := map[gd]int{}
	var out []BurdenDay
	for _, o := range obs {
		k := gd{o.GroupID, DayOf(o.At)}
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, BurdenDay{Group: k.g, Day: k.d, Metrics: BurdenMetrics{Days: 1, ByCategory: map[string]int{}}})
		}
		m := &out[i].Metrics
		m.Messages++
		if o.Offhours {
			m.Offhours++
		}
		if o.MentionAll {
			m.MentionAll++
		}
		switch {
		case o.Demand:
			m.Demands++
			if o.Assessed {
				m.Assessed++
			}
			for _, c := range Categories {
				if o.Categories&c.Bit() != 0 {
					m.ByCategory[string(c)]++
				}
			}
		case o.Exempt:
			m.Exempt++
		}
		m.Members = max(m.Members, o.MemberCount, len(o.Members))
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Group != out[j].Group {
			return out[i].Group < out[j].Group
		}
		return out[i].Day < out[j].Day
	})
	return out
}

// BurdenStep is the step of a series: day (the default), week or month.
func BurdenStep(step string) string {
	if step != "week" && step != "month" {
		return "day"
	}
	return step
}

// periodStart is the first day of the period of step that day lies in:
// the day, its week's Monday, or the first of its month.
func periodStart(day int, step string) int {
	switch step {
	case "week":
		t := DayTime(day)
		wd := (int(t.Weekday()) + 6) % 7 // Monday first
		return DayOf(t.AddDate(0, 0, -wd))
	case "month":
		return day/100*100 + 1
	}
	return day
}

// periodEnd is the last day of the period of step starting at start, cut
// at until.
func periodEnd(start int, step string, until int) int {
	switch step {
	case "day":
		return start
	case "week":
		return min(until, AddDays(start, 6))
	case "month":
		return min(until, DayOf(DayTime(start).AddDate(0, 1, -1)))
	}
	return until
}

// BurdenSeries sums days into the periods of step (see BurdenStep) over
// [since, until], oldest first, only periods with data: each group's
// counts over the period with its largest size, then summed over the
// groups. A period is measured over its days inside the window.
func BurdenSeries(days []BurdenDay, step string, since, until int) []BurdenPeriod {
	step = BurdenStep(step)
	type gp struct {
		group int64
		start int
	}
	per := map[gp]*BurdenMetrics{}
	byStart := map[int][]*BurdenMetrics{}
	var starts []int
	for _, d := range days {
		st := periodStart(d.Day, step)
		k := gp{d.Group, st}
		m := per[k]
		if m == nil {
			m = &BurdenMetrics{ByCategory: map[string]int{}}
			per[k] = m
			if byStart[st] == nil {
				starts = append(starts, st)
			}
			byStart[st] = append(byStart[st], m)
		}
		m.Extend(d.Metrics)
	}
	sort.Ints(starts)
	var out []BurdenPeriod
	for _, st := range starts {
		n := DaySpan(max(st, since), periodEnd(st, step, until))
		p := BurdenPeriod{Start: st, Metrics: BurdenMetrics{ByCategory: map[string]int{}}}
		for _, m := range byStart[st] {
			g := *m
			g.Days = n
			p.Metrics.Add(g)
		}
		p.Index = p.Metrics.Index()
		out = append(out, p)
	}
	return out
}

// TrendWindow is the first day of a trend of weeks weeks (TrendWeeks when
// not positive) ending at until, and the number of weeks.
func TrendWindow(until, weeks int) (since, n int) {
	if weeks <= 0 {
		weeks = TrendWeeks
	}
	return AddDays(until, -7*weeks+1), weeks
}

// FillTrends sets each row's weekly burden index over the weeks ending at
// until (see TrendWindow), oldest first, and marks 反弹回潮 (TrendRelapse).
// days are the days of the rows' groups in those weeks; a unit row's week
// sums its groups'. A group's first week in the window is measured over
// the days since it was first seen in the window.
func FillTrends(rows []*BurdenRow, days []BurdenDay, until, weeks int) {
	if len(rows) == 0 {
		return
	}
	start, weeks := TrendWindow(until, weeks)
	units := rows[0].Kind == "unit"
	sums := map[trendKey]*BurdenMetrics{}
	first := map[int64]int{} // first day a group is seen in the window
	for _, d := range days {
		if d.Day < start || d.Day > until {
			continue
		}
		row := d.Group
		if units {
			row = d.Unit
		}
		k := trendKey{row, (DaySpan(start, d.Day) - 1) / 7, d.Group}
		m := sums[k]
		if m == nil {
			m = &BurdenMetrics{ByCategory: map[string]int{}}
			sums[k] = m
		}
		m.Extend(d.Metrics)
		if f, ok := first[d.Group]; !ok || d.Day < f {
			first[d.Group] = d.Day
		}
	}
	fillTrendSums(rows, sums, first, start, weeks)
}

// BurdenWeek is a group's sums over the seven days ending on End (a
// rollup kept at ingest, see RollWeeks), with First the first of those
// days that had messages.
type BurdenWeek struct {
	Group   int64
	Unit    int64
	End     int // YYYYMMDD
	First   int // YYYYMMDD
	Metrics BurdenMetrics
}

// RollWeeks turns stored days into the seven-day sums they add to: a day
// counts in the weeks ending on it and on each of the six days after it.
// Weeks come in group and end order; Members is the largest of the days'.
func RollWeeks(days []BurdenDay) []BurdenWeek {
	type ge struct {
		g int64
		e int
	}
	at := map[ge]int{}
	var out []BurdenWeek
	for _, d := range days {
		for k := 0; k < 7; k++ {
			key := ge{d.Group, AddDays(d.Day, k)}
			i, ok := at[key]
			if !ok {
				i = len(out)
				at[key] = i
				out = append(out, BurdenWeek{Group: d.Group, Unit: d.Unit, End: key.e, First: d.Day, Metrics: BurdenMetrics{Days: 7, ByCategory: map[string]int{}}})
			}
			w := &out[i]
			w.First = min(w.First, d.Day)
			w.Metrics.Extend(d.Metrics)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Group != out[j].Group {
			return out[i].Group < out[j].Group
		}
		return out[i].End < out[j].End
	})
	return out
}

// TrendWeekEnds are the last days of the trend's weeks ending at until
// (TrendWindow), oldest first.
func TrendWeekEnds(until, weeks int) []int {
	_, n := TrendWindow(until, weeks)
	out := make([]int, n)
	for i := range out {
		out[i] = AddDays(until, -7*(n-1-i))
	}
	return out
}

// WindowWeeks splits the window [since, until] into whole weeks ending at
// until (their last days, newest first) and the days left over at its
// start, [since, restUntil] (empty when restUntil < since): the window's
// sums are the weeks' plus those days'.
func WindowWeeks(since, until int) (ends []int, restUntil int) {
	n := DaySpan(since, until)
	for i := 0; i < n/7; i++ {
		ends = append(ends, AddDays(until, -7*i))
	}
	return ends, AddDays(since, n%7-1)
}

// FillTrendWeeks is FillTrends over the rollup: weeks holds the rows'
// groups' sums over the weeks of TrendWeekEnds (others are ignored). It
// gives the same trends as FillTrends over the same groups' days.
func FillTrendWeeks(rows []*BurdenRow, weeks []BurdenWeek, until, n int) {
	if len(rows) == 0 {
		return
	}
	start, n := TrendWindow(until, n)
	units := rows[0].Kind == "unit"
	sums := map[trendKey]*BurdenMetrics{}
	first := map[int64]int{}
	for i := range weeks {
		w := &weeks[i]
		span := DaySpan(start, w.End)
		if w.End < start || w.End > until || span%7 != 0 {
			continue
		}
		row := w.Group
		if units {
			row = w.Unit
		}
		m := w.Metrics
		sums[trendKey{row, span/7 - 1, w.Group}] = &m
		if f, ok := first[w.Group]; !ok || w.First < f {
			first[w.Group] = w.First
		}
	}
	fillTrendSums(rows, sums, first, start, n)
}

// trendKey is one group's week in the trend of a row (a group, or the
// unit owning it).
type trendKey struct {
	row   int64
	week  int
	group int64
}

// fillTrendSums sets the rows' trends from each group's weekly sums and
// the first day each group was seen in the trend's window.
func fillTrendSums(rows []*BurdenRow, sums map[trendKey]*BurdenMetrics, first map[int64]int, start, weeks int) {
	// the index reads no categories: the weeks are summed without them
	// (BurdenMetrics.Add, less the per-category map)
	series := make(map[int64][]BurdenMetrics, len(rows))
	for _, r := range rows {
		series[r.ID] = make([]BurdenMetrics, weeks)
	}
	for k, m := range sums {
		s := series[k.row]
		if s == nil {
			continue // a day of no row asked for
		}
		days := 7
		if d := DaySpan(start, first[k.group]) - 1; d/7 == k.week {
			days = 7 - d%7 // the group's first week in the window
		}
		w := &s[k.week]
		w.Days = max(w.Days, days)
		w.Members += m.Members
		w.Messages += m.Messages
		w.Offhours += m.Offhours
		w.MentionAll += m.MentionAll
		w.Demands += m.Demands
		w.Assessed += m.Assessed
		w.Exempt += m.Exempt
	}
	for _, r := range rows {
		t := make([]float64, weeks)
		for i, m := range series[r.ID] {
			t[i] = m.Index().Value
		}
		r.Trend = t
		r.Relapse, _, _ = TrendRelapse(t)
	}
}
