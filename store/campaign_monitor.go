package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"jianfu"
)

// MonitorTargets lists channels due for a technical check (system only).
func (s *Monitor) MonitorTargets(ctx context.Context, olderThan time.Time, limit int) ([]jianfu.MonitorTarget, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.System {
		return nil, forbidden("技术监测任务仅由系统运行", "monitoring rounds run as the system")
	}
	rows, err := s.db.query(ctx, `SELECT c.id, c.url FROM channels c LEFT JOIN monitor_latest m ON m.channel_id = c.id
		WHERE c.url <> '' AND c.status IN ('approved', 'active', 'rectifying', 'exit_requested') AND (m.at IS NULL OR m.at < ?)
		ORDER BY COALESCE(m.at, 0), c.id LIMIT ?`, ms(olderThan), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []jianfu.MonitorTarget
	for rows.Next() {
		var t jianfu.MonitorTarget
		if err := rows.Scan(&t.ChannelID, &t.URL); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RecordChecks stores checks of channels (system only), each with its
// audit entry, and moves the channels' latest check.
func (s *Monitor) RecordChecks(ctx context.Context, checks []*jianfu.MonitorCheck) error {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return err
	}
	if !a.System {
		return forbidden("技术监测结果仅由系统写入", "monitoring results are written by the system")
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		for _, c := range checks {
			if c == nil {
				continue
			}
			var region string
			if err := tx.queryRow(`SELECT region_path FROM channels WHERE id = ?`, c.ChannelID).Scan(&region); err != nil {
				return s.db.translate(err, nChannel)
			}
			if c.Broken == nil {
				c.Broken = []string{}
			}
			var last any
			if c.LastUpdate != nil {
				last = ms(*c.LastUpdate)
			}
			id, err := tx.insertID(`INSERT INTO monitor_checks(channel_id, at, url, final_url, status_code, reachable, duration_ms, last_update, update_source, title, links, outbound, broken, error)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.ChannelID, ms(c.At), c.URL, c.FinalURL, c.StatusCode, c.Reachable, c.Duration, last,
				c.UpdateSource, truncate(c.Title, 200), c.Links, c.Outbound, mustJSON(c.Broken), truncate(c.Error, 500))
			if err != nil {
				return err
			}
			c.ID = id
			if _, err := tx.exec(`DELETE FROM monitor_latest WHERE channel_id = ?`, c.ChannelID); err != nil {
				return err
			}
			if _, err := tx.exec(`INSERT INTO monitor_latest(channel_id, check_id, at, reachable, last_update, broken) VALUES (?, ?, ?, ?, ?, ?)`,
				c.ChannelID, id, ms(c.At), c.Reachable, last, len(c.Broken)); err != nil {
				return err
			}
			if err := tx.audit("monitor.check", "channel", c.ChannelID, region, monitorDetail(c.Reachable, c.StatusCode, len(c.Broken))); err != nil {
				return err
			}
		}
		return nil
	})
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// FindMonitorChecks lists a channel's checks; the channel must be in scope.
func (s *Monitor) FindMonitorChecks(ctx context.Context, channelID int64, p jianfu.Page) ([]*jianfu.MonitorCheck, int, error) {
	if _, err := s.db.Channels().FindChannelByID(ctx, channelID); err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM monitor_checks WHERE channel_id = ?`, channelID).Scan(&total); err != nil {
		return nil, 0, err
	}
	p = p.Normalize()
	rows, err := s.db.query(ctx, `SELECT id, channel_id, at, url, final_url, status_code, reachable, duration_ms, last_update, update_source, title, links, outbound, broken, error
		FROM monitor_checks WHERE channel_id = ? ORDER BY id DESC LIMIT ? OFFSET ?`, channelID, p.Limit, p.Offset)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*jianfu.MonitorCheck
	for rows.Next() {
		var c jianfu.MonitorCheck
		var at int64
		var last sql.NullInt64
		var broken string
		if err := rows.Scan(&c.ID, &c.ChannelID, &at, &c.URL, &c.FinalURL, &c.StatusCode, &c.Reachable, &c.Duration, &last, &c.UpdateSource, &c.Title,
			&c.Links, &c.Outbound, &broken, &c.Error); err != nil {
			return nil, 0, err
		}
		c.At, c.LastUpdate = fromMS(at), optMS(last)
		json.Unmarshal([]byte(broken), &c.Broken)
		out = append(out, &c)
	}
	return out, total, rows.Err()
}

// monitorDetail says in words what a technical check found, for the audit log.
func monitorDetail(reachable bool, status, broken int) string {
	d := "可访问"
	if !reachable {
		d = "无法访问"
	}
	if status != 0 {
		d += fmt.Sprintf("(状态码%d)", status)
	}
	if broken > 0 {
		d += fmt.Sprintf(",失效链接%d个", broken)
	}
	return d
}
