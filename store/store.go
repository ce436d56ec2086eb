// Package store implements jianfu's services on database/sql, for the
// embedded SQLite default (modernc.org/sqlite, pure Go) and for PostgreSQL
// (pgx) and PostgreSQL-compatible databases. The same SQL serves both; the
// few differences live in dialect.go and errors.go.
//
// Every method reads the acting user from the context (jianfu.ActorFrom)
// and scopes its queries by the actor's place in the region/unit hierarchy,
// so a caller cannot forget to. Changes are written together with their
// audit entries in one transaction.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"

	"jianfu"
	"jianfu/secret"
)

// Engine names a database engine.
type Engine string

const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// DB is the store: one database handle implementing jianfu's services.
type DB struct {
	sql    *sql.DB
	engine Engine
	dsn    string // with secrets removed, for messages
	log    *slog.Logger

	// Now is the clock; tests replace it.
	Now func() time.Time

	rebound rebindCache // query text → engine-specific text, bounded

	counts countCache // the registry's channel counters, for planning lists
	cases  caseConfig // the reporter key and calendar of the case workflow

	// The judgements the store applies to what it reads (see
	// jianfu.RegistryRules): it is handed them, it does not make them.
	rules    jianfu.RegistryRules
	requests jianfu.RequestMatcher

	ingest  ingestCounts // authorisations and scope resolutions of ingest paths
	ingestQ ingestQueue  // chunks of concurrent batches waiting to be stored together

	rowStmts    rowStmts              // prepared multi-row statements of ingest (execRows)
	members     memberCache           // group members known to be stored (recordMembers)
	ckpt        checkpointer          // SQLite: background checkpoints after ingest
	fold        folder                // folds the burden journal (burden_journal.go)
	foldCut     atomic.Pointer[error] // tests: a fold fails with this after writing, before its commit
	knownGroups knownGroups           // channels known to exist (groupsExist)

	directBurden bool // read burden windows from the days only (WithDirectBurden)
	noCurrent    bool // read no window from burden_current (WithoutCurrentWindow)

	scoreMin int // components a scorecard's total needs (SetScoreMinimum)

	auditKey *secret.AuditKey // keys the audit chain; nil: plain SM3

	passwordMaxAge time.Duration // 0: passwords do not expire
	tokenLifetime  time.Duration // of new API tokens; 0: jianfu.DefaultTokenLifetime

	holidaysFile []byte // the --holidays schedule, under the uploaded ones (SetHolidaysFile)

	siteURL string   // the web site's address, for links in delivered messages (WithSiteURL)
	legacy  struct { // when messages may have old-form keys (see legacyKeysBefore)
		mu     sync.Mutex
		read   bool
		before int64
	}

	gate *writeGate    // SQLite: one writer at a time, interactive first; nil on PostgreSQL
	busy time.Duration // SQLite: how long a write waits for the database
}

// Option configures Open.
type Option func(*DB)

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(db *DB) { db.log = l } }

// WithBusyTimeout sets how long a write on SQLite waits for the database
// (held by another write of this process or of another one) before it is
// answered EUNAVAILABLE; bulk writes wait three times as long. The default
// is ten seconds.
func WithBusyTimeout(d time.Duration) Option { return func(db *DB) { db.busy = d } }

// WithClock sets the clock.
func WithClock(now func() time.Time) Option { return func(db *DB) { db.Now = now } }

// WithRules hands the store the registry's rules (package registry) and
// the matcher of material requests (package textsim's Requests). Without
// them the registry's checks, search, consolidation and verification and
// 多头报送 clustering answer an internal error.
func WithRules(r jianfu.RegistryRules, m jianfu.RequestMatcher) Option {
	return func(db *DB) { db.rules, db.requests = r, m }
}

func (db *DB) registryRules() (jianfu.RegistryRules, error) {
	if db.rules == nil {
		return nil, fmt.Errorf("store opened without registry rules (store.WithRules)")
	}
	return db.rules, nil
}

// Open connects to the database named by dsn: a postgres:// or
// postgresql:// URL for PostgreSQL; "sqlite:PATH" or a plain file path for
// SQLite (the file is created when missing). It does not migrate.
func Open(ctx context.Context, dsn string, opts ...Option) (*DB, error) {
	db := &DB{log: slog.Default(), Now: time.Now, busy: 10 * time.Second}
	for _, o := range opts {
		o(db)
	}
	var err error
	switch {
	case strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://"):
		db.engine = Postgres
		db.dsn = redactURL(dsn)
		db.sql, err = sql.Open("pgx", dsn)
		if err == nil {
			db.sql.SetMaxOpenConns(20)
			db.sql.SetMaxIdleConns(10)
			db.sql.SetConnMaxIdleTime(5 * time.Minute)
		}
	default:
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			return nil, jianfu.Errorf(jianfu.EINVALID, "数据库地址为空:请用 --db 指定 SQLite 文件路径或 postgres:// 地址", "empty database address: give --db a SQLite file path or a postgres:// URL")
		}
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, jianfu.Errorf(jianfu.EINVALID, "无法创建数据库目录 %s:%v", "cannot create the database directory %s: %v", dir, err)
			}
		}
		db.engine = SQLite
		db.dsn = path
		db.gate = newWriteGate(db.busy)
		q := url.Values{}
		for _, p := range []string{fmt.Sprintf("busy_timeout(%d)", db.busy.Milliseconds()), "journal_mode(WAL)", "synchronous(NORMAL)", "foreign_keys(1)", "temp_store(MEMORY)", "cache_size(-32000)", "wal_autocheckpoint(10000)"} {
			q.Add("_pragma", p)
		}
		q.Set("_txlock", "immediate")
		db.sql, err = sql.Open("sqlite", "file:"+path+"?"+q.Encode())
		if err == nil {
			db.sql.SetMaxOpenConns(8)
			db.sql.SetMaxIdleConns(8)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", db.dsn, err)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.ping(pctx); err != nil {
		db.sql.Close()
		return nil, jianfu.Errorf(jianfu.EINVALID, "无法连接数据库 %s:%v。请检查地址、网络和权限", "cannot connect to the database %s: %v; check the address, the network and the permissions", db.dsn, err)
	}
	return db, nil
}

