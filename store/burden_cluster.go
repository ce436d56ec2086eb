package store

import (
	"context"
	"fmt"
	"time"

	"jianfu"
)

// 多头报送 clustering. Material findings carry a topic: the redacted wording
// of what they ask for, normalised. The store is handed the matcher of
// requests (jianfu.RequestMatcher): each pending finding's band keys find
// the demands within the window that may be the same request, the matcher
// decides, jianfu.LinkCluster says which cluster they end in, and the
// store writes it.

// maxCompared caps the candidates one finding is compared with.
const maxCompared = 300

type pendingFinding struct {
	id, group, unit int64
	at              int64
	topic, region   string
}

// ClusterMaterial links pending material findings into 多头报送 clusters and
// returns how many findings it looked at. Concurrent callers take turns.
func (s *Burden) ClusterMaterial(ctx context.Context, window time.Duration) (int, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return 0, err
	}
	if !a.System && !a.CanIngest() {
		return 0, forbidden("归并多头报送需要可提交消息的角色", "clustering needs a role that may submit messages")
	}
	if window <= 0 {
		window = jianfu.ClusterWindow
	}
	if s.db.requests == nil {
		return 0, fmt.Errorf("store opened without a request matcher (store.WithRules)")
	}
	total := 0
	for {
		n, err := s.db.clusterBatch(ctx, window, 500)
		total += n
		if err != nil || n < 500 {
			return total, err
		}
	}
}

func (db *DB) clusterBatch(ctx context.Context, window time.Duration, limit int) (int, error) {
	var n int
	err := db.inBulkTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(`UPDATE burden_lock SET runs = runs + 1 WHERE singleton = 1`); err != nil {
			return err
		}
		rows, err := tx.query(`SELECT id, group_id, unit_id, at, topic, region_path FROM findings WHERE clustered = ? ORDER BY id LIMIT ?`, false, limit)
		if err != nil {
			return err
		}
		var pend []pendingFinding
		for rows.Next() {
			var p pendingFinding
			if err := rows.Scan(&p.id, &p.group, &p.unit, &p.at, &p.topic, &p.region); err != nil {
				rows.Close()
				return err
			}
			pend = append(pend, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		n = len(pend)
		if n == 0 {
			return nil
		}
		touched := map[int64]bool{}
		done := make([]any, 0, len(pend))
		for _, p := range pend {
			if err := tx.clusterOne(p, window, touched); err != nil {
				return err
			}
			done = append(done, p.id)
		}
		for _, chunk := range chunks(done, 500) {
			if _, err := tx.exec(`UPDATE findings SET clustered = ? WHERE id IN (`+placeholders(len(chunk))+`)`, append([]any{true}, chunk...)...); err != nil {
				return err
			}
		}
		if len(touched) == 0 {
			return nil
		}
		ids := make([]string, 0, len(touched))
		for id := range touched {
			if err := tx.refreshCluster(id); err != nil {
				return err
			}
			ids = append(ids, fmt.Sprint(id))
		}
		return tx.audit("cluster.update", "cluster", nil, "", fmt.Sprintf("%d条问题发现归入%d组多头报送", n, len(ids)))
	})
	return n, err
}

