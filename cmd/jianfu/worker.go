package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/spf13/cobra"

	"jianfu/detect"
	"jianfu/ingest"
	"jianfu/ingest/stream"
)

// newWorkerCmd is `jianfu worker`: a stateless consumer of the message
// stream. Run as many as the load needs, on as many machines.
func newWorkerCmd() *cobra.Command {
	var dsn, natsURL, key, rulesDir, logFormat string
	var parallel, batch, clusterDays, replicas int
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "消费 NATS JetStream 消息队列,分析工作群消息并入库",
		Long: `worker 从 NATS JetStream 的 jianfu.messages.> 主题(由 jianfu serve --ingest stream 写入)
读取工作群消息,经检测器分析后按群按日统计入库,保存脱敏的问题发现。多个 worker 可同时运行:
消息按工作群分为16个分片,每个分片同一时间只有一批在处理,不同批次写入互不相同的工作群,
互不等待;每批在数据库事务提交后才确认(ack),进程中途退出时未确认的消息会重新投递,
按消息编号去重,不会重复计数。

worker consumes work-group messages from NATS JetStream (subject jianfu.messages.>,
written by jianfu serve --ingest stream), analyses and stores them. Run as many as
needed: the groups are divided into 16 shards, each with its own durable
consumer and one batch in work at a time, so batches store disjoint groups and
do not wait for each other; a batch is acknowledged only after its transaction
committed, and a redelivered message is recognised by its id.`,
		Example: "  JIANFU_PSEUDONYM_KEY=… jianfu worker --nats nats://127.0.0.1:4222 --db postgres://jianfu@db/jianfu --parallel 8",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			log := newLogger(logFormat)
			names, err := streamNames(replicas)
			if err != nil {
				return err
			}
			if key == "" {
				key = os.Getenv("JIANFU_PSEUDONYM_KEY")
			}
			keys, err := ingest.NewKeys(key)
			if err != nil {
				return usageError{err.Error()}
			}
			var dopts []detect.Option
			if rulesDir != "" {
				dopts = append(dopts, detect.WithRulesDir(rulesDir))
			}
			det, err := detect.New(dopts...)
			if err != nil {
				return usageError{fmt.Sprintf("检测规则有误:%v", err)}
			}
			db, err := openStore(ctx, dsn, log)
			if err != nil {
				return err
			}
			defer db.Close()
			if err := loadHolidays(ctx, db, log); err != nil { // off-hours of messages count holidays
				return err
			}
			nc, js, err := stream.Connect(natsURL, "jianfu worker", stream.LogState(log)...)
			if err != nil {
				return err
			}
			defer nc.Close()
			cl := ingest.NewClusterer(db.Burden(), time.Duration(clusterDays)*24*time.Hour, log)
			go cl.Run(ctx)
			pipe := ingest.NewPipeline(det, db.Burden(), keys, log)
			pipe.Stored = cl.Kick
			w := &stream.Worker{JS: js, Pipe: pipe, Names: names, Parallel: parallel, Batch: batch, Log: log}
			log.Info("worker started", "nats", nc.ConnectedUrlRedacted(), "db", db.Engine(), "parallel", parallel, "batch", batch)
			tick(ctx, time.Minute, func() {
				stored, acked := w.Stats()
				log.Info("worker progress", "stored", stored, "acknowledged", acked)
			})
			err = w.Run(ctx)
			stored, acked := w.Stats()
			log.Info("worker stopped", "stored", stored, "acknowledged", acked)
			return err
		},
	}
	addDBFlag(cmd, &dsn)
	addPseudonymFlag(cmd, &key)
	cmd.Flags().StringVar(&natsURL, "nats", envOr("JIANFU_NATS", nats.DefaultURL), "NATS 服务器地址;也可用环境变量 JIANFU_NATS")
	cmd.Flags().IntVar(&parallel, "parallel", 4, "本进程内并行处理的批次数")
	cmd.Flags().IntVar(&batch, "batch", 500, "每批最多取多少条消息(一批一个事务;同一消息流的 worker 请用相同的值)")
	addReplicasFlag(cmd, &replicas)
	cmd.Flags().IntVar(&clusterDays, "cluster-window-days", 30, "多头报送的比对时间窗口(天)")
	cmd.Flags().StringVar(&rulesDir, "rules", "", "补充或覆盖检测规则的目录(*.yaml)")
	cmd.Flags().StringVar(&logFormat, "log-format", "text", "日志格式:text 或 json")
	return cmd
}
