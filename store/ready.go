package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"jianfu"
)

// ProbeWrite writes one row, so /readyz knows the database takes writes
// now: not read-only, not locked past the caller's deadline, not full.
func (db *DB) ProbeWrite(ctx context.Context) error {
	_, err := db.exec(ctx, `INSERT INTO readiness_probe(id, probed_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at`, ms(db.Now()))
	if err == nil {
		return nil
	}
	if jianfu.ErrorCode(err) != jianfu.EINTERNAL {
		return err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return jianfu.Errorf(jianfu.EUNAVAILABLE, "数据库在时限内未能完成一次写入(繁忙或被锁)", "the database did not complete a write in time (busy or locked)")
	}
	// /readyz is public: the driver's words go to the log only
	db.log.Warn("readiness: the write probe failed", "err", err)
	return jianfu.Errorf(jianfu.EUNAVAILABLE, "数据库无法写入(详情见服务器日志)", "the database cannot write (details in the server log)")
}

// DiskSpace is the room left where the database keeps its files.
type DiskSpace struct {
	Dir        string
	Free, Size uint64 // bytes
}

// DiskSpace returns the free room of the SQLite database's directory; ok is
// false on PostgreSQL (its disk is the server's, watched there) and where
// the platform cannot tell.
func (db *DB) DiskSpace() (DiskSpace, bool, error) {
	if db.engine != SQLite {
		return DiskSpace{}, false, nil
	}
	dir := filepath.Dir(db.dsn)
	free, size, ok, err := diskSpace(dir)
	if err != nil {
		return DiskSpace{}, false, fmt.Errorf("statfs %s: %w", dir, err)
	}
	return DiskSpace{Dir: dir, Free: free, Size: size}, ok, nil
}

// errDiskFull is the answer to a write the disk has no room for.
func errDiskFull() error {
	return jianfu.Errorf(jianfu.EUNAVAILABLE, "服务器磁盘已满,数据未保存:请稍后再试,并请管理员清理磁盘", "the server's disk is full and nothing was saved; try again later and ask an administrator to free space")
}

// unavailable turns a busy or full database into EUNAVAILABLE, and
// returns nil for other errors.
func unavailable(err error) error {
	if err == nil {
		return nil
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return errBusy()
		case sqlite3.SQLITE_FULL:
			return errDiskFull()
		}
		return nil
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "53100": // disk_full
			return errDiskFull()
		case "53200", "53300", "57P03": // out of memory, too many connections, cannot connect now
			return errBusy()
		}
	}
	return nil
}