// clusterOne links one pending finding with the near-identical demands that
// share a band with it within the window.
func (tx *Tx) clusterOne(p pendingFinding, window time.Duration, touched map[int64]bool) error {
	same := tx.db.requests
	keys := same.Bands(p.topic)
	if len(keys) == 0 {
		return nil // too short to compare
	}
	var matches []jianfu.ClusterMatch
	w := window.Milliseconds()
	// The same wording seen within the window (a template sent again and
	// again): link to it directly; its band keys already stand for it.
	rows, err := tx.query(`SELECT id, COALESCE(cluster_id, 0), region_path FROM findings WHERE topic = ? AND at >= ? AND at <= ? AND clustered = ? AND id <> ?
		ORDER BY at DESC, id DESC LIMIT 50`, p.topic, p.at-w, p.at+w, true, p.id)
	if err != nil {
		return err
	}
	for rows.Next() {
		var c jianfu.ClusterMatch
		var region string
		if err := rows.Scan(&c.Finding, &c.Cluster, &region); err != nil {
			rows.Close()
			return err
		}
		if jianfu.RelatedRegions(region, p.region) {
			matches = append(matches, c)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(matches) > 0 {
		keys = nil // the same wording's band keys already stand for it
	} else {
		args := make([]any, 0, len(keys)+4)
		for _, k := range keys {
			args = append(args, k)
		}
		args = append(args, p.at-w, p.at+w, p.id, maxCompared)
		rows, err := tx.query(`SELECT DISTINCT f.id, COALESCE(f.cluster_id, 0), f.topic, f.region_path FROM finding_bands fb JOIN findings f ON f.id = fb.finding_id
			WHERE fb.band IN (`+placeholders(len(keys))+`) AND fb.at >= ? AND fb.at <= ? AND f.id <> ? ORDER BY f.id DESC LIMIT ?`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var c jianfu.ClusterMatch
			var topic, region string
			if err := rows.Scan(&c.Finding, &c.Cluster, &topic, &region); err != nil {
				rows.Close()
				return err
			}
			if jianfu.RelatedRegions(region, p.region) && same.Same(p.topic, topic) {
				matches = append(matches, c)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	if len(matches) > 0 {
		target, merged, free := jianfu.LinkCluster(matches)
		others, loose := anys(merged), anys(free)
		if target == 0 {
			id, err := tx.insertID(`INSERT INTO material_clusters(title, topic, first_at, last_at, findings, groups_n, units_n, created_at, updated_at) VALUES ('', ?, ?, ?, 0, 0, 0, ?, ?)`,
				p.topic, p.at, p.at, ms(tx.now), ms(tx.now))
			if err != nil {
				return err
			}
			target = id
		}
		if len(others) > 0 {
			// two clusters met through this demand: merge them into the older
			in := placeholders(len(others))
			if _, err := tx.exec(`UPDATE findings SET cluster_id = ? WHERE cluster_id IN (`+in+`)`, append([]any{target}, others...)...); err != nil {
				return err
			}
			var taken int
			if err := tx.queryRow(`SELECT COUNT(*) FROM clues WHERE cluster_id = ?`, target).Scan(&taken); err != nil {
				return err
			}
			if taken == 0 {
				// keep one clue of the merged clusters pointing at the survivor
				if _, err := tx.exec(`UPDATE clues SET cluster_id = ? WHERE id = (SELECT MIN(id) FROM clues WHERE cluster_id IN (`+in+`))`, append([]any{target}, others...)...); err != nil {
					return err
				}
			}
			if _, err := tx.exec(`DELETE FROM material_clusters WHERE id IN (`+in+`)`, others...); err != nil {
				return err
			}
			for _, o := range others {
				delete(touched, o.(int64))
			}
		}
		loose = append(loose, p.id)
		if _, err := tx.exec(`UPDATE findings SET cluster_id = ? WHERE id IN (`+placeholders(len(loose))+`)`, append([]any{target}, loose...)...); err != nil {
			return err
		}
		touched[target] = true
	}
	if len(keys) == 0 {
		return nil
	}
	bargs := make([]any, 0, 3*len(keys))
	for _, k := range keys {
		bargs = append(bargs, k, p.id, p.at)
	}
	_, err = tx.exec(`INSERT INTO finding_bands(band, finding_id, at) VALUES `+valueRows(len(keys), 3)+` ON CONFLICT DO NOTHING`, bargs...)
	return err
}

// refreshCluster recomputes a cluster's counts, span and title.
func (tx *Tx) refreshCluster(id int64) error {
	var n, g, u int
	var first, last int64
	if err := tx.queryRow(`SELECT COUNT(*), COUNT(DISTINCT group_id), COUNT(DISTINCT unit_id), MIN(at), MAX(at) FROM findings WHERE cluster_id = ?`, id).
		Scan(&n, &g, &u, &first, &last); err != nil {
		return err
	}
	var title, topic string
	if err := tx.queryRow(`SELECT excerpt, topic FROM findings WHERE cluster_id = ? ORDER BY at, id LIMIT 1`, id).Scan(&title, &topic); err != nil {
		return err
	}
	_, err := tx.exec(`UPDATE material_clusters SET title = ?, topic = ?, first_at = ?, last_at = ?, findings = ?, groups_n = ?, units_n = ?, updated_at = ? WHERE id = ?`,
		title, topic, first, last, n, g, u, ms(tx.now), id)
	return err
}
