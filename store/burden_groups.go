package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"sort"
	"sync/atomic"

	"jianfu"
)

var nGroup = noun{"工作群", "group"}

// An ingest path — a batch from the API, a file, a bot, or the stream's
// publisher and its worker — is authorised and has its groups resolved in
// the caller's scope once: by ResolveGroups, whose groups the observations
// then carry to RecordObservations. RecordObservations authorises and
// resolves only observations that come without their group (a direct call).

// ingestCounts counts the authorisations and the scope resolutions of
// ingest paths, so a test can show there is one of each per path.
type ingestCounts struct {
	auths, scopes atomic.Int64
	txs, chunks   atomic.Int64 // ingest transactions, and the chunks they stored
}

// IngestCommits reports how many transactions stored message chunks since
// the store was opened, and how many chunks they stored: more chunks than
// transactions when concurrent batches were stored together.
func (db *DB) IngestCommits() (txs, chunks int64) {
	return db.ingest.txs.Load(), db.ingest.chunks.Load()
}

// IngestChecks reports how many times since the store was opened an ingest
// path was authorised, and how many times groups were resolved in a
// caller's scope for one: one of each per path.
func (db *DB) IngestChecks() (auths, scopes int64) {
	return db.ingest.auths.Load(), db.ingest.scopes.Load()
}

// authoriseIngest is the permission of an ingest path (CanIngest).
func (db *DB) authoriseIngest(a *jianfu.Actor) error {
	db.ingest.auths.Add(1)
	if !a.CanIngest() {
		return forbidden("提交工作群消息需要监管人员、抽查评估员、单位管理员、基层干部或系统管理员角色", "submitting work-group messages needs the supervisor, inspector, unit administrator, staff or system administrator role")
	}
	return nil
}

// readGroups reads the registered groups each of ws names (by id or by
// platform id), in the actor's scope, with what ingestion writes of them.
func (db *DB) readGroups(query func(q string, args ...any) (*sql.Rows, error), a *jianfu.Actor, ws []where) ([]*jianfu.GroupInfo, error) {
	db.ingest.scopes.Add(1)
	var out []*jianfu.GroupInfo
	for _, w := range ws {
		w.add("c.kind = ?", string(jianfu.KindGroup))
		w.channelScope(a)
		rows, err := query(`SELECT c.id, c.name, c.unit_id, u.name, c.region_path, c.unit_path, c.platform, c.platform_id, c.member_count, c.status`+
			channelFrom+w.String(), w.args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			g := &jianfu.GroupInfo{}
			var status string
			if err := rows.Scan(&g.ID, &g.Name, &g.UnitID, &g.UnitName, &g.RegionPath, &g.UnitPath, &g.Platform, &g.PlatformID, &g.MemberCount, &status); err != nil {
				rows.Close()
				return nil, err
			}
			g.Status = jianfu.ChannelStatus(status)
			out = append(out, g)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// byIDs selects channels by id, at most 500 to a query.
func byIDs(ids []any) []where {
	var ws []where
	for _, chunk := range chunks(ids, 500) {
		var w where
		w.add("c.id IN ("+placeholders(len(chunk))+")", chunk...)
		ws = append(ws, w)
	}
	return ws
}

// ResolveGroups authorises an ingest path and finds the registered groups
// (channels of kind group) that the references name, in the caller's
// scope. References that name nothing visible are absent from the map.
func (s *Burden) ResolveGroups(ctx context.Context, refs []jianfu.GroupRef) (map[jianfu.GroupRef]*jianfu.GroupInfo, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.db.authoriseIngest(a); err != nil {
		return nil, err
	}
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
	ws := byIDs(ids)
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
			ws = append(ws, w)
		}
	}
	groups, err := s.db.readGroups(func(q string, args ...any) (*sql.Rows, error) { return s.db.query(ctx, q, args...) }, a, ws)
	if err != nil {
		return nil, err
	}
	return jianfu.MatchGroupRefs(refs, groups), nil
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
