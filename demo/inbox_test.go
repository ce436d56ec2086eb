package demo_test

import (
	"strings"
	"testing"

	"jianfu"
	"jianfu/demo"
	"jianfu/secret"
	"jianfu/store"
	"jianfu/store/storetest"
)

// TestDemoInbox: the demo's transfers, sweeps and filings leave notifications;
// each role opens to the last days' ones unread (older ones read): the
// 江南区 教育局's administrator to cases transferred to it, the county office
// to its overdue cases and filings to review, the city's auditor to the
// reveal of a complainant; staff have none.
func TestDemoInbox(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	s, _ := secret.ParseSealerKey(secret.NewSealerKey())
	db.SetReporterKey(s)
	sum := generate(t, db, demo.Options{Size: demo.Small})
	unread := map[string]int{}
	for _, l := range sum.Logins {
		unread[l.Username] = l.Unread
	}
	users := map[string]*jianfu.User{}
	for _, u := range allUsers(t, db) {
		users[u.Username] = u
	}
	kinds := func(username string) (all, open map[jianfu.NotificationKind]int) {
		u := users[username]
		unit, err := db.Units().FindUnitByID(system(), u.UnitID)
		if err != nil {
			t.Fatal(err)
		}
		ctx := jianfu.WithActor(system(), &jianfu.Actor{UserID: u.ID, Username: u.Username, Roles: u.Roles, UnitID: unit.ID, UnitPath: unit.Path, RegionPath: unit.RegionPath})
		items, _, n, err := db.Notifications().FindNotifications(ctx, jianfu.NotificationFilter{Page: jianfu.Page{Limit: 1000}})
		if err != nil {
			t.Fatal(err)
		}
		if n != unread[username] {
			t.Errorf("%s: %d unread, the summary says %d", username, n, unread[username])
		}
		all, open = map[jianfu.NotificationKind]int{}, map[jianfu.NotificationKind]int{}
		for _, it := range items {
			all[it.Kind]++
			if it.Unread() {
				open[it.Kind]++
			}
		}
		return all, open
	}
	all, open := kinds("jiangnan.jiaoyu")
	if all[jianfu.NoteCaseTransferred] == 0 || open[jianfu.NoteCaseTransferred] == 0 || sumOf(open) == sumOf(all) {
		t.Errorf("jiangnan.jiaoyu: all %v, unread %v; want transfers, some read", all, open)
	}
	if all, _ := kinds("jiangnan.jianguan"); all[jianfu.NoteCaseOverdue] == 0 || all[jianfu.NoteFilingSubmitted] == 0 {
		t.Errorf("jiangnan.jianguan: %v; want overdue cases and filings to review", all)
	}
	if all, _ := kinds("jiangzhou.choucha"); all[jianfu.NoteFormAssigned] == 0 || all[jianfu.NoteFormReminder] != 1 {
		t.Errorf("jiangzhou.choucha: %v; want the forms assigned and one reminder of the campaign's deadline", all)
	}
	reminded := 0
	for name := range unread {
		_, open := kinds(name)
		reminded += open[jianfu.NoteCaseReminder]
	}
	if reminded == 0 {
		t.Error("no demo user has a deadline reminder")
	}
	if _, open := kinds("jiangzhou.shenji"); open[jianfu.NoteSecurityEvent] != 1 {
		t.Errorf("jiangzhou.shenji unread: %v; want the reveal", open)
	}
	for name, n := range unread {
		if strings.HasSuffix(name, ".xuexiao") && n != 0 {
			t.Errorf("%s (staff) has %d unread", name, n)
		}
	}
}

func sumOf(m map[jianfu.NotificationKind]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
