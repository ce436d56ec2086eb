package jianfu

import (
	"context"
	"strings"
)

// Level is the administrative level of a region (行政级别).
type Level string

const (
	LevelNational Level = "national" // 全国
	LevelProvince Level = "province" // 省级
	LevelCity     Level = "city"     // 地市级
	LevelCounty   Level = "county"   // 县级
	LevelTownship Level = "township" // 乡镇级
	LevelVillage  Level = "village"  // 村级
)

// Levels lists the levels from the top down.
var Levels = []Level{LevelNational, LevelProvince, LevelCity, LevelCounty, LevelTownship, LevelVillage}

// Rank is the depth of the level: 0 for national, 5 for village.
func (l Level) Rank() int {
	for i, x := range Levels {
		if x == l {
			return i
		}
	}
	return -1
}

// Region is an administrative division (行政区划) with its official code.
//
// Codes follow GB/T 2260 (6 digits, down to county) and the statistical
// division codes (统计用区划代码: 9 digits for townships, 12 for villages).
// Path is the code shortened to its significant prefix (2/4/6/9/12 digits,
// empty for the nation), so a region's whole subtree is every path that
// starts with its own.
type Region struct {
	Code       string `json:"code"`
	Path       string `json:"path"`
	Name       string `json:"name"`
	Level      Level  `json:"level"`
	ParentPath string `json:"parent_path"`
}

// NationalCode is the code of the root region, the nation.
const NationalCode = "000000"

// pathLengths maps the length of a short path to its level.
var pathLengths = map[int]Level{0: LevelNational, 2: LevelProvince, 4: LevelCity, 6: LevelCounty, 9: LevelTownship, 12: LevelVillage}

// ParseRegionCode reads an official or shortened division code and returns
// its canonical code, its short path and its level. It accepts the forms the
// public datasets use: "43", "4301", "430102", "430000", "430100",
// "430102001", "430102001000" (a 12-digit township) and "430102001001".
func ParseRegionCode(s string) (code, path string, level Level, err error) {
	s = strings.TrimSpace(s)
	for _, r := range s {
		if r < '0' || r > '9' {
			return "", "", "", Errorf(EINVALID, "区划代码“%s”含有非数字字符,应为2、4、6、9或12位数字", "division code %q must be 2, 4, 6, 9 or 12 digits", s)
		}
	}
	switch len(s) {
	case 2:
		path = s
	case 4:
		if s[2:] == "00" {
			return "", "", "", Errorf(EINVALID, "区划代码“%s”无效:地市级代码的第3、4位不能为00(省级请写2位或6位代码)", "division code %q: a city code cannot end in 00 (write a province as 2 or 6 digits)", s)
		}
		path = s
	case 6:
		path = strings.TrimSuffix(s, "00")
		if len(path) == 4 {
			path = strings.TrimSuffix(path, "00")
		}
		if path == "" || path == "00" {
			return NationalCode, "", LevelNational, nil
		}
	case 9:
		path = s
	case 12:
		switch {
		case strings.HasSuffix(s, "000000"):
			return ParseRegionCode(s[:6])
		case strings.HasSuffix(s, "000"):
			path = s[:9]
		default:
			path = s
		}
	default:
		return "", "", "", Errorf(EINVALID, "区划代码“%s”长度为%d位,应为2、4、6、9或12位数字", "division code %q has %d digits; use 2, 4, 6, 9 or 12", s, len(s))
	}
	if strings.HasPrefix(path, "00") {
		return "", "", "", Errorf(EINVALID, "区划代码“%s”无效:省级代码不能为00", "division code %q: the province part cannot be 00", s)
	}
	return CodeOfPath(path), path, pathLengths[len(path)], nil
}

// CodeOfPath returns the canonical official code of a short path.
func CodeOfPath(path string) string {
	switch len(path) {
	case 0:
		return NationalCode
	case 2:
		return path + "0000"
	case 4:
		return path + "00"
	}
	return path
}

// ParentPath returns the short path of the parent region ("" for a province
// and for the nation). A level the code skips — the "00" county part of a
// township directly under a city without counties (东莞 441900003) — is
// skipped here too.
func ParentPath(path string) string {
	switch len(path) {
	case 2, 0:
		return ""
	case 4:
		return path[:2]
	case 6:
		return path[:4]
	case 9:
		if path[4:6] == "00" {
			return ParentPath(path[:6])
		}
		return path[:6]
	case 12:
		return path[:9]
	}
	return ""
}

// Contains reports whether the region with short path sub lies in the subtree
// of the region with short path root.
func Contains(root, sub string) bool { return strings.HasPrefix(sub, root) }

// RegionFilter selects regions.
type RegionFilter struct {
	Parent *string // short path of the parent; "" for provinces
	Level  Level
	Query  string // name or code contains
	Page
}

// RegionService reads and imports administrative regions.
type RegionService interface {
	// FindRegion returns the region with the given code or short path.
	// ENOTFOUND when it is unknown or outside the caller's scope.
	FindRegion(ctx context.Context, code string) (*Region, error)
	// FindRegions lists regions in the caller's scope, and the total count.
	FindRegions(ctx context.Context, f RegionFilter) ([]*Region, int, error)
	// ImportRegions adds or renames regions in one transaction; EINVALID
	// (with Problems) when any row is wrong, in which case nothing is saved.
	// Requires the system administrator role.
	ImportRegions(ctx context.Context, regions []*Region) (int, error)
}

// Page asks for one page of a list.
type Page struct {
	Offset int
	Limit  int    // 0 means the default (50); at most 1000
	Sort   string // a column name, "-" prefix for descending
}

// Normalize clamps the page to sane bounds.
func (p Page) Normalize() Page {
	if p.Limit <= 0 {
		p.Limit = 50
	}
	if p.Limit > 1000 {
		p.Limit = 1000
	}
	if p.Offset < 0 {
		p.Offset = 0
	}
	return p
}
