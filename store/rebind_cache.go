package store

import (
	"sync"
	"sync/atomic"
)

// rebindCacheMax bounds the rebind cache. The store's constant queries
// number a few hundred; the rest of the room is for the shapes of built
// queries (list filters, IN lists, batch inserts) that recur.
const rebindCacheMax = 1024

// rebindCache remembers the PostgreSQL text of queries written with ?
// placeholders, holding at most about rebindCacheMax of them: a query built
// with text that varies with its input (a filter, a batch of n rows) is a
// new key each time, and an unbounded map would keep every one for the life
// of the process. When full it starts afresh: the constant queries come back
// at the cost of one rebind each, and lookups stay lock-free (sync.Map).
type rebindCache struct {
	m sync.Map     // query text → engine text
	n atomic.Int64 // entries stored since the last clear
}

// get returns query rewritten by rebind, from the cache when it is there.
func (c *rebindCache) get(query string) string {
	if v, ok := c.m.Load(query); ok {
		return v.(string)
	}
	r := rebind(query)
	// Count before storing, so the map never holds more than the count
	// says, except for stores racing with a clear (at most one per
	// concurrent caller, gone at the next clear).
	if c.n.Add(1) > rebindCacheMax {
		c.m.Clear()
		c.n.Store(1)
	}
	c.m.Store(query, r)
	return r
}
