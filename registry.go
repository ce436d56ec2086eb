package jianfu

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// Filing numbers (备案号) read 390102B202600017: the 6-digit code of the
// county-level region of the owning unit (or of its city or province when
// the unit sits above county level), the kind's letter (A app, B account,
// C group), the year of approval and a 5-digit sequence per region, kind
// and year.

// FilingRegionCode returns the region code a filing number starts with for
// a unit in the region with the given short path: the county-level code of
// that region, or the region's own code above county level.
func FilingRegionCode(regionPath string) string {
	if len(regionPath) > 6 {
		regionPath = regionPath[:6]
	}
	return CodeOfPath(regionPath)
}

// FormatFilingNumber builds a filing number.
func FormatFilingNumber(regionCode string, kind ChannelKind, year, seq int) string {
	return fmt.Sprintf("%s%c%04d%05d", regionCode, kind.Letter(), year, seq)
}

// FilingNumber is a parsed filing number.
type FilingNumber struct {
	RegionCode string
	Kind       ChannelKind
	Year       int
	Seq        int
}

// ParseFilingNumber reads a filing number; ok is false when s is not one.
func ParseFilingNumber(s string) (FilingNumber, bool) {
	var f FilingNumber
	if len(s) != 16 {
		return f, false
	}
	for i := 0; i < 16; i++ {
		if i == 6 {
			continue
		}
		if s[i] < '0' || s[i] > '9' {
			return f, false
		}
	}
	switch s[6] {
	case 'A', 'a':
		f.Kind = KindApp
	case 'B', 'b':
		f.Kind = KindAccount
	case 'C', 'c':
		f.Kind = KindGroup
	default:
		return f, false
	}
	f.RegionCode = s[:6]
	f.Year, _ = strconv.Atoi(s[7:11])
	f.Seq, _ = strconv.Atoi(s[11:])
	if f.Seq == 0 || f.Year < 2000 {
		return f, false
	}
	return f, true
}

// String formats the filing number.
func (f FilingNumber) String() string { return FormatFilingNumber(f.RegionCode, f.Kind, f.Year, f.Seq) }

// RuleLevel says what a failed rule check does at submission.
type RuleLevel string

const (
	LevelWarn  RuleLevel = "warn"  // shown to the reviewer, who decides (原则上)
	LevelBlock RuleLevel = "block" // the submission is refused until fixed
)

// Rule keys of the registry's checks and settings.
const (
	RuleAccountPerPlatform = "account.one_per_platform" // threshold: accounts a unit may have on one platform
	RuleAppBelowCounty     = "app.below_county"         // no threshold
	RuleAccountNameUnit    = "account.name_unit"        // threshold: % of the name's characters that must come from the unit's names
	RuleNameDuplicate      = "name.near_duplicate"      // threshold: % similarity from which names are near-duplicates
	RulePurposeDuplicate   = "purpose.near_duplicate"   // threshold: % similarity of purposes or functions
	RuleGroupPerPurpose    = "group.one_per_purpose"    // threshold: groups a unit may have for one purpose
	RuleGroupTemporaryEnd  = "group.temporary_end"      // no threshold
	RulePlatformIDTaken    = "platform_id.taken"        // no threshold
	RuleRevalidation       = "revalidation.months"      // threshold: months between re-confirmations
	RuleGroupPersonMax     = "group.person_max"         // threshold: groups one person may own or administer
	RuleFunctionFormalism  = "function.formalism"       // no threshold: the detector reads the name, functions and purpose
)

// RuleDef describes a rule: what it checks and what its threshold means.
// The clause, the level and the threshold are data (RuleSetting).
type RuleDef struct {
	Key      string
	Name     string // Chinese
	English  string
	Measure  string // what the threshold counts, in Chinese; "" when it has none
	MeasureE string
	Min, Max int
	// Check is false for settings that are not checked at submission
	// (the re-validation interval, the consolidation view's limits).
	Check bool
}

