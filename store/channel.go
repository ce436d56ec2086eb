package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"jianfu"
)

var nChannel = noun{"渠道", "channel"}

// channelCols are the columns scanChannel reads, from channels c joined
// with units u (the owner) and o (the operator).
const channelCols = `c.id, c.kind, c.name, c.unit_id, COALESCE(u.name, ''), COALESCE(c.operator_unit_id, 0), COALESCE(o.name, ''), c.region_path, c.unit_path,
	c.status, COALESCE(c.filing_number, ''),
	c.platform, c.platform_id, c.handle, c.url, c.store_links, c.audience, c.functions, c.purpose, c.launch_date, c.cert_subject,
	c.owner, c.admins, c.member_count, c.temporary, c.end_date, c.responsible_person, c.responsible_phone, c.tags, c.notes,
	c.last_activity_at, c.revalidated_at, c.submitted_at, c.submitted_by, c.filed_at, c.closed_at, c.revalidate_due_at,
	c.review_note, c.checks, c.pending, c.version, c.created_at, c.updated_at`

const channelJoins = ` LEFT JOIN units u ON u.id = c.unit_id LEFT JOIN units o ON o.id = c.operator_unit_id`

const channelFrom = ` FROM channels c` + channelJoins

// chanRow is a channel as stored, with what the store needs beyond the
// domain type.
type chanRow struct {
	*jianfu.Channel
	unitPath string
}

// scanChannel reads a channel selected with channelCols.
func scanChannel(s interface{ Scan(...any) error }) (*jianfu.Channel, error) {
	r, err := scanChannelRow(s)
	if err != nil {
		return nil, err
	}
	return r.Channel, nil
}

// scanChannelRow reads a channel with what the store needs beyond it.
func scanChannelRow(s interface{ Scan(...any) error }) (*chanRow, error) {
	var c jianfu.Channel
	r := &chanRow{Channel: &c}
	var kind, status, links, admins, tags, checks, pending string
	var last, reval, subm, filed, closed, due sql.NullInt64
	var created, updated int64
	err := s.Scan(&c.ID, &kind, &c.Name, &c.UnitID, &c.UnitName, &c.OperatorUnitID, &c.OperatorUnitName, &c.RegionPath, &r.unitPath,
		&status, &c.FilingNumber,
		&c.Platform, &c.PlatformID, &c.Handle, &c.URL, &links, &c.Audience, &c.Functions, &c.Purpose, &c.LaunchDate, &c.CertSubject,
		&c.Owner, &admins, &c.MemberCount, &c.Temporary, &c.EndDate, &c.ResponsiblePerson, &c.ResponsiblePhone, &tags, &c.Notes,
		&last, &reval, &subm, &c.SubmittedBy, &filed, &closed, &due,
		&c.ReviewNote, &checks, &pending, &c.Version, &created, &updated)
	if err != nil {
		return nil, err
	}
	c.Kind, c.Status = jianfu.ChannelKind(kind), jianfu.ChannelStatus(status)
	json.Unmarshal([]byte(links), &c.StoreLinks)
	json.Unmarshal([]byte(admins), &c.Admins)
	json.Unmarshal([]byte(tags), &c.Tags)
	json.Unmarshal([]byte(checks), &c.Checks)
	if pending != "" {
		var p jianfu.ChannelChange
		if json.Unmarshal([]byte(pending), &p) == nil && p.Proposed != nil {
			c.Pending = &p
		}
	}
	c.LastActivityAt, c.RevalidatedAt = optMS(last), optMS(reval)
	c.SubmittedAt, c.FiledAt, c.ClosedAt, c.RevalidationDue = optMS(subm), optMS(filed), optMS(closed), optMS(due)
	c.CreatedAt, c.UpdatedAt = fromMS(created), fromMS(updated)
	return r, nil
}

