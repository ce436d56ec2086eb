package detect

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"jianfu"
)

// corpusItem is one labelled message of testdata/corpus/*.jsonl.
type corpusItem struct {
	Text       string            `json:"text"`
	Categories []jianfu.Category `json:"categories"`
	Time       string            `json:"time,omitempty"`
	Assessed   bool              `json:"assessed,omitempty"`
	Exempt     bool              `json:"exempt,omitempty"`
	Offhours   *bool             `json:"offhours,omitempty"`
	Disguised  bool              `json:"disguised,omitempty"`
	Voice      Voice             `json:"voice,omitempty"` // labelled on the narrative set
	Note       string            `json:"note,omitempty"`
}

func loadCorpus(t testing.TB, name string) []corpusItem {
	f, err := os.Open("testdata/corpus/" + name + ".jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var items []corpusItem
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var it corpusItem
		if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		items = append(items, it)
	}
	return items
}

type corpusScore struct {
	tp, fp, fn        map[jianfu.Category]int
	normal, falseAlrm int
	items, exact      int
	disguised, disOK  int
	assessedWant      int
	assessedGot       int
	exemptWant        int
	exemptGot         int
	offhoursWrong     int
	voiceWant         int // items with a voice label and a finding
	voiceGot          int
	misses            []string
}

func (s *corpusScore) micro() (p, r, f float64) {
	var tp, fp, fn int
	for _, c := range jianfu.Categories {
		tp += s.tp[c]
		fp += s.fp[c]
		fn += s.fn[c]
	}
	p = float64(tp) / float64(max(tp+fp, 1))
	r = float64(tp) / float64(max(tp+fn, 1))
	if p+r > 0 {
		f = 2 * p * r / (p + r)
	}
	return
}

// recalls lists the recall of each category with labelled items.
func (s *corpusScore) recalls() string {
	var b strings.Builder
	for _, c := range jianfu.Categories {
		if n := s.tp[c] + s.fn[c]; n > 0 {
			fmt.Fprintf(&b, "; %s %.2f", c, float64(s.tp[c])/float64(n))
		}
	}
	return b.String()
}

func (s *corpusScore) falseAlarmRate() float64 {
	return float64(s.falseAlrm) / float64(max(s.normal, 1))
}

func scoreCorpus(d *Detector, items []corpusItem) *corpusScore {
	return scoreWith(d.AnalyzeInto, items)
}

// naiveBaseline is the keyword baseline the blind numbers are compared
// with: a category is found wherever one of its rules' literal patterns
// occurs in the raw text (no normalisation, context, negation or voice).
func naiveBaseline(d *Detector) func(Message, *Result) {
	pats := map[jianfu.Category][]string{}
	for _, r := range d.Rules() {
		pats[r.Category] = append(pats[r.Category], r.Patterns...)
	}
	return func(m Message, r *Result) {
		*r = Result{Categories: r.Categories[:0]}
		for _, c := range jianfu.Categories {
			for _, p := range pats[c] {
				if p != "" && strings.Contains(m.Text, p) {
					r.Categories = append(r.Categories, c)
					break
				}
			}
		}
	}
}

func scoreWith(analyze func(Message, *Result), items []corpusItem) *corpusScore {
	s := &corpusScore{tp: map[jianfu.Category]int{}, fp: map[jianfu.Category]int{}, fn: map[jianfu.Category]int{}}
	var r Result
	for _, it := range items {
		m := Message{Text: it.Text}
		if it.Time != "" {
			m.Time, _ = time.Parse(time.RFC3339, it.Time)
		}
		analyze(m, &r)
		want := map[jianfu.Category]bool{}
		for _, c := range it.Categories {
			want[c] = true
		}
		got := map[jianfu.Category]bool{}
		for _, c := range r.Categories {
			got[c] = true
		}
		ok := true
		for _, c := range jianfu.Categories {
			switch {
			case want[c] && got[c]:
				s.tp[c]++
			case want[c]:
				s.fn[c]++
				ok = false
			case got[c]:
				s.fp[c]++
				ok = false
			}
		}
		s.items++
		if ok {
			s.exact++
		}
		if len(it.Categories) == 0 || it.Exempt {
			s.normal++
			if r.Found() {
				s.falseAlrm++
				ok = false
			}
		}
		if it.Disguised {
			s.disguised++
			if ok {
				s.disOK++
			}
		}
		if it.Assessed {
			s.assessedWant++
			if r.Assessed {
				s.assessedGot++
			}
		}
		if it.Exempt {
			s.exemptWant++
			if r.Exempt {
				s.exemptGot++
			}
		}
		if it.Voice != "" && len(r.Categories) > 0 {
			s.voiceWant++
			if r.Voice == it.Voice {
				s.voiceGot++
			} else if ok {
				s.misses = append(s.misses, fmt.Sprintf("voice want %s got %s  %s", it.Voice, r.Voice, it.Text))
			}
		}
		if it.Offhours != nil && *it.Offhours != r.Offhours {
			s.offhoursWrong++
		}
		if !ok {
			s.misses = append(s.misses, fmt.Sprintf("want %v got %v exempt=%v  %s  %v", it.Categories, r.Categories, r.Exempt, it.Text, r.Spans))
		}
	}
	return s
}

