package store

import (
	"context"
	"os"
	"path/filepath"

	"jianfu"
)

// Backup writes a consistent copy of a SQLite database to path while the
// database stays in use (VACUUM INTO), then checks the copy's audit chain.
// PostgreSQL databases are backed up with the server's own tools.
func (db *DB) Backup(ctx context.Context, path string) (*jianfu.AuditVerification, error) {
	if db.engine != SQLite {
		return nil, jianfu.Errorf(jianfu.EINVALID, "PostgreSQL 数据库请用 pg_dump 备份(例如:pg_dump -Fc -f jianfu.dump %s)", "back up PostgreSQL with pg_dump (e.g. pg_dump -Fc -f jianfu.dump %s)", db.dsn)
	}
	if _, err := os.Stat(path); err == nil {
		return nil, jianfu.Errorf(jianfu.ECONFLICT, "备份文件 %s 已存在,请换一个文件名或先移走它", "the backup file %s exists; choose another name or move it away", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, err
	}
	if _, err := db.sql.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return nil, jianfu.Errorf(jianfu.EINVALID, "备份失败:%v", "backup failed: %v", err)
	}
	copy, err := Open(ctx, path, WithLogger(db.log), WithAuditKey(db.auditKey))
	if err != nil {
		return nil, err
	}
	defer copy.Close()
	return copy.Audit().VerifyAudit(jianfu.WithActor(ctx, jianfu.SystemActor("backup")))
}