// ping connects. The first connections of processes starting together on
// a new SQLite file switch it to WAL at once, and SQLite answers one of
// them "database is locked" without waiting (its busy handler is not called
// where waiting could deadlock): it tries again until ctx ends.
func (db *DB) ping(ctx context.Context) error {
	for {
		err := db.sql.PingContext(ctx)
		if err == nil || db.engine != SQLite || !isBusy(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Engine reports which engine the store runs on.
func (db *DB) Engine() Engine { return db.engine }

// SQL returns the underlying handle (for tests and maintenance commands).
func (db *DB) SQL() *sql.DB { return db.sql }

// Close closes the database.
func (db *DB) Close() error {
	db.stopFolding()
	return db.sql.Close()
}

// Ping checks the connection, for /healthz.
func (db *DB) Ping(ctx context.Context) error { return db.sql.PingContext(ctx) }

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "postgres://…"
	}
	return u.Redacted()
}

// q rewrites a query written with ? placeholders for the engine.
func (db *DB) q(query string) string {
	if db.engine != Postgres {
		return query
	}
	return db.rebound.get(query)
}

// rebindFor rewrites a one-off query (not cached) for the engine.
func rebindFor(e Engine, query string) string {
	if e == Postgres {
		return rebind(query)
	}
	return query
}

// rebind turns ? placeholders into $1, $2, … outside string literals.
func rebind(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	inStr := false
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'':
			inStr = !inStr
			b.WriteByte(c)
		case c == '?' && !inStr:
			n++
			b.WriteByte('$')
			b.WriteString(fmt.Sprint(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// ms converts a time to stored milliseconds.
func ms(t time.Time) int64 { return t.UnixMilli() }

// fromMS converts stored milliseconds to a time in UTC.
func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// optMS converts a nullable stored instant.
func optMS(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMS(v.Int64)
	return &t
}

// Tx is a transaction that knows its actor and writes audit entries.
type Tx struct {
	tx    *sql.Tx
	db    *DB
	ctx   context.Context
	actor *jianfu.Actor
	now   time.Time

	onCommit []func() // run once the transaction committed
}

// inTx runs fn in a transaction, committing when it returns nil. It is an
// interactive write: on SQLite it goes before waiting bulk writes.
func (db *DB) inTx(ctx context.Context, fn func(tx *Tx) error) error {
	return db.inTxAs(ctx, interactiveWrite, fn)
}

// inBulkTx runs fn in a transaction of bulk work (message ingest), which
// on SQLite waits while interactive writes are waiting.
func (db *DB) inBulkTx(ctx context.Context, fn func(tx *Tx) error) error {
	return db.inTxAs(ctx, bulkWrite, fn)
}

func (db *DB) inTxAs(ctx context.Context, bulk bool, fn func(tx *Tx) error) error {
	if err := db.gate.acquire(ctx, bulk); err != nil {
		return err
	}
	defer db.gate.release()
	ctx = context.WithValue(ctx, inTxKey{}, true) // reads inside do not fold the burden journal
	sqlTx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return db.translate(err, nRecord)
	}
	tx := &Tx{tx: sqlTx, db: db, ctx: ctx, actor: jianfu.ActorFrom(ctx), now: db.Now().UTC()}
	if err := fn(tx); err != nil {
		sqlTx.Rollback()
		if u := unavailable(err); u != nil {
			return u
		}
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return db.translate(err, nRecord)
	}
	for _, f := range tx.onCommit {
		f()
	}
	return nil
}

func (tx *Tx) exec(query string, args ...any) (sql.Result, error) {
	return tx.tx.ExecContext(tx.ctx, tx.db.q(query), args...)
}

func (tx *Tx) query(query string, args ...any) (*sql.Rows, error) {
	return tx.tx.QueryContext(tx.ctx, tx.db.q(query), args...)
}

func (tx *Tx) queryRow(query string, args ...any) *sql.Row {
	return tx.tx.QueryRowContext(tx.ctx, tx.db.q(query), args...)
}

// insertID runs an INSERT … RETURNING id and returns the id.
func (tx *Tx) insertID(query string, args ...any) (int64, error) {
	var id int64
	err := tx.queryRow(query+" RETURNING id", args...).Scan(&id)
	return id, err
}

func (db *DB) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return db.sql.QueryContext(ctx, db.q(query), args...)
}

func (db *DB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return db.sql.QueryRowContext(ctx, db.q(query), args...)
}

// exec runs one write outside a transaction, an interactive one.
func (db *DB) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := db.gate.acquire(ctx, interactiveWrite); err != nil {
		return nil, err
	}
	defer db.gate.release()
	res, err := db.sql.ExecContext(ctx, db.q(query), args...)
	if u := unavailable(err); u != nil {
		return nil, u
	}
	return res, err
}

// scanAll reads every row with scan (one of the scanX functions, which take
// a *sql.Row or *sql.Rows) and closes the rows.
func scanAll[T any](rows *sql.Rows, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
