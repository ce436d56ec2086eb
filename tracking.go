package jianfu

import (
	"crypto/rand"
	"strings"
	"time"
	"unicode/utf8"
)

// A tracking code (查询码) is the reporter's secret key to the public
// progress of a case, shown once at submission, like "K7QM-4XPR-9TBW".

// trackingAlphabet has no 0/O, 1/I/L: a code read over the phone survives.
const trackingAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// NewTrackingCode returns a random tracking code: three groups of four
// characters of trackingAlphabet (about 59 bits).
func NewTrackingCode() string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("jianfu: no randomness: " + err.Error())
	}
	out := make([]byte, 0, 14)
	for i, x := range b {
		if i > 0 && i%4 == 0 {
			out = append(out, '-')
		}
		out = append(out, trackingAlphabet[int(x)%len(trackingAlphabet)])
	}
	return string(out)
}

// TrackingKey is a tracking code as typed reduced to what identifies it:
// its letters and digits, upper case, so "k7qm 4xpr 9tbw" is the code
// "K7QM-4XPR-9TBW".
func TrackingKey(code string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(code) {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// MaxReporterReopens bounds how often a reporter may reopen one case.
const MaxReporterReopens = 2

// CanReporterReopen reports whether the reporter may ask to reopen the
// case: once it is closed or rejected, MaxReporterReopens times at most.
func (c *Case) CanReporterReopen() error {
	if c.Status != CaseClosed && c.Status != CaseRejected {
		return Errorf(ECONFLICT, "该反映正在办理中,无需重新提请", "the case is still being handled; there is nothing to reopen")
	}
	if c.ReporterReopens >= MaxReporterReopens {
		return Errorf(ECONFLICT, "该反映已重新办理过%d次;如仍有问题,请提交新的反映", "this case was reopened %d times already; file a new complaint if the problem persists", MaxReporterReopens)
	}
	return nil
}

// ReopenRequestReason checks the reason a reporter gives for reopening a
// case and returns it trimmed.
func ReopenRequestReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if n := utf8.RuneCountInString(reason); n < 4 || n > 1000 {
		return "", Errorf(EINVALID, "请说明重新办理的理由(4至1000字),例如问题仍然存在", "give a reason to reopen (4 to 1,000 characters), e.g. the problem persists")
	}
	return reason, nil
}

// Public is what anyone may see of the case at now, with its public
// timeline events (oldest first): status, place, responsible unit,
// whether it is overdue or escalated, the deadline while it is open, the
// latest public note, and whether the reporter may still ask to reopen
// it. Never the description, the reporter or an internal note.
func (c *Case) Public(now time.Time, events []*PublicEvent) *PublicCase {
	p := &PublicCase{Number: c.Number, Category: c.Category, Status: c.Status, Outcome: c.Outcome, Open: c.Status.Open(),
		RegionCode: CodeOfPath(c.RegionPath), RegionName: c.RegionName, Address: c.Address, Lat: c.Lat, Lon: c.Lon,
		UnitName: c.UnitName, Overdue: c.Overdue(now), Escalated: c.EscalationLevel > 0, MergedInto: c.MergedIntoNumber,
		RequestedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, CanReopen: c.CanReporterReopen() == nil, Events: events}
	if c.Status.Open() {
		p.ExpectedAt = c.DueAt
	}
	if c.ClosedAt != nil {
		p.UpdatedAt = *c.ClosedAt
	}
	if n := len(events); n > 0 {
		p.StatusNote = events[n-1].Text
	}
	return p
}

// PublicCase is what anyone may see of a case: its number, its public
// status and public progress. No description, reporter or internal note.
type PublicCase struct {
	Number      string         `json:"number"`
	Category    string         `json:"category"`
	Status      CaseStatus     `json:"status"`
	Outcome     CaseOutcome    `json:"outcome,omitempty"`
	Open        bool           `json:"open"`
	RegionCode  string         `json:"region_code"`
	RegionName  string         `json:"region_name"`
	Address     string         `json:"address,omitempty"`
	Lat         *float64       `json:"lat,omitempty"`
	Lon         *float64       `json:"long,omitempty"`
	UnitName    string         `json:"unit_name,omitempty"`
	Overdue     bool           `json:"overdue"`
	Escalated   bool           `json:"escalated"`
	MergedInto  string         `json:"merged_into,omitempty"`
	RequestedAt time.Time      `json:"requested_at"`
	UpdatedAt   time.Time      `json:"updated_at"`
	ExpectedAt  *time.Time     `json:"expected_at,omitempty"`
	StatusNote  string         `json:"status_note,omitempty"`
	Events      []*PublicEvent `json:"events,omitempty"`
	CanReopen   bool           `json:"can_reopen"`
	// CanRate is set while the reporter may answer the follow-up
	// (满意度回访); Satisfaction is the answer once given.
	CanRate      bool         `json:"can_rate"`
	Satisfaction Satisfaction `json:"satisfaction,omitempty"`
}

// PublicEvent is one step of public progress.
type PublicEvent struct {
	At   time.Time `json:"at"`
	Text string    `json:"text"`
}

// PublicCaseFilter selects public cases (Open311 GET requests).
type PublicCaseFilter struct {
	Numbers  []string
	Category []string
	Status   string // "open" or "closed"
	Since    time.Time
	Until    time.Time
	Limit    int
}

// PublicChannel is a registered channel as the complaint form shows it.
type PublicChannel struct {
	ID         int64       `json:"id"`
	Name       string      `json:"name"`
	Kind       ChannelKind `json:"kind"`
	Platform   string      `json:"platform"`
	UnitName   string      `json:"unit_name"`
	RegionPath string      `json:"region_path"`
}
