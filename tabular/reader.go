package tabular

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/xuri/excelize/v2"

	"jianfu"
)

// headerScan is how many non-blank rows are searched for the header, so a
// title row or two above it does no harm.
const headerScan = 10

// A workbook may inflate to a hundred times its own size, at least 16 MiB
// and at most 256 MiB (a real one rarely passes 20 times). Both are checked
// in the zip's central directory before anything is inflated, and Go's zip
// reader refuses an entry that inflates past its declared size, so a zip
// bomb is refused at once instead of costing minutes of CPU.
const (
	maxXLSXUnzip = 256 << 20
	minXLSXUnzip = 16 << 20
	maxXLSXRatio = 100
)

// unzipLimit is how far a workbook of size bytes may inflate.
func unzipLimit(size int) int64 {
	return min(max(int64(size)*maxXLSXRatio, minXLSXUnzip), maxXLSXUnzip)
}

// checkUnzipSize refuses a workbook whose parts declare more than its limit.
func checkUnzipSize(b []byte, name string) error {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil // not a readable zip: the workbook reader says so
	}
	limit := unzipLimit(len(b))
	var total uint64
	for _, f := range zr.File {
		total += min(f.UncompressedSize64, 1<<62) // no overflow
		if total > uint64(limit) {
			return jianfu.Errorf(jianfu.ETOOLARGE,
				"Excel 文件 %s 解压后超过 %d MB(文件本身 %.1f MB),可能是压缩炸弹或含有大量无关内容,已拒绝读取:请删去无关的工作表,或另存为 CSV 后再导入",
				"the Excel file %s inflates to more than %d MB (the file is %.1f MB): a zip bomb or much unrelated content, so it was not read; remove unrelated sheets or save it as CSV and import that",
				name, limit>>20, float64(len(b))/(1<<20))
		}
	}
	return nil
}

// Reader reads the data rows of one table: a CSV file or the first sheet of
// a workbook that has the columns asked for.
type Reader struct {
	name     string
	format   Format
	encoding string
	sheet    string
	h        *header

	next      func() ([]string, error) // the next raw row, io.EOF at the end
	number    int                      // row number of the row last returned by next
	headerRow int

	row    Row
	err    error
	closer func() error

	done  atomic.Int64 // bytes (CSV) or rows (XLSX) read
	total int64        // -1 when unknown
}

// Open opens a CSV or XLSX file and reads its header. The format is chosen by
// content: a zip ("PK") is a workbook, anything else is CSV; a file named
// .xlsx that is not a zip, or an old binary .xls, is refused with advice.
func Open(path string, cols []Column) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, openError(path, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, openError(path, err)
	}
	if st.IsDir() {
		f.Close()
		return nil, jianfu.Errorf(jianfu.EINVALID, "“%s”是目录,请给出 CSV 或 XLSX 文件", "%s is a directory; give a CSV or XLSX file", path)
	}
	r, err := newReader(f, filepath.Base(path), st.Size(), cols)
	if err != nil {
		f.Close()
		return nil, err
	}
	prev := r.closer
	r.closer = func() error {
		var err error
		if prev != nil {
			err = prev()
		}
		return errors.Join(err, f.Close())
	}
	return r, nil
}

func openError(path string, err error) error {
	if errors.Is(err, os.ErrNotExist) {
		return jianfu.Errorf(jianfu.EINVALID, "文件“%s”不存在,请检查路径", "file %s does not exist; check the path", path)
	}
	if errors.Is(err, os.ErrPermission) {
		return jianfu.Errorf(jianfu.EINVALID, "没有权限读取文件“%s”", "no permission to read %s", path)
	}
	return jianfu.Errorf(jianfu.EINVALID, "无法读取文件“%s”:%v", "cannot read %s: %v", path, err)
}

// NewReader reads a table from r; name (a file name) is used in messages
// and its extension as a hint. A workbook is read into memory whole; a CSV
// is streamed.
func NewReader(r io.Reader, name string, cols []Column) (*Reader, error) {
	return newReader(r, name, -1, cols)
}

