package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
)

// newRollupCmd is `jianfu rollup rebuild`: the burden rollups recomputed
// from the stored days (docs/burden.md).
func newRollupCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "rollup", Short: "负担监测汇总数据(按群按周预先汇总)"}
	var dsn string
	rebuild := &cobra.Command{
		Use:   "rebuild",
		Short: "按已存的每日数据重建汇总数据",
		Long: `rebuild 在一个事务中按已存的每日数据重新计算各工作群按周的汇总数据,
以及各工作群当前默认统计窗口(截至今日的 30 天及近 12 周走势)的数据,并记入审计。
汇总数据在消息接入时随每日数据一并更新,升级到含汇总的版本时自动补齐;
当前窗口每天由当天第一次查看自动重新计算;
只有怀疑不一致(例如直接改过数据库)时才需要手工重建。`,
		Example: `  jianfu rollup rebuild --db ./jianfu.db`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			db, err := openStore(ctx, dsn, newLogger("text"))
			if err != nil {
				return err
			}
			defer db.Close()
			start := time.Now()
			n, err := db.Burden().RebuildRollups(systemCtx(ctx, "rollup"))
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "已重建汇总数据:%d 行,用时 %.1f 秒\n", n, time.Since(start).Seconds())
			return nil
		},
	}
	addDBFlag(rebuild, &dsn)
	cmd.AddCommand(rebuild)
	return cmd
}
