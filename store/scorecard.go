package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"jianfu"
)

var nScorecard = noun{"评价", "scorecard"}

// burdenReader and caseReader are the seams to burden monitoring and cases:
// until those capabilities land they know nothing, and the scorecards show
// 暂无数据 for their components rather than invented numbers.
func (db *DB) burdenReader() jianfu.BurdenReader { return db.Burden() }
func (db *DB) caseReader() jianfu.CaseReader     { return db.Cases() }

// SetScoreMinimum sets how many of the six components a scorecard needs
// for a total (jianfu.MinComponents when n ≤ 0).
func (db *DB) SetScoreMinimum(n int) { db.scoreMin = n }

// scoreBatch is how many channels a recompute reads, scores and writes
// at a time.
const scoreBatch = 1000

// RecomputeScorecards scores every channel in scope and the units' scores
// of the current month, in one transaction. The store reads each batch of
// channels with what their scorecards are computed from; the formulas are
// jianfu's (Scorecard.Score, ScoreSum).
func (s *Evaluation) RecomputeScorecards(ctx context.Context) (int, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return 0, err
	}
	if !a.System && !(a.Has(jianfu.RoleSupervisor) && a.RegionWide()) {
		return 0, forbidden("重新计算评价需要监管人员角色", "recomputing scorecards needs the supervisor role")
	}
	// the burden indexes are read inside the transaction, which does not
	// fold the burden journal: fold it first, so the scorecards count every
	// message acknowledged before
	s.db.foldPending(ctx)
	var n int
	err = s.db.inTx(ctx, func(tx *Tx) error {
		now := tx.now
		var del where
		del.regionScope(a, "region_path")
		if _, err := tx.exec(`DELETE FROM scorecards`+del.String(), del.args...); err != nil {
			return fmt.Errorf("clear scorecards: %w", err)
		}
		units := map[int64]*unitTally{}
		var after int64
		for {
			cards, err := tx.scoreBatch(a, after, now)
			if err != nil {
				return fmt.Errorf("compute scorecards: %w", err)
			}
			if len(cards) == 0 {
				break
			}
			if err := tx.insertScorecards(cards, now); err != nil {
				return fmt.Errorf("write scorecards: %w", err)
			}
			for _, c := range cards {
				u := units[c.UnitID]
				if u == nil {
					u = &unitTally{unitPath: c.unitPath, regionPath: c.RegionPath}
					units[c.UnitID] = u
				}
				u.unitPath, u.regionPath = min(u.unitPath, c.unitPath), min(u.regionPath, c.RegionPath)
				u.channels++
				u.sum.Add(c.Total, 1)
			}
			n += len(cards)
			after = cards[len(cards)-1].ChannelID
		}
		p := jianfu.Period(now)
		var us where
		us.add("period = ?", p)
		us.regionScope(a, "region_path")
		if _, err := tx.exec(`DELETE FROM unit_scores`+us.String(), us.args...); err != nil {
			return err
		}
		if err := tx.insertUnitScores(p, units); err != nil {
			return fmt.Errorf("unit scores: %w", err)
		}
		return tx.audit("scorecard.recompute", "scorecard", nil, a.RegionPath, fmt.Sprintf("%d个渠道,评价期%s", n, p))
	})
	return n, err
}

// scoredCard is a computed scorecard with the paths it is stored under.
type scoredCard struct {
	jianfu.Scorecard
	unitPath string
}

// unitTally adds up a unit's scorecards for its score of the month.
type unitTally struct {
	unitPath, regionPath string
	channels             int
	sum                  jianfu.ScoreSum
}

