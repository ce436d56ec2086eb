package web

import (
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"

	"jianfu"
	"jianfu/calendar"
)

// 节假日安排 (系统管理): the years the working-day calendar covers, built in
// and uploaded, the days off and 调休 working days of a chosen year, and a
// form to upload the coming year's schedule once the State Council
// publishes it. An upload applies at once on this replica; every other one
// loads it within minutes (jianfu serve reloads the stored schedules).

func (s *Server) holidayPages(mux *http.ServeMux) {
	mux.Handle("GET /admin/holidays", s.h(s.login(s.showHolidays)))
	mux.Handle("POST /admin/holidays", s.h(capBody(maxHolidayUpload, s.login(s.uploadHolidays))))
}

// maxHolidayUpload caps the form: the store takes schedules of 64 KB.
const maxHolidayUpload = 128 << 10

// holidayDay is one row of a year's table.
type holidayDay struct {
	Date    time.Time
	Weekday int // 0 Sunday
	Makeup  bool
	Name    string
}

func (s *Server) holidaysOn(r *http.Request) error {
	if s.svc.Holidays == nil {
		return jianfu.Errorf(jianfu.ENOTFOUND, "本服务未提供节假日安排管理", "holiday schedules are not managed by this server")
	}
	if a := info(r).actor; !a.Has(jianfu.RoleSysAdmin) {
		return jianfu.Errorf(jianfu.EFORBIDDEN, "无权查看:节假日安排由系统管理员管理", "not allowed: holiday schedules are managed by the system administrator")
	}
	return nil
}

func (s *Server) showHolidays(w http.ResponseWriter, r *http.Request) error {
	if err := s.holidaysOn(r); err != nil {
		return err
	}
	year, _ := strconv.Atoi(r.URL.Query().Get("year"))
	return s.renderHolidays(w, r, year, nil, 0)
}

func (s *Server) renderHolidays(w http.ResponseWriter, r *http.Request, year int, formErr error, status int) error {
	files, err := s.svc.Holidays.HolidayFiles(r.Context())
	if err != nil {
		return err
	}
	slices.Reverse(files) // newest first
	cal := calendar.Default()
	now := s.now()
	first, last := cal.Years()
	if year == 0 {
		year = min(now.In(jianfu.China).Year()+1, last)
	}
	var years []int
	for y := last; y >= first; y-- {
		years = append(years, y)
	}
	var days []holidayDay
	off, makeup := 0, 0
	for d := time.Date(year, 1, 1, 0, 0, 0, 0, jianfu.China); d.Year() == year && cal.Covers(year); d = d.AddDate(0, 0, 1) {
		name, isMakeup, ok := cal.Holiday(d)
		if !ok {
			continue
		}
		if isMakeup {
			makeup++
		} else {
			off++
		}
		days = append(days, holidayDay{Date: d, Weekday: int(d.Weekday()), Makeup: isMakeup, Name: name})
	}
	bf, bl := calendar.BuiltIn()
	p := s.newPage(r, "admin")
	p.Title = p.T("holidays.title")
	p.Error, p.Status = formErr, status
	p.Data = map[string]any{"First": first, "Last": last, "BuiltInFirst": bf, "BuiltInLast": bl, "Files": files,
		"Years": years, "Year": year, "Covered": cal.Covers(year), "Days": days, "Off": off, "Makeup": makeup,
		"Missing": cal.Uncovered(now), "Saved": r.URL.Query().Get("saved"),
		"Workdays": cal.WorkdaysBetween(time.Date(year-1, 12, 31, 0, 0, 0, 0, jianfu.China), time.Date(year, 12, 31, 0, 0, 0, 0, jianfu.China))}
	s.render(w, r, "holidays", p)
	return nil
}

func (s *Server) uploadHolidays(w http.ResponseWriter, r *http.Request) error {
	if err := s.holidaysOn(r); err != nil {
		return err
	}
	back := func(err error, status int) error { return s.renderHolidays(w, r, 0, err, status) }
	file, _, err := r.FormFile("file") // the route caps the body
	if err != nil {
		return back(jianfu.Errorf(jianfu.EINVALID, "请选择节假日安排文件(文本文件,格式见下方示例)", "choose a holiday schedule file (text, in the format shown below)"), http.StatusBadRequest)
	}
	defer file.Close()
	data, err := io.ReadAll(file)
	if err != nil {
		return err
	}
	var saved *jianfu.HolidayFile
	return formAction(w, r, func() (string, error) {
		var err error
		saved, err = s.svc.Holidays.SaveHolidays(r.Context(), data)
		if err != nil {
			return "", err
		}
		return "/admin/holidays?saved=1&year=" + strconv.Itoa(saved.First), nil
	}, back)
}
