package report

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"jianfu"
	"jianfu/calendar"
	"jianfu/importer"
	"jianfu/tabular"
)

// each hands over vs, or fails after the first with err.
func each[T any](err error, vs ...T) Each[T] {
	return func(add func(T) error) (int, error) {
		for i, v := range vs {
			if err != nil && i == 1 {
				return i, err
			}
			if e := add(v); e != nil {
				return i, e
			}
		}
		return len(vs), nil
	}
}

// TestCaseLedger opens the ledger as Excel would: the Chinese headers, a row
// per case with its status and redacted summary, named by the day.
func TestCaseLedger(t *testing.T) {
	c := transferredCase()
	f, n, err := CaseLedger(tabular.XLSX, calendar.Default(), march16, each[*jianfu.Case](nil, c))
	if err != nil || n != 1 {
		t.Fatalf("%d cases, %v", n, err)
	}
	if f.Name != "问题线索台账-20260316.xlsx" || f.Short != "cases-20260316.xlsx" || f.Type != XLSX {
		t.Errorf("file %q %q %q", f.Name, f.Short, f.Type)
	}
	x, err := excelize.OpenReader(bytes.NewReader(f.Data))
	if err != nil {
		t.Fatalf("not a workbook: %v", err)
	}
	defer x.Close()
	rows, _ := x.GetRows(tabular.SheetName)
	if len(rows) != 2 || strings.Join(rows[0], ",") != strings.Join(importer.CaseLedgerHeaders(), ",") {
		t.Fatalf("rows %q", rows)
	}
	if r := rows[1]; r[0] != "JF2026-000007" || r[1] != "群众投诉" || r[5] != "江州市江南区教育局" || r[6] != "已移送" || !strings.Contains(r[15], "接龙打卡") || strings.Contains(r[15], "13712345678") {
		t.Errorf("row %q", r)
	}

	// CSV, and an export that fails half-way gives no file at all.
	f, _, err = CaseLedger(tabular.CSV, calendar.Default(), march16, each[*jianfu.Case](nil))
	if err != nil || f.Type != CSV || f.Name != "问题线索台账-20260316.csv" || string(f.Data) != "\ufeff"+strings.Join(importer.CaseLedgerHeaders(), ",")+"\r\n" {
		t.Errorf("empty CSV ledger %q %q %v", f.Name, f.Data, err)
	}
	broken := errors.New("connection lost")
	if f, _, err := CaseLedger(tabular.CSV, calendar.Default(), march16, each(broken, c, c)); !errors.Is(err, broken) || f != nil {
		t.Errorf("a failed export gave %v, %v", f, err)
	}
}

// TestChannels: the registry export has the template's columns and the
// read-only facts, a row per channel.
func TestChannels(t *testing.T) {
	chans := []*jianfu.Channel{
		{Kind: jianfu.KindAccount, Name: "江南教育", UnitName: "江南区教育局", Platform: "wechat_oa", Status: jianfu.StatusActive},
		{Kind: jianfu.KindGroup, Name: "防汛工作临时群", UnitName: "江南区水利局", Platform: "dingtalk", Temporary: true, Status: jianfu.StatusActive},
	}
	f, n, err := Channels(tabular.CSV, march16, each(nil, chans...))
	if err != nil || n != 2 {
		t.Fatalf("%d channels, %v", n, err)
	}
	if f.Name != "备案渠道-20260316.csv" || f.Short != "channels.csv" || f.Type != CSV {
		t.Errorf("file %q %q %q", f.Name, f.Short, f.Type)
	}
	lines := strings.Split(strings.TrimSuffix(strings.TrimPrefix(string(f.Data), "\ufeff"), "\r\n"), "\r\n")
	if len(lines) != 3 || lines[0] != strings.Join(importer.ChannelHeaders(), ",") || !strings.HasPrefix(lines[1], "政务公众账号,江南教育,江南区教育局,") ||
		!strings.HasPrefix(lines[2], "工作群组,防汛工作临时群,江南区水利局,") {
		t.Errorf("export:\n%s", strings.Join(lines, "\n"))
	}
}

// TestChannelTemplate: the template reads back as an import without a
// problem, one example of each kind, filed by the caller's unit.
func TestChannelTemplate(t *testing.T) {
	for _, format := range []tabular.Format{tabular.XLSX, tabular.CSV} {
		f, err := ChannelTemplate(format, "江南区委网信办")
		if err != nil {
			t.Fatal(err)
		}
		if f.Name != "渠道导入模板."+string(format) || f.Short != "template."+string(format) {
			t.Errorf("file %q %q", f.Name, f.Short)
		}
		tr, err := tabular.NewReader(bytes.NewReader(f.Data), f.Short, importer.ChannelColumns)
		if err != nil {
			t.Fatal(err)
		}
		rows, probs := importer.ReadChannels(tr)
		tr.Close()
		if len(probs) > 0 || len(rows) != 3 {
			t.Fatalf("%s template: %d rows, problems %v", format, len(rows), probs)
		}
		for i, kind := range []jianfu.ChannelKind{jianfu.KindAccount, jianfu.KindApp, jianfu.KindGroup} {
			if rows[i].Channel.Kind != kind || rows[i].UnitRef != "江南区委网信办" {
				t.Errorf("%s row %d: %+v", format, i, rows[i])
			}
		}
	}
}
