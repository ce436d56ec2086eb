package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"jianfu"
)

var nScorecard = noun{"评价", "scorecard"}

// burdenReader and caseReader are the seams to burden monitoring and cases:
// until those capabilities land they know nothing, and the scorecards show
// 暂无数据 for their components rather than invented numbers.
func (db *DB) burdenReader() jianfu.BurdenReader { return db.Burden() }
func (db *DB) caseReader() jianfu.CaseReader     { return jianfu.NoData{} }

// period names the month of t in China time, e.g. "2026-03".
func period(t time.Time) string { return t.In(jianfu.China).Format("2006-01") }

// scorecardSQL computes every component in one statement so a million
// channels are scored in one pass on either engine. Constants are REAL so
// SQLite never divides integers.
const scorecardSQL = `
INSERT INTO scorecards(channel_id, unit_id, unit_path, region_path, kind, timeliness, availability, burden, complaints, campaign, rating, rating_count, total, computed_at)
SELECT id, unit_id, unit_path, region_path, kind, t, av, NULL, NULL, cp, rt, rn,
	(COALESCE(t, 0.0) + COALESCE(av, 0.0) + COALESCE(cp, 0.0) + COALESCE(rt, 0.0)) /
	NULLIF((CASE WHEN t IS NULL THEN 0 ELSE 1 END) + (CASE WHEN av IS NULL THEN 0 ELSE 1 END) + (CASE WHEN cp IS NULL THEN 0 ELSE 1 END) + (CASE WHEN rt IS NULL THEN 0 ELSE 1 END), 0),
	?
FROM (
	SELECT id, unit_id, unit_path, region_path, kind,
		CASE WHEN lastu IS NULL THEN NULL WHEN lastu >= ? THEN 100.0 WHEN lastu >= ? THEN 60.0 WHEN lastu >= ? THEN 30.0 ELSE 0.0 END AS t,
		av, cp, rt, rn
	FROM (
		SELECT c.id, c.unit_id, c.unit_path, c.region_path, c.kind,
			CASE WHEN m.last_update IS NOT NULL AND (c.last_activity_at IS NULL OR m.last_update > c.last_activity_at) THEN m.last_update ELSE c.last_activity_at END AS lastu,
			CASE WHEN m.channel_id IS NULL THEN NULL WHEN m.reachable THEN 100.0 ELSE 0.0 END AS av,
			CASE WHEN f.id IS NULL THEN NULL WHEN f.vetoed THEN 0.0 ELSE f.score END AS cp,
			CASE WHEN r.n IS NULL THEN NULL ELSE (5.0 - r.a) * 25.0 END AS rt,
			COALESCE(r.n, 0) AS rn
		FROM channels c
		LEFT JOIN monitor_latest m ON m.channel_id = c.id
		LEFT JOIN (SELECT channel_id, MAX(id) AS id FROM check_forms WHERE status = 'done' GROUP BY channel_id) lf ON lf.channel_id = c.id
		LEFT JOIN check_forms f ON f.id = lf.id
		LEFT JOIN (SELECT channel_id, AVG(score * 1.0) AS a, COUNT(*) AS n FROM ratings WHERE quarter = ? GROUP BY channel_id) r ON r.channel_id = c.id
		%s
	) x
) y`

