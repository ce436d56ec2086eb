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

var _ jianfu.CampaignService = (*DB)(nil)

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
func dateOf(t time.Time) string { return t.In(jianfu.China).Format("2006-01-02") }

// ---- checklists ----

// ensureChecklists stores the default templates the first time any are read.
func (tx *Tx) ensureChecklists() error {
	var n int
	if err := tx.queryRow(`SELECT COUNT(*) FROM checklists`).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	for _, c := range jianfu.DefaultChecklists() {
		c.Version = 1
		items, _ := json.Marshal(c.Items)
		if _, err := tx.exec(`INSERT INTO checklists(key, kind, version, name, pass_mark, items, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			c.Key, string(c.Kind), 1, c.Name, c.PassMark, string(items), "system", ms(tx.now)); err != nil {
			return err
		}
	}
	return nil
}

const checklistCols = `id, key, kind, version, name, pass_mark, items, created_by, created_at`

func scanChecklist(s interface{ Scan(...any) error }) (*jianfu.Checklist, error) {
	var c jianfu.Checklist
	var kind, items string
	var at int64
	if err := s.Scan(&c.ID, &c.Key, &kind, &c.Version, &c.Name, &c.PassMark, &items, &c.CreatedBy, &at); err != nil {
		return nil, err
	}
	c.Kind, c.CreatedAt = jianfu.ChannelKind(kind), fromMS(at)
	if err := json.Unmarshal([]byte(items), &c.Items); err != nil {
		return nil, fmt.Errorf("checklist %d items: %w", c.ID, err)
	}
	return &c, nil
}

// FindChecklists lists the current version of each checklist, or every
// version of one key. Any logged-in user may read the templates.
func (db *DB) FindChecklists(ctx context.Context, key string) ([]*jianfu.Checklist, error) {
	if _, err := jianfu.RequireActor(ctx); err != nil {
		return nil, err
	}
	var out []*jianfu.Checklist
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := tx.ensureChecklists(); err != nil {
			return err
		}
		q := `SELECT ` + checklistCols + ` FROM checklists c WHERE version = (SELECT MAX(version) FROM checklists x WHERE x.key = c.key) ORDER BY kind, key`
		var args []any
		if key != "" {
			q, args = `SELECT `+checklistCols+` FROM checklists WHERE key = ? ORDER BY version DESC`, []any{key}
		}
		rows, err := tx.query(q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanChecklist(rows)
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	if len(out) > 0 {
		cur := out[0].Version
		for _, c := range out {
			c.Current = key == "" || c.Version == cur
		}
	}
	return out, err
}

// FindChecklistByID returns one version of a checklist.
func (db *DB) FindChecklistByID(ctx context.Context, id int64) (*jianfu.Checklist, error) {
	if _, err := jianfu.RequireActor(ctx); err != nil {
		return nil, err
	}
	c, err := scanChecklist(db.queryRow(ctx, `SELECT `+checklistCols+` FROM checklists WHERE id = ?`, id))
	if err != nil {
		return nil, db.translate(err, nChecklist)
	}
	var latest int
	db.queryRow(ctx, `SELECT MAX(version) FROM checklists WHERE key = ?`, c.Key).Scan(&latest)
	c.Current = latest == c.Version
	return c, nil
}

// SaveChecklist stores a new version of a checklist.
func (db *DB) SaveChecklist(ctx context.Context, c *jianfu.Checklist) error {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return err
	}
	if !a.Has(jianfu.RoleSupervisor) {
		return forbidden("修改检查表需要监管人员角色", "editing checklists needs the supervisor role")
	}
	if err := c.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.ensureChecklists(); err != nil {
			return err
		}
		var last int
		var kind string
		if err := tx.queryRow(`SELECT COALESCE(MAX(version), 0), COALESCE(MAX(kind), '') FROM checklists WHERE key = ?`, c.Key).Scan(&last, &kind); err != nil {
			return err
		}
		if last == 0 {
			if c.Key == "" {
				c.Key = string(c.Kind) + "-" + strconv.FormatInt(tx.now.UnixMilli(), 36)
			}
		} else if kind != string(c.Kind) {
			return jianfu.Errorf(jianfu.EINVALID, "检查表“%s”适用于%s,不能改为其他类型", "checklist %s applies to %s and cannot change kind", c.Key, kind)
		}
		c.Version, c.CreatedBy, c.CreatedAt, c.Current = last+1, a.Username, tx.now, true
		items, _ := json.Marshal(c.Items)
		id, err := tx.insertID(`INSERT INTO checklists(key, kind, version, name, pass_mark, items, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			c.Key, string(c.Kind), c.Version, c.Name, c.PassMark, string(items), a.Username, ms(tx.now))
		if err != nil {
			return db.translate(err, nChecklist)
		}
		c.ID = id
		return tx.audit("checklist.save", "checklist", id, a.RegionPath, fmt.Sprintf("%s v%d: %d items, pass %g", c.Key, c.Version, len(c.Items), c.PassMark))
	})
}

