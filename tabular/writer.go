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

// startSheet prepares a streamed sheet: the header row frozen, the columns
// sized to widths (in characters: CJK ones are two columns wide, so every
// character counts double; at least 12, at most 60) and the header cells
// styled bold on a pale blue, the same in every workbook jianfu writes.
// header is turned into styled cells in place.
func startSheet(xf *excelize.File, sw *excelize.StreamWriter, widths []int, header []any) error {
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	for i, n := range widths {
		if err := sw.SetColWidth(i+1, i+1, min(float64(max(12, 2*n+2)), 60)); err != nil {
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
// numbers, so Excel sums and sorts them).
type Sheet struct {
	Name   string
	Header []string
	Rows   [][]any
}

// WriteWorkbook writes sheets as one .xlsx workbook, in order, each with
// the header row of a Writer and columns sized to their contents.
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
		if err := startSheet(xf, sw, widths, header); err != nil {
			return err
		}
		if err := sw.SetRow("A1", header); err != nil {
			return err
		}
		for r, row := range sh.Rows {
			cell, err := excelize.CoordinatesToCellName(1, r+2)
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
	}
	_, err := xf.WriteTo(out)
	return err
}
