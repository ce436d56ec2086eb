package store

import (
	"fmt"
	"sync"
	"testing"
)

func (c *rebindCache) len() int {
	n := 0
	c.m.Range(func(_, _ any) bool { n++; return true })
	return n
}

// TestRebindCacheIsBounded feeds the cache ten times its capacity of
// distinct queries, as a built query with varying text would, and checks it
// never holds more than its bound while every answer stays right.
func TestRebindCacheIsBounded(t *testing.T) {
	var c rebindCache
	const constant = `SELECT name FROM units WHERE id = ? AND note <> '?'`
	for i := range 10 * rebindCacheMax {
		q := fmt.Sprintf(`SELECT id FROM channels WHERE unit_id = ? AND name LIKE ? LIMIT %d`, i)
		if got, want := c.get(q), fmt.Sprintf(`SELECT id FROM channels WHERE unit_id = $1 AND name LIKE $2 LIMIT %d`, i); got != want {
			t.Fatalf("get(%q) = %q, want %q", q, got, want)
		}
		if got := c.get(constant); got != `SELECT name FROM units WHERE id = $1 AND note <> '?'` {
			t.Fatalf("constant query: %q", got)
		}
		if n := c.len(); n > rebindCacheMax {
			t.Fatalf("after %d distinct queries the cache holds %d, more than %d", i+1, n, rebindCacheMax)
		}
	}
	if _, ok := c.m.Load(constant); !ok {
		t.Error("the constant query asked for just now is not cached")
	}
}

// TestRebindCacheConcurrent runs distinct and repeated queries from several
// goroutines (for the race detector): answers stay right and the size
// exceeds the bound by no more than the racing callers.
func TestRebindCacheConcurrent(t *testing.T) {
	var c rebindCache
	const workers = 8
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range 2 * rebindCacheMax {
				q := fmt.Sprintf(`DELETE FROM t WHERE a = ? AND b = %d AND c = ?`, w*1_000_000+i%(rebindCacheMax/2))
				want := fmt.Sprintf(`DELETE FROM t WHERE a = $1 AND b = %d AND c = $2`, w*1_000_000+i%(rebindCacheMax/2))
				if got := c.get(q); got != want {
					t.Errorf("get(%q) = %q", q, got)
					return
				}
			}
		})
	}
	wg.Wait()
	if n := c.len(); n > rebindCacheMax+workers {
		t.Errorf("the cache holds %d, more than %d+%d", n, rebindCacheMax, workers)
	}
}
