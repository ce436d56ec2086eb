package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"jianfu"
	"jianfu/secret"
	"jianfu/store"
	"jianfu/store/storetest"
)

// run runs a command with args, returning stdout and stderr.
func run(t *testing.T, cmd *cobra.Command, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetContext(context.Background())
	if err := cmd.ParseFlags(args); err != nil {
		return "", "", err
	}
	err := cmd.RunE(cmd, cmd.Flags().Args())
	return out.String(), errOut.String(), err
}

// fixtureDB is a SQLite file with the store fixture and, optionally, channels.
func fixtureDB(t *testing.T, channels ...*jianfu.Channel) (string, *storetest.Fixture) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "jianfu.db")
	db, err := store.Open(context.Background(), path, storetest.Rules)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	fx := storetest.Load(t, db)
	for _, c := range channels {
		c.UnitID = fx.Units["southEdu"].ID
		if err := db.Channels().CreateChannel(storetest.System(), c); err != nil {
			t.Fatal(err)
		}
	}
	return path, fx
}

// TestExportThenImportChannels exports a registry and imports the file into
// another database with the same units: the channels come across whole.
func TestExportThenImportChannels(t *testing.T) {
	src, _ := fixtureDB(t,
		&jianfu.Channel{Kind: jianfu.KindAccount, Name: "江南教育", Platform: "wechat_oa", PlatformID: "gh_0123456789ab", ResponsiblePerson: "王小明", ResponsiblePhone: "13800001234"},
		&jianfu.Channel{Kind: jianfu.KindGroup, Name: "防汛临时群", Platform: "dingtalk", Temporary: true, EndDate: "2026-09-30", Owner: "李四", Admins: []string{"张三", "赵六"}, MemberCount: 36})
	for _, format := range []string{"csv", "xlsx"} {
		file := filepath.Join(t.TempDir(), "channels."+format)
		_, stderr, err := run(t, newExportChannelsCmd(), "--db", src, "--format", format, "-o", file)
		if err != nil || !strings.Contains(stderr, "已导出 2 个渠道") {
			t.Fatalf("export %s: %v %s", format, err, stderr)
		}
		dst, _ := fixtureDB(t)
		out, _, err := run(t, newImportChannelsCmd(), "--db", dst, file)
		if err != nil || !strings.Contains(out, "已导入政务渠道 2 条") {
			t.Fatalf("import %s: %v %s", format, err, out)
		}
		db, _ := store.Open(context.Background(), dst, storetest.Rules)
		list, _, err := db.Channels().FindChannels(storetest.System(), jianfu.ChannelFilter{Kind: jianfu.KindGroup})
		if err != nil || len(list) != 1 {
			t.Fatalf("%s: %v %v", format, list, err)
		}
		g, _ := db.Channels().FindChannelByID(storetest.System(), list[0].ID)
		if !g.Temporary || g.EndDate != "2026-09-30" || g.MemberCount != 36 || strings.Join(g.Admins, ",") != "张三,赵六" || g.UnitName != "江州市江南区教育局" {
			t.Errorf("%s round trip lost data: %+v", format, g)
		}
		db.Close()
	}
	// CSV to standard output.
	out, _, err := run(t, newExportChannelsCmd(), "--db", src, "--format", "csv", "--kind", "account")
	if err != nil || !strings.Contains(out, "江南教育") || strings.Contains(out, "防汛临时群") {
		t.Errorf("csv to stdout: %v %q", err, out)
	}
	if _, _, err := run(t, newExportChannelsCmd(), "--db", src, "--format", "pdf"); err == nil || exitCode(err) != 2 {
		t.Errorf("a bad format: %v", err)
	}
}

func TestImportChannelsReportsEveryBadRow(t *testing.T) {
	dst, _ := fixtureDB(t)
	file := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(file, []byte("渠道类型,名称,主办单位,平台\n政务公众账号,江南教育,江州市江南区教育局,微信公众号\n机器人,x,江州市江南区教育局,微博\n工作群组,y,不存在的单位,钉钉群\n"), 0o644)
	_, stderr, err := run(t, newImportChannelsCmd(), "--db", dst, file)
	if err == nil || !strings.Contains(stderr, "第3行") || !strings.Contains(err.Error(), "未导入任何数据") {
		t.Fatalf("bad file: %v\n%s", err, stderr)
	}
	db, _ := store.Open(context.Background(), dst, storetest.Rules)
	defer db.Close()
	if _, n, _ := db.Channels().FindChannels(storetest.System(), jianfu.ChannelFilter{}); n != 0 {
		t.Errorf("a refused import saved %d channels", n)
	}
}

