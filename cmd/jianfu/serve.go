package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"jianfu"
	"jianfu/detect"
	"jianfu/monitor"
	"jianfu/netguard"
	"jianfu/secret"
	"jianfu/store"
	"jianfu/web"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

type serveFlags struct {
	db, addr, logFormat string
	rulesDir            string
	secureCookies       bool
	trustProxy          bool   // the old flag, refused with the new one's name
	trustedProxies      string // CIDR list of the reverse proxies in front
	fetchAllow          string // CIDR list outbound fetches may reach although internal
	burden              burdenFlags
	auditKey            string // base64 HMAC-SM3 key of the audit chain
	reporterKey         string // base64 SM4 (16 bytes) or AES-256 (32 bytes) key for complainants' identities
	raterKey            string // the key of the marks of anonymous ratings, 16+ characters
	monitorInterval     time.Duration
	mediaFeeds          string        // news feeds followed as a source of clues: URL=CODE,…
	mediaInterval       time.Duration // how often they are read
	passwordDays        int           // passwords expire after this many days; 0: never
	scoreMin            int           // components of six a scorecard's total needs
	minFreeDiskMB       int
	deliveryConfig      string
	oidc                oidcFlags
	pprof               string // loopback address of Go's profiler; empty: off
	remind              string // working days before a deadline its reminder comes, per stage, exit orders and check forms: "answer=2,rectify=3,order=2"
}

func (f *serveFlags) add(cmd *cobra.Command) {
	addDBFlag(cmd, &f.db)
	cmd.Flags().StringVar(&f.addr, "addr", envOr("JIANFU_ADDR", "127.0.0.1:8080"), "监听地址 HOST:PORT;也可用环境变量 JIANFU_ADDR")
	cmd.Flags().StringVar(&f.logFormat, "log-format", "text", "日志格式:text 或 json")
	cmd.Flags().StringVar(&f.rulesDir, "rules", "", "补充或覆盖检测规则的目录(*.yaml),无需重新发布程序")
	cmd.Flags().BoolVar(&f.secureCookies, "secure-cookies", false, "始终给 Cookie 加 Secure 标志(经 HTTPS 反向代理部署时开启)")
	cmd.Flags().StringVar(&f.trustedProxies, "trusted-proxies", os.Getenv("JIANFU_TRUSTED_PROXIES"), "反向代理的地址或网段,逗号分隔(如 127.0.0.1,10.0.0.0/8):只有来自它们的请求才读 X-Forwarded-For(取最右侧不在此列的地址)与 X-Forwarded-Proto;也可用环境变量 JIANFU_TRUSTED_PROXIES")
	cmd.Flags().BoolVar(&f.trustProxy, "trust-proxy", false, "已停用,请改用 --trusted-proxies")
	cmd.Flags().MarkHidden("trust-proxy")
	cmd.Flags().StringVar(&f.fetchAllow, "fetch-allow", os.Getenv("JIANFU_FETCH_ALLOW"), "技术监测等对外访问允许到达的内网地址或网段,逗号分隔(内网部署时用);默认拒绝回环、内网、链路本地、组播与保留地址;也可用环境变量 JIANFU_FETCH_ALLOW")
	cmd.Flags().StringVar(&f.reporterKey, "reporter-key", os.Getenv("JIANFU_REPORTER_KEY"), "反映人身份加密密钥(base64:16字节为 SM4-GCM,32字节为 AES-256-GCM);也可用环境变量 JIANFU_REPORTER_KEY。不设则只受理匿名反映")
	addAuditKeyFlag(cmd, &f.auditKey)
	cmd.Flags().IntVar(&f.passwordDays, "password-days", 0, "密码有效天数:到期后登录须先修改密码;0 表示不过期")
	cmd.Flags().IntVar(&f.scoreMin, "score-min-components", jianfu.MinComponents, "渠道评价至少有几项(共6项)有数据才计算总分,不足时显示“数据不足”")
	cmd.Flags().StringVar(&f.raterKey, "rater-key", os.Getenv("JIANFU_RATER_KEY"), "匿名评价密钥:防止重复评价的标记所用的加密散列密钥(至少16个字符,保存在数据库之外,务必保密并长期保持不变);也可用环境变量 JIANFU_RATER_KEY。不设则不接收评价")
	cmd.Flags().DurationVar(&f.monitorInterval, "monitor-interval", 24*time.Hour, "技术监测:每个渠道公开网址的检测间隔(如 6h);0 表示不检测")
	cmd.Flags().StringVar(&f.mediaFeeds, "media-feeds", os.Getenv("JIANFU_MEDIA_FEEDS"), "跟踪的新闻源(RSS、Atom 或 JSON Feed),逗号分隔,写作 网址=区划代码;报道中描述“指尖上的形式主义”的文章登记为问题线索(来源:媒体报道);也可用环境变量 JIANFU_MEDIA_FEEDS")
	cmd.Flags().DurationVar(&f.mediaInterval, "media-interval", time.Hour, "新闻源的读取间隔")
	cmd.Flags().StringVar(&f.deliveryConfig, "delivery-config", os.Getenv("JIANFU_DELIVERY_CONFIG"), "通知投递配置文件(YAML):电子邮件、短信网关、企业微信、钉钉、飞书,以及免打扰与每日汇总;见 docs/notifications.md;也可用环境变量 JIANFU_DELIVERY_CONFIG。不设则只有站内通知")
	cmd.Flags().IntVar(&f.minFreeDiskMB, "min-free-disk-mb", 1024, "SQLite 数据库所在磁盘的最低剩余空间(MB),低于此值 /readyz 报告未就绪;0 表示不检查")
	cmd.Flags().StringVar(&f.remind, "remind", os.Getenv("JIANFU_REMIND"), "到期提醒:到期前几个工作日提醒办理人,按阶段设置,逗号分隔(如 answer=2,rectify=3,order=2;阶段为 triage 受理交办、answer 答复、rectify 整改、verify 核查办结,以及 order 退出通知(提醒单位管理员确认关停或申诉)、form 检查表单(提醒抽查评估员在专项抽查截止前提交),0至30),未设的为1;也可用环境变量 JIANFU_REMIND")
	cmd.Flags().StringVar(&f.pprof, "pprof", os.Getenv("JIANFU_PPROF"), "性能剖析:在此本机回环地址(如 127.0.0.1:6060)提供 Go 的 /debug/pprof/,供测量时使用;默认关闭;也可用环境变量 JIANFU_PPROF")
	f.burden.add(cmd)
	f.oidc.add(cmd)
}

