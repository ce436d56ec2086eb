package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/cobra"

	"jianfu"
	"jianfu/calendar"
	"jianfu/store"
)

// holidaysFile is the content of the --holidays file, "" without one;
// serve keeps it under the schedules uploaded on the 系统管理 page.
var holidaysFile []byte

// holidaysFlag adds --holidays (JIANFU_HOLIDAYS) to every command: a file of
// holiday data for years the binary does not carry yet, loaded before the
// command runs so deadlines, working time and the detector all count with it.
// Under serve, schedules uploaded on the 系统管理 page (节假日安排) are laid
// over it: for a year both cover, the upload wins.
func holidaysFlag(root *cobra.Command) {
	var path string
	root.PersistentFlags().StringVar(&path, "holidays", os.Getenv("JIANFU_HOLIDAYS"),
		"补充的法定节假日与调休数据文件(格式同内置数据:years 起始年 结束年,然后每行“日期 H|W 节日名”),用于程序尚未内置的年份")
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		if path == "" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return usageError{fmt.Sprintf("读不到节假日数据文件:%v", err)}
		}
		if len(data) == 0 {
			return usageError{fmt.Sprintf("节假日数据文件 %s 是空的", path)}
		}
		if _, _, err := calendar.Supplement(data); err != nil {
			return usageError{fmt.Sprintf("节假日数据文件 %s 有误:%v", path, err)}
		}
		holidaysFile = data
		return nil
	}
}

// warnCalendar logs, at start, a year that deadlines will soon count
// without its holidays.
func warnCalendar(log *slog.Logger, now time.Time) {
	cal := calendar.Default()
	if y := cal.Uncovered(now); y != 0 {
		first, last := cal.Years()
		log.Warn("节假日数据不含该年:该年只按周末计算工作日;国务院办公厅公布安排后请在“系统管理 → 节假日安排”载入",
			"year", y, "covered", fmt.Sprintf("%d–%d", first, last))
	}
}

// holidayReload is how often a serving process reloads the uploaded
// holiday schedules, so one uploaded on another replica counts here too.
const holidayReload = 5 * time.Minute

// loadHolidays applies the --holidays file and the uploaded schedules now
// and then every holidayReload until ctx ends, on every replica (not a
// leased job: each process has its own calendar). A failure is logged and
// keeps the schedule already loaded.
func loadHolidays(ctx context.Context, db *store.DB, log *slog.Logger) error {
	db.SetHolidaysFile(holidaysFile)
	h := db.Holidays()
	sys := jianfu.WithActor(ctx, jianfu.SystemActor("holidays"))
	if _, _, err := h.Apply(sys); err != nil {
		return fmt.Errorf("载入节假日安排:%w", err)
	}
	tick(ctx, holidayReload, func() {
		if _, _, err := h.Apply(sys); err != nil && ctx.Err() == nil {
			log.Error("reload holiday schedules", "err", err)
		}
	})
	return nil
}

func newCalendarCmd() *cobra.Command {
	var year int
	cmd := &cobra.Command{
		Use:   "calendar",
		Short: "查看法定节假日与调休数据:覆盖年份、某年的放假与调休上班日",
		Long: "查看本程序内置的法定节假日与调休数据(网页上“系统管理 → 节假日安排”载入的不在此列)。加 --holidays FILE 可先检查补充文件是否有误、补充后某年的安排是否正确。\n" +
			"例:jianfu calendar --holidays 2027.txt --year 2027",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			printCalendar(cmd.OutOrStdout(), calendar.Default(), year, time.Now())
			return nil
		},
	}
	cmd.Flags().IntVar(&year, "year", 0, "列出这一年的放假日和调休上班日")
	return cmd
}

func printCalendar(out io.Writer, cal *calendar.Calendar, year int, now time.Time) {
	first, last := cal.Years()
	fmt.Fprintf(out, "节假日与调休数据覆盖 %d–%d 年。\n", first, last)
	if y := cal.Uncovered(now); y != 0 {
		fmt.Fprintf(out, "注意:%d 年的安排尚未载入,该年只按周六、周日休息计算工作日;公布后请在网页“系统管理 → 节假日安排”载入。\n", y)
	}
	if year == 0 {
		return
	}
	if !cal.Covers(year) {
		fmt.Fprintf(out, "%d 年不在数据范围内:只有周六、周日休息。\n", year)
		return
	}
	off, makeup := 0, 0
	for d := time.Date(year, 1, 1, 0, 0, 0, 0, jianfu.China); d.Year() == year; d = d.AddDate(0, 0, 1) {
		name, isMakeup, ok := cal.Holiday(d)
		if !ok {
			continue
		}
		what := "放假"
		if isMakeup {
			what = "调休上班"
			makeup++
		} else {
			off++
		}
		fmt.Fprintf(out, "%s %s %s %s\n", d.Format("2006-01-02"), weekdays[d.Weekday()], what, name)
	}
	fmt.Fprintf(out, "%d 年:放假 %d 天,调休上班 %d 天,全年工作日 %d 天。\n", year, off, makeup,
		cal.WorkdaysBetween(time.Date(year-1, 12, 31, 0, 0, 0, 0, jianfu.China), time.Date(year, 12, 31, 0, 0, 0, 0, jianfu.China)))
}

var weekdays = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}
