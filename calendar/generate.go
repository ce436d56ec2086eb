package calendar

// holidays.txt comes from lunar-go's official holiday schedules;
// `go generate ./calendar` rewrites it and calendar_test.go checks the
// committed file agrees.
//go:generate go run gen_holidays.go
