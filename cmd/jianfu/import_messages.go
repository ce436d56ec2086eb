package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"jianfu"
	"jianfu/detect"
	"jianfu/ingest"
	"jianfu/ingest/chatexport"
)

// newImportMessagesCmd is `jianfu import messages --group ID FILE`.
func newImportMessagesCmd() *cobra.Command {
	var dsn, key string
	var group int64
	cmd := &cobra.Command{
		Use:   "messages --group ID FILE",
		Short: "导入工作群聊天记录 / import a work group's chat export",
		Long: `导入从工作群导出的聊天记录,自动识别格式并说明:微信聊天记录文本(“2024-01-05 21:30:12 张三”
一行,其后为消息内容)、含 时间/发送人/内容 列的 CSV 或 Excel、JSON 数组或 JSON Lines;文本可为
UTF-8 或 GBK。消息经检测器分析后只保存脱敏摘录与统计,原文不保存;同一文件重复导入不会重复计数。
任何一条消息有问题,整个文件都不导入,并逐条说明。

Import a chat export of a work group. The shape is recognised and named:
WeChat-style text, CSV or Excel with time/sender/text columns, JSON or JSON
Lines; UTF-8 or GBK. Only redacted findings and aggregates are kept, and
importing the same file twice counts nothing twice.`,
		Example: "  JIANFU_PSEUDONYM_KEY=… jianfu import messages --group 12 聊天记录.txt",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError{"请给出一个聊天记录文件 / give one chat-export file: jianfu import messages --group ID FILE"}
			}
			if group <= 0 {
				return usageError{"请用 --group 指明导入到哪个已登记的工作群(编号) / name the group with --group ID"}
			}
			if key == "" {
				key = os.Getenv("JIANFU_PSEUDONYM_KEY")
			}
			keys, err := ingest.NewKeys(key)
			if err != nil {
				return usageError{err.Error()}
			}
			ctx := cmd.Context()
			log := newLogger("text")
			f, err := os.Open(args[0])
			if err != nil {
				return jianfu.Errorf(jianfu.EINVALID, "无法打开文件“%s”:%v", "cannot open %s: %v", args[0], err)
			}
			defer f.Close()
			parsed, err := chatexport.Parse(f, args[0])
			if err != nil {
				if e, ok := err.(*jianfu.Error); ok && len(e.Problems) > 0 {
					printProblems(cmd.ErrOrStderr(), e.Problems)
					return importFailed{len(e.Problems)}
				}
				return err
			}
			out := cmd.OutOrStdout()
			zh, en := parsed.Format.Describe()
			fmt.Fprintf(out, "识别为:%s,编码 %s,共 %s 条消息\nRead as: %s, %d messages\n", zh, orDash(parsed.Encoding), thousands(len(parsed.Messages)), en, len(parsed.Messages))
			det, err := detect.New()
			if err != nil {
				return err
			}
			db, err := openStore(ctx, dsn, log)
			if err != nil {
				return err
			}
			defer db.Close()
			start := time.Now()
			pipe := ingest.NewPipeline(det, db.Burden(), keys, log)
			res, err := chatexport.Import(systemCtx(ctx, "import"), pipe, group, parsed, time.Now())
			if err != nil {
				if e, ok := err.(*jianfu.Error); ok && len(e.Problems) > 0 {
					printProblems(cmd.ErrOrStderr(), e.Problems)
					return importFailed{len(e.Problems)}
				}
				return err
			}
			if _, err := db.Burden().ClusterMaterial(systemCtx(ctx, "import"), 30*24*time.Hour); err != nil {
				return err
			}
			fresh := res.Accepted - res.Duplicates
			fmt.Fprintf(out, "已导入:新增 %s 条,已导入过 %s 条(未重复计数),发现形式主义要求 %s 条,用时 %.1f 秒\n",
				thousands(fresh), thousands(res.Duplicates), thousands(res.Findings), time.Since(start).Seconds())
			fmt.Fprintf(out, "Imported: %d new, %d seen before (not counted again), %d formalism demands found\n", fresh, res.Duplicates, res.Findings)
			return nil
		},
	}
	addDBFlag(cmd, &dsn)
	addPseudonymFlag(cmd, &key)
	cmd.Flags().Int64Var(&group, "group", 0, "导入到哪个已登记的工作群(编号)")
	return cmd
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
