package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"unicode/utf8"

	"jianfu"
	"jianfu/calendar"
)

// Holidays keeps the holiday schedules system administrators upload
// (法定节假日与调休安排) and applies them to this process's calendar.
type Holidays struct{ db *DB }

func (db *DB) Holidays() *Holidays { return &Holidays{db} }

var _ jianfu.HolidayService = (*Holidays)(nil)

// SetHolidaysFile sets the schedule given to the command (--holidays), which
// Apply lays under the uploaded ones.
func (db *DB) SetHolidaysFile(data []byte) { db.holidaysFile = data }

// maxHolidayFile bounds an uploaded schedule: a year is about 40 lines.
const maxHolidayFile = 64 << 10

// SaveHolidays checks, stores, audits and applies an uploaded schedule.
func (s *Holidays) SaveHolidays(ctx context.Context, content []byte) (*jianfu.HolidayFile, error) {
	a, err := jianfu.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.Has(jianfu.RoleSysAdmin) {
		return nil, forbidden("节假日安排由系统管理员载入", "holiday schedules are loaded by a system administrator")
	}
	if len(content) == 0 {
		return nil, jianfu.Errorf(jianfu.EINVALID, "请选择节假日安排文件", "choose a holiday schedule file")
	}
	if len(content) > maxHolidayFile || !utf8.Valid(content) {
		return nil, jianfu.Errorf(jianfu.EINVALID, "文件不是节假日安排:应为 UTF-8 编码的文本文件,不超过 64 KB", "the file is not a holiday schedule: want UTF-8 text of at most 64 KB")
	}
	if _, _, err := calendar.Check(content); err != nil {
		return nil, holidayError(err)
	}
	f := &jianfu.HolidayFile{Content: string(content), UploadedBy: a.Username, Uploader: a.Name}
	if a.UnitName != "" {
		f.Uploader += "(" + a.UnitName + ")"
	}
	var files [][]byte
	err = s.db.inTx(ctx, func(tx *Tx) error {
		stored, err := s.files(tx.query)
		if err != nil {
			return err
		}
		files = append([][]byte{s.db.holidaysFile}, contents(stored)...)
		files = append(files, content)
		if _, _, err := calendar.Check(files...); err != nil {
			return holidayError(err)
		}
		f.First, f.Last = yearsOf(content)
		f.UploadedAt = tx.now
		if f.ID, err = tx.insertID(`INSERT INTO holiday_files(first_year, last_year, content, uploaded_by, uploader, uploaded_at) VALUES (?, ?, ?, ?, ?, ?)`,
			f.First, f.Last, f.Content, f.UploadedBy, f.Uploader, ms(tx.now)); err != nil {
			return err
		}
		return tx.audit("calendar.holidays", "holidays", f.ID, a.RegionPath, yearsLabel(f.First, f.Last))
	})
	if err != nil {
		return nil, err
	}
	if _, _, err := calendar.Supplement(files...); err != nil {
		return nil, holidayError(err)
	}
	return f, nil
}

// HolidayFiles lists the stored schedules, oldest first. The schedule is
// public knowledge: any signed-in person may read it, unaudited.
func (s *Holidays) HolidayFiles(ctx context.Context) ([]*jianfu.HolidayFile, error) {
	if _, err := jianfu.RequireActor(ctx); err != nil {
		return nil, err
	}
	return s.files(func(q string, args ...any) (*sql.Rows, error) { return s.db.query(ctx, q, args...) })
}

// Apply lays the --holidays file and then the stored schedules, oldest
// first, over the built-in data (calendar.Supplement): for a year several
// cover, the newest upload wins. It returns the years now covered.
func (s *Holidays) Apply(ctx context.Context) (first, last int, err error) {
	stored, err := s.files(func(q string, args ...any) (*sql.Rows, error) { return s.db.query(ctx, q, args...) })
	if err != nil {
		return 0, 0, err
	}
	return calendar.Supplement(append([][]byte{s.db.holidaysFile}, contents(stored)...)...)
}

func (s *Holidays) files(query func(string, ...any) (*sql.Rows, error)) ([]*jianfu.HolidayFile, error) {
	rows, err := query(`SELECT id, first_year, last_year, content, uploaded_by, uploader, uploaded_at FROM holiday_files ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*jianfu.HolidayFile
	for rows.Next() {
		f := &jianfu.HolidayFile{}
		var at int64
		if err := rows.Scan(&f.ID, &f.First, &f.Last, &f.Content, &f.UploadedBy, &f.Uploader, &at); err != nil {
			return nil, err
		}
		f.UploadedAt = fromMS(at)
		out = append(out, f)
	}
	return out, rows.Err()
}

func contents(fs []*jianfu.HolidayFile) [][]byte {
	out := make([][]byte, len(fs))
	for i, f := range fs {
		out[i] = []byte(f.Content)
	}
	return out
}

// yearsOf reads the years line of a schedule calendar.Check accepted.
func yearsOf(content []byte) (first, last int) {
	for _, line := range strings.Split(string(content), "\n") {
		f := strings.Fields(strings.TrimPrefix(line, "\uFEFF"))
		if len(f) == 3 && f[0] == "years" {
			first, _ = strconv.Atoi(f[1])
			last, _ = strconv.Atoi(f[2])
			return
		}
	}
	return
}

func yearsLabel(first, last int) string {
	if first == last {
		return strconv.Itoa(first) + " 年"
	}
	return strconv.Itoa(first) + "–" + strconv.Itoa(last) + " 年"
}

// holidayError turns the calendar's message into the Chinese one it
// carries in parentheses (which names the line at fault), English kept.
func holidayError(err error) error {
	msg := err.Error()
	zh := msg
	if i := strings.LastIndex(msg, " ("); i >= 0 && strings.HasSuffix(msg, ")") {
		zh = msg[i+2 : len(msg)-1]
	}
	return &jianfu.Error{Code: jianfu.EINVALID, Message: "节假日安排文件有误,未载入:" + zh,
		English: "the holiday schedule is wrong and was not loaded: " + strings.TrimPrefix(msg, "calendar: ")}
}
