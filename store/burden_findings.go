package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"jianfu"
)

var (
	nFinding = noun{"问题发现", "finding"}
	nCluster = noun{"多头报送线索", "repeated-request cluster"}
	nClue    = noun{"线索", "clue"}
)

const findingCols = `f.id, f.group_id, c.name, c.platform, f.unit_id, u.name, f.region_path, f.at, f.sender, f.categories, f.severity, f.score,
	f.assessed, f.offhours, f.excerpt, f.spans, f.source, f.topic, COALESCE(f.cluster_id, 0), f.created_at`

const findingFrom = ` FROM findings f JOIN channels c ON c.id = f.group_id JOIN units u ON u.id = f.unit_id`

func scanFinding(s interface{ Scan(...any) error }) (*jianfu.Finding, error) {
	var f jianfu.Finding
	var at, created int64
	var cats, spans string
	if err := s.Scan(&f.ID, &f.GroupID, &f.GroupName, &f.Platform, &f.UnitID, &f.UnitName, &f.RegionPath, &at, &f.Sender, &cats, &f.Severity, &f.Score,
		&f.Assessed, &f.Offhours, &f.Excerpt, &spans, &f.Source, &f.Topic, &f.ClusterID, &created); err != nil {
		return nil, err
	}
	f.At, f.CreatedAt = fromMS(at), fromMS(created)
	f.Categories = strings.Split(cats, ",")
	if cats == "" {
		f.Categories = []string{}
	}
	if err := json.Unmarshal([]byte(spans), &f.Spans); err != nil {
		f.Spans = nil
	}
	return &f, nil
}

func (w *where) findingFilter(f jianfu.FindingFilter) {
	if f.GroupID != 0 {
		w.add("f.group_id = ?", f.GroupID)
	}
	if f.UnitID != 0 {
		w.add("f.unit_id = ?", f.UnitID)
	}
	if f.ClusterID != 0 {
		w.add("f.cluster_id = ?", f.ClusterID)
	}
	w.prefix("f.region_path", f.RegionPath)
	if f.Category != "" {
		// categories are a comma list in canonical order
		w.add("(',' || f.categories || ',') LIKE ?", "%,"+f.Category+",%")
	}
	if !f.Since.IsZero() {
		w.add("f.at >= ?", ms(f.Since))
	}
	if !f.Until.IsZero() {
		w.add("f.at < ?", ms(f.Until))
	}
	w.like(f.Query, "f.excerpt")
}

