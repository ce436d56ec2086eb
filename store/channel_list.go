package store

import (
	"context"
	"strings"

	"jianfu"
)

// from returns the FROM clause of a query driven by d, selecting from
// channels c (and channel_grams g).
func from(e Engine, d driver) string {
	switch {
	case d.gram != "" && e == SQLite:
		return ` FROM channel_grams g CROSS JOIN channels c`
	case d.gram != "":
		return ` FROM channel_grams g JOIN channels c ON c.id = g.channel_id`
	case e != SQLite || d.index == "-":
		return ` FROM channels c`
	case d.index == "":
		return ` FROM channels c NOT INDEXED`
	}
	return ` FROM channels c INDEXED BY ` + d.index
}

// whereFor returns the WHERE clause and arguments of w for a query driven by d.
func whereFor(e Engine, w where, d driver) (string, []any) {
	if d.gram != "" {
		conds := append([]string{"g.gram = ?"}, w.conds...)
		args := append([]any{d.gram}, w.args...)
		if e == SQLite {
			conds = append(conds, "c.id = g.channel_id")
		}
		w = where{conds: conds, args: args}
	}
	return w.String(), w.args
}

// FindChannels lists channels in scope, newest first unless sorted. Personal
// data is masked in lists; the detail shows it to those who may see it. The
// total is exact, except that a count the counters cannot answer stops at
// a cap (jianfu.ChannelCountCap, or jianfu.ChannelSearchCap for a search) and then
// reports cap+1, "more than".
func (s *Channels) FindChannels(ctx context.Context, f jianfu.ChannelFilter) ([]*jianfu.Channel, int, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, 0, err
	}
	q, err := s.db.planChannels(ctx, a, f)
	if err != nil {
		return nil, 0, err
	}
	if q.empty {
		return nil, 0, nil
	}
	p := f.Page.Normalize()
	ids, err := s.db.pageIDs(ctx, q, p)
	if err != nil {
		return nil, 0, err
	}
	out, err := s.db.channelsByID(ctx, ids)
	if err != nil {
		return nil, 0, err
	}
	for _, c := range out {
		c.Mask()
		c.Pending, c.Checks = nil, nil
	}
	total := q.total
	if !q.counted {
		if p.Offset == 0 && len(out) < p.Limit {
			total = len(out)
		} else {
			cond, args := whereFor(s.db.engine, q.w, q.count)
			if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1`+from(s.db.engine, q.count)+cond+` LIMIT `+itoaInt(q.cap+1)+`) t`, args...).Scan(&total); err != nil {
				return nil, 0, err
			}
		}
	}
	return out, total, nil
}

// pageIDs reads the ids of one page in order.
func (db *DB) pageIDs(ctx context.Context, q *channelQuery, p jianfu.Page) ([]int64, error) {
	cond, args := whereFor(db.engine, q.w, q.page)
	sel := `SELECT c.id`
	if q.page.gram != "" {
		sel = `SELECT g.channel_id`
	}
	rows, err := db.query(ctx, sel+from(db.engine, q.page)+cond+q.sort+` LIMIT ? OFFSET ?`, append(args, p.Limit, p.Offset)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// channelsByID reads channels in the order of ids.
func (db *DB) channelsByID(ctx context.Context, ids []int64) ([]*jianfu.Channel, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := db.query(ctx, `SELECT `+channelCols+channelFrom+` WHERE c.id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byID := make(map[int64]*jianfu.Channel, len(ids))
	for rows.Next() {
		r, err := scanChannelRow(rows)
		if err != nil {
			return nil, err
		}
		byID[r.ID] = r.Channel
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]*jianfu.Channel, 0, len(ids))
	for _, id := range ids {
		if c := byID[id]; c != nil {
			out = append(out, c)
		}
	}
	return out, nil
}
