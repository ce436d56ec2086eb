package store

import (
	"context"
	"fmt"

	"jianfu"
)

// FindPeople lists people (by pseudonym) by the number of registered
// groups in scope they sit in, most first, with the distribution.
func (s *Burden) FindPeople(ctx context.Context, f jianfu.PeopleFilter) ([]*jianfu.PersonGroups, int, *jianfu.PeopleStats, error) {
	a, err := burdenReader(ctx)
	if err != nil {
		return nil, 0, nil, err
	}
	var w where
	w.channelScope(a)
	inner := `SELECT gm.member AS member, COUNT(*) AS n, MAX(gm.last_seen) AS last_seen FROM group_members gm JOIN channels c ON c.id = gm.group_id` + w.String() + ` GROUP BY gm.member`
	st := &jianfu.PeopleStats{}
	var out []*jianfu.PersonGroups
	var total int
	err = s.db.inTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(`SELECT t.n, COUNT(*) FROM (`+inner+`) t GROUP BY t.n`, w.args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var n, k int
			if err := rows.Scan(&n, &k); err != nil {
				rows.Close()
				return err
			}
			st.Count(n, k)
			if n >= f.MinGroups {
				total += k
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		p := f.Page.Normalize()
		r, err := tx.query(`SELECT t.member, t.n, t.last_seen FROM (`+inner+`) t WHERE t.n >= ? ORDER BY t.n DESC, t.member LIMIT ? OFFSET ?`,
			append(append([]any{}, w.args...), max(f.MinGroups, 1), p.Limit, p.Offset)...)
		if err != nil {
			return err
		}
		for r.Next() {
			pg := &jianfu.PersonGroups{}
			var last int64
			if err := r.Scan(&pg.Member, &pg.Groups, &last); err != nil {
				r.Close()
				return err
			}
			pg.LastSeen = fromMS(last)
			out = append(out, pg)
		}
		r.Close()
		if err := r.Err(); err != nil {
			return err
		}
		return tx.audit("member.list", "group_member", nil, a.RegionPath, fmt.Sprintf("列出%d人(共%d人)", len(out), total))
	})
	if err != nil {
		return nil, 0, nil, err
	}
	return out, total, st, nil
}