// TestExportCases writes the case ledger as the system: every case, or
// those of a region or a view, never the reporter, audited.
func TestExportCases(t *testing.T) {
	src, _ := fixtureDB(t)
	ctx := context.Background()
	// One complaint a month old (long overdue), one clue made today.
	past := time.Now().AddDate(0, -1, 0)
	db, err := store.Open(ctx, src, store.WithClock(func() time.Time { return past }), storetest.Rules)
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := secret.ParseSealerKey(secret.NewSealerKey())
	if err != nil {
		t.Fatal(err)
	}
	db.SetReporterKey(sealer)
	rec, err := db.Intake().SubmitComplaint(jianfu.WithClientIP(ctx, "203.0.113.9"), &jianfu.Complaint{Source: jianfu.SourceComplaint, RegionCode: "390102",
		Description: "学校工作群每晚要求接龙回复收到。我叫王晓明,手机13912345678,另一位老师的手机是13600001111。",
		Identity:    &jianfu.ReporterIdentity{Name: "王晓明", Phone: "13912345678"}})
	if err != nil {
		t.Fatal(err)
	}
	db.Now = time.Now
	north, _, err := db.Intake().CreateClue(storetest.System(), &jianfu.Clue{Source: jianfu.SourceManual, Category: "instant", RegionCode: "390103", Description: "江北区教育局工作群要求周末秒回消息"})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	file := filepath.Join(t.TempDir(), "台账.csv")
	_, stderr, err := run(t, newExportCasesCmd(), "--db", src, "--format", "csv", "-o", file)
	if err != nil || !strings.Contains(stderr, "已导出 2 条问题线索") {
		t.Fatalf("export: %v %s", err, stderr)
	}
	data, _ := os.ReadFile(file)
	csv := string(data)
	if !strings.HasPrefix(csv, "\ufeff编号,来源,问题类型,涉及渠道,所在地区,责任单位,状态,当前阶段,阶段时限(到期日),是否超期,超期工作日,提级督办,办结结果,受理时间,办结时间,问题摘要") ||
		!strings.Contains(csv, rec.Number+",群众投诉,") || !strings.Contains(csv, north.Number+",监管录入,即时响应,,江北区,尚未移送,待受理,") {
		t.Errorf("ledger:\n%s", csv)
	}
	for _, secretText := range []string{"王晓明", "13912345678", "13600001111"} {
		if strings.Contains(csv, secretText) {
			t.Errorf("the ledger holds %q:\n%s", secretText, csv)
		}
	}
	// Filters, to standard output.
	out, _, err := run(t, newExportCasesCmd(), "--db", src, "--format", "csv", "--view", "overdue")
	if err != nil || !strings.Contains(out, rec.Number+",") || !strings.Contains(out, ",是,") || strings.Contains(out, north.Number) {
		t.Errorf("overdue view: %v\n%s", err, out)
	}
	out, _, err = run(t, newExportCasesCmd(), "--db", src, "--format", "csv", "--region", "390103", "--status", "new")
	if err != nil || strings.Contains(out, rec.Number) || !strings.Contains(out, north.Number) {
		t.Errorf("region 390103: %v\n%s", err, out)
	}
	// xlsx by default, to cases.xlsx unless -o says otherwise.
	xlsx := filepath.Join(t.TempDir(), "问题线索台账.xlsx")
	if _, _, err := run(t, newExportCasesCmd(), "--db", src, "-o", xlsx); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(xlsx); !bytes.HasPrefix(data, []byte("PK")) {
		t.Errorf("not an xlsx file: %q", data[:min(len(data), 8)])
	}
	for _, args := range [][]string{{"--view", "late"}, {"--status", "done"}, {"--format", "pdf"}, {"--region", "39x"}} {
		if _, _, err := run(t, newExportCasesCmd(), append([]string{"--db", src}, args...)...); err == nil || exitCode(err) != 2 {
			t.Errorf("%v: %v", args, err)
		}
	}
	db, _ = store.Open(ctx, src, storetest.Rules)
	defer db.Close()
	entries, n, err := db.Audit().FindAuditEntries(storetest.System(), jianfu.AuditFilter{Action: "case.export"})
	if err != nil || n != 4 || entries[n-1].ActorName != "system:export" || !strings.HasPrefix(entries[n-1].Detail, "2条;全部") {
		t.Errorf("audit: %d entries %v, first %+v", n, err, entries[n-1])
	}
}
