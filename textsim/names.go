// Package textsim is jianfu's one home for text likeness. It finds
// near-identical names of government channels — it normalises Chinese
// names (the party prefix 中共, the administrative suffixes of region names,
// platform words such as 发布/微信/公众号) and compares them by the Dice
// coefficient of their character bigrams; AllPairs finds every similar pair
// of a large collection with an inverted index and prefix filtering, so a
// million names take seconds rather than the hours of comparing every pair
// — and near-identical material requests (多头报送): MinHash band keys
// that find candidates, and a bigram test that decides. It is pure: no I/O.
package textsim

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// regionSuffixes are the administrative suffixes stripped from region names
// to get the stem people write: 江南区 → 江南, 临江省 → 临江. Longer first.
var regionSuffixes = []string{"特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "自治县", "自治旗",
	"街道办事处", "经济技术开发区", "高新技术产业开发区", "开发区", "新区", "林区", "地区", "街道", "社区居民委员会", "村民委员会", "居委会", "村委会", "社区",
	"省", "市", "县", "区", "镇", "乡", "盟", "旗", "村"}

// nameSuffixes are words of a channel name that say where it is published
// rather than what it is; stripped from the end (at most twice, never
// leaving fewer than two characters): 江南教育发布 → 江南教育.
var nameSuffixes = []string{"官方微信公众号", "微信公众号", "官方微信", "官方微博", "官方抖音", "公众号", "服务号", "订阅号", "视频号", "头条号", "抖音号",
	"快手号", "企业号", "微信", "微博", "抖音", "快手", "头条", "发布", "在线", "官方", "政务", "客户端", "app", "小程序",
	"资讯", "快讯", "微讯", "动态", "速递", "播报", "之窗", "之声",
	"工作群", "交流群", "通知群", "联络群", "微信群", "钉钉群", "群"}

// partyPrefixes are stripped from the start of a name.
var partyPrefixes = []string{"中国共产党", "中共"}

// RegionStem returns the stem of a region name: 江南区 → 江南, 临江省 → 临江,
// 望江街道 → 望江. A name whose stem would be shorter than two characters is
// kept whole (城区 stays 城区).
func RegionStem(name string) string {
	name = strings.TrimSpace(name)
	for _, s := range regionSuffixes {
		if stem, ok := strings.CutSuffix(name, s); ok && utf8.RuneCountInString(stem) >= 2 {
			return stem
		}
	}
	return name
}

// Normalize returns the comparison form of a channel name. regions are the
// names of the owner's regions from the top down (临江省, 江州市, 江南区,
// 望江街道); a region's name is reduced to its stem and, where the name
// strings several of them together, only the last is kept, so that
// 江州市江南区教育局 and 江南区教育局 compare equal. Letters are folded to
// half-width lower case; spaces and punctuation go.
func Normalize(name string, regions ...string) string {
	s := Fold(name)
	for _, p := range partyPrefixes {
		s = strings.TrimPrefix(s, p)
	}
	var stems []string
	for _, r := range regions {
		full := Fold(r)
		stem := RegionStem(full)
		if full == "" {
			continue
		}
		if full != stem {
			s = strings.ReplaceAll(s, full, stem)
		}
		stems = append(stems, stem)
	}
	// Drop a higher region's stem directly followed by a lower one's.
	for changed := true; changed; {
		changed = false
		for i, hi := range stems {
			if !strings.HasPrefix(s, hi) {
				continue
			}
			rest := s[len(hi):]
			for _, lo := range stems[i+1:] {
				if lo != hi && strings.HasPrefix(rest, lo) {
					s, changed = rest, true
					break
				}
			}
			if changed {
				break
			}
		}
	}
	for i := 0; i < 2; i++ {
		cut := false
		for _, suf := range nameSuffixes {
			if rest, ok := strings.CutSuffix(s, suf); ok && utf8.RuneCountInString(rest) >= 2 {
				s, cut = rest, true
				break
			}
		}
		if !cut {
			break
		}
	}
	return s
}

// Fold folds width and case and drops spaces, punctuation and symbols: the
// form names are searched and compared in.
func Fold(s string) string {
	s = width.Fold.String(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// Bigrams returns the distinct character bigrams of s in order of first
// appearance; a one-character string is its own single gram.
func Bigrams(s string) []string {
	r := []rune(s)
	switch len(r) {
	case 0:
		return nil
	case 1:
		return []string{s}
	}
	out := make([]string, 0, len(r)-1)
	seen := make(map[string]struct{}, len(r))
	for i := 0; i+1 < len(r); i++ {
		g := string(r[i : i+2])
		if _, ok := seen[g]; !ok {
			seen[g] = struct{}{}
			out = append(out, g)
		}
	}
	return out
}

// Similarity is the Dice coefficient of the bigram sets of two normalised
// names: 1 for equal names, 0 for names that share no bigram.
func Similarity(a, b string) float64 {
	if a == b {
		if a == "" {
			return 0
		}
		return 1
	}
	ga, gb := Bigrams(a), Bigrams(b)
	if len(ga) == 0 || len(gb) == 0 {
		return 0
	}
	set := make(map[string]struct{}, len(ga))
	for _, g := range ga {
		set[g] = struct{}{}
	}
	common := 0
	for _, g := range gb {
		if _, ok := set[g]; ok {
			common++
		}
	}
	return 2 * float64(common) / float64(len(ga)+len(gb))
}

// Overlap is the share (0 to 1) of a's bigrams that occur in b: how much
// of an account name comes from its unit's name.
func Overlap(a, b string) float64 {
	ga := Bigrams(a)
	if len(ga) == 0 {
		return 0
	}
	set := map[string]struct{}{}
	for _, g := range Bigrams(b) {
		set[g] = struct{}{}
	}
	n := 0
	for _, g := range ga {
		if _, ok := set[g]; ok {
			n++
		}
	}
	return float64(n) / float64(len(ga))
}
