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
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return nil, err
		}
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
		style, err := w.xf.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
		if err != nil {
			return err
		}
		for i, v := range vals {
			vals[i] = excelize.Cell{StyleID: style, Value: v}
		}
		// Column widths must come before the first row; size them by the
		// header (CJK characters are two columns wide), at least 12.
		for i, n := range w.widths {
			width := float64(max(12, 2*n+2))
			if err := w.sw.SetColWidth(i+1, i+1, min(width, 60)); err != nil {
				return err
			}
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
