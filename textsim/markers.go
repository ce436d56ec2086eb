package textsim

import (
	"sort"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// Two names that differ only in a number are usually two things: the 1年级
// and 5年级 parent groups of one school, 一班 and 二班, the 2025届 and 2026届
// classes, 一中 and 二中. Bigrams cannot tell them apart (they share all but
// one or two), so the likeness tests ask Distinct first.

// chineseDigits are the numerals written as characters.
var chineseDigits = map[rune]int{'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}

// chineseUnits multiply the digit before them.
var chineseUnits = map[rune]int{'十': 10, '百': 100, '千': 1000}

// counters are the words a Chinese numeral must stand before (or 第, 初,
// 高 after) to count as a sequence number: 一中, 三班, 二年级, 四组. Without
// them 一站式, 三农 and 十佳 are words, not numbers.
var counters = "年级班届中小校所队组号期村社分连排幢栋楼"

// Markers returns what sets a name apart from its siblings: every number
// written in digits, every Chinese numeral that counts something (一中,
// 三班, 第二, 初一, 高三) and the kindergarten's 大班/中班/小班, each as
// its value followed by the word it counts — "1年", "2025届", "1中" — sorted
// and joined by "|". A name without any has "".
func Markers(name string) string {
	r := []rune(width.Fold.String(name))
	var out []string
	for i := 0; i < len(r); {
		switch {
		case unicode.IsDigit(r[i]):
			j := i
			for j < len(r) && unicode.IsDigit(r[j]) {
				j++
			}
			v := strings.TrimLeft(string(r[i:j]), "0")
			if v == "" {
				v = "0"
			}
			out = append(out, v+counterAt(r, j))
			i = j
		case isChineseNumeral(r[i]):
			j := i
			for j < len(r) && isChineseNumeral(r[j]) {
				j++
			}
			c := counterAt(r, j)
			ordinal := i > 0 && strings.ContainsRune("第初高", r[i-1])
			if c != "" || ordinal {
				out = append(out, strconv.Itoa(chineseValue(r[i:j]))+c)
			}
			i = j
		case (r[i] == '大' || r[i] == '中' || r[i] == '小') && i+1 < len(r) && r[i+1] == '班':
			out = append(out, string(r[i:i+2]))
			i += 2
		default:
			i++
		}
	}
	sort.Strings(out)
	return strings.Join(out, "|")
}

// Distinct reports whether two names are told apart by their numbers,
// grades, classes, years or sequence words, however alike the rest is.
func Distinct(a, b string) bool { return Markers(a) != Markers(b) }

func isChineseNumeral(r rune) bool {
	_, d := chineseDigits[r]
	_, u := chineseUnits[r]
	return d || u
}

// counterAt is the counting word at r[j], if any, past a closing bracket:
// (3)班.
func counterAt(r []rune, j int) string {
	if j < len(r) && (r[j] == ')' || r[j] == '）') {
		j++
	}
	if j < len(r) && strings.ContainsRune(counters, r[j]) {
		return string(r[j])
	}
	return ""
}

// chineseValue reads 十二 as 12, 二十 as 20, 一百零五 as 105 and a string
// of bare digits such as 二〇二五 as 2025.
func chineseValue(r []rune) int {
	hasUnit := false
	for _, c := range r {
		if _, ok := chineseUnits[c]; ok {
			hasUnit = true
		}
	}
	if !hasUnit {
		v := 0
		for _, c := range r {
			v = v*10 + chineseDigits[c]
		}
		return v
	}
	total, digit := 0, -1
	for _, c := range r {
		if u, ok := chineseUnits[c]; ok {
			if digit < 0 {
				digit = 1 // 十二: an implied 一
			}
			total += digit * u
			digit = -1
			continue
		}
		digit = chineseDigits[c]
	}
	if digit > 0 {
		total += digit
	}
	return total
}
