package web_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"jianfu"
	"jianfu/importer"
	"jianfu/store"
	"jianfu/store/storetest"
)

// download sends a GET as a fixture user with its API token and returns the
// response with its body read.
func (h *harness) download(user, path string) (*http.Response, []byte) {
	h.t.Helper()
	req, _ := http.NewRequest("GET", h.srv.URL+path, nil)
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+h.tokens[user])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

var ledgerLinkRe = regexp.MustCompile(`href="(/cases/export\.xlsx[^"]*)"`)

// TestCaseLedgerFromThePage: a county supervisor filters the queue, clicks
// 导出台账 and gets an Excel file named in Chinese with the filtered cases
// of the county, the Chinese headers, no reporter, and an audit entry.
func TestCaseLedgerFromThePage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newCaseHarness(t, db)
		b := newBrowser(t, h.srv.URL)
		b.login("south.sup")
		st, page := b.get("/cases?view=open&source=complaint")
		m := ledgerLinkRe.FindStringSubmatch(page)
		if st != 200 || m == nil || !strings.Contains(page, "导出台账") {
			t.Fatalf("no ledger button on the queue (%d)", st)
		}
		link := strings.ReplaceAll(m[1], "&amp;", "&")
		u, _ := url.Parse(link)
		if q := u.Query(); q.Get("view") != "open" || q.Get("source") != "complaint" {
			t.Errorf("the ledger link drops the page's filters: %s", link)
		}
		resp, err := b.c.Get(h.srv.URL + link)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		cd := resp.Header.Get("Content-Disposition")
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") ||
			!regexp.MustCompile(`filename\*=UTF-8''`+regexp.QuoteMeta(url.PathEscape("问题线索台账-"))+`20\d{6}\.xlsx`).MatchString(cd) {
			t.Fatalf("download: %d %s %q", resp.StatusCode, resp.Header.Get("Content-Type"), cd)
		}
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("not a workbook: %v", err)
		}
		rows, err := f.GetRows("Sheet1")
		if err != nil || len(rows) != 2 {
			t.Fatalf("rows %v %v", rows, err)
		}
		if strings.Join(rows[0], ",") != strings.Join(importer.CaseLedgerHeaders(), ",") || rows[0][0] != "编号" || rows[0][15] != "问题摘要" {
			t.Errorf("headers %v", rows[0])
		}
		row := rows[1]
		if row[0] != h.south.Number || row[1] != "群众投诉" || row[4] != "江南区" || row[5] != "江州市江南区教育局" || row[6] != "已移送" ||
			row[7] != "答复" || row[9] != "否" || !strings.Contains(row[15], "接龙打卡") {
			t.Errorf("row %q", row)
		}
		all := strings.Join(append(rows[0], rows[1]...), "|")
		if strings.Contains(all, h.north.Number) || strings.Contains(all, "举报人") || strings.Contains(all, "13700001111") {
			t.Errorf("the ledger leaks: %s", all)
		}
		entries, _, _ := db.Audit().FindAuditEntries(storetest.System(), jianfu.AuditFilter{Action: "case.export"})
		if len(entries) != 1 || entries[0].ActorName != "south.sup" || !strings.Contains(entries[0].Detail, "1条;") {
			t.Errorf("audit %+v", entries)
		}
		// A view that holds nothing gives a file with just the headers.
		_, page = b.get("/cases?view=closed")
		m = ledgerLinkRe.FindStringSubmatch(page)
		if m == nil || m[1] != "/cases/export.xlsx?view=closed" {
			t.Fatalf("closed view link %v", m)
		}
		resp, _ = b.c.Get(h.srv.URL + m[1])
		data, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		f, _ = excelize.OpenReader(bytes.NewReader(data))
		if rows, _ := f.GetRows("Sheet1"); resp.StatusCode != 200 || len(rows) != 1 {
			t.Errorf("closed view: %d, %d rows", resp.StatusCode, len(rows))
		}
	})
}

// TestCaseLedgerAPI: GET /api/v1/cases/export?format=csv with the list's
// filters, in the caller's scope; a bad format is refused; roles without
// case access are too.
func TestCaseLedgerAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newCaseHarness(t, db)
		resp, body := h.download("eduAdmin", "/api/v1/cases/export?format=csv&source=complaint")
		csv := string(body)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(csv, "\ufeff编号,来源,问题类型") ||
			resp.Header.Get("X-Rows") != "1" || !strings.Contains(resp.Header.Get("Content-Disposition"), ".csv") {
			t.Fatalf("csv: %d %v %q", resp.StatusCode, resp.Header, csv)
		}
		if !strings.Contains(csv, h.south.Number+",群众投诉,") || strings.Contains(csv, h.north.Number) || strings.Contains(csv, "13700001111") {
			t.Errorf("the unit's ledger: %s", csv)
		}
		if _, body := h.download("provSup", "/api/v1/cases/export?format=csv&region=390103"); !strings.Contains(string(body), h.north.Number) || strings.Contains(string(body), h.south.Number) {
			t.Errorf("region filter: %s", body)
		}
		if _, body := h.download("provSup", "/api/v1/cases/export?format=csv&overdue=true"); strings.Count(string(body), "\r\n") != 1 {
			t.Errorf("nothing is overdue yet: %s", body)
		}
		if resp, _ := h.download("provSup", "/api/v1/cases/export?format=pdf"); resp.StatusCode != 400 {
			t.Errorf("format pdf: %d", resp.StatusCode)
		}
		if resp, _ := h.download("schoolStaff", "/api/v1/cases/export?format=csv"); resp.StatusCode != 403 {
			t.Errorf("staff: %d", resp.StatusCode)
		}
		if resp, _ := h.download("", "/api/v1/cases/export?format=csv"); resp.StatusCode != 401 {
			t.Errorf("anonymous: %d", resp.StatusCode)
		}
	})
}
