package main

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

	"jianfu"
	"jianfu/detect"
	"jianfu/ingest"
	"jianfu/ingest/feishu"
	"jianfu/ingest/stream"
	"jianfu/ingest/wecom"
	"jianfu/store"
	"jianfu/web"
)

// burdenFlags configure burden monitoring: ingestion, the platform
// callbacks and retention.
type burdenFlags struct {
	pseudonymKey   string
	ingestMode     string
	natsURL        string
	streamReplicas int
	retentionDays  int
	clusterDays    int
	wecomToken     string
	wecomAESKey    string
	wecomCorpID    string
	dingtalkSecret string
	feishuKey      string
	feishuToken    string
}

func addPseudonymFlag(cmd *cobra.Command, target *string) {
	cmd.Flags().StringVar(target, "pseudonym-key", "", "化名密钥:发送人化名与消息去重所用的加密散列密钥(至少16个字符,务必保密并长期保持不变);也可用环境变量 JIANFU_PSEUDONYM_KEY")
}

// addReplicasFlag is --stream-replicas of serve and worker.
func addReplicasFlag(cmd *cobra.Command, target *int) {
	n, _ := strconv.Atoi(envOr("JIANFU_STREAM_REPLICAS", "1"))
	cmd.Flags().IntVar(target, "stream-replicas", max(n, 1), "JetStream 流的副本数(NATS 集群三节点时设为3):新建时按此创建,已有的流副本较少时调高,从不调低;也可用环境变量 JIANFU_STREAM_REPLICAS")
}

// streamNames are the stream's names with the replicas asked for.
func streamNames(replicas int) (stream.Names, error) {
	if replicas < 1 {
		return stream.Names{}, usageError{"--stream-replicas 至少为1 / --stream-replicas must be at least 1"}
	}
	n := stream.Default
	n.Replicas = replicas
	return n, nil
}

func (f *burdenFlags) add(cmd *cobra.Command) {
	addPseudonymFlag(cmd, &f.pseudonymKey)
	cmd.Flags().StringVar(&f.ingestMode, "ingest", envOr("JIANFU_INGEST", "inline"), "消息接入方式:inline(接口收到即分析入库)或 stream(写入 NATS JetStream,由 jianfu worker 分析);也可用环境变量 JIANFU_INGEST")
	cmd.Flags().StringVar(&f.natsURL, "nats", envOr("JIANFU_NATS", nats.DefaultURL), "NATS 服务器地址(--ingest stream 时使用);也可用环境变量 JIANFU_NATS")
	addReplicasFlag(cmd, &f.streamReplicas)
	cmd.Flags().IntVar(&f.retentionDays, "retention-days", 365, "问题发现(脱敏摘录)保存天数,到期自动删除并记入日志与审计")
	cmd.Flags().IntVar(&f.clusterDays, "cluster-window-days", 30, "多头报送的比对时间窗口(天)")
	cmd.Flags().StringVar(&f.wecomToken, "wecom-token", "", "企业微信回调 Token;也可用环境变量 JIANFU_WECOM_TOKEN")
	cmd.Flags().StringVar(&f.wecomAESKey, "wecom-aes-key", "", "企业微信回调 EncodingAESKey(43位);也可用环境变量 JIANFU_WECOM_AES_KEY")
	cmd.Flags().StringVar(&f.wecomCorpID, "wecom-corp-id", "", "企业微信企业 ID(回调接收方);也可用环境变量 JIANFU_WECOM_CORP_ID")
	cmd.Flags().StringVar(&f.dingtalkSecret, "dingtalk-secret", "", "钉钉机器人 AppSecret(校验 sign);也可用环境变量 JIANFU_DINGTALK_SECRET")
	cmd.Flags().StringVar(&f.feishuKey, "feishu-encrypt-key", "", "飞书事件订阅 Encrypt Key;也可用环境变量 JIANFU_FEISHU_ENCRYPT_KEY")
	cmd.Flags().StringVar(&f.feishuToken, "feishu-verification-token", "", "飞书事件订阅 Verification Token;也可用环境变量 JIANFU_FEISHU_VERIFICATION_TOKEN")
}