func (s *corpusScore) report(t *testing.T, name string) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d items, %d exactly right\n", name, s.items, s.exact)
	fmt.Fprintf(&b, "  %-11s %5s %5s %5s  %9s %6s\n", "category", "tp", "fp", "fn", "precision", "recall")
	for _, c := range jianfu.Categories {
		tp, fp, fn := s.tp[c], s.fp[c], s.fn[c]
		fmt.Fprintf(&b, "  %-11s %5d %5d %5d  %9.3f %6.3f\n", c, tp, fp, fn,
			float64(tp)/float64(max(tp+fp, 1)), float64(tp)/float64(max(tp+fn, 1)))
	}
	p, r, f := s.micro()
	fmt.Fprintf(&b, "  micro P %.3f R %.3f F1 %.3f\n", p, r, f)
	fmt.Fprintf(&b, "  false alarms on normal items: %d/%d = %.2f%%\n", s.falseAlrm, s.normal, 100*s.falseAlarmRate())
	fmt.Fprintf(&b, "  disguised items fully right: %d/%d\n", s.disOK, s.disguised)
	fmt.Fprintf(&b, "  assessed found %d/%d, exempt found %d/%d, offhours wrong %d\n", s.assessedGot, s.assessedWant, s.exemptGot, s.exemptWant, s.offhoursWrong)
	if s.voiceWant > 0 {
		fmt.Fprintf(&b, "  voice right on %d/%d items with findings\n", s.voiceGot, s.voiceWant)
	}
	t.Log("\n" + b.String())
	if os.Getenv("JIANFU_CORPUS_MISSES") == name {
		sort.Strings(s.misses)
		for _, m := range s.misses {
			t.Log(m)
		}
	}
}

// corpusBars are the thresholds each labelled set must meet. dev is what the
// rules were first tuned on; independent, independent2 … independent8 were
// written later without looking at the rules' output (independent4–8 by
// labellers who never saw the rules: independent5 news quotations, long
// notices and complaints, independent6 short disguised chat lines,
// independent7 many sectors and platforms, typical-case notices and long
// mixed messages, independent8 mostly hard ordinary wording — prohibitions,
// 减负 statistics, meeting sign-in, duty rosters, other senses, voluntary
// offers — next to look-alike demands); docs/detector.md has the blind
// numbers, measured before any tuning on them; the bars here are what was
// reached after, minus a margin); heldout was set aside before
// the first tuning round and its F1 is reported, never enforced, so that
// nobody tunes against it. narrative is a development set of complaints,
// hotline work orders and news sentences written here for the narrative
// voice (not blind: the rules were tuned on it), narrative2 and narrative3
// written after each round and measured once before changes for them;
// narrative4 (news reports, inspection and discipline 通报, 减负 summaries)
// and narrative5 (留言板 complaints, 12345 work orders, department replies,
// staff posts) were written by an independent writer who never saw the
// rules and measured blind before any change for them (docs/detector.md).
// narrative6 (cadres', teachers', doctors' and police's own accounts,
// interviews, proposals, 调研报告) and narrative7 (巡视巡察 feedback, 纪委
// 通报, 整改 reports, 12345 monthly analyses, commentary) are the second blind
// round by another independent writer (docs/detector.md). narrative8 (writer
// A: narrative weighted to material and task), independent9 (writer B:
// work-group messages, 25 disguised) and narrative9 (writer B: narrative)
// are the third blind round, by two more writers who never saw the rules;
// narrative10 (writer A), independent10 and narrative11 (writer B) the
// fourth.
// Their items carry a voice label, and at least 80% of those with findings
// must come out with the labelled voice (70% on narrative6, whose writer
// reads first-person diary lines with no report wording as narrative; 50% on
// narrative8 and 65% on narrative9, whose writers label as narrative
// third-person retellings with no report wording: "县委办要求各乡镇每天…";
// 65% on narrative10 and 70% on narrative11 for the same reason: "应急局要求
// 每个村每月上报…", "街道要求网格员每两小时…").
// False alarms are enforced on every set: an alarm on an ordinary message
// costs officials' trust more than a missed demand.
var corpusBars = []struct {
	name     string
	minF1    float64 // 0: reported only
	maxFals  float64
	minVoice float64 // share of items with findings in their labelled voice; 0: 80%
}{
	{"dev", 0.95, 0.02, 0},
	{"independent", 0.94, 0.02, 0},
	{"independent2", 0.95, 0.02, 0},
	{"independent3", 0.94, 0.02, 0},
	{"independent4", 0.96, 0.02, 0},
	{"independent5", 0.97, 0.02, 0},
	{"independent6", 0.96, 0.02, 0},
	{"independent7", 0.92, 0.02, 0},
	{"independent8", 0.97, 0.02, 0},
	{"heldout", 0, 0.02, 0},
	{"narrative", 0.95, 0.02, 0},
	{"narrative2", 0.97, 0.02, 0},
	{"narrative3", 0.96, 0.02, 0},
	{"narrative4", 0.85, 0.02, 0},
	{"narrative5", 0.85, 0.02, 0},
	{"narrative6", 0.85, 0.02, 0.70},
	{"narrative7", 0.85, 0.02, 0},
	{"narrative8", 0.84, 0.02, 0.50},
	{"independent9", 0.90, 0.02, 0},
	{"narrative9", 0.83, 0.02, 0.65},
	{"narrative10", 0.86, 0.02, 0.65},
	{"independent10", 0.85, 0.02, 0},
	{"narrative11", 0.80, 0.02, 0.70},
}

