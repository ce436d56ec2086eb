package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"jianfu"
	"jianfu/calendar"
	"jianfu/report"
	"jianfu/store"
	"jianfu/tabular"
)

// newExportCmd is `jianfu export KIND`.
func newExportCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export KIND",
		Short: "导出数据为 Excel(.xlsx)或 CSV / export data as Excel or CSV",
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError{fmt.Sprintf("未知的导出类型“%s”,可用:channels、cases / unknown export kind %q; use channels or cases", args[0], args[0])}
			}
			return cmd.Help()
		},
	}
	cmd.AddCommand(newExportChannelsCmd(), newExportCasesCmd())
	return cmd
}

func newExportChannelsCmd() *cobra.Command {
	var dsn, format, out, kind, status, region string
	cmd := &cobra.Command{
		Use:   "channels",
		Short: "导出政务渠道登记表 / export the channel registry",
		Long: `导出政务渠道登记表,表头为中文,可再用 jianfu import channels 导入。
--format xlsx(默认)或 csv(UTF-8 带 BOM,Excel 可直接打开);-o 指定文件,
不指定时 CSV 写到标准输出、xlsx 写到 channels.xlsx。

Export the channel registry with Chinese headers (re-importable).`,
		Example: `  jianfu export channels --format xlsx -o 渠道.xlsx
  jianfu export channels --format csv --region 390102 --status active > 江南区.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			f := jianfu.ChannelFilter{Kind: jianfu.ChannelKind(kind), Status: jianfu.ChannelStatus(status)}
			if region != "" {
				_, path, _, err := jianfu.ParseRegionCode(region)
				if err != nil {
					return usageError{jianfu.ErrorMessage(err, "zh")}
				}
				f.RegionPath = path
			}
			tf, err := exportFormat(format)
			if err != nil {
				return err
			}
			if out == "" && tf == tabular.XLSX {
				out = "channels.xlsx"
			}
			return runExport(cmd, dsn, out, "个渠道", "channels",
				func(ctx context.Context, db *store.DB, w io.Writer) (int, error) {
					return report.WriteChannels(w, tf, func(add func(*jianfu.Channel) error) (int, error) {
						return db.Registry().ExportChannels(ctx, f, add)
					})
				})
		},
	}
	addDBFlag(cmd, &dsn)
	cmd.Flags().StringVar(&format, "format", "xlsx", "xlsx 或 csv")
	cmd.Flags().StringVarP(&out, "output", "o", "", "输出文件(CSV 默认标准输出,xlsx 默认 channels.xlsx)")
	cmd.Flags().StringVar(&kind, "kind", "", "只导出此类型:app、account、group")
	cmd.Flags().StringVar(&status, "status", "", "只导出此状态:draft、submitted、returned、approved、active、rectifying、exit_requested、closed")
	cmd.Flags().StringVar(&region, "region", "", "只导出此区划(及下级)单位的渠道,如 390102")
	return cmd
}

func newExportCasesCmd() *cobra.Command {
	var dsn, format, out, region, status, view, category, source string
	cmd := &cobra.Command{
		Use:   "cases",
		Short: "导出问题线索台账 / export the case ledger",
		Long: `导出问题线索台账(中文表头):编号、来源、问题类型、涉及渠道、所在地区、责任单位、状态、当前阶段、
阶段时限(到期日)、是否超期、超期工作日、提级督办、办结结果、受理时间、办结时间、问题摘要。
不含反映人的身份和联系方式;问题摘要中的电话、身份证号、邮箱已隐去。导出记入审计日志(case.export)。
--format xlsx(默认)或 csv(UTF-8 带 BOM);-o 指定文件,不指定时 CSV 写到标准输出、xlsx 写到 cases.xlsx。
--view 与线索列表的标签相同:triage(待受理交办)、open(办理中)、soon(即将到期)、overdue(已超期)、
escalated(提级督办)、closed(已办结)。

Export the case ledger with Chinese headers; no reporter identity or contact, summaries redacted.`,
		Example: `  jianfu export cases -o 问题线索台账.xlsx
  jianfu export cases --region 390102 --view overdue --format csv > 江南区超期线索.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			f := jianfu.CaseFilter{Status: jianfu.CaseStatus(status), Category: category, Source: jianfu.CaseSource(source)}
			if status != "" && !f.Status.Valid() {
				return usageError{fmt.Sprintf("--status 无效:“%s”,可用:%s / unknown status", status, joinStrings(jianfu.CaseStatuses))}
			}
			if category != "" && !jianfu.ValidCategory(category) {
				return usageError{fmt.Sprintf("--category 无效:“%s”,可用:%s / unknown category", category, joinStrings(jianfu.CaseCategories))}
			}
			if source != "" && !f.Source.Valid() {
				return usageError{fmt.Sprintf("--source 无效:“%s”,可用:%s / unknown source", source, joinStrings(jianfu.CaseSources))}
			}
			if !f.SetView(view) {
				return usageError{fmt.Sprintf("--view 无效:“%s”,可用:%s / unknown view", view, strings.Join(jianfu.CaseViews[1:], "、"))}
			}
			if region != "" {
				_, path, _, err := jianfu.ParseRegionCode(region)
				if err != nil {
					return usageError{jianfu.ErrorMessage(err, "zh")}
				}
				f.RegionPath = path
			}
			tf, err := exportFormat(format)
			if err != nil {
				return err
			}
			if out == "" && tf == tabular.XLSX {
				out = "cases.xlsx"
			}
			return runExport(cmd, dsn, out, "条问题线索", "cases",
				func(ctx context.Context, db *store.DB, w io.Writer) (int, error) {
					now := db.Now()
					f.Now = now
					return report.WriteCaseLedger(w, tf, calendar.Default(), now, func(add func(*jianfu.Case) error) (int, error) {
						return db.Cases().ExportCases(ctx, f, add)
					})
				})
		},
	}
	addDBFlag(cmd, &dsn)
	cmd.Flags().StringVar(&format, "format", "xlsx", "xlsx 或 csv")
	cmd.Flags().StringVarP(&out, "output", "o", "", "输出文件(CSV 默认标准输出,xlsx 默认 cases.xlsx)")
	cmd.Flags().StringVar(&region, "region", "", "只导出此区划(及下级)的线索,如 390102")
	cmd.Flags().StringVar(&status, "status", "", "只导出此状态:new、accepted、transferred、answered、rectified、verified、closed、merged、rejected")
	cmd.Flags().StringVar(&view, "view", "", "只导出此标签:triage、open、soon、overdue、escalated、closed")
	cmd.Flags().StringVar(&category, "category", "", "只导出此问题类型,如 chain、checkin")
	cmd.Flags().StringVar(&source, "source", "", "只导出此来源,如 complaint、hotline")
	return cmd
}

