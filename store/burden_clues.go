package store

import (
	"context"
	"database/sql"
	"fmt"

	"jianfu"
)

// RaiseClue turns a finding or a cluster into a clue (线索) and opens its
// case in the case workflow, in one transaction: the clue keeps its own
// copy of the redacted evidence, the case carries the finding's
// categories, and neither exists without the other.
func (s *Burden) RaiseClue(ctx context.Context, kind string, id int64) (*jianfu.BurdenClue, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.CanRaiseClue() {
		return nil, forbidden("转为问题线索需要监管人员或线索办理员角色", "raising a clue needs the supervisor or case handler role")
	}
	if kind != jianfu.ClueFromFinding && kind != jianfu.ClueFromCluster {
		return nil, jianfu.Errorf(jianfu.EINVALID, "线索来源应为 finding(问题发现)或 cluster(多头报送)", "a clue comes from a finding or a cluster")
	}
	var cl *jianfu.BurdenClue
	err = s.db.inTx(ctx, func(tx *Tx) error {
		var caseClue *jianfu.Clue
		q := `SELECT id FROM clues WHERE finding_id = ?`
		if kind == jianfu.ClueFromFinding {
			f, err := tx.findingByID(a, id)
			if err != nil {
				return err
			}
			cl, caseClue = jianfu.ClueOfFinding(f)
		} else {
			c, err := tx.clusterByID(a, id)
			if err != nil {
				return err
			}
			cl, caseClue = jianfu.ClueOfCluster(c)
			q = `SELECT id FROM clues WHERE cluster_id = ?`
		}
		var existing int64
		switch err := tx.queryRow(q, id).Scan(&existing); {
		case err == nil:
			return jianfu.Errorf(jianfu.ECONFLICT, "已转为问题线索,无需重复提交", "already raised as clue %d", existing)
		case err != sql.ErrNoRows:
			return err
		}
		var unitPath string
		if err := tx.queryRow(`SELECT path FROM units WHERE id = ?`, cl.UnitID).Scan(&unitPath); err != nil {
			return s.db.translate(err, nUnit)
		}
		opened, _, err := tx.openClue(a, caseClue)
		if err != nil {
			return fmt.Errorf("open a case for the clue: %w", err)
		}
		t := tx.now
		cl.Status, cl.CaseID, cl.CreatedBy, cl.CreatedAt, cl.AdoptedAt = "adopted", opened.ID, a.Username, t, &t
		nid, err := tx.insertID(`INSERT INTO clues(kind, finding_id, cluster_id, group_id, unit_id, region_path, unit_path, title, summary, status, case_id, created_by, created_at, adopted_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			cl.Kind, nullInt(cl.FindingID), nullInt(cl.ClusterID), nullInt(cl.GroupID), cl.UnitID, cl.RegionPath, unitPath, cl.Title, cl.Summary, cl.Status, cl.CaseID, cl.CreatedBy, ms(t), ms(t))
		if err != nil {
			if isUnique(err) {
				return jianfu.Errorf(jianfu.ECONFLICT, "已转为问题线索,无需重复提交", "already raised as a clue")
			}
			return err
		}
		cl.ID = nid
		return tx.audit("clue.create", "clue", nid, cl.RegionPath, fmt.Sprintf("%s转为问题线索:%s", map[string]string{jianfu.ClueFromFinding: "问题发现", jianfu.ClueFromCluster: "多头报送"}[kind], cl.Title))
	})
	if err != nil {
		return nil, err
	}
	return cl, nil
}

const clueCols = `k.id, k.kind, COALESCE(k.finding_id, 0), COALESCE(k.cluster_id, 0), COALESCE(k.group_id, 0), k.unit_id, u.name, k.region_path,
	k.title, k.summary, k.status, COALESCE(k.case_id, 0), COALESCE(kc.number, ''), k.created_by, COALESCE(cb.name, ''), COALESCE(cbu.name, ''), k.created_at, k.adopted_at`

// clueJoins name a clue's unit, its case's number and who raised it.
const clueJoins = ` JOIN units u ON u.id = k.unit_id LEFT JOIN cases kc ON kc.id = k.case_id
	LEFT JOIN users cb ON cb.username = k.created_by LEFT JOIN units cbu ON cbu.id = cb.unit_id`

func scanClue(s interface{ Scan(...any) error }) (*jianfu.BurdenClue, error) {
	var c jianfu.BurdenClue
	var created int64
	var adopted sql.NullInt64
	var name, unit string
	if err := s.Scan(&c.ID, &c.Kind, &c.FindingID, &c.ClusterID, &c.GroupID, &c.UnitID, &c.UnitName, &c.RegionPath,
		&c.Title, &c.Summary, &c.Status, &c.CaseID, &c.CaseNumber, &c.CreatedBy, &name, &unit, &created, &adopted); err != nil {
		return nil, err
	}
	c.CreatedByName = name
	if name != "" && unit != "" {
		c.CreatedByName += "(" + unit + ")"
	}
	c.CreatedAt, c.AdoptedAt = fromMS(created), optMS(adopted)
	return &c, nil
}

// FindClues lists the clues raised in scope, newest first.
func (s *Burden) FindClues(ctx context.Context, f jianfu.ClueFilter) ([]*jianfu.BurdenClue, int, error) {
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
	out, total, err := findPage(s.db.in(ctx), listQuery{count: ` FROM clues k`, rows: `SELECT ` + clueCols + ` FROM clues k` + clueJoins, w: w,
		sorts: map[string]string{"created": "k.created_at", "status": "k.status", "unit": "u.name"}, order: "k.id DESC"}, f.Page, scanClue)
	return out, total, err
}
