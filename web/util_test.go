package web_test

import (
	"strconv"

	"jianfu"
)

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

func unitQuery(q string) jianfu.UnitFilter { return jianfu.UnitFilter{Query: q} }
