package ingest

import (
	"regexp"
	"strings"
	"unicode"

	"jianfu"
	"jianfu/detect"
	"jianfu/redact"
)

// Topic returns what a material demand asks for, for comparing demands
// across groups (多头报送): the object of the submitting verb — the words
// after the material span in its clause, or before it, or the clause next
// to it — without addressees, modals, deadlines, submitting verbs,
// boilerplate (第3版, 按新模板, 零报告), masked characters and punctuation.
// "请各村于本周五下班前报送辖区60岁以上独居老人信息统计表" gives
// "辖区60岁以上独居老人信息统计表".
func Topic(text []rune, spans []detect.Span) string {
	clauses := splitClauses(text)
	var parts []string
	used := map[int]bool{}
	enough := func(t string) bool { return len([]rune(t)) >= 4 }
	for _, s := range spans {
		if s.Category != jianfu.Material {
			continue
		}
		ci := clauseOf(clauses, s.Start)
		if ci < 0 || used[ci] {
			continue
		}
		c := clauses[ci]
		t := cleanTopic(string(text[min(s.End, c[1]):c[1]]))
		if !enough(t) {
			t = cleanTopic(string(text[c[0]:max(s.Start, c[0])]))
		}
		for _, near := range []int{ci - 1, ci + 1} {
			if enough(t) {
				break
			}
			if near >= 0 && near < len(clauses) && !used[near] {
				if n := cleanTopic(string(text[clauses[near][0]:clauses[near][1]])); enough(n) {
					t = n
					used[near] = true
				}
			}
		}
		used[ci] = true
		if enough(t) {
			parts = append(parts, t)
		}
	}
	out := []rune(strings.Join(parts, ""))
	if len(out) > 80 {
		out = out[:80]
	}
	return string(out)
}

func splitClauses(text []rune) [][2]int {
	var out [][2]int
	start := 0
	for i, r := range text {
		if isClauseBreak(r) {
			if i > start {
				out = append(out, [2]int{start, i})
			}
			start = i + 1
		}
	}
	if start < len(text) {
		out = append(out, [2]int{start, len(text)})
	}
	return out
}

func isClauseBreak(r rune) bool {
	switch r {
	case ',', '，', '。', ';', '；', '!', '！', '?', '？', '\n', '\r', '(', ')', '（', '）', '【', '】', ':', '：', '、', '~', '～':
		return true
	}
	return false
}

func clauseOf(clauses [][2]int, pos int) int {
	for i, c := range clauses {
		if pos >= c[0] && pos < c[1] {
			return i
		}
	}
	return -1
}

var (
	// deadlines and times: 3月8日前, 周五下班前, 今晚10点前, 18:00前
	timeRe = regexp.MustCompile(`(\d{1,4}|[一二三四五六七八九十两]+)\s*(年|月|日|号|点半?|时|分钟?|:\d{2})(之前|以前|前|内|为止)?` +
		`|(本|下|上|这)?(周|星期|礼拜)[一二三四五六日天]?` +
		`|(今天|今日|今晚|今早|明天|明早|明日|后天|当天|当日|本月|月底|月初|年底|上午|下午|晚上|中午|早上|凌晨|下班|上班|午饭|明晚)(之前|以前|前|内)?` +
		`|(之前|以前|截止|截至|为止|前)`)
	// addressees, modals and the verbs of submitting
	stopRe = regexp.MustCompile(`@\S+|第[0-9一二三四五六七八九十]+版|按新模板|新模板|格式|再报一次|再报一遍|一次|零报告|一日一报|实行|每天|每日|从今天起|今天起|所有人|全体成员|各(村|社区|单位|部门|乡镇|镇|街道|学校|科室|股室|处室|网格|站所|支部|党支部|中心|组|位同事|位)` +
		`|请|务请|烦请|务必|必须|一律|及时|按时|尽快|抓紧|统一|均需|均须|需要|需|要|于|在|把|将|并|和|的|了|再|重新|一下|辛苦|大家|各位|谢谢` +
		`|报送|上报|填报|提交|上交|报给|报上来|交上来|发给我|发给|发到群里|发到群|发群里|发群|发至|上传|填写|填好|汇总后|汇总|整理好|整理|准备好|准备|提供|反馈|录入|收集|报`)
)

func cleanTopic(s string) string {
	s = timeRe.ReplaceAllString(s, "")
	s = stopRe.ReplaceAllString(s, "")
	return strings.Map(func(r rune) rune {
		if r == redact.MaskRune || unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) {
			return -1
		}
		return r
	}, s)
}
