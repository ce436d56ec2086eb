package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"jianfu"
	"jianfu/importer"
	"jianfu/store"
)

// maxShownProblems is how many problems of a failed import are printed.
const maxShownProblems = 50

// largeImport is the total file size from which progress is shown.
const largeImport = 256 << 10

// newImportCmd is `jianfu import KIND FILE...`. Each kind is a subcommand
// that describes its files and calls runImport, which opens the store,
// shows progress and prints the per-row report.
func newImportCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import KIND FILE...",
		Short: "从 CSV/XLSX 文件导入数据 / import data from CSV or XLSX files",
		Long: `从 CSV 或 Excel(.xlsx)文件导入数据。文件第一行是表头,列名可用中文或英文;
CSV 可为 UTF-8(带或不带 BOM)或 GBK/GB18030(Excel 中文版“CSV(逗号分隔)”)。
任何一行有问题,整批都不导入,并逐行列出问题(行号与 Excel 中所见一致)。

Import data from CSV or Excel (.xlsx) files. The first row is the header, in
Chinese or English; CSV may be UTF-8 (with or without BOM) or GBK/GB18030. A
file with any bad row imports nothing, and every problem is listed by row.`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError{fmt.Sprintf("未知的导入类型“%s”,可用:regions、units、channels、messages、complaints / unknown import kind %q; use regions, units, channels, messages or complaints", args[0], args[0])}
			}
			return cmd.Help()
		},
	}
	cmd.AddCommand(newImportRegionsCmd(), newImportUnitsCmd(), newImportChannelsCmd(), newImportMessagesCmd(), newImportComplaintsCmd())
	return cmd
}

func newImportRegionsCmd() *cobra.Command {
	var dsn string
	cmd := &cobra.Command{
		Use:   "regions FILE...",
		Short: "导入行政区划 / import administrative divisions",
		Long: `导入行政区划代码。列:区划代码(code)、区划名称(name),可选 级别(level)、上级区划代码(parent),
以及 provinceCode、cityCode、areaCode(须与代码一致)。级别和上级由代码推出。
可一次给出多个文件(如 provinces.csv cities.csv areas.csv streets.csv,顺序不限),在同一事务中导入;
已有的区划按代码更新名称。

Import division codes: code and name, optionally level and parent (and
provinceCode, cityCode, areaCode, which must agree with the code). Several
files given together are imported in one transaction, in any order; existing
regions are renamed when their name differs.`,
		Example: `  jianfu import regions provinces.csv cities.csv areas.csv streets.csv
  jianfu import regions --db postgres://jianfu@db/jianfu 区划.xlsx`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError{"请给出要导入的区划文件 / give the region files to import: jianfu import regions FILE..."}
			}
			return runImport(cmd, dsn, importJob{
				what: "行政区划", whatEn: "regions", files: args,
				run: func(ctx context.Context, db *store.DB, p importer.Progress) (*importer.Result, error) {
					return importer.ImportRegions(ctx, db.Regions(), args, p)
				},
			})
		},
	}
	addDBFlag(cmd, &dsn)
	return cmd
}

func newImportUnitsCmd() *cobra.Command {
	var dsn string
	cmd := &cobra.Command{
		Use:   "units FILE",
		Short: "导入单位 / import units",
		Long: `导入单位。列:单位名称(name)、单位类型(type:党的机关、政府机关、人民团体、事业单位、国有企业、
基层群众性自治组织,或英文 party、government、people_org、institution、enterprise、community)、
区划代码(region),可选 上级单位(parent:统一社会信用代码或单位全称)、统一社会信用代码(credit_code)。
上级单位可在库中,也可在同一文件中(顺序不限)。

Import units: name, type, region code, and optionally the parent (credit code
or exact name, in the database or the same file) and the credit code.`,
		Example: `  jianfu import units 单位.xlsx`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError{"请给出一个单位文件 / give one unit file: jianfu import units FILE"}
			}
			return runImport(cmd, dsn, importJob{
				what: "单位", whatEn: "units", files: args,
				run: func(ctx context.Context, db *store.DB, p importer.Progress) (*importer.Result, error) {
					return importer.ImportUnits(ctx, db.Regions(), db.Units(), args[0], p)
				},
			})
		},
	}
	addDBFlag(cmd, &dsn)
	return cmd
}

// importJob is one import as runImport runs it.
type importJob struct {
	what, whatEn string   // "行政区划", "regions"
	files        []string // for the size that decides on showing progress
	run          func(ctx context.Context, db *store.DB, p importer.Progress) (*importer.Result, error)
}

// withProgress runs an import with its progress on stderr (a bar for files
// of largeImport bytes or more); an import refused for bad rows prints them
// there and returns importFailed (exit status 1).
func withProgress[R any](cmd *cobra.Command, log *slog.Logger, files []string, run func(importer.Progress) (R, error)) (R, error) {
	var size int64
	for _, f := range files {
		if st, err := os.Stat(f); err == nil {
			size += st.Size()
		}
	}
	stderr := cmd.ErrOrStderr()
	prog := newImportProgress(stderr, log, size >= largeImport)
	res, err := run(prog.report)
	prog.finish()
	var e *jianfu.Error
	if err != nil && errors.As(err, &e) && len(e.Problems) > 0 {
		printProblems(stderr, e.Problems)
		return res, importFailed{len(e.Problems)}
	}
	return res, err
}

