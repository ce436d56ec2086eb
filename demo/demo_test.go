package demo_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"jianfu"
	"jianfu/demo"
	"jianfu/store"
	"jianfu/store/storetest"
)

func system() context.Context { return storetest.System() }

func generate(t *testing.T, db *store.DB, opts demo.Options) *demo.Summary {
	t.Helper()
	start := time.Now()
	sum, err := demo.Generate(context.Background(), db, opts)
	if err != nil {
		t.Fatalf("generate %s: %v", opts.Size, err)
	}
	t.Logf("%s on %s: %d regions, %d units, %d users in %v", sum.Size, db.Engine(), total(sum.Regions), sum.Units, sum.Users, time.Since(start).Round(time.Millisecond))
	return sum
}

func total(m map[jianfu.Level]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// allUnits lists every unit the context's actor sees, page by page.
func allUnits(t *testing.T, ctx context.Context, db *store.DB, f jianfu.UnitFilter) []*jianfu.Unit {
	t.Helper()
	var out []*jianfu.Unit
	for {
		f.Page = jianfu.Page{Offset: len(out), Limit: 1000}
		list, n, err := db.Units().FindUnits(ctx, f)
		if err != nil {
			t.Fatalf("find units: %v", err)
		}
		out = append(out, list...)
		if len(out) >= n || len(list) == 0 {
			return out
		}
	}
}

func allRegions(t *testing.T, db *store.DB) []*jianfu.Region {
	t.Helper()
	var out []*jianfu.Region
	for {
		list, n, err := db.Regions().FindRegions(system(), jianfu.RegionFilter{Page: jianfu.Page{Offset: len(out), Limit: 1000}})
		if err != nil {
			t.Fatalf("find regions: %v", err)
		}
		out = append(out, list...)
		if len(out) >= n || len(list) == 0 {
			return out
		}
	}
}

func allUsers(t *testing.T, db *store.DB) []*jianfu.User {
	t.Helper()
	var out []*jianfu.User
	for {
		list, n, err := db.Users().FindUsers(system(), jianfu.UserFilter{Page: jianfu.Page{Offset: len(out), Limit: 1000}})
		if err != nil {
			t.Fatalf("find users: %v", err)
		}
		out = append(out, list...)
		if len(out) >= n || len(list) == 0 {
			return out
		}
	}
}

// digest hashes every region, unit and user as stored (ids included;
// password hashes and timestamps left out, as they are salted and clocked).
func digest(t *testing.T, db *store.DB) string {
	t.Helper()
	h := sha256.New()
	for _, r := range allRegions(t, db) {
		fmt.Fprintf(h, "R|%s|%s|%s|%s|%s\n", r.Path, r.Code, r.Name, r.Level, r.ParentPath)
	}
	for _, u := range allUnits(t, system(), db, jianfu.UnitFilter{}) {
		fmt.Fprintf(h, "U|%d|%s|%s|%s|%d|%s|%s|%v\n", u.ID, u.Name, u.Type, u.RegionPath, u.ParentID, u.CreditCode, u.Path, u.Disabled)
	}
	for _, u := range allUsers(t, db) {
		fmt.Fprintf(h, "P|%d|%s|%s|%d|%v|%s\n", u.ID, u.Username, u.Name, u.UnitID, u.Roles, u.Phone)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestSameSeedSameData(t *testing.T) {
	digests := map[store.Engine]string{}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		generate(t, db, demo.Options{Size: demo.Small})
		again := storetest.Open(t, db.Engine())
		generate(t, again, demo.Options{Size: demo.Small})
		d1, d2 := digest(t, db), digest(t, again)
		if d1 != d2 {
			t.Fatalf("same seed, different data: %s vs %s", d1, d2)
		}
		digests[db.Engine()] = d1
		if db.Engine() == store.SQLite {
			other := storetest.Open(t, db.Engine())
			generate(t, other, demo.Options{Size: demo.Small, Seed: 7})
			if digest(t, other) == d1 {
				t.Errorf("seed 7 gives the same data as the default seed")
			}
		}
	})
	if a, b := digests[store.SQLite], digests[store.Postgres]; a != "" && b != "" && a != b {
		t.Errorf("the same seed gives different data on SQLite and PostgreSQL")
	}
}

func TestSmallProvince(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		sum := generate(t, db, demo.Options{Size: demo.Small})
		ctx := system()
		checkUnits(t, db, sum)
		checkLogins(t, db, sum)

		// The province subtree holds exactly what the summary counts.
		for _, lv := range []jianfu.Level{jianfu.LevelProvince, jianfu.LevelCity, jianfu.LevelCounty, jianfu.LevelTownship, jianfu.LevelVillage} {
			_, n, err := db.Regions().FindRegions(ctx, jianfu.RegionFilter{Level: lv, Page: jianfu.Page{Limit: 1}})
			if err != nil {
				t.Fatal(err)
			}
			if n != sum.Regions[lv] || n == 0 {
				t.Errorf("%s regions: %d stored, summary says %d", lv, n, sum.Regions[lv])
			}
		}
		if sum.Regions[jianfu.LevelCity] != 1 || sum.Regions[jianfu.LevelCounty] != 2 {
			t.Errorf("small: %d cities and %d counties, want 1 and 2", sum.Regions[jianfu.LevelCity], sum.Regions[jianfu.LevelCounty])
		}
		if n := len(allUsers(t, db)); n != sum.Users || n != len(sum.Logins) || n < 12 {
			t.Errorf("%d users stored, summary says %d with %d logins", n, sum.Users, len(sum.Logins))
		}

		// The generator's work is in the audit log under its own name, and
		// the chain holds.
		_, n, err := db.Audit().FindAuditEntries(ctx, jianfu.AuditFilter{Actor: "system:demo", Action: "unit.create", Page: jianfu.Page{Limit: 1}})
		if err != nil {
			t.Fatal(err)
		}
		if n != sum.Units {
			t.Errorf("%d unit.create entries by system:demo, want %d", n, sum.Units)
		}
		if v, err := db.Audit().VerifyAudit(ctx); err != nil || !v.OK {
			t.Errorf("audit chain: %+v, %v", v, err)
		}

		// A second run on the same store is refused before it writes.
		if _, err := demo.Generate(context.Background(), db, demo.Options{Size: demo.Small}); jianfu.ErrorCode(err) != jianfu.ECONFLICT {
			t.Errorf("second run: %v, want conflict", err)
		}
	})
}

