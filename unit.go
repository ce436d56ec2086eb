package jianfu

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// UnitType is the kind of organisation a unit (单位) is.
type UnitType string

const (
	UnitParty       UnitType = "party"       // 党的机关
	UnitGovernment  UnitType = "government"  // 国家(政府)机关
	UnitPeopleOrg   UnitType = "people_org"  // 人民团体
	UnitInstitution UnitType = "institution" // 事业单位
	UnitEnterprise  UnitType = "enterprise"  // 国有企业
	UnitCommunity   UnitType = "community"   // 基层群众性自治组织(村委会、居委会)
)

// UnitTypes lists the unit types in display order.
var UnitTypes = []UnitType{UnitParty, UnitGovernment, UnitPeopleOrg, UnitInstitution, UnitEnterprise, UnitCommunity}

// Valid reports whether t is a known unit type.
func (t UnitType) Valid() bool {
	for _, x := range UnitTypes {
		if x == t {
			return true
		}
	}
	return false
}

// Unit is an organisation that owns or uses government channels: a party or
// government organ, a people's organisation, a public institution, a state
// enterprise or a village committee. Units form a tree of their own (ParentID)
// and each sits in one region.
type Unit struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	Type       UnitType  `json:"type"`
	RegionCode string    `json:"region_code"`
	RegionPath string    `json:"region_path"`
	RegionName string    `json:"region_name,omitempty"`
	ParentID   int64     `json:"parent_id,omitempty"`
	CreditCode string    `json:"credit_code,omitempty"` // 统一社会信用代码
	Path       string    `json:"-"`                     // "/1/5/23/": ids from the root unit down
	Disabled   bool      `json:"disabled"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Validate checks the fields a user types.
func (u *Unit) Validate() error {
	u.Name = strings.TrimSpace(u.Name)
	u.CreditCode = strings.ToUpper(strings.TrimSpace(u.CreditCode))
	var probs []Problem
	if u.Name == "" {
		probs = append(probs, Problem{Field: "name", Message: "单位名称不能为空", English: "the unit name is required"})
	} else if n := len([]rune(u.Name)); n > 100 {
		probs = append(probs, Problem{Field: "name", Message: "单位名称过长(最多100字)", English: "the unit name is too long (100 characters at most)"})
	}
	if !u.Type.Valid() {
		probs = append(probs, Problem{Field: "type", Message: "单位类型无效,应为:" + unitTypeList(), English: "unknown unit type; use one of: party, government, people_org, institution, enterprise, community"})
	}
	if u.RegionCode == "" {
		probs = append(probs, Problem{Field: "region_code", Message: "必须填写所在行政区划代码", English: "the region code is required"})
	}
	if u.CreditCode != "" {
		if err := ValidateCreditCode(u.CreditCode); err != nil {
			probs = append(probs, Problem{Field: "credit_code", Message: ErrorMessage(err, "zh"), English: ErrorMessage(err, "en")})
		}
	}
	return problemsError(probs)
}

func unitTypeList() string {
	names := make([]string, len(UnitTypes))
	for i, t := range UnitTypes {
		names[i] = string(t) + "(" + UnitTypeNames[t] + ")"
	}
	return strings.Join(names, "、")
}

// UnitTypeNames are the Chinese names of the unit types.
var UnitTypeNames = map[UnitType]string{
	UnitParty:       "党的机关",
	UnitGovernment:  "政府机关",
	UnitPeopleOrg:   "人民团体",
	UnitInstitution: "事业单位",
	UnitEnterprise:  "国有企业",
	UnitCommunity:   "基层群众性自治组织",
}

// ParseUnitType accepts an English type name or its Chinese name.
func ParseUnitType(s string) (UnitType, bool) {
	s = strings.TrimSpace(s)
	if t := UnitType(strings.ToLower(s)); t.Valid() {
		return t, true
	}
	for t, name := range UnitTypeNames {
		if name == s {
			return t, true
		}
	}
	aliases := map[string]UnitType{"党委": UnitParty, "党政机关": UnitGovernment, "政府": UnitGovernment, "机关": UnitGovernment,
		"群团": UnitPeopleOrg, "群团组织": UnitPeopleOrg, "事业": UnitInstitution, "国企": UnitEnterprise, "村委会": UnitCommunity, "居委会": UnitCommunity}
	t, ok := aliases[s]
	return t, ok
}

func problemsError(probs []Problem) error {
	if len(probs) == 0 {
		return nil
	}
	e := &Error{Code: EINVALID, Message: probs[0].Message, English: probs[0].English, Problems: probs}
	if len(probs) > 1 {
		e.Message += "(另有" + itoa(len(probs)-1) + "处问题)"
		e.English += " (and " + itoa(len(probs)-1) + " more problems)"
	}
	return e
}

// ProblemsError turns a list of problems into one EINVALID error, nil when empty.
func ProblemsError(probs []Problem) error { return problemsError(probs) }

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// UnitFilter selects units.
type UnitFilter struct {
	RegionPath string // only units in this region's subtree
	ParentID   int64  // only direct children of this unit
	Type       UnitType
	Query      string // name or credit code contains
	Page
}

// UnitService manages units. Every method sees and changes only units in the
// caller's scope.
type UnitService interface {
	// FindUnitByID returns a unit; ENOTFOUND when it is absent or out of scope.
	FindUnitByID(ctx context.Context, id int64) (*Unit, error)
	// FindUnits lists units in scope and the total count.
	FindUnits(ctx context.Context, f UnitFilter) ([]*Unit, int, error)
	// CreateUnit adds a unit under a parent in scope (or a root unit for a
	// system administrator). EINVALID, ECONFLICT (credit code taken), EFORBIDDEN.
	CreateUnit(ctx context.Context, u *Unit) error
	// UpdateUnit changes name, type, credit code or the disabled flag.
	UpdateUnit(ctx context.Context, id int64, upd UnitUpdate) (*Unit, error)
	// ImportUnits adds units in one transaction: all or nothing. Parents are
	// named by credit code or by name in ParentRef. On success each row's
	// Unit holds its new ID and path.
	ImportUnits(ctx context.Context, rows []*UnitImport) (int, error)
}

// UnitUpdate holds the fields to change; nil leaves a field as it is.
type UnitUpdate struct {
	Name       *string
	Type       *UnitType
	CreditCode *string
	Disabled   *bool
}

// Apply makes the update to the unit on behalf of the actor and returns
// what changed, for the audit log. Only a system administrator (or the
// local operator) may disable or enable the actor's own unit.
func (u *Unit) Apply(upd UnitUpdate, a *Actor) ([]string, error) {
	if !a.System && !a.Has(RoleSysAdmin) && u.ID == a.UnitID && upd.Disabled != nil {
		return nil, Forbidden("不能停用自己所在的单位", "you cannot disable your own unit")
	}
	var changes []string
	if upd.Name != nil && *upd.Name != u.Name {
		changes = append(changes, fmt.Sprintf("name %q→%q", u.Name, *upd.Name))
		u.Name = *upd.Name
	}
	if upd.Type != nil && *upd.Type != u.Type {
		changes = append(changes, fmt.Sprintf("type %s→%s", u.Type, *upd.Type))
		u.Type = *upd.Type
	}
	if upd.CreditCode != nil && *upd.CreditCode != u.CreditCode {
		changes = append(changes, fmt.Sprintf("credit_code %s→%s", u.CreditCode, *upd.CreditCode))
		u.CreditCode = *upd.CreditCode
	}
	if upd.Disabled != nil && *upd.Disabled != u.Disabled {
		changes = append(changes, fmt.Sprintf("disabled %v→%v", u.Disabled, *upd.Disabled))
		u.Disabled = *upd.Disabled
	}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	return changes, nil
}

// UnitImport is one row of a unit import file.
type UnitImport struct {
	Row       int
	Unit      Unit
	ParentRef string // credit code or exact name of the parent unit; empty for a root
}
