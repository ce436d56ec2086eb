package store

import (
	"context"
	"database/sql"

	"jianfu"
)

// Rankings ranks units or regions in a period. The store reads the unit
// scores in scope (units by name, regions' sums by code); jianfu ranks them.
func (s *Evaluation) Rankings(ctx context.Context, f jianfu.RankingFilter) ([]*jianfu.UnitScore, int, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, 0, err
	}
	var w where
	w.ownedScope(a, "us")
	w.prefix("us.region_path", f.RegionPath)
	per := f.Period
	if per == "" {
		var p sql.NullString
		if err := s.db.queryRow(ctx, `SELECT MAX(us.period) FROM unit_scores us`+w.String(), w.args...).Scan(&p); err != nil {
			return nil, 0, err
		}
		if !p.Valid {
			return nil, 0, nil
		}
		per = p.String
	}
	var prev sql.NullString
	pw := w.clone()
	pw.add("us.period < ?", per)
	if err := s.db.queryRow(ctx, `SELECT MAX(us.period) FROM unit_scores us`+pw.String(), pw.args...).Scan(&prev); err != nil {
		return nil, 0, err
	}
	var all []*jianfu.UnitScore
	if f.By == "region" {
		root := f.RegionPath
		if root == "" && !a.System {
			root = a.RegionPath
		}
		n := jianfu.ChildPathLen(root)
		if n == 0 {
			return nil, 0, nil
		}
		sums := func(period string) ([]jianfu.RegionSum, error) {
			ww := w.clone()
			ww.add("us.period = ?", period)
			ww.add("LENGTH(us.region_path) >= ?", n)
			ww.prefix("us.region_path", root)
			return s.db.scoreSums(ctx, `SUBSTR(us.region_path, 1, ?)`, []any{n}, ww)
		}
		cur, err := sums(per)
		if err != nil {
			return nil, 0, err
		}
		var before []jianfu.RegionSum
		if prev.Valid {
			if before, err = sums(prev.String); err != nil {
				return nil, 0, err
			}
		}
		all = jianfu.RegionScores(per, cur, before)
		for _, r := range all {
			r.Name = s.db.regionName(ctx, r.RegionPath)
		}
		jianfu.RankRegions(all)
	} else {
		w.add("us.period = ?", per)
		rows, err := s.db.query(ctx, `SELECT us.unit_id, u.name, us.region_path, us.period, us.channels, us.score, pv.score
			FROM unit_scores us JOIN units u ON u.id = us.unit_id LEFT JOIN unit_scores pv ON pv.unit_id = us.unit_id AND pv.period = ?`+w.String()+
			` ORDER BY u.name, us.unit_id`, append([]any{prev.String}, w.args...)...)
		if err != nil {
			return nil, 0, err
		}
		defer rows.Close()
		for rows.Next() {
			var u jianfu.UnitScore
			var score, pv sql.NullFloat64
			if err := rows.Scan(&u.UnitID, &u.Name, &u.RegionPath, &u.Period, &u.Channels, &score, &pv); err != nil {
				return nil, 0, err
			}
			u.Score, u.Previous = nullF(score), nullF(pv)
			all = append(all, &u)
		}
		if err := rows.Err(); err != nil {
			return nil, 0, err
		}
		jianfu.RankUnits(all)
	}
	p := f.Page.Normalize()
	total := len(all)
	if p.Offset >= total {
		return nil, total, nil
	}
	return all[p.Offset:min(total, p.Offset+p.Limit)], total, nil
}

// scoreSums reads the channel-weighted sums of the unit scores in w,
// grouped by key (an expression with its arguments), in key order.
func (db *DB) scoreSums(ctx context.Context, key string, keyArgs []any, w where) ([]jianfu.RegionSum, error) {
	rows, err := db.query(ctx, `SELECT `+key+`, SUM(us.score * us.channels), SUM(CASE WHEN us.score IS NULL THEN 0 ELSE us.channels END), SUM(us.channels)
		FROM unit_scores us`+w.String()+` GROUP BY 1 ORDER BY 1`, append(keyArgs, w.args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []jianfu.RegionSum
	for rows.Next() {
		var r jianfu.RegionSum
		var weighted sql.NullFloat64
		var weight int64
		if err := rows.Scan(&r.Key, &weighted, &weight, &r.Channels); err != nil {
			return nil, err
		}
		r.Sum = jianfu.ScoreSum{Weighted: weighted.Float64, Weight: float64(weight)}
		out = append(out, r)
	}
	return out, rows.Err()
}

// clone copies a where so that adding to the copy leaves w as it is.
func (w where) clone() where {
	return where{conds: append([]string(nil), w.conds...), args: append([]any(nil), w.args...)}
}

// nullF reads a stored score as it is; nil when it has no data.
func nullF(v sql.NullFloat64) *float64 {
	if !v.Valid {
		return nil
	}
	return &v.Float64
}

// Trend is the channel-weighted average score per month, the last
// jianfu.TrendPeriods.
func (s *Evaluation) Trend(ctx context.Context, unitID int64) ([]jianfu.TrendPoint, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var w where
	w.ownedScope(a, "us")
	if unitID != 0 {
		w.add("us.unit_id = ?", unitID)
	}
	sums, err := s.db.scoreSums(ctx, `us.period`, nil, w)
	if err != nil {
		return nil, err
	}
	return jianfu.Trend(sums), nil
}