func TestBadOptions(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	for _, o := range []demo.Options{{Password: "short"}, {Size: "huge"}} {
		if _, err := demo.Generate(context.Background(), db, o); jianfu.ErrorCode(err) != jianfu.EINVALID {
			t.Errorf("%+v: %v, want invalid", o, err)
		}
	}
	if _, n, _ := db.Units().FindUnits(system(), jianfu.UnitFilter{}); n != 0 {
		t.Errorf("bad options wrote %d units", n)
	}
}

// checkUnits checks every unit's credit code, region and place in the
// unit tree.
func checkUnits(t *testing.T, db *store.DB, sum *demo.Summary) {
	t.Helper()
	ctx := system()
	units := allUnits(t, ctx, db, jianfu.UnitFilter{})
	if len(units) != sum.Units {
		t.Fatalf("%d units stored, summary says %d", len(units), sum.Units)
	}
	byID := map[int64]*jianfu.Unit{}
	for _, u := range units {
		byID[u.ID] = u
	}
	prefix := map[jianfu.UnitType]string{jianfu.UnitParty: "11", jianfu.UnitGovernment: "11", jianfu.UnitInstitution: "12",
		jianfu.UnitPeopleOrg: "13", jianfu.UnitEnterprise: "91", jianfu.UnitCommunity: "54"}
	siblings := map[string]bool{}
	for _, u := range units {
		if err := jianfu.ValidateCreditCode(u.CreditCode); err != nil {
			t.Errorf("%s: %v", u.Name, err)
		}
		if !strings.HasPrefix(u.CreditCode, prefix[u.Type]) {
			t.Errorf("%s (%s): credit code %s, want prefix %s", u.Name, u.Type, u.CreditCode, prefix[u.Type])
		}
		division := jianfu.CodeOfPath(u.RegionPath)[:6]
		if division != u.CreditCode[2:8] {
			t.Errorf("%s in %s: credit code %s, want division %s", u.Name, u.RegionPath, u.CreditCode, division)
		}
		if _, err := db.Regions().FindRegion(ctx, u.RegionCode); err != nil {
			t.Errorf("%s: region %s: %v", u.Name, u.RegionCode, err)
		}
		if !strings.HasPrefix(u.RegionPath, "39") {
			t.Errorf("%s lies outside 临江省: %s", u.Name, u.RegionPath)
		}
		key := fmt.Sprint(u.ParentID, "/", u.Name)
		if siblings[key] {
			t.Errorf("two units named %s under unit %d", u.Name, u.ParentID)
		}
		siblings[key] = true
		if u.ParentID == 0 {
			if u.RegionPath != "39" {
				t.Errorf("root unit %s is in %s, not the province", u.Name, u.RegionPath)
			}
			continue
		}
		p := byID[u.ParentID]
		if p == nil {
			t.Errorf("%s: parent %d missing", u.Name, u.ParentID)
			continue
		}
		if !jianfu.Contains(p.RegionPath, u.RegionPath) {
			t.Errorf("%s (%s) lies outside its parent %s (%s)", u.Name, u.RegionPath, p.Name, p.RegionPath)
		}
		if !strings.HasPrefix(u.Path, p.Path) {
			t.Errorf("%s: path %s not under its parent's %s", u.Name, u.Path, p.Path)
		}
	}
	for _, name := range []string{"中共临江省委网络安全和信息化委员会办公室", "临江省人民政府办公厅", "临江省大数据中心", "临江省交通投资集团有限公司",
		"中共江州市委网络安全和信息化委员会办公室", "中共江州市江南区委网络安全和信息化委员会办公室", "江州市江南区教育局"} {
		if list, _, _ := db.Units().FindUnits(ctx, jianfu.UnitFilter{Query: name}); len(list) == 0 {
			t.Errorf("no unit %s", name)
		}
	}
}