// network reads the address flags: the trusted proxies and the internal
// addresses outbound fetches may reach.
func (f serveFlags) network() ([]netip.Prefix, netguard.Outbound, error) {
	if f.trustProxy {
		return nil, netguard.Outbound{}, usageError{"--trust-proxy 已停用:它信任客户端可以伪造的最左侧 X-Forwarded-For。请改用 --trusted-proxies 列出反向代理的地址,例如 --trusted-proxies 127.0.0.1 或 --trusted-proxies 10.0.0.0/8"}
	}
	proxies, err := netguard.ParsePrefixes(f.trustedProxies)
	if err != nil {
		return nil, netguard.Outbound{}, usageError{"--trusted-proxies:" + err.Error()}
	}
	allow, err := netguard.ParsePrefixes(f.fetchAllow)
	if err != nil {
		return nil, netguard.Outbound{}, usageError{"--fetch-allow:" + err.Error()}
	}
	return proxies, netguard.Outbound{Allow: allow}, nil
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
		Long:  "启动 jianfu 的 Web 界面、/api/v1 接口、/healthz(存活)、/readyz(就绪:数据库可写、磁盘有余量、流模式下 JetStream 可达)与 /metrics。数据库结构在启动时自动升级。",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if _, _, err := f.network(); err != nil { // before the database is touched
				return err
			}
			log := newLogger(f.logFormat)
			k, err := parseAuditKey(f.auditKey)
			if err != nil {
				return err
			}
			db, err := openStore(ctx, f.db, log, store.WithAuditKey(k))
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
	if err := loadHolidays(ctx, db, log); err != nil {
		return err
	}
	warnCalendar(log, db.Now())
	if err := startPprof(ctx, f.pprof, log); err != nil {
		return err
	}
	var dopts []detect.Option
	if f.rulesDir != "" {
		dopts = append(dopts, detect.WithRulesDir(f.rulesDir))
	}
	det, err := detect.New(dopts...)
	if err != nil {
		return usageError{fmt.Sprintf("检测规则有误:%v", err)}
	}
	if err := configureAudit(ctx, db, log); err != nil {
		return err
	}
	if f.passwordDays < 0 {
		return usageError{fmt.Sprintf("--password-days 不能为负数(%d);0 表示密码不过期", f.passwordDays)}
	}
	db.SetPasswordMaxAge(time.Duration(f.passwordDays) * 24 * time.Hour)
	if f.scoreMin < 1 || f.scoreMin > 6 {
		return usageError{fmt.Sprintf("--score-min-components 应为1至6,收到%d", f.scoreMin)}
	}
	db.SetScoreMinimum(f.scoreMin)
	if err := configureCases(db, f, log); err != nil {
		return err
	}
	remind, err := jianfu.ParseReminderPolicy(f.remind)
	if err != nil {
		return usageError{"--remind: " + err.Error()}
	}
	if err := configureRatings(db, f, log); err != nil {
		return err
	}
	f.burden.fromEnv()
	jb := newJobs(db, log)
	bd, err := startBurden(ctx, db, det, f.burden, jb, log)
	if err != nil {
		return err
	}
	defer bd.close()
	proxies, outbound, err := f.network()
	if err != nil {
		return err
	}
	delivery, err := startDelivery(ctx, db, f.deliveryConfig, jb, log)
	if err != nil {
		return err
	}
	oidc, err := f.oidc.config()
	if err != nil {
		return err
	}
	rates, rateKey := sharedRates(db, f, log)
	srv, err := web.New(web.Config{Addr: f.addr, SecureCookies: f.secureCookies, TrustedProxies: proxies, Version: version, Hooks: f.burden.hooks(), DeliveryChannels: delivery, OIDC: oidc, RateKey: rateKey},
		web.Services{Regions: db.Regions(), Units: db.Units(), Users: db.Users(), Audit: db.Audit(), Intake: db.Intake(), Cases: db.Cases(), Deadlines: db.Deadlines(), Typical: db.Typical(), Ping: db.Ping, Ready: readyChecks(db, f.minFreeDiskMB, bd.ready), Detector: det, Burden: db.Burden(), Channels: db.Channels(), Registry: db.Registry(), Ingest: bd.ingester,
			Campaigns: db.Campaigns(), Evaluation: db.Evaluation(), Cleanup: db.Cleanup(), Monitor: db.Monitor(), Notifications: db.Notifications(), Deliveries: db.Deliveries(), Holidays: db.Holidays(),
			SSO: db.Users(), Rates: rates}, log)
	if err != nil {
		return fmt.Errorf("build server: %w", err)
	}
	if err := srv.RegisterMetrics(bd.metrics...); err != nil {
		return fmt.Errorf("build server: %w", err)
	}
	jb.every(ctx, "case-deadlines", sweepEvery, func(ctx context.Context) error { return sweepDeadlines(ctx, db, log) })
	jb.every(ctx, "case-reminders", sweepEvery, func(ctx context.Context) error { return sweepReminders(ctx, db, remind, log) })
	jb.every(ctx, "burden-rising", 24*time.Hour, func(ctx context.Context) error {
		n, err := db.Notifications().NotifyBurdenRising(jianfu.WithActor(ctx, jianfu.SystemActor("burden")), db.Now())
		if n > 0 {
			log.Info("burden index rising", "units", n)
		}
		return err
	})
	jb.every(ctx, "purge-sessions", time.Hour, func(ctx context.Context) error {
		n, err := db.Users().PurgeSessions(ctx)
		if n > 0 {
			log.Info("purged expired sessions", "count", n)
		}
		if err != nil {
			return err
		}
		if _, err := db.Users().PurgeSSO(ctx); err != nil {
			return err
		}
		if _, err := db.Leases().PurgeRuns(ctx, db.Now().Add(-30*24*time.Hour)); err != nil {
			return err
		}
		return nil
	})
	// the shared rate-limit counters: windows are at most fifteen minutes
	jb.every(ctx, "purge-rate-limits", 10*time.Minute, func(ctx context.Context) error {
		_, err := db.Rates().Purge(ctx)
		return err
	})
	if f.mediaFeeds != "" {
		feeds, err := jianfu.ParseMediaFeeds(f.mediaFeeds, "")
		if err != nil {
			return usageError{"--media-feeds:" + jianfu.ErrorMessage(err, "zh")}
		}
		mw := &monitor.MediaWatcher{Checker: monitor.New(monitor.Config{Outbound: outbound}), Feeds: feeds, Clues: db.Intake(), Log: log,
			Read: func(text string) []string { return det.Propose(text) }, Names: func(ctx context.Context, code string) (map[string]string, error) { return regionTree(ctx, db, code, 2) }}
		jb.every(ctx, "media", f.mediaInterval, func(ctx context.Context) error {
			r, err := mw.RunOnce(systemCtx(ctx, "media"))
			if r.Clues > 0 || r.Failed > 0 {
				log.Info("media feeds", "articles", r.Articles, "clues", r.Clues, "failed", r.Failed)
			}
			return err
		})
	}
	if f.monitorInterval > 0 {
		// a round a minute, each checking the channels that are due
		sched := &monitor.Scheduler{Store: db.Monitor(), Checker: monitor.New(monitor.Config{Outbound: outbound}), Interval: f.monitorInterval, Log: log}
		jb.every(ctx, "monitor", time.Minute, func(ctx context.Context) error {
			n, err := sched.RunOnce(systemCtx(ctx, "monitor"))
			if n > 0 {
				log.Info("monitor round", "checked", n)
			}
			return err
		})
	}
	return srv.Serve(ctx, ready)
}

