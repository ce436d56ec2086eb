package textsim

import "testing"

func TestRequests(t *testing.T) {
	var m Requests
	cases := []struct {
		a, b string
		same bool
	}{
		{"60岁以上独居老人信息统计表", "60岁以上独居老人信息统计表", true},
		{"60岁以上独居老人信息统计表", "辖区60岁以上独居老人信息统计表", true},
		{"60岁以上独居老人信息统计表", "适龄儿童疫苗接种情况统计表", false},
		{"人口统计表", "人口统计表", true},
		{"统计表", "统计表", false}, // two bigrams: too short to tell
	}
	for _, c := range cases {
		if got := m.Same(c.a, c.b); got != c.same {
			t.Errorf("Same(%q, %q) = %v, want %v", c.a, c.b, got, c.same)
		}
		if got := m.Same(c.b, c.a); got != c.same {
			t.Errorf("Same is not symmetric for %q, %q", c.a, c.b)
		}
	}
	// Band keys are stored: the same topic gives the same keys on every
	// run, and near-identical topics share at least one band.
	a, b := m.Bands("60岁以上独居老人信息统计表"), m.Bands("60岁以上独居老人信息统计表")
	if len(a) != bandCount || a[0] != b[0] || a[bandCount-1] != b[bandCount-1] {
		t.Fatalf("bands %v vs %v", a, b)
	}
	near := m.Bands("辖区60岁以上独居老人信息统计表")
	shared := 0
	for i := range a {
		if a[i] == near[i] {
			shared++
		}
	}
	if shared == 0 {
		t.Error("near-identical topics share no band: they would never be compared")
	}
	if m.Bands("表") != nil {
		t.Error("a topic too short to compare has bands")
	}
}
