package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math/bits"
	"math/rand/v2"
	"strings"
	"time"

	"jianfu"
)

// 多头报送 clustering. Material findings carry a topic: the redacted wording
// of what they ask for, normalised (no addressees, deadlines, verbs or
// punctuation). Two demands are near-identical when their topics' character
// bigrams overlap: a Jaccard similarity of at least 0.5, or at least 80% of
// the smaller one inside the larger. Candidates come from MinHash
// locality-sensitive hashing (20 bands of 3 hashes), so a new demand is
// compared only with demands that share a band within the window.

const (
	minHashes   = 60
	bandRows    = 3
	bands       = minHashes / bandRows
	mersenne61  = (1 << 61) - 1
	minBigrams  = 3
	maxCompared = 300
)

// minHashParams are fixed: band keys stored in the database must be the
// same from one run to the next.
var minHashParams = func() (p [minHashes][2]uint64) {
	r := rand.New(rand.NewPCG(20260101, 5))
	for i := range p {
		p[i] = [2]uint64{r.Uint64()%(mersenne61-1) + 1, r.Uint64() % mersenne61}
	}
	return p
}()

// bigrams returns the set of character bigrams of a topic.
func bigrams(topic string) map[uint64]struct{} {
	rs := []rune(topic)
	set := make(map[uint64]struct{}, len(rs))
	for i := 0; i+1 < len(rs); i++ {
		set[uint64(rs[i])<<21|uint64(rs[i+1])] = struct{}{}
	}
	return set
}

func mulmod61(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	// (hi·2^64 + lo) mod (2^61 − 1)
	x := (lo & mersenne61) + (lo >> 61) + (hi << 3)
	x = (x & mersenne61) + (x >> 61)
	if x >= mersenne61 {
		x -= mersenne61
	}
	return x
}

// bandKeys computes the MinHash signature of a bigram set and returns one
// key per band.
func bandKeys(set map[uint64]struct{}) []int64 {
	var sig [minHashes]uint64
	for i := range sig {
		sig[i] = mersenne61
	}
	for x := range set {
		x %= mersenne61
		for i, p := range minHashParams {
			h := mulmod61(p[0], x) + p[1]
			if h >= mersenne61 {
				h -= mersenne61
			}
			if h < sig[i] {
				sig[i] = h
			}
		}
	}
	keys := make([]int64, bands)
	var buf [8*bandRows + 1]byte
	for b := 0; b < bands; b++ {
		buf[0] = byte(b)
		for r := 0; r < bandRows; r++ {
			binary.LittleEndian.PutUint64(buf[1+8*r:], sig[b*bandRows+r])
		}
		h := fnv.New64a()
		h.Write(buf[:])
		keys[b] = int64(h.Sum64())
	}
	return keys
}

// nearIdentical compares two bigram sets.
func nearIdentical(a, b map[uint64]struct{}) bool {
	if len(a) < minBigrams || len(b) < minBigrams {
		return false
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	inter := 0
	for x := range a {
		if _, ok := b[x]; ok {
			inter++
		}
	}
	union := len(a) + len(b) - inter
	return float64(inter) >= 0.6*float64(union) || len(a) >= 6 && float64(inter) >= 0.8*float64(len(a))
}

// NearIdentical reports whether two material topics count as the same
// request (exported for the ingest tests and the documentation).
func NearIdentical(a, b string) bool { return nearIdentical(bigrams(a), bigrams(b)) }

type pendingFinding struct {
	id, group, unit int64
	at              int64
	topic, region   string
}

// related reports whether two groups' regions can ask the same grassroots
// for the same data: one region contains the other (a city's department
// and a county's), or they lie in the same county. Two counties each asking
// their own villages for a table are not asking anyone twice.
func related(a, b string) bool {
	return strings.HasPrefix(a, b) || strings.HasPrefix(b, a) || len(a) >= 6 && len(b) >= 6 && a[:6] == b[:6]
}

// ClusterMaterial links pending material findings into 多头报送 clusters and
// returns how many findings it looked at. Concurrent callers take turns.
func (db *DB) ClusterMaterial(ctx context.Context, window time.Duration) (int, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return 0, err
	}
	if !a.System && !a.CanIngest() {
		return 0, forbidden("归并多头报送需要可提交消息的角色", "clustering needs a role that may submit messages")
	}
	if window <= 0 {
		window = 30 * 24 * time.Hour
	}
	total := 0
	for {
		n, err := db.clusterBatch(ctx, window, 500)
		total += n
		if err != nil || n < 500 {
			return total, err
		}
	}
}

func (db *DB) clusterBatch(ctx context.Context, window time.Duration, limit int) (int, error) {
	var n int
	err := db.inTx(ctx, func(tx *Tx) error {
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
		return tx.audit("cluster.update", "cluster", nil, "", fmt.Sprintf("%d material findings clustered; clusters %s", n, strings.Join(ids, ",")))
	})
	return n, err
}

// clusterOne links one pending finding with the near-identical demands that
// share a band with it within the window.
func (tx *Tx) clusterOne(p pendingFinding, window time.Duration, touched map[int64]bool) error {
	set := bigrams(p.topic)
	if len(set) < minBigrams {
		return nil
	}
	type cand struct {
		id, cluster int64
	}
	var matches []cand
	w := window.Milliseconds()
	// The same wording seen within the window (a template sent again and
	// again): link to it directly; its band keys already stand for it.
	rows, err := tx.query(`SELECT id, COALESCE(cluster_id, 0), region_path FROM findings WHERE topic = ? AND at >= ? AND at <= ? AND clustered = ? AND id <> ?
		ORDER BY at DESC, id DESC LIMIT 50`, p.topic, p.at-w, p.at+w, true, p.id)
	if err != nil {
		return err
	}
	for rows.Next() {
		var c cand
		var region string
		if err := rows.Scan(&c.id, &c.cluster, &region); err != nil {
			rows.Close()
			return err
		}
		if related(region, p.region) {
			matches = append(matches, c)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var keys []int64
	if len(matches) == 0 {
		keys = bandKeys(set)
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
			var c cand
			var topic, region string
			if err := rows.Scan(&c.id, &c.cluster, &topic, &region); err != nil {
				rows.Close()
				return err
			}
			if related(region, p.region) && nearIdentical(set, bigrams(topic)) {
				matches = append(matches, c)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	if len(matches) > 0 {
		target := int64(0)
		var others []any
		var loose []any
		seen := map[int64]bool{}
		for _, m := range matches {
			if m.cluster != 0 && (target == 0 || m.cluster < target) {
				target = m.cluster
			}
		}
		for _, m := range matches {
			switch {
			case m.cluster == 0:
				loose = append(loose, m.id)
			case m.cluster != target && !seen[m.cluster]:
				seen[m.cluster] = true
				others = append(others, m.cluster)
			}
		}
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
