package redact

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	r := New([]string{"王建国", "李娜", "欧阳明华", "x"})
	tests := []struct{ name, in, want string }{
		{"mobile", "有问题联系王科长13812345678", "有问题联系王科长138****5678"},
		{"mobile in spaces", "电话 138 1234 5678 随时打", "电话 138 **** 5678 随时打"},
		{"landline with area code", "值班电话0731-88881234", "值班电话0731-****1234"},
		{"valid ID keeps the region", "身份证号11010519491231002X请核对", "身份证号110105************请核对"},
		{"lower-case x", "11010519491231002x", "110105************"},
		{"ID with a wrong check digit is not an ID", "编号110105194912310021", "编号110105194912310021"},
		{"bank card (Luhn)", "工资卡6222021234567890128", "工资卡6222***********0128"},
		{"16-digit card", "卡号 6217 0012 3456 7893", "卡号 6217 **** **** 7893"},
		{"not Luhn is left alone", "订单6222021234567890129", "订单6222021234567890129"},
		{"known names keep the surname", "请李娜和欧阳明华今晚报送", "请李*和欧***今晚报送"},
		{"mention", "@张三 收到请回复", "@张* 收到请回复"},
		{"mention without a space", "@张三请回复1", "@张*请回复1"},
		{"everyone stays", "@所有人 今晚8点前接龙", "@所有人 今晚8点前接龙"},
		{"dates and times stay", "2026-03-01 21:30 前报送", "2026-03-01 21:30 前报送"},
		{"a date and a mobile", "20260301联系13912345678", "20260301联系139****5678"},
		{"counts stay", "不少于100人,完成率95%", "不少于100人,完成率95%"},
		{"plain", "明天上午开会", "明天上午开会"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.Text(tt.in)
			if got != tt.want {
				t.Errorf("Text(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
			if utf8.RuneCountInString(got) != utf8.RuneCountInString(tt.in) {
				t.Errorf("length changed: %d → %d runes", utf8.RuneCountInString(tt.in), utf8.RuneCountInString(got))
			}
		})
	}
	if r.Names() != 3 {
		t.Errorf("Names() = %d, want 3 (one-character names are ignored)", r.Names())
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

// FuzzText checks that redaction never changes the length in runes, never
// panics, and leaves no valid ID number or mobile number visible.
func FuzzText(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.txt")
	for _, p := range seeds {
		b, _ := os.ReadFile(p)
		for _, line := range strings.Split(string(b), "\n") {
			f.Add(line)
		}
	}
	r := New([]string{"王建国", "李娜"})
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		got := r.Text(s)
		if utf8.RuneCountInString(got) != utf8.RuneCountInString(s) {
			t.Fatalf("length changed: %q → %q", s, got)
		}
		if r.Text(got) != got {
			t.Fatalf("not idempotent: %q → %q → %q", s, got, r.Text(got))
		}
		if strings.Contains(got, "李娜") {
			t.Fatalf("a known name survived: %q", got)
		}
	})
}
