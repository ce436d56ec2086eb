package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// rowSizes are the row counts of the multi-row statements execRows runs:
// any number of rows is a sum of these, so each kind of statement has a
// handful of texts, prepared once per connection. Parsing a statement of
// hundreds of rows anew for every batch cost SQLite about a fifth of
// ingest's time.
var rowSizes = [...]int{256, 64, 16, 4, 1}

type rowsKey struct {
	head, tail string
	cols, rows int
}

// rowStmts holds the prepared multi-row statements by shape.
type rowStmts struct {
	mu sync.Mutex
	m  map[rowsKey]*sql.Stmt
}

// stmt returns the statement of a shape, prepared on first use.
func (db *DB) rowStmt(k rowsKey) (*sql.Stmt, error) {
	db.rowStmts.mu.Lock()
	defer db.rowStmts.mu.Unlock()
	if st, ok := db.rowStmts.m[k]; ok {
		return st, nil
	}
	st, err := db.sql.PrepareContext(context.Background(), rebindFor(db.engine, k.head+" VALUES "+valueRows(k.rows, k.cols)+" "+k.tail))
	if err != nil {
		return nil, err
	}
	if db.rowStmts.m == nil {
		db.rowStmts.m = map[rowsKey]*sql.Stmt{}
	}
	db.rowStmts.m[k] = st
	return st, nil
}

// execRows runs `head VALUES (?, …), … tail` over args, cols of them per
// row, in statements of rowSizes rows. When scan is set the statement
// returns rows (RETURNING), and scan reads each of them.
func (tx *Tx) execRows(head, tail string, cols int, args []any, scan func(*sql.Rows) error) error {
	if len(args)%cols != 0 {
		return fmt.Errorf("execRows: %d arguments for rows of %d", len(args), cols)
	}
	n := len(args) / cols
	for done := 0; done < n; {
		size := 1
		for _, s := range rowSizes {
			if s <= n-done {
				size = s
				break
			}
		}
		st, err := tx.db.rowStmt(rowsKey{head, tail, cols, size})
		if err != nil {
			return err
		}
		ts := tx.tx.StmtContext(tx.ctx, st)
		part := args[done*cols : (done+size)*cols]
		done += size
		if scan == nil {
			_, err = ts.ExecContext(tx.ctx, part...)
			ts.Close()
			if err != nil {
				return err
			}
			continue
		}
		rows, err := ts.QueryContext(tx.ctx, part...)
		if err != nil {
			ts.Close()
			return err
		}
		for rows.Next() {
			if err := scan(rows); err != nil {
				rows.Close()
				ts.Close()
				return err
			}
		}
		rows.Close()
		ts.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// checkpointer copies SQLite's write-ahead log into the database file in
// the background (see checkpointSoon).
type checkpointer struct {
	running atomic.Bool
	last    atomic.Int64 // unix ns of the last start
}

// checkpointSoon starts a passive checkpoint on another connection, at
// most one at a time and one every half second. Left to SQLite, the
// writer that commits past a thousand pages of log checkpoints them
// itself, holding the one writer while it copies; for ingest that was a
// tenth of its time. Checkpoints do not block writers; the database's own
// automatic checkpoint (wal_autocheckpoint, raised to 10,000 pages in
// Open) remains the backstop.
func (db *DB) checkpointSoon() {
	if db.engine != SQLite {
		return
	}
	now := time.Now().UnixNano()
	if now-db.ckpt.last.Load() < int64(500*time.Millisecond) || !db.ckpt.running.CompareAndSwap(false, true) {
		return
	}
	db.ckpt.last.Store(now)
	go func() {
		defer db.ckpt.running.Store(false)
		if _, err := db.sql.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`); err != nil && !errors.Is(err, sql.ErrConnDone) {
			db.log.Debug("background checkpoint", "err", err)
		}
	}()
}
