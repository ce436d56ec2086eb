package web

import (
	"net/http"
	"path"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"jianfu"
	"jianfu/detect"
)

// segment is a run of the analysed text, highlighted when it is part of a
// finding.
type segment struct {
	Text     string
	Category jianfu.Category
	Rule     string
}

// highlight cuts text at the spans (rune offsets) into segments. Where
// spans overlap, the earlier one wins.
func highlight(text string, spans []detect.Span) []segment {
	runes := []rune(text)
	var out []segment
	pos := 0
	sorted := append([]detect.Span(nil), spans...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Start < sorted[j].Start })
	for _, sp := range sorted {
		start, end := max(sp.Start, pos), min(sp.End, len(runes))
		if start >= end {
			continue
		}
		if start > pos {
			out = append(out, segment{Text: string(runes[pos:start])})
		}
		out = append(out, segment{Text: string(runes[start:end]), Category: sp.Category, Rule: sp.Rule})
		pos = end
	}
	if pos < len(runes) {
		out = append(out, segment{Text: string(runes[pos:])})
	}
	return out
}

// finding explains one span: the rule and the clause it cites.
type finding struct {
	Span detect.Span
	Text string
	Rule detect.Rule
}

type analysis struct {
	Text     string
	Time     string
	Result   detect.Result
	Segments []segment
	Findings []finding
}

// maxAnalyzeRunes bounds a pasted message.
const maxAnalyzeRunes = 20000

func (s *Server) analyze(text, at string) (*analysis, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, jianfu.Errorf(jianfu.EINVALID, "请粘贴要检测的消息或通知内容", "paste the message or notice to check")
	}
	if n := utf8.RuneCountInString(text); n > maxAnalyzeRunes {
		return nil, jianfu.Errorf(jianfu.EINVALID, "内容过长(%d字),单次最多检测%d字;请分段检测", "the text is too long (%d characters); check at most %d at a time", n, maxAnalyzeRunes)
	}
	m := detect.Message{Text: text}
	if at = strings.TrimSpace(at); at != "" {
		t, err := parseWhen(at)
		if err != nil {
			return nil, err
		}
		m.Time = t
	}
	res := s.svc.Detector.Analyze(m)
	a := &analysis{Text: text, Time: at, Result: res, Segments: highlight(text, res.Spans)}
	runes := []rune(text)
	for _, sp := range res.Spans {
		r, _ := s.svc.Detector.Rule(sp.Rule)
		a.Findings = append(a.Findings, finding{Span: sp, Text: string(runes[sp.Start:sp.End]), Rule: r})
	}
	return a, nil
}

// parseWhen reads a time as RFC 3339 or as the browser's datetime-local
// value, which is Beijing time.
func parseWhen(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, jianfu.China); err == nil {
			return t, nil
		}
	}
	return time.Time{}, jianfu.Errorf(jianfu.EINVALID, "发送时间“%s”无法识别,请写成 2026-03-02T21:30 或 RFC 3339 格式", "cannot read the time %q; write it as 2026-03-02T21:30 or RFC 3339", s)
}

// ruleGroup is the rules of one category for the rule browser.
type ruleGroup struct {
	Category jianfu.Category
	Rules    []detect.Rule
}

func (s *Server) ruleGroups(only string) []ruleGroup {
	byCat := map[jianfu.Category][]detect.Rule{}
	for _, r := range s.svc.Detector.Rules() {
		if r.Disabled || only != "" && string(r.Category) != only {
			continue
		}
		byCat[r.Category] = append(byCat[r.Category], r)
	}
	var out []ruleGroup
	for _, c := range jianfu.Categories {
		if rs := byCat[c]; len(rs) > 0 {
			sort.Slice(rs, func(i, j int) bool { return rs[i].ID < rs[j].ID })
			out = append(out, ruleGroup{c, rs})
		}
	}
	return out
}