// RecomputeScorecards scores every channel in scope and the units' scores
// of the current month, in one transaction.
func (s *Evaluation) RecomputeScorecards(ctx context.Context) (int, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return 0, err
	}
	if !a.System && !(a.Has(jianfu.RoleSupervisor) && a.RegionWide()) {
		return 0, forbidden("重新计算评价需要监管人员角色", "recomputing scorecards needs the supervisor role")
	}
	var n int
	err = s.db.inTx(ctx, func(tx *Tx) error {
		now := tx.now
		var del where
		del.regionScope(a, "region_path")
		if _, err := tx.exec(`DELETE FROM scorecards`+del.String(), del.args...); err != nil {
			return fmt.Errorf("clear scorecards: %w", err)
		}
		var w where
		w.channelScope(a)
		w.add("c.status NOT IN ('closed', 'draft', 'returned')")
		day := 24 * time.Hour
		args := append([]any{ms(now), ms(now.Add(-14 * day)), ms(now.Add(-30 * day)), ms(now.Add(-90 * day)), jianfu.Quarter(now)}, w.args...)
		res, err := tx.exec(fmt.Sprintf(scorecardSQL, w.String()), args...)
		if err != nil {
			return fmt.Errorf("compute scorecards: %w", err)
		}
		m, _ := res.RowsAffected()
		n = int(m)
		if err := tx.applyReaders(a); err != nil {
			return err
		}
		p := period(now)
		var us where
		us.add("period = ?", p)
		us.regionScope(a, "region_path")
		if _, err := tx.exec(`DELETE FROM unit_scores`+us.String(), us.args...); err != nil {
			return err
		}
		var sw where
		sw.regionScope(a, "region_path")
		if _, err := tx.exec(`INSERT INTO unit_scores(period, unit_id, unit_path, region_path, channels, score)
			SELECT ?, unit_id, MIN(unit_path), MIN(region_path), COUNT(*), AVG(total) FROM scorecards`+sw.String()+` GROUP BY unit_id`,
			append([]any{p}, sw.args...)...); err != nil {
			return fmt.Errorf("unit scores: %w", err)
		}
		return tx.audit("scorecard.recompute", "scorecard", nil, a.RegionPath, fmt.Sprintf("%d channels, period %s", n, p))
	})
	return n, err
}

// applyReaders fills the burden and complaint components from the other
// capabilities, where they know something.
func (tx *Tx) applyReaders(a *jianfu.Actor) error {
	br, cr := tx.db.burdenReader(), tx.db.caseReader()
	if _, none := br.(jianfu.NoData); none {
		if _, none := cr.(jianfu.NoData); none {
			return nil
		}
	}
	var w where
	w.regionScope(a, "region_path")
	rows, err := tx.query(`SELECT channel_id FROM scorecards`+w.String(), w.args...)
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	burden, err := br.BurdenIndexes(tx.ctx, ids)
	if err != nil {
		return err
	}
	complaints, err := cr.ComplaintIndexes(tx.ctx, ids)
	if err != nil {
		return err
	}
	for id, v := range burden {
		if _, err := tx.exec(`UPDATE scorecards SET burden = ? WHERE channel_id = ?`, 100-v, id); err != nil {
			return err
		}
	}
	for id, v := range complaints {
		if _, err := tx.exec(`UPDATE scorecards SET complaints = ? WHERE channel_id = ?`, 100-v, id); err != nil {
			return err
		}
	}
	return nil
}

const scorecardCols = `s.channel_id, c.name, s.kind, c.platform, c.status, s.unit_id, u.name, s.region_path, s.timeliness, s.availability, s.burden,
	s.complaints, s.campaign, s.rating, s.rating_count, s.total, s.computed_at`

const scorecardFrom = ` FROM scorecards s JOIN channels c ON c.id = s.channel_id JOIN units u ON u.id = s.unit_id`

func optF(v sql.NullFloat64) *float64 {
	if !v.Valid {
		return nil
	}
	x := float64(int64(v.Float64*10+0.5)) / 10
	return &x
}

func scanScorecard(s interface{ Scan(...any) error }) (*jianfu.Scorecard, error) {
	var sc jianfu.Scorecard
	var kind string
	var t, av, b, cm, cp, rt, total sql.NullFloat64
	var at int64
	if err := s.Scan(&sc.ChannelID, &sc.ChannelName, &kind, &sc.Platform, &sc.Status, &sc.UnitID, &sc.UnitName, &sc.RegionPath,
		&t, &av, &b, &cm, &cp, &rt, &sc.RatingCount, &total, &at); err != nil {
		return nil, err
	}
	sc.Kind = jianfu.ChannelKind(kind)
	sc.Timeliness, sc.Availability, sc.Burden, sc.Complaints, sc.Campaign, sc.Rating, sc.Total = optF(t), optF(av), optF(b), optF(cm), optF(cp), optF(rt), optF(total)
	sc.ComputedAt = fromMS(at)
	return &sc, nil
}

