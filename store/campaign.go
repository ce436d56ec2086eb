package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"jianfu"
)

var (
	nCampaign      = noun{"抽查", "campaign"}
	nForm          = noun{"检查表单", "check form"}
	nChecklist     = noun{"检查表", "checklist"}
	nRectification = noun{"整改事项", "rectification item"}
)

// ownedScope restricts a query over a table with region_path and unit_path
// columns (copied from the owning unit) to the actor's scope.
func (w *where) ownedScope(a *jianfu.Actor, alias string) {
	switch {
	case a.System:
	case a.RegionWide():
		w.prefix(alias+".region_path", a.RegionPath)
	default:
		w.prefix(alias+".unit_path", a.UnitPath)
	}
}

// dateOf formats an instant as a date in China time.
func dateOf(t time.Time) string { return jianfu.DateOf(t) }

// ---- checklists ----

const checklistCols = `id, key, kind, version, name, pass_mark, items, created_by, created_at, region_path`

// ---- campaigns ----

const campaignCols = `id, name, region_path, kinds, platforms, unit_ids, sample_size, sample_rate, seed, n_population, strata, inspectors, status, deadline, rectify_days, created_by, created_at, closed_at`

func scanCampaign(s interface{ Scan(...any) error }) (*jianfu.Campaign, error) {
	var c jianfu.Campaign
	var kinds, platforms, units, seed, strata, insp, status string
	var created int64
	var closed sql.NullInt64
	if err := s.Scan(&c.ID, &c.Name, &c.RegionPath, &kinds, &platforms, &units, &c.SampleSize, &c.SampleRate, &seed, &c.Population, &strata,
		&insp, &status, &c.Deadline, &c.RectifyDays, &c.CreatedBy, &created, &closed); err != nil {
		return nil, err
	}
	json.Unmarshal([]byte(kinds), &c.Kinds)
	json.Unmarshal([]byte(platforms), &c.Platforms)
	json.Unmarshal([]byte(units), &c.UnitIDs)
	json.Unmarshal([]byte(strata), &c.Strata)
	json.Unmarshal([]byte(insp), &c.Inspectors)
	c.Seed, _ = strconv.ParseUint(seed, 10, 64)
	c.Status, c.CreatedAt = jianfu.CampaignStatus(status), fromMS(created)
	if closed.Valid {
		c.ClosedAt = fromMS(closed.Int64)
	}
	for _, st := range c.Strata {
		c.Sampled += st.Sampled
	}
	return &c, nil
}

// campaignScope: region-wide actors see campaigns over their region
// subtree; unit-scoped actors see campaigns that checked one of their
// channels.
func (w *where) campaignScope(a *jianfu.Actor) {
	switch {
	case a.System:
	case a.RegionWide():
		w.prefix("cp.region_path", a.RegionPath)
	default:
		w.add("EXISTS (SELECT 1 FROM check_forms sf WHERE sf.campaign_id = cp.id AND sf.unit_path >= ? AND sf.unit_path < ?)", a.UnitPath, prefixEnd(a.UnitPath))
	}
}

// FindCampaignByID returns a campaign in scope, with its progress.
func (s *Campaigns) FindCampaignByID(ctx context.Context, id int64) (*jianfu.Campaign, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var w where
	w.add("cp.id = ?", id)
	w.campaignScope(a)
	c, err := scanCampaign(s.db.queryRow(ctx, `SELECT `+prefixCols("cp.", campaignCols)+` FROM campaigns cp`+w.String(), w.args...))
	if err != nil {
		return nil, s.db.translate(err, nCampaign)
	}
	return c, s.db.campaignProgress(ctx, a, []*jianfu.Campaign{c})
}