// runImport opens the store, runs the job as the local system operator with
// progress on stderr, and prints the outcome: a summary on stdout, or the
// problems on stderr and an error (exit status 1).
func runImport(cmd *cobra.Command, dsn string, job importJob) error {
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	log := newLogger("text")
	db, err := openStore(ctx, dsn, log)
	if err != nil {
		return err
	}
	defer db.Close()

	res, err := withProgress(cmd, log, job.files, func(p importer.Progress) (*importer.Result, error) {
		return job.run(systemCtx(ctx, "import"), db, p)
	})
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	secs := strconv.FormatFloat(res.Elapsed.Seconds(), 'f', 1, 64)
	switch job.whatEn {
	case "regions":
		fmt.Fprintf(out, "已导入%s %s 条(新增或更名 %s 条),用时 %s 秒\n", job.what, thousands(res.Records), thousands(res.Changed), secs)
	default:
		fmt.Fprintf(out, "已导入%s %s 条,用时 %s 秒\n", job.what, thousands(res.Records), secs)
	}
	if merged := res.Rows - res.Records; merged > 0 {
		fmt.Fprintf(out, "(共读取 %s 行,其中 %s 行与其他行是同一条记录,已合并)\n", thousands(res.Rows), thousands(merged))
	}
	fmt.Fprintf(out, "Imported %d %s (%d added or changed) in %s s\n", res.Records, job.whatEn, res.Changed, secs)
	return nil
}

// importFailed is the error of an import refused for bad rows, printed by
// main after the problems.
type importFailed struct{ n int }

func (e importFailed) Error() string {
	return fmt.Sprintf("共%d处问题,未导入任何数据。请修正后重新导入。\n%d problems; nothing was imported. Fix them and import again.", e.n, e.n)
}

// printProblems prints up to maxShownProblems problems, one a line as
// "第N行 列名:问题", with the English below.
func printProblems(w io.Writer, probs []jianfu.Problem) {
	for i, p := range probs {
		if i == maxShownProblems {
			fmt.Fprintf(w, "……另有 %d 处问题未列出 / and %d more\n", len(probs)-i, len(probs)-i)
			break
		}
		var where, whereEn []string
		if p.Row > 0 {
			where = append(where, fmt.Sprintf("第%d行", p.Row))
			whereEn = append(whereEn, fmt.Sprintf("row %d", p.Row))
		}
		if p.Field != "" {
			where = append(where, p.Field)
			whereEn = append(whereEn, p.Field)
		}
		prefix, prefixEn := strings.Join(where, " "), strings.Join(whereEn, ", ")
		if prefix != "" {
			prefix += ":"
			prefixEn += ": "
		}
		fmt.Fprintf(w, "%s%s\n", prefix, p.Message)
		if p.English != "" {
			fmt.Fprintf(w, "    %s%s\n", prefixEn, p.English)
		}
	}
}

// importProgress shows an import's progress on stderr: a bar when stderr is
// a terminal, otherwise a log line every few seconds. Small imports show
// nothing.
type importProgress struct {
	w     io.Writer
	log   *slog.Logger
	show  bool
	tty   bool
	mu    sync.Mutex
	stage string
	bar   *progressbar.ProgressBar
	last  time.Time
	begun time.Time
}

func newImportProgress(w io.Writer, log *slog.Logger, large bool) *importProgress {
	tty := false
	if f, ok := w.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	return &importProgress{w: w, log: log, show: large, tty: tty}
}

func (p *importProgress) report(stage string, done, total int64) {
	if !p.show {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if stage != p.stage {
		p.finishLocked()
		p.stage, p.begun, p.last = stage, time.Now(), time.Time{}
		if p.tty {
			p.bar = progressbar.NewOptions64(total,
				progressbar.OptionSetWriter(p.w),
				progressbar.OptionSetDescription(stage),
				progressbar.OptionSetWidth(30),
				progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionSetPredictTime(total > 0),
				progressbar.OptionSetElapsedTime(true),
				progressbar.OptionClearOnFinish(),
			)
			p.bar.RenderBlank()
		}
	}
	if p.bar != nil {
		if total > 0 && total != p.bar.GetMax64() {
			p.bar.ChangeMax64(max(total, done))
		}
		if total > 0 {
			p.bar.Set64(done)
		}
		return
	}
	if !p.tty && time.Since(p.last) >= 2*time.Second {
		p.last = time.Now()
		if total > 0 {
			p.log.Info("导入进度 / import progress", "stage", stage, "percent", done*100/max(total, 1))
		} else {
			p.log.Info("导入进度 / import progress", "stage", stage, "elapsed", time.Since(p.begun).Round(time.Second).String())
		}
	}
}

func (p *importProgress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finishLocked()
}

func (p *importProgress) finishLocked() {
	if p.bar != nil {
		p.bar.Finish()
		p.bar.Exit()
		p.bar = nil
	}
}

// thousands formats n with thousands separators: 44,703.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
