package jianfu

import (
	"sort"
	"time"
)

// OverdueBoard is the overdue picture of the caller's scope: per
// responsible unit and per region one level below the caller's.
type OverdueBoard struct {
	Units     []*OverdueRow `json:"units"`
	Regions   []*OverdueRow `json:"regions"`
	Open      int           `json:"open"`
	Overdue   int           `json:"overdue"`
	DueSoon   int           `json:"due_soon"`
	Escalated int           `json:"escalated"`
}

// OverdueRow is one line of the board.
type OverdueRow struct {
	ID          int64  `json:"id,omitempty"`   // unit id
	Path        string `json:"path,omitempty"` // region path
	Name        string `json:"name"`
	Open        int    `json:"open"`
	Overdue     int    `json:"overdue"`
	Escalated   int    `json:"escalated"`
	MaxWorkdays int    `json:"max_overdue_workdays"` // the longest overdue, in working days
}

// OverdueTally counts the open cases of a scope into an OverdueBoard, one
// case at a time: per responsible unit while the unit owes the work, and
// per region one level below the scope's own (base).
type OverdueTally struct {
	base    string
	board   OverdueBoard
	units   map[int64]*OverdueRow
	regions map[string]*OverdueRow
}

// NewOverdueTally starts a board for the scope of region base ("" for the
// nation).
func NewOverdueTally(base string) *OverdueTally {
	return &OverdueTally{base: base, units: map[int64]*OverdueRow{}, regions: map[string]*OverdueRow{}}
}

// Add counts an open case as of now: overdue with its working days late
// (counted from the deadline's day, so a deadline missed only over a
// weekend counts 0 days), due soon once reminded, escalated above the
// local office.
func (t *OverdueTally) Add(c *Case, cal WorkdayCounter, now time.Time) {
	b := &t.board
	b.Open++
	overdue := c.DueAt != nil && !now.Before(*c.DueAt)
	days := 0
	if overdue {
		b.Overdue++
		days = cal.WorkdaysBetween(c.DueAt.Add(-24*time.Hour), now)
	} else if c.RemindedAt != nil {
		b.DueSoon++
	}
	escalated := c.EscalationLevel > 0
	if escalated {
		b.Escalated++
	}
	count := func(r *OverdueRow) {
		r.Open++
		if overdue {
			r.Overdue++
			r.MaxWorkdays = max(r.MaxWorkdays, days)
		}
		if escalated {
			r.Escalated++
		}
	}
	if c.UnitID != 0 && c.Stage.UnitStage() {
		r := t.units[c.UnitID]
		if r == nil {
			r = &OverdueRow{ID: c.UnitID, Name: c.UnitName}
			t.units[c.UnitID] = r
		}
		count(r)
	}
	child := childRegion(t.base, c.RegionPath)
	if child == "" {
		child = t.base // a case at the scope's own level: 本级
	}
	r := t.regions[child]
	if r == nil {
		r = &OverdueRow{Path: child}
		t.regions[child] = r
	}
	count(r)
}

// Board returns the board: the regions named by name, the scope's own
// marked 本级, and both lists ranked with the most overdue first, then the
// longest overdue, then the most open, then by name.
func (t *OverdueTally) Board(name func(path string) string) *OverdueBoard {
	b := t.board
	for _, r := range t.units {
		b.Units = append(b.Units, r)
	}
	for path, r := range t.regions {
		r.Name = name(path)
		if path == t.base {
			r.Name += "(本级)"
		}
		b.Regions = append(b.Regions, r)
	}
	rankOverdue(b.Units)
	rankOverdue(b.Regions)
	return &b
}

func rankOverdue(rs []*OverdueRow) {
	sort.Slice(rs, func(i, j int) bool {
		if rs[i].Overdue != rs[j].Overdue {
			return rs[i].Overdue > rs[j].Overdue
		}
		if rs[i].MaxWorkdays != rs[j].MaxWorkdays {
			return rs[i].MaxWorkdays > rs[j].MaxWorkdays
		}
		if rs[i].Open != rs[j].Open {
			return rs[i].Open > rs[j].Open
		}
		return rs[i].Name < rs[j].Name
	})
}

// childRegion returns the region one level below base that contains path
// ("" when path is base itself).
func childRegion(base, path string) string {
	for _, n := range []int{2, 4, 6, 9, 12} {
		if n > len(base) {
			if len(path) < n {
				return ""
			}
			return path[:n]
		}
	}
	return ""
}
