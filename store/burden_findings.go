package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"jianfu"
)

var (
	nFinding = noun{"问题发现", "finding"}
	nCluster = noun{"多头报送线索", "repeated-request cluster"}
)

const findingCols = `f.id, f.group_id, c.name, c.platform, f.unit_id, u.name, f.region_path, f.at, f.sender, f.categories, f.severity, f.score,
	f.assessed, f.offhours, f.excerpt, f.spans, f.source, f.topic, COALESCE(f.cluster_id, 0), f.created_at, COALESCE(k.case_id, 0), COALESCE(kc.number, '')`

// findingFrom joins a finding's group, unit and, when it was turned into a
// clue, the clue's case.
const findingFrom = ` FROM findings f JOIN channels c ON c.id = f.group_id JOIN units u ON u.id = f.unit_id
	LEFT JOIN clues k ON k.finding_id = f.id LEFT JOIN cases kc ON kc.id = k.case_id`

func scanFinding(s interface{ Scan(...any) error }) (*jianfu.Finding, error) {
	var f jianfu.Finding
	var at, created int64
	var cats, spans string
	if err := s.Scan(&f.ID, &f.GroupID, &f.GroupName, &f.Platform, &f.UnitID, &f.UnitName, &f.RegionPath, &at, &f.Sender, &cats, &f.Severity, &f.Score,
		&f.Assessed, &f.Offhours, &f.Excerpt, &spans, &f.Source, &f.Topic, &f.ClusterID, &created, &f.CaseID, &f.CaseNumber); err != nil {
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
func (s *Burden) FindFindings(ctx context.Context, f jianfu.FindingFilter) ([]*jianfu.Finding, int, error) {
	a, err := burdenReader(ctx)
	if err != nil {
		return nil, 0, err
	}
	var w where
	w.burdenScope(a, "f")
	w.findingFilter(f)
	var out []*jianfu.Finding
	var total int
	err = s.db.inTx(ctx, func(tx *Tx) error {
		var err error
		out, total, err = findPage(tx, listQuery{count: ` FROM findings f`, rows: `SELECT ` + findingCols + findingFrom, w: w,
			sorts: map[string]string{"at": "f.at", "score": "f.score", "group": "c.name", "unit": "u.name", "severity": "f.score"}, order: "f.at DESC, f.id DESC"},
			f.Page, scanFinding)
		if err != nil {
			return err
		}
		return tx.audit("finding.list", "finding", nil, a.RegionPath, fmt.Sprintf("列出%d条(共%d条)", len(out), total))
	})
	return out, total, err
}

// FindFindingByID returns one finding in scope; the read is audited.
func (s *Burden) FindFindingByID(ctx context.Context, id int64) (*jianfu.Finding, error) {
	a, err := burdenReader(ctx)
	if err != nil {
		return nil, err
	}
	var out *jianfu.Finding
	err = s.db.inTx(ctx, func(tx *Tx) error {
		x, err := tx.findingByID(a, id)
		if err != nil {
			return err
		}
		out = x
		return tx.audit("finding.read", "finding", id, x.RegionPath, "")
	})
	return out, err
}

// findingByID reads one finding in the actor's scope.
func (tx *Tx) findingByID(a *jianfu.Actor, id int64) (*jianfu.Finding, error) {
	var w where
	w.add("f.id = ?", id)
	w.burdenScope(a, "f")
	x, err := scanFinding(tx.queryRow(`SELECT `+findingCols+findingFrom+w.String(), w.args...))
	if err != nil {
		return nil, tx.db.translate(err, nFinding)
	}
	return x, nil
}

// clusterSums is the in-scope part of clusters: members in the caller's
// scope from two or more groups.
func clusterSums(w where) (string, []any) {
	return `SELECT f.cluster_id AS cid, COUNT(*) AS n, COUNT(DISTINCT f.group_id) AS g, COUNT(DISTINCT f.unit_id) AS un, MIN(f.at) AS first_at, MAX(f.at) AS last_at
		FROM findings f` + w.String() + ` GROUP BY f.cluster_id HAVING COUNT(DISTINCT f.group_id) >= 2`, w.args
}

// FindClusters lists 多头报送 clusters with members in scope from two or more
// groups, the most recent first. Counts and names cover the caller's scope only.
func (s *Burden) FindClusters(ctx context.Context, f jianfu.ClusterFilter) ([]*jianfu.Cluster, int, error) {
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
	err = s.db.inTx(ctx, func(tx *Tx) error {
		// one pass: the page and, on each of its rows, how many there are
		p := f.Page.Normalize()
		rows, err := tx.query(`SELECT s.cid, s.n, s.g, s.un, s.first_at, s.last_at, COUNT(*) OVER () FROM (`+sums+`) s`+
			orderBy(p.Sort, map[string]string{"last": "s.last_at", "first": "s.first_at", "units": "s.un", "groups": "s.g", "findings": "s.n"}, "s.last_at DESC, s.cid DESC")+
			` LIMIT ? OFFSET ?`, append(args, p.Limit, p.Offset)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			c := &jianfu.Cluster{}
			var first, last int64
			if err := rows.Scan(&c.ID, &c.Findings, &c.Groups, &c.Units, &first, &last, &total); err != nil {
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
		if len(out) == 0 && p.Offset > 0 {
			// a page past the end has no row to carry the count
			if err := tx.queryRow(`SELECT COUNT(*) FROM (`+sums+`) t`, args...).Scan(&total); err != nil {
				return err
			}
		}
		if err := tx.fillClusters(a, out, false); err != nil {
			return err
		}
		return tx.audit("cluster.list", "cluster", nil, a.RegionPath, fmt.Sprintf("列出%d组(共%d组)", len(out), total))
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
	for rows.Next() {
		f, err := scanFinding(rows)
		if err != nil {
			rows.Close()
			return err
		}
		byID[f.ClusterID].Take(f, members)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var cw where
	cw.add("clues.cluster_id IN ("+placeholders(len(ids))+")", ids...)
	cw.burdenScope(a, "clues")
	r, err := tx.query(`SELECT clues.cluster_id, clues.id, COALESCE(clues.case_id, 0), COALESCE(kc.number, '') FROM clues LEFT JOIN cases kc ON kc.id = clues.case_id`+cw.String(), cw.args...)
	if err != nil {
		return err
	}
	defer r.Close()
	for r.Next() {
		var cid, id, caseID int64
		var number string
		if err := r.Scan(&cid, &id, &caseID, &number); err != nil {
			return err
		}
		byID[cid].ClueID, byID[cid].CaseID, byID[cid].CaseNumber = id, caseID, number
	}
	return r.Err()
}

// FindClusterByID returns one cluster with its members in scope.
func (s *Burden) FindClusterByID(ctx context.Context, id int64) (*jianfu.Cluster, error) {
	a, err := burdenReader(ctx)
	if err != nil {
		return nil, err
	}
	var c *jianfu.Cluster
	err = s.db.inTx(ctx, func(tx *Tx) error {
		x, err := tx.clusterByID(a, id)
		if err != nil {
			return err
		}
		c = x
		return tx.audit("cluster.read", "cluster", id, x.RegionPath(), fmt.Sprintf("%d条问题发现,涉及%d个工作群", x.Findings, x.Groups))
	})
	return c, err
}

// clusterByID reads one cluster with its members in the actor's scope.
func (tx *Tx) clusterByID(a *jianfu.Actor, id int64) (*jianfu.Cluster, error) {
	var w where
	w.add("f.cluster_id = ?", id)
	w.burdenScope(a, "f")
	sums, args := clusterSums(w)
	x := &jianfu.Cluster{}
	var first, last int64
	if err := tx.queryRow(`SELECT s.cid, s.n, s.g, s.un, s.first_at, s.last_at FROM (`+sums+`) s`, args...).
		Scan(&x.ID, &x.Findings, &x.Groups, &x.Units, &first, &last); err != nil {
		return nil, tx.db.translate(err, nCluster)
	}
	x.FirstAt, x.LastAt = fromMS(first), fromMS(last)
	if err := tx.fillClusters(a, []*jianfu.Cluster{x}, true); err != nil {
		return nil, err
	}
	return x, nil
}

// PurgeFindings deletes findings older than before, with their band keys
// and the message keys recorded before it, and clusters left empty. Only
// the system (the retention job) and system administrators may.
func (s *Burden) PurgeFindings(ctx context.Context, before time.Time) (int, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return 0, err
	}
	if !a.System && !a.Has(jianfu.RoleSysAdmin) {
		return 0, forbidden("清理过期数据需要系统管理员角色", "purging expired data needs the system administrator role")
	}
	var n int64
	err = s.db.inTx(ctx, func(tx *Tx) error {
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
		return tx.audit("finding.purge", "finding", nil, "", fmt.Sprintf("按保存期限删除%s以前的问题发现%d条", before.In(jianfu.China).Format("2006-01-02"), n))
	})
	return int(n), err
}
