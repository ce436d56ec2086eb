package jianfu

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

// TestNoteSuffix checks that an optional note joins a timeline text as a
// sentence of its own, and no note adds nothing.
func TestNoteSuffix(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"请于本周内答复", "。请于本周内答复"},
	} {
		if got := "移送江南区教育局办理" + noteSuffix(tt.in); got != "移送江南区教育局办理"+tt.want {
			t.Errorf("noteSuffix(%q): %q", tt.in, got)
		}
	}
}

// TestCheckLength checks the length rule of the workflow's texts: counted
// in characters after trimming, with a message naming the field.
func TestCheckLength(t *testing.T) {
	for _, tt := range []struct {
		in string
		ok bool
	}{
		{"理由", false},      // 2 < 4
		{"  理由  ", false},  // trimmed
		{"问题仍在", true},     // 4 characters, 12 bytes
		{"问题仍然存在存在", true}, // 8
		{"问题仍然存在存在再", false},
	} {
		err := checkLength("reason", "理由", tt.in, 4, 8)
		if (err == nil) != tt.ok {
			t.Errorf("checkLength(%q) = %v, want ok %v", tt.in, err, tt.ok)
			continue
		}
		if err == nil {
			continue
		}
		e := err.(*Error)
		if e.Code != EINVALID || e.Message != "理由应为4至8字" || len(e.Problems) != 1 || e.Problems[0].Field != "reason" {
			t.Errorf("checkLength(%q) = %#v", tt.in, e)
		}
	}
}

// TestChildRegion checks the rows of the overdue board: a case counts
// under the region one level below the caller's that contains it, and
// under the caller's own level (本级) when it is there.
func TestChildRegion(t *testing.T) {
	for _, tt := range []struct{ base, path, want string }{
		{"", "39", "39"},
		{"", "390102", "39"},
		{"39", "3901", "3901"},
		{"39", "390102001", "3901"},
		{"39", "39", ""},
		{"3901", "390102", "390102"},
		{"3901", "3901", ""},
		{"390102", "390102001", "390102001"},
		{"390102", "390102", ""},
		{"390102001", "390102001001", "390102001001"},
	} {
		if got := childRegion(tt.base, tt.path); got != tt.want {
			t.Errorf("childRegion(%q, %q) = %q, want %q", tt.base, tt.path, got, tt.want)
		}
	}
}
