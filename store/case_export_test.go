package store_test

import (
	"bytes"
	"context"
	"sort"
	"strings"
	"testing"

	"jianfu"
	"jianfu/calendar"
	"jianfu/importer"
	"jianfu/secret"
	"jianfu/store"
	"jianfu/store/storetest"
	"jianfu/tabular"
)

// exportNumbers exports as ctx and returns the case numbers, sorted.
func exportNumbers(t *testing.T, db *store.DB, ctx context.Context, f jianfu.CaseFilter) []string {
	t.Helper()
	var got []string
	n, err := db.Cases().ExportCases(ctx, f, func(c *jianfu.Case) error { got = append(got, c.Number); return nil })
	if err != nil || n != len(got) {
		t.Fatalf("export %+v: %d rows, %d counted, %v", f, len(got), n, err)
	}
	sort.Strings(got)
	return got
}

// listNumbers returns the case numbers FindCases lists, sorted.
func listNumbers(t *testing.T, db *store.DB, ctx context.Context, f jianfu.CaseFilter) []string {
	t.Helper()
	f.Page = jianfu.Page{Limit: 1000}
	list, _, err := db.Cases().FindCases(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range list {
		out = append(out, c.Number)
	}
	sort.Strings(out)
	return out
}

// TestExportCasesIsTheListInScope: the ledger holds exactly the cases the
// caller can list under each filter (a county sees none of another
// county's, a unit administrator only what went to its unit), pages
// through the table without losing or repeating a case, is audited once,
// and never carries the reporter's identity or contact.
func TestExportCasesIsTheListInScope(t *testing.T) {
	defer store.SetExportBatch(2)() // five cases: three pages
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCaseWorld(t, db)
		db.SetReporterKey(must(secret.ParseSealerKey(secret.NewSealerKey())))
		sys := storetest.System()
		sup := w.as(t, "southSup")

		// A named complaint with the reporter's phone in the text, and a
		// third person's mobile written with spaces.
		rec := must(db.Intake().SubmitComplaint(anonymous(), &jianfu.Complaint{Source: jianfu.SourceComplaint, RegionCode: "390102",
			Description: "江南教育发布要求每个老师每天转发三篇文章并截图。我是王晓明,电话13912345678。群主让大家有事打他手机 138 0013 8000,邮箱qunzhu@example.cn。",
			Identity:    &jianfu.ReporterIdentity{Name: "王晓明", Phone: "13912345678", Email: "wxm@example.cn"}}))
		named := findByNumber(t, w, "southSup", rec.Number)
		must(db.Cases().TriageCase(sup, named.ID, jianfu.Triage{Decision: "accept", Categories: []string{"engagement", "trace"}}))
		named = must(db.Cases().TransferCase(sup, named.ID, jianfu.Transfer{UnitID: w.f.Units["southEdu"].ID}))
		untransferred, _ := must2(t)(db.Intake().CreateClue(sup, &jianfu.Clue{Source: jianfu.SourceSpotCheck, SourceRef: "sc-1", Category: "checkin", RegionCode: "390102",
			Description: "抽查发现望江中学要求教师每天在应用内打卡签到"}))
		north, _ := must2(t)(db.Intake().CreateClue(w.as(t, "northSup"), &jianfu.Clue{Source: jianfu.SourceManual, Category: "instant", RegionCode: "390103",
			Description: "江北区教育局工作群要求周末秒回消息"}))
		must(db.Cases().TransferCase(w.as(t, "northSup"), north.ID, jianfu.Transfer{UnitID: w.f.Units["northEdu"].ID}))
		closed, _ := must2(t)(db.Intake().CreateClue(sup, &jianfu.Clue{Source: jianfu.SourceManual, Category: "chain", RegionCode: "390102", Description: "群里要求每晚接龙回复收到"}))
		must(db.Cases().TriageCase(sup, closed.ID, jianfu.Triage{Decision: "reject", Reason: "重复反映,已另案办理"}))

		// Ten days on the first cases are past their deadlines; a new clue is not.
		w.set(w.now.AddDate(0, 0, 10))
		fresh, _ := must2(t)(db.Intake().CreateClue(sup, &jianfu.Clue{Source: jianfu.SourceManual, Category: "material", RegionCode: "390102001", Description: "街道反复要求报送同一张统计表"}))

		nums := func(cs ...*jianfu.Case) []string {
			var out []string
			for _, c := range cs {
				out = append(out, c.Number)
			}
			sort.Strings(out)
			return out
		}
		for _, tc := range []struct {
			user string
			f    jianfu.CaseFilter
			want []string
		}{
			{"southSup", jianfu.CaseFilter{}, nums(named, untransferred, closed, fresh)},
			{"northSup", jianfu.CaseFilter{}, nums(north)},
			{"provSup", jianfu.CaseFilter{}, nums(named, untransferred, north, closed, fresh)},
			{"eduAdmin", jianfu.CaseFilter{}, nums(named)},
			{"northAdmin", jianfu.CaseFilter{}, nums(north)},
			{"southSup", jianfu.CaseFilter{Overdue: true}, nums(named, untransferred)},
			{"provSup", jianfu.CaseFilter{Overdue: true}, nums(named, untransferred, north)},
			{"southSup", jianfu.CaseFilter{Source: jianfu.SourceSpotCheck}, nums(untransferred)},
			{"southSup", jianfu.CaseFilter{Category: "material"}, nums(fresh)},
			{"southSup", jianfu.CaseFilter{Status: jianfu.CaseRejected}, nums(closed)},
			{"provSup", jianfu.CaseFilter{RegionPath: "390103"}, nums(north)},
			{"provSup", jianfu.CaseFilter{UnitID: w.f.Units["southEdu"].ID}, nums(named)},
			{"southSup", jianfu.CaseFilter{Query: "秒回"}, nil},
			{"provSup", jianfu.CaseFilter{Query: "秒回"}, nums(north)},
		} {
			ctx := w.as(t, tc.user)
			got := exportNumbers(t, db, ctx, tc.f)
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("%s exports %v under %+v, want %v", tc.user, got, tc.f, tc.want)
			}
			if list := listNumbers(t, db, ctx, tc.f); strings.Join(got, " ") != strings.Join(list, " ") {
				t.Errorf("%s exports %v but lists %v under %+v", tc.user, got, list, tc.f)
			}
		}
		// Every view of the queue exports what it lists.
		for _, view := range jianfu.CaseViews {
			for _, user := range []string{"southSup", "eduAdmin"} {
				var f jianfu.CaseFilter
				f.SetView(view)
				if got, list := exportNumbers(t, db, w.as(t, user), f), listNumbers(t, db, w.as(t, user), f); strings.Join(got, " ") != strings.Join(list, " ") {
					t.Errorf("view %q as %s: exports %v, lists %v", view, user, got, list)
				}
			}
		}
		if _, err := db.Cases().ExportCases(w.as(t, "schoolStaff"), jianfu.CaseFilter{}, func(*jianfu.Case) error { return nil }); code(err) != jianfu.EFORBIDDEN {
			t.Errorf("staff exports cases: %v", err)
		}

		// One audit entry per export, with the count and the filter.
		before := auditCount(t, db, "case.export")
		exportNumbers(t, db, sup, jianfu.CaseFilter{Overdue: true, Category: "engagement"})
		entries, total := must3(t)(db.Audit().FindAuditEntries(sys, jianfu.AuditFilter{Action: "case.export"}))
		if total != before+1 || entries[0].ActorName != "south.sup" || !strings.Contains(entries[0].Detail, "1条;") ||
			!strings.Contains(entries[0].Detail, "已超期") || !strings.Contains(entries[0].Detail, "问题类型:engagement") {
			t.Errorf("export audit: %d entries (before %d), latest %+v", total, before, entries[0])
		}

		// The file the province would send up: the reporter is nowhere in
		// it, personal data in the text is masked, the deadline facts are there.
		var buf bytes.Buffer
		tw := must(tabular.NewWriter(&buf, tabular.CSV, importer.CaseLedgerHeaders()))
		cal, now := calendar.Default(), w.clock()
		must(db.Cases().ExportCases(w.as(t, "provSup"), jianfu.CaseFilter{}, func(c *jianfu.Case) error {
			if c.Address != "" || c.HasIdentity {
				t.Errorf("exported case %s carries address %q or identity flag", c.Number, c.Address)
			}
			return tw.Write(importer.CaseLedgerRecord(c, cal, now))
		}))
		must0(t, tw.Close())
		file := buf.String()
		flat := strings.NewReplacer(" ", "", "-", "").Replace(file)
		for _, secretText := range []string{"王晓明", "13912345678", "13800138000", "wxm@example.cn", "qunzhu@example.cn"} {
			if strings.Contains(flat, secretText) {
				t.Errorf("the ledger holds %q:\n%s", secretText, file)
			}
		}
		if !strings.HasPrefix(file, "\ufeff编号,来源,问题类型,涉及渠道,所在地区,责任单位,状态,当前阶段,阶段时限(到期日),是否超期,超期工作日,提级督办,办结结果,受理时间,办结时间,问题摘要\r\n") {
			t.Errorf("headers: %q", strings.SplitN(file, "\n", 2)[0])
		}
		rows := map[string]string{}
		for _, line := range strings.Split(file, "\r\n") {
			rows[strings.SplitN(line, ",", 2)[0]] = line
		}
		// Transferred Monday 2 March, 5 working days to answer: due Monday
		// 9 March; on Thursday 12 March it is 3 working days late.
		if row := rows[named.Number]; !strings.Contains(row, ",群众投诉,点赞转发、截图留痕,江南教育发布,江南区,江州市江南区教育局,已移送,答复,2026-03-09,是,3,否,,2026-03-02 09:00,,") ||
			!strings.Contains(row, "[已隐去]") || !strings.Contains(row, "[电话]") || !strings.Contains(row, "[邮箱]") {
			t.Errorf("named complaint row: %s", row)
		}
		if row := rows[closed.Number]; !strings.Contains(row, ",不予受理,,,否,,否,,") {
			t.Errorf("rejected row: %s", row)
		}
		if row := rows[fresh.Number]; !strings.Contains(row, ",望江街道,尚未移送,待受理,受理交办,2026-03-17,") || !strings.Contains(row, ",否,,否,") {
			t.Errorf("fresh row: %s", row)
		}
	})
}
