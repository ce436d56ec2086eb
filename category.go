package jianfu

import "strings"

// Category is a kind of formalism demand (形式主义要求) the detector finds and
// a case is about. Its value is the code that JSON, the database, the
// Open311 service list and `jianfu scan --format jsonl` carry ("checkin").
type Category string

// The eight categories of the detector (PRODUCT.md, Detector).
const (
	Checkin    Category = "checkin"
	Chain      Category = "chain"
	Instant    Category = "instant"
	Task       Category = "task"
	Material   Category = "material"
	Promote    Category = "promote"
	Engagement Category = "engagement"
	Trace      Category = "trace"
)

// Categories are the eight in their canonical order: results list them in
// it, bit i of a bit set (Observation.Categories) is Categories[i], and the
// burden aggregate has one column c_<code> per category in it. Adding one
// needs a migration adding its column.
var Categories = [...]Category{Checkin, Chain, Instant, Task, Material, Promote, Engagement, Trace}

// categoryText is what a category is called and means, in both languages.
type categoryText struct {
	label, labelEn     string
	meaning, meaningEn string
}

var categoryTexts = map[Category]categoryText{
	Checkin: {"打卡签到", "Forced check-ins",
		"强制打卡、签到、定位上报、每日登录,或以学习时长、积分排名考核",
		"forced clock-in, sign-in, location reports, daily logins, study-time or points quotas"},
	Chain: {"接龙回复", "Reply chains",
		"群里要求接龙、“收到请回复”、回复“1”、逐个报数",
		"reply chains and roll calls: 接龙, 收到请回复, reply \"1\""},
	Instant: {"即时响应", "Instant response",
		"要求随时在线、秒回,或分钟级、下班后、深夜限时回复",
		"demands for immediate or always-on response, minute-level or same-night deadlines"},
	Task: {"摊派任务", "Tasks pushed down",
		"随意摊派任务:拉人头、填问卷、覆盖率、完成率排名、罚款",
		"quotas and chores pushed down: recruit N people, N questionnaires, coverage rates, fines"},
	Material: {"索要材料", "Material requests",
		"反复索要表格、报告、台账、数据,同一数据多头报送",
		"demands for forms, reports, ledgers, data, repeated submissions"},
	Promote: {"强制推广", "Forced promotion",
		"强制关注、下载、安装、注册政务应用或账号,考核装机率",
		"forced follow, download, install or register of government apps and accounts, install rates"},
	Engagement: {"点赞转发", "Likes and shares",
		"强制点赞、转发、评论、投票、阅读,或把这些数量作为考核依据",
		"forced likes, shares, comments, votes, reads, or those counts used as metrics"},
	Trace: {"截图留痕", "Proof by screenshot",
		"要求截图、拍照、录视频、上传轨迹来“留痕”证明工作",
		"screenshots, photos, videos or tracks required as proof of work (留痕)"},
	CategoryOther: {"其他问题", "Other",
		"其他“指尖上的形式主义”问题",
		"other fingertip formalism"},
}

// clauses are the words of 《关于防治“指尖上的形式主义”的若干意见》 each
// category breaks, as the policy states them.
var clauses = map[Category]string{
	Checkin:    "在工作群组中,不得脱离工作实际强制要求打卡接龙、即时响应",
	Chain:      "在工作群组中,不得脱离工作实际强制要求打卡接龙、即时响应",
	Instant:    "在工作群组中,不得脱离工作实际强制要求打卡接龙、即时响应",
	Task:       "不得随意摊派任务、索要材料",
	Material:   "不得随意摊派任务、索要材料",
	Promote:    "政务公众账号的推广使用应从实际需求出发,不得作强制性要求",
	Engagement: "不得滥用政务应用程序、政务公众账号的关注点赞、转发评论功能,不得将其作为考核评价、评比评选的依据",
}

// Clause is the policy's wording the category breaks; for 留痕 and other
// problems, the principle the whole policy rests on.
func (c Category) Clause() string {
	if s, ok := clauses[c]; ok {
		return s
	}
	return "将规划统筹、集约高效、便民减负、安全可靠的原则贯穿建设、使用和管理全生命周期"
}

// CategoryOther is the case category for everything the eight do not name.
// It is a case concept: the detector never finds it. Untyped, so it is also
// a value of the code fields of cases.
const CategoryOther = "other"

// CaseCategories are the kinds of problem a case is about: the eight and
// CategoryOther.
var CaseCategories = append(Categories[:len(Categories):len(Categories)], CategoryOther)

// ValidCategory reports whether c is a case category (one of the eight or
// "other").
func ValidCategory(c string) bool { _, ok := categoryTexts[Category(c)]; return ok }

// Proposals keeps the detector categories of a proposal, each once, in
// order; never nil, so it stores as a JSON list.
func Proposals(in []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, c := range in {
		if Category(c).Valid() && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

// Valid reports whether c is one of the eight detector categories.
func (c Category) Valid() bool { return c.Index() >= 0 }

// Index is c's position in Categories, -1 for anything else.
func (c Category) Index() int {
	for i, x := range Categories {
		if x == c {
			return i
		}
	}
	return -1
}

// Bit is c's bit in a bit set of categories, 0 for anything else.
func (c Category) Bit() uint16 {
	if i := c.Index(); i >= 0 {
		return 1 << i
	}
	return 0
}

// CategoriesOf lists the categories of a bit set in canonical order.
func CategoriesOf(bits uint16) []Category {
	out := []Category{}
	for i, c := range Categories {
		if bits&(1<<i) != 0 {
			out = append(out, c)
		}
	}
	return out
}

// Label is the short Chinese name (打卡签到); an unknown code names itself.
func (c Category) Label() string {
	if t, ok := categoryTexts[c]; ok {
		return t.label
	}
	return string(c)
}

// LabelEn is the short English name.
func (c Category) LabelEn() string {
	if t, ok := categoryTexts[c]; ok {
		return t.labelEn
	}
	return string(c)
}

// Meaning says in plain Chinese what the category covers, for the public
// complaint form, the Open311 service list and the rule pages.
func (c Category) Meaning() string { return categoryTexts[c].meaning }

// MeaningEn says it in English.
func (c Category) MeaningEn() string { return categoryTexts[c].meaningEn }

// CategoryLabels joins the Chinese names of category codes with "、".
func CategoryLabels(codes []string) string {
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = Category(c).Label()
	}
	return strings.Join(names, "、")
}
