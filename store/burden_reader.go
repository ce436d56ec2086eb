package store

import (
	"context"
	"time"

	"jianfu"
)

// BurdenIndexes returns the burden index over the last 30 days of the
// groups among channelIDs that had messages; evaluation scores channels
// with it. Channels without data are absent: nothing is invented.
func (s *Burden) BurdenIndexes(ctx context.Context, channelIDs []int64) (map[int64]float64, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	out := map[int64]float64{}
	since, until := s.db.window(0, 0)
	ids := make([]any, len(channelIDs))
	for i, id := range channelIDs {
		ids[i] = id
	}
	for _, chunk := range chunks(ids, 500) {
		groups, _, err := s.db.windowRows(ctx, a, jianfu.BurdenFilter{}, since, until, chunk, false)
		if err != nil {
			return nil, err
		}
		for _, g := range groups {
			out[g.ID] = g.Index.Value
		}
	}
	return out, nil
}

// UnitBurdenRising reports the units whose burden index since the given
// time has risen clearly above the 30 days before it (反弹回潮 after a
// rectification; jianfu.BurdenRisen).
func (s *Burden) UnitBurdenRising(ctx context.Context, unitIDs []int64, since time.Time) (map[int64]bool, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	out := map[int64]bool{}
	if len(unitIDs) == 0 {
		return out, nil
	}
	ids := make([]any, len(unitIDs))
	for i, id := range unitIDs {
		ids[i] = id
	}
	start := jianfu.DayOf(since)
	today := jianfu.DayOf(s.db.Now())
	index := func(from, to int, chunk []any) (map[int64]float64, error) {
		groups, err := s.db.groupWindow(ctx, a, jianfu.BurdenFilter{}, from, to, func(w *where) {
			w.add("b.unit_id IN ("+placeholders(len(chunk))+")", chunk...)
		})
		if err != nil {
			return nil, err
		}
		m := map[int64]float64{}
		for _, u := range jianfu.UnitRows(groups) {
			m[u.ID] = u.Index.Value
		}
		return m, nil
	}
	baseFrom, baseTo := jianfu.RiseBaseline(start)
	for _, chunk := range chunks(ids, 500) {
		before, err := index(baseFrom, baseTo, chunk)
		if err != nil {
			return nil, err
		}
		after, err := index(start, today, chunk)
		if err != nil {
			return nil, err
		}
		for id, v := range after {
			if jianfu.BurdenRisen(before[id], v) {
				out[id] = true
			}
		}
	}
	return out, nil
}
