package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"jianfu"
	"jianfu/secret"
	"jianfu/store"
)

// parseAuditKey reads --audit-key / JIANFU_AUDIT_KEY; "" is no key.
func parseAuditKey(b64 string) (*secret.AuditKey, error) {
	if strings.TrimSpace(b64) == "" {
		return nil, nil
	}
	k, err := secret.ParseAuditKey(b64)
	if err != nil {
		return nil, usageError{"--audit-key / JIANFU_AUDIT_KEY 无效:应为至少16字节(建议32字节)密钥的 base64 编码,可用 `jianfu audit keygen` 生成 / invalid audit key: base64 of at least 16 bytes"}
	}
	return k, nil
}

// addAuditKeyFlag adds --audit-key (falling back to $JIANFU_AUDIT_KEY).
func addAuditKeyFlag(cmd *cobra.Command, target *string) {
	cmd.Flags().StringVar(target, "audit-key", os.Getenv("JIANFU_AUDIT_KEY"),
		"审计链密钥(base64,HMAC-SM3),保存在数据库之外;也可用环境变量 JIANFU_AUDIT_KEY。可用 jianfu audit keygen 生成")
}

// configureAudit checks the audit key against the chain when the server
// starts: without a key it warns (or refuses, if the chain is already
// keyed); with one it anchors a chain that was unkeyed until now.
func configureAudit(ctx context.Context, db *store.DB, log *slog.Logger) error {
	keyID, entries, err := db.Audit().AuditKeyState(ctx)
	if err != nil {
		return err
	}
	if db.AuditKeyID() == "" {
		if keyID != "" {
			return usageError{fmt.Sprintf("审计链已用密钥(指纹 %s)锚定,请用 --audit-key 或环境变量 JIANFU_AUDIT_KEY 提供该密钥后再启动", keyID)}
		}
		log.Warn("未配置审计密钥(--audit-key 或 JIANFU_AUDIT_KEY):审计日志只有不带密钥的 SM3 哈希链,持有数据库副本的人可以改写记录并重算整条链而不被发现。请用 jianfu audit keygen 生成密钥,保存在数据库之外,并定期用 jianfu audit checkpoint 把签名的链头存到别处")
		return nil
	}
	if keyID != "" && keyID != db.AuditKeyID() {
		return usageError{fmt.Sprintf("配置的审计密钥(指纹 %s)不是审计链所用的密钥(指纹 %s):请换用原密钥", db.AuditKeyID(), keyID)}
	}
	anchored, err := db.Audit().AnchorAudit(systemCtx(ctx, "audit"))
	if err != nil {
		return err
	}
	if anchored {
		log.Info("审计链已用新配置的密钥锚定", "key_id", db.AuditKeyID(), "earlier_entries", entries)
	} else {
		log.Info("audit chain keyed with HMAC-SM3", "key_id", db.AuditKeyID())
	}
	return nil
}

func newAuditCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "审计日志工具:校验、检查点、生成密钥"}
	var dsn, key string
	var checkpointFiles []string
	verify := &cobra.Command{
		Use:   "verify",
		Short: "校验审计日志哈希链,指出第一条被篡改或删除的记录",
		Long: `verify 从第一条起逐条校验审计链:编号连续、前序哈希相连、每条的哈希(密钥锚定后为 HMAC-SM3 签名)与内容相符。
给出审计密钥(--audit-key 或 JIANFU_AUDIT_KEY)才能校验密钥签名;用 --checkpoint 给出以前
jianfu audit checkpoint 写下的检查点文件,还能发现被删除的末尾记录和被整体重算的链。`,
		Example: "  JIANFU_AUDIT_KEY=… jianfu audit verify --checkpoint /mnt/elsewhere/jianfu-audit.checkpoints",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			k, err := parseAuditKey(key)
			if err != nil {
				return err
			}
			var cps []*jianfu.AuditCheckpoint
			for _, f := range checkpointFiles {
				got, err := readCheckpoints(f)
				if err != nil {
					return err
				}
				cps = append(cps, got...)
			}
			db, err := openStore(ctx, dsn, newLogger("text"), store.WithAuditKey(k))
			if err != nil {
				return err
			}
			defer db.Close()
			res, err := db.Audit().VerifyAudit(systemCtx(ctx, "audit-verify"), cps...)
			if err != nil {
				return err
			}
			if !res.OK {
				return fmt.Errorf("审计链校验失败:第 %d 条记录异常。%s(共 %d 条)", res.BrokenID, res.Reason, res.Entries)
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "审计链完整:共 %d 条记录,哈希链校验通过", res.Entries)
			if res.Keyed > 0 {
				fmt.Fprintf(w, ";其中 %d 条由审计密钥(指纹 %s)签名", res.Keyed, res.KeyID)
			}
			if res.Checkpoints > 0 {
				fmt.Fprintf(w, ";与 %d 个检查点相符", res.Checkpoints)
			}
			fmt.Fprintln(w, "。")
			if res.Keyed == 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), "注意:审计链不带密钥,持有数据库副本的人可以改写并重算。请配置审计密钥(jianfu audit keygen)。")
			} else if res.Checkpoints == 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), "提示:未给出检查点(--checkpoint),无法发现被删除的末尾记录。")
			}
			return nil
		},
	}
	addDBFlag(verify, &dsn)
	addAuditKeyFlag(verify, &key)
	verify.Flags().StringArrayVar(&checkpointFiles, "checkpoint", nil, "检查点文件(jianfu audit checkpoint 的输出,每行一个),可重复")

	var out string
	checkpoint := &cobra.Command{
		Use:   "checkpoint",
		Short: "写出带密钥签名的审计链头(条数与哈希),请保存在数据库之外",
		Long: `checkpoint 在审计链末尾记一条“生成检查点”,再把此时的条数与链头哈希连同 HMAC-SM3 签名写成一行 JSON:
输出到标准输出,或用 --out 追加到文件。把检查点保存在数据库所在机器之外(另一台机器、syslog、纸面),
以后 jianfu audit verify --checkpoint 就能发现末尾被删、链头被移或整条链被重算。尚未锚定的链会先锚定。`,
		Example: "  jianfu audit checkpoint --out /mnt/elsewhere/jianfu-audit.checkpoints\n  jianfu audit checkpoint | logger -t jianfu-audit",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			k, err := parseAuditKey(key)
			if err != nil {
				return err
			}
			if k == nil {
				return usageError{"生成检查点需要审计密钥:请用 --audit-key 或环境变量 JIANFU_AUDIT_KEY 提供(可用 jianfu audit keygen 生成)"}
			}
			db, err := openStore(ctx, dsn, newLogger("text"), store.WithAuditKey(k))
			if err != nil {
				return err
			}
			defer db.Close()
			cp, err := db.Audit().CheckpointAudit(systemCtx(ctx, "audit-checkpoint"))
			if err != nil {
				return err
			}
			line, err := json.Marshal(cp)
			if err != nil {
				return err
			}
			if out == "" {
				fmt.Fprintln(cmd.OutOrStdout(), string(line))
				return nil
			}
			f, err := os.OpenFile(out, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o640)
			if err != nil {
				return fmt.Errorf("无法写检查点文件 %s:%w", out, err)
			}
			if _, err := fmt.Fprintln(f, string(line)); err != nil {
				f.Close()
				return fmt.Errorf("无法写检查点文件 %s:%w", out, err)
			}
			if err := f.Close(); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "已把检查点(共 %d 条,链头 %s…)追加到 %s。\n", cp.Entries, cp.Hash[:12], out)
			return nil
		},
	}
	addDBFlag(checkpoint, &dsn)
	addAuditKeyFlag(checkpoint, &key)
	checkpoint.Flags().StringVar(&out, "out", "", "追加到此文件(不给则写到标准输出)")

	keygen := &cobra.Command{
		Use:   "keygen",
		Short: "生成新的审计链密钥(32字节,base64)",
		Long:  "keygen 打印一个随机的审计链密钥。把它交给 serve(--audit-key 或 JIANFU_AUDIT_KEY),保存在数据库之外;丢失后已签名的记录无法再校验。",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintln(cmd.OutOrStdout(), secret.NewAuditKeyString())
			return nil
		},
	}
	cmd.AddCommand(verify, checkpoint, keygen)
	return cmd
}

// readCheckpoints reads a file of checkpoints, one JSON object per line.
func readCheckpoints(path string) ([]*jianfu.AuditCheckpoint, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usageError{fmt.Sprintf("无法读取检查点文件 %s:%v", path, err)}
	}
	defer f.Close()
	var out []*jianfu.AuditCheckpoint
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var cp jianfu.AuditCheckpoint
		if err := json.Unmarshal([]byte(line), &cp); err != nil {
			return nil, usageError{fmt.Sprintf("检查点文件 %s 第 %d 行不是 jianfu audit checkpoint 写出的 JSON:%v", path, n, err)}
		}
		out = append(out, &cp)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, usageError{fmt.Sprintf("检查点文件 %s 中没有检查点", path)}
	}
	return out, nil
}
