package main

import (
	"context"
	"fmt"
	"os"
	"strconv"

	"github.com/spf13/cobra"

	"jianfu"
	"jianfu/detect"
	"jianfu/importer"
)

// newImportComplaintsCmd is `jianfu import complaints FILE`: records of a
// 12345-style hotline become cases, once each however often the file (or
// an overlapping later export) is imported.
func newImportComplaintsCmd() *cobra.Command {
	var dsn, region, reporterKey string
	var withoutContacts bool
	cmd := &cobra.Command{
		Use:   "complaints FILE",
		Short: "导入热线(12345 等)转办的投诉 / import hotline complaints",
		Long: `导入 12345 政务服务便民热线等系统导出的工单,每条成为一条问题线索(来源“热线转办”),
由检测器建议问题类型,按所属区域进入当地网信办的受理队列。
列:工单编号(id)、受理时间(time)、诉求内容(content),可选 涉及渠道(channel)、联系人(name)、
联系电话(contact)、所属区域(region:区划代码或区县名称)、问题类型(category)。
以工单编号识别重复:同一文件再导入、或与之前导出有重叠的新文件,只导入新工单。
联系人和电话加密保存,须提供 --reporter-key(或环境变量 JIANFU_REPORTER_KEY);
没有密钥时可用 --without-contacts 明确丢弃联系方式后导入。

Import records exported from a 12345-style hotline as cases (source
"hotline"), classified by the detector and queued for the office of their
region. Columns: id, time, content; optionally channel, name, contact,
region (a division code or a county's name) and category. Records are
recognised by their id, so re-importing adds only new ones. Contacts are
stored encrypted and need --reporter-key; --without-contacts drops them.`,
		Example: `  jianfu import complaints 12345工单-2026年3月.xlsx --region 390100
  JIANFU_REPORTER_KEY=... jianfu import complaints 12345.csv`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError{"请给出一个工单文件 / give one hotline file: jianfu import complaints FILE"}
			}
			if region != "" {
				if _, _, _, err := jianfu.ParseRegionCode(region); err != nil {
					return usageError{"--region 应为行政区划代码 / --region takes a division code: " + jianfu.ErrorMessage(err, "zh")}
				}
			}
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
			if err := configureCases(db, serveFlags{reporterKey: reporterKey}, log); err != nil {
				return err
			}
			det, err := detect.New()
			if err != nil {
				return err
			}
			res, err := withProgress(cmd, log, args[:1], func(p importer.Progress) (*importer.ComplaintResult, error) {
				return importer.ImportComplaints(systemCtx(ctx, "import"), db.Intake(), args[0],
					importer.ComplaintOptions{Region: region, WithoutContacts: withoutContacts, Propose: det.Propose}, p)
			})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			secs := strconv.FormatFloat(res.Elapsed.Seconds(), 'f', 1, 64)
			fmt.Fprintf(out, "已导入热线工单 %s 条为问题线索;%s 条此前已导入,已跳过。用时 %s 秒\n", thousands(res.Records), thousands(res.Skipped), secs)
			fmt.Fprintf(out, "Imported %d hotline records as cases; %d imported before were skipped, in %s s\n", res.Records, res.Skipped, secs)
			return nil
		},
	}
	addDBFlag(cmd, &dsn)
	cmd.Flags().StringVar(&region, "region", "", "没有填写所属区域的工单归入的区划代码(如热线所在市)")
	cmd.Flags().StringVar(&reporterKey, "reporter-key", os.Getenv("JIANFU_REPORTER_KEY"), "反映人身份加密密钥(base64);也可用环境变量 JIANFU_REPORTER_KEY")
	cmd.Flags().BoolVar(&withoutContacts, "without-contacts", false, "不导入联系人和电话(没有加密密钥时)")
	return cmd
}
