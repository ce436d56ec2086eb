package textsim

import "testing"

func TestMarkers(t *testing.T) {
	tests := []struct{ in, want string }{
		{"实验小学1年级家长群", "1年"},
		{"实验小学一年级家长群", "1年"},
		{"望江中学2025届毕业班", "2025届"},
		{"江南一中", "1中"},
		{"江南区第一中学", "1中"},
		{"初二(3)班家长群", "2|3班"},
		{"高三年级组", "3年"},
		{"十二班", "12班"},
		{"二〇二五届", "2025届"},
		{"第一百零五号", "105号"},
		{"幼儿园大班群", "大班"},
		{"江南一站式服务", ""},
		{"三农发布", ""},
		{"江南教育发布", ""},
		{"１２３４５热线", "12345"},
	}
	for _, tt := range tests {
		if got := Markers(tt.in); got != tt.want {
			t.Errorf("Markers(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDistinct(t *testing.T) {
	differ := [][2]string{
		{"实验小学1年级家长群", "实验小学5年级家长群"},
		{"望江小学一班家长群", "望江小学二班家长群"},
		{"2025届毕业生群", "2026届毕业生群"},
		{"江南一中", "江南二中"},
		{"实验小学家长群", "实验小学3年级家长群"},
		{"幼儿园大班群", "幼儿园小班群"},
	}
	for _, p := range differ {
		if !Distinct(p[0], p[1]) {
			t.Errorf("%s and %s should be told apart", p[0], p[1])
		}
	}
	same := [][2]string{
		{"江南一中", "江南区第一中学"},
		{"江南教育发布", "江南区教育局"},
		{"一年级家长群", "1年级家长群"},
		{"江南一站式服务", "江南区一站式服务平台"},
	}
	for _, p := range same {
		if Distinct(p[0], p[1]) {
			t.Errorf("%s and %s differ only in wording, not in a number", p[0], p[1])
		}
	}
}

func FuzzMarkers(f *testing.F) {
	for _, s := range []string{"实验小学1年级家长群", "二〇二五届", "第一百零五号", "十十十", "千百十", "9999999999999999999999班"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if m := Markers(s); m != "" && Markers(m) == "" && m[0] >= '0' && m[0] <= '9' {
			t.Fatalf("the markers %q of %q read as no markers", m, s)
		}
		if Distinct(s, s) {
			t.Fatal("a name is distinct from itself")
		}
	})
}
