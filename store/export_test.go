package store

import (
	"context"
	"fmt"
	"strings"
)

// SetExportBatch makes exports read n cases at a time, so tests reach the
// paging with a few cases; it returns the function that restores the size.
func SetExportBatch(n int) (restore func()) {
	old := exportBatch
	exportBatch = n
	return func() { exportBatch = old }
}

// MigrateUntil applies the migrations before the one whose file name ends
// in name, for tests of what that migration does to existing data.
func (db *DB) MigrateUntil(ctx context.Context, name string) error {
	migs, err := Migrations()
	if err != nil {
		return err
	}
	for i, m := range migs {
		if strings.HasSuffix(m.Name, name) {
			_, err := db.migrate(ctx, migs[:i])
			return err
		}
	}
	return fmt.Errorf("no migration named …%s", name)
}

// CutFolds makes every fold of the burden journal fail with err after it
// wrote the burden tables, before its commit (nil: folds commit again).
func (db *DB) CutFolds(err error) {
	if err == nil {
		db.foldCut.Store(nil)
		return
	}
	db.foldCut.Store(&err)
}

// FoldJournalOnly folds the burden journal into the days and weeks and
// leaves the touched groups' current windows stale, as the background
// folder does between its recomputations.
func (db *DB) FoldJournalOnly(ctx context.Context) (int, error) {
	return db.foldJournal(ctx, false, false)
}

// StopBackgroundFolds ends the background folder; only reads and
// FoldBurden fold from then on.
func (db *DB) StopBackgroundFolds() { db.stopFolding() }