// prefixCols qualifies a column list with a table alias.
func prefixCols(alias, cols string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = alias + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// campaignProgress fills the counts of forms done and failed in the
// actor's scope, and the region names.
func (db *DB) campaignProgress(ctx context.Context, a *jianfu.Actor, cs []*jianfu.Campaign) error {
	for _, c := range cs {
		var w where
		w.add("f.campaign_id = ?", c.ID)
		w.ownedScope(a, "f")
		var done, failed sql.NullInt64
		if err := db.queryRow(ctx, `SELECT SUM(CASE WHEN f.status = 'done' THEN 1 ELSE 0 END), SUM(CASE WHEN f.passed = FALSE THEN 1 ELSE 0 END) FROM check_forms f`+w.String(), w.args...).Scan(&done, &failed); err != nil {
			return err
		}
		c.Done, c.Failed = int(done.Int64), int(failed.Int64)
		c.RegionName = db.regionName(ctx, c.RegionPath)
		for i := range c.Strata {
			c.Strata[i].RegionName = db.regionName(ctx, c.Strata[i].RegionPath)
		}
	}
	return nil
}

// regionName reads a region's name (regions are public reference data).
func (db *DB) regionName(ctx context.Context, path string) string {
	var name string
	db.queryRow(ctx, `SELECT name FROM regions WHERE path = ?`, path).Scan(&name)
	return name
}

// FindCampaigns lists campaigns in scope, newest first.
func (s *Campaigns) FindCampaigns(ctx context.Context, f jianfu.CampaignFilter) ([]*jianfu.Campaign, int, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, 0, err
	}
	var w where
	w.campaignScope(a)
	if f.Status != "" {
		w.add("cp.status = ?", string(f.Status))
	}
	w.like(f.Query, "cp.name")
	out, total, err := findPage(s.db.in(ctx), listQuery{count: ` FROM campaigns cp`, rows: `SELECT ` + prefixCols("cp.", campaignCols) + ` FROM campaigns cp`, w: w,
		sorts: map[string]string{"name": "cp.name", "created": "cp.created_at", "status": "cp.status"}, order: "cp.id DESC"}, f.Page, scanCampaign)
	if err != nil {
		return nil, 0, err
	}
	return out, total, s.db.campaignProgress(ctx, a, out)
}