// RuleDefs lists the registry's rules in display order.
var RuleDefs = []RuleDef{
	{Key: RuleAccountPerPlatform, Name: "同一单位同一平台账号数", English: "accounts of one unit on one platform", Measure: "允许的账号数", MeasureE: "accounts allowed", Min: 1, Max: 20, Check: true},
	{Key: RuleAppBelowCounty, Name: "县以下单位建设应用程序", English: "apps of units below county level", Check: true},
	{Key: RuleAccountNameUnit, Name: "账号名称与单位关联、各平台一致", English: "account names tied to the unit and consistent across platforms", Measure: "名称与单位名称最低相关度(%)", MeasureE: "minimum relatedness to the unit's names (%)", Min: 1, Max: 100, Check: true},
	{Key: RuleNameDuplicate, Name: "名称相近(重复建设)", English: "near-duplicate names (duplicated building)", Measure: "相似度阈值(%)", MeasureE: "similarity threshold (%)", Min: 50, Max: 100, Check: true},
	{Key: RulePurposeDuplicate, Name: "用途或功能相近", English: "near-duplicate purposes or functions", Measure: "相似度阈值(%)", MeasureE: "similarity threshold (%)", Min: 50, Max: 100, Check: true},
	{Key: RuleGroupPerPurpose, Name: "同一单位同一事项工作群数", English: "work groups of one unit for one purpose", Measure: "允许的群数", MeasureE: "groups allowed", Min: 1, Max: 20, Check: true},
	{Key: RuleGroupTemporaryEnd, Name: "临时群须有结束日期", English: "temporary groups need an end date", Check: true},
	{Key: RulePlatformIDTaken, Name: "平台标识已登记", English: "platform id already registered", Check: true},
	{Key: RuleFunctionFormalism, Name: "功能涉及“指尖上的形式主义”", English: "functions that build in fingertip formalism", Check: true},
	{Key: RuleRevalidation, Name: "定期复核周期", English: "re-validation interval", Measure: "月", MeasureE: "months", Min: 1, Max: 36},
	{Key: RuleGroupPersonMax, Name: "一人所在工作群数", English: "work groups per person", Measure: "群主或管理员身份的群数上限", MeasureE: "groups owned or administered at most", Min: 1, Max: 100},
}

// RuleDefOf returns the definition of a rule key.
func RuleDefOf(key string) (RuleDef, bool) {
	for _, d := range RuleDefs {
		if d.Key == key {
			return d, true
		}
	}
	return RuleDef{}, false
}

