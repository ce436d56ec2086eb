package store

import (
	"context"
	"encoding/json"
	"sort"

	"jianfu"
)

var nGroup = noun{"工作群", "group"}

// ResolveGroups finds the registered groups (channels of kind group) that
// the references name, in the caller's scope. References that name nothing
// visible are absent from the map.
func (s *Burden) ResolveGroups(ctx context.Context, refs []jianfu.GroupRef) (map[jianfu.GroupRef]*jianfu.GroupInfo, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var read []*jianfu.GroupInfo
	var ids []any
	seenID := map[int64]bool{}
	byPlatform := map[string][]any{}
	for _, r := range refs {
		if r.ID > 0 {
			if !seenID[r.ID] {
				seenID[r.ID] = true
				ids = append(ids, r.ID)
			}
		} else if r.Platform != "" && r.PlatformID != "" {
			byPlatform[r.Platform] = append(byPlatform[r.Platform], r.PlatformID)
		}
	}
	scan := func(w where) error {
		w.add("c.kind = ?", string(jianfu.KindGroup))
		w.channelScope(a)
		rows, err := s.db.query(ctx, `SELECT c.id, c.name, c.unit_id, u.name, c.region_path, c.platform, c.platform_id, c.member_count, c.status`+channelFrom+w.String(), w.args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			g := &jianfu.GroupInfo{}
			var status string
			if err := rows.Scan(&g.ID, &g.Name, &g.UnitID, &g.UnitName, &g.RegionPath, &g.Platform, &g.PlatformID, &g.MemberCount, &status); err != nil {
				return err
			}
			g.Status = jianfu.ChannelStatus(status)
			read = append(read, g)
		}
		return rows.Err()
	}
	for _, chunk := range chunks(ids, 500) {
		var w where
		w.add("c.id IN ("+placeholders(len(chunk))+")", chunk...)
		if err := scan(w); err != nil {
			return nil, err
		}
	}
	platforms := make([]string, 0, len(byPlatform))
	for p := range byPlatform {
		platforms = append(platforms, p)
	}
	sort.Strings(platforms)
	for _, p := range platforms {
		for _, chunk := range chunks(byPlatform[p], 500) {
			var w where
			w.add("c.platform = ?", p)
			w.add("c.platform_id IN ("+placeholders(len(chunk))+")", chunk...)
			if err := scan(w); err != nil {
				return nil, err
			}
		}
	}
	return jianfu.MatchGroupRefs(refs, read), nil
}

func chunks(v []any, n int) [][]any {
	var out [][]any
	for len(v) > n {
		out = append(out, v[:n])
		v = v[n:]
	}
	if len(v) > 0 {
		out = append(out, v)
	}
	return out
}

// KnownNames lists the names of people the registry knows — users, group
// owners and administrators, responsible persons — for the redaction of
// excerpts. The list is used to mask, never shown, so it is not scoped: a
// name from another county must be masked too. It needs an actor.
func (s *Burden) KnownNames(ctx context.Context) ([]string, error) {
	if _, err := jianfu.RequireActor(ctx); err != nil {
		return nil, err
	}
	var out []string
	rows, err := s.db.query(ctx, `SELECT name FROM users UNION SELECT owner FROM channels UNION SELECT responsible_person FROM channels`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = s.db.query(ctx, `SELECT admins FROM channels WHERE admins <> '[]'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var js string
		if err := rows.Scan(&js); err != nil {
			return nil, err
		}
		var list []string
		if json.Unmarshal([]byte(js), &list) == nil {
			out = append(out, list...)
		}
	}
	return out, rows.Err()
}
