// Package importer turns tables (CSV or XLSX files, read by package tabular)
// into jianfu's regions and units and saves them through the store, all or
// nothing: a file with any bad row imports nothing, and the error lists every
// bad row — its row number as Excel shows it, the column, and what is wrong,
// in Chinese and English.
package importer

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"jianfu"
	"jianfu/tabular"
)

// Progress is told how far an import has come. stage says what is being done
// ("读取 streets.csv", "写入数据库"); done and total count bytes of a CSV
// file or rows of a workbook; total is -1 when unknown (as while writing to
// the database). It is called every few thousand rows and may be nil.
type Progress func(stage string, done, total int64)

func (p Progress) report(stage string, done, total int64) {
	if p != nil {
		p(stage, done, total)
	}
}

// StageWrite is the stage name of the final write to the database.
const StageWrite = "写入数据库"

// Result summarises a successful import.
type Result struct {
	Files   int           // files read
	Rows    int           // data rows read
	Records int           // distinct records imported (a region listed in two files counts once)
	Changed int           // records the store added or changed (regions: added or renamed)
	Elapsed time.Duration // from opening the first file to the commit
}

// MaxRows bounds the data rows of one import; all of China's villages and
// above are about 665,000 regions.
const MaxRows = 1_000_000

// progressEvery is how many rows pass between progress reports.
const progressEvery = 2048

// source names a file in problems when an import reads several.
type source struct {
	r     *tabular.Reader
	label string // "streets.csv " when several files are read, else ""
}

// problem builds a problem at a row and column of a file.
func (s source) problem(row int, key, zh, en string) jianfu.Problem {
	field := ""
	if key != "" {
		field = s.r.Column(key)
	}
	return jianfu.Problem{Row: row, Field: s.label + field, Message: zh, English: en}
}

// errProblem turns an error about a row into a problem.
func (s source) errProblem(row int, key string, err error) jianfu.Problem {
	return s.problem(row, key, jianfu.ErrorMessage(err, "zh"), jianfu.ErrorMessage(err, "en"))
}

// readProblem reports an error that stopped reading a file; its message
// names the row.
func (s source) readProblem(err error) jianfu.Problem {
	return jianfu.Problem{Field: strings.TrimSpace(s.label), Message: jianfu.ErrorMessage(err, "zh"), English: jianfu.ErrorMessage(err, "en")}
}

// rows calls fn for every data row of the source, reporting progress and
// stopping at MaxRows. It returns the problems of reading itself.
func (s source) rows(progress Progress, fn func(tabular.Row)) []jianfu.Problem {
	stage := "读取 " + s.r.Name()
	report := func() {
		done, total := s.r.Progress()
		progress.report(stage, done, total)
	}
	report()
	n := 0
	for s.r.Next() {
		n++
		if n > MaxRows {
			return []jianfu.Problem{{Row: s.r.Row().Number, Field: strings.TrimSpace(s.label),
				Message: fmt.Sprintf("数据超过%d行:请拆分成多个文件分批导入", MaxRows),
				English: fmt.Sprintf("more than %d data rows; split the file and import the parts one by one", MaxRows)}}
		}
		fn(s.r.Row())
		if n%progressEvery == 0 {
			report()
		}
	}
	report()
	if err := s.r.Err(); err != nil {
		return []jianfu.Problem{s.readProblem(err)}
	}
	if n == 0 {
		return []jianfu.Problem{{Row: s.r.HeaderRow() + 1, Field: strings.TrimSpace(s.label),
			Message: s.r.Name() + " 只有表头,没有数据行", English: s.r.Name() + " has a header but no data rows"}}
	}
	return nil
}

// invalid returns the EINVALID error of an import with problems, nil
// without. The message names the first problem and how many there are.
func invalid(probs []jianfu.Problem) error {
	if len(probs) == 0 {
		return nil
	}
	p := probs[0]
	where, whereEn := "", ""
	if p.Row > 0 {
		where, whereEn = fmt.Sprintf("第%d行 ", p.Row), fmt.Sprintf("row %d ", p.Row)
	}
	if p.Field != "" {
		where += p.Field + ":"
		whereEn += p.Field + ": "
	} else if p.Row > 0 {
		whereEn += ": "
		where = strings.TrimSpace(where) + ":"
	}
	return &jianfu.Error{
		Code:     jianfu.EINVALID,
		Message:  fmt.Sprintf("共%d处问题,未导入任何数据(%s%s)", len(probs), where, p.Message),
		English:  fmt.Sprintf("%d problems; nothing was imported (%s%s)", len(probs), whereEn, p.Localize("en")),
		Problems: probs,
	}
}

// byRow orders the problems of one file by row, keeping the order of
// problems within a row.
func byRow(probs []jianfu.Problem) []jianfu.Problem {
	sort.SliceStable(probs, func(i, j int) bool { return probs[i].Row < probs[j].Row })
	return probs
}

// openAll opens the files; label is the file name when there are several.
func openAll(paths []string, cols []tabular.Column) ([]source, func(), error) {
	var srcs []source
	closeAll := func() {
		for _, s := range srcs {
			s.r.Close()
		}
	}
	names := map[string]bool{}
	for _, p := range paths {
		r, err := tabular.Open(p, cols)
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		s := source{r: r}
		if len(paths) > 1 {
			label := filepath.Base(p)
			if names[label] {
				label = p
			}
			names[label] = true
			s.label = label + " "
		}
		srcs = append(srcs, s)
	}
	return srcs, closeAll, nil
}

// checkText checks a required free-text cell: present, not too long, no
// control characters.
func checkText(s source, row int, key, value string, maxRunes int) []jianfu.Problem {
	col := s.r.Column(key)
	switch {
	case value == "":
		return []jianfu.Problem{s.problem(row, key, col+"不能为空", col+" is required")}
	case utf8.RuneCountInString(value) > maxRunes:
		return []jianfu.Problem{s.problem(row, key, fmt.Sprintf("%s过长(最多%d字)", col, maxRunes), fmt.Sprintf("%s is too long (%d characters at most)", col, maxRunes))}
	case !utf8.ValidString(value) || strings.ContainsFunc(value, unicode.IsControl):
		return []jianfu.Problem{s.problem(row, key, col+"含有无法识别的字符或控制字符", col+" contains invalid or control characters")}
	}
	return nil
}

// regionCache looks regions up in the store once each.
type regionCache struct {
	find  func(ctx context.Context, code string) (*jianfu.Region, error)
	known map[string]*jianfu.Region // by path; nil value: looked up, absent
}

// lookup returns the region with the short path, nil when the store has none.
func (c *regionCache) lookup(ctx context.Context, path string) (*jianfu.Region, error) {
	if r, ok := c.known[path]; ok {
		return r, nil
	}
	r, err := c.find(ctx, jianfu.CodeOfPath(path))
	if err != nil {
		if jianfu.ErrorCode(err) != jianfu.ENOTFOUND {
			return nil, err
		}
		r = nil
	}
	c.known[path] = r
	return r, nil
}
