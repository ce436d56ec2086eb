package store

import (
	"context"
	"time"

	"jianfu"
)

// NotifyBurdenRising tells the administrators of every unit in the
// caller's scope whose groups' weekly burden index is rising
// (jianfu.BurdenRising: the last seven days against the seven before, as
// of now) — at most once a week per unit, the notice keyed by the Monday
// of now's week, so the daily job may run as often as it likes. It
// returns how many units were rising.
func (s *Notifications) NotifyBurdenRising(ctx context.Context, now time.Time) (int, error) {
	day := now.In(jianfu.China)
	monday := day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7)).Format("2006-01-02")
	until := day.Year()*10000 + int(day.Month())*100 + day.Day()
	rising := 0
	burden := &Burden{db: s.db}
	for offset := 0; ; offset += 1000 {
		rows, _, err := burden.BurdenRanking(ctx, jianfu.BurdenFilter{Kind: "unit", Until: until, Weeks: 2, Page: jianfu.Page{Offset: offset, Limit: 1000}})
		if err != nil {
			return rising, err
		}
		for _, r := range rows {
			if len(r.Trend) != 2 {
				continue
			}
			n, ok := jianfu.BurdenRisingNotice(r.ID, r.Trend[0], r.Trend[1], monday)
			if !ok {
				continue
			}
			rising++
			if err := s.db.inTx(ctx, func(tx *Tx) error { return tx.notifyAll(n, ok) }); err != nil {
				return rising, err
			}
		}
		if len(rows) < 1000 {
			return rising, nil
		}
	}
}
