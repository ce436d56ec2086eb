package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"jianfu"
)

var _ jianfu.ChannelService = (*DB)(nil)

var nChannel = noun{"渠道", "channel"}

// ChannelCols are the columns scanChannel reads, from channels c joined
// with units u (the owner).
const channelCols = `c.id, c.kind, c.name, c.unit_id, u.name, COALESCE(c.operator_unit_id, 0), c.region_path, c.status, COALESCE(c.filing_number, ''),
	c.platform, c.platform_id, c.handle, c.url, c.store_links, c.audience, c.functions, c.purpose, c.launch_date, c.cert_subject,
	c.owner, c.admins, c.member_count, c.temporary, c.end_date, c.responsible_person, c.responsible_phone, c.tags, c.notes,
	c.last_activity_at, c.revalidated_at, c.version, c.created_at, c.updated_at`

const channelFrom = ` FROM channels c JOIN units u ON u.id = c.unit_id`

func scanChannel(s interface{ Scan(...any) error }) (*jianfu.Channel, error) {
	var c jianfu.Channel
	var kind, status, links, admins, tags string
	var last, reval sql.NullInt64
	var created, updated int64
	err := s.Scan(&c.ID, &kind, &c.Name, &c.UnitID, &c.UnitName, &c.OperatorUnitID, &c.RegionPath, &status, &c.FilingNumber,
		&c.Platform, &c.PlatformID, &c.Handle, &c.URL, &links, &c.Audience, &c.Functions, &c.Purpose, &c.LaunchDate, &c.CertSubject,
		&c.Owner, &admins, &c.MemberCount, &c.Temporary, &c.EndDate, &c.ResponsiblePerson, &c.ResponsiblePhone, &tags, &c.Notes,
		&last, &reval, &c.Version, &created, &updated)
	if err != nil {
		return nil, err
	}
	c.Kind, c.Status = jianfu.ChannelKind(kind), jianfu.ChannelStatus(status)
	json.Unmarshal([]byte(links), &c.StoreLinks)
	json.Unmarshal([]byte(admins), &c.Admins)
	json.Unmarshal([]byte(tags), &c.Tags)
	c.LastActivityAt, c.RevalidatedAt = optMS(last), optMS(reval)
	c.CreatedAt, c.UpdatedAt = fromMS(created), fromMS(updated)
	return &c, nil
}

// channelScope restricts a query over channels (aliased c) to the actor's scope.
func (w *where) channelScope(a *jianfu.Actor) {
	switch {
	case a.System:
	case a.RegionWide():
		w.prefix("c.region_path", a.RegionPath)
	default:
		w.prefix("c.unit_path", a.UnitPath)
	}
}

