package main

import (
	"context"

	"github.com/spf13/cobra"

	"jianfu/importer"
	"jianfu/store"
)

func newImportChannelsCmd() *cobra.Command {
	var dsn string
	cmd := &cobra.Command{
		Use:   "channels FILE",
		Short: "导入政务渠道(应用程序、公众账号、工作群组)/ import channels",
		Long: `导入政务渠道登记表。必填列:渠道类型(政务应用程序、政务公众账号、工作群组)、名称、
主办单位(统一社会信用代码或单位全称)、平台(如 微信公众号、微博、安卓客户端、钉钉群);
其余列见 jianfu export channels 导出的表头或网页“批量导入”页下载的模板。
没有“状态”的行导入为草稿;已有备案号的台账填写状态(如 运行中)和备案号,按原备案号导入。
任何一行有问题,整批都不导入,并逐行列出问题。

Import a channel ledger: kind, name, owning unit (credit code or exact name)
and platform are required; the other columns are those of an export. Rows
without a status become drafts; filed rows keep their filing numbers. A file
with any bad row imports nothing.`,
		Example: `  jianfu import channels 渠道登记表.xlsx
  jianfu export channels --format xlsx -o 导出.xlsx && jianfu import channels --db new.db 导出.xlsx`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError{"请给出一个渠道文件 / give one channel file: jianfu import channels FILE"}
			}
			return runImport(cmd, dsn, importJob{
				what: "政务渠道", whatEn: "channels", files: args,
				run: func(ctx context.Context, db *store.DB, p importer.Progress) (*importer.Result, error) {
					return importer.ImportChannels(ctx, db.Registry(), args[0], p)
				},
			})
		},
	}
	addDBFlag(cmd, &dsn)
	return cmd
}
