package store_test

import (
	"database/sql"
	"testing"
	"time"

	"jianfu"
	"jianfu/store"
	"jianfu/store/storetest"
)

// lockSQLite holds the write lock of a SQLite file from another handle, as
// another process would, until the returned function is called.
func lockSQLite(t *testing.T, path string) func() {
	t.Helper()
	other, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	tx, err := other.Begin()
	if err != nil {
		t.Fatal(err)
	}
	return func() {
		tx.Rollback()
		other.Close()
	}
}

// A write that cannot get a busy SQLite database is answered EUNAVAILABLE
// ("try again"), stores nothing, and the next one succeeds.
func TestBusyDatabaseAnswersUnavailable(t *testing.T) {
	path := storetest.DSN(t, store.SQLite)
	db := storetest.OpenDSN(t, path, store.WithBusyTimeout(100*time.Millisecond))
	f := storetest.Load(t, db)
	ctx := f.Ctx(t, db, "provAdmin")
	unit := f.Units["southEdu"]
	name := "江南区教育局(改名)"

	unlock := lockSQLite(t, path)
	_, err := db.Units().UpdateUnit(ctx, unit.ID, jianfu.UnitUpdate{Name: &name})
	if code(err) != jianfu.EUNAVAILABLE {
		unlock()
		t.Fatalf("write while another process holds the database: %v, want unavailable", err)
	}
	unlock()
	if u, _ := db.Units().FindUnitByID(ctx, unit.ID); u.Name != unit.Name {
		t.Fatalf("the refused write was stored: %q", u.Name)
	}
	if _, err := db.Units().UpdateUnit(ctx, unit.ID, jianfu.UnitUpdate{Name: &name}); err != nil {
		t.Fatalf("write after the lock is gone: %v", err)
	}
}