// FindFindings lists findings in scope, newest first; the read is audited.
func (db *DB) FindFindings(ctx context.Context, f jianfu.FindingFilter) ([]*jianfu.Finding, int, error) {
	a, err := burdenReader(ctx)
	if err != nil {
		return nil, 0, err
	}
	var w where
	w.burdenScope(a, "f")
	w.findingFilter(f)
	var out []*jianfu.Finding
	var total int
	err = db.inTx(ctx, func(tx *Tx) error {
		if err := tx.queryRow(`SELECT COUNT(*) FROM findings f`+w.String(), w.args...).Scan(&total); err != nil {
			return err
		}
		p := f.Page.Normalize()
		rows, err := tx.query(`SELECT `+findingCols+findingFrom+w.String()+
			orderBy(p.Sort, map[string]string{"at": "f.at", "score": "f.score", "group": "c.name", "unit": "u.name", "severity": "f.score"}, "f.at DESC, f.id DESC")+
			` LIMIT ? OFFSET ?`, append(w.args, p.Limit, p.Offset)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			x, err := scanFinding(rows)
			if err != nil {
				return err
			}
			out = append(out, x)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		return tx.audit("finding.list", "finding", nil, a.RegionPath, fmt.Sprintf("listed %d of %d (group=%d unit=%d cluster=%d category=%s)", len(out), total, f.GroupID, f.UnitID, f.ClusterID, f.Category))
	})
	return out, total, err
}

// FindFindingByID returns one finding in scope; the read is audited.
func (db *DB) FindFindingByID(ctx context.Context, id int64) (*jianfu.Finding, error) {
	a, err := burdenReader(ctx)
	if err != nil {
		return nil, err
	}
	var w where
	w.add("f.id = ?", id)
	w.burdenScope(a, "f")
	var out *jianfu.Finding
	err = db.inTx(ctx, func(tx *Tx) error {
		x, err := scanFinding(tx.queryRow(`SELECT `+findingCols+findingFrom+w.String(), w.args...))
		if err != nil {
			return db.translate(err, nFinding)
		}
		out = x
		return tx.audit("finding.read", "finding", id, x.RegionPath, "")
	})
	return out, err
}

// clusterSums is the in-scope part of clusters: members in the caller's
// scope from two or more groups.
func clusterSums(w where) (string, []any) {
	return `SELECT f.cluster_id AS cid, COUNT(*) AS n, COUNT(DISTINCT f.group_id) AS g, COUNT(DISTINCT f.unit_id) AS un, MIN(f.at) AS first_at, MAX(f.at) AS last_at
		FROM findings f` + w.String() + ` GROUP BY f.cluster_id HAVING COUNT(DISTINCT f.group_id) >= 2`, w.args
}

// FindClusters lists 多头报送 clusters with members in scope from two or more
// groups, the most recent first. Counts and names cover the caller's scope only.
func (db *DB) FindClusters(ctx context.Context, f jianfu.ClusterFilter) ([]*jianfu.Cluster, int, error) {
	a, err := burdenReader(ctx)
	if err != nil {
		return nil, 0, err
	}
	var w where
	w.add("f.cluster_id IS NOT NULL")
	w.burdenScope(a, "f")
	if !f.Since.IsZero() {
		w.add("f.at >= ?", ms(f.Since))
	}
	w.like(f.Query, "f.excerpt", "f.topic")
	sums, args := clusterSums(w)
	var out []*jianfu.Cluster
	var total int
	err = db.inTx(ctx, func(tx *Tx) error {
		if err := tx.queryRow(`SELECT COUNT(*) FROM (`+sums+`) t`, args...).Scan(&total); err != nil {
			return err
		}
		p := f.Page.Normalize()
		rows, err := tx.query(`SELECT s.cid, s.n, s.g, s.un, s.first_at, s.last_at FROM (`+sums+`) s`+
			orderBy(p.Sort, map[string]string{"last": "s.last_at", "first": "s.first_at", "units": "s.un", "groups": "s.g", "findings": "s.n"}, "s.last_at DESC, s.cid DESC")+
			` LIMIT ? OFFSET ?`, append(args, p.Limit, p.Offset)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			c := &jianfu.Cluster{}
			var first, last int64
			if err := rows.Scan(&c.ID, &c.Findings, &c.Groups, &c.Units, &first, &last); err != nil {
				rows.Close()
				return err
			}
			c.FirstAt, c.LastAt = fromMS(first), fromMS(last)
			out = append(out, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if err := tx.fillClusters(a, out, false); err != nil {
			return err
		}
		return tx.audit("cluster.list", "cluster", nil, a.RegionPath, fmt.Sprintf("listed %d of %d", len(out), total))
	})
	return out, total, err
}

// fillClusters adds the in-scope title, unit names, clue and (with
// members) the findings of each cluster.
func (tx *Tx) fillClusters(a *jianfu.Actor, cs []*jianfu.Cluster, members bool) error {
	if len(cs) == 0 {
		return nil
	}
	ids := make([]any, 0, len(cs))
	byID := map[int64]*jianfu.Cluster{}
	for _, c := range cs {
		ids = append(ids, c.ID)
		byID[c.ID] = c
		c.UnitNames = []string{}
	}
	var w where
	w.add("f.cluster_id IN ("+placeholders(len(ids))+")", ids...)
	w.burdenScope(a, "f")
	rows, err := tx.query(`SELECT `+findingCols+findingFrom+w.String()+` ORDER BY f.at, f.id`, w.args...)
	if err != nil {
		return err
	}
	seenUnit := map[int64]map[string]bool{}
	for rows.Next() {
		f, err := scanFinding(rows)
		if err != nil {
			rows.Close()
			return err
		}
		c := byID[f.ClusterID]
		if c.Title == "" {
			c.Title, c.Topic = f.Excerpt, f.Topic
		}
		if seenUnit[c.ID] == nil {
			seenUnit[c.ID] = map[string]bool{}
		}
		if !seenUnit[c.ID][f.UnitName] {
			seenUnit[c.ID][f.UnitName] = true
			c.UnitNames = append(c.UnitNames, f.UnitName)
		}
		if members {
			c.Members = append(c.Members, f)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var cw where
	cw.add("cluster_id IN ("+placeholders(len(ids))+")", ids...)
	cw.burdenScope(a, "clues")
	r, err := tx.query(`SELECT cluster_id, id FROM clues`+cw.String(), cw.args...)
	if err != nil {
		return err
	}
	defer r.Close()
	for r.Next() {
		var cid, id int64
		if err := r.Scan(&cid, &id); err != nil {
			return err
		}
		byID[cid].ClueID = id
	}
	return r.Err()
}

// FindClusterByID returns one cluster with its members in scope.
func (db *DB) FindClusterByID(ctx context.Context, id int64) (*jianfu.Cluster, error) {
	a, err := burdenReader(ctx)
	if err != nil {
		return nil, err
	}
	var w where
	w.add("f.cluster_id = ?", id)
	w.burdenScope(a, "f")
	sums, args := clusterSums(w)
	var c *jianfu.Cluster
	err = db.inTx(ctx, func(tx *Tx) error {
		x := &jianfu.Cluster{}
		var first, last int64
		if err := tx.queryRow(`SELECT s.cid, s.n, s.g, s.un, s.first_at, s.last_at FROM (`+sums+`) s`, args...).
			Scan(&x.ID, &x.Findings, &x.Groups, &x.Units, &first, &last); err != nil {
			return db.translate(err, nCluster)
		}
		x.FirstAt, x.LastAt = fromMS(first), fromMS(last)
		if err := tx.fillClusters(a, []*jianfu.Cluster{x}, true); err != nil {
			return err
		}
		c = x
		region := ""
		for i, m := range x.Members {
			if i == 0 {
				region = m.RegionPath
			} else {
				region = commonPrefix(region, m.RegionPath)
			}
		}
		return tx.audit("cluster.read", "cluster", id, region, fmt.Sprintf("%d findings, %d groups", x.Findings, x.Groups))
	})
	return c, err
}

// RaiseClue turns a finding or a cluster into a case clue (线索) that the
// case workflow can adopt. It keeps its own copy of the redacted evidence.
func (db *DB) RaiseClue(ctx context.Context, kind string, id int64) (*jianfu.BurdenClue, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.CanRaiseClue() {
		return nil, forbidden("转为线索需要监管人员或线索办理员角色", "raising a clue needs the supervisor or case handler role")
	}
	cl := &jianfu.BurdenClue{Kind: kind, Status: "new", CreatedBy: a.Username}
	category := string(jianfu.Material) // a 多头报送 cluster is repeated requests for materials
	var unitPath string
	switch kind {
	case jianfu.ClueFromFinding:
		f, err := db.FindFindingByID(ctx, id)
		if err != nil {
			return nil, err
		}
		cl.FindingID, cl.GroupID, cl.UnitID, cl.UnitName, cl.RegionPath = f.ID, f.GroupID, f.UnitID, f.UnitName, f.RegionPath
		category = jianfu.CategoryOther
		if len(f.Categories) > 0 {
			category = string(f.Categories[0])
		}
		names := jianfu.CategoryLabels(f.Categories)
		cl.Title = fmt.Sprintf("工作群“%s”%s", f.GroupName, names)
		assessed := ""
		if f.Assessed {
			assessed = ",与考核挂钩"
		}
		off := ""
		if f.Offhours {
			off = ",发生在工作时间以外"
		}
		cl.Summary = fmt.Sprintf("%s 在工作群“%s”(%s)发现形式主义要求:%s%s%s。摘录(已脱敏):%s\n依据:在工作群组中,不得脱离工作实际强制要求打卡接龙、即时响应,不得随意摊派任务、索要材料。",
			f.At.In(jianfu.China).Format("2006-01-02 15:04"), f.GroupName, f.UnitName, names, assessed, off, f.Excerpt)
	case jianfu.ClueFromCluster:
		c, err := db.FindClusterByID(ctx, id)
		if err != nil {
			return nil, err
		}
		last := c.Members[len(c.Members)-1]
		region := ""
		for i, m := range c.Members {
			if i == 0 {
				region = m.RegionPath
			} else {
				region = commonPrefix(region, m.RegionPath)
			}
		}
		cl.ClusterID, cl.UnitID, cl.UnitName, cl.RegionPath = c.ID, last.UnitID, last.UnitName, region
		cl.Title = fmt.Sprintf("多头报送:同一数据被%d个单位重复索要", c.Units)
		cl.Summary = fmt.Sprintf("%s 至 %s,%d个工作群、%d个单位(%s)索要内容相近的材料%d次。首次摘录(已脱敏):%s\n依据:%s",
			c.FirstAt.In(jianfu.China).Format("2006-01-02"), c.LastAt.In(jianfu.China).Format("2006-01-02"), c.Groups, c.Units,
			strings.Join(c.UnitNames, "、"), c.Findings, c.Title, jianfu.OneFormClause)
	default:
		return nil, jianfu.Errorf(jianfu.EINVALID, "线索来源应为 finding(问题发现)或 cluster(多头报送)", "a clue comes from a finding or a cluster")
	}
	// The clue opens a case in the case workflow at once (idempotent on
	// the source reference, so a retry finds the same case).
	caseClue := &jianfu.Clue{Source: jianfu.SourceMonitoring, SourceRef: fmt.Sprintf("%s:%d", kind, id), Category: category,
		Description: cl.Title + "。" + cl.Summary}
	if kind == jianfu.ClueFromFinding && cl.GroupID != 0 {
		caseClue.ChannelID = cl.GroupID
	} else {
		caseClue.RegionCode = jianfu.CodeOfPath(cl.RegionPath)
	}
	if len([]rune(caseClue.Description)) > jianfu.MaxDescription {
		caseClue.Description = string([]rune(caseClue.Description)[:jianfu.MaxDescription])
	}
	opened, _, err := db.CreateClue(ctx, caseClue)
	if err != nil {
		return nil, fmt.Errorf("open a case for the clue: %w", err)
	}
	cl.Status, cl.CaseID = "adopted", opened.ID
	err = db.inTx(ctx, func(tx *Tx) error {
		if err := tx.queryRow(`SELECT path FROM units WHERE id = ?`, cl.UnitID).Scan(&unitPath); err != nil {
			return db.translate(err, nUnit)
		}
		var existing int64
		q := `SELECT id FROM clues WHERE finding_id = ?`
		if kind == jianfu.ClueFromCluster {
			q = `SELECT id FROM clues WHERE cluster_id = ?`
		}
		switch err := tx.queryRow(q, id).Scan(&existing); {
		case err == nil:
			return jianfu.Errorf(jianfu.ECONFLICT, "已转为线索(编号%d),无需重复提交", "already raised as clue %d", existing)
		case err != sql.ErrNoRows:
			return err
		}
		cl.CreatedAt = tx.now
		t := tx.now
		cl.AdoptedAt = &t
		nid, err := tx.insertID(`INSERT INTO clues(kind, finding_id, cluster_id, group_id, unit_id, region_path, unit_path, title, summary, status, case_id, created_by, created_at, adopted_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			cl.Kind, nullInt(cl.FindingID), nullInt(cl.ClusterID), nullInt(cl.GroupID), cl.UnitID, cl.RegionPath, unitPath, cl.Title, cl.Summary, cl.Status, cl.CaseID, cl.CreatedBy, ms(tx.now), ms(tx.now))
		if err != nil {
			if isUnique(err) {
				return jianfu.Errorf(jianfu.ECONFLICT, "已转为线索,无需重复提交", "already raised as a clue")
			}
			return err
		}
		cl.ID = nid
		return tx.audit("clue.create", "clue", nid, cl.RegionPath, fmt.Sprintf("%s %d → case %d: %s", kind, id, cl.CaseID, cl.Title))
	})
	if err != nil {
		return nil, err
	}
	return cl, nil
}

const clueCols = `k.id, k.kind, COALESCE(k.finding_id, 0), COALESCE(k.cluster_id, 0), COALESCE(k.group_id, 0), k.unit_id, u.name, k.region_path,
	k.title, k.summary, k.status, COALESCE(k.case_id, 0), k.created_by, k.created_at, k.adopted_at`

func scanClue(s interface{ Scan(...any) error }) (*jianfu.BurdenClue, error) {
	var c jianfu.BurdenClue
	var created int64
	var adopted sql.NullInt64
	if err := s.Scan(&c.ID, &c.Kind, &c.FindingID, &c.ClusterID, &c.GroupID, &c.UnitID, &c.UnitName, &c.RegionPath,
		&c.Title, &c.Summary, &c.Status, &c.CaseID, &c.CreatedBy, &created, &adopted); err != nil {
		return nil, err
	}
	c.CreatedAt, c.AdoptedAt = fromMS(created), optMS(adopted)
	return &c, nil
}

// FindClues lists the clues raised in scope, newest first.
func (db *DB) FindClues(ctx context.Context, f jianfu.ClueFilter) ([]*jianfu.BurdenClue, int, error) {
	a, err := burdenReader(ctx)
	if err != nil {
		return nil, 0, err
	}
	var w where
	w.burdenScope(a, "k")
	if f.Status != "" {
		w.add("k.status = ?", f.Status)
	}
	if f.Kind != "" {
		w.add("k.kind = ?", f.Kind)
	}
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM clues k`+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	p := f.Page.Normalize()
	rows, err := db.query(ctx, `SELECT `+clueCols+` FROM clues k JOIN units u ON u.id = k.unit_id`+w.String()+
		orderBy(p.Sort, map[string]string{"created": "k.created_at", "status": "k.status", "unit": "u.name"}, "k.id DESC")+` LIMIT ? OFFSET ?`,
		append(w.args, p.Limit, p.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	out, err := scanAll(rows, scanClue)
	return out, total, err
}

// AdoptClue marks a clue as taken into a case (the case workflow calls it).
func (db *DB) AdoptClue(ctx context.Context, id, caseID int64) (*jianfu.BurdenClue, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.HasAny(jianfu.RoleSupervisor, jianfu.RoleCaseHandler) {
		return nil, forbidden("立案需要监管人员或线索办理员角色", "opening a case needs the supervisor or case handler role")
	}
	var out *jianfu.BurdenClue
	err = db.inTx(ctx, func(tx *Tx) error {
		var w where
		w.add("k.id = ?", id)
		w.burdenScope(a, "k")
		c, err := scanClue(tx.queryRow(`SELECT `+clueCols+` FROM clues k JOIN units u ON u.id = k.unit_id`+w.String(), w.args...))
		if err != nil {
			return db.translate(err, nClue)
		}
		if c.Status == "adopted" {
			return jianfu.Errorf(jianfu.ECONFLICT, "线索已立案(案件编号%d)", "the clue is already in case %d", c.CaseID)
		}
		if _, err := tx.exec(`UPDATE clues SET status = 'adopted', case_id = ?, adopted_at = ? WHERE id = ?`, caseID, ms(tx.now), id); err != nil {
			return err
		}
		c.Status, c.CaseID = "adopted", caseID
		t := tx.now
		c.AdoptedAt = &t
		out = c
		return tx.audit("clue.adopt", "clue", id, c.RegionPath, fmt.Sprintf("case %d", caseID))
	})
	return out, err
}

// FindPeople lists people (by pseudonym) by the number of registered
// groups in scope they sit in, most first, with the distribution.
func (db *DB) FindPeople(ctx context.Context, f jianfu.PeopleFilter) ([]*jianfu.PersonGroups, int, *jianfu.PeopleStats, error) {
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
	err = db.inTx(ctx, func(tx *Tx) error {
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
			st.People += k
			st.Max = max(st.Max, n)
			switch {
			case n >= 20:
				st.Buckets[4] += k
			case n >= 10:
				st.Buckets[3] += k
			case n >= 5:
				st.Buckets[2] += k
			case n >= 2:
				st.Buckets[1] += k
			default:
				st.Buckets[0] += k
			}
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
		return tx.audit("member.list", "group_member", nil, a.RegionPath, fmt.Sprintf("listed %d of %d people", len(out), total))
	})
	if err != nil {
		return nil, 0, nil, err
	}
	return out, total, st, nil
}

// PurgeFindings deletes findings older than before, with their band keys
// and the message keys recorded before it, and clusters left empty. Only
// the system (the retention job) and system administrators may.
func (db *DB) PurgeFindings(ctx context.Context, before time.Time) (int, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return 0, err
	}
	if !a.System && !a.Has(jianfu.RoleSysAdmin) {
		return 0, forbidden("清理过期数据需要系统管理员角色", "purging expired data needs the system administrator role")
	}
	var n int64
	err = db.inTx(ctx, func(tx *Tx) error {
		cut := ms(before)
		if _, err := tx.exec(`DELETE FROM finding_bands WHERE finding_id IN (SELECT id FROM findings WHERE at < ?)`, cut); err != nil {
			return err
		}
		res, err := tx.exec(`DELETE FROM findings WHERE at < ?`, cut)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		if _, err := tx.exec(`DELETE FROM message_keys WHERE at < ?`, cut); err != nil {
			return err
		}
		if _, err := tx.exec(`DELETE FROM material_clusters WHERE NOT EXISTS (SELECT 1 FROM findings f WHERE f.cluster_id = material_clusters.id)`); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		return tx.audit("finding.purge", "finding", nil, "", fmt.Sprintf("deleted %d findings before %s (retention)", n, before.In(jianfu.China).Format("2006-01-02")))
	})
	return int(n), err
}