func jsonList(v []string) string {
	if v == nil {
		v = []string{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// FindChannelByID returns a channel in scope.
func (db *DB) FindChannelByID(ctx context.Context, id int64) (*jianfu.Channel, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var w where
	w.add("c.id = ?", id)
	w.channelScope(a)
	c, err := scanChannel(db.queryRow(ctx, `SELECT `+channelCols+channelFrom+w.String(), w.args...))
	return c, db.translate(err, nChannel)
}

// channelFilter turns a filter into conditions.
func (w *where) channelFilter(f jianfu.ChannelFilter) {
	if f.Kind != "" {
		w.add("c.kind = ?", string(f.Kind))
	}
	if f.Platform != "" {
		w.add("c.platform = ?", f.Platform)
	}
	if f.Status != "" {
		w.add("c.status = ?", string(f.Status))
	}
	w.prefix("c.region_path", f.RegionPath)
	if f.UnitID != 0 {
		w.add("c.unit_id = ?", f.UnitID)
	}
	w.like(f.Query, "c.name", "c.handle", "c.platform_id", "c.filing_number")
}

// FindChannels lists channels in scope.
func (db *DB) FindChannels(ctx context.Context, f jianfu.ChannelFilter) ([]*jianfu.Channel, int, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, 0, err
	}
	var w where
	w.channelScope(a)
	w.channelFilter(f)
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM channels c`+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	p := f.Page.Normalize()
	rows, err := db.query(ctx, `SELECT `+channelCols+channelFrom+w.String()+
		orderBy(p.Sort, map[string]string{"name": "c.name", "kind": "c.kind", "platform": "c.platform", "status": "c.status",
			"unit": "u.name", "filing": "c.filing_number", "updated": "c.updated_at", "activity": "c.last_activity_at"}, "c.id DESC")+
		` LIMIT ? OFFSET ?`, append(w.args, p.Limit, p.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*jianfu.Channel
	for rows.Next() {
		c, err := scanChannel(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, c)
	}
	return out, total, rows.Err()
}

// CreateChannel registers a draft channel for a unit in scope. Unit
// administrators, supervisors and system administrators may register.
func (db *DB) CreateChannel(ctx context.Context, c *jianfu.Channel) error {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return err
	}
	if !a.HasAny(jianfu.RoleUnitAdmin, jianfu.RoleSupervisor, jianfu.RoleSysAdmin) {
		return forbidden("登记渠道需要单位管理员、监管人员或系统管理员角色", "registering channels needs the unit administrator, supervisor or system administrator role")
	}
	if err := c.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error { return tx.createChannel(a, c) })
}

// createChannel inserts a channel as a draft (or in c.Status when the
// caller, such as an import, sets another) with its first version.
func (tx *Tx) createChannel(a *jianfu.Actor, c *jianfu.Channel) error {
	var w where
	w.add("u.id = ?", c.UnitID)
	w.unitScope(a, "u")
	unit, err := scanUnit(tx.queryRow(`SELECT `+unitCols+unitFrom+w.String(), w.args...))
	if err != nil {
		return jianfu.Errorf(jianfu.EINVALID, "主办单位(编号%d)不存在或不在您的管辖范围内", "owning unit %d does not exist or is outside your scope", c.UnitID)
	}
	if c.OperatorUnitID != 0 {
		var one int
		if err := tx.queryRow(`SELECT 1 FROM units WHERE id = ?`, c.OperatorUnitID).Scan(&one); err != nil {
			return jianfu.Errorf(jianfu.EINVALID, "运营单位(编号%d)不存在", "operator unit %d does not exist", c.OperatorUnitID)
		}
	}
	if c.Status == "" {
		c.Status = jianfu.StatusDraft
	}
	c.UnitName, c.RegionPath, c.Version = unit.Name, unit.RegionPath, 1
	c.CreatedAt, c.UpdatedAt = tx.now, tx.now
	var last, reval any
	if c.LastActivityAt != nil {
		last = ms(*c.LastActivityAt)
	}
	if c.RevalidatedAt != nil {
		reval = ms(*c.RevalidatedAt)
	}
	id, err := tx.insertID(`INSERT INTO channels(kind, name, unit_id, operator_unit_id, region_path, unit_path, status, filing_number,
		platform, platform_id, handle, url, store_links, audience, functions, purpose, launch_date, cert_subject,
		owner, admins, member_count, temporary, end_date, responsible_person, responsible_phone, tags, notes,
		last_activity_at, revalidated_at, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		string(c.Kind), c.Name, c.UnitID, nullInt(c.OperatorUnitID), unit.RegionPath, unit.Path, string(c.Status), nullStr(c.FilingNumber),
		c.Platform, c.PlatformID, c.Handle, c.URL, jsonList(c.StoreLinks), c.Audience, c.Functions, c.Purpose, c.LaunchDate, c.CertSubject,
		c.Owner, jsonList(c.Admins), c.MemberCount, c.Temporary, c.EndDate, c.ResponsiblePerson, c.ResponsiblePhone, jsonList(c.Tags), c.Notes,
		last, reval, 1, ms(tx.now), ms(tx.now))
	if err != nil {
		return tx.db.translate(err, nChannel)
	}
	c.ID = id
	if err := tx.channelVersion(a, c); err != nil {
		return err
	}
	if err := tx.channelEvent(a, c.ID, "create", "", string(c.Status), ""); err != nil {
		return err
	}
	return tx.audit("channel.create", "channel", id, unit.RegionPath, fmt.Sprintf("%s %s %s", c.Kind, c.Platform, c.Name))
}

// channelVersion saves the channel's current state as its version.
func (tx *Tx) channelVersion(a *jianfu.Actor, c *jianfu.Channel) error {
	data, err := json.Marshal(c)
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
