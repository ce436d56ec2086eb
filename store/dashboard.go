package store

import (
	"context"
	"database/sql"
	"math"
	"strings"

	"jianfu"
)

// Relapses flags units whose failures came back within 6 months after a
// completed rectification (or whose burden index rose, once burden
// monitoring reports it). The store reads the rectifications followed by
// new ones in jianfu.RelapseWindow; jianfu flags the units.
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
		append([]any{jianfu.RelapseWindow.Milliseconds()}, w.args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var read []jianfu.RelapseRow
	for rows.Next() {
		var r jianfu.RelapseRow
		var at, first int64
		if err := rows.Scan(&r.UnitID, &r.UnitName, &r.RegionPath, &at, &r.New, &first); err != nil {
			return nil, err
		}
		r.RectifiedAt, r.First = fromMS(at), fromMS(first)
		read = append(read, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := jianfu.Relapses(read)
	units := make([]int64, len(out))
	for i, r := range out {
		units[i] = r.UnitID
	}
	// Rising burden after a rectification, from burden monitoring.
	rising, err := s.db.burdenReader().UnitBurdenRising(ctx, units, s.db.Now().Add(-jianfu.RelapseWindow))
	if err != nil {
		return nil, err
	}
	jianfu.MarkBurdenRising(out, rising)
	return out, nil
}

// Dashboard summarises the caller's scope: the store counts, jianfu
// names the figures (what is active, the fail rate, grades, staleness).
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
		d.CountChannel(jianfu.ChannelKind(kind), jianfu.ChannelStatus(status), n)
	}
	rows.Close()
	var cp where
	cp.campaignScope(a)
	if err := count(&d.Campaigns, `SELECT COUNT(*) FROM campaigns cp`, cp); err != nil {
		return nil, err
	}
	var fw where
	fw.ownedScope(a, "f")
	fw.add("f.status = 'done' AND f.submitted_at >= ?", ms(jianfu.FailuresSince(now)))
	var done, failed sql.NullInt64
	if err := s.db.queryRow(ctx, `SELECT COUNT(*), SUM(CASE WHEN f.passed THEN 0 ELSE 1 END) FROM check_forms f`+fw.String(), fw.args...).Scan(&done, &failed); err != nil {
		return nil, err
	}
	d.FailRate = jianfu.FailRate(int(done.Int64), int(failed.Int64))
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
	var sum sql.NullFloat64
	var scored int
	if err := s.db.queryRow(ctx, `SELECT SUM(s.total), COUNT(s.total) FROM scorecards s`+sw.String(), sw.args...).Scan(&sum, &scored); err != nil {
		return nil, err
	}
	d.AvgScore = jianfu.Round1P(jianfu.ScoreSum{Weighted: sum.Float64, Weight: float64(scored)}.Mean())
	if err := s.db.gradeCounts(ctx, sw, d.GradeCounts); err != nil {
		return nil, err
	}
	var mw where
	mw.channelScope(a)
	mw.add("m.reachable = FALSE AND c.status <> 'closed'")
	if err := count(&d.Unreachable, `SELECT COUNT(*) FROM monitor_latest m JOIN channels c ON c.id = m.channel_id`, mw); err != nil {
		return nil, err
	}
	stale := sw.clone()
	stale.add("s.timeliness IS NOT NULL AND s.timeliness < ?", jianfu.TimelyScore())
	if err := count(&d.Stale, `SELECT COUNT(*) FROM scorecards s`, stale); err != nil {
		return nil, err
	}
	var qw where
	qw.ownedScope(a, "r")
	qw.add("r.quarter = ?", jianfu.Quarter(now))
	var rsum sql.NullInt64
	if err := s.db.queryRow(ctx, `SELECT COUNT(*), SUM(r.score) FROM ratings r`+qw.String(), qw.args...).Scan(&d.RatingCount, &rsum); err != nil {
		return nil, err
	}
	d.RatingAverage = jianfu.Round1P(jianfu.RatingMean(int(rsum.Int64), d.RatingCount))
	if d.Trend, err = s.Trend(ctx, 0); err != nil {
		return nil, err
	}
	if d.Relapses, err = s.Relapses(ctx); err != nil {
		return nil, err
	}
	return d, nil
}

// gradeCounts counts the scorecards in w (aliased s) with a total by grade
// (jianfu.GradeBands), leaving out grades nobody has.
func (db *DB) gradeCounts(ctx context.Context, w where, out map[string]int) error {
	var cols []string
	var args []any
	upper := math.Inf(1)
	for _, b := range jianfu.GradeBands {
		var conds []string
		if !math.IsInf(b.Min, -1) {
			conds, args = append(conds, "s.total >= ?"), append(args, b.Min)
		}
		if !math.IsInf(upper, 1) {
			conds, args = append(conds, "s.total < ?"), append(args, upper)
		}
		if len(conds) == 0 {
			conds = append(conds, "s.total IS NOT NULL")
		}
		cols = append(cols, "COALESCE(SUM(CASE WHEN "+strings.Join(conds, " AND ")+" THEN 1 ELSE 0 END), 0)")
		upper = b.Min
	}
	n := make([]int, len(cols))
	dst := make([]any, len(cols))
	for i := range n {
		dst[i] = &n[i]
	}
	if err := db.queryRow(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM scorecards s`+w.String(), append(args, w.args...)...).Scan(dst...); err != nil {
		return err
	}
	for i, b := range jianfu.GradeBands {
		if n[i] > 0 {
			out[b.Grade] = n[i]
		}
	}
	return nil
}
