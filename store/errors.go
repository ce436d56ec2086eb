package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"jianfu"
)

// noun names a kind of record for error messages, in both languages.
type noun struct{ zh, en string }

var (
	nUnit    = noun{"单位", "unit"}
	nUser    = noun{"用户", "user"}
	nRegion  = noun{"行政区划", "region"}
	nRecord  = noun{"记录", "record"}
	nSession = noun{"会话", "session"}
	nToken   = noun{"接口令牌", "API token"}
)

// translate turns a driver error into a domain error about a record of
// kind what. Errors that are already *jianfu.Error pass through.
func (db *DB) translate(err error, what noun) error {
	if err == nil {
		return nil
	}
	var je *jianfu.Error
	if errors.As(err, &je) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return jianfu.Errorf(jianfu.ENOTFOUND, "%[1]s不存在或不在您的管辖范围内", "%[2]s not found or outside your scope", what.zh, what.en)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if u := unavailable(err); u != nil {
		return u
	}
	switch classify(err) {
	case kindUnique:
		return jianfu.Errorf(jianfu.ECONFLICT, "%[1]s已存在(唯一字段重复)", "%[2]s already exists (a unique field is taken)", what.zh, what.en)
	case kindForeignKey:
		return jianfu.Errorf(jianfu.EINVALID, "%[1]s引用的记录不存在", "%[2]s refers to a record that does not exist", what.zh, what.en)
	case kindCheck:
		return jianfu.Errorf(jianfu.EINVALID, "%[1]s的字段取值无效", "%[2]s has an invalid value", what.zh, what.en)
	}
	return err
}

type errKind int

const (
	kindOther errKind = iota
	kindUnique
	kindForeignKey
	kindCheck
)

func classify(err error) errKind {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return kindUnique
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return kindForeignKey
		case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
			return kindCheck
		}
		return kindOther
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return kindUnique
		case "23503":
			return kindForeignKey
		case "23514", "23502":
			return kindCheck
		}
	}
	return kindOther
}

// isUnique reports whether err is a unique-constraint violation.
func isUnique(err error) bool { return classify(err) == kindUnique }

// errNoRows stands for "not visible": out-of-scope records answer exactly
// like missing ones, so their existence does not leak.
var errNoRows = sql.ErrNoRows
