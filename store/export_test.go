package store

// SetExportBatch makes exports read n cases at a time, so tests reach the
// paging with a few cases; it returns the function that restores the size.
func SetExportBatch(n int) (restore func()) {
	old := exportBatch
	exportBatch = n
	return func() { exportBatch = old }
}
