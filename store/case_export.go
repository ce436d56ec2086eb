package store

import (
	"context"
	"fmt"
	"jianfu/redact"

	"jianfu"
)

// exportBatch is how many cases an export reads at a time. It pages by
// id, so no cursor (and, on SQLite, no read lock) is held while the caller
// writes rows out.
var exportBatch = 500

// ExportCases streams the cases FindCases would list under the filter,
// newest first, with no more than the list shows, and audits the export
// once: a ledger leaves the system, so it is a bulk read.
func (s *Cases) ExportCases(ctx context.Context, f jianfu.CaseFilter, fn func(*jianfu.Case) error) (int, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return 0, err
	}
	if err := caseReadAccess(a); err != nil {
		return 0, err
	}
	f.Page = jianfu.Page{}
	if f.Now.IsZero() {
		f.Now = s.db.Now() // one instant for every batch
	}
	var base where
	base.caseScope(a)
	base.caseFilter(f, f.Now)

	n, err := s.db.streamCases(ctx, a, base, fn)
	detail := fmt.Sprintf("%d条;%s", n, f.Describe())
	if err != nil {
		// What was read before the failure left the store all the same.
		detail += ";导出中断"
		ctx = context.WithoutCancel(ctx)
	}
	if aerr := s.db.inTx(ctx, func(tx *Tx) error {
		return tx.audit("case.export", "case", "", a.RegionPath, detail)
	}); err == nil {
		err = aerr
	}
	return n, err
}

func (db *DB) streamCases(ctx context.Context, a *jianfu.Actor, base where, fn func(*jianfu.Case) error) (int, error) {
	n, size := 0, exportBatch
	var after int64
	for {
		w := where{conds: append([]string(nil), base.conds...), args: append([]any(nil), base.args...)}
		if after > 0 {
			w.add("c.id < ?", after)
		}
		batch, err := db.caseBatch(ctx, w, size)
		if err != nil {
			return n, err
		}
		for _, c := range batch {
			if err := fn(c.visibleTo(a).Ledger(redact.Placeholders)); err != nil {
				return n, err
			}
			n++
		}
		if len(batch) < size {
			return n, nil
		}
		after = batch[len(batch)-1].ID
	}
}

func (db *DB) caseBatch(ctx context.Context, w where, size int) ([]*caseRow, error) {
	rows, err := db.query(ctx, `SELECT `+caseCols+caseFrom+w.String()+` ORDER BY c.id DESC LIMIT ?`, append(w.args, size)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*caseRow
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