// sharedRates are the rate-limit counters in the database, for replicas
// on PostgreSQL, and the secret of the address digests there, derived
// from the first key given of the pseudonym, rater, reporter and audit
// keys (all replicas have the same ones). On SQLite (one machine, one
// serve) and without any key the limits stay in the process.
func sharedRates(db *store.DB, f serveFlags, log *slog.Logger) (jianfu.RateLimits, string) {
	if db.Engine() != store.Postgres {
		return nil, ""
	}
	for _, k := range []string{f.burden.pseudonymKey, f.raterKey, f.reporterKey, f.auditKey} {
		if k != "" {
			return db.Rates(), secret.SM3Hex("jianfu rate-limit key", k)
		}
	}
	log.Warn("rate limits stay per replica: no key to digest client addresses with (set JIANFU_PSEUDONYM_KEY, JIANFU_RATER_KEY, JIANFU_REPORTER_KEY or JIANFU_AUDIT_KEY)")
	return nil, ""
}

// regionTree names a region and the regions down to depth levels below it
// (code → name), for recognising which region a news report is about.
func regionTree(ctx context.Context, db *store.DB, code string, depth int) (map[string]string, error) {
	ctx = systemCtx(ctx, "media")
	root, err := db.Regions().FindRegion(ctx, code)
	if err != nil {
		return nil, err
	}
	out := map[string]string{root.Code: root.Name}
	level := []string{root.Path}
	for d := 0; d < depth && len(level) > 0; d++ {
		var next []string
		for _, p := range level {
			parent := p
			kids, _, err := db.Regions().FindRegions(ctx, jianfu.RegionFilter{Parent: &parent, Page: jianfu.Page{Limit: 1000}})
			if err != nil {
				return nil, err
			}
			for _, k := range kids {
				out[k.Code] = k.Name
				next = append(next, k.Path)
			}
		}
		level = next
	}
	return out, nil
}