// channelScope restricts a query over channels (aliased c) to the actor's
// scope. A region-wide actor's region is an equality on the level column.
func (w *where) channelScope(a *jianfu.Actor) {
	switch {
	case a.System:
	case a.RegionWide():
		w.regionLevel(a.RegionPath)
	default:
		w.prefix("c.unit_path", a.UnitPath)
	}
}

// regionLevel adds "the channel's unit lies in the region's subtree" as an
// equality on the column of the region's level.
func (w *where) regionLevel(path string) {
	switch len(path) {
	case 0:
	case 2, 4, 6, 9:
		w.add("c.region_l"+itoaInt(len(path))+" = ?", path)
	default:
		w.add("c.region_path = ?", path)
	}
}

func itoaInt(n int) string { return fmt.Sprint(n) }

// regionLevels cuts a region path at each level.
func regionLevels(path string) (l2, l4, l6, l9 string) {
	cut := func(n int) string {
		if len(path) >= n {
			return path[:n]
		}
		return ""
	}
	return cut(2), cut(4), cut(6), cut(9)
}

// regionKey is the county-level key of the counters: the path cut at 6.
func regionKey(path string) string {
	if len(path) > 6 {
		return path[:6]
	}
	return path
}

func jsonList(v []string) string {
	if v == nil {
		v = []string{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// FindChannelByID returns a channel in scope. Reading its personal data
// whole is audited.
func (s *Channels) FindChannelByID(ctx context.Context, id int64) (*jianfu.Channel, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	r, err := s.db.findChannel(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if !a.SeesPersonal(r.unitPath) {
		r.Mask()
		return r.Channel, nil
	}
	if err := s.db.inTx(ctx, func(tx *Tx) error {
		return tx.audit("channel.read", "channel", id, r.RegionPath, r.Name)
	}); err != nil {
		return nil, err
	}
	return r.Channel, nil
}

func (db *DB) findChannel(ctx context.Context, a *jianfu.Actor, id int64) (*chanRow, error) {
	var w where
	w.add("c.id = ?", id)
	w.channelScope(a)
	r, err := scanChannelRow(db.queryRow(ctx, `SELECT `+channelCols+channelFrom+w.String(), w.args...))
	return r, db.translate(err, nChannel)
}

// lockChannel reads a channel in scope inside a transaction, locking its
// row on PostgreSQL (SQLite transactions hold the write lock already).
func (tx *Tx) lockChannel(a *jianfu.Actor, id int64) (*chanRow, error) {
	var w where
	w.add("c.id = ?", id)
	w.channelScope(a)
	lock := ""
	if tx.db.engine == Postgres {
		lock = " FOR UPDATE OF c"
	}
	r, err := scanChannelRow(tx.queryRow(`SELECT `+channelCols+channelFrom+w.String()+lock, w.args...))
	return r, tx.db.translate(err, nChannel)
}

// CreateChannel registers a draft channel for a unit in scope.
func (s *Channels) CreateChannel(ctx context.Context, c *jianfu.Channel) error {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return err
	}
	if err := a.CanOwnChannels(); err != nil {
		return err
	}
	// Users register drafts. The local operator (command line, demo,
	// fixtures) may record a channel in any state, as a ledger would.
	if !a.System || c.Status == "" {
		c.Status, c.FilingNumber = jianfu.StatusDraft, ""
	}
	if !c.Status.Valid() {
		return jianfu.Errorf(jianfu.EINVALID, "状态“%s”无效", "unknown status %q", c.Status)
	}
	if err := c.Validate(); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		months := 0
		if c.Status.Running() && c.RevalidationDue == nil {
			var err error
			if months, err = tx.revalidationMonths(); err != nil {
				return err
			}
		}
		c.FillLedgerDates(tx.now, months)
		return tx.insertChannel(a, c, true)
	})
}

// insertChannel inserts a channel as a draft (or in c.Status when the
// caller, such as an import, sets another) with its first version, its
// search grams and its count. An import audits once for all its rows.
func (tx *Tx) insertChannel(a *jianfu.Actor, c *jianfu.Channel, audit bool) error {
	var w where
	w.add("u.id = ?", c.UnitID)
	w.unitScope(a, "u")
	unit, err := scanUnit(tx.queryRow(`SELECT `+unitCols+unitFrom+w.String(), w.args...))
	if err != nil {
		return jianfu.Errorf(jianfu.EINVALID, "主办单位(编号%d)不存在或不在您的管辖范围内", "owning unit %d does not exist or is outside your scope", c.UnitID)
	}
	if unit.Disabled {
		return jianfu.Errorf(jianfu.EINVALID, "主办单位“%s”已停用,不能登记新渠道", "the owning unit %s is disabled", unit.Name)
	}
	if !c.Status.Filed() { // filed records come from a ledger import, checked by mayReview
		if err := a.MayOwn(unit.ID, unit.Path); err != nil {
			return err
		}
	}
	if c.OperatorUnitID != 0 {
		if err := tx.queryRow(`SELECT name FROM units WHERE id = ?`, c.OperatorUnitID).Scan(&c.OperatorUnitName); err != nil {
			return jianfu.Errorf(jianfu.EINVALID, "运营单位(编号%d)不存在", "operator unit %d does not exist", c.OperatorUnitID)
		}
	}
	if c.Status == "" {
		c.Status = jianfu.StatusDraft
	}
	c.UnitName, c.RegionPath, c.Version = unit.Name, unit.RegionPath, 1
	c.CreatedAt, c.UpdatedAt = tx.now, tx.now
	l2, l4, l6, l9 := regionLevels(unit.RegionPath)
	rules, err := tx.db.registryRules()
	if err != nil {
		return err
	}
	id, err := tx.insertID(`INSERT INTO channels(kind, name, unit_id, operator_unit_id, region_path, unit_path, status, filing_number,
		platform, platform_id, handle, url, store_links, audience, functions, purpose, launch_date, cert_subject,
		owner, admins, member_count, temporary, end_date, responsible_person, responsible_phone, tags, notes,
		last_activity_at, revalidated_at, version, created_at, updated_at,
		region_l2, region_l4, region_l6, region_l9, name_key, handle_key, filed_at, closed_at, revalidate_due_at, checks, pending)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')`,
		string(c.Kind), c.Name, c.UnitID, nullInt(c.OperatorUnitID), unit.RegionPath, unit.Path, string(c.Status), nullStr(c.FilingNumber),
		c.Platform, c.PlatformID, c.Handle, c.URL, jsonList(c.StoreLinks), c.Audience, c.Functions, c.Purpose, c.LaunchDate, c.CertSubject,
		c.Owner, jsonList(c.Admins), c.MemberCount, c.Temporary, c.EndDate, c.ResponsiblePerson, c.ResponsiblePhone, jsonList(c.Tags), c.Notes,
		optArg(c.LastActivityAt), optArg(c.RevalidatedAt), 1, ms(tx.now), ms(tx.now),
		l2, l4, l6, l9, rules.SearchKey(c.Name), strings.ToLower(c.Handle), optArg(c.FiledAt), optArg(c.ClosedAt), optArg(c.RevalidationDue), jsonOf(checksOrEmpty(c.Checks)))
	if err != nil {
		if isUnique(err) {
			return jianfu.Errorf(jianfu.ECONFLICT, "备案号%s已被其他渠道使用", "filing number %s is taken by another channel", c.FilingNumber)
		}
		return tx.db.translate(err, nChannel)
	}
	c.ID = id
	if err := tx.setGrams(id, "", c.Name); err != nil {
		return err
	}
	if err := tx.bumpCount(c.RegionPath, c.Kind, c.Platform, c.Status, 1); err != nil {
		return err
	}
	if err := tx.channelVersion(a, c); err != nil {
		return err
	}
	if err := tx.channelEvent(a, c.ID, "create", "", string(c.Status), ""); err != nil {
		return err
	}
	if !audit {
		return nil
	}
	return tx.audit("channel.create", "channel", id, unit.RegionPath, fmt.Sprintf("%s(%s)%s", jianfu.KindNames[c.Kind], jianfu.PlatformName(c.Platform), c.Name))
}

func checksOrEmpty(c []jianfu.CheckResult) []jianfu.CheckResult {
	if c == nil {
		return []jianfu.CheckResult{}
	}
	return c
}

// optArg is a nullable instant as a query argument.
func optArg(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ms(*t)
}

// setGrams replaces the search bigrams of a channel whose name changed.
func (tx *Tx) setGrams(id int64, oldName, newName string) error {
	rules, err := tx.db.registryRules()
	if err != nil {
		return err
	}
	oldG, newG := rules.SearchGrams(rules.SearchKey(oldName)), rules.SearchGrams(rules.SearchKey(newName))
	keep := map[string]bool{}
	for _, g := range newG {
		keep[g] = true
	}
	had := map[string]bool{}
	for _, g := range oldG {
		had[g] = true
		if !keep[g] {
			if _, err := tx.exec(`DELETE FROM channel_grams WHERE gram = ? AND channel_id = ?`, g, id); err != nil {
				return err
			}
		}
	}
	var add []string
	for _, g := range newG {
		if !had[g] {
			add = append(add, g)
		}
	}
	if len(add) == 0 {
		return nil
	}
	var b strings.Builder
	args := make([]any, 0, 2*len(add))
	b.WriteString(`INSERT INTO channel_grams(gram, channel_id) VALUES `)
	for i, g := range add {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?, ?)")
		args = append(args, g, id)
	}
	_, err = tx.tx.ExecContext(tx.ctx, rebindFor(tx.db.engine, b.String()), args...)
	return err
}