func newReader(r io.Reader, name string, size int64, cols []Column) (*Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	magic, _ := br.Peek(8)
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case bytes.HasPrefix(magic, []byte("PK\x03\x04")):
		return newXLSXReader(br, name, size, cols)
	case bytes.HasPrefix(magic, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return nil, jianfu.Errorf(jianfu.EINVALID,
			"“%s”是旧版 Excel(.xls)文件或加密的工作簿,无法读取:请在 Excel 中“另存为” .xlsx 或 CSV(不设密码)后再导入",
			"%s is an old Excel .xls file or an encrypted workbook; save it as .xlsx or CSV (without a password) and import that", name)
	case ext == ".xlsx" || ext == ".xlsm":
		return nil, jianfu.Errorf(jianfu.EINVALID, "“%s”扩展名为 %s,但内容不是 Excel 工作簿(可能已损坏或被改名)",
			"%s is named %s but is not an Excel workbook (damaged or renamed?)", name, ext)
	}
	return newCSVReader(br, name, size, cols)
}

// Name returns the file name given to the reader.
func (r *Reader) Name() string { return r.name }

// Format returns the format of the file.
func (r *Reader) Format() Format { return r.format }

// Encoding returns the text encoding of a CSV file ("UTF-8" or "GB18030"),
// "" for a workbook or before the first non-ASCII byte was seen.
func (r *Reader) Encoding() string { return r.encoding }

// Sheet returns the name of the sheet read from a workbook.
func (r *Reader) Sheet() string { return r.sheet }

// HeaderRow returns the row number of the header.
func (r *Reader) HeaderRow() int { return r.headerRow }

// Header returns the header row as written in the file.
func (r *Reader) Header() []string { return r.h.headers }

// Has reports whether the file has the column with the given key.
func (r *Reader) Has(key string) bool { _, ok := r.h.index[key]; return ok }

// Column returns the header of the column as the file writes it, or its
// Chinese label when the file lacks it: the name to use in messages.
func (r *Reader) Column(key string) string {
	if n, ok := r.h.names[key]; ok && n != "" {
		return n
	}
	for _, c := range r.h.cols {
		if c.Key == key {
			return c.Label
		}
	}
	return key
}

// Progress reports how far reading has come: bytes of a CSV file, rows of a
// workbook. total is -1 when unknown.
func (r *Reader) Progress() (done, total int64) { return r.done.Load(), r.total }

// Next advances to the next data row, skipping blank rows. It returns false
// at the end or on an error (see Err).
func (r *Reader) Next() bool {
	if r.err != nil {
		return false
	}
	for {
		cells, err := r.next()
		if err == io.EOF {
			return false
		}
		if err != nil {
			r.err = err
			return false
		}
		if blank(cells) {
			continue
		}
		r.row = Row{Number: r.number, cells: cells, h: r.h}
		return true
	}
}

// Row returns the current row.
func (r *Reader) Row() Row { return r.row }

// Err returns the error that stopped Next, nil at a clean end.
func (r *Reader) Err() error { return r.err }

// Close releases the file.
func (r *Reader) Close() error {
	if r.closer == nil {
		return nil
	}
	err := r.closer()
	r.closer = nil
	return err
}

// findHeader reads rows until one has every required column; rows above it
// (titles) are dropped.
func (r *Reader) findHeader(cols []Column) error {
	var first []string
	var firstMissing []Column
	seen := 0
	for seen < headerScan {
		cells, err := r.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if blank(cells) {
			continue
		}
		seen++
		h, missing, dup := matchHeader(cells, cols)
		if len(missing) == 0 {
			if dup[0] != "" {
				return jianfu.Errorf(jianfu.EINVALID, "%s 第%d行(表头):列“%s”与列“%s”是同一列,请删除其中一列",
					"%s row %d (header): columns %q and %q mean the same; delete one of them", r.name, r.number, dup[0], dup[1])
			}
			r.h, r.headerRow = h, r.number
			return nil
		}
		if first == nil {
			first, firstMissing = cells, missing
		}
	}
	if first == nil {
		return jianfu.Errorf(jianfu.EINVALID, "%s 是空文件:第一行应为表头,如 %s", "%s is empty; its first row should be a header such as %s", r.name, strings.Join(Headers(cols), ","))
	}
	return missingError(r.name, first, firstMissing)
}

