package jianfu

import "testing"

func TestCleanText(t *testing.T) {
	for in, want := range map[string]string{
		"接\u200b龙\u200d报数":          "接龙报数",
		"invoice\u202egpj.exe":      "invoicegpj.exe",
		"a\u2066b\u2069c\u200fd":    "abcd",
		"NUL\x00 and BEL\x07":       "NUL and BEL",
		"行一\n行二\t制表\r\n":            "行一\n行二\t制表\r\n",
		"\ufeff开头":                  "开头",
		"bad \xff byte":             "bad \uFFFD byte",
		"普通文本 with emoji 👍 and ＠全角": "普通文本 with emoji 👍 and ＠全角",
	} {
		if got := CleanText(in); got != want {
			t.Errorf("CleanText(%q) = %q, want %q", in, got, want)
		}
	}
}
