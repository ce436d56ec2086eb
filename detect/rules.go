package detect

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"jianfu"
)

//go:embed rules/*.yaml
var embeddedRules embed.FS

// Clause is the policy text a rule enforces, quoted, and where it comes from.
type Clause struct {
	Text   string `yaml:"text" json:"text"`
	Source string `yaml:"source" json:"source"`
}

// Examples are messages a rule must flag (Match) and must leave alone
// (NoMatch); `jianfu rules test` runs them.
type Examples struct {
	Match   []string `yaml:"match" json:"match"`
	NoMatch []string `yaml:"no_match" json:"no_match"`
}

// Condition asks for one of Words (a word, or "@name" for a lexicon) near the
// trigger: in the same sentence (Scope "clause": the same clause, between
// commas), or within Within tokens on Side ("before", "after" or "" for
// either side).
type Condition struct {
	Words  []string `yaml:"words" json:"words"`
	Side   string   `yaml:"side,omitempty" json:"side,omitempty"`
	Within int      `yaml:"within,omitempty" json:"within,omitempty"`
	Scope  string   `yaml:"scope,omitempty" json:"scope,omitempty"`
	// With: words of which one must also occur in the sentence for the
	// condition to hold ("截图" near the verb, with "转发" in the sentence).
	With []string `yaml:"with,omitempty" json:"with,omitempty"`
}

// UnmarshalYAML lets a condition be written as a bare list of words.
func (c *Condition) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.SequenceNode {
		return n.Decode(&c.Words)
	}
	type plain Condition
	return n.Decode((*plain)(c))
}

// Rule is one detection rule as written in a rule file.
type Rule struct {
	ID       string          `yaml:"id" json:"id"`
	Category jianfu.Category `yaml:"category" json:"category"`
	Title    string          `yaml:"title" json:"title"`
	// Weight adds to the message score when the rule fires (the largest
	// weight per category counts).
	Weight   float64  `yaml:"weight" json:"weight"`
	Patterns []string `yaml:"patterns" json:"patterns"`
	// Demand is what makes the match a demand: "self" (the words are a
	// demand by themselves, e.g. 收到请回复), "modal" (a modal or addressee
	// word such as 请/必须/各村/每人 or a deadline in the sentence) or
	// "strong" (必须/务必/一律/纳入考核 …).
	Demand string `yaml:"demand" json:"demand"`
	// Near lists conditions that must all hold; Unless lists conditions any
	// of which cancels the match.
	Near   []Condition `yaml:"near,omitempty" json:"near,omitempty"`
	Unless []Condition `yaml:"unless,omitempty" json:"unless,omitempty"`
	// NotOverlapping lists longer words in another sense ("打卡点") that
	// cancel a match they overlap.
	NotOverlapping []string `yaml:"not_overlapping,omitempty" json:"not_overlapping,omitempty"`
	// NextNot and PrevNot list characters that must not directly follow or
	// precede the match ("扣1" but not "扣10分").
	NextNot string `yaml:"next_not,omitempty" json:"next_not,omitempty"`
	PrevNot string `yaml:"prev_not,omitempty" json:"prev_not,omitempty"`
	// AfterNumber: the match must directly follow a number ("5分钟内"), at
	// least MinNumber and at most MaxNumber when those are set.
	AfterNumber bool    `yaml:"after_number,omitempty" json:"after_number,omitempty"`
	MinNumber   float64 `yaml:"min_number,omitempty" json:"min_number,omitempty"`
	MaxNumber   float64 `yaml:"max_number,omitempty" json:"max_number,omitempty"`
	// Quantity: a number with a measure word must follow in the clause
	// ("不少于100人").
	Quantity bool `yaml:"quantity,omitempty" json:"quantity,omitempty"`
	// QuantityAnywhere: a number with a measure word must occur somewhere in
	// the sentence ("每月报送宣传信息2条以上", "发布不少于8条支部动态").
	QuantityAnywhere bool `yaml:"quantity_anywhere,omitempty" json:"quantity_anywhere,omitempty"`
	// MaxClock: a clock time must follow the match ("明天上午8点前",
	// "明天上午8:00前") and be at most this hour (8.5 = 08:30), so a
	// deadline before the next working day starts counts and "明天上午10点前"
	// does not.
	MaxClock float64 `yaml:"max_clock,omitempty" json:"max_clock,omitempty"`
	// Aggravated: the demand counts only with an aggravating circumstance:
	// repetition or frequency (@aggravator), another finding in the same
	// sentence, assessment, or off-hours.
	Aggravated bool `yaml:"aggravated,omitempty" json:"aggravated,omitempty"`
	// Homophones: homophone spellings of the patterns ("接垄" for 接龙) are
	// accepted for patterns of three or more characters unless this is
	// false; for two-character patterns only when it is true.
	Homophones *bool `yaml:"homophones,omitempty" json:"homophones,omitempty"`
	// Initials: a pattern written as pinyin initials ("dk" for 打卡) counts
	// unless this is false (nouns such as 信息 would read "xx" in "XX镇").
	Initials *bool `yaml:"initials,omitempty" json:"initials,omitempty"`
	// Disabled switches off a rule of the same id from an earlier file.
	Disabled bool     `yaml:"disabled,omitempty" json:"disabled,omitempty"`
	Clause   Clause   `yaml:"clause" json:"clause"`
	Examples Examples `yaml:"examples" json:"examples"`
	// File is where the rule was read from ("embedded:rules/chain.yaml" or a path).
	File string `yaml:"-" json:"file"`
}

