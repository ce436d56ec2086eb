package main

import (
	"context"
	"strings"
	"testing"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// The checks of /readyz on a working database pass; a disk with less room
// than asked for fails the disk check, naming the directory and the flag.
func TestReadyChecks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, c := range readyChecks(db, 1, nil) {
			if err := c.Check(ctx); err != nil {
				t.Errorf("%s: %v", c.Name, err)
			}
		}
		checks := readyChecks(db, 1<<40, nil) // a petabyte free: never
		if db.Engine() == store.Postgres {
			// the server's disk is watched on the server
			for _, c := range checks {
				if err := c.Check(ctx); err != nil {
					t.Errorf("%s on PostgreSQL: %v", c.Name, err)
				}
			}
			return
		}
		var disk error
		for _, c := range checks {
			if c.Name == "disk" {
				disk = c.Check(ctx)
			}
		}
		if jianfu.ErrorCode(disk) != jianfu.EUNAVAILABLE || !strings.Contains(disk.Error(), "--min-free-disk-mb") || !strings.Contains(disk.Error(), "仅剩") {
			t.Fatalf("disk check with too little room: %v", disk)
		}
	})
}
