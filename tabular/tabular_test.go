package tabular

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"jianfu"
)

var testCols = []Column{
	{Key: "code", Label: "区划代码", English: "code", Aliases: []string{"代码"}, Required: true},
	{Key: "name", Label: "区划名称", English: "name", Aliases: []string{"名称"}, Required: true},
	{Key: "parent", Label: "上级区划代码", English: "parent", Aliases: []string{"parentCode", "上级代码"}},
}

type gotRow struct {
	n                  int
	code, name, parent string
}

func readAll(t *testing.T, r *Reader) []gotRow {
	t.Helper()
	var out []gotRow
	for r.Next() {
		row := r.Row()
		out = append(out, gotRow{row.Number, row.Get("code"), row.Get("name"), row.Get("parent")})
	}
	if err := r.Err(); err != nil {
		t.Fatalf("reading: %v", err)
	}
	return out
}

func gbk(s string) []byte {
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		panic(err)
	}
	return b
}

func TestReadCSV(t *testing.T) {
	want := []gotRow{{2, "110101", "东城区", "1101"}, {3, "110102", "西城区", "1101"}}
	plain := "code,name,parentCode\n110101,\"东城区\",1101\n110102,西城区,1101\n"
	utf16, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(strings.ReplaceAll(plain, ",", "\t")))
	long := strings.Repeat("#", 100<<10) // ASCII well past every buffer before the first Chinese character
	tests := []struct {
		name     string
		data     []byte
		want     []gotRow
		encoding string
	}{
		{"utf8", []byte(plain), want, "UTF-8"},
		{"utf8 bom", []byte("\ufeff" + plain), want, "UTF-8"},
		{"gbk", gbk(plain), want, "GB18030"},
		{"gbk crlf", gbk(strings.ReplaceAll(plain, "\n", "\r\n")), want, "GB18030"},
		{"utf16 tabs", utf16, want, "UTF-16"},
		{"tabs", []byte(strings.ReplaceAll(plain, ",", "\t")), want, "UTF-8"},
		{"semicolons", []byte(strings.ReplaceAll(plain, ",", ";")), want, "UTF-8"},
		{"chinese headers, title row, blank rows",
			[]byte("行政区划导入表,,\n区划代码*,名称(必填),上级代码\n\n110101,东城区,1101\n,,\n110102,西城区,1101\n"),
			[]gotRow{{4, "110101", "东城区", "1101"}, {6, "110102", "西城区", "1101"}}, "UTF-8"},
		{"full-width and spaced headers", []byte("ＣＯＤＥ , Name ,PARENT_CODE\n110101,东城区,1101\n110102,西城区,1101\n"), want, "UTF-8"},
		{"short and long rows", []byte("code,name,parentCode\n110101,东城区\n110102,西城区,1101,extra,cells\n"),
			[]gotRow{{2, "110101", "东城区", ""}, {3, "110102", "西城区", "1101"}}, "UTF-8"},
		{"lazy quotes and spaces", []byte("code,name\n 110101 ,东\"城\"区\n=\"110102\",　西城区　\n"),
			[]gotRow{{2, "110101", "东\"城\"区", ""}, {3, "110102", "西城区", ""}}, "UTF-8"},
		{"quoted newline keeps rows as Excel counts them", []byte("code,name\n110101,\"东城\n区\"\n110102,西城区\n"),
			[]gotRow{{2, "110101", "东城\n区", ""}, {3, "110102", "西城区", ""}}, "UTF-8"},
		{"gbk after long ascii", gbk("code,name\n" + "110101," + long + "\n110102,西城区\n"),
			[]gotRow{{2, "110101", long, ""}, {3, "110102", "西城区", ""}}, "GB18030"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader(bytes.NewReader(tt.data), "test.csv", testCols)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			got := readAll(t, r)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d rows %+v, want %d", len(got), got, len(tt.want))
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("row %d: got %+v, want %+v", i, got[i], tt.want[i])
				}
			}
			if r.Format() != CSV {
				t.Errorf("format %s", r.Format())
			}
			if r.Encoding() != tt.encoding {
				t.Errorf("encoding %q, want %q", r.Encoding(), tt.encoding)
			}
		})
	}
}

func TestHeaderErrors(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []string // substrings of the Chinese message
		en   []string // substrings of the English message
	}{
		{"missing column", "code,title\n110101,x\n", []string{"缺少必需的列", "区划名称", "名称", "code,title"}, []string{"lacks the required column", `"name"`}},
		{"empty", "", []string{"空文件", "区划代码"}, []string{"empty"}},
		{"only blank lines", "\n\n,,\n", []string{"空文件"}, []string{"empty"}},
		{"same column twice", "code,name,代码\n1,2,3\n", []string{"第1行", "“code”与列“代码”是同一列"}, []string{"mean the same"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewReader(strings.NewReader(tt.data), "x.csv", testCols)
			if err == nil {
				t.Fatal("no error")
			}
			if jianfu.ErrorCode(err) != jianfu.EINVALID {
				t.Errorf("code %s", jianfu.ErrorCode(err))
			}
			zh, en := jianfu.ErrorMessage(err, "zh"), jianfu.ErrorMessage(err, "en")
			for _, w := range tt.want {
				if !strings.Contains(zh, w) {
					t.Errorf("message %q lacks %q", zh, w)
				}
			}
			for _, w := range tt.en {
				if !strings.Contains(en, w) {
					t.Errorf("English %q lacks %q", en, w)
				}
			}
		})
	}
}

