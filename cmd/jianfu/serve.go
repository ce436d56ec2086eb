package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"jianfu/detect"
	"jianfu/monitor"
	"jianfu/store"
	"jianfu/web"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

type serveFlags struct {
	db, addr, logFormat string
	rulesDir            string
	secureCookies       bool
	trustProxy          bool
	burden              burdenFlags
	reporterKey         string // base64 SM4 (16 bytes) or AES-256 (32 bytes) key for complainants' identities
	raterKey            string // the key of the marks of anonymous ratings, 16+ characters
	monitorInterval     time.Duration
}

func (f *serveFlags) add(cmd *cobra.Command) {
	addDBFlag(cmd, &f.db)
	cmd.Flags().StringVar(&f.addr, "addr", envOr("JIANFU_ADDR", "127.0.0.1:8080"), "监听地址 HOST:PORT;也可用环境变量 JIANFU_ADDR")
	cmd.Flags().StringVar(&f.logFormat, "log-format", "text", "日志格式:text 或 json")
	cmd.Flags().StringVar(&f.rulesDir, "rules", "", "补充或覆盖检测规则的目录(*.yaml),无需重新发布程序")
	cmd.Flags().BoolVar(&f.secureCookies, "secure-cookies", false, "始终给 Cookie 加 Secure 标志(经 HTTPS 反向代理部署时开启)")
	cmd.Flags().BoolVar(&f.trustProxy, "trust-proxy", false, "信任反向代理的 X-Forwarded-For / X-Forwarded-Proto 头")
	cmd.Flags().StringVar(&f.reporterKey, "reporter-key", os.Getenv("JIANFU_REPORTER_KEY"), "举报人身份加密密钥(base64:16字节为 SM4-GCM,32字节为 AES-256-GCM);也可用环境变量 JIANFU_REPORTER_KEY。不设则只受理匿名反映")
	cmd.Flags().StringVar(&f.raterKey, "rater-key", os.Getenv("JIANFU_RATER_KEY"), "匿名评价密钥:防止重复评价的标记所用的加密散列密钥(至少16个字符,保存在数据库之外,务必保密并长期保持不变);也可用环境变量 JIANFU_RATER_KEY。不设则不接收评价")
	cmd.Flags().DurationVar(&f.monitorInterval, "monitor-interval", 24*time.Hour, "技术监测:每个渠道公开网址的检测间隔(如 6h);0 表示不检测")
	f.burden.add(cmd)
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func newServeCmd() *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "启动 Web 服务与 JSON 接口",
		Long:  "启动 jianfu 的 Web 界面、/api/v1 接口、/healthz 与 /metrics。数据库结构在启动时自动升级。",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			log := newLogger(f.logFormat)
			db, err := openStore(ctx, f.db, log)
			if err != nil {
				return err
			}
			defer db.Close()
			return serve(ctx, db, f, log, func(addr string) {
				log.Info("listening", "url", "http://"+addr, "db", db.Engine())
			})
		},
	}
	f.add(cmd)
	return cmd
}

// serve runs the web server on an open store until ctx ends, with the
// deadline sweeper of the case workflow running beside it.
func serve(ctx context.Context, db *store.DB, f serveFlags, log *slog.Logger, ready func(string)) error {
	warnCalendar(log, db.Now())
	var dopts []detect.Option
	if f.rulesDir != "" {
		dopts = append(dopts, detect.WithRulesDir(f.rulesDir))
	}
	det, err := detect.New(dopts...)
	if err != nil {
		return usageError{fmt.Sprintf("检测规则有误:%v", err)}
	}
	if err := configureCases(db, f, log); err != nil {
		return err
	}
	if err := configureRatings(db, f, log); err != nil {
		return err
	}
	f.burden.fromEnv()
	bd, err := startBurden(ctx, db, det, f.burden, log)
	if err != nil {
		return err
	}
	defer bd.close()
	srv, err := web.New(web.Config{Addr: f.addr, SecureCookies: f.secureCookies, TrustProxy: f.trustProxy, Version: version, Hooks: f.burden.hooks()},
		web.Services{Regions: db.Regions(), Units: db.Units(), Users: db.Users(), Audit: db.Audit(), Intake: db.Intake(), Cases: db.Cases(), Deadlines: db.Deadlines(), Typical: db.Typical(), Ping: db.Ping, Detector: det, Burden: db.Burden(), Channels: db.Channels(), Registry: db.Registry(), Ingest: bd.ingester,
			Campaigns: db.Campaigns(), Evaluation: db.Evaluation(), Cleanup: db.Cleanup(), Monitor: db.Monitor()}, log)
	if err != nil {
		return fmt.Errorf("build server: %w", err)
	}
	every(ctx, log, "case-deadlines", sweepEvery, func(ctx context.Context) error { return sweepDeadlines(ctx, db, log) })
	every(ctx, log, "purge-sessions", time.Hour, func(ctx context.Context) error {
		n, err := db.Users().PurgeSessions(ctx)
		if n > 0 {
			log.Info("purged expired sessions", "count", n)
		}
		return err
	})
	if f.monitorInterval > 0 {
		go (&monitor.Scheduler{Store: db.Monitor(), Checker: monitor.New(monitor.Config{}), Interval: f.monitorInterval, Log: log}).Run(systemCtx(ctx, "monitor"))
	}
	return srv.Serve(ctx, ready)
}
