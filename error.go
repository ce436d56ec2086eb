// Package jianfu holds the domain of the jianfu platform: regions, units,
// users and their roles, the audit log, and the services the adapters
// (store, web, command line) implement or call. It does no I/O.
package jianfu

import (
	"errors"
	"fmt"
)

// Error codes. The web layer maps each to one HTTP status.
const (
	EINVALID      = "invalid"      // the input is wrong; the message says how to fix it
	ENOTFOUND     = "not_found"    // no such record in the caller's scope
	ECONFLICT     = "conflict"     // the record exists already or changed meanwhile
	EUNAUTHORIZED = "unauthorized" // not logged in, or bad credentials
	EFORBIDDEN    = "forbidden"    // logged in, but the role does not allow it
	ETOOMANY      = "too_many"     // rate limited or locked out
	ETOOLARGE     = "too_large"    // the request or an uploaded file is larger than accepted
	EUNAVAILABLE  = "unavailable"  // busy or out of room for now; nothing was saved, try again later
	EINTERNAL     = "internal"     // a bug or an outage; details only in the log
)

// Error is an error safe to show to a user, in Chinese and in English.
type Error struct {
	Code    string
	Message string // Simplified Chinese
	English string
	// Problems lists per-item problems (rows of an import, fields of a form).
	Problems []Problem
}

// Problem is one thing wrong with one item of a larger input.
type Problem struct {
	Row     int    `json:"row,omitempty"`   // 1-based data row of a file, 0 when not a row
	Field   string `json:"field,omitempty"` // column or field name
	Message string `json:"message"`         // Chinese
	English string `json:"english,omitempty"`
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with a Chinese and an English message formatted
// from the same arguments.
func Errorf(code, zh, en string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(zh, args...), English: fmt.Sprintf(en, args...)}
}

// ErrorCode returns the code of err, EINTERNAL for errors that are not *Error.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err in the language lang
// ("en" or Chinese otherwise); errors that are not *Error read "internal error".
func ErrorMessage(err error, lang string) string {
	var e *Error
	if errors.As(err, &e) {
		if lang == "en" && e.English != "" {
			return e.English
		}
		return e.Message
	}
	if lang == "en" {
		return "internal error"
	}
	return "系统内部错误,请稍后再试或联系管理员"
}

// Localize returns the message of a problem in the given language.
func (p Problem) Localize(lang string) string {
	if lang == "en" && p.English != "" {
		return p.English
	}
	return p.Message
}