func TestOpenRefusesWhatItCannotRead(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		path string
		want string
	}{
		{write("old.xls", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0}), "另存为"},
		{write("fake.xlsx", []byte("code,name\n1,2\n")), "不是 Excel 工作簿"},
		{write("broken.xlsx", []byte("PK\x03\x04garbage")), "无法打开 Excel 文件"},
		{filepath.Join(dir, "absent.csv"), "不存在"},
		{dir, "是目录"},
	}
	for _, tt := range tests {
		_, err := Open(tt.path, testCols)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want a message with %q", filepath.Base(tt.path), err, tt.want)
		}
		if jianfu.ErrorCode(err) != jianfu.EINVALID {
			t.Errorf("%s: code %s", tt.path, jianfu.ErrorCode(err))
		}
	}
}

func TestXLSXRoundTrip(t *testing.T) {
	rows := [][]string{
		{"110101001001", "东华门街道社区", "110101001"},
		{"0123", "=1+1", ""},
		{"110102", "西城区,\"引号\"\n换行", "1101"},
	}
	for _, format := range []Format{XLSX, CSV} {
		t.Run(string(format), func(t *testing.T) {
			var buf bytes.Buffer
			w, err := NewWriter(&buf, format, Headers(testCols))
			if err != nil {
				t.Fatal(err)
			}
			for _, row := range rows {
				if err := w.Write(row); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if format == CSV && !bytes.HasPrefix(buf.Bytes(), []byte("\ufeff区划代码,区划名称,上级区划代码\r\n")) {
				t.Errorf("CSV starts %q", buf.Bytes()[:40])
			}
			if format == CSV && !bytes.Contains(buf.Bytes(), []byte(",'=1+1,")) {
				t.Errorf("formula not escaped in %q", buf.String())
			}
			r, err := NewReader(&buf, "round."+string(format), testCols)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if r.Format() != format {
				t.Errorf("read back as %s", r.Format())
			}
			got := readAll(t, r)
			if len(got) != len(rows) {
				t.Fatalf("got %d rows, want %d", len(got), len(rows))
			}
			for i, row := range rows {
				want := gotRow{i + 2, row[0], row[1], row[2]}
				if got[i] != want {
					t.Errorf("row %d: got %+v, want %+v", i, got[i], want)
				}
			}
		})
	}
}

func TestXLSXFindsTheSheetWithTheHeader(t *testing.T) {
	f := excelize.NewFile()
	f.SetCellValue("Sheet1", "A1", "说明:请在第二个工作表填写")
	f.NewSheet("数据")
	f.SetSheetRow("数据", "A1", &[]any{"全省区划"})
	f.SetSheetRow("数据", "A2", &[]any{"代码", "名称"})
	f.SetSheetRow("数据", "A3", &[]any{110101, "东城区"})
	f.SetSheetRow("数据", "A5", &[]any{110102, "西城区"})
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	r, err := NewReader(&buf, "upload", testCols)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Sheet() != "数据" || r.HeaderRow() != 2 {
		t.Errorf("sheet %q header row %d", r.Sheet(), r.HeaderRow())
	}
	got := readAll(t, r)
	want := []gotRow{{3, "110101", "东城区", ""}, {5, "110102", "西城区", ""}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if r.Column("name") != "名称" || r.Column("parent") != "上级区划代码" || r.Has("parent") {
		t.Errorf("columns: %q %q %v", r.Column("name"), r.Column("parent"), r.Has("parent"))
	}
}

func TestXLSXMissingColumnNamesTheSheets(t *testing.T) {
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"代码", "标题"})
	f.NewSheet("Other")
	var buf bytes.Buffer
	f.WriteTo(&buf)
	_, err := NewReader(&buf, "x.xlsx", testCols)
	if err == nil || !strings.Contains(err.Error(), "2个工作表") || !strings.Contains(err.Error(), "区划名称") {
		t.Errorf("got %v", err)
	}
}

func TestProgress(t *testing.T) {
	var b strings.Builder
	b.WriteString("code,name\n")
	for i := range 20000 {
		b.WriteString("110101,东城区")
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString("\n")
	}
	path := filepath.Join(t.TempDir(), "big.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path, testCols)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var last int64
	n := 0
	for r.Next() {
		n++
		done, total := r.Progress()
		if done < last || total != int64(b.Len()) || done > total {
			t.Fatalf("progress %d/%d after %d", done, total, last)
		}
		last = done
	}
	if done, total := r.Progress(); done != total || n != 20000 {
		t.Errorf("end: %d/%d, %d rows", done, total, n)
	}
}

func TestCreate(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"模板.xlsx", "模板.csv"} {
		p := filepath.Join(dir, name)
		w, err := Create(p, []string{"区划代码", "区划名称"})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]string{"43", "湖南省"})
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		r, err := Open(p, testCols)
		if err != nil {
			t.Fatal(err)
		}
		got := readAll(t, r)
		r.Close()
		if len(got) != 1 || got[0] != (gotRow{2, "43", "湖南省", ""}) {
			t.Errorf("%s: %+v", name, got)
		}
	}
	if FormatOf("a.XLSX") != XLSX || FormatOf("a.txt") != CSV {
		t.Error("FormatOf")
	}
}