// checkLogins logs in as every demo user and checks what each supervisor
// sees: its own region's units, all of them, and nothing else.
func checkLogins(t *testing.T, db *store.DB, sum *demo.Summary) {
	t.Helper()
	all := allUnits(t, system(), db, jianfu.UnitFilter{})
	prev := 0
	roles := map[jianfu.Role]bool{}
	for _, l := range sum.Logins {
		if len(l.RegionPath) < prev {
			t.Errorf("logins not ordered from the top down at %s", l.Username)
		}
		prev = len(l.RegionPath)
		if l.Scope == "" || l.Name == "" || l.UnitName == "" || l.Password == "" {
			t.Errorf("incomplete login %+v", l)
		}
		u, err := db.Users().Authenticate(context.Background(), l.Username, l.Password)
		if err != nil {
			t.Errorf("log in as %s: %v", l.Username, err)
			continue
		}
		for _, r := range u.Roles {
			roles[r] = true
		}
		if !u.HasRole(jianfu.RoleSupervisor) {
			continue
		}
		token, err := db.Users().CreateSession(context.Background(), u.ID, "127.0.0.1", "demo test")
		if err != nil {
			t.Fatal(err)
		}
		a, err := db.Users().SessionActor(context.Background(), token)
		if err != nil {
			t.Fatal(err)
		}
		seen := allUnits(t, jianfu.WithActor(context.Background(), a), db, jianfu.UnitFilter{})
		want := 0
		for _, x := range all {
			if jianfu.Contains(l.RegionPath, x.RegionPath) {
				want++
			}
		}
		if len(seen) == 0 || len(seen) != want {
			t.Errorf("%s (%s) sees %d units, want the %d of its region", l.Username, l.Scope, len(seen), want)
		}
		for _, x := range seen {
			if !jianfu.Contains(l.RegionPath, x.RegionPath) {
				t.Errorf("%s (%s) sees %s in %s", l.Username, l.Scope, x.Name, x.RegionPath)
				break
			}
		}
		if l.RegionPath == "39" && len(seen) != len(all) {
			t.Errorf("province supervisor %s sees %d of %d units", l.Username, len(seen), len(all))
		}
	}
	for _, r := range jianfu.Roles {
		if !roles[r] && r != jianfu.RoleApp { // an application is no login
			t.Errorf("no demo login with role %s", r)
		}
	}
	for _, name := range []string{"sheng.jianguan", "jiangzhou.jianguan", "jiangnan.jianguan", "jiangbei.jianguan", "jiangnan.jiaoyu"} {
		found := false
		for _, l := range sum.Logins {
			found = found || l.Username == name
		}
		if !found {
			t.Errorf("no demo login %s", name)
		}
	}
}

// TestFullProvince generates the whole province on SQLite and checks its
// size; how long it takes is BenchmarkFullProvince's business.
func TestFullProvince(t *testing.T) {
	if testing.Short() {
		t.Skip("full demo province skipped in -short mode")
	}
	db := storetest.Open(t, store.SQLite)
	sum := generate(t, db, demo.Options{})
	for _, s := range sum.Steps {
		t.Logf("step %-8s %v", s.Step, s.Took.Round(time.Millisecond))
	}
	t.Logf("regions by level: %v; units by type: %v", sum.Regions, sum.UnitsByType)
	for _, l := range sum.Logins {
		t.Logf("%-22s %-8s %-28s %s | %s", l.Username, l.Name, l.RoleNames(), l.UnitName, l.Scope)
	}
	check := func(what string, n, lo, hi int) {
		if n < lo || n > hi {
			t.Errorf("%s: %d, want %d to %d", what, n, lo, hi)
		}
	}
	check("cities", sum.Regions[jianfu.LevelCity], 6, 6)
	check("counties", sum.Regions[jianfu.LevelCounty], 6*3, 6*7)
	check("townships", sum.Regions[jianfu.LevelTownship], 6*3*6, 6*7*12)
	check("villages", sum.Regions[jianfu.LevelVillage], 6*3*6*3, 6*7*12*8)
	check("units", sum.Units, 300, 2200)
	check("users", sum.Users, 15, 25)
}

// BenchmarkFullProvince measures generating the whole province on SQLite,
// step by step (the figure docs/demo.md quotes).
func BenchmarkFullProvince(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		db := storetest.Open(b, store.SQLite)
		b.StartTimer()
		sum, err := demo.Generate(context.Background(), db, demo.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		for _, s := range sum.Steps {
			b.ReportMetric(s.Took.Seconds(), s.Step+"-s")
		}
		b.StartTimer()
	}
}
