package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"jianfu"
	"jianfu/report"
	"jianfu/store"
)

// newReportCmd is `jianfu report monthly|quarterly`: the situation report
// (形势分析) an office sends upward, as a Word document with an Excel
// appendix.
func newReportCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report",
		Short: "生成月度、季度形势分析报告 / monthly and quarterly situation reports",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newSituationCmd("monthly", "月度", "2026-11"), newSituationCmd("quarterly", "季度", "2026Q4"))
	return cmd
}

func newSituationCmd(use, zh, example string) *cobra.Command {
	var dsn, region, period, out, appendix, office string
	cmd := &cobra.Command{
		Use:   use,
		Short: zh + "形势分析(Word 公文,附 Excel 附表) / the " + use + " situation report",
		Long: `生成一个地区的` + zh + `“指尖上的形式主义”问题形势分析:总体情况(环比、同比)、各地区负担指数及图表、
主要问题及脱敏示例、超期未办结单位、本期发布的典型案例;公文格式(GB/T 9704),文号和主送留待印发时填写,
落款为该地区网信办(可用 --office 指定)。--appendix 另存 Excel 附表。`,
		Example: fmt.Sprintf("  jianfu report %s --region 390000 --period %s -o 形势分析.docx --appendix 附表.xlsx", use, example),
		Args:    cobra.NoArgs,
		RunE: withStore(&dsn, func(cmd *cobra.Command, args []string, db *store.DB) error {
			if period == "" {
				return usageError{"请用 --period 指定统计期:月报如 2026-11,季报如 2026Q4 / give --period"}
			}
			cur, prev, yearAgo, err := jianfu.ParseSituationPeriod(period)
			if err != nil {
				return usageError{jianfu.ErrorMessage(err, "zh")}
			}
			if (use == "quarterly") != (len(cur.Code) == 6) {
				return usageError{fmt.Sprintf("%s报的统计期应写如 %s,收到“%s” / the period of a %s report looks like %s", zh, example, period, use, example)}
			}
			ctx := systemCtx(cmd.Context(), "report")
			reg, err := db.Regions().FindRegion(ctx, region)
			if err != nil {
				return usageError{jianfu.ErrorMessage(err, "zh")}
			}
			if office == "" {
				office = reg.Name + "网信办"
			}
			s, err := jianfu.GatherSituation(ctx, jianfu.SituationSources{Burden: db.Burden(), Cases: db.Cases(), Deadlines: db.Deadlines(), Typical: db.Typical()},
				reg.Path, reg.Name, office, cur, prev, yearAgo)
			if err != nil {
				return err
			}
			doc, err := report.SituationReport(s, db.Now())
			if err != nil {
				return err
			}
			if out == "" {
				out = doc.Name
			}
			if err := os.WriteFile(out, doc.Data, 0o644); err != nil {
				return fmt.Errorf("写入 %s: %w", out, err)
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "已生成 %s / wrote %s\n", out, out)
			if appendix != "" {
				x, err := report.SituationAppendix(s, db.Now())
				if err != nil {
					return err
				}
				if err := os.WriteFile(appendix, x.Data, 0o644); err != nil {
					return fmt.Errorf("写入 %s: %w", appendix, err)
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "已生成 %s / wrote %s\n", appendix, appendix)
			}
			return nil
		}),
	}
	addDBFlag(cmd, &dsn)
	cmd.Flags().StringVar(&region, "region", "", "地区的区划代码,如 390000(全省)、390100")
	cmd.Flags().StringVar(&period, "period", "", "统计期:月报如 2026-11,季报如 2026Q4")
	cmd.Flags().StringVarP(&out, "output", "o", "", "Word 文件(默认为报告标题.docx)")
	cmd.Flags().StringVar(&appendix, "appendix", "", "另存 Excel 附表到此文件")
	cmd.Flags().StringVar(&office, "office", "", "落款单位(默认为“地区名称网信办”)")
	cmd.MarkFlagRequired("region")
	return cmd
}
