package store

import (
	"context"

	"jianfu"
)

// ComplaintIndexes reads, for each channel, the complaints about it this
// quarter that a case handler has judged, and turns them into the trouble
// index of its scorecard (jianfu.ComplaintIndex): substantiated ones weigh,
// unsubstantiated ones do not, and a reporter dissatisfied after closure
// (满意度回访) counts like a partly substantiated complaint. A channel
// without judged complaints or answers this quarter has no data, rather
// than a perfect score.
func (s *Cases) ComplaintIndexes(ctx context.Context, channelIDs []int64) (map[int64]float64, error) {
	if _, err := jianfu.RequireActor(ctx); err != nil {
		return nil, err
	}
	out := map[int64]float64{}
	since := ms(jianfu.QuarterStart(s.db.Now()))
	ids := make([]any, len(channelIDs))
	for i, id := range channelIDs {
		ids[i] = id
	}
	for _, chunk := range chunks(ids, 500) {
		rows, err := s.db.query(ctx, `SELECT channel_id, finding, COUNT(*) FROM cases WHERE channel_id IN (`+placeholders(len(chunk))+`)
			AND created_at >= ? AND finding <> '' GROUP BY channel_id, finding`, append(chunk, since)...)
		if err != nil {
			return nil, err
		}
		type tally struct{ substantiated, partly int }
		counts := map[int64]*tally{}
		for rows.Next() {
			var id int64
			var finding string
			var n int
			if err := rows.Scan(&id, &finding, &n); err != nil {
				rows.Close()
				return nil, err
			}
			t := counts[id]
			if t == nil {
				t = &tally{}
				counts[id] = t
			}
			switch jianfu.CaseFinding(finding) {
			case jianfu.FindingSubstantiated:
				t.substantiated += n
			case jianfu.FindingPartly:
				t.partly += n
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		for id, t := range counts {
			out[id] = jianfu.ComplaintIndex(t.substantiated, t.partly)
		}
		// Reporters still dissatisfied after closure weigh too.
		rows, err = s.db.query(ctx, `SELECT c.channel_id, s.rating FROM case_satisfaction s JOIN cases c ON c.id = s.case_id
			WHERE c.channel_id IN (`+placeholders(len(chunk))+`) AND s.at >= ?`, append(chunk, since)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var rating string
			if err := rows.Scan(&id, &rating); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = min(100, out[id]+jianfu.SatisfactionWeight(jianfu.Satisfaction(rating)))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
