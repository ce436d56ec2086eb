package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"jianfu"
	"jianfu/store"
)

func newMigrateCmd() *cobra.Command {
	var dsn string
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "升级数据库结构并报告版本",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			db, err := store.Open(ctx, dsn, store.WithLogger(newLogger("text")))
			if err != nil {
				return err
			}
			defer db.Close()
			before, _ := db.SchemaVersion(ctx)
			v, err := db.Migrate(ctx)
			if err != nil {
				return err
			}
			if v == before {
				fmt.Fprintf(cmd.OutOrStdout(), "数据库结构已是最新:版本 %d(%s)\n", v, db.Engine())
			} else {
				fmt.Fprintf(cmd.OutOrStdout(), "数据库结构已从版本 %d 升级到 %d(%s)\n", before, v, db.Engine())
			}
			return nil
		},
	}
	addDBFlag(cmd, &dsn)
	return cmd
}

func newUserCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "用户与接口令牌管理"}
	var dsn string

	var name, roles, password, phone string
	var unitID int64
	create := &cobra.Command{
		Use:     "create USERNAME",
		Short:   "创建用户",
		Example: `  jianfu user create zhang.san --name 张三 --unit 12 --roles supervisor,reviewer --password 'Str0ng-Passw0rd'`,
		Args:    exactArgs(1, "请给出用户名,例如:jianfu user create zhang.san --name 张三 --unit 12 --roles staff --password …"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			rs, err := jianfu.ParseRoles(roles)
			if err != nil {
				return usageError{err.Error()}
			}
			db, err := openStore(ctx, dsn, newLogger("text"))
			if err != nil {
				return err
			}
			defer db.Close()
			u := &jianfu.User{Username: args[0], Name: name, UnitID: unitID, Roles: rs, Phone: phone}
			if err := db.Users().CreateUser(systemCtx(ctx, "cli"), u, password); err != nil {
				return explain(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "已创建用户 %s(编号 %d)\n", u.Username, u.ID)
			return nil
		},
	}
	addDBFlag(create, &dsn)
	create.Flags().StringVar(&name, "name", "", "姓名")
	create.Flags().Int64Var(&unitID, "unit", 0, "所属单位编号")
	create.Flags().StringVar(&roles, "roles", "staff", "角色,逗号分隔:supervisor、reviewer、inspector、case_handler、unit_admin、staff、sysadmin(系统管理员)、secadmin(安全保密管理员)、auditor(安全审计员)、reporter_access(举报人信息查阅);三员不能兼任")
	create.Flags().StringVar(&password, "password", "", "初始密码(至少10位,三类字符)")
	create.Flags().StringVar(&phone, "phone", "", "手机号")

	var tokenName string
	token := &cobra.Command{
		Use:   "token USERNAME",
		Short: "为用户创建接口令牌(只显示一次,库中只存摘要)",
		Args:  exactArgs(1, "请给出用户名,例如:jianfu user token zhang.san"),
		RunE: withStore(&dsn, func(cmd *cobra.Command, args []string, db *store.DB) error {
			ctx := cmd.Context()
			tok, err := db.Users().CreateToken(systemCtx(ctx, "cli"), args[0], tokenName)
			if err != nil {
				return explain(err)
			}
			fmt.Fprintln(cmd.ErrOrStderr(), "接口令牌如下,只显示这一次,请妥善保存(使用方式:Authorization: Bearer <令牌>):")
			fmt.Fprintln(cmd.OutOrStdout(), tok)
			return nil
		}),
	}
	addDBFlag(token, &dsn)
	token.Flags().StringVar(&tokenName, "name", "api", "令牌用途说明")

	var newPassword string
	passwd := &cobra.Command{
		Use:   "passwd USERNAME",
		Short: "重置用户密码并解除锁定",
		Args:  exactArgs(1, "请给出用户名,例如:jianfu user passwd zhang.san --password …"),
		RunE: withStore(&dsn, func(cmd *cobra.Command, args []string, db *store.DB) error {
			ctx := cmd.Context()
			sys := systemCtx(ctx, "cli")
			users, _, err := db.Users().FindUsers(sys, jianfu.UserFilter{Query: args[0], Page: jianfu.Page{Limit: 1000}})
			if err != nil {
				return err
			}
			for _, u := range users {
				if u.Username == args[0] {
					if err := db.Users().SetPassword(sys, u.ID, newPassword); err != nil {
						return explain(err)
					}
					fmt.Fprintf(cmd.OutOrStdout(), "已重置 %s 的密码,其所有登录会话已失效。\n", u.Username)
					return nil
				}
			}
			return fmt.Errorf("用户“%s”不存在", args[0])
		}),
	}
	addDBFlag(passwd, &dsn)
	passwd.Flags().StringVar(&newPassword, "password", "", "新密码")

	list := &cobra.Command{
		Use:   "list",
		Short: "列出用户",
		Args:  cobra.NoArgs,
		RunE: withStore(&dsn, func(cmd *cobra.Command, args []string, db *store.DB) error {
			ctx := cmd.Context()
			users, total, err := db.Users().FindUsers(systemCtx(ctx, "cli"), jianfu.UserFilter{Page: jianfu.Page{Limit: 1000}})
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			for _, u := range users {
				names := make([]string, len(u.Roles))
				for i, r := range u.Roles {
					names[i] = jianfu.RoleNames[r]
				}
				fmt.Fprintf(w, "%-6s %-24s %-10s %-40s %s\n", strconv.FormatInt(u.ID, 10), u.Username, u.Name, u.UnitName, strings.Join(names, "、"))
			}
			fmt.Fprintf(w, "共 %d 个用户\n", total)
			return nil
		}),
	}
	addDBFlag(list, &dsn)
	cmd.AddCommand(create, token, passwd, list)
	return cmd
}

// exactArgs requires n arguments and otherwise explains the usage.
func exactArgs(n int, hint string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageError{hint}
		}
		return nil
	}
}

// explain formats a domain error with its per-item problems.
func explain(err error) error {
	je, ok := err.(*jianfu.Error)
	if !ok || len(je.Problems) < 2 {
		return err
	}
	msg := je.Message
	for _, p := range je.Problems {
		msg += "\n  - " + p.Message
	}
	return fmt.Errorf("%s", msg)
}

func newBackupCmd() *cobra.Command {
	var dsn string
	cmd := &cobra.Command{
		Use:     "backup FILE",
		Short:   "在线备份 SQLite 数据库到 FILE,并校验备份中的审计链",
		Example: "  jianfu backup --db jianfu.db backups/jianfu-2026-11-26.db",
		Args:    exactArgs(1, "请给出备份文件路径,例如:jianfu backup backups/jianfu-2026-11-26.db"),
		RunE: withStore(&dsn, func(cmd *cobra.Command, args []string, db *store.DB) error {
			ctx := cmd.Context()
			v, err := db.Backup(ctx, args[0])
			if err != nil {
				return err
			}
			if !v.OK {
				return fmt.Errorf("已写出备份 %s,但其审计链校验失败:第 %d 条记录异常(%s)", args[0], v.BrokenID, v.Reason)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "已备份到 %s,审计链完整(%d 条记录)。\n", args[0], v.Entries)
			return nil
		}),
	}
	addDBFlag(cmd, &dsn)
	return cmd
}