// scoreBatch reads the next channels in scope after the id given, with
// their latest technical check, latest submitted spot check, ratings of
// the quarter and what burden monitoring and cases know, and scores them.
func (tx *Tx) scoreBatch(a *jianfu.Actor, after int64, now time.Time) ([]*scoredCard, error) {
	var w where
	w.channelScope(a)
	w.add("c.status NOT IN ('closed', 'draft', 'returned')")
	w.add("c.id > ?", after)
	rows, err := tx.query(`SELECT c.id, c.unit_id, c.unit_path, c.region_path, c.kind, c.last_activity_at, m.channel_id, m.reachable, m.last_update
		FROM channels c LEFT JOIN monitor_latest m ON m.channel_id = c.id`+w.String()+` ORDER BY c.id LIMIT ?`, append(w.args, scoreBatch)...)
	if err != nil {
		return nil, err
	}
	var cards []*scoredCard
	var ins []jianfu.ScoreInput
	for rows.Next() {
		var c scoredCard
		var in jianfu.ScoreInput
		var kind string
		var last, mon, update sql.NullInt64
		var reachable sql.NullBool
		if err := rows.Scan(&c.ChannelID, &c.UnitID, &c.unitPath, &c.RegionPath, &kind, &last, &mon, &reachable, &update); err != nil {
			rows.Close()
			return nil, err
		}
		c.Kind = jianfu.ChannelKind(kind)
		in.LastActivity, in.LastUpdate = optMS(last), optMS(update)
		in.Checked, in.Reachable = mon.Valid, reachable.Bool
		cards, ins = append(cards, &c), append(ins, in)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(cards) == 0 {
		return nil, err
	}
	lo, hi := after, cards[len(cards)-1].ChannelID
	byID := make(map[int64]int, len(cards))
	ids := make([]int64, len(cards))
	for i, c := range cards {
		byID[c.ChannelID], ids[i] = i, c.ChannelID
	}
	// The latest submitted spot check of each channel of the batch.
	rows, err = tx.query(`SELECT f.channel_id, f.score, f.vetoed, f.vetoes, k.items FROM check_forms f
		JOIN (SELECT channel_id, MAX(id) AS id FROM check_forms WHERE status = 'done' AND channel_id > ? AND channel_id <= ? GROUP BY channel_id) lf ON lf.id = f.id
		JOIN checklists k ON k.id = f.checklist_id`, lo, hi)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var score sql.NullFloat64
		var vetoed bool
		var vetoes, items string
		if err := rows.Scan(&id, &score, &vetoed, &vetoes, &items); err != nil {
			rows.Close()
			return nil, err
		}
		if i, ok := byID[id]; ok {
			ins[i].CheckDone, ins[i].CheckVetoed = true, vetoed
			if score.Valid {
				ins[i].CheckScore = &score.Float64
			}
			if vetoed {
				var keys []string
				var list jianfu.Checklist
				json.Unmarshal([]byte(vetoes), &keys)
				json.Unmarshal([]byte(items), &list.Items)
				ins[i].VetoReason = list.VetoReason(keys)
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = tx.query(`SELECT channel_id, SUM(score), COUNT(*) FROM ratings WHERE quarter = ? AND channel_id > ? AND channel_id <= ? GROUP BY channel_id`,
		jianfu.Quarter(now), lo, hi)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var sum, n int
		if err := rows.Scan(&id, &sum, &n); err != nil {
			rows.Close()
			return nil, err
		}
		if i, ok := byID[id]; ok {
			ins[i].RatingSum, ins[i].RatingCount = sum, n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	burden, err := tx.db.burdenReader().BurdenIndexes(tx.ctx, ids)
	if err != nil {
		return nil, err
	}
	complaints, err := tx.db.caseReader().ComplaintIndexes(tx.ctx, ids)
	if err != nil {
		return nil, err
	}
	for i, c := range cards {
		if v, ok := burden[c.ChannelID]; ok {
			ins[i].BurdenIndex = &v
		}
		if v, ok := complaints[c.ChannelID]; ok {
			ins[i].ComplaintIndex = &v
		}
		ins[i].MinComponents = tx.db.scoreMin
		c.Score(ins[i], now)
	}
	return cards, nil
}

// rowWriter inserts many rows of one table in a transaction, each
// statement prepared once: one row per statement on SQLite, where a
// multi-row INSERT pays for a statement journal, and many per statement on
// PostgreSQL, where each statement is a round trip.
type rowWriter struct {
	tx     *Tx
	head   string // INSERT INTO t(cols) VALUES
	tuple  string // (?, ?, …)
	per    int    // rows per statement
	stmt   *sql.Stmt
	buffer []any
}

func (tx *Tx) rowWriter(head string, cols int) *rowWriter {
	w := &rowWriter{tx: tx, head: head, tuple: "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")", per: 1}
	if tx.db.engine == Postgres {
		w.per = 500
	}
	return w
}

// add buffers a row and writes the buffer when it is full.
func (w *rowWriter) add(row ...any) error {
	w.buffer = append(w.buffer, row...)
	if len(w.buffer) < w.per*len(row) {
		return nil
	}
	if w.stmt == nil {
		stmt, err := w.tx.tx.PrepareContext(w.tx.ctx, w.statement(w.per))
		if err != nil {
			return err
		}
		w.stmt = stmt
	}
	_, err := w.stmt.ExecContext(w.tx.ctx, w.buffer...)
	w.buffer = w.buffer[:0]
	return err
}

// flush writes what is buffered and releases the statement.
func (w *rowWriter) flush(cols int) error {
	if w.stmt != nil {
		defer w.stmt.Close()
	}
	if len(w.buffer) == 0 {
		return nil
	}
	_, err := w.tx.tx.ExecContext(w.tx.ctx, w.statement(len(w.buffer)/cols), w.buffer...)
	w.buffer = w.buffer[:0]
	return err
}

func (w *rowWriter) statement(rows int) string {
	return rebindFor(w.tx.db.engine, w.head+strings.TrimSuffix(strings.Repeat(w.tuple+", ", rows), ", "))
}

// insertScorecards writes computed scorecards.
func (tx *Tx) insertScorecards(cards []*scoredCard, now time.Time) error {
	const cols = 15
	w := tx.rowWriter(`INSERT INTO scorecards(channel_id, unit_id, unit_path, region_path, kind, timeliness, availability, burden, complaints, campaign, rating, rating_count, total, veto, computed_at) VALUES `, cols)
	for _, c := range cards {
		if err := w.add(c.ChannelID, c.UnitID, c.unitPath, c.RegionPath, string(c.Kind), c.Timeliness, c.Availability, c.Burden, c.Complaints,
			c.Campaign, c.Rating, c.RatingCount, c.Total, c.Veto, ms(now)); err != nil {
			return err
		}
	}
	return w.flush(cols)
}

// insertUnitScores writes the units' scores of a period.
func (tx *Tx) insertUnitScores(period string, units map[int64]*unitTally) error {
	ids := make([]int64, 0, len(units))
	for id := range units {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	const cols = 6
	w := tx.rowWriter(`INSERT INTO unit_scores(period, unit_id, unit_path, region_path, channels, score) VALUES `, cols)
	for _, id := range ids {
		u := units[id]
		if err := w.add(period, id, u.unitPath, u.regionPath, u.channels, u.sum.Mean()); err != nil {
			return err
		}
	}
	return w.flush(cols)
}

const scorecardCols = `s.channel_id, c.name, s.kind, c.platform, c.status, s.unit_id, u.name, s.region_path, s.timeliness, s.availability, s.burden,
	s.complaints, s.campaign, s.rating, s.rating_count, s.total, s.veto, s.computed_at`

const scorecardFrom = ` FROM scorecards s JOIN channels c ON c.id = s.channel_id JOIN units u ON u.id = s.unit_id`

// optF reads a stored score rounded for display; nil when it has no data.
func optF(v sql.NullFloat64) *float64 {
	if !v.Valid {
		return nil
	}
	return jianfu.Round1P(&v.Float64)
}

func scanScorecard(s interface{ Scan(...any) error }) (*jianfu.Scorecard, error) {
	var sc jianfu.Scorecard
	var kind string
	var t, av, b, cm, cp, rt, total sql.NullFloat64
	var at int64
	if err := s.Scan(&sc.ChannelID, &sc.ChannelName, &kind, &sc.Platform, &sc.Status, &sc.UnitID, &sc.UnitName, &sc.RegionPath,
		&t, &av, &b, &cm, &cp, &rt, &sc.RatingCount, &total, &sc.Veto, &at); err != nil {
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
	out, total, err := findPage(s.db.in(ctx), listQuery{count: from, rows: `SELECT ` + scorecardCols + scorecardFrom, w: w,
		sorts: map[string]string{"total": "s.total", "name": "c.name", "unit": "u.name", "timeliness": "s.timeliness", "availability": "s.availability",
			"campaign": "s.campaign", "rating": "s.rating", "kind": "s.kind"}, order: "s.channel_id"}, f.Page, scanScorecard)
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