// Lexicon is a named word list used by the context rules.
type Lexicon struct {
	Words []string `yaml:"words" json:"words"`
	// Scope "message" makes a word count for every sentence of the message
	// (e.g. "@所有人"); the default is the sentence it is in.
	Scope string `yaml:"scope,omitempty" json:"scope,omitempty"`
}

// ruleFile is the YAML layout of a rule file.
type ruleFile struct {
	Version int `yaml:"version"`
	// Substitutions map a character (typically an emoji) to the words it
	// stands for: "👍": 点赞.
	Substitutions map[string]string  `yaml:"substitutions"`
	Lexicons      map[string]Lexicon `yaml:"lexicons"`
	Rules         []Rule             `yaml:"rules"`
}

type ruleSet struct {
	subst    map[string]string
	lexicons map[string]Lexicon
	rules    []Rule
	files    []string
}

func loadRuleSet(dir string) (*ruleSet, error) {
	rs := &ruleSet{subst: map[string]string{}, lexicons: map[string]Lexicon{}}
	byID := map[string]int{}
	add := func(name string, data []byte) error {
		var f ruleFile
		dec := yaml.NewDecoder(strings.NewReader(string(data)))
		dec.KnownFields(true)
		if err := dec.Decode(&f); err != nil {
			return fmt.Errorf("rule file %s: %w", name, err)
		}
		if f.Version != 1 {
			return fmt.Errorf("rule file %s: version %d is not supported (want version: 1)", name, f.Version)
		}
		for k, v := range f.Substitutions {
			rs.subst[k] = v
		}
		for k, v := range f.Lexicons {
			rs.lexicons[k] = v
		}
		for _, r := range f.Rules {
			r.File = name
			if err := validateRule(&r); err != nil {
				return fmt.Errorf("rule file %s: %w", name, err)
			}
			if i, ok := byID[r.ID]; ok {
				rs.rules[i] = r
			} else {
				byID[r.ID] = len(rs.rules)
				rs.rules = append(rs.rules, r)
			}
		}
		rs.files = append(rs.files, name)
		return nil
	}
	names, _ := fs.Glob(embeddedRules, "rules/*.yaml")
	sort.Strings(names)
	for _, n := range names {
		data, err := embeddedRules.ReadFile(n)
		if err != nil {
			return nil, err
		}
		if err := add("embedded:"+n, data); err != nil {
			return nil, err
		}
	}
	if dir != "" {
		var files []string
		for _, pat := range []string{"*.yaml", "*.yml"} {
			m, err := filepath.Glob(filepath.Join(dir, pat))
			if err != nil {
				return nil, err
			}
			files = append(files, m...)
		}
		if len(files) == 0 {
			if _, err := os.Stat(dir); err != nil {
				return nil, fmt.Errorf("rules directory %s: %w", dir, err)
			}
			return nil, fmt.Errorf("rules directory %s has no .yaml files", dir)
		}
		sort.Strings(files)
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			if err := add(f, data); err != nil {
				return nil, err
			}
		}
	}
	kept := rs.rules[:0]
	for _, r := range rs.rules {
		if !r.Disabled {
			kept = append(kept, r)
		}
	}
	rs.rules = kept
	return rs, nil
}

func validateRule(r *Rule) error {
	if r.ID == "" {
		return fmt.Errorf("a rule has no id")
	}
	if r.Disabled {
		return nil
	}
	if !r.Category.Valid() {
		return fmt.Errorf("rule %s: unknown category %q (want one of %s)", r.ID, r.Category, categoryList())
	}
	if len(r.Patterns) == 0 {
		return fmt.Errorf("rule %s: no patterns", r.ID)
	}
	switch r.Demand {
	case "", "modal":
		r.Demand = "modal"
	case "self", "strong":
	default:
		return fmt.Errorf("rule %s: demand %q (want self, modal or strong)", r.ID, r.Demand)
	}
	if r.Weight <= 0 {
		r.Weight = 2
	}
	for _, c := range append(append([]Condition(nil), r.Near...), r.Unless...) {
		switch c.Side {
		case "", "before", "after":
		default:
			return fmt.Errorf("rule %s: condition side %q (want before, after or empty)", r.ID, c.Side)
		}
		if len(c.Words) == 0 {
			return fmt.Errorf("rule %s: a condition has no words", r.ID)
		}
		switch c.Scope {
		case "", "sentence", "clause":
		default:
			return fmt.Errorf("rule %s: condition scope %q (want sentence or clause)", r.ID, c.Scope)
		}
	}
	if r.Clause.Text == "" || r.Clause.Source == "" {
		return fmt.Errorf("rule %s: clause text and source are required", r.ID)
	}
	return nil
}

func categoryList() string {
	var s []string
	for _, c := range jianfu.Categories {
		s = append(s, string(c))
	}
	return strings.Join(s, ", ")
}
