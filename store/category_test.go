package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// The burden aggregate has exactly one column per category, c_<code>, in
// the canonical order of jianfu.Categories: a category added (or moved)
// without a migration to match fails here.
func TestBurdenColumnsAreTheCategories(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rows, err := db.SQL().QueryContext(context.Background(), `SELECT * FROM burden_daily WHERE 1 = 0`)
		if err != nil {
			t.Fatal(err)
		}
		cols, err := rows.Columns()
		rows.Close()
		if err != nil {
			t.Fatal(err)
		}
		var got, want []string
		for _, c := range cols {
			if strings.HasPrefix(c, "c_") {
				got = append(got, c)
			}
		}
		for _, c := range jianfu.Categories {
			want = append(want, "c_"+string(c))
		}
		if !slices.Equal(got, want) {
			t.Errorf("burden_daily has the category columns %v, want %v", got, want)
		}
	})
}

// Each category's demands are counted in its own column and read back
// under its own code, through both the insert and the upsert of a day.
func TestBurdenCountsByCategory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := storetest.Load(t, db)
		g := storetest.Groups(t, db, f)["southEdu"]
		ctx := f.Ctx(t, db, "provSup")
		at := time.Date(2026, 3, 2, 10, 0, 0, 0, jianfu.China)
		var first, second []jianfu.Observation
		for i, c := range jianfu.Categories {
			for k := 0; k <= i; k++ { // i+1 demands of category i
				o := jianfu.Observation{Key: []byte(fmt.Sprintf("%s-%d", c, k)), GroupID: g.ID, At: at, Categories: c.Bit(), Demand: true}
				if k%2 == 0 {
					first = append(first, o)
				} else {
					second = append(second, o)
				}
			}
		}
		for _, batch := range [][]jianfu.Observation{first, second} {
			if _, err := db.Burden().RecordObservations(ctx, "api", batch); err != nil {
				t.Fatal(err)
			}
		}
		day := jianfu.DayOf(at)
		d, err := db.Burden().GroupBurden(ctx, g.ID, "day", day, day)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range jianfu.Categories {
			if n := d.Row.Metrics.ByCategory[string(c)]; n != i+1 {
				t.Errorf("%s: %d demands, want %d (all: %v)", c, n, i+1, d.Row.Metrics.ByCategory)
			}
		}
	})
}
