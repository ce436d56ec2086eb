package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"jianfu"
	"jianfu/redact"
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
	detail := fmt.Sprintf("%d cases; filter %s", n, describeCaseFilter(f))
	if err != nil {
		// What was read before the failure left the store all the same.
		detail += "; interrupted"
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
			if err := fn(ledgerCase(c.visibleTo(a))); err != nil {
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

// ledgerCase keeps of a case what may leave the handling people: the
// description and the channel as the reporter named it are redacted; the
// address, coordinates and media link (which can point at a person) and
// whether an identity is stored are dropped.
func ledgerCase(c *jianfu.Case) *jianfu.Case {
	c.Description = redact.Placeholders(c.Description)
	c.ChannelText = redact.Placeholders(c.ChannelText)
	c.Address, c.Lat, c.Lon, c.MediaURL = "", nil, nil, ""
	c.HasIdentity = false
	return c
}

// describeCaseFilter writes the set fields of a filter for the audit log.
func describeCaseFilter(f jianfu.CaseFilter) string {
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	flag := func(k string, on bool) {
		if on {
			parts = append(parts, k)
		}
	}
	add("status", string(f.Status))
	add("stage", string(f.Stage))
	add("category", f.Category)
	add("source", string(f.Source))
	if f.UnitID != 0 {
		add("unit", fmt.Sprint(f.UnitID))
	}
	add("region", f.RegionPath)
	flag("open", f.Open)
	flag("overdue", f.Overdue)
	flag("due_soon", f.DueSoon)
	flag("escalated", f.Escalated)
	if q := strings.TrimSpace(f.Query); q != "" {
		add("q", strconv.Quote(q))
	}
	if len(parts) == 0 {
		return "all"
	}
	return strings.Join(parts, " ")
}
