package redact

import (
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

var known = New("王建国", "李娜", "欧阳明华", "张三丰", "x", "Tom", "王某")

// forms holds personal data in the ways complaints and work-group messages
// write it, with both renderings.
var forms = []struct {
	name, in, mask, ph string
	kind               Kind
}{
	{"mobile", "有问题联系王科长13812345678", "有问题联系王科长138****5678", "有问题联系王科长[电话]", Mobile},
	{"mobile with dashes", "举报人电话139-1234-5678,请回电", "举报人电话139-****-5678,请回电", "举报人电话[电话],请回电", Mobile},
	{"mobile in spaces", "电话 138 1234 5678 随时打", "电话 138 **** 5678 随时打", "电话 [电话] 随时打", Mobile},
	{"mobile with dots", "手机139.1234.5678", "手机139.****.5678", "手机[电话]", Mobile},
	{"mobile split once", "打1391234 5678或139 12345678", "打139**** 5678或139 ****5678", "打[电话]或[电话]", Mobile},
	{"mobile with mixed separators", "139-1234 5678", "139-**** 5678", "[电话]", Mobile},
	{"+86 and spaces", "境外来电+86 139 1234 5678", "境外来电+86 139 **** 5678", "境外来电[电话]", Mobile},
	{"+86-", "+86-13912345678", "+86-139****5678", "[电话]", Mobile},
	{"(+86)", "(+86)13912345678", "(+86)139****5678", "[电话]", Mobile},
	{"86 glued", "8613912345678", "86139****5678", "[电话]", Mobile},
	{"full-width digits", "举报人电话１３９１２３４５６７８", "举报人电话１３９****５６７８", "举报人电话[电话]", Mobile},
	{"full-width separators", "１３９－１２３４－５６７８", "１３９－****－５６７８", "[电话]", Mobile},
	{"ideographic spaces", "手机：139　1234　5678", "手机：139　****　5678", "手机：[电话]", Mobile},
	{"em dash", "139—1234—5678", "139—****—5678", "[电话]", Mobile},
	{"Tel glued", "Tel13912345678", "Tel139****5678", "Tel[电话]", Mobile},
	{"a date then a mobile", "20260301联系13912345678", "20260301联系139****5678", "20260301联系[电话]", Mobile},
	{"a dashed date then a mobile", "2026-03-01 13912345678来电", "2026-03-01 139****5678来电", "2026-03-01 [电话]来电", Mobile},
	{"two mobiles", "13912345678/13812345678", "139****5678/138****5678", "[电话]/[电话]", Mobile},
	{"a phone in a link", "https://example.cn/u/13912345678", "https://example.cn/u/139****5678", "https://example.cn/u/[电话]", Mobile},

	{"landline", "值班电话0731-88881234", "值班电话0731-****1234", "值班电话[电话]", Landline},
	{"landline in parentheses", "(0571)8765-4321", "(0571)****-4321", "[电话]", Landline},
	{"full-width parentheses", "办公室（0571）87654321", "办公室（0571）****4321", "办公室[电话]", Landline},
	{"Beijing", "010-6512 3456", "010-**** 3456", "[电话]", Landline},
	{"landline in fours", "0571 8765 4321", "0571 **** 4321", "[电话]", Landline},
	{"landline glued", "057187654321", "0571****4321", "[电话]", Landline},
	{"landline spaced hyphen", "0571 - 87654321", "0571 - ****4321", "[电话]", Landline},
	{"+86 without the trunk 0", "+86 571 8765 4321", "+86 571 **** 4321", "[电话]", Landline},
	{"extension stays", "0571-87654321转8001", "0571-****4321转8001", "[电话]转8001", Landline},
	{"7-digit local", "0571-8765432", "0571-***5432", "[电话]", Landline},
	{"local number after 电话", "办公室电话87654321", "办公室电话87****21", "办公室电话[电话]", Landline},
	{"local number in fours after 座机", "座机 8765 4321", "座机 87** **21", "座机 [电话]", Landline},

	{"valid ID keeps the region", "身份证号11010519491231002X请核对", "身份证号110105************请核对", "身份证号[身份证号]请核对", IDNumber},
	{"lower-case x", "11010519491231002x", "110105************", "[身份证号]", IDNumber},
	{"ID unlabelled", "本人110101199003071233,要求", "本人110101************,要求", "本人[身份证号],要求", IDNumber},
	{"spaced ID", "110101 19900307 1233", "110101 ******** ****", "[身份证号]", IDNumber},
	{"ID in fours", "110101 1990 0307 1233", "110101 **** **** ****", "[身份证号]", IDNumber},
	{"full-width ID", "１１０１０１１９９００３０７１２３３", "１１０１０１************", "[身份证号]", IDNumber},
	{"mistyped check digit after 身份证", "身份证110105199003071234,邮箱", "身份证110105************,邮箱", "身份证[身份证号],邮箱", IDNumber},
	{"15-digit after 身份证号码", "身份证号码:110105490307123", "身份证号码:110105*********", "身份证号码:[身份证号]", IDNumber},

	{"bank card (Luhn)", "工资卡6222021234567890128", "工资卡6222***********0128", "工资卡[银行卡号]", BankCard},
	{"16-digit card in fours", "卡号 6217 0012 3456 7893", "卡号 6217 **** **** 7893", "卡号 [银行卡号]", BankCard},
	{"19-digit card in fours", "6222 0212 3456 7890 128", "6222 **** **** ***0 128", "[银行卡号]", BankCard},
	{"Visa", "4367421234567896", "4367********7896", "[银行卡号]", BankCard},

	{"e-mail", "发邮件到wangjg@linjiang.gov.cn。", "发邮件到w*****@linjiang.gov.cn。", "发邮件到[邮箱]。", Email},
	{"e-mail with dots", "zhang.san-1@mail.163.com", "z**********@mail.163.com", "[邮箱]", Email},
	{"full-width e-mail", "邮箱ｚｓ＠ｅｘａｍｐｌｅ．ｃｎ", "邮箱ｚ*＠ｅｘａｍｐｌｅ．ｃｎ", "邮箱[邮箱]", Email},
	{"a phone as a mailbox", "13912345678@139.com", "1**********@139.com", "[邮箱]", Email},
	{"QQ mail", "123456789@qq.com", "1********@qq.com", "[邮箱]", Email},
	{"mailto", "mailto:zs@example.cn", "mailto:z*@example.cn", "mailto:[邮箱]", Email},

	{"known names keep the surname", "请李娜和欧阳明华今晚报送", "请李*和欧***今晚报送", "请李某和欧阳某某今晚报送", Name},
	{"three characters", "联系人张三丰", "联系人张**", "联系人张某某", Name},
	{"a padded name", "联系人:李  娜", "联系人:李  *", "联系人:李某", Name},

	{"mention", "@张三 收到请回复", "@张* 收到请回复", "@某 收到请回复", Mention},
	{"mention without a space", "@张三请回复1", "@张*请回复1", "@某请回复1", Mention},
	{"Latin mention", "@Tony 收到", "@T*** 收到", "@某 收到", Mention},
	{"full-width @", "＠王五 收到", "＠王* 收到", "@某 收到", Mention},
	{"a mention of a known name", "@欧阳明华请回复", "@欧***请回复", "@某请回复", Mention},
	{"a mention guessed, then a name", "@王五李娜请回复", "@王*李*请回复", "@某李某请回复", Mention},
}

// plain holds text that looks like numbers but is no personal data.
var plain = []string{
	"2026-03-01 21:30 前报送",
	"不少于100人,完成率95%",
	"明天上午开会",
	"临网备2026-0012",
	"备案号390102B202600017已公示",
	"线索编号JF2026-000123,请于3个工作日内办理",
	"查询码K7QM-4XPR-9TBW",
	"罚款5000元,扣2分",
	"2026年3月1日前报送第1季度台账",
	"订单6222021234567890129",
	"编号110105194912310021",
	"编号20261126123456789000不是电话",
	"工单号2026030100123已受理",
	"工单12345-20260301-0001",
	"@所有人 今晚8点前接龙",
	"@全体成员 请于2026.03.05前提交",
	"请访问https://www.linjiang.gov.cn/art/2026/3/1/art_1229_5812345.html",
	"服务器192.168.100.123",
	"拨打政务服务热线12345",
	"截至2026年2月28日,累计下载12345678次",
	"2025-2026学年第二学期",
	"升级到v1.13.2",
	"金额12,345.67元",
	"快递单号SF1234567890123",
	"统一社会信用代码11330100002505858X",
	"2026年03月01日 8:30-17:30",
	"第3期 13个乡镇 1234人",
	"腾讯会议号 123 456 789",
	"邮编310006",
	"一天要交20260301、20260302两份日报",
	"@某某 请回复",
	"张某某要求每天打卡",
	"“临江发布”阅读量10万+",
	"2026.3.1-2026.3.15",
}

func TestForms(t *testing.T) {
	for _, tt := range forms {
		t.Run(tt.name, func(t *testing.T) {
			if got := known.Mask(tt.in); got != tt.mask {
				t.Errorf("Mask(%q)\n got %q\nwant %q", tt.in, got, tt.mask)
			}
			if got := known.Placeholders(tt.in); got != tt.ph {
				t.Errorf("Placeholders(%q)\n got %q\nwant %q", tt.in, got, tt.ph)
			}
			if got := known.Found(tt.in); !slices.Contains(got, tt.kind) {
				t.Errorf("Found(%q) = %v, want %v in it", tt.in, got, tt.kind)
			}
			if got := known.Found(known.Placeholders(tt.in)); len(got) > 0 {
				t.Errorf("Found(Placeholders(%q)) = %v", tt.in, got)
			}
		})
	}
}

func TestPlain(t *testing.T) {
	for _, s := range plain {
		if got := known.Mask(s); got != s {
			t.Errorf("Mask(%q) = %q", s, got)
		}
		if got := known.Placeholders(s); got != s {
			t.Errorf("Placeholders(%q) = %q", s, got)
		}
		if got := known.Found(s); len(got) > 0 {
			t.Errorf("Found(%q) = %v", s, got)
		}
	}
}

func TestSentences(t *testing.T) {
	r := New("王晓明", "李建国")
	tests := []struct{ in, ph string }{
		{"我是王晓明,手机139-1234-5678,身份证号110101 19900307 1233。李建国每天要求在群里接龙打卡,2026年3月起已有20多次,晚上10点后还@所有人。",
			"我是王某某,手机[电话],身份证号[身份证号]。李某某每天要求在群里接龙打卡,2026年3月起已有20多次,晚上10点后还@所有人。"},
		{"反映人：王 晓 明 联系方式：１３９１２３４５６７８ 邮箱wxm@163.com",
			"反映人：王某某 联系方式：[电话] 邮箱[邮箱]"},
		{"@王五 你们村的台账今晚12点前报上来,不报的明天通报。有事打我手机13812345678或办公室0571-87654321",
			"@某 你们村的台账今晚12点前报上来,不报的明天通报。有事打我手机[电话]或办公室[电话]"},
		{"补贴打到卡号6222 0212 3456 7890 128,工单号2026030100123,备案号临网备2026-0012",
			"补贴打到卡号[银行卡号],工单号2026030100123,备案号临网备2026-0012"},
		// the cases of the former jianfu.Redact
		{"联系人李建国电话13912345678", "联系人李某某电话[电话]"},
		{"身份证110105199003071234,邮箱zs@example.cn", "身份证[身份证号],邮箱[邮箱]"},
		{"办公电话0731-84561234", "办公电话[电话]"},
		{"编号20261126123456789000不是电话", "编号20261126123456789000不是电话"},
		{"群主李建国要求接龙", "群主李某某要求接龙"},
	}
	for _, tt := range tests {
		if got := r.Placeholders(tt.in); got != tt.ph {
			t.Errorf("Placeholders(%q)\n got %q\nwant %q", tt.in, got, tt.ph)
		}
	}
}

func TestFound(t *testing.T) {
	r := New("李建国")
	got := r.Found("请联系13800138000或李建国,座机0571-87654321,或13900001111")
	if want := (Kinds{Mobile, Landline, Name}); !slices.Equal(got, want) {
		t.Errorf("Found = %v, want %v", got, want)
	}
	if got.String() != "手机号码、固定电话、姓名" {
		t.Errorf("String = %q", got.String())
	}
	if left := r.Found(r.Placeholders("请联系13800138000或李建国")); len(left) != 0 {
		t.Errorf("after Placeholders: %v", left)
	}
	if Found("李建国") != nil {
		t.Error("a name nobody named was found")
	}
}

func TestNew(t *testing.T) {
	if n := known.Names(); n != 4 {
		t.Errorf("Names() = %d, want 4 (one-character, Latin and 某 names are ignored)", n)
	}
	if New("李 娜", "李娜").Names() != 1 {
		t.Error("spaces inside a given name are not dropped")
	}
	var nilRedactor *Redactor
	if nilRedactor.Names() != 0 || nilRedactor.Mask("13912345678") != "139****5678" {
		t.Error("the nil redactor")
	}
}

func TestChecks(t *testing.T) {
	for _, id := range []string{"11010519491231002X", "440301199003071230", "390102198506123457"} {
		if !ValidID(id) {
			t.Errorf("ValidID(%s) = false", id)
		}
	}
	for _, id := range []string{"110105194912310021", "1101051949123100", "44030119900307123A"} {
		if ValidID(id) {
			t.Errorf("ValidID(%s) = true", id)
		}
	}
	if !Luhn("4111111111111111") || Luhn("4111111111111112") || Luhn("1") {
		t.Error("Luhn")
	}
}

// TestMaskKeepsOffsets builds messages from pieces of personal data and
// ordinary text and checks that Mask moves nothing: same rune count, and a
// rune changes only to MaskRune, inside a span Spans reports.
func TestMaskKeepsOffsets(t *testing.T) {
	pieces := []string{"请", "各村", "今晚8点前", "接龙", ",", "。", " ", "　", "\n", "@所有人 ", "2026-03-01", "21:30", "第3版", "100人", "95%", "JF2026-000123", "临网备2026-0012"}
	for _, f := range forms {
		pieces = append(pieces, f.in)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 2000; n++ {
		var b strings.Builder
		for k := rng.IntN(12); k >= 0; k-- {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		checkMask(t, known, b.String())
	}
}

func checkMask(t *testing.T, r *Redactor, s string) {
	t.Helper()
	in, out := []rune(s), []rune(r.Mask(s))
	if len(in) != len(out) {
		t.Fatalf("Mask changed the length: %q (%d) → %q (%d)", s, len(in), string(out), len(out))
	}
	inside := make([]bool, len(in))
	for _, sp := range r.Spans(s) {
		for i := sp.Start; i < sp.End; i++ {
			inside[i] = true
		}
	}
	for i := range in {
		if in[i] != out[i] && (out[i] != MaskRune || !inside[i]) {
			t.Fatalf("Mask changed rune %d outside a span or not to %c: %q → %q", i, MaskRune, s, string(out))
		}
	}
	for _, sp := range r.Spans(s) {
		if string(in[sp.Start:sp.End]) == string(out[sp.Start:sp.End]) {
			t.Fatalf("Mask left %v %q whole: %q → %q", sp.Kind, string(in[sp.Start:sp.End]), s, string(out))
		}
	}
}

// FuzzRedact checks the invariants the callers rely on: no panic; Mask
// keeps every offset and hides part of every span; what Placeholders
// leaves passes Found (so a drafted typical case can be published).
// (Masking is not idempotent: the digits it keeps may join a neighbouring
// number into a new one, 0700***0700 2000000.)
func FuzzRedact(f *testing.F) {
	b, err := os.ReadFile("testdata/seeds.txt")
	if err != nil {
		f.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		f.Add(line)
	}
	for _, tt := range forms {
		f.Add(tt.in)
	}
	for _, s := range plain {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		checkMask(t, known, s)
		masked := known.Mask(s)
		ph := known.Placeholders(s)
		if left := known.Found(ph); len(left) > 0 {
			t.Fatalf("Placeholders(%q) = %q still holds %v", s, ph, left)
		}
		if strings.Contains(ph, "李娜") || strings.Contains(masked, "李娜") {
			t.Fatalf("a known name survived: %q, %q", ph, masked)
		}
	})
}

// benchMsg is a realistic work-group message of about 200 characters.
const benchMsg = "@所有人 各村今晚8点前把独居老人信息统计表报上来,联系人王建国,电话139-1234-5678,办公室0571-87654321。有问题发邮件到wangjg@linjiang.gov.cn。补贴打到卡号6222 0212 3456 7890 128,身份证110101199003071233请核对。2026-03-01前完成,完成率不低于95%,收到请回复1。另请李娜把台账于本周五下班前报送,逾期通报。"

func BenchmarkMask(b *testing.B) {
	b.SetBytes(int64(len(benchMsg)))
	for b.Loop() {
		known.Mask(benchMsg)
	}
}

func BenchmarkPlaceholders(b *testing.B) {
	b.SetBytes(int64(len(benchMsg)))
	for b.Loop() {
		known.Placeholders(benchMsg)
	}
}

func BenchmarkFound(b *testing.B) {
	for b.Loop() {
		known.Found(benchMsg)
	}
}

// TestLeaks checks that a reviewer is told where personal data is left,
// with the surroundings masked.
func TestLeaks(t *testing.T) {
	text := "群主王建军要求每晚接龙,电话１３９.１２３４.５６７８,身份证110101 19900307 1233。"
	got := New("王建军").Leaks(text, 4)
	want := []Leak{
		{Kind: Name, Start: 2, Excerpt: "群主王**要求每晚…"},
		{Kind: Mobile, Start: 14, Excerpt: "…龙,电话１３９.****.５６７８,身份证…"},
		{Kind: IDNumber, Start: 31, Excerpt: "…,身份证110101 ******** ****。"},
	}
	if len(got) != len(want) {
		t.Fatalf("leaks %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("leak %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if Mobile.English() != "mobile number" {
		t.Error("labels")
	}
}
