package store

import (
	"context"
	"database/sql"
	"sort"
	"strings"
	"unicode/utf8"

	"jianfu"
)

// verifyCols are the public columns of a filed channel.
const verifyCols = `c.id, c.kind, c.platform, c.name, c.handle, c.platform_id, COALESCE(u.name, ''), COALESCE(r.name, ''), COALESCE(c.filing_number, ''),
	c.status, c.filed_at, c.closed_at`

const verifyFrom = ` FROM channels c LEFT JOIN units u ON u.id = c.unit_id LEFT JOIN regions r ON r.path = c.region_path`

// publicStatuses are the statuses the public may learn about.
const publicStatuses = `('approved', 'active', 'rectifying', 'exit_requested', 'closed')`

// VerifyChannel answers a public verification query. It needs no actor and
// returns only public facts: no responsible persons, no drafts, nothing in
// review. Lookups use indexes only.
func (s *Registry) VerifyChannel(ctx context.Context, q string) (*jianfu.ChannelVerification, error) {
	q = strings.TrimSpace(q)
	switch {
	case q == "":
		return nil, jianfu.Errorf(jianfu.EINVALID, "请输入要核验的链接、名称、账号或备案号", "enter a link, a name, an account id or a filing number to check")
	case len(q) > 1000 || !utf8.ValidString(q):
		return nil, jianfu.Errorf(jianfu.EINVALID, "输入过长或含有无法识别的字符", "the input is too long or not valid text")
	}
	v := &jianfu.ChannelVerification{Query: q, Matches: []jianfu.VerifiedChannel{}}
	seen := map[int64]bool{}
	lookup := func(cond string, args ...any) error {
		rows, err := s.db.query(ctx, `SELECT `+verifyCols+verifyFrom+` WHERE `+cond+` AND c.status IN `+publicStatuses+` ORDER BY c.id DESC LIMIT 20`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			id, vc, err := scanVerified(rows)
			if err != nil {
				return err
			}
			if !seen[id] {
				seen[id] = true
				v.Matches = append(v.Matches, *vc)
			}
		}
		return rows.Err()
	}
	if fn, ok := jianfu.ParseFilingNumber(strings.ToUpper(q)); ok {
		if err := lookup(`c.filing_number = ?`, fn.String()); err != nil {
			return nil, err
		}
	} else {
		rec, err := s.db.recognizer(ctx)
		if err != nil {
			return nil, err
		}
		if got, ok := rec.Recognize(q); ok {
			v.Recognized = got
			switch {
			case got.ID != "":
				if err := lookup(`c.platform_id = ? AND c.platform = ?`, got.ID, got.Platform); err != nil {
					return nil, err
				}
			case got.Handle != "":
				if err := lookup(`c.handle_key = ? AND c.platform = ?`, strings.ToLower(got.Handle), got.Platform); err != nil {
					return nil, err
				}
				if len(v.Matches) == 0 {
					if err := lookup(`c.name = ? AND c.platform = ?`, got.Handle, got.Platform); err != nil {
						return nil, err
					}
				}
			}
		} else {
			if err := lookup(`c.platform_id = ?`, q); err != nil {
				return nil, err
			}
			if err := lookup(`c.handle_key = ?`, strings.ToLower(q)); err != nil {
				return nil, err
			}
			if err := lookup(`c.name = ?`, q); err != nil {
				return nil, err
			}
		}
	}
	v.Verdict = jianfu.VerdictUnknown
	for _, m := range v.Matches {
		if m.Status.Live() {
			v.Verdict = jianfu.VerdictFiled
			break
		}
		v.Verdict = jianfu.VerdictClosed
	}
	// Filed first, then closed.
	sort.SliceStable(v.Matches, func(i, j int) bool { return v.Matches[i].Status.Live() && !v.Matches[j].Status.Live() })
	if len(v.Matches) == 0 && (v.Recognized == nil || v.Recognized.Handle != "") {
		name := q
		if v.Recognized != nil {
			name = v.Recognized.Handle
		}
		similar, err := s.db.similarFiled(ctx, name)
		if err != nil {
			return nil, err
		}
		v.Similar = similar
	}
	return v, nil
}

func scanVerified(s interface{ Scan(...any) error }) (int64, *jianfu.VerifiedChannel, error) {
	var vc jianfu.VerifiedChannel
	var id int64
	var kind, status string
	var filed, closed sql.NullInt64
	if err := s.Scan(&id, &kind, &vc.Platform, &vc.Name, &vc.Handle, &vc.PlatformID, &vc.UnitName, &vc.RegionName, &vc.FilingNumber, &status, &filed, &closed); err != nil {
		return 0, nil, err
	}
	vc.Kind, vc.Status = jianfu.ChannelKind(kind), jianfu.ChannelStatus(status)
	vc.FiledAt, vc.ClosedAt = optMS(filed), optMS(closed)
	return id, &vc, nil
}

// similarFiled finds up to five live filed channels whose names resemble
// name: the rarest two bigrams of the name lead to the candidates.
func (db *DB) similarFiled(ctx context.Context, name string) ([]jianfu.VerifiedChannel, error) {
	rules, err := db.registryRules()
	if err != nil {
		return nil, err
	}
	key := rules.SearchKey(name)
	grams := rules.SearchGrams(key)
	if utf8.RuneCountInString(key) < 2 || len(grams) == 0 {
		return nil, nil
	}
	type gc struct {
		g string
		n int
	}
	var counts []gc
	for _, g := range grams {
		// Only rarity matters here: a small cap keeps common bigrams cheap.
		var n int
		err := db.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM channel_grams WHERE gram = ? LIMIT 2001) p`, g).Scan(&n)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			counts = append(counts, gc{g, n})
		}
	}
	if len(counts) == 0 {
		return nil, nil
	}
	sort.Slice(counts, func(i, j int) bool { return counts[i].n < counts[j].n })
	if len(counts) > 2 {
		counts = counts[:2]
	}
	var gs []any
	for _, c := range counts {
		gs = append(gs, c.g)
	}
	in := "?" + strings.Repeat(", ?", len(gs)-1)
	rows, err := db.query(ctx, `SELECT `+verifyCols+verifyFrom+` WHERE c.id IN (SELECT channel_id FROM channel_grams WHERE gram IN (`+in+`) ORDER BY channel_id DESC LIMIT 500)
		AND c.status IN `+liveStatuses, gs...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cands []jianfu.VerifiedChannel
	for rows.Next() {
		_, vc, err := scanVerified(rows)
		if err != nil {
			return nil, err
		}
		cands = append(cands, *vc)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return rules.Similar(name, cands, 5), nil
}