// RuleSetting is the current configuration of a rule: on or off, whether
// it warns or blocks, its threshold, and the clause it cites. Supervisors
// at province level or above change it; every change is audited.
type RuleSetting struct {
	Rule      string    `json:"rule"`
	Enabled   bool      `json:"enabled"`
	Level     RuleLevel `json:"level"`
	Threshold int       `json:"threshold"`
	Clause    string    `json:"clause"`
	Source    string    `json:"source"`
	UpdatedBy string    `json:"updated_by,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Validate checks a setting against its rule's definition.
func (s *RuleSetting) Validate() error {
	d, ok := RuleDefOf(s.Rule)
	if !ok {
		return Errorf(ENOTFOUND, "规则“%s”不存在", "no rule %q", s.Rule)
	}
	var probs []Problem
	if s.Level != LevelWarn && s.Level != LevelBlock {
		probs = append(probs, Problem{Field: "level", Message: "处理方式应为 warn(提示审核人)或 block(阻止提交)", English: "the level is warn or block"})
	}
	if d.Measure != "" && (s.Threshold < d.Min || s.Threshold > d.Max) {
		probs = append(probs, Problem{Field: "threshold", Message: fmt.Sprintf("阈值应在%d至%d之间", d.Min, d.Max), English: fmt.Sprintf("the threshold must be from %d to %d", d.Min, d.Max)})
	}
	if n := len([]rune(s.Clause)); n == 0 || n > 500 {
		probs = append(probs, Problem{Field: "clause", Message: "须引用条款原文(1至500字)", English: "quote the clause (1 to 500 characters)"})
	}
	if len([]rune(s.Source)) > 200 {
		probs = append(probs, Problem{Field: "source", Message: "出处过长(最多200字)", English: "the source is too long (200 characters at most)"})
	}
	return problemsError(probs)
}

// CheckResult is one rule that a submitted channel trips, with the clause
// it cites and the channels it relates to (the existing account on the
// same platform, the near-duplicate names).
type CheckResult struct {
	Rule    string           `json:"rule"`
	Level   RuleLevel        `json:"level"`
	Clause  string           `json:"clause"`
	Source  string           `json:"source,omitempty"`
	Message string           `json:"message"`
	English string           `json:"english,omitempty"`
	Related []RelatedChannel `json:"related,omitempty"`
}

// Blocking reports whether any result blocks the submission.
func Blocking(results []CheckResult) bool {
	for _, r := range results {
		if r.Level == LevelBlock {
			return true
		}
	}
	return false
}

// BlockingError turns the blocking results of a submission's checks into
// an EINVALID error whose problems name the rules and the clauses they
// cite; nil when nothing blocks.
func BlockingError(checks []CheckResult) error {
	var probs []Problem
	for _, c := range checks {
		if c.Level == LevelBlock {
			probs = append(probs, Problem{Field: c.Rule, Message: c.Message + "(依据:" + c.Clause + ")", English: c.English})
		}
	}
	if len(probs) == 0 {
		return nil
	}
	e := ProblemsError(probs).(*Error)
	e.Message = "未通过备案规则检查,请修改后再提交:" + e.Message
	e.English = "the filing rules refuse this submission; fix it and submit again: " + e.English
	return e
}

// RelatedChannel is a channel a check result points at.
type RelatedChannel struct {
	ID           int64         `json:"id"`
	Name         string        `json:"name"`
	Kind         ChannelKind   `json:"kind"`
	Platform     string        `json:"platform"`
	UnitID       int64         `json:"unit_id"`
	UnitName     string        `json:"unit_name"`
	Status       ChannelStatus `json:"status"`
	FilingNumber string        `json:"filing_number,omitempty"`
	Similarity   int           `json:"similarity,omitempty"` // percent
}

// URLRule recognises a pasted link as a platform and an identifier: the
// host matches Host ("weibo.com", or "*.weibo.com" for any subdomain), the
// path matches the regular expression Path, and the identifier is the
// query parameter Param, or else the Path group named id (a stable id) or
// handle (a visible name that may change).
type URLRule struct {
	ID       int64       `json:"id,omitempty"`
	Kind     ChannelKind `json:"kind"`
	Platform string      `json:"platform"`
	Host     string      `json:"host"`
	Path     string      `json:"path,omitempty"`
	Param    string      `json:"param,omitempty"`
	Note     string      `json:"note,omitempty"`
}

// Recognition is what a link says about a channel.
type Recognition struct {
	Kind     ChannelKind `json:"kind"`
	Platform string      `json:"platform"`
	ID       string      `json:"platform_id,omitempty"`
	Handle   string      `json:"handle,omitempty"`
	URL      string      `json:"url"`  // the link, normalised
	Rule     string      `json:"rule"` // what recognised it, for people
}

// ChannelVerification is the public answer to "is this an official channel?"
// (核验). It carries only what is public: no responsible persons.
type ChannelVerification struct {
	Query string `json:"query"`
	// Verdict is filed (a filed channel that is not closed matches), closed
	// (only closed ones match) or unknown.
	Verdict    string            `json:"verdict"`
	Matches    []VerifiedChannel `json:"matches"`
	Recognized *Recognition      `json:"recognized,omitempty"`
	// Similar lists filed channels with a similar name when nothing matched
	// exactly: an impostor often borrows a real name.
	Similar []VerifiedChannel `json:"similar,omitempty"`
}

// Verdicts of a verification.
const (
	VerdictFiled   = "filed"
	VerdictClosed  = "closed"
	VerdictUnknown = "unknown"
)

// VerifiedChannel is the public view of a filed channel.
type VerifiedChannel struct {
	Kind         ChannelKind   `json:"kind"`
	Platform     string        `json:"platform"`
	Name         string        `json:"name"`
	Handle       string        `json:"handle,omitempty"`
	PlatformID   string        `json:"platform_id,omitempty"`
	UnitName     string        `json:"unit_name"`
	RegionName   string        `json:"region_name,omitempty"`
	FilingNumber string        `json:"filing_number"`
	Status       ChannelStatus `json:"status"`
	FiledAt      *time.Time    `json:"filed_at,omitempty"`
	ClosedAt     *time.Time    `json:"closed_at,omitempty"`
}

// ConsolidationFilter selects what the consolidation view (集约) covers.
type ConsolidationFilter struct {
	RegionPath string      // within the caller's scope; "" for all of it
	Kind       ChannelKind // "" for every kind
	Limit      int         // clusters, units and people shown; 0 means 50
}

// Consolidation is the view of duplication and sprawl in a region.
type Consolidation struct {
	Channels      int                 `json:"channels"` // live channels compared
	Clusters      []DuplicateCluster  `json:"clusters"`
	MoreClusters  int                 `json:"more_clusters"`
	SamePlatform  []SamePlatformGroup `json:"same_platform"`
	Units         []UnitChannelCount  `json:"units"`
	People        []GroupPerson       `json:"people"`
	ExpiredGroups []*Channel          `json:"expired_groups"`
	BelowCounty   []*Channel          `json:"below_county_apps"`
	Overdue       int                 `json:"overdue"` // channels whose re-validation is overdue
	PersonMax     int                 `json:"person_max"`
	Took          time.Duration       `json:"took_ns"`
}

// DuplicateCluster is a set of live channels of one kind, of different
// units of one county (or higher region), whose names or purposes are
// near-identical, with a merge proposal: keep one, merge the others into it.
type DuplicateCluster struct {
	Kind       ChannelKind      `json:"kind"`
	RegionPath string           `json:"region_path"`
	Similarity int              `json:"similarity"` // the lowest pairwise similarity that links the cluster, percent
	Keep       RelatedChannel   `json:"keep"`       // zero when no channel of the cluster should absorb the others
	Merge      []RelatedChannel `json:"merge"`
	// Competent is the department above peer units (主管部门) that should
	// build the one channel they need, when the cluster's units are peers
	// with one; zero otherwise.
	CompetentID   int64  `json:"competent_unit_id,omitempty"`
	CompetentName string `json:"competent_unit_name,omitempty"`
	Reason        string `json:"reason"` // the proposal, in Chinese
}

// SamePlatformGroup is a unit with more accounts on one platform than the rule allows.
type SamePlatformGroup struct {
	UnitID   int64            `json:"unit_id"`
	UnitName string           `json:"unit_name"`
	Platform string           `json:"platform"`
	Channels []RelatedChannel `json:"channels"`
}

// UnitChannelCount ranks units by their live channels.
type UnitChannelCount struct {
	UnitID   int64  `json:"unit_id"`
	UnitName string `json:"unit_name"`
	Apps     int    `json:"apps"`
	Accounts int    `json:"accounts"`
	Groups   int    `json:"groups"`
	Total    int    `json:"total"`
}

// GroupPerson is a person who owns or administers many work groups.
type GroupPerson struct {
	Name   string `json:"name"` // masked unless the caller may see personal data
	Groups int    `json:"groups"`
	Units  int    `json:"units"`
}

// ChannelImport is one row of a channel import file.
type ChannelImport struct {
	Row         int
	Channel     Channel
	UnitRef     string // credit code or exact name of the owning unit
	OperatorRef string
}

// RegistryService holds what the registry needs beyond single channels:
// rule settings, link recognition, consolidation, public verification and
// bulk import.
type RegistryService interface {
	// RuleSettings lists the rule settings in RuleDefs order.
	RuleSettings(ctx context.Context) ([]*RuleSetting, error)
	// UpdateRuleSetting changes a rule; province-level supervisors and
	// above only (EFORBIDDEN). Audited.
	UpdateRuleSetting(ctx context.Context, s *RuleSetting) error
	// URLRules lists the link recognition rules in the order they are tried.
	URLRules(ctx context.Context) ([]*URLRule, error)
	// SaveURLRules replaces the link recognition rules (nil restores the
	// defaults); province-level supervisors and above only.
	SaveURLRules(ctx context.Context, rules []*URLRule) error
	// RecognizeURL recognises a link by the current rules.
	RecognizeURL(ctx context.Context, link string) (*Recognition, error)
	// Consolidate computes the consolidation view of the caller's scope.
	Consolidate(ctx context.Context, f ConsolidationFilter) (*Consolidation, error)
	// VerifyChannel answers a public verification query (a link, a name, a
	// platform id or handle, a filing number). It needs no actor.
	VerifyChannel(ctx context.Context, q string) (*ChannelVerification, error)
	// ImportChannels adds channels in one transaction: all or nothing.
	// EINVALID with a Problem per bad row.
	ImportChannels(ctx context.Context, rows []*ChannelImport) (int, error)
	// CheckChannelImport runs every check of ImportChannels and saves
	// nothing: the preview of an upload.
	CheckChannelImport(ctx context.Context, rows []*ChannelImport) error
	// ExportChannels calls fn for every channel the filter selects (its
	// page is ignored), newest first; personal data is masked for callers
	// who may not see it. The export is audited.
	ExportChannels(ctx context.Context, f ChannelFilter, fn func(*Channel) error) (int, error)
}
