package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"jianfu"
	"jianfu/registry"
	"jianfu/store"
	"jianfu/textsim"
)

// defaultDB is the embedded default: a SQLite file in the working directory.
const defaultDB = "jianfu.db"

// addDBFlag adds --db (falling back to $JIANFU_DB, then jianfu.db).
func addDBFlag(cmd *cobra.Command, target *string) {
	def := os.Getenv("JIANFU_DB")
	if def == "" {
		def = defaultDB
	}
	cmd.Flags().StringVar(target, "db", def, "数据库:SQLite 文件路径(或 sqlite:PATH),或 postgres:// 地址;也可用环境变量 JIANFU_DB")
}

// openStore opens and migrates the database, handing the store the
// registry's rules, the matcher of material requests and the audit key of
// $JIANFU_AUDIT_KEY (opts given later override it).
func openStore(ctx context.Context, dsn string, log *slog.Logger, opts ...store.Option) (*store.DB, error) {
	k, err := parseAuditKey(os.Getenv("JIANFU_AUDIT_KEY"))
	if err != nil {
		return nil, err
	}
	base := []store.Option{store.WithLogger(log), store.WithRules(registry.Rules{}, textsim.Requests{}), store.WithAuditKey(k)}
	if os.Getenv("JIANFU_BENCH_BASELINE") == "1" {
		// make bench's baseline: burden read from the stored days only
		base = append(base, store.WithDirectBurden())
	}
	if os.Getenv("JIANFU_BENCH_NO_CURRENT") == "1" {
		// make bench's "before" of the current window: read through the rollups
		base = append(base, store.WithoutCurrentWindow())
	}
	db, err := store.Open(ctx, dsn, append(base, opts...)...)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// systemCtx acts as the trusted local operator for command-line work.
func systemCtx(ctx context.Context, what string) context.Context {
	return jianfu.WithActor(ctx, jianfu.SystemActor(what))
}

// newLogger returns the structured logger of the commands.
func newLogger(format string) *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

// withStore adapts a command that needs the database: it opens and migrates
// the store named by *dsn, runs fn, and closes the store.
func withStore(dsn *string, fn func(cmd *cobra.Command, args []string, db *store.DB) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		db, err := openStore(cmd.Context(), *dsn, newLogger("text"))
		if err != nil {
			return err
		}
		defer db.Close()
		return fn(cmd, args, db)
	}
}