// population reads the candidates of a campaign: filed, not closed
// channels in its scope, sorted by id.
func (tx *Tx) population(c *jianfu.Campaign) ([]jianfu.Candidate, map[int64]jianfu.ChannelKind, error) {
	var w where
	w.prefix("c.region_path", c.RegionPath)
	w.add("c.status IN ('approved', 'active', 'rectifying')")
	if len(c.Kinds) > 0 {
		w.add("c.kind IN ("+placeholders(len(c.Kinds))+")", anys(c.Kinds)...)
	}
	if len(c.Platforms) > 0 {
		w.add("c.platform IN ("+placeholders(len(c.Platforms))+")", anys(c.Platforms)...)
	}
	if len(c.UnitIDs) > 0 {
		w.add("c.unit_id IN ("+placeholders(len(c.UnitIDs))+")", anys(c.UnitIDs)...)
	}
	rows, err := tx.query(`SELECT c.id, c.region_path, c.kind FROM channels c`+w.String()+` ORDER BY c.id`, w.args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var out []jianfu.Candidate
	kinds := map[int64]jianfu.ChannelKind{}
	for rows.Next() {
		var id int64
		var region, kind string
		if err := rows.Scan(&id, &region, &kind); err != nil {
			return nil, nil, err
		}
		out = append(out, jianfu.Candidate{ID: id, Stratum: jianfu.StratumOf(c.RegionPath, region, jianfu.ChannelKind(kind))})
		kinds[id] = jianfu.ChannelKind(kind)
	}
	return out, kinds, rows.Err()
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

func anys[T any](v []T) []any {
	out := make([]any, len(v))
	for i, x := range v {
		out[i] = x
	}
	return out
}

// CreateCampaign defines a campaign and draws its sample.
func (s *Campaigns) CreateCampaign(ctx context.Context, c *jianfu.Campaign) error {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return err
	}
	if !a.Has(jianfu.RoleSupervisor) {
		return forbidden("发起抽查需要监管人员角色", "running a spot check needs the supervisor role")
	}
	if err := c.Validate(); err != nil {
		return err
	}
	if !a.SeesRegion(c.RegionPath) {
		return jianfu.Errorf(jianfu.EINVALID, "抽查范围(区划%s)不在您的管辖范围内", "the campaign's region %s is outside your scope", c.RegionPath)
	}
	if c.Seed == 0 {
		c.Seed = uint64(s.db.Now().UnixNano())
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		// Units named in the scope must be in it.
		for _, uid := range c.UnitIDs {
			var rp string
			if err := tx.queryRow(`SELECT region_path FROM units WHERE id = ?`, uid).Scan(&rp); err != nil || !strings.HasPrefix(rp, c.RegionPath) || !a.SeesRegion(rp) {
				return jianfu.Errorf(jianfu.EINVALID, "单位(编号%d)不在抽查范围内", "unit %d is outside the campaign's region", uid)
			}
		}
		inspectors, err := tx.inspectors(a, c)
		if err != nil {
			return err
		}
		c.Inspectors = inspectors
		lists, err := tx.checklistsFor(c.RegionPath)
		if err != nil {
			return err
		}
		cands, kinds, err := tx.population(c)
		if err != nil {
			return err
		}
		if len(cands) == 0 {
			return jianfu.Errorf(jianfu.EINVALID, "抽查范围内没有已备案的在用渠道:请扩大区划、类型或平台范围", "no filed channel in use matches the scope; widen the region, kinds or platforms")
		}
		n := c.SampleSizeFor(len(cands))
		sample := jianfu.DrawSample(cands, n, c.Seed)
		// Record the population as drawn from, by stratum.
		strata, pop := jianfu.Stratify(cands, sample)
		c.Strata = strata
		c.Population, c.Sampled, c.Status, c.CreatedBy, c.CreatedAt = len(cands), len(sample), jianfu.CampaignOpen, a.Username, tx.now
		listIDs := map[jianfu.ChannelKind]int64{}
		for k, l := range lists {
			listIDs[k] = l.ID
		}
		popJSON, _ := json.Marshal(pop)
		id, err := tx.insertID(`INSERT INTO campaigns(name, region_path, kinds, platforms, unit_ids, sample_size, sample_rate, seed, population, n_population, strata,
			inspectors, checklists, status, deadline, rectify_days, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.Name, c.RegionPath, mustJSON(orEmpty(c.Kinds)), mustJSON(orEmpty(c.Platforms)), mustJSON(orEmpty(c.UnitIDs)), c.SampleSize, c.SampleRate,
			strconv.FormatUint(c.Seed, 10), string(popJSON), len(cands), mustJSON(c.Strata), mustJSON(c.Inspectors), mustJSON(listIDs),
			string(c.Status), c.Deadline, c.RectifyDays, a.Username, ms(tx.now))
		if err != nil {
			return s.db.translate(err, nCampaign)
		}
		c.ID = id
		assigned := map[int64]int{}
		for i, s := range sample {
			list := lists[kinds[s.ID]]
			inspector := c.Inspectors[i%len(c.Inspectors)]
			if err := tx.createForm(c, list, s, inspector); err != nil {
				return err
			}
			assigned[inspector]++
		}
		for _, uid := range c.Inspectors {
			if err := tx.notify(jianfu.FormsNotice(c, uid, assigned[uid])); err != nil {
				return err
			}
		}
		return tx.audit("campaign.create", "campaign", id, c.RegionPath,
			fmt.Sprintf("%s:从%d个渠道中抽取%d个,分%d层,随机种子%d", c.Name, len(cands), len(sample), len(c.Strata), c.Seed))
	})
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func orEmpty[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

// inspectors checks the named inspectors (users holding the inspector or
// supervisor role, in the campaign's region) or defaults to the creator.
func (tx *Tx) inspectors(a *jianfu.Actor, c *jianfu.Campaign) ([]int64, error) {
	if len(c.Inspectors) == 0 {
		if a.UserID == 0 {
			return nil, jianfu.Errorf(jianfu.EINVALID, "请指定抽查评估员", "name the inspectors")
		}
		return []int64{a.UserID}, nil
	}
	var out []int64
	seen := map[int64]bool{}
	for _, uid := range c.Inspectors {
		if seen[uid] {
			continue
		}
		seen[uid] = true
		var roles, rp string
		err := tx.queryRow(`SELECT us.roles, u.region_path FROM users us JOIN units u ON u.id = us.unit_id WHERE us.id = ? AND us.disabled = FALSE`, uid).Scan(&roles, &rp)
		ok := err == nil && strings.HasPrefix(rp, c.RegionPath[:min(len(c.RegionPath), len(rp))]) && a.SeesRegion(rp) && jianfu.Inspects(jianfu.ParseRolesText(roles))
		if !ok {
			return nil, jianfu.Errorf(jianfu.EINVALID, "用户(编号%d)不是本辖区的抽查评估员或监管人员", "user %d is not an inspector or supervisor of this region", uid)
		}
		out = append(out, uid)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}

// createForm adds the check form of a sampled channel, with the automatic
// items pre-filled from monitoring and the channel's last activity.
func (tx *Tx) createForm(c *jianfu.Campaign, list *jianfu.Checklist, s jianfu.Candidate, inspector int64) error {
	var unitID int64
	var unitPath, region string
	var last, monUpdate sql.NullInt64
	var reachable sql.NullBool
	var broken sql.NullInt64
	if err := tx.queryRow(`SELECT c.unit_id, c.unit_path, c.region_path, c.last_activity_at, m.last_update, m.reachable, m.broken
		FROM channels c LEFT JOIN monitor_latest m ON m.channel_id = c.id WHERE c.id = ?`, s.ID).
		Scan(&unitID, &unitPath, &region, &last, &monUpdate, &reachable, &broken); err != nil {
		return err
	}
	facts := jianfu.MonitorFacts{LastUpdate: jianfu.LastSign(optMS(last), optMS(monUpdate)), BrokenLinks: int(broken.Int64)}
	if reachable.Valid {
		facts.Reachable = &reachable.Bool
	}
	answers := list.AutoAnswers(tx.now, facts)
	_, err := tx.exec(`INSERT INTO check_forms(campaign_id, channel_id, unit_id, unit_path, region_path, stratum, checklist_id, inspector_id, status, answers)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, s.ID, unitID, unitPath, region, s.Stratum, list.ID, inspector, string(jianfu.FormPending), mustJSON(answers))
	return err
}

// ---- forms ----

const formCols = `f.id, f.campaign_id, cp.name, f.channel_id, c.name, c.kind, c.platform, f.unit_id, u.name, f.region_path, f.stratum, f.checklist_id,
	f.inspector_id, COALESCE(us.name, ''), f.status, f.answers, f.evidence, f.opinion, f.score, f.vetoed, f.passed, f.vetoes, f.submitted_at, f.rectify_by, COALESCE(cp.deadline, '')`

const formFrom = ` FROM check_forms f JOIN campaigns cp ON cp.id = f.campaign_id JOIN channels c ON c.id = f.channel_id
	JOIN units u ON u.id = f.unit_id LEFT JOIN users us ON us.id = f.inspector_id`

const rectCols = `r.id, r.source, COALESCE(r.campaign_id, 0), COALESCE(r.form_id, 0), r.channel_id, c.name, r.unit_id, u.name, r.region_path, r.opinion,
	r.deadline, r.status, COALESCE(r.case_id, 0), COALESCE(rc.number, ''), r.created_at, r.rectified_at`

const rectFrom = ` FROM rectifications r JOIN channels c ON c.id = r.channel_id JOIN units u ON u.id = r.unit_id LEFT JOIN cases rc ON rc.id = r.case_id`
