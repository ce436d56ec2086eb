package tabular

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"jianfu"
)

// SheetName is the name of the sheet a Writer writes.
const SheetName = "Sheet1"

// Writer writes a table with a header row to CSV or XLSX. CSV is written in
// UTF-8 with a byte-order mark, so that Excel on a Chinese Windows opens it
// without garbling; every XLSX cell is text, so codes keep their digits.
type Writer struct {
	format Format
	out    io.Writer
	cols   int

	csv *csv.Writer

	xf     *excelize.File
	sw     *excelize.StreamWriter
	row    int
	widths []int

	closeOut func() error
}

// FormatOf returns the format a file name's extension asks for, CSV unless
// it ends in .xlsx or .xlsm.
func FormatOf(name string) Format {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xlsx", ".xlsm":
		return XLSX
	}
	return CSV
}

// Create creates the file at path and returns a Writer for it in the format
// of its extension, with the header row written.
func Create(path string, header []string) (*Writer, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, jianfu.Errorf(jianfu.EINVALID, "无法创建文件“%s”:%v", "cannot create %s: %v", path, err)
	}
	w, err := NewWriter(f, FormatOf(path), header)
	if err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	w.closeOut = f.Close
	return w, nil
}

// NewWriter returns a Writer of the format writing to out, with the header
// row written. An XLSX workbook reaches out only on Close.
func NewWriter(out io.Writer, format Format, header []string) (*Writer, error) {
	w := &Writer{format: format, out: out, cols: len(header)}
	switch format {
	case CSV:
		if _, err := io.WriteString(out, "\ufeff"); err != nil {
			return nil, err
		}
		w.csv = csv.NewWriter(out)
		w.csv.UseCRLF = true
	case XLSX:
		w.xf = excelize.NewFile()
		sw, err := w.xf.NewStreamWriter(SheetName)
		if err != nil {
			return nil, err
		}
		w.sw = sw
	default:
		return nil, fmt.Errorf("tabular: unknown format %q", format)
	}
	if err := w.write(header, true); err != nil {
		return nil, err
	}
	return w, nil
}

// Write writes one data row.
func (w *Writer) Write(record []string) error { return w.write(record, false) }

func (w *Writer) write(record []string, isHeader bool) error {
	if w.csv != nil {
		safe := record
		for i, v := range record {
			if e := escapeFormula(v); e != v {
				if &safe[0] == &record[0] {
					safe = append([]string(nil), record...)
				}
				safe[i] = e
			}
		}
		return w.csv.Write(safe)
	}
	if w.sw == nil {
		return errors.New("tabular: write after close")
	}
	w.row++
	vals := make([]any, len(record))
	for i, v := range record {
		vals[i] = v
		if n := utf8.RuneCountInString(v); i >= len(w.widths) {
			w.widths = append(w.widths, n)
		} else if n > w.widths[i] {
			w.widths[i] = n
		}
	}
	if isHeader {
		// Column widths must come before the first row; size them by the
		// header.
		if err := startSheet(w.xf, w.sw, w.widths, vals); err != nil {
			return err
		}
	}
	cell, err := excelize.CoordinatesToCellName(1, w.row)
	if err != nil {
		return err
	}
	return w.sw.SetRow(cell, vals)
}

// Close finishes the table and flushes it to the output (and closes the
// file, for a Writer from Create).
func (w *Writer) Close() error {
	var err error
	switch {
	case w.csv != nil:
		w.csv.Flush()
		err = w.csv.Error()
		w.csv = nil
	case w.sw != nil:
		if err = w.sw.Flush(); err == nil {
			_, err = w.xf.WriteTo(w.out)
		}
		err = errors.Join(err, w.xf.Close())
		w.sw = nil
	}
	if w.closeOut != nil {
		err = errors.Join(err, w.closeOut())
		w.closeOut = nil
	}
	return err
}

// escapeFormula keeps a spreadsheet from running a CSV cell as a formula
// (CSV injection): text starting with = + - @ gets a leading apostrophe,
// which Excel hides and Reader removes. Numbers such as -5 stay as they are.
func escapeFormula(v string) string {
	if v == "" || !strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return v
	}
	if _, err := strconv.ParseFloat(v, 64); err == nil {
		return v
	}
	return "'" + v
}

