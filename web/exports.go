package web

import (
	"context"
	"net/http"

	"jianfu"
	"jianfu/report"
)

// Every ranking and list an office hands on can be had as a workbook: the
// page's own address with format=xlsx, under the same filters and sort.

// maxExport is the most rows an export reads.
const maxExport = 50000

// wantsWorkbook reports whether a list page was asked for its export.
func wantsWorkbook(r *http.Request) bool { return r.URL.Query().Get("format") == "xlsx" }

// exportRows reads every row a list page would page through, a thousand at
// a time, under the page's filter and sort.
func exportRows[F, T any](r *http.Request, filter func(*http.Request, jianfu.Page) (F, error), find func(context.Context, F) ([]T, int, error)) ([]T, error) {
	var out []T
	for off := 0; off < maxExport; off += 1000 {
		f, err := filter(r, jianfu.Page{Limit: 1000, Offset: off, Sort: r.URL.Query().Get("sort")})
		if err != nil {
			return nil, err
		}
		items, total, err := find(r.Context(), f)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if len(items) == 0 || len(out) >= total {
			break
		}
	}
	return out, nil
}

// exportList serves a list page's rows as a workbook composed by compose.
func exportList[F, T any](w http.ResponseWriter, r *http.Request, filter func(*http.Request, jianfu.Page) (F, error), find func(context.Context, F) ([]T, int, error),
	compose func(rows []T, maker string) (*report.File, error)) error {
	rows, err := exportRows(r, filter, find)
	if err != nil {
		return err
	}
	f, err := compose(rows, info(r).actor.UnitName)
	if err != nil {
		return err
	}
	return download(w, f)
}
