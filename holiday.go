package jianfu

import (
	"context"
	"time"
)

// HolidayFile is a holiday schedule (法定节假日与调休安排) a system
// administrator uploaded: the file as given, in the format of
// calendar.Supplement, the years it covers, who uploaded it and when.
// Every replica applies the stored files over the built-in data, the
// later upload winning for a year both cover.
type HolidayFile struct {
	ID          int64
	First, Last int // years covered
	Content     string
	UploadedBy  string // login name
	Uploader    string // the person's name with their office, for pages
	UploadedAt  time.Time
}

// HolidayService keeps uploaded holiday schedules.
type HolidayService interface {
	// SaveHolidays checks a schedule against the built-in data and the
	// schedules stored before (calendar.Check), stores it and applies it
	// on this replica. Only a system administrator may; a bad file is a
	// Chinese error naming the line at fault and nothing is stored.
	SaveHolidays(ctx context.Context, content []byte) (*HolidayFile, error)
	// HolidayFiles lists the stored schedules, oldest first.
	HolidayFiles(ctx context.Context) ([]*HolidayFile, error)
}
