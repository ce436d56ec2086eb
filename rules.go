package jianfu

import "time"

// The store reads and writes; it does not judge. What needs judgement of
// text — whether two names or purposes are alike, which rule a submission
// trips, which material requests are the same — lives in pure packages
// (registry, textsim) that the store is handed through these interfaces
// when it is opened, and that it gives what it read.

// RegistryRules are the registry's judgements (统筹管理、审核备案): the form
// names are searched in, the rule checks of a submission, the
// consolidation view and public verification's similar names. Package
// registry implements them.
type RegistryRules interface {
	// SearchKey is the folded form a name is searched in, and SearchGrams
	// the index grams of a key.
	SearchKey(name string) string
	SearchGrams(key string) []string
	// Check runs the enabled rules on c (ID 0 when not yet saved) against
	// the evidence and returns what it trips.
	Check(c *Channel, ev *CheckEvidence) []CheckResult
	// Consolidate computes the consolidation view (集约) of the channels
	// read; the store adds what it counts itself (overdue re-validations).
	Consolidate(in *ConsolidationInput) *Consolidation
	// Similar ranks the filed channels whose names resemble name, best
	// first, at most n.
	Similar(name string, cands []VerifiedChannel, n int) []VerifiedChannel
}

// ChannelFacts is what the registry's rules compare of another channel.
type ChannelFacts struct {
	RelatedChannel
	RegionPath string
	UnitPath   string // the owning unit's "/1/5/23/": ids from the root unit down
	ParentID   int64  // the owning unit's competent department (主管部门), 0 when none
	ParentName string
	Text       string // purpose and functions
	HandleKey  string // the handle in lower case
	Owner      string
	Admins     []string
	FiledAt    time.Time // zero when not filed
	Temporary  bool
	EndDate    string
}

// CheckEvidence is what the rule checks of one channel need to know.
type CheckEvidence struct {
	Settings    map[string]*RuleSetting // by rule
	RegionNames map[string]string       // by path: the channel's county, its subtree and the regions above
	Own         []*ChannelFacts         // the unit's other channels, submitted or filed and not closed
	SameID      []*ChannelFacts         // channels with the same platform identifier, submitted or filed and not closed
	Nearby      []*ChannelFacts         // live channels of the same kind of other units in the county
	Today       string                  // the date in China, 2006-01-02
}

// ConsolidationInput is what the consolidation view is computed from.
type ConsolidationInput struct {
	Settings    map[string]*RuleSetting
	RegionNames map[string]string // by path, of the scope's region and above
	Channels    []*ChannelFacts   // the live channels in scope
	Limit       int               // the most rows of each list
	Personal    bool              // the caller may see people's names
	Today       string
}

// RequestMatcher judges material requests (多头报送): the band keys that
// find candidates, and whether two topics ask for the same data. Package
// textsim implements it.
type RequestMatcher interface {
	Bands(topic string) []int64
	Same(a, b string) bool
}

// RelatedRegions reports whether two groups' regions can ask the same
// grassroots for the same data: one region contains the other (a city's
// department and a county's), or they lie in the same county. Two
// counties each asking their own villages for a table are not asking
// anyone twice.
func RelatedRegions(a, b string) bool {
	return len(a) >= len(b) && a[:len(b)] == b || len(b) >= len(a) && b[:len(a)] == a || len(a) >= 6 && len(b) >= 6 && a[:6] == b[:6]
}

// CountyPath is the county a region path lies in, or the path itself above
// county level: the block channels are compared within, since duplicate
// building is a county's business.
func CountyPath(path string) string {
	if len(path) > 6 {
		return path[:6]
	}
	return path
}
