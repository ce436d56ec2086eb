package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

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
	var keep bool
	create := &cobra.Command{
		Use:   "create USERNAME",
		Short: "创建用户",
		Example: `  jianfu user create zhang.san --name 张三 --unit 12 --roles supervisor,reviewer --password 'Jiangzhou-2026!'
  jianfu user create app.12345 --name 12345热线 --unit 3 --roles app       # 第三方应用:不用密码,只发令牌`,
		Args: exactArgs(1, "请给出用户名,例如:jianfu user create zhang.san --name 张三 --unit 12 --roles staff --password …"),
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
			u := &jianfu.User{Username: args[0], Name: name, UnitID: unitID, Roles: rs, Phone: phone, MustChangePassword: !keep}
			if err := db.Users().CreateUser(systemCtx(ctx, "cli"), u, password); err != nil {
				return explain(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "已创建用户 %s(编号 %d)\n", u.Username, u.ID)
			if u.MustChangePassword && !u.HasRole(jianfu.RoleApp) {
				fmt.Fprintln(cmd.OutOrStdout(), "该用户首次登录时须修改这个初始密码。")
			}
			return nil
		},
	}
	addDBFlag(create, &dsn)
	create.Flags().StringVar(&name, "name", "", "姓名")
	create.Flags().Int64Var(&unitID, "unit", 0, "所属单位编号")
	create.Flags().StringVar(&roles, "roles", "staff", "角色,逗号分隔:supervisor、reviewer、inspector、case_handler、unit_admin、staff、sysadmin(系统管理员)、secadmin(安全保密管理员)、auditor(安全审计员)、reporter_access(反映人信息查阅);三员不能兼任")
	create.Flags().StringVar(&password, "password", "", "初始密码:至少12位,三类字符,不含用户名,不是常见密码;第三方应用(app)账号不需要")
	create.Flags().BoolVar(&keep, "no-change", false, "不要求首次登录时修改初始密码(默认要求)")
	create.Flags().StringVar(&phone, "phone", "", "手机号")

	var tokenName string
	var tokenDays int
	token := &cobra.Command{
		Use:   "token USERNAME",
		Short: "为用户创建接口令牌(只显示一次,库中只存摘要;默认180天后过期)",
		Args:  exactArgs(1, "请给出用户名,例如:jianfu user token zhang.san"),
		RunE: withStore(&dsn, func(cmd *cobra.Command, args []string, db *store.DB) error {
			ctx := cmd.Context()
			if tokenDays < 1 || tokenDays > 3650 {
				return usageError{fmt.Sprintf("--days 应在 1 到 3650 之间,而不是 %d", tokenDays)}
			}
			db.SetTokenLifetime(time.Duration(tokenDays) * 24 * time.Hour)
			tok, err := db.Users().CreateToken(systemCtx(ctx, "cli"), args[0], tokenName)
			if err != nil {
				return explain(err)
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "接口令牌如下,只显示这一次,请妥善保存(使用方式:Authorization: Bearer <令牌>;%d天后过期):\n", tokenDays)
			fmt.Fprintln(cmd.OutOrStdout(), tok)
			return nil
		}),
	}
	addDBFlag(token, &dsn)
	token.Flags().StringVar(&tokenName, "name", "api", "令牌用途说明")
	token.Flags().IntVar(&tokenDays, "days", int(jianfu.DefaultTokenLifetime.Hours()/24), "有效天数")

	tokens := &cobra.Command{
		Use:   "tokens USERNAME",
		Short: "列出用户的接口令牌(编号、用途、到期、最近使用、状态)",
		Args:  exactArgs(1, "请给出用户名,例如:jianfu user tokens zhang.san"),
		RunE: withStore(&dsn, func(cmd *cobra.Command, args []string, db *store.DB) error {
			ctx := cmd.Context()
			sys := systemCtx(ctx, "cli")
			u, err := findUser(sys, db, args[0])
			if err != nil {
				return err
			}
			ts, err := db.Users().ListTokens(sys, u.ID)
			if err != nil {
				return err
			}
			rows := [][]string{{"编号", "用途", "创建", "到期", "最近使用", "状态"}}
			day := func(t *time.Time) string {
				if t == nil {
					return "—"
				}
				return t.In(jianfu.China).Format("2006-01-02")
			}
			for _, t := range ts {
				state := "有效"
				switch {
				case t.Revoked:
					state = "已吊销"
				case t.Expired:
					state = "已过期"
				}
				rows = append(rows, []string{strconv.FormatInt(t.ID, 10), t.Name, day(&t.CreatedAt), day(t.ExpiresAt), day(t.LastUsedAt), state})
			}
			printTable(cmd.OutOrStdout(), rows)
			fmt.Fprintf(cmd.OutOrStdout(), "共 %d 个令牌。吊销:jianfu user revoke-token 编号\n", len(ts))
			return nil
		}),
	}
	addDBFlag(tokens, &dsn)

	revoke := &cobra.Command{
		Use:   "revoke-token ID",
		Short: "吊销一个接口令牌(编号见 jianfu user tokens)",
		Args:  exactArgs(1, "请给出令牌编号,例如:jianfu user revoke-token 12(编号见 jianfu user tokens 用户名)"),
		RunE: withStore(&dsn, func(cmd *cobra.Command, args []string, db *store.DB) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || id <= 0 {
				return usageError{fmt.Sprintf("令牌编号应为正整数,而不是“%s”", args[0])}
			}
			if err := db.Users().RevokeToken(systemCtx(cmd.Context(), "cli"), id); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "已吊销接口令牌 %d。\n", id)
			return nil
		}),
	}
	addDBFlag(revoke, &dsn)

	var newPassword string
	passwd := &cobra.Command{
		Use:   "passwd USERNAME",
		Short: "重置用户密码并解除锁定",
		Args:  exactArgs(1, "请给出用户名,例如:jianfu user passwd zhang.san --password …"),
		RunE: withStore(&dsn, func(cmd *cobra.Command, args []string, db *store.DB) error {
			ctx := cmd.Context()
			sys := systemCtx(ctx, "cli")
			u, err := findUser(sys, db, args[0])
			if err != nil {
				return err
			}
			if err := db.Users().SetPassword(sys, u.ID, newPassword); err != nil {
				return explain(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "已重置 %s 的密码,其所有登录会话和接口令牌已失效;该用户下次登录时须修改密码。\n", u.Username)
			return nil
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
	var newRoles string
	setRoles := &cobra.Command{
		Use:     "roles USERNAME --roles …",
		Short:   "改变用户的角色(本机操作员;三员不能兼任,第三方应用不能兼有其他角色)",
		Example: "  jianfu user roles sheng.baomi --roles secadmin\n  jianfu user roles li.si --roles supervisor,reporter_access",
		Args:    exactArgs(1, "请给出用户名和新角色,例如:jianfu user roles li.si --roles supervisor,reviewer"),
		RunE: withStore(&dsn, func(cmd *cobra.Command, args []string, db *store.DB) error {
			rs, err := jianfu.ParseRoles(newRoles)
			if err != nil {
				return usageError{err.Error()}
			}
			sys := systemCtx(cmd.Context(), "cli")
			u, err := findUser(sys, db, args[0])
			if err != nil {
				return err
			}
			if _, err := db.Users().UpdateUser(sys, u.ID, jianfu.UserUpdate{Roles: rs}); err != nil {
				return explain(err)
			}
			names := make([]string, len(rs))
			for i, r := range rs {
				names[i] = jianfu.RoleNames[r]
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s 的角色现为:%s\n", u.Username, strings.Join(names, "、"))
			return nil
		}),
	}
	addDBFlag(setRoles, &dsn)
	setRoles.Flags().StringVar(&newRoles, "roles", "", "新角色,逗号分隔(英文或中文名)")
	cmd.AddCommand(create, token, tokens, revoke, setRoles, passwd, list)
	return cmd
}

// findUser finds a user by exact username.
func findUser(ctx context.Context, db *store.DB, username string) (*jianfu.User, error) {
	users, _, err := db.Users().FindUsers(ctx, jianfu.UserFilter{Query: username, Page: jianfu.Page{Limit: 1000}})
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		if u.Username == username {
			return u, nil
		}
	}
	return nil, fmt.Errorf("用户“%s”不存在(用 jianfu user list 查看用户名)", username)
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
