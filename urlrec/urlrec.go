// Package urlrec recognises a pasted link — a web address, an app-store
// page, a mini-program link (#小程序://…), a quick-app link (hap://…) — as a
// platform and an identifier, by editable rules (jianfu.URLRule): a host
// pattern, a path pattern and the query parameter or path group that holds
// the identifier. It also recognises bare identifiers whose shape gives
// their platform away (a WeChat original id gh_…, a mini-program appid
// wx…). It does no I/O: short links (v.douyin.com/…) are recognised as
// their platform without an identifier.
package urlrec

import (
	_ "embed"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"jianfu"
)

//go:embed rules.yaml
var defaultRulesYAML []byte

// DefaultRules returns the built-in rules, in the order they are tried.
func DefaultRules() []*jianfu.URLRule {
	var doc struct {
		Rules []*jianfu.URLRule `yaml:"rules"`
	}
	if err := yaml.Unmarshal(defaultRulesYAML, &doc); err != nil {
		panic("urlrec: rules.yaml: " + err.Error())
	}
	return doc.Rules
}

// Recognizer holds compiled rules.
type Recognizer struct {
	rules []compiled
}

type compiled struct {
	rule *jianfu.URLRule
	host string // lower case; "*." prefix for any subdomain
	path *regexp.Regexp
}

// MaxInput bounds what Recognize reads.
const MaxInput = 2048

// Compile checks and compiles rules. The error lists every bad rule by its
// position (1-based row) and field.
func Compile(rules []*jianfu.URLRule) (*Recognizer, error) {
	r := &Recognizer{}
	var probs []jianfu.Problem
	for i, rule := range rules {
		row := i + 1
		add := func(field, zh, en string) {
			probs = append(probs, jianfu.Problem{Row: row, Field: field, Message: zh, English: en})
		}
		if !rule.Kind.Valid() {
			add("kind", "渠道类型应为 app、account 或 group", "the kind is app, account or group")
		} else if !jianfu.ValidPlatform(rule.Kind, rule.Platform) {
			add("platform", "平台“"+rule.Platform+"”不适用于该渠道类型", "platform "+rule.Platform+" does not apply to the kind")
		}
		host := strings.ToLower(strings.TrimSpace(rule.Host))
		if host == "" || strings.ContainsAny(host, "/?# ") || strings.Count(host, "*") > 1 || strings.Contains(host, "*") && !strings.HasPrefix(host, "*.") {
			add("host", "域名应形如 weibo.com 或 *.weibo.com(任意子域名)", "the host looks like weibo.com or *.weibo.com (any subdomain)")
		}
		c := compiled{rule: rule, host: host}
		if rule.Path != "" {
			re, err := regexp.Compile(rule.Path)
			if err != nil {
				add("path", "路径正则表达式有误:"+err.Error(), "bad path regular expression: "+err.Error())
			} else {
				c.path = re
			}
		}
		if rule.Param != "" && strings.ContainsAny(rule.Param, "&=? ") {
			add("param", "参数名不能含 & = ? 或空格", "a parameter name has no & = ? or spaces")
		}
		r.rules = append(r.rules, c)
	}
	if err := jianfu.ProblemsError(probs); err != nil {
		return nil, err
	}
	return r, nil
}

var (
	reGhID     = regexp.MustCompile(`^gh_[0-9a-f]{12}$`)
	reWxAppID  = regexp.MustCompile(`^wx[0-9a-f]{16}$`)
	reMiniLink = regexp.MustCompile(`^#?小程序://([^/\s]+)/([A-Za-z0-9_\-]+)`)
	reHap      = regexp.MustCompile(`^hap://app/([A-Za-z0-9_.]+)`)
)

// Recognize reads a link or identifier. ok is false when nothing is
// recognised. The input is trimmed and bounded (MaxInput bytes); invalid
// UTF-8 is not recognised.
func (r *Recognizer) Recognize(input string) (*jianfu.Recognition, bool) {
	s := strings.TrimSpace(input)
	if s == "" || len(s) > MaxInput || !utf8.ValidString(s) {
		return nil, false
	}
	switch {
	case reGhID.MatchString(s):
		return &jianfu.Recognition{Kind: jianfu.KindAccount, Platform: "wechat_oa", ID: s, URL: s, Rule: "微信公众号原始ID"}, true
	case reWxAppID.MatchString(s):
		return &jianfu.Recognition{Kind: jianfu.KindApp, Platform: "wechat_mini", ID: s, URL: s, Rule: "微信小程序 AppID"}, true
	}
	if m := reMiniLink.FindStringSubmatch(s); m != nil {
		return &jianfu.Recognition{Kind: jianfu.KindApp, Platform: "wechat_mini", Handle: m[1], ID: "", URL: m[0], Rule: "微信小程序链接"}, true
	}
	if m := reHap.FindStringSubmatch(s); m != nil {
		return &jianfu.Recognition{Kind: jianfu.KindApp, Platform: "quick_app", ID: m[1], URL: "hap://app/" + m[1], Rule: "快应用链接"}, true
	}
	u := parseLink(s)
	if u == nil {
		return nil, false
	}
	host := strings.ToLower(u.Hostname())
	path := u.EscapedPath()
	if p, err := url.PathUnescape(path); err == nil {
		path = p
	}
	for _, c := range r.rules {
		if !hostMatches(c.host, host) {
			continue
		}
		rec := &jianfu.Recognition{Kind: c.rule.Kind, Platform: c.rule.Platform, URL: normalURL(u), Rule: ruleLabel(c.rule)}
		if c.path != nil {
			m := c.path.FindStringSubmatch(path)
			if m == nil {
				continue
			}
			for i, name := range c.path.SubexpNames() {
				switch name {
				case "id":
					rec.ID = m[i]
				case "handle":
					rec.Handle = m[i]
				}
			}
		}
		if c.rule.Param != "" {
			v := u.Query().Get(c.rule.Param)
			if v == "" {
				continue
			}
			rec.ID = v
		}
		return rec, true
	}
	return nil, false
}

// parseLink parses s as a URL, adding https:// when it has no scheme but
// looks like a host ("weibo.com/u/1").
func parseLink(s string) *url.URL {
	if !strings.Contains(s, "://") {
		host, _, _ := strings.Cut(s, "/")
		if !strings.Contains(host, ".") || strings.ContainsAny(host, " @") {
			return nil
		}
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return nil
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "alipays", "weixin":
	default:
		return nil
	}
	return u
}

func hostMatches(pattern, host string) bool {
	if rest, ok := strings.CutPrefix(pattern, "*."); ok {
		return host == rest || strings.HasSuffix(host, "."+rest)
	}
	return host == pattern
}

// normalURL drops the fragment and tracking parameters people paste along.
func normalURL(u *url.URL) string {
	v := *u
	v.Fragment = ""
	q := v.Query()
	for k := range q {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "utm_") || lk == "spm" || lk == "from" || lk == "share_token" || lk == "scene" || lk == "chksm" || lk == "sharer_shareid" {
			q.Del(k)
		}
	}
	v.RawQuery = q.Encode()
	v.Host = strings.ToLower(v.Host)
	v.Scheme = strings.ToLower(v.Scheme)
	return v.String()
}

func ruleLabel(r *jianfu.URLRule) string {
	if r.Note != "" {
		return r.Note
	}
	return jianfu.PlatformNames[r.Platform] + " " + r.Host
}
