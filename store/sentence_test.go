package store

import "testing"

// TestSentence checks the full stop added to public notes: one 。 replaces
// trailing punctuation of either width, and a note ending in ! or ? (either
// width) keeps its mark with no 。 after it.
func TestSentence(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"  ", ""},
		{"。", ""},
		{"整改到位", "整改到位。"},
		{"整改到位。", "整改到位。"},
		{" 整改到位。。 ", "整改到位。"},
		{"整改到位.", "整改到位。"},
		{"已整改,", "已整改。"},
		{"已整改，", "已整改。"},
		{"已整改;", "已整改。"},
		{"已整改；", "已整改。"},
		{"已整改、", "已整改。"},
		{"感谢监督！", "感谢监督！"},
		{"感谢监督！ ", "感谢监督！"},
		{"是否还有问题？", "是否还有问题？"},
		{"thanks!", "thanks!"},
		{"really?", "really?"},
	} {
		if got := sentence(tt.in); got != tt.want {
			t.Errorf("sentence(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