// pageGroups keeps the rules of one page of the list, in their groups.
func pageGroups(l *list, groups []ruleGroup) []ruleGroup {
	type at struct{ group, rule int }
	var all []at
	for g := range groups {
		for i := range groups[g].Rules {
			all = append(all, at{g, i})
		}
	}
	var out []ruleGroup
	for _, x := range window(l, all) {
		if n := len(out); n == 0 || out[n-1].Category != groups[x.group].Category {
			out = append(out, ruleGroup{Category: groups[x.group].Category})
		}
		out[len(out)-1].Rules = append(out[len(out)-1].Rules, groups[x.group].Rules[x.rule])
	}
	return out
}

func (s *Server) showRules(w http.ResponseWriter, r *http.Request) error {
	return s.renderRules(w, r, nil, nil, http.StatusOK)
}

func (s *Server) renderRules(w http.ResponseWriter, r *http.Request, a *analysis, formErr error, status int) error {
	p := s.newPage(r, "rules")
	p.Title = p.T("rules.title")
	p.Error = formErr
	text := ""
	if a != nil {
		text = a.Text
	} else if formErr != nil {
		text = r.PostFormValue("text")
	}
	only := r.URL.Query().Get("category")
	l := subList(r, "offset", "browse", 30)
	p.Data = map[string]any{"Analysis": a, "Text": text, "Groups": pageGroups(l, s.ruleGroups(only)), "List": l, "Categories": jianfu.Categories, "Only": only, "Files": addedRuleFiles(s.svc.Detector.Files())}
	p.Status = status
	s.render(w, r, "rules", p)
	return nil
}

func (s *Server) analyzeForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 256<<10)
	a, err := s.analyze(r.PostFormValue("text"), r.PostFormValue("time"))
	if err != nil {
		return s.renderRules(w, r, nil, err, statusOf[jianfu.ErrorCode(err)])
	}
	return s.renderRules(w, r, a, nil, http.StatusOK)
}

// apiFinding is a span with its rule and clause, for the JSON API.
type apiFinding struct {
	Start    int             `json:"start"`
	End      int             `json:"end"`
	Text     string          `json:"text"`
	Category jianfu.Category `json:"category"`
	Rule     string          `json:"rule"`
	Title    string          `json:"title"`
	Clause   detect.Clause   `json:"clause"`
	Voice    detect.Voice    `json:"voice"`
}

func (s *Server) apiDetect(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Text string `json:"text"`
		Time string `json:"time"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	a, err := s.analyze(in.Text, in.Time)
	if err != nil {
		return err
	}
	cats := a.Result.Categories
	if cats == nil {
		cats = []jianfu.Category{}
	}
	out := map[string]any{
		"categories": cats, "severity": a.Result.Severity, "score": a.Result.Score,
		"assessed": a.Result.Assessed, "offhours": a.Result.Offhours, "exempt": a.Result.Exempt,
		"voice": a.Result.Voice,
	}
	fs := []apiFinding{}
	for _, f := range a.Findings {
		fs = append(fs, apiFinding{Start: f.Span.Start, End: f.Span.End, Text: f.Text, Category: f.Span.Category, Rule: f.Span.Rule, Title: f.Rule.Title, Clause: f.Rule.Clause, Voice: f.Span.Voice})
	}
	out["findings"] = fs
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) apiRules(w http.ResponseWriter, r *http.Request) error {
	var rules []detect.Rule
	for _, g := range s.ruleGroups(r.URL.Query().Get("category")) {
		rules = append(rules, g.Rules...)
	}
	return respondList(w, rules, len(rules), jianfu.Page{Limit: max(len(rules), 1)})
}

// RuleSource says where a rule comes from in words: the built-in rules, or
// a file the administrator added (by its name, not its path on the server).
func (p *page) RuleSource(file string) string {
	if strings.HasPrefix(file, "embedded:") {
		return p.T("rules.builtin")
	}
	return p.T("rules.added", path.Base(file))
}

// addedRuleFiles are the names of the rule files added to the built-in ones.
func addedRuleFiles(files []string) []string {
	var out []string
	for _, f := range files {
		if !strings.HasPrefix(f, "embedded:") {
			out = append(out, path.Base(f))
		}
	}
	return out
}
