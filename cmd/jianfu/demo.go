package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"jianfu"
	"jianfu/demo"
	"jianfu/secret"
	"jianfu/store"
)

func newDemoCmd() *cobra.Command {
	var f serveFlags
	var seed uint64
	var size string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "在全新数据库上生成虚构的“临江省”演示数据并启动服务,打印演示账号",
		Long: `demo 新建一个 SQLite 数据库(默认在临时目录,用 --db 指定文件可保留),生成虚构的临江省
(市、县、乡镇、村,各级单位和各角色用户),然后启动 Web 服务并打印演示账号。
同一 --seed 生成完全相同的数据。`,
		Example: "  go run ./cmd/jianfu demo\n  jianfu demo --addr 127.0.0.1:9000 --db ./demo.db",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			log := newLogger(f.logFormat)
			if !cmd.Flags().Changed("db") {
				dir, err := os.MkdirTemp("", "jianfu-demo-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(dir)
				f.db = filepath.Join(dir, "demo.db")
			}
			out := cmd.OutOrStdout()
			if f.auditKey == "" {
				// A key derived from the seed: public, so demo only; a demo
				// database kept with --db opens again under it.
				f.auditKey = demo.AuditKey(seed)
				fmt.Fprintf(out, "审计链使用由种子推导的演示密钥(公开,仅供演示;正式部署请用 jianfu audit keygen 生成):\n  JIANFU_AUDIT_KEY=%s\n", f.auditKey)
			}
			k, err := parseAuditKey(f.auditKey)
			if err != nil {
				return err
			}
			db, err := openStore(ctx, f.db, log, store.WithAuditKey(k))
			if err != nil {
				return err
			}
			defer db.Close()
			if f.reporterKey == "" {
				// A key for this run only: the demo's named complaints can be
				// revealed while it runs, and by nobody once it stops.
				f.reporterKey = secret.NewSealerKey()
				fmt.Fprintf(out, "已为本次演示生成反映人身份加密密钥(只在内存中;要保留数据和密钥,请用 --db 与 --reporter-key)。\n")
			}
			if f.raterKey == "" {
				f.raterKey = demo.RaterKey(seed)
			}
			if err := configureRatings(db, f, log); err != nil {
				return err
			}
			if err := configureCases(db, f, log); err != nil {
				return err
			}
			fmt.Fprintf(out, "正在生成演示数据(临江省)……\n")
			// the demo makes its own pseudonym key, so messages can be
			// uploaded and the demo's own are recognised on re-import
			f.burden.fromEnv()
			if f.burden.pseudonymKey == "" {
				f.burden.pseudonymKey = demo.PseudonymKey(seed)
			}
			sum, err := demo.Generate(systemCtx(ctx, "demo"), db, demo.Options{Seed: seed, Size: demo.Size(size), Logger: log, PseudonymKey: f.burden.pseudonymKey})
			if err != nil {
				if jianfu.ErrorCode(err) != jianfu.ECONFLICT {
					return err
				}
				fmt.Fprintf(out, "数据库 %s 中已有数据,不再生成,直接启动服务(演示账号密码为 %s)。\n", f.db, demo.DefaultPassword)
			} else {
				printSummary(out, sum)
			}
			if !cmd.Flags().Changed("monitor-interval") {
				f.monitorInterval = 0 // the demo's addresses are fictional: no technical checks unless asked
			}
			return serve(ctx, db, f, log, func(addr string) {
				fmt.Fprintf(out, "\n减负平台演示已启动:http://%s/    (Ctrl+C 退出;数据库 %s)\n\n", addr, f.db)
			})
		},
	}
	f.add(cmd)
	cmd.Flags().Uint64Var(&seed, "seed", demo.DefaultSeed, "随机种子:相同种子生成相同数据")
	cmd.Flags().StringVar(&size, "size", string(demo.Full), "规模:full(全省)或 small(一市两区)")
	return cmd
}

// printSummary prints what the demo holds and its logins.
func printSummary(w io.Writer, s *demo.Summary) {
	var parts []string
	for _, l := range jianfu.Levels {
		if n := s.Regions[l]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s%d", levelName[l], n))
		}
	}
	fmt.Fprintf(w, "已生成:行政区划 %s;单位 %d 个;用户 %d 个", strings.Join(parts, "、"), s.Units, s.Users)
	for _, c := range s.Counts {
		fmt.Fprintf(w, ";%s %d", c.What, c.N)
	}
	fmt.Fprintf(w, "(种子 %d,用时 %.1f 秒)\n\n演示账号(密码均为 %s):\n", s.Seed, s.Took.Seconds(), firstPassword(s))
	rows := [][]string{{"用户名", "姓名", "角色", "单位", "可见范围", "未读通知"}}
	for _, l := range s.Logins {
		rows = append(rows, []string{l.Username, l.Name, l.RoleNames(), l.UnitName, l.Scope, strconv.Itoa(l.Unread)})
	}
	printTable(w, rows)
}

func firstPassword(s *demo.Summary) string {
	if len(s.Logins) > 0 {
		return s.Logins[0].Password
	}
	return demo.DefaultPassword
}

var levelName = map[jianfu.Level]string{
	jianfu.LevelProvince: "省", jianfu.LevelCity: "市", jianfu.LevelCounty: "县(区)",
	jianfu.LevelTownship: "乡镇(街道)", jianfu.LevelVillage: "村(社区)",
}

// printTable prints rows in columns aligned by display width: a Chinese
// character takes two cells in a terminal.
func printTable(w io.Writer, rows [][]string) {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], displayWidth(c))
		}
	}
	for _, r := range rows {
		line := "  "
		for i, c := range r {
			line += c
			if i < len(r)-1 {
				line += strings.Repeat(" ", widths[i]-displayWidth(c)+2)
			}
		}
		fmt.Fprintln(w, line)
	}
}

func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x1100 && (r <= 0x115f || r >= 0x2e80 && r <= 0xa4cf || r >= 0xac00 && r <= 0xd7a3 || r >= 0xf900 && r <= 0xfaff || r >= 0xfe30 && r <= 0xfe4f || r >= 0xff00 && r <= 0xff60 || r >= 0xffe0 && r <= 0xffe6 || r >= 0x20000) {
			n += 2
		} else {
			n++
		}
	}
	return n
}