// runExport is the shared tail of the export commands: it opens the store,
// has write compose the file (package report) as the system actor
// "export", and says where it went (what: "个渠道" / "channels").
func runExport(cmd *cobra.Command, dsn, out string, whatZh, whatEn string,
	write func(ctx context.Context, db *store.DB, w io.Writer) (int, error)) error {
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	db, err := openStore(ctx, dsn, newLogger("text"))
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := writeFile(cmd, out, func(w io.Writer) (int, error) { return write(systemCtx(ctx, "export"), db, w) })
	if err != nil {
		return err
	}
	if toFile(out) {
		fmt.Fprintf(cmd.ErrOrStderr(), "已导出 %s %s到 %s / exported %d %s to %s\n", thousands(n), whatZh, out, n, whatEn, out)
	}
	return nil
}

func joinStrings[T ~string](list []T) string {
	s := make([]string, len(list))
	for i, v := range list {
		s[i] = string(v)
	}
	return strings.Join(s, "、")
}

func exportFormat(format string) (tabular.Format, error) {
	switch strings.ToLower(format) {
	case "xlsx":
		return tabular.XLSX, nil
	case "csv":
		return tabular.CSV, nil
	}
	return "", usageError{fmt.Sprintf("--format 应为 xlsx 或 csv,收到“%s” / --format is xlsx or csv", format)}
}

// toFile reports whether -o names a file rather than standard output.
func toFile(out string) bool { return out != "" && out != "-" }

// writeFile writes to out, or to standard output when out is "" or "-";
// write says how many records it wrote. A file is written beside its
// destination and renamed into place only when it is complete.
func writeFile(cmd *cobra.Command, out string, write func(io.Writer) (int, error)) (int, error) {
	var w io.Writer = cmd.OutOrStdout()
	var file *os.File
	if toFile(out) {
		var err error
		if file, err = os.CreateTemp(dirOf(out), ".export-*"); err != nil {
			return 0, fmt.Errorf("无法创建文件 %s:%w", out, err)
		}
		defer os.Remove(file.Name())
		defer file.Close()
		w = file
	}
	n, err := write(w)
	if err != nil {
		return n, err
	}
	if file != nil {
		if err := file.Close(); err != nil {
			return n, err
		}
		if err := os.Rename(file.Name(), out); err != nil {
			return n, fmt.Errorf("无法写入 %s:%w", out, err)
		}
	}
	return n, nil
}

func dirOf(path string) string {
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		return path[:i+1]
	}
	return "."
}