// TestCorpus measures the detector on the labelled sets, prints a
// per-category table for each (go test -v), and fails below a set's micro-F1
// bar or above 2% false alarms on its normal items (including emergencies
// that must come out exempt). JIANFU_CORPUS_MISSES=<set> lists the misses.
func TestCorpus(t *testing.T) {
	d, err := New()
	if err != nil {
		t.Fatal(err)
	}
	dm, err := New(WithModel())
	if err != nil {
		t.Fatal(err)
	}
	for _, bar := range corpusBars {
		s := scoreCorpus(d, loadCorpus(t, bar.name))
		s.report(t, bar.name)
		items := loadCorpus(t, bar.name)
		for _, v := range []Voice{VoiceDemand, VoiceNarrative} {
			var sub []corpusItem
			for _, it := range items {
				if it.Voice == v {
					sub = append(sub, it)
				}
			}
			if len(sub) > 0 && len(sub) < len(items) {
				vs := scoreCorpus(d, sub)
				p, r, f := vs.micro()
				t.Logf("%s, %d items labelled %s: micro P %.3f R %.3f F1 %.3f, false alarms %d/%d",
					bar.name, len(sub), v, p, r, f, vs.falseAlrm, vs.normal)
			}
		}
		ms := scoreCorpus(dm, items)
		if p, r, f := ms.micro(); true {
			t.Logf("%s with the statistical layer: micro P %.3f R %.3f F1 %.3f, false alarms %d/%d%s",
				bar.name, p, r, f, ms.falseAlrm, ms.normal, ms.recalls())
		}
		if os.Getenv("JIANFU_CORPUS_BASELINE") != "" {
			nb := scoreWith(naiveBaseline(d), items)
			p, r, f := nb.micro()
			t.Logf("%s naive keyword baseline: micro P %.3f R %.3f F1 %.3f, false alarms %d/%d = %.2f%%%s",
				bar.name, p, r, f, nb.falseAlrm, nb.normal, 100*nb.falseAlarmRate(), nb.recalls())
		}
		if _, _, f := s.micro(); f < bar.minF1 {
			t.Errorf("%s: micro-F1 %.3f below %.2f", bar.name, f, bar.minF1)
		}
		if s.falseAlarmRate() > bar.maxFals {
			t.Errorf("%s: false alarms %.2f%% above %.0f%%", bar.name, 100*s.falseAlarmRate(), 100*bar.maxFals)
		}
		minVoice := bar.minVoice
		if minVoice == 0 {
			minVoice = 0.8
		}
		if s.voiceWant > 0 && float64(s.voiceGot) < minVoice*float64(s.voiceWant) {
			t.Errorf("%s: voice right on %d/%d items, below %.0f%%", bar.name, s.voiceGot, s.voiceWant, 100*minVoice)
		}
		if s.offhoursWrong > 0 {
			t.Errorf("%s: offhours wrong on %d items", bar.name, s.offhoursWrong)
		}
	}
}