// missingError says which required columns the header lacks and which
// header names would do.
func missingError(name string, header []string, missing []Column) error {
	var zh, en []string
	for _, c := range missing {
		var alts []string
		for _, n := range append([]string{c.Label, c.Key}, c.Aliases...) {
			if n != "" && !contains(alts, n) {
				alts = append(alts, n)
			}
		}
		zh = append(zh, fmt.Sprintf("“%s”(表头可写作:%s)", c.Label, strings.Join(alts, "、")))
		eng := c.English
		if eng == "" {
			eng = c.Key
		}
		en = append(en, fmt.Sprintf("%q (accepted headers: %s)", eng, strings.Join(alts, ", ")))
	}
	var found []string
	for _, h := range header {
		if h = strings.TrimSpace(h); h != "" {
			found = append(found, h)
		}
	}
	if len(found) > 12 {
		found = append(found[:12], "…")
	}
	return &jianfu.Error{Code: jianfu.EINVALID,
		Message: fmt.Sprintf("%s 缺少必需的列 %s。文件的表头是:%s。请在第一行写明列名后重新导入", name, strings.Join(zh, "、"), strings.Join(found, ",")),
		English: fmt.Sprintf("%s lacks the required column %s; its header reads: %s. Name the columns in the first row and import again", name, strings.Join(en, ", "), strings.Join(found, ",")),
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ---- CSV ----

func newCSVReader(br *bufio.Reader, name string, size int64, cols []Column) (*Reader, error) {
	r := &Reader{name: name, format: CSV, total: size}
	// Count the bytes taken from the file, before decoding, for Progress.
	counted := &countingReader{r: br, n: &r.done}
	dec := newAutoDecoder(counted, func(enc string) { r.encoding = enc })
	text := bufio.NewReaderSize(dec, 64<<10)
	cr := csv.NewReader(text)
	cr.Comma = sniffComma(text)
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	// encoding/csv skips empty lines, which Excel shows as rows: count the
	// text lines between records to keep row numbers as Excel shows them.
	endLine := 0 // text line on which the previous record ended
	r.next = func() ([]string, error) {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil, io.EOF
		}
		if err == nil && len(rec) > 0 {
			start, _ := cr.FieldPos(0)
			r.number += max(1, start-endLine)
			last, _ := cr.FieldPos(len(rec) - 1)
			endLine = last + strings.Count(rec[len(rec)-1], "\n")
		} else {
			r.number++
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, jianfu.Errorf(jianfu.EINVALID, "%s 第%d行(文本第%d行)无法按 CSV 格式读取:%v。请检查引号是否成对",
					"%s row %d (text line %d) is not valid CSV: %v; check that quotes are paired", name, r.number, pe.StartLine, pe.Err)
			}
			return nil, jianfu.Errorf(jianfu.EINVALID, "读取 %s 第%d行时出错:%v", "reading %s row %d: %v", name, r.number, err)
		}
		return rec, nil
	}
	if err := r.findHeader(cols); err != nil {
		return nil, err
	}
	return r, nil
}

