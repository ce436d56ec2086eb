// Package tabular reads and writes the tables people exchange as files: CSV
// (UTF-8 with or without BOM, or GB18030/GBK as Chinese Excel saves it) and
// Excel workbooks (.xlsx). A Reader yields rows keyed by the caller's column
// names, whatever header wording the file uses; a Writer writes Chinese
// headers for exports and downloadable templates.
//
// Row numbers are those the user sees in Excel: the header is row 1 and the
// first data row is row 2 (rows above the header, such as a title, count too).
package tabular

import (
	"strings"

	"golang.org/x/text/width"

	"jianfu"
)

// Format is the kind of a table file.
type Format string

const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// Column is a column the caller reads, with the header names it answers to.
type Column struct {
	Key      string   // the caller's name for it, e.g. "code"
	Label    string   // Chinese header for templates and messages, e.g. "区划代码"
	English  string   // English name for messages, e.g. "division code"
	Aliases  []string // other accepted headers, Chinese or English, e.g. "code", "代码"
	Required bool
}

// names lists every header the column answers to, Key and Label included.
func (c Column) names() []string {
	return append([]string{c.Key, c.Label, c.English}, c.Aliases...)
}

// Headers returns the Chinese labels of the columns, for a header row.
func Headers(cols []Column) []string {
	h := make([]string, len(cols))
	for i, c := range cols {
		h[i] = c.Label
	}
	return h
}

// normHeader folds a header to the form headers are compared in: full-width
// letters to half-width, lower case, without spaces, underscores, hyphens,
// dots, required-markers (*) or a note in brackets ("单位类型(必填)").
func normHeader(s string) string {
	s = width.Fold.String(strings.TrimPrefix(s, "\ufeff"))
	s = strings.TrimSpace(s)
	for _, open := range []string{"(", "[", "【", "〔", "<", "《"} {
		if i := strings.Index(s, open); i > 0 {
			s = s[:i]
		}
	}
	s = strings.ToLower(s)
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '_', '-', '.', '*', '※', '\u3000', '\r', '\n':
			return -1
		}
		return r
	}, s)
}

// header maps the cells of a header row to columns.
type header struct {
	cols    []Column
	index   map[string]int    // column key → cell index
	names   map[string]string // column key → header as written in the file
	headers []string          // the header row as written
}

// matchHeader matches a row of cells against cols. It returns the columns
// found and the required ones missing; dup names two cells that mean the
// same column.
func matchHeader(cells []string, cols []Column) (h *header, missing []Column, dup [2]string) {
	byName := map[string]string{}
	for _, c := range cols {
		for _, n := range c.names() {
			if k := normHeader(n); k != "" {
				if _, taken := byName[k]; !taken {
					byName[k] = c.Key
				}
			}
		}
	}
	h = &header{cols: cols, index: map[string]int{}, names: map[string]string{}, headers: cells}
	for i, cell := range cells {
		key, ok := byName[normHeader(cell)]
		if !ok {
			continue
		}
		if _, seen := h.index[key]; seen {
			if dup[0] == "" {
				dup = [2]string{h.names[key], strings.TrimSpace(cell)}
			}
			continue
		}
		h.index[key] = i
		h.names[key] = strings.TrimSpace(strings.TrimPrefix(cell, "\ufeff"))
	}
	for _, c := range cols {
		if _, ok := h.index[c.Key]; !ok && c.Required {
			missing = append(missing, c)
		}
	}
	return h, missing, dup
}

// Row is one data row of a table.
type Row struct {
	// Number is the row number the user sees in Excel (the header is row 1
	// when it is the first row; the first data row is then row 2).
	Number int
	cells  []string
	h      *header
}

// Get returns the cell of the column with the given key, trimmed; "" when
// the file has no such column or the row is short.
func (r Row) Get(key string) string {
	if r.h == nil {
		return ""
	}
	i, ok := r.h.index[key]
	if !ok || i >= len(r.cells) {
		return ""
	}
	return cleanCell(r.cells[i])
}

// Cells returns the row's cells as read, in file order.
func (r Row) Cells() []string { return r.cells }

// cleanCell removes hidden characters (jianfu.CleanText), trims spaces
// (also full-width and non-breaking ones) and unwraps the ="0123" form
// spreadsheets use to keep digits as text.
func cleanCell(s string) string {
	s = strings.TrimFunc(jianfu.CleanText(s), func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\r' || r == '\n' || r == '\u3000' || r == '\u00a0' || r == '\ufeff'
	})
	if len(s) >= 3 && strings.HasPrefix(s, `="`) && strings.HasSuffix(s, `"`) {
		s = s[2 : len(s)-1]
	}
	if len(s) >= 2 && s[0] == '\'' && strings.ContainsRune("=+-@", rune(s[1])) {
		s = s[1:] // written so by Writer to keep Excel from running a formula
	}
	return s
}

func blank(cells []string) bool {
	for _, c := range cells {
		if cleanCell(c) != "" {
			return false
		}
	}
	return true
}