// FindScorecards lists scorecards in scope.
func (s *Evaluation) FindScorecards(ctx context.Context, f jianfu.ScorecardFilter) ([]*jianfu.Scorecard, int, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, 0, err
	}
	var w where
	w.ownedScope(a, "s")
	if f.Kind != "" {
		w.add("s.kind = ?", string(f.Kind))
	}
	w.prefix("s.region_path", f.RegionPath)
	if f.UnitID != 0 {
		w.add("s.unit_id = ?", f.UnitID)
	}
	from := ` FROM scorecards s`
	if f.Query != "" {
		w.like(f.Query, "c.name")
		from += ` JOIN channels c ON c.id = s.channel_id`
	}
	var total int
	if err := s.db.queryRow(ctx, `SELECT COUNT(*)`+from+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	p := f.Page.Normalize()
	rows, err := s.db.query(ctx, `SELECT `+scorecardCols+scorecardFrom+w.String()+
		orderBy(p.Sort, map[string]string{"total": "s.total", "name": "c.name", "unit": "u.name", "timeliness": "s.timeliness", "availability": "s.availability",
			"campaign": "s.campaign", "rating": "s.rating", "kind": "s.kind"}, "s.channel_id")+` LIMIT ? OFFSET ?`, append(w.args, p.Limit, p.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	out, err := scanAll(rows, scanScorecard)
	return out, total, err
}

// FindScorecard returns one channel's scorecard; ENOTFOUND when the
// channel is out of scope or not scored yet.
func (s *Evaluation) FindScorecard(ctx context.Context, channelID int64) (*jianfu.Scorecard, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var w where
	w.add("s.channel_id = ?", channelID)
	w.ownedScope(a, "s")
	sc, err := scanScorecard(s.db.queryRow(ctx, `SELECT `+scorecardCols+scorecardFrom+w.String(), w.args...))
	return sc, s.db.translate(err, nScorecard)
}

// childLen is the length of the short path one level below a region.
func childLen(path string) int {
	return map[int]int{0: 2, 2: 4, 4: 6, 6: 9, 9: 12}[len(path)]
}

// Rankings ranks units or regions in a period.
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
	pw := where{conds: append([]string(nil), w.conds...), args: append([]any(nil), w.args...)}
	pw.add("us.period < ?", per)
	if err := s.db.queryRow(ctx, `SELECT MAX(us.period) FROM unit_scores us`+pw.String(), pw.args...).Scan(&prev); err != nil {
		return nil, 0, err
	}
	p := f.Page.Normalize()
	if f.By == "region" {
		root := f.RegionPath
		if root == "" && !a.System {
			root = a.RegionPath
		}
		n := childLen(root)
		if n == 0 {
			return nil, 0, nil
		}
		agg := func(period string) (map[string]*jianfu.UnitScore, []string, error) {
			ww := where{conds: append([]string(nil), w.conds...), args: append([]any(nil), w.args...)}
			ww.add("us.period = ?", period)
			ww.add("LENGTH(us.region_path) >= ?", n)
			ww.prefix("us.region_path", root)
			rows, err := s.db.query(ctx, `SELECT SUBSTR(us.region_path, 1, ?) AS rp, SUM(us.channels), SUM(us.score * us.channels) / NULLIF(SUM(CASE WHEN us.score IS NULL THEN 0 ELSE us.channels END), 0)
				FROM unit_scores us`+ww.String()+` GROUP BY 1`, append([]any{n}, ww.args...)...)
			if err != nil {
				return nil, nil, err
			}
			defer rows.Close()
			out := map[string]*jianfu.UnitScore{}
			var order []string
			for rows.Next() {
				var s jianfu.UnitScore
				var score sql.NullFloat64
				if err := rows.Scan(&s.RegionPath, &s.Channels, &score); err != nil {
					return nil, nil, err
				}
				s.Score, s.Period = optF(score), period
				out[s.RegionPath] = &s
				order = append(order, s.RegionPath)
			}
			return out, order, rows.Err()
		}
		cur, order, err := agg(per)
		if err != nil {
			return nil, 0, err
		}
		var before map[string]*jianfu.UnitScore
		if prev.Valid {
			if before, _, err = agg(prev.String); err != nil {
				return nil, 0, err
			}
		}
		var all []*jianfu.UnitScore
		for _, k := range order {
			u := cur[k]
			u.Name = s.db.regionName(ctx, k)
			if b := before[k]; b != nil {
				u.Previous = b.Score
			}
			all = append(all, u)
		}
		rankScores(all)
		total := len(all)
		if p.Offset >= total {
			return nil, total, nil
		}
		return all[p.Offset:min(total, p.Offset+p.Limit)], total, nil
	}
	w.add("us.period = ?", per)
	var total int
	if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM unit_scores us`+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.db.query(ctx, `SELECT us.unit_id, u.name, us.region_path, us.period, us.channels, us.score, pv.score
		FROM unit_scores us JOIN units u ON u.id = us.unit_id LEFT JOIN unit_scores pv ON pv.unit_id = us.unit_id AND pv.period = ?`+w.String()+
		` ORDER BY CASE WHEN us.score IS NULL THEN 1 ELSE 0 END, us.score DESC, u.name LIMIT ? OFFSET ?`,
		append(append([]any{prev.String}, w.args...), p.Limit, p.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*jianfu.UnitScore
	for rows.Next() {
		var s jianfu.UnitScore
		var score, pv sql.NullFloat64
		if err := rows.Scan(&s.UnitID, &s.Name, &s.RegionPath, &s.Period, &s.Channels, &score, &pv); err != nil {
			return nil, 0, err
		}
		s.Score, s.Previous = optF(score), optF(pv)
		s.Rank = p.Offset + len(out) + 1
		out = append(out, &s)
	}
	return out, total, rows.Err()
}

// rankScores sorts by score (no data last) and numbers the ranks.
func rankScores(all []*jianfu.UnitScore) {
	val := func(s *jianfu.UnitScore) float64 {
		if s.Score == nil {
			return -1
		}
		return *s.Score
	}
	for i := 1; i < len(all); i++ {
		for j := i; j > 0 && val(all[j]) > val(all[j-1]); j-- {
			all[j], all[j-1] = all[j-1], all[j]
		}
	}
	for i, s := range all {
		s.Rank = i + 1
	}
}

// Trend is the channel-weighted average score per month, the last 12.
func (s *Evaluation) Trend(ctx context.Context, unitID int64) ([]jianfu.TrendPoint, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var w where
	w.ownedScope(a, "us")
	w.add("us.score IS NOT NULL")
	if unitID != 0 {
		w.add("us.unit_id = ?", unitID)
	}
	rows, err := s.db.query(ctx, `SELECT us.period, SUM(us.score * us.channels) / SUM(us.channels), SUM(us.channels) FROM unit_scores us`+w.String()+
		` GROUP BY us.period ORDER BY us.period DESC LIMIT 12`, w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []jianfu.TrendPoint
	for rows.Next() {
		var t jianfu.TrendPoint
		var v sql.NullFloat64
		if err := rows.Scan(&t.Period, &v, &t.N); err != nil {
			return nil, err
		}
		if f := optF(v); f != nil {
			t.Score = *f
		}
		out = append([]jianfu.TrendPoint{t}, out...)
	}
	return out, rows.Err()
}

// relapseWindow is how long after a rectification new failures count as
// 反弹回潮.
const relapseWindow = 183 * 24 * time.Hour

// Relapses flags units whose failures came back within 6 months after a
// completed rectification (or whose burden index rose, once burden
// monitoring reports it).
func (s *Evaluation) Relapses(ctx context.Context) ([]*jianfu.Relapse, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var w where
	w.ownedScope(a, "r")
	w.add("r.status = 'rectified'")
	rows, err := s.db.query(ctx, `SELECT r.unit_id, u.name, u.region_path, r.rectified_at, COUNT(n.id), MIN(n.created_at)
		FROM rectifications r JOIN units u ON u.id = r.unit_id
		JOIN rectifications n ON n.unit_id = r.unit_id AND n.id <> r.id AND n.created_at > r.rectified_at AND n.created_at <= r.rectified_at + ?`+
		w.String()+` GROUP BY r.unit_id, u.name, u.region_path, r.rectified_at ORDER BY r.rectified_at DESC`,
		append([]any{relapseWindow.Milliseconds()}, w.args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	seen := map[int64]bool{}
	var out []*jianfu.Relapse
	var units []int64
	for rows.Next() {
		var r jianfu.Relapse
		var at, first int64
		var n int
		if err := rows.Scan(&r.UnitID, &r.UnitName, &r.RegionPath, &at, &n, &first); err != nil {
			return nil, err
		}
		if seen[r.UnitID] {
			continue
		}
		seen[r.UnitID] = true
		r.RectifiedAt = fromMS(at)
		r.Evidence = fmt.Sprintf("%s完成整改后,6个月内又出现%d次不合格或整改事项(首次于%s)", dateOf(r.RectifiedAt), n, dateOf(fromMS(first)))
		out = append(out, &r)
		units = append(units, r.UnitID)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Rising burden after a rectification, from burden monitoring.
	rising, err := s.db.burdenReader().UnitBurdenRising(ctx, units, s.db.Now().Add(-relapseWindow))
	if err != nil {
		return nil, err
	}
	for _, r := range out {
		if rising[r.UnitID] {
			r.Evidence += ";负担指数回升"
		}
	}
	return out, nil
}

// Dashboard summarises the caller's scope.
func (s *Evaluation) Dashboard(ctx context.Context) (*jianfu.Dashboard, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	d := &jianfu.Dashboard{Channels: map[jianfu.ChannelKind]int{}, GradeCounts: map[string]int{}}
	now := s.db.Now()
	count := func(dst *int, q string, w where, extra ...any) error {
		return s.db.queryRow(ctx, q+w.String(), append(w.args, extra...)...).Scan(dst)
	}
	var cw where
	cw.channelScope(a)
	rows, err := s.db.query(ctx, `SELECT c.kind, c.status, COUNT(*) FROM channels c`+cw.String()+` GROUP BY c.kind, c.status`, cw.args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var kind, status string
		var n int
		if err := rows.Scan(&kind, &status, &n); err != nil {
			rows.Close()
			return nil, err
		}
		switch jianfu.ChannelStatus(status) {
		case jianfu.StatusClosed:
			d.Closed += n
		case jianfu.StatusActive, jianfu.StatusRectifying, jianfu.StatusApproved, jianfu.StatusExitRequested:
			d.Active += n
			d.Channels[jianfu.ChannelKind(kind)] += n
		}
	}
	rows.Close()
	var cp where
	cp.campaignScope(a)
	if err := count(&d.Campaigns, `SELECT COUNT(*) FROM campaigns cp`, cp); err != nil {
		return nil, err
	}
	var fw where
	fw.ownedScope(a, "f")
	fw.add("f.status = 'done' AND f.submitted_at >= ?", ms(now.AddDate(-1, 0, 0)))
	var done, failed sql.NullInt64
	if err := s.db.queryRow(ctx, `SELECT COUNT(*), SUM(CASE WHEN f.passed THEN 0 ELSE 1 END) FROM check_forms f`+fw.String(), fw.args...).Scan(&done, &failed); err != nil {
		return nil, err
	}
	if done.Int64 > 0 {
		r := float64(int(float64(failed.Int64)/float64(done.Int64)*1000+0.5)) / 10
		d.FailRate = &r
	}
	var pw where
	pw.ownedScope(a, "f")
	pw.add("f.status = 'pending'")
	if err := count(&d.OpenForms, `SELECT COUNT(*) FROM check_forms f`, pw); err != nil {
		return nil, err
	}
	var rw where
	rw.ownedScope(a, "r")
	rw.add("r.status = 'open'")
	if err := count(&d.OpenRect, `SELECT COUNT(*) FROM rectifications r`, rw); err != nil {
		return nil, err
	}
	rw.add("r.deadline < ?", dateOf(now))
	if err := count(&d.OverdueRect, `SELECT COUNT(*) FROM rectifications r`, rw); err != nil {
		return nil, err
	}
	var ow where
	ow.ownedScope(a, "o")
	ow.add("o.status IN ('issued', 'appealed')")
	if err := count(&d.OpenOrders, `SELECT COUNT(*) FROM exit_orders o`, ow); err != nil {
		return nil, err
	}
	if _, d.Candidates, err = s.db.Cleanup().FindCandidates(ctx, jianfu.CandidateFilter{Page: jianfu.Page{Limit: 1}}); err != nil {
		return nil, err
	}
	var sw where
	sw.ownedScope(a, "s")
	var avg sql.NullFloat64
	if err := s.db.queryRow(ctx, `SELECT AVG(s.total) FROM scorecards s`+sw.String(), sw.args...).Scan(&avg); err != nil {
		return nil, err
	}
	d.AvgScore = optF(avg)
	gw := where{conds: append([]string(nil), sw.conds...), args: append([]any(nil), sw.args...)}
	gw.add("s.total IS NOT NULL")
	grows, err := s.db.query(ctx, `SELECT CASE WHEN s.total >= 90 THEN '优' WHEN s.total >= 75 THEN '良' WHEN s.total >= 60 THEN '中' ELSE '差' END, COUNT(*)
		FROM scorecards s`+gw.String()+` GROUP BY 1`, gw.args...)
	if err != nil {
		return nil, err
	}
	for grows.Next() {
		var g string
		var n int
		if err := grows.Scan(&g, &n); err != nil {
			grows.Close()
			return nil, err
		}
		d.GradeCounts[g] = n
	}
	grows.Close()
	var mw where
	mw.channelScope(a)
	mw.add("m.reachable = FALSE AND c.status <> 'closed'")
	if err := count(&d.Unreachable, `SELECT COUNT(*) FROM monitor_latest m JOIN channels c ON c.id = m.channel_id`, mw); err != nil {
		return nil, err
	}
	sw2 := where{conds: append([]string(nil), sw.conds...), args: append([]any(nil), sw.args...)}
	sw2.add("s.timeliness IS NOT NULL AND s.timeliness < 100")
	if err := count(&d.Stale, `SELECT COUNT(*) FROM scorecards s`, sw2); err != nil {
		return nil, err
	}
	var qw where
	qw.ownedScope(a, "r")
	qw.add("r.quarter = ?", jianfu.Quarter(now))
	var ravg sql.NullFloat64
	if err := s.db.queryRow(ctx, `SELECT COUNT(*), AVG(r.score * 1.0) FROM ratings r`+qw.String(), qw.args...).Scan(&d.RatingCount, &ravg); err != nil {
		return nil, err
	}
	d.RatingAverage = optF(ravg)
	if d.Trend, err = s.Trend(ctx, 0); err != nil {
		return nil, err
	}
	if d.Relapses, err = s.Relapses(ctx); err != nil {
		return nil, err
	}
	return d, nil
}