// startSheet prepares a streamed sheet with the header on its first row.
func startSheet(xf *excelize.File, sw *excelize.StreamWriter, widths []int, header []any) error {
	return startSheetAt(xf, sw, widths, header, 1)
}

// startSheetAt prepares a streamed sheet whose header is on row top: the
// rows down to it frozen, the columns sized to widths (in characters: CJK
// ones are two columns wide, so every character counts double; at least
// 6, at most 60) and the header cells styled bold on a pale blue, the same
// in every workbook jianfu writes. header is turned into styled cells in
// place.
func startSheetAt(xf *excelize.File, sw *excelize.StreamWriter, widths []int, header []any, top int) error {
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: top, TopLeftCell: fmt.Sprintf("A%d", top+1), ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	for i, n := range widths {
		if err := sw.SetColWidth(i+1, i+1, min(float64(max(6, 2*n+2)), 60)); err != nil {
			return err
		}
	}
	style, err := xf.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return err
	}
	for i, v := range header {
		header[i] = excelize.Cell{StyleID: style, Value: v}
	}
	return nil
}

// Sheet is one sheet of a workbook written whole by WriteWorkbook: a header
// row and data rows whose cells are strings or numbers (numbers stay
// numbers, so Excel sums and sorts them). A sheet with a Title is a table
// to hand on (报表): the title across the columns on the first row, 制表单位
// and 制表日期 on the second, then the header with a filter on it.
type Sheet struct {
	Name   string
	Title  string
	Maker  string // 制表单位
	Date   string // 制表日期, e.g. 2026年12月7日
	Header []string
	Rows   [][]any
}

// WriteWorkbook writes sheets as one .xlsx workbook, in order, each with
// the header row of a Writer (frozen, with an autofilter) and columns
// sized to their contents.
func WriteWorkbook(out io.Writer, sheets ...Sheet) error {
	if len(sheets) == 0 {
		return errors.New("tabular: a workbook needs a sheet")
	}
	xf := excelize.NewFile()
	defer xf.Close()
	for i, sh := range sheets {
		if i == 0 {
			if err := xf.SetSheetName(SheetName, sh.Name); err != nil {
				return err
			}
		} else if _, err := xf.NewSheet(sh.Name); err != nil {
			return err
		}
		if err := writeSheet(xf, sh); err != nil {
			return fmt.Errorf("sheet %s: %w", sh.Name, err)
		}
	}
	_, err := xf.WriteTo(out)
	return err
}

func writeSheet(xf *excelize.File, sh Sheet) error {
	sw, err := xf.NewStreamWriter(sh.Name)
	if err != nil {
		return err
	}
	widths := make([]int, len(sh.Header))
	header := make([]any, len(sh.Header))
	for c, h := range sh.Header {
		widths[c], header[c] = utf8.RuneCountInString(h), h
	}
	for _, row := range sh.Rows {
		for c, v := range row {
			if c < len(widths) {
				widths[c] = max(widths[c], utf8.RuneCountInString(fmt.Sprint(v)))
			}
		}
	}
	top := 1 // the header's row
	if sh.Title != "" {
		top = 3
	}
	if err := startSheetAt(xf, sw, widths, header, top); err != nil {
		return err
	}
	last, err := excelize.ColumnNumberToName(max(1, len(sh.Header)))
	if err != nil {
		return err
	}
	if sh.Title != "" {
		title, err := xf.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16}, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}})
		if err != nil {
			return err
		}
		if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: title, Value: sh.Title}}, excelize.RowOpts{Height: 30}); err != nil {
			return err
		}
		meta := "制表单位:" + sh.Maker
		if sh.Date != "" {
			meta += "    制表日期:" + sh.Date
		}
		if err := sw.SetRow("A2", []any{meta}); err != nil {
			return err
		}
		if err := sw.MergeCell("A1", last+"1"); err != nil {
			return err
		}
		if err := sw.MergeCell("A2", last+"2"); err != nil {
			return err
		}
	}
	if err := sw.SetRow(fmt.Sprintf("A%d", top), header); err != nil {
		return err
	}
	for r, row := range sh.Rows {
		cell, err := excelize.CoordinatesToCellName(1, top+1+r)
		if err != nil {
			return err
		}
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if len(sh.Header) == 0 {
		return nil
	}
	return xf.AutoFilter(sh.Name, fmt.Sprintf("A%d:%s%d", top, last, top+max(len(sh.Rows), 1)), nil)
}