// fromEnv fills secrets left empty on the command line from the
// environment (secrets are better kept out of process listings).
func (f *burdenFlags) fromEnv() {
	for _, x := range []struct {
		v   *string
		env string
	}{{&f.pseudonymKey, "JIANFU_PSEUDONYM_KEY"}, {&f.wecomToken, "JIANFU_WECOM_TOKEN"}, {&f.wecomAESKey, "JIANFU_WECOM_AES_KEY"},
		{&f.wecomCorpID, "JIANFU_WECOM_CORP_ID"}, {&f.dingtalkSecret, "JIANFU_DINGTALK_SECRET"}, {&f.feishuKey, "JIANFU_FEISHU_ENCRYPT_KEY"},
		{&f.feishuToken, "JIANFU_FEISHU_VERIFICATION_TOKEN"}} {
		if *x.v == "" {
			*x.v = envOr(x.env, "")
		}
	}
}

func (f *burdenFlags) hooks() web.HookConfig {
	return web.HookConfig{
		WeCom:          wecom.Config{Token: f.wecomToken, EncodingAESKey: f.wecomAESKey, ReceiverID: f.wecomCorpID},
		DingTalkSecret: f.dingtalkSecret,
		Feishu:         feishu.Config{EncryptKey: f.feishuKey, VerificationToken: f.feishuToken},
	}
}

// burden is burden monitoring wired for serve: the ingester for the API and
// the callbacks, clustering and retention in the background.
type burden struct {
	ingester jianfu.Ingester
	close    func()
	ready    func(context.Context) error // stream mode: JetStream answers
	metrics  []prometheus.Collector      // stream mode: the connection's state
}

// startBurden wires burden monitoring. Without a pseudonym key ingestion
// is off (the pages still show what is stored) and the log says how to
// turn it on.
func startBurden(ctx context.Context, db *store.DB, det *detect.Detector, f burdenFlags, jb *jobs, log *slog.Logger) (*burden, error) {
	f.fromEnv()
	b := &burden{close: func() {}}
	if f.retentionDays < 1 {
		return nil, usageError{"--retention-days 至少为1天 / --retention-days must be at least 1"}
	}
	jb.every(ctx, "retention", 24*time.Hour, func(ctx context.Context) error {
		return purgeFindings(ctx, db, f.retentionDays, log)
	})
	window := time.Duration(f.clusterDays) * 24 * time.Hour
	cl := ingest.NewClusterer(db.Burden(), window, log)
	go cl.Run(ctx)
	if f.pseudonymKey == "" {
		log.Warn("message ingestion is off: set --pseudonym-key or JIANFU_PSEUDONYM_KEY (16+ random characters, kept secret and unchanged) to accept messages")
		return b, nil
	}
	keys, err := ingest.NewKeys(f.pseudonymKey)
	if err != nil {
		return nil, err
	}
	pipe := ingest.NewPipeline(det, db.Burden(), keys, log)
	pipe.Stored = cl.Kick
	switch f.ingestMode {
	case "inline", "":
		b.ingester = pipe
	case "stream":
		names, err := streamNames(f.streamReplicas)
		if err != nil {
			return nil, err
		}
		nc, js, err := stream.Connect(f.natsURL, "jianfu serve", stream.LogState(log)...)
		if err != nil {
			return nil, err
		}
		if err := stream.Retry(ctx, log, time.Minute, func(ctx context.Context) error {
			_, err := stream.Setup(ctx, js, names)
			return err
		}); err != nil {
			nc.Close()
			return nil, err
		}
		b.ingester = &stream.Publisher{JS: js, Pipe: pipe, Names: names, Conn: nc}
		b.metrics = append(b.metrics, prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "jianfu_stream_connected",
			Help: "1 while the connection to NATS JetStream is up, 0 while it is lost (message batches are then answered 503)."},
			func() float64 { return stream.Connected(nc) }))
		b.close = nc.Close
		b.ready = func(ctx context.Context) error { return stream.Ready(ctx, nc, js) }
		log.Info("messages go to the stream; run jianfu worker to analyse them", "nats", nc.ConnectedUrlRedacted(), "subject", stream.Default.Subject+".>")
	default:
		return nil, usageError{fmt.Sprintf("--ingest 应为 inline 或 stream,收到“%s” / --ingest must be inline or stream, got %q", f.ingestMode, f.ingestMode)}
	}
	return b, nil
}

// purgeFindings applies the retention and logs what it deleted.
func purgeFindings(ctx context.Context, db *store.DB, days int, log *slog.Logger) error {
	before := time.Now().AddDate(0, 0, -days)
	n, err := db.Burden().PurgeFindings(systemCtx(ctx, "retention"), before)
	if err != nil {
		return err
	}
	if n > 0 {
		log.Info("retention: deleted findings", "count", n, "older_than", before.In(jianfu.China).Format("2006-01-02"), "days", days)
	}
	return nil
}
