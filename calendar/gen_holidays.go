//go:build ignore

// gen_holidays writes holidays.txt from github.com/6tail/lunar-go's
// HolidayUtil (official 国务院办公厅 schedules). Run `go run gen_holidays.go`
// in this directory (or `go generate ./calendar`); calendar_test.go checks
// the file still agrees.
package main

import (
	"bufio"
	"fmt"
	"os"

	"github.com/6tail/lunar-go/HolidayUtil"
)

// Years the official schedule has been published for and checked.
const firstYear, lastYear = 2002, 2026

func main() {
	f, err := os.Create("holidays.txt")
	if err != nil {
		panic(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "# 法定节假日与调休上班日 %d–%d, from github.com/6tail/lunar-go v1.4.7 HolidayUtil (国务院办公厅 notices).\n", firstYear, lastYear)
	fmt.Fprintln(w, "# date kind name; kind H = holiday (no work), W = 调休 working day on a weekend")
	fmt.Fprintf(w, "years %d %d\n", firstYear, lastYear)
	for y := firstYear; y <= lastYear; y++ {
		l := HolidayUtil.GetHolidaysByYear(y)
		for e := l.Front(); e != nil; e = e.Next() {
			h := e.Value.(*HolidayUtil.Holiday)
			kind := "H"
			if h.IsWork() {
				kind = "W"
			}
			fmt.Fprintf(w, "%s %s %s\n", h.GetDay(), kind, h.GetName())
		}
	}
	w.Flush()
	f.Close()
}
