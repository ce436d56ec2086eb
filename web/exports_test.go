package web_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"jianfu/store"
	"jianfu/store/storetest"
)

// Every ranking an office hands on downloads as a titled workbook: the
// title, 制表单位 (the caller's office), a header and a filter on it.
func TestRankingExports(t *testing.T) {
	h := newHarness(t, storetest.Open(t, store.SQLite))
	for _, tt := range []struct{ user, path, title, header string }{
		{"provSup", "/burden?format=xlsx", "工作群组负担指数排名", "负担指数"},
		{"provSup", "/burden?kind=unit&format=xlsx", "单位负担指数排名", "工作群数"},
		{"provSup", "/evaluation?export=unit&format=xlsx", "单位评价排名", "得分"},
		{"provSup", "/evaluation?export=region&format=xlsx", "地区评价排名", "得分"},
		{"provSup", "/cases/overdue?format=xlsx", "问题线索超期情况", "最长超期(工作日)"},
		{"provSup", "/cleanup?format=xlsx", "清理退出候选渠道", "问题"},
		{"provSup", "/rectifications?format=xlsx", "整改事项清单", "整改期限"},
		{"cityAuditor", "/audit?format=xlsx", "安全审计日志", "操作人"},
	} {
		resp, body := h.download(tt.user, tt.path)
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), ".xlsx") {
			t.Errorf("%s: %d %s", tt.path, resp.StatusCode, resp.Header.Get("Content-Disposition"))
			continue
		}
		f, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Errorf("%s: not a workbook: %v", tt.path, err)
			continue
		}
		sheet := f.GetSheetList()[0]
		rows, _ := f.GetRows(sheet)
		if len(rows) < 3 || !strings.Contains(rows[0][0], tt.title) || !strings.HasPrefix(rows[1][0], "制表单位:"+h.fx.Units[map[string]string{"provSup": "prov", "cityAuditor": "city"}[tt.user]].Name) ||
			!strings.Contains(strings.Join(rows[2], "|"), tt.header) || sheet == "Sheet1" {
			t.Errorf("%s: sheet %s rows %q", tt.path, sheet, rows)
		}
		f.Close()
	}
}