// sniffComma picks the delimiter of the first line: comma, tab or semicolon,
// whichever occurs most outside quotes (comma on a tie).
func sniffComma(br *bufio.Reader) rune {
	b, _ := br.Peek(16 << 10)
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	counts := map[byte]int{}
	quoted := false
	for _, c := range b {
		switch {
		case c == '"':
			quoted = !quoted
		case !quoted && (c == ',' || c == '\t' || c == ';'):
			counts[c]++
		}
	}
	best := byte(',')
	for _, c := range []byte{'\t', ';'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return rune(best)
}

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// ---- XLSX ----

func newXLSXReader(br *bufio.Reader, name string, size int64, cols []Column) (r *Reader, err error) {
	defer recoverXLSX(name, &err)
	b, err := io.ReadAll(br)
	if err != nil {
		return nil, jianfu.Errorf(jianfu.EINVALID, "无法读取 Excel 文件 %s:%v", "cannot read the Excel file %s: %v", name, err)
	}
	if err := checkUnzipSize(b, name); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(b), excelize.Options{UnzipSizeLimit: unzipLimit(len(b))})
	if err != nil {
		return nil, jianfu.Errorf(jianfu.EINVALID, "无法打开 Excel 文件 %s:%v。文件可能已损坏,请用 Excel 打开后另存为 .xlsx 再试",
			"cannot open the Excel file %s: %v; it may be damaged: open it in Excel, save as .xlsx and try again", name, err)
	}
	r = &Reader{name: name, format: XLSX, total: -1}
	sheets := f.GetSheetList()
	var firstErr error
	for _, sheet := range sheets {
		rows, err := f.Rows(sheet)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		r.sheet, r.number = sheet, 0
		r.done.Store(0)
		r.next = func() (cells []string, err error) {
			defer recoverXLSX(name, &err)
			if !rows.Next() {
				if err := rows.Error(); err != nil {
					return nil, jianfu.Errorf(jianfu.EINVALID, "读取 %s 工作表“%s”第%d行后出错:%v", "reading %s sheet %q after row %d: %v", name, sheet, r.number, err)
				}
				return nil, io.EOF
			}
			r.number++
			r.done.Store(int64(r.number))
			cells, err = rows.Columns()
			if err != nil {
				return nil, jianfu.Errorf(jianfu.EINVALID, "读取 %s 工作表“%s”第%d行时出错:%v", "reading %s sheet %q row %d: %v", name, sheet, r.number, err)
			}
			return cells, nil
		}
		err = r.findHeader(cols)
		if err == nil {
			r.total = sheetRows(f, sheet)
			r.closer = func() error { return errors.Join(rows.Close(), f.Close()) }
			return r, nil
		}
		rows.Close()
		if firstErr == nil {
			firstErr = err
		}
	}
	f.Close()
	if firstErr == nil {
		firstErr = jianfu.Errorf(jianfu.EINVALID, "Excel 文件 %s 没有工作表", "the Excel file %s has no sheets", name)
	}
	if len(sheets) > 1 {
		if e, ok := firstErr.(*jianfu.Error); ok {
			e.Message = fmt.Sprintf("%s 的%d个工作表中没有一个含有所需的列。第一个工作表“%s”:%s", name, len(sheets), sheets[0], e.Message)
			e.English = fmt.Sprintf("none of the %d sheets of %s has the required columns; the first sheet, %q: %s", len(sheets), name, sheets[0], e.English)
		}
	}
	return nil, firstErr
}

// recoverXLSX turns a panic of the workbook library on a malformed file
// into an error, so that one bad upload cannot bring the server down.
func recoverXLSX(name string, err *error) {
	if p := recover(); p != nil {
		*err = jianfu.Errorf(jianfu.EINVALID, "Excel 文件 %s 内容有误,无法读取(%v):请用 Excel 打开后另存为 .xlsx 再试",
			"the Excel file %s is malformed (%v); open it in Excel, save as .xlsx and try again", name, p)
	}
}

// sheetRows returns the last row number of the sheet's dimension, -1 when
// the workbook does not record it.
func sheetRows(f *excelize.File, sheet string) int64 {
	dim, err := f.GetSheetDimension(sheet)
	if err != nil || dim == "" {
		return -1
	}
	last := dim
	if i := strings.LastIndexByte(dim, ':'); i >= 0 {
		last = dim[i+1:]
	}
	_, row, err := excelize.CellNameToCoordinates(last)
	if err != nil || row <= 1 {
		return -1
	}
	return int64(row)
}
