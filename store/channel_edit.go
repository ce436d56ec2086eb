package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"jianfu"
)

// UpdateChannel saves an owner's edits, in place for drafts and returned
// channels and as a change request (变更) for filed ones.
func (s *Channels) UpdateChannel(ctx context.Context, id int64, in *jianfu.Channel, version int) (*jianfu.Channel, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.CanOwnChannels(); err != nil {
		return nil, err
	}
	var out *jianfu.Channel
	err = s.db.inTx(ctx, func(tx *Tx) error {
		r, err := tx.lockChannel(a, id)
		if err != nil {
			return err
		}
		c := r.Channel
		if err := a.MayOwn(c.UnitID, r.unitPath); err != nil {
			return err
		}
		if version != 0 && version != c.Version {
			return jianfu.Errorf(jianfu.ECONFLICT, "该渠道已被他人修改(当前第%d版,您编辑的是第%d版),请刷新后重新修改", "the channel changed meanwhile (now version %d, you edited version %d); reload and edit again", c.Version, version)
		}
		next := *c
		next.TakeEdits(in)
		next.Kind, next.UnitID = c.Kind, c.UnitID
		if err := next.Validate(); err != nil {
			return err
		}
		if next.OperatorUnitID != 0 && next.OperatorUnitID != c.OperatorUnitID {
			if err := tx.queryRow(`SELECT name FROM units WHERE id = ?`, next.OperatorUnitID).Scan(&next.OperatorUnitName); err != nil {
				return jianfu.Errorf(jianfu.EINVALID, "运营单位(编号%d)不存在", "operator unit %d does not exist", next.OperatorUnitID)
			}
		}
		changed := jianfu.ChangedFields(c, &next)
		switch {
		case c.Status.Editable():
			if len(changed) == 0 {
				out = c
				return nil
			}
			if err := tx.saveChannel(r, &next); err != nil {
				return err
			}
			next.Version = c.Version + 1
			next.UpdatedAt = tx.now
			if err := tx.channelVersion(a, &next); err != nil {
				return err
			}
			if err := tx.channelEvent(a, id, "update", "", "", strings.Join(changed, ", ")); err != nil {
				return err
			}
			out = &next
			return tx.audit("channel.update", "channel", id, c.RegionPath, strings.Join(changed, ", "))
		case c.Status.Changeable():
			if len(changed) == 0 {
				return jianfu.Errorf(jianfu.EINVALID, "没有需要变更的内容", "nothing to change")
			}
			checks, err := tx.runChecks(&next)
			if err != nil {
				return err
			}
			if err := jianfu.BlockingError(checks); err != nil {
				return err
			}
			proposed := next
			proposed.Pending, proposed.Checks = nil, nil
			ch := &jianfu.ChannelChange{Proposed: &proposed, ProposedBy: a.Username, ProposedAt: tx.now, Checks: checks}
			if _, err := tx.exec(`UPDATE channels SET pending = ?, updated_at = ? WHERE id = ?`, jsonOf(ch), ms(tx.now), id); err != nil {
				return err
			}
			if err := tx.channelEvent(a, id, "change", string(c.Status), string(c.Status), "变更:"+strings.Join(changed, ", ")); err != nil {
				return err
			}
			c.Pending, c.UpdatedAt = ch, tx.now
			out = c
			return tx.audit("channel.change", "channel", id, c.RegionPath, strings.Join(changed, ", "))
		default:
			return jianfu.Errorf(jianfu.EINVALID, "%[1]s状态的渠道不能修改", "a channel that is %[2]s cannot be changed", jianfu.StatusNames[c.Status], c.Status)
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// saveChannel writes a channel's editable fields (with their derived
// columns, grams and counter) over the stored row r, and bumps its version.
func (tx *Tx) saveChannel(r *chanRow, next *jianfu.Channel) error {
	c := r.Channel
	rules, err := tx.db.registryRules()
	if err != nil {
		return err
	}
	_, err = tx.exec(`UPDATE channels SET name = ?, operator_unit_id = ?, platform = ?, platform_id = ?, handle = ?, url = ?, store_links = ?,
		audience = ?, functions = ?, purpose = ?, launch_date = ?, cert_subject = ?, owner = ?, admins = ?, member_count = ?, temporary = ?,
		end_date = ?, responsible_person = ?, responsible_phone = ?, tags = ?, notes = ?, name_key = ?, handle_key = ?,
		version = version + 1, updated_at = ? WHERE id = ?`,
		next.Name, nullInt(next.OperatorUnitID), next.Platform, next.PlatformID, next.Handle, next.URL, jsonList(next.StoreLinks),
		next.Audience, next.Functions, next.Purpose, next.LaunchDate, next.CertSubject, next.Owner, jsonList(next.Admins), next.MemberCount, next.Temporary,
		next.EndDate, next.ResponsiblePerson, next.ResponsiblePhone, jsonList(next.Tags), next.Notes, rules.SearchKey(next.Name), strings.ToLower(next.Handle),
		ms(tx.now), c.ID)
	if err != nil {
		return tx.db.translate(err, nChannel)
	}
	if next.Name != c.Name {
		if err := tx.setGrams(c.ID, c.Name, next.Name); err != nil {
			return err
		}
	}
	return tx.moveCount(c.RegionPath, c.Kind, c.Platform, c.Status, next.Platform, c.Status)
}

// ChannelHistory returns the timeline and the versions of a channel in scope.
func (s *Channels) ChannelHistory(ctx context.Context, id int64) ([]*jianfu.ChannelEvent, []*jianfu.ChannelVersion, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, nil, err
	}
	r, err := s.db.findChannel(ctx, a, id)
	if err != nil {
		return nil, nil, err
	}
	rows, err := s.db.query(ctx, `SELECT id, at, actor_name, action, from_status, to_status, note FROM channel_events WHERE channel_id = ? ORDER BY id DESC`, id)
	if err != nil {
		return nil, nil, err
	}
	var events []*jianfu.ChannelEvent
	for rows.Next() {
		var e jianfu.ChannelEvent
		var at int64
		var from, to string
		if err := rows.Scan(&e.ID, &at, &e.ActorName, &e.Action, &from, &to, &e.Note); err != nil {
			rows.Close()
			return nil, nil, err
		}
		e.At, e.FromStatus, e.ToStatus = fromMS(at), jianfu.ChannelStatus(from), jianfu.ChannelStatus(to)
		events = append(events, &e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	vrows, err := s.db.query(ctx, `SELECT version, at, actor_name, data FROM channel_versions WHERE channel_id = ? ORDER BY version`, id)
	if err != nil {
		return nil, nil, err
	}
	defer vrows.Close()
	var versions []*jianfu.ChannelVersion
	personal := a.SeesPersonal(r.unitPath)
	var prev *jianfu.Channel
	for vrows.Next() {
		var v jianfu.ChannelVersion
		var at int64
		var data string
		if err := vrows.Scan(&v.Version, &at, &v.ActorName, &data); err != nil {
			return nil, nil, err
		}
		v.At = fromMS(at)
		var c jianfu.Channel
		if err := json.Unmarshal([]byte(data), &c); err != nil {
			return nil, nil, fmt.Errorf("channel %d version %d: %w", id, v.Version, err)
		}
		if prev != nil {
			v.Changed = jianfu.ChangedFields(prev, &c)
		}
		prev = &c
		snap := c
		if !personal {
			snap.Mask()
		}
		v.Channel = &snap
		versions = append([]*jianfu.ChannelVersion{&v}, versions...)
	}
	return events, versions, vrows.Err()
}
