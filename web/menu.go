package web

import (
	"strings"

	"jianfu"
)

// areaPrefixes maps the first segment of a page's path to the area whose
// menu entry leads there; a page of an area the caller's roles do not use
// is refused, as its menu entry is hidden (jianfu.Actor.MayUse). The
// public pages (典型案例, complaints, verification) are not listed.
var areaPrefixes = map[string]jianfu.Area{
	"registry":       jianfu.AreaRegistry,
	"burden":         jianfu.AreaBurden,
	"cases":          jianfu.AreaCases,
	"campaigns":      jianfu.AreaCampaigns,
	"checklists":     jianfu.AreaCampaigns,
	"rectifications": jianfu.AreaCampaigns,
	"forms":          jianfu.AreaCampaigns,
	"evaluation":     jianfu.AreaEvaluation,
	"cleanup":        jianfu.AreaCleanup,
	"rules":          jianfu.AreaRules,
	"admin":          jianfu.AreaAdmin,
	"units":          jianfu.AreaAdmin,
	"users":          jianfu.AreaAdmin,
	"regions":        jianfu.AreaAdmin,
	"audit":          jianfu.AreaAdmin,
}

// AreaOf is the area of a page's path, "" for none: a page of an area
// the caller's roles do not use is refused.
func AreaOf(path string) jianfu.Area { return areaOf(path) }

func areaOf(path string) jianfu.Area {
	first, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	return areaPrefixes[first]
}

// menuEntry is one entry of the main menu.
type menuEntry struct {
	Area jianfu.Area
	Path string
}

// Menu lists the menu entries the caller's roles use, in order.
func (p *page) Menu() []menuEntry {
	var out []menuEntry
	for _, a := range jianfu.Areas {
		if p.Actor.MayUse(a) {
			out = append(out, menuEntry{Area: a, Path: "/" + string(a)})
		}
	}
	return out
}