func TestNormHeader(t *testing.T) {
	for in, want := range map[string]string{
		"\ufeffCode":      "code",
		"Province_Code":   "provincecode",
		"单位类型(必填)":        "单位类型",
		"单位类型(party/...)": "单位类型",
		"*统一社会信用代码":       "统一社会信用代码",
		"ＮＡＭＥ":            "name",
		"(备注)":            "(备注)",
	} {
		if got := normHeader(in); got != want {
			t.Errorf("normHeader(%q) = %q, want %q", in, got, want)
		}
	}
}

// Readers must stop at a read error and say where.
func TestReadErrorNamesTheRow(t *testing.T) {
	r, err := NewReader(io.MultiReader(strings.NewReader("code,name\n1,2\n"), errReader{}), "x.csv", testCols)
	if err != nil {
		t.Fatal(err)
	}
	for r.Next() {
	}
	if r.Err() == nil || !strings.Contains(r.Err().Error(), "第3行") {
		t.Errorf("got %v", r.Err())
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, os.ErrDeadlineExceeded }

// TestWriteWorkbook writes sheets in order with their headers, text as
// text and numbers as numbers, and an empty sheet with just its header.
func TestWriteWorkbook(t *testing.T) {
	var buf bytes.Buffer
	err := WriteWorkbook(&buf,
		Sheet{Name: "概况", Header: []string{"项目", "内容"}, Rows: [][]any{{"抽查名称", "江南区专项抽查"}, {"总体数量", 120}}},
		Sheet{Name: "单位汇总", Header: []string{"单位", "平均分"}, Rows: [][]any{{"江南区教育局", 72.5}}},
		Sheet{Name: "不合格渠道", Header: []string{"渠道名称"}},
	)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("not a workbook: %v", err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != "概况,单位汇总,不合格渠道" {
		t.Errorf("sheets %s", got)
	}
	rows, _ := f.GetRows("概况")
	if len(rows) != 3 || rows[0][0] != "项目" || rows[1][1] != "江南区专项抽查" || rows[2][1] != "120" {
		t.Errorf("概况 %q", rows)
	}
	if typ, _ := f.GetCellType("单位汇总", "B2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("the average is stored as %v, not a number", typ)
	}
	if v, _ := f.GetCellValue("单位汇总", "B2"); v != "72.5" {
		t.Errorf("average %q", v)
	}
	if rows, _ := f.GetRows("不合格渠道"); len(rows) != 1 || rows[0][0] != "渠道名称" {
		t.Errorf("empty sheet %q", rows)
	}
	if err := WriteWorkbook(io.Discard); err == nil {
		t.Error("a workbook without sheets was written")
	}
}

// A table to hand on has its title, 制表单位 and 制表日期 above a frozen,
// filtered header, and columns as wide as their contents.
func TestWriteWorkbookReport(t *testing.T) {
	var buf bytes.Buffer
	err := WriteWorkbook(&buf, Sheet{Name: "各县负担指数", Title: "江州市各县(区)工作群组负担指数排名", Maker: "江州市委网信办", Date: "2026年12月7日",
		Header: []string{"序号", "地区", "负担指数"}, Rows: [][]any{{1, "江南区", 41.5}, {2, "江北区", 12.0}}})
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("not a workbook: %v", err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != "各县负担指数" {
		t.Errorf("sheets %s", got)
	}
	rows, _ := f.GetRows("各县负担指数")
	if len(rows) != 5 || rows[0][0] != "江州市各县(区)工作群组负担指数排名" || rows[1][0] != "制表单位:江州市委网信办    制表日期:2026年12月7日" ||
		rows[2][1] != "地区" || rows[3][1] != "江南区" {
		t.Errorf("rows %q", rows)
	}
	merged, _ := f.GetMergeCells("各县负担指数")
	if len(merged) != 2 || merged[0].GetStartAxis() != "A1" || merged[0].GetEndAxis() != "C1" {
		t.Errorf("merged %v", merged)
	}
	panes, _ := f.GetPanes("各县负担指数")
	if !panes.Freeze || panes.YSplit != 3 {
		t.Errorf("panes %+v: the header should stay in view", panes)
	}
	if names := f.GetDefinedName(); len(names) != 1 || names[0].Name != "_xlnm._FilterDatabase" || !strings.Contains(names[0].RefersTo, "$A$3:$C$5") {
		t.Errorf("autofilter %+v", names)
	}
	if w, _ := f.GetColWidth("各县负担指数", "A"); w > 8 {
		t.Errorf("the 序号 column is %v wide", w)
	}
}
