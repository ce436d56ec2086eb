package security

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
	"jianfu/web"
)

// TestNoStoreOnPersonalData: every answer that may carry personal data
// tells browsers and proxies not to keep it — logged-in pages, API
// answers, the public tracking result — and only static assets are cached.
func TestNoStoreOnPersonalData(t *testing.T) {
	s := start(t, storetest.Open(t, store.SQLite), web.Config{})
	b := s.browser()
	b.signIn("south.sup")
	check := func(what string, resp *http.Response) {
		t.Helper()
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s (%d): Cache-Control %q, want no-store", what, resp.StatusCode, cc)
		}
	}
	for _, path := range []string{"/", "/cases", "/users", "/units/" + fmt.Sprint(s.fx.Units["south"].ID), "/account", "/audit", "/cases/export.csv", "/api/v1/me", "/api/v1/users"} {
		resp, _ := b.fetch(path)
		check("GET "+path, resp)
	}
	resp, _ := b.submit("/track", "/track", url.Values{"code": {"ABCD-EFGH-JKMN"}})
	check("POST /track", resp)
	resp, _ = s.browser().submit("/login", "/login", url.Values{"username": {"south.sup"}, "password": {"wrong"}})
	check("a failed login", resp)
	resp, _ = b.fetch("/static/app.css")
	if cc := resp.Header.Get("Cache-Control"); resp.StatusCode == http.StatusOK && !strings.Contains(cc, "max-age") {
		t.Errorf("static assets: Cache-Control %q", cc)
	}
}

// TestMetricsNeedSysadminToken: /metrics was public; now only a system
// administrator's bearer token reads it.
func TestMetricsNeedSysadminToken(t *testing.T) {
	s := start(t, storetest.Open(t, store.SQLite), web.Config{})
	get := func(auth string, b *browser) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, s.srv.URL+"/metrics", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, body := b.do(req)
		return resp.StatusCode, body
	}
	if st, body := get("", s.browser()); st != http.StatusUnauthorized || !strings.Contains(body, "系统管理员") || strings.Contains(body, "go_goroutines") {
		t.Errorf("anonymous: %d %s", st, snippet(body))
	}
	if st, _ := get("Bearer jf_not-a-token", s.browser()); st != http.StatusUnauthorized {
		t.Errorf("a bad token: %d", st)
	}
	if st, body := get("Bearer "+s.token("prov.sup"), s.browser()); st != http.StatusForbidden || strings.Contains(body, "go_goroutines") {
		t.Errorf("a supervisor's token: %d", st)
	}
	admin := s.browser()
	admin.signIn("prov.admin")
	if st, _ := get("", admin); st != http.StatusUnauthorized {
		t.Errorf("a system administrator's browser session without a token: %d, want 401", st)
	}
	if st, body := get("Bearer "+s.token("prov.admin"), s.browser()); st != http.StatusOK || !strings.Contains(body, "go_goroutines") {
		t.Errorf("a system administrator's token: %d", st)
	}
}

// TestHiddenCharactersStripped: NUL, right-to-left overrides and
// zero-width characters were stored and rendered. Now they are removed from
// every form and JSON body before anything checks or stores the text.
func TestHiddenCharactersStripped(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := start(t, db, web.Config{})
		resp, page := s.browser().submit("/complaint", "/complaint", url.Values{"region": {"390102"},
			"description": {"社区要求\u202e每天\u200b接\u2066龙\u2069报\x00数,\ufeff不报就通报"}})
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, "反映已提交") {
			t.Fatalf("complaint: %d %s", resp.StatusCode, snippet(page))
		}
		cases, _, err := db.Cases().FindCases(storetest.System(), jianfu.CaseFilter{Query: "接龙报数"})
		if err != nil || len(cases) != 1 {
			t.Fatalf("the complaint is not found by its clean words: %v %v", cases, err)
		}
		full, err := db.Cases().FindCaseByID(storetest.System(), cases[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := "社区要求每天接龙报数,不报就通报"; full.Description != want {
			t.Errorf("stored description %q, want %q", full.Description, want)
		}

		tok := s.token("south.edu")
		st, body := s.api(tok, "POST", "/api/v1/channels", map[string]any{"kind": "account", "name": "江南\u202e教育\u200b发布", "unit_id": s.fx.Units["southEdu"].ID,
			"platform": "weibo", "tags": []string{"宣\u200b传"}})
		if st != http.StatusCreated || body["name"] != "江南教育发布" || fmt.Sprint(body["tags"]) != "[宣传]" {
			t.Errorf("a channel created by JSON: %d name %q tags %v", st, body["name"], body["tags"])
		}
	})
}

// workbookBomb is a workbook of under 1 MiB that inflates to 64 MiB: a header
// and one row repeated, compressed more than a hundredfold.
func workbookBomb(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"渠道类型", "名称", "主办单位", "平台"})
	var small bytes.Buffer
	f.Write(&small)
	zr, _ := zip.NewReader(bytes.NewReader(small.Bytes()), int64(small.Len()))
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	for _, e := range zr.File {
		w, _ := zw.Create(e.Name)
		if e.Name != "xl/worksheets/sheet1.xml" {
			rc, _ := e.Open()
			io.Copy(w, rc)
			rc.Close()
			continue
		}
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
		row := `<row><c t="inlineStr"><is><t>政务公众账号</t></is></c><c t="inlineStr"><is><t>江南教育</t></is></c></row>`
		chunk := strings.Repeat(row, 64<<10/len(row))
		for n := 0; n < 64<<20; n += len(chunk) {
			io.WriteString(w, chunk)
		}
		io.WriteString(w, `</sheetData></worksheet>`)
	}
	zw.Close()
	if out.Len() > 1<<20 {
		t.Fatalf("the bomb is %d bytes", out.Len())
	}
	return out.Bytes()
}

// zeros is n bytes of a big file, never held in memory.
type zeros struct{ n int64 }

func (z *zeros) Read(p []byte) (int, error) {
	if z.n <= 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), z.n)
	clear(p[:k])
	z.n -= k
	return int(k), nil
}

// TestUploadLimits: a 70 MB upload was answered with a CSRF error, as the
// body limit cut the form before its token was read, and a 0.9 MB workbook
// bomb cost 50 s of CPU. Now both are refused with what the limit is.
func TestUploadLimits(t *testing.T) {
	s := start(t, storetest.Open(t, store.SQLite), web.Config{})
	b := s.browser()
	b.signIn("south.edu")
	for _, declared := range []bool{true, false} {
		length := int64(-1)
		if declared {
			length = 70 << 20
		}
		resp, page := b.upload("/burden/upload", "/burden/upload", map[string]string{"group_id": "1"}, "聊天记录.txt", &zeros{70 << 20}, length)
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(page, "上传内容过大") || strings.Contains(page, "CSRF") {
			t.Errorf("a 70 MB upload (length declared %v): %d %s", declared, resp.StatusCode, snippet(page))
		}
	}
	bomb := workbookBomb(t)
	resp, page := b.upload("/registry/import", "/registry/import", nil, "渠道.xlsx", bytes.NewReader(bomb), int64(len(bomb)))
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(page, "解压后超过") {
		t.Errorf("a %d-byte workbook bomb: %d %s", len(bomb), resp.StatusCode, snippet(page))
	}
	if _, n, _ := s.db.Channels().FindChannels(storetest.System(), jianfu.ChannelFilter{}); n != 0 {
		t.Errorf("the bomb imported %d channels", n)
	}
}
