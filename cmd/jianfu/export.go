package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"jianfu"
	"jianfu/importer"
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
				return usageError{fmt.Sprintf("未知的导出类型“%s”,可用:channels / unknown export kind %q; use channels", args[0], args[0])}
			}
			return cmd.Help()
		},
	}
	cmd.AddCommand(newExportChannelsCmd())
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
			var tf tabular.Format
			switch strings.ToLower(format) {
			case "xlsx":
				tf = tabular.XLSX
			case "csv":
				tf = tabular.CSV
			default:
				return usageError{fmt.Sprintf("--format 应为 xlsx 或 csv,收到“%s” / --format is xlsx or csv", format)}
			}
			if out == "" && tf == tabular.XLSX {
				out = "channels.xlsx"
			}
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			db, err := openStore(ctx, dsn, newLogger("text"))
			if err != nil {
				return err
			}
			defer db.Close()
			var w io.Writer = cmd.OutOrStdout()
			var file *os.File
			if out != "" && out != "-" {
				if file, err = os.CreateTemp(dirOf(out), ".export-*"); err != nil {
					return fmt.Errorf("无法创建文件 %s:%w", out, err)
				}
				defer os.Remove(file.Name())
				w = file
			}
			tw, err := tabular.NewWriter(w, tf, importer.ChannelHeaders())
			if err != nil {
				return err
			}
			n, err := db.ExportChannels(systemCtx(ctx, "export"), f, func(c *jianfu.Channel) error { return tw.Write(importer.ChannelRecord(c)) })
			if err != nil {
				return err
			}
			if err := tw.Close(); err != nil {
				return err
			}
			if file != nil {
				if err := file.Close(); err != nil {
					return err
				}
				// Rename only a complete file into place.
				if err := os.Rename(file.Name(), out); err != nil {
					return fmt.Errorf("无法写入 %s:%w", out, err)
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "已导出 %s 个渠道到 %s / exported %d channels to %s\n", thousands(n), out, n, out)
			}
			return nil
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

func dirOf(path string) string {
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		return path[:i+1]
	}
	return "."
}
