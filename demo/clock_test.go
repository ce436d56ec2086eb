package demo_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"jianfu"
	"jianfu/demo"
	"jianfu/store"
	"jianfu/store/storetest"
)

// contentTables are the tables the later steps fill, and the columns of
// theirs that are random by design (salted, sealed, tracking codes).
var contentTables = map[string][]string{
	"channels": nil, "channel_events": nil, "burden_daily": nil, "group_members": nil, "findings": nil,
	"material_clusters": nil, "clues": nil, "cases": {"tracking_digest"}, "case_events": nil, "case_deadlines": nil,
	"typical_cases": nil, "campaigns": nil, "check_forms": nil, "rectifications": nil, "monitor_checks": nil,
	"scorecards": nil, "unit_scores": nil, "exit_orders": nil,
}

// clusterIDs are the columns naming a 多头报送 cluster by its surrogate id.
// Clusters that merge are deleted, and SQLite gives a deleted last id to
// the next cluster where PostgreSQL's identity moves on: across engines
// the same clusters may carry other numbers.
var clusterIDs = map[string]string{"material_clusters": "id", "findings": "cluster_id", "clues": "cluster_id"}

// contentDigest hashes every row of the content tables as stored, times
// included, each row written out the same way on both engines and the
// rows sorted by their bytes (not by any database collation). acrossEngines
// leaves the clusters' surrogate ids out.
func contentDigest(t *testing.T, db *store.DB, acrossEngines bool) (string, int) {
	t.Helper()
	h := sha256.New()
	total := 0
	if _, err := db.FoldBurden(context.Background()); err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(contentTables))
	for name := range contentTables {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, table := range names {
		skip := map[string]bool{}
		for _, c := range contentTables[table] {
			skip[c] = true
		}
		if c, ok := clusterIDs[table]; ok && acrossEngines {
			skip[c] = true
		}
		rows, err := db.SQL().Query("SELECT * FROM " + table)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatalf("%s: %v", table, err)
			}
			var b strings.Builder
			for i, v := range vals {
				if skip[cols[i]] {
					continue
				}
				b.WriteString(cols[i] + "=" + canonical(v) + "|")
			}
			lines = append(lines, b.String())
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		sort.Strings(lines)
		fmt.Fprintf(h, "%s %d\n", table, len(lines))
		for _, l := range lines {
			fmt.Fprintln(h, l)
		}
		total += len(lines)
	}
	return hex.EncodeToString(h.Sum(nil)), total
}

// canonical writes a value the same way whichever driver read it.
func canonical(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return strconv.Quote(string(x))
	case string:
		return strconv.Quote(x)
	case bool:
		if x {
			return "1"
		}
		return "0"
	case float64:
		return strconv.FormatFloat(x, 'g', 10, 64)
	case time.Time:
		return strconv.FormatInt(x.UnixMilli(), 10)
	case sql.RawBytes:
		return strconv.Quote(string(x))
	}
	return fmt.Sprint(v)
}

// The same seed gives the same data whatever the minute of the run: a
// demo generated just after midnight and one just before the next midnight
// (China time) of the same day hold the same channels, messages' findings
// and aggregates, cases, spot checks and scorecards, on each engine; and
// SQLite and PostgreSQL hold the same (but for the numbers of merged
// clusters).
func TestSameSeedSameDataAnyMinute(t *testing.T) {
	day := time.Date(2026, 12, 7, 0, 0, 0, 0, jianfu.China)
	digests := map[store.Engine]string{} // cluster ids left out
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			var got []string
			for _, at := range []time.Time{day.Add(7 * time.Minute), day.Add(23*time.Hour + 51*time.Minute)} {
				db := storetest.Open(t, e, store.WithClock(func() time.Time { return at }))
				if _, err := demo.Generate(context.Background(), db, demo.Options{Size: demo.Small}); err != nil {
					t.Fatalf("generate at %s: %v", at.Format("15:04"), err)
				}
				d, n := contentDigest(t, db, false)
				if n < 1000 {
					t.Fatalf("only %d rows of content: the digest would prove little", n)
				}
				got = append(got, d)
				digests[e], _ = contentDigest(t, db, true)
			}
			if got[0] != got[1] {
				t.Fatalf("generated at 00:07 and at 23:51 of the same day: different data (%s vs %s)", got[0], got[1])
			}
		})
	}
	if a, b := digests[store.SQLite], digests[store.Postgres]; a != "" && b != "" && a != b {
		t.Errorf("the same seed gives different data on SQLite (%s) and PostgreSQL (%s)", a, b)
	}
}
