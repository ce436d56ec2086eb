// Package report composes the documents and workbooks jianfu hands out from
// domain values: the 整改意见 and 问责建议 of a case, the 通报 and result
// tables of a spot check, the case ledger (问题线索台账), and the registry's
// export and import template. It is pure — no HTTP, no database: callers
// read the values through the services and serve or save the bytes.
package report

import (
	"bytes"
	"io"
	"time"

	"jianfu"
	"jianfu/tabular"
)

// File is a composed document or workbook.
type File struct {
	Name  string // the name to save it as, in Chinese
	Short string // an ASCII name for clients that cannot read Name
	Type  string // the media type
	Data  []byte
}

// Media types of the files composed here.
const (
	DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	CSV  = "text/csv; charset=utf-8"
)

func mediaType(f tabular.Format) string {
	if f == tabular.XLSX {
		return XLSX
	}
	return CSV
}

// Each hands every record of an export to add, in order, and returns how
// many it handed: a service's export method with its filter applied.
type Each[T any] func(add func(T) error) (int, error)

// table writes the records each hands over as rows of a table file, whole
// in memory: an error half-way must not leave a truncated file that looks
// complete. It returns the file's bytes and how many rows they hold.
func table[T any](format tabular.Format, header []string, each Each[T], row func(T) []string) ([]byte, int, error) {
	var buf bytes.Buffer
	n, err := writeTable(&buf, format, header, each, row)
	if err != nil {
		return nil, 0, err
	}
	return buf.Bytes(), n, nil
}

// writeTable streams the table to w and says how many rows it wrote.
func writeTable[T any](w io.Writer, format tabular.Format, header []string, each Each[T], row func(T) []string) (int, error) {
	tw, err := tabular.NewWriter(w, format, header)
	if err != nil {
		return 0, err
	}
	n, err := each(func(v T) error { return tw.Write(row(v)) })
	if err != nil {
		tw.Close()
		return 0, err
	}
	return n, tw.Close()
}

// day writes the China date of t the way documents date themselves.
func day(t time.Time) string { return t.In(jianfu.China).Format("2006年1月2日") }

// chineseNumber writes 1–99 the way headings count: 一, 二 … 十一.
func chineseNumber(n int) string {
	digits := []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	switch {
	case n < 10:
		return digits[n]
	case n == 10:
		return "十"
	case n < 20:
		return "十" + digits[n%10]
	case n%10 == 0:
		return digits[n/10] + "十"
	}
	return digits[n/10] + "十" + digits[n%10]
}
