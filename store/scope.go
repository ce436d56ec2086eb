package store

import (
	"context"
	"database/sql"
	"sort"
	"strings"

	"jianfu"
)

// where collects the conditions and arguments of a WHERE clause.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// prefix adds "col starts with p" as a range, which both engines answer
// from an index (code and path columns use byte order).
func (w *where) prefix(col, p string) {
	if p == "" {
		return
	}
	w.add(col+" >= ? AND "+col+" < ?", p, prefixEnd(p))
}

// prefixEnd returns the smallest string greater than every string with
// prefix p (p is ASCII: digits and slashes).
func prefixEnd(p string) string {
	b := []byte(p)
	b[len(b)-1]++
	return string(b)
}

// like adds a case-insensitive "contains" match over the columns.
func (w *where) like(q string, cols ...string) {
	q = strings.TrimSpace(q)
	if q == "" {
		return
	}
	pat := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(q)) + "%"
	var ors []string
	for _, c := range cols {
		ors = append(ors, "lower("+c+") LIKE ? ESCAPE '\\'")
		w.args = append(w.args, pat)
	}
	w.conds = append(w.conds, "("+strings.Join(ors, " OR ")+")")
}

// unitScope restricts a query over units (aliased u) to the actor's scope:
// a region-wide actor sees the units of its region subtree, a unit-scoped
// actor its unit subtree.
func (w *where) unitScope(a *jianfu.Actor, alias string) {
	switch {
	case a.System:
	case a.RegionWide():
		w.prefix(alias+".region_path", a.RegionPath)
	default:
		w.prefix(alias+".path", a.UnitPath)
	}
}

// regionScope restricts a query over a region_path column.
func (w *where) regionScope(a *jianfu.Actor, col string) {
	if !a.System {
		w.prefix(col, a.RegionPath)
	}
}

// forbidden is the error for a role that may not do something.
func forbidden(zh, en string) error { return jianfu.Forbidden(zh, en) }

// orderBy returns an ORDER BY clause for a requested sort key among the
// allowed ones, falling back to def.
func orderBy(sort string, allowed map[string]string, def string) string {
	desc := strings.HasPrefix(sort, "-")
	key := strings.TrimPrefix(sort, "-")
	col, ok := allowed[key]
	if !ok {
		return " ORDER BY " + def
	}
	if desc {
		return " ORDER BY " + col + " DESC, " + def
	}
	return " ORDER BY " + col + ", " + def
}

// sortProblems orders problems by row so reports read top to bottom.
func sortProblems(p []jianfu.Problem) []jianfu.Problem {
	sort.SliceStable(p, func(i, j int) bool { return p[i].Row < p[j].Row })
	return p
}

// listQuery is one page of a list: the FROM clause rows are counted over
// and the SELECT … FROM the page is read with (each without its WHERE,
// which w carries: the caller's scope and filters), the sorts a caller may
// ask for by key, and the default order, which also breaks ties.
type listQuery struct {
	count, rows string
	w           where
	sorts       map[string]string
	order       string
}

// queryer runs queries: a transaction, or the database with a context
// (DB.in).
type queryer interface {
	query(query string, args ...any) (*sql.Rows, error)
	queryRow(query string, args ...any) *sql.Row
}

type ctxDB struct {
	db  *DB
	ctx context.Context
}

func (c ctxDB) query(query string, args ...any) (*sql.Rows, error) {
	return c.db.query(c.ctx, query, args...)
}
func (c ctxDB) queryRow(query string, args ...any) *sql.Row {
	return c.db.queryRow(c.ctx, query, args...)
}

// in runs queries on the database outside a transaction.
func (db *DB) in(ctx context.Context) queryer { return ctxDB{db, ctx} }

// findPage counts what l selects and reads page p of it with scan: the
// shape of every Find… list.
func findPage[T any](q queryer, l listQuery, p jianfu.Page, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, int, error) {
	var total int
	if err := q.queryRow(`SELECT COUNT(*)`+l.count+l.w.String(), l.w.args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	p = p.Normalize()
	rows, err := q.query(l.rows+l.w.String()+orderBy(p.Sort, l.sorts, l.order)+` LIMIT ? OFFSET ?`, append(l.w.args, p.Limit, p.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	out, err := scanAll(rows, scan)
	return out, total, err
}