// bumpCount adds delta to the counter of a region, kind, platform and status.
func (tx *Tx) bumpCount(regionPath string, kind jianfu.ChannelKind, platform string, status jianfu.ChannelStatus, delta int) error {
	_, err := tx.exec(`INSERT INTO channel_counts(region_key, kind, platform, status, n) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (region_key, kind, platform, status) DO UPDATE SET n = channel_counts.n + excluded.n`,
		regionKey(regionPath), string(kind), platform, string(status), delta)
	return err
}

// moveCount moves a channel from one counter to another, touching the two
// rows in key order so concurrent moves cannot deadlock.
func (tx *Tx) moveCount(regionPath string, kind jianfu.ChannelKind, fromPlatform string, from jianfu.ChannelStatus, toPlatform string, to jianfu.ChannelStatus) error {
	if fromPlatform == toPlatform && from == to {
		return nil
	}
	type step struct {
		platform string
		status   jianfu.ChannelStatus
		delta    int
	}
	steps := []step{{fromPlatform, from, -1}, {toPlatform, to, 1}}
	sort.Slice(steps, func(i, j int) bool {
		return steps[i].platform+"/"+string(steps[i].status) < steps[j].platform+"/"+string(steps[j].status)
	})
	for _, s := range steps {
		if err := tx.bumpCount(regionPath, kind, s.platform, s.status, s.delta); err != nil {
			return err
		}
	}
	return nil
}

// channelVersion saves the channel's current state as its version.
func (tx *Tx) channelVersion(a *jianfu.Actor, c *jianfu.Channel) error {
	snap := *c
	snap.Pending, snap.Checks, snap.Masked = nil, nil, false
	data, err := json.Marshal(&snap)
	if err != nil {
		return err
	}
	_, err = tx.exec(`INSERT INTO channel_versions(channel_id, version, data, actor_id, actor_name, at) VALUES (?, ?, ?, ?, ?, ?)`,
		c.ID, c.Version, string(data), a.UserID, a.Username, ms(tx.now))
	return err
}

// channelEvent appends to the channel's timeline.
func (tx *Tx) channelEvent(a *jianfu.Actor, id int64, action, from, to, note string) error {
	_, err := tx.exec(`INSERT INTO channel_events(channel_id, at, actor_id, actor_name, action, from_status, to_status, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		id, ms(tx.now), a.UserID, a.Username, action, from, to, note)
	return err
}
