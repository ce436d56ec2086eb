package main

import (
	"context"

	"jianfu"
	"jianfu/store"
	"jianfu/web"
)

// readyChecks are the conditions of /readyz: the database takes a write,
// the disk of a SQLite database keeps minFreeMB free, and in stream mode
// (stream non-nil) JetStream answers.
func readyChecks(db *store.DB, minFreeMB int, stream func(context.Context) error) []web.ReadyCheck {
	checks := []web.ReadyCheck{{Name: "database", Check: db.ProbeWrite}}
	if minFreeMB > 0 {
		checks = append(checks, web.ReadyCheck{Name: "disk", Check: func(context.Context) error {
			ds, ok, err := db.DiskSpace()
			if err != nil || !ok {
				return err
			}
			if free := ds.Free >> 20; free < uint64(minFreeMB) {
				// the answer is public: it names no path
				return jianfu.Errorf(jianfu.EUNAVAILABLE, "数据库所在磁盘仅剩 %d MB,低于 --min-free-disk-mb 的 %d MB:请清理磁盘或扩容",
					"the database's disk has %d MB left, under --min-free-disk-mb %d MB: free space or grow the disk", free, minFreeMB)
			}
			return nil
		}})
	}
	if stream != nil {
		checks = append(checks, web.ReadyCheck{Name: "stream", Check: stream})
	}
	return checks
}
