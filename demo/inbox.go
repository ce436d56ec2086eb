package demo

import (
	"context"
	"time"

	"jianfu"
)

// readDays is how far back the demo's people have read their notifications:
// what the case, filing and cleanup steps told them before it is read, the
// last days' notices wait unread, so each role opens to a realistic inbox.
const readDays = 3

// inbox reveals one named complainant in 江南区 as the province's
// 反映人信息查阅 account (the region's auditor is told), sweeps the
// reminders and the rising burden indexes, then marks each
// demo user's notifications older than readDays read, as that user.
func (g *gen) inbox(ctx context.Context) error {
	if err := g.reveal(ctx); err != nil {
		return err
	}
	// What the server's periodic jobs would have said by now: the
	// reminders of deadlines due by the next working day, and the units
	// whose burden index rose this week.
	if _, err := g.db.Deadlines().SweepReminders(ctx, g.db.Now(), nil); err != nil {
		return err
	}
	if _, err := g.db.Notifications().NotifyBurdenRising(ctx, g.db.Now()); err != nil {
		return err
	}
	cutoff := g.db.Now().Add(-readDays * 24 * time.Hour)
	unread := 0
	for _, u := range g.w.users {
		uctx := as(ctx, u)
		for {
			items, _, _, err := g.db.Notifications().FindNotifications(uctx, jianfu.NotificationFilter{Unread: true, Page: jianfu.Page{Limit: 1000}})
			if err != nil {
				return err
			}
			marked := 0
			for _, n := range items {
				if n.CreatedAt.Before(cutoff) {
					if _, err := g.db.Notifications().MarkRead(uctx, n.ID); err != nil {
						return err
					}
					marked++
				}
			}
			if marked == 0 {
				unread += len(items)
				g.setUnread(u.Username, len(items))
				break
			}
		}
	}
	g.count("未读通知", unread)
	return nil
}

// setUnread records a login's unread count for the summary.
func (g *gen) setUnread(username string, n int) {
	for i := range g.sum.Logins {
		if g.sum.Logins[i].Username == username {
			g.sum.Logins[i].Unread = n
		}
	}
}

// as is a context acting as demo user u.
func as(ctx context.Context, u *user) context.Context {
	return jianfu.WithActor(ctx, &jianfu.Actor{UserID: u.ID, Username: u.Username, Name: u.Name, Roles: u.Roles, UnitID: u.unit.ID,
		UnitName: u.unit.Name, UnitPath: u.unit.Path, RegionPath: u.unit.RegionPath, Via: "demo"})
}

// reveal opens the identity of the newest named complaint of 江南区, when
// the demo runs with a reporter key and there is one.
func (g *gen) reveal(ctx context.Context) error {
	jn := g.w.cities[0].counties[0]
	if g.revealer == nil || !g.db.Intake().AcceptsIdentity() {
		return nil
	}
	list, _, err := g.db.Cases().FindCases(ctx, jianfu.CaseFilter{RegionPath: jn.region.Path, Page: jianfu.Page{Limit: 200, Sort: "-number"}})
	if err != nil {
		return err
	}
	for _, c := range list {
		if c.HasIdentity {
			_, err := g.db.Cases().RevealReporter(as(ctx, g.revealer), c.ID, "反映人要求当面反馈办理结果,需核实联系方式")
			return err
		}
	}
	return nil
}