// currentChecklists returns the latest checklist of each kind.
func (tx *Tx) currentChecklists() (map[jianfu.ChannelKind]*jianfu.Checklist, error) {
	if err := tx.ensureChecklists(); err != nil {
		return nil, err
	}
	rows, err := tx.query(`SELECT ` + checklistCols + ` FROM checklists ORDER BY kind, version DESC, id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[jianfu.ChannelKind]*jianfu.Checklist{}
	for rows.Next() {
		c, err := scanChecklist(rows)
		if err != nil {
			return nil, err
		}
		// The default key of a kind wins; among its versions the newest.
		if cur := out[c.Kind]; cur == nil || cur.Key != string(c.Kind) && c.Key == string(c.Kind) {
			out[c.Kind] = c
		}
	}
	return out, rows.Err()
}

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
func (db *DB) FindCampaignByID(ctx context.Context, id int64) (*jianfu.Campaign, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var w where
	w.add("cp.id = ?", id)
	w.campaignScope(a)
	c, err := scanCampaign(db.queryRow(ctx, `SELECT `+prefixCols("cp.", campaignCols)+` FROM campaigns cp`+w.String(), w.args...))
	if err != nil {
		return nil, db.translate(err, nCampaign)
	}
	return c, db.campaignProgress(ctx, a, []*jianfu.Campaign{c})
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
func (db *DB) FindCampaigns(ctx context.Context, f jianfu.CampaignFilter) ([]*jianfu.Campaign, int, error) {
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
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM campaigns cp`+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	p := f.Page.Normalize()
	rows, err := db.query(ctx, `SELECT `+prefixCols("cp.", campaignCols)+` FROM campaigns cp`+w.String()+
		orderBy(p.Sort, map[string]string{"name": "cp.name", "created": "cp.created_at", "status": "cp.status"}, "cp.id DESC")+` LIMIT ? OFFSET ?`,
		append(w.args, p.Limit, p.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	var out []*jianfu.Campaign
	for rows.Next() {
		c, err := scanCampaign(rows)
		if err != nil {
			rows.Close()
			return nil, 0, err
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	return out, total, db.campaignProgress(ctx, a, out)
}

// strataPath is the region a channel is stratified by: its region cut to
// the level just below the campaign's region.
func strataPath(scope, region string) string {
	next := map[int]int{0: 2, 2: 4, 4: 6, 6: 9, 9: 12}[len(scope)]
	if next == 0 || len(region) <= next {
		return region
	}
	return region[:next]
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
		out = append(out, jianfu.Candidate{ID: id, Stratum: strataPath(c.RegionPath, region) + "/" + kind})
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
func (db *DB) CreateCampaign(ctx context.Context, c *jianfu.Campaign) error {
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
		c.Seed = uint64(db.Now().UnixNano())
	}
	return db.inTx(ctx, func(tx *Tx) error {
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
		lists, err := tx.currentChecklists()
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
		pop := map[string][]int64{}
		sizes := map[string]int{}
		for _, cd := range cands {
			pop[cd.Stratum] = append(pop[cd.Stratum], cd.ID)
			sizes[cd.Stratum]++
		}
		drawn := map[string]int{}
		for _, s := range sample {
			drawn[s.Stratum]++
		}
		c.Strata = nil
		for k, size := range sizes {
			region, kind, _ := strings.Cut(k, "/")
			c.Strata = append(c.Strata, jianfu.Stratum{Key: k, RegionPath: region, Kind: jianfu.ChannelKind(kind), Population: size, Sampled: drawn[k]})
		}
		sort.Slice(c.Strata, func(i, j int) bool { return c.Strata[i].Key < c.Strata[j].Key })
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
			return db.translate(err, nCampaign)
		}
		c.ID = id
		for i, s := range sample {
			list := lists[kinds[s.ID]]
			if err := tx.createForm(c, list, s, c.Inspectors[i%len(c.Inspectors)]); err != nil {
				return err
			}
		}
		return tx.audit("campaign.create", "campaign", id, c.RegionPath,
			fmt.Sprintf("%s: seed %d, %d of %d channels in %d strata", c.Name, c.Seed, len(sample), len(cands), len(c.Strata)))
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
		ok := err == nil && strings.HasPrefix(rp, c.RegionPath[:min(len(c.RegionPath), len(rp))]) && a.SeesRegion(rp) &&
			(strings.Contains(","+roles+",", ",inspector,") || strings.Contains(","+roles+",", ",supervisor,"))
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
	answers := autoAnswers(list, tx.now, latest(last, monUpdate), reachable, int(broken.Int64))
	_, err := tx.exec(`INSERT INTO check_forms(campaign_id, channel_id, unit_id, unit_path, region_path, stratum, checklist_id, inspector_id, status, answers)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, s.ID, unitID, unitPath, region, s.Stratum, list.ID, inspector, string(jianfu.FormPending), mustJSON(answers))
	return err
}

func latest(a, b sql.NullInt64) *time.Time {
	switch {
	case a.Valid && b.Valid:
		return optMS(sql.NullInt64{Int64: max(a.Int64, b.Int64), Valid: true})
	case a.Valid:
		return optMS(a)
	}
	return optMS(b)
}

// autoAnswers answers the items an automatic source can judge.
func autoAnswers(list *jianfu.Checklist, now time.Time, lastUpdate *time.Time, reachable sql.NullBool, broken int) map[string]jianfu.Answer {
	out := map[string]jianfu.Answer{}
	for _, it := range list.Items {
		switch it.Auto {
		case jianfu.AutoStale, jianfu.AutoZombie:
			if lastUpdate == nil {
				continue
			}
			days := int(now.Sub(*lastUpdate).Hours() / 24)
			limit := 14
			if it.Auto == jianfu.AutoZombie {
				limit = 90
			}
			out[it.Key] = jianfu.Answer{Hit: days > limit, Auto: true,
				Note: fmt.Sprintf("技术监测:最近更新于%s,距检查%d天", dateOf(*lastUpdate), days)}
		case jianfu.AutoUnreachable:
			if !reachable.Valid {
				continue
			}
			note := "技术监测:最近一次检测可正常访问"
			if !reachable.Bool {
				note = "技术监测:最近一次检测无法访问"
			}
			out[it.Key] = jianfu.Answer{Hit: !reachable.Bool, Auto: true, Note: note}
		case jianfu.AutoBrokenLinks:
			if !reachable.Valid || broken == 0 {
				continue
			}
			a := jianfu.Answer{Auto: true, Note: fmt.Sprintf("技术监测:发现%d个失效链接", broken)}
			if it.Kind == jianfu.ItemVeto {
				a.Hit = true
			} else {
				a.Points = min(it.Points, float64(broken)*2)
			}
			out[it.Key] = a
		}
	}
	return out
}

// CloseCampaign makes a campaign's results final.
func (db *DB) CloseCampaign(ctx context.Context, id int64) (*jianfu.Campaign, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	c, err := db.FindCampaignByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !a.Has(jianfu.RoleSupervisor) || !a.RegionWide() {
		return nil, forbidden("结束抽查需要监管人员角色", "closing a campaign needs the supervisor role")
	}
	if c.Status == jianfu.CampaignClosed {
		return nil, jianfu.Errorf(jianfu.ECONFLICT, "该抽查已结束", "the campaign is already closed")
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(`UPDATE campaigns SET status = ?, closed_at = ? WHERE id = ?`, string(jianfu.CampaignClosed), ms(tx.now), id); err != nil {
			return err
		}
		return tx.audit("campaign.close", "campaign", id, c.RegionPath, fmt.Sprintf("%d of %d forms done, %d failed", c.Done, c.Sampled, c.Failed))
	})
	if err != nil {
		return nil, err
	}
	return db.FindCampaignByID(ctx, id)
}

// VerifySample redraws the sample from the recorded population and seed.
func (db *DB) VerifySample(ctx context.Context, id int64) (*jianfu.SampleCheck, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	c, err := db.FindCampaignByID(ctx, id)
	if err != nil {
		return nil, err
	}
	var popJSON string
	if err := db.queryRow(ctx, `SELECT population FROM campaigns WHERE id = ?`, id).Scan(&popJSON); err != nil {
		return nil, err
	}
	var pop map[string][]int64
	if err := json.Unmarshal([]byte(popJSON), &pop); err != nil {
		return nil, fmt.Errorf("campaign %d population: %w", id, err)
	}
	var cands []jianfu.Candidate
	for k, ids := range pop {
		for _, cid := range ids {
			cands = append(cands, jianfu.Candidate{ID: cid, Stratum: k})
		}
	}
	res := &jianfu.SampleCheck{Seed: c.Seed, Population: len(cands)}
	for _, s := range jianfu.DrawSample(cands, c.SampleSizeFor(len(cands)), c.Seed) {
		res.Redrawn = append(res.Redrawn, s.ID)
	}
	rows, err := db.query(ctx, `SELECT channel_id FROM check_forms WHERE campaign_id = ? ORDER BY channel_id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var cid int64
		if err := rows.Scan(&cid); err != nil {
			return nil, err
		}
		res.Recorded = append(res.Recorded, cid)
	}
	res.Match = fmt.Sprint(res.Recorded) == fmt.Sprint(res.Redrawn)
	if !a.RegionWide() {
		// Unit-scoped callers learn whether it matches, not which channels
		// of other units were drawn.
		res.Recorded, res.Redrawn = nil, nil
	}
	return res, rows.Err()
}

// CampaignResults aggregates submitted forms in the caller's scope.
func (db *DB) CampaignResults(ctx context.Context, id int64) (*jianfu.CampaignResults, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := db.FindCampaignByID(ctx, id); err != nil {
		return nil, err
	}
	var w where
	w.add("f.campaign_id = ?", id)
	w.add("f.status = 'done'")
	w.ownedScope(a, "f")
	agg := `COUNT(*), SUM(CASE WHEN f.passed THEN 1 ELSE 0 END), SUM(CASE WHEN f.passed THEN 0 ELSE 1 END), SUM(CASE WHEN f.vetoed THEN 1 ELSE 0 END), AVG(f.score)`
	res := &jianfu.CampaignResults{}
	scan := func(rows *sql.Rows, withUnit bool) ([]jianfu.UnitResult, error) {
		defer rows.Close()
		var out []jianfu.UnitResult
		for rows.Next() {
			var r jianfu.UnitResult
			var avg sql.NullFloat64
			var err error
			if withUnit {
				err = rows.Scan(&r.UnitID, &r.Name, &r.RegionPath, &r.Checked, &r.Passed, &r.Failed, &r.Vetoed, &avg)
			} else {
				err = rows.Scan(&r.RegionPath, &r.Checked, &r.Passed, &r.Failed, &r.Vetoed, &avg)
			}
			if err != nil {
				return nil, err
			}
			r.AvgScore = float64(int(avg.Float64*10+0.5)) / 10
			out = append(out, r)
		}
		return out, rows.Err()
	}
	rows, err := db.query(ctx, `SELECT f.unit_id, u.name, u.region_path, `+agg+` FROM check_forms f JOIN units u ON u.id = f.unit_id`+w.String()+
		` GROUP BY f.unit_id, u.name, u.region_path ORDER BY 8 DESC, 2`, w.args...)
	if err != nil {
		return nil, err
	}
	if res.Units, err = scan(rows, true); err != nil {
		return nil, err
	}
	// Regions are the strata's regions (the stratum key up to its slash).
	rows, err = db.query(ctx, `SELECT f.stratum, `+agg+` FROM check_forms f`+w.String()+` GROUP BY f.stratum ORDER BY 1`, w.args...)
	if err != nil {
		return nil, err
	}
	byStratum, err := scan(rows, false)
	if err != nil {
		return nil, err
	}
	regions := map[string]*jianfu.UnitResult{}
	var order []string
	sums := map[string]float64{}
	for _, r := range byStratum {
		path, _, _ := strings.Cut(r.RegionPath, "/")
		g := regions[path]
		if g == nil {
			g = &jianfu.UnitResult{RegionPath: path, Name: db.regionName(ctx, path)}
			regions[path] = g
			order = append(order, path)
		}
		g.Checked += r.Checked
		g.Passed += r.Passed
		g.Failed += r.Failed
		g.Vetoed += r.Vetoed
		sums[path] += r.AvgScore * float64(r.Checked)
	}
	for _, p := range order {
		g := regions[p]
		if g.Checked > 0 {
			g.AvgScore = float64(int(sums[p]/float64(g.Checked)*10+0.5)) / 10
		}
		res.Regions = append(res.Regions, *g)
	}
	return res, nil
}

// ---- forms ----

const formCols = `f.id, f.campaign_id, cp.name, f.channel_id, c.name, c.kind, c.platform, f.unit_id, u.name, f.region_path, f.stratum, f.checklist_id,
	f.inspector_id, COALESCE(us.name, ''), f.status, f.answers, f.evidence, f.opinion, f.score, f.vetoed, f.passed, f.vetoes, f.submitted_at, f.rectify_by`

const formFrom = ` FROM check_forms f JOIN campaigns cp ON cp.id = f.campaign_id JOIN channels c ON c.id = f.channel_id
	JOIN units u ON u.id = f.unit_id LEFT JOIN users us ON us.id = f.inspector_id`

func scanForm(s interface{ Scan(...any) error }) (*jianfu.CheckForm, error) {
	var f jianfu.CheckForm
	var kind, status, answers, vetoes string
	var score sql.NullFloat64
	var passed sql.NullBool
	var vetoed bool
	var submitted sql.NullInt64
	if err := s.Scan(&f.ID, &f.CampaignID, &f.CampaignName, &f.ChannelID, &f.ChannelName, &kind, &f.Platform, &f.UnitID, &f.UnitName, &f.RegionPath,
		&f.Stratum, &f.ChecklistID, &f.InspectorID, &f.InspectorName, &status, &answers, &f.Evidence, &f.Opinion, &score, &vetoed, &passed, &vetoes,
		&submitted, &f.RectifyBy); err != nil {
		return nil, err
	}
	f.Kind, f.Status = jianfu.ChannelKind(kind), jianfu.FormStatus(status)
	json.Unmarshal([]byte(answers), &f.Answers)
	if f.Answers == nil {
		f.Answers = map[string]jianfu.Answer{}
	}
	if score.Valid {
		f.Result = &jianfu.Result{Score: score.Float64, Vetoed: vetoed, Passed: passed.Bool}
		json.Unmarshal([]byte(vetoes), &f.Result.Vetoes)
	}
	f.SubmittedAt = optMS(submitted)
	return &f, nil
}

// FindForms lists check forms of channels in scope.
func (db *DB) FindForms(ctx context.Context, f jianfu.FormFilter) ([]*jianfu.CheckForm, int, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, 0, err
	}
	var w where
	w.ownedScope(a, "f")
	if f.CampaignID != 0 {
		w.add("f.campaign_id = ?", f.CampaignID)
	}
	if f.ChannelID != 0 {
		w.add("f.channel_id = ?", f.ChannelID)
	}
	if f.Status != "" {
		w.add("f.status = ?", string(f.Status))
	}
	if f.InspectorID != 0 {
		w.add("f.inspector_id = ?", f.InspectorID)
	}
	if f.Failed {
		w.add("f.passed = FALSE")
	}
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM check_forms f`+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	p := f.Page.Normalize()
	rows, err := db.query(ctx, `SELECT `+formCols+formFrom+w.String()+
		orderBy(p.Sort, map[string]string{"channel": "c.name", "unit": "u.name", "status": "f.status", "score": "f.score", "stratum": "f.stratum", "inspector": "us.name", "submitted": "f.submitted_at"}, "f.id")+
		` LIMIT ? OFFSET ?`, append(w.args, p.Limit, p.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	out, err := scanAll(rows, scanForm)
	return out, total, err
}

// FindFormByID returns a form in scope and the checklist it is filled with.
func (db *DB) FindFormByID(ctx context.Context, id int64) (*jianfu.CheckForm, *jianfu.Checklist, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, nil, err
	}
	var w where
	w.add("f.id = ?", id)
	w.ownedScope(a, "f")
	f, err := scanForm(db.queryRow(ctx, `SELECT `+formCols+formFrom+w.String(), w.args...))
	if err != nil {
		return nil, nil, db.translate(err, nForm)
	}
	list, err := scanChecklist(db.queryRow(ctx, `SELECT `+checklistCols+` FROM checklists WHERE id = ?`, f.ChecklistID))
	if err != nil {
		return nil, nil, err
	}
	return f, list, nil
}

// SaveForm records answers and, on submit, scores the form.
func (db *DB) SaveForm(ctx context.Context, id int64, in jianfu.FormInput) (*jianfu.CheckForm, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	f, list, err := db.FindFormByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !(a.System || a.Has(jianfu.RoleSupervisor) && a.RegionWide() || a.UserID == f.InspectorID && a.HasAny(jianfu.RoleInspector, jianfu.RoleSupervisor)) {
		return nil, forbidden("只有分配的抽查评估员或监管人员可以填写检查表单", "only the assigned inspector or a supervisor may fill the form")
	}
	if f.Status == jianfu.FormDone {
		return nil, jianfu.Errorf(jianfu.ECONFLICT, "该表单已提交,不能再修改", "the form was submitted and cannot change")
	}
	c, err := db.FindCampaignByID(ctx, f.CampaignID)
	if err != nil {
		return nil, err
	}
	if c.Status == jianfu.CampaignClosed {
		return nil, jianfu.Errorf(jianfu.ECONFLICT, "该抽查已结束,不能再填写", "the campaign is closed")
	}
	if in.Answers == nil {
		in.Answers = map[string]jianfu.Answer{}
	}
	// Automatic answers the inspector did not override stay.
	for k, v := range f.Answers {
		if _, ok := in.Answers[k]; !ok && v.Auto {
			in.Answers[k] = v
		}
	}
	res, err := list.Score(in.Answers)
	if err != nil {
		return nil, err
	}
	in.Evidence, in.Opinion = strings.TrimSpace(in.Evidence), strings.TrimSpace(in.Opinion)
	if in.Submit && res.Vetoed && in.Evidence == "" {
		return nil, &jianfu.Error{Code: jianfu.EINVALID, Message: "存在单项否决项时必须填写检查证据(截图说明、链接或记录)", English: "a veto needs evidence (a description, link or record)",
			Problems: []jianfu.Problem{{Field: "evidence", Message: "请填写单项否决的证据", English: "give the evidence of the veto"}}}
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		if !in.Submit {
			_, err := tx.exec(`UPDATE check_forms SET answers = ?, evidence = ?, opinion = ? WHERE id = ? AND status = 'pending'`, mustJSON(in.Answers), in.Evidence, in.Opinion, id)
			if err != nil {
				return err
			}
			return tx.audit("campaign.form.save", "check_form", id, f.RegionPath, f.ChannelName)
		}
		var rectifyBy, opinion string
		if !res.Passed {
			rectifyBy = dateOf(tx.db.calendar().AddWorkdays(tx.now, c.RectifyDays))
			opinion = rectificationOpinion(list, in.Answers, res, in.Opinion, rectifyBy)
		}
		r, err := tx.exec(`UPDATE check_forms SET answers = ?, evidence = ?, opinion = ?, score = ?, vetoed = ?, passed = ?, vetoes = ?, status = 'done', submitted_at = ?, rectify_by = ?
			WHERE id = ? AND status = 'pending'`, mustJSON(in.Answers), in.Evidence, opinionOr(opinion, in.Opinion), res.Score, res.Vetoed, res.Passed,
			mustJSON(orEmpty(res.Vetoes)), ms(tx.now), rectifyBy, id)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return jianfu.Errorf(jianfu.ECONFLICT, "该表单已被他人提交", "someone else submitted the form meanwhile")
		}
		if !res.Passed {
			if err := tx.addRectification(&jianfu.Rectification{Source: "campaign", CampaignID: c.ID, FormID: id, ChannelID: f.ChannelID, Opinion: opinion, Deadline: rectifyBy}); err != nil {
				return err
			}
			if err := tx.transitionChannel(a, f.ChannelID, jianfu.StatusRectifying, "campaign.fail", fmt.Sprintf("抽查“%s”不合格,%g分", c.Name, res.Score), jianfu.StatusActive); err != nil {
				return err
			}
		}
		return tx.audit("campaign.form.submit", "check_form", id, f.RegionPath, fmt.Sprintf("%s: %g vetoed=%v passed=%v", f.ChannelName, res.Score, res.Vetoed, res.Passed))
	})
	if err != nil {
		return nil, err
	}
	f, _, err = db.FindFormByID(ctx, id)
	return f, err
}

func opinionOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// rectificationOpinion writes the 整改意见 of a failed form from its items.
func rectificationOpinion(list *jianfu.Checklist, answers map[string]jianfu.Answer, res jianfu.Result, extra, deadline string) string {
	var b strings.Builder
	if res.Vetoed {
		fmt.Fprintf(&b, "经抽查,该渠道触及单项否决指标,评定为不合格。")
	} else {
		fmt.Fprintf(&b, "经抽查,该渠道得分%g分,低于合格线%g分,评定为不合格。", res.Score, list.PassMark)
	}
	b.WriteString("存在问题:")
	n := 0
	for _, it := range list.Items {
		a, ok := answers[it.Key]
		if !ok {
			continue
		}
		switch {
		case it.Kind == jianfu.ItemVeto && a.Hit:
			n++
			fmt.Fprintf(&b, "%d. %s(单项否决)", n, it.Title)
		case it.Kind == jianfu.ItemDeduct && a.Points > 0:
			n++
			fmt.Fprintf(&b, "%d. %s(扣%g分)", n, it.Title, a.Points)
		default:
			continue
		}
		if a.Note != "" {
			b.WriteString(":" + a.Note)
		}
		b.WriteString(";")
	}
	if extra != "" {
		b.WriteString("检查意见:" + extra + "。")
	}
	fmt.Fprintf(&b, "请于%s前完成整改,并将整改情况报送网信部门。", deadline)
	return b.String()
}

// addRectification records an item of 整改意见 for the channel's unit.
func (tx *Tx) addRectification(r *jianfu.Rectification) error {
	var unitPath string
	if err := tx.queryRow(`SELECT unit_id, unit_path, region_path FROM channels WHERE id = ?`, r.ChannelID).Scan(&r.UnitID, &unitPath, &r.RegionPath); err != nil {
		return err
	}
	r.Status, r.CreatedAt = jianfu.RectOpen, tx.now
	id, err := tx.insertID(`INSERT INTO rectifications(source, campaign_id, form_id, channel_id, unit_id, unit_path, region_path, opinion, deadline, status, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.Source, nullInt(r.CampaignID), nullInt(r.FormID), r.ChannelID, r.UnitID, unitPath, r.RegionPath,
		r.Opinion, r.Deadline, string(r.Status), ms(tx.now))
	if err != nil {
		return err
	}
	r.ID = id
	if err := tx.audit("rectification.create", "rectification", id, r.RegionPath, fmt.Sprintf("%s channel %d, due %s", r.Source, r.ChannelID, r.Deadline)); err != nil {
		return err
	}
	if r.Source != "campaign" {
		return nil
	}
	// A failed spot check becomes a case carrying the 整改意见, so the office
	// follows it through transfer, answer and verification; the unit still
	// confirms the rectification item itself.
	a := tx.actor
	if a == nil {
		a = jianfu.SystemActor("campaign")
	}
	c, _, err := tx.openClue(a, &jianfu.Clue{Source: jianfu.SourceSpotCheck, SourceRef: fmt.Sprintf("rectification:%d", id),
		Category: jianfu.CategoryOther, ChannelID: r.ChannelID, Description: r.Opinion}, nil)
	if err != nil {
		return fmt.Errorf("open the case of rectification %d: %w", id, err)
	}
	if _, err := tx.exec(`UPDATE rectifications SET case_id = ? WHERE id = ?`, c.ID, id); err != nil {
		return err
	}
	r.CaseID = c.ID
	return nil
}

const rectCols = `r.id, r.source, COALESCE(r.campaign_id, 0), COALESCE(r.form_id, 0), r.channel_id, c.name, r.unit_id, u.name, r.region_path, r.opinion,
	r.deadline, r.status, COALESCE(r.case_id, 0), r.created_at, r.rectified_at`

const rectFrom = ` FROM rectifications r JOIN channels c ON c.id = r.channel_id JOIN units u ON u.id = r.unit_id`

func scanRect(s interface{ Scan(...any) error }) (*jianfu.Rectification, error) {
	var r jianfu.Rectification
	var status string
	var created int64
	var rectified sql.NullInt64
	if err := s.Scan(&r.ID, &r.Source, &r.CampaignID, &r.FormID, &r.ChannelID, &r.ChannelName, &r.UnitID, &r.UnitName, &r.RegionPath, &r.Opinion,
		&r.Deadline, &status, &r.CaseID, &created, &rectified); err != nil {
		return nil, err
	}
	r.Status, r.CreatedAt, r.RectifiedAt = jianfu.RectificationStatus(status), fromMS(created), optMS(rectified)
	return &r, nil
}

// FindRectifications lists rectification items in scope.
func (db *DB) FindRectifications(ctx context.Context, f jianfu.RectificationFilter) ([]*jianfu.Rectification, int, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, 0, err
	}
	var w where
	w.ownedScope(a, "r")
	if f.Status != "" {
		w.add("r.status = ?", string(f.Status))
	}
	if f.CampaignID != 0 {
		w.add("r.campaign_id = ?", f.CampaignID)
	}
	if f.UnitID != 0 {
		w.add("r.unit_id = ?", f.UnitID)
	}
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM rectifications r`+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	p := f.Page.Normalize()
	rows, err := db.query(ctx, `SELECT `+rectCols+rectFrom+w.String()+
		orderBy(p.Sort, map[string]string{"deadline": "r.deadline", "unit": "u.name", "status": "r.status", "channel": "c.name"}, "r.id DESC")+
		` LIMIT ? OFFSET ?`, append(w.args, p.Limit, p.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	out, err := scanAll(rows, scanRect)
	return out, total, err
}

// MarkRectified records a completed rectification; a channel left with no
// open item returns from rectifying to active.
func (db *DB) MarkRectified(ctx context.Context, id int64, note string) (*jianfu.Rectification, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.HasAny(jianfu.RoleUnitAdmin, jianfu.RoleSupervisor) {
		return nil, forbidden("确认整改需要单位管理员或监管人员角色", "confirming a rectification needs the unit administrator or supervisor role")
	}
	var out *jianfu.Rectification
	err = db.inTx(ctx, func(tx *Tx) error {
		var w where
		w.add("r.id = ?", id)
		w.ownedScope(a, "r")
		r, err := scanRect(tx.queryRow(`SELECT `+rectCols+rectFrom+w.String(), w.args...))
		if err != nil {
			return db.translate(err, nRectification)
		}
		if r.Status == jianfu.RectRectified {
			return jianfu.Errorf(jianfu.ECONFLICT, "该事项已整改", "the item is already rectified")
		}
		if _, err := tx.exec(`UPDATE rectifications SET status = ?, rectified_at = ? WHERE id = ?`, string(jianfu.RectRectified), ms(tx.now), id); err != nil {
			return err
		}
		var open int
		if err := tx.queryRow(`SELECT COUNT(*) FROM rectifications WHERE channel_id = ? AND status <> 'rectified'`, r.ChannelID).Scan(&open); err != nil {
			return err
		}
		if open == 0 {
			if err := tx.transitionChannel(a, r.ChannelID, jianfu.StatusActive, "rectified", "整改完成:"+strings.TrimSpace(note), jianfu.StatusRectifying); err != nil {
				return err
			}
		}
		r.Status, r.RectifiedAt = jianfu.RectRectified, &tx.now
		out = r
		return tx.audit("rectification.done", "rectification", id, r.RegionPath, strings.TrimSpace(note))
	})
	return out, err
}
